//! HTTP fuzzing of the emulator's raw surface.
//!
//! Requests are generated from the route table (every method on every pattern, with mutated
//! segments, odd casing, `//`, bad api-versions, random/invalid/huge/deeply nested JSON bodies,
//! invalid UTF-8, missing and malformed headers) and sent through the server's own request
//! path (`armemu::pipeline::App::handle`, the code a socket request runs after the body is read),
//! so a million requests take seconds. A second phase sends raw HTTP/1.1 over a real socket.
//!
//! Each request must get a 4xx ARM error or a valid success: never a 5xx (a handler panic is
//! rendered as a 500), never a body that is not the documented JSON, and a rejected request
//! must leave the exported state unchanged.
//!
//! A concurrent phase ([`run_concurrent`]) then has several threads, each with its own seeded
//! generator, send valid writes that collide on purpose (a few group, resource, workspace,
//! connection and role-assignment names, deletes, purges, recoveries and moves between the
//! groups), in the `sync` LRO mode and in asynchronous ones (polling the answers' `Location`
//! and `Azure-AsyncOperation` URLs from the threads). After each round the final state must
//! be consistent, read from the store and through the public routes (`check_invariants_of`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

use armemu::config::DEFAULT_SUBSCRIPTION_ID as SUB;
use armemu::model::ids::{Parent, ResourceId};
use armemu::model::LroMode;
use armemu::pipeline::{App, RawResponse};
use armemu::store::{Resource, State};
use armemu::testing::TestEmulator;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// What a fuzz run found.
#[derive(Debug, Default)]
pub struct Report {
    pub requests: u64,
    pub socket_requests: u64,
    /// Requests of the concurrent phase, polls of its operations included.
    pub concurrent_requests: u64,
    /// Of those, polls of `Location` / `Azure-AsyncOperation` URLs.
    pub concurrent_polls: u64,
    pub concurrent_threads: usize,
    /// Rounds of the concurrent phase (one per LRO configuration).
    pub concurrent_rounds: u64,
    /// Invariants checked on the state after the concurrent rounds (one per resource, group or
    /// listing compared).
    pub invariant_checks: u64,
    /// Statuses per kind of request of the concurrent phase, e.g. `workspace PUT` → `200` → n.
    pub concurrent_ops: BTreeMap<String, BTreeMap<u16, u64>>,
    pub by_class: BTreeMap<String, u64>,
    pub failures: Vec<String>,
    pub elapsed: Duration,
    /// Of `elapsed`, the concurrent phase's (its invariant checks included).
    pub concurrent_elapsed: Duration,
}

impl Report {
    pub fn print(&self) {
        println!(
            "fuzz: {} in-process requests + {} socket requests + {} concurrent requests in {:.1?}",
            self.requests, self.socket_requests, self.concurrent_requests, self.elapsed
        );
        if self.concurrent_rounds > 0 {
            println!(
                "  concurrent: {} threads, {} rounds, {} requests ({} polls) and {} invariant checks in {:.1?}",
                self.concurrent_threads,
                self.concurrent_rounds,
                self.concurrent_requests,
                self.concurrent_polls,
                self.invariant_checks,
                self.concurrent_elapsed
            );
        }
        for (k, v) in &self.by_class {
            println!("  {k}: {v}");
        }
        for (op, statuses) in &self.concurrent_ops {
            let counts: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
            println!("  concurrent {op}: {}", counts.join(" "));
        }
        println!("  failures: {}", self.failures.len());
        for f in self.failures.iter().take(20) {
            println!("  FAIL {f}");
        }
    }

    /// Adds another run's counts and failures (a sequential run and a concurrent one).
    pub fn merge(&mut self, other: Report) {
        self.requests += other.requests;
        self.socket_requests += other.socket_requests;
        self.concurrent_requests += other.concurrent_requests;
        self.concurrent_polls += other.concurrent_polls;
        self.concurrent_threads = self.concurrent_threads.max(other.concurrent_threads);
        self.concurrent_rounds += other.concurrent_rounds;
        self.invariant_checks += other.invariant_checks;
        for (op, statuses) in other.concurrent_ops {
            let mine = self.concurrent_ops.entry(op).or_default();
            for (s, n) in statuses {
                *mine.entry(s).or_default() += n;
            }
        }
        for (k, v) in other.by_class {
            *self.by_class.entry(k).or_default() += v;
        }
        self.failures.extend(other.failures);
        self.elapsed += other.elapsed;
        self.concurrent_elapsed += other.concurrent_elapsed;
    }

    /// How many requests of kind `op` (e.g. `workspace PUT`) got a 2xx.
    pub fn concurrent_successes(&self, op: &str) -> u64 {
        self.concurrent_ops.get(op).map(|m| m.range(200..300).map(|(_, n)| n).sum()).unwrap_or(0)
    }
}

const NAMES: &[&str] = &[
    "rg1",
    "RG1",
    "rg2",
    "ws1",
    "WS1",
    "ws2",
    "sa1",
    "grupo-ñandú",
    "a.",
    "x",
    "..",
    "%2e%2e",
    "rg%20x",
    "a b",
    "ünïcödé",
    "",
    "0",
    "-",
    "ends.",
    "(paren)",
];
const NAMESPACES: &[&str] = &[
    "Microsoft.MachineLearningServices",
    "microsoft.storage",
    "Microsoft.KeyVault",
    "Microsoft.DocumentDB",
    "Microsoft.Authorization",
    "Microsoft.Foo",
    "Microsoft.Resources",
    "x",
];
const PATHS: &[&str] = &[
    "Microsoft.Storage/storageAccounts/sa1",
    "Microsoft.Storage/storageAccounts/sa2",
    "Microsoft.KeyVault/vaults/kv1",
    "Microsoft.Insights/components/ai1",
    "Microsoft.ContainerRegistry/registries/acr1",
    "Microsoft.DocumentDB/databaseAccounts/db1",
    "Microsoft.Foo/bars/b1",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/sa1/blobServices/default",
    "Microsoft.MachineLearningServices/workspaces/ws1/environments/e1",
];
const API_VERSIONS: &[&str] = &["2024-11-01", "2025-12-01", "2024-10-01-preview", "2019-06-01", "2022-04-01"];
const BAD_API_VERSIONS: &[&str] =
    &["", "latest", "2024-13-01", "2024-01-01-foo", "9999", "2024-01-01-preview-preview", "'", "%00"];
const FILTERS: &[&str] = &[
    "tagName eq 'a'",
    "tagName eq 'a' and tagValue eq 'b'",
    "resourceType eq 'Microsoft.Storage/storageAccounts'",
    "substringof('s', name)",
    "name eq",
    "(((",
    "roleName eq 'Reader'",
    "principalId eq '1'",
    "atScope()",
    "tagValue eq 'x'",
    "'",
    "resourceGroup eq 'rg1' or x",
];
const PROP_KEYS: &[&str] = &[
    "storageAccount",
    "keyVault",
    "applicationInsights",
    "containerRegistry",
    "hbiWorkspace",
    "publicNetworkAccess",
    "encryption",
    "managedNetwork",
    "softDeleteRetentionInDays",
    "allowRecoverSoftDeletedWorkspace",
    "description",
    "friendlyName",
    "roleDefinitionId",
    "principalId",
    "isHnsEnabled",
    "adminUserEnabled",
    "privateLinkServiceConnectionState",
    "imageBuildCompute",
];
const TOP_KEYS: &[&str] = &[
    "location",
    "tags",
    "properties",
    "sku",
    "kind",
    "identity",
    "managedBy",
    "resources",
    "targetResourceGroup",
    "lro",
    "pageSize",
    "registrationDelay",
    "seconds",
    "now",
];

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

fn guid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid().to_string()
}

fn random_string(rng: &mut StdRng) -> String {
    match rng.gen_range(0..8) {
        0 => String::new(),
        1 => "x".repeat(rng.gen_range(1..600)),
        2 => "ünï\u{0}cödé\u{202e}".into(),
        3 => guid(rng),
        4 => format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/{}", pick(rng, PATHS)),
        5 => pick(rng, &["westeurope", "West Europe", "mars", "eastus", "WESTEUROPE"]).into(),
        6 => pick(rng, &["True", "true", "Enabled", "Disabled", "Premium_LRS", "AllowInternetOutbound"]).into(),
        _ => (0..rng.gen_range(1..20)).map(|_| rng.gen_range(0x20u8..0x7f) as char).collect(),
    }
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..10) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => json!(rng.gen_range(-5i64..20)),
        3 => json!(rng.gen::<f64>() * 1e300),
        4 | 5 => json!(random_string(rng)),
        6 if depth < 4 => Value::Array((0..rng.gen_range(0..4)).map(|_| random_json(rng, depth + 1)).collect()),
        _ if depth < 4 => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.gen_range(0..5) {
                let k = if rng.gen_bool(0.7) { pick(rng, PROP_KEYS).to_string() } else { random_string(rng) };
                m.insert(k, random_json(rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => json!("leaf"),
    }
}

/// A plausible resource body: right keys, random values.
fn random_body_object(rng: &mut StdRng) -> Value {
    let mut m = serde_json::Map::new();
    if rng.gen_bool(0.8) {
        m.insert("location".into(), json!(pick(rng, &["westeurope", "West Europe", "eastus", "mars", ""])));
    }
    for _ in 0..rng.gen_range(0..4) {
        let k = pick(rng, TOP_KEYS);
        let v = match k {
            "properties" => {
                let mut p = serde_json::Map::new();
                for _ in 0..rng.gen_range(0..5) {
                    p.insert(pick(rng, PROP_KEYS).into(), random_json(rng, 2));
                }
                Value::Object(p)
            }
            "tags" if rng.gen_bool(0.6) => json!({"env": "dev", "k": random_string(rng)}),
            _ => random_json(rng, 1),
        };
        m.insert(k.into(), v);
    }
    Value::Object(m)
}

fn random_body(rng: &mut StdRng, method: &str, limit: usize) -> Option<Vec<u8>> {
    let wants = matches!(method, "PUT" | "PATCH" | "POST");
    if !wants && rng.gen_bool(0.9) {
        return None;
    }
    Some(match rng.gen_range(0..20) {
        0 => b"{\"location\": \"westeurope\"".to_vec(),
        1 => vec![0xff, 0xfe, b'{', 0x80, b'}'],
        2 => format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        3 => format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(300), "}".repeat(300)).into_bytes(),
        4 => vec![b' '; limit + 1 + rng.gen_range(0..100)],
        5 => b"[]".to_vec(),
        6 => b"42".to_vec(),
        7 => Vec::new(),
        8 => serde_json::to_vec(&random_json(rng, 0)).unwrap_or_default(),
        _ => serde_json::to_vec(&random_body_object(rng)).unwrap_or_default(),
    })
}

fn fill(rng: &mut StdRng, pattern: &str) -> String {
    let mut out = String::new();
    for seg in pattern.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        let v = if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let name = name.trim_start_matches('*');
            match name {
                "subscriptionId" => match rng.gen_range(0..10) {
                    0 => guid(rng),
                    1 => "not-a-guid".into(),
                    2 => SUB.to_uppercase(),
                    _ => SUB.into(),
                },
                "resourceProviderNamespace" | "ns" => pick(rng, NAMESPACES).into(),
                "resourcePath" => pick(rng, PATHS).into(),
                "roleAssignmentName" | "operationId" | "roleDefinitionId" => {
                    if rng.gen_bool(0.7) {
                        guid(rng)
                    } else {
                        pick(
                            rng,
                            &["f6c7c914-8db3-469d-8ca1-694a8f32e121", "x", "acdd72a7-3385-48ef-bd42-f606fba81ae7"],
                        )
                        .into()
                    }
                }
                "tenant" => pick(rng, &["adfs", "common", armemu::config::DEFAULT_TENANT_ID, "nobody"]).into(),
                "location" => pick(rng, &["westeurope", "mars"]).into(),
                _ => pick(rng, NAMES).into(),
            }
        } else if rng.gen_bool(0.1) {
            seg.to_uppercase()
        } else if rng.gen_bool(0.05) {
            seg.to_lowercase()
        } else {
            seg.to_string()
        };
        out.push_str(&v);
        if rng.gen_bool(0.03) {
            out.push('/');
        }
    }
    if rng.gen_bool(0.05) {
        out.push('/');
    }
    if rng.gen_bool(0.03) {
        out.push_str("/extra");
    }
    out
}

/// One generated request.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

fn generate(rng: &mut StdRng, routes: &[(String, String)], limit: usize) -> Req {
    let (route_method, pattern) = if rng.gen_bool(0.92) {
        routes[rng.gen_range(0..routes.len())].clone()
    } else {
        (
            "GET".to_string(),
            pick(
                rng,
                &[
                    "/",
                    "/foo",
                    "/subscriptions//",
                    "/providers",
                    "/%ff%fe",
                    "/a/b/c/d/e/f/g/h/i/j/k/l",
                    "/subscriptions/x/resourceGroups",
                ],
            )
            .to_string(),
        )
    };
    let method = if rng.gen_bool(0.85) {
        route_method
    } else {
        pick(rng, &["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO"]).to_string()
    };
    let path = fill(rng, &pattern);
    let mut q = form_urlencoded::Serializer::new(String::new());
    match rng.gen_range(0..20) {
        0 | 1 => {}
        2 | 3 => {
            q.append_pair("api-version", pick(rng, BAD_API_VERSIONS));
        }
        _ => {
            q.append_pair("api-version", pick(rng, API_VERSIONS));
        }
    }
    if rng.gen_bool(0.15) {
        q.append_pair("$top", pick(rng, &["1", "2", "0", "-1", "99999999999", "x", ""]));
    }
    if rng.gen_bool(0.15) {
        q.append_pair("$filter", pick(rng, FILTERS));
    }
    if rng.gen_bool(0.08) {
        q.append_pair(pick(rng, &["$skipToken", "$skip"]), pick(rng, &["cmcx", "!!!", "", "L3N1YnNjcmlwdGlvbnM"]));
    }
    if rng.gen_bool(0.08) {
        q.append_pair("forceToPurge", pick(rng, &["true", "false", "maybe", "TRUE"]));
    }
    if rng.gen_bool(0.05) {
        q.append_pair("$expand", pick(rng, &["createdTime,changedTime,provisioningState", "x"]));
    }
    let mut headers = vec![("host".to_string(), "127.0.0.1:1".to_string())];
    match rng.gen_range(0..20) {
        0 => {}
        1 => headers.push(("authorization".into(), "Basic abc".into())),
        2 => headers.push(("authorization".into(), "Bearer".into())),
        3 => headers.push(("authorization".into(), "Bearer a.!!!.c".into())),
        _ => headers.push(("authorization".into(), "Bearer fuzz".into())),
    }
    if rng.gen_bool(0.1) {
        headers
            .push((pick(rng, &["if-match", "if-none-match"]).into(), pick(rng, &["*", "\"x\"", "", "W/\"y\""]).into()));
    }
    // Most writes say they are JSON (the emulator refuses other media types with 415 before
    // any handler runs); some do not, some say something else.
    if rng.gen_bool(0.85) {
        headers.push(("content-type".into(), "application/json".into()));
    } else if rng.gen_bool(0.5) {
        headers.push((
            "content-type".into(),
            pick(rng, &["application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", ""])
                .into(),
        ));
    }
    if rng.gen_bool(0.05) {
        headers.push(("x-ms-client-request-id".into(), random_string(rng)));
    }
    let body = random_body(rng, &method, limit);
    Req { method, path, query: q.finish(), headers, body }
}

fn describe(r: &Req) -> String {
    let body =
        r.body.as_ref().map(|b| String::from_utf8_lossy(&b[..b.len().min(200)]).into_owned()).unwrap_or_default();
    format!("{} {}?{} body={body}", r.method, r.path, r.query)
}

/// Checks one response; returns a failure description.
fn check(status: u16, body: &[u8], method: &str) -> Option<String> {
    if status >= 500 {
        return Some(format!("status {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])));
    }
    if body.is_empty() || method == "HEAD" {
        return None;
    }
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(format!("status {status}: body is not JSON ({e})")),
    };
    if status >= 400 {
        let arm = v.pointer("/error/code").is_some_and(Value::is_string)
            && v.pointer("/error/message").is_some_and(Value::is_string);
        let oauth = v.get("error").is_some_and(Value::is_string);
        if !arm && !oauth {
            return Some(format!("status {status}: error body without error.code/message: {v}"));
        }
    }
    None
}

fn seed(emu: &TestEmulator) {
    let app = &emu.app;
    let send = |m: &str, p: &str, body: Value| {
        let r = app.handle(
            m,
            p,
            Some("api-version=2025-12-01"),
            vec![("authorization".into(), "Bearer seed".into()), ("content-type".into(), "application/json".into())],
            Ok(Bytes::from(serde_json::to_vec(&body).unwrap_or_default())),
            false,
        );
        assert!(r.status < 300, "seeding {m} {p} failed: {} {}", r.status, String::from_utf8_lossy(&r.body));
    };
    for rg in ["rg1", "rg2"] {
        send(
            "PUT",
            &format!("/subscriptions/{SUB}/resourcegroups/{rg}"),
            json!({"location": "westeurope", "tags": {"env": "dev"}}),
        );
    }
    send(
        "PUT",
        &format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1"),
        json!({"location": "westeurope"}),
    );
    send(
        "PUT",
        &format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa1"),
        json!({"location": "westeurope"}),
    );
    send(
        "PUT",
        &format!("/subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.MachineLearningServices/workspaces/ws2"),
        json!({"location": "westeurope"}),
    );
    send(
        "DELETE",
        &format!("/subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.MachineLearningServices/workspaces/ws2"),
        json!({}),
    );
}

/// Runs `n` in-process requests and `socket_n` socket requests with seed `seed_value`.
pub fn run(n: u64, socket_n: u64, seed_value: u64) -> Report {
    let limit = 64 * 1024;
    let emu = TestEmulator::with_config(|c| c.max_body_bytes = limit);
    seed(&emu);
    let app = emu.app.clone();
    let store = app.ctx.store();
    let baseline = store.snapshot();
    // The test-control routes change state on purpose (reset, import, clock); they have their own suites.
    let routes: Vec<(String, String)> = app
        .router()
        .routes()
        .filter(|r| !r.pattern.starts_with("/_emulator") || r.pattern == "/_emulator/health")
        .map(|r| (r.method.as_str().to_string(), r.pattern.to_string()))
        .collect();
    let mut rng = StdRng::seed_from_u64(seed_value);
    let mut report = Report::default();
    let start = Instant::now();
    for i in 0..n {
        if i % 2000 == 0 {
            store.replace(baseline.clone());
        }
        let req = generate(&mut rng, &routes, limit);
        let before = store.snapshot();
        let body = match &req.body {
            Some(b) if b.len() > limit => Err(armemu::protocol::ArmError::payload_too_large(limit)),
            Some(b) => Ok(Bytes::from(b.clone())),
            None => Ok(Bytes::new()),
        };
        let query = if req.query.is_empty() { None } else { Some(req.query.as_str()) };
        let resp = app.handle(&req.method, &req.path, query, req.headers.clone(), body, false);
        report.requests += 1;
        *report.by_class.entry(format!("{}xx", resp.status / 100)).or_default() += 1;
        if let Some(f) = check(resp.status, &resp.body, &req.method) {
            report.failures.push(format!("{f} <- {}", describe(&req)));
        } else if resp.status >= 400 && store.snapshot() != before {
            report.failures.push(format!("rejected request ({}) changed the state <- {}", resp.status, describe(&req)));
        }
        if report.failures.len() > 50 {
            break;
        }
    }
    store.replace(baseline);
    socket_phase(&emu, &routes, socket_n, &mut rng, &mut report, limit);
    report.elapsed = start.elapsed();
    report
}

/// Sends raw HTTP/1.1 requests over keep-alive connections; every well-framed request must
/// get a response (never a dropped connection).
fn socket_phase(
    emu: &TestEmulator,
    routes: &[(String, String)],
    n: u64,
    rng: &mut StdRng,
    report: &mut Report,
    limit: usize,
) {
    let addr = emu.http.trim_start_matches("http://").to_string();
    let mut conn: Option<(std::net::TcpStream, BufReader<std::net::TcpStream>)> = None;
    for _ in 0..n {
        let req = generate(rng, routes, limit);
        if req.method == "FOO" || req.path.bytes().any(|b| b == b' ' || b >= 0x80) {
            continue; // not well-framed HTTP; hyper answers 400 and closes, covered by hyper itself
        }
        let body = req.body.clone().unwrap_or_default();
        let mut raw = format!(
            "{} {}{}{} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\n",
            req.method,
            req.path,
            if req.query.is_empty() { "" } else { "?" },
            req.query,
            body.len()
        );
        for (k, v) in req.headers.iter().filter(|(k, _)| k != "host") {
            if v.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                raw.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        raw.push_str("\r\n");
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&body);
        // A server may close a keep-alive connection after an answer (e.g. a 413 whose body it
        // did not read); only a request that gets no answer on a fresh connection is a drop.
        let mut outcome = None;
        for attempt in 0..2 {
            if conn.is_none() {
                let s = match std::net::TcpStream::connect(&addr) {
                    Ok(s) => s,
                    Err(e) => {
                        report.failures.push(format!("connect failed: {e}"));
                        return;
                    }
                };
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let r = BufReader::new(s.try_clone().expect("clone socket"));
                conn = Some((s, r));
            }
            let Some((stream, reader)) = conn.as_mut() else { return };
            let fresh_attempt = attempt == 1;
            let result = stream.write_all(&bytes).and_then(|_| read_response(reader));
            match result {
                Ok(ok) => {
                    outcome = Some(Ok(ok));
                    break;
                }
                Err(e) => {
                    conn = None;
                    if fresh_attempt {
                        outcome = Some(Err(e));
                    }
                }
            }
        }
        match outcome {
            Some(Ok((status, close, resp_body))) => {
                report.socket_requests += 1;
                *report.by_class.entry(format!("socket {}xx", status / 100)).or_default() += 1;
                if let Some(f) = check(status, &resp_body, &req.method) {
                    report.failures.push(format!("socket: {f} <- {}", describe(&req)));
                }
                if close {
                    conn = None;
                }
            }
            Some(Err(e)) => {
                report.failures.push(format!("socket: no response on a fresh connection ({e}) <- {}", describe(&req)))
            }
            None => {}
        }
    }
}

fn read_response(r: &mut BufReader<std::net::TcpStream>) -> std::io::Result<(u16, bool, Vec<u8>)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(std::io::Error::other("connection closed before a response"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut len = 0usize;
    let mut close = false;
    loop {
        let mut h = String::new();
        r.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
            if k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close") {
                close = true;
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok((status, close, body))
}

// ------------------------------------------------------------------------------------------
// The concurrent phase
// ------------------------------------------------------------------------------------------

const GROUP_API: &str = "2021-04-01";
const ML_API: &str = "2024-04-01";
const AUTH_API: &str = "2022-04-01";
const STORAGE_API: &str = "2023-05-01";
const VAULT_API: &str = "2023-07-01";
/// For the by-id routes of the other types (the workspaces' dependents): any well-formed one.
const GENERIC_API: &str = "2023-05-01";
const ML: &str = "Microsoft.MachineLearningServices";
const READER_ROLE: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// The few names the threads collide on (each also sent in other casings).
const C_GROUPS: &[&str] = &["fz-alpha", "fz-beta", "fz-gamma"];
const C_ACCOUNTS: &[&str] = &["fzsa1", "fzsa2", "fzsa3"];
const C_VAULTS: &[&str] = &["fzkv1", "fzkv2"];
const C_WORKSPACES: &[&str] = &["fzws1", "fzws2", "fzws3"];
const C_CONNECTIONS: &[&str] = &["pe1", "pe2"];
const C_ASSIGNMENTS: &[&str] = &[
    "0c6e3c5a-0b7e-4a43-9d55-3f1f0a000001",
    "0c6e3c5a-0b7e-4a43-9d55-3f1f0a000002",
    "0c6e3c5a-0b7e-4a43-9d55-3f1f0a000003",
    "0c6e3c5a-0b7e-4a43-9d55-3f1f0a000004",
];
const C_PRINCIPALS: &[&str] = &[
    "5d1e9a40-6c1b-4d3e-8f00-00000000000a",
    "5d1e9a40-6c1b-4d3e-8f00-00000000000b",
    "5d1e9a40-6c1b-4d3e-8f00-00000000000c",
];

/// The LRO configuration of each round: `sync`, then asynchronous modes (a `seconds` mode
/// completes when a thread advances the emulator clock). No `:fail` mode: a failed
/// operation's `Location` answers `500 InternalOperationError` by design.
pub const ROUNDS: &[&[(&str, &str)]] = &[
    &[],
    &[("resourceGroups/delete", "polls:1"), ("workspaces/*", "polls:1"), ("resources/moveResources", "polls:1")],
    &[("resourceGroups/delete", "polls:2"), ("workspaces/*", "polls:3"), ("resources/moveResources", "polls:2")],
    &[("*", "seconds:2")],
];
/// Every kind a round configures (cleared before the next round).
const LRO_KINDS: &[&str] = &["resourceGroups/delete", "workspaces/*", "resources/moveResources", "*"];
/// Polls of one operation URL before a thread gives up on it.
const POLL_LIMIT: u32 = 12;
/// Failures kept per thread and per invariant check (the rest are counted).
const MAX_FAILURES: usize = 50;

/// Failures as they are found: kept up to [`MAX_FAILURES`], then counted.
#[derive(Default)]
struct Failures {
    kept: Vec<String>,
    dropped: u64,
}

impl Failures {
    fn push(&mut self, f: String) {
        if self.kept.len() < MAX_FAILURES {
            self.kept.push(f);
        } else {
            self.dropped += 1;
        }
    }
}

impl Report {
    fn add_failures(&mut self, f: Failures) {
        self.failures.extend(f.kept);
        if f.dropped > 0 {
            self.failures.push(format!("… and {} more concurrent failures", f.dropped));
        }
    }
}

/// Runs the concurrent phase on a fresh emulator: `threads` threads send `per_thread`
/// requests each (polls included), split over the LRO configurations of [`ROUNDS`]; after
/// each round (threads joined) the state is checked, with operations still in flight and
/// again once every operation the threads started has been polled to its end.
pub fn run_concurrent(threads: usize, per_thread: u64, seed_value: u64) -> Report {
    let emu = TestEmulator::start();
    let app: &App = &emu.app;
    let host = emu.http.trim_start_matches("http://").to_string();
    let client = Client { app, host: &host };
    let mut report = Report { concurrent_threads: threads, ..Report::default() };
    let start = Instant::now();
    let rounds = ROUNDS.len() as u64;
    for (round, config) in ROUNDS.iter().enumerate() {
        for kind in LRO_KINDS {
            app.set_lro(kind, None);
        }
        for (kind, mode) in config.iter() {
            app.set_lro(kind, Some(mode.parse::<LroMode>().expect("a valid LRO mode")));
        }
        let n = per_thread / rounds + if round as u64 == rounds - 1 { per_thread % rounds } else { 0 };
        let workers: Vec<std::thread::Result<Worker>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let rng = StdRng::seed_from_u64(thread_seed(seed_value, round, t));
                    scope.spawn(move || {
                        let mut w = Worker::new(client, rng, t);
                        for _ in 0..n {
                            w.step();
                        }
                        w
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join()).collect()
        });
        let config_text: Vec<String> = config.iter().map(|(k, m)| format!("{k}={m}")).collect();
        let label = format!(
            "round {round} ({})",
            if config_text.is_empty() { "sync".to_string() } else { config_text.join(", ") }
        );
        // The operations the threads left running are finished by one more worker.
        let mut drain = Worker::new(client, StdRng::seed_from_u64(thread_seed(seed_value, round, threads)), threads);
        for (t, w) in workers.into_iter().enumerate() {
            match w {
                Ok(w) => {
                    drain.polls.extend(w.polls);
                    report.absorb(w.tally);
                }
                Err(_) => report.failures.push(format!("{label}: thread {t} panicked")),
            }
        }
        check_invariants(client, &format!("{label}, operations in flight"), &mut report);
        drain.send(
            "clock advance",
            "POST",
            "/_emulator/clock/advance".into(),
            String::new(),
            Some(json!({"seconds": 60})),
        );
        while !drain.polls.is_empty() {
            drain.poll_one();
        }
        report.absorb(drain.tally);
        check_invariants(client, &format!("{label}, settled"), &mut report);
        report.concurrent_rounds += 1;
    }
    report.concurrent_elapsed = start.elapsed();
    report.elapsed = report.concurrent_elapsed;
    report
}

/// Each thread's generator: derived from the run's seed, the round and the thread.
fn thread_seed(seed: u64, round: usize, thread: usize) -> u64 {
    let salt = ((round as u64) << 32) | (thread as u64 + 1);
    seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Report {
    fn absorb(&mut self, t: Tally) {
        self.concurrent_requests += t.requests;
        self.concurrent_polls += t.polls;
        for (op, statuses) in t.ops {
            let mine = self.concurrent_ops.entry(op).or_default();
            for (s, n) in statuses {
                *mine.entry(s).or_default() += n;
                *self.by_class.entry(format!("concurrent {}xx", s / 100)).or_default() += n;
            }
        }
        self.add_failures(t.failures);
    }
}

/// Sends requests through the pipeline as a client on `host` would.
#[derive(Clone, Copy)]
struct Client<'a> {
    app: &'a App,
    host: &'a str,
}

impl Client<'_> {
    fn call(&self, method: &str, path: &str, query: &str, body: Option<&Value>) -> RawResponse {
        let mut headers =
            vec![("host".to_string(), self.host.to_string()), ("authorization".to_string(), "Bearer x".to_string())];
        let bytes = match body {
            Some(b) => {
                headers.push(("content-type".to_string(), "application/json".to_string()));
                Bytes::from(serde_json::to_vec(b).unwrap_or_default())
            }
            None => Bytes::new(),
        };
        let query = if query.is_empty() { None } else { Some(query) };
        self.app.handle(method, path, query, headers, Ok(bytes), false)
    }

    /// Every item id of a (paged) listing, following `nextLink`.
    fn list_ids(&self, path: &str, query: &str) -> Result<Vec<String>, String> {
        let (mut p, mut q) = (path.to_string(), query.to_string());
        let mut out = Vec::new();
        for _ in 0..1000 {
            let resp = self.call("GET", &p, &q, None);
            if resp.status != 200 {
                return Err(format!("GET {p}?{q} answered {}: {}", resp.status, snippet(&resp.body)));
            }
            let v: Value = serde_json::from_slice(&resp.body).map_err(|e| format!("GET {p}?{q}: not JSON ({e})"))?;
            for item in v.get("value").and_then(Value::as_array).into_iter().flatten() {
                match item.get("id").and_then(Value::as_str) {
                    Some(id) => out.push(id.to_string()),
                    None => return Err(format!("GET {p}?{q}: an item without an id: {item}")),
                }
            }
            match v.get("nextLink").and_then(Value::as_str).filter(|l| !l.is_empty()) {
                Some(next) => (p, q) = split_url(next).ok_or_else(|| format!("GET {p}?{q}: bad nextLink {next}"))?,
                None => return Ok(out),
            }
        }
        Err(format!("GET {path}?{query}: more than 1000 pages"))
    }
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

fn header<'r>(resp: &'r RawResponse, name: &str) -> Option<&'r str> {
    resp.headers.iter().find(|(k, _)| k.as_str().eq_ignore_ascii_case(name)).and_then(|(_, v)| v.to_str().ok())
}

/// `http://host/path?query` → (`/path`, `query`).
fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let pq = &rest[rest.find('/')?..];
    Some(match pq.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (pq.to_string(), String::new()),
    })
}

/// A name in the casing given, upper case, or capitalised.
fn cased(rng: &mut StdRng, name: &str) -> String {
    match rng.gen_range(0..6) {
        0 => name.to_uppercase(),
        1 => {
            let mut c = name.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        }
        _ => name.to_string(),
    }
}

/// What a thread saw.
#[derive(Default)]
struct Tally {
    requests: u64,
    polls: u64,
    ops: BTreeMap<String, BTreeMap<u16, u64>>,
    failures: Failures,
}

/// An operation URL to poll.
struct Pending {
    path: String,
    query: String,
    left: u32,
}

/// One thread of the concurrent phase.
struct Worker<'a> {
    client: Client<'a>,
    rng: StdRng,
    thread: usize,
    polls: Vec<Pending>,
    tally: Tally,
}

impl<'a> Worker<'a> {
    fn new(client: Client<'a>, rng: StdRng, thread: usize) -> Worker<'a> {
        Worker { client, rng, thread, polls: Vec::new(), tally: Tally::default() }
    }

    /// Sends one request, checks the answer, and keeps the polling URLs it carries.
    fn send(&mut self, op: &str, method: &str, path: String, query: String, body: Option<Value>) -> RawResponse {
        let resp = self.exchange(op, method, &path, &query, body.as_ref());
        if resp.status < 300 {
            for name in ["azure-asyncoperation", "location"] {
                let Some(url) = header(&resp, name) else { continue };
                if !url.starts_with(&format!("http://{}/", self.client.host)) {
                    self.tally
                        .failures
                        .push(format!("concurrent: {name} {url} is not on the host called <- {method} {path}"));
                    continue;
                }
                match split_url(url) {
                    Some((path, query)) if self.rng.gen_bool(0.8) => {
                        self.polls.push(Pending { path, query, left: POLL_LIMIT })
                    }
                    Some(_) => {}
                    None => self.tally.failures.push(format!("concurrent: bad {name} URL {url} <- {method} {path}")),
                }
            }
        }
        resp
    }

    fn exchange(&mut self, op: &str, method: &str, path: &str, query: &str, body: Option<&Value>) -> RawResponse {
        let resp = self.client.call(method, path, query, body);
        self.tally.requests += 1;
        *self.tally.ops.entry(op.to_string()).or_default().entry(resp.status).or_default() += 1;
        if let Some(f) = check(resp.status, &resp.body, method) {
            // A 5xx with its whole message: it names the records involved.
            let f = if resp.status >= 500 {
                format!("status {}: {}", resp.status, String::from_utf8_lossy(&resp.body[..resp.body.len().min(1000)]))
            } else {
                f
            };
            let body = body.map(Value::to_string).unwrap_or_default();
            self.tally.failures.push(format!("concurrent: {f} <- {method} {path}?{query} body={body}"));
        }
        resp
    }

    /// Polls one of the operations this thread started, keeping it while it runs.
    fn poll_one(&mut self) {
        let i = self.rng.gen_range(0..self.polls.len());
        let p = self.polls.swap_remove(i);
        let kind = p.path.rsplit('/').nth(1).unwrap_or("").to_string();
        let resp = self.exchange(&format!("poll {kind}"), "GET", &p.path, &p.query, None);
        self.tally.polls += 1;
        let running = resp.status == 202
            || (resp.status == 200
                && serde_json::from_slice::<Value>(&resp.body)
                    .ok()
                    .and_then(|v| v.get("status").and_then(Value::as_str).map(|s| s == "InProgress"))
                    .unwrap_or(false));
        if running && p.left > 1 {
            self.polls.push(Pending { left: p.left - 1, ..p });
        }
    }

    fn pick(&mut self, xs: &[&str]) -> String {
        let name = xs[self.rng.gen_range(0..xs.len())];
        cased(&mut self.rng, name)
    }

    fn group_path(&mut self) -> String {
        format!("/subscriptions/{SUB}/resourceGroups/{}", self.pick(C_GROUPS))
    }

    fn workspace_path(&mut self) -> String {
        format!("{}/providers/{ML}/workspaces/{}", self.group_path(), self.pick(C_WORKSPACES))
    }

    /// A storage account or key vault, with its api-version.
    fn generic_path(&mut self) -> (String, &'static str, bool) {
        let group = self.group_path();
        if self.rng.gen_bool(0.65) {
            (
                format!("{group}/providers/Microsoft.Storage/storageAccounts/{}", self.pick(C_ACCOUNTS)),
                STORAGE_API,
                true,
            )
        } else {
            (format!("{group}/providers/Microsoft.KeyVault/vaults/{}", self.pick(C_VAULTS)), VAULT_API, false)
        }
    }

    fn assignment_path(&mut self) -> String {
        let scope = if self.rng.gen_bool(0.6) { self.workspace_path() } else { self.group_path() };
        let name = C_ASSIGNMENTS[self.rng.gen_range(0..C_ASSIGNMENTS.len())];
        format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
    }

    fn q(api: &str) -> String {
        format!("api-version={api}")
    }

    /// One request: a poll of a running operation, or a write, read or clock step.
    fn step(&mut self) {
        if !self.polls.is_empty() && self.rng.gen_bool(0.3) {
            self.poll_one();
            return;
        }
        let tag = json!({"thread": self.thread.to_string()});
        match self.rng.gen_range(0..200) {
            0..=15 => {
                let location = if self.rng.gen_bool(0.8) { "westeurope" } else { "West Europe" };
                let path = self.group_path();
                self.send(
                    "group PUT",
                    "PUT",
                    path,
                    Self::q(GROUP_API),
                    Some(json!({"location": location, "tags": tag})),
                );
            }
            16..=23 => {
                let path = self.group_path();
                self.send("group DELETE", "DELETE", path, Self::q(GROUP_API), None);
            }
            24..=43 => {
                let (path, api, storage) = self.generic_path();
                let body = if storage {
                    json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": tag})
                } else {
                    json!({"location": "westeurope", "properties": {"tenantId": armemu::config::DEFAULT_TENANT_ID, "sku": {"family": "A", "name": "standard"}}})
                };
                self.send("resource PUT", "PUT", path, Self::q(api), Some(body));
            }
            44..=51 => {
                let (path, api, _) = self.generic_path();
                self.send("resource PATCH", "PATCH", path, Self::q(api), Some(json!({"tags": tag})));
            }
            52..=61 => {
                let (path, api, _) = self.generic_path();
                self.send("resource DELETE", "DELETE", path, Self::q(api), None);
            }
            62..=85 => {
                let path = self.workspace_path();
                let mut body = json!({"location": "westeurope", "tags": tag});
                if self.rng.gen_bool(0.5) {
                    body["properties"] = json!({"allowRecoverSoftDeletedWorkspace": "True"});
                }
                self.send("workspace PUT", "PUT", path, Self::q(ML_API), Some(body));
            }
            86..=93 => {
                let path = self.workspace_path();
                let body = json!({"tags": tag, "properties": {"description": format!("patched by {}", self.thread)}});
                self.send("workspace PATCH", "PATCH", path, Self::q(ML_API), Some(body));
            }
            94..=105 => {
                let path = self.workspace_path();
                let purge = self.rng.gen_bool(0.4);
                let query = if purge { format!("{}&forceToPurge=true", Self::q(ML_API)) } else { Self::q(ML_API) };
                self.send(
                    if purge { "workspace DELETE purge" } else { "workspace DELETE" },
                    "DELETE",
                    path,
                    query,
                    None,
                );
            }
            106..=119 => {
                let path = format!("{}/privateEndpointConnections/{}", self.workspace_path(), self.pick(C_CONNECTIONS));
                let body = json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}});
                self.send("connection PUT", "PUT", path, Self::q(ML_API), Some(body));
            }
            120..=125 => {
                let path = format!("{}/privateEndpointConnections/{}", self.workspace_path(), self.pick(C_CONNECTIONS));
                self.send("connection DELETE", "DELETE", path, Self::q(ML_API), None);
            }
            126..=139 => {
                let path = self.assignment_path();
                let principal = C_PRINCIPALS[self.rng.gen_range(0..C_PRINCIPALS.len())];
                let body = json!({"properties": {
                    "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER_ROLE}"),
                    "principalId": principal,
                }});
                self.send("role assignment PUT", "PUT", path, Self::q(AUTH_API), Some(body));
            }
            140..=147 => {
                let path = self.assignment_path();
                self.send("role assignment DELETE", "DELETE", path, Self::q(AUTH_API), None);
            }
            148..=163 => {
                let from = self.rng.gen_range(0..C_GROUPS.len());
                let to = (from + self.rng.gen_range(1..C_GROUPS.len())) % C_GROUPS.len();
                let (source, target) = (cased(&mut self.rng, C_GROUPS[from]), cased(&mut self.rng, C_GROUPS[to]));
                let ids: Vec<String> = (0..self.rng.gen_range(1..=2))
                    .map(|_| {
                        format!(
                            "/subscriptions/{SUB}/resourceGroups/{source}/providers/Microsoft.Storage/storageAccounts/{}",
                            self.pick(C_ACCOUNTS)
                        )
                    })
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let body = json!({"resources": ids, "targetResourceGroup": format!("/subscriptions/{SUB}/resourceGroups/{target}")});
                let path = format!("/subscriptions/{SUB}/resourceGroups/{source}/moveResources");
                self.send("move POST", "POST", path, Self::q(GROUP_API), Some(body));
            }
            164..=173 => {
                // A template deployment: a storage account and a key vault that depends on it,
                // each created through its own provider while other threads write and delete
                // the same group.
                let group = self.group_path();
                let name = format!("dep{}", self.rng.gen_range(0..3));
                let (account, vault) = (self.pick(C_ACCOUNTS), self.pick(C_VAULTS));
                let template = json!({
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "resources": [
                        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": STORAGE_API, "name": account,
                         "location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": tag},
                        {"type": "Microsoft.KeyVault/vaults", "apiVersion": VAULT_API, "name": vault,
                         "location": "westeurope", "dependsOn": [format!("Microsoft.Storage/storageAccounts/{account}")],
                         "properties": {"tenantId": armemu::config::DEFAULT_TENANT_ID, "sku": {"family": "A", "name": "standard"}}},
                    ],
                });
                let mode = if self.rng.gen_bool(0.2) { "Complete" } else { "Incremental" };
                let path = format!("{group}/providers/Microsoft.Resources/deployments/{name}");
                let body = json!({"properties": {"mode": mode, "template": template}});
                self.send("deployment PUT", "PUT", path, Self::q(GROUP_API), Some(body));
            }
            174..=196 => self.read(),
            197 | 198 => {
                let seconds = self.rng.gen_range(1..4);
                self.send(
                    "clock advance",
                    "POST",
                    "/_emulator/clock/advance".into(),
                    String::new(),
                    Some(json!({"seconds": seconds})),
                );
            }
            _ => {
                // Past the soft-delete retention: soft-deleted workspaces are purged.
                self.send(
                    "clock advance",
                    "POST",
                    "/_emulator/clock/advance".into(),
                    String::new(),
                    Some(json!({"days": 15})),
                );
            }
        }
    }

    /// A read racing the writes: it must never fail with a 5xx either.
    fn read(&mut self) {
        let (op, path, query) = match self.rng.gen_range(0..9) {
            0 => ("workspace GET", self.workspace_path(), Self::q(ML_API)),
            1 => ("workspace list", format!("{}/providers/{ML}/workspaces", self.group_path()), Self::q(ML_API)),
            2 => ("workspace list", format!("/subscriptions/{SUB}/providers/{ML}/workspaces"), Self::q(ML_API)),
            3 => (
                "deleted workspace list",
                format!("/subscriptions/{SUB}/providers/{ML}/deletedWorkspaces"),
                Self::q(ML_API),
            ),
            4 => ("resource list", format!("{}/resources", self.group_path()), Self::q(GROUP_API)),
            5 => ("resource list", format!("/subscriptions/{SUB}/resources"), Self::q(GROUP_API)),
            6 => ("group GET", self.group_path(), Self::q(GROUP_API)),
            7 => ("connection list", format!("{}/privateEndpointConnections", self.workspace_path()), Self::q(ML_API)),
            _ => (
                "role assignment list",
                format!("{}/providers/Microsoft.Authorization/roleAssignments", self.group_path()),
                Self::q(AUTH_API),
            ),
        };
        self.send(op, "GET", path, query, None);
    }
}

// ------------------------------------------------------------------------------------------
// Invariants of the state after concurrent writes
// ------------------------------------------------------------------------------------------

/// The api-version a GET of a resource of this type uses.
fn api_for(full_type: &str) -> &'static str {
    let ns = full_type.split('/').next().unwrap_or("").to_ascii_lowercase();
    match ns.as_str() {
        "microsoft.machinelearningservices" => ML_API,
        "microsoft.authorization" => AUTH_API,
        "microsoft.storage" => STORAGE_API,
        "microsoft.keyvault" => VAULT_API,
        _ => GENERIC_API,
    }
}

fn is_workspace(r: &Resource) -> bool {
    r.resource_type.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces")
}

fn is_extension(r: &Resource) -> bool {
    armemu::catalog::resource_type(&r.resource_type).is_some_and(|(_, t)| t.is_extension())
}

/// Why a resource is not visible: itself or a resource it hangs from (parent or scope) is
/// missing or soft-deleted. `None` when it and everything above it are live.
fn hidden_by(state: &State, id: &ResourceId) -> Option<String> {
    match state.resource(&id.key()) {
        None => return Some(format!("{id} does not exist")),
        Some(r) if !r.is_live() => return Some(format!("{} is soft-deleted", r.id)),
        Some(_) => {}
    }
    match id.parent() {
        Parent::Resource(p) => hidden_by(state, &p),
        _ => None,
    }
}

/// Collects the violations of one check of the state.
struct Checker<'a> {
    client: Client<'a>,
    label: &'a str,
    checks: u64,
    failures: Failures,
}

impl Checker<'_> {
    fn fail(&mut self, f: String) {
        self.failures.push(format!("{}: {f}", self.label));
    }

    /// A listing against the ids it should hold exactly.
    fn listing(&mut self, path: &str, api: &str, expected: BTreeSet<String>) {
        self.checks += 1;
        let listed = match self.client.list_ids(path, &format!("api-version={api}")) {
            Ok(l) => l,
            Err(e) => return self.fail(format!("listing failed: {e}")),
        };
        self.compare(path, listed, expected);
    }

    /// A role-assignment list against the visible assignments it should hold; the ones it
    /// shows although they hang from a soft-deleted workspace are reported on their own.
    fn assignments(&mut self, path: &str, expected: BTreeSet<String>, hidden: &BTreeMap<String, String>) {
        self.checks += 1;
        let mut listed = match self.client.list_ids(path, &format!("api-version={AUTH_API}")) {
            Ok(l) => l,
            Err(e) => return self.fail(format!("listing failed: {e}")),
        };
        let (soft, rest): (Vec<String>, Vec<String>) =
            listed.drain(..).partition(|id| hidden.get(id).is_some_and(|why| why.ends_with(" is soft-deleted")));
        if !soft.is_empty() {
            self.fail(format!(
                "GET {path} lists role assignments whose scope is soft-deleted (their GET answers 404): {soft:?}"
            ));
        }
        self.compare(path, rest, expected);
    }

    fn compare(&mut self, path: &str, listed: Vec<String>, expected: BTreeSet<String>) {
        let got: BTreeSet<String> = listed.iter().cloned().collect();
        if got.len() != listed.len() {
            self.fail(format!("GET {path} lists an id twice: {listed:?}"));
        }
        let missing: Vec<&String> = expected.difference(&got).collect();
        let extra: Vec<&String> = got.difference(&expected).collect();
        if !missing.is_empty() || !extra.is_empty() {
            self.fail(format!("GET {path} disagrees with the state: missing {missing:?}, unexpected {extra:?}"));
        }
    }
}

/// Checks the state after the threads were joined, from the store and through the public
/// routes (see the module documentation of the concurrent phase):
///
/// 1. every resource with a group lies in a group that exists, under the group's exact name
///    (its `resource_group` field and its id's group segment);
/// 2. every resource id resolves: a GET answers 200 with the same id when it and what it
///    hangs from are live (also with the id in lower case), 404 otherwise;
/// 3. the listings agree with the state and the single GETs: `…/resources` of the
///    subscription and of each group list exactly the live top-level non-extension resources
///    (deployments apart),
///    `…/workspaces` exactly the live workspaces, `…/deletedWorkspaces` exactly the
///    soft-deleted ones, the groups list exactly the groups, each live workspace's
///    connections list (and its `privateEndpointConnections` / `privateLinkCount`) exactly its
///    connections, and each group's role-assignment list exactly the visible assignments at or
///    below it;
/// 4. no child or extension resource outlives the resource it hangs from.
fn check_invariants_of(app: &App, host: &str, label: &str) -> (u64, Failures) {
    let mut c = Checker { client: Client { app, host }, label, checks: 0, failures: Failures::default() };
    let state = app.ctx.store().snapshot();
    let groups: Vec<armemu::store::ResourceGroup> = state.groups_in(SUB, None).map(|(_, g)| g.clone()).collect();
    let resources: Vec<Resource> = state.resources_under("").map(|r| (**r).clone()).collect();
    let client = c.client;

    // The groups: each answers under its exact name, in any casing; the list holds them all.
    for g in &groups {
        c.checks += 1;
        for name in [g.name.clone(), g.name.to_uppercase()] {
            let resp = client.call(
                "GET",
                &format!("/subscriptions/{SUB}/resourceGroups/{name}"),
                &format!("api-version={GROUP_API}"),
                None,
            );
            let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
            if resp.status != 200 || body.get("name").and_then(Value::as_str) != Some(g.name.as_str()) {
                c.fail(format!(
                    "GET of group '{name}' (stored as '{}') answered {}: {}",
                    g.name,
                    resp.status,
                    snippet(&resp.body)
                ));
            }
        }
    }
    c.listing(
        &format!("/subscriptions/{SUB}/resourcegroups"),
        GROUP_API,
        groups.iter().map(|g| armemu::model::ids::group_id(SUB, &g.name)).collect(),
    );

    let mut visible: BTreeSet<String> = BTreeSet::new();
    let mut hidden: BTreeMap<String, String> = BTreeMap::new();
    for r in &resources {
        let Some(id) = ResourceId::parse(&r.id) else {
            c.fail(format!("the stored id {} does not parse", r.id));
            continue;
        };
        // 1. The group exists under its exact name.
        if let Some(rg) = id.resource_group() {
            c.checks += 1;
            match state.group(id.subscription(), rg) {
                None => c.fail(format!("{} lies in group '{rg}', which does not exist", r.id)),
                Some(g) if g.name != rg || *r.resource_group != *g.name => c.fail(format!(
                    "{} (resource_group '{}') lies in the group named '{}'",
                    r.id, r.resource_group, g.name
                )),
                Some(_) => {}
            }
        }
        // 4. What it hangs from exists (live, or soft-deleted and recoverable).
        if let Parent::Resource(p) = id.parent() {
            c.checks += 1;
            if state.resource(&p.key()).is_none() {
                c.fail(format!("{} outlives {p}, which it hangs from", r.id));
            }
        }
        // 2. A GET of its id.
        c.checks += 1;
        let api = format!("api-version={}", api_for(&r.resource_type));
        let resp = client.call("GET", &r.id, &api, None);
        match hidden_by(&state, &id) {
            None => {
                visible.insert(r.id.clone());
                let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
                if resp.status != 200 || body.get("id").and_then(Value::as_str) != Some(r.id.as_str()) {
                    c.fail(format!("GET {} answered {}: {}", r.id, resp.status, snippet(&resp.body)));
                }
                let lower = client.call("GET", &r.id.to_lowercase(), &api, None);
                if lower.status != 200 {
                    c.fail(format!("GET {} answered {}: {}", r.id.to_lowercase(), lower.status, snippet(&lower.body)));
                }
            }
            Some(why) => {
                hidden.insert(r.id.clone(), why.clone());
                if resp.status != 404 {
                    c.fail(format!("GET {} answered {} although {why}: {}", r.id, resp.status, snippet(&resp.body)));
                }
            }
        }
    }

    // 3. Listings.
    // Deployments are kept apart from the group's resources (ARM does not list them there).
    let listed = |r: &&Resource| {
        r.is_live()
            && !is_extension(r)
            && !r.resource_type.eq_ignore_ascii_case("Microsoft.Resources/deployments")
            && ResourceId::parse(&r.id).is_some_and(|id| id.is_top_level())
    };
    let in_group = |r: &Resource, g: &str| r.resource_group.eq_ignore_ascii_case(g);
    let ids = |it: &mut dyn Iterator<Item = &Resource>| it.map(|r| r.id.clone()).collect::<BTreeSet<String>>();
    c.listing(&format!("/subscriptions/{SUB}/resources"), GROUP_API, ids(&mut resources.iter().filter(listed)));
    c.listing(
        &format!("/subscriptions/{SUB}/providers/{ML}/workspaces"),
        ML_API,
        ids(&mut resources.iter().filter(|r| is_workspace(r) && r.is_live())),
    );
    c.listing(
        &format!("/subscriptions/{SUB}/providers/{ML}/deletedWorkspaces"),
        ML_API,
        ids(&mut resources.iter().filter(|r| is_workspace(r) && !r.is_live())),
    );
    c.assignments(
        &format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"),
        ids(&mut resources.iter().filter(|r| is_extension(r) && visible.contains(&r.id))),
        &hidden,
    );
    for g in &groups {
        let rg = format!("/subscriptions/{SUB}/resourceGroups/{}", g.name);
        c.listing(
            &format!("{rg}/resources"),
            GROUP_API,
            ids(&mut resources.iter().filter(listed).filter(|r| in_group(r, &g.name))),
        );
        c.listing(
            &format!("{rg}/providers/{ML}/workspaces"),
            ML_API,
            ids(&mut resources.iter().filter(|r| is_workspace(r) && r.is_live() && in_group(r, &g.name))),
        );
        let prefix = armemu::model::ids::group_prefix(SUB, &g.name);
        c.assignments(
            &format!("{rg}/providers/Microsoft.Authorization/roleAssignments"),
            ids(&mut resources.iter().filter(|r| {
                is_extension(r)
                    && visible.contains(&r.id)
                    && (r.key().starts_with(&prefix) || r.resource_group.is_empty())
            })),
            &hidden,
        );
    }
    for ws in resources.iter().filter(|r| is_workspace(r) && visible.contains(&r.id)) {
        let prefix = format!("{}/privateendpointconnections/", ws.key());
        let conns: BTreeSet<String> =
            resources.iter().filter(|r| r.key().starts_with(&prefix)).map(|r| r.id.clone()).collect();
        c.listing(&format!("{}/privateEndpointConnections", ws.id), ML_API, conns.clone());
        c.checks += 1;
        let body = ws.body.value();
        let in_body: BTreeSet<String> = body
            .pointer("/properties/privateEndpointConnections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("id").and_then(Value::as_str).map(String::from))
            .collect();
        let count = body.pointer("/properties/privateLinkCount").and_then(Value::as_u64);
        if in_body != conns || count != Some(conns.len() as u64) {
            c.fail(format!("{} shows connections {in_body:?} (privateLinkCount {count:?}) but has {conns:?}", ws.id));
        }
    }
    (c.checks, c.failures)
}

fn check_invariants(client: Client, label: &str, report: &mut Report) {
    let (checks, failures) = check_invariants_of(client.app, client.host, label);
    report.invariant_checks += checks;
    report.add_failures(failures);
}
