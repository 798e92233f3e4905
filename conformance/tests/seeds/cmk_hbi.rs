//! "Customer-managed key and high business impact workspace" (000/002), 004's カスタマー
//! マネージド キー and 業務への影響が大きいワークスペース (the YAML keys `customer_managed_key`,
//! `hbi_workspace`).

use serde_json::{json, Value};

use crate::*;

/// Registers what the resource-provider table requires for a customer-managed key.
fn ensure_cmk_providers(w: &World) {
    for ns in ["Microsoft.DocumentDB", "Microsoft.Search"] {
        if !w.registered(ns) {
            w.run(&format!("provider register -n {ns} --wait")).ok();
        }
    }
}

fn key_vault(w: &World, rg: &str) -> (String, String, String) {
    let kv = w.name("cmkkv");
    w.run(&format!("keyvault create -n {kv} -g {rg}")).ok();
    let id = w.id(rg, "Microsoft.KeyVault/vaults", &kv);
    let uri = format!("https://{kv}.vault.azure.net/keys/cmk-key/0123456789abcdef0123456789abcdef");
    (kv, id, uri)
}

/// The `<your-resource-group-name>_<GUID>` groups (where the service keeps the Cosmos DB).
fn managed_groups(w: &World, rg: &str) -> Vec<String> {
    let all = w.run("group list").ok().json();
    let re = regex::Regex::new(&format!(
        "^{}_[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}$",
        regex::escape(rg)
    ))
    .unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .filter(|n| re.is_match(n))
        .map(String::from)
        .collect()
}

#[test]
fn cmk_flags_encrypt_with_the_key_and_make_the_cosmos_group() {
    let w = World::new();
    let rg = w.group("rg-cmk");
    ensure_cmk_providers(&w);
    let (_, kv_id, uri) = key_vault(&w, &rg);
    let ws = w.name("ws-cmk");
    let v = w
        .run(&format!("ml workspace create -w {ws} -g {rg} --cmk-keyvault {kv_id} --resource-cmk-uri {uri}"))
        .ok()
        .json();
    expect_shape("create with CMK", &create_shape_without_registry(), &ws_vars(&w, &rg, &ws), &v);
    let p = w.properties(&w.ws_id(&rg, &ws));
    let kvp = &p["encryption"]["keyVaultProperties"];
    assert!(kvp["keyVaultArmId"].as_str().unwrap_or_default().eq_ignore_ascii_case(&kv_id), "{p}");
    assert_eq!(kvp["keyIdentifier"], uri.as_str(), "{p}");
    assert_eq!(p["encryption"]["status"], "Enabled", "{p}");
    // "…created in a separate resource group … `<your-resource-group-name>_<GUID>`."
    let groups = managed_groups(&w, &rg);
    for g in &groups {
        w.cleanup(g);
    }
    assert_eq!(groups.len(), 1, "one `{rg}_<GUID>` group: {groups:?}");
    assert!(
        w.types_in(&groups[0]).iter().any(|t| t == "microsoft.documentdb/databaseaccounts"),
        "the Cosmos DB account is in {}",
        groups[0]
    );
}

#[test]
fn hbi_is_set_at_creation_only() {
    let w = World::new();
    let rg = w.group("rg-hbi");
    let ws = w.name("ws-hbi");
    let v = w.run(&format!("ml workspace create -w {ws} -g {rg} --hbi-workspace")).ok().json();
    expect_shape("create --hbi-workspace", &create_shape_without_registry(), &ws_vars(&w, &rg, &ws), &v);
    assert_eq!(w.properties(&w.ws_id(&rg, &ws))["hbiWorkspace"], Value::Bool(true));
    // "High business impact can only be selected when creating a workspace. You cannot change
    // this setting after workspace creation."
    let r = w.run(&format!("ml workspace update -w {ws} -g {rg} --hbi-workspace false"));
    r.arm_error();
    assert_eq!(w.properties(&w.ws_id(&rg, &ws))["hbiWorkspace"], Value::Bool(true), "unchanged");
    let plain = w.name("ws-nohbi");
    w.run(&format!("ml workspace create -w {plain} -g {rg}")).ok();
    assert_eq!(w.properties(&w.ws_id(&rg, &plain))["hbiWorkspace"], Value::Bool(false), "off by default");
    w.run(&format!("ml workspace update -w {plain} -g {rg} --hbi-workspace true")).arm_error();
}

#[test]
fn yaml_customer_managed_key_file_of_004() {
    let w = World::new();
    let rg = w.group("rg-cmkyml");
    ensure_cmk_providers(&w);
    let (kv, _, _) = key_vault(&w, &rg);
    let name = w.name("mlw-cmkexample-prod");
    let text = fill(
        YAML_CMK,
        &[
            ("<SUBSCRIPTION_ID>", w.sub()),
            ("<RESOURCE_GROUP>", &rg),
            ("<KEY_VAULT>", &kv),
            ("<KEY_NAME>", "cmk-key"),
            ("<KEY_VERSION>", "0123456789abcdef0123456789abcdef"),
        ],
    )
    .replace("name: mlw-cmkexample-prod", &format!("name: {name}"))
    .replace("location: eastus", &format!("location: {}", w.loc));
    let path = w.file("workspace.yml", &text);
    // 004: `az ml workspace create -g <resource-group-name> --file <configuration-file>.yml`
    let v = w.run(&format!("ml workspace create -g {rg} --file {path}")).ok().json();
    let mut e = seed(&create_shape_without_registry(), &ws_vars(&w, &rg, &name));
    e["friendlyName"] = json!("Customer managed key encryption-example");
    e["description"] =
        json!("This configurations shows how to create a workspace that uses customer-managed keys for encryption.");
    e["tags"] = json!({"purpose": "demonstration"});
    check("create --file (customer_managed_key)", &e, &v);
    let p = w.properties(&w.ws_id(&rg, &name));
    assert_eq!(
        p["encryption"]["keyVaultProperties"]["keyIdentifier"],
        format!("https://{kv}.vault.azure.net/keys/cmk-key/0123456789abcdef0123456789abcdef")
    );
    for g in managed_groups(&w, &rg) {
        w.cleanup(&g);
    }
}

#[test]
fn yaml_hbi_workspace_true() {
    // 004: "set the hbi_workspace property in the YAML configuration file to TRUE".
    let w = World::new();
    let rg = w.group("rg-hbiyml");
    let name = w.name("mlw-hbi");
    let path = w.file("hbi.yml", &format!("$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json\nname: {name}\nlocation: {}\nhbi_workspace: TRUE\n", w.loc));
    w.run(&format!("ml workspace create -g {rg} --file {path}")).ok();
    assert_eq!(w.properties(&w.ws_id(&rg, &name))["hbiWorkspace"], Value::Bool(true));
}
