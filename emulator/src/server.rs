//! The only asynchronous, I/O-doing code: listeners, TLS, hyper connections, body limits,
//! common response headers and graceful shutdown. Everything after the body is read is the
//! synchronous [`crate::arm::dispatch`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use parking_lot::RwLock;
use percent_encoding::percent_decode_str;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::arm::error::ArmError;
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::config::{ClockMode, Config};
use crate::context::{Ctx, Endpoints, Settings};
use crate::identity::jwt::Identity;
use crate::store::clock::{Clock, VirtualClock};
use crate::store::ids::{IdGen, RandomIds, SeededIds};
use crate::store::{State, StateDocument, Store};

/// A running emulator: its addresses, TLS files and a handle to stop it.
pub struct Running {
    pub http_addr: SocketAddr,
    pub https_addr: SocketAddr,
    pub http_url: String,
    pub https_url: String,
    pub ca: PathBuf,
    pub bundle: PathBuf,
    pub ctx: Arc<Ctx>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// The `ready` line printed on stdout.
    pub fn ready_line(&self) -> String {
        serde_json::json!({
            "event": "ready",
            "http": self.http_url,
            "https": self.https_url,
            "ca": self.ca.display().to_string(),
            "bundle": self.bundle.display().to_string(),
        })
        .to_string()
    }

    /// Stops accepting, lets open requests finish (up to 5 s), then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(6), t).await;
        }
    }
}

#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

fn err(what: &str) -> impl Fn(std::io::Error) -> StartError + '_ {
    move |e| StartError(format!("{what}: {e}"))
}

/// The initial state from the configuration (and `--load`).
pub fn initial_state(config: &Config) -> Result<State, StartError> {
    let mut state = match &config.load {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(err(&format!("reading {}", path.display())))?;
            let doc =
                StateDocument::parse(text.as_bytes()).map_err(|e| StartError(format!("{}: {e}", path.display())))?;
            State::from_document(doc).map_err(|e| StartError(format!("{}: {e}", path.display())))?
        }
        None => State::default(),
    };
    for t in &config.tenants {
        state.tenants.entry(t.tenant_id.to_lowercase()).or_insert_with(|| t.clone());
    }
    for s in &config.subscriptions {
        if uuid::Uuid::try_parse(&s.subscription_id).is_err() {
            return Err(StartError(format!("subscription id '{}' is not a GUID", s.subscription_id)));
        }
        state.subscriptions.entry(s.subscription_id.to_lowercase()).or_insert_with(|| s.clone());
    }
    Ok(state)
}

/// Builds the context: clock, ids, identity key, initial state with default registrations.
pub fn build_ctx(config: Config, identity: Identity) -> Result<Ctx, StartError> {
    let clock: Arc<dyn Clock> = match config.clock {
        ClockMode::System => Arc::new(VirtualClock::running()),
        ClockMode::Manual(t) => Arc::new(VirtualClock::frozen(t)),
    };
    let ids: Arc<dyn IdGen> = match config.id_seed {
        Some(seed) => Arc::new(SeededIds::new(seed)),
        None => Arc::new(RandomIds),
    };
    let mut state = initial_state(&config)?;
    let settings = Settings { lro: config.lro.clone(), registration_delay: config.registration_delay, page_size: 1000 };
    let mut ctx = Ctx {
        store: Store::default(),
        clock,
        ids,
        config,
        settings: RwLock::new(settings),
        identity,
        endpoints: RwLock::new(Endpoints::default()),
        initial: Arc::default(),
        router: crate::router::Router::new(crate::all_routes()),
    };
    // Every subscription starts with an explicit registration record per provider, so
    // exports show the whole picture.
    let subs: Vec<String> = state.subscriptions.values().map(|s| s.subscription_id.clone()).collect();
    for sub in subs {
        for p in crate::rp::catalog::PROVIDERS.iter().filter(|p| !p.registration_free) {
            let key = State::registration_key(&sub, p.namespace);
            state
                .registrations
                .entry(key)
                .or_insert_with(|| crate::rp::resources::providers::default_registration(&ctx, &sub, p));
        }
    }
    let state = Arc::new(state);
    ctx.store = Store::new(state.clone());
    ctx.initial = state;
    Ok(ctx)
}

/// Starts the emulator on the configured ports (0 = a free one) and returns once both
/// listeners accept connections.
pub async fn start(config: Config) -> Result<Running, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(err(&format!("creating {}", config.data_dir.display())))?;
    let tls = crate::tls::ensure(&config.data_dir).map_err(err("TLS material"))?;
    let identity = Identity::load_or_create(&config.data_dir).map_err(err("signing key"))?;
    start_with(config, tls, identity).await
}

/// As [`start`], with the TLS files and identity already prepared (tests share one key).
pub async fn start_with(config: Config, tls: crate::tls::TlsFiles, identity: Identity) -> Result<Running, StartError> {
    let tls_config = crate::tls::server_config(&tls).map_err(err("TLS configuration"))?;
    let bind = config.bind;
    let http = TcpListener::bind(SocketAddr::new(bind, config.http_port))
        .await
        .map_err(err(&format!("binding HTTP port {}", config.http_port)))?;
    let https = TcpListener::bind(SocketAddr::new(bind, config.https_port))
        .await
        .map_err(err(&format!("binding HTTPS port {}", config.https_port)))?;
    let http_addr = http.local_addr().map_err(err("HTTP address"))?;
    let https_addr = https.local_addr().map_err(err("HTTPS address"))?;
    let ctx = Arc::new(build_ctx(config, identity)?);
    let http_url = format!("http://{http_addr}");
    let https_url = format!("https://{https_addr}");
    *ctx.endpoints.write() = Endpoints {
        http: http_url.clone(),
        https: https_url.clone(),
        ca: tls.ca.display().to_string(),
        bundle: tls.bundle.display().to_string(),
    };
    let (tx, rx) = watch::channel(false);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
    let tasks = vec![
        tokio::spawn(accept_loop(http, None, ctx.clone(), rx.clone())),
        tokio::spawn(accept_loop(https, Some(acceptor), ctx.clone(), rx)),
    ];
    Ok(Running { http_addr, https_addr, http_url, https_url, ca: tls.ca, bundle: tls.bundle, ctx, shutdown: tx, tasks })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    ctx: Arc<Ctx>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, _peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let ctx = ctx.clone();
        let watcher = graceful.watcher();
        match tls.clone() {
            None => {
                tokio::spawn(serve(stream, ctx, false, watcher));
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    let Ok(Ok(tls_stream)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    serve(tls_stream, ctx, true, watcher).await;
                });
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

async fn serve<S>(stream: S, ctx: Arc<Ctx>, secure: bool, watcher: hyper_util::server::graceful::Watcher)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let ctx = ctx.clone();
        async move { Ok::<_, Infallible>(handle(&ctx, req, secure).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc);
    let _ = watcher.watch(conn).await;
}

/// Reads the request, dispatches it, and finishes the response with ARM's common headers.
pub async fn handle(ctx: &Ctx, req: Request<Incoming>, secure: bool) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let limit = ctx.config.max_body_bytes;
    let too_big = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64);
    let body = if too_big {
        Err(ArmError::payload_too_large(limit))
    } else {
        match Limited::new(body, limit).collect().await {
            Ok(b) => Ok(b.to_bytes()),
            Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                Err(ArmError::payload_too_large(limit))
            }
            Err(e) => {
                Err(ArmError::bad_request("InvalidRequestContent", format!("The request body could not be read: {e}")))
            }
        }
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let resp = handle_parts(ctx, parts.method.as_str(), parts.uri.path(), parts.uri.query(), headers, body, secure);
    // Hot path: move the finished headers into the response's map (the builder would
    // re-validate and clone each one). An invalid status gives the same empty 200 as before.
    let Ok(status) = hyper::StatusCode::from_u16(resp.status) else {
        return Response::new(Full::new(Bytes::new()));
    };
    let mut r = Response::new(Full::new(resp.body));
    *r.status_mut() = status;
    let map = r.headers_mut();
    map.reserve(resp.headers.len());
    for (k, v) in resp.headers {
        map.append(k, v);
    }
    r
}

/// A finished response as plain data (what `handle` sends; what the in-process fuzzer reads).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    pub body: Bytes,
    pub operation: &'static str,
}

/// Everything after the body is read: path decoding, query parsing, dispatch and the
/// common headers. `body` is `Err` when reading it already failed (too large).
pub fn handle_parts(
    ctx: &Ctx,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: Vec<(String, String)>,
    body: Result<Bytes, ArmError>,
    secure: bool,
) -> RawResponse {
    let method = Method::parse(method);
    let host = header_of(&headers, "host")
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .map(String::from)
        .unwrap_or_else(|| {
            let e = ctx.endpoints.read();
            let u = if secure { &e.https } else { &e.http };
            u.split("://").nth(1).unwrap_or("127.0.0.1").to_string()
        });
    let base_url = format!("{}://{host}", if secure { "https" } else { "http" });
    let raw_path = path.to_string();
    // Only these two request headers are echoed; copying them (not the whole list) keeps
    // the per-request allocations down.
    let echoed = EchoedHeaders {
        correlation: header_of(&headers, "x-ms-correlation-request-id").filter(|v| v.len() <= 200).map(String::from),
        client_request_id: header_of(&headers, "x-ms-client-request-id").filter(|v| v.len() <= 200).map(String::from),
    };
    let (resp, operation) = match (body, decode_segments(&raw_path)) {
        (Err(e), _) => (e.into_response(), "rejected"),
        (_, Err(e)) => (e.into_response(), "rejected"),
        (Ok(body), Ok(segments)) => {
            let query = query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
            let areq = ArmRequest {
                method,
                raw_path,
                segments,
                query,
                headers,
                body,
                params: Vec::new(),
                base_url,
                principal: None,
            };
            crate::arm::dispatch(ctx, areq)
        }
    };
    finish(ctx, resp, echoed, method, operation)
}

/// The request headers the response repeats.
struct EchoedHeaders {
    correlation: Option<String>,
    client_request_id: Option<String>,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `now.format("%a, %d %b %Y %H:%M:%S GMT")` (the HTTP `Date` form, RFC 7231 IMF-fixdate)
/// without parsing a strftime pattern on every request (hot path; same output, see tests).
fn http_date(now: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[now.weekday().num_days_from_monday() as usize],
        now.day(),
        MONTHS[now.month0() as usize],
        now.year(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// `now.format("%Y%m%dT%H%M%SZ")` (the routing-request-id timestamp), as [`http_date`].
fn compact_timestamp(now: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month(),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

fn decode_segments(path: &str) -> Result<Vec<String>, ArmError> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_decode_str(s).decode_utf8().map(|c| c.into_owned()).map_err(|_| {
                ArmError::bad_request(
                    "InvalidRequestUri",
                    format!("The request path segment '{s}' is not valid UTF-8 after percent-decoding."),
                )
            })
        })
        .collect()
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Adds ARM's common headers.
fn finish(ctx: &Ctx, resp: ArmResponse, echoed: EchoedHeaders, method: Method, operation: &'static str) -> RawResponse {
    use hyper::header::{HeaderName, HeaderValue};
    // Hot path (every response): the fixed names and values are `from_static` (no parsing);
    // only values that vary are validated. Names are lower-case, as hyper sends them anyway.
    let request_id = ctx.ids.guid();
    let now = ctx.clock.now();
    // `const` so names and values are checked at compile time, not per response.
    const fn fixed(name: &'static str, value: &'static str) -> (HeaderName, HeaderValue) {
        (HeaderName::from_static(name), HeaderValue::from_static(value))
    }
    const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
    const CORRELATION_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
    const ROUTING_ID: HeaderName = HeaderName::from_static("x-ms-routing-request-id");
    const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");
    const STATIC_HEADERS: [(HeaderName, HeaderValue); 5] = [
        fixed("cache-control", "no-cache"),
        fixed("pragma", "no-cache"),
        fixed("expires", "-1"),
        fixed("x-content-type-options", "nosniff"),
        fixed("strict-transport-security", "max-age=31536000; includeSubDomains"),
    ];
    const READS: (HeaderName, HeaderValue) = fixed("x-ms-ratelimit-remaining-subscription-reads", "11999");
    const DELETES: (HeaderName, HeaderValue) = fixed("x-ms-ratelimit-remaining-subscription-deletes", "14999");
    const WRITES: (HeaderName, HeaderValue) = fixed("x-ms-ratelimit-remaining-subscription-writes", "1199");
    let mut out: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(16 + resp.headers.len());
    fn put(out: &mut Vec<(HeaderName, HeaderValue)>, name: HeaderName, v: &str) {
        if let Ok(val) = HeaderValue::from_str(v) {
            out.push((name, val));
        }
    }
    put(&mut out, REQUEST_ID, &request_id);
    put(&mut out, CORRELATION_ID, echoed.correlation.as_deref().unwrap_or(&request_id));
    put(&mut out, ROUTING_ID, &format!("LOCAL:{}:{request_id}", compact_timestamp(now)));
    out.extend(STATIC_HEADERS);
    put(&mut out, hyper::header::DATE, &http_date(now));
    if let Some(c) = &echoed.client_request_id {
        put(&mut out, CLIENT_REQUEST_ID, c);
    }
    out.push(match method {
        Method::Get | Method::Head => READS,
        Method::Delete => DELETES,
        _ => WRITES,
    });
    for (k, v) in &resp.headers {
        if let (Ok(name), Ok(val)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            out.push((name, val));
        }
    }
    let body = match (&resp.body, method) {
        (Some(body), m) if m != Method::Head => {
            if let Ok(ct) = HeaderValue::from_str(resp.content_type.unwrap_or("application/json; charset=utf-8")) {
                out.push((hyper::header::CONTENT_TYPE, ct));
            }
            body.clone()
        }
        _ => Bytes::new(),
    };
    RawResponse { status: resp.status, headers: out, body, operation }
}

#[cfg(test)]
mod tests {
    use super::{compact_timestamp, http_date};
    use chrono::{TimeZone, Utc};

    #[test]
    fn hand_formatted_dates_match_strftime() {
        for t in [
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 22, 20, 37, 56).unwrap(),
            Utc.with_ymd_and_hms(2030, 1, 6, 9, 5, 7).unwrap(),
        ] {
            assert_eq!(http_date(t), t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
            assert_eq!(compact_timestamp(t), t.format("%Y%m%dT%H%M%SZ").to_string());
        }
    }
}
