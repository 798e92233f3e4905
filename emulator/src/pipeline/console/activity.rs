//! What happened: template deployments with their operations in order, and the request
//! journal (live), each entry opening its request, answer and change batch.

use maud::{html, Markup};
use serde_json::Value;

use crate::protocol::{ArmRequest, ArmResponse, ArmResult};
use crate::store::Resource;

use super::super::journal::Filter;
use super::{group_link, missing, page, pretty, state_badge, text_at, when, BASE};
use crate::pipeline::App;

const DEPLOYMENT: &str = "Microsoft.Resources/deployments";
/// Journal entries a page shows (the newest).
const JOURNAL_ROWS: usize = 500;

/// `GET /_emulator/ui/deployments`: every deployment in every subscription, newest first,
/// with its operations in the order they ran.
pub fn deployments(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = app.ctx.store().read(|s| {
        let mut all: Vec<&Resource> = s
            .resources_under("/subscriptions/")
            .filter(|r| r.resource_type.eq_ignore_ascii_case(DEPLOYMENT))
            .map(|r| &**r)
            .collect();
        all.sort_by(|a, b| b.changed_time.cmp(&a.changed_time).then_with(|| a.id.cmp(&b.id)));
        html! {
            @if all.is_empty() { p { "No deployments yet." } }
            @for d in &all { (deployment(d)) }
        }
    });
    Ok(page(app, "Deployments", "/deployments", body))
}

fn deployment(d: &Resource) -> Markup {
    let v = d.body.value();
    let state = text_at(&v, "/properties/provisioningState");
    let ops: Vec<Value> =
        d.secrets.as_deref().and_then(|s| s.get("operations")).and_then(Value::as_array).cloned().unwrap_or_default();
    let error = v.pointer("/properties/error");
    html! {
        section.deployment aria-labelledby={ "d-" (d.key()) } {
            h2 id={ "d-" (d.key()) } { (d.name) " " (state_badge(state)) }
            dl.facts {
                dt { "Scope" } dd {
                    @if d.resource_group.is_empty() { "subscription " (d.subscription_id) }
                    @else { a href=(group_link(&d.subscription_id, &d.resource_group)) { "group " (d.resource_group) } }
                }
                dt { "Mode" } dd { (text_at(&v, "/properties/mode")) }
                dt { "Started" } dd { (when(d.created_time)) }
                dt { "Timestamp" } dd { (text_at(&v, "/properties/timestamp")) }
                dt { "Duration" } dd { (text_at(&v, "/properties/duration")) }
            }
            @if let Some(e) = error {
                div.error role="note" {
                    strong { (text_at(e, "/code")) } ": " (text_at(e, "/message"))
                    @if let Some(details) = e.get("details").and_then(Value::as_array) {
                        ul { @for x in details { li { strong { (text_at(x, "/code")) } ": " (text_at(x, "/message")) } } }
                    }
                }
            }
            table {
                caption { "Operations, in the order they ran" }
                thead { tr { th.num { "#" } th { "Operation" } th { "Target" } th { "State" } th { "Status" } th { "Error" } } }
                tbody {
                    @for (i, op) in ops.iter().enumerate() {
                        tr {
                            td.num { (i + 1) }
                            td { (text_at(op, "/properties/provisioningOperation")) }
                            td {
                                (text_at(op, "/properties/targetResource/resourceType")) " "
                                strong { (text_at(op, "/properties/targetResource/resourceName")) }
                            }
                            td { (state_badge(text_at(op, "/properties/provisioningState"))) }
                            td { (text_at(op, "/properties/statusCode")) }
                            td {
                                (text_at(op, "/properties/statusMessage/error/code")) " "
                                (text_at(op, "/properties/statusMessage/error/message"))
                            }
                        }
                    }
                    @if ops.is_empty() { tr { td colspan="6" { "None." } } }
                }
            }
            details {
                summary { "JSON" }
                (pretty(&v))
            }
        }
    }
}

/// The journal's filter fields: (query name, label).
const FILTERS: &[(&str, &str)] = &[
    ("operationId", "Operation"),
    ("status", "Status (404 or 4xx)"),
    ("subscription", "Subscription"),
    ("principal", "Principal"),
    ("pathPrefix", "Path prefix"),
    ("since", "Since (emulator time)"),
];

/// `GET /_emulator/ui/journal[?filters]`: the newest entries that pass the filters, and the
/// script adds the ones that arrive while the page is open.
pub fn journal(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let filter = match Filter::from_request(req) {
        Ok(f) => f,
        Err(e) => return Ok(missing_filter(app, &e.message)),
    };
    let entries = app.journal().entries(&filter);
    let shown: Vec<Value> =
        entries.iter().rev().take(JOURNAL_ROWS).map(|e| serde_json::to_value(&**e).unwrap_or_default()).collect();
    let body = html! {
        form.filters method="get" action={ (BASE) "/journal" } {
            @for (name, label) in FILTERS {
                label { (label) " " input type="text" name=(name) value=(req.query(name).unwrap_or("")); }
            }
            button type="submit" { "Filter" }
            " "
            a href={ (BASE) "/journal" } { "Clear filters" }
            " "
            label { input #live type="checkbox" checked; " Live" }
            " "
            button type="button" data-action="clear-journal" data-args="{}" class="danger" { "Empty the journal" }
        }
        p { (entries.len()) " entries match; the newest " (shown.len().min(JOURNAL_ROWS)) " are shown, newest first. "
            "Each opens its request, answer and changes." }
        table #journal data-filter=(filter_json(req)) {
            thead { tr { th.num { "#" } th { "Time (emulator)" } th { "Method" } th { "Path" } th { "Operation" }
                th.num { "Status" } th { "Error" } th { "Principal" } th.num { "ms" } th.num { "Changes" } } }
            tbody {
                @for e in &shown { (row(e)) }
            }
        }
    };
    Ok(page(app, "Journal", "/journal", body))
}

fn missing_filter(app: &App, message: &str) -> ArmResponse {
    let mut r = page(
        app,
        "Journal",
        "/journal",
        html! { p.error role="alert" { (message) } p { a href={ (BASE) "/journal" } { "Clear filters" } } },
    );
    r.status = 400;
    r
}

/// The filters as the script applies them to live entries.
fn filter_json(req: &ArmRequest) -> String {
    let m: serde_json::Map<String, Value> = FILTERS
        .iter()
        .filter_map(|(k, _)| req.query(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), Value::from(v))))
        .collect();
    Value::Object(m).to_string()
}

/// One entry as a table row (the script builds the same row for live entries).
fn row(e: &Value) -> Markup {
    let seq = e.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let status = e.get("status").and_then(Value::as_u64).unwrap_or(0);
    let changes = e.get("changes").and_then(Value::as_array).map_or(0, Vec::len);
    html! {
        tr class=(if status >= 400 { "failed" } else { "" }) {
            td.num { a href={ (BASE) "/journal/" (seq) } { (seq) } }
            td { time datetime=(text_at(e, "/time")) { (short_time(text_at(e, "/time"))) } }
            td { (text_at(e, "/method")) }
            td.path { (text_at(e, "/path")) }
            td { (text_at(e, "/operationId")) }
            td.num { (status) }
            td { (text_at(e, "/errorCode")) }
            td.mono { (text_at(e, "/principal")) }
            td.num { (format!("{:.2}", e.get("latencyMs").and_then(Value::as_f64).unwrap_or(0.0))) }
            td.num { (changes) }
        }
    }
}

/// `2026-03-01T00:00:00.1234567Z` as `2026-03-01 00:00:00.123` (what a journal row shows;
/// the script shortens live rows the same way).
fn short_time(t: &str) -> String {
    t.get(..23).unwrap_or(t).replacen('T', " ", 1)
}

/// `GET /_emulator/ui/journal/{seq}`: one entry with its request, answer and changes.
pub fn entry(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seq = req.param("seq")?;
    let Some(e) = seq.parse::<u64>().ok().and_then(|n| app.journal().entry(n)) else {
        return Ok(missing(
            app,
            format!("The journal holds no entry '{seq}' (it keeps the latest {}).", app.config().journal_size),
        ));
    };
    let v = e.full_view();
    let query = text_at(&v, "/request/query");
    let body = html! {
        p { a href={ (BASE) "/journal" } { "Back to the journal" } }
        dl.facts {
            dt { "Request" } dd.mono { (text_at(&v, "/method")) " " (text_at(&v, "/path")) @if !query.is_empty() { "?" (query) } }
            dt { "Operation" } dd { (text_at(&v, "/operationId")) }
            dt { "Status" } dd { (v["status"]) " " (text_at(&v, "/errorCode")) }
            dt { "Emulator time" } dd { (text_at(&v, "/time")) }
            dt { "Wall time" } dd { (text_at(&v, "/wallTime")) }
            dt { "Principal" } dd.mono { (text_at(&v, "/principal")) }
            dt { "Request id" } dd.mono { (text_at(&v, "/requestId")) }
            dt { "Correlation id" } dd.mono { (text_at(&v, "/correlationId")) }
            dt { "Latency" } dd { (format!("{:.3} ms", v["latencyMs"].as_f64().unwrap_or(0.0))) }
        }
        @if v["request"]["kept"] == true {
            section aria-labelledby="request" {
                h2 #request { "Request" }
                (headers(&v["request"]["headers"]))
                (body_block(&v["request"]["body"]))
            }
            section aria-labelledby="response" {
                h2 #response { "Answer" }
                (headers(&v["response"]["headers"]))
                (body_block(&v["response"]["body"]))
            }
        } @else {
            p { "The journal keeps the request and the answer of writes and failed requests; this successful read "
                "kept only its summary (what it answered is what a GET of the same path shows)." }
        }
        section aria-labelledby="changes" {
            h2 #changes { "Changes committed" }
            @if v["changes"].as_array().is_none_or(Vec::is_empty) { p { "None." } } @else { (pretty(&v["changes"])) }
        }
    };
    Ok(page(app, &format!("Journal entry {seq}"), "/journal", body))
}

fn headers(h: &Value) -> Markup {
    html! {
        table.headers {
            thead { tr { th { "Header" } th { "Value" } } }
            tbody {
                @if let Some(m) = h.as_object() {
                    @for (k, v) in m { tr { td.mono { (k) } td.mono { (v.as_str().unwrap_or("")) } } }
                }
            }
        }
    }
}

fn body_block(b: &Value) -> Markup {
    let size = b["size"].as_u64().unwrap_or(0);
    html! {
        @match &b["content"] {
            Value::Null => p { "No body." },
            Value::String(s) => {
                p { (size) " bytes" @if b["truncated"].as_bool().unwrap_or(false) { ", the first part shown" } }
                pre.json { (s) }
            }
            v => { p { (size) " bytes" } (pretty(v)) }
        }
    }
}
