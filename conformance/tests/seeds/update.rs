//! "Update a workspace" (000/002; 004 ワークスペースの更新, incl. `--public-network-access`).

use crate::*;

#[test]
fn update_prints_the_documented_json() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-upd", "ws-upd");
    // 000/002: `az ml workspace update -w <workspace-name> -g <resource-group-name>`
    let v = w.run(&format!("ml workspace update -w {ws} -g {rg}")).ok().json();
    expect_shape("ml workspace update -w", &show_shape(false), &ws_vars(&w, &rg, &ws), &v);
    assert_eq!(v["workspaceid"], created["workspaceid"]);
    // 004: `az ml workspace update -n <workspace-name> -g <resource-group-name>`
    let v =
        w.run(&format!("ml workspace update -n {ws} -g {rg} --description changed --friendly-name Nice")).ok().json();
    let mut e = seed(&show_shape(false), &ws_vars(&w, &rg, &ws));
    e["description"] = serde_json::json!("changed");
    check("ml workspace update -n --description", &e, &v);
    assert_eq!((v["description"].as_str(), v["friendlyName"].as_str()), (Some("changed"), Some("Nice")));
}

#[test]
fn update_public_network_access() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-pna", "ws-pna");
    let id = w.ws_id(&rg, &ws);
    // 004: `az ml workspace update -n <workspace-name> -g <resource-group-name> --public-network-access enabled`
    let v = w.run(&format!("ml workspace update -n {ws} -g {rg} --public-network-access enabled")).ok().json();
    expect_shape("update --public-network-access", &show_shape(false), &ws_vars(&w, &rg, &ws), &v);
    assert_eq!(w.properties(&id)["publicNetworkAccess"], "Enabled");
    w.run(&format!("ml workspace update -n {ws} -g {rg} --public-network-access Disabled")).ok();
    assert_eq!(w.properties(&id)["publicNetworkAccess"], "Disabled");
    let bad = w.run(&format!("ml workspace update -n {ws} -g {rg} --public-network-access sometimes"));
    assert_eq!(bad.code, 2, "a value other than Enabled/Disabled is a usage error: {}", bad.err);
    assert_eq!(w.properties(&id)["publicNetworkAccess"], "Disabled", "unchanged");
}

#[test]
fn update_of_a_missing_workspace_is_an_arm_error() {
    let w = World::new();
    let rg = w.group("rg-upd404");
    w.run(&format!("ml workspace update -w nosuchws -g {rg}")).arm_error_with("ResourceNotFound", "nosuchws");
}
