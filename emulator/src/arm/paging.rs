//! Collections: `{"value":[…],"nextLink":…}` with absolute `nextLink` URLs and opaque
//! continuation tokens. `nextLink` is omitted on the last page, never `""`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::error::{ArmError, ArmResult};
use super::request::ArmRequest;

/// The continuation parameter ARM uses for most collections.
pub const SKIP_TOKEN: &str = "$skipToken";

/// The page size: `$top` when given (1..=1000), else `default`.
pub fn page_size(req: &ArmRequest, default: usize) -> ArmResult<usize> {
    match req.query("$top") {
        None => Ok(default.max(1)),
        Some(t) => match t.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(1000)),
            _ => Err(ArmError::bad_request(
                "InvalidTopValue",
                format!("The value '{t}' of the query parameter '$top' is invalid. It must be a positive integer."),
            )),
        },
    }
}

/// The sort key after which the page starts, decoded from the continuation token.
pub fn start_after(req: &ArmRequest, param: &str) -> ArmResult<Option<String>> {
    match req.query(param) {
        None => Ok(None),
        Some(tok) => URL_SAFE_NO_PAD
            .decode(tok.trim_end_matches('='))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Some)
            .ok_or_else(|| {
                ArmError::bad_request("InvalidContinuationToken", format!("The continuation token '{tok}' is invalid."))
            }),
    }
}

/// Builds one page from items sorted by key: items after the token, at most the page size,
/// with a `nextLink` that repeats the caller's URL and query with a new token.
pub fn page(req: &ArmRequest, items: Vec<(String, Value)>, param: &str, default_size: usize) -> ArmResult<Value> {
    let size = page_size(req, default_size)?;
    let after = start_after(req, param)?;
    let mut it = items.into_iter().filter(|(k, _)| after.as_ref().is_none_or(|a| k > a)).peekable();
    let mut value = Vec::new();
    let mut last = None;
    while value.len() < size {
        match it.next() {
            Some((k, v)) => {
                last = Some(k);
                value.push(v);
            }
            None => break,
        }
    }
    let mut out = json!({ "value": value });
    if it.peek().is_some() {
        if let Some(k) = last {
            out["nextLink"] = Value::String(next_link(req, param, &URL_SAFE_NO_PAD.encode(k.as_bytes())));
        }
    }
    Ok(out)
}

/// The caller's URL with `param` replaced by `token`.
pub fn next_link(req: &ArmRequest, param: &str, token: &str) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &req.query {
        if !k.eq_ignore_ascii_case(param) {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair(param, token);
    req.absolute(&format!("{}?{}", req.raw_path, ser.finish()))
}

/// Builds one page from a lazy, key-ordered iterator that already starts after the
/// continuation token: renders only the page (plus one look-ahead), so paging through a very
/// large collection costs the page, not the collection.
pub fn page_from(
    req: &ArmRequest,
    mut items: impl Iterator<Item = (String, Value)>,
    param: &str,
    size: usize,
) -> Value {
    let mut value = Vec::new();
    let mut last = None;
    while value.len() < size {
        match items.next() {
            Some((k, v)) => {
                last = Some(k);
                value.push(v);
            }
            None => break,
        }
    }
    let mut out = json!({ "value": value });
    if items.next().is_some() {
        if let Some(k) = last {
            out["nextLink"] = Value::String(next_link(req, param, &URL_SAFE_NO_PAD.encode(k.as_bytes())));
        }
    }
    out
}
