//! Collections: `{"value":[…],"nextLink":…}` with absolute `nextLink` URLs and opaque
//! continuation tokens. `nextLink` is omitted on the last page, never `""`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use serde_json::Value;

use super::error::{ArmError, ArmResult};
use super::request::ArmRequest;

/// The continuation parameter ARM uses for most collections.
pub const SKIP_TOKEN: &str = "$skipToken";

/// The most items a page holds, whatever `$top` asks for.
pub const MAX_PAGE: usize = 1000;

/// The page size: `$top` when given (1..=[`MAX_PAGE`]), else `default`.
pub fn page_size(req: &ArmRequest, default: usize) -> ArmResult<usize> {
    match req.query("$top") {
        None => Ok(default.max(1)),
        Some(t) => match t.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(MAX_PAGE)),
            _ => Err(ArmError::invalid_top(t)),
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
            .ok_or_else(|| ArmError::invalid_continuation_token(tok)),
    }
}

/// Builds one page from items sorted by key: items after the token, at most the page size,
/// with a `nextLink` that repeats the caller's URL and query with a new token.
pub fn page(req: &ArmRequest, items: Vec<(String, Value)>, param: &str, default_size: usize) -> ArmResult<Bytes> {
    let size = page_size(req, default_size)?;
    let after = start_after(req, param)?;
    let items = items.into_iter().filter(|(k, _)| after.as_ref().is_none_or(|a| k > a));
    Ok(page_from(req, items, param, size, |v, out| write_json(out, &v)))
}

/// The caller's URL with `param` replaced by `token`.
pub fn next_link(req: &ArmRequest, param: &str, token: &str) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in req.query_pairs() {
        if !k.eq_ignore_ascii_case(param) {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair(param, token);
    req.absolute(&format!("{}?{}", req.raw_path(), ser.finish()))
}

/// Builds one page from a lazy, key-ordered iterator that already starts after the
/// continuation token: `render` writes an item's JSON, only for the items on the page (the
/// look-ahead item that decides whether there is a `nextLink` is not rendered), so paging
/// through a very large collection costs the page, not the collection. The text is what
/// serde_json writes for `{"value":[…],"nextLink":"…"}`.
pub fn page_from<K: AsRef<str>, T>(
    req: &ArmRequest,
    mut items: impl Iterator<Item = (K, T)>,
    param: &str,
    size: usize,
    render: impl FnMut(T, &mut Vec<u8>),
) -> Bytes {
    let mut last = None;
    let mut out = values(
        items.by_ref().take(size).map(|(k, v)| {
            last = Some(k);
            v
        }),
        render,
    );
    if items.next().is_some() {
        if let Some(k) = last {
            out.extend_from_slice(br#","nextLink":"#);
            write_json(&mut out, &next_link(req, param, &URL_SAFE_NO_PAD.encode(k.as_ref().as_bytes())));
        }
    }
    out.push(b'}');
    Bytes::from(out)
}

/// A collection that is never paged: `{"value":[…]}` with every item, written by `render`.
pub fn collection<T>(items: impl Iterator<Item = T>, render: impl FnMut(T, &mut Vec<u8>)) -> Bytes {
    let mut out = values(items, render);
    out.push(b'}');
    Bytes::from(out)
}

/// `{"value":[…]` (the object left open for a `nextLink`).
fn values<T>(items: impl Iterator<Item = T>, mut render: impl FnMut(T, &mut Vec<u8>)) -> Vec<u8> {
    let mut out = br#"{"value":["#.to_vec();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        render(item, &mut out);
    }
    out.push(b']');
    out
}

/// Appends the compact JSON of `v` (writing into a `Vec` cannot fail).
fn write_json(out: &mut Vec<u8>, v: &impl serde::Serialize) {
    let _ = serde_json::to_writer(out, v);
}
