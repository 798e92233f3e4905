//! az's human-readable what-if summary (`azure/cli/command_modules/resource/_formatters.py`,
//! az 2.91), ported line for line without colours (az prints none when stdout is not a
//! terminal): the noise notice, the legend of change symbols, one block per scope with one
//! line per resource (`+ Microsoft.Storage/storageAccounts/sa0 [2023-05-01]`) and its
//! payload or property changes, then `Resource changes: 2 to create, 1 to modify.`.

use serde_json::Value;

use crate::models::{WhatIfChange, WhatIfOperationResult, WhatIfPropertyChange};

/// The canonical spelling of a change type (the SDK's enums match case-insensitively).
pub fn canonical(change_type: &str) -> String {
    const ALL: [&str; 10] =
        ["Create", "Delete", "Ignore", "Deploy", "NoChange", "Modify", "Unsupported", "Array", "NoEffect", "Unknown"];
    ALL.iter().find(|c| c.eq_ignore_ascii_case(change_type)).map(|c| c.to_string()).unwrap_or(change_type.to_string())
}

fn weight(change_type: &str) -> u8 {
    match canonical(change_type).as_str() {
        "Delete" => 0,
        "Create" => 1,
        "Deploy" => 2,
        "Modify" => 3,
        "NoChange" => 4,
        "Unsupported" => 5,
        "Ignore" => 6,
        _ => 7,
    }
}

fn property_weight(change_type: &str) -> u8 {
    match canonical(change_type).as_str() {
        "Delete" => 0,
        "Create" => 1,
        "Modify" | "Array" => 2,
        _ => 3,
    }
}

fn symbol(change_type: &str) -> &'static str {
    match canonical(change_type).as_str() {
        "Create" => "+",
        "Delete" => "-",
        "Modify" | "Array" => "~",
        "Deploy" => "!",
        "NoChange" => "=",
        "Ignore" => "*",
        _ => "x",
    }
}

/// Python's `str.title()`: `NoChange` → `Nochange`, as az prints the legend.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_cased = false;
    for c in s.chars() {
        if c.is_alphabetic() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_cased = true;
        } else {
            out.push(c);
            prev_cased = false;
        }
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The `[\w.()-]`-style name characters of az's resource id patterns.
fn take_name(s: &str, extra: &[char]) -> usize {
    s.char_indices().find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || extra.contains(c))).map_or(s.len(), |(i, _)| i)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

/// az's `split_resource_id`: `(scope, relative id)`, e.g.
/// `("/subscriptions/{s}/resourceGroups/rg", "Microsoft.Storage/storageAccounts/sa")`.
pub fn split_resource_id(id: &str) -> (String, String) {
    let mut rest = id;
    let unslashed = rest.strip_prefix('/').unwrap_or(rest);
    let mut management_group = None;
    if let Some(after) = strip_prefix_ci(unslashed, "providers/Microsoft.Management/managementGroups/") {
        let n = take_name(after, &['.', '(', ')', '-']);
        if n > 0 {
            management_group = Some(after[..n].to_string());
            rest = &after[n..];
        }
    }
    let mut subscription = None;
    let unslashed = rest.strip_prefix('/').unwrap_or(rest);
    if let Some(after) = strip_prefix_ci(unslashed, "subscriptions/") {
        let n =
            after.char_indices().find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-')).map_or(after.len(), |(i, _)| i);
        if n > 0 {
            subscription = Some(after[..n].to_string());
            rest = &after[n..];
        }
    }
    let mut group = None;
    if let Some(after) = strip_prefix_ci(rest, "/resourceGroups/") {
        let n = take_name(after, &['-', '.', '(', ')']);
        if n > 0 {
            group = Some(after[..n].to_string());
            rest = &after[n..];
        }
    }
    let relative = strip_prefix_ci(rest, "/providers/").filter(|r| !r.is_empty() && !r.contains('\n'));
    let relative_text = relative.unwrap_or("").to_string();
    if let Some(mg) = management_group {
        let mg_relative = format!("Microsoft.Management/ManagementGroups/{mg}");
        return if relative_text.is_empty() {
            ("/".into(), mg_relative)
        } else {
            (format!("/providers/{mg_relative}"), relative_text)
        };
    }
    if let Some(sub) = subscription {
        let scope = format!("/subscriptions/{}", sub.to_lowercase());
        if let Some(rg) = group {
            let rg_id = format!("resourceGroups/{rg}");
            return if relative.is_some() { (format!("{scope}/{rg_id}"), relative_text) } else { (scope, rg_id) };
        }
        return (scope, relative_text);
    }
    ("/".into(), relative_text)
}

fn is_leaf(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => true,
    }
}

fn non_empty_array(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty())
}

fn non_empty_object(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty())
}

/// Builds the text; `append`/`line` mirror az's `ColoredStringBuilder` (no colours).
struct Builder(String);

impl Builder {
    fn append(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    fn line(&mut self, s: &str) -> &mut Self {
        self.0.push_str(s);
        self.0.push('\n');
        self
    }

    fn indent(&mut self, level: usize) {
        self.0.push_str(&"  ".repeat(level));
    }

    fn spaces(&mut self, n: i64) {
        if n > 0 {
            self.0.push_str(&" ".repeat(n as usize));
        }
    }

    /// `_format_path`: indent, head, path, tail, padding — nothing for an empty path.
    fn path(&mut self, path: &str, padding: i64, indent: usize, head: Option<&str>, tail: Option<&str>) {
        if path.is_empty() {
            return;
        }
        self.indent(indent);
        if let Some(h) = head {
            self.append(h);
        }
        self.append(path);
        if let Some(t) = tail {
            self.append(t);
        }
        self.spaces(padding);
    }

    fn json_path(&mut self, path: &str, padding: i64, indent: usize) {
        self.path(path, padding, indent, None, Some(":"));
    }

    fn leaf(&mut self, v: &Value) {
        match v {
            Value::Null => self.append("null"),
            Value::Bool(b) => self.append(if *b { "true" } else { "false" }),
            Value::String(s) => self.append("\"").append(s).append("\""),
            Value::Array(_) => self.append("[]"),
            Value::Object(_) => self.append("{}"),
            Value::Number(n) => self.append(&n.to_string()),
        };
    }

    fn json(&mut self, v: &Value, path: &str, max_path: i64, indent: usize) {
        if is_leaf(v) {
            self.json_path(path, max_path - chars(path) as i64 + 1, indent);
            self.leaf(v);
        } else if let Value::Array(a) = v {
            self.json_path(path, 1, indent);
            self.array(a, indent);
        } else if let Value::Object(m) = v {
            self.object(m, path, max_path, indent);
        }
    }

    fn array(&mut self, a: &[Value], indent: usize) {
        self.line("[");
        let max_leaf_index = a.iter().rposition(is_leaf).unwrap_or(0);
        let max_path = max_leaf_index.to_string().len() as i64;
        for (i, child) in a.iter().enumerate() {
            let child_path = i.to_string();
            if let Value::Object(m) = child {
                if !m.is_empty() {
                    self.json_path(&child_path, 0, indent + 1);
                    self.object(m, "", 0, indent + 1);
                    self.line("");
                    continue;
                }
            }
            self.json(child, &child_path, max_path, indent + 1);
            self.line("");
        }
        self.indent(indent);
        self.append("]");
    }

    fn object(&mut self, m: &serde_json::Map<String, Value>, path: &str, max_path: i64, indent: usize) {
        let root = path.is_empty();
        let (mut max_path, mut indent) = (max_path, indent);
        if root {
            self.line("").line("");
            max_path = max_path_of_object(m);
            indent += 1;
        }
        for (k, child) in m {
            let child_path = if root { k.clone() } else { format!("{path}.{k}") };
            self.json(child, &child_path, max_path, indent);
            if !non_empty_object(child) {
                self.line("");
            }
        }
    }

    fn property_changes(&mut self, changes: &[WhatIfPropertyChange], indent: usize) {
        let max_path = changes
            .iter()
            .filter(|c| match canonical(&c.property_change_type).as_str() {
                "Create" => is_leaf(c.after.as_ref().unwrap_or(&Value::Null)),
                "Delete" | "Modify" => is_leaf(c.before.as_ref().unwrap_or(&Value::Null)),
                _ => c.children.as_ref().is_none_or(|ch| ch.is_empty()),
            })
            .map(|c| chars(&c.path))
            .max()
            .unwrap_or(0) as i64;
        for c in changes {
            self.property_change(c, max_path, indent);
            self.line("");
        }
    }

    fn property_change_path(&mut self, c: &WhatIfPropertyChange, value: PathValue, max_path: i64, indent: usize) {
        if c.path.is_empty() {
            return;
        }
        let mut padding = max_path - chars(&c.path) as i64 + 1;
        let (array, object) = match value {
            PathValue::Json(v) => (non_empty_array(v), non_empty_object(v)),
            PathValue::Children(n) => (n > 0, false),
        };
        if array {
            padding = 1;
        }
        if object {
            padding = 0;
        }
        let kind = canonical(&c.property_change_type);
        if kind == "Modify" && c.children.as_ref().is_some_and(|ch| !ch.is_empty()) {
            padding = 0;
        }
        let head = format!("{} ", symbol(&kind));
        self.path(&c.path, padding, indent, Some(&head), Some(":"));
    }

    fn property_change(&mut self, c: &WhatIfPropertyChange, max_path: i64, indent: usize) {
        let null = Value::Null;
        let before = c.before.as_ref().unwrap_or(&null);
        let after = c.after.as_ref().unwrap_or(&null);
        let children: &[WhatIfPropertyChange] = c.children.as_deref().unwrap_or_default();
        match canonical(&c.property_change_type).as_str() {
            "Create" => {
                self.property_change_path(c, PathValue::Json(after), max_path, indent);
                self.json(after, "", 0, indent + 1);
            }
            "Delete" => {
                self.property_change_path(c, PathValue::Json(before), max_path, indent);
                self.json(before, "", 0, indent + 1);
            }
            "Modify" => {
                self.property_change_path(c, PathValue::Json(before), max_path, indent);
                self.property_modify(before, after, children, indent + 1);
            }
            "Array" => {
                self.property_change_path(c, PathValue::Children(children.len()), max_path, indent);
                self.property_array(c, children, indent + 1);
            }
            _ => {
                self.property_change_path(c, PathValue::Json(after), max_path, indent);
                self.json(after, "", 0, indent + 1);
            }
        }
    }

    fn property_modify(&mut self, before: &Value, after: &Value, children: &[WhatIfPropertyChange], indent: usize) {
        if !children.is_empty() {
            self.line("").line("");
            self.property_changes(&sorted_properties(children), indent);
            return;
        }
        self.json(before, "", 0, indent);
        if non_empty_object(before) {
            self.line("");
            self.indent(indent);
        } else {
            self.append(" ");
        }
        self.append("=>");
        if !non_empty_object(after) {
            self.append(" ");
        }
        self.json(after, "", 0, indent);
        if !is_leaf(before) && is_leaf(after) {
            self.line("");
        }
    }

    fn property_array(&mut self, parent: &WhatIfPropertyChange, children: &[WhatIfPropertyChange], indent: usize) {
        let mut indent = indent;
        if parent.path.is_empty() {
            indent = indent.saturating_sub(1);
            self.indent(indent);
        }
        if children.is_empty() {
            self.line("[]");
            return;
        }
        self.line("[");
        let mut sorted = children.to_vec();
        sorted.sort_by_key(|c| (c.path.trim().parse::<i64>().unwrap_or(0), property_weight(&c.property_change_type)));
        self.property_changes(&sorted, indent);
        self.indent(indent);
        self.append("]");
    }
}

/// What `_format_property_change_path` measures: a JSON value, or the children list.
enum PathValue<'a> {
    Json(&'a Value),
    Children(usize),
}

fn max_path_of_object(m: &serde_json::Map<String, Value>) -> i64 {
    let mut max = 0i64;
    for (k, v) in m {
        if non_empty_array(v) {
            continue;
        }
        let len = match v {
            Value::Object(inner) if !inner.is_empty() => chars(k) as i64 + 1 + max_path_of_object(inner),
            _ => chars(k) as i64,
        };
        max = max.max(len);
    }
    max
}

fn sorted_properties(changes: &[WhatIfPropertyChange]) -> Vec<WhatIfPropertyChange> {
    let mut v = changes.to_vec();
    v.sort_by(|a, b| {
        (property_weight(&a.property_change_type), &a.path).cmp(&(property_weight(&b.property_change_type), &b.path))
    });
    v
}

fn api_version(c: &WhatIfChange) -> Option<String> {
    let pick = |v: &Option<Value>| v.as_ref().filter(|x| non_empty_object(x)).map(|x| x.get("apiVersion").cloned());
    let found = pick(&c.before).or_else(|| pick(&c.after)).flatten();
    match found {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

fn scope_of(c: &WhatIfChange) -> String {
    if let Some(id) = c.resource_id.as_deref().filter(|s| !s.is_empty()) {
        return split_resource_id(id).0;
    }
    if let Some(ext) = c.extra.get("extension").filter(|e| e.is_object()) {
        let s = |k: &str| ext.get(k).map(py_str).unwrap_or_else(|| "None".into());
        return format!("{}@{}", s("name"), s("version"));
    }
    "Unknown".into()
}

fn relative_id(c: &WhatIfChange) -> Option<String> {
    if let Some(id) = c.resource_id.as_deref().filter(|s| !s.is_empty()) {
        return Some(split_resource_id(id).1);
    }
    let ids = c.identifiers.as_ref().filter(|m| !m.is_empty())?;
    let mut items: Vec<(&String, &Value)> = ids.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    Some(items.iter().map(|(k, v)| format!("{k}={}", super::deployment::py_dumps(v))).collect::<Vec<_>>().join(", "))
}

/// Python's `str()` of a JSON scalar.
fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn legend(b: &mut Builder, changes: &[WhatIfChange]) {
    if changes.is_empty() {
        return;
    }
    fn walk(set: &mut Vec<String>, props: &[WhatIfPropertyChange]) {
        for p in props {
            let t = canonical(&p.property_change_type);
            let t = if t == "Array" { "Modify".to_string() } else { t };
            if !set.contains(&t) {
                set.push(t);
            }
            walk(set, p.children.as_deref().unwrap_or_default());
        }
    }
    let mut set: Vec<String> = Vec::new();
    for c in changes {
        let t = canonical(&c.change_type);
        if !set.contains(&t) {
            set.push(t);
        }
        walk(&mut set, c.delta.as_deref().unwrap_or_default());
    }
    set.sort_by_key(|t| weight(t));
    b.append("Resource and property changes are indicated with ");
    b.line(if set.len() == 1 { "this symbol:" } else { "these symbols:" });
    for t in &set {
        b.indent(1);
        b.append(symbol(t)).append(" ");
        b.line(&title(t));
    }
}

fn resource_changes(b: &mut Builder, changes: &[WhatIfChange], definite: bool) {
    if changes.is_empty() {
        return;
    }
    let mut by_scope: Vec<(String, Vec<&WhatIfChange>)> = Vec::new();
    for c in changes {
        let key = scope_of(c).to_uppercase();
        match by_scope.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(c),
            None => by_scope.push((key, vec![c])),
        }
    }
    by_scope.sort_by(|a, b| a.0.cmp(&b.0));
    b.line("");
    b.append(if definite {
        "The deployment will update the following "
    } else {
        "The following change MAY OR MAY NOT be deployed to the following "
    });
    b.line(if by_scope.len() == 1 { "scope:" } else { "scopes:" });
    for (_, in_scope) in by_scope {
        let scope = scope_of(in_scope[0]);
        b.line("").line(&format!("Scope: {scope}"));
        let mut sorted = in_scope.clone();
        sorted.sort_by(|x, y| {
            (weight(&x.change_type), relative_id(x).unwrap_or_default())
                .cmp(&(weight(&y.change_type), relative_id(y).unwrap_or_default()))
        });
        let last = sorted.len() - 1;
        for (i, c) in sorted.iter().enumerate() {
            resource_change(b, c, i == last);
        }
    }
}

fn resource_change(b: &mut Builder, c: &WhatIfChange, is_last: bool) {
    let Some(relative) = relative_id(c) else { return };
    let kind = canonical(&c.change_type);
    b.line("");
    if !relative.is_empty() {
        b.indent(1);
        b.append(symbol(&kind)).append(" ").append(&relative);
        if let Some(v) = api_version(c) {
            b.append(" [").append(&v).append("]");
        }
    }
    let truthy = |v: &Option<Value>| v.as_ref().is_some_and(non_empty_or_scalar);
    let delta = c.delta.as_deref().unwrap_or_default();
    if kind == "Create" && truthy(&c.after) {
        b.json(c.after.as_ref().unwrap_or(&Value::Null), "", 0, 2);
    } else if kind == "Delete" && truthy(&c.before) {
        b.json(c.before.as_ref().unwrap_or(&Value::Null), "", 0, 2);
    } else if !delta.is_empty() {
        b.line("");
        b.property_changes(&sorted_properties(delta), 2);
    } else if is_last {
        b.line("");
    }
}

/// Python truthiness of a before/after payload (a dict in practice).
fn non_empty_or_scalar(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Number(_) => true,
    }
}

fn count_phrase(kind: &str, n: usize) -> String {
    match kind {
        "Create" => format!("{n} to create"),
        "Delete" => format!("{n} to delete"),
        "Deploy" => format!("{n} to deploy"),
        "Modify" => format!("{n} to modify"),
        "Ignore" => format!("{n} to ignore"),
        "NoChange" => format!("{n} no change"),
        "Unsupported" => format!("{n} unsupported"),
        other => format!("{n} {other}"),
    }
}

fn stats(b: &mut Builder, changes: &[WhatIfChange], definite: bool) {
    if definite {
        b.line("").append("Resource changes: ");
        if changes.is_empty() {
            b.append("no change.");
            return;
        }
    } else if !changes.is_empty() {
        b.line("").append("Potential changes: ");
    }
    if changes.is_empty() {
        return;
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in changes {
        let k = canonical(&c.change_type);
        match counts.iter_mut().find(|(t, _)| *t == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts.sort_by_key(|(t, _)| weight(t));
    let parts: Vec<String> = counts.iter().map(|(t, n)| count_phrase(t, *n)).collect();
    b.append(&parts.join(", ")).append(".");
}

fn diagnostics(b: &mut Builder, changes: &[WhatIfChange], potential: &[WhatIfChange], diags: &[Value]) {
    let unsupported: Vec<&WhatIfChange> =
        changes.iter().chain(potential).filter(|c| canonical(&c.change_type) == "Unsupported").collect();
    let total = unsupported.len() + diags.len();
    if total == 0 {
        return;
    }
    b.line("").line("");
    b.append(&format!("Diagnostics ({total}): "));
    b.line("");
    for c in unsupported {
        b.append(c.resource_id.as_deref().unwrap_or("None"));
        b.append(" (Unsupported) ");
        b.append(c.unsupported_reason.as_deref().unwrap_or("None"));
        b.line("");
    }
    for d in diags {
        let s = |k: &str| d.get(k).map(py_str).unwrap_or_else(|| "None".into());
        b.append(&s("target")).append(" (").append(&s("code")).append(") ").append(&s("message"));
        b.line("");
    }
}

/// The whole summary, ending with the newline Python's `print` adds.
pub fn format(result: &WhatIfOperationResult) -> String {
    let props = result.properties.clone().unwrap_or_default();
    let changes = props.changes.unwrap_or_default();
    let potential = props.potential_changes.unwrap_or_default();
    let diags = props.diagnostics.unwrap_or_default();
    let mut b = Builder(String::new());
    b.line(
        "Note: The result may contain false positive predictions (noise).\n\
         You can help us improve the accuracy of the result by opening an issue here: https://aka.ms/WhatIfIssues\n\
         NOTICE! - Want to get What-if without noise? Move to Deployment Stacks What-If https://aka.ms/stackswhatifGA",
    );
    b.line("");
    legend(&mut b, &changes);
    resource_changes(&mut b, &changes, true);
    stats(&mut b, &changes, true);
    resource_changes(&mut b, &potential, false);
    stats(&mut b, &potential, false);
    diagnostics(&mut b, &changes, &potential, &diags);
    b.0.push('\n');
    b.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOTICE: &str = "Note: The result may contain false positive predictions (noise).\nYou can help us improve the accuracy of the result by opening an issue here: https://aka.ms/WhatIfIssues\nNOTICE! - Want to get What-if without noise? Move to Deployment Stacks What-If https://aka.ms/stackswhatifGA\n\n";

    fn result(v: Value) -> WhatIfOperationResult {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn ids_split_as_az_does() {
        assert_eq!(
            split_resource_id(
                "/subscriptions/ABC-1/resourceGroups/rg.1/providers/Microsoft.Storage/storageAccounts/sa"
            ),
            ("/subscriptions/abc-1/resourceGroups/rg.1".into(), "Microsoft.Storage/storageAccounts/sa".into())
        );
        assert_eq!(
            split_resource_id("/subscriptions/abc/resourceGroups/rg"),
            ("/subscriptions/abc".into(), "resourceGroups/rg".into())
        );
        assert_eq!(
            split_resource_id("/subscriptions/abc/providers/Microsoft.Resources/deployments/d"),
            ("/subscriptions/abc".into(), "Microsoft.Resources/deployments/d".into())
        );
        assert_eq!(title("NoChange"), "Nochange");
    }

    #[test]
    fn no_change_at_all() {
        assert_eq!(
            format(&result(json!({"status": "Succeeded", "properties": {"changes": []}}))),
            format!("{NOTICE}\nResource changes: no change.\n")
        );
    }

    /// The expected text was produced by az 2.91's own `format_what_if_operation_result`
    /// (colours off) from the same input.
    #[test]
    fn creates_modifies_and_deletes_like_az() {
        let r = result(json!({"status": "Succeeded", "properties": {"changes": [
            {"resourceId": "/subscriptions/00000000-0000-0000-0000-0000000000AB/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa1", "changeType": "Create",
             "after": {"apiVersion": "2023-05-01", "name": "sa1", "sku": {"name": "Standard_LRS"}, "tags": ["a", {"k": "v"}]}},
            {"resourceId": "/subscriptions/00000000-0000-0000-0000-0000000000AB/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa0", "changeType": "Modify",
             "before": {"apiVersion": "2023-05-01"},
             "delta": [
                {"path": "sku.name", "propertyChangeType": "Modify", "before": "Standard_LRS", "after": "Standard_GRS"},
                {"path": "tags", "propertyChangeType": "Create", "after": {"env": "dev"}},
                {"path": "properties.list", "propertyChangeType": "Array", "children": [
                    {"path": "0", "propertyChangeType": "Delete", "before": "x"},
                    {"path": "1", "propertyChangeType": "Create", "after": 2}]}]},
            {"resourceId": "/subscriptions/00000000-0000-0000-0000-0000000000AB/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/old", "changeType": "Delete",
             "before": {"apiVersion": "2022-09-01", "name": "old"}},
            {"resourceId": "/subscriptions/00000000-0000-0000-0000-0000000000AB/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/same", "changeType": "NoChange"}
        ]}}));
        let expected = include_str!("testdata/whatif_expected.txt");
        assert_eq!(format(&r), expected);
    }
}
