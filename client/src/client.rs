//! [`ArmClient`]: an endpoint, a credential, a subscription, and the request pipeline every
//! operation goes through (bearer token, request ids, retries, error mapping, debug log).

use std::sync::Arc;
use std::time::Duration;

use hyper::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::credential::{TokenCredential, ARM_SCOPE};
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpRequest, HttpResponse, TlsOptions};
use crate::retry::{self, RetryOptions};
use crate::sleep::{Sleeper, TokioSleeper};

/// Receives debug lines (requests and answers, with the token redacted).
pub type Logger = Arc<dyn Fn(&str) + Send + Sync>;

/// How long-running operations are polled.
#[derive(Debug, Clone)]
pub struct PollOptions {
    /// The wait when an answer has no `Retry-After`.
    pub default_interval: Duration,
    /// The wait when `Retry-After` is `0` (Python clients treat `0` as absent; waiting a
    /// little avoids a busy loop against a server that always says `0`).
    pub min_interval: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions { default_interval: Duration::from_secs(5), min_interval: Duration::from_secs(1) }
    }
}

pub(crate) struct Inner {
    pub endpoint: String,
    pub http: HttpClient,
    pub credential: Arc<dyn TokenCredential>,
    pub scope: String,
    pub retry: RetryOptions,
    pub sleeper: Arc<dyn Sleeper>,
    pub poll: PollOptions,
    pub logger: Option<Logger>,
    pub user_agent: String,
}

/// A cheap-to-clone handle on one ARM endpoint.
#[derive(Clone)]
pub struct ArmClient {
    pub(crate) inner: Arc<Inner>,
    subscription: Option<String>,
}

impl std::fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArmClient")
            .field("endpoint", &self.inner.endpoint)
            .field("subscription", &self.subscription)
            .finish()
    }
}

pub struct ArmClientBuilder {
    endpoint: String,
    credential: Option<Arc<dyn TokenCredential>>,
    http: Option<HttpClient>,
    tls: TlsOptions,
    scope: String,
    retry: RetryOptions,
    sleeper: Arc<dyn Sleeper>,
    poll: PollOptions,
    logger: Option<Logger>,
    subscription: Option<String>,
    timeout: Option<Duration>,
}

impl ArmClientBuilder {
    pub fn credential(mut self, c: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(c);
        self
    }

    /// Shares an HTTP client (its pool and TLS settings) instead of building one.
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Trust this PEM file besides the system roots.
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.tls.ca_file = Some(path.into());
        self
    }

    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    pub fn retry(mut self, r: RetryOptions) -> Self {
        self.retry = r;
        self
    }

    pub fn sleeper(mut self, s: Arc<dyn Sleeper>) -> Self {
        self.sleeper = s;
        self
    }

    pub fn poll_options(mut self, p: PollOptions) -> Self {
        self.poll = p;
        self
    }

    pub fn logger(mut self, l: Logger) -> Self {
        self.logger = Some(l);
        self
    }

    pub fn subscription(mut self, s: impl Into<String>) -> Self {
        self.subscription = Some(s.into());
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    pub fn build(self) -> Result<ArmClient> {
        let credential = self.credential.ok_or_else(|| Error::invalid("an ArmClient needs a credential"))?;
        let mut http = match self.http {
            Some(h) => h,
            None => HttpClient::new(&self.tls)?,
        };
        if let Some(t) = self.timeout {
            http = http.with_timeout(t);
        }
        Ok(ArmClient {
            inner: Arc::new(Inner {
                endpoint: self.endpoint.trim_end_matches('/').to_string(),
                http,
                credential,
                scope: self.scope,
                retry: self.retry,
                sleeper: self.sleeper,
                poll: self.poll,
                logger: self.logger,
                user_agent: format!("armctl/{}", env!("CARGO_PKG_VERSION")),
            }),
            subscription: self.subscription,
        })
    }
}

/// Encodes one path segment (names may hold spaces, Unicode, parentheses).
pub fn segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'(')
        .remove(b')');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

impl ArmClient {
    /// `endpoint` is ARM's base URL, e.g. `https://management.azure.com` or the emulator's.
    pub fn builder(endpoint: impl Into<String>) -> ArmClientBuilder {
        ArmClientBuilder {
            endpoint: endpoint.into(),
            credential: None,
            http: None,
            tls: TlsOptions::default(),
            scope: ARM_SCOPE.to_string(),
            retry: RetryOptions::default(),
            sleeper: Arc::new(TokioSleeper),
            poll: PollOptions::default(),
            logger: None,
            subscription: None,
            timeout: None,
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    pub fn sleeper(&self) -> Arc<dyn Sleeper> {
        self.inner.sleeper.clone()
    }

    pub fn poll_options(&self) -> &PollOptions {
        &self.inner.poll
    }

    /// The same client bound to another subscription.
    pub fn with_subscription(&self, sub: impl Into<String>) -> ArmClient {
        ArmClient { inner: self.inner.clone(), subscription: Some(sub.into()) }
    }

    pub fn subscription_id(&self) -> Result<&str> {
        self.subscription
            .as_deref()
            .ok_or_else(|| Error::invalid("no subscription is set (give --subscription or run 'armctl login')"))
    }

    /// An absolute URL for `path` (which starts with `/`) with `api-version` and more query.
    pub fn url(&self, path: &str, api_version: &str, query: &[(&str, &str)]) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("api-version", api_version);
        for (k, v) in query {
            q.append_pair(k, v);
        }
        format!("{}{}?{}", self.inner.endpoint, path, q.finish())
    }

    fn log(&self, line: impl FnOnce() -> String) {
        if let Some(l) = &self.inner.logger {
            l(&line());
        }
    }

    /// Sends with a bearer token and retries; returns any answer, success or not.
    pub async fn execute(&self, req: HttpRequest) -> Result<HttpResponse> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut attempt = 0u32;
        loop {
            let token = self.inner.credential.get_token(&self.inner.scope).await?;
            let mut r = req.clone();
            r.headers.push(("Authorization".into(), format!("Bearer {}", token.token)));
            r.headers.push(("x-ms-client-request-id".into(), client_request_id.clone()));
            r.headers.push(("User-Agent".into(), self.inner.user_agent.clone()));
            r.headers.push(("Accept".into(), "application/json".into()));
            self.log(|| describe_request(&r));
            let outcome = self.inner.http.send(&r).await;
            match &outcome {
                Ok(resp) => self.log(|| describe_response(resp)),
                Err(e) => self.log(|| format!("Request failed: {e}")),
            }
            let hint = match &outcome {
                Ok(resp) if retry::is_retryable_status(resp.status) => Some(retry::retry_after(resp)),
                Err(Error::Transport { .. }) => Some(None),
                _ => None,
            };
            if let Some(hint) = hint {
                if attempt < self.inner.retry.max_retries {
                    let wait = self.inner.retry.delay(attempt, hint);
                    self.log(|| {
                        format!(
                            "Retrying in {:.3} s (attempt {} of {})",
                            wait.as_secs_f64(),
                            attempt + 1,
                            self.inner.retry.max_retries
                        )
                    });
                    self.inner.sleeper.sleep(wait).await;
                    attempt += 1;
                    continue;
                }
            }
            return outcome;
        }
    }

    /// A token for `scope` (ARM's when `None`), as every request gets one.
    pub async fn access_token(&self, scope: Option<&str>) -> Result<crate::credential::AccessToken> {
        self.inner.credential.get_token(scope.unwrap_or(&self.inner.scope)).await
    }

    /// Sends and turns any non-2xx answer into an [`Error`].
    pub async fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Result<HttpResponse> {
        let mut req = HttpRequest::new(method, url);
        if let Some(b) = body {
            req = req.json_body(b);
        }
        let resp = self.execute(req).await?;
        if !resp.is_success() {
            return Err(Error::from_response(resp.status, &resp.body, resp.request_id()));
        }
        Ok(resp)
    }

    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        let resp = self.send(Method::GET, url, None).await?;
        parse_json(&resp)
    }

    /// Sends and parses the JSON answer.
    pub async fn send_json<T: DeserializeOwned>(&self, method: Method, url: &str, body: Option<&Value>) -> Result<T> {
        let resp = self.send(method, url, body).await?;
        parse_json(&resp)
    }
}

/// Parses a JSON body into `T`, or says why not.
pub fn parse_json<T: DeserializeOwned>(resp: &HttpResponse) -> Result<T> {
    let body: &[u8] = if resp.body.is_empty() { b"null" } else { &resp.body };
    serde_json::from_slice(body).map_err(|e| Error::Unexpected {
        status: resp.status,
        body: String::from_utf8_lossy(&resp.body).into_owned(),
        reason: format!("the body does not have the documented shape: {e}"),
        request_id: resp.request_id(),
    })
}

fn describe_request(r: &HttpRequest) -> String {
    let mut out = format!("Request URL: '{}'\nRequest method: '{}'\nRequest headers:", r.url, r.method);
    for (k, v) in &r.headers {
        let shown = if k.eq_ignore_ascii_case("authorization") { "*****" } else { v.as_str() };
        out.push_str(&format!("\n    '{k}': '{shown}'"));
    }
    match &r.body {
        Some(b) if !b.is_empty() => out.push_str(&format!("\nRequest body:\n{}", String::from_utf8_lossy(b))),
        _ => out.push_str("\nNo body was attached to the request"),
    }
    out
}

fn describe_response(r: &HttpResponse) -> String {
    let mut out = format!("Response status: {}\nResponse headers:", r.status);
    for (k, v) in &r.headers {
        out.push_str(&format!("\n    '{}': '{}'", k, v.to_str().unwrap_or("<binary>")));
    }
    if !r.body.is_empty() {
        let text = String::from_utf8_lossy(&r.body);
        let shown: String =
            if text.contains("access_token") { "<token answer redacted>".into() } else { text.into_owned() };
        out.push_str(&format!("\nResponse content:\n{shown}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("my-rg_(1).x"), "my-rg_(1).x");
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
        assert_eq!(segment("データ"), "%E3%83%87%E3%83%BC%E3%82%BF");
    }
}
