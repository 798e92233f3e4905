//! The `armemu` binary as a process: connection hygiene that only shows over real sockets and
//! process limits (issue 16, `shared/reviews/2026-12-reliability.md` §2). Each test starts its
//! own emulator on free loopback ports with a throw-away data directory and stops it by PID
//! when it ends (also when it fails).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A started emulator, killed when dropped.
struct Emu {
    child: Child,
    http: String,
    _dir: tempfile::TempDir,
    stderr: std::path::PathBuf,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `armemu` (through `wrapper`, e.g. `prlimit`, when given) and reads its ready line.
fn start(wrapper: &[&str], args: &[&str]) -> Emu {
    let dir = tempfile::tempdir().expect("temp dir");
    let stderr = dir.path().join("stderr.log");
    let bin = env!("CARGO_BIN_EXE_armemu");
    let data = dir.path().join("data");
    let mut argv: Vec<String> = wrapper.iter().map(|s| s.to_string()).collect();
    argv.push(bin.to_string());
    argv.extend(["--http-port", "0", "--https-port", "0", "--data-dir"].map(String::from));
    argv.push(data.display().to_string());
    argv.extend(args.iter().map(|s| s.to_string()));
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("spawn armemu");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        let err = std::fs::read_to_string(&stderr).unwrap_or_default();
        panic!("armemu did not start ({e}): stdout {line:?}, stderr {err}")
    });
    let http = v["http"].as_str().expect("http").trim_start_matches("http://").to_string();
    Emu { child, http, _dir: dir, stderr }
}

/// Reads from `s` until the server closes it; true if it did within `limit`.
fn closed_by_server(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).expect("read timeout");
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

/// issue 16: the HTTP port had no timeouts; idle and half-sent connections stayed open forever.
/// Header-read and keep-alive idle timeouts close them (configurable; short here).
#[test]
fn issue_16_idle_and_half_sent_connections_are_closed() {
    let emu = start(&[], &["--header-read-timeout-ms", "300", "--idle-timeout-ms", "300"]);
    let silent = TcpStream::connect(&emu.http).expect("connect");
    let mut half = TcpStream::connect(&emu.http).expect("connect");
    half.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n").expect("write");
    let mut kept = TcpStream::connect(&emu.http).expect("connect");
    kept.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("write");
    let started = Instant::now();
    for (what, mut s) in [("silent", silent), ("half-sent", half), ("idle keep-alive", kept)] {
        assert!(closed_by_server(&mut s, Duration::from_secs(10)), "the {what} connection is still open");
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // The server still answers.
    let mut ok = TcpStream::connect(&emu.http).expect("connect");
    ok.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").expect("write");
    let mut text = String::new();
    ok.read_to_string(&mut text).expect("read");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

/// CPU seconds the process has used (utime + stime from /proc, in clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

/// issue 16: with file descriptors exhausted the accept loop spun at 100 % CPU writing 55 MB/s
/// of "Too many open files". It backs off and logs once per interval.
#[test]
fn issue_16_descriptor_exhaustion_backs_off() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("SKIPPED: prlimit (util-linux) is not installed");
        return;
    }
    let emu = start(&["prlimit", "--nofile=64:64", "--"], &[]);
    // prlimit execs armemu, so the child's PID is the emulator's.
    let pid = emu.child.id();
    let mut held = Vec::new();
    for _ in 0..120 {
        match TcpStream::connect(&emu.http) {
            Ok(s) => held.push(s),
            Err(_) => break,
        }
    }
    // Measure one second of the emulator with its descriptors exhausted.
    let cpu0 = cpu_seconds(pid);
    let log0 = std::fs::metadata(&emu.stderr).map(|m| m.len()).unwrap_or(0);
    std::thread::sleep(Duration::from_secs(1));
    let cpu = cpu_seconds(pid) - cpu0;
    let log = std::fs::metadata(&emu.stderr).map(|m| m.len()).unwrap_or(0) - log0;
    assert!(cpu < 0.3, "the emulator used {cpu:.2} s of CPU in 1 s while out of descriptors");
    assert!(log < 2_000, "the emulator wrote {log} bytes of log in 1 s while out of descriptors");
    drop(held);
    // Once descriptors are free again it serves.
    let started = Instant::now();
    loop {
        if let Ok(mut s) = TcpStream::connect(&emu.http) {
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            if s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").is_ok() {
                let mut text = String::new();
                if s.read_to_string(&mut text).is_ok() && text.starts_with("HTTP/1.1 200") {
                    break;
                }
            }
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the emulator did not recover");
        std::thread::yield_now();
    }
}

/// issue 11: after a crash `instance.json` stays behind and `armemu env` pointed clients at a
/// dead instance. It now checks that the instance answers, and says so when it does not.
#[test]
fn issue_11_env_refuses_an_instance_that_is_not_running() {
    let bin = env!("CARGO_BIN_EXE_armemu");
    let emu = start(&[], &[]);
    let data = emu._dir.path().join("data");
    let env =
        |dir: &std::path::Path| Command::new(bin).args(["env", "--data-dir"]).arg(dir).output().expect("armemu env");
    let alive = env(&data);
    assert!(alive.status.success(), "{}", String::from_utf8_lossy(&alive.stderr));
    assert!(String::from_utf8_lossy(&alive.stdout).contains("export ARMEMU_ENDPOINT="));
    let instance = std::fs::read_to_string(data.join("instance.json")).expect("instance.json");
    // The same instance file, left behind by a process that is gone and a port nobody serves.
    let stale = tempfile::tempdir().expect("temp dir");
    let gone = {
        let mut c = Command::new("true").spawn().expect("spawn true");
        let pid = c.id();
        c.wait().expect("wait");
        pid
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut doc: serde_json::Value = serde_json::from_str(&instance).expect("instance JSON");
    doc["pid"] = serde_json::json!(gone);
    doc["http"] = serde_json::json!(format!("http://127.0.0.1:{closed}"));
    std::fs::write(stale.path().join("instance.json"), doc.to_string()).expect("write instance.json");
    let dead = env(stale.path());
    assert!(!dead.status.success(), "armemu env must fail for a dead instance");
    let err = String::from_utf8_lossy(&dead.stderr);
    assert!(err.contains("is not running"), "{err}");
    assert!(dead.stdout.is_empty(), "no exports for a dead instance: {}", String::from_utf8_lossy(&dead.stdout));
}
