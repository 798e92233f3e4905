//! The built-in functions, with Python jmespath's checks in its order: arguments are
//! evaluated first, then the name is looked up, then the arity, then each argument's type
//! (for `array-number`/`array-string`, every element's; with two element types allowed, the
//! first element picks one).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::interpreter::eval;
use super::parser::Ast;
use super::value::{dumps, py_eq, py_order, py_str, py_type_name, type_name, Num};
use super::{Error, ErrorKind};

/// An evaluated argument: a value, or an expression reference (`&expr`).
enum Arg<'a> {
    Val(Value),
    Expr(&'a Ast),
}

impl Arg<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Arg::Val(v) => type_name(v),
            Arg::Expr(_) => "expref",
        }
    }

    fn text(&self) -> String {
        match self {
            Arg::Val(v) => py_str(v),
            Arg::Expr(_) => "<expression>".into(),
        }
    }
}

/// `(name, parameter types, variadic)`; a type `""` accepts anything.
const SIGNATURES: &[(&str, &[&[&str]], bool)] = &[
    ("abs", &[&["number"]], false),
    ("avg", &[&["array-number"]], false),
    ("ceil", &[&["number"]], false),
    ("contains", &[&["array", "string"], &[]], false),
    ("ends_with", &[&["string"], &["string"]], false),
    ("floor", &[&["number"]], false),
    ("join", &[&["string"], &["array-string"]], false),
    ("keys", &[&["object"]], false),
    ("length", &[&["string", "array", "object"]], false),
    ("map", &[&["expref"], &["array"]], false),
    ("max", &[&["array-number", "array-string"]], false),
    ("max_by", &[&["array"], &["expref"]], false),
    ("merge", &[&["object"]], true),
    ("min", &[&["array-number", "array-string"]], false),
    ("min_by", &[&["array"], &["expref"]], false),
    ("not_null", &[&[]], true),
    ("reverse", &[&["array", "string"]], false),
    ("sort", &[&["array-string", "array-number"]], false),
    ("sort_by", &[&["array"], &["expref"]], false),
    ("starts_with", &[&["string"], &["string"]], false),
    ("sum", &[&["array-number"]], false),
    ("to_array", &[&[]], false),
    ("to_number", &[&[]], false),
    ("to_string", &[&[]], false),
    ("type", &[&[]], false),
    ("values", &[&["object"]], false),
];

fn type_error(function: &str, value: &str, actual: &str, expected: &[&str]) -> Error {
    let expected: Vec<String> = expected.iter().map(|t| format!("'{t}'")).collect();
    Error::new(
        ErrorKind::InvalidType,
        format!(
            "In function {function}(), invalid type for value: {value}, expected one of: [{}], received: \"{actual}\"",
            expected.join(", ")
        ),
    )
}

fn check_types(function: &str, arg: &Arg, types: &[&str]) -> Result<(), Error> {
    if types.is_empty() {
        return Ok(());
    }
    let actual = arg.type_name();
    if !types.iter().any(|t| t.split('-').next() == Some(actual)) {
        return Err(type_error(function, &arg.text(), actual, types));
    }
    let subtypes: Vec<&str> = types.iter().filter_map(|t| t.split_once('-').map(|(_, s)| s)).collect();
    let Arg::Val(Value::Array(items)) = arg else { return Ok(()) };
    let wanted = match subtypes.as_slice() {
        [] => return Ok(()),
        [one] => *one,
        several => match items.first() {
            None => return Ok(()),
            Some(first) => match several.iter().find(|s| **s == type_name(first)) {
                Some(s) => *s,
                None => return Err(type_error(function, &py_str(first), py_type_name(first), types)),
            },
        },
    };
    match items.iter().find(|i| type_name(i) != wanted) {
        Some(bad) => Err(type_error(function, &py_str(bad), py_type_name(bad), types)),
        None => Ok(()),
    }
}

pub fn call(name: &str, nodes: &[Ast], current: &Value) -> Result<Value, Error> {
    let mut args = Vec::with_capacity(nodes.len());
    for n in nodes {
        args.push(match n {
            Ast::Expref(inner) => Arg::Expr(inner),
            other => Arg::Val(eval(other, current)?),
        });
    }
    let Some((_, params, variadic)) = SIGNATURES.iter().find(|(n, ..)| *n == name) else {
        return Err(Error::new(ErrorKind::UnknownFunction, format!("Unknown function: {name}()")));
    };
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    if *variadic && args.len() < params.len() {
        return Err(Error::new(
            ErrorKind::InvalidArity,
            format!(
                "Expected at least {} {} for function {name}(), received {}",
                params.len(),
                plural(params.len()),
                args.len()
            ),
        ));
    }
    if !*variadic && args.len() != params.len() {
        return Err(Error::new(
            ErrorKind::InvalidArity,
            format!(
                "Expected {} {} for function {name}(), received {}",
                params.len(),
                plural(params.len()),
                args.len()
            ),
        ));
    }
    for (arg, types) in args.iter().zip(params.iter()) {
        check_types(name, arg, types)?;
    }
    // The checks above fix each argument's shape; these read them back.
    let val = |i: usize| match &args[i] {
        Arg::Val(v) => v,
        Arg::Expr(_) => &Value::Null,
    };
    let expr = |i: usize| match &args[i] {
        Arg::Expr(e) => Some(*e),
        Arg::Val(_) => None,
    };
    let arr = |i: usize| val(i).as_array().map(Vec::as_slice).unwrap_or(&[]);
    let num = |i: usize| val(i).as_number().map(Num::of).unwrap_or(Num::Int(0));
    let s = |i: usize| val(i).as_str().unwrap_or("");
    Ok(match name {
        "abs" => match num(0) {
            Num::Int(i) => Num::Int(i.abs()),
            Num::Float(f) => Num::Float(f.abs()),
        }
        .value(),
        "avg" => {
            let a = arr(0);
            if a.is_empty() {
                Value::Null
            } else {
                Num::Float(sum(a).f64() / a.len() as f64).value()
            }
        }
        "ceil" | "floor" => match num(0) {
            Num::Int(i) => Num::Int(i),
            Num::Float(f) => {
                let r = if name == "ceil" { f.ceil() } else { f.floor() };
                if r.abs() < 9.0e18 {
                    Num::Int(r as i128)
                } else {
                    Num::Float(r)
                }
            }
        }
        .value(),
        "contains" => match val(0) {
            Value::String(hay) => match val(1) {
                Value::String(needle) => Value::Bool(hay.contains(needle.as_str())),
                other => {
                    return Err(Error::new(
                        ErrorKind::Other,
                        format!("'in <string>' requires string as left operand, not {}", py_type_name(other)),
                    ))
                }
            },
            _ => Value::Bool(arr(0).iter().any(|x| py_eq(x, val(1)))),
        },
        "ends_with" => Value::Bool(s(0).ends_with(s(1))),
        "starts_with" => Value::Bool(s(0).starts_with(s(1))),
        "join" => Value::String(arr(1).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(s(0))),
        "keys" => {
            Value::Array(val(0).as_object().map(|m| m.keys().cloned().map(Value::String).collect()).unwrap_or_default())
        }
        "values" => Value::Array(val(0).as_object().map(|m| m.values().cloned().collect()).unwrap_or_default()),
        "length" => Value::from(match val(0) {
            Value::String(x) => x.chars().count(),
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        }),
        "map" => {
            let e = expr(0).unwrap_or(&Ast::Identity);
            Value::Array(arr(1).iter().map(|x| eval(e, x)).collect::<Result<_, _>>()?)
        }
        "max" | "min" => {
            let want = if name == "max" { Ordering::Greater } else { Ordering::Less };
            let mut best: Option<&Value> = None;
            for x in arr(0) {
                match best {
                    Some(b) if py_order(x, b, if name == "max" { ">" } else { "<" })? != Some(want) => {}
                    _ => best = Some(x),
                }
            }
            best.cloned().unwrap_or(Value::Null)
        }
        "max_by" | "min_by" => {
            let e = expr(1).unwrap_or(&Ast::Identity);
            let want = if name == "max_by" { Ordering::Greater } else { Ordering::Less };
            let mut best: Option<(&Value, Value)> = None;
            for x in arr(0) {
                let k = key(name, e, x, &["number", "string"])?;
                match &best {
                    Some((_, bk)) if py_order(&k, bk, if name == "max_by" { ">" } else { "<" })? != Some(want) => {}
                    _ => best = Some((x, k)),
                }
            }
            best.map(|(x, _)| x.clone()).unwrap_or(Value::Null)
        }
        "merge" => {
            let mut out = Map::new();
            for a in &args {
                update(&mut out, a)?;
            }
            Value::Object(out)
        }
        "not_null" => args
            .iter()
            .find_map(|a| match a {
                Arg::Val(Value::Null) => None,
                Arg::Val(v) => Some(v.clone()),
                Arg::Expr(_) => None,
            })
            .unwrap_or(Value::Null),
        "reverse" => match val(0) {
            Value::String(x) => Value::String(x.chars().rev().collect()),
            _ => Value::Array(arr(0).iter().rev().cloned().collect()),
        },
        "sort" => {
            let mut a = arr(0).to_vec();
            a.sort_by(|x, y| py_order(x, y, "<").ok().flatten().unwrap_or(Ordering::Equal));
            Value::Array(a)
        }
        "sort_by" => {
            let a = arr(0);
            let e = expr(1).unwrap_or(&Ast::Identity);
            let Some(first) = a.first() else { return Ok(Value::Array(Vec::new())) };
            let first_key = eval(e, first)?;
            let required = type_name(&first_key);
            if required != "number" && required != "string" {
                return Err(type_error("sort_by", &py_str(first), required, &["string", "number"]));
            }
            let mut keyed = Vec::with_capacity(a.len());
            for x in a {
                keyed.push((key("sort_by", e, x, &[required])?, x));
            }
            keyed.sort_by(|(p, _), (q, _)| py_order(p, q, "<").ok().flatten().unwrap_or(Ordering::Equal));
            Value::Array(keyed.into_iter().map(|(_, x)| x.clone()).collect())
        }
        "sum" => sum(arr(0)).value(),
        "to_array" => match val(0) {
            Value::Array(_) => val(0).clone(),
            other => Value::Array(vec![other.clone()]),
        },
        "to_string" => match val(0) {
            Value::String(_) => val(0).clone(),
            other => Value::String(dumps(other)),
        },
        "to_number" => match val(0) {
            Value::Number(_) => val(0).clone(),
            Value::String(x) => to_number(x),
            _ => Value::Null,
        },
        "type" => match &args[0] {
            Arg::Val(v) => Value::String(type_name(v).into()),
            // Python's `type()` has no branch for an expression object.
            Arg::Expr(_) => Value::Null,
        },
        _ => unreachable!("every name in SIGNATURES has a body: {name}"),
    })
}

/// Python's `dict.update(arg)` for `merge`: its type check only covers the first argument, so
/// a later one may also be a list of `[key, value]` pairs (or of two-character strings), and
/// anything else fails as Python fails.
fn update(out: &mut Map<String, Value>, arg: &Arg) -> Result<(), Error> {
    let items: Vec<Value> = match arg {
        Arg::Val(Value::Object(m)) => {
            for (k, v) in m {
                out.insert(k.clone(), v.clone());
            }
            return Ok(());
        }
        Arg::Val(Value::Array(a)) => a.clone(),
        Arg::Val(Value::String(s)) => s.chars().map(|c| Value::String(c.into())).collect(),
        Arg::Val(other) => {
            let t = py_type_name(other);
            return Err(Error::new(ErrorKind::Other, format!("'{t}' object is not iterable")));
        }
        Arg::Expr(_) => return Err(Error::new(ErrorKind::Other, "'_Expression' object is not iterable")),
    };
    for (i, item) in items.iter().enumerate() {
        let pair: Vec<Value> = match item {
            Value::Array(a) => a.clone(),
            Value::String(s) => s.chars().map(|c| Value::String(c.into())).collect(),
            Value::Object(m) => m.keys().cloned().map(Value::String).collect(),
            other => {
                let t = py_type_name(other);
                return Err(Error::new(
                    ErrorKind::Other,
                    format!("cannot convert dictionary update sequence element #{i} to a sequence ('{t}')"),
                ));
            }
        };
        if pair.len() != 2 {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("dictionary update sequence element #{i} has length {}; 2 is required", pair.len()),
            ));
        }
        // A key that is not a string prints as json.dumps writes a non-string key.
        let key = match &pair[0] {
            Value::String(s) => s.clone(),
            Value::Array(_) | Value::Object(_) => {
                let t = py_type_name(&pair[0]);
                return Err(Error::new(ErrorKind::Other, format!("unhashable type: '{t}'")));
            }
            other => dumps(other),
        };
        out.insert(key, pair[1].clone());
    }
    Ok(())
}

/// `sum()` as Python adds: integers stay exact until a float joins.
fn sum(a: &[Value]) -> Num {
    a.iter().filter_map(Value::as_number).fold(Num::Int(0), |acc, n| acc.add(Num::of(n)))
}

/// The `&expr` key of `x` for `sort_by`/`min_by`/`max_by`, of one of the `allowed` types.
fn key(function: &str, e: &Ast, x: &Value, allowed: &[&str]) -> Result<Value, Error> {
    let k = eval(e, x)?;
    let t = type_name(&k);
    if !allowed.contains(&t) {
        return Err(type_error(function, &py_str(&k), t, allowed));
    }
    Ok(k)
}

/// `to_number` of a string: Python's `int()`, else `float()`, else null. Python also
/// reads `inf` and `nan`, which JSON cannot carry: those are null here.
fn to_number(s: &str) -> Value {
    let t = s.trim();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => (-1i128, b),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    if let Some(digits) = py_digits(body) {
        if let Ok(i) = digits.parse::<i128>() {
            return Num::Int(sign * i).value();
        }
    }
    // float(): digits (underscores between them), an optional fraction and exponent.
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let part = |p: &str| if p.is_empty() { Some(String::new()) } else { py_digits(p) };
    let (Some(ip), Some(fp)) = (part(int_part), frac.map(part).unwrap_or(Some(String::new()))) else {
        return Value::Null;
    };
    if ip.is_empty() && fp.is_empty() {
        return Value::Null;
    }
    let exp = match exponent {
        None => String::new(),
        Some(e) => {
            let (esign, edigits) = match e.strip_prefix('-') {
                Some(d) => ("-", d),
                None => ("", e.strip_prefix('+').unwrap_or(e)),
            };
            match py_digits(edigits) {
                Some(d) => format!("e{esign}{d}"),
                None => return Value::Null,
            }
        }
    };
    let text = format!(
        "{}{}.{}{exp}",
        if sign < 0 { "-" } else { "" },
        if ip.is_empty() { "0" } else { &ip },
        if fp.is_empty() { "0" } else { &fp }
    );
    text.parse::<f64>().map(|f| Num::Float(f).value()).unwrap_or(Value::Null)
}

/// ASCII digits with single underscores between them (Python's numeric literals), without
/// the underscores.
fn py_digits(s: &str) -> Option<String> {
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    Some(s.replace('_', ""))
}
