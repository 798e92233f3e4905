//! `emulator journal [--operation] [--status] [--path-prefix] [--since]` and `emulator journal
//! clear`: armemu's test-control API (`/_emulator/journal`, no authentication). The entries are
//! kept as JSON values; armctl shares no types with the emulator.

use hyper::Method;
use serde_json::{Map, Value};

use super::super::args::{EmulatorCmd, JournalAction, JournalArgs};
use super::super::context::{is_guid, Target};
use super::super::{CliError, Ctx, Output};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};

/// The journal table: Time, Method, Status, Operation, Path, Error, LatencyMs.
fn journal_table(v: &Value) -> Value {
    let rows = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    let text = |r: &Value, k: &str| match r.get(k) {
        None | Some(Value::Null) => Value::String(String::new()),
        Some(x) => x.clone(),
    };
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("Time".into(), text(r, "time"));
                m.insert("Method".into(), text(r, "method"));
                m.insert("Status".into(), text(r, "status"));
                m.insert("Operation".into(), text(r, "operationId"));
                m.insert("Path".into(), text(r, "path"));
                m.insert("Error".into(), text(r, "errorCode"));
                m.insert("LatencyMs".into(), text(r, "latencyMs"));
                Value::Object(m)
            })
            .collect(),
    )
}

/// The query string of `GET /_emulator/journal`.
fn journal_query(a: &JournalArgs, subscription: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    let pairs = [
        ("operationId", a.operation.as_deref()),
        ("status", a.status.as_deref()),
        ("subscription", subscription),
        ("pathPrefix", a.path_prefix.as_deref()),
        ("since", a.since.as_deref()),
    ];
    for (k, v) in pairs {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            q.append_pair(k, v);
        }
    }
    q.finish()
}

/// `--subscription` as an id: a GUID as is, else a name the login profile knows, else as given.
fn subscription_filter(ctx: &Ctx) -> Option<String> {
    let s = ctx.global.subscription.as_deref()?;
    if is_guid(s) {
        return Some(s.to_string());
    }
    let known = ctx.profile().and_then(|p| p.subscriptions.iter().find(|e| e.name.eq_ignore_ascii_case(s)).cloned());
    Some(known.map(|e| e.id).unwrap_or_else(|| s.to_string()))
}

async fn send(ctx: &Ctx, target: &Target, req: HttpRequest) -> Result<HttpResponse, CliError> {
    let http = ctx.http(target)?;
    if ctx.global.debug {
        ctx.err.line(&format!("DEBUG: Request URL: '{}'\nDEBUG: Request method: '{}'", req.url, req.method));
    }
    let resp = http.send(&req).await?;
    if ctx.global.debug {
        ctx.err.line(&format!("DEBUG: Response status: {}", resp.status));
    }
    if !resp.is_success() {
        return Err(Error::from_response(resp.status, &resp.body, resp.request_id()).into());
    }
    Ok(resp)
}

pub async fn run(ctx: &Ctx, cmd: EmulatorCmd) -> Result<Output, CliError> {
    let target = ctx.live_target()?;
    if !target.emulator {
        return Err(CliError::usage(format!(
            "'{}' is not an emulator: the journal is armemu's test-control API",
            target.endpoint
        ))
        .with_hint("point armctl at armemu with --endpoint or ARMEMU_ENDPOINT, or start it with 'make run'"));
    }
    let base = format!("{}/_emulator/journal", target.endpoint);
    match cmd {
        EmulatorCmd::Journal(JournalArgs { action: Some(JournalAction::Clear), .. }) => {
            let req = HttpRequest::new(Method::DELETE, base).header("X-ArmEmu-Control", "1");
            send(ctx, &target, req).await?;
            Ok(Output::Nothing)
        }
        EmulatorCmd::Journal(args) => {
            let query = journal_query(&args, subscription_filter(ctx).as_deref());
            let url = if query.is_empty() { base } else { format!("{base}?{query}") };
            let req = HttpRequest::new(Method::GET, url).header("Accept", "application/json");
            let resp = send(ctx, &target, req).await?;
            let body: Value = crate::client::parse_json(&resp)?;
            let value = match body.get("value") {
                Some(Value::Array(a)) => Value::Array(a.clone()),
                _ => {
                    return Err(Error::Unexpected {
                        status: resp.status,
                        body: String::from_utf8_lossy(&resp.body).into_owned(),
                        reason: "the journal answer has no 'value' array".into(),
                        request_id: resp.request_id(),
                    }
                    .into())
                }
            };
            Ok(Output::Table(value, journal_table))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_names_only_the_given_filters() {
        let a = JournalArgs {
            action: None,
            operation: Some("ResourceGroups_Get".into()),
            status: Some("4xx".into()),
            path_prefix: Some("/subscriptions/x y".into()),
            since: None,
        };
        assert_eq!(
            journal_query(&a, Some("s1")),
            "operationId=ResourceGroups_Get&status=4xx&subscription=s1&pathPrefix=%2Fsubscriptions%2Fx+y"
        );
        let none = JournalArgs { action: None, operation: None, status: None, path_prefix: None, since: None };
        assert_eq!(journal_query(&none, None), "");
    }

    #[test]
    fn table_columns_in_order_with_empty_error() {
        let t = journal_table(&json!([{"time": "t", "method": "GET", "status": 200, "operationId": "Op",
            "path": "/p", "errorCode": null, "latencyMs": 3, "seq": 1}]));
        let keys: Vec<&String> = t[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Time", "Method", "Status", "Operation", "Path", "Error", "LatencyMs"]);
        assert_eq!(t[0]["Error"], "");
    }
}
