//! The one error type of the client. It separates the three ways a call can fail, as the
//! crates-io client does: the request never got an answer ([`Error::Transport`]), ARM answered
//! with its error envelope ([`Error::Arm`]), or something answered that the client did not
//! understand ([`Error::Unexpected`]).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of ARM's `error.details` (the same shape as the error itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<Value>,
}

/// ARM's error envelope, `{"error": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorResponse {
    pub error: Option<ErrorDetail>,
}

#[derive(Debug)]
pub enum Error {
    /// No HTTP answer: DNS, connect, TLS, timeout, a broken connection, a bad URL.
    Transport { message: String, url: String },
    /// ARM (or the token endpoint) answered with a structured error.
    Arm {
        status: u16,
        code: String,
        message: String,
        target: Option<String>,
        details: Vec<ErrorDetail>,
        request_id: Option<String>,
    },
    /// An answer the client did not understand: an unexpected status without the ARM envelope,
    /// or a body that does not parse as the documented shape.
    Unexpected { status: u16, body: String, reason: String, request_id: Option<String> },
    /// The call was not made: an argument or the client's set-up is wrong (no subscription, an
    /// id that does not parse, a file that cannot be read).
    Invalid { message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid { message: message.into() }
    }

    pub fn transport(url: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Transport { message: message.into(), url: url.into() }
    }

    /// The ARM error code, when ARM gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Arm { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Arm { status, .. } | Error::Unexpected { status, .. } => Some(*status),
            Error::Transport { .. } | Error::Invalid { .. } => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Builds an error from a non-success answer: ARM's envelope when the body has one, the
    /// token endpoint's `{error, error_description}` otherwise, else [`Error::Unexpected`].
    pub fn from_response(status: u16, body: &[u8], request_id: Option<String>) -> Error {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            match map.get("error") {
                Some(Value::Object(_)) => {
                    if let Ok(ErrorResponse { error: Some(d) }) = serde_json::from_slice::<ErrorResponse>(body) {
                        return Error::Arm {
                            status,
                            code: d.code,
                            message: d.message,
                            target: d.target,
                            details: d.details,
                            request_id,
                        };
                    }
                }
                Some(Value::String(code)) => {
                    let message = map.get("error_description").and_then(Value::as_str).unwrap_or_default();
                    return Error::Arm {
                        status,
                        code: code.clone(),
                        message: message.to_string(),
                        target: None,
                        details: Vec::new(),
                        request_id,
                    };
                }
                _ => {}
            }
            // Some services put code/message at the top level.
            if let (Some(Value::String(code)), Some(Value::String(message))) = (map.get("code"), map.get("message")) {
                return Error::Arm {
                    status,
                    code: code.clone(),
                    message: message.clone(),
                    target: None,
                    details: Vec::new(),
                    request_id,
                };
            }
        }
        Error::Unexpected {
            status,
            body: String::from_utf8_lossy(body).into_owned(),
            reason: format!("the server answered {status} without an ARM error body"),
            request_id,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport { message, url } => write!(f, "cannot reach {url}: {message}"),
            Error::Arm { code, message, .. } => write!(f, "({code}) {message}"),
            Error::Invalid { message } => write!(f, "{message}"),
            Error::Unexpected { status, reason, body, .. } => {
                let snippet: String = body.chars().take(300).collect();
                if snippet.is_empty() {
                    write!(f, "unexpected response (HTTP {status}): {reason}")
                } else {
                    write!(f, "unexpected response (HTTP {status}): {reason}: {snippet}")
                }
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_envelope_is_parsed() {
        let body = br#"{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'x' could not be found.","details":[{"code":"A","message":"b","target":"t"}]}}"#;
        match Error::from_response(404, body, Some("r1".into())) {
            Error::Arm { status, code, message, details, request_id, .. } => {
                assert_eq!((status, code.as_str()), (404, "ResourceGroupNotFound"));
                assert_eq!(message, "Resource group 'x' could not be found.");
                assert_eq!(details[0].target.as_deref(), Some("t"));
                assert_eq!(request_id.as_deref(), Some("r1"));
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn oauth_error_is_an_arm_error() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret."}"#;
        assert_eq!(Error::from_response(401, body, None).code(), Some("invalid_client"));
    }

    #[test]
    fn other_bodies_are_unexpected() {
        assert!(matches!(
            Error::from_response(502, b"<html>bad gateway</html>", None),
            Error::Unexpected { status: 502, .. }
        ));
        assert!(matches!(Error::from_response(404, b"", None), Error::Unexpected { .. }));
    }
}
