//! Issue 16: "deleting a resource group among 100,000 groups costs within 2× of deleting one
//! among 1,000 groups".
//!
//! - The template: one resource group created through the API of a fresh release emulator,
//!   taken from its `GET /_emulator/state` export together with the rest of that export (the
//!   tenants, subscriptions and provider registrations of the default configuration).
//! - Two state documents in that export's format are generated from it: 1,000 and 100,000
//!   empty resource groups (`delrg0000000`, …) in the default subscription, nothing else.
//! - Both are loaded into release `armemu` processes with `--load` (running at the same time;
//!   `--max-body-bytes` does not apply to a file). Figures: spawn → ready line and VmRSS.
//! - Each process gets one keep-alive connection and sequential
//!   `DELETE /subscriptions/{s}/resourcegroups/{name}?api-version=2021-04-01` requests (the
//!   default LRO mode, `sync`, answers 200 with the group gone), one to each process per round,
//!   the order within a round alternating. The groups deleted are scattered over the key range
//!   (index `j × 7919 mod N`), so neither process deletes from one end of its map.
//! - The first delete of each process is timed and printed on its own: it is the first write
//!   after `--load`, and the store is copy-on-write with the state kept for
//!   `POST /_emulator/reset`, so that write copies the maps once (a cost of the state's size,
//!   paid once per load or reset, not per delete). Then 10 unmeasured warm-up rounds, then the
//!   measured rounds (`--deletes`, default 300; with it, 1,000 groups end at 689 and 100,000
//!   at 99,689).
//!
//! Figures per process: median, p99 and mean time per delete (client side, request sent to
//! body read), and the server's CPU time per delete over the measured rounds (the sum of its
//! threads' `/proc/PID/task/*/schedstat` run times, in nanoseconds; `/proc/PID/stat`'s 10 ms
//! ticks are too coarse for a few hundred deletes and are used only when schedstat is
//! missing). Bar: median with 100,000 groups ≤ 2 × the
//! median with 1,000; the p99 ratio is printed for reference. A delete should cost a lookup
//! and a removal in ordered maps (log N) plus the HTTP exchange, so a state-size effect (a
//! scan, a copy of the state per write) shows as a large multiple.

use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::{Map, Value};

use super::bigstate::{load, mb, memory, Tpl};
use super::{
    connect, first_line, loopback_addr, ms, once, proc_cpu, ready_http, send, spawn_armemu, stats, us, verdict, Spec,
    Stats, TempDir, START_TIMEOUT,
};

/// Measured deletes per process unless `--deletes` says otherwise.
pub(super) const DEFAULT_DELETES: usize = 300;
/// At most this many (the small state must keep groups to delete: 1 + warm-up + measured).
pub(super) const MAX_DELETES: usize = 800;
const SMALL: usize = 1_000;
const BIG: usize = 100_000;
const WARMUP: usize = 10;
const BAR_RATIO: f64 = 2.0;
/// Prime, so coprime with both sizes: `j × STRIDE mod N` visits distinct groups.
const STRIDE: usize = 7919;

const SUB: &str = armemu::config::DEFAULT_SUBSCRIPTION_ID;
const API: &str = "2021-04-01";
/// A distinctive lower-case name: the generator replaces it as text.
const TMPL_GROUP: &str = "armbenchdeltmplrg";

fn group_name(i: usize) -> String {
    format!("delrg{i:07}")
}

fn group_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version={API}")
}

/// The index of the `j`-th group deleted in a state of `n` groups.
fn victim(j: usize, n: usize) -> usize {
    (j * STRIDE) % n
}

struct Template {
    /// The export with an empty `resourceGroups` (keys kept in order).
    head: Map<String, Value>,
    /// The exported template group with `@@RG@@` for its name.
    group: Tpl,
}

/// Creates the template group on a fresh emulator at `addr` and reads the export.
async fn template(addr: SocketAddr) -> Result<Template, String> {
    let path = group_path(TMPL_GROUP);
    let (st, body) = once(addr, &Spec::put(&path, super::PUT_BODY, StatusCode::CREATED)).await?;
    if !st.is_success() {
        return Err(format!("delete template: PUT {path} answered {st}: {}", String::from_utf8_lossy(&body)));
    }
    let (st, body) = once(addr, &Spec::get("/_emulator/state")).await?;
    if st != StatusCode::OK {
        return Err(format!("delete template: GET /_emulator/state answered {st}"));
    }
    let export: Value = serde_json::from_slice(&body).map_err(|e| format!("delete template: the state export: {e}"))?;
    let Value::Object(mut head) = export else {
        return Err("delete template: the state export is not an object".into());
    };
    let Some(Value::Array(groups)) = head.get("resourceGroups").cloned() else {
        return Err("delete template: the state export has no resourceGroups".into());
    };
    if groups.len() != 1 || head.get("resources").and_then(Value::as_array).is_none_or(|r| !r.is_empty()) {
        return Err(format!(
            "delete template: expected a fresh emulator's export with only the template group, found {} group(s) and resources {}",
            groups.len(),
            head.get("resources").map(|r| r.to_string()).unwrap_or_default()
        ));
    }
    let text = serde_json::to_string(&groups[0]).map_err(|e| e.to_string())?;
    if text.contains("@@") || text.matches(TMPL_GROUP).count() != 1 {
        return Err(format!("delete template: unexpected group record {text}"));
    }
    head.insert("resourceGroups".into(), Value::Array(Vec::new()));
    Ok(Template { head, group: Tpl::new(&text.replace(TMPL_GROUP, "@@RG@@")) })
}

/// Writes a state document with `n` empty groups; returns its size in bytes.
fn write_state(path: &Path, t: &Template, n: usize) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let io = |e: std::io::Error| format!("writing {}: {e}", path.display());
    out.write_all(b"{").map_err(io)?;
    for (i, (key, value)) in t.head.iter().enumerate() {
        if i > 0 {
            out.write_all(b",").map_err(io)?;
        }
        serde_json::to_writer(&mut out, key).map_err(|e| e.to_string())?;
        out.write_all(b":").map_err(io)?;
        if key == "resourceGroups" {
            out.write_all(b"[").map_err(io)?;
            for g in 0..n {
                if g > 0 {
                    out.write_all(b",").map_err(io)?;
                }
                let name = group_name(g);
                t.group.write(&mut out, |k| (k == "RG").then_some(name.as_str()))?;
            }
            out.write_all(b"]").map_err(io)?;
        } else {
            serde_json::to_writer(&mut out, value).map_err(|e| e.to_string())?;
        }
    }
    out.write_all(b"}").map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))
}

/// CPU time of a process so far: the run times of its threads from schedstat (ns), or, without
/// schedstat, user + system time from `/proc/PID/stat` (10 ms ticks). The flag says which.
fn cpu_time(pid: u32) -> Option<(Duration, bool)> {
    let fine = || -> Option<Duration> {
        let mut sum = 0u64;
        for t in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
            let text = std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
            sum += text.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(Duration::from_nanos(sum))
    };
    match fine() {
        Some(d) => Some((d, true)),
        None => proc_cpu(pid).map(|d| (d, false)),
    }
}

type Sender = hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>;

/// One process under test: its connection and what it has deleted so far.
struct Side {
    n: usize,
    host: String,
    sender: Sender,
    /// Groups deleted so far (the next one is `victim(next, n)`).
    next: usize,
}

impl Side {
    async fn open(addr: SocketAddr, n: usize) -> Result<Side, String> {
        Ok(Side { n, host: addr.to_string(), sender: connect(addr).await?, next: 0 })
    }

    /// Deletes the next group; the time from sending the request to the end of the body.
    async fn delete_next(&mut self) -> Result<Duration, String> {
        let name = group_name(victim(self.next, self.n));
        self.next += 1;
        let path = group_path(&name);
        let t = Instant::now();
        let (st, body) = send(&mut self.sender, Spec::delete(&path, StatusCode::OK).request(&self.host)).await?;
        let d = t.elapsed();
        if st != StatusCode::OK {
            return Err(format!(
                "{} groups: DELETE {path} answered {st} (expected 200, LRO mode sync): {}",
                self.n,
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(d)
    }

    /// A deleted group answers 404 and one not deleted 200.
    async fn check(&mut self) -> Result<(), String> {
        for (j, want) in [(0, StatusCode::NOT_FOUND), (self.next, StatusCode::OK)] {
            let path = group_path(&group_name(victim(j, self.n)));
            let (st, _) = send(&mut self.sender, Spec::get(&path).request(&self.host)).await?;
            if st != want {
                return Err(format!("{} groups: GET {path} answered {st}, expected {want}", self.n));
            }
        }
        Ok(())
    }
}

struct Times {
    first: [Duration; 2],
    measured: [Stats; 2],
    /// Server CPU time over the measured rounds (and whether from schedstat), `None` if /proc
    /// was unreadable.
    cpu: [Option<(Duration, bool)>; 2],
}

async fn measure(small: (SocketAddr, u32), big: (SocketAddr, u32), rounds: usize) -> Result<Times, String> {
    let mut sides = [Side::open(small.0, SMALL).await?, Side::open(big.0, BIG).await?];
    let mut first = [Duration::ZERO; 2];
    for (f, s) in first.iter_mut().zip(sides.iter_mut()) {
        *f = s.delete_next().await?;
    }
    for _ in 0..WARMUP {
        for s in sides.iter_mut() {
            s.delete_next().await?;
        }
    }
    let cpu0 = [cpu_time(small.1), cpu_time(big.1)];
    let mut times = [Vec::with_capacity(rounds), Vec::with_capacity(rounds)];
    for r in 0..rounds {
        // Alternate which process goes first, so neither always follows the other.
        let order = if r % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            times[i].push(sides[i].delete_next().await?);
        }
    }
    let cpu1 = [cpu_time(small.1), cpu_time(big.1)];
    for s in sides.iter_mut() {
        s.check().await?;
    }
    let cpu = |i: usize| match (cpu0[i]?, cpu1[i]?) {
        ((a, fa), (b, fb)) if fa == fb => Some((b.saturating_sub(a), fa)),
        _ => None,
    };
    let [ts, tb] = times;
    Ok(Times { first, measured: [stats(ts), stats(tb)], cpu: [cpu(0), cpu(1)] })
}

/// Generates, loads and measures; prints the section.
pub(super) fn run(rt: &tokio::runtime::Runtime, exe: &Path, data_dir: &Path, rounds: usize) -> Result<(), String> {
    assert!(1 + WARMUP + rounds < SMALL, "--deletes is checked against MAX_DELETES");
    // The template, from a fresh emulator.
    let t = {
        let mut p = spawn_armemu(exe, data_dir)?;
        let addr = loopback_addr(&first_line(&mut p, "armemu", START_TIMEOUT, ready_http)?)?;
        rt.block_on(template(addr))?
    };
    let files = TempDir::new()?;
    let small_file = files.path().join(format!("groups-{SMALL}.json"));
    let big_file = files.path().join(format!("groups-{BIG}.json"));
    let t0 = Instant::now();
    let small_bytes = write_state(&small_file, &t, SMALL)?;
    let big_bytes = write_state(&big_file, &t, BIG)?;
    let gen = t0.elapsed();

    let (small, small_addr, small_load) = load(exe, data_dir, &small_file)?;
    let (small_rss, _) = memory(small.child.id())?;
    let (big, big_addr, big_load) = load(exe, data_dir, &big_file)?;
    let (big_rss, _) = memory(big.child.id())?;
    drop(files);
    let times = rt.block_on(measure((small_addr, small.child.id()), (big_addr, big.child.id()), rounds))?;
    let (small_after, _) = memory(small.child.id())?;
    let (big_after, _) = memory(big.child.id())?;
    drop(big);
    drop(small);

    println!(
        "Deleting a resource group: {SMALL} vs {BIG} empty groups loaded (generated state documents, armemu --load; {:.1} MB + {:.1} MB written in {:.2} s)",
        small_bytes as f64 / 1e6,
        big_bytes as f64 / 1e6,
        gen.as_secs_f64()
    );
    println!(
        "  sequential DELETE /subscriptions/{{s}}/resourcegroups/{{name}}?api-version={API} (LRO mode sync: 200), one keep-alive connection per process,"
    );
    println!(
        "  {rounds} measured rounds of one delete per process (order alternating) after {WARMUP} warm-up rounds; groups scattered over the key range"
    );
    const L: usize = 40;
    const C: usize = 24;
    println!("  {:<L$} | {:>C$} | {:>C$} | bar", "", format!("{SMALL} groups"), format!("{BIG} groups"));
    let secs = |d: Duration| {
        if d < Duration::from_secs(1) {
            format!("{:.1} ms", ms(d))
        } else {
            format!("{:.2} s", d.as_secs_f64())
        }
    };
    let mbs = |kib: u64| format!("{:.1} MB", mb(kib));
    println!("  {:<L$} | {:>C$} | {:>C$} |", "load (spawn -> ready line)", secs(small_load), secs(big_load));
    println!(
        "  {:<L$} | {:>C$} | {:>C$} |",
        "RSS after loading / after the deletes",
        format!("{} / {}", mbs(small_rss), mbs(small_after)),
        format!("{} / {}", mbs(big_rss), mbs(big_after))
    );
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | (reference: the first write after --load copies the loaded state)",
        "first delete after loading",
        format!("{:.3} ms", ms(times.first[0])),
        format!("{:.3} ms", ms(times.first[1])),
    );
    let [s, b] = &times.measured;
    let ratio = b.median.as_secs_f64() / s.median.as_secs_f64();
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | {:.2} x, <= {BAR_RATIO} x {}",
        "DELETE median (p99), measured rounds",
        format!("{:.3} ({:.3}) ms", ms(s.median), ms(s.p99)),
        format!("{:.3} ({:.3}) ms", ms(b.median), ms(b.p99)),
        ratio,
        verdict(ratio <= BAR_RATIO)
    );
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | (reference: p99 {:.2} x, mean {:.2} x)",
        "DELETE mean",
        format!("{:.3} ms", ms(s.mean)),
        format!("{:.3} ms", ms(b.mean)),
        b.p99.as_secs_f64() / s.p99.as_secs_f64(),
        b.mean.as_secs_f64() / s.mean.as_secs_f64()
    );
    let per = |c: Option<(Duration, bool)>| c.map(|(d, _)| d / rounds as u32);
    let (cs, cb) = (per(times.cpu[0]), per(times.cpu[1]));
    let cpu_ratio = match (cs, cb) {
        (Some(s), Some(b)) if !s.is_zero() => format!("{:.2} x", b.as_secs_f64() / s.as_secs_f64()),
        _ => "-".into(),
    };
    let source = match times.cpu {
        [Some((_, true)), Some((_, true))] => "schedstat",
        _ => "/proc stat, 10 ms ticks: coarse",
    };
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | (reference: {cpu_ratio}; {source})",
        "server CPU per delete (µs)",
        us(cs),
        us(cb)
    );
    Ok(())
}
