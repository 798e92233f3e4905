//! Planning a deployment: the template's structure is checked and every expression parsed, the
//! parameters bound, the resources expanded (copy loops, conditions, nested children), their ids
//! and dependencies worked out, and the steps ordered. Resolving a step and the outputs evaluate
//! the rest later, once the resources they read have been deployed.

use crate::eval::{self, display, get_ci, json_eq, type_name, Env, EvalError, Frame, Partial};
use crate::expr::{self, Parsed};
use crate::functions::{self, Site};
use crate::{hash, ids, Context, Host, Map, Scope, TemplateError, Value};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";
const MAX_COPY: i64 = 800;

/// Fields of a template resource that are not part of the resource's body.
const TEMPLATE_ONLY: &[&str] = &[
    "type",
    "name",
    "apiVersion",
    "dependsOn",
    "condition",
    "copy",
    "resources",
    "comments",
    "scope",
    "resourceGroup",
    "subscriptionId",
    "existing",
    "metadata",
];

/// One resource to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Full resource id (by the deployment's scope; extension resources with `scope` →
    /// `{scope}/providers/{ns}/{type}/{name}`; resourceGroups at subscription scope →
    /// `/subscriptions/{s}/resourceGroups/{name}`).
    pub id: String,
    /// Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub resource_type: String,
    /// Full name, e.g. `vnet1/subnet1`.
    pub name: String,
    pub api_version: String,
    pub symbolic_name: Option<String>,
    /// Indices of earlier steps.
    pub depends_on: Vec<usize>,
    /// For `Microsoft.Resources/deployments` steps: where the nested deployment runs.
    pub nested: Option<Scope>,
}

/// A planned deployment: see [`plan`].
pub struct Plan {
    template: Value,
    ctx: Context,
    v2: bool,
    /// Declared parameters in template order: (name, record type, secure, value).
    params: Vec<(String, String, bool, Value)>,
    instances: Vec<Instance>,
    /// Every resource copy loop name, including loops of no instances (a dependency on them is fine).
    loops: Vec<String>,
    steps: Vec<Step>,
    step_instance: Vec<usize>,
    hash: String,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan").field("steps", &self.steps).field("hash", &self.hash).finish_non_exhaustive()
    }
}

/// A resource of the template after copy expansion.
#[derive(Debug, Clone)]
struct Instance {
    decl: Map<String, Value>,
    /// Where the declaration is, e.g. `resources[2]`, `resources[0].resources[1]`, `resources.sym`.
    path: String,
    frame: Frame,
    symbolic: Option<String>,
    copy: Option<CopyAt>,
    full_type: String,
    /// Empty when the name could not be evaluated (only tolerated for condition-false resources).
    full_name: String,
    api_version: String,
    id: String,
    active: bool,
    existing: bool,
    nested: Option<Scope>,
    parent: Option<usize>,
    deps: BTreeSet<usize>,
}

#[derive(Debug, Clone)]
struct CopyAt {
    name: String,
    index: i64,
    /// The batch size of a serial loop.
    serial: Option<i64>,
    /// The first instance of the loop.
    first: usize,
}

impl Instance {
    fn label(&self) -> String {
        if self.full_name.is_empty() {
            self.path.clone()
        } else {
            self.full_name.clone()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Validation,
    Evaluation,
}

fn to_error(e: EvalError, phase: Phase, what: &str, path: &str) -> TemplateError {
    let target = Some(e.target.clone().unwrap_or_else(|| path.to_string()));
    if let Some(code) = e.code {
        return TemplateError { code, message: e.message, target };
    }
    let mut detail = if e.bare { e.message } else { format!("{what} is not valid: {}", e.message) };
    if let Some(x) = &e.expr {
        match e.pos {
            Some(p) => detail.push_str(&format!(" (expression '{x}', position {p})")),
            None => detail.push_str(&format!(" (expression '{x}')")),
        }
    }
    let message = match phase {
        Phase::Validation => format!("Deployment template validation failed: '{detail}'"),
        Phase::Evaluation => format!("Deployment template language expression evaluation failed: '{detail}'"),
    };
    TemplateError::invalid(message, target)
}

fn record_type(t: &str) -> Option<&'static str> {
    Some(match t.to_ascii_lowercase().as_str() {
        "string" => "String",
        "securestring" => "SecureString",
        "int" => "Int",
        "bool" => "Bool",
        "object" => "Object",
        "secureobject" => "SecureObject",
        "array" => "Array",
        _ => return None,
    })
}

/// Whether `v` is of the record type `t` (null is accepted everywhere).
fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "String" | "SecureString" => v.is_string(),
        "Int" => v.as_i64().is_some(),
        "Bool" => v.is_boolean(),
        "Object" | "SecureObject" => v.is_object(),
        "Array" => v.is_array(),
        _ => true,
    }
}

fn value_type_name(t: &str) -> &'static str {
    match t {
        "String" | "SecureString" => "String",
        "Int" => "Integer",
        "Bool" => "Boolean",
        "Object" | "SecureObject" => "Object",
        "Array" => "Array",
        _ => "Any",
    }
}

fn eq_type(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

enum Slot {
    InProgress,
    Done(Value),
}

/// One evaluation session: lazily evaluated variables (and, while planning, parameters).
struct Session<'a> {
    template: &'a Map<String, Value>,
    v2: bool,
    ctx: &'a Context,
    host: Option<&'a dyn Host>,
    provided: &'a HashMap<String, Value>,
    params: RefCell<HashMap<String, Slot>>,
    vars: RefCell<HashMap<String, Slot>>,
    resources: &'a [Instance],
    nondeterministic: Cell<u32>,
    hash: &'a str,
}

fn section<'t>(template: &'t Map<String, Value>, name: &str) -> Option<&'t Map<String, Value>> {
    template.get(name).and_then(Value::as_object)
}

fn find_ci<'m>(map: &'m Map<String, Value>, name: &str) -> Option<(&'m String, &'m Value)> {
    map.get_key_value(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
}

impl<'a> Session<'a> {
    /// Evaluates a JSON value of the template: strings are expressions or literals, objects may
    /// hold property `copy` loops.
    fn value(&self, v: &Value, frame: &Frame, path: &str, site: Site) -> Result<Value, EvalError> {
        match v {
            Value::String(s) => self.string(s, frame, path, site),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| self.value(x, frame, &format!("{path}[{i}]"), site))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, x) in map {
                    let p = format!("{path}.{k}");
                    if k.eq_ignore_ascii_case("copy") && is_property_copy(x) {
                        for (i, entry) in x.as_array().into_iter().flatten().enumerate() {
                            let (name, items) = self.property_copy(entry, frame, &format!("{p}[{i}]"), site)?;
                            out.insert(name, Value::Array(items));
                        }
                        continue;
                    }
                    out.insert(k.clone(), self.value(x, frame, &p, site)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// A property (or variable) copy loop: `{name, count, input}` → (name, the items).
    fn property_copy(
        &self,
        entry: &Value,
        frame: &Frame,
        path: &str,
        site: Site,
    ) -> Result<(String, Vec<Value>), EvalError> {
        let entry = entry.as_object().ok_or_else(|| EvalError::new("The copy loop must be an object."))?;
        let name = match get_ci(entry, "name") {
            Some(Value::String(n)) => n.clone(),
            _ => return Err(located(EvalError::new("The copy loop must have a 'name' string."), path)),
        };
        let count = self.count(entry, frame, path)?;
        let input = get_ci(entry, "input")
            .ok_or_else(|| located(EvalError::new(format!("The copy loop '{name}' has no 'input'.")), path))?;
        let items = (0..count)
            .map(|i| self.value(input, &frame.with_loop(&name, i), &format!("{path}.input"), site))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((name, items))
    }

    fn count(&self, copy: &Map<String, Value>, frame: &Frame, path: &str) -> Result<i64, EvalError> {
        let raw =
            get_ci(copy, "count").ok_or_else(|| located(EvalError::new("The copy loop has no 'count'."), path))?;
        let v = self.value(raw, frame, &format!("{path}.count"), Site::Elsewhere)?;
        let n = match &v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match n {
            Some(n) if (0..=MAX_COPY).contains(&n) => Ok(n),
            _ => Err(located(
                EvalError::new(format!(
                    "The copy count must be an integer between 0 and {MAX_COPY}; the value is '{}'.",
                    display(&v)
                )),
                &format!("{path}.count"),
            )),
        }
    }

    fn string(&self, s: &str, frame: &Frame, path: &str, site: Site) -> Result<Value, EvalError> {
        let attach = |mut e: EvalError| {
            if e.expr.is_none() && e.code.is_none() && !e.bare {
                e.expr = Some(s.to_string());
                e.target = Some(path.to_string());
            }
            e
        };
        match expr::parse_string(s) {
            Ok(Parsed::Literal(l)) => Ok(Value::String(l)),
            Ok(Parsed::Expr(e)) => {
                functions::check(&e, site).map_err(attach)?;
                eval::eval(self, &e, frame).map_err(attach)
            }
            Err(p) => Err(attach(EvalError::at(p.message, p.pos))),
        }
    }

    /// Binds a parameter: the provided value or the default, checked against the declaration.
    fn bind(&self, name: &str, decl: &Map<String, Value>) -> Result<Value, EvalError> {
        let path = format!("parameters.{name}");
        let bare = |m: String| EvalError { bare: true, target: Some(path.clone()), ..EvalError::new(m) };
        let t = get_ci(decl, "type").and_then(Value::as_str).unwrap_or("");
        let rtype = record_type(t).unwrap_or("Any");
        let secure = rtype.starts_with("Secure");
        let value = match self.provided.get(&name.to_ascii_lowercase()) {
            Some(v) => v.clone(),
            None => match get_ci(decl, "defaultValue") {
                Some(d) => {
                    self.nondeterministic.set(self.nondeterministic.get() + 1);
                    let r = self.value(d, &Frame::default(), &format!("{path}.defaultValue"), Site::ParameterDefault);
                    self.nondeterministic.set(self.nondeterministic.get() - 1);
                    r?
                }
                None if get_ci(decl, "nullable") == Some(&Value::Bool(true)) => return Ok(Value::Null),
                None => {
                    return Err(bare(format!(
                        "The value for the template parameter '{name}' at '{path}' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details."
                    )))
                }
            },
        };
        let invalid = |why: String| {
            bare(format!(
                "The provided value for the template parameter '{name}' is not valid. {why} Please see https://aka.ms/arm-create-parameter-file for usage details."
            ))
        };
        if !type_matches(rtype, &value) || (value.is_null() && rtype != "Any") {
            return Err(invalid(format!(
                "Expected a value of type '{}', but received a value of type '{}'.",
                value_type_name(rtype),
                type_name(&value)
            )));
        }
        let shown = |v: &Value| if secure { "*****".to_string() } else { display(v) };
        if let Some(Value::Array(allowed)) = get_ci(decl, "allowedValues") {
            let candidates: Vec<&Value> = match (&value, rtype) {
                (Value::Array(items), "Array") => items.iter().collect(),
                (v, _) => vec![v],
            };
            for c in candidates {
                if !allowed.iter().any(|a| json_eq(a, c)) {
                    return Err(invalid(format!(
                        "The value '{}' is not part of the allowed value(s): '{}'.",
                        shown(c),
                        allowed.iter().map(display).collect::<Vec<_>>().join(",")
                    )));
                }
            }
        }
        if let Some(n) = value.as_i64() {
            if let Some(min) = get_ci(decl, "minValue").and_then(Value::as_i64) {
                if n < min {
                    return Err(invalid(format!(
                        "The value '{}' is less than the minimum value '{min}'.",
                        shown(&value)
                    )));
                }
            }
            if let Some(max) = get_ci(decl, "maxValue").and_then(Value::as_i64) {
                if n > max {
                    return Err(invalid(format!(
                        "The value '{}' is greater than the maximum value '{max}'.",
                        shown(&value)
                    )));
                }
            }
        }
        let len = match &value {
            Value::String(s) => Some(s.chars().count() as i64),
            Value::Array(a) => Some(a.len() as i64),
            _ => None,
        };
        if let Some(len) = len {
            if let Some(min) = get_ci(decl, "minLength").and_then(Value::as_i64) {
                if len < min {
                    return Err(invalid(format!("Length of the value should be greater than or equal to '{min}'.")));
                }
            }
            if let Some(max) = get_ci(decl, "maxLength").and_then(Value::as_i64) {
                if len > max {
                    return Err(invalid(format!("Length of the value should be less than or equal to '{max}'.")));
                }
            }
        }
        Ok(value)
    }

    fn lookup(&self, target: &str) -> Option<&'a Instance> {
        let by_symbol = |s: &str| self.resources.iter().find(|r| r.symbolic.as_deref() == Some(s) && r.copy.is_none());
        if self.v2 {
            if let Some(r) = by_symbol(target) {
                return Some(r);
            }
        }
        self.resources
            .iter()
            .filter(|r| !r.full_name.is_empty() && r.full_name.eq_ignore_ascii_case(target))
            .max_by_key(|r| r.active)
    }
}

fn located(mut e: EvalError, path: &str) -> EvalError {
    if e.target.is_none() {
        e.target = Some(path.to_string());
    }
    e
}

/// A property `copy` is an array of `{name, count, input}`; a resource's `copy` is an object.
fn is_property_copy(v: &Value) -> bool {
    v.as_array().is_some_and(|items| {
        items.iter().all(|i| i.as_object().is_some_and(|o| get_ci(o, "name").is_some() && get_ci(o, "input").is_some()))
    })
}

impl Env for Session<'_> {
    fn ctx(&self) -> &Context {
        self.ctx
    }

    fn host(&self) -> Result<&dyn Host, EvalError> {
        self.host.ok_or_else(|| EvalError::new("The resource can't be read at this point of the deployment."))
    }

    fn parameter(&self, name: &str) -> Result<Value, EvalError> {
        let key = name.to_ascii_lowercase();
        match self.params.borrow().get(&key) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                return Err(EvalError::new(format!(
                    "The template parameter '{name}' refers to itself through its default value."
                )))
            }
            None => {}
        }
        let decls = section(self.template, "parameters");
        let (declared, decl) = decls
            .and_then(|d| find_ci(d, name))
            .ok_or_else(|| EvalError::new(format!("The template parameter '{name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.")))?;
        let decl = decl
            .as_object()
            .ok_or_else(|| EvalError::new(format!("The template parameter '{declared}' must be an object.")))?;
        self.params.borrow_mut().insert(key.clone(), Slot::InProgress);
        let r = self.bind(declared, decl);
        match &r {
            Ok(v) => self.params.borrow_mut().insert(key, Slot::Done(v.clone())),
            Err(_) => self.params.borrow_mut().remove(&key),
        };
        r
    }

    fn variable(&self, name: &str) -> Result<Value, EvalError> {
        let key = name.to_ascii_lowercase();
        match self.vars.borrow().get(&key) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                return Err(EvalError::new(format!(
                    "The template variable '{name}' refers to itself (a circular reference)."
                )))
            }
            None => {}
        }
        let not_found = || {
            EvalError::new(format!("The template variable '{name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details."))
        };
        let vars = section(self.template, "variables").ok_or_else(not_found)?;
        self.vars.borrow_mut().insert(key.clone(), Slot::InProgress);
        let r = match find_ci(vars, name).filter(|(k, _)| !k.eq_ignore_ascii_case("copy")) {
            Some((k, v)) => self.value(v, &Frame::default(), &format!("variables.{k}"), Site::Elsewhere),
            None => {
                // A variable made by the section's `copy` loops.
                let entry =
                    vars.iter().find(|(k, _)| k.eq_ignore_ascii_case("copy")).and_then(|(_, c)| c.as_array()).and_then(
                        |loops| {
                            loops.iter().enumerate().find(|(_, l)| {
                                l.as_object()
                                    .and_then(|o| get_ci(o, "name"))
                                    .and_then(Value::as_str)
                                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
                            })
                        },
                    );
                match entry {
                    Some((i, l)) => self
                        .property_copy(l, &Frame::default(), &format!("variables.copy[{i}]"), Site::Elsewhere)
                        .map(|(_, items)| Value::Array(items)),
                    None => Err(not_found()),
                }
            }
        };
        match &r {
            Ok(v) => self.vars.borrow_mut().insert(key, Slot::Done(v.clone())),
            Err(_) => self.vars.borrow_mut().remove(&key),
        };
        r
    }

    fn reference(&self, target: &str, api_version: Option<&str>, full: bool) -> Result<Value, EvalError> {
        let (id, api) = if target.starts_with('/') {
            let api = api_version.map(str::to_string).or_else(|| {
                let (t, n) = ids::parse_id(target)?;
                self.resources
                    .iter()
                    .find(|r| r.full_type.eq_ignore_ascii_case(&t) && r.full_name.eq_ignore_ascii_case(&n))
                    .map(|r| r.api_version.clone())
            });
            (target.to_string(), api)
        } else {
            let r = self
                .lookup(target)
                .ok_or_else(|| EvalError::new(format!("The resource '{target}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.")))?;
            (r.id.clone(), Some(api_version.map(str::to_string).unwrap_or_else(|| r.api_version.clone())))
        };
        let body = self.host()?.get(&id, api.as_deref()).map_err(EvalError::host)?;
        Ok(if full { body } else { body.get("properties").cloned().unwrap_or_else(|| Value::Object(Map::new())) })
    }

    fn resolve_target(&self, target: &str) -> String {
        if target.starts_with('/') {
            return target.to_string();
        }
        self.lookup(target).map(|r| r.id.clone()).unwrap_or_else(|| target.to_string())
    }

    fn deployment(&self) -> Value {
        let mut props = Map::new();
        props.insert("template".into(), Value::Object(self.template.clone()));
        props.insert("templateHash".into(), Value::String(self.hash.to_string()));
        let params: Map<String, Value> = self
            .params
            .borrow()
            .iter()
            .filter_map(|(k, s)| match s {
                Slot::Done(v) => Some((k.clone(), serde_json::json!({ "value": v }))),
                Slot::InProgress => None,
            })
            .collect();
        props.insert("parameters".into(), Value::Object(params));
        props.insert("mode".into(), Value::String("Incremental".into()));
        props.insert("provisioningState".into(), Value::String("Accepted".into()));
        let mut d = Map::new();
        d.insert("name".into(), Value::String(self.ctx.deployment_name.clone()));
        d.insert("properties".into(), Value::Object(props));
        if let Some(l) = &self.ctx.deployment_location {
            d.insert("location".into(), Value::String(l.clone()));
        }
        Value::Object(d)
    }

    fn nondeterministic_allowed(&self) -> bool {
        self.nondeterministic.get() > 0
    }
}

/// Checks every expression of the template before anything is evaluated: parse errors, unknown
/// functions, argument counts, `utcNow`/`newGuid` outside parameter defaults.
fn check_all(v: &Value, path: &str, site: Site) -> Result<(), TemplateError> {
    match v {
        Value::String(s) => {
            let err = match expr::parse_string(s) {
                Ok(Parsed::Expr(e)) => functions::check(&e, site).err(),
                Ok(Parsed::Literal(_)) => None,
                Err(p) => Some(EvalError::at(p.message, p.pos)),
            };
            match err {
                Some(mut e) => {
                    e.expr = Some(s.clone());
                    Err(to_error(e, Phase::Validation, &format!("The template expression at '{path}'"), path))
                }
                None => Ok(()),
            }
        }
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, x)| check_all(x, &format!("{path}[{i}]"), site))
        }
        Value::Object(map) => {
            let nested = map.get("type").and_then(Value::as_str).is_some_and(|t| eq_type(t, DEPLOYMENTS));
            for (k, x) in map {
                let p = format!("{path}.{k}");
                if nested && k.eq_ignore_ascii_case("properties") {
                    // The nested template is checked when it runs; its other properties are ours.
                    if let Value::Object(props) = x {
                        for (pk, px) in props {
                            if !pk.eq_ignore_ascii_case("template") {
                                check_all(px, &format!("{p}.{pk}"), site)?;
                            }
                        }
                    }
                    continue;
                }
                check_all(x, &p, site)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Parses and validates the template, binds the parameters (deployment body form:
/// `{"p": {"value": …}}`; a `{"reference": {"keyVault": …}}` parameter is a clear error offline),
/// evaluates variables, conditions, copy loops, names and dependsOn, and orders the steps.
/// `host` is only used by expressions that need it at plan time.
pub fn plan(template: &Value, parameters: &Value, ctx: &Context, host: &dyn Host) -> Result<Plan, TemplateError> {
    let t =
        template.as_object().ok_or_else(|| TemplateError::validation("The template must be a JSON object.", None))?;
    for field in ["$schema", "contentVersion", "languageVersion"] {
        if let Some(v) = t.get(field) {
            if !v.is_string() {
                return Err(TemplateError::validation(
                    format!("The template property '{field}' must be a string."),
                    Some(field.into()),
                ));
            }
        }
    }
    let v2 = t.get("languageVersion").and_then(Value::as_str).is_some_and(|l| l.starts_with('2'));
    for field in ["parameters", "variables", "outputs"] {
        if let Some(v) = t.get(field) {
            if !v.is_object() {
                return Err(TemplateError::validation(
                    format!("The template property '{field}' must be an object."),
                    Some(field.into()),
                ));
            }
        }
    }
    match (t.get("resources"), v2) {
        (None, _) | (Some(Value::Array(_)), false) | (Some(Value::Object(_) | Value::Array(_)), true) => {}
        _ => {
            let want = if v2 { "an object keyed by symbolic name" } else { "an array" };
            return Err(TemplateError::validation(
                format!("The template property 'resources' must be {want}."),
                Some("resources".into()),
            ));
        }
    }

    // Every expression parses and calls known functions.
    let param_decls = section(t, "parameters").cloned().unwrap_or_default();
    for (name, decl) in &param_decls {
        let Some(decl) = decl.as_object() else {
            return Err(TemplateError::validation(
                format!("The template parameter '{name}' must be an object."),
                Some(format!("parameters.{name}")),
            ));
        };
        let ty = get_ci(decl, "type").and_then(Value::as_str);
        match ty {
            Some(ty) if record_type(ty).is_none() => {
                return Err(TemplateError::validation(
                    format!("The template parameter '{name}' has an invalid type '{ty}'. The supported types are 'string, securestring, int, bool, object, secureObject, array'."),
                    Some(format!("parameters.{name}.type")),
                ))
            }
            None if !v2 && get_ci(decl, "$ref").is_none() => {
                return Err(TemplateError::validation(format!("The template parameter '{name}' has no type."), Some(format!("parameters.{name}"))))
            }
            _ => {}
        }
        check_all(&Value::Object(decl.clone()), &format!("parameters.{name}"), Site::ParameterDefault)?;
    }
    for key in ["variables", "resources", "outputs"] {
        if let Some(v) = t.get(key) {
            check_all(v, key, Site::Elsewhere)?;
        }
    }

    // The provided parameters.
    let mut provided = HashMap::new();
    let given = match parameters {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        _ => {
            return Err(TemplateError::validation(
                "The deployment parameters must be a JSON object.",
                Some("parameters".into()),
            ))
        }
    };
    let mut unknown = Vec::new();
    for (name, entry) in &given {
        if find_ci(&param_decls, name).is_none() {
            unknown.push(name.clone());
            continue;
        }
        let entry = entry.as_object();
        if let Some(r) = entry.and_then(|e| get_ci(e, "reference")) {
            let secret = r.get("secretName").map(display).unwrap_or_default();
            return Err(TemplateError::invalid(
                format!("Deployment template validation failed: 'The value of the template parameter '{name}' is a Key Vault reference (secret '{secret}'), which can't be resolved offline. Pass the value itself.'"),
                Some(format!("parameters.{name}")),
            ));
        }
        match entry.and_then(|e| get_ci(e, "value")) {
            Some(Value::Null) | None => {}
            Some(v) => {
                provided.insert(name.to_ascii_lowercase(), v.clone());
            }
        }
    }
    if !unknown.is_empty() {
        return Err(TemplateError::validation(
            format!(
                "The template parameters '{}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '{}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.",
                unknown.join(", "),
                param_decls.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            Some("parameters".into()),
        ));
    }

    let hash = hash::template_hash(template);
    let empty_instances: Vec<Instance> = Vec::new();
    let session = Session {
        template: t,
        v2,
        ctx,
        host: Some(host),
        provided: &provided,
        params: RefCell::new(HashMap::new()),
        vars: RefCell::new(HashMap::new()),
        resources: &empty_instances,
        nondeterministic: Cell::new(0),
        hash: &hash,
    };
    let mut params = Vec::new();
    for (name, decl) in &param_decls {
        let value = session.parameter(name).map_err(|e| {
            to_error(e, Phase::Validation, &format!("The template parameter '{name}'"), &format!("parameters.{name}"))
        })?;
        let ty = decl
            .as_object()
            .and_then(|d| get_ci(d, "type"))
            .and_then(Value::as_str)
            .and_then(record_type)
            .unwrap_or("Object");
        params.push((name.clone(), ty.to_string(), ty.starts_with("Secure"), value));
    }
    let bound: HashMap<String, Value> = params.iter().map(|(n, _, _, v)| (n.to_ascii_lowercase(), v.clone())).collect();

    // Expand the resources.
    let mut acc = Expansion::default();
    let decls: Vec<(String, Option<String>, &Value)> = match t.get("resources") {
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, r)| (format!("resources[{i}]"), None, r)).collect()
        }
        Some(Value::Object(map)) => map.iter().map(|(k, r)| (format!("resources.{k}"), Some(k.clone()), r)).collect(),
        _ => Vec::new(),
    };
    for (path, symbolic, decl) in decls {
        expand(&session, decl, path, symbolic, None, &Frame::default(), &mut acc)?;
    }

    // Dependencies, then the order.
    let mut plan = Plan {
        template: template.clone(),
        ctx: ctx.clone(),
        v2,
        params,
        instances: acc.instances,
        loops: acc.loops,
        steps: Vec::new(),
        step_instance: Vec::new(),
        hash,
    };
    plan.link(&bound, host)?;
    plan.order()?;
    Ok(plan)
}

/// What every session of one template shares.
#[derive(Clone, Copy)]
struct Shared<'a> {
    template: &'a Map<String, Value>,
    v2: bool,
    ctx: &'a Context,
    hash: &'a str,
}

fn new_session<'a>(
    sh: Shared<'a>,
    host: Option<&'a dyn Host>,
    provided: &'a HashMap<String, Value>,
    params: &HashMap<String, Value>,
    resources: &'a [Instance],
) -> Session<'a> {
    Session {
        template: sh.template,
        v2: sh.v2,
        ctx: sh.ctx,
        host,
        provided,
        params: RefCell::new(params.iter().map(|(k, v)| (k.clone(), Slot::Done(v.clone()))).collect()),
        vars: RefCell::new(HashMap::new()),
        resources,
        nondeterministic: Cell::new(0),
        hash: sh.hash,
    }
}

/// The instances expanded so far, and every copy loop name met.
#[derive(Default)]
struct Expansion {
    instances: Vec<Instance>,
    loops: Vec<String>,
}

/// Expands one resource declaration (copy loop, nested children) into instances.
fn expand(
    s: &Session,
    decl: &Value,
    path: String,
    symbolic: Option<String>,
    parent: Option<usize>,
    frame: &Frame,
    acc: &mut Expansion,
) -> Result<(), TemplateError> {
    let what = |name: &str| format!("The template resource '{name}'");
    let fail = |e: EvalError, name: &str, path: &str| to_error(e, Phase::Validation, &what(name), path);
    let decl = decl.as_object().ok_or_else(|| {
        TemplateError::validation(format!("The template resource at '{path}' must be an object."), Some(path.clone()))
    })?;
    let raw_name = get_ci(decl, "name").map(display).unwrap_or_else(|| symbolic.clone().unwrap_or_default());
    let raw_type = match get_ci(decl, "type") {
        Some(Value::String(t)) => t.clone(),
        _ => {
            return Err(TemplateError::validation(
                format!("{} at '{path}' has no 'type'.", what(&raw_name)),
                Some(path.clone()),
            ))
        }
    };

    // The copy loop.
    let mut frames = Vec::new();
    let mut copy_info = None;
    match get_ci(decl, "copy") {
        None => frames.push(frame.clone()),
        Some(Value::Object(copy)) => {
            let cpath = format!("{path}.copy");
            let name = get_ci(copy, "name").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
                TemplateError::validation(
                    format!("{} has a copy loop without a 'name'.", what(&raw_name)),
                    Some(cpath.clone()),
                )
            })?;
            let count = s.count(copy, frame, &cpath).map_err(|e| fail(e, &raw_name, &cpath))?;
            let serial = get_ci(copy, "mode").and_then(Value::as_str).is_some_and(|m| m.eq_ignore_ascii_case("serial"));
            let batch = match get_ci(copy, "batchSize") {
                None => 1,
                Some(b) => {
                    let b = s
                        .value(b, frame, &format!("{cpath}.batchSize"), Site::Elsewhere)
                        .map_err(|e| fail(e, &raw_name, &cpath))?;
                    b.as_i64().filter(|n| *n >= 1).ok_or_else(|| {
                        TemplateError::validation(
                            format!("{} has an invalid copy batchSize '{}'.", what(&raw_name), display(&b)),
                            Some(cpath.clone()),
                        )
                    })?
                }
            };
            for i in 0..count {
                let mut f = frame.with_loop(&name, i);
                f.default = Some(i);
                frames.push(f);
            }
            acc.loops.push(name.clone());
            copy_info = Some((name, serial.then_some(batch)));
        }
        Some(_) => {
            return Err(TemplateError::validation(
                format!("{} has a 'copy' that is not an object.", what(&raw_name)),
                Some(format!("{path}.copy")),
            ))
        }
    }

    let first = acc.instances.len();
    for (i, f) in frames.into_iter().enumerate() {
        let parent_inst = parent.and_then(|p| acc.instances.get(p)).cloned();
        let active_parent = parent_inst.as_ref().is_none_or(|p| p.active);
        let condition = match get_ci(decl, "condition") {
            None => true,
            Some(c) => match s
                .value(c, &f, &format!("{path}.condition"), Site::Elsewhere)
                .map_err(|e| fail(e, &raw_name, &path))?
            {
                Value::Bool(b) => b,
                Value::String(x) if x.eq_ignore_ascii_case("true") => true,
                Value::String(x) if x.eq_ignore_ascii_case("false") => false,
                other => {
                    return Err(TemplateError::validation(
                        format!(
                            "{} has a condition of type '{}'; it must be a boolean.",
                            what(&raw_name),
                            type_name(&other)
                        ),
                        Some(format!("{path}.condition")),
                    ))
                }
            },
        };
        let active = condition && active_parent;
        let existing = get_ci(decl, "existing") == Some(&Value::Bool(true));
        let evaluated = |field: &str| -> Result<String, EvalError> {
            match get_ci(decl, field) {
                None => Ok(String::new()),
                Some(v) => s.value(v, &f, &format!("{path}.{field}"), Site::Elsewhere).map(|v| display(&v)),
            }
        };
        let name = match evaluated("name") {
            Ok(n) => n,
            Err(_) if !active => String::new(),
            Err(e) => return Err(fail(e, &raw_name, &path)),
        };
        let api_version = evaluated("apiVersion").unwrap_or_default();
        let (full_type, full_name) = match &parent_inst {
            Some(p) if !raw_type.contains('/') => {
                let n = if name.is_empty() || p.full_name.is_empty() {
                    String::new()
                } else {
                    format!("{}/{name}", p.full_name)
                };
                (format!("{}/{raw_type}", p.full_type), n)
            }
            _ => (raw_type.clone(), name.clone()),
        };
        let label = if full_name.is_empty() { raw_name.clone() } else { full_name.clone() };
        let mut inst = Instance {
            decl: decl.clone(),
            path: path.clone(),
            frame: f.clone(),
            symbolic: symbolic.clone(),
            copy: copy_info.as_ref().map(|(n, serial)| CopyAt {
                name: n.clone(),
                index: i as i64,
                serial: *serial,
                first,
            }),
            full_type,
            full_name,
            api_version,
            id: String::new(),
            active,
            existing,
            nested: None,
            parent,
            deps: BTreeSet::new(),
        };
        match place(s, &inst, &acc.instances) {
            Ok((id, nested)) => {
                inst.id = id;
                inst.nested = nested;
            }
            Err(_) if !active || inst.full_name.is_empty() => {}
            Err(e) => return Err(fail(e, &label, &path)),
        }
        if active
            && !existing
            && get_ci(decl, "properties")
                .and_then(Value::as_object)
                .is_some_and(|p| get_ci(p, "templateLink").is_some() || get_ci(p, "parametersLink").is_some())
        {
            return Err(TemplateError {
                code: "InvalidContentLink".into(),
                message: format!(
                    "Deployment template validation failed: 'The nested deployment '{label}' uses a 'templateLink' or 'parametersLink'; linked templates can't be downloaded offline. Inline the template in 'properties.template' instead.'"
                ),
                target: Some(format!("{path}.properties")),
            });
        }
        let idx = acc.instances.len();
        acc.instances.push(inst);
        if let Some(Value::Array(children)) = get_ci(decl, "resources") {
            for (ci, child) in children.iter().enumerate() {
                expand(s, child, format!("{path}.resources[{ci}]"), None, Some(idx), &f, acc)?;
            }
        }
    }
    Ok(())
}

/// The id of an instance, and where a nested deployment runs.
fn place(s: &Session, inst: &Instance, before: &[Instance]) -> Result<(String, Option<Scope>), EvalError> {
    let decl = &inst.decl;
    let field = |name: &str| -> Result<Option<String>, EvalError> {
        match get_ci(decl, name) {
            None => Ok(None),
            Some(v) => {
                s.value(v, &inst.frame, &format!("{}.{name}", inst.path), Site::Elsewhere).map(|v| Some(display(&v)))
            }
        }
    };
    let names: Vec<&str> = inst.full_name.split('/').collect();
    let is_deployment = eq_type(&inst.full_type, DEPLOYMENTS);
    let sub_field = field("subscriptionId")?;
    let rg_field = field("resourceGroup")?;
    let ctx_sub = s.ctx.scope.subscription().to_string();

    if let Some(scope) = field("scope")? {
        let base = if scope.starts_with('/') {
            scope.trim_end_matches('/').to_string()
        } else if let Some(r) = before.iter().find(|r| r.symbolic.as_deref() == Some(scope.as_str())) {
            r.id.clone()
        } else {
            format!("{}/providers/{}", s.ctx.scope.id(), scope.trim_matches('/'))
        };
        return ids::resource_id(&base, &inst.full_type, &names)
            .map(|id| (id, None))
            .map_err(|e| segment_error(inst, &e));
    }

    let target = match (&s.ctx.scope, &sub_field, &rg_field) {
        (_, sub, Some(rg)) => {
            Scope::ResourceGroup { subscription: sub.clone().unwrap_or(ctx_sub.clone()), group: rg.clone() }
        }
        (Scope::ResourceGroup { .. }, Some(sub), None) if is_deployment => {
            Scope::Subscription { subscription: sub.clone() }
        }
        (Scope::ResourceGroup { group, .. }, sub, None) => {
            Scope::ResourceGroup { subscription: sub.clone().unwrap_or(ctx_sub.clone()), group: group.clone() }
        }
        (Scope::Subscription { .. }, sub, None) => {
            Scope::Subscription { subscription: sub.clone().unwrap_or(ctx_sub.clone()) }
        }
    };
    if eq_type(&inst.full_type, "Microsoft.Resources/resourceGroups") && matches!(target, Scope::Subscription { .. }) {
        return Ok((format!("{}/resourceGroups/{}", target.id(), inst.full_name), None));
    }
    let id = ids::resource_id(&target.id(), &inst.full_type, &names).map_err(|e| segment_error(inst, &e))?;
    Ok((id, is_deployment.then_some(target)))
}

fn segment_error(inst: &Instance, why: &str) -> EvalError {
    EvalError::new(format!(
        "The template resource '{}' for type '{}' has incorrect segment lengths ({why}) A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.",
        inst.full_name, inst.full_type
    ))
}

impl Plan {
    fn template_map(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.template.as_object().unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    fn shared(&self) -> Shared<'_> {
        Shared { template: self.template_map(), v2: self.v2, ctx: &self.ctx, hash: &self.hash }
    }

    fn bound(&self) -> HashMap<String, Value> {
        self.params.iter().map(|(n, _, _, v)| (n.to_ascii_lowercase(), v.clone())).collect()
    }

    /// The instances a `dependsOn` entry (or a `reference()` target) names.
    fn find(&self, entry: &str, from: usize) -> Vec<usize> {
        let all: Vec<usize> = (0..self.instances.len()).filter(|i| *i != from).collect();
        let pick = |f: &dyn Fn(&Instance) -> bool| -> Vec<usize> {
            all.iter().copied().filter(|i| f(&self.instances[*i])).collect()
        };
        if self.v2 {
            let hit = pick(&|r| r.symbolic.as_deref() == Some(entry));
            if !hit.is_empty() {
                return hit;
            }
            if let Some((sym, rest)) = entry.split_once('[') {
                if let Some(Ok(n)) = rest.strip_suffix(']').map(str::parse::<i64>) {
                    let hit =
                        pick(&|r| r.symbolic.as_deref() == Some(sym) && r.copy.as_ref().is_some_and(|c| c.index == n));
                    if !hit.is_empty() {
                        return hit;
                    }
                }
            }
        }
        let hit = pick(&|r| r.copy.as_ref().is_some_and(|c| c.name.eq_ignore_ascii_case(entry)) && r.parent.is_none());
        if !hit.is_empty() {
            return hit;
        }
        let matches = |t: &str, n: &str| {
            pick(&|r| {
                !r.full_name.is_empty() && r.full_type.eq_ignore_ascii_case(t) && r.full_name.eq_ignore_ascii_case(n)
            })
        };
        if entry.starts_with('/') {
            if let Some((t, n)) = ids::parse_id(entry) {
                return matches(&t, &n);
            }
            return Vec::new();
        }
        if entry.contains('/') {
            for (t, n) in ids::parse_type_name(entry) {
                let hit = matches(&t, &n);
                if !hit.is_empty() {
                    return hit;
                }
            }
        }
        let hit = pick(&|r| !r.full_name.is_empty() && r.full_name.eq_ignore_ascii_case(entry));
        if !hit.is_empty() {
            return hit;
        }
        pick(&|r| {
            r.full_name.rsplit('/').next().is_some_and(|last| !last.is_empty() && last.eq_ignore_ascii_case(entry))
        })
    }

    /// Works out every instance's dependencies: parent, serial copy batches, `dependsOn`, and the
    /// implicit ones of `reference()`/`list*()` calls on resources of the template.
    fn link(&mut self, bound: &HashMap<String, Value>, host: &dyn Host) -> Result<(), TemplateError> {
        let t = self.template.as_object().cloned().unwrap_or_default();
        let provided = HashMap::new();
        let instances = self.instances.clone();
        let sh = Shared { template: &t, v2: self.v2, ctx: &self.ctx, hash: &self.hash };
        let with_host = new_session(sh, Some(host), &provided, bound, &instances);
        let no_host = new_session(sh, None, &provided, bound, &instances);
        for i in 0..instances.len() {
            let inst = &instances[i];
            let mut deps = BTreeSet::new();
            if let Some(p) = inst.parent {
                deps.insert(p);
            }
            if let Some(c) = &inst.copy {
                if let Some(batch) = c.serial {
                    let b = c.index / batch;
                    if b > 0 {
                        for j in (b - 1) * batch..b * batch {
                            deps.insert(c.first + j as usize);
                        }
                    }
                }
            }
            if let Some(Value::Array(entries)) = get_ci(&inst.decl, "dependsOn") {
                for (k, e) in entries.iter().enumerate() {
                    let path = format!("{}.dependsOn[{k}]", inst.path);
                    let entry = match with_host.value(e, &inst.frame, &path, Site::Elsewhere) {
                        Ok(Value::String(x)) => x,
                        Ok(_) | Err(_) if !inst.active => continue,
                        Ok(other) => {
                            return Err(TemplateError::validation(
                                format!(
                                    "The dependsOn entry of resource '{}' must be a string, not '{}'.",
                                    inst.label(),
                                    type_name(&other)
                                ),
                                Some(path),
                            ))
                        }
                        Err(e) => {
                            return Err(to_error(
                                e,
                                Phase::Validation,
                                &format!("The template resource '{}'", inst.label()),
                                &path,
                            ))
                        }
                    };
                    let found = self.find(&entry, i);
                    if found.is_empty() {
                        let empty_loop = self.loops.iter().any(|l| l.eq_ignore_ascii_case(&entry));
                        if !inst.active || empty_loop {
                            continue;
                        }
                        return Err(TemplateError::validation(
                            format!("The resource '{entry}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details."),
                            Some(path),
                        ));
                    }
                    deps.extend(found);
                }
            }
            let mut implicit = Vec::new();
            for (k, v) in &inst.decl {
                if TEMPLATE_ONLY.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                    continue;
                }
                scan_references(
                    &no_host,
                    v,
                    &inst.frame,
                    eq_type(&inst.full_type, DEPLOYMENTS) && k.eq_ignore_ascii_case("properties"),
                    &mut implicit,
                );
            }
            for target in implicit {
                deps.extend(self.find(&target, i).into_iter().filter(|j| !instances[*j].existing));
            }
            self.instances[i].deps = deps;
        }
        Ok(())
    }

    /// Orders the active instances into steps: topological, stable by template order.
    fn order(&mut self) -> Result<(), TemplateError> {
        let n = self.instances.len();
        // A cycle anywhere in the template is an error, even through condition-false resources.
        let mut indegree: Vec<usize> = vec![0; n];
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, inst) in self.instances.iter().enumerate() {
            for d in &inst.deps {
                indegree[i] += 1;
                users[*d].push(i);
            }
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|i| indegree[*i] == 0).collect();
        let mut done = vec![false; n];
        while let Some(i) = ready.pop_first() {
            done[i] = true;
            for u in &users[i] {
                indegree[*u] -= 1;
                if indegree[*u] == 0 {
                    ready.insert(*u);
                }
            }
        }
        if let Some(start) = (0..n).find(|i| !done[*i]) {
            let cycle = self.cycle_from(start, &done);
            let names: Vec<String> =
                cycle.iter().map(|i| self.instances[*i].id.clone()).map(|id| format!("'{id}'")).collect();
            return Err(TemplateError::validation(
                format!("Circular dependency detected on resource: {}. Please see https://aka.ms/arm-syntax-resources for usage details.", names.join(", ")),
                Some(self.instances[cycle[0]].path.clone()),
            ));
        }

        // Skipped resources (condition false, existing) pass their dependencies on.
        let deployed = |i: usize| self.instances[i].active && !self.instances[i].existing;
        let mut memo: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        let mut effective: Vec<BTreeSet<usize>> = Vec::with_capacity(n);
        for inst in &self.instances {
            let mut set = BTreeSet::new();
            for d in &inst.deps {
                self.through(*d, &deployed, &mut memo, &mut set);
            }
            effective.push(set);
        }
        let active: Vec<usize> = (0..n).filter(|i| deployed(*i)).collect();
        let mut indegree: HashMap<usize, usize> = active.iter().map(|i| (*i, effective[*i].len())).collect();
        let mut users: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in &active {
            for d in &effective[*i] {
                users.entry(*d).or_default().push(*i);
            }
        }
        let mut ready: BTreeSet<usize> = active.iter().copied().filter(|i| indegree[i] == 0).collect();
        let mut step_of: HashMap<usize, usize> = HashMap::new();
        while let Some(i) = ready.pop_first() {
            step_of.insert(i, self.steps.len());
            let inst = &self.instances[i];
            let mut depends_on: Vec<usize> = effective[i].iter().filter_map(|d| step_of.get(d).copied()).collect();
            depends_on.sort_unstable();
            self.steps.push(Step {
                id: inst.id.clone(),
                resource_type: inst.full_type.clone(),
                name: inst.full_name.clone(),
                api_version: inst.api_version.clone(),
                symbolic_name: inst.symbolic.clone(),
                depends_on,
                nested: inst.nested.clone(),
            });
            self.step_instance.push(i);
            for u in users.get(&i).cloned().unwrap_or_default() {
                if let Some(d) = indegree.get_mut(&u) {
                    *d -= 1;
                    if *d == 0 {
                        ready.insert(u);
                    }
                }
            }
        }
        Ok(())
    }

    fn through(
        &self,
        d: usize,
        deployed: &dyn Fn(usize) -> bool,
        memo: &mut HashMap<usize, BTreeSet<usize>>,
        out: &mut BTreeSet<usize>,
    ) {
        if deployed(d) {
            out.insert(d);
            return;
        }
        if let Some(m) = memo.get(&d) {
            out.extend(m.iter().copied());
            return;
        }
        let mut set = BTreeSet::new();
        for dd in self.instances[d].deps.clone() {
            self.through(dd, deployed, memo, &mut set);
        }
        out.extend(set.iter().copied());
        memo.insert(d, set);
    }

    fn cycle_from(&self, start: usize, done: &[bool]) -> Vec<usize> {
        // Walk undone dependencies until a node repeats: that loop is a cycle.
        let mut seen: Vec<usize> = Vec::new();
        let mut cur = start;
        loop {
            if let Some(p) = seen.iter().position(|x| *x == cur) {
                return seen[p..].to_vec();
            }
            seen.push(cur);
            match self.instances[cur].deps.iter().find(|d| !done[**d]) {
                Some(d) => cur = *d,
                None => return seen,
            }
        }
    }

    /// The resources to deploy, in execution order (condition-false resources left out; `existing` ones excluded too).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Evaluates step `i`'s resource now (its dependencies have been deployed), returning the body to PUT.
    pub fn resolve(&self, i: usize, host: &dyn Host) -> Result<Value, TemplateError> {
        let inst = self
            .step_instance
            .get(i)
            .and_then(|x| self.instances.get(*x))
            .ok_or_else(|| TemplateError::invalid(format!("The deployment plan has no step {i}."), None))?;
        let provided = HashMap::new();
        let s = new_session(self.shared(), Some(host), &provided, &self.bound(), &self.instances);
        let fail = |e: EvalError| {
            to_error(e, Phase::Evaluation, &format!("The template resource '{}'", inst.label()), &inst.path)
        };
        let mut body = Map::new();
        for (k, v) in &inst.decl {
            if TEMPLATE_ONLY.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                continue;
            }
            let path = format!("{}.{k}", inst.path);
            let value =
                if eq_type(&inst.full_type, DEPLOYMENTS) && k.eq_ignore_ascii_case("properties") && v.is_object() {
                    self.nested_properties(&s, inst, v, &path).map_err(fail)?
                } else {
                    s.value(v, &inst.frame, &path, Site::Elsewhere).map_err(fail)?
                };
            body.insert(k.clone(), value);
        }
        Ok(Value::Object(body))
    }

    /// A nested deployment's `properties`: the template is passed as is (inner scope) or with its
    /// expressions evaluated in this deployment's context (outer scope).
    fn nested_properties(&self, s: &Session, inst: &Instance, props: &Value, path: &str) -> Result<Value, EvalError> {
        let props = props.as_object().cloned().unwrap_or_default();
        let inner = inner_scope(&props);
        let mut out = Map::new();
        for (k, v) in &props {
            let p = format!("{path}.{k}");
            let value = if k.eq_ignore_ascii_case("template") {
                if inner {
                    v.clone()
                } else {
                    fold_outer(s, v, &inst.frame, &p)?
                }
            } else {
                s.value(v, &inst.frame, &p, Site::Elsewhere)?
            };
            out.insert(k.clone(), value);
        }
        Ok(Value::Object(out))
    }

    /// The outputs, as a deployment record shows them: `{"name": {"type": "String", "value": …}}`; secure outputs omitted.
    pub fn outputs(&self, host: &dyn Host) -> Result<Map<String, Value>, TemplateError> {
        let provided = HashMap::new();
        let s = new_session(self.shared(), Some(host), &provided, &self.bound(), &self.instances);
        let mut out = Map::new();
        let Some(outputs) = section(self.template_map(), "outputs") else { return Ok(out) };
        for (name, decl) in outputs {
            let path = format!("outputs.{name}");
            let fail = |e: EvalError| to_error(e, Phase::Evaluation, &format!("The template output '{name}'"), &path);
            let Some(decl) = decl.as_object() else {
                return Err(TemplateError::invalid(
                    format!("The template output '{name}' must be an object."),
                    Some(path),
                ));
            };
            if let Some(c) = get_ci(decl, "condition") {
                match s.value(c, &Frame::default(), &format!("{path}.condition"), Site::Elsewhere).map_err(fail)? {
                    Value::Bool(false) => continue,
                    Value::String(x) if x.eq_ignore_ascii_case("false") => continue,
                    _ => {}
                }
            }
            let declared = get_ci(decl, "type").and_then(Value::as_str).unwrap_or("");
            let rtype = record_type(declared);
            if rtype.is_some_and(|t| t.starts_with("Secure")) {
                continue;
            }
            let value = match get_ci(decl, "copy").and_then(Value::as_object) {
                Some(copy) => {
                    let count = s.count(copy, &Frame::default(), &format!("{path}.copy")).map_err(fail)?;
                    let input = get_ci(copy, "input").cloned().unwrap_or(Value::Null);
                    let items = (0..count)
                        .map(|i| {
                            let f = Frame { loops: Vec::new(), default: Some(i) };
                            s.value(&input, &f, &format!("{path}.copy.input"), Site::Elsewhere)
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(fail)?;
                    Value::Array(items)
                }
                None => match get_ci(decl, "value") {
                    Some(v) => {
                        s.value(v, &Frame::default(), &format!("{path}.value"), Site::Elsewhere).map_err(fail)?
                    }
                    None => Value::Null,
                },
            };
            let rtype = rtype.unwrap_or(match &value {
                Value::String(_) => "String",
                Value::Bool(_) => "Bool",
                Value::Array(_) => "Array",
                Value::Number(_) => "Int",
                _ => "Object",
            });
            if !value.is_null() && !type_matches(rtype, &value) {
                return Err(TemplateError::invalid(
                    format!(
                        "Deployment template language expression evaluation failed: 'The template output '{name}' is not valid: the output value is of type '{}', but the declared type is '{declared}'.'",
                        type_name(&value)
                    ),
                    Some(path),
                ));
            }
            let mut record = Map::new();
            record.insert("type".into(), Value::String(rtype.to_string()));
            record.insert("value".into(), value);
            out.insert(name.clone(), Value::Object(record));
        }
        Ok(out)
    }

    /// The parameters as a deployment record shows them: `{"name": {"type": "String", "value": …}}`;
    /// secureString/secureObject values are never included (only the type).
    pub fn parameters(&self) -> Map<String, Value> {
        self.params
            .iter()
            .map(|(name, ty, secure, value)| {
                let mut record = Map::new();
                record.insert("type".into(), Value::String(ty.clone()));
                if !secure {
                    record.insert("value".into(), value.clone());
                }
                (name.clone(), Value::Object(record))
            })
            .collect()
    }

    /// A stable decimal hash of the template (ARM's `templateHash` is a decimal string).
    pub fn template_hash(&self) -> String {
        self.hash.clone()
    }

    /// The record's `dependencies` array: `[{id, resourceType, resourceName, dependsOn: [{id, resourceType, resourceName}]}]`.
    pub fn dependencies(&self) -> Vec<Value> {
        let brief =
            |s: &Step| serde_json::json!({ "id": s.id, "resourceType": s.resource_type, "resourceName": s.name });
        self.steps
            .iter()
            .filter(|s| !s.depends_on.is_empty())
            .map(|s| {
                let mut v = brief(s);
                v["dependsOn"] =
                    Value::Array(s.depends_on.iter().filter_map(|d| self.steps.get(*d)).map(brief).collect());
                v
            })
            .collect()
    }
}

fn inner_scope(props: &Map<String, Value>) -> bool {
    get_ci(props, "expressionEvaluationOptions")
        .and_then(Value::as_object)
        .and_then(|o| get_ci(o, "scope"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"))
}

/// Collects the targets of `reference()`/`list*()` calls whose first argument can be worked out
/// now. Nested templates are skipped: their references are the nested deployment's own.
fn scan_references(s: &Session, v: &Value, frame: &Frame, nested_props: bool, out: &mut Vec<String>) {
    match v {
        Value::String(text) => {
            let Ok(Parsed::Expr(e)) = expr::parse_string(text) else { return };
            expr::visit_calls(&e, &mut |name, args, _| {
                let lower = name.to_ascii_lowercase();
                let is_ref = lower == "reference" || (lower.starts_with("list") && functions::spec(&lower).is_none());
                if let (true, Some(first)) = (is_ref, args.first()) {
                    if let Ok(Value::String(target)) = eval::eval(s, first, frame) {
                        out.push(target);
                    }
                }
            });
        }
        Value::Array(items) => items.iter().for_each(|x| scan_references(s, x, frame, false, out)),
        Value::Object(map) => {
            for (k, x) in map {
                if nested_props && k.eq_ignore_ascii_case("template") {
                    continue;
                }
                scan_references(s, x, frame, false, out);
            }
        }
        _ => {}
    }
}

/// Re-escapes strings that would read as expressions in the nested deployment.
fn escape_deep(v: Value) -> Value {
    match v {
        Value::String(s) if s.starts_with('[') => Value::String(format!("[{s}")),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_deep).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, escape_deep(v))).collect()),
        other => other,
    }
}

/// An outer-scope nested template: every expression is evaluated in this deployment's context,
/// except copy loops and references, which stay for the nested deployment (with their arguments
/// folded in). Inner-scope deployments inside it are left as they are.
fn fold_outer(s: &Session, v: &Value, frame: &Frame, path: &str) -> Result<Value, EvalError> {
    match v {
        Value::String(text) => match expr::parse_string(text) {
            Ok(Parsed::Literal(l)) => Ok(escape_deep(Value::String(l))),
            Ok(Parsed::Expr(e)) => {
                let attach = |mut err: EvalError| {
                    if err.expr.is_none() && err.code.is_none() {
                        err.expr = Some(text.clone());
                        err.target = Some(path.to_string());
                    }
                    err
                };
                functions::check(&e, Site::Elsewhere).map_err(attach)?;
                match eval::partial(s, &e, frame).map_err(attach)? {
                    Partial::Value(v) => Ok(escape_deep(v)),
                    Partial::Residual(r) => Ok(Value::String(format!("[{}]", expr::print(&r)))),
                }
            }
            Err(p) => Err(EvalError {
                expr: Some(text.clone()),
                target: Some(path.to_string()),
                ..EvalError::at(p.message, p.pos)
            }),
        },
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| fold_outer(s, x, frame, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => {
            let nested_inner = map.get("type").and_then(Value::as_str).is_some_and(|t| eq_type(t, DEPLOYMENTS))
                && map.get("properties").and_then(Value::as_object).is_some_and(inner_scope);
            let mut out = Map::new();
            for (k, x) in map {
                let p = format!("{path}.{k}");
                let value = if nested_inner && k.eq_ignore_ascii_case("properties") {
                    let mut props = Map::new();
                    for (pk, px) in x.as_object().into_iter().flatten() {
                        let folded = if pk.eq_ignore_ascii_case("template") {
                            px.clone()
                        } else {
                            fold_outer(s, px, frame, &format!("{p}.{pk}"))?
                        };
                        props.insert(pk.clone(), folded);
                    }
                    Value::Object(props)
                } else {
                    fold_outer(s, x, frame, &p)?
                };
                out.insert(k.clone(), value);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

/// [`crate::evaluate`]: one string against given parameters and variables.
pub(crate) fn evaluate_standalone(
    text: &str,
    parameters: &Map<String, Value>,
    variables: &Map<String, Value>,
    ctx: &Context,
    host: &dyn Host,
) -> Result<Value, TemplateError> {
    let mut t = Map::new();
    let decls: Map<String, Value> =
        parameters.keys().map(|k| (k.clone(), serde_json::json!({"type": "object"}))).collect();
    t.insert("parameters".into(), Value::Object(decls));
    // Variables are given as values: escape them so they are not evaluated again.
    t.insert("variables".into(), escape_deep(Value::Object(variables.clone())));
    let bound: HashMap<String, Value> = parameters.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
    let provided = HashMap::new();
    let s = new_session(Shared { template: &t, v2: false, ctx, hash: "0" }, Some(host), &provided, &bound, &[]);
    s.string(text, &Frame::default(), "expression", Site::Elsewhere)
        .map_err(|e| to_error(e, Phase::Evaluation, "The template expression", "expression"))
}
