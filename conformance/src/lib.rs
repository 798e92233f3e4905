//! Conformance harness: where the suites send their requests ([`Target`]), a raw HTTP helper
//! ([`Http`], [`Resp`]) and the assertions every suite shares ([`check_error`] …).
//!
//! # Targets
//!
//! By default a suite talks to an in-process emulator ([`armemu::testing::TestEmulator`]: free
//! ports, a clock frozen at 2026-01-01T00:00:00Z, seeded ids, a throw-away data directory).
//! With `ARM_ENDPOINT` set it talks to that endpoint instead:
//!
//! | variable | meaning |
//! |---|---|
//! | `ARM_ENDPOINT` | base URL, e.g. `https://127.0.0.1:47443` or `https://management.azure.com` |
//! | `ARM_TOKEN` | the bearer token to send (default `test`) |
//! | `ARM_CA_FILE` | a PEM file of extra roots to trust (e.g. the emulator's `ca.pem`) |
//! | `ARM_SUBSCRIPTION_ID` | the subscription to work in (default: the emulator's default one) |
//! | `ARMEMU_SCHEMA` | `report`: print the answers that differ from their OpenAPI definition instead of failing ([`schema`]); `off`: do not validate |
//! | `ARMEMU_SCHEMA_LOG` | a file to append one line per validated answer to (operation, status, findings) |
//!
//! Suites that need the emulator's test-control API (`/_emulator/…`: clock, settings, reset,
//! state) or a special start configuration use [`require_emulator!`], which skips the test with
//! a printed reason against an external endpoint.
//!
//! # HTTP helper
//!
//! [`Http`] is blocking (it owns a small current-thread runtime), so tests are plain `#[test]`
//! functions and rstest cases; [`Http::send`] is the async form for async callers. Every
//! request carries `Authorization: Bearer <token>` unless the caller passes its own
//! `Authorization` header or uses [`Http::anonymous`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value;

pub use armemu;
use armemu::config::Config;
use armemu::testing::TestEmulator;

/// The `Microsoft.Resources` api-version the suites send unless a rule is about api-versions
/// (the one `azure-mgmt-resource` and the az CLI send for resource groups).
pub const API: &str = "2021-04-01";

/// Appends `api-version=API` to a path (with `?` or `&`).
pub fn av(path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}api-version={API}")
}

/// Percent-encodes one path segment (names with spaces, Unicode letters …).
pub fn enc(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// A response: status, headers (names lower-cased, in order) and the raw body.
#[derive(Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Resp {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics with the status and body text when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {self:?}"))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status and returns `self` for chaining; the message shows the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status: {self:?}");
        self
    }
}

impl fmt::Debug for Resp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.text();
        let body = if body.len() > 2000 { format!("{}…", &body[..2000]) } else { body };
        write!(f, "HTTP {} {}", self.status, body)
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP helper
// ---------------------------------------------------------------------------------------------

enum Transport {
    /// hyper-util's pooled legacy client over plain HTTP.
    Plain(Client<HttpConnector, Full<Bytes>>),
    /// One TLS connection per request (rustls, trusting the given roots).
    Tls(Arc<rustls::ClientConfig>),
}

/// A blocking raw HTTP client bound to one base URL and one bearer token.
pub struct Http {
    base: String,
    token: Option<String>,
    transport: Transport,
    rt: tokio::runtime::Runtime,
    /// Check every JSON answer against the vendored OpenAPI definitions ([`schema`]); on for
    /// the clients of a [`Target`].
    validate: bool,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

/// Reads every certificate of a PEM file.
fn pem_certs(path: &Path) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("opening {}: {e}", path.display()));
    rustls_pemfile::certs(&mut std::io::BufReader::new(f))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("reading certificates from {}: {e}", path.display()))
}

/// The system trust store, if there is one where Linux distributions keep it.
fn system_roots() -> Option<PathBuf> {
    ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

impl Http {
    /// A client for a plain-HTTP base URL (e.g. the emulator's `http` URL).
    pub fn plain(base: &str, token: Option<&str>) -> Http {
        let client = Client::builder(TokioExecutor::new()).build_http();
        Http {
            base: base.trim_end_matches('/').to_string(),
            token: token.map(String::from),
            transport: Transport::Plain(client),
            rt: runtime(),
            validate: false,
        }
    }

    /// A client for an HTTPS base URL trusting the roots in `ca_files` (and the system roots
    /// when `system` is true).
    pub fn tls(base: &str, ca_files: &[PathBuf], system: bool, token: Option<&str>) -> Http {
        let mut roots = rustls::RootCertStore::empty();
        let mut files: Vec<PathBuf> = ca_files.to_vec();
        if system {
            files.extend(system_roots());
        }
        for f in &files {
            for c in pem_certs(f) {
                // Bundles carry the odd certificate rustls cannot parse; skip those.
                let _ = roots.add(c);
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Http {
            base: base.trim_end_matches('/').to_string(),
            token: token.map(String::from),
            transport: Transport::Tls(Arc::new(cfg)),
            rt: runtime(),
            validate: false,
        }
    }

    /// A client for `base` (plain or TLS by scheme).
    pub fn for_base(base: &str, ca_files: &[PathBuf], token: Option<&str>) -> Http {
        if base.starts_with("https://") {
            Http::tls(base, ca_files, true, token)
        } else {
            Http::plain(base, token)
        }
    }

    /// This client validates every JSON answer against the vendored OpenAPI definitions
    /// ([`schema::validate_answer`]): a finding no allow-list entry explains fails the request
    /// (`ARMEMU_SCHEMA=report` prints it instead, `ARMEMU_SCHEMA=off` skips the check).
    pub fn validating(mut self) -> Http {
        self.validate = schema::mode() != schema::Mode::Off;
        self
    }

    /// The base URL, without a trailing `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The same endpoint without a bearer token.
    pub fn anonymous(&self) -> Http {
        Http {
            base: self.base.clone(),
            token: None,
            // A new pool: pooled connections are driven by the runtime that opened them, and
            // each `Http` blocks on its own runtime.
            transport: match &self.transport {
                Transport::Plain(_) => Transport::Plain(Client::builder(TokioExecutor::new()).build_http()),
                Transport::Tls(c) => Transport::Tls(c.clone()),
            },
            rt: runtime(),
            validate: self.validate,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    /// Sends one request. `path` is a path (with query) under the base URL, or an absolute URL
    /// (a `nextLink` or `Location`). `Authorization: Bearer <token>` is added unless `headers`
    /// has an `Authorization` header or this client has no token.
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Resp {
        let url = self.url(path);
        let uri: hyper::Uri = url.parse().unwrap_or_else(|e| panic!("bad URL {url}: {e}"));
        let mut b = hyper::Request::builder().method(method).uri(uri.clone());
        if let Some(t) = &self.token {
            if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
                b = b.header("Authorization", format!("Bearer {t}"));
            }
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let body = Full::new(Bytes::from(body.unwrap_or_default()));
        let resp = match &self.transport {
            Transport::Plain(c) => {
                let req = b.body(body).expect("request");
                c.request(req).await.unwrap_or_else(|e| panic!("{method} {url}: {e:?}"))
            }
            Transport::Tls(cfg) => {
                let host = uri.host().expect("host").trim_matches(|c| c == '[' || c == ']').to_string();
                let port = uri.port_u16().unwrap_or(443);
                let authority = uri.authority().expect("authority").to_string();
                let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
                    .await
                    .unwrap_or_else(|e| panic!("connect {url}: {e}"));
                let name = rustls::pki_types::ServerName::try_from(host.clone()).expect("server name");
                let tls = tokio_rustls::TlsConnector::from(cfg.clone())
                    .connect(name, tcp)
                    .await
                    .unwrap_or_else(|e| panic!("TLS handshake with {url}: {e}"));
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.expect("HTTP/1 handshake");
                tokio::spawn(conn);
                let path_q = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
                let req = b.uri(path_q).header("Host", authority).body(body).expect("request");
                sender.send_request(req).await.unwrap_or_else(|e| panic!("{method} {url}: {e}"))
            }
        };
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_else(|e| panic!("reading {url}: {e}"));
        let headers = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let resp = Resp { status: parts.status.as_u16(), headers, body };
        if self.validate {
            let findings = schema::validate_answer(method, path, resp.status, resp.header("content-type"), &resp.body);
            if !findings.is_empty() {
                let list: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
                let text = format!(
                    "{method} {path}: the answer differs from the OpenAPI definition (fixtures/official/specs; allow-list.json explains deliberate differences):\n{}\n{resp:?}",
                    list.join("\n")
                );
                match schema::mode() {
                    schema::Mode::Fail => panic!("{text}"),
                    _ => eprintln!("SCHEMA {text}"),
                }
            }
        }
        resp
    }

    /// Blocking [`Http::send`]; a request that gets no answer within 30 s fails the test
    /// instead of hanging it.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Resp {
        self.rt
            .block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(30), self.send(method, path, headers, body)).await
            })
            .unwrap_or_else(|_| panic!("{method} {path}: no response within 30 s"))
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], None)
    }

    pub fn head(&self, path: &str) -> Resp {
        self.request("HEAD", path, &[], None)
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, &[], None)
    }

    /// A request with a JSON body (`Content-Type: application/json`).
    pub fn send_json(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.request(
            method,
            path,
            &[("Content-Type", "application/json")],
            Some(serde_json::to_vec(body).expect("JSON")),
        )
    }

    pub fn put(&self, path: &str, body: &Value) -> Resp {
        self.send_json("PUT", path, body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> Resp {
        self.send_json("PATCH", path, body)
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.send_json("POST", path, body)
    }

    /// A `POST` with an `application/x-www-form-urlencoded` body (token endpoints).
    pub fn post_form(&self, path: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Resp {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        self.request("POST", path, &h, Some(body.into_bytes()))
    }
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

/// Where a suite sends its requests: an in-process emulator or an external endpoint.
/// Derefs to the [`Http`] client for ARM calls (with the bearer token).
pub struct Target {
    pub http: Http,
    pub subscription: String,
    /// The emulator's CA file (in-process) or `ARM_CA_FILE`.
    pub ca: Option<PathBuf>,
    emu: Option<TestEmulator>,
}

impl std::ops::Deref for Target {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Target {
    /// `ARM_ENDPOINT` if set, else an in-process emulator.
    pub fn new() -> Target {
        Self::external().unwrap_or_else(Self::in_process)
    }

    /// An in-process emulator with the test configuration.
    pub fn in_process() -> Target {
        Self::with_config(|_| {})
    }

    /// An in-process emulator with the test configuration adjusted by `f`.
    pub fn with_config(f: impl FnOnce(&mut Config)) -> Target {
        let emu = TestEmulator::with_config(f);
        Target {
            http: Http::plain(&emu.http, Some("test")).validating(),
            subscription: armemu::config::DEFAULT_SUBSCRIPTION_ID.to_string(),
            ca: Some(emu.ca.clone()),
            emu: Some(emu),
        }
    }

    /// The endpoint named by `ARM_ENDPOINT`, if the variable is set.
    pub fn external() -> Option<Target> {
        let endpoint = std::env::var("ARM_ENDPOINT").ok().filter(|e| !e.trim().is_empty())?;
        let token = std::env::var("ARM_TOKEN").unwrap_or_else(|_| "test".into());
        let ca = std::env::var_os("ARM_CA_FILE").map(PathBuf::from);
        let subscription =
            std::env::var("ARM_SUBSCRIPTION_ID").unwrap_or_else(|_| armemu::config::DEFAULT_SUBSCRIPTION_ID.into());
        let cas: Vec<PathBuf> = ca.iter().cloned().collect();
        Some(Target { http: Http::for_base(&endpoint, &cas, Some(&token)).validating(), subscription, ca, emu: None })
    }

    /// True when `ARM_ENDPOINT` points the suites at an external endpoint.
    pub fn external_requested() -> bool {
        std::env::var("ARM_ENDPOINT").is_ok_and(|e| !e.trim().is_empty())
    }

    pub fn is_external(&self) -> bool {
        self.emu.is_none()
    }

    /// The in-process emulator (None against an external endpoint).
    pub fn emulator(&self) -> Option<&TestEmulator> {
        self.emu.as_ref()
    }

    /// The in-process emulator; panics against an external endpoint (use [`require_emulator!`]).
    pub fn emu(&self) -> &TestEmulator {
        self.emu.as_ref().expect("this test needs the in-process emulator (use require_emulator!)")
    }

    /// The base URL ARM calls go to (no trailing `/`).
    pub fn base(&self) -> &str {
        self.http.base()
    }

    /// `/subscriptions/{subscription}`.
    pub fn sub(&self) -> String {
        format!("/subscriptions/{}", self.subscription)
    }

    /// `/subscriptions/{s}/resourcegroups/{rg}` (the name percent-encoded).
    pub fn rg(&self, name: &str) -> String {
        format!("{}/resourcegroups/{}", self.sub(), enc(name))
    }

    /// The canonical id ARM returns for a group (`resourceGroups`, name as given).
    pub fn rg_id(&self, name: &str) -> String {
        format!("/subscriptions/{}/resourceGroups/{name}", self.subscription)
    }

    /// A name unique to this run against an external endpoint (so runs do not collide);
    /// `prefix` itself in-process, where every test has its own emulator.
    pub fn unique(&self, prefix: &str) -> String {
        if self.is_external() {
            format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
        } else {
            prefix.to_string()
        }
    }

    /// Creates a resource group (asserting 200/201) and returns its path.
    #[track_caller]
    pub fn create_group(&self, name: &str, location: &str) -> String {
        let p = self.rg(name);
        let r = self.put(&av(&p), &serde_json::json!({ "location": location }));
        assert!(r.status == 201 || r.status == 200, "creating group {name}: {r:?}");
        p
    }

    /// A client without a token for the same endpoint.
    pub fn anonymous(&self) -> Http {
        self.http.anonymous()
    }

    /// A client for the HTTPS listener trusting the emulator's CA (in-process), or for the
    /// external endpoint.
    pub fn https(&self) -> Http {
        match &self.emu {
            Some(e) => Http::tls(&e.https, std::slice::from_ref(&e.ca), false, Some("test")).validating(),
            None => self.http.anonymous_with_token(self.http.token.as_deref()),
        }
    }

    // ---- the test-control API (in-process only) ----

    /// A request to `/_emulator/{path}` (no auth needed).
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let p = format!("/_emulator/{}", path.trim_start_matches('/'));
        match body {
            Some(b) => self.http.send_json(method, &p, b),
            // Test-control writes must say they are JSON (a cross-site "simple" request cannot).
            None => self.http.request(method, &p, &[("Content-Type", "application/json")], None),
        }
    }

    /// `PATCH /_emulator/settings` with `body`, asserting 200.
    #[track_caller]
    pub fn settings(&self, body: Value) {
        self.control("PATCH", "settings", Some(&body)).expect(200);
    }

    /// Sets the LRO mode of one operation kind (`resourceGroups/delete` → `polls:2`).
    #[track_caller]
    pub fn lro(&self, kind: &str, mode: &str) {
        self.settings(serde_json::json!({ "lro": { kind: mode } }));
    }

    /// Moves the emulator clock forward.
    #[track_caller]
    pub fn advance(&self, seconds: u64) {
        self.control("POST", "clock/advance", Some(&serde_json::json!({ "seconds": seconds }))).expect(200);
    }
}

impl Default for Target {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    fn anonymous_with_token(&self, token: Option<&str>) -> Http {
        let mut h = self.anonymous();
        h.token = token.map(String::from);
        h
    }
}

/// The in-process target for a test that needs the test-control API or a special start
/// configuration; against an external endpoint prints why the test is skipped and returns
/// from the test.
///
/// ```ignore
/// let t = require_emulator!();
/// let t = require_emulator!(|c| c.max_body_bytes = 1024);
/// ```
#[macro_export]
macro_rules! require_emulator {
    () => {
        $crate::require_emulator!(|_| {})
    };
    ($f:expr) => {
        if $crate::Target::external_requested() {
            fn here() {}
            let test = std::any::type_name_of_val(&here).trim_end_matches("::here");
            eprintln!(
                "SKIPPED {test}: needs the emulator's test-control API or start configuration, which the external endpoint ARM_ENDPOINT does not offer"
            );
            return;
        } else {
            $crate::Target::with_config($f)
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

/// Asserts an ARM error envelope `{"error":{"code","message","target"?,"details"?,"additionalInfo"?}}`
/// and returns the inner error object.
#[track_caller]
pub fn check_envelope(resp: &Resp) -> Value {
    let v = resp.json();
    let obj = v.as_object().unwrap_or_else(|| panic!("error body is not an object: {resp:?}"));
    assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["error"], "error envelope has exactly one key 'error': {resp:?}");
    let e = &v["error"];
    let eo = e.as_object().unwrap_or_else(|| panic!("'error' is not an object: {resp:?}"));
    for k in eo.keys() {
        assert!(
            ["code", "message", "target", "details", "additionalInfo"].contains(&k.as_str()),
            "unexpected key '{k}' in error: {resp:?}"
        );
    }
    let code = e["code"].as_str().unwrap_or_else(|| panic!("error.code is not a string: {resp:?}"));
    assert!(code.chars().next().is_some_and(|c| c.is_ascii_uppercase()), "error.code '{code}' is PascalCase: {resp:?}");
    assert!(e["message"].is_string(), "error.message is a string: {resp:?}");
    assert_eq!(resp.header("content-type"), Some("application/json; charset=utf-8"), "error content type: {resp:?}");
    e.clone()
}

/// Asserts the status, `error.code` and the exact `error.message` of an ARM error.
#[track_caller]
pub fn check_error(resp: &Resp, status: u16, code: &str, message: &str) {
    assert_eq!(resp.status, status, "status: {resp:?}");
    let e = check_envelope(resp);
    assert_eq!(e["code"], code, "error.code: {resp:?}");
    assert_eq!(e["message"], message, "error.message: {resp:?}");
}

/// As [`check_error`], for messages with variable parts: the message must start with `prefix`.
#[track_caller]
pub fn check_error_prefix(resp: &Resp, status: u16, code: &str, prefix: &str) {
    assert_eq!(resp.status, status, "status: {resp:?}");
    let e = check_envelope(resp);
    assert_eq!(e["code"], code, "error.code: {resp:?}");
    let m = e["message"].as_str().unwrap_or_default();
    assert!(m.starts_with(prefix), "error.message {m:?} should start with {prefix:?}");
}

/// True for a lower- or upper-case hyphenated GUID.
pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

/// The sorted keys of a JSON object (for exact-shape assertions).
#[track_caller]
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

/// Sorted string list from `&["a", "b"]`.
pub fn sorted(k: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Follows `nextLink`s from `first` (a path or URL) and returns every item of every page, and
/// the number of pages.
#[track_caller]
pub fn collect_pages(http: &Http, first: &str) -> (Vec<Value>, usize) {
    let mut url = first.to_string();
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let page = http.get(&url).expect(200).json();
        pages += 1;
        all.extend(page["value"].as_array().unwrap_or_else(|| panic!("page without value: {page}")).iter().cloned());
        match page.get("nextLink") {
            None | Some(Value::Null) => break,
            Some(Value::String(n)) => {
                assert!(!n.is_empty(), "nextLink is never an empty string");
                url = n.clone();
            }
            Some(other) => panic!("nextLink is not a string: {other}"),
        }
        assert!(pages < 10_000, "too many pages");
    }
    (all, pages)
}

/// Form-encodes a query value (`$filter` expressions with spaces and quotes).
pub fn qv(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The HTTP fuzzer (`make fuzz`, and a short run in `make test`).
pub mod fuzz;
/// OpenAPI validation of the answers [`Target`]'s clients receive.
pub mod schema;
pub mod templates;
