//! COVERAGE.md: every emulated operation × the suites, fixtures and real clients that exercise
//! it, found by a static scan of their sources (the method is written at the top of the
//! document). This test regenerates the document and fails if the committed one differs;
//! `UPDATE_COVERAGE=1` (`make coverage-doc`) writes it instead.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use conformance::armemu;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A column of the table: a name and the source files scanned for it.
struct Suite {
    name: &'static str,
    what: &'static str,
    /// Directories (recursive) or files, relative to the repository root.
    roots: &'static [&'static str],
    /// File name endings to read.
    exts: &'static [&'static str],
    /// The suite draws its requests from the route table (every route but the test-control
    /// API, as `conformance/src/fuzz.rs` filters it).
    from_route_table: bool,
    /// The suite replays the shape fixtures: an operation is exercised when a fixture of its
    /// operationId exists (its sources are not scanned; the requests live in the fixtures).
    replays_fixtures: bool,
}

const SUITES: &[Suite] = &[
    Suite {
        name: "scenarios",
        what: "conformance/tests/scenarios (raw HTTP, foundation rules)",
        roots: &["conformance/tests/scenarios"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "workspaces",
        what: "conformance/tests/workspaces (every workspace rule, raw HTTP)",
        roots: &["conformance/tests/workspaces"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "environments",
        what: "conformance/tests/environments (ML environments: containers, versions, curated, raw HTTP)",
        roots: &["conformance/tests/environments"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "environment_service",
        what: "conformance/tests/environment_service (the ML v1 environment service and image builds, raw HTTP)",
        roots: &["conformance/tests/environment_service"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "deployments",
        what: "conformance/tests/deployments (template deployments, raw HTTP)",
        roots: &["conformance/tests/deployments"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "regressions",
        what: "conformance/tests/regressions (one test per reported defect, raw HTTP)",
        roots: &["conformance/tests/regressions"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "auth",
        what: "conformance/tests/auth (strict tokens and enforced RBAC, raw HTTP)",
        roots: &["conformance/tests/auth"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "console",
        what: "conformance/tests/console (the web console and the journal entry, raw HTTP)",
        roots: &["conformance/tests/console"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "seeds",
        what: "conformance/tests/seeds (one suite per seed-document section, through armctl)",
        roots: &["conformance/tests/seeds"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "model",
        what: "conformance/tests/model (proptest state machine)",
        roots: &["conformance/tests/model"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "fuzz",
        what: "conformance/tests/fuzz + conformance/src/fuzz.rs (HTTP fuzzing)",
        roots: &["conformance/tests/fuzz", "conformance/src/fuzz.rs"],
        exts: &[".rs"],
        from_route_table: true,
        replays_fixtures: false,
    },
    Suite {
        name: "shapes",
        what: "conformance/tests/shapes: replays every `fixtures/shapes` file against the emulator",
        roots: &[],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: true,
    },
    Suite {
        name: "armctl",
        what: "client/tests (the Rust client library and the armctl CLI)",
        roots: &["client/tests"],
        exts: &[".rs"],
        from_route_table: false,
        replays_fixtures: false,
    },
    Suite {
        name: "interop",
        what: "conformance/interop/*.py (the real Azure SDK for Python and az CLI)",
        roots: &["conformance/interop"],
        exts: &[".py"],
        from_route_table: false,
        replays_fixtures: false,
    },
];

/// CLI commands (az and armctl spell them alike) → the operation they send. Hand-kept.
const CLI: &[(&str, &str)] = &[
    ("group create", "ResourceGroups_CreateOrUpdate"),
    ("group show", "ResourceGroups_Get"),
    ("group exists", "ResourceGroups_CheckExistence"),
    ("group list", "ResourceGroups_List"),
    ("group update", "ResourceGroups_Update"),
    ("group delete", "ResourceGroups_Delete"),
    ("provider register", "Providers_Register"),
    ("provider unregister", "Providers_Unregister"),
    ("provider show", "Providers_Get"),
    ("provider list", "Providers_List"),
    ("account list", "Subscriptions_List"),
    ("account show", "Subscriptions_Get"),
    ("account list-locations", "Subscriptions_ListLocations"),
    ("workspace create", "Workspaces_CreateOrUpdate"),
    ("workspace show", "Workspaces_Get"),
    ("workspace update", "Workspaces_Update"),
    ("workspace delete", "Workspaces_Delete"),
    ("workspace list", "Workspaces_ListByResourceGroup"),
    ("workspace list", "Workspaces_ListBySubscription"),
    ("workspace sync-keys", "Workspaces_ResyncKeys"),
    ("workspace list-keys", "Workspaces_ListKeys"),
    ("role assignment create", "RoleAssignments_Create"),
    ("role assignment list", "RoleAssignments_ListForScope"),
    ("role assignment delete", "RoleAssignments_Delete"),
    ("role definition list", "RoleDefinitions_List"),
    ("deployment group create", "Deployments_CreateOrUpdate"),
    ("deployment group create", "Deployments_Validate"),
    ("deployment group show", "Deployments_Get"),
    ("deployment group list", "Deployments_ListByResourceGroup"),
    ("deployment group delete", "Deployments_Delete"),
    ("deployment group validate", "Deployments_Validate"),
    ("deployment group what-if", "Deployments_WhatIf"),
    ("deployment operation group list", "DeploymentOperations_List"),
    ("deployment sub create", "Deployments_CreateOrUpdateAtSubscriptionScope"),
    ("deployment sub create", "Deployments_ValidateAtSubscriptionScope"),
    ("deployment sub show", "Deployments_GetAtSubscriptionScope"),
    ("deployment sub list", "Deployments_ListAtSubscriptionScope"),
    ("deployment sub delete", "Deployments_DeleteAtSubscriptionScope"),
    ("deployment sub validate", "Deployments_ValidateAtSubscriptionScope"),
    ("deployment sub what-if", "Deployments_WhatIfAtSubscriptionScope"),
    ("deployment operation sub list", "DeploymentOperations_ListAtSubscriptionScope"),
];

/// Evidence, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Evidence {
    Id,
    Call,
    Cli,
    Path,
    Replay,
    Table,
}

impl Evidence {
    fn cell(self) -> &'static str {
        match self {
            Evidence::Id => "id",
            Evidence::Call => "call",
            Evidence::Cli => "cli",
            Evidence::Path => "path",
            Evidence::Replay => "replay",
            Evidence::Table => "table",
        }
    }
}

fn read_sources(suite: &Suite) -> Vec<(String, String)> {
    fn walk(p: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(p).into_iter().flatten().flatten().map(|e| e.path()).collect();
            entries.sort();
            for e in entries {
                walk(&e, exts, out);
            }
        } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            out.push(p.to_path_buf());
        }
    }
    let mut files = Vec::new();
    for r in suite.roots {
        walk(&repo().join(r), suite.exts, &mut files);
    }
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap_or_default())).collect()
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The client-method spellings of an operationId: `ResourceGroups_CreateOrUpdate` →
/// `resource_groups.create_or_update(`, `resource_groups.begin_create_or_update(`,
/// `resource_groups().create_or_update(` ….
fn calls(op: &str) -> Vec<String> {
    let Some((group, verb)) = op.split_once('_') else { return vec![] };
    let (n, v) = (snake(group), snake(verb));
    vec![format!("{n}.{v}("), format!("{n}.begin_{v}("), format!("{n}().{v}("), format!("{n}().begin_{v}(")]
}

/// The distinctive literal tail of a route pattern: the literal segments after the last
/// capture (`/listKeys`, `/resourcegroups`), or, when the pattern ends in a capture, the literal
/// segment before it followed by `/` (`/workspaces/`). None for the by-id catch-all.
fn signature(pattern: &str) -> Option<(String, bool)> {
    let segs: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let last_cap = segs.iter().rposition(|s| s.starts_with('{'));
    match last_cap {
        None => Some((format!("/{}", segs.join("/")), true)),
        Some(i) if i + 1 < segs.len() => Some((format!("/{}", segs[i + 1..].join("/")), true)),
        Some(i) => {
            if segs[i].starts_with("{*") || i == 0 || segs[i - 1].starts_with('{') {
                None
            } else {
                Some((format!("/{}/", segs[i - 1]), false))
            }
        }
    }
}

fn method_called(src: &str, method: &str) -> bool {
    let lower = method.to_ascii_lowercase();
    src.contains(&format!(".{lower}(")) || src.contains(&format!("\"{method}\""))
}

fn contains_path(src_lower: &str, sig: &str, ends_literal: bool) -> bool {
    let sig = sig.to_ascii_lowercase();
    if !ends_literal {
        return src_lower.contains(&sig);
    }
    src_lower
        .match_indices(&sig)
        .any(|(i, _)| matches!(src_lower[i + sig.len()..].chars().next(), Some('"' | '\'' | '?' | ')' | '`')))
}

fn cli_mentions(src: &str, cmd: &str) -> bool {
    let words: Vec<&str> = cmd.split(' ').collect();
    let quoted_list = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ");
    src.contains(&format!("\"{cmd}"))
        || src.contains(&format!(" {cmd} "))
        || src.contains(&format!(" {cmd}\""))
        || src.contains(&quoted_list)
}

struct Row {
    operation: &'static str,
    methods: Vec<String>,
    patterns: Vec<&'static str>,
}

fn rows() -> Vec<Row> {
    let mut by_op: BTreeMap<&'static str, Row> = BTreeMap::new();
    let mut order: Vec<&'static str> = Vec::new();
    for r in armemu::all_routes() {
        let row = by_op.entry(r.operation).or_insert_with(|| {
            order.push(r.operation);
            Row { operation: r.operation, methods: vec![], patterns: vec![] }
        });
        let m = r.method.as_str().to_string();
        if !row.methods.contains(&m) {
            row.methods.push(m);
        }
        if !row.patterns.contains(&r.pattern) {
            row.patterns.push(r.pattern);
        }
    }
    order.into_iter().map(|o| by_op.remove(o).unwrap()).collect()
}

fn evidence(
    row: &Row,
    suite: &Suite,
    sources: &[(String, String)],
    fx: &BTreeMap<String, Vec<String>>,
) -> Option<Evidence> {
    if suite.replays_fixtures {
        return fx.contains_key(row.operation).then_some(Evidence::Replay);
    }
    let mut best: Option<Evidence> = None;
    let mut note = |e: Evidence| best = Some(best.map_or(e, |b| b.min(e)));
    let cli: Vec<&str> = CLI.iter().filter(|(_, op)| *op == row.operation).map(|(c, _)| *c).collect();
    let calls = calls(row.operation);
    for (_, src) in sources {
        if src.contains(row.operation) {
            note(Evidence::Id);
        }
        if calls.iter().any(|c| src.contains(c.as_str())) {
            note(Evidence::Call);
        }
        if cli.iter().any(|c| cli_mentions(src, c)) {
            note(Evidence::Cli);
        }
        let lower = src.to_ascii_lowercase();
        let path = row.patterns.iter().any(|p| signature(p).is_some_and(|(sig, lit)| contains_path(&lower, &sig, lit)));
        if path && row.methods.iter().any(|m| method_called(src, m)) {
            note(Evidence::Path);
        }
    }
    if suite.from_route_table && row.patterns.iter().any(|p| !p.starts_with("/_emulator") || *p == "/_emulator/health")
    {
        note(Evidence::Table);
    }
    best
}

/// The emulator operation → how many official examples (`fixtures/official/MANIFEST.tsv`, the
/// `official_examples` suite) it answers.
fn official_ops() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(repo().join("fixtures/official/MANIFEST.tsv")).unwrap_or_default();
    let mut m = BTreeMap::new();
    for l in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        if let Some(op) = l.split('\t').nth(7) {
            *m.entry(op.to_string()).or_insert(0) += 1;
        }
    }
    m
}

/// operationId → the api-version of the vendored OpenAPI file (`fixtures/official/specs/`) that
/// defines it: every answer the suites receive for it is validated ([`conformance::schema`]).
fn schema_ops() -> BTreeMap<String, String> {
    conformance::schema::Specs::get().operations.iter().map(|o| (o.id.clone(), o.api_version.clone())).collect()
}

/// operationId → shape fixture files.
fn fixture_ops() -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in fixtures::of_kind("shape") {
        if let Some(op) = f.json()["operationId"].as_str() {
            m.entry(op.to_string()).or_default().push(f.name.trim_start_matches("shapes/").to_string());
        }
    }
    m
}

fn generate() -> String {
    let sources: Vec<Vec<(String, String)>> = SUITES.iter().map(read_sources).collect();
    let fx = fixture_ops();
    let rows = rows();
    let mut out = String::new();
    out.push_str(HEAD);
    out.push_str("\n| suite | sources |\n|---|---|\n");
    for s in SUITES {
        writeln!(out, "| {} | {} |", s.name, s.what).unwrap();
    }
    out.push_str(
        "| fixtures | `fixtures/shapes/**` whose `operationId` is the operation (replayed by the shapes suite) |\n",
    );
    out.push_str("| official | official REST API examples (`fixtures/official/MANIFEST.tsv`, last column) the operation answers, replayed and compared by `conformance/tests/official_examples.rs` |\n");
    out.push_str("| schema | the api-version of the vendored OpenAPI definition (`fixtures/official/specs/`) that every JSON answer of the operation a suite receives is validated against (`conformance/src/schema.rs`) |\n");
    out.push_str("\n## Operations\n\n| operation | method | path |");
    for s in SUITES {
        write!(out, " {} |", s.name).unwrap();
    }
    out.push_str(" fixtures | official | schema |\n|---|---|---|");
    for _ in SUITES {
        out.push_str("---|");
    }
    out.push_str("---|---|---|\n");
    let official = official_ops();
    let schema = schema_ops();
    let mut totals = vec![0usize; SUITES.len() + 3];
    let mut untested = Vec::new();
    for row in &rows {
        let path = if row.patterns.len() > 1 {
            format!("`{}` (+{} more)", row.patterns[0], row.patterns.len() - 1)
        } else {
            format!("`{}`", row.patterns[0])
        };
        write!(out, "| {} | {} | {} |", row.operation, row.methods.join(", "), path).unwrap();
        let mut any_named = false;
        for (i, s) in SUITES.iter().enumerate() {
            let e = evidence(row, s, &sources[i], &fx);
            if e.is_some() {
                totals[i] += 1;
            }
            any_named |= e.is_some_and(|e| e != Evidence::Table);
            write!(out, " {} |", e.map_or("", Evidence::cell)).unwrap();
        }
        let f = fx.get(row.operation).map(|v| v.len()).unwrap_or(0);
        if f > 0 {
            totals[SUITES.len()] += 1;
        }
        any_named |= f > 0;
        let o = official.get(row.operation).copied().unwrap_or(0);
        if o > 0 {
            totals[SUITES.len() + 1] += 1;
        }
        any_named |= o > 0;
        if !any_named {
            untested.push(row.operation);
        }
        let count = |n: usize| if n > 0 { n.to_string() } else { String::new() };
        let v = schema.get(row.operation).cloned().unwrap_or_default();
        if !v.is_empty() {
            totals[SUITES.len() + 2] += 1;
        }
        writeln!(out, " {} | {} | {v} |", count(f), count(o)).unwrap();
    }
    write!(out, "| **operations reached (of {})** | | |", rows.len()).unwrap();
    for t in &totals {
        write!(out, " {t} |").unwrap();
    }
    out.push('\n');
    out.push_str("\n## Not exercised by any suite other than the fuzzer\n\n");
    if untested.is_empty() {
        out.push_str("None.\n");
    } else {
        for op in &untested {
            writeln!(out, "- {op}").unwrap();
        }
    }
    out.push_str(FOOT);
    out
}

const HEAD: &str = "# COVERAGE

<!-- Generated by `make coverage-doc` (conformance/tests/coverage.rs); do not edit by hand.
     `cargo test -p conformance --test coverage` fails when this file is stale. -->

Every operation in the emulator's route table (`armemu::all_routes()`; routes with the same
operationId on several scopes or methods are one row) against the suites, real clients and
fixtures that exercise it.

## How \"exercised\" is determined

A static scan of each suite's source files (no suite is run). A cell shows the strongest
evidence found in any one file of the suite:

| cell | evidence |
|---|---|
| `id` | the file names the operationId (`\"Workspaces_ListKeys\"`) |
| `call` | a client call spelled after the operationId: `resource_groups.create_or_update(`, `workspaces.begin_delete(`, `workspaces().get(` (the Python SDK and our client both mirror operationIds) |
| `cli` | an az/armctl command that sends the operation (`group create`, `ml workspace show`; the command table is hand-kept in `conformance/tests/coverage.rs`) |
| `path` | the route's literal path tail (`/listKeys`, `/resourcegroups\"`, `/workspaces/`) and a call of its HTTP method (`.put(`, `\"PUT\"`) in the same file |
| `replay` | the shapes suite replays a `fixtures/shapes` file with this operationId and compares the answer with it |
| `table` | the suite draws requests from the route table itself (the fuzzer: robustness only, every route but the test-control API) |
| *count* (fixtures) | the number of `fixtures/shapes` files with this `operationId` |
| *version* (schema) | the vendored OpenAPI file's api-version; every JSON answer a suite's `Target` client receives for the operation is validated against its definition (types, enums, undefined keys; `fixtures/official/allow-list.json` lists the deliberate differences) |
| *count* (official) | the number of official REST API examples (Azure/azure-rest-api-specs `x-ms-examples`, vendored in `fixtures/official/`) this operation answers; the `official_examples` suite replays each and compares status, key paths, types, enums and id formats |

The scan over-approximates (`path` is file-level: the tail and the method may belong to
different requests in the same file) and can miss requests whose paths are built entirely by
helpers outside the scanned files. Treat an empty row as untested and a `path` cell as a lead,
not a proof; `id`, `call`, `cli` and fixture counts are specific to the operation.
";

const FOOT: &str = "
## JUnit XML

`make test` runs plain `cargo test`. For CI systems that want JUnit XML, run the Rust suites with
nextest: `cargo nextest run --workspace --profile ci` writes `target/nextest/ci/junit.xml` (the
`ci` profile is in `.config/nextest.toml`). The Python interop suite can write its own with
`pytest --junitxml=FILE`.
";

#[test]
fn coverage_md_is_current() {
    let want = generate();
    let path = repo().join("COVERAGE.md");
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let first = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(have.lines().count().min(want.lines().count()));
        panic!(
            "COVERAGE.md is stale (first difference at line {}: have {:?}, want {:?}); run `make coverage-doc` and commit it",
            first + 1,
            have.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn signatures_are_what_the_document_says() {
    assert_eq!(signature("/subscriptions/{subscriptionId}/resourcegroups"), Some(("/resourcegroups".into(), true)));
    assert_eq!(
        signature("/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{w}"),
        Some(("/workspaces/".into(), false))
    );
    assert_eq!(
        signature("/subscriptions/{s}/resourceGroups/{rg}/providers/X/workspaces/{w}/listKeys"),
        Some(("/listKeys".into(), true))
    );
    assert_eq!(signature("/{*resourceId}"), None);
    assert_eq!(calls("ResourceGroups_CreateOrUpdate")[0], "resource_groups.create_or_update(");
    assert!(cli_mentions(r#"az.run("group", "create", "-n")"#, "group create"));
    assert!(cli_mentions(r#"cli.run("ml workspace show -w a")"#, "workspace show"));
}
