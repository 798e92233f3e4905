//! The request journal (`/_emulator/journal`: entries, filters, the ring bound, clearing, the
//! live stream) and subscriptions on demand (`/_emulator/subscriptions/{id}`, and reset and
//! state export/import of one subscription), with the test-control API's Origin and
//! content-type rules on the new routes.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use armemu::config::{DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID};
use conformance::*;
use serde_json::{json, Value};

const OTHER_SUB: &str = "5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f";

fn journal(t: &Target, query: &str) -> Vec<Value> {
    let v = t.control("GET", &format!("journal{query}"), None).expect(200).json();
    v["value"].as_array().expect("value").clone()
}

fn paths(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| e["path"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_put_is_recorded_with_its_operation_status_api_version_principal_and_changes() {
    let t = require_emulator!();
    t.put(&av(&t.rg("jr")), &json!({"location": "westeurope"})).expect(201);
    let entries = journal(&t, "?operationId=ResourceGroups_CreateOrUpdate");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e["method"], "PUT");
    assert_eq!(e["path"], t.rg("jr"));
    assert_eq!(e["operationId"], "ResourceGroups_CreateOrUpdate");
    assert_eq!(e["apiVersion"], API);
    assert_eq!(e["status"], 201);
    assert_eq!(e["errorCode"], Value::Null);
    assert_eq!(e["subscription"], DEFAULT_SUBSCRIPTION_ID);
    assert_eq!(e["time"], "2026-01-01T00:00:00.0000000Z");
    assert!(e["principal"].as_str().is_some_and(|p| !p.is_empty()), "{e}");
    assert!(is_guid(e["requestId"].as_str().unwrap()));
    assert!(e["correlationId"].is_string() && e["wallTime"].is_string() && e["latencyMs"].is_number());
    assert!(e["requestBytes"].as_u64().unwrap() > 0 && e["responseBytes"].as_u64().unwrap() > 0);
    let changes = e["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["change"], "putGroup");
    assert_eq!(changes[0]["group"]["name"], "jr");
    // A read commits nothing.
    t.get(&av(&t.rg("jr"))).expect(200);
    let reads = journal(&t, "?operationId=ResourceGroups_Get");
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["changes"], json!([]));
    // The principal filter finds the caller's requests.
    let who = e["principal"].as_str().unwrap();
    assert_eq!(journal(&t, &format!("?principal={}", qv(who))).len(), 2);
    assert!(journal(&t, "?principal=nobody").is_empty());
}

#[test]
fn a_template_deployment_records_every_commit_of_its_request() {
    let t = require_emulator!();
    t.create_group("dep", "westeurope");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2019-06-01", "name": "sa1",
             "location": "westeurope", "sku": {"name": "Standard_LRS"}},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2019-06-01", "name": "sa2",
             "location": "westeurope", "sku": {"name": "Standard_LRS"}}
        ]
    });
    let path = format!("{}/providers/Microsoft.Resources/deployments/d1", t.rg("dep"));
    let r = t.put(&av(&path), &json!({"properties": {"mode": "Incremental", "template": template}}));
    assert!(r.status == 200 || r.status == 201, "{r:?}");
    let entries = journal(&t, &format!("?pathPrefix={}", qv(&path)));
    assert_eq!(entries.len(), 1, "{entries:?}");
    let puts: Vec<&Value> = entries[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "putResource" && c["resource"]["type"] == "Microsoft.Storage/storageAccounts")
        .collect();
    assert!(puts.len() >= 2, "both storage accounts are in the deployment's entry: {entries:?}");
}

#[test]
fn a_failed_request_is_recorded_with_its_error_code() {
    let t = require_emulator!();
    t.get(&av(&t.rg("missing"))).expect(404);
    t.get(&t.rg("missing")).expect(400);
    let failed = journal(&t, "?status=4xx");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0]["status"], 404);
    assert_eq!(failed[0]["errorCode"], "ResourceGroupNotFound");
    assert_eq!(failed[1]["errorCode"], "MissingApiVersionParameter");
    assert_eq!(journal(&t, "?status=404").len(), 1);
    assert!(journal(&t, "?status=2xx").is_empty());
    check_error_prefix(&t.control("GET", "journal?status=abc", None), 400, "InvalidEmulatorRequest", "'status'");
    check_error_prefix(&t.control("GET", "journal?since=yesterday", None), 400, "InvalidEmulatorRequest", "'since'");
}

#[test]
fn filters_select_by_subscription_path_prefix_and_time() {
    let t = require_emulator!();
    t.control("PUT", &format!("subscriptions/{OTHER_SUB}"), Some(&json!({"displayName": "Other"}))).expect(201);
    t.create_group("a", "westeurope");
    t.put(&av(&format!("/subscriptions/{OTHER_SUB}/resourceGroups/b")), &json!({"location": "westeurope"})).expect(201);
    t.advance(60);
    t.get(&av(&t.rg("a"))).expect(200);
    let other = journal(&t, &format!("?subscription={OTHER_SUB}"));
    assert_eq!(
        paths(&other),
        [format!("/_emulator/subscriptions/{OTHER_SUB}"), format!("/subscriptions/{OTHER_SUB}/resourceGroups/b")]
    );
    let mine = journal(&t, &format!("?subscription={DEFAULT_SUBSCRIPTION_ID}"));
    assert_eq!(paths(&mine), [t.rg("a"), t.rg("a")]);
    let prefixed = journal(&t, &format!("?pathPrefix={}", qv(&format!("/SUBSCRIPTIONS/{OTHER_SUB}"))));
    assert_eq!(prefixed.len(), 1);
    let late = journal(&t, "?since=2026-01-01T00:00:30Z");
    // An entry's time is the emulator clock when the request arrived (before an advance).
    assert_eq!(paths(&late), [t.rg("a")]);
    // Control calls are recorded; the journal's own are not.
    assert!(journal(&t, "").iter().all(|e| !e["path"].as_str().unwrap().starts_with("/_emulator/journal")));
    // Empty values filter nothing (a form with empty fields sends them); they were a 400.
    let all = journal(&t, "");
    assert_eq!(journal(&t, "?status=&since=&operationId=&subscription=&principal=&pathPrefix=").len(), all.len());
    // A value that is given must still be valid.
    check_error_prefix(
        &t.control("GET", "journal?status=abc", None),
        400,
        "InvalidEmulatorRequest",
        "'status' must be",
    );
}

#[test]
fn the_ring_keeps_the_newest_entries() {
    let t = Target::with_config(|c| c.journal_size = 3);
    for name in ["r1", "r2", "r3", "r4", "r5"] {
        t.create_group(name, "westeurope");
    }
    assert_eq!(paths(&journal(&t, "")), [t.rg("r3"), t.rg("r4"), t.rg("r5")]);
}

#[test]
fn clear_empties_the_journal() {
    let t = require_emulator!();
    t.create_group("c", "westeurope");
    assert!(!journal(&t, "").is_empty());
    t.control("DELETE", "journal", None).expect(204);
    assert!(journal(&t, "").is_empty());
    t.get(&av(&t.rg("c"))).expect(200);
    assert_eq!(journal(&t, "").len(), 1);
}

/// Reads from `s` until `pred` holds for what was read (or panics after 10 s).
fn read_until(s: &mut std::net::TcpStream, buf: &mut String, pred: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut chunk = [0u8; 4096];
    while !pred(buf) {
        assert!(Instant::now() < deadline, "timed out; read so far: {buf}");
        match s.read(&mut chunk) {
            Ok(0) => panic!("stream ended; read so far: {buf}"),
            Ok(n) => buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading the stream: {e}"),
        }
    }
}

#[test]
fn the_stream_yields_entries_for_requests_made_after_connecting() {
    let t = require_emulator!();
    t.create_group("before", "westeurope");
    let addr = t.emu().http.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    write!(s, "GET /_emulator/journal/stream HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut buf = String::new();
    read_until(&mut s, &mut buf, |b| b.contains("\r\n\r\n"));
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(buf.to_ascii_lowercase().contains("content-type: application/x-ndjson"), "{buf}");
    t.create_group("after", "westeurope");
    read_until(&mut s, &mut buf, |b| b.contains("/after\""));
    assert!(!buf.contains("/before\""), "only requests after connecting: {buf}");
    let line = buf.lines().find(|l| l.contains("/after\"")).unwrap();
    let e: Value = serde_json::from_str(line).unwrap();
    assert_eq!(e["operationId"], "ResourceGroups_CreateOrUpdate");
    assert_eq!(e["changes"][0]["change"], "putGroup");
}

#[test]
fn the_stream_ends_when_the_server_stops() {
    let t = Target::in_process();
    let addr = t.emu().http.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET /_emulator/journal/stream HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut buf = String::new();
    read_until(&mut s, &mut buf, |b| b.contains("\r\n\r\n"));
    let started = Instant::now();
    drop(t);
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(started.elapsed() < Duration::from_secs(5), "the stream ended with the server");
    assert!(String::from_utf8_lossy(&rest).ends_with("0\r\n\r\n"), "a complete chunked body: {rest:?}");
}

// ---- subscriptions on demand ----

fn groups(t: &Target, sub: &str) -> Vec<String> {
    let v = t.get(&av(&format!("/subscriptions/{sub}/resourcegroups"))).expect(200).json();
    v["value"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_subscription_is_created_updated_and_deleted_on_demand() {
    let t = require_emulator!();
    let path = format!("subscriptions/{OTHER_SUB}");
    t.get(&av(&format!("/subscriptions/{OTHER_SUB}"))).expect(404);
    let created = t.control("PUT", &path, Some(&json!({"displayName": "Team B"}))).expect(201).json();
    assert_eq!(
        created,
        json!({"subscriptionId": OTHER_SUB, "displayName": "Team B", "tenantId": DEFAULT_TENANT_ID, "state": "Enabled"})
    );
    let arm = t.get(&av(&format!("/subscriptions/{OTHER_SUB}"))).expect(200).json();
    assert_eq!(arm["displayName"], "Team B");
    // The default registrations, as configured subscriptions have.
    let storage = t.get(&av(&format!("/subscriptions/{OTHER_SUB}/providers/Microsoft.Storage"))).expect(200).json();
    let default = t.get(&av(&format!("{}/providers/Microsoft.Storage", t.sub()))).expect(200).json();
    assert_eq!(storage["registrationState"], default["registrationState"]);
    t.put(&av(&format!("/subscriptions/{OTHER_SUB}/resourceGroups/b1")), &json!({"location": "westeurope"}))
        .expect(201);
    t.create_group("mine", "westeurope");
    // An update keeps the contents.
    let updated = t.control("PUT", &path, Some(&json!({"state": "Disabled"}))).expect(200).json();
    assert_eq!(updated["displayName"], "Team B");
    assert_eq!(updated["state"], "Disabled");
    assert_eq!(groups(&t, OTHER_SUB), ["b1"]);
    assert_eq!(t.control("GET", &path, None).expect(200).json(), updated);
    // Deleting removes it and everything in it, and nothing else.
    t.control("DELETE", &path, None).expect(204);
    t.get(&av(&format!("/subscriptions/{OTHER_SUB}"))).expect(404);
    t.control("GET", &path, None).expect(404);
    t.control("DELETE", &path, None).expect(404);
    assert_eq!(groups(&t, DEFAULT_SUBSCRIPTION_ID), ["mine"]);
    // Created again, it is empty.
    t.control("PUT", &path, Some(&json!({}))).expect(201);
    assert!(groups(&t, OTHER_SUB).is_empty());
}

#[test]
fn a_subscription_needs_a_guid_and_an_existing_tenant() {
    let t = require_emulator!();
    check_error_prefix(
        &t.control("PUT", "subscriptions/not-a-guid", Some(&json!({}))),
        400,
        "InvalidEmulatorRequest",
        "the subscription id",
    );
    let r = t.control("PUT", &format!("subscriptions/{OTHER_SUB}"), Some(&json!({"tenantId": OTHER_SUB})));
    check_error(&r, 400, "InvalidEmulatorRequest", &format!("the tenant '{OTHER_SUB}' does not exist"));
    let r = t.control("PUT", &format!("subscriptions/{OTHER_SUB}"), Some(&json!({"displayName": 3})));
    check_error(&r, 400, "InvalidEmulatorRequest", "'displayName' must be a non-empty string");
    t.get(&av(&format!("/subscriptions/{OTHER_SUB}"))).expect(404);
}

#[test]
fn reset_of_one_subscription_leaves_the_others_alone() {
    let t = require_emulator!();
    t.control("PUT", &format!("subscriptions/{OTHER_SUB}"), Some(&json!({}))).expect(201);
    t.put(&av(&format!("/subscriptions/{OTHER_SUB}/resourceGroups/b1")), &json!({"location": "westeurope"}))
        .expect(201);
    t.create_group("mine", "westeurope");
    t.control("POST", &format!("reset?subscription={OTHER_SUB}"), None).expect(204);
    assert!(groups(&t, OTHER_SUB).is_empty());
    assert_eq!(groups(&t, DEFAULT_SUBSCRIPTION_ID), ["mine"]);
    t.get(&av(&format!("/subscriptions/{OTHER_SUB}/providers/Microsoft.Storage"))).expect(200);
    // A configured subscription deleted since comes back.
    t.control("DELETE", &format!("subscriptions/{DEFAULT_SUBSCRIPTION_ID}"), None).expect(204);
    t.get(&av(&t.sub())).expect(404);
    t.control("POST", &format!("reset?subscription={DEFAULT_SUBSCRIPTION_ID}"), None).expect(204);
    t.get(&av(&t.sub())).expect(200);
    assert!(groups(&t, DEFAULT_SUBSCRIPTION_ID).is_empty());
    t.control("POST", "reset?subscription=0c0c0c0c-0000-4000-8000-000000000000", None).expect(404);
}

#[test]
fn one_subscription_is_exported_and_imported_alone() {
    let t = require_emulator!();
    t.control("PUT", &format!("subscriptions/{OTHER_SUB}"), Some(&json!({"displayName": "Other"}))).expect(201);
    let other_rg = format!("/subscriptions/{OTHER_SUB}/resourceGroups/b1");
    t.put(&av(&other_rg), &json!({"location": "westeurope"})).expect(201);
    t.put(
        &format!("{other_rg}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2019-06-01"),
        &json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}}),
    )
    .expect(200);
    t.create_group("mine", "westeurope");
    let doc = t.control("GET", &format!("state?subscription={OTHER_SUB}"), None).expect(200).json();
    assert_eq!(doc["format"], "armemu-state");
    let subs: Vec<&str> =
        doc["subscriptions"].as_array().unwrap().iter().map(|s| s["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(subs, [OTHER_SUB]);
    assert_eq!(doc["resourceGroups"].as_array().unwrap().len(), 1);
    assert_eq!(doc["resources"].as_array().unwrap().len(), 1);
    // Into a fresh emulator: only that subscription arrives, the default one is untouched.
    let u = Target::in_process();
    u.create_group("theirs", "westeurope");
    let r = u.control("PUT", &format!("state?subscription={OTHER_SUB}"), Some(&doc)).expect(200).json();
    assert_eq!(r, json!({"subscriptions": 1, "resourceGroups": 1, "resources": 1}));
    assert_eq!(groups(&u, OTHER_SUB), ["b1"]);
    assert_eq!(groups(&u, DEFAULT_SUBSCRIPTION_ID), ["theirs"]);
    assert_eq!(u.control("GET", &format!("state?subscription={OTHER_SUB}"), None).expect(200).json(), doc);
    // Back into the first after changes: the subscription returns to the document.
    t.delete(&av(&other_rg)).expect(200);
    t.control("PUT", &format!("state?subscription={OTHER_SUB}"), Some(&doc)).expect(200);
    assert_eq!(groups(&t, OTHER_SUB), ["b1"]);
    assert_eq!(groups(&t, DEFAULT_SUBSCRIPTION_ID), ["mine"]);
    // Errors.
    t.control("GET", "state?subscription=0c0c0c0c-0000-4000-8000-000000000000", None).expect(404);
    let r = t.control("PUT", "state?subscription=0c0c0c0c-0000-4000-8000-000000000000", Some(&doc));
    check_error_prefix(&r, 400, "InvalidEmulatorRequest", "the document does not hold the subscription");
}

#[rstest::rstest]
#[case::journal_clear("DELETE", "/_emulator/journal")]
#[case::put_subscription("PUT", "/_emulator/subscriptions/5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f")]
#[case::delete_subscription("DELETE", "/_emulator/subscriptions/9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01")]
#[case::reset_subscription("POST", "/_emulator/reset?subscription=9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01")]
#[case::import_subscription("PUT", "/_emulator/state?subscription=9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01")]
fn new_control_writes_follow_the_origin_and_content_type_rules(#[case] method: &str, #[case] path: &str) {
    let t = require_emulator!();
    let r = t.request(
        method,
        path,
        &[("Origin", "https://evil.example"), ("Content-Type", "text/plain")],
        Some(b"{}".to_vec()),
    );
    check_error_prefix(&r, 403, "ForbiddenOrigin", "");
    let r = t.request(method, path, &[("Content-Type", "text/plain")], Some(b"{}".to_vec()));
    check_error_prefix(&r, 415, "UnsupportedMediaType", "");
    // Nothing changed.
    t.get(&av(&t.sub())).expect(200);
    t.get(&av(&format!("/subscriptions/{OTHER_SUB}"))).expect(404);
    let r = t.request("GET", "/_emulator/journal/stream", &[("Origin", "https://evil.example")], None);
    check_error_prefix(&r, 403, "ForbiddenOrigin", "");
}
