//! "Virtual network and private endpoint" (000/002): the `--pe-*` flags of `ml workspace create`.

use serde_json::json;

use crate::*;

fn ensure_network(w: &World) {
    if !w.registered("Microsoft.Network") {
        w.run("provider register -n Microsoft.Network --wait").ok();
    }
}

#[test]
fn pe_flags_create_a_private_endpoint_in_the_pe_group() {
    let w = World::new();
    let rg = w.group("rg-pews");
    let pe_rg = w.group("rg-penet");
    ensure_network(&w);
    let ws = w.name("ws-pe");
    let pe = w.name("pe-ws");
    let v = w
        .run(&format!(
            "ml workspace create -w {ws} -g {rg} --pe-name {pe} --pe-auto-approval --pe-resource-group {pe_rg} --pe-vnet-name vnet-seed --pe-subnet-name snet-seed"
        ))
        .ok()
        .json();
    expect_shape("create with --pe-*", &create_shape_without_registry(), &ws_vars(&w, &rg, &ws), &v);
    // `--pe-resource-group`: the endpoint is made in the group holding the virtual network.
    let p = w.properties(&w.id(&pe_rg, "Microsoft.Network/privateEndpoints", &pe));
    let subnet = p["subnet"]["id"].as_str().unwrap_or_default();
    assert!(
        subnet.eq_ignore_ascii_case(&format!("/subscriptions/{}/resourceGroups/{pe_rg}/providers/Microsoft.Network/virtualNetworks/vnet-seed/subnets/snet-seed", w.sub())),
        "subnet: {p}"
    );
    // `--pe-auto-approval`: an automatically approved connection to the workspace.
    let conn = &p["privateLinkServiceConnections"][0]["properties"];
    assert!(conn["privateLinkServiceId"].as_str().unwrap_or_default().eq_ignore_ascii_case(&w.ws_id(&rg, &ws)), "{p}");
    assert_eq!(conn["groupIds"], json!(["amlworkspace"]));
}

#[test]
fn pe_subnet_defaults_to_default_and_approval_is_manual_without_the_flag() {
    let w = World::new();
    let rg = w.group("rg-pedef");
    ensure_network(&w);
    let pe = w.name("pe-def");
    w.run(&format!("ml workspace create -w ws-pedef -g {rg} --pe-name {pe} --pe-vnet-name vnet-def")).ok();
    let p = w.properties(&w.id(&rg, "Microsoft.Network/privateEndpoints", &pe));
    assert!(
        p["subnet"]["id"].as_str().unwrap_or_default().ends_with("/virtualNetworks/vnet-def/subnets/default"),
        "`--pe-subnet-name` defaults to `default`: {p}"
    );
    let manual = p["manualPrivateLinkServiceConnections"].as_array().map(Vec::len).unwrap_or(0);
    let auto = p["privateLinkServiceConnections"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!((manual, auto), (1, 0), "without --pe-auto-approval the connection waits for approval: {p}");
}
