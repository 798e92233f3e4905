//! Fault injection (`/_emulator/faults`, `--faults FILE`): each match field, `times`,
//! `afterMatches`, seeded `probability`, expiry by the emulator clock, 429s with ARM's
//! throttling headers, injected errors that change no state, hit counts, delete and clear,
//! rule validation, the test-control API's Origin and content-type rules, latency, dropped
//! connections, and `failOperation` on a resource-group delete.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids); nothing sleeps.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use conformance::*;
use serde_json::{json, Value};

/// Adds a rule, asserting 201, and returns its id.
#[track_caller]
fn add(t: &Target, rule: Value) -> String {
    let r = t.control("POST", "faults", Some(&rule)).expect(201);
    let id = r.json()["id"].as_str().expect("the rule's id").to_string();
    assert_eq!(r.json()["hits"], 0);
    id
}

/// The listed rule with this id.
#[track_caller]
fn rule(t: &Target, id: &str) -> Value {
    let all = t.control("GET", "faults", None).expect(200).json();
    all["value"].as_array().unwrap().iter().find(|r| r["id"] == id).cloned().expect("the rule is listed")
}

fn injected(resp: &Resp) -> bool {
    resp.status == 503 && check_envelope(resp)["code"] == "Injected"
}

/// A rule answering 503 `Injected` when `m` matches.
fn when(m: Value) -> Value {
    json!({"match": m, "action": {"status": 503, "code": "Injected", "message": "injected"}})
}

/// An unsigned token whose claims name the caller (the emulator reads claims, never checks them).
fn token_for(oid: &str) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("Bearer {}.{}.sig", part(json!({"alg": "none"})), part(json!({"oid": oid, "tid": "t"})))
}

#[test]
fn rules_are_created_listed_with_hit_counts_deleted_and_cleared() {
    let t = require_emulator!();
    t.create_group("rg", "westeurope");
    let id = add(&t, json!({"match": {"operationId": "ResourceGroups_Get"}, "action": {"status": 500}, "times": 5}));
    let r = t.get(&av(&t.rg("rg")));
    check_error(&r, 500, "InternalServerError", &format!("An error injected by the emulator (fault rule {id})."));
    t.get(&av(&t.rg("rg"))).expect(500);
    let listed = rule(&t, &id);
    assert_eq!(
        (listed["hits"].as_u64(), listed["matches"].as_u64(), listed["times"].as_u64()),
        (Some(2), Some(2), Some(5))
    );
    assert_eq!(listed["match"], json!({"operationId": "ResourceGroups_Get"}));
    assert_eq!(t.control("GET", &format!("faults/{id}"), None).expect(200).json()["hits"], 2);
    t.control("DELETE", &format!("faults/{id}"), None).expect(204);
    t.get(&av(&t.rg("rg"))).expect(200);
    check_error(
        &t.control("DELETE", &format!("faults/{id}"), None),
        404,
        "NotFound",
        &format!("There is no fault rule '{id}'."),
    );
    // Several at once (all or none), then clear.
    let many = t.control("POST", "faults", Some(&json!([when(json!({})), when(json!({"method": "PUT"}))]))).expect(201);
    assert_eq!(many.json()["value"].as_array().unwrap().len(), 2);
    t.control("POST", "faults", Some(&json!([when(json!({})), {"action": {}}]))).expect(400);
    assert_eq!(t.control("GET", "faults", None).expect(200).json()["value"].as_array().unwrap().len(), 2);
    t.control("DELETE", "faults", None).expect(204);
    assert_eq!(t.control("GET", "faults", None).expect(200).json(), json!({"value": []}));
    t.get(&av(&t.rg("rg"))).expect(200);
}

/// A request to send.
type Call<'a> = Box<dyn Fn() -> Resp + 'a>;

#[test]
fn each_match_field_narrows_the_rule() {
    let t = require_emulator!();
    t.create_group("a", "westeurope");
    t.create_group("b", "westeurope");
    let sub = t.subscription.clone();
    let other_sub = "11111111-2222-3333-4444-555555555555";
    let rg_a = av(&t.rg("a"));
    let cases: Vec<(Value, Call<'_>, Call<'_>)> = vec![
        (
            json!({"method": "put"}),
            Box::new(|| t.put(&av(&t.rg("c")), &json!({"location": "westeurope"}))),
            Box::new(|| t.get(&rg_a)),
        ),
        (
            json!({"operationId": "resourcegroups_get"}),
            Box::new(|| t.get(&rg_a)),
            Box::new(|| t.get(&av(&format!("{}/resourcegroups", t.sub())))),
        ),
        (
            json!({"pathPrefix": format!("/subscriptions/*/RESOURCEGROUPS/a")}),
            Box::new(|| t.get(&av(&format!("{}/resources", t.rg("a"))))),
            Box::new(|| t.get(&av(&t.rg("b")))),
        ),
        (
            json!({"subscription": other_sub}),
            Box::new(|| t.get(&av(&format!("/subscriptions/{other_sub}/resourcegroups/a")))),
            Box::new(|| t.get(&rg_a)),
        ),
        (
            json!({"subscription": sub.to_uppercase()}),
            Box::new(|| t.get(&rg_a)),
            Box::new(|| t.get(&av(&format!("/subscriptions/{other_sub}/resourcegroups/a")))),
        ),
        (
            json!({"principal": "aaaaaaaa-0000-0000-0000-000000000001"}),
            Box::new(|| {
                t.request("GET", &rg_a, &[("Authorization", &token_for("aaaaaaaa-0000-0000-0000-000000000001"))], None)
            }),
            Box::new(|| {
                t.request("GET", &rg_a, &[("Authorization", &token_for("bbbbbbbb-0000-0000-0000-000000000002"))], None)
            }),
        ),
        (
            json!({"apiVersion": "2020-06-01"}),
            Box::new(|| t.get(&format!("{}?api-version=2020-06-01", t.rg("a")))),
            Box::new(|| t.get(&rg_a)),
        ),
    ];
    for (m, hit, miss) in cases {
        let id = add(&t, when(m.clone()));
        let missed = miss();
        assert!(!injected(&missed), "{m}: a request the rule does not match was faulted: {missed:?}");
        let r = hit();
        assert!(injected(&r), "{m}: the matching request was not faulted: {r:?}");
        assert_eq!(rule(&t, &id)["hits"], 1, "{m}");
        t.control("DELETE", "faults", None).expect(204);
    }
}

#[test]
fn times_and_after_matches_count_matching_requests() {
    let t = require_emulator!();
    t.create_group("rg", "westeurope");
    let get = || injected(&t.get(&av(&t.rg("rg"))));
    let first_two =
        add(&t, json!({"match": {"method": "GET"}, "action": {"status": 503, "code": "Injected"}, "times": 2}));
    assert_eq!([get(), get(), get()], [true, true, false]);
    let r = rule(&t, &first_two);
    assert_eq!((r["hits"].as_u64(), r["matches"].as_u64()), (Some(2), Some(3)));
    t.control("DELETE", "faults", None).expect(204);

    let after_two =
        add(&t, json!({"match": {"method": "GET"}, "action": {"status": 503, "code": "Injected"}, "afterMatches": 2}));
    assert_eq!([get(), get(), get(), get()], [false, false, true, true]);
    assert_eq!(rule(&t, &after_two)["hits"], 2);
    t.control("DELETE", "faults", None).expect(204);

    add(&t, json!({"action": {"status": 503, "code": "Injected"}, "afterMatches": 1, "times": 1}));
    assert_eq!([get(), get(), get()], [false, true, false]);
}

/// The draws come from a generator seeded from the configuration (`id_seed`), so a run repeats.
fn pattern(seed: u64, probability: f64) -> Vec<bool> {
    let t = Target::with_config(|c| c.id_seed = Some(seed));
    t.create_group("rg", "westeurope");
    add(
        &t,
        json!({"match": {"operationId": "ResourceGroups_Get"}, "action": {"status": 503, "code": "Injected"}, "probability": probability}),
    );
    (0..40).map(|_| injected(&t.get(&av(&t.rg("rg"))))).collect()
}

#[test]
fn probability_is_drawn_from_a_seeded_generator() {
    require_emulator!();
    let first = pattern(7, 0.5);
    assert_eq!(first, pattern(7, 0.5), "the same seed gives the same faults");
    let fired = first.iter().filter(|f| **f).count();
    assert!((5..=35).contains(&fired), "about half fire: {fired} of 40");
    assert!(pattern(7, 0.0).iter().all(|f| !f));
    assert!(pattern(7, 1.0).iter().all(|f| *f));
}

#[test]
fn rules_expire_by_the_emulator_clock() {
    let t = require_emulator!();
    t.create_group("rg", "westeurope");
    let id = add(&t, json!({"action": {"status": 503, "code": "Injected"}, "expiresAt": "2026-01-01T00:01:00Z"}));
    assert!(injected(&t.get(&av(&t.rg("rg")))));
    t.advance(59);
    assert!(injected(&t.get(&av(&t.rg("rg")))));
    assert_eq!(rule(&t, &id)["expired"], false);
    t.advance(1);
    t.get(&av(&t.rg("rg"))).expect(200);
    let r = rule(&t, &id);
    assert_eq!((r["expired"].as_bool(), r["hits"].as_u64()), (Some(true), Some(2)));
    assert_eq!(r["expiresAt"], "2026-01-01T00:01:00.0000000Z");
}

#[test]
fn a_429_carries_retry_after_and_exhausted_rate_limit_counters() {
    let t = require_emulator!();
    t.create_group("rg", "westeurope");
    add(&t, json!({"action": {"status": 429, "retryAfter": 2}, "times": 2}));
    let r = t.get(&av(&t.rg("rg")));
    check_error(
        &r,
        429,
        "TooManyRequests",
        "The request is being throttled. Please retry after the time given in the Retry-After header.",
    );
    assert_eq!(r.header("retry-after"), Some("2"));
    let reads: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k == "x-ms-ratelimit-remaining-subscription-reads")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(reads, ["0"]);
    assert!(r.header("x-ms-request-id").is_some_and(is_guid));
    let w = t.put(&av(&t.rg("rg")), &json!({"location": "westeurope"}));
    assert_eq!((w.status, w.header("x-ms-ratelimit-remaining-subscription-writes")), (429, Some("0")));
    // Past `times`, the counters are ARM's usual ones again.
    let ok = t.get(&av(&t.rg("rg"))).expect(200);
    assert_eq!(ok.header("x-ms-ratelimit-remaining-subscription-reads"), Some("11999"));
}

#[test]
fn an_injected_error_changes_no_state() {
    let t = require_emulator!();
    add(
        &t,
        json!({"match": {"method": "PUT"}, "action": {"status": 503, "code": "ServerBusy", "message": "Try later."}}),
    );
    let r = t.put(&av(&t.rg("never")), &json!({"location": "westeurope"}));
    check_error(&r, 503, "ServerBusy", "Try later.");
    check_error(
        &t.get(&av(&t.rg("never"))),
        404,
        "ResourceGroupNotFound",
        "Resource group 'never' could not be found.",
    );
    let state = t.control("GET", "state", None).expect(200).json();
    assert!(!state.to_string().contains("never"), "the state holds no trace of the refused PUT");
}

#[test]
fn bad_rules_are_refused_with_the_reason() {
    let t = require_emulator!();
    for (rule, needle) in [
        (json!({"action": {}}), "the action does nothing"),
        (json!({"match": {}}), "missing field `action`"),
        (json!({"action": {"status": 302}}), "must be an error status (400-599)"),
        (json!({"action": {"status": 500}, "probability": 1.5}), "'probability' must be between 0 and 1"),
        (json!({"action": {"status": 500}, "expiresAt": "tomorrow"}), "'expiresAt' must be an RFC 3339 time"),
        (json!({"action": {"failOperation": true, "status": 500}}), "cannot be combined"),
        (json!({"match": {"verb": "GET"}, "action": {"status": 500}}), "unknown field `verb`"),
        (json!({"action": {"status": "500"}}), "invalid type"),
    ] {
        let r = t.control("POST", "faults", Some(&rule));
        assert_eq!(r.status, 400, "{rule}: {r:?}");
        let e = check_envelope(&r);
        assert_eq!(e["code"], "InvalidEmulatorRequest", "{rule}");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.starts_with("Invalid fault rule: ") && msg.contains(needle), "{rule}: {msg}");
    }
    let r = t.request("POST", "/_emulator/faults", &[("Content-Type", "application/json")], Some(b"{".to_vec()));
    assert_eq!(check_envelope(&r.expect(400))["code"], "InvalidRequestContent");
    assert_eq!(t.control("GET", "faults", None).expect(200).json(), json!({"value": []}));
}

#[test]
fn fault_writes_obey_the_test_control_rules() {
    let t = require_emulator!();
    let body = when(json!({})).to_string().into_bytes();
    // A cross-site "simple" request can neither say it is JSON nor add a custom header.
    let r = t.request("POST", "/_emulator/faults", &[("Content-Type", "text/plain")], Some(body.clone()));
    assert_eq!(r.status, 415, "{r:?}");
    let r = t.request(
        "POST",
        "/_emulator/faults",
        &[("Content-Type", "application/json"), ("Origin", "https://evil.example")],
        Some(body.clone()),
    );
    assert_eq!((r.status, check_envelope(&r)["code"].as_str()), (403, Some("ForbiddenOrigin")));
    let r = t.request("DELETE", "/_emulator/faults", &[("Origin", "http://evil.example")], None);
    assert_eq!(r.status, 403);
    assert_eq!(t.control("GET", "faults", None).expect(200).json(), json!({"value": []}));
    t.request("POST", "/_emulator/faults", &[("X-ArmEmu-Control", "1"), ("Content-Type", "text/plain")], Some(body))
        .expect(201);
    // A rule that matches everything leaves the test-control API alone.
    t.control("GET", "faults", None).expect(200);
    t.control("GET", "health", None).expect(200);
}

#[test]
fn reset_clears_the_rules() {
    let t = require_emulator!();
    add(&t, when(json!({})));
    t.control("POST", "reset", None).expect(204);
    assert_eq!(t.control("GET", "faults", None).expect(200).json(), json!({"value": []}));
    t.get(&av(&t.rg("x"))).expect(404);
}

#[test]
fn rules_load_from_a_file_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("faults.json");
    std::fs::write(&file, json!([when(json!({"operationId": "ResourceGroups_Get"}))]).to_string()).unwrap();
    let t = require_emulator!(|c| c.faults = Some(file.clone()));
    let listed = t.control("GET", "faults", None).expect(200).json();
    assert_eq!(listed["value"][0]["id"], "1");
    assert!(injected(&t.get(&av(&t.rg("rg")))));
    assert_eq!(rule(&t, "1")["hits"], 1);
}

#[test]
fn latency_delays_the_answer() {
    let t = require_emulator!();
    t.create_group("rg", "westeurope");
    add(&t, json!({"match": {"method": "GET"}, "action": {"latencyMs": 300}, "times": 1}));
    let started = Instant::now();
    t.get(&av(&t.rg("rg"))).expect(200);
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

#[test]
fn a_dropped_connection_gets_no_answer_and_changes_nothing() {
    let t = require_emulator!();
    add(&t, json!({"match": {"method": "PUT"}, "action": {"drop": true}, "times": 1}));
    let addr = t.emu().http.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let body = r#"{"location":"westeurope"}"#;
    let path = av(&t.rg("dropped"));
    write!(
        s,
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    assert!(got.is_empty(), "no answer: {}", String::from_utf8_lossy(&got));
    t.get(&av(&t.rg("dropped"))).expect(404);
    // `times: 1`: the next one goes through.
    t.put(&av(&t.rg("dropped")), &json!({"location": "westeurope"})).expect(201);
}

#[test]
fn fail_operation_ends_a_group_delete_failed_and_keeps_the_group() {
    let t = require_emulator!();
    t.create_group("sturdy", "westeurope");
    // A rule that cannot fail an operation (a GET has none) does not match it.
    let id = add(
        &t,
        json!({"match": {"pathPrefix": t.rg("sturdy")}, "action": {"failOperation": true, "code": "ScopeLocked", "message": "The group is locked by a test."}}),
    );
    t.get(&av(&t.rg("sturdy"))).expect(200);
    let r = t.delete(&av(&t.rg("sturdy"))).expect(202);
    let loc = r.header("location").expect("a Location to poll").to_string();
    assert_eq!(t.get(&av(&t.rg("sturdy"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
    check_error(&t.get(&loc), 400, "ScopeLocked", "The group is locked by a test.");
    assert_eq!(t.get(&av(&t.rg("sturdy"))).expect(200).json()["properties"]["provisioningState"], "Succeeded");
    let listed = rule(&t, &id);
    assert_eq!((listed["hits"].as_u64(), listed["matches"].as_u64()), (Some(1), Some(1)));
    // Without the rule the delete completes (synchronously, the configured mode).
    t.control("DELETE", "faults", None).expect(204);
    t.delete(&av(&t.rg("sturdy"))).expect(200);
    t.get(&av(&t.rg("sturdy"))).expect(404);
}
