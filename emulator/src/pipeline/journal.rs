//! The request journal (`/_emulator/journal`): a bounded ring of every request the pipeline
//! answered, oldest first, with the change batches it committed, and a live stream of the same
//! entries as newline-delimited JSON.
//!
//! Requests to `/_emulator/journal…` and the console's pages (`/_emulator/ui…`) are not
//! recorded (a tool polling or streaming the journal would otherwise flood it); every other
//! request is, test-control calls included, so a reset or an import shows up between the
//! requests it separates.
//!
//! An entry of a write or of a failed request also keeps the request's query, headers and body
//! and the answer's headers and body ([`Detail`], the first [`BODY_KEPT`] bytes of each body),
//! which only `GET /_emulator/journal/{seq}` shows: lists and the stream stay one short line
//! per request. Successful reads keep only the summary: keeping the detail of every read took
//! GET throughput from 73–77 % of the bare hyper server to 58–60 % (`make bench`), and what a
//! read answered is what a GET of the same path shows.
//!
//! How a commit finds its request: handlers commit synchronously on the thread that runs the
//! pipeline, so [`App::handle_request`](super::App::handle_request) opens a per-thread
//! [`Recording`] around the stages, and the store observer ([`observer`]) appends every batch
//! committed on that thread meanwhile (a deployment commits once per resource; a settlement a
//! read triggered is part of that read). Batches committed elsewhere (the clock's settlements
//! from the test-control API are requests too) belong to no entry.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::json;

use crate::model::time::arm_time;
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, Commit, Observer};

use super::App;

/// How many entries a slow stream reader may fall behind before it misses some.
const STREAM_BUFFER: usize = 4096;
/// How much of each request and answer body an entry keeps (a list page of a large
/// collection is cut here; the entry says so and gives the full size).
pub const BODY_KEPT: usize = 32 * 1024;

/// One answered request. It keeps what the request already had (header values are shared
/// buffers, times plain values) and is formatted only when read ([`View`]), so recording
/// costs the hot path little.
#[derive(Debug)]
pub struct Entry {
    /// Increases by one per recorded request.
    pub seq: u64,
    pub request_id: Option<hyper::header::HeaderValue>,
    pub correlation_id: Option<hyper::header::HeaderValue>,
    /// The emulator clock when the request arrived.
    pub time: DateTime<Utc>,
    /// The machine's clock when the request arrived.
    pub wall_time: DateTime<Utc>,
    pub method: &'static str,
    pub path: String,
    pub operation_id: &'static str,
    pub api_version: Option<String>,
    /// The caller (`systemData`'s name: an application id, else an object id).
    pub principal: Option<String>,
    /// The subscription a test-control call names (`/_emulator/subscriptions/{id}` or
    /// `?subscription=`); ARM calls name theirs in `path` ([`Entry::subscription`]).
    control_subscription: Option<String>,
    pub status: u16,
    pub error_code: Option<String>,
    /// Time spent in the pipeline (reading the body and writing the answer excluded).
    pub latency_ms: f64,
    pub request_bytes: usize,
    pub response_bytes: usize,
    /// Every change the request committed, in commit order.
    pub changes: Vec<Arc<[Change]>>,
    /// The request and answer themselves, for writes and failed requests (boxed: only the
    /// entry's own page reads them).
    pub detail: Option<Box<Detail>>,
}

/// What an entry keeps of the request and the answer beyond the summary. Everything is
/// copied into a few buffers of the entry's own: the request's header values and body are
/// slices of the connection's read buffer, and keeping them would keep that buffer from
/// being reused (hyper would allocate a new one per request).
#[derive(Debug)]
pub struct Detail {
    pub query: Option<Box<str>>,
    /// `name: value` lines.
    pub request_headers: Box<str>,
    /// At most [`BODY_KEPT`] bytes.
    pub request_body: Bytes,
    /// `name: value` lines.
    pub response_headers: Box<str>,
    /// At most [`BODY_KEPT`] bytes.
    pub response_body: Bytes,
}

/// Headers as `name: value` lines in one buffer.
fn header_lines(h: &hyper::HeaderMap) -> Box<str> {
    let mut out = String::with_capacity(h.len() * 48);
    for (name, value) in h {
        out.push_str(name.as_str());
        out.push_str(": ");
        out.push_str(&String::from_utf8_lossy(value.as_bytes()));
        out.push('\n');
    }
    out.into_boxed_str()
}

/// The first [`BODY_KEPT`] bytes of a body, copied.
fn kept(body: &[u8]) -> Bytes {
    Bytes::copy_from_slice(&body[..body.len().min(BODY_KEPT)])
}

/// A body as the entry's page shows it: JSON when it is JSON, else text.
fn body_view(body: &Bytes, size: usize) -> serde_json::Value {
    let text = if body.is_empty() {
        serde_json::Value::Null
    } else if body.len() == size {
        serde_json::from_slice(body).unwrap_or_else(|_| json!(String::from_utf8_lossy(body)))
    } else {
        json!(String::from_utf8_lossy(body))
    };
    json!({"size": size, "truncated": body.len() < size, "content": text})
}

/// Headers (`name: value` lines) as a JSON object in the order sent; bearer tokens are
/// shortened (the page is for reading what was sent, not for lifting credentials off a
/// shared screen).
fn headers_view(lines: &str) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (name, text) in lines.lines().filter_map(|l| l.split_once(": ")) {
        let shown = if name == "authorization" {
            match text.split_once(' ') {
                Some((scheme, cred)) => format!("{scheme} …({} characters)", cred.len()),
                None => format!("…({} characters)", text.len()),
            }
        } else {
            text.to_string()
        };
        match out.get_mut(name) {
            Some(serde_json::Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&shown);
            }
            _ => {
                out.insert(name.to_string(), json!(shown));
            }
        }
    }
    serde_json::Value::Object(out)
}

impl Entry {
    /// The entry with its request and answer, as `GET /_emulator/journal/{seq}` answers it.
    pub fn full_view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        let Some(d) = &self.detail else {
            v["request"] = json!({"kept": false});
            v["response"] = json!({"kept": false});
            return v;
        };
        v["request"] = json!({
            "kept": true,
            "query": d.query,
            "headers": headers_view(&d.request_headers),
            "body": body_view(&d.request_body, self.request_bytes),
        });
        v["response"] = json!({
            "kept": true,
            "headers": headers_view(&d.response_headers),
            "body": body_view(&d.response_body, self.response_bytes),
        });
        v
    }

    /// The subscription the request is about (`/subscriptions/{id}/…`, or the one a
    /// test-control call names).
    pub fn subscription(&self) -> Option<&str> {
        if self.control_subscription.is_some() {
            return self.control_subscription.as_deref();
        }
        let mut segs = self.path.split('/').filter(|s| !s.is_empty());
        match segs.next() {
            Some(first) if first.eq_ignore_ascii_case("subscriptions") => segs.next(),
            _ => None,
        }
    }
}

/// An entry as the journal answers it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct View<'a> {
    seq: u64,
    request_id: &'a str,
    correlation_id: &'a str,
    time: String,
    wall_time: String,
    method: &'static str,
    path: &'a str,
    operation_id: &'static str,
    api_version: Option<&'a str>,
    principal: Option<&'a str>,
    subscription: Option<&'a str>,
    status: u16,
    error_code: Option<&'a str>,
    latency_ms: f64,
    request_bytes: usize,
    response_bytes: usize,
    #[serde(serialize_with = "flatten")]
    changes: &'a [Arc<[Change]>],
}

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let header = |v: &'_ Option<hyper::header::HeaderValue>| -> String {
            v.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
        };
        let (request_id, correlation_id) = (header(&self.request_id), header(&self.correlation_id));
        View {
            seq: self.seq,
            request_id: &request_id,
            correlation_id: &correlation_id,
            time: arm_time(self.time),
            wall_time: arm_time(self.wall_time),
            method: self.method,
            path: &self.path,
            operation_id: self.operation_id,
            api_version: self.api_version.as_deref(),
            principal: self.principal.as_deref(),
            subscription: self.subscription(),
            status: self.status,
            error_code: self.error_code.as_deref(),
            latency_ms: self.latency_ms,
            request_bytes: self.request_bytes,
            response_bytes: self.response_bytes,
            changes: &self.changes,
        }
        .serialize(s)
    }
}

fn flatten<S: Serializer>(batches: &&[Arc<[Change]>], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(batches.iter().map(|b| b.len()).sum()))?;
    for c in batches.iter().flat_map(|b| b.iter()) {
        seq.serialize_element(c)?;
    }
    seq.end()
}

thread_local! {
    /// The batches committed on this thread by the request being handled (`None` between
    /// requests and for requests the journal skips).
    static CURRENT: RefCell<Option<Vec<Arc<[Change]>>>> = const { RefCell::new(None) };
}

/// The store observer that attaches committed batches to the request being handled.
pub fn observer() -> Observer {
    Arc::new(|commit: &Commit| {
        CURRENT.with(|c| {
            if let Some(batches) = c.borrow_mut().as_mut() {
                batches.push(commit.changes.clone());
            }
        })
    })
}

/// A request being recorded: what is known before the stages run.
pub struct Recording {
    started: Instant,
    time: DateTime<Utc>,
    wall: DateTime<Utc>,
    request_bytes: usize,
    /// What `CURRENT` held before (a nested pipeline call restores it).
    outer: Option<Vec<Arc<[Change]>>>,
}

/// True for the paths the journal leaves out: its own, and the console's pages (what the
/// console's buttons call is recorded: those are test-control or ARM calls).
pub fn skipped(path: &str) -> bool {
    let p = path.trim_start_matches('/').as_bytes();
    [&b"_emulator/journal"[..], b"_emulator/ui"].iter().any(|prefix| {
        p.len() >= prefix.len()
            && p[..prefix.len()].eq_ignore_ascii_case(prefix)
            && (p.len() == prefix.len() || p[prefix.len()] == b'/')
    })
}

/// The subscription a request is about.
fn subscription_of(req: &ArmRequest<'_>) -> Option<String> {
    // ARM paths name it in the path the entry keeps: read there when the entry is read.
    if !req.segments().first().is_some_and(|s| s.eq_ignore_ascii_case("_emulator")) {
        return None;
    }
    let segs = req.segments();
    let named = |i: usize| segs.get(i).map(|s| s.to_string());
    match segs.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("subscriptions") => named(1),
        Some("_emulator") if segs.get(1).is_some_and(|s| s.eq_ignore_ascii_case("subscriptions")) => named(2),
        Some("_emulator") => req.query("subscription").map(str::to_string),
        _ => None,
    }
}

/// The bounded ring and the live stream.
pub struct Journal {
    capacity: usize,
    entries: Mutex<VecDeque<Arc<Entry>>>,
    seq: AtomicU64,
    live: tokio::sync::broadcast::Sender<Bytes>,
    closed: tokio::sync::watch::Sender<bool>,
}

impl Journal {
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            seq: AtomicU64::new(0),
            live: tokio::sync::broadcast::channel(STREAM_BUFFER).0,
            closed: tokio::sync::watch::channel(false).0,
        }
    }

    /// Starts recording a request (`None` for the journal's own paths).
    pub fn begin(&self, app: &App, path: &str, request_bytes: usize) -> Option<Recording> {
        if self.capacity == 0 || skipped(path) {
            return None;
        }
        let outer = CURRENT.with(|c| c.borrow_mut().replace(Vec::new()));
        Some(Recording { started: Instant::now(), time: app.ctx.now(), wall: Utc::now(), request_bytes, outer })
    }

    /// Records the answered request.
    pub fn finish(
        &self,
        rec: Recording,
        req: &ArmRequest<'_>,
        operation: &'static str,
        resp: &super::RawResponse,
        error_code: Option<&str>,
    ) {
        let changes = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), rec.outer)).unwrap_or_default();
        let header = |name: &str| resp.headers.get(name).cloned();
        let error_code = error_code.map(str::to_string).or_else(|| {
            (resp.status >= 400)
                .then(|| serde_json::from_slice::<serde_json::Value>(&resp.body).ok())
                .flatten()
                .and_then(|v| v.pointer("/error/code").or_else(|| v.get("error")).cloned())
                .and_then(|c| c.as_str().map(str::to_string))
        });
        let entry = Entry {
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
            request_id: header("x-ms-request-id"),
            correlation_id: header("x-ms-correlation-request-id"),
            time: rec.time,
            wall_time: rec.wall,
            method: req.method.as_str(),
            path: req.raw_path().to_string(),
            operation_id: operation,
            api_version: req.api_version().map(str::to_string),
            principal: req.caller().map(|p| p.display().to_string()),
            control_subscription: subscription_of(req),
            status: resp.status,
            error_code,
            latency_ms: rec.started.elapsed().as_secs_f64() * 1000.0,
            request_bytes: rec.request_bytes,
            response_bytes: resp.body.len(),
            changes,
            detail: (req.method.is_write() || resp.status >= 400).then(|| {
                Box::new(Detail {
                    query: req.raw_query().map(Box::from),
                    request_headers: header_lines(&req.headers),
                    request_body: kept(&req.body),
                    response_headers: header_lines(&resp.headers),
                    response_body: if resp.body.len() <= BODY_KEPT { resp.body.clone() } else { kept(&resp.body) },
                })
            }),
        };
        if self.live.receiver_count() > 0 {
            if let Ok(mut line) = serde_json::to_vec(&entry) {
                line.push(b'\n');
                let _ = self.live.send(line.into());
            }
        }
        if self.capacity == 0 {
            return;
        }
        let entry = Arc::new(entry);
        // The oldest entry is dropped after the lock is released.
        let _evicted = {
            let mut entries = self.entries.lock();
            let evicted = if entries.len() >= self.capacity { entries.pop_front() } else { None };
            entries.push_back(entry);
            evicted
        };
    }

    /// The entry numbered `seq`, while the ring still holds it.
    pub fn entry(&self, seq: u64) -> Option<Arc<Entry>> {
        // Concurrent requests may enter the ring slightly out of number order: search (from
        // the newest end, where a reader usually looks).
        self.entries.lock().iter().rev().find(|e| e.seq == seq).cloned()
    }

    /// The entries that pass `filter`, oldest first.
    pub fn entries(&self, filter: &Filter) -> Vec<Arc<Entry>> {
        self.entries.lock().iter().filter(|e| filter.matches(e)).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }

    /// A receiver of every entry recorded from now on (as a JSON line), and a signal that turns
    /// `true` when the server stops.
    pub fn subscribe(&self) -> (tokio::sync::broadcast::Receiver<Bytes>, tokio::sync::watch::Receiver<bool>) {
        (self.live.subscribe(), self.closed.subscribe())
    }

    /// Ends every stream (the server is stopping).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }
}

/// The query of `GET /_emulator/journal`.
#[derive(Debug, Default)]
pub struct Filter {
    operation: Option<String>,
    /// An exact status, or a class (`4xx`: `(4, None)`).
    status: Option<(u16, Option<u16>)>,
    subscription: Option<String>,
    principal: Option<String>,
    since: Option<DateTime<Utc>>,
    path_prefix: Option<String>,
}

impl Filter {
    pub fn from_request(req: &ArmRequest<'_>) -> ArmResult<Filter> {
        // An empty value filters nothing (what a form with an empty field sends).
        let given = |k: &str| req.query(k).filter(|v| !v.is_empty());
        let status = match given("status") {
            None => None,
            Some(s) => {
                let class = s.len() == 3 && s[1..].eq_ignore_ascii_case("xx");
                match (class, s[..1.min(s.len())].parse::<u16>(), s.parse::<u16>()) {
                    (true, Ok(c), _) => Some((c, None)),
                    (false, _, Ok(n)) => Some((n, Some(n))),
                    _ => {
                        return Err(ArmError::emulator_request(format!(
                            "'status' must be a status (404) or a class (4xx), not '{s}'"
                        )))
                    }
                }
            }
        };
        let since = match given("since") {
            None => None,
            Some(t) => Some(
                DateTime::parse_from_rfc3339(t)
                    .map_err(|_| ArmError::emulator_request(format!("'since' must be an RFC 3339 time, not '{t}'")))?
                    .with_timezone(&Utc),
            ),
        };
        let text = |k: &str| given(k).map(str::to_string);
        Ok(Filter {
            operation: text("operationId").or_else(|| text("operation")),
            status,
            subscription: text("subscription"),
            principal: text("principal"),
            since,
            path_prefix: text("pathPrefix"),
        })
    }

    fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_ref().is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(w)))
        };
        eq(&self.operation, Some(e.operation_id))
            && eq(&self.subscription, e.subscription())
            && eq(&self.principal, e.principal.as_deref())
            && self.status.is_none_or(|(lo, exact)| match exact {
                Some(n) => e.status == n,
                None => e.status / 100 == lo,
            })
            && self.since.is_none_or(|t| e.time >= t)
            && self.path_prefix.as_ref().is_none_or(|p| {
                e.path.len() >= p.len() && e.path.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            })
    }
}

/// `GET /_emulator/journal`: the entries that pass the query's filters, oldest first.
pub fn list(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let filter = Filter::from_request(req)?;
    let entries = app.journal().entries(&filter);
    let body = serde_json::to_vec(&json!({ "value": entries })).map_err(|e| ArmError::internal(e.to_string()))?;
    Ok(ArmResponse::raw_json(200, body.into()))
}

/// `GET /_emulator/journal/{seq}`: one entry with its request and answer.
pub fn get(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seq = req.param("seq")?;
    let entry = seq.parse::<u64>().ok().and_then(|n| app.journal().entry(n)).ok_or_else(|| {
        ArmError::emulator_not_found(format!(
            "The journal holds no entry '{seq}' (it keeps the latest {} requests).",
            app.config().journal_size
        ))
    })?;
    Ok(ArmResponse::ok(entry.full_view()))
}

/// `DELETE /_emulator/journal`.
pub fn clear(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    app.journal().clear();
    Ok(ArmResponse::empty(204))
}

/// The operation id of `GET /_emulator/journal/stream`: the server answers it with a streaming
/// body ([`crate::server`]).
pub const STREAM_OPERATION: &str = "Emulator_StreamJournal";

/// `GET /_emulator/journal/stream`: the pipeline's checks, then an empty 200 that the server
/// replaces with the live stream.
pub fn stream(_app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let mut resp = ArmResponse::empty(200);
    resp.content_type = Some("application/x-ndjson");
    resp.body = Some(Bytes::new());
    Ok(resp)
}

/// The live stream's body: every entry recorded after it was made, one JSON line each, with
/// a blank line as a keep-alive every `heartbeat` (shorter than the server's idle timeout); it
/// ends when the server stops or the reader goes away.
pub struct StreamBody {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
}

impl StreamBody {
    /// Subscribes now (so every request answered after this returns is in the stream) and
    /// spawns the task that forwards entries (needs a tokio runtime).
    pub fn new(journal: &Journal, heartbeat: std::time::Duration) -> StreamBody {
        let (mut live, mut closed) = journal.subscribe();
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
        tokio::spawn(async move {
            let mut beat = tokio::time::interval(heartbeat);
            beat.tick().await;
            loop {
                let line = tokio::select! {
                    r = live.recv() => match r {
                        Ok(line) => line,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!("a journal stream reader fell behind and missed {n} entries");
                            continue;
                        }
                        Err(_) => break,
                    },
                    _ = beat.tick() => Bytes::from_static(b"\n"),
                    _ = closed.wait_for(|c| *c) => break,
                    _ = tx.closed() => break,
                };
                if tx.send(line).await.is_err() {
                    break;
                }
            }
        });
        StreamBody { rx }
    }
}

impl hyper::body::Body for StreamBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        self.rx.poll_recv(cx).map(|line| line.map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

#[cfg(test)]
mod tests {
    use super::skipped;

    #[test]
    fn only_the_journals_own_paths_are_skipped() {
        assert!(skipped("/_emulator/journal"));
        assert!(skipped("/_Emulator/Journal/stream"));
        assert!(!skipped("/_emulator/health"));
        assert!(!skipped("/_emulator/jour"));
        assert!(!skipped("/subscriptions/x"));
    }
}
