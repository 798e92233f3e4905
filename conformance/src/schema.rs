//! OpenAPI (swagger 2.0) validation of the answers the suites receive.
//!
//! The official definitions of the modelled operations are vendored under
//! `fixtures/official/specs/`, each file at the path it has in Azure/azure-rest-api-specs (so the
//! relative `$ref`s between a service file and `common-types` resolve unchanged). [`Specs`] loads
//! them once, finds the operation a request went to (method and path template, literal segments
//! compared case-insensitively, the most literal template winning), takes the schema of the
//! answer's status (`default` for an error status the operation does not list) and walks the body
//! against it.
//!
//! The walker is written by hand rather than converting the definitions for a JSON-schema crate:
//! the conversion would have to rewrite `$ref`s across files, `allOf` with discriminators
//! (`x-ms-discriminator-value`), `x-nullable` and `x-ms-enum`, and still would not report a key
//! the definition lacks (JSON schema allows extra keys unless told otherwise, and telling it
//! otherwise breaks `allOf`). The walk is about as long as that conversion. It reports:
//! - a value of the wrong JSON type (`integer` accepts whole numbers only; `null` only where the
//!   definition or the reference to it is `x-nullable`);
//! - a string outside an `enum`, unless `x-ms-enum.modelAsString` is true (clients accept new
//!   values of those);
//! - a key that no definition of the object declares (ARM definitions rarely set
//!   `additionalProperties: false`, but an undeclared key is one no generated client reads), unless
//!   the object is free-form (`type: object` without `properties`) or has `additionalProperties`.
//!
//! `readOnly` properties are expected in answers and `required` is not checked (ARM marks request
//! requirements with it). A finding that is deliberate is an entry of
//! `fixtures/official/allow-list.json` with `operation` (an operationId, `*` at the end for a
//! prefix) or `definition` (where the key is declared missing), `path` (a JSON pointer, `**/`
//! at the start for any depth, `*` for one array index or map key) and `reason`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The vendored specification tree.
pub fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/official/specs")
}

/// One operation of a vendored file.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub template: String,
    /// The file (relative to [`specs_dir`]) that declares it.
    pub file: String,
    /// The api-version of that file (`info.version`).
    pub api_version: String,
    segments: Vec<Seg>,
    responses: Map<String, Value>,
}

/// A segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Literal(String),
    /// `{name}`: one non-empty segment.
    Param,
    /// `{scope}`: any number of segments (ARM specs declare it `x-ms-skip-url-encoding`; a
    /// tenant-level scope is empty).
    Scope,
}

fn segs_match(template: &[Seg], segs: &[&str]) -> bool {
    match template.split_first() {
        None => segs.is_empty(),
        Some((Seg::Scope, rest)) => (0..=segs.len()).any(|n| segs_match(rest, &segs[n..])),
        Some((t, rest)) => {
            let Some((s, more)) = segs.split_first() else { return false };
            let here = match t {
                Seg::Literal(lit) => lit.eq_ignore_ascii_case(s),
                _ => !s.is_empty(),
            };
            here && segs_match(rest, more)
        }
    }
}

impl Operation {
    /// How many literal segments the template has (the most specific template wins).
    fn literals(&self) -> usize {
        self.segments.iter().filter(|s| matches!(s, Seg::Literal(_))).count()
    }

    fn matches(&self, method: &str, segs: &[&str]) -> bool {
        self.method.eq_ignore_ascii_case(method) && segs_match(&self.segments, segs)
    }
}

/// A difference between an answer and its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The operationId.
    pub operation: String,
    /// JSON pointer into the body (`""` for the root).
    pub path: String,
    /// The definition the value was checked against (`""` for an inline schema).
    pub definition: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let def = if self.definition.is_empty() { String::new() } else { format!(" ({})", self.definition) };
        write!(f, "{} {}{}: {}", self.operation, if self.path.is_empty() { "/" } else { &self.path }, def, self.message)
    }
}

/// An allow-list entry for schema findings.
#[derive(Debug, Clone)]
pub struct Allow {
    pub operation: Option<String>,
    pub definition: Option<String>,
    /// The JSON pointers (patterns) the entry covers: `path`, or `paths` for one difference
    /// that shows at several places.
    pub paths: Vec<String>,
    pub reason: String,
}

impl Allow {
    pub fn matches(&self, f: &Finding) -> bool {
        let op = self.operation.as_deref().is_none_or(|o| match o.strip_suffix('*') {
            Some(prefix) => f.operation.starts_with(prefix),
            None => f.operation == o,
        });
        let def = self.definition.as_deref().is_none_or(|d| d == f.definition);
        op && def && self.paths.iter().any(|p| pointer_matches(p, &f.path))
    }
}

/// The path patterns of an allow-list entry: its `path`, or each of its `paths` (one difference
/// that shows at several places is one entry with one reason).
pub fn entry_paths(e: &Value) -> Vec<String> {
    let paths: Vec<String> = match (&e["path"], &e["paths"]) {
        (Value::String(p), Value::Null) => vec![p.clone()],
        (Value::Null, Value::Array(ps)) => ps.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => panic!("allow-list entry needs `path` (a string) or `paths` (an array), not both: {e}"),
    };
    assert!(!paths.is_empty(), "allow-list entry with no path: {e}");
    paths
}

/// `**/a/b` matches any pointer ending in `/a/b`; `*` matches one segment.
fn pointer_matches(pattern: &str, path: &str) -> bool {
    let (anywhere, pattern) = match pattern.strip_prefix("**") {
        Some(rest) => (true, rest.trim_start_matches('/')),
        None => (false, pattern),
    };
    let pat: Vec<&str> = pattern.split('/').collect();
    let segs: Vec<&str> = path.split('/').collect();
    let seg_eq = |p: &&str, s: &&str| *p == "*" || p == s;
    if anywhere {
        segs.len() >= pat.len() && pat.iter().rev().zip(segs.iter().rev()).all(|(p, s)| seg_eq(p, s))
    } else {
        pat.len() == segs.len() && pat.iter().zip(&segs).all(|(p, s)| seg_eq(p, s))
    }
}

/// The vendored files and their operations.
pub struct Specs {
    files: BTreeMap<String, Value>,
    pub operations: Vec<Operation>,
    pub allow: Vec<Allow>,
}

/// Normalises `a/b/../c` (relative references between vendored files).
fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// A `$ref` written in `from_file` as (the file it names, the JSON pointer into it).
fn split_ref<'r>(from_file: &str, reference: &'r str) -> (String, &'r str) {
    let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    if file.is_empty() {
        return (from_file.to_string(), pointer);
    }
    let dir = from_file.rsplit_once('/').map_or("", |(d, _)| d);
    (normalise(&format!("{dir}/{file}")), pointer)
}

fn read_tree(dir: &Path, root: &Path, out: &mut BTreeMap<String, Value>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            read_tree(&p, root, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
            out.insert(rel.clone(), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}")));
        }
    }
}

impl Specs {
    /// The vendored specs and the schema entries of `fixtures/official/allow-list.json`, loaded
    /// once per test binary.
    pub fn get() -> &'static Specs {
        static SPECS: OnceLock<Specs> = OnceLock::new();
        SPECS.get_or_init(|| {
            let allow_file = specs_dir().join("../allow-list.json");
            let allow: Value = serde_json::from_str(&std::fs::read_to_string(&allow_file).expect("allow-list.json"))
                .expect("allow-list.json is JSON");
            Specs::load(&specs_dir(), &allow)
        })
    }

    /// Loads every `.json` under `root` (a swagger file when it has `swagger`) and the entries of
    /// `allow` that name an `operation` or a `definition`.
    pub fn load(root: &Path, allow: &Value) -> Specs {
        let mut files = BTreeMap::new();
        read_tree(root, root, &mut files);
        let mut operations = Vec::new();
        for (file, doc) in &files {
            if doc.get("swagger").is_none() {
                continue;
            }
            let api_version = doc["info"]["version"].as_str().unwrap_or_default().to_string();
            for (template, item) in doc["paths"].as_object().into_iter().flatten() {
                for (method, op) in item.as_object().into_iter().flatten() {
                    let Some(id) = op["operationId"].as_str() else { continue };
                    let segments = template
                        .trim_matches('/')
                        .split('/')
                        .map(|s| match s {
                            "{scope}" => Seg::Scope,
                            s if s.starts_with('{') && s.ends_with('}') => Seg::Param,
                            s => Seg::Literal(s.to_string()),
                        })
                        .collect();
                    operations.push(Operation {
                        id: id.to_string(),
                        method: method.to_ascii_uppercase(),
                        template: template.clone(),
                        file: file.clone(),
                        api_version: api_version.clone(),
                        segments,
                        responses: op["responses"].as_object().cloned().unwrap_or_default(),
                    });
                }
            }
        }
        let allow = allow
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e.get("operation").is_some() || e.get("definition").is_some())
            .map(|e| {
                let reason = e["reason"].as_str().unwrap_or_default().to_string();
                assert!(reason.len() >= 20, "allow-list entry without a real reason: {e}");
                Allow {
                    operation: e["operation"].as_str().map(String::from),
                    definition: e["definition"].as_str().map(String::from),
                    paths: entry_paths(e),
                    reason,
                }
            })
            .collect();
        Specs { files, operations, allow }
    }

    /// The operation a request went to: `path` may be a full URL and carry a query.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let path = match path.find("://") {
            Some(i) => path[i + 3..].find('/').map_or("/", |j| &path[i + 3 + j..]),
            None => path,
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.operations.iter().filter(|o| o.matches(method, &segs)).max_by_key(|o| o.literals())
    }

    /// Every finding for an answer with a body to `op` (allowed ones included), or `None` when
    /// the status declares no body schema (202, 204). A success status the operation does not
    /// declare is a finding; an error status it does not list is checked against `default`.
    pub fn check(&self, op: &Operation, status: u16, body: &Value) -> Option<Vec<Finding>> {
        let Some(resp) = op
            .responses
            .get(&status.to_string())
            .or_else(|| (status >= 400).then(|| op.responses.get("default")).flatten())
        else {
            let declared: Vec<&str> = op.responses.keys().map(String::as_str).filter(|k| *k != "default").collect();
            return Some(vec![Finding {
                operation: op.id.clone(),
                path: String::new(),
                definition: String::new(),
                message: format!("status {status} is not one the operation declares ({})", declared.join(", ")),
            }]);
        };
        let schema = resp.get("schema")?;
        let mut w = Walker { specs: self, op: &op.id, findings: Vec::new(), depth: 0 };
        w.walk(&op.file, schema, body, "", "", false);
        Some(w.findings)
    }

    /// Findings that no allow-list entry covers.
    pub fn unexplained(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().filter(|f| !self.allow.iter().any(|a| a.matches(f))).collect()
    }

    /// The vendored files (path relative to [`specs_dir`], content).
    pub fn files(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.files.iter()
    }

    /// True when `reference`, written in `from_file`, names something a vendored file has.
    pub fn resolves(&self, from_file: &str, reference: &str) -> bool {
        let (file, pointer) = split_ref(from_file, reference);
        self.files.get(&file).is_some_and(|d| d.pointer(pointer).is_some())
    }

    /// The definition a `$ref` names, with the file it lives in.
    fn resolve(&self, from_file: &str, reference: &str) -> (String, String, &Value) {
        let (file, pointer) = split_ref(from_file, reference);
        let doc = self
            .files
            .get(&file)
            .unwrap_or_else(|| panic!("$ref {reference} from {from_file}: {file} is not vendored"));
        let target = doc.pointer(pointer).unwrap_or_else(|| panic!("$ref {reference} from {from_file}: no {pointer}"));
        let name = pointer.rsplit('/').next().unwrap_or_default().to_string();
        (file, name, target)
    }

    /// The definitions of `file` whose `allOf` names `base` with discriminator value `value`.
    fn subtype(&self, file: &str, base: &str, value: &str) -> Option<(String, &Value)> {
        let defs = self.files.get(file)?["definitions"].as_object()?;
        defs.iter()
            .find(|(name, d)| {
                let tag = d.get("x-ms-discriminator-value").and_then(Value::as_str).unwrap_or(name);
                tag == value
                    && d["allOf"].as_array().is_some_and(|a| {
                        a.iter()
                            .any(|r| r["$ref"].as_str().is_some_and(|r| r.ends_with(&format!("/definitions/{base}"))))
                    })
            })
            .map(|(n, d)| (n.clone(), d))
    }
}

/// A property a definition declares: its schema, the file the schema lives in (for relative
/// `$ref`s) and the definition that declares it (for findings and allow-list entries).
struct Prop<'a> {
    name: String,
    file: String,
    schema: &'a Value,
    owner: String,
}

/// A schema with its `allOf` chain merged: declared properties, `additionalProperties`, whether
/// it is free-form.
#[derive(Default)]
struct Merged<'a> {
    ty: Option<&'a str>,
    properties: Vec<Prop<'a>>,
    additional: Option<(String, &'a Value)>,
    discriminator: Option<(String, String, String)>,
    enum_values: Option<&'a Vec<Value>>,
    model_as_string: bool,
    items: Option<(String, &'a Value)>,
    has_structure: bool,
    nullable: bool,
}

struct Walker<'a> {
    specs: &'a Specs,
    op: &'a str,
    findings: Vec<Finding>,
    depth: usize,
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'a> Walker<'a> {
    fn finding(&mut self, path: &str, definition: &str, message: String) {
        self.findings.push(Finding {
            operation: self.op.to_string(),
            path: path.to_string(),
            definition: definition.to_string(),
            message,
        });
    }

    /// Follows `$ref`s and merges `allOf` into `m`; `file`/`name` say where `schema` lives.
    fn merge(&self, file: &str, name: &str, schema: &'a Value, m: &mut Merged<'a>, seen: usize) {
        assert!(seen < 64, "$ref cycle at {file}#{name}");
        if schema.get("x-nullable").and_then(Value::as_bool) == Some(true) {
            m.nullable = true;
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let (f, n, target) = self.specs.resolve(file, r);
            self.merge(&f, &n, target, m, seen + 1);
            return;
        }
        for parent in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.merge(file, name, parent, m, seen + 1);
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            m.ty = Some(t);
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            m.has_structure = true;
            for (k, v) in props {
                m.properties.retain(|p| &p.name != k);
                m.properties.push(Prop { name: k.clone(), file: file.to_string(), schema: v, owner: name.to_string() });
            }
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(false)) | None => {}
            Some(a) => {
                m.has_structure = true;
                m.additional = Some((file.to_string(), a));
            }
        }
        if let Some(d) = schema.get("discriminator").and_then(Value::as_str) {
            m.discriminator = Some((d.to_string(), file.to_string(), name.to_string()));
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            m.enum_values = Some(e);
            m.model_as_string = schema["x-ms-enum"]["modelAsString"].as_bool().unwrap_or(false);
        }
        if let Some(items) = schema.get("items") {
            m.items = Some((file.to_string(), items));
        }
    }

    fn walk(&mut self, file: &str, schema: &'a Value, value: &Value, path: &str, name: &str, nullable: bool) {
        self.depth += 1;
        assert!(self.depth < 200, "schema walk too deep at {path}");
        let mut m = Merged::default();
        self.merge(file, name, schema, &mut m, 0);
        // The definition name for findings: the last `$ref` followed, else the caller's.
        let def_name = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or_default().to_string())
            .unwrap_or_else(|| name.to_string());
        self.check(&m, value, path, &def_name, nullable || m.nullable);
        self.depth -= 1;
    }

    fn check(&mut self, m: &Merged<'a>, value: &Value, path: &str, def: &str, nullable: bool) {
        if value.is_null() {
            if !nullable && (m.ty.is_some() || m.has_structure) {
                self.finding(path, def, "null where the definition is not x-nullable".into());
            }
            return;
        }
        let ty = m.ty.or(if m.has_structure { Some("object") } else { None });
        let actual = json_type(value);
        match ty {
            None => {}
            Some("number") if actual == "integer" || actual == "number" => {}
            Some(t) if t == actual => {}
            Some(t) => {
                self.finding(path, def, format!("{actual} where the definition has {t}"));
                return;
            }
        }
        if let (Some(values), Value::String(s)) = (m.enum_values, value) {
            if !m.model_as_string && !values.iter().any(|v| v.as_str() == Some(s)) {
                let list: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                self.finding(path, def, format!("{s:?} is not one of {list:?}"));
            }
        }
        match value {
            Value::Array(items) => {
                if let Some((f, schema)) = &m.items {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(f, schema, item, &format!("{path}/{i}"), def, false);
                    }
                }
            }
            Value::Object(obj) => self.check_object(m, obj, path, def),
            _ => {}
        }
    }

    fn check_object(&mut self, m: &Merged<'a>, obj: &Map<String, Value>, path: &str, def: &str) {
        // A discriminated base: the keys of the subtype the value names are declared too.
        if let Some((prop, file, base)) = &m.discriminator {
            if let Some(tag) = obj.get(prop).and_then(Value::as_str) {
                if let Some((sub, schema)) = self.specs.subtype(file, base, tag) {
                    let sub_schema: &'a Value = schema;
                    let mut sm = Merged::default();
                    self.merge(file, &sub, sub_schema, &mut sm, 0);
                    sm.discriminator = None;
                    return self.check_object(&sm, obj, path, &sub);
                }
            }
        }
        for (k, v) in obj {
            let p = format!("{path}/{}", escape(k));
            if let Some(prop) = m.properties.iter().find(|p| &p.name == k) {
                self.walk(&prop.file, prop.schema, v, &p, &prop.owner, false);
            } else if let Some((f, schema)) = &m.additional {
                if schema.is_object() {
                    self.walk(f, schema, v, &p, def, false);
                }
            } else if m.has_structure {
                self.finding(&p, def, format!("key {k:?} is not defined"));
            }
        }
    }
}

/// What [`crate::Http`] does with findings: fail the request (default), print them
/// (`ARMEMU_SCHEMA=report`) or skip validation (`ARMEMU_SCHEMA=off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Fail,
    Report,
    Off,
}

pub fn mode() -> Mode {
    match std::env::var("ARMEMU_SCHEMA").unwrap_or_default().to_ascii_lowercase().as_str() {
        "off" | "0" | "false" => Mode::Off,
        "report" => Mode::Report,
        _ => Mode::Fail,
    }
}

/// Validates one answer the suites received; the unexplained findings (empty when the route is
/// not a vendored operation or the body is not JSON). With `ARMEMU_SCHEMA_LOG=<file>` every
/// validated answer is appended to that file as a line `operationId status findings` (for
/// counting what the suites cover).
pub fn validate_answer(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &[u8]) -> Vec<Finding> {
    if body.is_empty() || !content_type.is_some_and(|c| c.contains("json")) {
        return Vec::new();
    }
    let specs = Specs::get();
    let Some(op) = specs.operation(method, path) else { return Vec::new() };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return vec![Finding {
            operation: op.id.clone(),
            path: String::new(),
            definition: String::new(),
            message: "a JSON content type with a body that is not JSON".into(),
        }];
    };
    let Some(findings) = specs.check(op, status, &value) else { return Vec::new() };
    let total = findings.len();
    let left = specs.unexplained(findings);
    if let Some(log) = std::env::var_os("ARMEMU_SCHEMA_LOG") {
        use std::io::Write as _;
        // One write per answer, so lines of parallel tests do not interleave.
        let mut text = format!("{} {status} {total} {}\n", op.id, left.len());
        for x in &left {
            text.push_str(&format!("  {x}\n"));
        }
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = f.write_all(text.as_bytes());
        }
    }
    left
}
