//! Reading deployment bodies into a [`Spec`] and the JSON a deployment answers with: the
//! record, its operations, and ISO 8601 durations.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::model::time::arm_time;
use crate::protocol::body::{optional_str, parse_tags};
use crate::protocol::{ArmError, ArmRequest, ArmResult};

use super::model::{Mode, Spec, StepRecord};

/// serde_json's own recursion limit.
const MAX_NESTING: usize = 128;

/// The deepest nesting of `[`/`{` in `text`, outside strings (either quote).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max, mut quote, mut escaped) = (0usize, 0usize, None, false);
    for b in text.bytes() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

/// A deployment body as clients send it: JSON, or what the az CLI sends for
/// `--template-file` — JSON whose `template` key is unquoted and followed by the file's raw
/// text, which may carry comments and trailing commas (JSONC). ARM accepts both; anything
/// else is refused with the strict parser's error.
pub fn body_object(req: &ArmRequest) -> ArmResult<Map<String, Value>> {
    let strict = match req.json_object() {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    let Ok(text) = std::str::from_utf8(&req.body) else { return Err(strict) };
    // The lenient parser recurses without a limit: nothing deeper than the strict one allows.
    if nesting(text) > MAX_NESTING {
        return Err(strict);
    }
    match json5::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(strict),
    }
}

/// Reads `{location?, tags?, properties: {mode, template | templateLink, parameters? | parametersLink}}`.
pub fn spec(body: &Map<String, Value>) -> ArmResult<Spec> {
    let props = match body.get("properties") {
        Some(Value::Object(p)) => p,
        Some(_) => return Err(ArmError::invalid_request_content("'properties' must be an object")),
        None => return Err(ArmError::invalid_request_content("Required property 'properties' not found in JSON.")),
    };
    let mode = match optional_str(props, "properties.", "mode")? {
        Some(m) if m.eq_ignore_ascii_case("incremental") => Mode::Incremental,
        Some(m) if m.eq_ignore_ascii_case("complete") => Mode::Complete,
        Some(m) => {
            return Err(ArmError::invalid_request_content(format!(
                "Error converting value \"{m}\" to type 'DeploymentMode'. Path 'properties.mode'."
            )))
        }
        None => return Err(ArmError::invalid_request_content("Required property 'mode' not found in JSON.")),
    };
    if props.get("templateLink").is_some_and(|v| !v.is_null()) {
        return Err(ArmError::template_link_offline("templateLink"));
    }
    if props.get("parametersLink").is_some_and(|v| !v.is_null()) {
        return Err(ArmError::template_link_offline("parametersLink"));
    }
    let template = match props.get("template") {
        Some(t @ Value::Object(_)) => t.clone(),
        Some(Value::Null) | None => {
            return Err(ArmError::invalid_template_deployment(
                "The deployment must have either 'template' or 'templateLink' in its properties.",
            ))
        }
        Some(_) => return Err(ArmError::invalid_request_content("'properties.template' must be a JSON object")),
    };
    let parameters = match props.get("parameters") {
        Some(p @ Value::Object(_)) => p.clone(),
        Some(Value::Null) | None => json!({}),
        Some(_) => return Err(ArmError::invalid_request_content("'properties.parameters' must be a JSON object")),
    };
    let location = optional_str(body, "", "location")?.map(str::to_string);
    Ok(Spec { mode, template, parameters, location, tags: parse_tags(body)? })
}

/// `PT1.5S`, `PT0S`, `PT2M3.25S`: the duration from `from` to `to` as ARM writes it.
pub fn duration(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let micros = (to - from).num_microseconds().unwrap_or(0).max(0);
    let (mins, rest) = (micros / 60_000_000, micros % 60_000_000);
    let secs = rest as f64 / 1_000_000.0;
    let mut s = String::from("PT");
    if mins >= 60 {
        s.push_str(&format!("{}H", mins / 60));
    }
    if mins % 60 > 0 {
        s.push_str(&format!("{}M", mins % 60));
    }
    if secs > 0.0 || mins == 0 {
        let text = format!("{secs:.7}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        s.push_str(text);
        s.push('S');
    }
    s
}

/// One item of `…/deployments/{d}/operations`.
pub fn operation(deployment_id: &str, step: &StepRecord, at: DateTime<Utc>) -> Value {
    let mut props = json!({
        "provisioningOperation": step.provisioning_operation,
        "provisioningState": if step.succeeded { "Succeeded" } else { "Failed" },
        "timestamp": arm_time(at),
        "duration": "PT0S",
        "trackingId": step.operation_id.to_lowercase(),
        "statusCode": step.status_code,
        "targetResource": {
            "id": step.target_id,
            "resourceType": step.target_type,
            "resourceName": step.target_name,
            "apiVersion": step.api_version,
        },
    });
    if let Some(e) = &step.error {
        props["statusMessage"] = json!({"status": "Failed", "error": e});
    }
    json!({
        "id": format!("{deployment_id}/operations/{}", step.operation_id),
        "operationId": step.operation_id,
        "properties": props,
    })
}

/// The HTTP status name ARM puts in an operation's `statusCode`.
pub fn status_name(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        _ => "InternalServerError",
    }
}

/// What the record's GET body says; built by the handlers from a plan and an outcome.
pub struct RecordView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub location: Option<&'a str>,
    pub tags: Option<&'a Value>,
    pub state: &'a str,
    pub mode: &'static str,
    pub template_hash: &'a str,
    pub parameters: &'a Map<String, Value>,
    pub correlation_id: &'a str,
    pub started: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub providers: Vec<Value>,
    pub dependencies: Vec<Value>,
    pub outputs: Option<&'a Map<String, Value>>,
    pub output_resources: &'a [Value],
    pub error: Option<Value>,
}

pub fn record(v: &RecordView) -> Value {
    let mut props = Map::new();
    props.insert("templateHash".into(), json!(v.template_hash));
    props.insert("parameters".into(), Value::Object(v.parameters.clone()));
    props.insert("mode".into(), json!(v.mode));
    props.insert("provisioningState".into(), json!(v.state));
    props.insert("timestamp".into(), json!(arm_time(v.now)));
    props.insert("duration".into(), json!(duration(v.started, v.now)));
    props.insert("correlationId".into(), json!(v.correlation_id));
    props.insert("providers".into(), Value::Array(v.providers.clone()));
    props.insert("dependencies".into(), Value::Array(v.dependencies.clone()));
    if let Some(o) = v.outputs {
        props.insert("outputs".into(), Value::Object(o.clone()));
    }
    props.insert("outputResources".into(), Value::Array(v.output_resources.to_vec()));
    if let Some(e) = &v.error {
        props.insert("error".into(), e.clone());
    }
    let mut out = Map::new();
    out.insert("id".into(), json!(v.id));
    out.insert("name".into(), json!(v.name));
    out.insert("type".into(), json!(super::model::TYPE));
    if let Some(l) = v.location {
        out.insert("location".into(), json!(l));
    }
    if let Some(t) = v.tags {
        out.insert("tags".into(), t.clone());
    }
    out.insert("properties".into(), Value::Object(props));
    Value::Object(out)
}

/// A resource type and the locations it is deployed to.
type TypeLocations = (String, Vec<String>);

/// `properties.providers`: the namespaces and types a set of resource types uses.
pub fn providers(types: &[(String, Option<String>)]) -> Vec<Value> {
    let mut by_ns: Vec<(String, Vec<TypeLocations>)> = Vec::new();
    for (full, location) in types {
        let Some((ns, ty)) = full.split_once('/') else { continue };
        let entry = match by_ns.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(ns)) {
            Some(e) => e,
            None => {
                by_ns.push((ns.to_string(), Vec::new()));
                by_ns.last_mut().expect("just pushed")
            }
        };
        let t = match entry.1.iter_mut().find(|(t, _)| t.eq_ignore_ascii_case(ty)) {
            Some(t) => t,
            None => {
                entry.1.push((ty.to_string(), Vec::new()));
                entry.1.last_mut().expect("just pushed")
            }
        };
        if let Some(l) = location {
            if !t.1.contains(l) {
                t.1.push(l.clone());
            }
        }
    }
    by_ns
        .into_iter()
        .map(|(ns, types)| {
            json!({
                "namespace": ns,
                "resourceTypes": types.into_iter().map(|(t, locs)| json!({"resourceType": t, "locations": locs})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_read_as_arm_writes_them() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(duration(t, t), "PT0S");
        assert_eq!(duration(t, t + chrono::Duration::milliseconds(1500)), "PT1.5S");
        assert_eq!(duration(t, t + chrono::Duration::seconds(123)), "PT2M3S");
        assert_eq!(duration(t, t + chrono::Duration::seconds(3600 + 1)), "PT1H1S");
        assert_eq!(duration(t + chrono::Duration::seconds(1), t), "PT0S");
    }

    #[test]
    fn deep_nesting_is_refused_before_the_lenient_parser() {
        assert_eq!(nesting(r#"{"a": ["[", {"b": "}}}"}]}"#), 3);
        let deep = format!("{{template:{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let req = ArmRequest::new(crate::protocol::Method::Put, "/x", None, Default::default(), deep.into(), false);
        assert_eq!(body_object(&req).unwrap_err().code, crate::protocol::ErrorCode::InvalidRequestContent);
    }

    #[test]
    fn the_az_cli_template_file_form_is_read() {
        // What az 2.91's JsonCTemplatePolicy sends for `--template-file`: the raw file text
        // (here with a comment and a trailing comma) behind an unquoted `template` key.
        let sent = "{\"properties\": {\"mode\": \"Incremental\", \"parameters\": {\"n\": {\"value\": 3}}, template:{\n  // a comment\n  \"resources\": [],\n}}}";
        let req = ArmRequest::new(crate::protocol::Method::Put, "/x", None, Default::default(), sent.into(), false);
        let m = body_object(&req).unwrap();
        let s = spec(&m).unwrap();
        assert_eq!(s.template, json!({"resources": []}));
        assert_eq!(s.parameters, json!({"n": {"value": 3}}));
        let bad = ArmRequest::new(crate::protocol::Method::Put, "/x", None, Default::default(), "{nope".into(), false);
        assert_eq!(body_object(&bad).unwrap_err().code, crate::protocol::ErrorCode::InvalidRequestContent);
    }

    #[test]
    fn a_spec_needs_a_mode_and_an_inline_template() {
        let body = |v: Value| v.as_object().unwrap().clone();
        assert!(spec(&body(json!({"properties": {"template": {}}}))).is_err());
        assert!(spec(&body(json!({"properties": {"mode": "Incremental"}}))).is_err());
        let e = spec(&body(json!({"properties": {"mode": "Incremental", "templateLink": {"uri": "https://x"}}})))
            .unwrap_err();
        assert!(e.message.contains("no network access"), "{e}");
        let s = spec(&body(json!({"properties": {"mode": "complete", "template": {"resources": []}}}))).unwrap();
        assert_eq!(s.mode, Mode::Complete);
        assert_eq!(s.parameters, json!({}));
    }
}
