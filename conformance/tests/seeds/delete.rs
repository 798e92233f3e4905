//! "Delete a workspace" (000/002; 004 ワークスペースを削除する): soft delete, recovery and
//! permanent delete; the dependents stay.

use serde_json::json;

use crate::*;

#[test]
fn delete_soft_deletes_and_keeps_the_dependents() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-del", "ws-del");
    // 000/002 `-w`; 004 `-n`.
    let r = w.run_with(&format!("ml workspace delete -w {ws} -g {rg}"), Some("y\n")).ok();
    assert!(r.out.is_empty(), "delete prints nothing: {}", r.out);
    w.run(&format!("ml workspace show -w {ws} -g {rg}")).arm_error_with("ResourceNotFound", &ws);
    assert_eq!(
        w.run(&format!("ml workspace list -g {rg}")).ok().json(),
        json!([]),
        "a soft-deleted workspace is not listed"
    );
    let deleted = w.run(&format!("ml workspace list-deleted -g {rg}")).ok().json();
    assert!(
        deleted.as_array().unwrap().iter().any(|d| d["name"] == ws.as_str()),
        "it is soft-deleted (marked for deletion): {deleted}"
    );
    // "Deleting a workspace does not delete the Application Insights, storage account, key
    // vault or container registry used by the workspace."
    for k in ["applicationInsights", "keyVault", "storageAccount"] {
        w.run(&format!("resource show --ids {}", created[k].as_str().unwrap())).ok();
    }
    // The name is taken while it is soft-deleted.
    let again = w.run(&format!("ml workspace create -w {ws} -g {rg}"));
    again.arm_error();
    assert!(again.err.contains("Soft-deleted workspace exists"), "{}", again.err);
}

#[test]
fn a_soft_deleted_workspace_can_be_recovered() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-rec", "ws-rec");
    w.run_with(&format!("ml workspace delete -n {ws} -g {rg}"), Some("y\n")).ok();
    let back = w.run(&format!("ml workspace recover -n {ws} -g {rg}")).ok().json();
    expect_shape("ml workspace recover", &show_shape(false), &ws_vars(&w, &rg, &ws), &back);
    for k in ["workspaceid", "storageAccount", "keyVault", "applicationInsights"] {
        assert_eq!(back[k], created[k], "recovered with its {k}");
    }
    w.run(&format!("ml workspace show -n {ws} -g {rg}")).ok();
    assert_eq!(w.run(&format!("ml workspace list-deleted -g {rg}")).ok().json(), json!([]));
}

#[test]
fn permanently_delete_cannot_be_recovered() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-perm", "ws-perm");
    w.run_with(&format!("ml workspace delete -n {ws} -g {rg} --permanently-delete"), Some("y\n")).ok();
    assert_eq!(w.run(&format!("ml workspace list-deleted -g {rg}")).ok().json(), json!([]), "not soft-deleted");
    w.run(&format!("ml workspace show -n {ws} -g {rg}")).arm_error_with("ResourceNotFound", &ws);
    cannot_recover(&w, &rg, &ws, &created, "--permanently-delete");
    // The name is free again, for a new workspace.
    let v = w.run(&format!("ml workspace create -n {ws} -g {rg}")).ok().json();
    assert_ne!(v["workspaceid"], created["workspaceid"]);
}

#[test]
fn purge_removes_a_soft_deleted_workspace() {
    let w = World::new();
    let (rg, ws, created) = workspace(&w, "rg-purge", "ws-purge");
    w.run_with(&format!("ml workspace delete -n {ws} -g {rg}"), Some("y\n")).ok();
    w.run(&format!("ml workspace purge -n {ws} -g {rg} --yes")).ok();
    assert_eq!(w.run(&format!("ml workspace list-deleted -g {rg}")).ok().json(), json!([]));
    cannot_recover(&w, &rg, &ws, &created, "purge");
    let _ = w.run_with(&format!("ml workspace delete -n {ws} -g {rg} --permanently-delete"), Some("y\n"));
    w.run(&format!("ml workspace create -n {ws} -g {rg}")).ok();
}

#[test]
fn delete_of_a_missing_workspace_is_an_arm_error_or_nothing() {
    // ARM answers 204 for a DELETE of nothing; either way nothing is left and the exit code is
    // 0 (no content) or 1 (ResourceNotFound) — never a usage error or a crash.
    let w = World::new();
    let rg = w.group("rg-del404");
    let r = w.run_with(&format!("ml workspace delete -w nosuchws -g {rg}"), Some("y\n"));
    if r.code != 0 {
        r.arm_error();
    }
}

/// 004: "If soft delete is not enabled or you chose to permanently delete the workspace, it
/// cannot be recovered." `recover` fails (exit 3, not found) and says why; nothing comes back.
#[track_caller]
fn cannot_recover(w: &World, rg: &str, ws: &str, created: &serde_json::Value, how: &str) {
    let _ = created;
    let r = w.run(&format!("ml workspace recover -n {ws} -g {rg}"));
    assert_eq!(r.code, 3, "after {how}, recover must fail\nstdout:\n{}\nstderr:\n{}", r.out, r.err);
    assert!(r.out.is_empty(), "after {how}, recover prints nothing on stdout: {}", r.out);
    assert!(
        r.err.contains(&format!("No soft-deleted workspace '{ws}' was found in resource group '{rg}'")),
        "after {how}, recover says why:\n{}",
        r.err
    );
    let shown = w.run(&format!("ml workspace show -n {ws} -g {rg}"));
    assert_eq!(shown.code, 3, "after {how} and a refused recover, the workspace does not exist: {}", shown.out);
}
