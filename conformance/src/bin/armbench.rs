//! `armbench`: the `make bench` load generator. It measures the release `armemu` binary
//! against `barehyper` (a bare hyper server returning a fixed body of the same size) and
//! prints a table with the bars of SPEC §7 next to the figures:
//!
//! - start to first answer: spawn → ready line → first `200` from `GET /_emulator/health`,
//!   over several starts that reuse one data directory (the first, unmeasured start creates
//!   the CA and the signing key). Bar: median ≤ 20 ms.
//! - `GET` of a workspace (the bar of §7) and of a resource group over plain HTTP at 1, 16 and
//!   64 keep-alive connections: requests/s, p50, p99, each side by side with a `barehyper`
//!   serving a body of the same length, and the ratio. Bars for the workspace at 16 and at 64
//!   connections (each): ≥ 75 % of bare, p99 ≤ 5 ms; the resource-group figures are for
//!   reference.
//! - `PUT` of the resource group (an idempotent 200 update) at the same connection counts, and
//!   its ratio to the `GET` workspace figure ("the GET figure" of §7) and to `GET` resource
//!   group. Bar at 64 connections: ≥ 50 % of `GET` workspace.
//! - workspace create through the `armctl` client, LRO included, with the emulator in this
//!   process (`armemu::testing::TestEmulator`): median and p99 per create. Bar: median ≤ 1 ms
//!   (see `armbench/inproc.rs`).
//! - 100,000 workspaces loaded (`--load` of a generated state document): RSS of the `armemu`
//!   process, and the time of one list page, first and deep in the listing, against the same
//!   page with 10 workspaces. Bars: RSS after loading (VmRSS) ≤ 250 MB, peak RSS while loading
//!   (VmHWM) ≤ 400 MB, page time within a tolerance of the 10-workspace time (see
//!   `armbench/bigstate.rs`). Then the growth curve: states of 1,000, 10,000, 25,000 and 50,000
//!   workspaces (`--big-steps`) loaded one at a time, with their RSS and page times.
//! - deleting a resource group among 100,000 against among 1,000 (`--load` of two generated
//!   documents of empty groups): median and p99 per sequential `DELETE` over one keep-alive
//!   connection, interleaved between the two processes. Bar: ratio of the medians ≤ 2 (see
//!   `armbench/deletes.rs`).
//! - durable state (`--state-dir`): `PUT` of new resource groups at 16 and 64 connections to an
//!   `armemu` with a state directory against one without, and the records per sync (group
//!   commit); restart after `SIGKILL` with 100,000 workspaces (`--durable`), from the snapshot
//!   alone and with a log tail of writes. Bars: durable/in-memory ≥ 50 % at 64 connections,
//!   restart (spawn → first health 200) ≤ 2 s (see `armbench/durable.rs`).
//!
//! The emulator and `barehyper` run as separate processes; this process only generates load
//! (hyper client connections, each doing sequential requests for a fixed time after a warm-up;
//! only requests started and finished inside a measured window count). The measured time is
//! cut into slices that alternate the series (emulator GET workspace, bare, emulator GET group,
//! bare, emulator PUT), so a burst of other load on the machine hits all of them. Next to each
//! figure it prints the server's CPU time per request (from /proc), which other load disturbs
//! much less than requests/s. It talks only to 127.0.0.1. Both binaries are looked up next to
//! this executable, so `cargo build --release -p armemu -p conformance --bins &&
//! target/release/armbench` works.
//!
//! Next to the tables it writes SVG plots (`armbench/plots.rs`) into `--plots DIR` (default
//! `docs/bench` under the current directory, the repository root for `make bench`; `--no-plots`
//! writes none): `throughput.svg` (requests/s and p99 against connections, emulator and bare
//! hyper), `create-latency.svg` (histogram and distribution of the per-create latencies) and
//! `workspaces-growth.svg` (RSS and list-page time against the workspaces loaded).
//!
//! It prints figures; it is not a test: the exit status is 0 even when a bar fails, 1 when
//! something could not run (a binary missing, a start timing out, an unexpected status or a
//! request timing out under load), 2 on a usage error.

// The crate root's modules resolve next to it (src/bin/), so name the files.
#[path = "armbench/bigstate.rs"]
mod bigstate;
#[path = "armbench/deletes.rs"]
mod deletes;
#[path = "armbench/deployments.rs"]
mod deployments;
#[path = "armbench/durable.rs"]
mod durable;
#[path = "armbench/inproc.rs"]
mod inproc;
#[path = "armbench/plots.rs"]
mod plots;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream as StdTcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

const GROUP_PATH: &str =
    "/subscriptions/9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01/resourcegroups/rg1?api-version=2024-11-01";
/// A workspace in that group (created with `PUT_BODY` before the load starts).
const WORKSPACE_PATH: &str = "/subscriptions/9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1?api-version=2024-04-01";
const PUT_BODY: &str = r#"{"location":"westeurope"}"#;
/// No single request (or start) may take longer than this; a stuck run fails instead of hanging.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const START_TIMEOUT: Duration = Duration::from_secs(10);

const BAR_START_MS: f64 = 20.0;
const BAR_GET_RATIO: f64 = 0.75;
const BAR_GET_P99_MS: f64 = 5.0;
const BAR_PUT_RATIO: f64 = 0.50;
/// The connection counts the `GET` workspace bars apply to (each).
const BAR_GET_CONNS: [usize; 2] = [16, 64];
/// The connection count the `PUT` bar applies to.
const BAR_PUT_CONNS: usize = 64;

struct Options {
    duration: Duration,
    warmup: Duration,
    starts: usize,
    conns: Vec<usize>,
    /// The measured time of each series is cut into this many interleaved slices.
    slices: usize,
    bin_dir: Option<PathBuf>,
    /// Measured in-process workspace creates per variant (0 skips the section).
    creates: usize,
    /// Workspaces in the large loaded state (0 skips the section).
    big: usize,
    /// Give every generated workspace its own storage account, key vault and Application
    /// Insights (as a create without given dependents does) instead of sharing one set.
    big_dependents: bool,
    /// Workspaces per resource group in the large state.
    big_per_group: usize,
    /// Measured resource-group deletes per state size (0 skips the section).
    deletes: usize,
    /// Workspaces in the state of the durable restart (0 skips the durable-state section).
    durable: usize,
    /// Intermediate state sizes of the growth curve (those below `big`; empty skips it).
    big_steps: Vec<usize>,
    /// Where the SVG plots go (`None`: `--no-plots`).
    plots: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: armbench [--quick] [--duration SECS] [--warmup SECS] [--slices N] [--starts N] [--conns N,N,...]\n\
         \x20               [--creates N] [--big N] [--big-per-group N] [--big-dependents] [--big-steps N,N,...|none]\n\
         \x20               [--deletes N] [--durable N] [--bin-dir DIR] [--plots DIR | --no-plots]\n\
         defaults: --duration 3 --warmup 0.5 --slices 3 --starts 15 --conns 1,16,64 --creates 2000\n\
         \x20         --big 100000 (0 or 2000..2000000) --big-per-group 500 (workspaces share one set of dependents unless --big-dependents)\n\
         \x20         --big-steps 1000,10000,25000,50000 (growth curve: each size below --big loaded alone after the --big comparison;\n\
         \x20           adds about 5 s to the run with the defaults; none skips it)\n\
         \x20         --deletes 300 (0..=800: resource groups deleted among 1,000 and among 100,000);\n\
         \x20         --durable 100000 (0 or 1..2000000: workspaces in the state restarted with --state-dir);\n\
         --quick: --duration 1 --warmup 0.3 --slices 2 --starts 5 --conns 16,64 --creates 500 (later options override);\n\
         --creates 0 / --big 0 / --deletes 0 / --durable 0 skip those sections; binaries next to armbench;\n\
         --plots docs/bench: the SVG plots (throughput.svg, create-latency.svg, workspaces-growth.svg) go there,\n\
         \x20 relative to the current directory (make bench runs from the repository root); --no-plots writes none"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut o = Options {
        duration: Duration::from_secs(3),
        warmup: Duration::from_millis(500),
        starts: 15,
        conns: vec![1, 16, 64],
        slices: 3,
        bin_dir: None,
        creates: 2000,
        big: 100_000,
        big_dependents: false,
        big_per_group: bigstate::PER_GROUP,
        deletes: deletes::DEFAULT_DELETES,
        durable: durable::DEFAULT_WORKSPACES,
        big_steps: bigstate::STEPS.to_vec(),
        plots: Some(PathBuf::from("docs/bench")),
    };
    let mut args = std::env::args().skip(1);
    let secs = |v: Option<String>, max: f64| -> Duration {
        match v.and_then(|v| v.parse::<f64>().ok()) {
            Some(s) if (0.0..=max).contains(&s) => Duration::from_secs_f64(s),
            _ => usage(),
        }
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--duration" => o.duration = secs(args.next(), 60.0),
            "--warmup" => o.warmup = secs(args.next(), 10.0),
            "--starts" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if (1..=200).contains(&n) => o.starts = n,
                _ => usage(),
            },
            "--conns" => {
                let list: Option<Vec<usize>> = args.next().and_then(|v| {
                    v.split(',').map(|c| c.trim().parse().ok().filter(|n| (1..=1024).contains(n))).collect()
                });
                match list {
                    Some(l) if !l.is_empty() => o.conns = l,
                    _ => usage(),
                }
            }
            "--slices" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if (1..=100).contains(&n) => o.slices = n,
                _ => usage(),
            },
            "--bin-dir" => o.bin_dir = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage())),
            "--quick" => {
                o.duration = Duration::from_secs(1);
                o.warmup = Duration::from_millis(300);
                o.slices = 2;
                o.starts = 5;
                o.conns = BAR_GET_CONNS.to_vec();
                o.creates = 500;
            }
            "--creates" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n <= 1_000_000 => o.creates = n,
                _ => usage(),
            },
            "--big" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n == 0 || (bigstate::MIN_BIG..=2_000_000).contains(&n) => o.big = n,
                _ => usage(),
            },
            "--big-dependents" => o.big_dependents = true,
            "--big-per-group" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if (1..=2_000_000).contains(&n) => o.big_per_group = n,
                _ => usage(),
            },
            "--deletes" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n <= deletes::MAX_DELETES => o.deletes = n,
                _ => usage(),
            },
            "--durable" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n <= 2_000_000 => o.durable = n,
                _ => usage(),
            },
            "--big-steps" => {
                let list: Option<Vec<usize>> = args.next().and_then(|v| {
                    if v == "none" {
                        return Some(Vec::new());
                    }
                    v.split(',')
                        .map(|c| c.trim().parse().ok().filter(|n| (bigstate::MIN_STEP..=2_000_000).contains(n)))
                        .collect()
                });
                match list {
                    Some(l) => o.big_steps = l,
                    None => usage(),
                }
            }
            "--plots" => o.plots = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage())),
            "--no-plots" => o.plots = None,
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if o.duration.is_zero() {
        usage();
    }
    o
}

fn main() {
    let opts = parse_options();
    match run(&opts) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("armbench: {e}");
            std::process::exit(1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Child processes

/// A child process killed (and reaped) when dropped, so no server outlives the run.
struct Proc {
    child: Child,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the child's stdout on a thread and returns the first line for which `pick` says
/// yes, or an error after `timeout` / on end of file.
fn first_line<T: Send + 'static>(
    proc: &mut Proc,
    what: &str,
    timeout: Duration,
    pick: fn(&str) -> Option<T>,
) -> Result<T, String> {
    let stdout = proc.child.stdout.take().ok_or_else(|| format!("{what}: no stdout"))?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let mut sent = false;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if !sent {
                        if let Some(v) = pick(line.trim()) {
                            let _ = tx.send(v);
                            sent = true;
                        }
                    }
                }
            }
        }
        // Dropping `tx` without sending reports end of file.
    });
    match rx.recv_timeout(timeout) {
        Ok(v) => Ok(v),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("{what}: no ready line within {timeout:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let status = proc.child.try_wait().ok().flatten().map(|s| format!(" ({s})")).unwrap_or_default();
            Err(format!("{what}: exited or closed stdout before its ready line{status}"))
        }
    }
}

/// The `http` URL of an emulator ready line (`{"event":"ready","http":…}`).
fn ready_http(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v.get("event")?.as_str()? != "ready" {
        return None;
    }
    v.get("http")?.as_str().map(String::from)
}

fn bare_url(line: &str) -> Option<String> {
    line.starts_with("http://").then(|| line.to_string())
}

/// `http://127.0.0.1:PORT` → the socket address; anything not on 127.0.0.1 is refused.
fn loopback_addr(url: &str) -> Result<SocketAddr, String> {
    let hostport = url.strip_prefix("http://").ok_or_else(|| format!("not an http URL: {url}"))?;
    let addr: SocketAddr = hostport.trim_end_matches('/').parse().map_err(|_| format!("not an IP:port URL: {url}"))?;
    if addr.ip() != std::net::Ipv4Addr::LOCALHOST {
        return Err(format!("refusing a non-127.0.0.1 address: {url}"));
    }
    Ok(addr)
}

fn spawn_armemu(exe: &Path, data_dir: &Path) -> Result<Proc, String> {
    spawn_armemu_with(exe, data_dir, &[])
}

/// As [`spawn_armemu`], with more command-line arguments (e.g. `--load FILE`).
fn spawn_armemu_with(exe: &Path, data_dir: &Path, extra: &[OsString]) -> Result<Proc, String> {
    let child = Command::new(exe)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--http-port", "0", "--https-port", "0"])
        .args(extra)
        .env_remove("ARMEMU_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    Ok(Proc { child })
}

/// One blocking `GET /_emulator/health` on a fresh connection; true on a 200.
fn health_ok(addr: SocketAddr) -> bool {
    let Ok(mut s) = StdTcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = s.set_nodelay(true);
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /_emulator/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    // The status line is enough; read until it is complete.
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    while !buf.contains(&b'\n') {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    buf.starts_with(b"HTTP/1.1 200 ")
}

struct StartTiming {
    ready: Duration,
    answer: Duration,
}

/// Spawn → ready line → first 200 from the health endpoint; the process is killed afterwards.
fn time_one_start(exe: &Path, data_dir: &Path) -> Result<StartTiming, String> {
    let (p, _, t) = timed_start(exe, data_dir, &[], START_TIMEOUT)?;
    drop(p);
    Ok(t)
}

/// Spawns `armemu` with `extra` arguments and times spawn → ready line → first 200 from the
/// health endpoint (each within `timeout`); returns the running process and its address.
fn timed_start(
    exe: &Path,
    data_dir: &Path,
    extra: &[OsString],
    timeout: Duration,
) -> Result<(Proc, SocketAddr, StartTiming), String> {
    let t0 = Instant::now();
    let mut p = spawn_armemu_with(exe, data_dir, extra)?;
    let url = first_line(&mut p, "armemu", timeout, ready_http)?;
    let ready = t0.elapsed();
    let addr = loopback_addr(&url)?;
    loop {
        if health_ok(addr) {
            break;
        }
        if t0.elapsed() > timeout {
            return Err(format!("armemu: no 200 from {url}/_emulator/health within {timeout:?}"));
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let answer = t0.elapsed();
    Ok((p, addr, StartTiming { ready, answer }))
}

// ---------------------------------------------------------------------------------------------
// Load

#[derive(Clone)]
struct Spec {
    method: Method,
    path: Arc<str>,
    body: Option<Bytes>,
    expect: StatusCode,
    /// When set, every request replaces `@@N@@` in the path with the next number of this
    /// counter (shared by the clones), so each one names a new resource.
    seq: Option<Arc<AtomicU64>>,
}

impl Spec {
    fn get(path: &str) -> Spec {
        Spec { method: Method::GET, path: path.into(), body: None, expect: StatusCode::OK, seq: None }
    }
    fn put(path: &str, body: &'static str, expect: StatusCode) -> Spec {
        Spec {
            method: Method::PUT,
            path: path.into(),
            body: Some(Bytes::from_static(body.as_bytes())),
            expect,
            seq: None,
        }
    }
    /// A PUT to a new path each time: `@@N@@` in `path` becomes 0, 1, 2, … across all clones.
    fn put_each(path: &str, body: &'static str, expect: StatusCode) -> Spec {
        Spec { seq: Some(Arc::new(AtomicU64::new(0))), ..Spec::put(path, body, expect) }
    }
    fn delete(path: &str, expect: StatusCode) -> Spec {
        Spec { method: Method::DELETE, path: path.into(), body: None, expect, seq: None }
    }
    fn request(&self, host: &str) -> Request<Full<Bytes>> {
        let numbered;
        let path = match &self.seq {
            Some(n) => {
                numbered = self.path.replace("@@N@@", &n.fetch_add(1, Ordering::Relaxed).to_string());
                numbered.as_str()
            }
            None => &*self.path,
        };
        let mut b = Request::builder()
            .method(self.method.clone())
            .uri(path)
            .header(hyper::header::HOST, host)
            .header(hyper::header::AUTHORIZATION, "Bearer x");
        if self.body.is_some() {
            b = b.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        b.body(Full::new(self.body.clone().unwrap_or_default())).expect("a valid request")
    }
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {addr}: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One request on an open connection: the status and the whole body.
async fn send(sender: &mut SendRequest<Full<Bytes>>, req: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), String> {
    let fut = async {
        sender.ready().await.map_err(|e| format!("connection: {e}"))?;
        let resp = sender.send_request(req).await.map_err(|e| format!("request: {e}"))?;
        let status = resp.status();
        let body = resp.into_body().collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
        Ok::<_, String>((status, body))
    };
    tokio::time::timeout(REQUEST_TIMEOUT, fut).await.map_err(|_| format!("no answer within {REQUEST_TIMEOUT:?}"))?
}

async fn once(addr: SocketAddr, spec: &Spec) -> Result<(StatusCode, Bytes), String> {
    let mut s = connect(addr).await?;
    send(&mut s, spec.request(&addr.to_string())).await
}

/// User + system CPU time of a process so far (Linux `/proc/PID/stat`, USER_HZ = 100).
fn proc_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Open keep-alive connections to one server process.
struct Pool {
    addr: SocketAddr,
    pid: u32,
    senders: Vec<SendRequest<Full<Bytes>>>,
}

impl Pool {
    async fn open(addr: SocketAddr, pid: u32, conns: usize) -> Result<Pool, String> {
        let mut senders = Vec::with_capacity(conns);
        for _ in 0..conns {
            senders.push(connect(addr).await?);
        }
        Ok(Pool { addr, pid, senders })
    }
}

/// What the measured slices of one series add up to.
struct Acc {
    /// Latencies (µs) of the requests that started and finished inside a measured slice.
    lat: Vec<u32>,
    window: Duration,
    /// Every request completed during the measured slices, for the CPU figure.
    total: u64,
    /// Server CPU time over the measured slices; `None` when /proc could not be read.
    cpu: Option<Duration>,
}

impl Acc {
    fn new() -> Acc {
        Acc { lat: Vec::new(), window: Duration::ZERO, total: 0, cpu: Some(Duration::ZERO) }
    }
}

struct Point {
    rps: f64,
    p50: Duration,
    p99: Duration,
    /// Server CPU time (user + system) per request: less sensitive to other load on the
    /// machine than requests/s.
    cpu_per_req: Option<Duration>,
}

impl Acc {
    fn point(mut self) -> Result<Point, String> {
        if self.lat.is_empty() || self.window.is_zero() {
            return Err("no request completed inside the measured window".into());
        }
        self.lat.sort_unstable();
        let pct = |q: f64| {
            let idx = ((q * self.lat.len() as f64).ceil() as usize).clamp(1, self.lat.len()) - 1;
            Duration::from_micros(self.lat[idx] as u64)
        };
        let cpu_per_req = match self.cpu {
            Some(c) if self.total > 0 => Some(c / self.total.min(u32::MAX as u64) as u32),
            _ => None,
        };
        Ok(Point {
            rps: self.lat.len() as f64 / self.window.as_secs_f64(),
            p50: pct(0.50),
            p99: pct(0.99),
            cpu_per_req,
        })
    }
}

/// Every connection of `pool` sends `spec` back to back for `dur`; with `acc`, the slice is
/// measured (otherwise it is warm-up). Any unexpected status fails the run.
async fn slice(pool: &mut Pool, spec: &Spec, dur: Duration, acc: Option<&mut Acc>) -> Result<(), String> {
    let host = pool.addr.to_string();
    let cpu0 = proc_cpu(pool.pid);
    let start = Instant::now();
    let until = start + dur;
    let mut tasks = Vec::with_capacity(pool.senders.len());
    for mut sender in std::mem::take(&mut pool.senders) {
        let spec = spec.clone();
        let host = host.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(4096);
            let mut total = 0u64;
            loop {
                let t = Instant::now();
                if t >= until {
                    break;
                }
                let (status, _) = send(&mut sender, spec.request(&host)).await?;
                let done = Instant::now();
                total += 1;
                if status != spec.expect {
                    return Err(format!("{} answered {status}, expected {}", spec.method, spec.expect));
                }
                if done <= until {
                    lat.push((done - t).as_micros().min(u32::MAX as u128) as u32);
                }
            }
            Ok::<_, String>((sender, lat, total))
        }));
    }
    let mut lat = Vec::new();
    let mut total = 0u64;
    for t in tasks {
        let (sender, l, n) = t.await.map_err(|e| format!("load task: {e}"))??;
        pool.senders.push(sender);
        lat.extend(l);
        total += n;
    }
    let cpu1 = proc_cpu(pool.pid);
    if let Some(acc) = acc {
        acc.lat.extend(lat);
        acc.window += dur;
        acc.total += total;
        acc.cpu = match (acc.cpu, cpu0, cpu1) {
            (Some(sum), Some(a), Some(b)) => Some(sum + b.saturating_sub(a)),
            _ => None,
        };
    }
    Ok(())
}

/// One measured series: a request sent over the connections to one of the servers.
struct Series {
    name: &'static str,
    /// Index into the servers given to [`measure`].
    server: usize,
    spec: Spec,
}

/// All series at one connection count, one pool of connections per server. After a warm-up
/// of each, the measured time is cut into `slices` rounds that run every series in turn, so
/// drifts in background load hit all of them alike.
async fn measure(
    servers: &[(SocketAddr, u32)],
    series: &[Series],
    conns: usize,
    opts: &Options,
) -> Result<Vec<Point>, String> {
    let mut pools = Vec::with_capacity(servers.len());
    for &(addr, pid) in servers {
        pools.push(Pool::open(addr, pid, conns).await?);
    }
    for s in series {
        slice(&mut pools[s.server], &s.spec, opts.warmup, None).await.map_err(|e| format!("{}: {e}", s.name))?;
    }
    let mut accs: Vec<Acc> = series.iter().map(|_| Acc::new()).collect();
    let each = opts.duration / opts.slices as u32;
    for _ in 0..opts.slices {
        for (s, acc) in series.iter().zip(accs.iter_mut()) {
            slice(&mut pools[s.server], &s.spec, each, Some(acc)).await.map_err(|e| format!("{}: {e}", s.name))?;
        }
    }
    accs.into_iter().map(Acc::point).collect()
}

// ---------------------------------------------------------------------------------------------
// The run

/// A fresh data directory under the system temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let p = std::env::temp_dir().join(format!("armbench-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&p).map_err(|e| format!("creating {}: {e}", p.display()))?;
        Ok(TempDir(p))
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bin_dir(opts: &Options) -> Result<PathBuf, String> {
    if let Some(d) = &opts.bin_dir {
        return Ok(d.clone());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate armbench itself: {e}"))?;
    exe.parent().map(Path::to_path_buf).ok_or_else(|| "armbench has no parent directory".into())
}

fn find_bin(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let p = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{} not found (build with: cargo build --release -p armemu -p conformance --bins)", p.display()))
    }
}

fn us(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.1}", d.as_secs_f64() * 1e6)).unwrap_or_else(|| "-".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

/// Summary of a set of timings (at least one).
struct Stats {
    median: Duration,
    p99: Duration,
    mean: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    assert!(!v.is_empty(), "stats of no timing");
    let mean = v.iter().sum::<Duration>() / v.len() as u32;
    let med = median(&mut v);
    // Nearest rank, as for the throughput series.
    let idx = ((0.99 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    Stats { median: med, p99: v[idx], mean }
}

/// A GET table: emulator and barehyper side by side per connection count; `bars` adds the
/// §7 GET verdicts at each of [`BAR_GET_CONNS`].
fn print_get_table(rows: &[(usize, &Point, &Point)], bars: bool) {
    println!(
        "  {:>5} | {:>9} {:>8} {:>8} {:>6} | {:>9} {:>8} {:>8} {:>6} | {:>8} | bars",
        "conns", "emu req/s", "p50", "p99", "cpu/rq", "bare req/s", "p50", "p99", "cpu/rq", "emu/bare"
    );
    for (c, e, b) in rows {
        let ratio = e.rps / b.rps;
        let verdicts = if bars && BAR_GET_CONNS.contains(c) {
            format!(
                "ratio >= {:.0} % {}, p99 <= {BAR_GET_P99_MS:.0} ms {}",
                BAR_GET_RATIO * 100.0,
                verdict(ratio >= BAR_GET_RATIO),
                verdict(ms(e.p99) <= BAR_GET_P99_MS)
            )
        } else if BAR_GET_CONNS.contains(c) {
            "(reference)".into()
        } else {
            "-".into()
        };
        println!(
            "  {:>5} | {:>9.0} {:>5.2} ms {:>5.2} ms {:>6} | {:>10.0} {:>5.2} ms {:>5.2} ms {:>6} | {:>6.1} % | {}",
            c,
            e.rps,
            ms(e.p50),
            ms(e.p99),
            us(e.cpu_per_req),
            b.rps,
            ms(b.p50),
            ms(b.p99),
            us(b.cpu_per_req),
            ratio * 100.0,
            verdicts
        );
    }
}

/// Starts `barehyper` serving a fixed body of `len` bytes and checks one answer.
fn start_bare(rt: &tokio::runtime::Runtime, exe: &Path, len: usize) -> Result<(Proc, SocketAddr), String> {
    let mut bare = Proc {
        child: Command::new(exe)
            .arg("--watch-stdin")
            .arg(len.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?,
    };
    let addr = loopback_addr(&first_line(&mut bare, "barehyper", START_TIMEOUT, bare_url)?)?;
    let (_, body) = rt.block_on(once(addr, &Spec::get("/")))?;
    if body.len() != len {
        return Err(format!("barehyper answered {} bytes, expected {len}", body.len()));
    }
    Ok((bare, addr))
}

fn run(opts: &Options) -> Result<(), String> {
    let dir = bin_dir(opts)?;
    let armemu = find_bin(&dir, "armemu")?;
    let barehyper = find_bin(&dir, "barehyper")?;
    if cfg!(debug_assertions) {
        eprintln!("armbench: warning: this armbench is a debug build; figures are meaningless unless the servers are release builds");
    }
    let data = TempDir::new()?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("armbench: {} vs {}", armemu.display(), barehyper.display());
    println!(
        "{} CPU(s) shared by the servers, this load generator and anything else running (expect noise); 127.0.0.1 only",
        cores
    );
    println!(
        "{:.1} s measured per series after {:.1} s warm-up, in {} interleaved slices (emulator GET workspace, bare, emulator GET group, bare, emulator PUT group)",
        opts.duration.as_secs_f64(),
        opts.warmup.as_secs_f64(),
        opts.slices
    );
    println!();

    // 1. Start to first answer. The first start creates the CA, certificate and RSA key.
    time_one_start(&armemu, data.path()).map_err(|e| format!("first start (creating the data directory): {e}"))?;
    let mut ready = Vec::with_capacity(opts.starts);
    let mut answer = Vec::with_capacity(opts.starts);
    for _ in 0..opts.starts {
        let t = time_one_start(&armemu, data.path())?;
        ready.push(t.ready);
        answer.push(t.answer);
    }
    let (rmin, rmax) = (*ready.iter().min().unwrap(), *ready.iter().max().unwrap());
    let (amin, amax) = (*answer.iter().min().unwrap(), *answer.iter().max().unwrap());
    let rmed = median(&mut ready);
    let amed = median(&mut answer);
    println!("Start to first answer ({} starts, data directory reused)", opts.starts);
    println!("  {:<28} {:>8} {:>8} {:>8}   bar", "", "median", "min", "max");
    println!("  {:<28} {:>5.1} ms {:>5.1} ms {:>5.1} ms", "spawn -> ready line", ms(rmed), ms(rmin), ms(rmax));
    println!(
        "  {:<28} {:>5.1} ms {:>5.1} ms {:>5.1} ms   median <= {BAR_START_MS:.0} ms  {}",
        "spawn -> first health 200",
        ms(amed),
        ms(amin),
        ms(amax),
        verdict(ms(amed) <= BAR_START_MS)
    );
    println!();

    // 2 and 3. Throughput: one emulator and two barehypers (one per body length), all kept
    // running.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("runtime: {e}"))?;
    let mut emu = spawn_armemu(&armemu, data.path())?;
    let emu_addr = loopback_addr(&first_line(&mut emu, "armemu", START_TIMEOUT, ready_http)?)?;

    let (group_body, ws_body, put_first) = rt.block_on(async {
        let (st, _) = once(emu_addr, &Spec::put(GROUP_PATH, PUT_BODY, StatusCode::CREATED)).await?;
        if !(st == StatusCode::OK || st == StatusCode::CREATED) {
            return Err(format!("PUT resource group answered {st}"));
        }
        let (st2, _) = once(emu_addr, &Spec::put(GROUP_PATH, PUT_BODY, StatusCode::OK)).await?;
        let (gs, body) = once(emu_addr, &Spec::get(GROUP_PATH)).await?;
        if gs != StatusCode::OK {
            return Err(format!("GET resource group answered {gs}: {}", String::from_utf8_lossy(&body)));
        }
        // Workspaces answer 200 to a create as well as to an update.
        let (ws, wbody) = once(emu_addr, &Spec::put(WORKSPACE_PATH, PUT_BODY, StatusCode::OK)).await?;
        if !ws.is_success() {
            return Err(format!("PUT workspace answered {ws}: {}", String::from_utf8_lossy(&wbody)));
        }
        let (ws, wbody) = once(emu_addr, &Spec::get(WORKSPACE_PATH)).await?;
        if ws != StatusCode::OK {
            return Err(format!("GET workspace answered {ws}: {}", String::from_utf8_lossy(&wbody)));
        }
        Ok::<_, String>((body, wbody, st2))
    })?;
    if put_first != StatusCode::OK {
        return Err(format!("the idempotent PUT answered {put_first}, expected 200"));
    }
    let (group_len, ws_len) = (group_body.len(), ws_body.len());
    let (bare_ws, bare_ws_addr) = start_bare(&rt, &barehyper, ws_len)?;
    let (bare_rg, bare_rg_addr) = start_bare(&rt, &barehyper, group_len)?;

    // Per connection count, the series run in interleaved slices (see `measure`).
    let servers = [(emu_addr, emu.child.id()), (bare_ws_addr, bare_ws.child.id()), (bare_rg_addr, bare_rg.child.id())];
    let series = [
        Series { name: "GET workspace, emulator", server: 0, spec: Spec::get(WORKSPACE_PATH) },
        Series { name: "GET workspace-sized body, barehyper", server: 1, spec: Spec::get(WORKSPACE_PATH) },
        Series { name: "GET resource group, emulator", server: 0, spec: Spec::get(GROUP_PATH) },
        Series { name: "GET group-sized body, barehyper", server: 2, spec: Spec::get(GROUP_PATH) },
        Series {
            name: "PUT resource group, emulator",
            server: 0,
            spec: Spec::put(GROUP_PATH, PUT_BODY, StatusCode::OK),
        },
    ];
    let mut rows = Vec::new();
    for &c in &opts.conns {
        let p = rt.block_on(measure(&servers, &series, c, opts)).map_err(|e| format!("{c} connections: {e}"))?;
        rows.push((c, p));
    }
    println!("GET workspace, plain HTTP (emulator body {ws_len} B; barehyper serves a fixed {ws_len} B body, no ARM headers)");
    print_get_table(&rows.iter().map(|(c, p)| (*c, &p[0], &p[1])).collect::<Vec<_>>(), true);
    println!("  cpu/rq: the server's CPU time (user + system, /proc) per request in µs; other load disturbs it less than req/s");
    let missing: Vec<String> =
        BAR_GET_CONNS.iter().filter(|c| !opts.conns.contains(c)).map(|c| c.to_string()).collect();
    if !missing.is_empty() {
        println!("  bars at {} connection(s) not measured (--conns)", missing.join(", "));
    }
    if let Some((c, p)) = rows.iter().rev().find(|r| BAR_GET_CONNS.contains(&r.0)) {
        println!(
            "  note: with {c} connections each waiting for its answer, mean latency = {c} / throughput (Little's law): {:.2} ms emulator, {:.2} ms bare",
            *c as f64 / p[0].rps * 1e3,
            *c as f64 / p[1].rps * 1e3
        );
    }
    println!();

    println!("GET resource group, plain HTTP, for reference (emulator body {group_len} B; barehyper serves a fixed {group_len} B body)");
    print_get_table(&rows.iter().map(|(c, p)| (*c, &p[2], &p[3])).collect::<Vec<_>>(), false);
    println!();

    println!(
        "PUT resource group (same group, idempotent 200 update), plain HTTP; §7's \"GET figure\" is GET workspace"
    );
    println!(
        "  {:>5} | {:>9} {:>8} {:>8} {:>6} | {:>8} {:>8} | bar",
        "conns", "req/s", "p50", "p99", "cpu/rq", "/GET ws", "/GET rg"
    );
    for (c, pts) in &rows {
        let (gw, gr, p) = (&pts[0], &pts[2], &pts[4]);
        let ratio = p.rps / gw.rps;
        let bar = if *c == BAR_PUT_CONNS {
            format!("PUT/GET workspace >= {:.0} % {}", BAR_PUT_RATIO * 100.0, verdict(ratio >= BAR_PUT_RATIO))
        } else {
            "-".into()
        };
        println!(
            "  {:>5} | {:>9.0} {:>5.2} ms {:>5.2} ms {:>6} | {:>6.1} % {:>6.1} % | {}",
            c,
            p.rps,
            ms(p.p50),
            ms(p.p99),
            us(p.cpu_per_req),
            ratio * 100.0,
            p.rps / gr.rps * 100.0,
            bar
        );
    }
    if let Some(dir) = &opts.plots {
        let labels = [
            "armemu GET workspace",
            "bare hyper, workspace-sized body",
            "armemu GET resource group",
            "bare hyper, group-sized body",
            "armemu PUT resource group",
        ];
        let series: Vec<plots::ConnSeries<'_>> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| plots::ConnSeries {
                label,
                bare: i == 1 || i == 3,
                main: i < 2,
                points: rows.iter().map(|(c, p)| (*c, p[i].rps, ms(p[i].p99))).collect(),
            })
            .collect();
        plots::report(plots::throughput(dir, &series, BAR_GET_P99_MS));
    }
    println!();
    drop(bare_ws);
    drop(bare_rg);

    // The template the large state is generated from: a workspace created through the API of
    // this (release) emulator, as its state export shows it.
    let template = if opts.big > 0 { Some(rt.block_on(bigstate::template(emu_addr))?) } else { None };
    drop(emu);

    // 4. Workspace create through the client, in-process; template deployments.
    if opts.creates > 0 {
        inproc::run(opts.creates, opts.plots.as_deref())?;
        println!();
        deployments::run((opts.creates / 10).max(20))?;
        println!();
    }

    // 5. 100,000 workspaces loaded.
    if let Some(t) = template {
        bigstate::run(&rt, &armemu, data.path(), &t, opts)?;
        println!();
    }

    // 6. Deleting a resource group among 1,000 and among 100,000.
    if opts.deletes > 0 {
        deletes::run(&rt, &armemu, data.path(), opts.deletes)?;
        println!();
    }

    // 7. Durable state: PUT throughput with and without --state-dir, restart after SIGKILL.
    if opts.durable > 0 {
        durable::run(&rt, &armemu, data.path(), opts, opts.durable)?;
    }
    Ok(())
}
