//! Architecture invariants that are about the source, tested as absences (rust-analyzer's
//! "tidy" tests): the layers point one way, the providers' modules import each other without
//! cycles, and the route table has no route another hides.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, from the bottom. A module may use only the modules of lower layers (and itself).
const LAYERS: &[(&str, u8)] = &[
    ("model", 0),
    ("config", 1),
    ("catalog", 2),
    ("store", 3),
    ("protocol", 4),
    ("tls", 5),
    ("identity", 6),
    ("providers", 7),
    ("pipeline", 8),
    ("server", 9),
    ("cli", 10),
    ("testing", 10),
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file (`providers/resources/groups.rs` → `providers::resources::groups`).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The source without comments (line and doc comments), so prose that names a module does
/// not count as an import.
fn code(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every module path the file names: `crate::a::b…` (also inside `use crate::{a, b}`) and
/// `super::…` resolved against the file's own module.
fn imports(file: &Path) -> Vec<Vec<String>> {
    let text = code(&std::fs::read_to_string(file).expect("read"));
    let me = module_of(file);
    let mut out = Vec::new();
    // The path at the start of `s`: identifiers joined by `::`, up to the first other character.
    let path_at = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = s;
        loop {
            let ident: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if ident.is_empty() {
                break;
            }
            rest = &rest[ident.len()..];
            out.push(ident);
            match rest.strip_prefix("::") {
                Some(r) if !r.starts_with('{') => rest = r,
                _ => break,
            }
        }
        out
    };
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(inner.split(',').map(|x| path_at(x.trim())).filter(|p| !p.is_empty()));
        } else {
            let p = path_at(rest);
            if !p.is_empty() {
                out.push(p);
            }
        }
    }
    for (i, _) in text.match_indices("super::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // `super::super::x` from a::b::c (file) → a::x; a mod.rs is its own module.
        // (`me` is the file's module: `super` is its parent, for a `mod.rs` too.)
        let mut base = me.clone();
        base.pop();
        let mut rest = &text[i + "super::".len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for x in inner.split(',') {
                let mut p = base.clone();
                p.extend(path_at(x.trim()));
                out.push(p);
            }
        } else {
            let mut p = base.clone();
            p.extend(path_at(rest));
            out.push(p);
        }
    }
    out
}

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut top: BTreeSet<String> = files.iter().filter_map(|f| module_of(f).first().cloned()).collect();
    top.remove("lib");
    top.remove("main");
    let unknown: Vec<&String> = top.iter().filter(|m| rank(m).is_none()).collect();
    assert!(unknown.is_empty(), "modules without a layer in tests/tidy.rs: {unknown:?}");
}

/// `model ← config ← catalog ← store ← protocol ← identity ← providers ← pipeline ← server`:
/// no module imports from a layer above its own.
#[test]
fn layers_point_one_way() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for f in &files {
        let me = module_of(f);
        let Some(mine) = me.first().and_then(|m| rank(m)) else { continue };
        for imp in imports(f) {
            let Some(theirs) = imp.first().and_then(|m| rank(m)) else { continue };
            if imp.first() != me.first() && theirs >= mine {
                violations.push(format!("{} uses crate::{}", me.join("::"), imp.join("::")));
            }
        }
    }
    violations.sort();
    violations.dedup();
    assert!(violations.is_empty(), "imports from a layer above (or beside):\n{}", violations.join("\n"));
}

/// The providers' modules (namespaces, and what they share) do not import each other in a
/// circle; what they share lives in `common`, `lro` and `context`, which import no namespace.
#[test]
fn provider_modules_have_no_cycles() {
    let mut files = Vec::new();
    rust_files(&src().join("providers"), &mut files);
    // Edges between the second-level units of `providers` (items of providers/mod.rs itself,
    // such as `Ctx` and `Handler`, are the layer's own vocabulary and are allowed everywhere).
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let units: BTreeSet<String> = files.iter().filter_map(|f| module_of(f).get(1).cloned()).collect();
    for f in &files {
        let me = module_of(f);
        let Some(unit) = me.get(1) else { continue };
        for imp in imports(f) {
            if imp.first().map(String::as_str) != Some("providers") {
                continue;
            }
            if let Some(other) = imp.get(1).filter(|o| units.contains(*o) && *o != unit) {
                edges.entry(unit.clone()).or_default().insert(other.clone());
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for u in &units {
        if let Some(c) = visit(u, &edges, &mut Vec::new(), &mut done) {
            panic!("providers modules import each other in a circle: {}", c.join(" → "));
        }
    }
    for shared in ["common", "lro", "context"] {
        let bad: Vec<&String> = edges
            .get(shared)
            .into_iter()
            .flatten()
            .filter(|o| !["common", "lro", "context", "dependents"].contains(&o.as_str()))
            .collect();
        assert!(bad.is_empty(), "providers::{shared} imports a namespace module: {bad:?}");
    }
}

/// No route hides another: an earlier route with a parameter where a later one has a literal,
/// or two routes of the same shape for the same method.
#[test]
fn no_route_hides_another() {
    let conflicts = armemu::pipeline::App::route_conflicts();
    assert!(conflicts.is_empty(), "route conflicts: {conflicts:#?}");
}
