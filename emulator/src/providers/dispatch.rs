//! Calling a provider's route on a caller's behalf: what a template deployment does for each
//! of its resources. The call goes through the same route table, the same api-version and
//! subscription checks as a request from outside, and then the same handler, so a resource a
//! template creates is planned exactly as a direct PUT of its type (validation, dependents,
//! soft-delete rules, registration errors), as the deployment's caller, whose role assignments
//! must allow each call in strict mode.
//!
//! Handlers never hold the store's lock while they run, so a handler may dispatch (a
//! deployment's nested deployment runs the deployments handler again).

use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::Value;

use crate::catalog::RESOURCES_API_VERSIONS;
use crate::protocol::api_version;
use crate::protocol::router::{Access, Resolved, Router};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};

use super::{check_subscription, routes, Ctx, Handler};

fn router() -> &'static Router<Handler> {
    static ROUTER: OnceLock<Router<Handler>> = OnceLock::new();
    ROUTER.get_or_init(|| Router::new(routes()))
}

/// One call: `method path?api-version=…` with `body`, as `parent`'s caller, on `parent`'s
/// host. The answer is the handler's (an error is the handler's or a check's).
pub fn call(
    ctx: &Ctx,
    parent: &ArmRequest,
    method: Method,
    path: &str,
    api_version: &str,
    body: Option<&Value>,
) -> ArmResult<ArmResponse> {
    call_checked(ctx, parent, method, path, api_version, body, true)
}

/// A read ARM makes for itself rather than for the caller (a deployment's template context:
/// the subscription and group that `subscription()` and `resourceGroup()` return), so the
/// caller's role assignments are not consulted.
pub fn platform_read(ctx: &Ctx, parent: &ArmRequest, path: &str, api_version: &str) -> ArmResult<ArmResponse> {
    call_checked(ctx, parent, Method::Get, path, api_version, None, false)
}

fn call_checked(
    ctx: &Ctx,
    parent: &ArmRequest,
    method: Method,
    path: &str,
    api_version: &str,
    body: Option<&Value>,
    authorize: bool,
) -> ArmResult<ArmResponse> {
    let query = format!("api-version={}", form_urlencoded::byte_serialize(api_version.as_bytes()).collect::<String>());
    let mut headers = hyper::HeaderMap::new();
    for name in [hyper::header::AUTHORIZATION, hyper::header::HOST] {
        if let Some(v) = parent.headers.get(&name) {
            headers.insert(name, v.clone());
        }
    }
    let bytes = match body {
        Some(b) => {
            headers.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
            Bytes::from(serde_json::to_vec(b).map_err(|e| ArmError::internal(e.to_string()))?)
        }
        None => Bytes::new(),
    };
    let mut req = ArmRequest::new(method, path, Some(&query), headers, bytes, parent.is_secure());
    req.decode_target()?;
    req.set_fallback_host(parent.base_url().split("://").nth(1).unwrap_or("127.0.0.1").to_string());
    req.principal = parent.principal.clone();
    let route = match router().resolve(method, req.segments()) {
        Resolved::Found { route, params } => {
            req.set_params(params);
            route
        }
        Resolved::MethodNotAllowed => return Err(ArmError::method_not_allowed(method.as_str())),
        Resolved::NotFound => return Err(ArmError::no_route(path)),
    };
    if matches!(route.meta.access, Access::Arm | Access::ArmTenant) {
        let listed = Some(route.meta.api_versions).filter(|v| !v.is_empty()).unwrap_or(RESOURCES_API_VERSIONS);
        api_version::check(Some(api_version), listed)?;
    }
    if route.meta.access == Access::Arm {
        if let Ok(sub) = req.param("subscriptionId") {
            ctx.store().read(|s| check_subscription(s, sub, method.is_write()))?;
        }
    }
    // Authorized as the caller, as the pipeline's authorize stage does for a direct request.
    if authorize {
        super::authorization::enforce::authorize(ctx, &req, &route.meta)?;
    }
    (route.handler)(ctx, &req)
}

/// A successful answer's body as JSON (`null` when it has none).
pub fn body_of(resp: &ArmResponse) -> Value {
    resp.body_json().unwrap_or(Value::Null)
}
