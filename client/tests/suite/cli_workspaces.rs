//! `armctl ml workspace …` as the documents type it, with the documented output keys.

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use crate::helpers::*;

/// The create output of the documents (without `containerRegistry`, which the emulator
/// creates lazily, and without `tags`, which create prints only when there are some).
const CREATE_KEYS: [&str; 15] = [
    "applicationInsights",
    "creationTime",
    "description",
    "friendlyName",
    "id",
    "identityPrincipalId",
    "identityTenantId",
    "identityType",
    "keyVault",
    "location",
    "name",
    "resourceGroup",
    "storageAccount",
    "type",
    "workspaceid",
];

fn with(keys: &[&str], extra: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = keys.iter().chain(extra).map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// Checks the formats the documents show: lower-cased dependent ids, GUIDs, the timestamp.
fn check_details(v: &Value, rg: &str, name: &str) {
    let sub = SUB;
    assert_eq!(
        v["id"],
        format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
        )
    );
    assert_eq!(v["name"], name);
    assert_eq!(v["resourceGroup"], rg);
    assert_eq!(v["type"], "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(v["identityType"], "SystemAssigned");
    for k in ["identityPrincipalId", "identityTenantId", "workspaceid"] {
        assert!(is_guid(v[k].as_str().unwrap()), "{k}: {}", v[k]);
    }
    let lower_rg = rg.to_lowercase();
    for (k, p) in [
        ("applicationInsights", "microsoft.insights/components/"),
        ("keyVault", "microsoft.keyvault/vaults/"),
        ("storageAccount", "microsoft.storage/storageaccounts/"),
    ] {
        let id = v[k].as_str().unwrap();
        assert!(id.starts_with(&format!("/subscriptions/{sub}/resourcegroups/{lower_rg}/providers/{p}")), "{k}: {id}");
    }
    let t = v["creationTime"].as_str().unwrap();
    assert_eq!(t.len(), "2019-08-30T20:24:19.6984254+00:00".len(), "{t}");
    assert!(t.ends_with("+00:00") && t.as_bytes()[19] == b'.', "{t}");
}

#[test]
fn create_show_list_update_with_v1_and_v2_flags() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create --name rg-ml --location eastus").ok();
    let v = cli.run("ml workspace create -w ws-one -g rg-ml").ok().json();
    assert_eq!(keys(&v), with(&CREATE_KEYS, &[]));
    check_details(&v, "rg-ml", "ws-one");
    assert_eq!(v["friendlyName"], "ws-one");
    assert_eq!(v["description"], "");
    let v2 = cli.run("ml workspace create -n ws-two -g rg-ml --tags k=v").ok().json();
    assert_eq!(keys(&v2), with(&CREATE_KEYS, &["tags"]));
    assert_eq!(v2["tags"], json!({"k": "v"}));

    for flags in ["-w ws-one -g rg-ml", "-n ws-one -g rg-ml", "--workspace-name WS-ONE --resource-group rg-ml"] {
        let s = cli.run(&format!("ml workspace show {flags}")).ok().json();
        assert_eq!(keys(&s), with(&CREATE_KEYS, &["tags"]), "show {flags}");
        check_details(&s, "rg-ml", "ws-one");
        assert_eq!(s["workspaceid"], v["workspaceid"]);
    }
    let list = cli.run("ml workspace list").ok().json();
    assert_eq!(
        list,
        json!([
            {"resourceGroup": "rg-ml", "subscriptionId": SUB, "workspaceName": "ws-one"},
            {"resourceGroup": "rg-ml", "subscriptionId": SUB, "workspaceName": "ws-two"},
        ])
    );
    assert_eq!(cli.run("ml workspace list -g rg-ml --query length(@)").ok().out, "2\n");

    let u = cli.run("ml workspace update -w ws-one -g rg-ml").ok().json();
    assert_eq!(keys(&u), with(&CREATE_KEYS, &["tags"]));
    let u = cli.run("ml workspace update -n ws-one -g rg-ml --public-network-access enabled --description changed --friendly-name Nice").ok().json();
    assert_eq!((u["description"].as_str(), u["friendlyName"].as_str()), (Some("changed"), Some("Nice")));
    let raw = cli
        .run(&format!("resource show --ids {} --query properties.publicNetworkAccess", u["id"].as_str().unwrap()))
        .ok()
        .out;
    assert_eq!(raw, "\"Enabled\"\n");
    let bad = cli.run("ml workspace update -n ws-one -g rg-ml --public-network-access sometimes");
    assert_eq!(bad.code, 2);
    let missing = cli.run("ml workspace show -w nope -g rg-ml");
    assert_eq!(missing.code, 3);
    assert!(missing.err.contains("(ResourceNotFound)"), "{}", missing.err);
    assert_eq!(cli.run("ml workspace show -w ws-one").code, 2, "-g is required");
    assert_eq!(cli.run("ml workspace create -g rg-ml").code, 2, "a name is required");
}

#[test]
fn create_with_existing_dependents_and_query_ids() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-byo -l eastus").ok();
    cli.run("acr create -n acrbyo -g rg-byo --sku Basic --admin-enabled true").ok();
    cli.run("storage account create -n sabyo -g rg-byo").ok();
    let acr = cli.run("acr show --name acrbyo -g rg-byo --query \"id\"").ok().json();
    let sa = cli.run("storage account show --name sabyo --query \"id\"").ok().json();
    let args = vec![
        "ml".into(),
        "workspace".into(),
        "create".into(),
        "-w".into(),
        "ws-byo".into(),
        "-g".into(),
        "rg-byo".into(),
        "--container-registry".into(),
        acr.as_str().unwrap().to_string(),
        "--storage-account".into(),
        sa.as_str().unwrap().to_string(),
    ];
    let v = cli.run_args(&args).ok().json();
    assert_eq!(keys(&v), with(&CREATE_KEYS, &["containerRegistry"]), "the documented create output with a registry");
    assert!(v["containerRegistry"].as_str().unwrap().eq_ignore_ascii_case(acr.as_str().unwrap()));
    assert!(v["storageAccount"].as_str().unwrap().eq_ignore_ascii_case(sa.as_str().unwrap()));
    assert_eq!(v["containerRegistry"].as_str().unwrap(), v["containerRegistry"].as_str().unwrap().to_lowercase());
    let keys_out = cli.run("ml workspace list-keys -w ws-byo -g rg-byo").ok().json();
    assert!(keys_out.get("userStorageKey").is_some(), "{keys_out}");
}

#[test]
fn create_from_the_documented_yaml_files() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-yml -l eastus").ok();
    let path = cli.dir.path().join("workspace.yml");
    std::fs::write(
        &path,
        "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json\nname: mlw-privatelink-prod\nlocation: eastus\ndisplay_name: Private Link endpoint workspace-example\ndescription: When using private link, you must set the image_build_compute property to a cluster name to use for Docker image environment building. You can also specify whether the workspace should be accessible over the internet.\nimage_build_compute: cpu-compute\npublic_network_access: Disabled\ntags:\n  purpose: demonstration\n",
    )
    .unwrap();
    let v = cli.run(&format!("ml workspace create -g rg-yml --file {}", path.display())).ok().json();
    assert_eq!(keys(&v), with(&CREATE_KEYS, &["tags"]));
    assert_eq!(v["name"], "mlw-privatelink-prod");
    assert_eq!(v["friendlyName"], "Private Link endpoint workspace-example");
    assert_eq!(v["tags"], json!({"purpose": "demonstration"}));
    let raw = cli
        .run(&format!(
            "resource show --ids {} --query \"properties.[imageBuildCompute, publicNetworkAccess]\"",
            v["id"].as_str().unwrap()
        ))
        .ok()
        .json();
    assert_eq!(raw, json!(["cpu-compute", "Disabled"]));

    std::fs::write(&path, "name: ws-hbi\nhbi_workspace: TRUE\n").unwrap();
    cli.run(&format!("ml workspace create -g rg-yml --file {}", path.display())).ok();
    let hbi = cli.run(&format!("resource show --ids /subscriptions/{SUB}/resourceGroups/rg-yml/providers/Microsoft.MachineLearningServices/workspaces/ws-hbi --query properties.hbiWorkspace")).ok().out;
    assert_eq!(hbi, "true\n");
    let change = cli.run("ml workspace update -n ws-hbi -g rg-yml --hbi-workspace false");
    assert_eq!(change.code, 1, "hbiWorkspace is set at creation only: {}", change.err);

    std::fs::write(&path, "name: x\nunknown_key: 1\n").unwrap();
    let bad = cli.run(&format!("ml workspace create -g rg-yml --file {}", path.display()));
    assert_eq!(bad.code, 2);
    assert!(bad.err.contains("unknown_key"), "{}", bad.err);
    assert_eq!(cli.run("ml workspace create -g rg-yml --file /no/such/file.yml").code, 1);
}

#[test]
fn cmk_workspace_needs_documentdb() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-cmk -l eastus").ok();
    cli.run("keyvault create -n kvcmk -g rg-cmk").ok();
    let kv = format!("/subscriptions/{SUB}/resourceGroups/rg-cmk/providers/Microsoft.KeyVault/vaults/kvcmk");
    let cmd = format!("ml workspace create -w ws-cmk -g rg-cmk --cmk-keyvault {kv} --resource-cmk-uri https://kvcmk.vault.azure.net/keys/k/1");
    let r = cli.run(&cmd);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(
        r.err.contains("Microsoft.DocumentDB") && r.err.contains("armctl provider register -n Microsoft.DocumentDB"),
        "{}",
        r.err
    );
    cli.run("provider register -n Microsoft.DocumentDB --wait").ok();
    let r = cli.run(&cmd);
    assert_eq!(r.code, 1, "the documents list Microsoft.Search for CMK too: {}", r.err);
    assert!(r.err.contains("armctl provider register -n Microsoft.Search"), "{}", r.err);
    cli.run("provider register -n Microsoft.Search --wait").ok();
    let v = cli.run(&cmd).ok().json();
    assert_eq!(v["name"], "ws-cmk");
    assert_eq!(cli.run("ml workspace create -w x -g rg-cmk --cmk-keyvault k").code, 2, "both CMK flags go together");
}

#[test]
fn private_endpoint_flags_create_an_endpoint() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-pe -l eastus").ok();
    assert_eq!(
        cli.run("ml workspace create -w ws-pe -g rg-pe --pe-name pe1").code,
        2,
        "--pe-name needs --pe-vnet-name"
    );
    let r = cli.run("ml workspace create -w ws-pe -g rg-pe --pe-name pe1 --pe-vnet-name vnet1 --pe-auto-approval");
    assert_eq!(r.code, 1, "Microsoft.Network starts unregistered: {}", r.err);
    assert!(r.err.contains("armctl provider register -n Microsoft.Network"), "{}", r.err);
    cli.run("provider register -n Microsoft.Network --wait").ok();
    // The virtual network must exist (Network refuses a reference to a missing one).
    let missing =
        cli.run("ml workspace create -w ws-pe -g rg-pe --pe-name pe1 --pe-vnet-name vnet1 --pe-auto-approval");
    assert_eq!(missing.code, 1);
    assert!(missing.err.contains("(InvalidResourceReference) Resource /subscriptions/"), "{}", missing.err);
    cli.run("network vnet create -g rg-pe -n vnet1 --subnet-name default").ok();
    cli.run("ml workspace create -w ws-pe -g rg-pe --pe-name pe1 --pe-vnet-name vnet1 --pe-auto-approval").ok();
    let pe = cli
        .run(&format!("resource show --ids /subscriptions/{SUB}/resourceGroups/rg-pe/providers/Microsoft.Network/privateEndpoints/pe1 --query properties"))
        .ok()
        .json();
    assert!(pe["subnet"]["id"].as_str().unwrap().ends_with("/virtualNetworks/vnet1/subnets/default"), "{pe}");
    assert_eq!(pe["privateLinkServiceConnections"][0]["properties"]["groupIds"], json!(["amlworkspace"]));
    // The endpoint made the workspace's connection.
    let conn = cli
        .run(&format!("resource show --ids /subscriptions/{SUB}/resourceGroups/rg-pe/providers/Microsoft.MachineLearningServices/workspaces/ws-pe --query \"[properties.privateEndpointConnections[0].properties.privateEndpoint.id, properties.privateLinkCount]\""))
        .ok()
        .json();
    assert_eq!(
        conn,
        json!([
            format!("/subscriptions/{SUB}/resourceGroups/rg-pe/providers/Microsoft.Network/privateEndpoints/pe1"),
            1
        ])
    );
}

#[test]
fn soft_delete_recover_purge() {
    let emu = TestEmulator::start();
    let mut cli = Cli::new(&emu);
    cli.run("group create -n rg-sd -l eastus").ok();
    let created = cli.run("ml workspace create -w ws-sd -g rg-sd").ok().json();
    // As az ml: a confirmation first; without a terminal (and without --yes) it cannot ask.
    let no_tty = cli.run("ml workspace delete -w ws-sd -g rg-sd");
    assert_eq!(
        (no_tty.code, no_tty.err.as_str()),
        (1, "ERROR: Unable to prompt for confirmation as no tty available. Use --yes.\n")
    );
    cli.input = Some("n\n".into());
    let declined = cli.run("ml workspace delete -w ws-sd -g rg-sd");
    cli.input = None;
    assert_eq!(
        (declined.code, declined.err.as_str()),
        (1, "Are you sure you want to perform this operation? (y/n): \nERROR: Operation cancelled.\n")
    );
    cli.run("ml workspace show -w ws-sd -g rg-sd").ok();
    assert_eq!(cli.run("ml workspace delete -w ws-sd -g rg-sd --no-wait --yes").code, 0);
    cli.run("ml workspace recover -w ws-sd -g rg-sd").ok();
    assert!(cli.run("ml workspace delete -w ws-sd -g rg-sd --yes").ok().out.is_empty());
    assert_eq!(cli.run("ml workspace show -w ws-sd -g rg-sd").code, 3);
    assert_eq!(cli.run("ml workspace list --query length(@)").ok().out, "0\n");
    let deleted = cli.run("ml workspace list-deleted").ok().json();
    assert_eq!(deleted.as_array().unwrap().len(), 1);
    assert_eq!(deleted[0]["name"], "ws-sd");
    let again = cli.run("ml workspace create -w ws-sd -g rg-sd");
    assert_eq!(again.code, 1);
    assert!(
        again.err.contains("Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete"),
        "{}",
        again.err
    );
    assert!(again.err.contains("Hint: recover it with 'armctl ml workspace recover"), "{}", again.err);
    let back = cli.run("ml workspace recover -n ws-sd -g rg-sd").ok().json();
    assert_eq!(back["workspaceid"], created["workspaceid"]);
    assert_eq!(back["storageAccount"], created["storageAccount"], "the dependents stay");
    cli.run("ml workspace delete -n ws-sd -g rg-sd --permanently-delete --all-resources --yes").ok();
    assert_eq!(cli.run("ml workspace list-deleted -g rg-sd").ok().json(), json!([]));
    assert_eq!(
        cli.run("resource list -g rg-sd --query length(@)").ok().out,
        "0\n",
        "--all-resources deleted the dependents"
    );
    assert_eq!(cli.run("ml workspace delete -n x -g rg-sd --all-resources").code, 2);

    cli.run("ml workspace create -w ws-pg -g rg-sd").ok();
    cli.run("ml workspace delete -w ws-pg -g rg-sd --yes").ok();
    cli.run("ml workspace purge -w ws-pg -g rg-sd --yes").ok();
    assert_eq!(cli.run("ml workspace list-deleted --query length(@)").ok().out, "0\n");
    cli.run("ml workspace create -w ws-pg -g rg-sd").ok();
}

#[test]
fn share_sync_keys_and_group_delete() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create --name rg-share --location eastus").ok();
    cli.run("ml workspace create -w ws-share -g rg-share").ok();
    let user = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let r = cli
        .run(&format!("ml workspace share -w ws-share -g rg-share --user {user} --role \"AzureML Data Scientist\""))
        .ok();
    assert!(r.out.is_empty() && r.err.is_empty(), "{}", r.err);
    // Sharing again succeeds, as az's repeated `role assignment create` does; one assignment.
    cli.run(&format!("ml workspace share -w ws-share -g rg-share --user {user} --role \"AzureML Data Scientist\""))
        .ok();
    let scope = cli.run("ml workspace show -w ws-share -g rg-share --query id -o tsv").ok().out;
    let listed =
        cli.run(&format!("role assignment list --scope {} --assignee-object-id {user}", scope.trim())).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["roleDefinitionName"], "AzureML Data Scientist");
    // A sign-in name is looked up in Microsoft Graph (the emulator's), as az does.
    cli.run("ml workspace share -w ws-share -g rg-share --user user@armemu.onmicrosoft.com --role Contributor").ok();
    let by_name = cli
        .run(&format!("role assignment list --scope {} --assignee user@armemu.onmicrosoft.com", scope.trim()))
        .ok()
        .json();
    assert_eq!(by_name[0]["principalId"], armemu::config::DEFAULT_USER_OBJECT_ID, "{by_name}");
    let unknown = cli.run("ml workspace share -w ws-share -g rg-share --user someone@contoso.com --role Contributor");
    assert_eq!(
        (unknown.code, unknown.err.as_str()),
        (1, "ERROR: Cannot find user or service principal in graph database for 'someone@contoso.com'.\n")
    );
    assert_eq!(cli.run("ml workspace share -w ws-share -g rg-share --user x --role NoSuchRole").code, 2);
    assert!(cli.run("ml workspace sync-keys -w ws-share -g rg-share").ok().out.is_empty());
    settings_sync(&emu, json!({"lro": {"workspaces/resyncKeys": "polls:1"}}));
    cli.run("ml workspace sync-keys -n ws-share -g rg-share").ok();
    assert_eq!(cli.sleeper.recorded(), secs(&[1]));
    cli.run("ml workspace delete -w ws-share -g rg-share -y").ok();
    cli.run("group delete -g rg-share --yes").ok();
    assert_eq!(cli.run("group exists -n rg-share").ok().out, "false\n");
    assert_eq!(
        cli.run("ml workspace list-deleted --query length(@)").ok().out,
        "0\n",
        "deleting the group purges its workspaces"
    );
}
