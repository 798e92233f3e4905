//! The transport: a hyper 1 client (hyper-util's legacy pool) over rustls. It trusts the
//! system's roots plus an optional CA file (the emulator's), and knows nothing about ARM.
//! A client made [`HttpClient::loopback_only`] refuses, before resolving or connecting, any URL
//! whose host is not this machine: an emulator's tool must not send a saved secret to public
//! Azure because the emulator happened to be stopped.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::error::{Error, Result};

/// One request, already fully built (absolute URL, headers, body).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Bytes>,
}

impl HttpRequest {
    pub fn new(method: Method, url: impl Into<String>) -> HttpRequest {
        HttpRequest { method, url: url.into(), headers: Vec::new(), body: None }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json_body(mut self, body: &serde_json::Value) -> HttpRequest {
        self.body = Some(Bytes::from(body.to_string()));
        self.headers.push(("Content-Type".into(), "application/json".into()));
        self
    }
}

/// A complete answer (the body is read to the end).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn request_id(&self) -> Option<String> {
        self.header("x-ms-request-id").map(String::from)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// TLS settings: the system roots are always trusted; `ca_file` adds one more PEM bundle.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub ca_file: Option<std::path::PathBuf>,
    /// Leave out the system roots (only `ca_file` is trusted).
    pub no_system_roots: bool,
}

/// A cheap-to-clone HTTP client with a connection pool.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
    loopback_only: bool,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .field("loopback_only", &self.loopback_only)
            .finish()
    }
}

fn load_pem(path: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    let text = std::fs::read(path)
        .map_err(|e| Error::transport(path.display().to_string(), format!("cannot read the CA file: {e}")))?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut text.as_slice())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::transport(path.display().to_string(), format!("the CA file is not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::transport(path.display().to_string(), "the CA file holds no certificate"));
    }
    Ok(certs)
}

impl HttpClient {
    pub fn new(tls: &TlsOptions) -> Result<HttpClient> {
        let mut roots = rustls::RootCertStore::empty();
        if !tls.no_system_roots {
            let native = rustls_native_certs::load_native_certs();
            let _ = roots.add_parsable_certificates(native.certs);
        }
        if let Some(ca) = &tls.ca_file {
            for c in load_pem(ca)? {
                roots
                    .add(c)
                    .map_err(|e| Error::transport(ca.display().to_string(), format!("bad CA certificate: {e}")))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::transport("", format!("TLS set-up: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let inner = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(https);
        Ok(HttpClient { inner, timeout: Duration::from_secs(100), loopback_only: false })
    }

    /// Refuses every URL whose host is not a loopback address (`127.0.0.0/8`, `::1`,
    /// `localhost`), before any name is resolved or connection made.
    pub fn loopback_only(mut self) -> HttpClient {
        self.loopback_only = true;
        self
    }

    /// Sets the time one request may take, answer included (default 100 s, like azure-core).
    pub fn with_timeout(mut self, timeout: Duration) -> HttpClient {
        self.timeout = timeout;
        self
    }

    pub async fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
        let uri: Uri = req.url.parse().map_err(|e| Error::transport(&req.url, format!("invalid URL: {e}")))?;
        if self.loopback_only && !uri.host().is_some_and(is_loopback) {
            return Err(Error::transport(
                &req.url,
                format!(
                    "refused to call '{}': without an endpoint named by --endpoint, ARMEMU_ENDPOINT or \
                     'armctl login --endpoint', armctl calls only this machine",
                    uri.host().unwrap_or_default()
                ),
            ));
        }
        let mut builder = Request::builder().method(req.method.clone()).uri(uri);
        {
            let headers = builder.headers_mut().ok_or_else(|| Error::transport(&req.url, "invalid request"))?;
            for (k, v) in &req.headers {
                let name = HeaderName::from_bytes(k.as_bytes())
                    .map_err(|e| Error::transport(&req.url, format!("invalid header name '{k}': {e}")))?;
                let value = HeaderValue::from_str(v)
                    .map_err(|e| Error::transport(&req.url, format!("invalid value for header '{k}': {e}")))?;
                headers.append(name, value);
            }
        }
        let body = req.body.clone().unwrap_or_default();
        let request = builder.body(Full::new(body)).map_err(|e| Error::transport(&req.url, e.to_string()))?;
        let fut = async {
            let resp = self.inner.request(request).await.map_err(|e| Error::transport(&req.url, describe(&e)))?;
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| Error::transport(&req.url, format!("reading the answer: {e}")))?
                .to_bytes();
            Ok(HttpResponse { status: parts.status.as_u16(), headers: parts.headers, body })
        };
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::transport(&req.url, format!("no answer within {} s", self.timeout.as_secs()))),
        }
    }
}

/// Whether a URL's host is this machine: a loopback IP literal (`[::1]` in URL form) or
/// `localhost` (and its subdomains, which resolvers must answer with loopback, RFC 6761).
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let name = bare.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// The legacy client's errors hide their cause; walk the chain for a readable message.
fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let mut out = if e.is_connect() { "connection failed".to_string() } else { e.to_string() };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LOCALHOST.", "armemu.localhost"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["management.azure.com", "login.microsoftonline.com", "10.0.0.1", "[::2]", "localhost.example.com", ""]
        {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[tokio::test]
    async fn a_loopback_only_client_refuses_other_hosts_before_connecting() {
        let http = HttpClient::new(&TlsOptions::default()).unwrap().loopback_only();
        // `.invalid` never resolves (RFC 2606): a DNS or connect error here would mean the
        // client tried; the refusal must come first.
        for url in ["https://management.azure.com/subscriptions", "https://example.invalid/token"] {
            let e = http.send(&HttpRequest::new(Method::GET, url)).await.unwrap_err().to_string();
            assert!(e.contains("refused to call") && e.contains("armctl calls only this machine"), "{e}");
        }
        // A loopback URL is attempted (nothing listens on port 9 here: a connection error).
        let e = http.send(&HttpRequest::new(Method::GET, "http://127.0.0.1:9/")).await.unwrap_err().to_string();
        assert!(!e.contains("refused to call"), "{e}");
    }
}
