//! "Get workspace information" (000/002; 004 ワークスペース情報の取得): `az ml workspace show`.

use crate::*;

#[test]
fn show_prints_the_documented_json() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-show", "ws-show");
    // 000/002 `-w`, 004 `-n`.
    for flag in ["-w", "-n"] {
        let v = w.run(&format!("ml workspace show {flag} {ws} -g {rg}")).ok().json();
        expect_shape(&format!("ml workspace show {flag}"), &show_shape(false), &ws_vars(&w, &rg, &ws), &v);
        expect_lower_ids(&v);
        for k in
            ["workspaceid", "creationTime", "storageAccount", "keyVault", "applicationInsights", "identityPrincipalId"]
        {
            assert_eq!(v[k], created[k], "show {flag}: {k} is what create printed");
        }
    }
}

#[test]
fn show_of_a_missing_workspace_is_an_arm_error() {
    let w = World::new();
    let rg = w.group("rg-show404");
    w.run(&format!("ml workspace show -w nosuchws -g {rg}")).arm_error_with("ResourceNotFound", "nosuchws");
}
