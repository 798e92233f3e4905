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

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

use armemu::config::DEFAULT_SUBSCRIPTION_ID as SUB;
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
    pub by_class: BTreeMap<String, u64>,
    pub failures: Vec<String>,
    pub elapsed: Duration,
}

impl Report {
    pub fn print(&self) {
        println!(
            "fuzz: {} in-process requests + {} socket requests in {:.1?}",
            self.requests, self.socket_requests, self.elapsed
        );
        for (k, v) in &self.by_class {
            println!("  {k}: {v}");
        }
        println!("  failures: {}", self.failures.len());
        for f in self.failures.iter().take(20) {
            println!("  FAIL {f}");
        }
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
