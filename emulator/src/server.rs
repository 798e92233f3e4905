//! The only asynchronous, I/O-doing code: listeners, TLS, hyper connections with their
//! timeouts, reading bodies within the limit, and graceful shutdown. Everything after the body
//! is read is the synchronous pipeline ([`App::handle`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::identity::Identity;
use crate::pipeline::App;
use crate::protocol::ArmError;
use crate::providers::Endpoints;
use crate::store::State;

/// A running emulator: its addresses, TLS files and a handle to stop it.
pub struct Running {
    pub http_addr: SocketAddr,
    pub https_addr: SocketAddr,
    pub http_url: String,
    pub https_url: String,
    pub ca: PathBuf,
    pub bundle: PathBuf,
    pub app: Arc<App>,
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
        self.app.journal().close();
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(6), t).await;
        }
        let app = self.app.clone();
        let _ = tokio::task::spawn_blocking(move || app.close()).await;
    }
}

/// Why the emulator could not start.
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
    crate::pipeline::initial_state(config).map_err(StartError)
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
    let timeouts = Timeouts { header: config.header_read_timeout, idle: config.idle_timeout };
    let app = Arc::new(App::new(config, identity).map_err(StartError)?);
    let http_url = format!("http://{http_addr}");
    let https_url = format!("https://{https_addr}");
    app.ctx.set_endpoints(Endpoints {
        http: http_url.clone(),
        https: https_url.clone(),
        ca: tls.ca.display().to_string(),
        bundle: tls.bundle.display().to_string(),
    });
    let (tx, rx) = watch::channel(false);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
    let tasks = vec![
        tokio::spawn(accept_loop(http, None, app.clone(), timeouts, rx.clone())),
        tokio::spawn(accept_loop(https, Some(acceptor), app.clone(), timeouts, rx)),
    ];
    Ok(Running { http_addr, https_addr, http_url, https_url, ca: tls.ca, bundle: tls.bundle, app, shutdown: tx, tasks })
}

#[derive(Debug, Clone, Copy)]
struct Timeouts {
    header: Duration,
    idle: Duration,
}

/// How long the accept loop waits after a failed `accept` (file descriptors exhausted): it
/// doubles from the first to the last, so a full descriptor table costs no CPU, and resets
/// after a success.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));
/// A failing `accept` is logged at most once per interval (with how many failed since).
const ACCEPT_LOG_INTERVAL: Duration = Duration::from_secs(10);

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Arc<App>,
    timeouts: Timeouts,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut backoff = ACCEPT_BACKOFF.0;
    let mut failed: u64 = 0;
    let mut logged: Option<Instant> = None;
    loop {
        let (stream, _peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    failed += 1;
                    if logged.is_none_or(|t| t.elapsed() >= ACCEPT_LOG_INTERVAL) {
                        tracing::warn!("accept failed ({failed} time(s) since the last report): {e}; retrying in up to {:?}", ACCEPT_BACKOFF.1);
                        logged = Some(Instant::now());
                        failed = 0;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stop.changed() => break,
                    }
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        backoff = ACCEPT_BACKOFF.0;
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let watcher = graceful.watcher();
        match tls.clone() {
            None => {
                tokio::spawn(serve(stream, app, false, timeouts, watcher));
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    let Ok(Ok(tls_stream)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    serve(tls_stream, app, true, timeouts, watcher).await;
                });
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

async fn serve<S>(
    stream: S,
    app: Arc<App>,
    secure: bool,
    timeouts: Timeouts,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = Timed { io: stream, activity: activity.clone() };
    let svc = service_fn(move |req| {
        let app = app.clone();
        // `Err` (a fault rule's dropped connection) closes the connection without an answer.
        async move { handle(&app, req, secure).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(io), svc);
    tokio::select! {
        _ = watcher.watch(conn) => {}
        // Dropping the connection closes it.
        _ = activity.watchdog(timeouts) => {}
    }
}

/// A response body: the pipeline's answer, or the journal's live stream.
pub type ResponseBody = Either<Full<Bytes>, crate::pipeline::journal::StreamBody>;

/// Reads the request body (within the route's limit) and runs the pipeline.
pub async fn handle(
    app: &App,
    req: Request<Incoming>,
    secure: bool,
) -> Result<Response<ResponseBody>, crate::pipeline::faults::Dropped> {
    let (parts, body) = req.into_parts();
    let limit = app.body_limit(parts.method.as_str(), parts.uri.path());
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
            Err(e) => Err(ArmError::unreadable_body(e)),
        }
    };
    let mut resp =
        app.handle_request(parts.method.as_str(), parts.uri.path(), parts.uri.query(), parts.headers, body, secure);
    // With a state directory, nothing is answered before what it shows is on disk (the last
    // record queued when the answer was ready: its own batch, or one it read).
    if let Some(d) = app.durable() {
        let lsn = d.appended();
        if !d.is_durable(lsn) {
            if let Err(e) = d.wait(lsn).await {
                resp.replace_with_error(ArmError::internal(e));
            }
        }
    }
    if let Some(d) = resp.disruption {
        // A fault rule's latency waits here, not on the pipeline's (synchronous) thread.
        if let Some(delay) = d.delay {
            tokio::time::sleep(delay).await;
        }
        if d.drop {
            return Err(crate::pipeline::faults::Dropped);
        }
    }
    let body = if resp.operation == crate::pipeline::journal::STREAM_OPERATION && resp.status == 200 {
        let heartbeat = (app.config().idle_timeout / 2).clamp(Duration::from_millis(10), Duration::from_secs(15));
        Either::Right(crate::pipeline::journal::StreamBody::new(app.journal(), heartbeat))
    } else {
        Either::Left(Full::new(resp.body))
    };
    let mut r = Response::new(body);
    *r.status_mut() = hyper::StatusCode::from_u16(resp.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    *r.headers_mut() = resp.headers;
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Connection timeouts
// ---------------------------------------------------------------------------------------------

/// What a connection is doing, as its bytes show: waiting for (or reading) a request head,
/// busy with a request, or idle after an answer. Shared between the connection's I/O and its
/// watchdog, which closes it when a head takes longer than the header-read timeout (a silent
/// or half-sent request) or when it stays idle longer than the idle timeout.
struct Activity {
    started: Instant,
    phase: AtomicU8,
    /// Milliseconds since `started` when the phase began.
    since: AtomicU64,
    /// The last three bytes read while in a head (a head ends at `\r\n\r\n`, which may span reads).
    tail: AtomicU64,
}

const HEAD: u8 = 0;
const BUSY: u8 = 1;
const IDLE: u8 = 2;

impl Activity {
    fn new() -> Activity {
        Activity {
            started: Instant::now(),
            phase: AtomicU8::new(HEAD),
            since: AtomicU64::new(0),
            tail: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn enter(&self, phase: u8) {
        self.since.store(self.now_ms(), Ordering::Relaxed);
        self.phase.store(phase, Ordering::Relaxed);
    }

    fn on_read(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match self.phase.load(Ordering::Relaxed) {
            IDLE => {
                self.enter(HEAD);
                self.tail.store(0, Ordering::Relaxed);
                self.scan_head(bytes);
            }
            HEAD => self.scan_head(bytes),
            _ => {}
        }
    }

    /// Looks for the end of the head (`\r\n\r\n`) across reads: first where the last bytes
    /// of earlier reads end it, then (vectorised) within this read.
    fn scan_head(&self, bytes: &[u8]) {
        let fold = |w: u64, b: &u8| ((w << 8) | *b as u64) & 0xFFFF_FFFF;
        let prev = self.tail.load(Ordering::Relaxed);
        let mut window = prev;
        for b in bytes.iter().take(3) {
            window = fold(window, b);
            if window == 0x0D0A_0D0A {
                self.enter(BUSY);
                return;
            }
        }
        if memchr::memmem::find(bytes, b"\r\n\r\n").is_some() {
            self.enter(BUSY);
            return;
        }
        let last = &bytes[bytes.len().saturating_sub(4)..];
        self.tail.store(last.iter().fold(prev, fold), Ordering::Relaxed);
    }

    fn on_write(&self) {
        self.enter(IDLE);
    }

    /// Completes when the connection has to be closed.
    async fn watchdog(&self, t: Timeouts) {
        let tick = (t.header.min(t.idle) / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        loop {
            tokio::time::sleep(tick).await;
            let elapsed = Duration::from_millis(self.now_ms().saturating_sub(self.since.load(Ordering::Relaxed)));
            match self.phase.load(Ordering::Relaxed) {
                HEAD if elapsed >= t.header => return,
                IDLE if elapsed >= t.idle => return,
                _ => {}
            }
        }
    }
}

/// A connection's I/O, reporting its bytes to its [`Activity`].
struct Timed<S> {
    io: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Timed<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            self.activity.on_read(&buf.filled()[before..]);
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Timed<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = r {
            if n > 0 {
                self.activity.on_write();
            }
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = r {
            if n > 0 {
                self.activity.on_write();
            }
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_ends_at_a_blank_line_even_across_reads() {
        let a = Activity::new();
        a.on_read(b"GET / HTTP/1.1\r\nHost: x\r");
        assert_eq!(a.phase.load(Ordering::Relaxed), HEAD);
        a.on_read(b"\n\r");
        a.on_read(b"\n");
        assert_eq!(a.phase.load(Ordering::Relaxed), BUSY);
        a.on_read(b"{\"body\": 1}\r\n\r\n");
        assert_eq!(a.phase.load(Ordering::Relaxed), BUSY, "body bytes do not start a head");
        a.on_write();
        assert_eq!(a.phase.load(Ordering::Relaxed), IDLE);
        a.on_read(b"G");
        assert_eq!(a.phase.load(Ordering::Relaxed), HEAD);
    }

    #[test]
    fn every_split_of_a_head_finds_its_end_exactly_once() {
        let head: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\nX: \r\n\r\n";
        let end = head.len();
        // Every way to cut the head into up to three reads: BUSY only after the last byte.
        for i in 0..=end {
            for j in i..=end {
                let a = Activity::new();
                for part in [&head[..i], &head[i..j], &head[j..]] {
                    let before = a.phase.load(Ordering::Relaxed);
                    a.on_read(part);
                    if before == HEAD && a.phase.load(Ordering::Relaxed) == BUSY {
                        assert!(std::ptr::eq(part.as_ptr_range().end, head.as_ptr_range().end), "cut {i}/{j}");
                    }
                }
                assert_eq!(a.phase.load(Ordering::Relaxed), BUSY, "cut {i}/{j}");
            }
        }
        // Near misses across reads stay in the head.
        let a = Activity::new();
        for part in [&b"GET / HTTP/1.1\r\n\r"[..], b"x\n", b"\r\n", b"\r", b"\r\n"] {
            a.on_read(part);
        }
        assert_eq!(a.phase.load(Ordering::Relaxed), HEAD);
    }
}
