//! "Resource provider errors" (000/002 include; 004 リソース プロバイダーのエラーのトラブルシューティング):
//! `No registered resource provider found for location {location}` and `The subscription is
//! not registered to use namespace {resource-provider-namespace}`; registering the named
//! provider fixes the second.

use serde_json::json;

use crate::*;

/// The providers the table lists as required, and those for a customer-managed key and a
/// managed network.
const TABLE: [&str; 9] = [
    "Microsoft.MachineLearningServices",
    "Microsoft.Storage",
    "Microsoft.ContainerRegistry",
    "Microsoft.KeyVault",
    "Microsoft.Notebooks",
    "Microsoft.ContainerService",
    "Microsoft.DocumentDB",
    "Microsoft.Search",
    "Microsoft.Network",
];

#[test]
fn every_provider_of_the_table_is_known_and_registerable() {
    let w = World::new();
    for ns in TABLE {
        let v = w.run(&format!("provider show -n {ns}")).ok().json();
        assert!(v["namespace"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(ns)), "{v}");
    }
    // The ones a workspace needs are registered without being asked.
    for ns in
        ["Microsoft.MachineLearningServices", "Microsoft.Storage", "Microsoft.KeyVault", "Microsoft.ContainerRegistry"]
    {
        assert!(w.registered(ns), "{ns} is registered");
    }
    if !w.skip("register Microsoft.Notebooks and Microsoft.ContainerService") {
        for ns in ["Microsoft.Notebooks", "Microsoft.ContainerService"] {
            w.run(&format!("provider register -n {ns} --wait")).ok();
            assert!(w.registered(ns));
        }
    }
}

#[test]
fn no_registered_resource_provider_found_for_location() {
    let w = World::new();
    let rg = w.group("rg-loc");
    // A region where the workspace type is not offered (ARM_UNSUPPORTED_LOCATION against a
    // real subscription).
    let loc = std::env::var("ARM_UNSUPPORTED_LOCATION").unwrap_or_else(|_| "australiacentral2".into());
    let r = w.run(&format!("ml workspace create -w ws-loc -g {rg} -l {loc}"));
    r.arm_error_with(
        "NoRegisteredProviderFound",
        &format!("No registered resource provider found for location '{loc}'"),
    );
}

#[test]
fn cmk_needs_documentdb_then_search() {
    let w = World::new();
    let rg = w.group("rg-rpcmk");
    if w.registered("Microsoft.DocumentDB") && w.registered("Microsoft.Search") {
        eprintln!("SKIPPED: Microsoft.DocumentDB and Microsoft.Search are already registered on this subscription");
        return;
    }
    let kv = w.name("rpkv");
    w.run(&format!("keyvault create -n {kv} -g {rg}")).ok();
    let cmd = format!(
        "ml workspace create -w ws-rpcmk -g {rg} --cmk-keyvault {} --resource-cmk-uri https://{kv}.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef",
        w.id(&rg, "Microsoft.KeyVault/vaults", &kv)
    );
    for ns in ["Microsoft.DocumentDB", "Microsoft.Search"] {
        if w.registered(ns) {
            continue;
        }
        let r = w.run(&cmd);
        r.arm_error_with(
            "MissingSubscriptionRegistration",
            &format!("The subscription is not registered to use namespace '{ns}'"),
        );
        assert!(r.err.contains(&format!("armctl provider register -n {ns}")), "the hint names the provider: {}", r.err);
        // Registering the provider the message names fixes it.
        w.run(&format!("provider register -n {ns} --wait")).ok();
    }
    w.run(&cmd).ok();
    let all = w.run("group list").ok().json();
    for g in
        all.as_array().unwrap().iter().filter_map(|g| g["name"].as_str()).filter(|n| n.starts_with(&format!("{rg}_")))
    {
        w.cleanup(g);
    }
}

#[test]
fn a_managed_network_needs_microsoft_network() {
    let w = World::new();
    let rg = w.group("rg-mnet");
    if w.registered("Microsoft.Network") {
        eprintln!("SKIPPED: Microsoft.Network is already registered on this subscription");
        return;
    }
    // armctl has no managed-network flag; the ARM request is what azure-ai-ml sends.
    let path = format!("{}?api-version=2024-10-01", w.ws_id(&rg, "ws-mnet"));
    let body = json!({
        "location": w.loc,
        "identity": {"type": "SystemAssigned"},
        "properties": {"friendlyName": "ws-mnet", "managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
    });
    let r = w.t.put(&path, &body);
    conformance::check_error_prefix(
        &r,
        409,
        "MissingSubscriptionRegistration",
        "The subscription is not registered to use namespace 'Microsoft.Network'",
    );
    w.run("provider register -n Microsoft.Network --wait").ok();
    let r = w.t.put(&path, &body);
    assert!(r.status == 200 || r.status == 201, "{r:?}");
}
