//! JMESPath as az evaluates `--query` (Python jmespath 1.x, the reference for every choice
//! here): objects keep their order (the server's, or the query's for a multiselect hash),
//! integers stay integers, `==` follows Python (`1 == 1.0`, but `0`/`1` never equal
//! `false`/`true`), strings compare with `<`, and a backtick literal that is not JSON is a
//! string (``[?location==`westeurope`]``). Written by hand because the `jmespath` crates keep
//! objects in `BTreeMap`s (alphabetical keys) or lack functions; checked against the official
//! compliance suite in `client/tests/jmespath-compliance/`.
//!
//! As in Python, only syntax is checked by [`compile`]: an unknown function, a wrong number or
//! type of arguments and a zero slice step are errors of [`Expression::search`], and only when
//! the evaluation reaches them.

mod functions;
mod interpreter;
mod lexer;
mod parser;
pub(crate) mod value;

use std::fmt;

use serde_json::Value;

/// The class of an error, as the compliance suite names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The expression does not parse (az: argparse's invalid `--query` value).
    Syntax,
    UnknownFunction,
    InvalidArity,
    InvalidType,
    /// A semantically wrong value (a slice step of zero).
    InvalidValue,
    /// What Python raises outside jmespath's own errors (`'<'` between a string and a number).
    Other,
}

impl ErrorKind {
    /// The compliance suite's name of the class.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::UnknownFunction => "unknown-function",
            ErrorKind::InvalidArity => "invalid-arity",
            ErrorKind::InvalidType => "invalid-type",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    pub(crate) fn syntax(message: impl Into<String>, column: usize) -> Error {
        Error::new(ErrorKind::Syntax, format!("{} at column {column}", message.into()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A parsed expression.
#[derive(Debug, Clone)]
pub struct Expression {
    ast: parser::Ast,
}

/// Parses `expr`; only a syntax error fails here.
pub fn compile(expr: &str) -> Result<Expression, Error> {
    with_stack(|| Ok(Expression { ast: parser::parse(expr)? }))
}

impl Expression {
    /// Evaluates the expression against `data`.
    pub fn search(&self, data: &Value) -> Result<Value, Error> {
        with_stack(|| interpreter::eval(&self.ast, data))
    }
}

/// The stack parsing and evaluation run on: both recurse once per level of the expression,
/// up to [`parser::MAX_DEPTH`], which a caller's thread (2 MiB for a test, 8 MiB for `main`)
/// cannot be relied on to hold: a debug build needs 16 to 32 KiB a level (measured: 1024
/// levels overflow 16 MiB and fit in 32), so this is four times what the limit needs. Only
/// the pages touched are ever committed.
const STACK_BYTES: usize = 64 << 20;

fn with_stack<T: Send>(f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("jmespath".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, f)
            .map_err(|e| Error::new(ErrorKind::Other, format!("cannot start the query evaluator: {e}")))?;
        worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Python's `repr()` of a string (how argparse quotes an invalid `--query` value).
pub fn repr(s: &str) -> String {
    value::py_repr(&Value::String(s.to_string()))
}

/// Compiles and evaluates in one step.
pub fn search(expr: &str, data: &Value) -> Result<Value, Error> {
    compile(expr)?.search(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(expr: &str, data: &Value) -> Value {
        search(expr, data).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn kind(expr: &str, data: &Value) -> ErrorKind {
        search(expr, data).expect_err(expr).kind
    }

    /// What Python jmespath 1.1.0 answers (each checked by running it) beyond the suite.
    #[test]
    fn answers_as_python_jmespath() {
        let d = json!({"z": 1, "a": [3, 1, 2], "l": "westeurope", "n": [{"v": 2}, {"v": 1}], "o": {"y": 1, "b": 2}});
        // The legacy literal: not JSON, so a string (leading spaces dropped).
        assert_eq!(q("[l][?@==`westeurope`]", &d), json!(["westeurope"]));
        assert_eq!(q("` foo bar`", &d), json!("foo bar"));
        assert_eq!(kind("`\"a`", &d), ErrorKind::Syntax);
        // Order: the object's, and the query's for a multiselect hash.
        assert_eq!(q("keys(@)", &d), json!(["z", "a", "l", "n", "o"]));
        assert_eq!(q("values(o)", &d), json!([1, 2]));
        assert_eq!(q("{z: z, a: a}", &d).as_object().unwrap().keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(q("merge(o, `{\"a\": 0, \"y\": 5}`)", &d).to_string(), r#"{"y":5,"b":2,"a":0}"#);
        // Integers stay integers; avg is a float.
        assert_eq!(q("sum(a)", &d).to_string(), "6");
        assert_eq!(q("avg(a)", &d).to_string(), "2.0");
        assert_eq!(q("ceil(`1.5`)", &d).to_string(), "2");
        assert_eq!(q("abs(`-3`)", &d).to_string(), "3");
        assert_eq!(q("length('héllo')", &d), json!(5));
        // Python's ==: 1 == 1.0, and inside containers true == 1; 0/1 never equal a boolean.
        assert_eq!(q("`1` == `1.0`", &d), json!(true));
        assert_eq!(q("`[1]` == `[true]`", &d), json!(true));
        assert_eq!(q("`1` == `true`", &d), json!(false));
        assert_eq!(q("contains(`[1]`, `true`)", &d), json!(true));
        // Strings order with <; a string against a number is Python's TypeError.
        assert_eq!(q("l < 'x'", &d), json!(true));
        assert_eq!(kind("l < `1`", &d), ErrorKind::Other);
        // An index after an index extends it: the slice does not project.
        assert_eq!(q("n[0:2].v", &d), json!([2, 1]));
        assert_eq!(q("[n][0][0:2].v", &d), Value::Null);
        // Python's lenient parses: arguments and pairs without commas.
        assert_eq!(q("not_null(z a)", &d), json!(1));
        assert_eq!(kind("length(a a)", &d).name(), "invalid-arity");
        assert_eq!(q("{x: z y: l}", &d), json!({"x": 1, "y": "westeurope"}));
        // to_string is json.dumps: compact, ASCII, Python float repr.
        assert_eq!(q("to_string(`[1e16, \"é\"]`)", &d), json!("[1e+16,\"\\u00e9\"]"));
        assert_eq!(q("to_number(' 1_000 ')", &d), json!(1000));
        assert_eq!(q("to_number('1e3')", &d).to_string(), "1000.0");
        // merge's later arguments are dict.update()'s: pairs work, a number fails.
        assert_eq!(q("merge(o, `[[\"k\", 1]]`)", &d), json!({"y": 1, "b": 2, "k": 1}));
        assert_eq!(kind("merge(o, `1`)", &d), ErrorKind::Other);
        // Runtime errors only when evaluated, as in Python.
        assert_eq!(q("[].nope(@)", &json!([])), json!([]));
        assert_eq!(kind("nope(@)", &d), ErrorKind::UnknownFunction);
        assert_eq!(kind("a[::0]", &d), ErrorKind::InvalidValue);
        assert!(compile("nope(@)").is_ok());
        // Depth is bounded (the stack is): right at the limit works, beyond it is a syntax error.
        let depth = parser::MAX_DEPTH;
        let nested = format!("{}@{}", "(".repeat(depth - 1), ")".repeat(depth - 1));
        assert_eq!(q(&nested, &json!(1)), json!(1));
        let chain = format!("a{}", ".a".repeat(depth - 1));
        assert_eq!(q(&chain, &json!({"a": 1})), Value::Null);
        let n = depth / 2 - 2;
        for deep in [
            format!("{}@{}", "not_null(".repeat(n * 2 - 2), ")".repeat(n * 2 - 2)),
            format!("{}@{}", "[".repeat(n * 2 - 2), "]".repeat(n * 2 - 2)),
            format!("{}@{}", "{k: ".repeat(n * 2 - 2), "}".repeat(n * 2 - 2)),
            format!("{}@{}", "merge(@, ".repeat(n * 2 - 2), ")".repeat(n * 2 - 2)),
            format!("a{}", "[?a].a".repeat(n)),
            format!("a{}", "[*].a".repeat(n)),
            format!("{}@", "!".repeat(n * 2 - 2)),
            format!("{}@{}", "sort_by(@, &".repeat(n), ")".repeat(n)),
        ] {
            assert!(search(&deep, &json!({"a": [{"a": []}]})).is_ok() || compile(&deep).is_ok(), "{deep}");
        }
        for deeper in [format!("({nested})"), format!("{chain}.a"), "!".repeat(100_000) + "@"] {
            assert_eq!(compile(&deeper).unwrap_err().kind, ErrorKind::Syntax);
        }
        assert_eq!(compile("").unwrap_err().kind, ErrorKind::Syntax);
    }
}
