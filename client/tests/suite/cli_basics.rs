//! `armctl` login/account/group/provider/resource/dependents, run in-process: exact key sets,
//! every `-o` format, `--query`, exit codes and error text.

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use crate::helpers::*;

const GROUP_KEYS: [&str; 7] = ["id", "location", "managedBy", "name", "properties", "tags", "type"];

#[test]
fn group_create_prints_the_documented_shape() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let r = cli.run("group create --name rg-doc --location eastus").ok();
    let v = r.json();
    assert_eq!(keys(&v), GROUP_KEYS);
    assert_eq!(v["id"], format!("/subscriptions/{SUB}/resourceGroups/rg-doc"));
    assert_eq!(v["managedBy"], Value::Null);
    assert_eq!(v["tags"], Value::Null);
    assert_eq!(v["properties"], json!({"provisioningState": "Succeeded"}));
    assert_eq!(v["location"], "eastus");
    assert!(r.err.is_empty(), "{}", r.err);
    // Sorted keys, two-space indentation, as az prints.
    assert!(r.out.starts_with("{\n  \"id\": "), "{}", r.out);
}

#[test]
fn output_formats_and_query() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-fmt -l westeurope --tags env=dev team").ok();
    let id = format!("/subscriptions/{SUB}/resourceGroups/rg-fmt");
    assert_eq!(cli.run("group show -n rg-fmt --query id").ok().out, format!("\"{id}\"\n"));
    assert_eq!(cli.run("group show -g rg-fmt --query id -o tsv").ok().out, format!("{id}\n"));
    // JMESPath keys are case-sensitive: az prints nothing for `ID` and succeeds.
    let upper = cli.run("group show -n rg-fmt --query ID").ok();
    assert_eq!((upper.out.as_str(), upper.code), ("", 0));
    assert_eq!(
        cli.run("group show -n rg-fmt -o tsv").ok().out,
        format!("{id}\twesteurope\tNone\trg-fmt\t\t\tMicrosoft.Resources/resourceGroups\n")
    );
    // az has no table transformer for `group show`: its automatic table (scalars, sorted).
    assert_eq!(
        cli.run("group show -n rg-fmt -o table").ok().out,
        "Location    Name\n----------  ------\nwesteurope  rg-fmt\n"
    );
    let yaml = cli.run("group show -n rg-fmt -o yaml").ok().out;
    assert!(yaml.contains("managedBy: null\n") && yaml.contains("tags:\n  env: dev\n  team: ''\n"), "{yaml}");
    let jsonc = cli.run_with("group show -n rg-fmt -o jsonc", &[], true).ok().out;
    assert!(jsonc.contains("\x1b[") && jsonc.contains("rg-fmt"), "{jsonc}");
    assert_eq!(cli.run("group show -n rg-fmt -o none").ok().out, "");
    assert_eq!(cli.run("group show -n rg-fmt --query tags.env -o json").ok().out, "\"dev\"\n");
    assert_eq!(cli.run("group list --query [].name").ok().json(), json!(["rg-fmt"]));
    assert_eq!(cli.run("group show -n rg-fmt --query nothing.here").ok().out, "", "null prints nothing");
    let bad = cli.run("group show -n rg-fmt --query [?");
    assert_eq!(bad.code, 2);
    assert!(bad.err.contains("--query"), "{}", bad.err);
    assert_eq!(cli.run("group list -o table --query [].{n:name}").ok().out, "N\n------\nrg-fmt\n");
}

#[test]
fn group_lifecycle_and_exit_codes() {
    let emu = TestEmulator::start();
    let mut cli = Cli::new(&emu);
    assert_eq!(cli.run("group exists -n rg-life").ok().out, "false\n");
    cli.run("group create -n rg-life -l eastus").ok();
    assert_eq!(cli.run("group exists -n rg-life").ok().out, "true\n");
    let up = cli.run("group update -n rg-life --set tags.env=prod tags.owner=me").ok().json();
    assert_eq!(up["tags"], json!({"env": "prod", "owner": "me"}));
    let up = cli.run("group update -n rg-life --remove tags.owner").ok().json();
    assert_eq!(up["tags"], json!({"env": "prod"}));
    let up = cli.run("group update -n rg-life --tags a=1").ok().json();
    assert_eq!(up["tags"], json!({"a": "1"}));
    assert_eq!(cli.run("group list --tag a=1 --query [].name").ok().json(), json!(["rg-life"]));
    assert_eq!(cli.run("group list --tag a=2 --query [].name").ok().json(), json!([]));

    let missing = cli.run("group show -n nope");
    assert_eq!(missing.code, 3);
    assert!(missing.out.is_empty());
    assert!(
        missing.err.starts_with("ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found."),
        "{}",
        missing.err
    );
    assert!(
        missing.err.contains("Hint: create the group first: 'armctl group create -n nope -l <location>'"),
        "{}",
        missing.err
    );
    let moved = cli.run("group create -n rg-life -l westus");
    assert_eq!(moved.code, 1);
    assert!(moved.err.contains("(InvalidResourceGroupLocation)"), "{}", moved.err);
    let usage = cli.run("group create -n x");
    assert_eq!(usage.code, 2, "a missing --location is a usage error");
    assert!(usage.err.contains("--location"), "{}", usage.err);
    assert_eq!(cli.run("group frobnicate").code, 2);
    assert_eq!(cli.run("--help").code, 0);
    assert_eq!(cli.run("extension add -n azure-cli-ml").ok().out, "", "the documents' extension step is accepted");
    assert_eq!(cli.run("extension add -n application-insights").code, 0);

    let no_tty = cli.run("group delete -n rg-life");
    assert_eq!(no_tty.code, 1);
    assert!(no_tty.err.contains("Use --yes"), "{}", no_tty.err);
    cli.input = Some("n\n".into());
    assert_eq!(cli.run("group delete -n rg-life").code, 1, "a declined confirmation");
    assert_eq!(cli.run("group exists -n rg-life").ok().out, "true\n");
    cli.input = Some("y\n".into());
    settings_sync(&emu, json!({"lro": {"resourceGroups/delete": "polls:2"}}));
    let del = cli.run("group delete -n rg-life").ok();
    assert!(del.out.is_empty());
    assert_eq!(cli.sleeper.recorded(), secs(&[1, 1]), "the CLI waits through the poller with the Retry-After it got");
    assert_eq!(cli.run("group exists -n rg-life").ok().out, "false\n");
}

#[test]
fn group_delete_no_wait_returns_at_once() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-nw -l eastus").ok();
    settings_sync(&emu, json!({"lro": {"resourceGroups/delete": "polls:3"}}));
    cli.run("group delete -n rg-nw --yes --no-wait").ok();
    assert!(cli.sleeper.recorded().is_empty());
    let state = cli.run("group show -n rg-nw --query properties.provisioningState -o tsv").ok().out;
    assert_eq!(state, "Deleting\n");
    // Only az's long-running commands take --no-wait: elsewhere it is an unknown argument.
    for cmd in [
        "group create -n rg-nw2 -l eastus --no-wait",
        "group show -n rg-nw --no-wait",
        "acr create -n a -g rg-nw --no-wait",
    ] {
        let r = cli.run(cmd);
        assert_eq!(r.code, 2, "{cmd}");
        assert!(r.err.starts_with("ERROR: unrecognized arguments: --no-wait\n"), "{cmd}: {}", r.err);
    }
}

#[test]
fn transport_errors_exit_1_with_a_hint() {
    let emu = TestEmulator::start();
    let mut cli = Cli::new(&emu);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    cli.endpoint = format!("http://127.0.0.1:{port}");
    let r = cli.run("group list");
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("ERROR: cannot reach") && r.err.contains("Hint: is armemu running?"), "{}", r.err);
}

#[test]
fn login_and_account_commands() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let subs = cli.run("login").ok().json();
    let first = &subs[0];
    assert_eq!(
        keys(first),
        ["cloudName", "homeTenantId", "id", "isDefault", "managedByTenants", "name", "state", "tenantId", "user"]
    );
    assert_eq!(first["id"], SUB);
    assert_eq!(first["isDefault"], true);
    assert_eq!(first["user"], json!({"name": CLIENT_ID, "type": "servicePrincipal"}));
    assert!(cli.dir.path().join("config/profile.json").exists());
    assert_eq!(cli.run("account list --query [].id").ok().json(), json!([SUB]));
    let table = cli.run("account list -o table").ok().out;
    assert!(table.starts_with("Name") && table.contains("SubscriptionId") && table.contains(SUB), "{table}");
    cli.run("account set -s \"Emulated Subscription\"").ok();
    assert_eq!(cli.run("account show --query id").ok().out, format!("\"{SUB}\"\n"));
    assert_eq!(cli.run(&format!("account show -s {SUB} --query tenantId -o tsv")).ok().out, format!("{TENANT}\n"));
    assert_eq!(cli.run("account set -s nope").code, 1);
    // Commands now use the cached token of the profile.
    cli.run("group create -n rg-login -l eastus").ok();
    assert!(cli.dir.path().join("config/tokens.json").exists());
    let sp =
        cli.run(&format!("login --service-principal -u {CLIENT_ID} -p {SECRET} --tenant {TENANT} --query [0].id")).ok();
    assert_eq!(sp.json(), json!(SUB));
    let bad = cli.run(&format!("login --service-principal -u {CLIENT_ID} -p wrong --tenant {TENANT}"));
    assert_eq!(bad.code, 1, "{}", bad.err);
    assert!(bad.err.contains("Hint: run 'armctl login'"), "{}", bad.err);
    assert_eq!(cli.run("login --service-principal -u x").code, 2);
    cli.run("logout").ok();
    assert!(!cli.dir.path().join("config/profile.json").exists());
}

#[test]
fn endpoint_and_ca_come_from_instance_json() {
    let emu = TestEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let doc = json!({"http": emu.http, "https": emu.https, "ca": emu.ca.display().to_string(), "bundle": "", "pid": std::process::id(), "cloudName": "AzureCloud"});
    std::fs::write(data.join("instance.json"), doc.to_string()).unwrap();
    let env = armctl::cli::Env::with_vars([
        ("HOME", dir.path().display().to_string()),
        ("ARMEMU_DATA_DIR", data.display().to_string()),
        ("ARMCTL_CONFIG_DIR", dir.path().join("cfg").display().to_string()),
    ]);
    let (code, out, err) = armctl::cli::run(
        ["armctl", "group", "create", "-n", "rg-disc", "-l", "eastus", "--query", "name"],
        env.clone(),
    );
    assert_eq!((code, out.as_str()), (0, "\"rg-disc\"\n"), "{err}");
    let (code, _, err) = armctl::cli::run(["armctl", "login"], env.clone());
    assert_eq!(code, 0, "{err}");
    let profile: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("cfg/profile.json")).unwrap()).unwrap();
    assert_eq!(profile["endpoint"], Value::Null, "a discovered emulator is found again next time, not pinned");
    let (code, out, _) = armctl::cli::run(["armctl", "group", "exists", "-n", "rg-disc"], env.clone());
    assert_eq!((code, out.as_str()), (0, "true\n"));
    // The emulator stops (its file names a dead process, as after kill -9, or is gone): the
    // saved login must not fall back to public Azure (issue 13: the secret went to
    // management.azure.com); armctl says the emulator is not running and calls nobody.
    let dead = json!({"http": emu.http, "https": emu.https, "ca": emu.ca.display().to_string(), "bundle": "", "pid": u32::MAX, "cloudName": "AzureCloud"});
    std::fs::write(data.join("instance.json"), dead.to_string()).unwrap();
    for args in [&["group", "list"][..], &["emulator", "journal"], &["login"]] {
        let (code, out, err) = armctl::cli::run(["armctl"].iter().chain(args).copied(), env.clone());
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}: {err}");
        assert!(err.contains("The emulator is not running: no live armemu instance was found"), "{args:?}: {err}");
        assert!(err.contains(&data.join("instance.json").display().to_string()), "{err}");
        assert!(!err.contains("management.azure.com"), "{err}");
    }
    std::fs::remove_file(data.join("instance.json")).unwrap();
    let (code, _, err) = armctl::cli::run(["armctl", "group", "list"], env.clone());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("The emulator is not running"), "{err}");
    // A named endpoint is used as named.
    let (code, out, err) = armctl::cli::run(
        ["armctl", "group", "exists", "-n", "rg-disc", "--endpoint", &emu.https, "--ca", &emu.ca.display().to_string()],
        env,
    );
    assert_eq!((code, out.as_str()), (0, "true\n"), "{err}");
}

#[test]
fn provider_commands() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let table = cli.run("provider list -o table").ok().out;
    let header = table.lines().next().unwrap();
    assert_eq!(header.split_whitespace().collect::<Vec<_>>(), ["Namespace", "RegistrationPolicy", "RegistrationState"]);
    let show = cli.run("provider show -n Microsoft.MachineLearningServices").ok().json();
    assert_eq!(
        keys(&show),
        [
            "id",
            "namespace",
            "providerAuthorizationConsentState",
            "registrationPolicy",
            "registrationState",
            "resourceTypes"
        ]
    );
    assert_eq!(show["registrationState"], "Registered");
    assert!(show["resourceTypes"].as_array().unwrap().iter().any(|t| t["resourceType"] == "workspaces"));

    settings_sync(&emu, json!({"registrationDelay": "polls:2"}));
    let r = cli.run("provider register -n Microsoft.DocumentDB").ok();
    assert!(r.out.is_empty());
    assert!(r.err.contains("Registering is still on-going"), "{}", r.err);
    assert!(cli.run("provider register -n Microsoft.Search --only-show-errors").ok().err.is_empty());
    cli.run("provider register -n Microsoft.Notebooks --wait").ok();
    assert_eq!(cli.run("provider show -n Microsoft.Notebooks --query registrationState").ok().out, "\"Registered\"\n");
    cli.run("provider unregister -n Microsoft.Notebooks --wait").ok();
    assert_eq!(
        cli.run("provider show -n Microsoft.Notebooks --query registrationState -o tsv").ok().out,
        "NotRegistered\n"
    );
    assert!(!cli.sleeper.recorded().is_empty());
}

#[test]
fn missing_registration_hints_the_register_command() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-reg -l eastus").ok();
    cli.run("provider unregister -n Microsoft.KeyVault").ok();
    let r = cli.run("keyvault create -n kvreg -g rg-reg");
    assert_eq!(r.code, 1);
    assert!(r.err.contains("(MissingSubscriptionRegistration) The subscription is not registered to use namespace 'Microsoft.KeyVault'."), "{}", r.err);
    assert!(
        r.err.contains("Hint: register the namespace with 'armctl provider register -n Microsoft.KeyVault --wait'"),
        "{}",
        r.err
    );
    cli.run("provider register -n Microsoft.KeyVault --wait").ok();
    cli.run("keyvault create -n kvreg -g rg-reg").ok();
}

#[test]
fn dependents_show_their_ids_as_documented() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-dep -l eastus").ok();
    let sa = cli.run("storage account create -n sadep -g rg-dep").ok().json();
    assert_eq!(sa["sku"]["name"], "Standard_LRS");
    cli.run("keyvault create -n kvdep -g rg-dep").ok();
    cli.run("acr create -n acrdep -g rg-dep --sku Basic --admin-enabled true").ok();
    cli.run("monitor app-insights component create --app aidep -g rg-dep -l eastus").ok();
    let prefix = format!("/subscriptions/{SUB}/resourceGroups/rg-dep/providers");
    let id = |r: Run| -> String { r.ok().json().as_str().unwrap().to_string() };
    assert_eq!(
        id(cli.run("storage account show --name sadep --query \"id\"")),
        format!("{prefix}/Microsoft.Storage/storageAccounts/sadep")
    );
    assert_eq!(
        id(cli.run("keyvault show --name kvdep --query \"id\"")),
        format!("{prefix}/Microsoft.KeyVault/vaults/kvdep")
    );
    assert_eq!(cli.run("keyvault show --name kvdep --query \"ID\"").ok().out, "", "case-sensitive, as az");
    assert_eq!(
        id(cli.run("acr show --name acrdep -g rg-dep --query \"id\"")),
        format!("{prefix}/Microsoft.ContainerRegistry/registries/acrdep")
    );
    let ai = id(cli.run("monitor app-insights component show --app aidep -g rg-dep --query \"id\""));
    assert!(ai.eq_ignore_ascii_case(&format!("{prefix}/microsoft.insights/components/aidep")), "{ai}");
    // az prints the SDK's model: `properties` flattened, absent fields null, `resourceGroup` added.
    assert_eq!(cli.run("acr show -n acrdep --query adminUserEnabled").ok().out, "true\n");
    assert_eq!(cli.run("acr show -n acrdep --query loginServer -o tsv").ok().out, "acrdep.azurecr.io\n");
    assert_eq!(cli.run("acr show -n acrdep --query properties").ok().out, "");
    assert_eq!(
        cli.run("acr show -n acrdep --query [resourceGroup,autoGeneratedDomainNameLabelScope] -o tsv").ok().out,
        "rg-dep\nNone\n"
    );
    assert_eq!(
        cli.run("storage account show -n sadep --query primaryEndpoints.blob -o tsv").ok().out,
        "https://sadep.blob.core.windows.net/\n"
    );
    // Without -g each az module fails in its own way (its validator or lookup), not with ARM's
    // ResourceNotFound: storage a usage error, keyvault and acr exit 1.
    for (args, code, text) in [
        ("storage account show --name nosuch", 2, "ERROR: Storage account 'nosuch' not found.\n"),
        ("storage account show --name SADEP", 2, "ERROR: Storage account 'SADEP' not found.\n"),
        ("keyvault show --name nosuch", 1, "ERROR: The Vault 'nosuch' not found within subscription.\n"),
        (
            "acr show --name nos",
            1,
            "ERROR: Registry names may contain only alpha numeric characters and must be between 5 and 50 characters\n",
        ),
        ("acr create --name a-b-c-d -g rg-dep --sku Basic", 1, "ERROR: Registry names may contain only alpha"),
    ] {
        let r = cli.run(args);
        assert_eq!((r.code, r.out.as_str()), (code, ""), "{args}: {}", r.err);
        assert!(r.err.starts_with(text), "{args}: {}", r.err);
    }
    let nf = cli.run("acr show --name nosuchacr");
    assert_eq!(nf.code, 1);
    assert!(
        nf.err.starts_with(
            "ERROR: The resource with name 'nosuchacr' and type 'Microsoft.ContainerRegistry/registries' could not be \
             found in subscription '"
        ),
        "{}",
        nf.err
    );
    assert_eq!(cli.run("keyvault show --name KVDEP --query name").ok().out, "\"kvdep\"\n", "keyvault ignores case");
    // `keyvault list` swallows every failure, a missing group too (az's `list_vault_or_hsm`).
    assert_eq!(cli.run("keyvault list -g nosuch").ok().out, "[]\n");
    assert_eq!(cli.run("keyvault list -g nosuch -o table").ok().out, "\n", "knack ends an empty table with a newline");
    assert_eq!(cli.run("acr list -g nosuch").code, 3);
    assert_eq!(cli.run("keyvault show -n kvdep --query properties.enableRbacAuthorization").ok().out, "true\n");
    cli.run("resource delete -g rg-dep -n acrdep --resource-type Microsoft.ContainerRegistry/registries").ok();
    assert_eq!(cli.run("acr show -n acrdep -g rg-dep").code, 3);
    let shown = cli.run(&format!("resource show --ids {prefix}/Microsoft.KeyVault/vaults/kvdep --query name")).ok().out;
    assert_eq!(shown, "\"kvdep\"\n");
    let two = cli.run(&format!("resource show --ids {prefix}/Microsoft.KeyVault/vaults/kvdep /subscriptions/{SUB}/resourceGroups/rg-dep --query [].name")).ok().json();
    assert_eq!(two, json!(["kvdep", "rg-dep"]));
    assert_eq!(cli.run("resource list -g rg-dep --query length(@)").ok().out, "3\n");
}

#[test]
fn debug_and_verbose_go_to_stderr() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let r = cli.run("group list --debug").ok();
    assert_eq!(r.json(), json!([]));
    assert!(
        r.err.contains("DEBUG: Request method: 'GET'") && r.err.contains("DEBUG: Response status: 200"),
        "{}",
        r.err
    );
    assert!(r.err.contains("'Authorization': '*****'") && !r.err.contains("Bearer ey"), "tokens are redacted");
    assert!(!r.err.contains("\"access_token\""), "token answers are redacted");
    let v = cli.run("group list --verbose").ok();
    assert!(v.err.contains("INFO: Command ran in"), "{}", v.err);
}

/// `--query` as az evaluates it (Python jmespath): the legacy backtick literal, the server's key
/// order for `keys()`/`values()`, the query's order for a multiselect hash in tables and TSV,
/// and az's split between a query that does not parse (exit 2) and one that fails while it
/// runs (exit 1: an unknown function, a wrong argument type).
#[test]
fn query_evaluates_as_az_does() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-q1 -l westeurope --tags zeta=1 alpha=2").ok();
    cli.run("group create -n rg-q2 -l eastus").ok();

    // A backtick literal that is not JSON is a string (az's jmespath accepts the legacy form).
    let legacy = cli.run("group list --query \"[?location==`westeurope`].name\"").ok().json();
    assert_eq!(legacy, json!(["rg-q1"]));
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let json_literal = cli.run_args(&args(&["group", "list", "--query", "[?location==`\"eastus\"`].name"])).ok();
    assert_eq!(json_literal.json(), json!(["rg-q2"]));
    assert_eq!(cli.run("group list --query \"[?location=='eastus'] | length(@)\"").ok().out, "1\n");

    // keys()/values() keep the order of the object: `resource show` prints the SDK's
    // GenericResource (its attributes in order, null when absent), as az does.
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg-q1");
    let keys = cli.run(&format!("resource show --ids {rg} --query keys(@)")).ok().json();
    assert_eq!(
        keys,
        json!([
            "id",
            "name",
            "type",
            "location",
            "extendedLocation",
            "tags",
            "plan",
            "properties",
            "kind",
            "managedBy",
            "sku",
            "identity"
        ])
    );
    let values = cli.run(&format!("resource show --ids {rg} --query values(@)[0:4]")).ok().json();
    assert_eq!(values, json!([rg, "rg-q1", "Microsoft.Resources/resourceGroups", "westeurope"]));

    // A typed command's object has the SDK model's key order (azure-mgmt-resource's
    // ResourceGroup), which a query sees; a table of it keeps that order.
    let sdk_keys = cli.run("group show -n rg-q1 --query keys(@)").ok().json();
    assert_eq!(sdk_keys, json!(["id", "name", "type", "properties", "location", "managedBy", "tags"]));
    assert_eq!(
        cli.run("group show -n rg-q1 --query @ -o table").ok().out,
        "Name    Location\n------  ----------\nrg-q1   westeurope\n"
    );

    // A multiselect hash keeps the query's order in a table and in TSV; JSON sorts keys.
    let q = "--query \"[?name=='rg-q1' || name=='rg-q2'].{Name:name, Loc:location}\"";
    assert_eq!(
        cli.run(&format!("group list {q} -o table")).ok().out,
        "Name    Loc\n------  ----------\nrg-q1   westeurope\nrg-q2   eastus\n"
    );
    assert_eq!(cli.run(&format!("group list {q} -o tsv")).ok().out, "rg-q1\twesteurope\nrg-q2\teastus\n");
    assert!(cli.run(&format!("group list {q}")).ok().out.starts_with("[\n  {\n    \"Loc\": "));
    // An object passed through is sorted in TSV (knack sorts a plain dict).
    assert_eq!(
        cli.run("group show -n rg-q1 --query @ -o tsv").ok().out,
        cli.run("group show -n rg-q1 -o tsv").ok().out
    );
    assert_eq!(cli.run("group exists -n rg-q1 --query @ -o tsv").ok().out, "true\n");

    // An unknown function and a wrong argument type fail while the query runs: az's
    // JMESPathError, exit 1 (only a syntax error is argparse's exit 2).
    let unknown = cli.run("group show -n rg-q1 --query nope(@)");
    assert_eq!(unknown.code, 1, "{}", unknown.err);
    assert!(
        unknown.err.starts_with("ERROR: Invalid jmespath query supplied for `--query`: Unknown function: nope()\n"),
        "{}",
        unknown.err
    );
    assert!(unknown.err.contains("https://learn.microsoft.com/cli/azure/query-azure-cli"), "{}", unknown.err);
    let typed = cli.run("group show -n rg-q1 --query sum(name)");
    assert_eq!(typed.code, 1, "{}", typed.err);
    assert!(
        typed.err.starts_with(
            "ERROR: Invalid jmespath query supplied for `--query`: In function sum(), invalid type for value: rg-q1, expected one of: ['array-number'], received: \"string\"\n"
        ),
        "{}",
        typed.err
    );
    let syntax = cli.run("group show -n rg-q1 --query \"[?name=='rg-q1'\"");
    assert_eq!(syntax.code, 2, "{}", syntax.err);
    assert!(
        syntax.err.starts_with("ERROR: argument --query: invalid jmespath_type value: \"[?name=='rg-q1'\"\n"),
        "{}",
        syntax.err
    );
    let python_error = cli.run("group show -n rg-q1 --query \"name < `1`\"");
    assert_eq!(python_error.code, 1, "{}", python_error.err);
    assert!(
        python_error.err.starts_with("ERROR: The command failed with an unexpected error. Here is the traceback:\nERROR: '<' not supported between instances of 'str' and 'int'\n"),
        "{}",
        python_error.err
    );
}

/// clap's parse failures worded as az's argparse words them (the golden interop test compares
/// the first `ERROR:` line with az's): exit 2, nothing on stdout, no request needed.
#[test]
fn parse_errors_read_as_azs() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    for (args, first) in [
        ("group bogus", "ERROR: 'bogus' is misspelled or not recognized by the system."),
        ("bogus", "ERROR: 'bogus' is misspelled or not recognized by the system."),
        ("group show -n rg --bogus x y", "ERROR: unrecognized arguments: --bogus x y"),
        ("group show -n rg extra", "ERROR: unrecognized arguments: extra"),
        (
            "group show -n rg -o bogus",
            "ERROR: armctl group show: 'bogus' is not a valid value for '--output'. \
             Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.",
        ),
        ("provider register", "ERROR: the following arguments are required: --namespace/-n"),
        ("role assignment create --role Reader", "ERROR: the following arguments are required: --scope"),
        ("group", "ERROR: the following arguments are required: _subcommand"),
        ("group create", "ERROR: the following arguments are required: --name/--resource-group/-n/-g, --location/-l"),
        ("group create -n x", "ERROR: the following arguments are required: --location/-l"),
        ("account set", "ERROR: the following arguments are required: --subscription/-s/--name/-n"),
    ] {
        let r = cli.run(args);
        assert_eq!((r.code, r.out.as_str()), (2, ""), "{args}: {}", r.err);
        assert_eq!(r.err.lines().next(), Some(first), "{args}: {}", r.err);
    }
    // get-access-token's keys in az's order (`keys(@)`), the subscription last.
    let keys = cli.run("account get-access-token --query keys(@) -o tsv").ok().out;
    assert_eq!(keys, "tokenType\naccessToken\nexpires_on\nexpiresOn\ntenant\nsubscription\n");
}
