//! The named stages, in order ([`STAGES`]). ARM's validation order (reference §2.6):
//! authentication, then the api-version, then the subscription.

use std::panic::{catch_unwind, AssertUnwindSafe};

use std::borrow::Cow;

use bytes::Bytes;

use crate::catalog::RESOURCES_API_VERSIONS;
use crate::config::AuthMode;
use crate::identity::{authenticate_strict, principal_from_header, Expected};
use crate::protocol::api_version;
use crate::protocol::router::{Access, Resolved, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::authorization::enforce;
use crate::providers::check_subscription;

use super::{App, Handler};

/// One step of the pipeline.
pub trait Stage: Sync {
    fn name(&self) -> &'static str;
    /// Lets the exchange through (`Ok`) or answers it with an error.
    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()>;
}

/// Every stage, in the order a request meets them.
pub static STAGES: &[&dyn Stage] = &[
    &Intake,
    &RouteStage,
    &Authenticate,
    &super::faults::FaultStage,
    &ApiVersion,
    &SubscriptionStage,
    &Authorize,
    &MediaType,
    &HandlerStage,
];

/// Why a request has no route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unrouted {
    /// No route has the path.
    NotFound,
    /// The path exists for other methods.
    MethodNotAllowed,
}

/// A request on its way through the pipeline, and what the stages found.
pub struct Exchange<'a> {
    pub request: ArmRequest<'a>,
    /// Set by the route stage.
    pub route: Option<&'a Route<Handler>>,
    pub unrouted: Option<Unrouted>,
    /// The handler's answer.
    pub response: Option<ArmResponse>,
    /// The route's operation id (`rejected` before routing, `unrouted` without a route).
    pub operation: &'static str,
    /// Reading the body already failed (too large, unreadable).
    body_error: Option<ArmError>,
    /// Set by the faults stage: a delay before answering, or no answer at all.
    pub disruption: Option<super::faults::Disruption>,
}

impl<'a> Exchange<'a> {
    pub fn new(
        method: Method,
        path: &'a str,
        query: Option<&'a str>,
        headers: hyper::HeaderMap,
        body: Result<Bytes, ArmError>,
        secure: bool,
    ) -> Exchange<'a> {
        let (body, body_error) = match body {
            Ok(b) => (b, None),
            Err(e) => (Bytes::new(), Some(e)),
        };
        Exchange {
            request: ArmRequest::new(method, path, query, headers, body, secure),
            route: None,
            unrouted: None,
            response: None,
            operation: "rejected",
            body_error,
            disruption: None,
        }
    }

    pub fn is_secure(&self) -> bool {
        self.request.is_secure()
    }

    /// Which checks apply: the route's, or for a path no route has, ARM's unless it lies
    /// under one of the open prefixes (sign-in, metadata, the test-control API).
    pub fn access(&self) -> Access {
        match self.route {
            Some(r) => r.meta.access,
            None if is_data_plane_path(self.request.segments()) => Access::DataPlane,
            None if is_open_path(self.request.segments()) => Access::Open,
            None => Access::ArmTenant,
        }
    }
}

/// The first path segments of Azure ML's data-plane services (the hosts the discovery
/// document names are this emulator), with the SDK features that reach each: a request
/// under one of them that no route serves is answered `ServiceNotEmulated` naming the
/// feature, in the data-plane envelope, never an ARM error about api-versions.
const DATA_PLANE_PREFIXES: &[(&str, &str)] = &[
    ("environment", "this environment-service operation (labels, build_local recipes, image builds on a compute)"),
    ("artifact", "the artifact service (Environment.add_private_pip_wheel uploads to the workspace's blob storage)"),
    ("content", "the snapshot service (run submission: ScriptRunConfig, Experiment.submit)"),
    ("history", "the run history service (run submission: ScriptRunConfig, Experiment.submit)"),
    ("execution", "the execution service (run submission: ScriptRunConfig, Experiment.submit)"),
    ("hyperdrive", "the HyperDrive service (hyperparameter tuning runs)"),
    ("modelmanagement", "the model management service (Model.register, Model.deploy, web services)"),
    ("datastore", "the datastore service (Workspace.get_default_datastore, Datastore)"),
    ("dataset", "the dataset service (Dataset)"),
    ("pipelines", "the pipelines service (Pipeline.submit)"),
    ("mlflow", "the MLflow tracking service"),
    ("studioservice", "the studio service"),
];

fn data_plane_service(segments: &[Cow<'_, str>]) -> Option<&'static str> {
    let first = segments.first()?;
    DATA_PLANE_PREFIXES.iter().find(|(p, _)| p.eq_ignore_ascii_case(first)).map(|(_, what)| *what)
}

fn is_data_plane_path(segments: &[Cow<'_, str>]) -> bool {
    data_plane_service(segments).is_some()
}

/// The first path segments of routes that are not ARM calls (no auth, no api-version).
const OPEN_PREFIXES: &[&str] = &["_emulator", "metadata", "msi", "adfs", "common", "organizations", "discovery"];

fn is_open_path(segments: &[Cow<'_, str>]) -> bool {
    match segments.first() {
        None => true,
        Some(first) => {
            OPEN_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(first))
                || segments.get(1).is_some_and(|s| {
                    s.eq_ignore_ascii_case("oauth2")
                        || s.eq_ignore_ascii_case("v2.0")
                        || s.eq_ignore_ascii_case("discovery")
                })
        }
    }
}

/// True for `localhost`, `*.localhost`, `127.0.0.0/8` and `::1`, and the configured names.
fn is_local_host(app: &App, host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':')
            .map(|(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host })
            .unwrap_or(host)
    };
    let name = name.trim_end_matches('.');
    const SUFFIX: &str = ".localhost";
    name.eq_ignore_ascii_case("localhost")
        || (name.len() > SUFFIX.len()
            && name.as_bytes()[name.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX.as_bytes()))
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || app.config().allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// The body limit, the `Host` and `Origin` rules (no DNS rebinding, no cross-site requests),
/// the decoded path and the query.
pub struct Intake;

impl Stage for Intake {
    fn name(&self) -> &'static str {
        "intake"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        if let Some(e) = ex.body_error.take() {
            return Err(e);
        }
        let req = &mut ex.request;
        let has_host = match req.headers.get(hyper::header::HOST) {
            None => false,
            Some(v) => match v.to_str() {
                Ok("") => false,
                Ok(h) if h.bytes().all(|b| b.is_ascii_graphic()) && is_local_host(app, h) => true,
                _ => return Err(ArmError::invalid_host_name(&String::from_utf8_lossy(v.as_bytes()))),
            },
        };
        if let Some(origin) = req.headers.get(hyper::header::ORIGIN) {
            let origin = String::from_utf8_lossy(origin.as_bytes());
            let local = origin.split_once("://").is_some_and(|(scheme, rest)| {
                (scheme == "http" || scheme == "https") && is_local_host(app, rest.trim_end_matches('/'))
            });
            if !local {
                return Err(ArmError::forbidden_origin(&origin));
            }
        }
        req.decode_target()?;
        if !has_host {
            let e = app.ctx.endpoints();
            let u = if req.is_secure() { e.https } else { e.http };
            req.set_fallback_host(u.split("://").nth(1).unwrap_or("127.0.0.1").to_string());
        }
        Ok(())
    }
}

/// Finds the route (the first in table order whose method and path match).
pub struct RouteStage;

impl Stage for RouteStage {
    fn name(&self) -> &'static str {
        "route"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        match app.router().resolve(ex.request.method, ex.request.segments()) {
            Resolved::Found { route, params } => {
                ex.request.set_params(params);
                ex.operation = route.meta.operation;
                ex.route = Some(route);
            }
            Resolved::MethodNotAllowed => {
                ex.operation = "unrouted";
                ex.unrouted = Some(Unrouted::MethodNotAllowed);
            }
            Resolved::NotFound => {
                ex.operation = "unrouted";
                ex.unrouted = Some(Unrouted::NotFound);
            }
        }
        Ok(())
    }
}

fn is_arm(access: Access) -> bool {
    matches!(access, Access::Arm | Access::ArmTenant)
}

/// Calls that need a bearer token: ARM's, the Azure ML data plane's and Graph's.
fn needs_token(access: Access) -> bool {
    matches!(access, Access::Arm | Access::ArmTenant | Access::DataPlane | Access::Graph)
}

/// The audiences Graph accepts: Microsoft Graph's, and the emulator's own endpoints (the
/// cloud metadata's `microsoftGraphResourceId` is the emulator, so az asks for that).
fn graph_audiences(app: &App) -> Vec<String> {
    let mut out: Vec<String> =
        ["https://graph.microsoft.com/", "https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
            .into_iter()
            .map(String::from)
            .collect();
    let e = app.ctx.endpoints();
    for base in [e.https, e.http].into_iter().filter(|b| !b.is_empty()) {
        let base = base.trim_end_matches('/').to_string();
        out.push(format!("{base}/"));
        out.push(base);
    }
    out
}

/// The audiences ARM accepts, and the emulator's own endpoints (clients that ask for
/// `{endpoint}/.default` get a token for those).
fn arm_audiences(app: &App) -> Vec<String> {
    let mut out: Vec<String> = ["https://management.core.windows.net/", "https://management.core.windows.net"]
        .into_iter()
        .chain(["https://management.azure.com/", "https://management.azure.com"])
        .map(String::from)
        .collect();
    let e = app.ctx.endpoints();
    for base in [e.https, e.http].into_iter().filter(|b| !b.is_empty()) {
        let base = base.trim_end_matches('/').to_string();
        out.push(format!("{base}/"));
        out.push(base);
    }
    out
}

/// ARM calls need a bearer token; its claims name the caller. In strict mode the token must be
/// the emulator's own, unexpired by the emulator clock, for ARM, and from the tenant of the
/// subscription the route names.
pub struct Authenticate;

impl Stage for Authenticate {
    fn name(&self) -> &'static str {
        "authenticate"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        if !needs_token(ex.access()) {
            return Ok(());
        }
        let header = ex.request.header(hyper::header::AUTHORIZATION);
        let principal = match app.config().auth {
            AuthMode::Loose => principal_from_header(header)?,
            AuthMode::Strict => {
                let tenant = ex
                    .request
                    .param("subscriptionId")
                    .ok()
                    .and_then(|sub| app.ctx.store().read(|s| s.subscription(sub).map(|x| x.tenant_id.clone())));
                let audiences = if ex.access() == Access::Graph { graph_audiences(app) } else { arm_audiences(app) };
                let login = ex.request.base_url();
                let default_tenant = app.config().tenants.first().map(|t| t.tenant_id.as_str()).unwrap_or_default();
                let want = Expected {
                    now: app.ctx.now(),
                    audiences: &audiences,
                    tenant: tenant.as_deref(),
                    login: &login,
                    default_tenant,
                };
                authenticate_strict(app.ctx.identity(), header, &want)?
            }
        };
        ex.request.principal = Some(principal);
        Ok(())
    }
}

/// Strict mode: the caller must hold a role whose actions cover the route's action at the
/// request's scope (`providers::authorization::enforce`); 403 `AuthorizationFailed` otherwise.
pub struct Authorize;

impl Stage for Authorize {
    fn name(&self) -> &'static str {
        "authorize"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        match ex.route {
            Some(route) => enforce::authorize(&app.ctx, &ex.request, &route.meta),
            None => Ok(()),
        }
    }
}

/// ARM calls need a well-formed `api-version`; a malformed one is refused quoting the route's
/// provider's versions.
pub struct ApiVersion;

impl Stage for ApiVersion {
    fn name(&self) -> &'static str {
        "api-version"
    }

    fn run<'a>(&self, _app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        if is_arm(ex.access()) {
            let listed =
                ex.route.map(|r| r.meta.api_versions).filter(|v| !v.is_empty()).unwrap_or(RESOURCES_API_VERSIONS);
            api_version::check(ex.request.api_version(), listed)?;
        }
        Ok(())
    }
}

/// The subscription a route names must exist; a disabled one is read-only.
pub struct SubscriptionStage;

impl Stage for SubscriptionStage {
    fn name(&self) -> &'static str {
        "subscription"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        if ex.access() == Access::Arm {
            if let Ok(sub) = ex.request.param("subscriptionId") {
                let write = ex.request.method.is_write();
                app.ctx.store().read(|s| check_subscription(s, sub, write))?;
            }
        }
        Ok(())
    }
}

/// True when `Content-Type` names `application/json` (any case, any parameters).
fn is_json(v: &str) -> bool {
    v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json")
}

/// ARM writes with a body must be `application/json` (415 otherwise). Test-control writes must
/// say they are JSON or carry `X-ArmEmu-Control`: a cross-site form or "simple" request can
/// do neither.
pub struct MediaType;

impl Stage for MediaType {
    fn name(&self) -> &'static str {
        "media-type"
    }

    fn run<'a>(&self, _app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        let req = &ex.request;
        let ct = req.header(hyper::header::CONTENT_TYPE);
        let json = ct.is_some_and(is_json);
        match ex.access() {
            // The data plane (ASP.NET) takes any JSON type (`application/json-patch+json` from
            // azureml-core's artifact client), so only ARM's rule is checked here.
            Access::Arm | Access::ArmTenant if req.method.is_write() && !req.body_is_empty() && !json => {
                Err(ArmError::unsupported_media_type(ct))
            }
            Access::Control if req.method.is_write() && !json && req.header("x-armemu-control").is_none() => {
                Err(ArmError::control_needs_json(ct))
            }
            _ => Ok(()),
        }
    }
}

/// Calls the route's handler (a panic becomes a 500, logged with the request); a path
/// without a route answers 404 or 405 here, after ARM's checks.
pub struct HandlerStage;

impl Stage for HandlerStage {
    fn name(&self) -> &'static str {
        "handler"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        let req = &ex.request;
        let route = match (ex.route, ex.unrouted) {
            (Some(r), _) => r,
            (None, Some(Unrouted::MethodNotAllowed)) => return Err(ArmError::method_not_allowed(req.method.as_str())),
            (None, _) => {
                return Err(match data_plane_service(req.segments()) {
                    Some(what) => ArmError::service_not_emulated(req.method.as_str(), req.raw_path(), what),
                    None => ArmError::no_route(req.raw_path()),
                })
            }
        };
        let result = catch_unwind(AssertUnwindSafe(|| match route.handler {
            Handler::Provider(h) => h(&app.ctx, req),
            Handler::Control(h) => h(app, req),
        }));
        let resp = result.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(operation = route.meta.operation, method = req.method.as_str(), path = %req.raw_path(), "handler panicked: {what}");
            Err(ArmError::internal("The emulator failed to process the request."))
        })?;
        ex.response = Some(resp);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_run_in_arms_order() {
        let names: Vec<&str> = STAGES.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "intake",
                "route",
                "authenticate",
                "faults",
                "api-version",
                "subscription",
                "authorize",
                "media-type",
                "handler"
            ]
        );
    }

    #[test]
    fn media_types_ignore_parameters_and_case() {
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json(" application/json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/jsonp"));
    }
}
