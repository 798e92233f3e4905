//! Fault injection: rules that make matching requests fail, wait, lose their connection, or
//! run with a long-running operation that ends `Failed` (`/_emulator/faults`, `--faults FILE`).
//!
//! A rule matches on method, path prefix (by segments, `*` for any one segment), operation id,
//! subscription, principal and api-version (every field given must match; names compare
//! case-insensitively) and fires every time, the first `times` times, only after
//! `afterMatches` matches, and/or with a `probability` drawn from a generator seeded from the
//! configuration's id seed (0 without one), so runs repeat. A rule stops matching when the
//! emulator clock reaches its `expiresAt`. The first rule (in creation order) that fires wins.
//!
//! The [`Faults`] stage runs after `route` and `authenticate` (the operation id and the caller
//! are known) and before the handler, so a rejected request changes nothing. Delays and
//! dropped connections are carried to the server on the response ([`Disruption`]): the
//! pipeline is synchronous and must not block a worker thread. The test-control API itself
//! is never faulted.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::time::arm_time;
use crate::model::Principal;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::ErrorBody;

use super::stages::{Exchange, Stage};
use super::{App, ControlHandler, Handler};

/// At most this many rules at a time.
const MAX_RULES: usize = 1000;
/// The longest delay a rule may add (10 minutes).
const MAX_LATENCY_MS: u64 = 600_000;

/// What the server does besides answering: wait before writing, or close the connection
/// without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Disruption {
    pub delay: Option<Duration>,
    pub drop: bool,
}

/// The error that makes the server close a connection without answering.
#[derive(Debug, Clone, Copy)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

/// What a rule matches; every field given must match.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// The caller's object id or application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Action {
    /// Answer with this error status (the handler does not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `Retry-After` seconds (default 1 on a 429).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wait this long before answering (or dropping).
    #[serde(default)]
    pub latency_ms: u64,
    /// Close the connection without an answer (the handler does not run).
    #[serde(default)]
    pub drop: bool,
    /// Run the request, and end its long-running operation `Failed` with `code`/`message`.
    #[serde(default)]
    pub fail_operation: bool,
}

/// A rule as posted.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Spec {
    #[serde(rename = "match", default)]
    matcher: Match,
    action: Action,
    #[serde(default)]
    times: Option<u64>,
    #[serde(default)]
    after_matches: u64,
    #[serde(default)]
    probability: Option<f64>,
    #[serde(default)]
    expires_at: Option<String>,
}

/// A rule and its counters.
#[derive(Debug, Clone)]
struct Rule {
    id: String,
    spec: Spec,
    /// `pathPrefix` as decoded segments.
    prefix: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    /// Requests the rule matched (fired or not).
    matches: u64,
    /// Times it fired.
    hits: u64,
}

struct Inner {
    rules: Vec<Rule>,
    next_id: u64,
    rng: StdRng,
}

/// The rules, their counters and the seeded generator, behind one lock (a request's match,
/// draw and count are one step).
pub struct Faults {
    seed: u64,
    /// False while there are no rules: requests then skip the lock.
    active: AtomicBool,
    inner: Mutex<Inner>,
}

/// What a request looks like to the rules.
struct Probe<'r> {
    method: Method,
    operation: &'r str,
    segments: &'r [Cow<'r, str>],
    subscription: Option<&'r str>,
    principal: Option<&'r Principal>,
    api_version: Option<&'r str>,
    has_lro: bool,
}

fn bad(message: impl std::fmt::Display) -> ArmError {
    ArmError::emulator_request(format!("Invalid fault rule: {message}"))
}

fn default_code(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "AuthenticationFailed",
        403 => "AuthorizationFailed",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "InjectedFault",
    }
}

fn check_text(what: &str, v: &Option<String>) -> ArmResult<()> {
    match v {
        Some(s) if s.is_empty() || s.len() > 4096 || s.chars().any(char::is_control) => {
            Err(bad(format_args!("'{what}' must be 1 to 4096 characters without control characters")))
        }
        _ => Ok(()),
    }
}

impl Spec {
    /// Reads and checks one rule.
    fn parse(v: &Value) -> ArmResult<(Spec, Vec<String>, Option<DateTime<Utc>>)> {
        if !v.is_object() {
            return Err(bad("a rule must be a JSON object with 'match' and 'action'"));
        }
        let spec: Spec = serde_json::from_value(v.clone()).map_err(bad)?;
        let m = &spec.matcher;
        for (what, f) in [
            ("match.method", &m.method),
            ("match.operationId", &m.operation_id),
            ("match.pathPrefix", &m.path_prefix),
            ("match.subscription", &m.subscription),
            ("match.principal", &m.principal),
            ("match.apiVersion", &m.api_version),
            ("action.code", &spec.action.code),
            ("action.message", &spec.action.message),
        ] {
            check_text(what, f)?;
        }
        if m.method.as_deref().is_some_and(|s| !s.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Err(bad("'match.method' must be an HTTP method such as GET"));
        }
        let prefix = match &m.path_prefix {
            None => Vec::new(),
            Some(p) if !p.starts_with('/') => return Err(bad("'match.pathPrefix' must start with '/'")),
            Some(p) => p
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
                .collect(),
        };
        let a = &spec.action;
        if let Some(s) = a.status {
            if !(400..=599).contains(&s) {
                return Err(bad(format_args!("'action.status' must be an error status (400-599), not {s}")));
            }
        }
        if a.fail_operation && (a.status.is_some() || a.drop) {
            return Err(bad(
                "'action.failOperation' runs the request, so it cannot be combined with 'status' or 'drop'",
            ));
        }
        if a.status.is_none() && !a.drop && !a.fail_operation && a.latency_ms == 0 {
            return Err(bad("the action does nothing: give 'status', 'latencyMs', 'drop' or 'failOperation'"));
        }
        if a.status.is_none() && !a.fail_operation && (a.code.is_some() || a.message.is_some()) {
            return Err(bad("'action.code' and 'action.message' need 'status' or 'failOperation'"));
        }
        if a.retry_after.is_some() && a.status.is_none() {
            return Err(bad("'action.retryAfter' needs 'status'"));
        }
        if a.retry_after.is_some_and(|s| s > 86_400) {
            return Err(bad("'action.retryAfter' must be at most 86400 seconds"));
        }
        if a.latency_ms > MAX_LATENCY_MS {
            return Err(bad(format_args!("'action.latencyMs' must be at most {MAX_LATENCY_MS}")));
        }
        if spec.times == Some(0) {
            return Err(bad("'times' must be at least 1 (leave it out to fire every time)"));
        }
        if let Some(p) = spec.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(bad("'probability' must be between 0 and 1"));
            }
        }
        let expires_at = match &spec.expires_at {
            None => None,
            Some(t) => Some(
                DateTime::parse_from_rfc3339(t)
                    .map_err(|_| bad(format_args!("'expiresAt' must be an RFC 3339 time, not '{t}'")))?
                    .with_timezone(&Utc),
            ),
        };
        Ok((spec, prefix, expires_at))
    }
}

fn eq(a: &Option<String>, b: Option<&str>) -> bool {
    match a {
        None => true,
        Some(a) => b.is_some_and(|b| a.eq_ignore_ascii_case(b)),
    }
}

impl Rule {
    fn matches(&self, p: &Probe<'_>, now: DateTime<Utc>) -> bool {
        let m = &self.spec.matcher;
        self.expires_at.is_none_or(|t| now < t)
            && (!self.spec.action.fail_operation || p.has_lro)
            && eq(&m.method, Some(p.method.as_str()))
            && eq(&m.operation_id, Some(p.operation))
            && eq(&m.subscription, p.subscription)
            && eq(&m.api_version, p.api_version)
            && m.principal.as_ref().is_none_or(|who| {
                p.principal.is_some_and(|c| {
                    c.object_id.eq_ignore_ascii_case(who)
                        || c.app_id.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(who))
                        || c.upn.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(who))
                })
            })
            && self.prefix.len() <= p.segments.len()
            && self.prefix.iter().zip(p.segments).all(|(want, got)| want == "*" || want.eq_ignore_ascii_case(got))
    }

    fn to_json(&self, now: DateTime<Utc>) -> Value {
        let s = &self.spec;
        let mut v = json!({
            "id": self.id,
            "match": s.matcher,
            "action": s.action,
            "afterMatches": s.after_matches,
            "probability": s.probability.unwrap_or(1.0),
            "hits": self.hits,
            "matches": self.matches,
            "expired": self.expires_at.is_some_and(|t| now >= t),
        });
        if let Some(t) = s.times {
            v["times"] = json!(t);
        }
        if let Some(t) = self.expires_at {
            v["expiresAt"] = json!(arm_time(t));
        }
        v
    }
}

impl Faults {
    /// No rules; `seed` seeds the probability draws (again at every [`Faults::clear`]).
    pub fn new(seed: u64) -> Faults {
        Faults {
            seed,
            active: AtomicBool::new(false),
            inner: Mutex::new(Inner { rules: Vec::new(), next_id: 1, rng: StdRng::seed_from_u64(seed) }),
        }
    }

    /// Reads a `--faults` file: a JSON array of rules (or one rule).
    pub fn load(&self, text: &str) -> Result<(), String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        self.add(&v).map(|_| ()).map_err(|e| e.message)
    }

    /// Adds one rule (an object) or several (an array, all or none); returns them as listed.
    pub fn add(&self, body: &Value) -> ArmResult<Vec<Value>> {
        let items: Vec<&Value> = match body {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let parsed = items.into_iter().map(Spec::parse).collect::<ArmResult<Vec<_>>>()?;
        let mut inner = self.inner.lock();
        if inner.rules.len() + parsed.len() > MAX_RULES {
            return Err(bad(format_args!("at most {MAX_RULES} rules at a time")));
        }
        let mut out = Vec::with_capacity(parsed.len());
        for (spec, prefix, expires_at) in parsed {
            let id = inner.next_id.to_string();
            inner.next_id += 1;
            let rule = Rule { id, spec, prefix, expires_at, matches: 0, hits: 0 };
            out.push(rule.to_json(DateTime::<Utc>::MIN_UTC));
            inner.rules.push(rule);
        }
        self.active.store(!inner.rules.is_empty(), Ordering::Release);
        Ok(out)
    }

    pub fn list(&self, now: DateTime<Utc>) -> Vec<Value> {
        self.inner.lock().rules.iter().map(|r| r.to_json(now)).collect()
    }

    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Option<Value> {
        self.inner.lock().rules.iter().find(|r| r.id == id).map(|r| r.to_json(now))
    }

    /// Removes one rule; false when there is none with that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut inner = self.inner.lock();
        let before = inner.rules.len();
        inner.rules.retain(|r| r.id != id);
        self.active.store(!inner.rules.is_empty(), Ordering::Release);
        inner.rules.len() != before
    }

    /// No rules, ids from 1 again, and the generator back at its seed.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        *inner = Inner { rules: Vec::new(), next_id: 1, rng: StdRng::seed_from_u64(self.seed) };
        self.active.store(false, Ordering::Release);
    }

    /// Counts the request against every rule it meets in order, and returns the id and action
    /// of the first that fires.
    fn fire(&self, p: &Probe<'_>, now: DateTime<Utc>) -> Option<(String, Action)> {
        if !self.active.load(Ordering::Acquire) {
            return None;
        }
        let mut guard = self.inner.lock();
        let inner = &mut *guard;
        for rule in inner.rules.iter_mut() {
            if !rule.matches(p, now) {
                continue;
            }
            rule.matches += 1;
            let s = &rule.spec;
            if rule.matches <= s.after_matches || s.times.is_some_and(|t| rule.hits >= t) {
                continue;
            }
            if let Some(prob) = s.probability.filter(|p| *p < 1.0) {
                if inner.rng.gen::<f64>() >= prob {
                    continue;
                }
            }
            rule.hits += 1;
            return Some((rule.id.clone(), rule.spec.action.clone()));
        }
        None
    }
}

/// The subscription a path names (`/subscriptions/{id}/…`).
fn subscription_of<'r>(segments: &'r [Cow<'r, str>]) -> Option<&'r str> {
    match segments {
        [first, id, ..] if first.eq_ignore_ascii_case("subscriptions") => Some(id),
        _ => None,
    }
}

/// The `faults` stage: applies the first rule that fires.
pub struct FaultStage;

impl Stage for FaultStage {
    fn name(&self) -> &'static str {
        "faults"
    }

    fn run<'a>(&self, app: &'a App, ex: &mut Exchange<'a>) -> ArmResult<()> {
        let faults = app.faults();
        if !faults.active.load(Ordering::Acquire) || ex.access() == Access::Control {
            return Ok(());
        }
        let req = &ex.request;
        let segments = req.segments();
        if segments.first().is_some_and(|s| s.eq_ignore_ascii_case("_emulator")) {
            return Ok(());
        }
        let probe = Probe {
            method: req.method,
            operation: ex.operation,
            segments,
            subscription: req.param("subscriptionId").ok().or_else(|| subscription_of(segments)),
            principal: req.caller(),
            api_version: req.api_version(),
            has_lro: ex.route.is_some_and(|r| r.meta.lro.is_some()),
        };
        let Some((id, a)) = faults.fire(&probe, app.ctx.now()) else {
            return Ok(());
        };
        tracing::debug!(rule = %id, operation = ex.operation, "fault rule fired");
        if a.latency_ms > 0 || a.drop {
            ex.disruption = Some(Disruption {
                delay: (a.latency_ms > 0).then(|| Duration::from_millis(a.latency_ms)),
                drop: a.drop,
            });
        }
        if a.fail_operation {
            ex.request.forced_failure = Some(ErrorBody {
                code: a.code.clone().unwrap_or_else(|| "InternalOperationError".into()),
                message: a
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("The operation failed (emulator fault rule {id}).")),
                details: Vec::new(),
            });
            return Ok(());
        }
        if a.drop {
            // The server closes the connection; in-process callers see this answer.
            return Err(ArmError::injected(
                503,
                "ConnectionDropped",
                format!("The emulator dropped the connection (fault rule {id})."),
            ));
        }
        let Some(status) = a.status else {
            return Ok(());
        };
        let code = a.code.as_deref().unwrap_or(default_code(status));
        let message = a.message.clone().unwrap_or_else(|| {
            if status == 429 {
                "The request is being throttled. Please retry after the time given in the Retry-After header.".into()
            } else {
                format!("An error injected by the emulator (fault rule {id}).")
            }
        });
        let mut e = ArmError::injected(status, code, message);
        if let Some(secs) = a.retry_after.or((status == 429).then_some(1)) {
            e = e.with_header("Retry-After", secs.to_string());
        }
        if status == 429 {
            let counter = match ex.request.method {
                Method::Get | Method::Head => "x-ms-ratelimit-remaining-subscription-reads",
                Method::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
                _ => "x-ms-ratelimit-remaining-subscription-writes",
            };
            e = e.with_header(counter, "0");
        }
        Err(e)
    }
}

// ---- the test-control API ----

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, handler: ControlHandler| {
        Route::new(method, pattern, operation, Access::Control, Handler::Control(handler))
    };
    vec![
        r(Method::Get, "/_emulator/faults", "Emulator_ListFaults", list),
        r(Method::Post, "/_emulator/faults", "Emulator_CreateFault", create),
        r(Method::Delete, "/_emulator/faults", "Emulator_ClearFaults", clear),
        r(Method::Get, "/_emulator/faults/{id}", "Emulator_GetFault", get),
        r(Method::Delete, "/_emulator/faults/{id}", "Emulator_DeleteFault", delete),
    ]
}

fn list(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(json!({ "value": app.faults().list(app.ctx.now()) })))
}

/// One rule (an object: `201` with the rule and its `id`) or several (an array: `201` with
/// `{"value": […]}`, all or none).
fn create(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body: Value = serde_json::from_slice(&req.body).map_err(ArmError::invalid_request_content)?;
    let many = body.is_array();
    let mut added = app.faults().add(&body)?;
    Ok(ArmResponse::created(if many { json!({ "value": added }) } else { added.remove(0) }))
}

fn clear(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    app.faults().clear();
    Ok(ArmResponse::empty(204))
}

fn not_found(id: &str) -> ArmError {
    ArmError::emulator_not_found(format!("There is no fault rule '{id}'."))
}

fn get(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("id")?;
    app.faults().get(id, app.ctx.now()).map(ArmResponse::ok).ok_or_else(|| not_found(id))
}

fn delete(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("id")?;
    if app.faults().remove(id) {
        Ok(ArmResponse::empty(204))
    } else {
        Err(not_found(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe<'r>(segments: &'r [Cow<'r, str>]) -> Probe<'r> {
        Probe {
            method: Method::Get,
            operation: "ResourceGroups_Get",
            segments,
            subscription: subscription_of(segments),
            principal: None,
            api_version: Some("2021-04-01"),
            has_lro: false,
        }
    }

    #[test]
    fn path_prefixes_match_by_segment_with_wildcards() {
        let f = Faults::new(0);
        f.add(&json!({"match": {"pathPrefix": "/subscriptions/*/resourceGroups/RG"}, "action": {"status": 500}}))
            .unwrap();
        let now = Utc::now();
        let segs: Vec<Cow<str>> = ["subscriptions", "s", "resourcegroups", "rg", "x"].map(Cow::Borrowed).to_vec();
        assert!(f.fire(&probe(&segs), now).is_some());
        let other: Vec<Cow<str>> = ["subscriptions", "s", "resourcegroups", "rg2"].map(Cow::Borrowed).to_vec();
        assert!(f.fire(&probe(&other), now).is_none());
    }

    #[test]
    fn seeded_draws_repeat_after_clear() {
        let f = Faults::new(7);
        let rule = json!({"action": {"status": 503}, "probability": 0.5});
        let segs: Vec<Cow<str>> = vec![Cow::Borrowed("subscriptions")];
        let now = Utc::now();
        f.add(&rule).unwrap();
        let first: Vec<bool> = (0..32).map(|_| f.fire(&probe(&segs), now).is_some()).collect();
        f.clear();
        f.add(&rule).unwrap();
        let second: Vec<bool> = (0..32).map(|_| f.fire(&probe(&segs), now).is_some()).collect();
        assert_eq!(first, second);
        assert!(first.iter().any(|b| *b) && first.iter().any(|b| !*b));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let f = Faults::new(0);
        for (rule, needle) in [
            (json!({"action": {}}), "does nothing"),
            (json!({"action": {"status": 200}}), "400-599"),
            (json!({"action": {"status": 500}, "probability": 2}), "probability"),
            (json!({"action": {"status": 500}, "times": 0}), "times"),
            (json!({"action": {"status": 500}, "expiresAt": "soon"}), "expiresAt"),
            (json!({"action": {"status": 500, "failOperation": true}}), "failOperation"),
            (json!({"match": {"path": "/x"}, "action": {"status": 500}}), "unknown field"),
            (json!({"match": {"pathPrefix": "x"}, "action": {"status": 500}}), "pathPrefix"),
            (json!([1]), "JSON object"),
        ] {
            let e = f.add(&rule).unwrap_err();
            assert_eq!(e.code_str(), "InvalidEmulatorRequest");
            assert!(e.message.contains(needle), "{rule}: {}", e.message);
        }
        assert!(f.list(Utc::now()).is_empty());
    }
}
