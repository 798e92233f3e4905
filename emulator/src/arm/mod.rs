//! The ARM protocol layer: the only module that knows ARM's statuses, headers, error envelope,
//! api-version rules, paging and long-running operations. Resource-provider modules return
//! [`response::ArmResponse`] or [`error::ArmError`] and never build HTTP themselves.
//!
//! [`dispatch`] is the request pipeline after the server has read the request:
//! route → access checks (auth, api-version, subscription) → handler → error rendering.

pub mod api_version;
pub mod error;
pub mod filter;
pub mod lro;
pub mod paging;
pub mod request;
pub mod resource_id;
pub mod response;

use std::panic::{catch_unwind, AssertUnwindSafe};

use error::{ArmError, ArmResult};
use request::ArmRequest;
use response::ArmResponse;

use crate::context::Ctx;
use crate::identity::principal_from_header;
use crate::router::{Access, Resolved};

/// The first path segments of routes that are not ARM calls (no auth, no api-version).
const OPEN_PREFIXES: &[&str] = &["_emulator", "metadata", "msi", "adfs", "common", "organizations", "discovery"];

/// Runs one request through the pipeline. Never panics: a handler panic becomes a 500.
pub fn dispatch(ctx: &Ctx, mut req: ArmRequest) -> (ArmResponse, &'static str) {
    let (result, operation) = match ctx.router.resolve(req.method, &req.segments) {
        Resolved::Found { route, params } => {
            req.params = params;
            let handler = route.handler;
            let r = check(ctx, &mut req, route.access).and_then(|()| {
                catch_unwind(AssertUnwindSafe(|| handler(ctx, &req)))
                    .unwrap_or_else(|_| Err(ArmError::internal("The emulator failed to process the request.")))
            });
            (r, route.operation)
        }
        Resolved::MethodNotAllowed => {
            let r = arm_checks_for_unrouted(ctx, &mut req).and(Err(ArmError::method_not_allowed(req.method.as_str())));
            (r, "unrouted")
        }
        Resolved::NotFound => {
            let r = arm_checks_for_unrouted(ctx, &mut req).and(Err(ArmError::no_route(&req.raw_path)));
            (r, "unrouted")
        }
    };
    (result.unwrap_or_else(ArmError::into_response), operation)
}

fn is_open_path(req: &ArmRequest) -> bool {
    match req.segments.first() {
        None => true,
        Some(first) => {
            OPEN_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(first))
                || req.segments.get(1).is_some_and(|s| {
                    s.eq_ignore_ascii_case("oauth2")
                        || s.eq_ignore_ascii_case("v2.0")
                        || s.eq_ignore_ascii_case("discovery")
                })
        }
    }
}

fn arm_checks_for_unrouted(ctx: &Ctx, req: &mut ArmRequest) -> ArmResult<()> {
    if is_open_path(req) {
        return Ok(());
    }
    check(ctx, req, Access::ArmTenant)
}

/// ARM's validation order (reference §2.6): auth, api-version, subscription.
fn check(ctx: &Ctx, req: &mut ArmRequest, access: Access) -> ArmResult<()> {
    if access == Access::Open {
        return Ok(());
    }
    req.principal = Some(principal_from_header(req.header("authorization"))?);
    api_version::check(req.api_version(), crate::rp::catalog::RESOURCES_API_VERSIONS)?;
    if access == Access::Arm {
        if let Ok(sub) = req.param("subscriptionId") {
            check_subscription(ctx, sub, req.method.is_write())?;
        }
    }
    Ok(())
}

/// The subscription must be a GUID that exists; a disabled one is read-only.
pub fn check_subscription(ctx: &Ctx, sub: &str, write: bool) -> ArmResult<()> {
    if uuid::Uuid::try_parse(sub).is_err() {
        return Err(ArmError::invalid_subscription_id(sub));
    }
    let state = ctx
        .store
        .read(|s| s.subscription(sub).map(|x| x.state.clone()))
        .ok_or_else(|| ArmError::subscription_not_found(sub))?;
    if write && !state.eq_ignore_ascii_case("Enabled") {
        return Err(ArmError::new(
            409,
            "ReadOnlyDisabledSubscription",
            format!("The subscription '{sub}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled."),
        ));
    }
    Ok(())
}

/// `If-Match` / `If-None-Match` for a write (RPC "ETags for Resources"). `current` is `None`
/// when the resource does not exist, else its etag (types without etags pass `Some(None)`).
pub fn check_preconditions(req: &ArmRequest, current: Option<Option<&str>>) -> ArmResult<()> {
    let unquote = |s: &str| s.trim().trim_start_matches("W/").trim_matches('"').to_string();
    if let Some(m) = req.header("if-match") {
        let ok = match current {
            None => false,
            Some(tag) => m.split(',').any(|t| {
                let t = unquote(t);
                t == "*" || tag.is_some_and(|c| unquote(c) == t)
            }),
        };
        if !ok {
            return Err(ArmError::precondition_failed());
        }
    }
    if let Some(m) = req.header("if-none-match") {
        if current.is_some()
            && m.split(',').any(|t| unquote(t) == "*" || current.flatten().is_some_and(|c| unquote(c) == unquote(t)))
        {
            return Err(ArmError::precondition_failed());
        }
    }
    Ok(())
}
