//! "Automatically create required resources" (000/002) / ワークスペースの作成 (004).

use crate::*;

#[test]
fn create_with_w_creates_the_dependents_and_prints_the_documented_json() {
    let w = World::new();
    let rg = w.group("rg-auto");
    let ws = w.name("ws-auto");
    // 000/002: `az ml workspace create -w <workspace-name> -g <resource-group-name>`
    let v = w.run(&format!("ml workspace create -w {ws} -g {rg}")).ok().json();
    if v.get("containerRegistry").is_some() {
        expect_shape("ml workspace create -w", WORKSPACE_CREATE, &ws_vars(&w, &rg, &ws), &v);
    } else {
        expect_shape("ml workspace create -w", &create_shape_without_registry(), &ws_vars(&w, &rg, &ws), &v);
        disagree(
            "automatically create required resources",
            "the seeds' create block shows `containerRegistry`; armctl prints none because no registry exists yet — the seeds' own \"Deleting the Azure Container Registry\" section says it is created when first needed",
        );
    }
    expect_lower_ids(&v);
    assert_eq!(v["friendlyName"], ws.as_str(), "friendlyName defaults to the workspace name (the seed's create block)");
    // The dependents were created in the workspace's group.
    let types = w.types_in(&rg);
    for t in [
        "microsoft.insights/components",
        "microsoft.keyvault/vaults",
        "microsoft.storage/storageaccounts",
        "microsoft.machinelearningservices/workspaces",
    ] {
        assert!(types.iter().any(|x| x == t), "`resource list -g {rg}` lacks a {t}: {types:?}");
    }
    for k in ["applicationInsights", "keyVault", "storageAccount"] {
        let id = v[k].as_str().unwrap();
        w.run(&format!("resource show --ids {id}")).ok();
    }
}

#[test]
fn create_with_n_as_004_writes_it() {
    let w = World::new();
    let rg = w.group("rg-auto2");
    let ws = w.name("ws-auto2");
    // 004: `az ml workspace create -n <workspace-name> -g <resource-group-name>`
    let v = w.run(&format!("ml workspace create -n {ws} -g {rg}")).ok().json();
    expect_shape("ml workspace create -n", &create_shape_without_registry(), &ws_vars(&w, &rg, &ws), &v);
    assert_eq!(v["location"], w.loc.as_str(), "the workspace takes its group's location");
}

#[test]
fn the_workspace_name_is_not_case_sensitive() {
    // 000/002 note: "The workspace name is case-insensitive."
    let w = World::new();
    let rg = w.group("rg-case");
    let ws = w.name("ws-case");
    let v = w.run(&format!("ml workspace create -w {ws} -g {rg}")).ok().json();
    let upper = ws.to_uppercase();
    let s = w.run(&format!("ml workspace show -w {upper} -g {rg}")).ok().json();
    assert_eq!(s["workspaceid"], v["workspaceid"], "show -w {upper} finds {ws}");
    assert_eq!(s["name"], ws.as_str(), "the name keeps the case it was created with");
    // Creating it again under another case does not make a second workspace.
    let _ = w.run(&format!("ml workspace create -w {upper} -g {rg}"));
    let list = w.run(&format!("ml workspace list -g {rg}")).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1, "one workspace whatever the case: {list}");
}
