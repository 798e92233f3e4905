//! RS256 JWT issuance with a key kept in the data directory.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::IdGen;
use crate::protocol::{ArmError, ArmResult};

/// Token lifetime, as Entra ID's default.
pub const LIFETIME_SECS: i64 = 3599;

pub struct Issued {
    pub token: String,
    pub expires_on: i64,
}

pub struct Identity {
    key: SigningKey<Sha256>,
    n: Vec<u8>,
    e: Vec<u8>,
    kid: String,
}

impl Identity {
    pub fn from_key(key: RsaPrivateKey) -> Identity {
        let n = key.n().to_bytes_be();
        let e = key.e().to_bytes_be();
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&n)[..15]);
        Identity { key: SigningKey::<Sha256>::new(key), n, e, kid }
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
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid});
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
        let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
        let signing_input = format!("{}.{}", enc(&header), enc(&claims));
        let sig = self
            .key
            .try_sign(signing_input.as_bytes())
            .map_err(|e| ArmError::internal(format!("token signing failed: {e}")))?;
        Ok(Issued { token: format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes())), expires_on: exp })
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
