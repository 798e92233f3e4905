//! The last stage: ARM's common response headers on every answer (request ids, rate-limit
//! counters, cache headers, `Date`), and the answer as plain data for the server to write.

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

use crate::protocol::{ArmError, ArmResponse, Method};

use super::{App, Exchange};

/// A finished response as plain data (what the server sends; what in-process tests read).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub operation: &'static str,
    /// What the server does besides answering (a fault rule's delay or dropped connection).
    pub disruption: Option<super::faults::Disruption>,
}

impl RawResponse {
    /// Replaces an answer with an error after the pipeline ran (its state could not be made
    /// durable), keeping the request's ids and common headers.
    pub fn replace_with_error(&mut self, e: ArmError) {
        let r = e.into_response();
        self.status = r.status;
        self.body = r.body.unwrap_or_default();
        for h in ["location", "azure-asyncoperation", "retry-after", "content-type"] {
            self.headers.remove(h);
        }
        self.headers.insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
}

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
const JSON: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");
/// `now.format("%Y%m%dT%H%M%SZ")` (the routing-request-id timestamp) without parsing a
/// strftime pattern on every request.
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

thread_local! {
    /// The `Date` header and the routing-id timestamp of the last second rendered on this
    /// thread: both change once a second, and every response carries them.
    static DATES: std::cell::RefCell<(i64, Option<(HeaderValue, Bytes)>)> = const { std::cell::RefCell::new((i64::MIN, None)) };
}

/// The `Date` header value and `LOCAL:<compact timestamp>:` (the routing-id prefix) for `now`,
/// cached per second; both are shared buffers, so a response copies neither.
fn dates(now: chrono::DateTime<chrono::Utc>) -> (HeaderValue, Bytes) {
    let second = now.timestamp();
    DATES.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != second || c.1.is_none() {
            let date = HeaderValue::from_str(&httpdate::fmt_http_date(now.into()))
                .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
            *c = (second, Some((date, Bytes::from(format!("LOCAL:{}:", compact_timestamp(now))))));
        }
        c.1.clone().unwrap_or_else(|| (HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"), Bytes::new()))
    })
}

/// The routing request id (`LOCAL:<timestamp>:<guid>`) and the request id (its `<guid>` tail),
/// in one buffer.
fn request_ids(prefix: &[u8], id: uuid::Uuid) -> (HeaderValue, HeaderValue) {
    let mut buf = bytes::BytesMut::with_capacity(prefix.len() + uuid::fmt::Hyphenated::LENGTH);
    buf.extend_from_slice(prefix);
    let mut guid = [0u8; uuid::fmt::Hyphenated::LENGTH];
    buf.extend_from_slice(id.hyphenated().encode_lower(&mut guid).as_bytes());
    let routing = buf.freeze();
    let request = routing.slice(prefix.len()..);
    // A prefix made from a timestamp and a lower-case GUID are visible ASCII.
    match (HeaderValue::from_maybe_shared(routing), HeaderValue::from_maybe_shared(request)) {
        (Ok(r), Ok(q)) => (r, q),
        _ => (HeaderValue::from_static("LOCAL"), HeaderValue::from_static("00000000-0000-0000-0000-000000000000")),
    }
}

/// Adds ARM's common headers. Hot path (every response): fixed names and values are
/// `from_static` (no parsing); only values that vary are validated, and a value that is not
/// a valid header (an echoed id with control characters) is left out.
pub fn finish(app: &App, resp: ArmResponse, ex: &Exchange<'_>) -> RawResponse {
    let now = app.ctx.now();
    let (date, prefix) = dates(now);
    let (routing, request_id) = request_ids(&prefix, app.ctx.ids().uuid());
    let method = ex.request.method;
    // An echoed id is the client's value as read (no copy), if it is short visible ASCII.
    let echoed =
        |name: HeaderName| ex.request.headers.get(name).filter(|v| v.len() <= 200 && v.to_str().is_ok()).cloned();
    let mut out = HeaderMap::with_capacity(24);
    fn put(out: &mut HeaderMap, name: HeaderName, v: &str) {
        if let Ok(val) = HeaderValue::from_str(v) {
            out.append(name, val);
        }
    }
    out.append(REQUEST_ID, request_id.clone());
    out.append(CORRELATION_ID, echoed(CORRELATION_ID).unwrap_or(request_id));
    out.append(ROUTING_ID, routing);
    for (k, v) in STATIC_HEADERS {
        out.append(k, v);
    }
    out.append(hyper::header::DATE, date);
    if let Some(c) = echoed(CLIENT_REQUEST_ID) {
        out.append(CLIENT_REQUEST_ID, c);
    }
    let (k, v) = match method {
        Method::Get | Method::Head => READS,
        Method::Delete => DELETES,
        _ => WRITES,
    };
    // An injected 429 carries its own (exhausted) counter.
    if !resp.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k.as_str())) {
        out.append(k, v);
    }
    for (k, v) in &resp.headers {
        if let (Ok(name), Ok(val)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            out.append(name, val);
        }
    }
    let body = match resp.body {
        Some(body) if method != Method::Head => {
            match resp.content_type {
                None => {
                    out.append(hyper::header::CONTENT_TYPE, JSON);
                }
                Some(ct) => put(&mut out, hyper::header::CONTENT_TYPE, ct),
            }
            body
        }
        _ => Bytes::new(),
    };
    RawResponse { status: resp.status, headers: out, body, operation: ex.operation, disruption: ex.disruption }
}

#[cfg(test)]
mod tests {
    use super::compact_timestamp;
    use chrono::{TimeZone, Utc};

    #[test]
    fn compact_timestamps_and_http_dates_match_their_formats() {
        for t in [
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2030, 1, 6, 9, 5, 7).unwrap(),
        ] {
            assert_eq!(compact_timestamp(t), t.format("%Y%m%dT%H%M%SZ").to_string());
            assert_eq!(httpdate::fmt_http_date(t.into()), t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        }
    }
}
