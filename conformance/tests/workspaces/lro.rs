//! The asynchronous LRO modes (reference §4.7): PUT answers 200 with a non-terminal
//! `provisioningState` and `Azure-AsyncOperation` (…/workspaceOperationsStatus/…) + `Location`;
//! DELETE answers 202 + `Location`; resyncKeys 200 (sync) or 202 (async). No sleeps: the
//! operations complete on the configured poll.

use conformance::*;
use serde_json::json;

use crate::*;

#[test]
fn async_put_reports_creating_and_completes_on_the_second_poll() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.settings(json!({"lro": {"workspaces/*": "polls:2"}}));
    let r = put_ws(&t, "rg1", "ws1", json!({}));
    assert_eq!(r.status, 200, "async PUT still answers 200, never 201: {r:?}");
    let w = r.json();
    assert_eq!(w["properties"]["provisioningState"], "Creating");
    assert_eq!(r.header("retry-after"), Some("1"));
    let status_url =
        r.header("azure-asyncoperation").unwrap_or_else(|| panic!("Azure-AsyncOperation: {:?}", r.headers)).to_string();
    assert!(status_url.starts_with(t.base()), "{status_url}");
    assert!(
        status_url.contains(&format!("/subscriptions/{}/providers/Microsoft.MachineLearningServices/locations/{LOCATION}/workspaceOperationsStatus/", t.subscription)),
        "{status_url}"
    );
    assert!(status_url.contains(&format!("api-version={ML_API}")), "{status_url}");
    let location = r.header("location").unwrap_or_else(|| panic!("Location: {:?}", r.headers)).to_string();
    assert!(location.starts_with(t.base()), "{location}");
    // While it runs, GET shows Creating.
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["provisioningState"], "Creating");

    let s1 = t.get(&status_url).expect(200).json();
    assert_eq!(s1["status"], "InProgress", "{s1}");
    assert!(s1["startTime"].is_string());
    let s2 = t.get(&status_url).expect(200).json();
    assert_eq!(s2["status"], "Succeeded", "{s2}");
    assert!(s2["endTime"].is_string());
    let g = get_ws(&t, "rg1", "ws1").expect(200).json();
    assert_eq!(g["properties"]["provisioningState"], "Succeeded");
    assert_eq!(g["properties"]["workspaceId"], w["properties"]["workspaceId"]);
    // The Location URL answers the final workspace.
    let l = t.get(&location).expect(200).json();
    assert_eq!(l["properties"]["provisioningState"], "Succeeded");
}

#[test]
fn async_put_completes_through_the_location_url() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.lro("workspaces/create", "polls:2");
    let r = put_ws(&t, "rg1", "ws1", json!({})).expect(200);
    let location = r.header("location").expect("Location").to_string();
    let first = t.get(&location);
    assert_eq!(first.status, 202, "{first:?}");
    assert!(first.header("location").is_some());
    let done = t.get(&location).expect(200).json();
    assert_eq!(done["name"], "ws1");
    assert_eq!(done["properties"]["provisioningState"], "Succeeded");
}

#[test]
fn async_patch_reports_updating() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    t.lro("workspaces/*", "polls:1");
    let r = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"description": "d"}})).expect(200);
    assert_eq!(r.json()["properties"]["provisioningState"], "Updating");
    let status = t.get(r.header("azure-asyncoperation").expect("Azure-AsyncOperation")).expect(200).json();
    assert_eq!(status["status"], "Succeeded");
    let g = get_ws(&t, "rg1", "ws1").expect(200).json();
    assert_eq!(g["properties"]["provisioningState"], "Succeeded");
    assert_eq!(g["properties"]["description"], "d");
}

#[test]
fn async_delete_answers_202_and_soft_deletes_when_done() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    t.settings(json!({"lro": {"workspaces/*": "polls:2"}}));
    let r = t.delete(&mlv(&ws_path(&t, "rg1", "ws1")));
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(r.header("retry-after"), Some("1"));
    let location = r.header("location").unwrap_or_else(|| panic!("Location: {:?}", r.headers)).to_string();
    assert!(location.starts_with(t.base()), "{location}");
    // Still there while deleting.
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["provisioningState"], "Deleting");
    let p1 = t.get(&location);
    assert_eq!(p1.status, 202, "{p1:?}");
    let p2 = t.get(&location);
    assert_eq!(p2.status, 200, "{p2:?}");
    check_error(&get_ws(&t, "rg1", "ws1"), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    let (by_group, _) = deleted(&t, "rg1");
    assert_eq!(by_group.len(), 1, "soft-deleted, not purged");
    assert_eq!(by_group[0]["name"], "ws1");
}

#[test]
fn async_purge_removes_it_for_good() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    t.lro("workspaces/delete", "polls:1");
    let r = t.delete(&mlv(&format!("{}?forceToPurge=true", ws_path(&t, "rg1", "ws1")))).expect(202);
    t.get(r.header("location").expect("Location")).expect(200);
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty());
}

#[test]
fn resync_keys_is_200_sync_and_202_async() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let path = mlv(&format!("{}/resyncKeys", ws_path(&t, "rg1", "ws1")));
    let r = t.post(&path, &json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.is_empty(), "resyncKeys answers no body: {r:?}");
    t.lro("workspaces/*", "polls:2");
    let a = t.post(&path, &json!({}));
    assert_eq!(a.status, 202, "{a:?}");
    let location = a.header("location").expect("Location").to_string();
    t.get(&location).expect(202);
    t.get(&location).expect(200);
    // Missing workspace: 404.
    let m = t.post(&mlv(&format!("{}/resyncKeys", ws_path(&t, "rg1", "nows"))), &json!({}));
    check_error(&m, 404, "ResourceNotFound", &ws_not_found("rg1", "nows"));
}

#[test]
fn failed_async_create_ends_failed() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.lro("workspaces/create", "polls:1:fail");
    let r = put_ws(&t, "rg1", "ws1", json!({})).expect(200);
    let s = t.get(r.header("azure-asyncoperation").expect("Azure-AsyncOperation")).expect(200).json();
    assert_eq!(s["status"], "Failed", "{s}");
    assert_eq!(s["error"]["code"], "InternalOperationError");
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["provisioningState"], "Failed");
}

#[test]
fn seconds_mode_completes_when_the_clock_passes() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.lro("workspaces/*", "seconds:30");
    let r = put_ws(&t, "rg1", "ws1", json!({})).expect(200);
    let status_url = r.header("azure-asyncoperation").expect("Azure-AsyncOperation").to_string();
    for _ in 0..3 {
        assert_eq!(t.get(&status_url).expect(200).json()["status"], "InProgress", "the frozen clock freezes progress");
    }
    t.advance(29);
    assert_eq!(t.get(&status_url).expect(200).json()["status"], "InProgress");
    t.advance(1);
    assert_eq!(t.get(&status_url).expect(200).json()["status"], "Succeeded");
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["provisioningState"], "Succeeded");
    // DELETE in the same mode: 202 until 30 s have passed.
    let d = t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(202);
    let location = d.header("location").expect("Location").to_string();
    t.get(&location).expect(202);
    t.advance(30);
    t.get(&location).expect(200);
    check_error(&get_ws(&t, "rg1", "ws1"), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
}
