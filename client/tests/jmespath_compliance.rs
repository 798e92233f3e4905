//! The official JMESPath compliance suite (`tests/jmespath-compliance/`, see its README)
//! against armctl's `--query` evaluator: every case's `result` compared as JSON (integers and
//! floats kept apart, object key order ignored as JSON does), every `error` case failing with
//! its class, and every benchmark expression parsing and evaluating. No case is excluded.

use std::path::Path;

use armctl::cli::jmespath::{compile, ErrorKind};
use serde_json::Value;

/// Strict JSON equality that still tells `1` from `1.0` (serde_json's `==` on numbers does,
/// through `Number`'s variants).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.is_f64() == y.is_f64() && x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn class(kind: ErrorKind) -> &'static str {
    kind.name()
}

/// Two benchmark expressions that Python jmespath 1.1.0 rejects (checked by running it):
/// `sum()` takes one argument, and `foo[bar > baz]` is not a filter (`[?` is).
fn bench_outcome(expr: &str) -> Result<(), &'static str> {
    if expr.starts_with("sum(z, y, x") {
        Err("invalid-arity")
    } else if expr == "foo[bar > baz][qux > baz]" {
        Err("syntax")
    } else {
        Ok(())
    }
}

#[test]
fn every_compliance_case_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jmespath-compliance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("compliance directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 16, "the vendored suite has 16 files: {files:?}");
    let (mut ran, mut failures) = (0, Vec::new());
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let suites: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("JSON");
        for suite in suites.as_array().expect("a list of suites") {
            let given = &suite["given"];
            for case in suite["cases"].as_array().expect("cases") {
                let expr = case["expression"].as_str().expect("expression");
                ran += 1;
                let got = compile(expr).and_then(|c| c.search(given));
                let ok = match (case.get("result"), case.get("error"), &got) {
                    (Some(want), _, Ok(v)) => same(want, v),
                    (_, Some(Value::String(want)), Err(e)) => class(e.kind) == want,
                    // A benchmark has no expected result: it evaluates, or fails as Python
                    // jmespath fails on it.
                    (None, None, got) => {
                        case.get("bench").is_some()
                            && bench_outcome(expr) == got.as_ref().map(|_| ()).map_err(|e| class(e.kind))
                    }
                    _ => false,
                };
                if !ok {
                    failures.push(format!(
                        "{name}: {expr:?}: expected {}, got {got:?}",
                        case.get("result").or(case.get("error")).or(case.get("bench")).unwrap_or(&Value::Null)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {ran} cases failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(ran, 875, "every case ran (861 cases and 14 benchmarks)");
}
