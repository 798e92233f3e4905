//! A workspace's identities and the properties that name them (issue 15): user-assigned
//! identities filled with their principal and client ids, a reference to an identity that does
//! not exist refused as ARM refuses it, `primaryUserAssignedIdentity`,
//! `encryption.identity.userAssignedIdentity` and `sharedPrivateLinkResources` kept on create,
//! get and update, and private endpoint connections naming their endpoint.

use conformance::*;
use serde_json::{json, Value};

use crate::*;

const MSI_API: &str = "2023-01-31";

/// Creates a user-assigned identity in `rg` (asserting 201) and returns (id, its body).
fn identity(t: &Target, rg: &str, name: &str) -> (String, Value) {
    let id = res_id(t, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", name);
    let r = t.put(&with_api(&id_path(&id), MSI_API), &json!({"location": LOCATION})).expect(201).json();
    (id, r)
}

fn identity_not_found(t: &Target, ws: &str, uai: &str) -> String {
    format!(
        "Identity operation for resource '{}' failed with error 'Failed to perform resource identity operation. Status: 'NotFound'. Response: '{{\"error\":{{\"code\":\"NotFound\",\"message\":\"Resource '{uai}' was not found.\"}}}}'.'",
        ws_id(t, "rg1", ws)
    )
}

#[test]
fn user_assigned_identities_are_filled_with_their_principal_and_client_ids() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let (uai, created) = identity(&t, "rg1", "uai1");
    let body = json!({
        "location": LOCATION,
        "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {uai.clone(): {}}},
        "properties": {"primaryUserAssignedIdentity": uai},
    });
    let w = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &body).expect(200).json();
    let expected = json!({
        "principalId": created["properties"]["principalId"],
        "clientId": created["properties"]["clientId"],
    });
    assert!(is_guid(expected["principalId"].as_str().unwrap()) && is_guid(expected["clientId"].as_str().unwrap()));
    assert_eq!(w["identity"]["userAssignedIdentities"], json!({uai.clone(): expected}));
    assert_eq!(w["identity"]["type"], "SystemAssigned,UserAssigned");
    assert!(is_guid(w["identity"]["principalId"].as_str().unwrap()));
    assert_eq!(w["properties"]["primaryUserAssignedIdentity"], uai);
    let got = get_ws(&t, "rg1", "ws1").expect(200).json();
    assert_eq!(got["identity"], w["identity"]);
    assert_eq!(got["properties"]["primaryUserAssignedIdentity"], uai);
}

#[test]
fn a_reference_to_a_missing_identity_is_refused_and_nothing_is_stored() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let missing = res_id(&t, "rg1", "Microsoft.ManagedIdentity/userAssignedIdentities", "nope");
    let r = t.put(
        &mlv(&ws_path(&t, "rg1", "ws1")),
        &json!({"location": LOCATION, "identity": {"type": "UserAssigned", "userAssignedIdentities": {missing.clone(): {}}}}),
    );
    check_error(&r, 400, "FailedIdentityOperation", &identity_not_found(&t, "ws1", &missing));
    get_ws(&t, "rg1", "ws1").expect(404);
    // The other properties that name an identity are checked the same way.
    let r = put_ws(&t, "rg1", "ws1", json!({"primaryUserAssignedIdentity": missing}));
    check_error(&r, 400, "FailedIdentityOperation", &identity_not_found(&t, "ws1", &missing));
    get_ws(&t, "rg1", "ws1").expect(404);
    // A PATCH naming one is refused too and leaves the workspace as it was.
    let before = create_ws(&t, "rg1", "ws1", json!({}));
    let r = t.patch(
        &mlv(&ws_path(&t, "rg1", "ws1")),
        &json!({"identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {missing.clone(): {}}}}),
    );
    check_error(&r, 400, "FailedIdentityOperation", &identity_not_found(&t, "ws1", &missing));
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["identity"], before["identity"]);
}

#[test]
fn a_patch_adds_a_user_assigned_identity_and_keeps_the_system_principal() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let before = create_ws(&t, "rg1", "ws1", json!({}));
    let (uai, created) = identity(&t, "rg1", "uai1");
    let w = t
        .patch(
            &mlv(&ws_path(&t, "rg1", "ws1")),
            &json!({"identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {uai.clone(): {}}}}),
        )
        .expect(200)
        .json();
    assert_eq!(w["identity"]["principalId"], before["identity"]["principalId"]);
    assert_eq!(w["identity"]["userAssignedIdentities"][&uai]["clientId"], created["properties"]["clientId"]);
}

#[test]
fn encryption_identity_and_shared_private_links_are_kept() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    set_registration(&t, &t.subscription, "Microsoft.DocumentDB", true);
    set_registration(&t, &t.subscription, "Microsoft.Search", true);
    let kv = key_vault(&t, "rg1", "cmkvault");
    let (uai, _) = identity(&t, "rg1", "UAI1");
    let links = json!([{"name": "db1", "properties": {
        "privateLinkResourceId": res_id(&t, "rg1", "Microsoft.DocumentDB/databaseAccounts", "db1") + "/privateLinkResources/Sql",
        "groupId": "Sql", "requestMessage": "Please approve", "status": "Approved"}}]);
    let props = json!({
        "encryption": {"status": "Enabled", "identity": {"userAssignedIdentity": uai},
                       "keyVaultProperties": {"keyVaultArmId": kv, "keyIdentifier": "https://cmkvault.vault.azure.net/keys/k1/0123456789abcdef"}},
        "sharedPrivateLinkResources": links,
    });
    let w = create_ws(&t, "rg1", "ws1", props);
    // Kept lower-cased, like the dependents' ids (reference §4.4).
    assert_eq!(w["properties"]["encryption"]["identity"], json!({"userAssignedIdentity": uai.to_lowercase()}));
    assert_eq!(w["properties"]["sharedPrivateLinkResources"], links);
    let got = get_ws(&t, "rg1", "ws1").expect(200).json();
    assert_eq!(got["properties"]["encryption"], w["properties"]["encryption"]);
    assert_eq!(got["properties"]["sharedPrivateLinkResources"], links);
    // An update replaces the list; a malformed one is refused.
    let w = t
        .patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"sharedPrivateLinkResources": []}}))
        .expect(200)
        .json();
    assert_eq!(w["properties"]["sharedPrivateLinkResources"], json!([]));
    let r = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"sharedPrivateLinkResources": "db1"}}));
    check_error(&r, 400, "ValidationError", "'sharedPrivateLinkResources' must be an array of objects.");
}

#[test]
fn private_endpoint_connections_name_their_endpoint() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let path = |name: &str| mlv(&format!("{}/privateEndpointConnections/{name}", ws_path(&t, "rg1", "ws1")));
    let state = json!({"privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}});
    // Without one in the request: the endpoint the connection's name starts with, in the group.
    let c = t.put(&path("pe1.conn"), &json!({"properties": state})).expect(200).json();
    let pe1 = res_id(&t, "rg1", "Microsoft.Network/privateEndpoints", "pe1");
    assert_eq!(c["properties"]["privateEndpoint"], json!({"id": pe1}));
    // Given: kept; a later PUT without it keeps it.
    let pe2 = res_id(&t, "rg1", "Microsoft.Network/privateEndpoints", "pe2");
    let mut body = state.clone();
    body["privateEndpoint"] = json!({"id": pe2});
    t.put(&path("c2"), &json!({"properties": body})).expect(200);
    let c = t.put(&path("c2"), &json!({"properties": state})).expect(200).json();
    assert_eq!(c["properties"]["privateEndpoint"], json!({"id": pe2}));
    assert_eq!(t.get(&path("c2")).expect(200).json()["properties"]["privateEndpoint"], json!({"id": pe2}));
    let listed = get_ws(&t, "rg1", "ws1").expect(200).json();
    let ids: Vec<&Value> = listed["properties"]["privateEndpointConnections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["properties"]["privateEndpoint"]["id"])
        .collect();
    // In key order: `c2` before `pe1.conn`.
    assert_eq!(ids, [&json!(pe2), &json!(pe1)]);
    // Anything but a private endpoint's id is refused.
    let mut bad = state;
    bad["privateEndpoint"] = json!({"id": ws_id(&t, "rg1", "ws1")});
    let r = t.put(&path("c3"), &json!({"properties": bad}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!(
            "'privateEndpoint.id' must be the id of a Microsoft.Network/privateEndpoints resource, not '{}'.",
            ws_id(&t, "rg1", "ws1")
        ),
    );
}
