//! `rest`: az's `rest` — any request to ARM (a path is put under the endpoint and
//! `{subscriptionId}` filled in), with the login's token unless told not to. A JSON answer is
//! printed through `--query`/`-o` like any result, other text as it came, and a failure as az
//! prints it: `{reason}({body})`, exit 1 (not 3 for a 404: az raises an HTTPError, not a
//! ResourceNotFoundError).

use hyper::Method;
use serde_json::Value;

use super::super::args::RestArgs;
use super::super::{CliError, Ctx, Output};
use crate::http::HttpRequest;

/// `KEY=VALUE` words or one JSON object, as az's `shell_safe_json_parse` then split.
fn pairs(items: &[String], what: &str) -> Result<Vec<(String, String)>, CliError> {
    if let [one] = items {
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(one) {
            return Ok(m
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                .collect());
        }
    }
    items
        .iter()
        .map(|i| {
            i.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| CliError::failed(format!("{what} must be KEY=VALUE pairs or a JSON object: '{i}'")))
        })
        .collect()
}

pub async fn run(ctx: &Ctx, a: RestArgs) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    let mut url = if a.url.starts_with('/') { format!("{}{}", client.endpoint(), a.url) } else { a.url.clone() };
    if url.contains("{subscriptionId}") {
        url = url.replace("{subscriptionId}", client.subscription_id()?);
    }
    let params = pairs(&a.url_parameters, "--url-parameters")?;
    if !params.is_empty() {
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    let method = Method::from_bytes(a.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::usage(format!("argument --method/-m: invalid choice: '{}'", a.method)))?;
    let mut req = HttpRequest::new(method, url);
    let headers = pairs(&a.headers, "--headers")?;
    if let Some(body) = &a.body {
        let text = match body.strip_prefix('@') {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| CliError::failed(format!("cannot read {path}: {e}")))?
            }
            None => body.clone(),
        };
        let json = serde_json::from_str::<Value>(&text).is_ok();
        if json && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req = req.header("Content-Type", "application/json");
        }
        req.body = Some(text.into_bytes().into());
    }
    for (k, v) in headers {
        req = req.header(&k, v);
    }
    let resp = if a.skip_authorization_header { client.http().send(&req).await? } else { client.execute(req).await? };
    let text = String::from_utf8_lossy(&resp.body).to_string();
    if !resp.is_success() {
        let reason = hyper::StatusCode::from_u16(resp.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        return Err(CliError::failed(format!("{reason}({text})")));
    }
    if let Some(path) = &a.output_file {
        std::fs::write(path, &resp.body).map_err(|e| CliError::failed(format!("cannot write {path}: {e}")))?;
        return Ok(Output::Nothing);
    }
    if text.trim().is_empty() {
        return Ok(Output::Nothing);
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => Ok(Output::Value(v)),
        Err(_) => Ok(Output::Text(if text.ends_with('\n') { text } else { format!("{text}\n") })),
    }
}
