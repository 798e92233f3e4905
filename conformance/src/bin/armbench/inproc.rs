//! SPEC §7 "workspace create through the client, LRO included, in-process: ≤ 1 ms median".
//!
//! The emulator runs in this process (`armemu::testing::TestEmulator`: its own runtime with two
//! worker threads, free 127.0.0.1 ports, frozen clock, seeded ids) and the `armctl` library
//! client, on a current-thread runtime of its own, creates distinct workspaces one after the
//! other: `workspaces().create_or_update(group, name, &body).await?.wait().await?`, timed from
//! the call to the final result. Each variant creates its warm-up workspaces first (untimed)
//! in a group of its own, then the measured ones.
//!
//! Variants:
//! - plain HTTP (the builder accepts an `http://` base: its connector is `https_or_http`),
//!   the emulator's default LRO mode (`sync`: the PUT answers the finished workspace and the
//!   poller is done without another request). This is the row the bar applies to.
//! - HTTPS with the emulator's CA (what real clients use), same mode: for reference.
//! - plain HTTP with `workspaces/create=polls:1`: the PUT answers `Creating` with
//!   `Azure-AsyncOperation`, the poller reads the operation status once and then GETs the
//!   workspace (3 requests). `Retry-After: 1` is honoured through a sleeper that returns at
//!   once, so the figure is the work of the protocol, not the advertised wait. For reference.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use armctl::credential::StaticTokenCredential;
use armctl::models::{ResourceGroupCreate, Workspace};
use armctl::sleep::{BoxFuture, Sleeper};
use armctl::ArmClient;
use armemu::testing::TestEmulator;

use super::{ms, plots, stats, verdict, Stats};

const BAR_CREATE_MEDIAN_MS: f64 = 1.0;

/// Returns at once: the LRO variant measures the requests, not the advertised `Retry-After`.
struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

#[derive(Clone, Copy)]
enum Transport {
    Http,
    Https,
}

struct Variant {
    label: &'static str,
    transport: Transport,
    /// The emulator's LRO mode for `workspaces/create` (`None`: the default, `sync`).
    lro: Option<&'static str>,
    group: &'static str,
    bar: bool,
}

struct Row {
    label: &'static str,
    /// Requests one create made (counted on the first warm-up create).
    requests: u32,
    stats: Stats,
    /// Medians of the first and the last tenth of the measured creates: growth with the
    /// number of workspaces already stored shows here.
    first_tenth: Duration,
    last_tenth: Duration,
    bar: bool,
    /// Every measured create, in order (for the plot).
    samples: Vec<Duration>,
}

fn client(emu: &TestEmulator, transport: Transport) -> Result<ArmClient, String> {
    let b = match transport {
        Transport::Http => ArmClient::builder(emu.http.clone()),
        Transport::Https => ArmClient::builder(emu.https.clone()).ca_file(emu.ca.clone()),
    };
    b.credential(Arc::new(StaticTokenCredential::new("x")))
        .subscription(armemu::config::DEFAULT_SUBSCRIPTION_ID)
        .sleeper(Arc::new(NoSleep))
        .build()
        .map_err(|e| format!("building the client: {e}"))
}

fn body() -> Workspace {
    Workspace { location: Some("westeurope".into()), ..Default::default() }
}

/// One create with the poller driven by hand, to count its requests.
async fn counted_create(c: &ArmClient, group: &str, name: &str) -> Result<u32, String> {
    let mut p = c.workspaces().create_or_update(group, name, &body()).await.map_err(|e| e.to_string())?;
    while !p.is_done() {
        p.poll().await.map_err(|e| e.to_string())?;
    }
    match p.result().map_err(|e| e.to_string())? {
        Some(w) if w.properties.provisioning_state.as_deref() == Some("Succeeded") => Ok(1 + p.polls()),
        other => Err(format!("create of {name} ended with {other:?}")),
    }
}

/// One create as a caller writes it: `create_or_update(..).await?.wait().await?`.
async fn create(c: &ArmClient, group: &str, name: &str) -> Result<(), String> {
    let w = c
        .workspaces()
        .create_or_update(group, name, &body())
        .await
        .map_err(|e| format!("{name}: {e}"))?
        .wait()
        .await
        .map_err(|e| format!("{name}: {e}"))?;
    match w {
        Some(w) if w.properties.provisioning_state.as_deref() == Some("Succeeded") => Ok(()),
        other => Err(format!("create of {name} ended with {other:?}")),
    }
}

async fn run_variant(emu: &TestEmulator, v: &Variant, creates: usize, warmup: usize) -> Result<Row, String> {
    let c = client(emu, v.transport)?;
    c.resource_groups()
        .create_or_update(v.group, &ResourceGroupCreate { location: "westeurope".into(), tags: None, managed_by: None })
        .await
        .map_err(|e| format!("creating group {}: {e}", v.group))?;
    let requests = counted_create(&c, v.group, "warm-00000").await?;
    for i in 1..warmup {
        create(&c, v.group, &format!("warm-{i:05}")).await?;
    }
    let mut times = Vec::with_capacity(creates);
    for i in 0..creates {
        let name = format!("ws-{i:06}");
        let t = Instant::now();
        create(&c, v.group, &name).await?;
        times.push(t.elapsed());
    }
    let tenth = (creates / 10).max(1);
    let first_tenth = stats(times[..tenth].to_vec()).median;
    let last_tenth = stats(times[creates - tenth..].to_vec()).median;
    Ok(Row {
        label: v.label,
        requests,
        stats: stats(times.clone()),
        first_tenth,
        last_tenth,
        bar: v.bar,
        samples: times,
    })
}

/// Runs the section and prints its table; with `plot_dir`, plots the per-create latencies there.
pub(super) fn run(creates: usize, plot_dir: Option<&Path>) -> Result<(), String> {
    let warmup = (creates / 10).clamp(50, 500);
    let emu = std::panic::catch_unwind(TestEmulator::start)
        .map_err(|_| "the in-process emulator (TestEmulator) did not start".to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("client runtime: {e}"))?;
    let variants = [
        Variant {
            label: "plain HTTP, LRO mode sync (default)",
            transport: Transport::Http,
            lro: None,
            group: "bench-http",
            bar: true,
        },
        Variant {
            label: "HTTPS (emulator CA), sync",
            transport: Transport::Https,
            lro: None,
            group: "bench-https",
            bar: false,
        },
        Variant {
            label: "plain HTTP, LRO mode polls:1",
            transport: Transport::Http,
            lro: Some("polls:1"),
            group: "bench-lro",
            bar: false,
        },
    ];
    let mut rows = Vec::new();
    let t0 = Instant::now();
    for v in &variants {
        let mode: armemu::model::LroMode = v.lro.unwrap_or("sync").parse().map_err(|e| format!("LRO mode: {e}"))?;
        emu.app.set_lro("workspaces/create", Some(mode));
        let row = rt.block_on(run_variant(&emu, v, creates, warmup)).map_err(|e| format!("{}: {e}", v.label))?;
        rows.push(row);
    }
    let wall = t0.elapsed();
    drop(emu);

    println!(
        "Workspace create through the armctl client, LRO included, emulator in-process ({creates} distinct workspaces per row after {warmup} warm-up creates; {:.1} s)",
        wall.as_secs_f64()
    );
    println!(
        "  {:<36} | {:>4} | {:>8} {:>8} {:>8} | {:>17} | bar",
        "", "reqs", "median", "p99", "mean", "median 1st/last10%"
    );
    for r in &rows {
        let bar = if r.bar {
            format!("median <= {BAR_CREATE_MEDIAN_MS:.0} ms {}", verdict(ms(r.stats.median) <= BAR_CREATE_MEDIAN_MS))
        } else {
            "(reference)".into()
        };
        println!(
            "  {:<36} | {:>4} | {:>5.3} ms {:>5.3} ms {:>5.3} ms | {:>5.3} / {:>5.3} ms | {}",
            r.label,
            r.requests,
            ms(r.stats.median),
            ms(r.stats.p99),
            ms(r.stats.mean),
            ms(r.first_tenth),
            ms(r.last_tenth),
            bar
        );
    }
    println!(
        "  each create also makes the workspace's storage account, key vault and Application Insights; reqs: HTTP requests per create"
    );
    if let Some(dir) = plot_dir {
        // The row the bar applies to first: the plot draws the bar against it.
        let mut ordered: Vec<&Row> = rows.iter().filter(|r| r.bar).collect();
        ordered.extend(rows.iter().filter(|r| !r.bar));
        let samples: Vec<plots::Samples<'_>> = ordered
            .iter()
            .map(|r| plots::Samples { label: r.label, ms: r.samples.iter().map(|&d| ms(d)).collect() })
            .collect();
        plots::report(plots::create_latency(dir, &samples, BAR_CREATE_MEDIAN_MS));
    }
    Ok(())
}
