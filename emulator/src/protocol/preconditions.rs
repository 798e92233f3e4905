//! Optimistic concurrency: `If-Match` / `If-None-Match` on writes (RPC "ETags for Resources").

use super::error::{ArmError, ArmResult};
use super::request::ArmRequest;

/// What the target of a write is, for its preconditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Current<'a> {
    /// The resource does not exist.
    Absent,
    /// It exists; its etag, if its type has one.
    Present(Option<&'a str>),
}

/// Checks `If-Match` / `If-None-Match` against the write's target: `If-Match` needs the
/// resource to exist (and `*` or its etag), `If-None-Match: *` needs it not to exist, and
/// `If-None-Match: <etag>` refuses that version. Answers `412 PreconditionFailed`.
pub fn check(req: &ArmRequest, current: Current<'_>) -> ArmResult<()> {
    let unquote = |s: &str| s.trim().trim_start_matches("W/").trim_matches('"').to_string();
    if let Some(m) = req.header("if-match") {
        let ok = match current {
            Current::Absent => false,
            Current::Present(tag) => m.split(',').any(|t| {
                let t = unquote(t);
                t == "*" || tag.is_some_and(|c| unquote(c) == t)
            }),
        };
        if !ok {
            return Err(ArmError::precondition_failed());
        }
    }
    if let (Some(m), Current::Present(tag)) = (req.header("if-none-match"), current) {
        if m.split(',').any(|t| unquote(t) == "*" || tag.is_some_and(|c| unquote(c) == unquote(t))) {
            return Err(ArmError::precondition_failed());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::request::Method;

    fn req(headers: &[(&'static str, &str)]) -> ArmRequest<'static> {
        let mut h = hyper::HeaderMap::new();
        for (k, v) in headers {
            h.append(*k, v.parse().unwrap());
        }
        ArmRequest::new(Method::Put, "/x", None, h, bytes::Bytes::new(), false)
    }

    #[test]
    fn if_match_needs_the_resource_and_star_or_its_etag() {
        let etag = Some("\"abc\"");
        for (value, current, ok) in [
            ("*", Current::Present(etag), true),
            ("*", Current::Present(None), true),
            ("*", Current::Absent, false),
            ("\"abc\"", Current::Present(etag), true),
            ("W/\"abc\"", Current::Present(etag), true),
            ("\"x\", \"abc\"", Current::Present(etag), true),
            ("\"other\"", Current::Present(etag), false),
            ("\"abc\"", Current::Present(None), false),
        ] {
            assert_eq!(check(&req(&[("if-match", value)]), current).is_ok(), ok, "If-Match {value} on {current:?}");
        }
    }

    #[test]
    fn if_none_match_refuses_star_on_an_existing_resource_or_its_etag() {
        let etag = Some("\"abc\"");
        for (value, current, ok) in [
            ("*", Current::Present(etag), false),
            ("*", Current::Present(None), false),
            ("*", Current::Absent, true),
            ("\"abc\"", Current::Present(etag), false),
            ("\"other\"", Current::Present(etag), true),
            ("\"other\"", Current::Present(None), true),
        ] {
            let r = check(&req(&[("if-none-match", value)]), current);
            assert_eq!(r.is_ok(), ok, "If-None-Match {value} on {current:?}");
            if let Err(e) = r {
                assert_eq!(e.status, 412);
            }
        }
        assert!(check(&req(&[]), Current::Absent).is_ok());
    }
}
