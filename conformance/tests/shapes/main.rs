//! Shape replay: every wire fixture in `fixtures/shapes/` is replayed against the emulator (or
//! `ARM_ENDPOINT`), and the answer must have the fixture's status and match its body and
//! headers with `fixtures::matches_shape` (placeholders for the volatile values).
//!
//! The fixtures are written from the emulator's real answers by this same binary:
//! `UPDATE_SHAPES=1 cargo test -p conformance --test shapes` runs the [`cases`] table below,
//! redacts GUIDs, times and the endpoint into placeholders (recording their pointers as
//! `volatile`), and rewrites `fixtures/shapes/**` and `fixtures/states/seed-workspace-list.json`.
//! Then run `UPDATE_FIXTURES=1 cargo test -p fixtures --test well_formed` to refresh the index.

use std::path::{Path, PathBuf};

use conformance::{Resp, Target};
use serde_json::{json, Map, Value};

const RG_API: &str = "2021-04-01";
const SUB_API: &str = "2022-12-01";
const ML_API: &str = "2024-04-01";
const AUTH_API: &str = "2022-04-01";
const ML: &str = "Microsoft.MachineLearningServices";
const DATA_SCIENTIST: &str = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
const PRINCIPAL: &str = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
const ASSIGNMENT: &str = "05c5a614-a7d6-4502-b150-c2fb455033ff";

/// Response headers a fixture records when present (the LRO and paging contract).
const RECORDED_HEADERS: &[&str] = &["location", "azure-asyncoperation", "retry-after"];

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// One request: `{subscriptionId}` in the path and in body strings is the subscription under test.
#[derive(Clone)]
struct Step {
    method: &'static str,
    path: String,
    body: Option<Value>,
}

fn step(method: &'static str, path: impl Into<String>, body: Option<Value>) -> Step {
    Step { method, path: path.into(), body }
}

impl Step {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("method".into(), json!(self.method));
        m.insert("path".into(), json!(self.path));
        if let Some(b) = &self.body {
            m.insert("body".into(), b.clone());
        }
        Value::Object(m)
    }

    fn from_json(v: &Value) -> Step {
        let method: &'static str = match v["method"].as_str().expect("method") {
            "GET" => "GET",
            "PUT" => "PUT",
            "POST" => "POST",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "HEAD" => "HEAD",
            m => panic!("method {m}"),
        };
        Step { method, path: v["path"].as_str().expect("path").to_string(), body: v.get("body").cloned() }
    }

    fn send(&self, t: &Target) -> Resp {
        let path = self.path.replace("{subscriptionId}", &t.subscription);
        match &self.body {
            Some(b) => {
                let b: Value =
                    serde_json::from_str(&b.to_string().replace("{subscriptionId}", &t.subscription)).unwrap();
                t.send_json(self.method, &path, &b)
            }
            None => t.request(self.method, &path, &[], None),
        }
    }
}

struct Case {
    file: &'static str,
    title: &'static str,
    operation: &'static str,
    api: &'static str,
    setup: Vec<Step>,
    request: Step,
}

fn group(rg: &str) -> String {
    format!("/subscriptions/{{subscriptionId}}/resourcegroups/{rg}")
}
fn ws(rg: &str, name: &str) -> String {
    format!("/subscriptions/{{subscriptionId}}/resourceGroups/{rg}/providers/{ML}/workspaces/{name}")
}
fn q(path: &str, api: &str) -> String {
    format!("{path}?api-version={api}")
}
fn create_group(rg: &str) -> Step {
    step("PUT", q(&group(rg), RG_API), Some(json!({"location": "eastus"})))
}
fn create_ws(rg: &str, name: &str) -> Step {
    step("PUT", q(&ws(rg, name), ML_API), Some(json!({"location": "eastus", "properties": {"friendlyName": name}})))
}

/// The table the fixtures are generated from.
fn cases() -> Vec<Case> {
    let sub = "/subscriptions/{subscriptionId}";
    let rg_dir = |f: &str| format!("resources/{RG_API}/resourceGroups/{f}");
    let ws_dir = |f: &str| format!("machinelearning/{ML_API}/workspaces/{f}");
    let c = |file: String, title, operation, api, setup: Vec<Step>, request: Step| Case {
        file: Box::leak(file.into_boxed_str()),
        title,
        operation,
        api,
        setup,
        request,
    };
    vec![
        c(
            rg_dir("create_or_update"),
            "Create a resource group",
            "ResourceGroups_CreateOrUpdate",
            RG_API,
            vec![],
            create_group("rg1"),
        ),
        c(
            rg_dir("get"),
            "Get a resource group",
            "ResourceGroups_Get",
            RG_API,
            vec![create_group("rg1")],
            step("GET", q(&group("rg1"), RG_API), None),
        ),
        c(
            rg_dir("list"),
            "List resource groups",
            "ResourceGroups_List",
            RG_API,
            vec![create_group("rg1"), create_group("rg2")],
            step("GET", q(&format!("{sub}/resourcegroups"), RG_API), None),
        ),
        c(
            rg_dir("delete"),
            "Delete a resource group",
            "ResourceGroups_Delete",
            RG_API,
            vec![create_group("rg1")],
            step("DELETE", q(&group("rg1"), RG_API), None),
        ),
        c(
            format!("resources/{RG_API}/providers/get"),
            "Get a resource provider",
            "Providers_Get",
            RG_API,
            vec![],
            step("GET", q(&format!("{sub}/providers/{ML}"), RG_API), None),
        ),
        c(
            format!("resources/{RG_API}/providers/register"),
            "Register a resource provider",
            "Providers_Register",
            RG_API,
            vec![],
            step("POST", q(&format!("{sub}/providers/{ML}/register"), RG_API), Some(json!({}))),
        ),
        c(
            format!("resources/{SUB_API}/subscriptions/list"),
            "List subscriptions",
            "Subscriptions_List",
            SUB_API,
            vec![],
            step("GET", q("/subscriptions", SUB_API), None),
        ),
        c(
            ws_dir("create_or_update"),
            "Create a workspace with automatic dependents",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1")],
            create_ws("rg1", "ws1"),
        ),
        c(
            ws_dir("get"),
            "Get a workspace",
            "Workspaces_Get",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step("GET", q(&ws("rg1", "ws1"), ML_API), None),
        ),
        c(
            ws_dir("list_by_resource_group"),
            "List the workspaces of a group",
            "Workspaces_ListByResourceGroup",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), create_ws("rg1", "ws2")],
            step("GET", q(&format!("{sub}/resourceGroups/rg1/providers/{ML}/workspaces"), ML_API), None),
        ),
        c(
            ws_dir("delete"),
            "Delete a workspace (soft delete)",
            "Workspaces_Delete",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step("DELETE", q(&ws("rg1", "ws1"), ML_API), None),
        ),
        c(
            ws_dir("list_keys"),
            "List the keys of a workspace's dependents",
            "Workspaces_ListKeys",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step("POST", q(&format!("{}/listKeys", ws("rg1", "ws1")), ML_API), Some(json!({}))),
        ),
        c(
            format!("authorization/{AUTH_API}/roleAssignments/create"),
            "Share a workspace: assign a role at workspace scope",
            "RoleAssignments_Create",
            AUTH_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step(
                "PUT",
                q(
                    &format!("{}/providers/Microsoft.Authorization/roleAssignments/{ASSIGNMENT}", ws("rg1", "ws1")),
                    AUTH_API,
                ),
                Some(json!({"properties": {
                    "roleDefinitionId": format!("/subscriptions/{{subscriptionId}}/providers/Microsoft.Authorization/roleDefinitions/{DATA_SCIENTIST}"),
                    "principalId": PRINCIPAL,
                    "principalType": "User"
                }})),
            ),
        ),
        c(
            "errors/ResourceGroupNotFound".into(),
            "Get a group that does not exist",
            "ResourceGroups_Get",
            RG_API,
            vec![],
            step("GET", q(&group("missing-rg"), RG_API), None),
        ),
        c(
            "errors/MissingApiVersionParameter".into(),
            "A request without api-version",
            "ResourceGroups_Get",
            RG_API,
            vec![create_group("rg1")],
            step("GET", group("rg1"), None),
        ),
        c(
            "errors/MissingSubscriptionRegistration".into(),
            "Create a workspace while Microsoft.MachineLearningServices is not registered",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![
                create_group("rg1"),
                step("POST", q(&format!("{sub}/providers/{ML}/unregister"), RG_API), Some(json!({}))),
            ],
            create_ws("rg1", "ws1"),
        ),
        c(
            "errors/SoftDeletedWorkspaceExists".into(),
            "Create a workspace whose name is held by a soft-deleted one",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), step("DELETE", q(&ws("rg1", "ws1"), ML_API), None)],
            create_ws("rg1", "ws1"),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

fn is_guid_at(b: &[u8], i: usize) -> bool {
    b.len() >= i + 36
        && b[i..i + 36].iter().enumerate().all(|(k, c)| {
            if [8, 13, 18, 23].contains(&k) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
        && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        && b.get(i + 36).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Dependent resources get generated names (`ws1storagea61ceaa8`): the segment after these
/// type segments is redacted into the placeholder.
const DEPENDENT_NAMES: &[(&str, &str)] = &[
    ("storageaccounts", "<storage-account-name>"),
    ("vaults", "<key-vault-name>"),
    ("components", "<application-insights-name>"),
    ("registries", "<container-registry-name>"),
];

/// Keys whose values are secrets (base64 keys, passwords).
fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    (k.ends_with("key") && !k.contains("instrumentation")) || k.ends_with("password") || k.ends_with("accesskey")
}

/// Replaces the endpoint, `127.0.0.1:port` hosts, dependent names, GUIDs, 32-digit hex ids and
/// RFC 3339 times in `s` by placeholders.
fn redact_str(s: &str, base: &str) -> String {
    let s = s.replace(base, "<base-url>");
    let s = {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find("127.0.0.1:") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 10..];
            let n = after.bytes().take_while(|c| c.is_ascii_digit()).count();
            out.push_str("<host>");
            rest = &after[n..];
        }
        out.push_str(rest);
        out
    };
    let s = if s.starts_with('/') || s.starts_with("<base-url>/") {
        let segs: Vec<&str> = s.split('/').collect();
        let mut out: Vec<String> = segs.iter().map(|x| x.to_string()).collect();
        for i in 1..segs.len() {
            if let Some((_, ph)) = DEPENDENT_NAMES.iter().find(|(t, _)| segs[i - 1].eq_ignore_ascii_case(t)) {
                if !segs[i].is_empty() && !segs[i].contains('?') {
                    out[i] = ph.to_string();
                }
            }
        }
        out.join("/")
    } else {
        s
    };
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if is_guid_at(b, i) {
            out.push_str("<GUID>");
            i += 36;
            continue;
        }
        let word = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if word == 32 && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && b[i..i + 32].iter().all(u8::is_ascii_hexdigit)
        {
            out.push_str("<hex>");
            i += 32;
            continue;
        }
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some(n) = (20..=35).rev().find(|n| {
                i + n <= b.len() && s.is_char_boundary(i + n) && fixtures::matches_text("<datetime>", &s[i..i + n])
            }) {
                out.push_str("<datetime>");
                i += n;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Redacts every string under `v`, recording the pointer (prefixed by `at`) of each change.
fn redact(v: &mut Value, at: &str, base: &str, volatile: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let r = redact_str(s, base);
            if r != *s {
                *s = r;
                volatile.push(at.to_string());
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                redact(x, &format!("{at}/{i}"), base, volatile);
            }
        }
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if is_secret_key(k) && x.as_str().is_some_and(|s| !s.is_empty()) {
                    *x = json!("<secret>");
                    volatile.push(format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")));
                    continue;
                }
                redact(x, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), base, volatile);
            }
        }
        _ => {}
    }
}

/// The path parameters of `path` for the route of `operation` (x-ms-examples `parameters`).
fn path_parameters(operation: &str, path: &str, sub: &str) -> Map<String, Value> {
    let path = path.replace("{subscriptionId}", sub);
    let (p, _) = path.split_once('?').unwrap_or((&path, ""));
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = Map::new();
    for r in conformance::armemu::all_routes().iter().filter(|r| r.operation == operation) {
        let pat: Vec<&str> = r.pattern.split('/').filter(|s| !s.is_empty()).collect();
        if pat.len() != segs.len() {
            continue;
        }
        let ok = pat.iter().zip(&segs).all(|(a, b)| a.starts_with('{') || a.eq_ignore_ascii_case(b));
        if ok {
            for (a, b) in pat.iter().zip(&segs) {
                if let Some(name) = a.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    out.insert(name.to_string(), json!(b));
                }
            }
            break;
        }
    }
    out
}

fn generate(case: &Case) -> Value {
    let t = Target::in_process();
    for s in &case.setup {
        let r = s.send(&t);
        assert!(r.status < 300, "{}: setup {} {}: {r:?}", case.file, s.method, s.path);
    }
    let r = case.request.send(&t);
    let status = r.status.to_string();
    let mut response = Map::new();
    let mut headers = Map::new();
    for h in RECORDED_HEADERS {
        if let Some(v) = r.header(h) {
            headers.insert(h.to_string(), json!(v));
        }
    }
    if !headers.is_empty() {
        response.insert("headers".into(), Value::Object(headers));
    }
    if !r.body.is_empty() {
        response.insert("body".into(), r.json());
    }
    let mut parameters = path_parameters(case.operation, &case.request.path, &t.subscription);
    if case.request.path.contains("api-version=") {
        parameters.insert("api-version".into(), json!(case.api));
    }
    if let Some(b) = &case.request.body {
        parameters.insert("parameters".into(), b.clone());
    }
    let mut responses = Map::new();
    responses.insert(status.clone(), Value::Object(response));
    let mut doc = json!({
        "title": case.title,
        "operationId": case.operation,
        "apiVersion": case.api,
        "request": case.request.to_json(),
        "setup": case.setup.iter().map(Step::to_json).collect::<Vec<_>>(),
        "parameters": Value::Object(parameters),
        "responses": Value::Object(responses),
        "volatile": [],
    });
    let mut volatile = Vec::new();
    let base = t.base().to_string();
    redact(&mut doc["responses"], "/responses", &base, &mut volatile);
    redact(&mut doc["parameters"], "/parameters", &base, &mut volatile);
    doc["volatile"] = json!(volatile);
    doc
}

fn write_json(path: &Path, v: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = serde_json::to_string_pretty(v).unwrap();
    text.push('\n');
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SHAPES").is_some()
}

// ---------------------------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------------------------

/// Replays one shape fixture; Err says what differs.
fn replay(f: &fixtures::Fixture) -> Result<(), String> {
    let v = f.json();
    let t = Target::new();
    for s in v["setup"].as_array().into_iter().flatten() {
        let s = Step::from_json(s);
        let r = s.send(&t);
        if r.status >= 300 {
            return Err(format!("setup {} {} failed: {r:?}", s.method, s.path));
        }
    }
    let req = Step::from_json(&v["request"]);
    let r = req.send(&t);
    let responses = v["responses"].as_object().ok_or("no responses")?;
    let Some(expected) = responses.get(&r.status.to_string()) else {
        return Err(format!("status {} is not one of {:?}: {r:?}", r.status, responses.keys().collect::<Vec<_>>()));
    };
    if let Some(hs) = expected.get("headers").and_then(Value::as_object) {
        for (name, want) in hs {
            let want = want.as_str().unwrap_or_default();
            match r.header(name) {
                Some(got) if fixtures::matches_text(want, got) => {}
                got => return Err(format!("header {name}: expected {want:?}, got {got:?}")),
            }
        }
    }
    match expected.get("body") {
        Some(body) => fixtures::matches_shape(body, &r.json()).map_err(|e| format!("body {e}")),
        None if r.body.is_empty() => Ok(()),
        None => Err(format!("expected no body, got {r:?}")),
    }
}

#[test]
fn every_shape_fixture_replays() {
    if updating() {
        let dir = fixtures_dir().join("shapes");
        for case in cases() {
            write_json(&dir.join(format!("{}.json", case.file)), &generate(&case));
        }
        write_state();
        eprintln!("shapes written; now run UPDATE_FIXTURES=1 cargo test -p fixtures --test well_formed");
        return;
    }
    let shapes: Vec<_> = fixtures::of_kind("shape").collect();
    assert!(!shapes.is_empty(), "no shape fixtures are indexed");
    let failures: Vec<String> =
        shapes.iter().filter_map(|f| replay(f).err().map(|e| format!("{}: {e}", f.path))).collect();
    assert!(failures.is_empty(), "{} of {} shapes differ:\n{}", failures.len(), shapes.len(), failures.join("\n"));
}

#[test]
fn the_generation_table_and_the_fixtures_agree() {
    let files: Vec<String> = cases().iter().map(|c| format!("shapes/{}", c.file)).collect();
    let indexed: Vec<&str> = fixtures::of_kind("shape").map(|f| f.name).collect();
    for f in &files {
        assert!(indexed.contains(&f.as_str()) || updating(), "{f} has no fixture: run UPDATE_SHAPES=1");
    }
    for f in &indexed {
        assert!(files.iter().any(|x| x == f), "{f} is not in the generation table of conformance/tests/shapes");
    }
}

// ---------------------------------------------------------------------------------------------
// The seed's `az ml workspace list` state
// ---------------------------------------------------------------------------------------------

const STATE: &str = "states/seed-workspace-list.json";

/// The seed's two workspaces in two groups, made through the API and exported.
fn write_state() {
    let t = Target::in_process();
    for (rg, name) in [("myresourcegroup", "myml"), ("anotherresourcegroup", "anotherml")] {
        assert!(create_group(rg).send(&t).status < 300);
        let r = create_ws(rg, name).send(&t);
        assert_eq!(r.status, 200, "{r:?}");
    }
    let exported = t.control("GET", "state", None).expect(200).json();
    let mut doc = Map::new();
    doc.insert(
        "x-source".into(),
        json!("the seed's `az ml workspace list` example (seeds/workspace-list-output.json): two workspaces in two groups, created through the API and exported by GET /_emulator/state (conformance/tests/shapes, UPDATE_SHAPES=1)"),
    );
    for (k, v) in exported.as_object().unwrap() {
        doc.insert(k.clone(), v.clone());
    }
    write_json(&fixtures_dir().join(STATE), &Value::Object(doc));
}

#[test]
fn the_seed_workspace_list_state_loads_and_lists_two_workspaces_in_two_groups() {
    if updating() || Target::external_requested() {
        return;
    }
    let path = fixtures_dir().join(STATE);
    let t = Target::with_config(|c| c.load = Some(path));
    let r = t.get(&q(&format!("{}/providers/{ML}/workspaces", t.sub()), ML_API)).expect(200).json();
    let items = r["value"].as_array().cloned().unwrap_or_default();
    let mut listed: Vec<Value> = items
        .iter()
        .map(|w| {
            let id = w["id"].as_str().unwrap_or_default();
            let parts: Vec<&str> = id.split('/').collect();
            json!({"resourceGroup": parts.get(4).copied().unwrap_or_default(), "subscriptionId": parts.get(2).copied().unwrap_or_default(), "workspaceName": w["name"]})
        })
        .collect();
    // The seed lists myml first; order by the seed's order for the comparison.
    listed.sort_by_key(|w| if w["workspaceName"] == "myml" { 0 } else { 1 });
    let seed = fixtures::load("seeds/workspace-list-output").expect("seed fixture");
    fixtures::matches_shape(&seed["body"], &Value::Array(listed.clone())).unwrap_or_else(|e| panic!("{e}: {listed:?}"));
    let groups: std::collections::BTreeSet<_> = listed.iter().map(|w| w["resourceGroup"].to_string()).collect();
    assert_eq!(groups.len(), 2, "{listed:?}");
    // The dependents came along: each group has the workspace plus its storage account, key vault
    // and Application Insights.
    for rg in ["myresourcegroup", "anotherresourcegroup"] {
        let res = t.get(&q(&format!("{}/resources", t.rg(rg)), RG_API)).expect(200).json();
        let types: Vec<String> = res["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["type"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        for want in [
            "microsoft.machinelearningservices/workspaces",
            "microsoft.storage/storageaccounts",
            "microsoft.keyvault/vaults",
        ] {
            assert!(types.iter().any(|x| x == want), "{rg}: {want} missing in {types:?}");
        }
    }
}
