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
    // az's table reads principalName, which only Microsoft Graph fills.
    let t = cli.run("role assignment list -g rg-roles -o table");
    assert_eq!(t.code, 1);
    assert!(t.err.contains("Table output unavailable."), "{}", t.err);

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
