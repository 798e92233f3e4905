//! Tokens: the signing key the Entra look-alike issues RS256 JWTs with, and reading who is
//! calling from an ARM request's `Authorization` header.
//!
//! Sits above `protocol` (its errors are ARM's 401s) and below the providers (the token
//! endpoints in `providers::entra` issue through it) and the pipeline (whose authenticate
//! stage reads the caller through it).

pub mod jwt;
pub mod signin;

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
    let upn = claim("upn").or_else(|| claim("unique_name"));
    Ok(Principal {
        object_id: claim("oid").unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into()),
        app_id: if upn.is_some() { None } else { claim("appid").or_else(|| claim("azp")) },
        tenant_id: claim("tid"),
        upn,
    })
}

/// What a strict-mode token must satisfy besides the emulator's signature.
pub struct Expected<'a> {
    /// The emulator clock's now.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The audiences ARM accepts (its two hosts, with and without the trailing slash) and the
    /// emulator's own endpoints (what clients ask for with `{endpoint}/.default`).
    pub audiences: &'a [String],
    /// The tenant of the subscription the request names, when it names one that exists.
    pub tenant: Option<&'a str>,
    /// The sign-in base URL (this emulator) that `authorization_uri` and the messages name.
    pub login: &'a str,
    /// The tenant `authorization_uri` names when the request names no subscription.
    pub default_tenant: &'a str,
}

/// Strict mode: the token must be a JWT this emulator signed, unexpired by the emulator clock,
/// for an ARM audience, and from the subscription's tenant; each failure is ARM's 401 with its
/// `WWW-Authenticate` challenge. An expired token's challenge also carries a claims challenge
/// (`insufficient_claims`, as ARM's continuous access evaluation sends), so azure-core's
/// challenge policy fetches a fresh token and retries by itself: a client's token cache runs
/// on the real clock and cannot know the emulator's clock has moved.
pub fn authenticate_strict(identity: &Identity, header: Option<&str>, want: &Expected) -> ArmResult<Principal> {
    let uri = format!("{}/{}", want.login.trim_end_matches('/'), want.tenant.unwrap_or(want.default_tenant));
    let h = header.ok_or_else(|| ArmError::authentication_missing_at(&uri))?;
    let invalid = || ArmError::invalid_authentication_token_at(&uri);
    let (scheme, token) = h.trim().split_once(' ').ok_or_else(invalid)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(invalid());
    }
    let claims = identity.verify(token).map_err(|_| invalid())?;
    let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(String::from);
    let exp = claims.get("exp").and_then(|v| v.as_i64()).ok_or_else(invalid)?;
    let now = want.now.timestamp();
    if exp <= now {
        let when = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0).unwrap_or_default().format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
        };
        let challenge = serde_json::json!({"access_token": {"nbf": {"essential": true, "value": now.to_string()}}});
        let claims_b64 = base64::engine::general_purpose::URL_SAFE.encode(challenge.to_string());
        return Err(ArmError::expired_authentication_token(&when(exp), &when(now), &uri, &claims_b64));
    }
    let aud = text("aud").unwrap_or_default();
    if !want.audiences.iter().any(|a| a == &aud) {
        return Err(ArmError::invalid_authentication_token_audience(&aud, want.audiences, &uri));
    }
    let tid = text("tid").unwrap_or_default();
    if let Some(t) = want.tenant {
        if !t.eq_ignore_ascii_case(&tid) {
            return Err(ArmError::invalid_authentication_token_tenant(&tid, t, want.login.trim_end_matches('/')));
        }
    }
    let oid = text("oid").ok_or_else(invalid)?;
    let upn = text("upn").or_else(|| text("unique_name"));
    let app_id = if upn.is_some() { None } else { text("appid").or_else(|| text("azp")) };
    Ok(Principal { object_id: oid.to_lowercase(), app_id, tenant_id: Some(tid), upn })
}
