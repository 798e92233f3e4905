//! The parsed request a handler sees: method, decoded path segments, query, headers, body,
//! route captures and the caller's identity. Built once at the edge by the pipeline's intake.

use bytes::Bytes;
use serde_json::{Map, Value};

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

#[derive(Debug, Clone)]
pub struct ArmRequest {
    pub method: Method,
    /// The path as the client sent it (not decoded), without the query.
    pub raw_path: String,
    /// Decoded, non-empty path segments (so `//` and a trailing `/` are tolerated).
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    /// The request headers as the server read them (no copy).
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
    /// Route captures, in pattern order: (name, value as the client cased it).
    pub params: Vec<(&'static str, String)>,
    /// `scheme://host[:port]` the client called; used for absolute `nextLink`/`Location` URLs.
    pub base_url: String,
    pub principal: Option<Principal>,
}

impl ArmRequest {
    /// A header's value (names are case-insensitive; a `hyper::header` constant is cheapest);
    /// `None` when absent or not visible ASCII.
    pub fn header<K: hyper::header::AsHeaderName>(&self, name: K) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter, matched case-insensitively (`$filter`, `$Filter` …).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
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
            .map(|(_, v)| v.as_str())
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
        format!("{}{}", self.base_url, path_and_query)
    }
}
