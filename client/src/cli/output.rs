//! Rendering: `--query` (JMESPath), then `-o json|jsonc|yaml|table|tsv|none`, the way `az`
//! prints (knack's formatters): keys sorted, two-space JSON, `None`/`True` in TSV, tables with
//! a dashed rule under the headers. Only stdout data goes through here; diagnostics go to stderr.

use serde_json::{Map, Value};

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

/// Applies a JMESPath expression. A bare key that matches nothing is retried
/// case-insensitively, so the documented `--query "ID"` finds `id`.
pub fn query(v: &Value, expr: &str) -> Result<Value, String> {
    let compiled =
        jmespath::compile(expr).map_err(|e| format!("argument --query: invalid jmespath_type value: '{expr}': {e}"))?;
    let data = jmespath::Variable::from_serializable(v).map_err(|e| e.to_string())?;
    let found = compiled.search(data).map_err(|e| format!("--query '{expr}': {e}"))?;
    let mut out = serde_json::to_value(&*found).map_err(|e| e.to_string())?;
    if out.is_null() {
        let bare = !expr.is_empty()
            && expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !expr.starts_with(|c: char| c.is_ascii_digit());
        if let (true, Value::Object(m)) = (bare, v) {
            if let Some((_, val)) = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(expr)) {
                out = val.clone();
            }
        }
    }
    Ok(out)
}

pub fn render(v: &Value, format: Format) -> String {
    render_with(v, format, false)
}

/// `ordered`: keep the key order of the objects (a table transformer's columns).
pub fn render_with(v: &Value, format: Format, ordered: bool) -> String {
    match format {
        Format::None => String::new(),
        Format::Json => format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default()),
        Format::Jsonc => format!("{}\n", colored_json(v, 0)),
        Format::Yaml | Format::Yamlc => yaml(v),
        Format::Table => table(v, ordered),
        Format::Tsv => tsv(v),
    }
}

fn yaml(v: &Value) -> String {
    let s = serde_yaml::to_string(v).unwrap_or_default();
    if s.ends_with('\n') {
        s
    } else {
        format!("{s}\n")
    }
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

fn tsv(v: &Value) -> String {
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
                keys.sort();
                keys.iter().map(|k| py_str(&m[k.as_str()])).collect()
            }
            Value::Array(a) => a.iter().map(py_str).collect(),
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
    fn query_id_prints_quoted() {
        let v = json!({"id": "/subscriptions/s/resourceGroups/rg", "name": "rg"});
        let q = query(&v, "id").unwrap();
        assert_eq!(render(&q, Format::Json), "\"/subscriptions/s/resourceGroups/rg\"\n");
        assert_eq!(render(&query(&v, "ID").unwrap(), Format::Tsv), "/subscriptions/s/resourceGroups/rg\n");
        assert!(query(&v, "[?").is_err());
        assert_eq!(query(&json!([{"a": 1}, {"a": 2}]), "[].a").unwrap(), json!([1, 2]));
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
        assert_eq!(render(&json!(true), Format::Tsv), "True\n");
    }

    #[test]
    fn yaml_and_none() {
        assert_eq!(render(&json!({"a": "b"}), Format::Yaml), "a: b\n");
        assert_eq!(render(&json!({"a": "b"}), Format::None), "");
        assert!(render(&json!({"a": "b"}), Format::Jsonc).contains("\x1b["));
    }
}
