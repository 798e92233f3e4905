//! Durable state (`armemu --state-dir DIR`): what a write-ahead log with group commit costs a
//! write, and how long a restart after a crash takes with a large state.
//!
//! - `PUT` throughput: two release `armemu` processes, one in memory only and one with
//!   `--state-dir` in a fresh temporary directory, and `PUT` of a new resource group per request
//!   (`durput0`, `durput1`, …, a `201` create: every request commits a change, which the durable
//!   process must have on disk before it answers) at 16 and 64 keep-alive connections, through
//!   the interleaved slices of the main throughput measurement. Figures: requests/s, p50, p99
//!   and server CPU per request of each, the ratio durable/in-memory, and the records per sync
//!   over the measurement (the group-commit factor: `records` / `syncs` of the `stateDir`
//!   figures of `GET /_emulator/health`). Bar: ratio ≥ 50 % at 64 connections.
//! - Restart: a state document of N (default 100,000) workspaces in the default shape of
//!   `armbench/bigstate.rs` (500 to a group, sharing one set of dependents), loaded once with
//!   `--state-dir D --load FILE` into a fresh directory (the document becomes the first
//!   snapshot; not measured). Then, each time after `SIGKILL`, `armemu --state-dir D` again:
//!   spawn → ready line → first `200` of `GET /_emulator/health`; first from the snapshot alone
//!   (median of 3), then 3 rounds of 5,000 `PUT`s of new groups (16 connections) on the running
//!   process, `SIGKILL`, restart (snapshot + log replay). After every restart a workspace of the
//!   document answers `GET` `200`, and after a log tail so does the group acknowledged last.
//!   For reference, the same document is started in memory only (`--load FILE`, no state
//!   directory), interleaved with the snapshot restarts: the difference is what the state
//!   directory adds to reading the document. Bar: every restart median ≤ 2 s.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::Value;

use super::bigstate::{self, LOAD_TIMEOUT};
use super::{
    connect, first_line, loopback_addr, measure, median, ms, once, ready_http, send, spawn_armemu, spawn_armemu_with,
    timed_start, us, verdict, Options, Point, Proc, Series, Spec, StartTiming, TempDir, PUT_BODY, START_TIMEOUT,
};

/// Workspaces in the restarted state unless `--durable` says otherwise.
pub(super) const DEFAULT_WORKSPACES: usize = 100_000;
const CONNS: [usize; 2] = [16, 64];
const BAR_CONNS: usize = 64;
const BAR_RATIO: f64 = 0.50;
const BAR_RESTART: Duration = Duration::from_secs(2);
/// Measured restarts per kind.
const RESTARTS: usize = 3;
/// Writes before each `SIGKILL` that leaves a log tail, over this many connections.
const TAIL_WRITES: usize = 5_000;
const TAIL_CONNS: usize = 16;

const SUB: &str = armemu::config::DEFAULT_SUBSCRIPTION_ID;

fn group_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2024-11-01")
}

/// A workspace of the generated document (`bigstate`'s names).
fn workspace_path(i: usize) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/benchrg{:07}/providers/Microsoft.MachineLearningServices/workspaces/{}?api-version=2024-04-01",
        i / bigstate::PER_GROUP,
        bigstate::ws_name(i)
    )
}

/// The `stateDir` figures of `GET /_emulator/health`.
#[derive(Clone, Copy)]
struct Figures {
    lsn: u64,
    syncs: u64,
    records: u64,
    compactions: u64,
    bytes: u64,
}

async fn figures(addr: SocketAddr) -> Result<Figures, String> {
    let (st, body) = once(addr, &Spec::get("/_emulator/health")).await?;
    if st != StatusCode::OK {
        return Err(format!("GET /_emulator/health answered {st}"));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| format!("health: {e}"))?;
    let d = v
        .get("stateDir")
        .filter(|d| d.is_object())
        .ok_or("GET /_emulator/health has no stateDir object (armemu without --state-dir?)")?;
    let f = |k: &str| d.get(k).and_then(Value::as_u64).ok_or_else(|| format!("health: stateDir has no number {k}"));
    Ok(Figures {
        lsn: f("durableLsn")?,
        syncs: f("syncs")?,
        records: f("records")?,
        compactions: f("compactions")?,
        bytes: f("bytes")?,
    })
}

/// `GET path` must answer 200.
async fn expect_ok(addr: SocketAddr, what: &str, path: &str) -> Result<(), String> {
    let (st, body) = once(addr, &Spec::get(path)).await?;
    if st != StatusCode::OK {
        return Err(format!("after the restart, {what} ({path}) answered {st}: {}", String::from_utf8_lossy(&body)));
    }
    Ok(())
}

fn start_plain(exe: &Path, data_dir: &Path, extra: &[OsString]) -> Result<(Proc, SocketAddr), String> {
    let mut p = if extra.is_empty() { spawn_armemu(exe, data_dir)? } else { spawn_armemu_with(exe, data_dir, extra)? };
    let addr = loopback_addr(&first_line(&mut p, "armemu", START_TIMEOUT, ready_http)?)?;
    Ok((p, addr))
}

fn state_dir_arg(dir: &Path) -> [OsString; 2] {
    [OsString::from("--state-dir"), dir.as_os_str().to_owned()]
}

struct PutRow {
    conns: usize,
    mem: Point,
    dur: Point,
    /// Records and syncs of the durable process over the measurement (warm-up included).
    records: u64,
    syncs: u64,
}

/// Section 1: PUT of new groups, in memory against durable.
fn throughput(
    rt: &tokio::runtime::Runtime,
    exe: &Path,
    data_dir: &Path,
    opts: &Options,
) -> Result<(Vec<PutRow>, Figures, bigstate::Template), String> {
    let dir = TempDir::new()?;
    let state = dir.path().join("state");
    let (mem, mem_addr) = start_plain(exe, data_dir, &[])?;
    let (dur, dur_addr) = start_plain(exe, data_dir, &state_dir_arg(&state))?;
    // The template of the generated state, while the in-memory state is still small.
    let template = rt.block_on(bigstate::template(mem_addr))?;
    let servers = [(mem_addr, mem.child.id()), (dur_addr, dur.child.id())];
    let path = group_path("durput@@N@@");
    let series = [
        Series {
            name: "PUT new group, in memory",
            server: 0,
            spec: Spec::put_each(&path, PUT_BODY, StatusCode::CREATED),
        },
        Series {
            name: "PUT new group, --state-dir",
            server: 1,
            spec: Spec::put_each(&path, PUT_BODY, StatusCode::CREATED),
        },
    ];
    let mut rows = Vec::new();
    for c in CONNS {
        let f0 = rt.block_on(figures(dur_addr))?;
        let mut pts = rt
            .block_on(measure(&servers, &series, c, opts))
            .map_err(|e| format!("durable PUT, {c} connections: {e}"))?;
        let f1 = rt.block_on(figures(dur_addr))?;
        let dur_pt = pts.pop().ok_or("no durable figure")?;
        let mem_pt = pts.pop().ok_or("no in-memory figure")?;
        rows.push(PutRow {
            conns: c,
            mem: mem_pt,
            dur: dur_pt,
            records: f1.records - f0.records,
            syncs: f1.syncs - f0.syncs,
        });
    }
    let end = rt.block_on(figures(dur_addr))?;
    drop(dur);
    drop(mem);
    Ok((rows, end, template))
}

/// `TAIL_WRITES` PUTs of new groups `tail{round}-{i}` over `TAIL_CONNS` connections; returns the
/// group acknowledged last and the time taken.
async fn tail(addr: SocketAddr, round: usize) -> Result<(String, Duration), String> {
    let host = addr.to_string();
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(TAIL_CONNS);
    for c in 0..TAIL_CONNS {
        let mut s = connect(addr).await?;
        let host = host.clone();
        tasks.push(tokio::spawn(async move {
            let mut last = None;
            for i in (c..TAIL_WRITES).step_by(TAIL_CONNS) {
                let name = format!("tail{round}-{i}");
                let spec = Spec::put(&group_path(&name), PUT_BODY, StatusCode::CREATED);
                let (st, body) = send(&mut s, spec.request(&host)).await?;
                if st != StatusCode::CREATED {
                    return Err(format!("PUT group {name} answered {st}: {}", String::from_utf8_lossy(&body)));
                }
                last = Some((Instant::now(), name));
            }
            Ok::<_, String>(last)
        }));
    }
    let mut last: Option<(Instant, String)> = None;
    for t in tasks {
        if let Some(l) = t.await.map_err(|e| format!("write task: {e}"))?? {
            if last.as_ref().is_none_or(|m| l.0 >= m.0) {
                last = Some(l);
            }
        }
    }
    Ok((last.ok_or("no write")?.1, t0.elapsed()))
}

/// The files of a state directory and their sizes, for the report.
fn listing(dir: &Path) -> String {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten().filter_map(|e| Some((e.file_name().into_string().ok()?, e.metadata().ok()?.len()))).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|(n, _)| n.starts_with("snapshot-") || n.starts_with("log-"))
        .map(|(n, b)| format!("{n} {:.1} MB", *b as f64 / 1e6))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Restart {
    timing: StartTiming,
    /// Figures right after the restart.
    after: Figures,
}

/// Restarts `armemu --state-dir` (timed) and checks the document's workspace (and `group`).
fn restart(
    rt: &tokio::runtime::Runtime,
    exe: &Path,
    data_dir: &Path,
    state: &Path,
    n: usize,
    group: Option<&str>,
) -> Result<(Proc, SocketAddr, Restart), String> {
    let (p, addr, timing) = timed_start(exe, data_dir, &state_dir_arg(state), LOAD_TIMEOUT)?;
    let after = rt.block_on(async {
        expect_ok(addr, "a workspace of the document", &workspace_path(n / 2)).await?;
        if let Some(g) = group {
            expect_ok(addr, "the group acknowledged last", &group_path(g)).await?;
        }
        figures(addr).await
    })?;
    Ok((p, addr, Restart { timing, after }))
}

/// Generates, measures, prints the section.
pub(super) fn run(
    rt: &tokio::runtime::Runtime,
    exe: &Path,
    data_dir: &Path,
    opts: &Options,
    n: usize,
) -> Result<(), String> {
    let (rows, put_end, template) = throughput(rt, exe, data_dir, opts)?;

    println!(
        "Durable state: PUT of a new resource group per request (201), armemu in memory vs --state-dir (WAL, group commit, answer after fdatasync), plain HTTP"
    );
    println!(
        "  {:>5} | {:>9} {:>8} {:>8} {:>6} | {:>9} {:>8} {:>8} {:>6} | {:>8} | {:>11} | bar",
        "conns", "mem req/s", "p50", "p99", "cpu/rq", "dur req/s", "p50", "p99", "cpu/rq", "dur/mem", "records/sync"
    );
    for r in &rows {
        let ratio = r.dur.rps / r.mem.rps;
        let bar = if r.conns == BAR_CONNS {
            format!("durable/in-memory >= {:.0} % {}", BAR_RATIO * 100.0, verdict(ratio >= BAR_RATIO))
        } else {
            "-".into()
        };
        let per_sync = if r.syncs > 0 { format!("{:.1}", r.records as f64 / r.syncs as f64) } else { "-".into() };
        println!(
            "  {:>5} | {:>9.0} {:>5.2} ms {:>5.2} ms {:>6} | {:>9.0} {:>5.2} ms {:>5.2} ms {:>6} | {:>6.1} % | {:>12} | {}",
            r.conns,
            r.mem.rps,
            ms(r.mem.p50),
            ms(r.mem.p99),
            us(r.mem.cpu_per_req),
            r.dur.rps,
            ms(r.dur.p50),
            ms(r.dur.p99),
            us(r.dur.cpu_per_req),
            ratio * 100.0,
            per_sync,
            bar
        );
    }
    println!(
        "  records/sync: log records per fdatasync of the durable process over warm-up and measurement ({} records, {} syncs in all); after the runs: {} compaction(s), state dir {:.1} MB",
        put_end.records,
        put_end.syncs,
        put_end.compactions,
        put_end.bytes as f64 / 1e6
    );
    println!();

    // Section 2: restart with n workspaces.
    let files = TempDir::new()?;
    let doc = files.path().join(format!("state-{n}.json"));
    let state = files.path().join("state");
    let t0 = Instant::now();
    let doc_bytes = bigstate::write_state(&doc, &template, n, bigstate::PER_GROUP, false)?;
    let gen = t0.elapsed();

    // The first start: the document becomes the first snapshot of a fresh directory.
    let mut first_args = state_dir_arg(&state).to_vec();
    first_args.extend([OsString::from("--load"), doc.as_os_str().to_owned()]);
    let (p, addr, first) = timed_start(exe, data_dir, &first_args, LOAD_TIMEOUT)?;
    let first_fig = rt.block_on(async {
        expect_ok(addr, "a workspace of the document", &workspace_path(n / 2)).await?;
        figures(addr).await
    })?;
    drop(p); // SIGKILL
    let first_listing = listing(&state);

    // (a) From the snapshot alone, interleaved with the in-memory load of the same document.
    let load_args = [OsString::from("--load"), doc.as_os_str().to_owned()];
    let (mut mem_ready, mut mem_answer) = (Vec::new(), Vec::new());
    let (mut snap_ready, mut snap_answer) = (Vec::new(), Vec::new());
    let mut running = None;
    for i in 0..RESTARTS {
        let (p, addr, t) = timed_start(exe, data_dir, &load_args, LOAD_TIMEOUT)?;
        rt.block_on(expect_ok(addr, "a workspace of the document (in memory)", &workspace_path(n / 2)))?;
        drop(p);
        mem_ready.push(t.ready);
        mem_answer.push(t.answer);
        let (p, addr, r) = restart(rt, exe, data_dir, &state, n, None)?;
        snap_ready.push(r.timing.ready);
        snap_answer.push(r.timing.answer);
        if i + 1 == RESTARTS {
            running = Some((p, addr));
        }
    }

    // (b) A log tail of writes, SIGKILL, restart: snapshot + replay.
    let (mut tail_ready, mut tail_answer) = (Vec::new(), Vec::new());
    let mut tail_notes = Vec::new();
    let mut last_after = first_fig;
    for round in 0..RESTARTS {
        let (p, addr) = running.take().ok_or("no running process")?;
        let (last, took) = rt.block_on(tail(addr, round))?;
        let before = rt.block_on(figures(addr))?;
        drop(p); // SIGKILL
        let listing_before = listing(&state);
        let (p, addr, r) = restart(rt, exe, data_dir, &state, n, Some(&last))?;
        if r.after.lsn < before.lsn {
            return Err(format!(
                "after the restart the durable position is {}, before the kill it was {}",
                r.after.lsn, before.lsn
            ));
        }
        tail_notes.push(format!(
            "round {}: {TAIL_WRITES} writes in {:.2} s ({:.1} records/sync), durable lsn {} at the kill; before the restart: {listing_before}",
            round + 1,
            took.as_secs_f64(),
            before.records as f64 / before.syncs.max(1) as f64,
            before.lsn
        ));
        tail_ready.push(r.timing.ready);
        tail_answer.push(r.timing.answer);
        last_after = r.after;
        running = Some((p, addr));
    }
    drop(running);
    let last_listing = listing(&state);

    println!(
        "Restart with {n} workspaces (bigstate's default shape, {} groups; document {:.0} MB generated in {:.1} s); SIGKILL before every start",
        n.div_ceil(bigstate::PER_GROUP),
        doc_bytes as f64 / 1e6,
        gen.as_secs_f64()
    );
    const L: usize = 58;
    println!("  {:<L$} | {:>8} {:>8} {:>8} | bar", "", "median", "min", "max");
    let row = |label: &str, v: &mut Vec<Duration>, bar: bool| {
        let (lo, hi) = (*v.iter().min().unwrap(), *v.iter().max().unwrap());
        let med = median(v);
        let b = if bar {
            format!("median <= {:.0} s {}", BAR_RESTART.as_secs_f64(), verdict(med <= BAR_RESTART))
        } else {
            String::new()
        };
        println!(
            "  {:<L$} | {:>6.2} s {:>6.2} s {:>6.2} s | {b}",
            label,
            med.as_secs_f64(),
            lo.as_secs_f64(),
            hi.as_secs_f64()
        );
    };
    println!(
        "  {:<L$} | {:>6.2} s {:>8} {:>8} | (once; ready line {:.2} s)",
        "first start --state-dir (fresh) --load: -> health 200",
        first.answer.as_secs_f64(),
        "",
        "",
        first.ready.as_secs_f64()
    );
    row("in memory --load (reference): spawn -> ready line", &mut mem_ready, false);
    row("in memory --load (reference): spawn -> first health 200", &mut mem_answer, false);
    row("(a) snapshot only: spawn -> ready line", &mut snap_ready, false);
    row("(a) snapshot only: spawn -> first health 200", &mut snap_answer, true);
    row("(b) snapshot + log tail: spawn -> ready line", &mut tail_ready, false);
    row("(b) snapshot + log tail: spawn -> first health 200", &mut tail_answer, true);
    println!(
        "  state dir after the first start: {:.1} MB ({first_listing}); at the end: {:.1} MB ({last_listing}), durable lsn {}",
        first_fig.bytes as f64 / 1e6,
        last_after.bytes as f64 / 1e6,
        last_after.lsn
    );
    for note in &tail_notes {
        println!("  {note}");
    }
    println!(
        "  checked after every restart: GET of workspace {} answers 200; after (b) also GET of the group acknowledged last",
        bigstate::ws_name(n / 2)
    );
    Ok(())
}
