//! The test-control API under `/_emulator/` (emulator-only, no authentication; only from this
//! machine, and writes must be JSON or carry `X-ArmEmu-Control`): health, reset, state
//! export/import, the virtual clock, runtime settings and the route table. The only code that
//! moves the clock, changes settings or replaces the state.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::model::time::arm_time;
use crate::model::{Clock, LroMode};
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::Settings;
use crate::store::document::Export;

use super::{App, ControlHandler, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, handler: ControlHandler| {
        Route::new(method, pattern, operation, Access::Control, Handler::Control(handler))
    };
    vec![
        r(Method::Get, "/_emulator/health", "Emulator_Health", health),
        r(Method::Post, "/_emulator/reset", "Emulator_Reset", reset),
        r(Method::Get, "/_emulator/state", "Emulator_ExportState", export),
        r(Method::Put, "/_emulator/state", "Emulator_ImportState", import),
        r(Method::Post, "/_emulator/state", "Emulator_ImportState", import),
        r(Method::Get, "/_emulator/clock", "Emulator_GetClock", clock),
        r(Method::Post, "/_emulator/clock/advance", "Emulator_AdvanceClock", advance),
        r(Method::Post, "/_emulator/clock/set", "Emulator_SetClock", set_clock),
        r(Method::Get, "/_emulator/settings", "Emulator_GetSettings", settings),
        r(Method::Patch, "/_emulator/settings", "Emulator_UpdateSettings", update_settings),
        r(Method::Get, "/_emulator/routes", "Emulator_Routes", routes_doc),
        r(Method::Post, "/_emulator/devicecode/{userCode}/approve", "Emulator_ApproveDeviceCode", approve_device_code),
        r(Method::Get, "/_emulator/journal", "Emulator_GetJournal", super::journal::list),
        r(Method::Delete, "/_emulator/journal", "Emulator_ClearJournal", super::journal::clear),
        r(Method::Get, "/_emulator/journal/stream", super::journal::STREAM_OPERATION, super::journal::stream),
        r(Method::Get, "/_emulator/journal/{seq}", "Emulator_GetJournalEntry", super::journal::get),
    ]
}

fn health(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let e = app.ctx.endpoints();
    let (in_flight, retained) = app.ctx.store().read(|s| s.operation_counts());
    Ok(ArmResponse::ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "http": e.http,
        "https": e.https,
        "ca": e.ca,
        "bundle": e.bundle,
        "dataDir": app.config().data_dir.display().to_string(),
        "clock": arm_time(app.clock().now()),
        "operationsInFlight": in_flight,
        "operationsRetained": retained,
        "stateDir": app.durable().map(|d| d.figures()),
    })))
}

/// Back to the start state; `?subscription=ID` resets only that subscription.
fn reset(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let store = app.ctx.store();
    match req.query("subscription") {
        None => {
            store.replace(app.initial().clone());
            app.faults().clear();
        }
        Some(sub) => super::subscriptions::reset(app, sub)?,
    }
    Ok(ArmResponse::empty(204))
}

fn export(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    if let Some(sub) = req.query("subscription") {
        return super::subscriptions::export(app, sub);
    }
    let now = app.clock().now();
    let text = app
        .ctx
        .store()
        .read(|s| serde_json::to_vec(&Export { state: s, clock: now }))
        .map_err(|e| ArmError::internal(e.to_string()))?;
    Ok(ArmResponse::raw_json(200, text.into()))
}

/// Replaces the whole state with a document, checked like writes (400 naming the first bad
/// item, and nothing changes).
fn import(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    if let Some(sub) = req.query("subscription") {
        return super::subscriptions::import(app, req, sub);
    }
    let imported = app.read_document(&req.body)?;
    let (subscriptions, groups, resources) = imported.state.counts();
    app.ctx.store().replace(imported.state);
    if let (Some(t), true) = (imported.clock, app.clock().is_frozen()) {
        app.move_clock(|c| c.set(t)).map_err(|e| ArmError::emulator_request(e.to_string()))?;
    }
    Ok(ArmResponse::ok(json!({"subscriptions": subscriptions, "resourceGroups": groups, "resources": resources})))
}

fn clock_body(app: &App) -> Value {
    json!({"now": arm_time(app.clock().now()), "frozen": app.clock().is_frozen()})
}

fn clock(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(clock_body(app)))
}

/// Body `{"seconds": N}` (or `minutes`, `hours`, `days`); `?seconds=N` works too. The store
/// then settles what the new time makes due.
fn advance(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let mut total: i64 = 0;
    let mut any = false;
    for (unit, mult) in [("seconds", 1i64), ("minutes", 60), ("hours", 3600), ("days", 86_400)] {
        let v = body.get(unit).and_then(Value::as_f64).or_else(|| req.query(unit).and_then(|q| q.parse().ok()));
        if let Some(v) = v {
            if !(0.0..=3.2e9).contains(&(v * mult as f64)) {
                return Err(ArmError::emulator_request(format!("'{unit}' must be between 0 and 100 years")));
            }
            total += (v * mult as f64) as i64;
            any = true;
        }
    }
    if !any {
        return Err(ArmError::emulator_request("give 'seconds', 'minutes', 'hours' or 'days' to advance the clock by"));
    }
    app.move_clock(|c| c.advance(Duration::seconds(total))).map_err(|e| ArmError::emulator_request(e.to_string()))?;
    app.ctx.store().settle();
    Ok(ArmResponse::ok(clock_body(app)))
}

/// Body `{"now": "2026-01-01T00:00:00Z"}`.
fn set_clock(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let t = body
        .get("now")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .ok_or_else(|| ArmError::emulator_request("give 'now' as an RFC 3339 time"))?;
    app.move_clock(|c| c.set(t.with_timezone(&Utc))).map_err(|e| ArmError::emulator_request(e.to_string()))?;
    app.ctx.store().settle();
    Ok(ArmResponse::ok(clock_body(app)))
}

fn settings_body(app: &App) -> Value {
    settings_json(&app.ctx.settings())
}

/// The runtime settings as `GET /_emulator/settings` shows them (and the state directory
/// records them).
pub fn settings_json(s: &Settings) -> Value {
    json!({"lro": s.lro, "registrationDelay": s.registration_delay.to_string(), "pageSize": s.page_size})
}

fn settings(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(settings_body(app)))
}

/// Body `{"lro": {"kind": "polls:2", …}, "registrationDelay": "seconds:5", "pageSize": 2}`;
/// an LRO mode of `null` removes that kind's override.
fn update_settings(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let patch = settings_patch(&req.json_object()?)?;
    app.update_settings(patch);
    Ok(ArmResponse::ok(settings_body(app)))
}

/// Reads a settings document (a `PATCH /_emulator/settings` body, or what the state directory
/// recorded) into the change it makes; nothing changes when a part is invalid.
pub fn settings_patch(body: &serde_json::Map<String, Value>) -> ArmResult<impl FnOnce(&mut Settings)> {
    let mut lro_changes = Vec::new();
    if let Some(l) = body.get("lro") {
        let m = l.as_object().ok_or_else(|| ArmError::emulator_request("'lro' must be an object of kind → mode"))?;
        for (k, v) in m {
            match v {
                Value::Null => lro_changes.push((k.clone(), None)),
                Value::String(s) => {
                    lro_changes.push((k.clone(), Some(s.parse::<LroMode>().map_err(ArmError::emulator_request)?)))
                }
                _ => return Err(ArmError::emulator_request(format!("the LRO mode of '{k}' must be a string or null"))),
            }
        }
    }
    let delay = match body.get("registrationDelay") {
        None => None,
        Some(Value::String(s)) => Some(s.parse().map_err(ArmError::emulator_request)?),
        Some(_) => return Err(ArmError::emulator_request("'registrationDelay' must be a string")),
    };
    let page = match body.get("pageSize") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| ArmError::emulator_request("'pageSize' must be 1..100000"))? as usize,
        ),
    };
    Ok(move |s: &mut Settings| {
        for (k, v) in lro_changes {
            match v {
                Some(m) => {
                    s.lro.insert(k, m);
                }
                None => {
                    s.lro.remove(&k);
                }
            }
        }
        if let Some(d) = delay {
            s.registration_delay = d;
        }
        if let Some(p) = page {
            s.page_size = p;
        }
    })
}

/// Approves a waiting device code (`az login --use-device-code`) as the default user, or as
/// the configured user the optional body `{"user": "<upn or object id>"}` names.
fn approve_device_code(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let code = req.param("userCode")?;
    let users = &app.config().users;
    let user = match req.json_object()?.get("user") {
        None => users.first(),
        Some(Value::String(name)) => users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(name) || u.object_id.eq_ignore_ascii_case(name)),
        Some(_) => return Err(ArmError::emulator_request("'user' must be a string")),
    }
    .ok_or_else(|| ArmError::emulator_not_found("no such user is configured"))?;
    let now = app.clock().now().timestamp();
    if !app.ctx.identity().device_codes.approve(now, code, &user.user_principal_name) {
        return Err(ArmError::emulator_not_found(format!("no device code '{code}' is waiting for approval")));
    }
    Ok(ArmResponse::ok(json!({"userCode": code, "user": user.user_principal_name})))
}

fn routes_doc(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let v: Vec<Value> = app
        .router()
        .routes()
        .map(|r| json!({"method": r.method.as_str(), "pattern": r.pattern, "operation": r.meta.operation}))
        .collect();
    Ok(ArmResponse::ok(json!({ "value": v })))
}
