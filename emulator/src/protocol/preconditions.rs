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
