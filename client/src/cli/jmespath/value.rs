//! How Python sees JSON values: numbers as `int` or `float`, `==` with `bool` an `int`,
//! ordering, truth, `json.dumps` (for `to_string`) and `str()`/`repr()` (for messages).

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::{Error, ErrorKind};

/// A number as Python holds it: an integer (kept exact) or a float.
#[derive(Debug, Clone, Copy)]
pub enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    pub fn of(n: &Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::Int(i as i128)
        } else if let Some(u) = n.as_u64() {
            Num::Int(u as i128)
        } else {
            Num::Float(n.as_f64().unwrap_or(0.0))
        }
    }

    pub fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    pub fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (a, b) => a.f64().partial_cmp(&b.f64()).unwrap_or(Ordering::Equal),
        }
    }

    pub fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.checked_add(b).map(Num::Int).unwrap_or(Num::Float(a as f64 + b as f64)),
            (a, b) => Num::Float(a.f64() + b.f64()),
        }
    }

    /// As JSON; an integer beyond 64 bits or a float that is not finite has no JSON number
    /// of its own (Python would print it), so it becomes the nearest float, or null.
    pub fn value(self) -> Value {
        match self {
            Num::Int(i) => {
                if let Ok(v) = i64::try_from(i) {
                    Value::from(v)
                } else if let Ok(v) = u64::try_from(i) {
                    Value::from(v)
                } else {
                    Num::Float(i as f64).value()
                }
            }
            Num::Float(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        }
    }
}

/// A number, with `bool` as the `int` it is in Python (for `==` inside containers).
fn as_py_int(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(*b as i128)),
        Value::Number(n) => Some(Num::of(n)),
        _ => None,
    }
}

/// Python's `==` on the decoded JSON: `true == 1`, `1 == 1.0`, objects regardless of order.
pub fn py_eq(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (as_py_int(a), as_py_int(b)) {
        return x.cmp(y) == Ordering::Equal && !x.f64().is_nan();
    }
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => false,
    }
}

/// JMESPath's `==` in Python jmespath: Python's, except that `0`/`1` never equal a boolean.
pub fn jp_eq(a: &Value, b: &Value) -> bool {
    let zero_or_one =
        |v: &Value| matches!(v, Value::Number(n) if matches!(n.as_f64(), Some(f) if f == 0.0 || f == 1.0));
    if zero_or_one(a) {
        if b.is_boolean() {
            return false;
        }
    } else if zero_or_one(b) && a.is_boolean() {
        return false;
    }
    py_eq(a, b)
}

/// JMESPath's false values: `""`, `[]`, `{}`, null and false.
pub fn is_false(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The JMESPath type name.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The Python type name (what some of jmespath's messages print).
pub fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Orders two numbers or two strings (`<` on code points); a string against a number is
/// Python's `TypeError`. `None` when either is neither (the comparison yields null).
pub fn py_order(a: &Value, b: &Value, op: &str) -> Result<Option<Ordering>, Error> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Ok(Some(Num::of(x).cmp(Num::of(y)))),
        (Value::String(x), Value::String(y)) => Ok(Some(x.as_str().cmp(y.as_str()))),
        (Value::Number(_), Value::String(_)) | (Value::String(_), Value::Number(_)) => Err(Error::new(
            ErrorKind::Other,
            format!("'{op}' not supported between instances of '{}' and '{}'", py_type_name(a), py_type_name(b)),
        )),
        _ => Ok(None),
    }
}

/// Python's `repr()` of a float: the shortest digits that round-trip, in positional notation
/// for exponents -4..16 and `1e+16` style outside.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp < 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        }
    } else {
        let m = if digits.len() > 1 { format!("{}.{}", &digits[..1], &digits[1..]) } else { digits };
        format!("{sign}{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

fn py_number(n: &Number) -> String {
    match Num::of(n) {
        Num::Int(i) => i.to_string(),
        Num::Float(f) => py_float(f),
    }
}

/// `json.dumps(v, separators=(',', ':'))`: compact, ASCII only (`\uXXXX` escapes).
pub fn dumps(v: &Value) -> String {
    dumps_with(v, ",", ":")
}

/// Python's `json.dumps(v, separators=(item, key))` (`", "`/`": "` is its default).
pub fn dumps_with(v: &Value, item: &str, key: &str) -> String {
    let mut out = String::new();
    dump_into(v, &mut out, (item, key));
    out
}

fn dump_into(v: &Value, out: &mut String, seps: (&str, &str)) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&py_number(n)),
        Value::String(s) => dump_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(seps.0);
                }
                dump_into(x, out, seps);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(seps.0);
                }
                dump_str(k, out);
                out.push_str(seps.1);
                dump_into(x, out, seps);
            }
            out.push('}');
        }
    }
}

fn dump_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Python's `str()` of the decoded value (a string prints bare).
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of the decoded value.
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => py_number(n),
        Value::String(s) => {
            let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
            let mut out = String::from(quote);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, x)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_print_as_python_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (123456.789, "123456.789"),
            (0.0001, "0.0001"),
            (-2.5e100, "-2.5e+100"),
            (1e15, "1000000000000000.0"),
        ] {
            assert_eq!(py_float(f), s);
        }
    }

    #[test]
    fn dumps_is_compact_and_ascii() {
        assert_eq!(
            dumps(&json!({"b": [1, 2.5, null, true], "a": "é\n\u{1F600}"})),
            r#"{"b":[1,2.5,null,true],"a":"\u00e9\n\ud83d\ude00"}"#
        );
    }

    #[test]
    fn equality_is_pythons() {
        assert!(py_eq(&json!([1, {"a": true}]), &json!([1.0, {"a": 1}])));
        assert!(!jp_eq(&json!(1), &json!(true)));
        assert!(!jp_eq(&json!(false), &json!(0.0)));
        assert!(jp_eq(&json!([0]), &json!([false])));
        assert!(!jp_eq(&json!("1"), &json!(1)));
        assert_eq!(py_repr(&json!({"a": ["x'", null, 1.5]})), r#"{'a': ["x'", None, 1.5]}"#);
    }
}
