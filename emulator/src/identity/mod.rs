//! Tokens: the signing key the Entra look-alike issues RS256 JWTs with, and reading who is
//! calling from an ARM request's `Authorization` header.
//!
//! Sits above `protocol` (its errors are ARM's 401s) and below the providers (the token
//! endpoints in `providers::entra` issue through it) and the pipeline (whose authenticate
//! stage reads the caller through it).

pub mod jwt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

pub use jwt::Identity;

use crate::model::Principal;
use crate::protocol::{ArmError, ArmResult};

/// Reads the `Authorization` header of an ARM request: missing → 401 `AuthenticationFailed`;
/// not `Bearer <token>` → 401 `InvalidAuthenticationToken`. Any bearer token is accepted (loose
/// mode); a JWT's claims name the principal.
pub fn principal_from_header(header: Option<&str>) -> ArmResult<Principal> {
    let h = header.ok_or_else(ArmError::authentication_missing)?;
    let (scheme, token) = h.trim().split_once(' ').ok_or_else(ArmError::invalid_authentication_token)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ArmError::invalid_authentication_token());
    }
    // Only a JWT (three dot-separated parts) has claims to read.
    let claims = token
        .contains('.')
        .then(|| token.split('.').nth(1))
        .flatten()
        .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let claim = |k: &str| claims.as_ref().and_then(|c| c.get(k)).and_then(|v| v.as_str()).map(String::from);
    Ok(Principal {
        object_id: claim("oid").unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into()),
        app_id: claim("appid").or_else(|| claim("azp")),
        tenant_id: claim("tid"),
    })
}
