//! The web console (`/_emulator/ui`) as HTTP: every page answers HTML with its security
//! headers, shows the state it is about (escaped), says clearly what is missing, obeys the
//! test-control API's Origin and content-type rules, and stays out of the journal; and the
//! journal entry it opens (`GET /_emulator/journal/{seq}`) carries the request and answer.
//! The browser suite (conformance/interop/test_console.py) drives the same pages in Chromium.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids).

use conformance::*;
use serde_json::json;

const ML: &str = "2024-10-01";
const WS_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";

fn page(t: &Target, path: &str) -> Resp {
    t.anonymous().get(&format!("/_emulator/ui{path}"))
}

fn ws_path(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{WS_TYPE}/{ws}?api-version={ML}", t.rg(rg))
}

fn create_ws(t: &Target, rg: &str, ws: &str) {
    t.put(&ws_path(t, rg, ws), &json!({"location": "westeurope", "properties": {}})).expect(200);
}

#[test]
fn every_page_is_html_with_its_security_headers_and_marks_its_section() {
    let t = require_emulator!();
    t.create_group("ui-rg", "westeurope");
    let sub = t.sub();
    for (path, section) in [
        ("", "Resources"),
        (sub.as_str(), "Resources"),
        (&format!("{sub}/resourceGroups/ui-rg"), "Resources"),
        ("/deleted", "Deleted"),
        ("/deployments", "Deployments"),
        ("/journal", "Journal"),
        ("/controls", "Controls"),
    ] {
        let r = page(&t, path).expect(200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let html = r.text();
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        // No inline script: the page's only script is the embedded asset.
        assert_eq!(html.matches("<script").count(), 1, "{path}");
        assert!(html.contains(r#"<script src="/_emulator/ui/assets/console.js" defer>"#), "{path}");
        if path.is_empty() || path.starts_with('/') && !path.starts_with("/subscriptions") {
            assert!(html.contains(&format!(r#"aria-current="page">{section}</a>"#)), "{path}: {html}");
        }
    }
    let js = page(&t, "/assets/console.js").expect(200);
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert!(js.text().contains("/_emulator/ui/token"));
    let css = page(&t, "/assets/console.css").expect(200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
}

#[test]
fn the_browser_shows_groups_and_resources_with_their_json_and_escapes_what_clients_wrote() {
    let t = require_emulator!();
    t.put(&av(&t.rg("ui-x")), &json!({"location": "westeurope", "tags": {"owner": "<script>alert(1)</script>"}}))
        .expect(201);
    create_ws(&t, "ui-x", "ws-shown");
    let sub = t.sub();
    let overview = page(&t, "").expect(200).text();
    assert!(overview.contains(&format!(r#"href="/_emulator/ui{sub}""#)), "{overview}");
    let s = page(&t, &sub).expect(200).text();
    assert!(s.contains(r#"href="/_emulator/ui/subscriptions/"#) && s.contains(">ui-x</a>"), "{s}");
    assert!(s.contains("owner=&lt;script&gt;alert(1)&lt;/script&gt;"), "{s}");
    assert!(!s.contains("<script>alert"), "a tag value reached the page as markup");
    // Provider registrations and their states.
    assert!(s.contains("Microsoft.MachineLearningServices") && s.contains("badge ok"), "{s}");
    let g = page(&t, &format!("{sub}/resourceGroups/ui-x")).expect(200).text();
    assert!(g.contains(r#"<span class="name">ws-shown</span>"#), "{g}");
    // The JSON is the body a GET answers (escaped inside <pre>).
    let get = t.get(&ws_path(&t, "ui-x", "ws-shown")).expect(200).json();
    let discovery = get["properties"]["discoveryUrl"].as_str().unwrap();
    assert!(g.contains(discovery), "{g}");
    assert!(g.contains("&quot;provisioningState&quot;: &quot;Succeeded&quot;"), "{g}");
}

#[test]
fn what_does_not_exist_is_a_readable_404_page() {
    let t = require_emulator!();
    let r = page(&t, "/subscriptions/00000000-0000-0000-0000-00000000dead").expect(404);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        r.text().contains("There is no subscription &#39;00000000-0000-0000-0000-00000000dead&#39;.")
            || r.text().contains("There is no subscription '00000000-0000-0000-0000-00000000dead'."),
        "{}",
        r.text()
    );
    let r = page(&t, &format!("{}/resourceGroups/nope", t.sub())).expect(404);
    assert!(r.text().contains("There is no resource group"), "{}", r.text());
    let r = page(&t, "/journal/999999").expect(404);
    assert!(r.text().contains("The journal holds no entry"), "{}", r.text());
    let r = page(&t, "/journal?status=abc").expect(400);
    assert!(r.text().contains("&#39;status&#39; must be") || r.text().contains("'status' must be"), "{}", r.text());
}

#[test]
fn soft_deleted_workspaces_show_their_dates_and_buttons_and_the_purge_date_follows_the_clock() {
    let t = require_emulator!();
    t.create_group("ui-del", "westeurope");
    create_ws(&t, "ui-del", "ws-gone");
    t.delete(&ws_path(&t, "ui-del", "ws-gone")).expect(200);
    let d = page(&t, "/deleted").expect(200).text();
    let id = format!("{}/resourceGroups/ui-del/providers/{WS_TYPE}/ws-gone", t.sub());
    assert!(d.contains(&format!(r#"data-id="{id}""#)), "{d}");
    // Deleted at the frozen clock, purged 14 days later (the default retention).
    assert!(d.contains(r#"<time datetime="2026-01-01T00:00:00.0000000Z""#), "{d}");
    assert!(d.contains(r#"<time datetime="2026-01-15T00:00:00.0000000Z""#), "{d}");
    assert!(d.contains("(in 14 days 0 h)"), "{d}");
    assert!(d.contains(r#"data-action="recover""#) && d.contains(r#"data-action="purge""#), "{d}");
    assert!(d.contains("&quot;apiVersion&quot;:&quot;"), "the buttons carry the api-version: {d}");
    // The subscription page lists it too.
    assert!(page(&t, &t.sub()).expect(200).text().contains(&format!(r#"data-id="{id}""#)));
    t.advance(15 * 86_400);
    let d = page(&t, "/deleted").expect(200).text();
    assert!(!d.contains("ws-gone"), "purged once the clock passed the purge date: {d}");
}

#[test]
fn the_console_token_is_a_test_control_write_and_works_for_arm() {
    let t = require_emulator!();
    let anon = t.anonymous();
    // A cross-site page cannot mint one, nor can a form post.
    let r = anon.request(
        "POST",
        "/_emulator/ui/token",
        &[("Origin", "https://evil.example"), ("Content-Type", "application/json")],
        None,
    );
    check_error_prefix(&r, 403, "ForbiddenOrigin", "");
    let r = anon.request(
        "POST",
        "/_emulator/ui/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(b"a=b".to_vec()),
    );
    assert_eq!(r.status, 415, "{r:?}");
    // Pages refuse a cross-site Origin too.
    let r = anon.request("GET", "/_emulator/ui", &[("Origin", "https://evil.example")], None);
    assert_eq!(r.status, 403, "{r:?}");
    let v =
        anon.request("POST", "/_emulator/ui/token", &[("Content-Type", "application/json")], None).expect(200).json();
    let token = v["accessToken"].as_str().unwrap();
    let r = anon.request("GET", &av(&t.sub()), &[("Authorization", &format!("Bearer {token}"))], None).expect(200);
    assert_eq!(r.json()["subscriptionId"].as_str(), Some(t.sub().trim_start_matches("/subscriptions/")));
}

#[test]
fn console_pages_stay_out_of_the_journal_and_an_entry_opens_its_request_answer_and_changes() {
    let t = require_emulator!();
    let body = json!({"location": "westeurope", "tags": {"k": "v"}});
    t.put(&av(&t.rg("ui-j")), &body).expect(201);
    page(&t, "/journal").expect(200);
    page(&t, "").expect(200);
    let entries = t.control("GET", "journal", None).expect(200).json()["value"].as_array().unwrap().clone();
    assert!(entries.iter().all(|e| !e["path"].as_str().unwrap().starts_with("/_emulator/ui")), "{entries:?}");
    let put = entries.iter().find(|e| e["operationId"] == "ResourceGroups_CreateOrUpdate").expect("the PUT");
    let seq = put["seq"].as_u64().unwrap();
    let e = t.control("GET", &format!("journal/{seq}"), None).expect(200).json();
    assert_eq!(e["seq"], seq);
    assert_eq!(e["request"]["query"], "api-version=2021-04-01");
    assert_eq!(e["request"]["body"]["content"], body);
    assert_eq!(e["request"]["body"]["truncated"], false);
    assert_eq!(e["request"]["headers"]["content-type"], "application/json");
    // The bearer token is not shown, only its length.
    let auth = e["request"]["headers"]["authorization"].as_str().unwrap();
    assert!(auth.starts_with("Bearer …(") && auth.ends_with(" characters)"), "{auth}");
    assert_eq!(e["response"]["body"]["content"]["name"], "ui-j");
    assert_eq!(e["response"]["headers"]["x-ms-request-id"], e["requestId"]);
    assert_eq!(e["changes"][0]["change"], "putGroup");
    // The console's page of it shows the same.
    let html = page(&t, &format!("/journal/{seq}")).expect(200).text();
    assert!(html.contains("PUT ") && html.contains("Changes committed") && html.contains("putGroup"), "{html}");
    assert!(html.contains("Bearer …("), "the page shows the token's length, not the token: {html}");
    // A successful read keeps only its summary; a failed one keeps its request and answer.
    t.get(&av(&t.rg("ui-j"))).expect(200);
    t.get(&av(&t.rg("ui-missing"))).expect(404);
    let reads = t.control("GET", "journal?operationId=ResourceGroups_Get", None).expect(200).json();
    let (ok, missing) = (reads["value"][0]["seq"].as_u64().unwrap(), reads["value"][1]["seq"].as_u64().unwrap());
    let e = t.control("GET", &format!("journal/{ok}"), None).expect(200).json();
    assert_eq!((&e["request"], &e["response"]), (&json!({"kept": false}), &json!({"kept": false})));
    assert!(page(&t, &format!("/journal/{ok}")).expect(200).text().contains("kept only its summary"));
    let e = t.control("GET", &format!("journal/{missing}"), None).expect(200).json();
    assert_eq!(e["request"]["kept"], true);
    assert_eq!(e["response"]["body"]["content"]["error"]["code"], "ResourceGroupNotFound");
    // An unknown entry.
    let r = t.control("GET", "journal/424242", None);
    check_error_prefix(&r, 404, "NotFound", "The journal holds no entry '424242'");
}

#[test]
fn a_large_body_is_kept_in_part_and_says_so() {
    let t = require_emulator!();
    let big = "x".repeat(40 * 1024);
    t.put(&av(&t.rg("ui-big")), &json!({"location": "westeurope", "tags": {"a": "b"}, "pad": big})).expect(201);
    let entries = t.control("GET", "journal?operationId=ResourceGroups_CreateOrUpdate", None).expect(200).json();
    let seq = entries["value"][0]["seq"].as_u64().unwrap();
    let e = t.control("GET", &format!("journal/{seq}"), None).expect(200).json();
    let b = &e["request"]["body"];
    assert_eq!(b["truncated"], true, "{b}");
    assert!(b["size"].as_u64().unwrap() > 40 * 1024);
    assert_eq!(b["content"].as_str().unwrap().len(), 32 * 1024);
}

#[test]
fn deployments_show_their_operations_in_order_and_their_errors() {
    let t = require_emulator!();
    t.create_group("ui-dep", "westeurope");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "uidepstore1",
            "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"
        }]
    });
    let path = format!("{}/providers/Microsoft.Resources/deployments/ui-dep-1?api-version={API}", t.rg("ui-dep"));
    let r = t.put(&path, &json!({"properties": {"mode": "Incremental", "template": template}}));
    assert!(r.status == 200 || r.status == 201, "{r:?}");
    let html = page(&t, "/deployments").expect(200).text();
    assert!(html.contains("ui-dep-1"), "{html}");
    assert!(html.contains("Operations, in the order they ran"), "{html}");
    assert!(html.contains("<strong>uidepstore1</strong>"), "{html}");
    assert!(html.contains("Microsoft.Storage/storageAccounts"), "{html}");
}

#[test]
fn the_controls_list_fault_rules_with_hit_counts_and_the_lro_modes() {
    let t = require_emulator!();
    t.create_group("ui-f", "westeurope");
    let rule = json!({"match": {"method": "GET", "pathPrefix": t.rg("ui-f")}, "action": {"status": 429}, "times": 1});
    let id = t.control("POST", "faults", Some(&rule)).expect(201).json()["id"].as_str().unwrap().to_string();
    t.lro("workspaces/delete", "polls:3");
    let html = page(&t, "/controls").expect(200).text();
    assert!(html.contains(&format!(r#"data-fault="{id}""#)), "{html}");
    assert!(html.contains(r#"<td class="num hits">0</td>"#), "{html}");
    assert!(html.contains("the first time"), "{html}");
    assert!(html.contains("workspaces/delete") && html.contains("polls:3"), "{html}");
    t.get(&av(&t.rg("ui-f"))).expect(429);
    let html = page(&t, "/controls").expect(200).text();
    assert!(html.contains(r#"<td class="num hits">1</td>"#), "{html}");
}

#[test]
fn the_console_script_only_calls_the_emulator() {
    // Offline by construction: the script and the pages name no other host.
    let t = require_emulator!();
    let js = page(&t, "/assets/console.js").expect(200).text();
    for needle in ["http://", "https://", "//cdn", "import("] {
        assert!(!js.contains(needle), "the console script names {needle}");
    }
    let html = page(&t, "/controls").expect(200).text();
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
}

#[test]
fn the_route_table_lists_the_console_and_the_journal_entry() {
    let t = require_emulator!();
    let routes = t.control("GET", "routes", None).expect(200).json();
    let mut console: Vec<(String, String)> = routes["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["pattern"].as_str().unwrap().starts_with("/_emulator/ui") || r["operation"] == "Emulator_GetJournalEntry"
        })
        .map(|r| (r["operation"].as_str().unwrap().to_string(), r["method"].as_str().unwrap().to_string()))
        .collect();
    console.sort();
    let want = [
        ("Console_Controls", "GET"),
        ("Console_Deleted", "GET"),
        ("Console_Deployments", "GET"),
        ("Console_Journal", "GET"),
        ("Console_JournalEntry", "GET"),
        ("Console_Overview", "GET"),
        ("Console_ResourceGroup", "GET"),
        ("Console_Script", "GET"),
        ("Console_Style", "GET"),
        ("Console_Subscription", "GET"),
        ("Console_Token", "POST"),
        ("Emulator_GetJournalEntry", "GET"),
    ];
    assert_eq!(console, want.map(|(o, m)| (o.to_string(), m.to_string())));
}
