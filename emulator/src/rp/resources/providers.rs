//! Resource providers: list/get/register/unregister, resource types, and the registration
//! state machine (`NotRegistered → Registering → Registered`, back through `Unregistering`).
//! Register answers 200 with `Registered` unless a delay is configured, because the az CLI
//! and azure-mgmt-core sleep 10 s between checks otherwise.

use serde_json::{json, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::paging;
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::config::RegistrationDelay;
use crate::context::Ctx;
use crate::router::{Access, Route};
use crate::rp::catalog::{self, ProviderInfo};
use crate::store::{Registration, RegistrationState, State};

pub fn routes() -> Vec<Route> {
    let r = |method, pattern, operation, access, handler| Route { method, pattern, operation, access, handler };
    vec![
        r(Method::Get, "/subscriptions/{subscriptionId}/providers", "Providers_List", Access::Arm, list),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}",
            "Providers_Get",
            Access::Arm,
            get,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register",
            "Providers_Register",
            Access::Arm,
            register,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/unregister",
            "Providers_Unregister",
            Access::Arm,
            unregister,
        ),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/resourceTypes",
            "ProviderResourceTypes_List",
            Access::Arm,
            resource_types,
        ),
        r(Method::Get, "/providers", "Providers_ListAtTenantScope", Access::ArmTenant, list_at_tenant),
        r(
            Method::Get,
            "/providers/{resourceProviderNamespace}",
            "Providers_GetAtTenantScope",
            Access::ArmTenant,
            get_at_tenant,
        ),
    ]
}

fn resource_types_json(p: &ProviderInfo) -> Value {
    Value::Array(
        p.resource_types
            .iter()
            .map(|t| {
                json!({
                    "resourceType": t.name,
                    "locations": t.regions().iter().map(|r| r.display_name).collect::<Vec<_>>(),
                    "apiVersions": t.api_versions,
                    "defaultApiVersion": t.api_versions.iter().find(|v| !v.contains('-') || v.len() == 10).unwrap_or(&t.api_versions[0]),
                    "capabilities": t.capabilities,
                })
            })
            .collect(),
    )
}

fn render(p: &ProviderInfo, sub: Option<&str>, state: Option<RegistrationState>) -> Value {
    let mut v = json!({
        "id": match sub { Some(s) => format!("/subscriptions/{s}/providers/{}", p.namespace), None => format!("/providers/{}", p.namespace) },
        "namespace": p.namespace,
    });
    if let Some(st) = state {
        v["registrationState"] = json!(st.as_str());
        v["registrationPolicy"] = json!(if p.registration_free { "RegistrationFree" } else { "RegistrationRequired" });
    }
    v["resourceTypes"] = resource_types_json(p);
    v
}

/// The registration of `p` in `sub` as seen now; creates the default record on first sight and
/// settles a pending transition when due (a read counts as a poll).
pub fn observe(ctx: &Ctx, s: &mut State, sub: &str, p: &ProviderInfo) -> RegistrationState {
    if p.registration_free {
        return RegistrationState::Registered;
    }
    let now = ctx.clock.now();
    let key = State::registration_key(sub, p.namespace);
    let reg = s.registrations.entry(key).or_insert_with(|| default_registration(ctx, sub, p));
    reg.observe(now)
}

pub fn default_registration(ctx: &Ctx, sub: &str, p: &ProviderInfo) -> Registration {
    let registered = match &ctx.config.registered_providers {
        Some(list) => list.iter().any(|n| n.eq_ignore_ascii_case(p.namespace)),
        None => p.default_registered,
    };
    Registration {
        subscription_id: sub.to_string(),
        namespace: p.namespace.to_string(),
        state: if registered || p.registration_free {
            RegistrationState::Registered
        } else {
            RegistrationState::NotRegistered
        },
        settles_at: None,
        polls_left: None,
    }
}

/// `409 MissingSubscriptionRegistration` unless `ns` is registered in `sub`.
pub fn require_registered(ctx: &Ctx, sub: &str, ns: &str) -> ArmResult<&'static ProviderInfo> {
    let p = catalog::provider(ns).ok_or_else(|| ArmError::invalid_resource_namespace(ns))?;
    let state = ctx.store.write(|s| observe(ctx, s, sub, p));
    if state != RegistrationState::Registered {
        return Err(ArmError::missing_subscription_registration(p.namespace));
    }
    Ok(p)
}

fn provider_param(req: &ArmRequest) -> ArmResult<&'static ProviderInfo> {
    let ns = req.param("resourceProviderNamespace")?;
    catalog::provider(ns).ok_or_else(|| {
        ArmError::new(404, "InvalidResourceNamespace", format!("The resource namespace '{ns}' is invalid."))
    })
}

fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let items: Vec<(String, Value)> = ctx.store.write(|s| {
        catalog::PROVIDERS
            .iter()
            .map(|p| (p.namespace.to_lowercase(), render(p, Some(sub), Some(observe(ctx, s, sub, p)))))
            .collect()
    });
    let mut items = items;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let p = provider_param(req)?;
    let st = ctx.store.write(|s| observe(ctx, s, sub, p));
    Ok(ArmResponse::ok(render(p, Some(sub), Some(st))))
}

fn resource_types(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let p = provider_param(req)?;
    Ok(ArmResponse::ok(json!({ "value": resource_types_json(p) })))
}

fn transition(ctx: &Ctx, req: &ArmRequest, target: RegistrationState) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let p = provider_param(req)?;
    let delay = ctx.settings.read().registration_delay;
    let now = ctx.clock.now();
    let st = ctx.store.write(|s| {
        let current = observe(ctx, s, sub, p);
        if p.registration_free || current == target {
            return current;
        }
        let reg = s
            .registrations
            .entry(State::registration_key(sub, p.namespace))
            .or_insert_with(|| default_registration(ctx, sub, p));
        let (pending, settled) = match target {
            RegistrationState::Registered => (RegistrationState::Registering, RegistrationState::Registered),
            _ => (RegistrationState::Unregistering, RegistrationState::NotRegistered),
        };
        match delay {
            RegistrationDelay::Immediate => {
                reg.state = settled;
                reg.settles_at = None;
                reg.polls_left = None;
            }
            RegistrationDelay::Polls(n) => {
                reg.state = pending;
                reg.settles_at = None;
                reg.polls_left = Some(n);
            }
            RegistrationDelay::Seconds(t) => {
                reg.state = pending;
                reg.polls_left = None;
                reg.settles_at = Some(now + chrono::Duration::seconds(t.min(86_400 * 365) as i64));
            }
        }
        reg.state
    });
    Ok(ArmResponse::ok(render(p, Some(sub), Some(st))))
}

fn register(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    transition(ctx, req, RegistrationState::Registered)
}

fn unregister(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    transition(ctx, req, RegistrationState::NotRegistered)
}

fn list_at_tenant(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let items = catalog::PROVIDERS.iter().map(|p| (p.namespace.to_lowercase(), render(p, None, None))).collect();
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

fn get_at_tenant(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(render(provider_param(req)?, None, None)))
}
