//! Rendering: `--query` (JMESPath), then `-o json|jsonc|yaml|table|tsv|none`, the way `az`
//! prints (knack's formatters): keys sorted, two-space JSON, `None`/`True` in TSV, tables with
//! a dashed rule under the headers. Only stdout data goes through here; diagnostics go to stderr.

use serde_json::{Map, Value};

use super::jmespath::{self, ErrorKind};
use super::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Jsonc,
    Yaml,
    Yamlc,
    Table,
    Tsv,
    None,
}

/// Sorts object keys recursively (az dumps with `sort_keys=True`).
pub fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// az's recommendation after a `--query` that fails while it runs.
pub const QUERY_REFERENCE: &str =
    "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'";

/// Applies a JMESPath expression as az does ([`super::jmespath`]: Python jmespath's rules,
/// object order kept). Only syntax is checked before the evaluation: an expression that does
/// not parse is az's argparse error (exit 2); an unknown function, a wrong argument count or
/// type (az's `JMESPathError`) and Python's own errors are runtime failures (exit 1).
pub fn query(v: &Value, expr: &str) -> Result<Value, CliError> {
    let compiled = jmespath::compile(expr).map_err(|e| {
        CliError::usage(format!("argument --query: invalid jmespath_type value: {}", jmespath::repr(expr)))
            .with_hint(format!("{e}\n{QUERY_REFERENCE}"))
    })?;
    compiled.search(v).map_err(|e| match e.kind {
        // Python's own exceptions (not JMESPathError): az's "unexpected error".
        ErrorKind::Other | ErrorKind::InvalidValue => CliError::failed(format!(
            "The command failed with an unexpected error. Here is the traceback:\nERROR: {}",
            e.message
        ))
        .with_hint("To check existing issues, please visit: https://github.com/Azure/azure-cli/issues"),
        _ => CliError::failed(format!("Invalid jmespath query supplied for `--query`: {}", e.message))
            .with_hint(QUERY_REFERENCE),
    })
}

/// The query for `-o tsv`, and whether its rows keep their key order. knack's TSV keeps the
/// order of the objects a multiselect hash built (jmespath makes them `OrderedDict`s) and sorts
/// every other object by key. Evaluating again over key-sorted input gives exactly that: passed
/// through objects come out sorted, built ones in the query's order. When the two results hold
/// different data (the query read key order: `keys()`, `values()`, `*`), the first result is
/// printed with sorted rows.
pub fn query_for_tsv(v: &Value, expr: &str) -> Result<(Value, bool), CliError> {
    let result = query(v, expr)?;
    match query(&sorted(v.clone()), expr) {
        // serde_json's object equality ignores order: the data is the same.
        Ok(s) if s == result => Ok((s, true)),
        _ => Ok((result, false)),
    }
}

pub fn render(v: &Value, format: Format) -> String {
    render_with(v, format, false)
}

/// `ordered`: keep the key order of the objects (a table transformer's columns, a query's
/// result; for TSV see [`query_for_tsv`]). JSON and YAML always sort.
pub fn render_with(v: &Value, format: Format, ordered: bool) -> String {
    match format {
        Format::None => String::new(),
        // knack's JSON (`sort_keys=True`) and YAML (`safe_dump`) sort keys whatever the query.
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&sorted(v.clone())).unwrap_or_default()),
        Format::Jsonc => format!("{}\n", colored_json(&sorted(v.clone()), 0)),
        Format::Yaml | Format::Yamlc => yaml(&sorted(v.clone())),
        Format::Table => table(v, ordered),
        Format::Tsv => tsv(v, ordered),
    }
}

fn yaml(v: &Value) -> String {
    super::yaml::dump(v)
}

const KEY: &str = "\x1b[94m";
const STR: &str = "\x1b[32m";
const LIT: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

fn colored_json(v: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let end = "  ".repeat(indent);
    match v {
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{pad}{KEY}{}{RESET}: {}",
                        serde_json::to_string(k).unwrap_or_default(),
                        colored_json(x, indent + 1)
                    )
                })
                .collect();
            format!("{{\n{}\n{end}}}", items.join(",\n"))
        }
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| format!("{pad}{}", colored_json(x, indent + 1))).collect();
            format!("[\n{}\n{end}]", items.join(",\n"))
        }
        Value::String(_) => format!("{STR}{v}{RESET}"),
        other => format!("{LIT}{other}{RESET}"),
    }
}

/// A scalar as Python's `str()` prints it (knack's TSV and table cells).
fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.len().to_string(),
        Value::Object(_) => String::new(),
    }
}

fn tsv(v: &Value, ordered: bool) -> String {
    let rows: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => return String::new(),
        other => vec![other],
    };
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = match row {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                if !ordered {
                    keys.sort();
                }
                keys.iter().map(|k| py_str(&m[k.as_str()])).collect()
            }
            Value::Array(a) => a.iter().map(py_str).collect(),
            // A boolean row is `str(b).lower()` in knack; inside a row it is `str(b)`.
            Value::Bool(b) => vec![b.to_string()],
            other => vec![py_str(other)],
        };
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

fn capitalize(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// knack's automatic table: scalar fields of each object (not `id`, `type`, `etag`), keys
/// capitalised; non-object items become a `Result` column.
fn auto_row(item: &Value, ordered: bool) -> Vec<(String, String)> {
    match item {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            if !ordered {
                keys.sort();
            }
            keys.into_iter()
                .filter(|k| !["id", "type", "etag"].contains(&k.as_str()))
                .filter(|k| !matches!(m[k.as_str()], Value::Null | Value::Array(_) | Value::Object(_)))
                .map(|k| (capitalize(k), py_str(&m[k.as_str()])))
                .collect()
        }
        other => vec![("Result".into(), py_str(other))],
    }
}

fn table(v: &Value, ordered: bool) -> String {
    let items: Vec<&Value> = match v {
        // knack's `_TableOutput.dump` ends even an empty table with a newline.
        Value::Array(a) if a.is_empty() => return "\n".into(),
        Value::Array(a) => a.iter().collect(),
        Value::Null => return String::new(),
        other => vec![other],
    };
    let rows: Vec<Vec<(String, String)>> = items.iter().map(|i| auto_row(i, ordered)).collect();
    let mut headers: Vec<String> = Vec::new();
    for r in &rows {
        for (h, _) in r {
            if !headers.contains(h) {
                headers.push(h.clone());
            }
        }
    }
    if headers.is_empty() {
        return String::new();
    }
    let cell =
        |r: &Vec<(String, String)>, h: &str| r.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or_default();
    let widths: Vec<usize> = headers
        .iter()
        // tabulate (knack's "simple" table) pads each header by at least two.
        .map(|h| rows.iter().map(|r| cell(r, h).chars().count()).chain([h.chars().count() + 2]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}", w = *w)).collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(headers.clone()));
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(headers.iter().map(|h| cell(r, h)).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_is_case_sensitive_and_keeps_order() {
        let v = json!({"id": "/subscriptions/s/resourceGroups/rg", "name": "rg", "location": "westeurope"});
        assert_eq!(render(&query(&v, "id").unwrap(), Format::Json), "\"/subscriptions/s/resourceGroups/rg\"\n");
        // az's jmespath is case-sensitive: `ID` is null, which prints nothing.
        assert_eq!(query(&v, "ID").unwrap(), Value::Null);
        assert_eq!(query(&v, "keys(@)").unwrap(), json!(["id", "name", "location"]));
        let q = query(&json!([v]), "[].{Name:name, Loc:location}").unwrap();
        assert_eq!(render_with(&q, Format::Table, true), "Name    Loc\n------  ----------\nrg      westeurope\n");
        // JSON output still sorts keys, as knack does.
        assert_eq!(render(&q, Format::Json), "[\n  {\n    \"Loc\": \"westeurope\",\n    \"Name\": \"rg\"\n  }\n]\n");
        let bad = query(&v, "[?").unwrap_err();
        assert_eq!(bad.exit, 2);
        assert_eq!(bad.message, "argument --query: invalid jmespath_type value: '[?'");
        let quoted = query(&v, "[?name=='rg'").unwrap_err();
        assert_eq!(quoted.message, "argument --query: invalid jmespath_type value: \"[?name=='rg'\"");
        let unknown = query(&v, "nope(@)").unwrap_err();
        assert_eq!(
            (unknown.exit, unknown.message.as_str()),
            (1, "Invalid jmespath query supplied for `--query`: Unknown function: nope()")
        );
        assert_eq!(unknown.hint.as_deref(), Some(QUERY_REFERENCE));
    }

    #[test]
    fn json_is_sorted_two_space() {
        let v = sorted(json!({"b": 1, "a": {"d": null, "c": []}}));
        assert_eq!(render(&v, Format::Json), "{\n  \"a\": {\n    \"c\": [],\n    \"d\": null\n  },\n  \"b\": 1\n}\n");
    }

    #[test]
    fn tsv_and_table_like_knack() {
        let v = json!([{"name": "rg1", "location": "eastus", "managedBy": null, "tags": {}, "id": "x"}, {"name": "rg22", "location": "westeurope", "managedBy": null, "tags": {}, "id": "y"}]);
        assert_eq!(
            render(&v, Format::Tsv),
            "x\teastus\tNone\trg1\t\nid_y\n".replace("id_y", "y\twesteurope\tNone\trg22\t")
        );
        assert_eq!(
            render(&v, Format::Table),
            "Location    Name\n----------  ------\neastus      rg1\nwesteurope  rg22\n"
        );
        assert_eq!(render(&json!(true), Format::Tsv), "true\n");
        assert_eq!(render(&json!([false, [true]]), Format::Tsv), "false\nTrue\n");
    }

    #[test]
    fn yaml_and_none() {
        assert_eq!(render(&json!({"a": "b"}), Format::Yaml), "a: b\n");
        assert_eq!(render(&json!({"a": "b"}), Format::None), "");
        assert!(render(&json!({"a": "b"}), Format::Jsonc).contains("\x1b["));
    }
}
