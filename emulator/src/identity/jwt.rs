//! RS256 JWTs issued and validated with the `jsonwebtoken` crate, with a key kept in the data
//! directory (`rsa` only generates and stores the key).

use std::path::Path;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::IdGen;
use crate::protocol::{ArmError, ArmResult};

/// Token lifetime, as Entra ID's default.
pub const LIFETIME_SECS: i64 = 3599;

/// How long a refresh token is redeemable (Entra ID's 90-day sliding window).
pub const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;

/// The audience of refresh tokens: no API accepts it as an access token.
const REFRESH_AUDIENCE: &str = "urn:armemu:refresh-token";

/// The audience of authorization codes, and how long one is redeemable (Entra ID's ten minutes).
const CODE_AUDIENCE: &str = "urn:armemu:authorization-code";
const CODE_LIFETIME_SECS: i64 = 600;

/// The user a delegated token is issued to.
pub struct UserSubject {
    pub oid: String,
    pub upn: String,
    pub name: String,
    /// The user's home tenant (the token's `tid`).
    pub tenant: String,
}

pub struct Issued {
    pub token: String,
    pub expires_on: i64,
}

pub struct Identity {
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: Vec<u8>,
    e: Vec<u8>,
    kid: String,
    /// Tokens whose signature verified, with their claims: a client sends the same token for
    /// an hour, and the RSA verification was half of a strict-mode GET's CPU time. Expiry,
    /// audience and tenant are still checked on every request. Bounded: emptied when full.
    verified: parking_lot::Mutex<std::collections::HashMap<Box<str>, Arc<Value>>>,
    /// Device codes waiting for approval (sign-in sessions, not ARM state).
    pub device_codes: super::signin::DeviceCodes,
}

/// How many verified tokens [`Identity`] remembers.
const VERIFIED_CACHE: usize = 1024;

/// Why a token was not accepted: it is not a JWT this emulator signed (malformed, another
/// key, another algorithm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOurs(pub String);

impl Identity {
    pub fn from_key(key: RsaPrivateKey) -> Identity {
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&n)[..15]);
        // PKCS#1 DER of a key `rsa` just made or read cannot fail to encode; an empty key would
        // make every signing attempt fail with a clear error instead of a panic.
        let der = key.to_pkcs1_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default();
        let encoding = EncodingKey::from_rsa_der(&der);
        let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
        Identity { encoding, decoding, n, e, kid, verified: Default::default(), device_codes: Default::default() }
    }

    /// Loads `signing-key.pem` from `dir`, creating it on first start.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Identity> {
        let path = dir.join("signing-key.pem");
        if let Ok(pem) = std::fs::read_to_string(&path) {
            if let Ok(k) = RsaPrivateKey::from_pkcs8_pem(&pem) {
                return Ok(Self::from_key(k));
            }
        }
        let key = generate_key()?;
        let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(std::io::Error::other)?;
        crate::tls::write_private(&path, pem.as_bytes())?;
        Ok(Self::from_key(key))
    }

    /// A token for `oid`/`appid` in `tenant` for audience `aud`, issued at `now` (emulator
    /// clock) by the emulator at `base`.
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        ids: &dyn IdGen,
        base: &str,
        tenant: &str,
        oid: &str,
        appid: &str,
        aud: &str,
    ) -> ArmResult<Issued> {
        let now = now.timestamp();
        let exp = now + LIFETIME_SECS;
        let claims = json!({
            "aud": aud,
            "iss": format!("{base}/{tenant}/v2.0"),
            "iat": now,
            "nbf": now,
            "exp": exp,
            "aio": "armemu",
            "appid": appid,
            "azp": appid,
            "appidacr": "1",
            "idp": format!("{base}/{tenant}/"),
            "idtyp": "app",
            "oid": oid,
            "sub": oid,
            "tid": tenant,
            "uti": ids.hex(22),
            "ver": "2.0",
        });
        Ok(Issued { token: self.sign(&claims)?, expires_on: exp })
    }

    /// A user's access token: the claims Entra ID gives a delegated token (`upn`,
    /// `unique_name`, `name`, `scp`, `idtyp: user`; `appid` is the client application the user
    /// signed in with).
    #[allow(clippy::too_many_arguments)]
    pub fn issue_user(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        ids: &dyn IdGen,
        base: &str,
        user: &UserSubject,
        client_id: &str,
        aud: &str,
    ) -> ArmResult<Issued> {
        let now = now.timestamp();
        let exp = now + LIFETIME_SECS;
        let tenant = &user.tenant;
        let claims = json!({
            "aud": aud,
            "iss": format!("{base}/{tenant}/v2.0"),
            "iat": now,
            "nbf": now,
            "exp": exp,
            "acr": "1",
            "aio": "armemu",
            "amr": ["pwd"],
            "appid": client_id,
            "azp": client_id,
            "appidacr": "0",
            "idtyp": "user",
            "name": user.name,
            "oid": user.oid,
            "puid": "10030000A0000001",
            "scp": "user_impersonation",
            "sub": user.oid,
            "tid": tenant,
            "unique_name": user.upn,
            "upn": user.upn,
            "uti": ids.hex(22),
            "ver": "1.0",
        });
        Ok(Issued { token: self.sign(&claims)?, expires_on: exp })
    }

    /// The OpenID Connect id token MSAL builds its account from (`preferred_username` is the
    /// name `az account show` prints).
    pub fn id_token(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        base: &str,
        user: &UserSubject,
        client_id: &str,
        nonce: Option<&str>,
    ) -> ArmResult<String> {
        let now = now.timestamp();
        let mut claims = json!({
            "aud": client_id,
            "iss": format!("{base}/{}/v2.0", user.tenant),
            "iat": now,
            "nbf": now,
            "exp": now + LIFETIME_SECS,
            "name": user.name,
            "oid": user.oid,
            "preferred_username": user.upn,
            "sub": user.oid,
            "tid": user.tenant,
            "ver": "2.0",
        });
        if let Some(n) = nonce {
            claims["nonce"] = json!(n);
        }
        self.sign(&claims)
    }

    /// A refresh token: signed like an access token but for an audience no API accepts, so
    /// the emulator needs to remember nothing to redeem it.
    pub fn refresh_token(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        ids: &dyn IdGen,
        user: &UserSubject,
        client_id: &str,
    ) -> ArmResult<String> {
        let now = now.timestamp();
        let claims = json!({
            "aud": REFRESH_AUDIENCE,
            "iat": now,
            "exp": now + REFRESH_LIFETIME_SECS,
            "oid": user.oid,
            "tid": user.tenant,
            "appid": client_id,
            "uti": ids.hex(22),
        });
        self.sign(&claims)
    }

    /// The user object id, home tenant and client of a refresh token this emulator issued,
    /// and when it expires; `None` for anything else.
    pub fn read_refresh(&self, token: &str) -> Option<(String, String, String, i64)> {
        let c = self.verify(token).ok()?;
        if c.get("aud").and_then(Value::as_str) != Some(REFRESH_AUDIENCE) {
            return None;
        }
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(String::from);
        Some((text("oid")?, text("tid")?, text("appid").unwrap_or_default(), c.get("exp")?.as_i64()?))
    }

    /// An authorization code: what `/authorize` recorded (user, client, redirect URI, PKCE
    /// challenge, nonce), signed, valid for ten minutes of emulator time.
    pub fn authorization_code(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        ids: &dyn IdGen,
        mut fields: serde_json::Map<String, Value>,
    ) -> ArmResult<String> {
        let now = now.timestamp();
        fields.insert("aud".into(), json!(CODE_AUDIENCE));
        fields.insert("iat".into(), json!(now));
        fields.insert("exp".into(), json!(now + CODE_LIFETIME_SECS));
        fields.insert("uti".into(), json!(ids.hex(22)));
        self.sign(&Value::Object(fields))
    }

    /// The fields of an authorization code this emulator issued; `None` for anything else.
    pub fn read_code(&self, code: &str) -> Option<Arc<Value>> {
        let c = self.verify(code).ok()?;
        (c.get("aud").and_then(Value::as_str) == Some(CODE_AUDIENCE)).then_some(c)
    }

    fn sign(&self, claims: &Value) -> ArmResult<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.x5t = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| ArmError::internal(format!("token signing failed: {e}")))
    }

    /// The claims of a token this emulator signed (RS256, this key). Expiry, audience and
    /// tenant are not checked here: the caller checks them against the emulator clock and the
    /// request, to answer each with ARM's own error.
    pub fn verify(&self, token: &str) -> Result<Arc<Value>, NotOurs> {
        if let Some(c) = self.verified.lock().get(token) {
            return Ok(c.clone());
        }
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Value>(token, &self.decoding, &v)
            .map(|d| Arc::new(d.claims))
            .map_err(|e| NotOurs(e.to_string()))?;
        let mut cache = self.verified.lock();
        if cache.len() >= VERIFIED_CACHE {
            cache.clear();
        }
        cache.insert(token.into(), claims.clone());
        Ok(claims)
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
        }]})
    }
}

fn generate_key() -> std::io::Result<RsaPrivateKey> {
    RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(std::io::Error::other)
}

/// One key per process for embedded test servers, so each test does not pay for RSA key generation.
pub fn shared_test_identity() -> std::io::Result<RsaPrivateKey> {
    static KEY: std::sync::OnceLock<Result<RsaPrivateKey, String>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| generate_key().map_err(|e| e.to_string())).clone().map_err(std::io::Error::other)
}
