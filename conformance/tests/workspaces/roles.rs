//! Role assignments and definitions (reference §6), as `workspace share` uses them.

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

use crate::*;

const AUTH_API: &str = "2022-04-01";
const DATA_SCIENTIST: &str = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const PRINCIPAL: &str = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
const OTHER_PRINCIPAL: &str = "0b8e3c1a-2d4f-4a6b-9c8d-7e6f5a4b3c2d";
const RA1: &str = "05c5a614-a7d6-4502-b150-c2fb455033ff";
const RA2: &str = "7d3e9f21-4b6a-4c8d-9e0f-1a2b3c4d5e6f";
const RA3: &str = "2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

fn ra_path(scope: &str, name: &str) -> String {
    with_api(&format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"), AUTH_API)
}

fn ra_list(scope: &str, filter: Option<&str>) -> String {
    let base = format!("{scope}/providers/Microsoft.Authorization/roleAssignments");
    match filter {
        Some(f) => with_api(&format!("{base}?$filter={}", qv(f)), AUTH_API),
        None => with_api(&base, AUTH_API),
    }
}

fn role_def(t: &Target, guid: &str) -> String {
    format!("{}/providers/Microsoft.Authorization/roleDefinitions/{guid}", t.sub())
}

fn body(t: &Target, role: &str, principal: &str) -> Value {
    json!({"properties": {"roleDefinitionId": role_def(t, role), "principalId": principal, "principalType": "User"}})
}

fn assignment_names(t: &Target, path: &str) -> Vec<String> {
    let mut n = names(t, path);
    n.sort();
    n
}

#[test]
fn share_a_workspace_with_the_data_scientist_role() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let scope = ws_path(&t, "rg1", "ws1");
    let r = t.put(&ra_path(&scope, RA1), &body(&t, DATA_SCIENTIST, PRINCIPAL));
    assert_eq!(r.status, 201, "{r:?}");
    let a = r.json();
    assert_eq!(a["name"], RA1);
    assert_eq!(a["type"], "Microsoft.Authorization/roleAssignments");
    assert!(
        str_of(&a, "/id").eq_ignore_ascii_case(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{RA1}",
            ws_id(&t, "rg1", "ws1")
        )),
        "{a}"
    );
    assert_eq!(a["properties"]["principalId"], PRINCIPAL);
    assert_eq!(a["properties"]["principalType"], "User");
    assert!(str_of(&a, "/properties/roleDefinitionId").ends_with(DATA_SCIENTIST));
    assert!(str_of(&a, "/properties/scope").eq_ignore_ascii_case(&ws_id(&t, "rg1", "ws1")), "{a}");
    assert_eq!(t.get(&ra_path(&scope, RA1)).expect(200).json(), a);

    // Same (principal, role, scope) under another name: 409.
    let dup = t.put(&ra_path(&scope, RA2), &body(&t, DATA_SCIENTIST, PRINCIPAL));
    check_error(
        &dup,
        409,
        "RoleAssignmentExists",
        &format!(
            "The role assignment already exists. The ID of the existing role assignment is {}.",
            RA1.replace('-', "")
        ),
    );
    // The same name and body again is fine.
    let again = t.put(&ra_path(&scope, RA1), &body(&t, DATA_SCIENTIST, PRINCIPAL));
    assert!(again.status == 200 || again.status == 201, "{again:?}");

    // Listed at the workspace scope and (as a scope below) at the group scope.
    assert_eq!(assignment_names(&t, &ra_list(&scope, None)), vec![RA1]);
    assert_eq!(assignment_names(&t, &ra_list(&t.rg("rg1"), None)), vec![RA1]);
    assert_eq!(assignment_names(&t, &ra_list(&t.sub(), None)), vec![RA1]);
    // Another role for another principal; $filter by principal.
    t.put(&ra_path(&scope, RA2), &body(&t, READER, OTHER_PRINCIPAL)).expect(201);
    assert_eq!(assignment_names(&t, &ra_list(&scope, None)), sorted(&[RA1, RA2]));
    assert_eq!(assignment_names(&t, &ra_list(&scope, Some(&format!("principalId eq '{PRINCIPAL}'")))), vec![RA1]);
    assert_eq!(
        assignment_names(&t, &ra_list(&t.rg("rg1"), Some(&format!("principalId eq '{OTHER_PRINCIPAL}'")))),
        vec![RA2]
    );

    // DELETE answers 200 with the assignment, then 204.
    let d = t.delete(&ra_path(&scope, RA1));
    assert_eq!(d.status, 200, "{d:?}");
    assert_eq!(d.json()["name"], RA1);
    t.delete(&ra_path(&scope, RA1)).expect(204);
    check_error(
        &t.get(&ra_path(&scope, RA1)),
        404,
        "RoleAssignmentNotFound",
        &format!("The role assignment '{RA1}' is not found."),
    );
    assert_eq!(assignment_names(&t, &ra_list(&scope, None)), vec![RA2]);
}

#[test]
fn role_assignment_name_must_be_a_guid() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let r = t.put(&ra_path(&ws_path(&t, "rg1", "ws1"), "not-a-guid"), &body(&t, DATA_SCIENTIST, PRINCIPAL));
    check_error(
        &r,
        400,
        "InvalidRoleAssignmentId",
        "The role assignment ID 'not-a-guid' is not valid. The role assignment ID must be a GUID.",
    );
}

#[test]
fn unknown_role_definition_is_400() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let unknown = "11111111-2222-4333-8444-555555555555";
    let r = t.put(&ra_path(&ws_path(&t, "rg1", "ws1"), RA1), &body(&t, unknown, PRINCIPAL));
    check_error(
        &r,
        400,
        "RoleDefinitionDoesNotExist",
        &format!("The specified role definition with ID '{unknown}' does not exist."),
    );
}

#[test]
fn assignment_on_a_missing_workspace_is_404() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.put(&ra_path(&ws_path(&t, "rg1", "nows"), RA1), &body(&t, DATA_SCIENTIST, PRINCIPAL));
    check_error(&r, 404, "ResourceNotFound", &ws_not_found("rg1", "nows"));
}

#[test]
fn assignments_at_subscription_and_group_scope() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let sub = t.sub();
    let rg = t.rg("rg1");
    t.put(&ra_path(&sub, RA1), &body(&t, READER, PRINCIPAL)).expect(201);
    t.put(&ra_path(&rg, RA2), &body(&t, DATA_SCIENTIST, PRINCIPAL)).expect(201);
    let a = t.get(&ra_path(&sub, RA1)).expect(200).json();
    assert!(str_of(&a, "/properties/scope").eq_ignore_ascii_case(&sub));
    let b = t.get(&ra_path(&rg, RA2)).expect(200).json();
    assert!(str_of(&b, "/properties/scope").eq_ignore_ascii_case(&t.rg_id("rg1")));
    // The group scope sees its own and the inherited subscription one; the subscription sees both.
    assert_eq!(assignment_names(&t, &ra_list(&rg, None)), sorted(&[RA1, RA2]));
    assert_eq!(assignment_names(&t, &ra_list(&sub, None)), sorted(&[RA1, RA2]));
    // atScope() at the subscription drops the group one.
    assert_eq!(assignment_names(&t, &ra_list(&sub, Some("atScope()"))), vec![RA1]);
    // The same role for the same principal at another scope is not a duplicate.
    t.put(&ra_path(&rg, RA3), &body(&t, READER, PRINCIPAL)).expect(201);
    t.delete(&ra_path(&sub, RA1)).expect(200);
    t.delete(&ra_path(&rg, RA2)).expect(200);
    assert_eq!(assignment_names(&t, &ra_list(&rg, None)), vec![RA3]);
}

#[test]
fn built_in_role_definitions_are_listed_and_filterable() {
    let t = require_emulator!();
    let list =
        items(&t, &with_api(&format!("{}/providers/Microsoft.Authorization/roleDefinitions", t.sub()), AUTH_API));
    let role_names: Vec<&str> = list.iter().map(|d| str_of(d, "/properties/roleName")).collect();
    for want in ["Owner", "Contributor", "Reader", "AzureML Data Scientist"] {
        assert!(role_names.contains(&want), "{want} in {role_names:?}");
    }
    let ds = list.iter().find(|d| d["properties"]["roleName"] == "AzureML Data Scientist").unwrap();
    assert_eq!(ds["name"], DATA_SCIENTIST);
    assert_eq!(ds["id"], role_def(&t, DATA_SCIENTIST));
    assert_eq!(ds["properties"]["type"], "BuiltInRole");

    let filtered = items(
        &t,
        &with_api(
            &format!(
                "{}/providers/Microsoft.Authorization/roleDefinitions?$filter={}",
                t.sub(),
                qv("roleName eq 'Reader'")
            ),
            AUTH_API,
        ),
    );
    assert_eq!(filtered.len(), 1, "{filtered:?}");
    assert_eq!(filtered[0]["name"], READER);
    assert_eq!(filtered[0]["properties"]["roleName"], "Reader");
    // By id, at subscription scope.
    let one = t.get(&with_api(&role_def(&t, DATA_SCIENTIST), AUTH_API)).expect(200).json();
    assert_eq!(one["properties"]["roleName"], "AzureML Data Scientist");
}

#[rstest]
#[case::workspace_scope(true)]
#[case::group_scope(false)]
fn role_definitions_are_listable_at_narrower_scopes(#[case] at_workspace: bool) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let scope = if at_workspace { ws_path(&t, "rg1", "ws1") } else { t.rg("rg1") };
    let filtered = items(
        &t,
        &with_api(
            &format!(
                "{scope}/providers/Microsoft.Authorization/roleDefinitions?$filter={}",
                qv("roleName eq 'AzureML Data Scientist'")
            ),
            AUTH_API,
        ),
    );
    assert_eq!(filtered.len(), 1, "{filtered:?}");
    assert_eq!(filtered[0]["name"], DATA_SCIENTIST);
}

#[test]
fn purging_the_workspace_or_deleting_the_group_removes_its_assignments() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let scope = ws_path(&t, "rg1", "ws1");
    t.put(&ra_path(&scope, RA1), &body(&t, DATA_SCIENTIST, PRINCIPAL)).expect(201);
    t.put(&ra_path(&t.rg("rg1"), RA2), &body(&t, READER, PRINCIPAL)).expect(201);
    t.delete(&mlv(&format!("{scope}?forceToPurge=true"))).expect(200);
    assert_eq!(assignment_names(&t, &ra_list(&t.sub(), None)), vec![RA2]);
    // A new workspace of the same name starts without the old assignment.
    create_ws(&t, "rg1", "ws1", json!({}));
    assert_eq!(assignment_names(&t, &ra_list(&scope, None)), vec![RA2], "only the inherited group assignment");
    // The same (principal, role, scope) can be assigned again.
    t.put(&ra_path(&scope, RA3), &body(&t, DATA_SCIENTIST, PRINCIPAL)).expect(201);
    let r = t.delete(&av(&t.rg("rg1")));
    assert!(r.status == 200 || r.status == 202, "{r:?}");
    assert!(assignment_names(&t, &ra_list(&t.sub(), None)).is_empty());
}
