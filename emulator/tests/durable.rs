//! Durable state (`--state-dir`, issue 11), in process: what a restart restores, that reset and
//! import are kept, that compaction keeps the directory bounded, and that a damaged or foreign
//! directory refuses the start with a clear message instead of losing data. (The SIGKILL crash
//! harness is `tests/crash.rs`.)

use std::path::{Path, PathBuf};

use armemu::config::{Config, DEFAULT_SUBSCRIPTION_ID as SUB};
use armemu::identity::jwt::{shared_test_identity, Identity};
use armemu::pipeline::App;
use bytes::Bytes;
use serde_json::{json, Value};

fn config(state: &Path, data: &Path) -> Config {
    let mut c = Config::for_tests(data.to_path_buf());
    c.state_dir = Some(state.to_path_buf());
    c
}

fn open(c: &Config) -> Result<App, String> {
    App::new(c.clone(), Identity::from_key(shared_test_identity().expect("key")))
}

fn send(app: &App, method: &str, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut headers = vec![("authorization".to_string(), "Bearer durable".to_string())];
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }
    let body = body.map(|b| Bytes::from(serde_json::to_vec(&b).unwrap())).unwrap_or_default();
    let r = app.handle(method, path, Some(query), headers, Ok(body), false);
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
}

fn group(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2021-04-01")
}

fn workspace(group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}?api-version=2024-10-01"
    )
}

struct Dirs {
    _tmp: tempfile::TempDir,
    state: PathBuf,
    data: PathBuf,
}

fn dirs() -> Dirs {
    let tmp = tempfile::tempdir().expect("temp dir");
    let state = tmp.path().join("state");
    let data = tmp.path().join("data");
    Dirs { _tmp: tmp, state, data }
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn a_restart_restores_resources_operations_clock_and_settings() {
    let d = dirs();
    let c = config(&d.state, &d.data);
    {
        let app = open(&c).unwrap();
        assert_eq!(
            send(&app, "PUT", &group("kept"), Some(json!({"location": "westeurope", "tags": {"a": "1"}}))).0,
            201
        );
        let (s, b) = send(&app, "PUT", &workspace("kept", "ws-kept"), Some(json!({"location": "westeurope"})));
        assert_eq!(s, 200, "{b}");
        assert_eq!(send(&app, "PUT", &group("gone"), Some(json!({"location": "westeurope"}))).0, 201);
        assert_eq!(send(&app, "DELETE", &group("gone"), None).0, 200);
        let (s, _) = send(
            &app,
            "PATCH",
            "/_emulator/settings",
            Some(json!({"pageSize": 7, "lro": {"resourceGroups/delete": "polls:2"}})),
        );
        assert_eq!(s, 200);
        assert_eq!(send(&app, "POST", "/_emulator/clock/advance", Some(json!({"days": 2}))).0, 200);
        // An operation in flight: a group delete that completes on its second poll.
        assert_eq!(send(&app, "PUT", &group("deleting"), Some(json!({"location": "westeurope"}))).0, 201);
        assert_eq!(send(&app, "DELETE", &group("deleting"), None).0, 202);
        // Dropped without closing: as after kill -9 (every answer above waited for the disk).
    }
    let app = open(&c).unwrap();
    let (s, g) = send(&app, "GET", &group("kept"), None);
    assert_eq!((s, &g["tags"]), (200, &json!({"a": "1"})));
    let (s, ws) = send(&app, "GET", &workspace("kept", "ws-kept"), None);
    assert_eq!(s, 200, "{ws}");
    let storage = ws["properties"]["storageAccount"].as_str().expect("storage account id").to_string();
    assert_eq!(send(&app, "GET", &format!("{storage}?api-version=2023-05-01"), None).0, 200);
    assert_eq!(send(&app, "GET", &group("gone"), None).0, 404);
    let (_, settings) = send(&app, "GET", "/_emulator/settings", None);
    assert_eq!(settings["pageSize"], 7);
    assert_eq!(settings["lro"]["resourceGroups/delete"], "polls:2");
    let (_, clock) = send(&app, "GET", "/_emulator/clock", None);
    assert_eq!((clock["now"].as_str(), clock["frozen"].as_bool()), (Some("2026-01-03T00:00:00.0000000Z"), Some(true)));
    // The group delete is still in flight, and finishes as it would have.
    let (_, health) = send(&app, "GET", "/_emulator/health", None);
    assert_eq!(health["operationsInFlight"], 1, "{health}");
    assert_eq!(send(&app, "GET", &group("deleting"), None).0, 200);
}

#[test]
fn reset_and_import_are_kept_across_a_restart() {
    let d = dirs();
    let c = config(&d.state, &d.data);
    let exported = {
        let app = open(&c).unwrap();
        send(&app, "PUT", &group("exported"), Some(json!({"location": "westeurope"})));
        let (_, doc) = send(&app, "GET", "/_emulator/state", None);
        assert_eq!(send(&app, "POST", "/_emulator/reset", Some(json!({}))).0, 204);
        send(&app, "PUT", &group("after-reset"), Some(json!({"location": "westeurope"})));
        doc
    };
    {
        let app = open(&c).unwrap();
        assert_eq!(send(&app, "GET", &group("exported"), None).0, 404, "the reset was lost");
        assert_eq!(send(&app, "GET", &group("after-reset"), None).0, 200);
        assert_eq!(send(&app, "PUT", "/_emulator/state", Some(exported)).0, 200);
    }
    let app = open(&c).unwrap();
    assert_eq!(send(&app, "GET", &group("exported"), None).0, 200, "the import was lost");
    assert_eq!(send(&app, "GET", &group("after-reset"), None).0, 404);
}

#[test]
fn compaction_keeps_the_directory_bounded() {
    let d = dirs();
    let mut c = config(&d.state, &d.data);
    c.state_log_limit = 64 << 10;
    let (bytes, written) = {
        let app = open(&c).unwrap();
        for i in 0..1500 {
            let (s, _) = send(
                &app,
                "PUT",
                &group(&format!("g{}", i % 50)),
                Some(json!({"location": "westeurope", "tags": {"i": i.to_string()}})),
            );
            assert!(s == 200 || s == 201);
        }
        app.close();
        let (_, h) = send(&app, "GET", "/_emulator/health", None);
        assert!(h["stateDir"]["compactions"].as_u64().unwrap() >= 3, "{h}");
        (h["stateDir"]["bytes"].as_u64().unwrap(), h["stateDir"]["records"].as_u64().unwrap())
    };
    // 1500 writes of about 500 bytes each were logged; the directory holds about one snapshot
    // of 50 groups and at most a limit's worth of log.
    assert!(written >= 1500);
    assert!(bytes < 5 * (64 << 10), "the directory holds {bytes} bytes");
    assert!(files(&d.state, "snapshot-").len() <= 4, "{:?}", files(&d.state, "snapshot-"));
    assert!(files(&d.state, "log-").len() <= 3, "{:?}", files(&d.state, "log-"));
    let app = open(&c).unwrap();
    for g in 0..50 {
        let (s, body) = send(&app, "GET", &group(&format!("g{g}")), None);
        assert_eq!(s, 200);
        assert_eq!(body["tags"]["i"], (1450 + g).to_string(), "g{g} is not its last write");
    }
}

#[test]
fn a_foreign_or_newer_directory_is_refused() {
    let d = dirs();
    std::fs::create_dir_all(&d.state).unwrap();
    std::fs::write(d.state.join("notes.txt"), "mine").unwrap();
    let e = open(&config(&d.state, &d.data)).err().expect("a foreign directory is refused");
    assert!(e.contains("is not an armemu state directory") && e.contains("notes.txt"), "{e}");
    assert_eq!(std::fs::read_to_string(d.state.join("notes.txt")).unwrap(), "mine");

    let d = dirs();
    drop(open(&config(&d.state, &d.data)).unwrap());
    std::fs::write(d.state.join("armemu-state-dir.json"), r#"{"format":"armemu-state-dir","version":99}"#).unwrap();
    let e = open(&config(&d.state, &d.data)).err().expect("a newer format is refused");
    assert!(e.contains("format version 99"), "{e}");
}

#[test]
fn load_into_an_existing_directory_is_refused() {
    let d = dirs();
    let mut c = config(&d.state, &d.data);
    drop(open(&c).unwrap());
    let doc = d.data.join("doc.json");
    std::fs::create_dir_all(&d.data).unwrap();
    std::fs::write(&doc, r#"{"version":1}"#).unwrap();
    c.load = Some(doc);
    let e = open(&c).err().expect("--load with an existing state directory");
    assert!(e.contains("already holds a state"), "{e}");
}

/// Writes three groups and returns the log file.
fn three_groups(c: &Config) -> PathBuf {
    let app = open(c).unwrap();
    for g in ["one", "two", "three"] {
        assert_eq!(send(&app, "PUT", &group(g), Some(json!({"location": "westeurope"}))).0, 201);
    }
    app.close();
    let state = c.state_dir.as_ref().unwrap();
    files(state, "log-").pop().expect("a log file")
}

#[test]
fn a_damaged_log_refuses_the_start_and_names_the_place() {
    let d = dirs();
    let c = config(&d.state, &d.data);
    let log = three_groups(&c);
    let mut bytes = std::fs::read(&log).unwrap();
    // A flipped byte inside the first record: acknowledged records follow it.
    bytes[20] ^= 0x55;
    std::fs::write(&log, &bytes).unwrap();
    let e = open(&c).err().expect("a damaged log is refused");
    assert!(e.contains("is damaged") && e.contains("checksum") && e.contains("offset 0"), "{e}");
    assert_eq!(std::fs::read(&log).unwrap(), bytes, "the refused start changed the log");
}

#[test]
fn an_interrupted_last_write_is_cut_off_and_everything_acknowledged_kept() {
    let d = dirs();
    let c = config(&d.state, &d.data);
    let log = three_groups(&c);
    let whole = std::fs::read(&log).unwrap();
    // A write the crash interrupted: the start of a frame that claims more than follows.
    let mut torn = whole.clone();
    torn.extend_from_slice(&[200, 1, 0, 0, 1, 2, 3, 4, b'{', b'"']);
    std::fs::write(&log, &torn).unwrap();
    let app = open(&c).unwrap();
    for g in ["one", "two", "three"] {
        assert_eq!(send(&app, "GET", &group(g), None).0, 200);
    }
    assert_eq!(std::fs::read(&log).unwrap()[..whole.len()], whole[..]);
    // Writing goes on after the cut.
    assert_eq!(send(&app, "PUT", &group("four"), Some(json!({"location": "westeurope"}))).0, 201);
    app.close();
    let app = open(&c).unwrap();
    assert_eq!(send(&app, "GET", &group("four"), None).0, 200);
}
