//! Evaluates an [`Ast`] against a `serde_json::Value` the way Python jmespath's
//! `TreeInterpreter` does: fields of non-objects, indexes of non-arrays and projections of
//! the wrong type are null, and projections drop null results.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::functions;
use super::parser::{Ast, Cmp};
use super::value::{is_false, jp_eq, py_order};
use super::{Error, ErrorKind};

pub fn eval(node: &Ast, v: &Value) -> Result<Value, Error> {
    Ok(match node {
        Ast::Identity => v.clone(),
        Ast::Field(name) => v.as_object().and_then(|m| m.get(name)).cloned().unwrap_or(Value::Null),
        Ast::Literal(l) => l.clone(),
        Ast::Sub(left, right) => eval(right, &eval(left, v)?)?,
        Ast::IndexChain(parts) => {
            let mut cur = v.clone();
            for p in parts {
                cur = eval(p, &cur)?;
            }
            cur
        }
        Ast::Index(i) => match v {
            Value::Array(a) => {
                let i = if *i < 0 { a.len() as i128 + *i as i128 } else { *i as i128 };
                usize::try_from(i).ok().and_then(|i| a.get(i)).cloned().unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Ast::Slice(start, stop, step) => match v {
            Value::Array(a) => Value::Array(slice(a, *start, *stop, *step)?),
            _ => Value::Null,
        },
        Ast::Projection(left, right) => match eval(left, v)? {
            Value::Array(items) => project(items.iter(), right)?,
            _ => Value::Null,
        },
        Ast::ValueProjection(left, right) => match eval(left, v)? {
            Value::Object(m) => project(m.values(), right)?,
            _ => Value::Null,
        },
        Ast::Filter(left, right, cond) => match eval(left, v)? {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in &items {
                    if !is_false(&eval(cond, item)?) {
                        let r = eval(right, item)?;
                        if !r.is_null() {
                            out.push(r);
                        }
                    }
                }
                Value::Array(out)
            }
            _ => Value::Null,
        },
        Ast::Flatten(inner) => match eval(inner, v)? {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Array(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                Value::Array(out)
            }
            _ => Value::Null,
        },
        Ast::MultiList(items) => {
            if v.is_null() {
                return Ok(Value::Null);
            }
            Value::Array(items.iter().map(|i| eval(i, v)).collect::<Result<_, _>>()?)
        }
        Ast::MultiHash(pairs) => {
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut out = Map::new();
            for (k, e) in pairs {
                out.insert(k.clone(), eval(e, v)?);
            }
            Value::Object(out)
        }
        Ast::Or(left, right) => {
            let l = eval(left, v)?;
            if is_false(&l) {
                eval(right, v)?
            } else {
                l
            }
        }
        Ast::And(left, right) => {
            let l = eval(left, v)?;
            if is_false(&l) {
                l
            } else {
                eval(right, v)?
            }
        }
        // Any number, 0 included, is true.
        Ast::Not(inner) => Value::Bool(is_false(&eval(inner, v)?)),
        Ast::Compare(op, left, right) => {
            let (l, r) = (eval(left, v)?, eval(right, v)?);
            match op {
                Cmp::Eq => Value::Bool(jp_eq(&l, &r)),
                Cmp::Ne => Value::Bool(!jp_eq(&l, &r)),
                _ => {
                    let sym = match op {
                        Cmp::Lt => "<",
                        Cmp::Lte => "<=",
                        Cmp::Gt => ">",
                        _ => ">=",
                    };
                    match py_order(&l, &r, sym)? {
                        None => Value::Null,
                        Some(o) => Value::Bool(match op {
                            Cmp::Lt => o == Ordering::Less,
                            Cmp::Lte => o != Ordering::Greater,
                            Cmp::Gt => o == Ordering::Greater,
                            _ => o != Ordering::Less,
                        }),
                    }
                }
            }
        }
        Ast::Function(name, args) => functions::call(name, args, v)?,
        // Python returns an expression object here, which az cannot print either.
        Ast::Expref(_) => {
            return Err(Error::new(
                ErrorKind::InvalidType,
                "an expression reference (&) is only valid as a function argument",
            ))
        }
    })
}

fn project<'a>(items: impl Iterator<Item = &'a Value>, right: &Ast) -> Result<Value, Error> {
    let mut out = Vec::new();
    for item in items {
        let r = eval(right, item)?;
        if !r.is_null() {
            out.push(r);
        }
    }
    Ok(Value::Array(out))
}

/// Python's `list[start:stop:step]`.
fn slice(a: &[Value], start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Result<Vec<Value>, Error> {
    let step = step.unwrap_or(1) as i128;
    if step == 0 {
        return Err(Error::new(ErrorKind::InvalidValue, "slice step cannot be zero"));
    }
    let len = a.len() as i128;
    let adjust = |x: Option<i64>, default: i128| -> i128 {
        match x {
            None => default,
            Some(x) => {
                let x = x as i128;
                if x < 0 {
                    let x = x + len;
                    if x < 0 {
                        if step < 0 {
                            -1
                        } else {
                            0
                        }
                    } else {
                        x
                    }
                } else if x >= len {
                    if step < 0 {
                        len - 1
                    } else {
                        len
                    }
                } else {
                    x
                }
            }
        }
    };
    let mut out = Vec::new();
    if step > 0 {
        let (mut i, stop) = (adjust(start, 0), adjust(stop, len));
        while i < stop {
            out.push(a[i as usize].clone());
            i += step;
        }
    } else {
        let (mut i, stop) = (adjust(start, len - 1), adjust(stop, -1));
        while i > stop {
            out.push(a[i as usize].clone());
            i += step;
        }
    }
    Ok(out)
}
