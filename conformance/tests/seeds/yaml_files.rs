//! 004 "YAML 構成ファイル" and "プライベート ネットワーク接続": `az ml workspace create -g
//! <resource-group-name> --file <configuration-file>.yml` with the documented files.

use serde_json::json;

use crate::*;

#[test]
fn existing_resources_file() {
    let w = World::new();
    let rg = w.group("rg-yml");
    let (sa, kv, ai, acr) = (w.name("ymlsa"), w.name("ymlkv"), w.name("ymlai"), w.name("ymlacr"));
    w.run(&format!("storage account create -n {sa} -g {rg}")).ok();
    w.run(&format!("keyvault create -n {kv} -g {rg}")).ok();
    w.run(&format!("monitor app-insights component create --app {ai} -g {rg}")).ok();
    w.run(&format!("acr create -n {acr} -g {rg} --sku Basic --admin-enabled true")).ok();
    let name = w.name("mlw-basicex-prod");
    let text = fill(
        YAML_EXISTING,
        &[
            ("<SUBSCRIPTION_ID>", w.sub()),
            ("<RESOURCE_GROUP>", &rg),
            ("<STORAGE_ACCOUNT>", &sa),
            ("<CONTAINER_REGISTRY>", &acr),
            ("<KEY_VAULT>", &kv),
            ("<APP_INSIGHTS>", &ai),
        ],
    )
    .replace("name: mlw-basicex-prod", &format!("name: {name}"))
    .replace("location: eastus", &format!("location: {}", w.loc));
    let path = w.file("workspace.yml", &text);
    let v = w.run(&format!("ml workspace create -g {rg} --file {path}")).ok().json();
    let mut e = seed(WORKSPACE_CREATE, &ws_vars(&w, &rg, &name));
    e["friendlyName"] = json!("Bring your own dependent resources-example");
    e["description"] =
        json!("This configuration specifies a workspace configuration with existing dependent resources");
    e["tags"] = json!({"purpose": "demonstration"});
    check("create --file (existing resources)", &e, &v);
    for (k, t, n) in [
        ("storageAccount", "Microsoft.Storage/storageAccounts", &sa),
        ("containerRegistry", "Microsoft.ContainerRegistry/registries", &acr),
        ("keyVault", "Microsoft.KeyVault/vaults", &kv),
        ("applicationInsights", "Microsoft.insights/components", &ai),
    ] {
        assert_eq!(v[k].as_str().unwrap(), w.id(&rg, t, n).to_lowercase(), "{k} is the resource the file names");
    }
}

#[test]
fn partial_file_creates_the_rest() {
    // "You don't need to specify all the dependent resources in the file."
    let w = World::new();
    let rg = w.group("rg-ymlpart");
    let sa = w.name("partsa");
    w.run(&format!("storage account create -n {sa} -g {rg}")).ok();
    let name = w.name("mlw-part");
    let path = w.file(
        "part.yml",
        &format!("$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json\nname: {name}\nlocation: {}\nstorage_account: {}\n", w.loc, w.id(&rg, "Microsoft.Storage/storageAccounts", &sa)),
    );
    let v = w.run(&format!("ml workspace create -g {rg} --file {path}")).ok().json();
    expect_shape("create --file (storage only)", &create_shape_without_registry(), &ws_vars(&w, &rg, &name), &v);
    assert!(w.types_in(&rg).iter().any(|t| t == "microsoft.keyvault/vaults"), "a key vault was created");
}

#[test]
fn private_link_file() {
    let w = World::new();
    let rg = w.group("rg-ymlpl");
    let name = w.name("mlw-privatelink-prod");
    let text = YAML_PRIVATE_LINK
        .replace("name: mlw-privatelink-prod", &format!("name: {name}"))
        .replace("location: eastus", &format!("location: {}", w.loc));
    let path = w.file("privatelink.yml", &text);
    let v = w.run(&format!("ml workspace create -g {rg} --file {path}")).ok().json();
    let mut e = seed(&create_shape_without_registry(), &ws_vars(&w, &rg, &name));
    e["friendlyName"] = json!("Private Link endpoint workspace-example");
    e["description"] = json!("When using private link, you must set the image_build_compute property to a cluster name to use for Docker image environment building. You can also specify whether the workspace should be accessible over the internet.");
    e["tags"] = json!({"purpose": "demonstration"});
    check("create --file (private link)", &e, &v);
    let p = w.properties(&w.ws_id(&rg, &name));
    assert_eq!(p["imageBuildCompute"], "cpu-compute", "{p}");
    assert_eq!(p["publicNetworkAccess"], "Disabled", "{p}");
}

#[test]
fn the_file_name_and_the_flag_name() {
    // A `-n` on the command line names the workspace; the file's `name` is used without one.
    let w = World::new();
    let rg = w.group("rg-ymlname");
    let path = w.file("named.yml", &format!("name: {}\nlocation: {}\n", w.name("from-file"), w.loc));
    let flag = w.name("from-flag");
    let v = w.run(&format!("ml workspace create -n {flag} -g {rg} --file {path}")).ok().json();
    assert_eq!(v["name"], flag.as_str());
}
