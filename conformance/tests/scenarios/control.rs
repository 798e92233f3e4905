//! The test-control API under `/_emulator/` (SPEC §4) and preloading state at start.

use armemu::config::{DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID};
use conformance::*;
use serde_json::{json, Value};

#[test]
fn health() {
    let t = require_emulator!();
    let h = t.control("GET", "health", None).expect(200).json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["http"], t.emu().http.as_str());
    assert_eq!(h["https"], t.emu().https.as_str());
    assert!(h["http"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(h["https"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    let ca = h["ca"].as_str().unwrap();
    assert!(std::path::Path::new(ca).exists(), "CA file {ca} exists");
    assert!(std::fs::read_to_string(ca).unwrap().contains("BEGIN CERTIFICATE"));
    assert_eq!(h["clock"], "2026-01-01T00:00:00.0000000Z");
    // No token needed, no api-version needed.
    assert_eq!(t.anonymous().get("/_emulator/health").status, 200);
}

#[test]
fn export_then_import_restores_a_group() {
    let t = require_emulator!();
    t.put(&av(&t.rg("Keep")), &json!({"location": "westeurope", "tags": {"k": "v"}})).expect(201);
    t.put(
        &format!("{}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2019-06-01", t.rg("Keep")),
        &json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}}),
    )
    .expect(200);
    let before_group = t.get(&av(&t.rg("Keep"))).expect(200).json();
    let doc = t.control("GET", "state", None).expect(200).json();
    assert_eq!(doc["format"], "armemu-state");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["resourceGroups"].as_array().unwrap().len(), 1);
    t.delete(&av(&t.rg("Keep"))).expect(200);
    t.get(&av(&t.rg("Keep"))).expect(404);
    let r = t.control("PUT", "state", Some(&doc)).expect(200).json();
    assert_eq!(r, json!({"subscriptions": 1, "resourceGroups": 1, "resources": 1}));
    assert_eq!(t.get(&av(&t.rg("Keep"))).expect(200).json(), before_group);
    t.get(&format!("{}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2019-06-01", t.rg("Keep")))
        .expect(200);
    // Exporting again gives the same document.
    assert_eq!(t.control("GET", "state", None).expect(200).json(), doc);
}

#[test]
fn import_moves_a_frozen_clock_to_the_documents_time() {
    let t = require_emulator!();
    let mut doc = t.control("GET", "state", None).expect(200).json();
    doc["clock"] = json!("2026-03-01T00:00:00Z");
    t.control("POST", "state", Some(&doc)).expect(200);
    assert_eq!(t.control("GET", "clock", None).expect(200).json()["now"], "2026-03-01T00:00:00.0000000Z");
}

#[test]
fn import_of_a_bad_document_is_400_and_changes_nothing() {
    let t = require_emulator!();
    t.create_group("still-here", "westeurope");
    let r = t.control("PUT", "state", Some(&json!({"version": 99})));
    check_error(
        &r,
        400,
        "InvalidEmulatorRequest",
        "state format version 99 is not supported (this emulator reads version 1)",
    );
    let r = t.request("PUT", "/_emulator/state", &[("Content-Type", "application/json")], Some(b"not json".to_vec()));
    check_error_prefix(
        &r,
        400,
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: '",
    );
    let orphan = json!({
        "version": 1,
        "resourceGroups": [{"subscriptionId": "5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f", "name": "orphan", "location": "westeurope",
                             "provisioningState": "Succeeded", "createdTime": "2026-01-01T00:00:00Z", "changedTime": "2026-01-01T00:00:00Z"}],
    });
    let r = t.control("PUT", "state", Some(&orphan));
    check_error(
        &r,
        400,
        "InvalidEmulatorRequest",
        "resource group 'orphan' names unknown subscription '5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f'",
    );
    t.get(&av(&t.rg("still-here"))).expect(200);
}

#[test]
fn reset_returns_to_the_start_state() {
    let t = require_emulator!();
    t.create_group("temp", "westeurope");
    t.post(&av(&format!("{}/providers/Microsoft.DocumentDB/register", t.sub())), &json!({})).expect(200);
    t.lro("resourceGroups/delete", "polls:3");
    let r = t.control("POST", "reset", None);
    assert_eq!(r.status, 204, "{r:?}");
    t.get(&av(&t.rg("temp"))).expect(404);
    assert_eq!(
        t.get(&av(&format!("{}/providers/Microsoft.DocumentDB", t.sub()))).expect(200).json()["registrationState"],
        "NotRegistered"
    );
    assert_eq!(t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200).json(), json!({"value": []}));
}

#[test]
fn reset_of_one_subscription_leaves_the_others() {
    let second = "5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f";
    let t = require_emulator!(|c| c.subscriptions.push(armemu::store::Subscription {
        subscription_id: second.into(),
        tenant_id: DEFAULT_TENANT_ID.into(),
        display_name: "Second".into(),
        state: "Enabled".into(),
        tags: Default::default(),
        managed_by_tenants: Default::default(),
    }));
    t.create_group("mine", "westeurope");
    t.put(&av(&format!("/subscriptions/{second}/resourcegroups/theirs")), &json!({"location": "westeurope"}))
        .expect(201);
    t.control("POST", &format!("reset?subscription={second}"), None).expect(204);
    t.get(&av(&t.rg("mine"))).expect(200);
    t.get(&av(&format!("/subscriptions/{second}/resourcegroups/theirs"))).expect(404);
    let r = t.control("POST", "reset?subscription=00000000-0000-0000-0000-0000000000cc", None);
    check_error(
        &r,
        404,
        "SubscriptionNotFound",
        "The subscription '00000000-0000-0000-0000-0000000000cc' could not be found.",
    );
}

#[test]
fn clock_read_advance_and_set() {
    let t = require_emulator!();
    assert_eq!(
        t.control("GET", "clock", None).expect(200).json(),
        json!({"now": "2026-01-01T00:00:00.0000000Z", "frozen": true})
    );
    let r = t.control("POST", "clock/advance", Some(&json!({"seconds": 90}))).expect(200).json();
    assert_eq!(r, json!({"now": "2026-01-01T00:01:30.0000000Z", "frozen": true}));
    let r = t.control("POST", "clock/advance", Some(&json!({"days": 1, "hours": 2}))).expect(200).json();
    assert_eq!(r["now"], "2026-01-02T02:01:30.0000000Z");
    let r = t.control("POST", "clock/set", Some(&json!({"now": "2027-06-01T12:00:00Z"}))).expect(200).json();
    assert_eq!(r, json!({"now": "2027-06-01T12:00:00.0000000Z", "frozen": true}));
    assert_eq!(t.control("GET", "clock", None).expect(200).json()["now"], "2027-06-01T12:00:00.0000000Z");
    // The clock stamps what is written.
    t.create_group("rg1", "westeurope");
    let sa = t
        .put(
            &format!("{}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2019-06-01", t.rg("rg1")),
            &json!({"location": "westeurope"}),
        )
        .expect(200)
        .json();
    assert_eq!(sa["systemData"]["createdAt"], "2027-06-01T12:00:00.0000000Z");
}

#[test]
fn clock_requests_are_validated() {
    let t = require_emulator!();
    check_error(
        &t.control("POST", "clock/advance", Some(&json!({}))),
        400,
        "InvalidEmulatorRequest",
        "give 'seconds', 'minutes', 'hours' or 'days' to advance the clock by",
    );
    check_error(
        &t.control("POST", "clock/advance", Some(&json!({"seconds": -5}))),
        400,
        "InvalidEmulatorRequest",
        "'seconds' must be between 0 and 100 years",
    );
    check_error(
        &t.control("POST", "clock/set", Some(&json!({"now": "yesterday"}))),
        400,
        "InvalidEmulatorRequest",
        "give 'now' as an RFC 3339 time",
    );
    assert_eq!(t.control("GET", "clock", None).expect(200).json()["now"], "2026-01-01T00:00:00.0000000Z");
}

#[test]
fn settings_read_and_update() {
    let t = require_emulator!();
    let s = t.control("GET", "settings", None).expect(200).json();
    assert_eq!(s, json!({"lro": {}, "registrationDelay": "immediate", "pageSize": 1000}));
    let s = t
        .control(
            "PATCH",
            "settings",
            Some(
                &json!({"lro": {"resourceGroups/delete": "polls:2"}, "registrationDelay": "seconds:5", "pageSize": 2}),
            ),
        )
        .expect(200)
        .json();
    assert_eq!(
        s,
        json!({"lro": {"resourceGroups/delete": "polls:2"}, "registrationDelay": "seconds:5", "pageSize": 2})
    );
    let s = t.control("PATCH", "settings", Some(&json!({"lro": {"resourceGroups/delete": null}}))).expect(200).json();
    assert_eq!(s["lro"], json!({}));
    check_error(
        &t.control("PATCH", "settings", Some(&json!({"lro": {"x": "sometimes"}}))),
        400,
        "InvalidEmulatorRequest",
        "unknown LRO mode 'sometimes' (expected sync, polls:N[:fail] or seconds:T[:fail])",
    );
}

#[test]
fn page_size_setting_pages_every_collection() {
    let t = require_emulator!();
    t.settings(json!({"pageSize": 2}));
    for n in ["a", "b", "c"] {
        t.create_group(n, "westeurope");
    }
    let (all, pages) = collect_pages(&t, &av(&format!("{}/resourcegroups", t.sub())));
    assert_eq!((all.len(), pages), (3, 2));
}

/// A state document with one preloaded group (the format of `fixtures/states/`).
fn preload_doc() -> Value {
    json!({
        "format": "armemu-state",
        "version": 1,
        "tenants": [{"tenantId": DEFAULT_TENANT_ID, "displayName": "Emulated Tenant", "defaultDomain": "armemu.onmicrosoft.com"}],
        "subscriptions": [{"subscriptionId": DEFAULT_SUBSCRIPTION_ID, "tenantId": DEFAULT_TENANT_ID, "displayName": "Emulated Subscription", "state": "Enabled"}],
        "resourceGroups": [{
            "subscriptionId": DEFAULT_SUBSCRIPTION_ID, "name": "Preloaded", "location": "westeurope", "tags": {"from": "file"},
            "provisioningState": "Succeeded", "createdTime": "2025-12-01T00:00:00Z", "changedTime": "2025-12-01T00:00:00Z",
        }],
        "providerRegistrations": [{"subscriptionId": DEFAULT_SUBSCRIPTION_ID, "namespace": "Microsoft.DocumentDB", "state": "Registered"}],
    })
}

#[test]
fn initial_state_reads_the_load_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&preload_doc()).unwrap()).unwrap();
    let mut config = armemu::Config::for_tests(dir.path().join("data"));
    config.load = Some(path.clone());
    let state = armemu::server::initial_state(&config).expect("the document loads");
    let g = state.group(DEFAULT_SUBSCRIPTION_ID, "preloaded").expect("the preloaded group");
    assert_eq!(g.name, "Preloaded");
    assert!(state.subscription(DEFAULT_SUBSCRIPTION_ID).is_some());
    // A broken file is a start error naming the file.
    std::fs::write(&path, b"{").unwrap();
    let err = armemu::server::initial_state(&config).expect_err("a broken file fails").to_string();
    assert!(err.contains("state.json"), "{err}");
}

#[test]
fn start_with_a_loaded_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec(&preload_doc()).unwrap()).unwrap();
    let t = require_emulator!(move |c: &mut armemu::Config| c.load = Some(path));
    let g = t.get(&av(&t.rg("preloaded"))).expect(200).json();
    assert_eq!(
        g,
        json!({
            "id": t.rg_id("Preloaded"),
            "name": "Preloaded",
            "type": "Microsoft.Resources/resourceGroups",
            "location": "westeurope",
            "tags": {"from": "file"},
            "properties": {"provisioningState": "Succeeded"},
        })
    );
    assert_eq!(
        t.get(&av(&format!("{}/providers/Microsoft.DocumentDB", t.sub()))).expect(200).json()["registrationState"],
        "Registered"
    );
    // Providers the file does not mention get their defaults.
    assert_eq!(
        t.get(&av(&format!("{}/providers/Microsoft.Search", t.sub()))).expect(200).json()["registrationState"],
        "NotRegistered"
    );
    // Reset returns to the loaded state, not to an empty one.
    t.delete(&av(&t.rg("Preloaded"))).expect(200);
    t.control("POST", "reset", None).expect(204);
    t.get(&av(&t.rg("Preloaded"))).expect(200);
}

#[test]
fn routes_are_listed() {
    let t = require_emulator!();
    let r = t.control("GET", "routes", None).expect(200).json();
    let ops: Vec<&str> = r["value"].as_array().unwrap().iter().map(|x| x["operation"].as_str().unwrap()).collect();
    for op in [
        "ResourceGroups_CreateOrUpdate",
        "Providers_Register",
        "Resources_List",
        "Emulator_Health",
        "Metadata_Endpoints",
    ] {
        assert!(ops.contains(&op), "{op}");
    }
}
