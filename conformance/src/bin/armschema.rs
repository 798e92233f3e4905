//! `armschema HTTP_URL`: validates the JSON answers a running emulator's journal kept against the
//! vendored OpenAPI definitions ([`conformance::schema`]), the way every Rust suite's answers
//! are validated as they arrive. `conformance/interop/run.sh` runs it after pytest, so the answers
//! the real clients (azure-mgmt-*, azure-ai-ml, az, azureml-core) received are checked too.
//!
//! The journal keeps the answer body of writes and failed requests only (reads keep a summary,
//! see `emulator/src/pipeline/journal.rs`), and only its first 32 KiB; a cut body is skipped
//! and counted. Exit status 1 when a finding no allow-list entry explains is left, 2 on usage
//! or connection errors.

use std::collections::BTreeMap;

use conformance::schema::{validate_answer, Specs};
use conformance::Http;
use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(base) = args.get(1).filter(|a| a.starts_with("http://")) else {
        eprintln!("usage: armschema http://HOST:PORT (the emulator's plain-HTTP URL)");
        std::process::exit(2);
    };
    let http = Http::plain(base, None);
    let list = http.get("/_emulator/journal");
    if list.status != 200 {
        eprintln!("armschema: GET /_emulator/journal answered {list:?}");
        std::process::exit(2);
    }
    let specs = Specs::get();
    let (mut checked, mut truncated, mut findings) = (BTreeMap::<String, usize>::new(), 0usize, Vec::new());
    for e in list.json()["value"].as_array().into_iter().flatten() {
        let method = e["method"].as_str().unwrap_or_default();
        let path = e["path"].as_str().unwrap_or_default();
        let status = e["status"].as_u64().unwrap_or_default() as u16;
        let kept = method != "GET" && method != "HEAD" || status >= 400;
        let Some(op) = specs.operation(method, path).filter(|_| kept) else { continue };
        let full = http.get(&format!("/_emulator/journal/{}", e["seq"])).json();
        let resp = &full["response"];
        let body = &resp["body"];
        if resp["kept"] != true || body["size"].as_u64().unwrap_or(0) == 0 {
            continue;
        }
        if body["truncated"] == true {
            truncated += 1;
            continue;
        }
        let content_type = resp["headers"]["content-type"].as_str();
        let bytes = match &body["content"] {
            // Not JSON (the journal shows it as text): validate_answer reports it if the
            // content type says JSON.
            Value::String(s) if !content_type.is_some_and(|c| c.contains("json")) => s.clone().into_bytes(),
            v => serde_json::to_vec(v).expect("JSON"),
        };
        *checked.entry(op.id.clone()).or_default() += 1;
        for f in validate_answer(method, path, status, content_type, &bytes) {
            findings.push(format!("{method} {path} → {status}: {f}"));
        }
    }
    let total: usize = checked.values().sum();
    println!(
        "armschema: {total} journaled answers of {} operations validated ({truncated} cut at 32 KiB skipped)",
        checked.len()
    );
    for (op, n) in &checked {
        println!("  {op}: {n}");
    }
    if !findings.is_empty() {
        eprintln!("armschema: {} answers differ from their OpenAPI definitions:", findings.len());
        for f in &findings {
            eprintln!("  {f}");
        }
        std::process::exit(1);
    }
}
