//! Private endpoint connections of a workspace: PUT/GET/list/DELETE, and the workspace's
//! `privateLinkCount` and `privateEndpointConnections` follow.

use conformance::*;
use serde_json::{json, Value};

use crate::*;

fn pec_path(t: &Target, ws: &str, name: &str) -> String {
    mlv(&format!("{}/privateEndpointConnections/{name}", ws_path(t, "rg1", ws)))
}

fn pec_body(t: &Target, pe: &str, status: &str) -> Value {
    json!({"properties": {
        "privateEndpoint": {"id": res_id(t, "rg1", "Microsoft.Network/privateEndpoints", pe)},
        "privateLinkServiceConnectionState": {"status": status, "description": "by test", "actionsRequired": "None"}
    }})
}

fn link_count(t: &Target) -> (Value, usize) {
    let w = get_ws(t, "rg1", "ws1").expect(200).json();
    let n = w["properties"]["privateEndpointConnections"].as_array().map(Vec::len).unwrap_or(usize::MAX);
    (w["properties"]["privateLinkCount"].clone(), n)
}

#[test]
fn private_endpoint_connections_lifecycle() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    assert_eq!(link_count(&t), (json!(0), 0));

    let r = t.put(&pec_path(&t, "ws1", "pec1"), &pec_body(&t, "pe1", "Approved"));
    assert_eq!(r.status, 200, "{r:?}");
    let c = r.json();
    assert_eq!(c["name"], "pec1");
    assert_eq!(c["type"], "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections");
    assert_eq!(c["id"], format!("{}/privateEndpointConnections/pec1", ws_id(&t, "rg1", "ws1")));
    assert_eq!(c["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    assert_eq!(c["properties"]["provisioningState"], "Succeeded");
    assert_eq!(t.get(&pec_path(&t, "ws1", "pec1")).expect(200).json(), c);
    assert_eq!(link_count(&t), (json!(1), 1));

    t.put(&pec_path(&t, "ws1", "pec2"), &pec_body(&t, "pe2", "Pending")).expect(200);
    assert_eq!(link_count(&t), (json!(2), 2));
    let listed = items(&t, &mlv(&format!("{}/privateEndpointConnections", ws_path(&t, "rg1", "ws1"))));
    let mut n: Vec<&str> = listed.iter().map(|c| str_of(c, "/name")).collect();
    n.sort();
    assert_eq!(n, vec!["pec1", "pec2"]);

    // Re-PUT changes the state without adding a connection.
    let u = t.put(&pec_path(&t, "ws1", "pec2"), &pec_body(&t, "pe2", "Rejected")).expect(200).json();
    assert_eq!(u["properties"]["privateLinkServiceConnectionState"]["status"], "Rejected");
    assert_eq!(link_count(&t), (json!(2), 2));

    t.delete(&pec_path(&t, "ws1", "pec1")).expect(200);
    assert_eq!(link_count(&t), (json!(1), 1));
    t.delete(&pec_path(&t, "ws1", "pec1")).expect(204);
    let g = t.get(&pec_path(&t, "ws1", "pec1"));
    check_error(
        &g,
        404,
        "ResourceNotFound",
        "The Resource 'Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/pec1' under resource group 'rg1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
    t.delete(&pec_path(&t, "ws1", "pec2")).expect(200);
    assert_eq!(link_count(&t), (json!(0), 0));
    assert!(items(&t, &mlv(&format!("{}/privateEndpointConnections", ws_path(&t, "rg1", "ws1")))).is_empty());
}

#[test]
fn invalid_connection_status_is_400() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let r = t.put(&pec_path(&t, "ws1", "pec1"), &pec_body(&t, "pe1", "Maybe"));
    check_error(
        &r,
        400,
        "ValidationError",
        "'privateLinkServiceConnectionState.status' must be Approved, Pending, Rejected or Disconnected, not 'Maybe'.",
    );
    assert_eq!(link_count(&t), (json!(0), 0));
}

#[test]
fn connections_of_a_missing_workspace_are_404() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.put(&pec_path(&t, "nows", "pec1"), &pec_body(&t, "pe1", "Approved"));
    check_error(&r, 404, "ResourceNotFound", &ws_not_found("rg1", "nows"));
    let l = t.get(&mlv(&format!("{}/privateEndpointConnections", ws_path(&t, "rg1", "nows"))));
    check_error(&l, 404, "ResourceNotFound", &ws_not_found("rg1", "nows"));
}

#[test]
fn connections_survive_a_soft_delete_and_recovery() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    t.put(&pec_path(&t, "ws1", "pec1"), &pec_body(&t, "pe1", "Approved")).expect(200);
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    check_error(&t.get(&pec_path(&t, "ws1", "pec1")), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    create_ws(&t, "rg1", "ws1", json!({"allowRecoverSoftDeletedWorkspace": "True"}));
    assert_eq!(link_count(&t), (json!(1), 1));
    t.get(&pec_path(&t, "ws1", "pec1")).expect(200);
}
