//! "Sync keys for dependent resources" (000/002; 004 依存リソースのキーの同期).

use crate::*;

#[test]
fn sync_keys_succeeds_silently() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-sync", "ws-sync");
    // 000/002 `-w`, 004 `-n`.
    for flag in ["-w", "-n"] {
        let r = w.run(&format!("ml workspace sync-keys {flag} {ws} -g {rg}")).ok();
        assert!(r.out.is_empty(), "sync-keys prints nothing: {}", r.out);
    }
    // The keys the workspace hands out are the storage account's.
    let keys = w.run(&format!("ml workspace list-keys -w {ws} -g {rg}")).ok().json();
    assert!(keys["userStorageKey"].is_string(), "{keys}");
}

#[test]
fn sync_keys_of_a_missing_workspace_is_an_arm_error() {
    let w = World::new();
    let rg = w.group("rg-sync404");
    w.run(&format!("ml workspace sync-keys -w nosuchws -g {rg}")).arm_error_with("ResourceNotFound", "nosuchws");
}
