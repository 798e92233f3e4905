//! The parsed request a handler sees: method, decoded path segments, query, headers, body,
//! route captures and the caller's identity. Built once at the edge by the pipeline's intake.

use std::borrow::Cow;

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use super::error::{ArmError, ArmResult};
use crate::model::Principal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Put,
    Patch,
    Post,
    Delete,
    Options,
    Other,
}

impl Method {
    pub fn parse(m: &str) -> Method {
        match m {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "POST" => Method::Post,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Other => "OTHER",
        }
    }

    pub fn is_write(self) -> bool {
        matches!(self, Method::Put | Method::Patch | Method::Post | Method::Delete)
    }
}

/// Decoded path segments; a request path rarely has more than 12.
pub type Segments<'a> = SmallVec<[Cow<'a, str>; 12]>;
/// Decoded query pairs, in the order sent.
pub type Query<'a> = SmallVec<[(Cow<'a, str>, Cow<'a, str>); 4]>;
/// Route captures, in pattern order: (name, value as the client cased it).
pub type Params<'a> = SmallVec<[(&'static str, Cow<'a, str>); 6]>;

/// A request as handlers see it. It borrows the path and query from the server's request line
/// (decoding only what is percent-encoded), so reading a request allocates nothing on the
/// common path.
#[derive(Debug, Clone)]
pub struct ArmRequest<'a> {
    pub method: Method,
    /// The path as the client sent it (not decoded), without the query.
    raw_path: &'a str,
    raw_query: Option<&'a str>,
    /// Decoded, non-empty path segments (so `//` and a trailing `/` are tolerated).
    segments: Segments<'a>,
    query: Query<'a>,
    /// The request headers as the server read them (no copy).
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
    params: Params<'a>,
    secure: bool,
    /// `host[:port]` for absolute URLs when the request has no `Host` header.
    fallback_host: Option<String>,
    pub principal: Option<Principal>,
    /// Set by a fault rule (`failOperation`): the request runs, and its long-running operation
    /// ends `Failed` with this error ([`crate::providers::lro::plan`]).
    pub forced_failure: Option<crate::store::ErrorBody>,
}

impl<'a> ArmRequest<'a> {
    /// A request whose path and query are not decoded yet ([`ArmRequest::decode_target`]).
    pub fn new(
        method: Method,
        raw_path: &'a str,
        raw_query: Option<&'a str>,
        headers: hyper::HeaderMap,
        body: Bytes,
        secure: bool,
    ) -> ArmRequest<'a> {
        ArmRequest {
            method,
            raw_path,
            raw_query,
            segments: Segments::new(),
            query: Query::new(),
            headers,
            body,
            params: Params::new(),
            secure,
            fallback_host: None,
            principal: None,
            forced_failure: None,
        }
    }

    /// Decodes the path segments and the query; a segment that is not UTF-8 once decoded is
    /// `400 InvalidRequestUri`.
    pub fn decode_target(&mut self) -> ArmResult<()> {
        let path = self.raw_path;
        // Most paths have nothing encoded: one scan decides, then segments borrow the path.
        let encoded = memchr::memchr(b'%', path.as_bytes()).is_some();
        self.segments.clear();
        let mut start = 0;
        let ends = memchr::memchr_iter(b'/', path.as_bytes()).chain(std::iter::once(path.len()));
        for end in ends {
            // `/` is ASCII, so both ends are character boundaries.
            let s = &path[start..end];
            start = end + 1;
            if s.is_empty() {
                continue;
            }
            self.segments.push(if encoded && s.contains('%') {
                Cow::Owned(
                    percent_decode_str(s).decode_utf8().map_err(|_| ArmError::invalid_request_uri(s))?.into_owned(),
                )
            } else {
                Cow::Borrowed(s)
            });
        }
        self.query.clear();
        if let Some(q) = self.raw_query {
            if memchr::memchr2(b'%', b'+', q.as_bytes()).is_some() {
                self.query.extend(form_urlencoded::parse(q.as_bytes()));
            } else {
                // What `form_urlencoded::parse` gives for a query with nothing to decode.
                for pair in q.split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    self.query.push((Cow::Borrowed(k), Cow::Borrowed(v)));
                }
            }
        }
        Ok(())
    }

    /// The path as the client sent it (not decoded), without the query.
    pub fn raw_path(&self) -> &'a str {
        self.raw_path
    }

    /// The query as the client sent it (not decoded), without the `?`.
    pub fn raw_query(&self) -> Option<&'a str> {
        self.raw_query
    }

    /// Decoded, non-empty path segments.
    pub fn segments(&self) -> &[Cow<'a, str>] {
        &self.segments
    }

    /// The query pairs, decoded, in the order sent.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// Sets the route captures (the route stage).
    pub fn set_params(&mut self, params: Params<'a>) {
        self.params = params;
    }

    /// The route captures, in pattern order.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.params.iter().map(|(k, v)| (*k, v.as_ref()))
    }

    /// Sets the `host[:port]` absolute URLs use when the request has no `Host` header.
    pub fn set_fallback_host(&mut self, host: String) {
        self.fallback_host = Some(host);
    }

    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// `scheme://host[:port]` the client called; used for absolute `nextLink`/`Location` URLs.
    pub fn base_url(&self) -> String {
        let host = self
            .header(hyper::header::HOST)
            .filter(|h| !h.is_empty())
            .or(self.fallback_host.as_deref())
            .unwrap_or("127.0.0.1");
        let scheme = if self.secure { "https://" } else { "http://" };
        let mut base = String::with_capacity(scheme.len() + host.len());
        base.push_str(scheme);
        base.push_str(host);
        base
    }

    /// A header's value (names are case-insensitive; a `hyper::header` constant is cheapest);
    /// `None` when absent or not visible ASCII.
    pub fn header<K: hyper::header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter, matched case-insensitively (`$filter`, `$Filter` …).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    }

    pub fn api_version(&self) -> Option<&str> {
        self.query("api-version")
    }

    /// A route capture by name. Routes only bind names they declare, so a miss is a
    /// programming error reported as a 500 rather than a panic.
    pub fn param(&self, name: &str) -> ArmResult<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_ref())
            .ok_or_else(|| ArmError::internal(format!("route parameter '{name}' missing")))
    }

    /// The body as a JSON object. An empty body is an empty object; anything that is not a
    /// JSON object is `400 InvalidRequestContent`.
    pub fn json_object(&self) -> ArmResult<Map<String, Value>> {
        if self.body_is_empty() {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(other) => Err(ArmError::invalid_request_content(format!(
                "Expected a JSON object but found {}",
                super::body::json_kind(&other)
            ))),
            Err(e) => Err(ArmError::invalid_request_content(e)),
        }
    }

    /// True when the request has no body (or only whitespace).
    pub fn body_is_empty(&self) -> bool {
        self.body.iter().all(|b| b.is_ascii_whitespace())
    }

    /// The caller, once the authenticate stage has read the token.
    pub fn caller(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// The path and query the client called, as an absolute URL on the same host.
    pub fn absolute(&self, path_and_query: &str) -> String {
        let mut url = self.base_url();
        url.push_str(path_and_query);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Decoded = (Vec<String>, Vec<(String, String)>);

    fn decoded(path: &str, query: Option<&str>) -> ArmResult<Decoded> {
        let mut r = ArmRequest::new(Method::Get, path, query, hyper::HeaderMap::new(), Bytes::new(), false);
        r.decode_target()?;
        Ok((
            r.segments().iter().map(|s| s.to_string()).collect(),
            r.query_pairs().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ))
    }

    #[test]
    fn queries_decode_as_form_urlencoded_does() {
        for q in [
            "",
            "api-version=2024-04-01",
            "a",
            "a=",
            "=b",
            "a=b=c",
            "&&a=1&",
            "a=1&a=2&A=3",
            "$filter=tagName eq 'x'",
            "x=%20y",
            "a+b=c+d",
            "k=%E2%82%AC&z=%zz",
            "$skipToken=abc%3D%3D",
        ] {
            let want: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
            assert_eq!(decoded("/x", Some(q)).unwrap().1, want, "query {q:?}");
        }
        assert!(decoded("/x", None).unwrap().1.is_empty());
    }

    #[test]
    fn segments_are_decoded_and_empty_ones_dropped() {
        let (segs, _) = decoded("//subscriptions/a%20b//resourceGroups/rg%2Fx/", None).unwrap();
        assert_eq!(segs, ["subscriptions", "a b", "resourceGroups", "rg/x"]);
        let (segs, _) = decoded("/a/b%", None).unwrap();
        assert_eq!(segs, ["a", "b%"], "a lone % is kept as sent");
        let e = decoded("/a/%FF", None).unwrap_err();
        assert_eq!(e.status, 400);
    }
}
