//! `deployment group|sub create|show|list|delete|validate|what-if` and
//! `deployment operation group|sub list`, as az 2.91 has them (`resource/custom.py`).
//!
//! - `--parameters` follows az's `_process_parameters`: each item, in order, is a parameters
//!   file (`@file.json` — az reads any `@path` argument — or a bare path), inline JSON
//!   (`{"k": {"value": …}}`, or a whole parameters file with `$schema`/`contentVersion`), or
//!   `KEY=VALUE`, whose value is typed by the template's declaration of `KEY` (`int`, `bool`,
//!   `object`/`array` as JSON, strings as is). Later items override earlier ones.
//! - `create` validates first (`POST …/validate`) and then PUTs, as az does; a failed
//!   deployment's error is the final operation status, printed verbatim (`ERROR: {"status":
//!   "Failed","error":{…}}`), as az prints it.
//! - Output is az's: every field of the SDK model, `null` when absent (the table below is
//!   `azure-mgmt-resource-deployments`' models), unknown fields kept, timestamps in Python's
//!   `isoformat`, and `resourceGroup` added to every object whose id names one (az's global
//!   transform). `-o table` uses az's deployment transform (Name, State, Timestamp, Mode,
//!   ResourceGroup).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::super::args::{
    DeploymentCmd, DeploymentGroupCmd, DeploymentOperationCmd, DeploymentOperationGroupCmd, DeploymentOperationSubCmd,
    DeploymentSubCmd, GroupTemplateArgs, SubTemplateArgs, TemplateArgs, WhatIfArgs,
};
use super::super::az_model::{as_az, Model};
use super::super::{CliError, Ctx, Output};
use super::whatif;
use crate::client::ArmClient;
use crate::error::{Error, ErrorDetail};
use crate::lro::Poller;
use crate::models::{Deployment, DeploymentMode, DeploymentProperties, WhatIfOperationResult, WhatIfResultFormat};
use crate::ops::deployments::DeploymentScope;

// ---------------------------------------------------------------------------------------
// Templates and parameters
// ---------------------------------------------------------------------------------------

/// Parses JSON with `//` and `/* */` comments and raw line breaks inside strings, as az's
/// `_remove_comments_from_json` accepts.
pub fn parse_jsonc(text: &str) -> Result<Value, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    serde_json::from_str(&out).map_err(|e| e.to_string())
}

/// Reads a template file (ARM JSON; Bicep needs the Bicep CLI, which armctl does not run).
pub fn load_template(path: &str) -> Result<Value, CliError> {
    if path.to_ascii_lowercase().ends_with(".bicep") {
        return Err(CliError::usage(format!(
            "'{path}' is a Bicep file: armctl deploys ARM JSON templates only (build it with 'bicep build {path}' first)"
        )));
    }
    // Python's OSError text, as az prints it.
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::failed(format!("[Errno 2] No such file or directory: '{path}'")),
        _ => CliError::failed(format!("{e}: '{path}'")),
    })?;
    match parse_jsonc(&text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) | Err(_) => {
            Err(CliError::failed(format!("Failed to parse '{path}', please check whether it is a valid JSON format")))
        }
    }
}

/// az's default deployment name: the template file's base name without its extension.
pub fn default_name(template_file: &str) -> String {
    let p = std::path::Path::new(template_file);
    if !p.is_file() {
        return "deployment1".into();
    }
    let base = p.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match base.rfind('.') {
        Some(i) if i > 0 => base[..i].to_string(),
        _ => base,
    }
}

/// az reads any argument `@path` (or `KEY=@path`) as the file's content, trailing newlines
/// removed; an unreadable path leaves the argument as it is.
fn expand_at(arg: &str) -> String {
    let load = |p: &str| -> Option<String> {
        let path = match p.strip_prefix("~/") {
            Some(rest) => std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| p.to_string()),
            None => p.to_string(),
        };
        std::fs::read_to_string(path).ok().map(|s| s.trim_end_matches(['\n', '\r']).to_string())
    };
    match arg.split_once('=') {
        Some((k, v)) => match v.strip_prefix('@').filter(|f| !f.is_empty()).and_then(load) {
            Some(content) => format!("{k}={content}"),
            None => arg.to_string(),
        },
        None => match arg.strip_prefix('@').filter(|f| !f.is_empty()).and_then(load) {
            Some(content) => content,
            None => arg.to_string(),
        },
    }
}

/// `parsed.get('parameters', parsed)`: a parameters file or a bare parameters object.
fn parameters_of(v: Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(mut m) => match m.remove("parameters") {
            Some(Value::Object(p)) => Some(p),
            Some(other) => {
                m.insert("parameters".into(), other);
                Some(m)
            }
            None => Some(m),
        },
        _ => None,
    }
}

/// A template parameter's declaration with `$ref`s resolved (az's `_resolve_parameter_type`).
fn resolve_declaration(decl: &Value, template: &Value) -> Result<Value, String> {
    let mut current = decl.clone();
    let mut seen = BTreeSet::new();
    while let Some(r) = current.get("$ref").and_then(Value::as_str).map(String::from) {
        if !seen.insert(r.clone()) {
            return Err(format!("Cycle detected with processing {r}."));
        }
        let segs: Vec<String> = r.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        if segs.len() < 2 || segs[0] != "#" || !["definitions", "parameters", "outputs"].contains(&segs[1].as_str()) {
            return Err(format!("Invalid $ref {r}."));
        }
        let mut target = template.get(&segs[1]).cloned().unwrap_or(Value::Null);
        for s in &segs[2..] {
            target = match &target {
                Value::Object(m) if m.contains_key(s) => m[s].clone(),
                Value::Array(a) if s.parse::<usize>().is_ok_and(|i| i < a.len()) => {
                    a[s.parse::<usize>().unwrap_or(0)].clone()
                }
                _ => return Err(format!("Failed to resolve path {r}.")),
            };
        }
        let mut resolved = target;
        for k in ["nullable", "minLength", "maxLength", "allowedValues"] {
            if let Some(v) = current.get(k).filter(|v| !v.is_null()) {
                resolved[k] = v.clone();
            }
        }
        current = resolved;
    }
    Ok(current)
}

/// The result of reading `--parameters`.
#[derive(Debug, Default, PartialEq)]
pub struct Parameters {
    pub values: Map<String, Value>,
    /// az's warnings (an undeclared parameter type).
    pub warnings: Vec<String>,
}

/// One `KEY=VALUE` item, typed by the template (`_try_parse_key_value_object`). `Ok(false)`
/// when the item has no `=`.
fn key_value(out: &mut Parameters, template: &Value, item: &str) -> Result<bool, String> {
    if item == "{}" && out.values.is_empty() {
        return Ok(true);
    }
    let Some((key, value)) = item.split_once('=') else { return Ok(false) };
    let declared = template.get("parameters").and_then(Value::as_object);
    let Some(decl) = declared.and_then(|d| d.get(key)) else {
        let mut names: Vec<&String> = declared.map(|d| d.keys().collect()).unwrap_or_default();
        names.sort();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        return Err(format!("unrecognized template parameter '{key}'. Allowed parameters: {}", names.join(", ")));
    };
    let decl = resolve_declaration(decl, template)?;
    let kind = decl.get("type").and_then(Value::as_str).map(str::to_ascii_lowercase);
    let parsed = match kind.as_deref() {
        Some("object" | "array" | "secureobject") => serde_json::from_str::<Value>(value)
            .map_err(|e| format!("Failed to parse string as JSON:\n{value}\nError detail: {e}"))?,
        Some("string" | "securestring") => json!(value),
        Some("bool") => json!(value.to_lowercase() == "true"),
        Some("int") => json!(value
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("invalid literal for int() with base 10: '{value}'"))?),
        other => {
            let shown = other.map(String::from).unwrap_or_else(|| "None".into());
            out.warnings.push(format!("Unrecognized type '{shown}' for parameter '{key}'. Interpretting as string."));
            json!(value)
        }
    };
    out.values.insert(key.to_string(), json!({"value": parsed}));
    Ok(true)
}

/// az's `--parameters` grammar (see the module docs); `items` in the order given.
pub fn process_parameters(template: &Value, items: &[String]) -> Result<Parameters, String> {
    let mut out = Parameters::default();
    for raw in items {
        let item = expand_at(raw);
        let path = std::path::Path::new(&item);
        let from_file = if !item.is_empty() && !item.contains('\n') && path.is_file() {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("Failed to parse {item} with exception:\n    {e}"))?;
            if text.is_empty() {
                None
            } else {
                let v = parse_jsonc(&text).map_err(|_| {
                    format!("Failed to parse {item} with exception:\n    Failed to parse '{item}', please check whether it is a valid JSON format")
                })?;
                parameters_of(v)
            }
        } else {
            None
        };
        let obj = from_file.or_else(|| parse_jsonc(&item).ok().and_then(parameters_of));
        match obj {
            Some(m) => {
                for (k, v) in m {
                    out.values.insert(k, v);
                }
            }
            None => {
                if !key_value(&mut out, template, &item)? {
                    return Err(format!("Unable to parse parameter: {item}"));
                }
            }
        }
    }
    Ok(out)
}

/// Declared parameters with no default, not nullable and not given (`_find_missing_parameters`).
pub fn missing_parameters(template: &Value, given: &Map<String, Value>) -> Vec<String> {
    let Some(declared) = template.get("parameters").and_then(Value::as_object) else { return Vec::new() };
    let mut out = Vec::new();
    for (name, decl) in declared {
        if decl.get("defaultValue").is_some() {
            continue;
        }
        let nullable = resolve_declaration(decl, template)
            .ok()
            .and_then(|d| d.get("nullable").and_then(Value::as_bool))
            .unwrap_or(false);
        if nullable || given.get(name).is_some_and(|v| !v.is_null()) {
            continue;
        }
        out.push(name.clone());
    }
    out.sort();
    out
}

/// The template, the parameters and the deployment name from the arguments.
fn prepare(
    ctx: &Ctx,
    a: &TemplateArgs,
    mode: DeploymentMode,
    location: Option<&str>,
) -> Result<(String, Deployment), CliError> {
    let Some(file) = a.template_file.as_deref() else {
        return Err(CliError::failed(
            "Please enter one of the following: template file, template spec, template url, or Bicep parameters file.",
        ));
    };
    let mut template = load_template(file)?;
    if template.get("resources").is_none() {
        template["resources"] = json!([]);
    }
    // az raises these from the command (CLIError, ValueError): exit 1, not argparse's 2.
    let params = process_parameters(&template, &a.parameters).map_err(CliError::failed)?;
    for w in &params.warnings {
        ctx.warn(w);
    }
    let missing = missing_parameters(&template, &params.values);
    if !missing.is_empty() {
        if a.no_prompt == Some(true) {
            ctx.warn(&format!("Missing input parameters: {} ", missing.join(", ")));
        } else {
            return Err(CliError::failed(format!("Missing input parameters: {}", missing.join(", ")))
                .with_hint("give them with --parameters KEY=VALUE (or --no-prompt to let the service decide)"));
        }
    }
    let name = a.name.clone().unwrap_or_else(|| default_name(file));
    let deployment = Deployment {
        location: location.map(String::from),
        tags: None,
        properties: DeploymentProperties { mode, template, parameters: params.values, extra: Map::new() },
    };
    Ok((name, deployment))
}

/// `command`: the words az names in its argparse error ("deployment group create").
fn mode_of(s: &str, command: &str) -> Result<DeploymentMode, CliError> {
    DeploymentMode::parse(s).ok_or_else(|| {
        CliError::usage(format!(
            "armctl {command}: '{s}' is not a valid value for '--mode'. Allowed values: Incremental, Complete."
        ))
    })
}

/// `x` (a typed answer) as az prints it for `model` (`resourceGroup` is added to every
/// result in `cli::finish`, as az's global transform does).
fn az_value<T: serde::Serialize>(x: &T, model: Model) -> Value {
    as_az(model, &serde_json::to_value(x).unwrap_or(Value::Null))
}

/// The SDK's model (it flattens `properties.*` to the top), with change types in az's casing.
fn flatten_what_if(r: &WhatIfOperationResult) -> Value {
    let mut out = az_value(r, Model::WhatIfOperationResult);
    for key in ["changes", "potentialChanges"] {
        if let Some(Value::Array(items)) = out.get_mut(key) {
            for c in items {
                if let Some(t) = c.get("changeType").and_then(Value::as_str).map(whatif::canonical) {
                    c["changeType"] = json!(t);
                }
            }
        }
    }
    out
}

/// az's `transform_deployment` (one row) for `show`/`create`.
fn deployment_row(r: &Value) -> Value {
    let p = |k: &str| r.pointer(&format!("/properties/{k}")).cloned().unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("Name".into(), r.get("name").cloned().unwrap_or(Value::Null));
    m.insert("State".into(), p("provisioningState"));
    m.insert("Timestamp".into(), p("timestamp"));
    m.insert("Mode".into(), p("mode"));
    if let Some(rg) = r.get("resourceGroup").filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
        m.insert("ResourceGroup".into(), rg.clone());
    }
    Value::Object(m)
}

fn deployment_table(v: &Value) -> Value {
    match v {
        Value::Array(rows) => {
            let mut rows = rows.clone();
            let ts = |r: &Value| r.pointer("/properties/timestamp").and_then(Value::as_str).unwrap_or("").to_string();
            rows.sort_by_key(ts);
            Value::Array(rows.iter().map(deployment_row).collect())
        }
        one => Value::Array(vec![deployment_row(one)]),
    }
}

/// az's `deployment_validate_table_format`.
fn validate_table(v: &Value) -> Value {
    if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
        let mut m = Map::new();
        m.insert("result".into(), e.get("code").cloned().unwrap_or(Value::Null));
        let message = e.get("message").map(|m| m.as_str().map(String::from).unwrap_or_else(|| m.to_string()));
        if let Some(id) = message.as_deref().and_then(last_guid) {
            m.insert("trackingId".into(), json!(id));
        }
        let detail = e.pointer("/details/0/message").cloned();
        m.insert("message".into(), detail.unwrap_or_else(|| e.get("message").cloned().unwrap_or(Value::Null)));
        return Value::Array(vec![Value::Object(m)]);
    }
    if v.get("properties").is_some_and(|p| !p.is_null()) {
        let mut m = Map::new();
        m.insert("result".into(), v.pointer("/properties/provisioningState").cloned().unwrap_or(Value::Null));
        m.insert("correlationId".into(), v.pointer("/properties/correlationId").cloned().unwrap_or(Value::Null));
        return Value::Array(vec![Value::Object(m)]);
    }
    v.clone()
}

/// The last `8-4-4-4-12` word run of a message (az's tracking id regex).
fn last_guid(s: &str) -> Option<String> {
    let b: Vec<char> = s.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let lens = [8, 4, 4, 4, 12];
    let total = 36;
    (0..b.len().saturating_sub(total - 1)).rev().find_map(|start| {
        let mut i = start;
        for (n, len) in lens.iter().enumerate() {
            if !(0..*len).all(|j| b.get(i + j).is_some_and(|c| word(*c))) {
                return None;
            }
            i += len;
            if n < 4 {
                if b.get(i) != Some(&'-') {
                    return None;
                }
                i += 1;
            }
        }
        Some(b[start..start + total].iter().collect())
    })
}

// ---------------------------------------------------------------------------------------
// Errors as az prints them
// ---------------------------------------------------------------------------------------

/// Python's `json.dumps` (`", "`/`": "` separators, non-ASCII escaped).
pub fn py_dumps(v: &Value) -> String {
    super::super::jmespath::value::dumps_with(v, ", ", ": ")
}

fn detail_json(d: &ErrorDetail) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(d.code));
    m.insert("message".into(), json!(d.message));
    if let Some(t) = &d.target {
        m.insert("target".into(), json!(t));
    }
    if let Some(a) = &d.additional_info {
        m.insert("additionalInfo".into(), a.clone());
    }
    Value::Object(m)
}

/// az's `_build_http_response_error_message`: the error without its details as JSON, then
/// `Inner Errors: ` and each detail, blank-line separated.
pub fn http_error_message(top: &ErrorDetail) -> String {
    fn inner(d: &ErrorDetail, out: &mut Vec<String>) {
        out.push(format!("Inner Errors: \n{}", py_dumps(&detail_json(d))));
        for x in &d.details {
            inner(x, out);
        }
    }
    let mut parts = vec![py_dumps(&detail_json(top))];
    for d in &top.details {
        inner(d, &mut parts);
    }
    parts.join("\n\n")
}

/// az's `_build_preflight_error_message`: `Code - message`, then each detail, one a line.
pub fn preflight_message(e: &ErrorDetail) -> String {
    let mut lines = vec![format!("{} - {}", e.code, e.message)];
    for d in &e.details {
        lines.push(preflight_message(d));
    }
    lines.join("\n")
}

fn deployment_error(message: String) -> CliError {
    CliError { exit: 1, message, hint: None }
}

/// A validate/what-if request ARM refused (`400 InvalidTemplate`): az's message.
fn refused(e: Error) -> CliError {
    match e {
        Error::Arm { code, message, target, details, .. } if !code.is_empty() => {
            let top = ErrorDetail { code, message, target, details, additional_info: None };
            deployment_error(http_error_message(&top))
        }
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------

async fn validate_first(
    client: &ArmClient,
    ctx: &Ctx,
    scope: DeploymentScope<'_>,
    name: &str,
    d: &Deployment,
) -> Result<Value, CliError> {
    let poller = client.deployments().validate(scope, name, d).await.map_err(refused)?;
    let result = ctx.wait(poller).await?.unwrap_or_default();
    if let Some(err) = &result.error {
        return Err(deployment_error(preflight_message(err)));
    }
    Ok(az_value(&result, Model::DeploymentValidateResult))
}

async fn create(
    ctx: &Ctx,
    client: &ArmClient,
    scope: DeploymentScope<'_>,
    name: &str,
    d: &Deployment,
) -> Result<Output, CliError> {
    validate_first(client, ctx, scope, name, d).await?;
    let mut poller: Poller<_> = client.deployments().create_or_update(scope, name, d).await?;
    if ctx.global.no_wait {
        return Ok(Output::Nothing);
    }
    match ctx.wait_in_place(&mut poller).await {
        Ok(Some(dep)) => Ok(Output::Table(az_value(&dep, Model::Deployment), deployment_table)),
        Ok(None) => {
            let dep = client.deployments().get(scope, name).await?;
            Ok(Output::Table(az_value(&dep, Model::Deployment), deployment_table))
        }
        Err(e @ Error::Arm { .. }) => {
            let raw = String::from_utf8_lossy(poller.last_body()).trim().to_string();
            if raw.is_empty() {
                Err(e.into())
            } else {
                Err(deployment_error(raw))
            }
        }
        Err(e) => Err(e.into()),
    }
}

async fn what_if(
    ctx: &Ctx,
    client: &ArmClient,
    scope: DeploymentScope<'_>,
    name: &str,
    d: &Deployment,
    w: &WhatIfArgs,
) -> Result<Output, CliError> {
    let format = match w.result_format.to_ascii_lowercase().as_str() {
        "fullresourcepayloads" => WhatIfResultFormat::FullResourcePayloads,
        "resourceidonly" => WhatIfResultFormat::ResourceIdOnly,
        other => {
            return Err(CliError::usage(format!(
                "argument --result-format/-r: invalid choice: '{other}' (choose from 'FullResourcePayloads', 'ResourceIdOnly')"
            )))
        }
    };
    let poller = client.deployments().what_if(scope, name, d, format).await.map_err(refused)?;
    let mut result = ctx.wait(poller).await?.unwrap_or_default();
    if let Some(err) = &result.error {
        return Err(deployment_error(preflight_message(err)));
    }
    if !w.exclude_change_types.is_empty() {
        let excluded: Vec<String> = w.exclude_change_types.iter().map(|t| t.to_ascii_lowercase()).collect();
        if let Some(p) = result.properties.as_mut() {
            if let Some(c) = p.changes.as_mut() {
                c.retain(|x| !excluded.contains(&x.change_type.to_ascii_lowercase()));
            }
        }
    }
    if w.no_pretty_print {
        return Ok(Output::Value(flatten_what_if(&result)));
    }
    Ok(Output::Text(whatif::format(&result)))
}

async fn list(
    client: &ArmClient,
    scope: DeploymentScope<'_>,
    filter: Option<&str>,
    ctx: &Ctx,
) -> Result<Output, CliError> {
    if filter.is_some() {
        ctx.warn("Argument '--filter' is in preview and under development. Reference and support levels: https://aka.ms/CLI_refstatus");
    }
    let all = client.deployments().list(scope, filter, None)?.collect_all().await?;
    Ok(Output::Table(az_value(&all, Model::Deployment), deployment_table))
}

async fn show(client: &ArmClient, scope: DeploymentScope<'_>, name: &str) -> Result<Output, CliError> {
    let d = client.deployments().get(scope, name).await?;
    Ok(Output::Table(az_value(&d, Model::Deployment), deployment_table))
}

async fn delete(ctx: &Ctx, client: &ArmClient, scope: DeploymentScope<'_>, name: &str) -> Result<Output, CliError> {
    let poller = client.deployments().delete(scope, name).await?;
    if !ctx.global.no_wait {
        ctx.wait(poller).await?;
    }
    Ok(Output::Nothing)
}

async fn operations(client: &ArmClient, scope: DeploymentScope<'_>, name: &str) -> Result<Output, CliError> {
    let all = client.deployment_operations().list(scope, name)?.collect_all().await?;
    Ok(Output::Value(az_value(&all, Model::DeploymentOperation)))
}

async fn group(ctx: &Ctx, client: &ArmClient, cmd: DeploymentGroupCmd) -> Result<Output, CliError> {
    match cmd {
        DeploymentGroupCmd::Create { deployment: a, .. } => {
            let GroupTemplateArgs { resource_group, template, mode } = a;
            let (name, d) = prepare(ctx, &template, mode_of(&mode, "deployment group create")?, None)?;
            create(ctx, client, DeploymentScope::ResourceGroup(filled(&resource_group)), &name, &d).await
        }
        DeploymentGroupCmd::Validate(a) => {
            let (name, d) = prepare(ctx, &a.template, mode_of(&a.mode, "deployment group validate")?, None)?;
            let v = validate_first(client, ctx, DeploymentScope::ResourceGroup(filled(&a.resource_group)), &name, &d)
                .await?;
            Ok(Output::Table(v, validate_table))
        }
        DeploymentGroupCmd::WhatIf { deployment: a, what_if: w } => {
            let (name, d) = prepare(ctx, &a.template, mode_of(&a.mode, "deployment group what-if")?, None)?;
            what_if(ctx, client, DeploymentScope::ResourceGroup(filled(&a.resource_group)), &name, &d, &w).await
        }
        DeploymentGroupCmd::Show { resource_group, name } => {
            show(client, DeploymentScope::ResourceGroup(filled(&resource_group)), &name).await
        }
        DeploymentGroupCmd::List { resource_group, filter } => {
            list(client, DeploymentScope::ResourceGroup(filled(&resource_group)), filter.as_deref(), ctx).await
        }
        DeploymentGroupCmd::Delete { resource_group, name, .. } => {
            delete(ctx, client, DeploymentScope::ResourceGroup(filled(&resource_group)), &name).await
        }
    }
}

async fn sub(ctx: &Ctx, client: &ArmClient, cmd: DeploymentSubCmd) -> Result<Output, CliError> {
    let scope = DeploymentScope::Subscription;
    match cmd {
        DeploymentSubCmd::Create { deployment: SubTemplateArgs { location, template }, .. } => {
            let (name, d) = prepare(ctx, &template, DeploymentMode::Incremental, Some(filled(&location)))?;
            create(ctx, client, scope, &name, &d).await
        }
        DeploymentSubCmd::Validate(SubTemplateArgs { location, template }) => {
            let (name, d) = prepare(ctx, &template, DeploymentMode::Incremental, Some(filled(&location)))?;
            Ok(Output::Table(validate_first(client, ctx, scope, &name, &d).await?, validate_table))
        }
        DeploymentSubCmd::WhatIf { deployment: SubTemplateArgs { location, template }, what_if: w } => {
            let (name, d) = prepare(ctx, &template, DeploymentMode::Incremental, Some(filled(&location)))?;
            what_if(ctx, client, scope, &name, &d, &w).await
        }
        DeploymentSubCmd::Show { name } => show(client, scope, &name).await,
        DeploymentSubCmd::List { filter } => list(client, scope, filter.as_deref(), ctx).await,
        DeploymentSubCmd::Delete { name, .. } => delete(ctx, client, scope, &name).await,
    }
}

/// Fills `-g` and `-l` from the defaults (az's configured defaults), or fails with az's
/// argparse error, before anything is called.
fn fill_defaults(ctx: &Ctx, cmd: &mut DeploymentCmd) -> Result<(), CliError> {
    let group = |g: &mut Option<String>| -> Result<(), CliError> {
        *g = Some(ctx.group(g.take())?);
        Ok(())
    };
    let location = |l: &mut Option<String>| -> Result<(), CliError> {
        *l = Some(
            ctx.location(l.take())
                .ok_or_else(|| CliError::usage("the following arguments are required: --location/-l"))?,
        );
        Ok(())
    };
    match cmd {
        DeploymentCmd::Group(c) => match c {
            DeploymentGroupCmd::Create { deployment: a, .. }
            | DeploymentGroupCmd::Validate(a)
            | DeploymentGroupCmd::WhatIf { deployment: a, .. } => group(&mut a.resource_group),
            DeploymentGroupCmd::Show { resource_group, .. }
            | DeploymentGroupCmd::List { resource_group, .. }
            | DeploymentGroupCmd::Delete { resource_group, .. } => group(resource_group),
        },
        DeploymentCmd::Sub(
            DeploymentSubCmd::Create { deployment: a, .. }
            | DeploymentSubCmd::Validate(a)
            | DeploymentSubCmd::WhatIf { deployment: a, .. },
        ) => location(&mut a.location),
        DeploymentCmd::Operation(DeploymentOperationCmd::Group(DeploymentOperationGroupCmd::List {
            resource_group,
            ..
        })) => group(resource_group),
        _ => Ok(()),
    }
}

/// A `-g`/`-l` after [`fill_defaults`].
fn filled(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or_default()
}

pub async fn run(ctx: &Ctx, mut cmd: DeploymentCmd) -> Result<Output, CliError> {
    fill_defaults(ctx, &mut cmd)?;
    let client = ctx.client().await?;
    match cmd {
        DeploymentCmd::Group(c) => group(ctx, &client, c).await,
        DeploymentCmd::Sub(c) => sub(ctx, &client, c).await,
        DeploymentCmd::Operation(DeploymentOperationCmd::Group(DeploymentOperationGroupCmd::List {
            resource_group,
            name,
        })) => operations(&client, DeploymentScope::ResourceGroup(filled(&resource_group)), &name).await,
        DeploymentCmd::Operation(DeploymentOperationCmd::Sub(DeploymentOperationSubCmd::List { name })) => {
            operations(&client, DeploymentScope::Subscription, &name).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r##"{
      // A comment, as az allows.
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "definitions": {"tagsType": {"type": "object"}},
      "parameters": {
        "prefix": {"type": "string"},
        "count": {"type": "int", "defaultValue": 2},
        "enabled": {"type": "Bool", "defaultValue": false},
        "tags": {"$ref": "#/definitions/tagsType"},
        "list": {"type": "array", "defaultValue": []},
        "odd": {"defaultValue": "x"},
        "maybe": {"type": "string", "nullable": true}
      },
      /* a block comment */
      "resources": []
    }"##;

    fn template() -> Value {
        parse_jsonc(TEMPLATE).unwrap()
    }

    fn run(items: &[&str]) -> Result<Parameters, String> {
        process_parameters(&template(), &items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn key_value_pairs_are_typed_by_the_template() {
        let p = run(&["prefix=sa", "count=3", "enabled=True", "tags={\"env\": \"dev\"}", "list=[1, \"a\"]"]).unwrap();
        assert_eq!(
            Value::Object(p.values),
            json!({
                "prefix": {"value": "sa"},
                "count": {"value": 3},
                "enabled": {"value": true},
                "tags": {"value": {"env": "dev"}},
                "list": {"value": [1, "a"]},
            })
        );
        assert!(p.warnings.is_empty());
        // A string stays a string even when it looks like JSON; '=' after the first is kept.
        let p = run(&["prefix=123", "odd=a=b"]).unwrap();
        assert_eq!(p.values["prefix"], json!({"value": "123"}));
        assert_eq!(p.values["odd"], json!({"value": "a=b"}));
        assert_eq!(p.warnings, ["Unrecognized type 'None' for parameter 'odd'. Interpretting as string."]);
    }

    #[test]
    fn files_inline_json_and_overrides_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let wrapped = dir.path().join("params.json");
        std::fs::write(
            &wrapped,
            r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"prefix": {"value": "fromfile"}, "count": {"value": 5}}}"#,
        )
        .unwrap();
        let bare = dir.path().join("bare.json");
        std::fs::write(&bare, "{\"prefix\": {\"value\": \"bare\"}}\n").unwrap();
        let text = dir.path().join("value.txt");
        std::fs::write(&text, "from-a-file\n").unwrap();
        let at = format!("@{}", wrapped.display());
        let p = run(&[&at]).unwrap();
        assert_eq!(Value::Object(p.values), json!({"prefix": {"value": "fromfile"}, "count": {"value": 5}}));
        let path = bare.display().to_string();
        let p = run(&[&at, &path, "count=7"]).unwrap();
        assert_eq!(Value::Object(p.values), json!({"prefix": {"value": "bare"}, "count": {"value": 7}}));
        let p = run(&["count=7", r#"{"count": {"value": 8}}"#, &format!("prefix=@{}", text.display())]).unwrap();
        assert_eq!(Value::Object(p.values), json!({"count": {"value": 8}, "prefix": {"value": "from-a-file"}}));
        assert_eq!(run(&["{}"]).unwrap().values, Map::new());
    }

    #[test]
    fn bad_parameters_say_why() {
        assert_eq!(
            run(&["nope=1"]).unwrap_err(),
            "unrecognized template parameter 'nope'. Allowed parameters: count, enabled, list, maybe, odd, prefix, tags"
        );
        assert_eq!(run(&["justaword"]).unwrap_err(), "Unable to parse parameter: justaword");
        assert!(run(&["count=three"]).unwrap_err().contains("invalid literal for int()"));
        assert!(run(&["tags={bad"]).unwrap_err().starts_with("Failed to parse string as JSON:\n{bad\n"));
        assert_eq!(
            run(&["@/nonexistent/file.json"]).unwrap_err(),
            "Unable to parse parameter: @/nonexistent/file.json"
        );
    }

    #[test]
    fn missing_parameters_skip_defaults_and_nullables() {
        let t = template();
        assert_eq!(missing_parameters(&t, &Map::new()), ["prefix", "tags"]);
        let given = run(&["prefix=a", "tags={}"]).unwrap().values;
        assert!(missing_parameters(&t, &given).is_empty());
    }

    #[test]
    fn jsonc_and_names() {
        assert_eq!(
            parse_jsonc("{\"a\": \"x // not a comment\", /* c */ \"b\": \"line\nbreak\"}").unwrap(),
            json!({"a": "x // not a comment", "b": "line\nbreak"})
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("main.storage.json");
        std::fs::write(&f, "{}").unwrap();
        assert_eq!(default_name(&f.display().to_string()), "main.storage");
        assert_eq!(default_name("/nonexistent/x.json"), "deployment1");
    }

    fn testdata(name: &str) -> Value {
        let text = match name {
            "dep2.json" => include_str!("testdata/dep2.json"),
            "dep2.az.json" => include_str!("testdata/dep2.az.json"),
            "ops.json" => include_str!("testdata/ops.json"),
            "ops.az.json" => include_str!("testdata/ops.az.json"),
            "wi.json" => include_str!("testdata/wi.json"),
            _ => include_str!("testdata/wi.az.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    /// The `.az.json` files are what az 2.91 prints for the same answers (its SDK models,
    /// `todict` and the `resourceGroup` transform, run on the `.json` next to them).
    #[test]
    fn shapes_match_az() {
        let with_group = |mut v: Value| {
            super::super::super::az_model::add_resource_group(&mut v);
            v
        };
        let d: crate::models::DeploymentExtended = serde_json::from_value(testdata("dep2.json")).unwrap();
        assert_eq!(with_group(az_value(&d, Model::Deployment)), testdata("dep2.az.json"));
        let ops: Vec<crate::models::DeploymentOperation> = serde_json::from_value(testdata("ops.json")).unwrap();
        assert_eq!(with_group(az_value(&ops, Model::DeploymentOperation)), testdata("ops.az.json"));
        let w: WhatIfOperationResult = serde_json::from_value(testdata("wi.json")).unwrap();
        assert_eq!(with_group(flatten_what_if(&w)), testdata("wi.az.json"));
    }

    #[test]
    fn errors_as_az_prints_them() {
        let e = ErrorDetail {
            code: "InvalidTemplate".into(),
            message: "Déploiement \"x\"\n".into(),
            details: vec![ErrorDetail {
                code: "A".into(),
                message: "b".into(),
                target: Some("t".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            http_error_message(&e),
            "{\"code\": \"InvalidTemplate\", \"message\": \"D\\u00e9ploiement \\\"x\\\"\\n\"}\n\nInner Errors: \n{\"code\": \"A\", \"message\": \"b\", \"target\": \"t\"}"
        );
        assert_eq!(preflight_message(&e), "InvalidTemplate - Déploiement \"x\"\n\nA - b");
    }

    #[test]
    fn tables_as_az_transforms() {
        let rows = json!([
            {"name": "b", "resourceGroup": "rg", "properties": {"provisioningState": "Succeeded", "timestamp": "2026-01-02T00:00:00+00:00", "mode": "Incremental"}},
            {"name": "a", "properties": {"provisioningState": "Failed", "timestamp": "2026-01-01T00:00:00+00:00", "mode": "Complete"}},
        ]);
        let t = deployment_table(&rows);
        assert_eq!(
            t[0],
            json!({"Name": "a", "State": "Failed", "Timestamp": "2026-01-01T00:00:00+00:00", "Mode": "Complete"})
        );
        assert_eq!(t[1]["ResourceGroup"], "rg");
        let keys: Vec<&String> = t[1].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["Name", "State", "Timestamp", "Mode", "ResourceGroup"]);
        let v = validate_table(
            &json!({"error": {"code": "InvalidTemplate", "message": "bad. Tracking id is 'c0a8f2f4-1111-2222-3333-444455556666'.", "details": [{"message": "first"}]}}),
        );
        assert_eq!(
            v,
            json!([{"result": "InvalidTemplate", "trackingId": "c0a8f2f4-1111-2222-3333-444455556666", "message": "first"}])
        );
        assert_eq!(
            validate_table(&json!({"properties": {"provisioningState": "Succeeded", "correlationId": "c"}})),
            json!([{"result": "Succeeded", "correlationId": "c"}])
        );
    }
}
