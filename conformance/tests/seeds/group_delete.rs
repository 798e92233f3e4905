//! Deleting the resource group (000/002 "Delete a workspace"; 004 ワークスペースを削除する):
//! `az group delete -g <resource-group-name>` deletes the workspace and everything in the group.

use serde_json::json;

use crate::*;

#[test]
fn group_delete_removes_the_workspace_and_its_dependents() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-gone", "ws-gone");
    let other = w.group("rg-stays");
    let ws2 = w.name("ws-stays");
    w.run(&format!("ml workspace create -w {ws2} -g {other}")).ok();
    // Exactly as the seeds write it (az prompts for confirmation; the answer is `y`).
    let r = w.run_with(&format!("group delete -g {rg}"), Some("y\n")).ok();
    assert!(r.out.is_empty(), "{}", r.out);
    assert_eq!(w.run(&format!("group exists -n {rg}")).ok().json(), json!(false));
    w.run(&format!("ml workspace show -w {ws} -g {rg}")).arm_error();
    let list = w.run("ml workspace list").ok().json();
    assert!(!list.as_array().unwrap().iter().any(|i| i["workspaceName"] == ws.as_str()), "{list}");
    assert!(
        list.as_array().unwrap().iter().any(|i| i["workspaceName"] == ws2.as_str()),
        "the other group's workspace stays: {list}"
    );
    let deleted = w.run("ml workspace list-deleted").ok().json();
    assert!(
        !deleted.as_array().unwrap().iter().any(|d| d["name"] == ws.as_str()),
        "nothing of it stays soft-deleted: {deleted}"
    );
    // The name is usable again in a new group of the same name.
    if !w.external() {
        w.run(&format!("group create --name {rg} --location {}", w.loc)).ok();
        w.run(&format!("ml workspace create -w {ws} -g {rg}")).ok();
    }
}

#[test]
fn group_delete_declined_keeps_everything() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-keep", "ws-keep");
    // Answering `n` cancels (the exit code is not documented; az reports "Operation cancelled.").
    let r = w.run_with(&format!("group delete -g {rg}"), Some("n\n"));
    assert!(r.out.is_empty(), "{}", r.out);
    w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok();
}
