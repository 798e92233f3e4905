//! `role assignment create|list|delete` as az 2.91 prints and fails them.

use armemu::testing::TestEmulator;
use serde_json::Value;

use crate::helpers::*;

const OID: &str = "11111111-2222-3333-4444-555555555555";

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort();
    k
}

#[test]
fn create_list_and_delete_like_az() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-roles -l westeurope").ok();
    let scope = format!("/subscriptions/{SUB}/resourceGroups/rg-roles");
    let create = format!(
        "role assignment create --role Reader --assignee-object-id {OID} --assignee-principal-type ServicePrincipal --scope {scope}"
    );
    // create prints the SDK model: properties flattened, every field (null when unset).
    let made = cli.run(&create).ok().json();
    assert_eq!(
        keys(&made),
        [
            "condition",
            "conditionVersion",
            "createdBy",
            "createdOn",
            "delegatedManagedIdentityResourceId",
            "description",
            "id",
            "name",
            "principalId",
            "principalType",
            "resourceGroup",
            "roleDefinitionId",
            "scope",
            "systemData",
            "type",
            "updatedBy",
            "updatedOn"
        ]
    );
    assert_eq!(made["scope"], scope.as_str());
    assert!(made["roleDefinitionId"]
        .as_str()
        .unwrap()
        .ends_with("/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"));
    // Again: the existing assignment, as `list` prints it (no null keys, the role's name).
    let again = cli.run(&create).ok().json();
    assert_eq!(again["name"], made["name"]);
    assert_eq!(again["roleDefinitionName"], "Reader");
    assert!(again.get("description").is_none());

    let listed = cli.run("role assignment list -g rg-roles").ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0], again);
    assert_eq!(cli.run("role assignment list -g rg-roles --role Owner").ok().out, "[]\n");
    assert_eq!(cli.run("role assignment list").ok().out, "[]\n", "atScope(): not the group's");
    assert_eq!(cli.run("role assignment list --all --query length(@)").ok().out, "1\n");
    // principalName comes from Microsoft Graph (the emulator's): '' for an id it does not know;
    // az's table shows it.
    assert_eq!(listed[0]["principalName"], "");
    let t = cli.run("role assignment list -g rg-roles -o table").ok().out;
    assert!(t.starts_with("Principal    Role    Scope\n"), "{t}");
    assert!(t.contains(&format!("             Reader  {scope}\n")), "{t}");
    // --assignee goes through Graph too: an id Graph does not know is az's error.
    let unknown = cli.run(&format!("role assignment list --assignee {OID}"));
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.err.contains(&format!("Cannot find user or service principal in graph database for '{OID}'")),
        "{}",
        unknown.err
    );

    let no_role = cli.run(&format!("role assignment create --role Nobody --assignee-object-id {OID} --scope {scope}"));
    assert_eq!((no_role.code, no_role.err.trim_end()), (1, "WARNING: RBAC service might reject creating role assignment without --assignee-principal-type in the future. Better to specify --assignee-principal-type manually.\nERROR: Role 'Nobody' doesn't exist."));
    let both = cli.run(&format!(
        "role assignment create --role Reader --assignee {OID} --assignee-object-id {OID} --scope {scope}"
    ));
    assert_eq!(
        (both.code, both.err.as_str()),
        (1, "ERROR: usage error: --assignee STRING | --assignee-object-id GUID\n")
    );
    assert_eq!(cli.run("role assignment create --role Reader").code, 2, "--scope is required");

    let nothing = cli.run("role assignment delete");
    assert_eq!(nothing.code, 1);
    assert!(nothing.err.contains("Please provide at least one of these arguments"), "{}", nothing.err);
    let none = cli.run("role assignment delete -g rg-roles --role Owner");
    assert_eq!((none.code, none.err.as_str()), (1, "ERROR: No matched assignments were found to delete\n"));
    cli.run("role assignment delete -g rg-roles --role Reader").ok();
    assert_eq!(cli.run("role assignment list -g rg-roles").ok().out, "[]\n");
    let made = cli.run(&create).ok().json();
    cli.run(&format!("role assignment delete --ids {}", made["id"].as_str().unwrap())).ok();
    assert_eq!(cli.run("role assignment list --all").ok().out, "[]\n");
}

#[test]
fn rest_get_access_token_version_and_completion() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-rest -l westeurope").ok();
    let got =
        cli.run("rest --url /subscriptions/{subscriptionId}/resourcegroups/rg-rest?api-version=2021-04-01").ok().json();
    assert_eq!(got["id"], format!("/subscriptions/{SUB}/resourceGroups/rg-rest"));
    // A failure is az's HTTPError text and exit 1, also for a 404.
    let nf = cli.run("rest --url /subscriptions/{subscriptionId}/resourcegroups/nope?api-version=2021-04-01");
    assert_eq!(
        (nf.code, nf.err.as_str()),
        (1, "ERROR: Not Found({\"error\":{\"code\":\"ResourceGroupNotFound\",\"message\":\"Resource group 'nope' could not be found.\"}})\n")
    );
    let put = cli.run_args(&[
        "rest".into(),
        "-m".into(),
        "put".into(),
        "--url".into(),
        "/subscriptions/{subscriptionId}/resourcegroups/rg-rest2".into(),
        "--url-parameters".into(),
        "api-version=2021-04-01".into(),
        "--body".into(),
        r#"{"location": "eastus"}"#.into(),
        "--query".into(),
        "location".into(),
        "-o".into(),
        "tsv".into(),
    ]);
    assert_eq!(put.ok().out, "eastus\n");
    assert_eq!(
        cli.run("rest -m delete --url /subscriptions/{subscriptionId}/resourcegroups/rg-rest2?api-version=2021-04-01")
            .ok()
            .out,
        ""
    );
    assert_eq!(cli.run("group exists -n rg-rest2").ok().out, "false\n");

    let t = cli.run("account get-access-token").ok().json();
    assert_eq!(t["tokenType"], "Bearer");
    assert_eq!(t["subscription"], SUB);
    assert_eq!(t["accessToken"].as_str().unwrap().split('.').count(), 3, "a JWT");
    let exp = t["expires_on"].as_i64().unwrap();
    let local = chrono::DateTime::from_timestamp(exp, 0).unwrap().with_timezone(&chrono::Local);
    assert_eq!(t["expiresOn"], local.format("%Y-%m-%d %H:%M:%S.000000").to_string());

    assert_eq!(cli.run("version --query armctl -o tsv").ok().out, format!("{}\n", env!("CARGO_PKG_VERSION")));
    for shell in ["bash", "zsh", "fish"] {
        let script = cli.run(&format!("completion {shell}")).ok().out;
        assert!(script.contains("role") && script.contains("get-access-token"), "{shell}");
    }
    assert_eq!(cli.run("completion tcsh").code, 2);
}
