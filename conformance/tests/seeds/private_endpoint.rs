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
    // "the existing virtual network": made first, in the endpoint's group.
    w.run(&format!("network vnet create -g {pe_rg} -n vnet-seed --subnet-name snet-seed")).ok();
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
    w.run(&format!("network vnet create -g {rg} -n vnet-def --subnet-name default")).ok();
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

/// Seed 004, "private network connection": after the workspace, `az network private-endpoint
/// create`, then the two private DNS zones, their links and the endpoint's zone group — every
/// command as the document spells it (armctl for az), against a network made first.
#[test]
fn seed_004_private_link_commands_connect_the_workspace() {
    let w = World::new();
    let rg = w.group("rg-plink");
    ensure_network(&w);
    let ws = w.name("mlw-privatelink-prod");
    w.run(&format!("ml workspace create -n {ws} -g {rg}")).ok();
    w.run(&format!("network vnet create -g {rg} -n vnet-seed --subnet-name snet-seed")).ok();
    let ws_id = w.ws_id(&rg, &ws);
    let location = w.run(&format!("group show -n {rg} --query location -o tsv")).ok().out.trim().to_string();
    let pe = w
        .run(&format!(
            "network private-endpoint create --name pe-seed --vnet-name vnet-seed --subnet snet-seed --private-connection-resource-id \"{ws_id}\" --group-id amlworkspace --connection-name workspace -l {location} -g {rg}"
        ))
        .ok()
        .json();
    // az prints the endpoint with its properties folded in.
    assert_eq!(pe["provisioningState"], "Succeeded", "{pe}");
    assert_eq!(
        pe["privateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]["status"], "Approved",
        "{pe}"
    );
    let conn = w.properties(&ws_id)["privateEndpointConnections"][0].clone();
    assert!(
        conn["properties"]["privateEndpoint"]["id"].as_str().unwrap_or_default().ends_with("/privateEndpoints/pe-seed"),
        "the workspace has the endpoint's connection: {conn}"
    );
    for (zone, verb) in [("privatelink.api.azureml.ms", "create"), ("privatelink.notebooks.azure.net", "add")] {
        let z = w.run(&format!("network private-dns zone create -g {rg} --name {zone}")).ok().json();
        assert_eq!(z["location"], "global");
        let l = w
            .run(&format!(
                "network private-dns link vnet create -g {rg} --zone-name {zone} --name link-{verb} --virtual-network vnet-seed --registration-enabled false"
            ))
            .ok()
            .json();
        assert_eq!(l["virtualNetworkLinkState"], "Completed");
        w.run(&format!(
            "network private-endpoint dns-zone-group {verb} -g {rg} --endpoint-name pe-seed --name zone-group --private-dns-zone {zone} --zone-name {zone}"
        ))
        .ok();
    }
    let zones = w.run(&format!("network private-endpoint show -g {rg} -n pe-seed --query id -o tsv")).ok().out;
    let group = w.properties(&format!("{}/privateDnsZoneGroups/zone-group", zones.trim()));
    let names: Vec<&str> =
        group["privateDnsZoneConfigs"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]);
    // Deleting the endpoint takes the workspace's connection with it.
    w.run(&format!("network private-endpoint delete -g {rg} -n pe-seed")).ok();
    assert_eq!(w.properties(&ws_id)["privateLinkCount"], 0);
}
