//! The test-control API under `/_emulator/` (emulator-only, no authentication): health,
//! reset, state export/import, the virtual clock, runtime settings and the route table.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::lro::LroMode;
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::context::Ctx;
use crate::router::{Access, Route};
use crate::store::clock::arm_time;
use crate::store::{State, StateDocument};

pub fn routes() -> Vec<Route> {
    let r = |method, pattern, operation, handler| Route { method, pattern, operation, access: Access::Open, handler };
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
    ]
}

fn admin_error(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidEmulatorRequest", message)
}

fn health(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let e = ctx.endpoints.read().clone();
    Ok(ArmResponse::ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "http": e.http,
        "https": e.https,
        "ca": e.ca,
        "bundle": e.bundle,
        "dataDir": ctx.config.data_dir.display().to_string(),
        "clock": arm_time(ctx.clock.now()),
        "operationsInFlight": ctx.store.operation_count(),
    })))
}

/// Back to the start state; `?subscription=ID` resets only that subscription.
fn reset(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    match req.query("subscription") {
        None => ctx.store.replace(ctx.initial.clone()),
        Some(sub) => {
            let sub_l = sub.to_lowercase();
            if !ctx.initial.subscriptions.contains_key(&sub_l) && ctx.store.read(|s| s.subscription(sub).is_none()) {
                return Err(ArmError::subscription_not_found(sub));
            }
            let prefix = format!("/subscriptions/{sub_l}/");
            let reg_prefix = format!("{sub_l}/");
            ctx.store.write(|s| {
                s.groups.retain(|k, _| !k.starts_with(&prefix));
                s.resources.retain(|k, _| !k.starts_with(&prefix));
                s.registrations.retain(|k, _| !k.starts_with(&reg_prefix));
                let init = &ctx.initial;
                s.groups.extend(
                    init.groups.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (k.clone(), v.clone())),
                );
                s.resources.extend(
                    init.resources.iter().filter(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (k.clone(), v.clone())),
                );
                s.registrations.extend(
                    init.registrations
                        .iter()
                        .filter(|(k, _)| k.starts_with(&reg_prefix))
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
            });
        }
    }
    Ok(ArmResponse::empty(204))
}

fn export(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let doc = ctx.store.read(|s| s.export(ctx.clock.now()));
    let text = serde_json::to_vec(&doc).map_err(|e| ArmError::internal(e.to_string()))?;
    Ok(ArmResponse::raw_json(200, text.into()))
}

fn import(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let doc = StateDocument::parse(&req.body).map_err(ArmError::invalid_request_content)?;
    let clock = doc.clock;
    let state = State::from_document(doc).map_err(admin_error)?;
    let counts = json!({
        "subscriptions": state.subscriptions.len(),
        "resourceGroups": state.groups.len(),
        "resources": state.resources.len(),
    });
    ctx.store.replace(state);
    if let (Some(t), true) = (clock, ctx.clock.is_frozen()) {
        ctx.clock.set(t);
    }
    Ok(ArmResponse::ok(counts))
}

fn clock_body(ctx: &Ctx) -> Value {
    json!({"now": arm_time(ctx.clock.now()), "frozen": ctx.clock.is_frozen()})
}

fn clock(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(clock_body(ctx)))
}

/// Body `{"seconds": N}` (or `minutes`, `hours`, `days`); `?seconds=N` works too.
fn advance(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let mut total: i64 = 0;
    let mut any = false;
    for (unit, mult) in [("seconds", 1i64), ("minutes", 60), ("hours", 3600), ("days", 86_400)] {
        let v = body.get(unit).and_then(Value::as_f64).or_else(|| req.query(unit).and_then(|q| q.parse().ok()));
        if let Some(v) = v {
            if !(0.0..=3.2e9).contains(&(v * mult as f64)) {
                return Err(admin_error(format!("'{unit}' must be between 0 and 100 years")));
            }
            total += (v * mult as f64) as i64;
            any = true;
        }
    }
    if !any {
        return Err(admin_error("give 'seconds', 'minutes', 'hours' or 'days' to advance the clock by"));
    }
    ctx.clock.advance(Duration::seconds(total));
    Ok(ArmResponse::ok(clock_body(ctx)))
}

/// Body `{"now": "2026-01-01T00:00:00Z"}`.
fn set_clock(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let t = body
        .get("now")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .ok_or_else(|| admin_error("give 'now' as an RFC 3339 time"))?;
    ctx.clock.set(t.with_timezone(&Utc));
    Ok(ArmResponse::ok(clock_body(ctx)))
}

fn settings_body(ctx: &Ctx) -> Value {
    let s = ctx.settings.read();
    json!({"lro": s.lro, "registrationDelay": s.registration_delay.to_string(), "pageSize": s.page_size})
}

fn settings(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(settings_body(ctx)))
}

/// Body `{"lro": {"kind": "polls:2", …}, "registrationDelay": "seconds:5", "pageSize": 2}`;
/// an LRO mode of `null` removes that kind's override.
fn update_settings(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let mut lro_changes = Vec::new();
    if let Some(l) = body.get("lro") {
        let m = l.as_object().ok_or_else(|| admin_error("'lro' must be an object of kind → mode"))?;
        for (k, v) in m {
            match v {
                Value::Null => lro_changes.push((k.clone(), None)),
                Value::String(s) => lro_changes.push((k.clone(), Some(s.parse::<LroMode>().map_err(admin_error)?))),
                _ => return Err(admin_error(format!("the LRO mode of '{k}' must be a string or null"))),
            }
        }
    }
    let delay = match body.get("registrationDelay") {
        None => None,
        Some(Value::String(s)) => Some(s.parse().map_err(admin_error)?),
        Some(_) => return Err(admin_error("'registrationDelay' must be a string")),
    };
    let page = match body.get("pageSize") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| admin_error("'pageSize' must be 1..100000"))? as usize,
        ),
    };
    {
        let mut s = ctx.settings.write();
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
    }
    Ok(ArmResponse::ok(settings_body(ctx)))
}

fn routes_doc(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let v: Vec<Value> = ctx
        .router
        .routes()
        .map(|r| json!({"method": r.method.as_str(), "pattern": r.pattern, "operation": r.operation}))
        .collect();
    Ok(ArmResponse::ok(json!({ "value": v })))
}
