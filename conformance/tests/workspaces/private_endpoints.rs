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

// ---- Microsoft.Network/privateEndpoints: the endpoint makes the connection (seed 004) ----

const NET_API: &str = "2023-11-01";

fn net_path(t: &Target, rel: &str) -> String {
    format!("{}/providers/Microsoft.Network/{rel}?api-version={NET_API}", t.rg("rg1"))
}

fn net_id(t: &Target, rel: &str) -> String {
    format!("{}/providers/Microsoft.Network/{rel}", t.rg_id("rg1"))
}

fn pe_body(t: &Target, vnet: &str, subnet: &str, target: &str, group: &str, manual: bool) -> Value {
    let key = if manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" };
    json!({"location": LOCATION, "properties": {
        "subnet": {"id": net_id(t, &format!("virtualNetworks/{vnet}/subnets/{subnet}"))},
        key: [{"name": "workspace", "properties": {"privateLinkServiceId": target, "groupIds": [group], "requestMessage": "please"}}],
    }})
}

fn network(t: &Target) {
    t.create_group("rg1", LOCATION);
    t.post(&format!("{}/providers/Microsoft.Network/register?api-version=2021-04-01", t.sub()), &json!({})).expect(200);
    create_ws(t, "rg1", "ws1", json!({}));
    let vnet = json!({"location": LOCATION, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}});
    t.put(&net_path(t, "virtualNetworks/vnet1"), &vnet).expect(201);
}

#[test]
fn a_private_endpoint_makes_the_workspace_connection_and_takes_it_away() {
    let t = require_emulator!();
    network(&t);
    let ws = ws_id(&t, "rg1", "ws1");
    let r = t.put(&net_path(&t, "privateEndpoints/pe1"), &pe_body(&t, "vnet1", "default", &ws, "amlworkspace", false));
    assert_eq!(r.status, 201, "{r:?}");
    let pe = r.json();
    let pe_id = net_id(&t, "privateEndpoints/pe1");
    assert_eq!(pe["id"], pe_id);
    let p = &pe["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["subnet"]["id"], net_id(&t, "virtualNetworks/vnet1/subnets/default"));
    let c = &p["privateLinkServiceConnections"][0];
    assert_eq!(c["id"], format!("{pe_id}/privateLinkServiceConnections/workspace"));
    assert_eq!(
        c["properties"]["privateLinkServiceConnectionState"],
        json!({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
    );
    assert_eq!(c["properties"]["groupIds"], json!(["amlworkspace"]));
    // Its network interface exists.
    let nic = p["networkInterfaces"][0]["id"].as_str().unwrap().to_string();
    assert!(nic.starts_with(&net_id(&t, "networkInterfaces/pe1.nic.")), "{nic}");
    let nic_body = t.get(&format!("{nic}?api-version={NET_API}")).expect(200).json();
    assert_eq!(nic_body["properties"]["privateEndpoint"]["id"], pe_id);

    // The workspace has the connection, pointing back at the endpoint.
    assert_eq!(link_count(&t), (json!(1), 1));
    let w = get_ws(&t, "rg1", "ws1").expect(200).json();
    let conn = &w["properties"]["privateEndpointConnections"][0];
    assert_eq!(conn["properties"]["privateEndpoint"]["id"], pe_id);
    assert_eq!(conn["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    assert!(conn["name"].as_str().unwrap().starts_with("pe1."), "{conn}");

    // A second PUT of the same endpoint keeps the one connection.
    t.put(&net_path(&t, "privateEndpoints/pe1"), &pe_body(&t, "vnet1", "default", &ws, "amlworkspace", false))
        .expect(200);
    assert_eq!(link_count(&t), (json!(1), 1));

    // Deleting the endpoint removes its interface and the workspace's connection.
    t.delete(&net_path(&t, "privateEndpoints/pe1")).expect(200);
    t.get(&format!("{nic}?api-version={NET_API}")).expect(404);
    assert_eq!(link_count(&t), (json!(0), 0));
    t.get(&net_path(&t, "privateEndpoints/pe1")).expect(404);
    t.delete(&net_path(&t, "privateEndpoints/pe1")).expect(204);
}

#[test]
fn a_manual_private_endpoint_connection_waits_for_approval() {
    let t = require_emulator!();
    network(&t);
    let ws = ws_id(&t, "rg1", "ws1");
    let pe = t
        .put(&net_path(&t, "privateEndpoints/pe2"), &pe_body(&t, "vnet1", "default", &ws, "amlworkspace", true))
        .expect(201)
        .json();
    let c = &pe["properties"]["manualPrivateLinkServiceConnections"][0];
    assert_eq!(c["properties"]["privateLinkServiceConnectionState"]["status"], "Pending");
    assert_eq!(c["properties"]["requestMessage"], "please");
    let w = get_ws(&t, "rg1", "ws1").expect(200).json();
    let conn = &w["properties"]["privateEndpointConnections"][0]["properties"]["privateLinkServiceConnectionState"];
    assert_eq!((conn["status"].as_str(), conn["description"].as_str()), (Some("Pending"), Some("please")));
}

#[test]
fn a_private_endpoint_with_a_missing_reference_is_refused_as_network_refuses_it() {
    let t = require_emulator!();
    network(&t);
    let ws = ws_id(&t, "rg1", "ws1");
    let pe_id = net_id(&t, "privateEndpoints/pe3");
    let msg = |r: &str| {
        format!("Resource {r} referenced by resource {pe_id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.")
    };
    for (vnet, subnet, referenced) in [
        ("nonet", "default", net_id(&t, "virtualNetworks/nonet")),
        ("vnet1", "nosub", net_id(&t, "virtualNetworks/vnet1/subnets/nosub")),
    ] {
        let r = t.put(&net_path(&t, "privateEndpoints/pe3"), &pe_body(&t, vnet, subnet, &ws, "amlworkspace", false));
        check_error(&r, 400, "InvalidResourceReference", &msg(&referenced));
        assert_eq!(r.json()["error"]["details"][0]["code"], "NotFound", "{r:?}");
    }
    let missing_ws = ws_id(&t, "rg1", "nows");
    let r = t.put(
        &net_path(&t, "privateEndpoints/pe3"),
        &pe_body(&t, "vnet1", "default", &missing_ws, "amlworkspace", false),
    );
    check_error(&r, 400, "InvalidResourceReference", &msg(&missing_ws));
    let r = t.put(&net_path(&t, "privateEndpoints/pe3"), &pe_body(&t, "vnet1", "default", &ws, "blob", false));
    check_error(&r, 400, "PrivateEndpointBadRequest", "Private endpoint group id 'blob' is not supported by resource type 'Microsoft.MachineLearningServices/workspaces'. Supported group ids: amlworkspace.");
    // Another region than the network's.
    let mut other = pe_body(&t, "vnet1", "default", &ws, "amlworkspace", false);
    other["location"] = json!("westeurope");
    let r = t.put(&net_path(&t, "privateEndpoints/pe3"), &other);
    check_error(&r, 400, "InvalidResourceReference", &msg(&net_id(&t, "virtualNetworks/vnet1")));
    // A target the emulator cannot connect to is refused, not stored.
    let sa = format!("{}/providers/Microsoft.Storage/storageAccounts/sa1", t.rg_id("rg1"));
    let r = t.put(&net_path(&t, "privateEndpoints/pe3"), &pe_body(&t, "vnet1", "default", &sa, "blob", false));
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (400, Some("ResourceTypeNotEmulated")), "{r:?}");
    t.get(&net_path(&t, "privateEndpoints/pe3")).expect(404);
    assert_eq!(link_count(&t), (json!(0), 0), "nothing was connected");
}

#[test]
fn private_dns_zones_live_in_global_with_their_links() {
    let t = require_emulator!();
    network(&t);
    let dns = |rel: &str| format!("{}/providers/Microsoft.Network/{rel}?api-version=2020-06-01", t.rg("rg1"));
    let z =
        t.put(&dns("privateDnsZones/privatelink.api.azureml.ms"), &json!({"location": "global"})).expect(201).json();
    assert_eq!(z["location"], "global");
    assert_eq!(z["properties"]["maxNumberOfRecordSets"], 25000);
    assert_eq!(z["properties"]["numberOfRecordSets"], 1);
    let r = t.put(&dns("privateDnsZones/privatelink.notebooks.azure.net"), &json!({"location": LOCATION}));
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (400, Some("NoRegisteredProviderFound")), "{r:?}");
    let link = json!({"location": "global", "properties": {"virtualNetwork": {"id": net_id(&t, "virtualNetworks/vnet1")}, "registrationEnabled": false}});
    let l =
        t.put(&dns("privateDnsZones/privatelink.api.azureml.ms/virtualNetworkLinks/link1"), &link).expect(201).json();
    assert_eq!(l["properties"]["virtualNetworkLinkState"], "Completed");
    let r = t.put(&dns("privateDnsZones/nozone/virtualNetworkLinks/link1"), &link);
    assert_eq!(r.status, 404, "a link needs its zone: {r:?}");
}
