//! Resource providers: list/get/register/unregister, resource types, and the registration
//! state machine (`NotRegistered → Registering → Registered`, back through `Unregistering`).
//! Register answers 200 with `Registered` unless a delay is configured, because the az CLI
//! and azure-mgmt-core sleep 10 s between checks otherwise.
//!
//! A delayed transition settles after `seconds:T` of the emulator clock (the store settles it)
//! or on the N-th read of the provider after the request (`polls:N`): a `GET` of the provider
//! commits that count as a change. Checking registration before a write is a plain read.

use serde_json::{json, Value};

use crate::catalog::{self, ProviderInfo, RESOURCES_API_VERSIONS};
use crate::model::time::add;
use crate::model::{RegistrationDelay, RegistrationState};
use crate::protocol::router::{Access, Route};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::{Change, State};

use crate::providers::common::{default_registration, registration};
use crate::providers::{Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, access, action, handler: Handler| {
        Route::new(method, pattern, operation, access, handler).api_versions(RESOURCES_API_VERSIONS).action(action)
    };
    const READ: &str = "Microsoft.Resources/subscriptions/providers/read";
    vec![
        r(Method::Get, "/subscriptions/{subscriptionId}/providers", "Providers_List", Access::Arm, READ, list),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}",
            "Providers_Get",
            Access::Arm,
            READ,
            get,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register",
            "Providers_Register",
            Access::Arm,
            "*/register/action",
            register,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/unregister",
            "Providers_Unregister",
            Access::Arm,
            "*/unregister/action",
            unregister,
        ),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/resourceTypes",
            "ProviderResourceTypes_List",
            Access::Arm,
            READ,
            resource_types,
        ),
        r(Method::Get, "/providers", "Providers_ListAtTenantScope", Access::ArmTenant, READ, list_at_tenant),
        r(
            Method::Get,
            "/providers/{resourceProviderNamespace}",
            "Providers_GetAtTenantScope",
            Access::ArmTenant,
            READ,
            get_at_tenant,
        ),
    ]
}

/// Whether the request asks for `$expand=resourceTypes/aliases`: each resource type then also
/// lists its policy `aliases`, its `apiProfiles` and its `locationMappings` (all empty here: the
/// emulator has no policy aliases, Azure Stack profiles or edge zones).
fn expand_aliases(req: &ArmRequest) -> bool {
    req.query("$expand").is_some_and(|e| e.split(',').any(|x| x.trim().eq_ignore_ascii_case("resourceTypes/aliases")))
}

fn resource_types_json(p: &ProviderInfo, expanded: bool) -> Value {
    Value::Array(
        p.resource_types
            .iter()
            .map(|t| {
                let mut v = json!({
                    "resourceType": t.name,
                    "locations": t.location_display_names(),
                    "apiVersions": t.api_versions,
                    "defaultApiVersion": t.api_versions.iter().find(|v| !v.contains('-') || v.len() == 10).unwrap_or(&t.api_versions[0]),
                    "capabilities": t.capabilities.render(),
                });
                if expanded {
                    v["locationMappings"] = json!([]);
                    v["aliases"] = json!([]);
                    v["apiProfiles"] = json!([]);
                }
                v
            })
            .collect(),
    )
}

fn render(p: &ProviderInfo, sub: Option<&str>, state: Option<RegistrationState>, expanded: bool) -> Value {
    let mut v = json!({
        "id": match sub { Some(s) => format!("/subscriptions/{s}/providers/{}", p.namespace), None => format!("/providers/{}", p.namespace) },
        "namespace": p.namespace,
    });
    if let Some(st) = state {
        v["registrationState"] = json!(st.as_str());
        v["registrationPolicy"] = json!(if p.registration_free { "RegistrationFree" } else { "RegistrationRequired" });
    }
    v["resourceTypes"] = resource_types_json(p, expanded);
    v
}

fn provider_param(req: &ArmRequest) -> ArmResult<&'static ProviderInfo> {
    let ns = req.param("resourceProviderNamespace")?;
    catalog::provider(ns).ok_or_else(|| ArmError::provider_not_found(ns))
}

/// The change a read of `p` commits: one poll of a `polls:N` transition in progress.
fn poll(s: &State, sub: &str, p: &ProviderInfo) -> Option<Change> {
    s.registration(sub, p.namespace)
        .filter(|r| r.polls_left.is_some())
        .map(|_| Change::CountRegistrationPoll { subscription: sub.to_string(), namespace: p.namespace.to_string() })
}

fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    let expanded = expand_aliases(req);
    let mut providers: Vec<(String, &'static ProviderInfo)> =
        catalog::PROVIDERS.iter().map(|p| (p.namespace.to_lowercase(), p)).collect();
    providers.sort_by(|a, b| a.0.cmp(&b.0));
    ctx.store().commit_then(
        |s| Ok::<_, ArmError>((catalog::PROVIDERS.iter().filter_map(|p| poll(s, sub, p)).collect(), ())),
        |s, ()| {
            let items = providers
                .iter()
                .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
                .map(|(k, p)| (k.as_str(), render(p, Some(sub), Some(registration(ctx, s, sub, p)), expanded)));
            ArmResponse::raw_json(
                200,
                paging::page_from(req, items, paging::SKIP_TOKEN, size, |v, out| {
                    let _ = serde_json::to_writer(out, &v);
                }),
            )
        },
    )
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let p = provider_param(req)?;
    ctx.store().commit_then(
        |s| Ok::<_, ArmError>((poll(s, sub, p).into_iter().collect(), ())),
        |s, ()| ArmResponse::ok(render(p, Some(sub), Some(registration(ctx, s, sub, p)), expand_aliases(req))),
    )
}

fn resource_types(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let p = provider_param(req)?;
    Ok(ArmResponse::ok(json!({ "value": resource_types_json(p, expand_aliases(req)) })))
}

fn transition(ctx: &Ctx, req: &ArmRequest, target: RegistrationState) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let p = provider_param(req)?;
    let delay = ctx.registration_delay();
    let now = ctx.now();
    ctx.store().commit(|s| {
        let current = registration(ctx, s, sub, p);
        if p.registration_free || current == target {
            return Ok((Vec::new(), ArmResponse::ok(render(p, Some(sub), Some(current), false))));
        }
        let mut reg =
            s.registration(sub, p.namespace).cloned().unwrap_or_else(|| default_registration(ctx.config(), sub, p));
        let pending = match target {
            RegistrationState::Registered => RegistrationState::Registering,
            _ => RegistrationState::Unregistering,
        };
        reg.state = pending;
        reg.settles_at = None;
        reg.polls_left = None;
        match delay {
            RegistrationDelay::Immediate => reg = reg.settled(),
            RegistrationDelay::Polls(n) => reg.polls_left = Some(n),
            RegistrationDelay::Seconds(t) => {
                reg.settles_at = Some(add(now, chrono::Duration::seconds(t.min(86_400 * 365) as i64)))
            }
        }
        let resp = ArmResponse::ok(render(p, Some(sub), Some(reg.state), false));
        Ok((vec![Change::PutRegistration { registration: reg }], resp))
    })
}

fn register(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    transition(ctx, req, RegistrationState::Registered)
}

fn unregister(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    transition(ctx, req, RegistrationState::NotRegistered)
}

fn list_at_tenant(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    // In the catalog's order, keyed by position: the continuation token is the last key.
    let items = catalog::PROVIDERS
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{i:04}"), render(p, None, None, expand_aliases(req))))
        .collect();
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

fn get_at_tenant(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(render(provider_param(req)?, None, None, expand_aliases(req))))
}
