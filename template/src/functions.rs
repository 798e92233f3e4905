//! The template functions: a table of names and argument counts (checked statically, before any
//! evaluation), and their implementations. Names are case-insensitive.

use crate::eval::{display, eval, get_ci, json_eq, type_name, Env, EvalError, Frame};
use crate::expr::{visit_calls, Expr};
use crate::format::{add_duration, composite, format_datetime, parse_datetime};
use crate::{hash, ids, Scope};
use base64::Engine as _;
use serde_json::{Map, Value};

const USAGE: &str = "Please see https://aka.ms/arm-functions for usage details.";
const MANY: usize = usize::MAX;

/// A function's name and how many arguments it takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub name: &'static str,
    pub min: usize,
    pub max: usize,
}

const TABLE: &[Spec] = &[
    // Arrays and objects.
    Spec { name: "array", min: 1, max: 1 },
    Spec { name: "concat", min: 1, max: MANY },
    Spec { name: "contains", min: 2, max: 2 },
    Spec { name: "createArray", min: 0, max: MANY },
    Spec { name: "createObject", min: 0, max: MANY },
    Spec { name: "empty", min: 1, max: 1 },
    Spec { name: "first", min: 1, max: 1 },
    Spec { name: "last", min: 1, max: 1 },
    Spec { name: "indexOf", min: 2, max: 2 },
    Spec { name: "lastIndexOf", min: 2, max: 2 },
    Spec { name: "intersection", min: 2, max: MANY },
    Spec { name: "union", min: 2, max: MANY },
    Spec { name: "items", min: 1, max: 1 },
    Spec { name: "json", min: 1, max: 1 },
    Spec { name: "join", min: 2, max: 2 },
    Spec { name: "length", min: 1, max: 1 },
    Spec { name: "min", min: 1, max: MANY },
    Spec { name: "max", min: 1, max: MANY },
    Spec { name: "range", min: 2, max: 2 },
    Spec { name: "skip", min: 2, max: 2 },
    Spec { name: "take", min: 2, max: 2 },
    // Comparison and logic.
    Spec { name: "equals", min: 2, max: 2 },
    Spec { name: "greater", min: 2, max: 2 },
    Spec { name: "greaterOrEquals", min: 2, max: 2 },
    Spec { name: "less", min: 2, max: 2 },
    Spec { name: "lessOrEquals", min: 2, max: 2 },
    Spec { name: "coalesce", min: 1, max: MANY },
    Spec { name: "and", min: 2, max: MANY },
    Spec { name: "or", min: 2, max: MANY },
    Spec { name: "not", min: 1, max: 1 },
    Spec { name: "if", min: 3, max: 3 },
    Spec { name: "bool", min: 1, max: 1 },
    Spec { name: "true", min: 0, max: 0 },
    Spec { name: "false", min: 0, max: 0 },
    Spec { name: "null", min: 0, max: 0 },
    // Numbers.
    Spec { name: "add", min: 2, max: 2 },
    Spec { name: "sub", min: 2, max: 2 },
    Spec { name: "mul", min: 2, max: 2 },
    Spec { name: "div", min: 2, max: 2 },
    Spec { name: "mod", min: 2, max: 2 },
    Spec { name: "int", min: 1, max: 1 },
    Spec { name: "float", min: 1, max: 1 },
    // Strings.
    Spec { name: "base64", min: 1, max: 1 },
    Spec { name: "base64ToString", min: 1, max: 1 },
    Spec { name: "base64ToJson", min: 1, max: 1 },
    Spec { name: "dataUri", min: 1, max: 1 },
    Spec { name: "dataUriToString", min: 1, max: 1 },
    Spec { name: "endsWith", min: 2, max: 2 },
    Spec { name: "startsWith", min: 2, max: 2 },
    Spec { name: "format", min: 1, max: MANY },
    Spec { name: "guid", min: 1, max: MANY },
    Spec { name: "uniqueString", min: 1, max: MANY },
    Spec { name: "padLeft", min: 2, max: 3 },
    Spec { name: "replace", min: 3, max: 3 },
    Spec { name: "split", min: 2, max: 2 },
    Spec { name: "string", min: 1, max: 1 },
    Spec { name: "substring", min: 1, max: 3 },
    Spec { name: "toLower", min: 1, max: 1 },
    Spec { name: "toUpper", min: 1, max: 1 },
    Spec { name: "trim", min: 1, max: 1 },
    Spec { name: "uri", min: 2, max: 2 },
    Spec { name: "uriComponent", min: 1, max: 1 },
    Spec { name: "uriComponentToString", min: 1, max: 1 },
    Spec { name: "newGuid", min: 0, max: 0 },
    Spec { name: "utcNow", min: 0, max: 1 },
    Spec { name: "dateTimeAdd", min: 2, max: 3 },
    // Deployment and resources.
    Spec { name: "deployment", min: 0, max: 0 },
    Spec { name: "environment", min: 0, max: 0 },
    Spec { name: "parameters", min: 1, max: 1 },
    Spec { name: "variables", min: 1, max: 1 },
    Spec { name: "copyIndex", min: 0, max: 2 },
    Spec { name: "reference", min: 1, max: 3 },
    Spec { name: "resourceId", min: 2, max: MANY },
    Spec { name: "subscriptionResourceId", min: 2, max: MANY },
    Spec { name: "tenantResourceId", min: 2, max: MANY },
    Spec { name: "extensionResourceId", min: 3, max: MANY },
    Spec { name: "resourceGroup", min: 0, max: 0 },
    Spec { name: "subscription", min: 0, max: 0 },
    Spec { name: "tenant", min: 0, max: 0 },
    Spec { name: "providers", min: 1, max: 2 },
];

/// `list*` actions (`listKeys`, `listSecrets`, …) go through the host: `(resourceId, apiVersion[, body])`.
const LIST: Spec = Spec { name: "list", min: 2, max: 3 };

/// The table entry of a function (not the `list*` family).
pub(crate) fn spec(name: &str) -> Option<&'static Spec> {
    TABLE.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

fn is_list(name: &str) -> bool {
    name.len() > 4 && name[..4].eq_ignore_ascii_case("list") && spec(name).is_none()
}

fn not_valid(name: &str) -> String {
    format!("The template function '{name}' is not valid. {USAGE}")
}

/// Where an expression sits, for the functions that are only allowed in some places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    ParameterDefault,
    Elsewhere,
}

/// Checks every call of a parsed expression: known function, argument count, allowed here.
pub(crate) fn check(e: &Expr, site: Site) -> Result<(), EvalError> {
    let mut err = None;
    visit_calls(e, &mut |name, args, pos| {
        if err.is_none() {
            err = check_call(name, args.len(), pos, site).err();
        }
    });
    err.map_or(Ok(()), Err)
}

fn check_call(name: &str, argc: usize, pos: usize, site: Site) -> Result<(), EvalError> {
    let spec = match spec(name) {
        Some(s) => s,
        None if is_list(name) => &LIST,
        None => return Err(EvalError::at(not_valid(name), pos)),
    };
    if argc < spec.min || argc > spec.max {
        let wanted = match (spec.min, spec.max) {
            (a, b) if a == b => format!("{a}"),
            (a, MANY) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        return Err(EvalError::at(
            format!(
                "Unable to evaluate template language function '{name}': function requires {wanted} argument(s) while {argc} were provided. {USAGE}"
            ),
            pos,
        ));
    }
    if site != Site::ParameterDefault && (spec.name == "utcNow" || spec.name == "newGuid") {
        return Err(not_here(name).or_at(pos));
    }
    Ok(())
}

const ORDINALS: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];

fn wrong_type(f: &str, i: usize, want: &str, got: &Value) -> EvalError {
    let nth = ORDINALS.get(i).copied().unwrap_or("next");
    EvalError::new(format!(
        "The template language function '{f}' expects its {nth} parameter to be of type '{want}'. The provided value is of type '{}'. {USAGE}",
        type_name(got)
    ))
}

fn failed(f: &str, why: impl std::fmt::Display) -> EvalError {
    EvalError::new(format!("Unable to evaluate template language function '{f}': {why} {USAGE}"))
}

fn s<'v>(f: &str, args: &'v [Value], i: usize) -> Result<&'v str, EvalError> {
    match args.get(i) {
        Some(Value::String(x)) => Ok(x),
        Some(other) => Err(wrong_type(f, i, "String", other)),
        None => Err(failed(f, "an argument is missing.")),
    }
}

fn int(f: &str, args: &[Value], i: usize) -> Result<i64, EvalError> {
    match args.get(i) {
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64().unwrap_or_default()),
        Some(other) => Err(wrong_type(f, i, "Integer", other)),
        None => Err(failed(f, "an argument is missing.")),
    }
}

fn boolean(f: &str, args: &[Value], i: usize) -> Result<bool, EvalError> {
    match args.get(i) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong_type(f, i, "Boolean", other)),
        None => Err(failed(f, "an argument is missing.")),
    }
}

fn chars_len(x: &str) -> i64 {
    x.chars().count() as i64
}

/// Calls a function; `args` are unevaluated so that `if` evaluates only the chosen branch.
pub(crate) fn call(env: &dyn Env, name: &str, args: &[Expr], pos: usize, frame: &Frame) -> Result<Value, EvalError> {
    check_call(name, args.len(), pos, Site::ParameterDefault)?;
    let lower = name.to_ascii_lowercase();
    if lower == "if" {
        let cond = eval(env, &args[0], frame)?;
        return match cond {
            Value::Bool(true) => eval(env, &args[1], frame),
            Value::Bool(false) => eval(env, &args[2], frame),
            other => Err(wrong_type(name, 0, "Boolean", &other)),
        };
    }
    let values = args.iter().map(|a| eval(env, a, frame)).collect::<Result<Vec<_>, _>>()?;
    if is_list(name) {
        let id = env.resolve_target(s(name, &values, 0)?);
        let api = s(name, &values, 1)?;
        return env.host()?.invoke(&id, name, api, values.get(2)).map_err(EvalError::host);
    }
    apply(env, &lower, name, &values, frame)
}

fn apply(env: &dyn Env, lower: &str, f: &str, a: &[Value], frame: &Frame) -> Result<Value, EvalError> {
    let ctx = env.ctx();
    Ok(match lower {
        "array" => match &a[0] {
            Value::Array(_) => a[0].clone(),
            other => Value::Array(vec![other.clone()]),
        },
        "concat" => {
            if a.iter().any(Value::is_array) {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::Array(items) => out.extend(items.iter().cloned()),
                        Value::Null => {}
                        _ => return Err(failed(f, "either all or none of the parameters must be an array.")),
                    }
                }
                Value::Array(out)
            } else {
                let mut out = String::new();
                for (i, v) in a.iter().enumerate() {
                    if v.is_object() {
                        return Err(wrong_type(f, i, "String", v));
                    }
                    out.push_str(&display(v));
                }
                Value::String(out)
            }
        }
        "contains" => Value::Bool(match &a[0] {
            Value::Array(items) => items.iter().any(|x| json_eq(x, &a[1])),
            Value::Object(map) => get_ci(map, &display(&a[1])).is_some(),
            Value::String(x) => x.contains(&display(&a[1])),
            Value::Null => false,
            other => return Err(wrong_type(f, 0, "Array, Object or String", other)),
        }),
        "createarray" => Value::Array(a.to_vec()),
        "createobject" => {
            if !a.len().is_multiple_of(2) {
                return Err(failed(f, "the number of parameters must be even (key and value pairs)."));
            }
            let mut m = Map::new();
            for (i, pair) in a.chunks(2).enumerate() {
                match &pair[0] {
                    Value::String(k) => {
                        m.insert(k.clone(), pair[1].clone());
                    }
                    other => return Err(wrong_type(f, 2 * i, "String", other)),
                }
            }
            Value::Object(m)
        }
        "empty" => Value::Bool(match &a[0] {
            Value::Null => true,
            Value::String(x) => x.is_empty(),
            Value::Array(x) => x.is_empty(),
            Value::Object(x) => x.is_empty(),
            other => return Err(wrong_type(f, 0, "Array, Object or String", other)),
        }),
        "first" | "last" => {
            let first = lower == "first";
            match &a[0] {
                Value::Array(x) => (if first { x.first() } else { x.last() }).cloned().unwrap_or(Value::Null),
                Value::String(x) => {
                    let c = if first { x.chars().next() } else { x.chars().last() };
                    Value::String(c.map(String::from).unwrap_or_default())
                }
                Value::Null => Value::Null,
                other => return Err(wrong_type(f, 0, "Array or String", other)),
            }
        }
        "indexof" | "lastindexof" => {
            let last = lower == "lastindexof";
            let found = match &a[0] {
                Value::Array(x) => {
                    let mut it = x.iter().enumerate().filter(|(_, v)| json_eq(v, &a[1])).map(|(i, _)| i as i64);
                    if last {
                        it.next_back()
                    } else {
                        it.next()
                    }
                }
                Value::String(x) => {
                    let hay = x.to_lowercase();
                    let needle = s(f, a, 1)?.to_lowercase();
                    let byte = if last { hay.rfind(&needle) } else { hay.find(&needle) };
                    byte.map(|b| chars_len(&hay[..b]))
                }
                other => return Err(wrong_type(f, 0, "Array or String", other)),
            };
            Value::from(found.unwrap_or(-1))
        }
        "intersection" => match &a[0] {
            Value::Array(first) => {
                let mut out: Vec<Value> = Vec::new();
                for v in first {
                    let everywhere = a[1..].iter().all(|o| o.as_array().is_some_and(|arr| arr.iter().any(|x| json_eq(x, v))));
                    if everywhere && !out.iter().any(|x| json_eq(x, v)) {
                        out.push(v.clone());
                    }
                }
                check_all(f, a, Value::is_array, "Array")?;
                Value::Array(out)
            }
            Value::Object(first) => {
                check_all(f, a, Value::is_object, "Object")?;
                let mut out = Map::new();
                for (k, v) in first {
                    if a[1..].iter().all(|o| o.as_object().and_then(|m| m.get(k)).is_some_and(|x| json_eq(x, v))) {
                        out.insert(k.clone(), v.clone());
                    }
                }
                Value::Object(out)
            }
            other => return Err(wrong_type(f, 0, "Array or Object", other)),
        },
        "union" => match &a[0] {
            Value::Array(_) => {
                check_all(f, a, Value::is_array, "Array")?;
                let mut out: Vec<Value> = Vec::new();
                for v in a.iter().filter_map(Value::as_array).flatten() {
                    if !out.iter().any(|x| json_eq(x, v)) {
                        out.push(v.clone());
                    }
                }
                Value::Array(out)
            }
            Value::Object(_) => {
                check_all(f, a, Value::is_object, "Object")?;
                let mut out = Value::Object(Map::new());
                for v in a {
                    merge(&mut out, v);
                }
                out
            }
            other => return Err(wrong_type(f, 0, "Array or Object", other)),
        },
        "items" => match &a[0] {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort_by(|x, y| x.to_lowercase().cmp(&y.to_lowercase()).then(x.cmp(y)));
                Value::Array(
                    keys.into_iter()
                        .map(|k| {
                            let mut e = Map::new();
                            e.insert("key".into(), Value::String(k.clone()));
                            e.insert("value".into(), m[k].clone());
                            Value::Object(e)
                        })
                        .collect(),
                )
            }
            other => return Err(wrong_type(f, 0, "Object", other)),
        },
        "json" => {
            let text = s(f, a, 0)?;
            serde_json::from_str(text).map_err(|e| failed(f, format!("the string is not valid JSON: {e}.")))?
        }
        "join" => {
            let items = match &a[0] {
                Value::Array(x) => x,
                other => return Err(wrong_type(f, 0, "Array", other)),
            };
            let sep = s(f, a, 1)?;
            let parts = items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Array(_) | Value::Object(_) => Err(failed(f, format!("the element at index '{i}' is not a string."))),
                    other => Ok(display(other)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Value::String(parts.join(sep))
        }
        "length" => Value::from(match &a[0] {
            Value::Array(x) => x.len() as i64,
            Value::String(x) => chars_len(x),
            Value::Object(x) => x.len() as i64,
            other => return Err(wrong_type(f, 0, "Array, Object or String", other)),
        }),
        "min" | "max" => {
            let nums: Vec<Value> = match a {
                [Value::Array(items)] => items.clone(),
                _ => a.to_vec(),
            };
            if nums.is_empty() {
                return Err(failed(f, "the array must not be empty."));
            }
            let ints = nums.iter().enumerate().map(|(i, v)| int(f, std::slice::from_ref(v), 0).map_err(|_| wrong_type(f, i, "Integer", v))).collect::<Result<Vec<_>, _>>()?;
            let r = if lower == "min" { ints.iter().min() } else { ints.iter().max() };
            Value::from(r.copied().unwrap_or_default())
        }
        "range" => {
            let start = int(f, a, 0)?;
            let count = int(f, a, 1)?;
            if !(0..=10_000).contains(&count) {
                return Err(failed(f, "the count must be between 0 and 10000."));
            }
            if start.checked_add(count).is_none_or(|end| end > i64::from(i32::MAX) + 1) {
                return Err(failed(f, "the sum of start index and count must not exceed 2147483647."));
            }
            Value::Array((start..start + count).map(Value::from).collect())
        }
        "skip" | "take" => {
            let n = int(f, a, 1)?.max(0) as usize;
            let skip = lower == "skip";
            match &a[0] {
                Value::Array(x) => {
                    let n = n.min(x.len());
                    Value::Array(if skip { x[n..].to_vec() } else { x[..n].to_vec() })
                }
                Value::String(x) => Value::String(if skip { x.chars().skip(n).collect() } else { x.chars().take(n).collect() }),
                Value::Null => Value::Null,
                other => return Err(wrong_type(f, 0, "Array or String", other)),
            }
        }
        "equals" => Value::Bool(json_eq(&a[0], &a[1])),
        "greater" | "greaterorequals" | "less" | "lessorequals" => {
            let ord = match (&a[0], &a[1]) {
                (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
                    (Some(i), Some(j)) => i.cmp(&j),
                    _ => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal),
                },
                (Value::String(x), Value::String(y)) => x.cmp(y),
                (Value::Number(_) | Value::String(_), other) => return Err(wrong_type(f, 1, type_name(&a[0]), other)),
                (other, _) => return Err(wrong_type(f, 0, "Integer or String", other)),
            };
            use std::cmp::Ordering::*;
            Value::Bool(match lower {
                "greater" => ord == Greater,
                "greaterorequals" => ord != Less,
                "less" => ord == Less,
                _ => ord != Greater,
            })
        }
        "coalesce" => a.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null),
        "and" | "or" => {
            let bools = (0..a.len()).map(|i| boolean(f, a, i)).collect::<Result<Vec<_>, _>>()?;
            Value::Bool(if lower == "and" { bools.iter().all(|b| *b) } else { bools.iter().any(|b| *b) })
        }
        "not" => Value::Bool(!boolean(f, a, 0)?),
        "bool" => Value::Bool(match &a[0] {
            Value::Bool(b) => *b,
            Value::String(x) if x.eq_ignore_ascii_case("true") => true,
            Value::String(x) if x.eq_ignore_ascii_case("false") => false,
            Value::Number(n) if n.is_i64() => n.as_i64() != Some(0),
            other => return Err(failed(f, format!("the value '{}' can't be converted to a boolean.", display(other)))),
        }),
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        "add" | "sub" | "mul" | "div" | "mod" => {
            let x = int(f, a, 0)?;
            let y = int(f, a, 1)?;
            if (lower == "div" || lower == "mod") && y == 0 {
                return Err(failed(f, "attempted to divide by zero."));
            }
            let r = match lower {
                "add" => x.checked_add(y),
                "sub" => x.checked_sub(y),
                "mul" => x.checked_mul(y),
                "div" => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            Value::from(r.ok_or_else(|| failed(f, "the result overflows a 64-bit integer."))?)
        }
        "int" => Value::from(match &a[0] {
            Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or_default(),
            Value::Number(n) => n.as_f64().unwrap_or_default().trunc() as i64,
            Value::String(x) => x.trim().parse::<i64>().map_err(|_| failed(f, format!("the value '{x}' can't be converted to an integer.")))?,
            other => return Err(wrong_type(f, 0, "Integer or String", other)),
        }),
        "float" => {
            let x = match &a[0] {
                Value::Number(n) => n.as_f64().unwrap_or_default(),
                Value::String(x) => x.trim().parse::<f64>().map_err(|_| failed(f, format!("the value '{x}' can't be converted to a float.")))?,
                other => return Err(wrong_type(f, 0, "Integer or String", other)),
            };
            serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
        }
        "base64" => Value::String(base64::engine::general_purpose::STANDARD.encode(s(f, a, 0)?)),
        "base64tostring" | "base64tojson" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s(f, a, 0)?.trim())
                .map_err(|_| failed(f, "the value is not a valid base64 string."))?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if lower == "base64tostring" {
                Value::String(text)
            } else {
                serde_json::from_str(&text).map_err(|e| failed(f, format!("the decoded string is not valid JSON: {e}.")))?
            }
        }
        "datauri" => Value::String(format!(
            "data:text/plain;charset=utf8;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(display(&a[0]))
        )),
        "datauritostring" => {
            let uri = s(f, a, 0)?;
            let (head, data) = uri
                .strip_prefix("data:")
                .and_then(|r| r.split_once(','))
                .ok_or_else(|| failed(f, "the value is not a valid data URI."))?;
            if head.ends_with(";base64") {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| failed(f, "the data is not valid base64."))?;
                Value::String(String::from_utf8_lossy(&bytes).into_owned())
            } else {
                Value::String(percent_encoding::percent_decode_str(data).decode_utf8_lossy().into_owned())
            }
        }
        "endswith" => Value::Bool(s(f, a, 0)?.to_lowercase().ends_with(&s(f, a, 1)?.to_lowercase())),
        "startswith" => Value::Bool(s(f, a, 0)?.to_lowercase().starts_with(&s(f, a, 1)?.to_lowercase())),
        "format" => Value::String(composite(s(f, a, 0)?, &a[1..]).map_err(|e| failed(f, e))?),
        "guid" | "uniquestring" => {
            let parts = (0..a.len()).map(|i| s(f, a, i)).collect::<Result<Vec<_>, _>>()?;
            Value::String(if lower == "guid" { hash::guid(&parts) } else { hash::unique_string(&parts) })
        }
        "padleft" => {
            let value = match &a[0] {
                Value::String(x) => x.clone(),
                Value::Number(n) if n.is_i64() => n.to_string(),
                other => return Err(wrong_type(f, 0, "String or Integer", other)),
            };
            let total = int(f, a, 1)?;
            if total > 16 * 1024 {
                return Err(failed(f, "the total length must not exceed 16384."));
            }
            let pad = match a.get(2) {
                None => ' ',
                Some(_) => {
                    let p = s(f, a, 2)?;
                    let mut it = p.chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => c,
                        _ => return Err(failed(f, "the padding character must be a single character.")),
                    }
                }
            };
            let missing = (total.max(0) as usize).saturating_sub(value.chars().count());
            Value::String(std::iter::repeat_n(pad, missing).chain(value.chars()).collect())
        }
        "replace" => {
            let (x, old, new) = (s(f, a, 0)?, s(f, a, 1)?, s(f, a, 2)?);
            if old.is_empty() {
                return Err(failed(f, "the string to replace must not be empty."));
            }
            Value::String(x.replace(old, new))
        }
        "split" => {
            let x = s(f, a, 0)?;
            let delims: Vec<String> = match &a[1] {
                Value::String(d) => vec![d.clone()],
                Value::Array(items) => items.iter().map(display).collect(),
                other => return Err(wrong_type(f, 1, "String or Array", other)),
            };
            Value::Array(split_any(x, &delims).into_iter().map(Value::String).collect())
        }
        "string" => Value::String(display(&a[0])),
        "substring" => {
            let x: Vec<char> = s(f, a, 0)?.chars().collect();
            let start = if a.len() > 1 { int(f, a, 1)? } else { 0 };
            if start < 0 || start > x.len() as i64 {
                return Err(failed(f, format!("the index parameter '{start}' is out of the range of the string of length '{}'.", x.len())));
            }
            let len = if a.len() > 2 { int(f, a, 2)? } else { x.len() as i64 - start };
            if len < 0 || start.checked_add(len).is_none_or(|end| end > x.len() as i64) {
                return Err(failed(f, format!("the length parameter '{len}' is out of range: the string is '{}' characters long and the index is '{start}'.", x.len())));
            }
            Value::String(x[start as usize..(start + len) as usize].iter().collect())
        }
        "tolower" => Value::String(s(f, a, 0)?.to_lowercase()),
        "toupper" => Value::String(s(f, a, 0)?.to_uppercase()),
        "trim" => Value::String(s(f, a, 0)?.trim().to_string()),
        "uri" => Value::String(uri_combine(s(f, a, 0)?, s(f, a, 1)?).map_err(|e| failed(f, e))?),
        "uricomponent" => {
            Value::String(percent_encoding::utf8_percent_encode(s(f, a, 0)?, URI_COMPONENT).to_string())
        }
        "uricomponenttostring" => {
            Value::String(percent_encoding::percent_decode_str(s(f, a, 0)?).decode_utf8_lossy().into_owned())
        }
        "newguid" => {
            if !env.nondeterministic_allowed() {
                return Err(not_here(f));
            }
            Value::String((ctx.new_guid)())
        }
        "utcnow" => {
            if !env.nondeterministic_allowed() {
                return Err(not_here(f));
            }
            let fmt = if a.is_empty() { "yyyyMMddTHHmmssZ" } else { s(f, a, 0)? };
            Value::String(format_datetime(ctx.now, fmt))
        }
        "datetimeadd" => {
            let base = parse_datetime(s(f, a, 0)?).ok_or_else(|| failed(f, "the base value is not a valid date-time."))?;
            let d = s(f, a, 1)?;
            let r = add_duration(base, d).ok_or_else(|| failed(f, format!("the duration '{d}' is not a valid ISO 8601 duration.")))?;
            let fmt = if a.len() > 2 { s(f, a, 2)? } else { "M/d/yyyy h:mm:ss tt" };
            Value::String(format_datetime(r, fmt))
        }
        "deployment" => env.deployment(),
        "environment" => ctx.environment.clone(),
        "parameters" => env.parameter(s(f, a, 0)?)?,
        "variables" => env.variable(s(f, a, 0)?)?,
        "copyindex" => {
            let (name, offset) = match a {
                [] => (None, 0),
                [Value::String(n)] => (Some(n.as_str()), 0),
                [Value::Number(_)] => (None, int(f, a, 0)?),
                [Value::String(n), _] => (Some(n.as_str()), int(f, a, 1)?),
                [other, ..] => return Err(wrong_type(f, 0, "String or Integer", other)),
            };
            let index = match name {
                None => frame.default.ok_or_else(|| {
                    EvalError::new(format!("The template function '{f}' is not expected at this location. {USAGE}"))
                })?,
                Some(n) => frame.index_of(n).ok_or_else(|| {
                    EvalError::new(format!("The template function '{f}' has an invalid copy loop name '{n}'. The copy loop name must be one of the loops this expression is in. {USAGE}"))
                })?,
            };
            Value::from(index.checked_add(offset).ok_or_else(|| failed(f, "the index overflows."))?)
        }
        "reference" => {
            let target = s(f, a, 0)?;
            let api = if a.len() > 1 { Some(s(f, a, 1)?) } else { None };
            let full = match a.get(2) {
                None => false,
                Some(Value::String(x)) if x.eq_ignore_ascii_case("full") => true,
                Some(other) => return Err(failed(f, format!("the third parameter must be 'Full', not '{}'.", display(other)))),
            };
            env.reference(target, api, full)?
        }
        "resourceid" => Value::String(resource_id(env, f, a)?),
        "subscriptionresourceid" => {
            let strs = (0..a.len()).map(|i| s(f, a, i)).collect::<Result<Vec<_>, _>>()?;
            let t = strs.iter().position(|x| x.contains('/')).ok_or_else(|| failed(f, "no resource type was given."))?;
            let sub = match t {
                0 => ctx.scope.subscription(),
                1 => strs[0],
                _ => return Err(failed(f, "too many arguments before the resource type.")),
            };
            Value::String(ids::resource_id(&format!("/subscriptions/{sub}"), strs[t], &strs[t + 1..]).map_err(|e| failed(f, e))?)
        }
        "tenantresourceid" => {
            let strs = (0..a.len()).map(|i| s(f, a, i)).collect::<Result<Vec<_>, _>>()?;
            Value::String(ids::resource_id("", strs[0], &strs[1..]).map_err(|e| failed(f, e))?)
        }
        "extensionresourceid" => {
            let strs = (0..a.len()).map(|i| s(f, a, i)).collect::<Result<Vec<_>, _>>()?;
            let base = strs[0].trim_end_matches('/');
            Value::String(ids::resource_id(base, strs[1], &strs[2..]).map_err(|e| failed(f, e))?)
        }
        "resourcegroup" => ctx.resource_group.clone().ok_or_else(|| {
            EvalError::new(format!(
                "The template function '{f}' is not expected at this location: the deployment is not at resource group scope. {USAGE}"
            ))
        })?,
        "subscription" => ctx.subscription.clone(),
        "tenant" => {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(format!("/tenants/{}", ctx.tenant_id)));
            m.insert("tenantId".into(), Value::String(ctx.tenant_id.clone()));
            Value::Object(m)
        }
        "providers" => {
            let ns = s(f, a, 0)?;
            let t = if a.len() > 1 { Some(s(f, a, 1)?) } else { None };
            env.host()?.provider(ns, t).map_err(EvalError::host)?
        }
        _ => return Err(EvalError::new(not_valid(f))),
    })
}

fn not_here(f: &str) -> EvalError {
    EvalError::new(format!(
        "The template function '{f}' is not expected at this location. The function can only be used with parameter default value expressions. {USAGE}"
    ))
}

fn check_all(f: &str, a: &[Value], ok: fn(&Value) -> bool, want: &str) -> Result<(), EvalError> {
    match a.iter().enumerate().find(|(_, v)| !ok(v)) {
        Some((i, v)) => Err(wrong_type(f, i, want, v)),
        None => Ok(()),
    }
}

/// `union` of objects: later values win; nested objects are merged.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn split_any(x: &str, delims: &[String]) -> Vec<String> {
    let delims: Vec<&String> = delims.iter().filter(|d| !d.is_empty()).collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut rest = x;
    'outer: while !rest.is_empty() {
        for d in &delims {
            if let Some(r) = rest.strip_prefix(d.as_str()) {
                out.push(std::mem::take(&mut cur));
                rest = r;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            cur.push(c);
        }
        rest = chars.as_str();
    }
    out.push(cur);
    out
}

/// What `Uri.EscapeDataString` leaves alone: the RFC 3986 unreserved characters.
const URI_COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `new Uri(new Uri(base), relative)`, for the common cases.
fn uri_combine(base: &str, relative: &str) -> Result<String, String> {
    let scheme_end = base.find("://").ok_or_else(|| format!("the base URI '{base}' is not absolute."))?;
    if relative.contains("://") {
        return Ok(relative.to_string());
    }
    let after_scheme = scheme_end + 3;
    let path_start = base[after_scheme..].find('/').map(|p| p + after_scheme).unwrap_or(base.len());
    let authority = &base[..path_start];
    if relative.starts_with('/') {
        return Ok(format!("{authority}{relative}"));
    }
    let path = &base[path_start..];
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let dir = match path.rfind('/') {
        Some(p) => &path[..=p],
        None => "/",
    };
    Ok(format!("{authority}{dir}{relative}"))
}

/// `resourceId([subscriptionId], [resourceGroupName], resourceType, name1, [name2], …)`.
fn resource_id(env: &dyn Env, f: &str, a: &[Value]) -> Result<String, EvalError> {
    let strs = (0..a.len()).map(|i| s(f, a, i)).collect::<Result<Vec<_>, _>>()?;
    let t = strs.iter().position(|x| x.contains('/')).ok_or_else(|| failed(f, "no resource type was given."))?;
    let scope = &env.ctx().scope;
    let prefix = match (t, scope) {
        (0, Scope::ResourceGroup { subscription, group }) => {
            format!("/subscriptions/{subscription}/resourceGroups/{group}")
        }
        (0, Scope::Subscription { subscription }) => format!("/subscriptions/{subscription}"),
        (1, _) => format!("/subscriptions/{}/resourceGroups/{}", scope.subscription(), strs[0]),
        (2, _) => format!("/subscriptions/{}/resourceGroups/{}", strs[0], strs[1]),
        _ => return Err(failed(f, "too many arguments before the resource type.")),
    };
    ids::resource_id(&prefix, strs[t], &strs[t + 1..]).map_err(|e| failed(f, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            uri_combine("http://contoso.org/firstpath", "myscript.sh").as_deref(),
            Ok("http://contoso.org/myscript.sh")
        );
        assert_eq!(
            uri_combine("http://contoso.org/firstpath/", "myscript.sh").as_deref(),
            Ok("http://contoso.org/firstpath/myscript.sh")
        );
        assert_eq!(uri_combine("http://contoso.org", "a/b").as_deref(), Ok("http://contoso.org/a/b"));
        assert_eq!(uri_combine("http://contoso.org/x/y", "/z").as_deref(), Ok("http://contoso.org/z"));
    }

    #[test]
    fn splits() {
        assert_eq!(split_any("a,b;c", &[",".into(), ";".into()]), vec!["a", "b", "c"]);
        assert_eq!(split_any("", &[",".into()]), vec![""]);
        assert_eq!(split_any("a,,b", &[",".into()]), vec!["a", "", "b"]);
    }
}
