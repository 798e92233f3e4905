//! Updates: `hbiWorkspace` only at creation, `storageAccount`/`keyVault` fixed, PATCH of the
//! patchable properties (reference §4.5).

use conformance::*;
use rstest::rstest;
use serde_json::json;

use crate::*;

const HBI: &str =
    "The 'hbiWorkspace' setting can only be chosen when a workspace is created; it cannot be changed afterwards.";

#[test]
fn hbi_workspace_can_be_set_at_creation() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({"hbiWorkspace": true}));
    assert_eq!(w["properties"]["hbiWorkspace"], true);
    // Repeating the same value is no change.
    put_ws(&t, "rg1", "ws1", json!({"hbiWorkspace": true})).expect(200);
    t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"hbiWorkspace": true}})).expect(200);
    let r = put_ws(&t, "rg1", "ws1", json!({"hbiWorkspace": false}));
    check_error(&r, 400, "ValidationError", HBI);
}

#[rstest]
#[case::patch("PATCH")]
#[case::put("PUT")]
fn hbi_workspace_cannot_change_after_creation(#[case] method: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let mut body = json!({"properties": {"hbiWorkspace": true}});
    if method == "PUT" {
        body["location"] = json!(LOCATION);
    }
    let r = t.send_json(method, &mlv(&ws_path(&t, "rg1", "ws1")), &body);
    check_error(&r, 400, "ValidationError", HBI);
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["hbiWorkspace"], false);
}

#[rstest]
#[case::storage_put("PUT", "storageAccount", "storage account")]
#[case::storage_patch("PATCH", "storageAccount", "storage account")]
#[case::key_vault_put("PUT", "keyVault", "key vault")]
#[case::key_vault_patch("PATCH", "keyVault", "key vault")]
fn storage_account_and_key_vault_cannot_change(#[case] method: &str, #[case] prop: &str, #[case] what: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    let old = str_of(&w, &format!("/properties/{prop}")).to_string();
    let other = if prop == "storageAccount" {
        storage(&t, &t.subscription, "rg1", "otherstore", json!({}))
    } else {
        key_vault(&t, "rg1", "othervault")
    };
    let mut body = json!({"properties": { prop: other }});
    if method == "PUT" {
        body["location"] = json!(LOCATION);
    }
    let r = t.send_json(method, &mlv(&ws_path(&t, "rg1", "ws1")), &body);
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The {what} of a workspace cannot be changed after it is created ('{prop}' is '{old}')."),
    );
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"][prop], old.as_str());
    // The same id (in any casing) is no change.
    let mut same = json!({"properties": { prop: old.to_uppercase().replace("/SUBSCRIPTIONS/", "/subscriptions/") }});
    if method == "PUT" {
        same["location"] = json!(LOCATION);
    }
    t.send_json(method, &mlv(&ws_path(&t, "rg1", "ws1")), &same).expect(200);
}

#[test]
fn patch_updates_description_friendly_name_tags_and_public_network_access() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({"description": "before"}));
    t.advance(30);
    let r = t.patch(
        &mlv(&ws_path(&t, "rg1", "ws1")),
        &json!({"tags": {"team": "ml", "env": "test"}, "properties": {"description": "after", "friendlyName": "Friendly", "publicNetworkAccess": "Disabled"}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let u = r.json();
    assert_eq!(u["tags"], json!({"team": "ml", "env": "test"}));
    assert_eq!(u["properties"]["description"], "after");
    assert_eq!(u["properties"]["friendlyName"], "Friendly");
    assert_eq!(u["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(u["properties"]["provisioningState"], "Succeeded");
    assert_eq!(u["properties"]["workspaceId"], w["properties"]["workspaceId"]);
    assert_eq!(u["properties"]["storageAccount"], w["properties"]["storageAccount"]);
    assert_eq!(u["systemData"]["createdAt"], w["systemData"]["createdAt"]);
    assert_eq!(u["systemData"]["lastModifiedAt"], "2026-01-01T00:00:30.0000000Z");
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json(), u);

    // A PATCH without tags keeps them; publicNetworkAccess back to Enabled (any casing).
    let u2 = t
        .patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"publicNetworkAccess": "enabled"}}))
        .expect(200)
        .json();
    assert_eq!(u2["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(u2["tags"], json!({"team": "ml", "env": "test"}));
    assert_eq!(u2["properties"]["description"], "after");
}

#[test]
fn patch_with_null_dependents_changes_nothing() {
    // azure-ai-ml's begin_update sends containerRegistry/applicationInsights as null.
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    let u = t
        .patch(
            &mlv(&ws_path(&t, "rg1", "ws1")),
            &json!({"properties": {"containerRegistry": null, "applicationInsights": null, "description": "d"}}),
        )
        .expect(200)
        .json();
    assert_eq!(u["properties"]["applicationInsights"], w["properties"]["applicationInsights"]);
    assert_eq!(u["properties"]["containerRegistry"], serde_json::Value::Null);
}

#[rstest]
#[case::patch("PATCH")]
#[case::put("PUT")]
fn invalid_public_network_access_is_400(#[case] method: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let mut body = json!({"properties": {"publicNetworkAccess": "Sometimes"}});
    if method == "PUT" {
        body["location"] = json!(LOCATION);
    }
    let r = t.send_json(method, &mlv(&ws_path(&t, "rg1", "ws1")), &body);
    check_error(&r, 400, "ValidationError", "'publicNetworkAccess' must be 'Enabled' or 'Disabled', not 'Sometimes'.");
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["publicNetworkAccess"], "Enabled");
}

#[test]
fn invalid_public_network_access_at_creation_is_400() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = put_ws(&t, "rg1", "ws1", json!({"publicNetworkAccess": "Sometimes"}));
    check_error(&r, 400, "ValidationError", "'publicNetworkAccess' must be 'Enabled' or 'Disabled', not 'Sometimes'.");
    let w = create_ws(&t, "rg1", "ws1", json!({"publicNetworkAccess": "Disabled"}));
    assert_eq!(w["properties"]["publicNetworkAccess"], "Disabled");
}

#[test]
fn patch_of_a_missing_workspace_is_404() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.patch(&mlv(&ws_path(&t, "rg1", "nows")), &json!({"properties": {"description": "x"}}));
    check_error(&r, 404, "ResourceNotFound", &ws_not_found("rg1", "nows"));
}

#[test]
fn location_cannot_change() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let r = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"location": "westus", "properties": {}}));
    check_error(&r, 400, "ValidationError", "The location of a workspace cannot be changed (it is 'eastus').");
    // The display-name form of the same region is no change.
    t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"location": "East US", "properties": {}})).expect(200);
}
