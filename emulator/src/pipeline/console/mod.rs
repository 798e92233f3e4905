//! The web console at `/_emulator/ui`: server-rendered pages over the state, the journal and
//! the controls, for a developer looking at what a failing test left behind.
//!
//! The pages are plain HTML (rendered here with `maud`, which escapes every value) with one
//! small script and one style sheet, both embedded in the binary: nothing is fetched from
//! elsewhere, so the console works offline. It is part of the test-control API: the same
//! `Host`/`Origin` rules apply, and its pages are not recorded in the journal.
//!
//! The console changes nothing by itself. Its buttons call the existing test-control API
//! (clock, settings, faults, reset, import) and, for what a client would do (recover or purge
//! a soft-deleted workspace), ARM itself with a token the console asks `POST
//! /_emulator/ui/token` for, so every change goes through the same pipeline, handlers and
//! commit path as a test's own calls, and the journal shows it.
//!
//! - [`browse`]: subscriptions → groups → resources, soft-deleted workspaces, registrations,
//!   role assignments;
//! - [`activity`]: deployments with their operations, and the journal;
//! - [`controls`]: clock, LRO modes, registration delay, page size, fault rules, reset,
//!   export and import.

mod activity;
mod browse;
mod controls;

use maud::{html, Markup, DOCTYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use crate::model::time::arm_time;
use crate::model::Clock;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};

use super::{App, ControlHandler, Handler};

/// Where the console lives.
pub const BASE: &str = "/_emulator/ui";

const SCRIPT: &str = include_str!("console.js");
const STYLE: &str = include_str!("console.css");

/// Scripts and styles only from the console itself, no inline script, no framing.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, handler: ControlHandler| {
        Route::new(method, pattern, operation, Access::Control, Handler::Control(handler))
    };
    vec![
        r(Method::Get, "/_emulator/ui", "Console_Overview", browse::overview),
        r(Method::Get, "/_emulator/ui/subscriptions/{subscriptionId}", "Console_Subscription", browse::subscription),
        r(
            Method::Get,
            "/_emulator/ui/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}",
            "Console_ResourceGroup",
            browse::group,
        ),
        r(Method::Get, "/_emulator/ui/deleted", "Console_Deleted", browse::deleted),
        r(Method::Get, "/_emulator/ui/deployments", "Console_Deployments", activity::deployments),
        r(Method::Get, "/_emulator/ui/journal", "Console_Journal", activity::journal),
        r(Method::Get, "/_emulator/ui/journal/{seq}", "Console_JournalEntry", activity::entry),
        r(Method::Get, "/_emulator/ui/controls", "Console_Controls", controls::page),
        r(Method::Get, "/_emulator/ui/assets/console.js", "Console_Script", script),
        r(Method::Get, "/_emulator/ui/assets/console.css", "Console_Style", style),
        r(Method::Post, "/_emulator/ui/token", "Console_Token", token),
    ]
}

/// The console's sections, as the navigation lists them: (path under [`BASE`], label).
const SECTIONS: &[(&str, &str)] = &[
    ("", "Resources"),
    ("/deleted", "Deleted"),
    ("/deployments", "Deployments"),
    ("/journal", "Journal"),
    ("/controls", "Controls"),
];

/// A page: the navigation (with `current` marked), the clock, and `body`.
fn page(app: &App, title: &str, current: &str, body: Markup) -> ArmResponse {
    let clock = app.clock();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · armemu" }
                // No icon: without this line the browser asks for /favicon.ico (an ARM path).
                link rel="icon" href="data:,";
                link rel="stylesheet" href={ (BASE) "/assets/console.css" };
                script src={ (BASE) "/assets/console.js" } defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    span.brand { "armemu" }
                    nav aria-label="Sections" {
                        ul {
                            @for (path, label) in SECTIONS {
                                li {
                                    @if *path == current {
                                        a href={ (BASE) (path) } aria-current="page" { (label) }
                                    } @else {
                                        a href={ (BASE) (path) } { (label) }
                                    }
                                }
                            }
                        }
                    }
                    span.clock title="The emulator clock" {
                        "Clock " (when(clock.now()))
                        @if clock.is_frozen() { " (frozen)" }
                    }
                }
                p #status role="status" aria-live="polite" {}
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    ArmResponse::text(200, "text/html; charset=utf-8", markup.into_string())
        .with_header("content-security-policy", POLICY)
        .with_header("referrer-policy", "no-referrer")
        .with_header("x-frame-options", "DENY")
}

/// A page that says what is missing (a 404 a person can read, with the way back).
fn missing(app: &App, what: String) -> ArmResponse {
    let mut resp = page(app, "Not found", "", html! { p { (what) } p { a href=(BASE) { "Back to the overview" } } });
    resp.status = 404;
    resp
}

fn script(_app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::text(200, "text/javascript; charset=utf-8", SCRIPT))
}

fn style(_app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::text(200, "text/css; charset=utf-8", STYLE))
}

/// `POST /_emulator/ui/token`: an ARM token for the first configured service principal (the
/// identity `armemu env` exports), for the console's own ARM calls. A test-control write
/// like any other: only from this machine, and only as JSON or with `X-ArmEmu-Control`.
fn token(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sp = app
        .config()
        .service_principals
        .first()
        .ok_or_else(|| ArmError::emulator_request("no service principal is configured to act for the console"))?;
    let issued = app.ctx.identity().issue(
        app.ctx.now(),
        app.ctx.ids(),
        &req.base_url(),
        &sp.tenant_id,
        &sp.object_id,
        &sp.client_id,
        "https://management.azure.com",
    )?;
    Ok(ArmResponse::ok(json!({"accessToken": issued.token, "expiresOn": issued.expires_on, "clientId": sp.client_id})))
}

/// What a path segment may carry unescaped in the console's links.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `value` escaped as one path segment.
fn seg(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// The link to a group's page.
fn group_link(sub: &str, rg: &str) -> String {
    format!("{BASE}/subscriptions/{}/resourceGroups/{}", seg(sub), seg(rg))
}

/// A time as people read it, with the exact value in `datetime`.
fn when(t: chrono::DateTime<chrono::Utc>) -> Markup {
    html! { time datetime=(arm_time(t)) title=(arm_time(t)) { (t.format("%Y-%m-%d %H:%M:%S UTC")) } }
}

/// JSON shown as indented text.
fn pretty(v: &Value) -> Markup {
    html! { pre.json { (serde_json::to_string_pretty(v).unwrap_or_default()) } }
}

/// A string at a JSON pointer, or "".
fn text_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// A state shown with a class the style sheet colours (`Succeeded`, `Failed`, …).
fn state_badge(state: &str) -> Markup {
    let class = match state {
        "Succeeded" | "Registered" | "Enabled" => "ok",
        "Failed" | "Canceled" | "Disabled" | "Unregistered" | "NotRegistered" | "Deleted" => "bad",
        "" => "none",
        _ => "busy",
    };
    html! { span class={ "badge " (class) } { (if state.is_empty() { "—" } else { state }) } }
}

/// A button that calls one of the console script's actions with `data-*` arguments.
fn action_button(label: &str, action: &str, args: &[(&str, &str)], danger: bool) -> Markup {
    // maud has no spread of attributes: the arguments travel as one JSON attribute.
    let args: serde_json::Map<String, Value> = args.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    html! {
        button type="button" class=(if danger { "danger" } else { "" }) data-action=(action)
            data-args=(Value::Object(args).to_string()) { (label) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_escape_what_a_path_cannot_carry() {
        assert_eq!(seg("rg-1.a_b~"), "rg-1.a_b~");
        assert_eq!(seg("a b/c?d#e"), "a%20b%2Fc%3Fd%23e");
        assert_eq!(seg("grüße(1)"), "gr%C3%BC%C3%9Fe%281%29");
    }

    #[test]
    fn badges_class_by_state() {
        assert!(state_badge("Succeeded").into_string().contains("badge ok"));
        assert!(state_badge("Failed").into_string().contains("badge bad"));
        assert!(state_badge("Deleting").into_string().contains("badge busy"));
        assert!(state_badge("").into_string().contains("—"));
    }

    #[test]
    fn action_buttons_carry_their_arguments_escaped() {
        let b = action_button("Purge", "purge", &[("id", "/x/\"y\"<z>")], true).into_string();
        assert!(b.contains(r#"data-action="purge""#), "{b}");
        assert!(b.contains("&quot;id&quot;:&quot;/x/\\&quot;y\\&quot;&lt;z&gt;&quot;"), "{b}");
        assert!(b.contains(r#"class="danger""#), "{b}");
    }
}
