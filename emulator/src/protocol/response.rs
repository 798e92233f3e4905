//! What a handler returns: a status, extra headers and an optional JSON body.
//!
//! The common ARM headers (request ids, rate-limit counters, cache headers, `Date`) are added
//! by the server for every response; handlers only add what is specific to them.

use bytes::Bytes;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct ArmResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// `None` means an empty body (and no `Content-Type`).
    pub body: Option<Bytes>,
    /// The body's content type when it is not JSON (e.g. a PEM or form document).
    pub content_type: Option<&'static str>,
}

impl ArmResponse {
    pub fn json(status: u16, body: Value) -> Self {
        // Serialising a `Value` cannot fail.
        Self::raw_json(status, Bytes::from(serde_json::to_vec(&body).unwrap_or_default()))
    }

    /// A JSON body that is already text (a stored resource body, a list page), sent as it is.
    pub fn raw_json(status: u16, body: Bytes) -> Self {
        ArmResponse { status, headers: Vec::new(), body: Some(body), content_type: None }
    }

    pub fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    pub fn created(body: Value) -> Self {
        Self::json(201, body)
    }

    pub fn empty(status: u16) -> Self {
        ArmResponse { status, headers: Vec::new(), body: None, content_type: None }
    }

    pub fn text(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        ArmResponse { status, headers: Vec::new(), body: Some(body.into()), content_type: Some(content_type) }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed back as JSON (for tests).
    pub fn body_json(&self) -> Option<Value> {
        self.body.as_ref().and_then(|b| serde_json::from_slice(b).ok())
    }
}
