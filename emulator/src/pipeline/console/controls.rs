//! The controls: the clock (advance, set), LRO modes, registration delay and page size, fault
//! rules (create, list with hit counts, delete), reset, state export and import. Every form
//! posts to the test-control API through the console script.

use maud::html;
use serde_json::Value;

use crate::model::time::arm_time;
use crate::model::Clock;
use crate::protocol::{ArmRequest, ArmResponse, ArmResult};

use super::{action_button, page as layout, text_at, when};
use crate::pipeline::App;

/// The operation kinds whose LRO mode can be set (a kind, its `type/*` prefix, or `*`).
const LRO_KINDS: &[&str] = &[
    "*",
    "resourceGroups/delete",
    "workspaces/create",
    "workspaces/update",
    "workspaces/delete",
    "workspaces/resyncKeys",
    "deployments/create",
    "deployments/delete",
    "environments/build",
];

pub fn page(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let clock = app.clock();
    let settings = app.ctx.settings();
    let rules = app.faults().list(app.ctx.now());
    let body = html! {
        section aria-labelledby="clock-h" {
            h2 #clock-h { "Clock" }
            p { "Now " strong #clock-now { (when(clock.now())) } @if clock.is_frozen() { " (frozen: moves only when told)" } @else { " (follows the machine's clock, plus any advance)" } "." }
            form data-form="advance" {
                label { "Advance by " input type="number" name="amount" min="0" step="any" value="1" required; }
                " "
                label { "Unit " select name="unit" {
                    option value="seconds" { "seconds" } option value="minutes" { "minutes" }
                    option value="hours" { "hours" } option value="days" selected { "days" }
                } }
                " " button type="submit" { "Advance" }
            }
            form data-form="set-clock" {
                label { "Set to " input type="text" name="now" value=(arm_time(clock.now())) required size="32"; }
                " " button type="submit" { "Set" }
            }
        }
        section aria-labelledby="settings-h" {
            h2 #settings-h { "Long-running operations and settings" }
            table {
                caption { "LRO modes (sync, polls:N, seconds:T; add :fail to end Failed)" }
                thead { tr { th { "Kind" } th { "Mode" } th { "Actions" } } }
                tbody {
                    @for (kind, mode) in &settings.lro {
                        tr { td.mono { (kind) } td.mono { (mode.to_string()) }
                             td { (action_button("Remove", "remove-lro", &[("kind", kind)], false)) } }
                    }
                    @if settings.lro.is_empty() { tr { td colspan="3" { "None: every operation completes synchronously." } } }
                }
            }
            form data-form="lro" {
                label { "Kind " input type="text" name="kind" list="lro-kinds" value="*" required; }
                datalist #lro-kinds { @for k in LRO_KINDS { option value=(k) {} } }
                " "
                label { "Mode " input type="text" name="mode" value="polls:2" required; }
                " " button type="submit" { "Set mode" }
            }
            form data-form="settings" {
                label { "Registration delay " input type="text" name="registrationDelay" value=(settings.registration_delay.to_string()) required; }
                " "
                label { "Page size " input type="number" name="pageSize" min="1" max="100000" value=(settings.page_size) required; }
                " " button type="submit" { "Save" }
            }
        }
        section aria-labelledby="faults-h" {
            h2 #faults-h { "Fault rules" }
            table #faults {
                thead { tr { th.num { "Id" } th { "Match" } th { "Action" } th { "Fires" } th.num { "Matches" } th.num { "Hits" } th { "Actions" } } }
                tbody {
                    @for r in &rules {
                        @let id = text_at(r, "/id");
                        tr data-fault=(id) {
                            td.num { (id) }
                            td.mono { (compact(r.get("match"))) }
                            td.mono { (compact(r.get("action"))) }
                            td { (firing(r)) @if r.get("expired").and_then(Value::as_bool) == Some(true) { " (expired)" } }
                            td.num { (r.get("matches").and_then(Value::as_u64).unwrap_or(0)) }
                            td.num.hits { (r.get("hits").and_then(Value::as_u64).unwrap_or(0)) }
                            td { (action_button("Delete", "delete-fault", &[("id", id)], true)) }
                        }
                    }
                    @if rules.is_empty() { tr { td colspan="7" { "None." } } }
                }
            }
            form data-form="fault" {
                fieldset {
                    legend { "Match (empty fields match anything)" }
                    label { "Method " select name="method" { option value="" { "any" } @for m in ["GET", "PUT", "PATCH", "POST", "DELETE"] { option { (m) } } } }
                    " " label { "Path prefix " input type="text" name="pathPrefix" placeholder="/subscriptions/*/resourcegroups" size="36"; }
                    " " label { "Operation " input type="text" name="operationId" placeholder="ResourceGroups_Get"; }
                }
                fieldset {
                    legend { "Action" }
                    label { "Status " input type="number" name="status" min="400" max="599" value="429"; }
                    " " label { "Error code " input type="text" name="code" placeholder="TooManyRequests"; }
                    " " label { "Message " input type="text" name="message" size="30"; }
                    " " label { "Retry-After (s) " input type="number" name="retryAfter" min="0"; }
                    " " label { "Latency (ms) " input type="number" name="latencyMs" min="0"; }
                    " " label { input type="checkbox" name="drop"; " drop the connection" }
                    " " label { input type="checkbox" name="failOperation"; " run it and end its LRO Failed" }
                }
                fieldset {
                    legend { "When" }
                    label { "Only the first " input type="number" name="times" min="1"; " times" }
                    " " label { "After " input type="number" name="afterMatches" min="0"; " matches" }
                    " " label { "Probability " input type="number" name="probability" min="0" max="1" step="any"; }
                    " " label { "Expires at " input type="text" name="expiresAt" placeholder="2026-01-01T00:00:00Z"; }
                }
                button type="submit" { "Add rule" }
                " "
                button type="button" data-action="clear-faults" data-args="{}" class="danger" { "Delete every rule" }
            }
        }
        section aria-labelledby="state-h" {
            h2 #state-h { "State" }
            p {
                a href="/_emulator/state" download="armemu-state.json" { "Export the state" }
                " (the document " code { "--load" } " and Import take)."
            }
            form data-form="import-state" {
                label { "Import a state document " input type="file" name="file" accept="application/json,.json" required; }
                " " button type="submit" { "Import" }
            }
            p { (action_button("Reset to the start state", "reset", &[], true)) }
        }
    };
    Ok(layout(app, "Controls", "/controls", body))
}

/// A rule part as one line of JSON, without the fields left at their defaults.
fn compact(v: Option<&Value>) -> String {
    let given: serde_json::Map<String, Value> = v
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, v)| !matches!(v, Value::Null | Value::Bool(false)) && v.as_u64() != Some(0))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if given.is_empty() {
        "any".into()
    } else {
        Value::Object(given).to_string()
    }
}

/// When a rule fires, in words.
fn firing(r: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(n) = r.get("times").and_then(Value::as_u64) {
        parts.push(if n == 1 { "the first time".to_string() } else { format!("the first {n} times") });
    }
    if let Some(n) = r.get("afterMatches").and_then(Value::as_u64).filter(|n| *n > 0) {
        parts.push(format!("after {n} matches"));
    }
    if let Some(p) = r.get("probability").and_then(Value::as_f64).filter(|p| *p < 1.0) {
        parts.push(format!("with probability {p}"));
    }
    if let Some(t) = r.get("expiresAt").and_then(Value::as_str) {
        parts.push(format!("until {t}"));
    }
    if parts.is_empty() {
        "every time".into()
    } else {
        parts.join(", ")
    }
}
