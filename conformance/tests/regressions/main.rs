//! Regression tests for the defects found under load and bad input (issue 16, "Every state
//! change a value"; `shared/reviews/2026-12-reliability.md`). Each test is named after the issue
//! and failed on the tree before the fix (commit 3098286).
//!
//! They talk raw HTTP to an in-process emulator (frozen clock, seeded ids), like the scenario
//! suites. Time moves only through `/_emulator/clock`; nothing sleeps. The concurrent test runs
//! writers for a fixed amount of work (not of time) and then checks invariants.

use std::sync::Arc;
use std::thread;

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

const ML: &str = "2024-04-01";
const NS: &str = "Microsoft.MachineLearningServices";
const DAY: u64 = 86_400;

fn ws_path(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}?api-version={ML}", t.rg(rg))
}

fn storage_path(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Storage/storageAccounts/{name}?api-version=2023-01-01", t.rg(rg))
}

fn state(t: &Target) -> Value {
    t.control("GET", "state", None).expect(200).json()
}

/// Every resource of an exported state lies in a group that exists, under the group's name.
#[track_caller]
fn assert_no_orphans(doc: &Value) {
    let groups: Vec<String> = doc["resourceGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "/subscriptions/{}/resourcegroups/{}/",
                g["subscriptionId"].as_str().unwrap(),
                g["name"].as_str().unwrap()
            )
            .to_lowercase()
        })
        .collect();
    for r in doc["resources"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap().to_lowercase();
        if !id.contains("/resourcegroups/") {
            continue;
        }
        assert!(
            groups.iter().any(|g| id.starts_with(g)),
            "resource {id} outlives its group (resourceGroup field {:?})",
            r["resourceGroup"]
        );
        assert!(!id.contains("/resourcegroups//"), "resource {id} has an empty group segment");
    }
}

/// issue 16: storage-account PUTs into a group while another client creates and deletes that
/// group left resources whose group no longer existed (`…/resourceGroups//providers/…`); they
/// reappeared inside the next group of that name. The precondition check and the write now
/// happen under one lock acquisition.
#[test]
fn issue_16_no_resource_outlives_its_group_under_concurrent_writes() {
    let t = require_emulator!();
    let base = Arc::new(t.base().to_string());
    let sub = t.subscription.clone();
    const ROUNDS: usize = 500;
    let mut workers = Vec::new();
    {
        let (base, sub) = (base.clone(), sub.clone());
        workers.push(thread::spawn(move || {
            let h = Http::plain(&base, Some("t"));
            let g = format!("/subscriptions/{sub}/resourcegroups/rg1?api-version=2021-04-01");
            for _ in 0..ROUNDS {
                h.put(&g, &json!({"location": "westeurope"}));
                h.delete(&g);
            }
        }));
    }
    for w in 1..=3 {
        let (base, sub) = (base.clone(), sub.clone());
        workers.push(thread::spawn(move || {
            let h = Http::plain(&base, Some("t"));
            for i in 0..ROUNDS * 2 {
                let p = format!(
                    "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa{w}x{i}?api-version=2023-01-01"
                );
                let r = h.put(&p, &json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}}));
                assert!(r.status < 500, "{r:?}");
                if r.status == 201 {
                    // Every id the emulator returns resolves (or is gone with its group).
                    let id = r.json()["id"].as_str().unwrap().to_string();
                    assert!(id.contains("/resourceGroups/rg1/"), "returned id {id}");
                }
            }
        }));
    }
    for w in workers {
        w.join().expect("worker");
    }
    assert_no_orphans(&state(&t));
    let d = t.delete(&av(&t.rg("rg1")));
    assert!(d.status == 200 || d.status == 404, "{d:?}");
    let doc = state(&t);
    assert_no_orphans(&doc);
    assert_eq!(doc["resources"], json!([]), "nothing is left once the only group is gone");
    // A new group of the same name starts empty.
    t.create_group("rg1", "westeurope");
    assert_eq!(t.get(&av(&format!("{}/resources", t.rg("rg1")))).expect(200).json()["value"], json!([]));
}

/// issue 16: finished asynchronous operations were never freed (about 1.4 KB each). At most
/// 1,000 finished ones are kept (and none an hour of emulator time after they ended).
#[test]
fn issue_16_finished_operations_are_freed() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:1");
    for i in 0..1_050 {
        let g = t.create_group(&format!("g{i}"), "westeurope");
        let r = t.delete(&av(&g)).expect(202);
        t.get(r.header("location").expect("Location")).expect(200);
    }
    let h = t.control("GET", "health", None).expect(200).json();
    assert_eq!(h["operationsInFlight"], 0, "{h}");
    assert_eq!(h["operationsRetained"], 1_000, "{h}");
    t.advance(3_600);
    let h = t.control("GET", "health", None).expect(200).json();
    assert_eq!(h["operationsRetained"], 0, "{h}");
}

/// issue 16: `seconds:T` operations stayed `Creating`/`Deleting` forever unless their operation
/// URL was polled. They complete when the clock passes their deadline.
#[test]
fn issue_16_time_based_operations_complete_without_polling() {
    let t = require_emulator!();
    t.create_group("rg1", "eastus");
    t.settings(json!({"lro": {"workspaces/*": "seconds:30", "resourceGroups/delete": "seconds:30"}}));
    let w = t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus"})).expect(200).json();
    assert_eq!(w["properties"]["provisioningState"], "Creating");
    t.create_group("g2", "eastus");
    t.delete(&av(&t.rg("g2"))).expect(202);
    t.advance(29);
    assert_eq!(t.get(&ws_path(&t, "rg1", "ws1")).expect(200).json()["properties"]["provisioningState"], "Creating");
    assert_eq!(t.get(&av(&t.rg("g2"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
    t.advance(1);
    assert_eq!(t.get(&ws_path(&t, "rg1", "ws1")).expect(200).json()["properties"]["provisioningState"], "Succeeded");
    t.get(&av(&t.rg("g2"))).expect(404);
    t.put(&av(&t.rg("g2")), &json!({"location": "eastus"})).expect(201);
}

/// `seconds:T` deadlines are T seconds of emulator time for long T too (the deadline is capped
/// only where it would pass the clock's range).
#[test]
fn long_time_based_operations_end_exactly_at_their_deadline() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "seconds:5000");
    t.create_group("g1", "eastus");
    t.delete(&av(&t.rg("g1"))).expect(202);
    t.advance(4_999);
    assert_eq!(t.get(&av(&t.rg("g1"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
    t.advance(1);
    t.get(&av(&t.rg("g1"))).expect(404);
    // A deadline past the clock's range never comes, and nothing fails.
    t.lro("resourceGroups/delete", "seconds:18446744073709551615");
    t.create_group("g2", "eastus");
    t.delete(&av(&t.rg("g2"))).expect(202);
    t.advance(86_400 * 365);
    assert_eq!(t.get(&av(&t.rg("g2"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
}

/// issue 16: a workspace-create operation polled after its group was deleted reported
/// `Succeeded` for a workspace that does not exist.
#[test]
fn issue_16_create_polled_after_its_group_was_deleted_fails() {
    let t = require_emulator!();
    t.create_group("rg1", "eastus");
    t.lro("workspaces/create", "polls:1");
    let r = t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus"})).expect(200);
    let status = r.header("azure-asyncoperation").expect("Azure-AsyncOperation").to_string();
    t.delete(&av(&t.rg("rg1"))).expect(200);
    let s = t.get(&status).expect(200).json();
    assert_eq!(s["status"], "Failed", "{s}");
    assert_eq!(s["error"]["code"], "ResourceNotFound", "{s}");
    t.get(&ws_path(&t, "rg1", "ws1")).expect(404);
}

/// A minimal workspace record for a state document, in group `g`.
fn workspace_record(t: &Target, g: &str, name: &str, body: Value) -> Value {
    json!({
        "id": format!("{}/providers/{NS}/workspaces/{name}", t.rg_id(g)),
        "type": format!("{NS}/workspaces"),
        "name": name,
        "subscriptionId": t.subscription,
        "resourceGroup": g,
        "body": body,
        "createdTime": "2026-01-01T00:00:00Z",
        "changedTime": "2026-01-01T00:00:00Z",
    })
}

fn group_record(t: &Target, g: &str) -> Value {
    json!({"subscriptionId": t.subscription, "name": g, "location": "eastus", "tags": {}, "managedBy": null,
           "provisioningState": "Succeeded", "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z"})
}

/// issue 16: `PUT /_emulator/state` accepted resource bodies that are not objects (a later
/// PATCH or DELETE answered 500) and resources whose group does not exist. An import is
/// validated like writes and refused with 400 naming the first bad item; nothing changes.
#[rstest]
#[case::number(json!(5))]
#[case::string(json!("x"))]
#[case::array(json!([]))]
#[case::null(json!(null))]
fn issue_16_import_refuses_bodies_that_are_not_objects(#[case] body: Value) {
    let t = require_emulator!();
    t.create_group("keep", "eastus");
    let mut doc = state(&t);
    doc["resourceGroups"] = json!([group_record(&t, "g")]);
    doc["resources"] = json!([workspace_record(&t, "g", "w", body)]);
    let r = t.control("PUT", "state", Some(&doc));
    assert_eq!(r.status, 400, "{r:?}");
    let e = check_envelope(&r);
    assert_eq!(e["code"], "InvalidEmulatorRequest");
    let id = format!("{}/providers/{NS}/workspaces/w", t.rg_id("g"));
    assert!(e["message"].as_str().unwrap().contains(&id), "names the item: {e}");
    t.get(&av(&t.rg("keep"))).expect(200);
    t.get(&av(&t.rg("g"))).expect(404);
}

#[test]
fn issue_16_import_refuses_a_resource_whose_group_does_not_exist() {
    let t = require_emulator!();
    let mut doc = state(&t);
    doc["resourceGroups"] = json!([group_record(&t, "real")]);
    let id = format!("{}/providers/Microsoft.Storage/storageAccounts/orphan", t.rg_id("ghost"));
    doc["resources"] = json!([{
        "id": id, "type": "Microsoft.Storage/storageAccounts", "name": "orphan",
        "subscriptionId": t.subscription, "resourceGroup": "real",
        "body": {"id": id, "name": "orphan", "type": "Microsoft.Storage/storageAccounts", "location": "eastus"},
        "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z",
    }]);
    let r = t.control("PUT", "state", Some(&doc));
    assert_eq!(r.status, 400, "{r:?}");
    let e = check_envelope(&r);
    assert_eq!(e["code"], "InvalidEmulatorRequest");
    assert!(e["message"].as_str().unwrap().contains(&id), "names the item: {e}");
    t.get(&av(&t.rg("real"))).expect(404);
}

/// A workspace whose `properties` is not an object can be imported (it is a JSON object), but
/// writes to it never answer 5xx.
#[test]
fn issue_16_odd_stored_properties_never_give_a_5xx() {
    let t = require_emulator!();
    let mut doc = state(&t);
    doc["resourceGroups"] = json!([group_record(&t, "g")]);
    let id = format!("{}/providers/{NS}/workspaces/w", t.rg_id("g"));
    doc["resources"] = json!([workspace_record(
        &t,
        "g",
        "w",
        json!({"id": id, "name": "w", "type": format!("{NS}/workspaces"), "location": "eastus", "properties": "oops"})
    )]);
    t.control("PUT", "state", Some(&doc)).expect(200);
    let p = t.patch(&ws_path(&t, "g", "w"), &json!({"tags": {"a": "b"}}));
    assert!(p.status < 500, "{p:?}");
    let d = t.delete(&ws_path(&t, "g", "w"));
    assert!(d.status < 500, "{d:?}");
}

/// issue 16: an export larger than the 4 MiB ARM body limit imports back.
#[test]
fn issue_16_exports_larger_than_the_body_limit_import_back() {
    let t = require_emulator!();
    let mut doc = state(&t);
    let groups: Vec<Value> = (0..40).map(|i| group_record(&t, &format!("g{i}"))).collect();
    let mut resources = Vec::new();
    let padding = "x".repeat(5_000);
    for i in 0..1_000 {
        let g = format!("g{}", i % 40);
        let id = format!("{}/providers/Microsoft.Storage/storageAccounts/sa{i}", t.rg_id(&g));
        resources.push(json!({
            "id": id, "type": "Microsoft.Storage/storageAccounts", "name": format!("sa{i}"),
            "subscriptionId": t.subscription, "resourceGroup": g,
            "body": {"id": id, "name": format!("sa{i}"), "type": "Microsoft.Storage/storageAccounts",
                     "location": "eastus", "tags": {"pad": padding}},
            "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z",
        }));
    }
    doc["resourceGroups"] = json!(groups);
    doc["resources"] = json!(resources);
    let size = serde_json::to_vec(&doc).unwrap().len();
    assert!(size > 4 * 1024 * 1024, "the document is {size} bytes");
    t.control("PUT", "state", Some(&doc)).expect(200);
    let back = state(&t);
    assert_eq!(back["resources"].as_array().unwrap().len(), 1_000);
    t.control("PUT", "state", Some(&back)).expect(200);
}

/// issue 16: generic resource names accepted `/` (as `%2F`), NUL and CR/LF; the stored ids did
/// not resolve. They are refused with ARM's invalid resource name error.
#[rstest]
#[case::slash("sa%2Fx", "sa/x")]
#[case::extension_lookalike(
    "sa%2Fproviders%2FMicrosoft.KeyVault%2Fvaults%2Fkv",
    "sa/providers/Microsoft.KeyVault/vaults/kv"
)]
#[case::nul("sa%00x", "sa\u{0}x")]
#[case::crlf("a%0D%0Ab", "a\r\nb")]
#[case::backslash("a%5Cb", "a\\b")]
fn issue_16_generic_names_with_reserved_characters_are_refused(#[case] raw: &str, #[case] name: &str) {
    let t = Target::new();
    let g = t.unique("rg");
    t.create_group(&g, "westeurope");
    let r = t.put(
        &format!("{}/providers/Microsoft.Storage/storageAccounts/{raw}?api-version=2023-01-01", t.rg(&g)),
        &json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}),
    );
    check_error(
        &r,
        400,
        "InvalidResourceName",
        &format!("The resource name '{name}' is invalid. A resource name must not contain '<', '>', '*', '%', '&', ':', '\\', '?', '/', '+', '#' or control characters, and must not end with '.' or a space."),
    );
    assert_eq!(t.get(&av(&format!("{}/resources", t.rg(&g)))).expect(200).json()["value"], json!([]));
}

/// issue 16: setting or advancing the clock past its range made every later request close
/// without an answer. It is refused with 400 and the emulator keeps serving.
#[rstest]
#[case::frozen(false)]
#[case::running(true)]
fn issue_16_clock_past_its_range_is_refused(#[case] running: bool) {
    let t = require_emulator!(|c| if running {
        c.clock = armemu::config::ClockMode::System;
    });
    t.control("POST", "clock/set", Some(&json!({"now": "9999-12-31T00:00:00Z"}))).expect(200);
    let r = t.control("POST", "clock/advance", Some(&json!({"days": 36_500})));
    check_error(&r, 400, "InvalidEmulatorRequest", "the clock cannot move past 9999-12-31T23:59:59Z");
    for _ in 0..3 {
        t.control("GET", "health", None).expect(200);
    }
    t.create_group("still", "westeurope");
}

/// issue 16: a workspace DELETE with a wrong `If-Match` deleted the workspace (must be 412).
#[test]
fn issue_16_workspace_delete_honours_if_match() {
    let t = Target::new();
    let g = t.unique("rg");
    t.create_group(&g, "eastus");
    t.put(&ws_path(&t, &g, "ws1"), &json!({"location": "eastus"})).expect(200);
    let r = t.request("DELETE", &ws_path(&t, &g, "ws1"), &[("If-Match", "\"wrong\"")], None);
    check_error(&r, 412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.");
    t.get(&ws_path(&t, &g, "ws1")).expect(200);
    t.request("DELETE", &ws_path(&t, &g, "ws1"), &[("If-Match", "*")], None).expect(200);
}

/// issue 16: the test-control API obeyed cross-site "simple" requests (a `text/plain` POST
/// from a foreign `Origin` wiped the state) and served any `Host` (DNS rebinding).
#[rstest]
#[case::reset_from_foreign_origin("POST", "/_emulator/reset", &[("Origin", "https://evil.example"), ("Content-Type", "text/plain")], 403, "ForbiddenOrigin")]
#[case::import_from_foreign_origin("POST", "/_emulator/state", &[("Origin", "https://evil.example"), ("Content-Type", "text/plain")], 403, "ForbiddenOrigin")]
#[case::null_origin("POST", "/_emulator/reset", &[("Origin", "null"), ("Content-Type", "application/json")], 403, "ForbiddenOrigin")]
#[case::plain_text_without_origin("POST", "/_emulator/reset", &[("Content-Type", "text/plain")], 415, "UnsupportedMediaType")]
#[case::form("POST", "/_emulator/reset", &[("Content-Type", "application/x-www-form-urlencoded")], 415, "UnsupportedMediaType")]
#[case::foreign_host("GET", "/_emulator/health", &[("Host", "attacker.example")], 400, "InvalidHostName")]
#[case::foreign_host_on_arm("GET", "/subscriptions", &[("Host", "attacker.example:80")], 400, "InvalidHostName")]
fn issue_16_cross_site_requests_are_refused(
    #[case] method: &str,
    #[case] path: &str,
    #[case] headers: &[(&str, &str)],
    #[case] status: u16,
    #[case] code: &str,
) {
    let t = require_emulator!();
    t.create_group("victim", "westeurope");
    let r = t.request(method, path, headers, Some(b"x".to_vec()));
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(check_envelope(&r)["code"], code, "{r:?}");
    t.get(&av(&t.rg("victim"))).expect(200);
}

#[rstest]
#[case::json(&[("Content-Type", "application/json")])]
#[case::custom_header(&[("X-ArmEmu-Control", "1")])]
#[case::loopback_origin(&[("Origin", "http://localhost:3000"), ("Content-Type", "application/json")])]
#[case::loopback_host(&[("Host", "localhost:47080"), ("Content-Type", "application/json")])]
fn issue_16_local_test_control_writes_still_work(#[case] headers: &[(&str, &str)]) {
    let t = require_emulator!();
    t.create_group("temp", "westeurope");
    t.request("POST", "/_emulator/reset", headers, None).expect(204);
    t.get(&av(&t.rg("temp"))).expect(404);
}

/// issue 16: tag names differing only in case were both kept; ARM treats tag names
/// case-insensitively (the first spelling is kept, the last value wins).
#[test]
fn issue_16_tag_names_are_case_insensitive() {
    let t = Target::new();
    let g = t.unique("rg");
    let r = t
        .put(&av(&t.rg(&g)), &json!({"location": "westeurope", "tags": {"env": "1", "Env": "2", "ENV": "3"}}))
        .expect(201);
    assert_eq!(r.json()["tags"], json!({"env": "3"}));
    let sa = t
        .put(&storage_path(&t, &g, "sa1"), &json!({"location": "westeurope", "tags": {"a": "1", "A": "2"}}))
        .expect(200);
    assert_eq!(sa.json()["tags"], json!({"a": "2"}));
}

/// issue 16: a write whose `Content-Type` is not JSON was accepted; ARM answers 415.
#[rstest]
#[case::text_plain(Some("text/plain"), "text/plain")]
#[case::xml(Some("application/xml"), "application/xml")]
#[case::form(Some("application/x-www-form-urlencoded"), "application/x-www-form-urlencoded")]
#[case::none(None, "<null>")]
fn issue_16_writes_must_be_json(#[case] content_type: Option<&str>, #[case] shown: &str) {
    let t = Target::new();
    let g = t.unique("rg");
    let headers: Vec<(&str, &str)> = content_type.iter().map(|c| ("Content-Type", *c)).collect();
    let r = t.request("PUT", &av(&t.rg(&g)), &headers, Some(br#"{"location":"westeurope"}"#.to_vec()));
    check_error(
        &r,
        415,
        "UnsupportedMediaType",
        &format!("The content media type '{shown}' is not supported. Only 'application/json' is supported."),
    );
    t.get(&av(&t.rg(&g))).expect(404);
    // JSON with a charset, and a bodiless POST action, are fine.
    t.request(
        "PUT",
        &av(&t.rg(&g)),
        &[("Content-Type", "application/json; charset=utf-8")],
        Some(br#"{"location":"westeurope"}"#.to_vec()),
    )
    .expect(201);
}

/// The soft-delete retention ends exactly at the purge instant: the name is free and the
/// deleted list is empty at that instant, not one second later (mutation-test survivor).
#[rstest]
#[case::name_is_free(true)]
#[case::deleted_list_is_empty(false)]
fn soft_delete_expires_exactly_at_the_purge_instant(#[case] probe_name: bool) {
    let t = require_emulator!();
    t.create_group("rg1", "eastus");
    t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus", "properties": {"softDeleteRetentionInDays": 1}}))
        .expect(200);
    t.delete(&ws_path(&t, "rg1", "ws1")).expect(200);
    let deleted = format!("{}/providers/{NS}/deletedWorkspaces?api-version={ML}", t.rg("rg1"));
    t.advance(DAY - 1);
    assert_eq!(t.get(&deleted).expect(200).json()["value"].as_array().unwrap().len(), 1);
    t.advance(1);
    if probe_name {
        let w = t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus"}));
        assert_eq!(w.status, 200, "the name is free at the purge instant: {w:?}");
    } else {
        assert_eq!(t.get(&deleted).expect(200).json()["value"], json!([]), "purged at the instant");
    }
}

/// `If-None-Match: *` refuses a PUT over an existing workspace (mutation-test survivor: only
/// groups had a precondition test).
#[test]
fn workspace_put_honours_if_none_match() {
    let t = Target::new();
    let g = t.unique("rg");
    t.create_group(&g, "eastus");
    let body = serde_json::to_vec(&json!({"location": "eastus"})).unwrap();
    let h = [("If-None-Match", "*"), ("Content-Type", "application/json")];
    t.request("PUT", &ws_path(&t, &g, "ws1"), &h, Some(body.clone())).expect(200);
    let r = t.request("PUT", &ws_path(&t, &g, "ws1"), &h, Some(body));
    check_error(&r, 412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.");
}

/// `$top` is capped at 1000 items a page (mutation-test survivor).
#[test]
fn top_is_capped_at_1000() {
    let t = require_emulator!();
    let mut doc = state(&t);
    doc["resourceGroups"] = json!((0..1_005).map(|i| group_record(&t, &format!("g{i:04}"))).collect::<Vec<_>>());
    t.control("PUT", "state", Some(&doc)).expect(200);
    let page = t.get(&av(&format!("{}/resourcegroups?$top=5000", t.sub()))).expect(200).json();
    assert_eq!(page["value"].as_array().unwrap().len(), 1_000);
    let next = page["nextLink"].as_str().expect("nextLink");
    assert_eq!(t.get(next).expect(200).json()["value"].as_array().unwrap().len(), 5);
}

// ---- found by the concurrent fuzz phase ----

/// A group deleted asynchronously, created again and deleted again: ARM's job token repeats
/// for the same group, and the second delete collided with the finished first one (500).
#[test]
fn issue_16_a_recreated_group_can_be_deleted_again_asynchronously() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:1");
    for _ in 0..2 {
        let g = t.create_group("again", "westeurope");
        let r = t.delete(&av(&g)).expect(202);
        t.get(r.header("location").expect("Location")).expect(200);
        t.get(&av(&g)).expect(404);
    }
}

/// A private endpoint connection PUT under another casing of its name updates it (the first
/// casing stays) instead of failing with 500.
#[test]
fn issue_16_a_connection_keeps_its_first_casing() {
    let t = require_emulator!();
    t.create_group("rg1", "eastus");
    t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus"})).expect(200);
    let pe = |name: &str| {
        format!("{}/providers/{NS}/workspaces/ws1/privateEndpointConnections/{name}?api-version={ML}", t.rg("rg1"))
    };
    let first = t.put(&pe("pe1"), &json!({"properties": {}})).expect(200).json();
    let again = t
        .put(&pe("PE1"), &json!({"properties": {"privateLinkServiceConnectionState": {"status": "Rejected"}}}))
        .expect(200)
        .json();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["name"], "pe1");
    let ws = t.get(&ws_path(&t, "rg1", "ws1")).expect(200).json();
    assert_eq!(ws["properties"]["privateLinkCount"], 1);
    assert_eq!(
        ws["properties"]["privateEndpointConnections"][0]["properties"]["privateLinkServiceConnectionState"]["status"],
        "Rejected"
    );
}

/// A move onto a name the target group holds is refused (it replaced the target's resource, or
/// answered 500 when the casing differed).
#[rstest]
#[case::same_casing("sa1")]
#[case::other_casing("SA1")]
fn issue_16_a_move_never_replaces_a_resource(#[case] existing: &str) {
    let t = require_emulator!();
    t.create_group("from", "westeurope");
    t.create_group("to", "westeurope");
    let moving = t
        .put(&storage_path(&t, "from", "sa1"), &json!({"location": "westeurope", "tags": {"who": "mover"}}))
        .expect(200)
        .json();
    t.put(&storage_path(&t, "to", existing), &json!({"location": "westeurope", "tags": {"who": "resident"}}))
        .expect(200);
    let r = t.post(
        &av(&format!("{}/moveResources", t.rg("from"))),
        &json!({"resources": [moving["id"]], "targetResourceGroup": t.rg_id("to")}),
    );
    check_error(
        &r,
        409,
        "Conflict",
        "The resource 'Microsoft.Storage/storageAccounts/sa1' cannot be moved: a resource of that type and name exists in the target resource group 'to'.",
    );
    assert_eq!(t.get(&storage_path(&t, "to", "sa1")).expect(200).json()["tags"]["who"], "resident");
    assert_eq!(t.get(&storage_path(&t, "from", "sa1")).expect(200).json()["tags"]["who"], "mover");
}

/// Role assignments on a soft-deleted workspace answer 404 and are not listed either (they
/// were listed at group and subscription scope); recovery brings them back.
#[test]
fn issue_16_assignments_of_a_soft_deleted_workspace_are_hidden_until_recovery() {
    let t = require_emulator!();
    t.create_group("rg1", "eastus");
    t.put(&ws_path(&t, "rg1", "ws1"), &json!({"location": "eastus"})).expect(200);
    let ra = format!(
        "{}/providers/{NS}/workspaces/ws1/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff?api-version=2022-04-01",
        t.rg("rg1")
    );
    let role =
        format!("{}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", t.sub());
    t.put(
        &ra,
        &json!({"properties": {"roleDefinitionId": role, "principalId": "ce2ce14e-85d7-4629-bdbc-454d0519d987"}}),
    )
    .expect(201);
    let listed = |t: &Target| {
        [t.sub(), t.rg("rg1")]
            .iter()
            .map(|scope| {
                t.get(&format!("{scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"))
                    .expect(200)
                    .json()["value"]
                    .as_array()
                    .unwrap()
                    .len()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&t), [1, 1]);
    t.delete(&ws_path(&t, "rg1", "ws1")).expect(200);
    t.get(&ra).expect(404);
    assert_eq!(listed(&t), [0, 0]);
    t.put(
        &ws_path(&t, "rg1", "ws1"),
        &json!({"location": "eastus", "properties": {"allowRecoverSoftDeletedWorkspace": "True"}}),
    )
    .expect(200);
    t.get(&ra).expect(200);
    assert_eq!(listed(&t), [1, 1]);
}
