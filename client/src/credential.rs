//! Credentials: where the bearer token for ARM comes from.
//!
//! - [`StaticTokenCredential`]: a token you already have.
//! - [`ClientSecretCredential`]: the OAuth 2.0 client-credentials grant against any authority
//!   (Entra ID at `https://login.microsoftonline.com`, or the emulator's look-alike), cached
//!   until five minutes before it expires.
//! - [`CliCredential`]: `armctl login`'s profile and token cache (see [`crate::profile`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpRequest};
use crate::profile::{ConfigDir, TokenCacheEntry};
use crate::retry::{self, RetryOptions};
use crate::sleep::{BoxFuture, Sleeper, TokioSleeper};

/// The scope every ARM call asks for (the Python management SDKs ask for this one whatever
/// the endpoint).
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";
/// Entra ID's public-cloud authority.
pub const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// A cached token is renewed when less than this is left.
const REFRESH_MARGIN: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token: String,
    pub expires_on: DateTime<Utc>,
}

impl AccessToken {
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        (self.expires_on - now).num_seconds() > REFRESH_MARGIN
    }
}

pub trait TokenCredential: Send + Sync {
    fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>>;
}

/// A token handed in from outside (`--token`, `ARMCTL_TOKEN`, tests).
#[derive(Debug, Clone)]
pub struct StaticTokenCredential {
    token: String,
}

impl StaticTokenCredential {
    pub fn new(token: impl Into<String>) -> Self {
        StaticTokenCredential { token: token.into() }
    }
}

impl TokenCredential for StaticTokenCredential {
    fn get_token<'a>(&'a self, _scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        let t = AccessToken { token: self.token.clone(), expires_on: Utc::now() + chrono::Duration::days(365) };
        Box::pin(async move { Ok(t) })
    }
}

/// The client-credentials grant: `POST {authority}/{tenant}/oauth2/v2.0/token`.
pub struct ClientSecretCredential {
    authority: String,
    tenant_id: String,
    client_id: String,
    secret: String,
    http: HttpClient,
    retry: RetryOptions,
    sleeper: Arc<dyn Sleeper>,
    cache: tokio::sync::Mutex<Option<(String, AccessToken)>>,
}

impl ClientSecretCredential {
    /// `authority` is the login endpoint without the tenant, e.g. `https://login.microsoftonline.com`
    /// or `https://127.0.0.1:47443`.
    pub fn new(authority: &str, tenant_id: &str, client_id: &str, secret: &str, http: HttpClient) -> Self {
        ClientSecretCredential {
            authority: authority.trim_end_matches('/').to_string(),
            tenant_id: tenant_id.to_string(),
            client_id: client_id.to_string(),
            secret: secret.to_string(),
            http,
            retry: RetryOptions::default(),
            sleeper: Arc::new(TokioSleeper),
            cache: tokio::sync::Mutex::new(None),
        }
    }

    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant_id)
    }

    /// Asks the token endpoint, with retries on throttling and server errors.
    pub async fn request_token(&self, scope: &str) -> Result<AccessToken> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", &self.secret)
            .append_pair("scope", scope)
            .finish();
        let url = self.token_url();
        let mut attempt = 0;
        loop {
            let mut req =
                HttpRequest::new(hyper::Method::POST, &url).header("Content-Type", "application/x-www-form-urlencoded");
            req.body = Some(body.clone().into());
            let outcome = self.http.send(&req).await;
            let wait = match &outcome {
                Ok(r) if retry::is_retryable_status(r.status) => Some(retry::retry_after(r)),
                Err(Error::Transport { .. }) => Some(None),
                _ => None,
            };
            if let Some(hint) = wait {
                if attempt < self.retry.max_retries {
                    self.sleeper.sleep(self.retry.delay(attempt, hint)).await;
                    attempt += 1;
                    continue;
                }
            }
            let resp = outcome?;
            if !resp.is_success() {
                return Err(Error::from_response(resp.status, &resp.body, resp.request_id()));
            }
            return parse_token_response(resp.status, &resp.body);
        }
    }
}

/// Reads `{"access_token", "expires_in" | "expires_on"}` (numbers or strings, as Entra sends).
pub fn parse_token_response(status: u16, body: &[u8]) -> Result<AccessToken> {
    let v: Value = serde_json::from_slice(body).map_err(|e| Error::Unexpected {
        status,
        body: String::from_utf8_lossy(body).into_owned(),
        reason: format!("the token answer is not JSON: {e}"),
        request_id: None,
    })?;
    let token = v.get("access_token").and_then(Value::as_str).ok_or_else(|| Error::Unexpected {
        status,
        body: v.to_string(),
        reason: "the token answer has no access_token".into(),
        request_id: None,
    })?;
    let num = |k: &str| v.get(k).and_then(|x| x.as_i64().or_else(|| x.as_str().and_then(|s| s.parse().ok())));
    let expires_on = match (num("expires_on"), num("expires_in")) {
        (Some(on), _) => DateTime::from_timestamp(on, 0).unwrap_or_else(Utc::now),
        (None, Some(inn)) => Utc::now() + chrono::Duration::seconds(inn),
        (None, None) => Utc::now() + chrono::Duration::hours(1),
    };
    Ok(AccessToken { token: token.to_string(), expires_on })
}

impl TokenCredential for ClientSecretCredential {
    fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            let mut cache = self.cache.lock().await;
            if let Some((s, t)) = cache.as_ref() {
                if s == scope && t.is_fresh(Utc::now()) {
                    return Ok(t.clone());
                }
            }
            let t = self.request_token(scope).await?;
            *cache = Some((scope.to_string(), t.clone()));
            Ok(t)
        })
    }
}

/// `armctl login`'s credential: the service principal saved in the profile, with the token
/// cached on disk (`tokens.json`) so each command does not ask again.
pub struct CliCredential {
    dir: ConfigDir,
    inner: ClientSecretCredential,
}

impl CliCredential {
    /// Fails when nobody has logged in (no profile with a service principal). A profile whose
    /// authority is empty (logged in against a discovered emulator) uses `fallback_authority`.
    pub fn new(dir: ConfigDir, http: HttpClient, fallback_authority: &str) -> Result<Self> {
        let profile = dir.load_profile().ok_or_else(|| Error::Arm {
            status: 401,
            code: "NotLoggedIn".into(),
            message: "Please run 'armctl login' to setup account.".into(),
            target: None,
            details: Vec::new(),
            request_id: None,
        })?;
        let authority = if profile.authority.is_empty() { fallback_authority } else { profile.authority.as_str() };
        let inner = ClientSecretCredential::new(
            authority,
            &profile.tenant_id,
            &profile.client_id,
            &profile.client_secret,
            http,
        );
        Ok(CliCredential { dir, inner })
    }

    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.inner = self.inner.with_sleeper(sleeper);
        self
    }
}

impl TokenCredential for CliCredential {
    fn get_token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(async move {
            let key = format!("{}|{}|{}", self.inner.token_url(), self.inner.client_id, scope);
            if let Some(e) = self.dir.load_token(&key) {
                if let Some(exp) = DateTime::from_timestamp(e.expires_on, 0) {
                    let t = AccessToken { token: e.access_token, expires_on: exp };
                    if t.is_fresh(Utc::now()) {
                        return Ok(t);
                    }
                }
            }
            let t = self.inner.get_token(scope).await?;
            // A cache that cannot be written only costs a token request next time.
            let _ = self.dir.save_token(
                &key,
                &TokenCacheEntry { access_token: t.token.clone(), expires_on: t.expires_on.timestamp() },
            );
            Ok(t)
        })
    }
}
