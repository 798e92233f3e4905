//! The crash harness of issue 11: a child `armemu --state-dir` is killed with SIGKILL at a
//! random moment of a write storm from several clients; after each restart every acknowledged
//! write is present (and every acknowledged delete absent), and nothing is torn (a workspace
//! is there with all its dependent resources or not at all; the recovered state passes the
//! import checks). The rounds share one state directory, so later rounds recover logs that
//! earlier recoveries appended to and compactions rewrote.
//!
//! `ARMEMU_CRASH_ROUNDS` (default 20; `make fuzz` runs more) and `ARMEMU_CRASH_SEED` choose
//! the rounds and the kill moments.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::Value;

const SUB: &str = armemu::config::DEFAULT_SUBSCRIPTION_ID;
const CLIENTS: usize = 4;

struct Emu {
    child: Child,
    http: String,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(state: &std::path::Path, data: &std::path::Path, extra: &[&str]) -> Emu {
    let mut child = Command::new(env!("CARGO_BIN_EXE_armemu"))
        .args(["--http-port", "0", "--https-port", "0", "--journal-size", "0", "--data-dir"])
        .arg(data)
        .arg("--state-dir")
        .arg(state)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn armemu");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        let mut err = String::new();
        let _ = child.stderr.take().map(|mut s| s.read_to_string(&mut err));
        panic!("armemu did not start ({e}): stdout {line:?}, stderr {err}")
    });
    let http = v["http"].as_str().expect("http").trim_start_matches("http://").to_string();
    Emu { child, http }
}

/// A keep-alive HTTP/1.1 connection: one request at a time.
struct Conn {
    r: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn { r: BufReader::new(s) })
    }

    fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, Vec<u8>)> {
        let body = body.unwrap_or("");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer crash\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.r.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        if self.r.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or(std::io::ErrorKind::InvalidData)?;
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if self.r.read_line(&mut h)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().map_err(|_| std::io::ErrorKind::InvalidData)?;
                }
            }
        }
        let mut buf = vec![0; len];
        self.r.read_exact(&mut buf)?;
        Ok((status, buf))
    }
}

fn group_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2021-04-01")
}

fn workspace_path(group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}?api-version=2024-10-01"
    )
}

/// What a client did: the writes answered with success, in order, and the one it was waiting
/// for when the emulator died (either outcome is right for that one).
#[derive(Default)]
struct Log {
    acked: Vec<Op>,
    in_flight: Option<Op>,
}

#[derive(Clone, Debug)]
enum Op {
    PutGroup { name: String, k: u64 },
    DeleteGroup { name: String },
    PutWorkspace { group: String, name: String },
}

/// One client's storm: groups created (tagged with a counter), updated, deleted; client 0
/// also creates workspaces (a batch of several resources each) in its own group.
fn storm(addr: String, client: usize, round: usize, acks: mpsc::Sender<()>) -> Log {
    let mut log = Log::default();
    let Ok(mut c) = Conn::open(&addr) else { return log };
    let ws_group = format!("crash-r{round}-ws");
    if client == 0 {
        let op = Op::PutGroup { name: ws_group.clone(), k: 0 };
        log.in_flight = Some(op.clone());
        match c.send("PUT", &group_path(&ws_group), Some(r#"{"location":"westeurope","tags":{"k":"0"}}"#)) {
            Ok((200 | 201, _)) => log.acked.push(op),
            _ => return log,
        }
    }
    for i in 0u64.. {
        let op = match (client, i % 5) {
            (0, _) => Op::PutWorkspace { group: ws_group.clone(), name: format!("ws{i}") },
            (_, 4) => Op::DeleteGroup { name: format!("crash-r{round}-c{client}-{}", i - 2) },
            _ => Op::PutGroup { name: format!("crash-r{round}-c{client}-{i}"), k: i },
        };
        log.in_flight = Some(op.clone());
        let answer = match &op {
            Op::PutGroup { name, k } => {
                c.send("PUT", &group_path(name), Some(&format!(r#"{{"location":"westeurope","tags":{{"k":"{k}"}}}}"#)))
            }
            Op::DeleteGroup { name } => c.send("DELETE", &group_path(name), None),
            Op::PutWorkspace { group, name } => {
                c.send("PUT", &workspace_path(group, name), Some(r#"{"location":"westeurope"}"#))
            }
        };
        match answer {
            Ok((s, body)) => {
                assert!(
                    (200..=202).contains(&s),
                    "client {client}: {op:?} answered {s}: {}",
                    String::from_utf8_lossy(&body)
                );
                log.acked.push(op);
                log.in_flight = None;
                if acks.send(()).is_err() {
                    return log;
                }
            }
            Err(_) => return log,
        }
    }
    log
}

/// What must hold after recovery, by group name: `Some(k)` present with tag `k`, `None`
/// absent; names whose last write was in flight at the kill are left out.
type Model = BTreeMap<String, Option<u64>>;

fn fold(model: &mut Model, workspaces: &mut BTreeMap<String, bool>, log: &Log) {
    for op in &log.acked {
        match op {
            Op::PutGroup { name, k } => {
                model.insert(name.clone(), Some(*k));
            }
            Op::DeleteGroup { name } => {
                model.insert(name.clone(), None);
            }
            Op::PutWorkspace { group, name } => {
                workspaces.insert(format!("{group}/{name}").to_lowercase(), true);
            }
        }
    }
    match &log.in_flight {
        Some(Op::PutGroup { name, .. }) | Some(Op::DeleteGroup { name }) => {
            model.remove(name);
        }
        Some(Op::PutWorkspace { group, name }) => {
            workspaces.insert(format!("{group}/{name}").to_lowercase(), false);
        }
        None => {}
    }
}

/// Checks the recovered state against what was acknowledged.
fn verify(emu: &Emu, model: &Model, workspaces: &BTreeMap<String, bool>, round: usize, seed: u64) {
    let ctx = format!("round {round} (ARMEMU_CRASH_SEED={seed})");
    let mut c = Conn::open(&emu.http).expect("connect after restart");
    let (status, text) = c.send("GET", "/_emulator/state", None).expect("export");
    assert_eq!(status, 200, "{ctx}: export answered {status}");
    // The recovered state passes the same checks as an import.
    armemu::store::document::read_slice(&text).unwrap_or_else(|e| panic!("{ctx}: the recovered state is refused: {e}"));
    let doc: Value = serde_json::from_slice(&text).expect("export is JSON");
    let groups: BTreeMap<String, Option<u64>> = doc["resourceGroups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let k = g["tags"]["k"].as_str().and_then(|k| k.parse().ok());
            (g["name"].as_str().expect("name").to_lowercase(), k)
        })
        .collect();
    for (name, want) in model {
        let got = groups.get(&name.to_lowercase());
        match want {
            Some(k) => assert_eq!(got, Some(&Some(*k)), "{ctx}: acknowledged group {name} (tag {k}) is {got:?}"),
            None => assert!(got.is_none(), "{ctx}: group {name} was deleted (acknowledged) but is back"),
        }
    }
    let resources = doc["resources"].as_array().expect("resources");
    let ids: std::collections::HashSet<String> =
        resources.iter().filter_map(|r| r["id"].as_str()).map(str::to_lowercase).collect();
    let present: std::collections::HashSet<String> = resources
        .iter()
        .filter(|r| {
            r["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces"))
        })
        .map(|r| {
            // Nothing torn: a workspace is there with every dependent resource it names.
            for dep in ["storageAccount", "keyVault", "applicationInsights", "containerRegistry"] {
                if let Some(id) = r["body"]["properties"][dep].as_str() {
                    assert!(ids.contains(&id.to_lowercase()), "{ctx}: workspace {} lacks its {dep} {id}", r["id"]);
                }
            }
            format!("{}/{}", r["resourceGroup"].as_str().unwrap_or_default(), r["name"].as_str().unwrap_or_default())
                .to_lowercase()
        })
        .collect();
    for (ws, acked) in workspaces {
        if *acked {
            assert!(present.contains(ws), "{ctx}: acknowledged workspace {ws} is missing");
        }
    }
}

#[test]
fn issue_11_acknowledged_writes_survive_sigkill() {
    let rounds: usize = std::env::var("ARMEMU_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let seed: u64 = std::env::var("ARMEMU_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(11);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let data = dir.path().join("data");
    // A small log limit, so rounds also cross compactions.
    let extra = ["--state-log-limit", "1"];
    let mut model = Model::new();
    let mut workspaces = BTreeMap::new();
    for round in 0..rounds {
        let mut emu = start(&state, &data, &extra);
        if round > 0 {
            verify(&emu, &model, &workspaces, round, seed);
        }
        let kill_after: usize = rng.gen_range(1..400);
        let (tx, rx) = mpsc::channel();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (addr, tx) = (emu.http.clone(), tx.clone());
                std::thread::spawn(move || storm(addr, c, round, tx))
            })
            .collect();
        drop(tx);
        for _ in 0..kill_after {
            if rx.recv().is_err() {
                break;
            }
        }
        // SIGKILL mid-storm: no shutdown, no flush.
        emu.child.kill().expect("SIGKILL");
        let _ = emu.child.wait();
        drop(rx);
        for c in clients {
            let log = c.join().expect("a client thread panicked");
            fold(&mut model, &mut workspaces, &log);
        }
    }
    let emu = start(&state, &data, &extra);
    verify(&emu, &model, &workspaces, rounds, seed);
    let acked = model.values().filter(|v| v.is_some()).count();
    assert!(acked > rounds, "the storm acknowledged too few writes to test anything ({acked})");
    eprintln!("crash harness: {rounds} SIGKILL rounds, {acked} acknowledged groups and {} workspaces checked (ARMEMU_CRASH_SEED={seed})", workspaces.len());
}
