//! "Share a workspace with another user" (000/002): `az ml workspace share … --user --role`.

use crate::*;

/// The role assignments at a scope (raw ARM: armctl has no `role assignment list`).
fn assignments(w: &World, scope: &str) -> Vec<serde_json::Value> {
    let path =
        format!("{scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()");
    let v = w.t.get(&path).expect(200).json();
    v["value"].as_array().cloned().unwrap_or_default()
}

#[test]
fn share_assigns_the_role_on_the_workspace() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-share", "ws-share");
    let user = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    // `az ml workspace share -w <workspace-name> -g <resource-group-name> --user <user> --role <role>`
    let r = w.run(&format!("ml workspace share -w {ws} -g {rg} --user {user} --role \"AzureML Data Scientist\"")).ok();
    assert!(r.out.is_empty(), "share prints nothing: {}", r.out);
    w.run(&format!("ml workspace share -w {ws} -g {rg} --user {user} --role Reader")).ok();
    let scope = w.ws_id(&rg, &ws);
    let mine: Vec<String> = assignments(&w, &scope)
        .iter()
        .filter(|a| a["properties"]["principalId"] == user)
        .map(|a| a["properties"]["roleDefinitionId"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    // AzureML Data Scientist and Reader, by their built-in role definition GUIDs.
    for guid in ["f6c7c914-8db3-469d-8ca1-694a8f32e121", "acdd72a7-3385-48ef-bd42-f606fba81ae7"] {
        assert!(mine.iter().any(|d| d.ends_with(guid)), "no assignment of role {guid} to {user} at {scope}: {mine:?}");
    }
}

#[test]
fn share_on_a_missing_workspace_is_an_arm_error() {
    let w = World::new();
    let rg = w.group("rg-share404");
    w.run(&format!(
        "ml workspace share -w nosuchws -g {rg} --user 7c9e6679-7425-40de-944b-e07fc1f90ae7 --role Contributor"
    ))
    .arm_error_with("ResourceNotFound", "nosuchws");
}
