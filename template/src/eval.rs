//! The evaluator: an [`Expr`] against an [`Env`] (parameters, variables, resources, the host) and a
//! [`Frame`] (the copy loops around the expression). Evaluation is pure apart from the host.

use crate::expr::{self, Expr};
use crate::{functions, Context, Host, HostError};
use serde_json::{Map, Value};

/// An evaluation failure: ARM's message and the position of the failing call, or a host error
/// (which keeps its own code and message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EvalError {
    pub message: String,
    pub pos: Option<usize>,
    /// Set for host errors, which are propagated unchanged.
    pub code: Option<String>,
    /// The expression (the whole JSON string) the error happened in, innermost first.
    pub expr: Option<String>,
    /// Where in the template that expression is, e.g. `variables.x`.
    pub target: Option<String>,
    /// The message is complete on its own (parameter binding errors): it is not wrapped in
    /// "The template resource '…' is not valid: …".
    pub bare: bool,
}

impl EvalError {
    pub fn new(message: impl Into<String>) -> Self {
        EvalError { message: message.into(), pos: None, code: None, expr: None, target: None, bare: false }
    }
    pub fn at(message: impl Into<String>, pos: usize) -> Self {
        EvalError { message: message.into(), pos: Some(pos), code: None, expr: None, target: None, bare: false }
    }
    pub fn host(e: HostError) -> Self {
        EvalError { message: e.message, pos: None, code: Some(e.code), expr: None, target: None, bare: false }
    }
    /// Fills in the position if the error has none yet.
    pub fn or_at(mut self, pos: usize) -> Self {
        if self.pos.is_none() && self.code.is_none() {
            self.pos = Some(pos);
        }
        self
    }
}

/// The copy loops an expression sits in.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Frame {
    /// Named loops (resource, property, variable and output copies), innermost last.
    pub loops: Vec<(String, i64)>,
    /// The index `copyIndex()` without a loop name returns (the resource's or output's loop).
    pub default: Option<i64>,
}

impl Frame {
    pub fn with_loop(&self, name: &str, index: i64) -> Frame {
        let mut f = self.clone();
        f.loops.push((name.to_string(), index));
        f
    }
    pub fn index_of(&self, name: &str) -> Option<i64> {
        self.loops.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, i)| *i)
    }
}

/// What the template-level functions see.
pub(crate) trait Env {
    fn ctx(&self) -> &Context;
    fn host(&self) -> Result<&dyn Host, EvalError>;
    fn parameter(&self, name: &str) -> Result<Value, EvalError>;
    fn variable(&self, name: &str) -> Result<Value, EvalError>;
    /// `reference(target, apiVersion, 'Full')`: `target` is a resource id, a resource name or a symbolic name.
    fn reference(&self, target: &str, api_version: Option<&str>, full: bool) -> Result<Value, EvalError>;
    /// The id a `list*()` target names (a resource of the template by name, or an id as is).
    fn resolve_target(&self, target: &str) -> String;
    /// What `deployment()` returns.
    fn deployment(&self) -> Value;
    /// Whether `utcNow()` and `newGuid()` may be called (only in parameter default values).
    fn nondeterministic_allowed(&self) -> bool;
}

/// ARM's name for a value's type.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Float",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

/// Case-insensitive property lookup (an exact match wins), as ARM does.
pub(crate) fn get_ci<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

pub(crate) fn eval(env: &dyn Env, e: &Expr, frame: &Frame) -> Result<Value, EvalError> {
    match e {
        Expr::Str(s) => Ok(Value::String(s.clone())),
        Expr::Int(n) => Ok(Value::from(*n)),
        Expr::Call { name, args, pos } => functions::call(env, name, args, *pos, frame).map_err(|e| e.or_at(*pos)),
        Expr::Member { target, name, pos } => {
            let t = eval(env, target, frame)?;
            member(&t, name).map_err(|m| EvalError::at(m, *pos))
        }
        Expr::Index { target, index, pos } => {
            let t = eval(env, target, frame)?;
            let i = eval(env, index, frame)?;
            match (&t, &i) {
                (Value::Array(items), Value::Number(n)) => {
                    let idx = n.as_i64().ok_or_else(|| {
                        EvalError::at(
                            format!("The language expression property array index '{n}' is out of bounds."),
                            *pos,
                        )
                    })?;
                    usize::try_from(idx).ok().and_then(|u| items.get(u)).cloned().ok_or_else(|| {
                        EvalError::at(
                            format!("The language expression property array index '{idx}' is out of bounds."),
                            *pos,
                        )
                    })
                }
                (Value::Object(_), Value::String(s)) => member(&t, s).map_err(|m| EvalError::at(m, *pos)),
                _ => Err(EvalError::at(
                    format!(
                        "The language expression property '{}' can't be evaluated on a value of type '{}'.",
                        display(&i),
                        type_name(&t)
                    ),
                    *pos,
                )),
            }
        }
    }
}

fn member(t: &Value, name: &str) -> Result<Value, String> {
    match t {
        Value::Object(map) => get_ci(map, name).cloned().ok_or_else(|| {
            format!(
                "The language expression property '{name}' doesn't exist, available properties are '{}'.",
                map.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        }),
        other => Err(format!(
            "The language expression property '{name}' can't be evaluated, property name must be a string and the value must be an object; the value is of type '{}'.",
            type_name(other)
        )),
    }
}

/// How `string()`, `concat()` and `format()` print a value.
pub(crate) fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Deep equality, with integers and floats of the same value equal.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| get_ci(y, k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The result of partly evaluating an expression of a nested template in the outer context.
pub(crate) enum Partial {
    Value(Value),
    /// Left for the nested deployment to evaluate (the tree has every evaluable part folded in).
    Residual(Expr),
}

/// Functions an outer-scope nested template keeps for its own evaluation: loops and references
/// belong to the nested deployment.
fn is_residual_function(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "copyindex" || n == "reference" || (n.starts_with("list") && functions::spec(&n).is_none())
}

pub(crate) fn partial(env: &dyn Env, e: &Expr, frame: &Frame) -> Result<Partial, EvalError> {
    let fold = |p: Partial| match p {
        Partial::Value(v) => value_expr(&v),
        Partial::Residual(e) => e,
    };
    match e {
        Expr::Call { name, args, pos } => {
            let parts = args.iter().map(|a| partial(env, a, frame)).collect::<Result<Vec<_>, _>>()?;
            let all_values = parts.iter().all(|p| matches!(p, Partial::Value(_)));
            if all_values && !is_residual_function(name) {
                let folded: Vec<Expr> = parts.into_iter().map(fold).collect();
                return eval(env, &Expr::Call { name: name.clone(), args: folded, pos: *pos }, frame)
                    .map(Partial::Value);
            }
            let folded = parts.into_iter().map(fold).collect();
            Ok(Partial::Residual(Expr::Call { name: name.clone(), args: folded, pos: *pos }))
        }
        Expr::Member { target, name, pos } => match partial(env, target, frame)? {
            Partial::Value(v) => member(&v, name).map(Partial::Value).map_err(|m| EvalError::at(m, *pos)),
            Partial::Residual(t) => {
                Ok(Partial::Residual(Expr::Member { target: Box::new(t), name: name.clone(), pos: *pos }))
            }
        },
        Expr::Index { target, index, pos } => {
            let t = partial(env, target, frame)?;
            let i = partial(env, index, frame)?;
            match (t, i) {
                (Partial::Value(t), Partial::Value(i)) => {
                    let e =
                        Expr::Index { target: Box::new(value_expr(&t)), index: Box::new(value_expr(&i)), pos: *pos };
                    eval(env, &e, frame).map(Partial::Value)
                }
                (t, i) => Ok(Partial::Residual(Expr::Index {
                    target: Box::new(fold(t)),
                    index: Box::new(fold(i)),
                    pos: *pos,
                })),
            }
        }
        other => eval(env, other, frame).map(Partial::Value),
    }
}

/// An expression that evaluates to `v`.
fn value_expr(v: &Value) -> Expr {
    match v {
        Value::String(s) => Expr::Str(s.clone()),
        Value::Number(n) if n.is_i64() => Expr::Int(n.as_i64().unwrap_or_default()),
        other => {
            // Re-parse the printed literal (`true()`, `json('…')`): it is always well formed.
            let text = format!("[{}]", expr::literal(other));
            match expr::parse_string(&text) {
                Ok(expr::Parsed::Expr(e)) => e,
                _ => Expr::Str(other.to_string()),
            }
        }
    }
}
