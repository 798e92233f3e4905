//! SPEC §7 "100,000 workspaces loaded: RSS ≤ 250 MB, peak RSS while loading ≤ 400 MB; one list
//! page as fast as with 10" (the bars of issue 16).
//!
//! - The template: one workspace created through the API of the release emulator (in its own
//!   group, so it brings its storage account, key vault and Application Insights), taken from
//!   that emulator's `GET /_emulator/state` export.
//! - Two state documents in that export's format are generated from it: 10 and N (default
//!   100,000) workspaces with new names, ids, `workspaceId`s and principal ids, 500 to a
//!   resource group (`--big-per-group`; ARM allows 800 of a type per group). By default they all use the
//!   template's three dependents (a state the API builds when creates name existing
//!   dependents); `--big-dependents` gives each workspace its own three, as a create without
//!   given dependents does (4 resources per workspace).
//! - Both documents are loaded into release `armemu` processes with `--load` (the two run at
//!   the same time). Figures: spawn → ready line, VmRSS and VmHWM from /proc/PID/status, read
//!   as soon as the ready line is out (the document is read before it), and VmRSS again after
//!   the list requests. Bars for the N-workspace process: VmRSS after loading ≤ 250 MB, VmHWM
//!   (the peak while loading: at that point nothing else has run) ≤ 400 MB. MB here is 10^6
//!   bytes; /proc reports KiB.
//! - Pages of `GET /subscriptions/{sub}/providers/Microsoft.MachineLearningServices/workspaces`
//!   over one keep-alive connection per process, in interleaved rounds: the first page and a
//!   page half-way through the listing (its `$skip` token read from the `nextLink` after
//!   following the default-size pages there), all with `$top=10` so every page holds the same
//!   10 workspaces' worth of JSON as the whole 10-workspace listing. A page of the default
//!   size (1,000 items) cannot be "as fast as with 10", which is one page of 10 items; its
//!   time is printed for reference.
//!
//! The server's CPU time per request (from /proc, over a block of rounds per page kind) is
//! printed next to the times: other load disturbs it less.
//!
//! The growth curve: after that comparison, states of the sizes of `--big-steps` below N
//! (default 1,000, 10,000, 25,000, 50,000) are generated the same way and loaded one at a time,
//! alone; for each: VmRSS and VmHWM after loading and 500 rounds of the first page and
//! (from 2,000 workspaces) the page half-way, both `$top=10`. Together with the 10 and N columns
//! of the comparison they make the curves of `workspaces-growth.svg` (about 5 s with the
//! defaults, mostly generating and loading the documents). No bar applies to them.
//!
//! The page bar: median with N workspaces ≤ 1.5 × the median with 10. A page should cost a
//! seek in the ordered map (log N) plus rendering 10 items, so a state-size effect shows as a
//! multiple (one workspace group of 100,000 with their own dependents, `--big-dependents
//! --big-per-group 100000`, makes the first page about 20× slower: the listing walks the
//! dependents that sort before the workspaces). 1.5 leaves room for what a page of a large
//! listing legitimately adds (one look-ahead item and the `nextLink`, about +10 %), for
//! cache misses in a 1 GB heap and for the noise of a shared 2-core machine.

use std::ffi::OsString;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::{Map, Value};

use super::{
    connect, first_line, loopback_addr, ms, once, plots, proc_cpu, ready_http, send, spawn_armemu_with, stats, us,
    verdict, Options, Proc, Spec, Stats, TempDir, PUT_BODY,
};

/// The small state the large one is compared with.
const SMALL: usize = 10;
/// The smallest large state: the deep page must lie after at least one default-size page.
pub(super) const MIN_BIG: usize = 2 * DEFAULT_PAGE;
/// Workspaces per generated resource group (default of `--big-per-group`).
pub(super) const PER_GROUP: usize = 500;
const BAR_RSS_MB: f64 = 250.0;
const BAR_HWM_MB: f64 = 400.0;
const BAR_PAGE_RATIO: f64 = 1.5;
/// Loading a large document takes seconds (tens of seconds with `--big-dependents`).
pub(super) const LOAD_TIMEOUT: Duration = Duration::from_secs(600);
/// Interleaved rounds of page requests (one of each kind per round).
const ROUNDS: usize = 1000;
/// Default-size pages followed to reach the deep page (at most; half the listing).
const MAX_HOPS: usize = 50;
const DEFAULT_PAGE: usize = 1000;
/// The intermediate sizes of the growth curve (default of `--big-steps`).
pub(super) const STEPS: [usize; 4] = [1_000, 10_000, 25_000, 50_000];
/// The smallest size `--big-steps` accepts (above the small state).
pub(super) const MIN_STEP: usize = 100;
/// Rounds of page requests per intermediate size.
const STEP_ROUNDS: usize = 500;

const SUB: &str = armemu::config::DEFAULT_SUBSCRIPTION_ID;
const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
/// Distinctive lower-case names: the generator replaces them as text.
const TMPL_GROUP: &str = "armbenchtmplrg";
const TMPL_WS: &str = "armbenchtmplws";
/// The workspace properties naming the dependents, and the word the service puts in their
/// names (`{stem}{word}{8 hex}`).
const DEPENDENTS: [(&str, &str); 3] =
    [("storageAccount", "storage"), ("keyVault", "keyvault"), ("applicationInsights", "insights")];

fn list_path() -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/workspaces?api-version=2024-04-01")
}

/// A text with `@@KEY@@` placeholders, split into literal and key parts.
pub(super) struct Tpl {
    parts: Vec<String>,
}

impl Tpl {
    pub(super) fn new(text: &str) -> Tpl {
        Tpl { parts: text.split("@@").map(String::from).collect() }
    }

    pub(super) fn write<'a>(&self, out: &mut impl Write, val: impl Fn(&str) -> Option<&'a str>) -> Result<(), String> {
        for (i, p) in self.parts.iter().enumerate() {
            let s = if i % 2 == 0 { p.as_str() } else { val(p).ok_or_else(|| format!("no value for @@{p}@@"))? };
            out.write_all(s.as_bytes()).map_err(|e| format!("writing the state document: {e}"))?;
        }
        Ok(())
    }
}

/// One dependent of the template workspace.
struct Dep {
    word: &'static str,
    /// Its id as the workspace's properties hold it (lower-case).
    id: String,
    name: String,
    /// The exported resource with `@@RG@@` and `@@NAME@@`.
    tpl: Tpl,
    /// The exported resource as it is.
    text: String,
}

pub(super) struct Template {
    /// The export without `resourceGroups` and `resources` (kept in order).
    head: Map<String, Value>,
    group: Tpl,
    group_text: String,
    /// The workspace resource with `@@DEPIDk@@`, `@@WS@@`, `@@RG@@`, `@@WSID@@`, `@@PID@@`, `@@STEM@@`.
    ws: Tpl,
    deps: Vec<Dep>,
    /// Length of the template workspace's GET body.
    ws_body_len: usize,
}

/// The service's name stem for dependents (emulator `name_stem`): lower-case alphanumerics, 8 at most.
fn stem(ws: &str) -> String {
    ws.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(char::to_lowercase).take(8).collect()
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> Result<&'a str, String> {
    v.pointer(ptr).and_then(Value::as_str).ok_or_else(|| format!("the exported template has no {ptr}"))
}

/// Creates the template group and workspace on the running emulator at `addr` and reads them
/// back from its state export.
pub(super) async fn template(addr: SocketAddr) -> Result<Template, String> {
    let group = format!("/subscriptions/{SUB}/resourceGroups/{TMPL_GROUP}?api-version=2024-11-01");
    let ws = format!(
        "/subscriptions/{SUB}/resourceGroups/{TMPL_GROUP}/providers/Microsoft.MachineLearningServices/workspaces/{TMPL_WS}?api-version=2024-04-01"
    );
    for p in [&group, &ws] {
        let (st, body) = once(addr, &Spec::put(p, PUT_BODY, StatusCode::OK)).await?;
        if !st.is_success() {
            return Err(format!("template: PUT {p} answered {st}: {}", String::from_utf8_lossy(&body)));
        }
    }
    let (st, ws_body) = once(addr, &Spec::get(&ws)).await?;
    if st != StatusCode::OK {
        return Err(format!("template: GET workspace answered {st}"));
    }
    let (st, body) = once(addr, &Spec::get("/_emulator/state")).await?;
    if st != StatusCode::OK {
        return Err(format!("template: GET /_emulator/state answered {st}"));
    }
    let export: Value = serde_json::from_slice(&body).map_err(|e| format!("template: the state export: {e}"))?;
    let Value::Object(mut head) = export else {
        return Err("template: the state export is not an object".into());
    };
    let (Some(Value::Array(groups)), Some(Value::Array(resources))) =
        (head.get("resourceGroups").cloned(), head.get("resources").cloned())
    else {
        return Err("template: the state export has no resourceGroups or resources".into());
    };
    // Keep the keys (and their order) but not the contents: the generator writes these two.
    head.insert("resourceGroups".into(), Value::Array(Vec::new()));
    head.insert("resources".into(), Value::Array(Vec::new()));

    let group = groups
        .iter()
        .find(|g| g.get("name").and_then(Value::as_str) == Some(TMPL_GROUP))
        .ok_or("template: the export has no template group")?;
    let ws_res = resources
        .iter()
        .find(|r| {
            r.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(WORKSPACE_TYPE))
                && r.get("name").and_then(Value::as_str) == Some(TMPL_WS)
        })
        .ok_or("template: the export has no template workspace")?;
    let to_text = |v: &Value| -> Result<String, String> {
        let t = serde_json::to_string(v).map_err(|e| e.to_string())?;
        if t.contains("@@") {
            return Err("template: the export contains '@@'".into());
        }
        Ok(t)
    };
    let mut ws_text = to_text(ws_res)?;
    let mut deps = Vec::new();
    for (k, (prop, word)) in DEPENDENTS.iter().enumerate() {
        let id = str_at(ws_res, &format!("/body/properties/{prop}"))?.to_lowercase();
        let r = resources
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str).is_some_and(|i| i.to_lowercase() == id))
            .ok_or_else(|| format!("template: the export has no dependent {id}"))?;
        let name = str_at(r, "/name")?.to_string();
        if !name.starts_with(&stem(TMPL_WS)) || !name.contains(word) {
            return Err(format!("template: unexpected dependent name {name}"));
        }
        let text = to_text(r)?;
        let tpl = Tpl::new(&text.replace(TMPL_GROUP, "@@RG@@").replace(&name, "@@NAME@@"));
        if !ws_text.contains(&id) {
            return Err(format!("template: the workspace does not name {id} in lower case"));
        }
        ws_text = ws_text.replace(&id, &format!("@@DEPID{k}@@"));
        deps.push(Dep { word, id, name, tpl, text });
    }
    let ws_id = str_at(ws_res, "/body/properties/workspaceId")?.to_string();
    let principal = str_at(ws_res, "/body/identity/principalId")?.to_string();
    let ws_text = ws_text
        .replace(TMPL_WS, "@@WS@@")
        .replace(TMPL_GROUP, "@@RG@@")
        .replace(&ws_id, "@@WSID@@")
        .replace(&principal, "@@PID@@")
        .replace(&format!("ml-{}-", stem(TMPL_WS)), "ml-@@STEM@@-");
    let group_text = to_text(group)?;
    Ok(Template {
        head,
        group: Tpl::new(&group_text.replace(TMPL_GROUP, "@@RG@@")),
        group_text,
        ws: Tpl::new(&ws_text),
        deps,
        ws_body_len: ws_body.len(),
    })
}

pub(super) fn ws_name(i: usize) -> String {
    format!("bench{i:07}")
}

/// Writes a state document with `n` workspaces; returns its size in bytes.
pub(super) fn write_state(
    path: &Path,
    t: &Template,
    n: usize,
    per_group: usize,
    own_deps: bool,
) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let io = |e: std::io::Error| format!("writing {}: {e}", path.display());
    let groups = n.div_ceil(per_group);
    out.write_all(b"{").map_err(io)?;
    for (i, (key, value)) in t.head.iter().enumerate() {
        if i > 0 {
            out.write_all(b",").map_err(io)?;
        }
        serde_json::to_writer(&mut out, key).map_err(|e| e.to_string())?;
        out.write_all(b":").map_err(io)?;
        match key.as_str() {
            "resourceGroups" => {
                out.write_all(b"[").map_err(io)?;
                if !own_deps {
                    // The group holding the shared dependents.
                    out.write_all(t.group_text.as_bytes()).map_err(io)?;
                }
                for g in 0..groups {
                    if g > 0 || !own_deps {
                        out.write_all(b",").map_err(io)?;
                    }
                    let rg = format!("benchrg{g:07}");
                    t.group.write(&mut out, |k| (k == "RG").then_some(rg.as_str()))?;
                }
                out.write_all(b"]").map_err(io)?;
            }
            "resources" => {
                out.write_all(b"[").map_err(io)?;
                let mut first = true;
                let mut sep = |out: &mut BufWriter<std::fs::File>| -> Result<(), String> {
                    if !std::mem::take(&mut first) {
                        out.write_all(b",").map_err(io)?;
                    }
                    Ok(())
                };
                if !own_deps {
                    for d in &t.deps {
                        sep(&mut out)?;
                        out.write_all(d.text.as_bytes()).map_err(io)?;
                    }
                }
                for i in 0..n {
                    let rg = format!("benchrg{:07}", i / per_group);
                    let ws = ws_name(i);
                    let st = stem(&ws);
                    let wsid = uuid::Uuid::new_v4().to_string();
                    let pid = uuid::Uuid::new_v4().to_string();
                    let mut dep_ids = Vec::with_capacity(t.deps.len());
                    for d in &t.deps {
                        if own_deps {
                            let name = format!("{st}{}{i:08x}", d.word);
                            sep(&mut out)?;
                            d.tpl.write(&mut out, |k| match k {
                                "RG" => Some(rg.as_str()),
                                "NAME" => Some(name.as_str()),
                                _ => None,
                            })?;
                            dep_ids.push(d.id.replace(TMPL_GROUP, &rg).replace(&d.name, &name));
                        } else {
                            dep_ids.push(d.id.clone());
                        }
                    }
                    sep(&mut out)?;
                    t.ws.write(&mut out, |k| match k {
                        "WS" => Some(ws.as_str()),
                        "RG" => Some(rg.as_str()),
                        "WSID" => Some(wsid.as_str()),
                        "PID" => Some(pid.as_str()),
                        "STEM" => Some(st.as_str()),
                        "DEPID0" => dep_ids.first().map(String::as_str),
                        "DEPID1" => dep_ids.get(1).map(String::as_str),
                        "DEPID2" => dep_ids.get(2).map(String::as_str),
                        _ => None,
                    })?;
                }
                out.write_all(b"]").map_err(io)?;
            }
            _ => serde_json::to_writer(&mut out, value).map_err(|e| e.to_string())?,
        }
    }
    out.write_all(b"}").map_err(io)?;
    out.flush().map_err(io)?;
    drop(out);
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| format!("{}: {e}", path.display()))
}

/// VmRSS and VmHWM of a process, in kB (KiB) as /proc reports them.
pub(super) fn memory(pid: u32) -> Result<(u64, u64), String> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    let field = |name: &str| -> Result<u64, String> {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("/proc/{pid}/status has no {name}"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

pub(super) fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// Starts `armemu --load FILE`; returns it, its address and spawn → ready line.
pub(super) fn load(exe: &Path, data_dir: &Path, file: &Path) -> Result<(Proc, SocketAddr, Duration), String> {
    let t0 = Instant::now();
    let mut p = spawn_armemu_with(exe, data_dir, &[OsString::from("--load"), file.as_os_str().to_owned()])?;
    let url = first_line(&mut p, "armemu --load", LOAD_TIMEOUT, ready_http)?;
    Ok((p, loopback_addr(&url)?, t0.elapsed()))
}

/// `http://host/path?query` → `/path?query`.
fn path_of(url: &str) -> Result<&str, String> {
    let rest = url.split_once("://").map(|(_, r)| r).ok_or_else(|| format!("not an absolute URL: {url}"))?;
    rest.find('/').map(|i| &rest[i..]).ok_or_else(|| format!("no path in {url}"))
}

struct Page {
    items: usize,
    first_name: Option<String>,
    next: Option<String>,
}

fn parse_page(body: &[u8]) -> Result<Page, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("list page: {e}"))?;
    let items = v.get("value").and_then(Value::as_array).ok_or("list page without 'value'")?;
    Ok(Page {
        items: items.len(),
        first_name: items.first().and_then(|w| w.get("name")).and_then(Value::as_str).map(String::from),
        next: v.get("nextLink").and_then(Value::as_str).map(String::from),
    })
}

/// One timed GET on an open connection; a status other than 200 fails the run.
async fn timed_get(
    sender: &mut hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
    host: &str,
    path: &str,
) -> Result<(Duration, Page), String> {
    let t = Instant::now();
    let (st, body) = send(sender, Spec::get(path).request(host)).await?;
    let d = t.elapsed();
    if st != StatusCode::OK {
        return Err(format!("GET {path} answered {st}: {}", String::from_utf8_lossy(&body)));
    }
    Ok((d, parse_page(&body)?))
}

struct PageTimes {
    small_first: Stats,
    big_first: Stats,
    big_deep: Stats,
    /// Server CPU time per request (from /proc), `None` if unreadable.
    small_cpu: Option<Duration>,
    big_first_cpu: Option<Duration>,
    big_deep_cpu: Option<Duration>,
    deep_at: usize,
    default_big: Stats,
    default_small: Stats,
    default_small_n: usize,
    hops: usize,
}

fn cpu_per(a: Option<Duration>, b: Option<Duration>, n: usize) -> Option<Duration> {
    Some(b?.saturating_sub(a?) / n as u32)
}

fn check(what: &str, p: &Page, items: usize, next: bool, first: Option<String>) -> Result<(), String> {
    if p.items != items || p.next.is_some() != next || (first.is_some() && p.first_name != first) {
        return Err(format!(
            "{what}: {} items, first {:?}, nextLink {}; expected {items} items, first {first:?}, nextLink {next}",
            p.items,
            p.first_name,
            p.next.is_some()
        ));
    }
    Ok(())
}

/// The page half-way through a listing of `n` workspaces (at least [`MIN_BIG`]).
struct Deep {
    /// `$top=10` with the `$skip` token of the `nextLink` half-way.
    path: String,
    /// The index of the page's first workspace.
    at: usize,
    /// The times of the default-size pages followed to get there.
    hops: Vec<Duration>,
}

/// Follows default-size pages from the start to half-way (at most [`MAX_HOPS`]).
async fn deep_page(
    c: &mut hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
    host: &str,
    n: usize,
) -> Result<Deep, String> {
    let list = list_path();
    let count = (n / 2 / DEFAULT_PAGE).clamp(1, MAX_HOPS);
    let mut path = list.clone();
    let mut hops = Vec::with_capacity(count);
    let mut seen = 0;
    for h in 0..count {
        let (d, p) = timed_get(c, host, &path).await?;
        check(&format!("default page {h}"), &p, DEFAULT_PAGE, true, Some(ws_name(seen)))?;
        hops.push(d);
        seen += p.items;
        path = path_of(p.next.as_deref().unwrap_or_default())?.to_string();
    }
    let token = path
        .split_once('?')
        .and_then(|(_, q)| {
            form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "$skip").map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| format!("no $skip in the nextLink {path}"))?;
    let enc: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    Ok(Deep { path: format!("{list}&$top={SMALL}&$skip={enc}"), at: seen, hops })
}

async fn measure_pages(small: (SocketAddr, u32), big: (SocketAddr, u32), n: usize) -> Result<PageTimes, String> {
    let list = list_path();
    let (sh, bh) = (small.0.to_string(), big.0.to_string());
    let mut sc = connect(small.0).await?;
    let mut bc = connect(big.0).await?;

    // Default-size pages from the start to half-way: the deep page's token, and their times.
    let Deep { path: deep, at: seen, hops: default_big } = deep_page(&mut bc, &bh, n).await?;
    let hops = default_big.len();
    let top = format!("{list}&$top={SMALL}");

    // The 10-workspace listing without `$top`: the same single page of 10, for reference.
    let mut ds = Vec::new();
    for _ in 0..hops.max(20) {
        let (d, p) = timed_get(&mut sc, &sh, &list).await?;
        check("10 workspaces, default page", &p, SMALL, false, Some(ws_name(0)))?;
        ds.push(d);
    }

    // Two blocks of interleaved rounds: 10-workspace page / first page, then 10-workspace
    // page / deep page; each process's CPU time over a block gives its CPU per request.
    let mut sf = Vec::with_capacity(2 * ROUNDS);
    let mut small_cpu = Some(Duration::ZERO);
    let mut big_cpu = [None, None];
    let mut big_times = [Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS)];
    for (block, (big_path, first)) in [(&top, ws_name(0)), (&deep, ws_name(seen))].into_iter().enumerate() {
        let (s0, b0) = (proc_cpu(small.1), proc_cpu(big.1));
        for _ in 0..ROUNDS {
            let (d, p) = timed_get(&mut sc, &sh, &top).await?;
            check("10 workspaces, first page", &p, SMALL, false, Some(ws_name(0)))?;
            sf.push(d);
            let (d, p) = timed_get(&mut bc, &bh, big_path).await?;
            check("large state, page", &p, SMALL, true, Some(first.clone()))?;
            big_times[block].push(d);
        }
        let (s1, b1) = (proc_cpu(small.1), proc_cpu(big.1));
        small_cpu = match (small_cpu, cpu_per(s0, s1, 1)) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        big_cpu[block] = cpu_per(b0, b1, ROUNDS);
    }
    let [bf, bd] = big_times;
    Ok(PageTimes {
        small_first: stats(sf),
        big_first: stats(bf),
        big_deep: stats(bd),
        small_cpu: small_cpu.map(|c| c / (2 * ROUNDS) as u32),
        big_first_cpu: big_cpu[0],
        big_deep_cpu: big_cpu[1],
        deep_at: seen,
        default_big: stats(default_big),
        default_small_n: ds.len(),
        default_small: stats(ds),
        hops,
    })
}

/// The figures of one intermediate size of the growth curve.
struct Step {
    n: usize,
    load: Duration,
    rss: u64,
    hwm: u64,
    first: Stats,
    /// From [`MIN_BIG`] workspaces on: the page half-way and its index.
    deep: Option<(Stats, usize)>,
}

/// Rounds of the first page and (when the state is large enough) the page half-way, over one
/// keep-alive connection.
async fn step_pages(addr: SocketAddr, n: usize) -> Result<(Stats, Option<(Stats, usize)>), String> {
    let host = addr.to_string();
    let mut c = connect(addr).await?;
    let top = format!("{}&$top={SMALL}", list_path());
    let deep = if n >= MIN_BIG { Some(deep_page(&mut c, &host, n).await?) } else { None };
    let (mut first, mut half) = (Vec::with_capacity(STEP_ROUNDS), Vec::with_capacity(STEP_ROUNDS));
    for _ in 0..STEP_ROUNDS {
        let (d, p) = timed_get(&mut c, &host, &top).await?;
        check(&format!("{n} workspaces, first page"), &p, SMALL, n > SMALL, Some(ws_name(0)))?;
        first.push(d);
        if let Some(deep) = &deep {
            let (d, p) = timed_get(&mut c, &host, &deep.path).await?;
            check(&format!("{n} workspaces, page half-way"), &p, SMALL, true, Some(ws_name(deep.at)))?;
            half.push(d);
        }
    }
    Ok((stats(first), deep.map(|d| (stats(half), d.at))))
}

/// Generates, loads (alone) and measures one intermediate size.
fn step(
    rt: &tokio::runtime::Runtime,
    exe: &Path,
    data_dir: &Path,
    files: &Path,
    t: &Template,
    n: usize,
    opts: &Options,
) -> Result<Step, String> {
    let file = files.join(format!("state-{n}.json"));
    write_state(&file, t, n, opts.big_per_group, opts.big_dependents)?;
    let (p, addr, load) = load(exe, data_dir, &file)?;
    let (rss, hwm) = memory(p.child.id())?;
    let _ = std::fs::remove_file(&file);
    let (first, deep) = rt.block_on(step_pages(addr, n))?;
    drop(p);
    Ok(Step { n, load, rss, hwm, first, deep })
}

/// Generates, loads and measures; prints the section.
pub(super) fn run(
    rt: &tokio::runtime::Runtime,
    exe: &Path,
    data_dir: &Path,
    t: &Template,
    opts: &Options,
) -> Result<(), String> {
    let (n, per_group, own_deps) = (opts.big, opts.big_per_group, opts.big_dependents);
    let files = TempDir::new()?;
    let small_file = files.path().join(format!("state-{SMALL}.json"));
    let big_file = files.path().join(format!("state-{n}.json"));
    write_state(&small_file, t, SMALL, per_group, own_deps)?;
    let t0 = Instant::now();
    let big_bytes = write_state(&big_file, t, n, per_group, own_deps)?;
    let gen = t0.elapsed();

    let (small, small_addr, small_load) = load(exe, data_dir, &small_file)?;
    let (small_rss, small_hwm) = memory(small.child.id())?;
    let (big, big_addr, big_load) = load(exe, data_dir, &big_file)?;
    let (big_rss, big_hwm) = memory(big.child.id())?;
    // The document is no longer needed; free the disk space now.
    let _ = std::fs::remove_file(&big_file);
    let pages = rt.block_on(measure_pages((small_addr, small.child.id()), (big_addr, big.child.id()), n))?;
    let (big_rss_after, _) = memory(big.child.id())?;
    let (small_rss_after, _) = memory(small.child.id())?;
    drop(big);
    drop(small);

    let resources = if own_deps { 4 * n } else { n + 3 };
    let deps = if own_deps {
        "each with its own storage account, key vault and Application Insights"
    } else {
        "all sharing one storage account, key vault and Application Insights"
    };
    println!(
        "{n} workspaces loaded: generated state document, armemu --load ({} resource group(s) of up to {per_group} workspaces {deps}; {resources} resources; {:.0} MB written in {:.1} s)",
        n.div_ceil(per_group),
        big_bytes as f64 / 1e6,
        gen.as_secs_f64()
    );
    println!("  workspace GET body {} B (template created through the API of this emulator build)", t.ws_body_len);
    const L: usize = 46;
    const C: usize = 26;
    println!("  {:<L$} | {:>C$} | {:>C$} | bar", "", format!("{SMALL} workspaces"), format!("{n} workspaces"));
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
        "  {:<L$} | {:>C$} | {:>C$} | RSS <= {BAR_RSS_MB:.0} MB {}",
        "RSS after loading (VmRSS)",
        mbs(small_rss),
        mbs(big_rss),
        verdict(mb(big_rss) <= BAR_RSS_MB)
    );
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | VmHWM <= {BAR_HWM_MB:.0} MB {}",
        "peak RSS while loading (VmHWM)",
        mbs(small_hwm),
        mbs(big_hwm),
        verdict(mb(big_hwm) <= BAR_HWM_MB)
    );
    println!(
        "  {:<L$} | {:>C$} | {:>C$} |",
        "RSS after the list requests below",
        mbs(small_rss_after),
        mbs(big_rss_after)
    );
    let base = pages.small_first.median.as_secs_f64();
    println!(
        "  list page $top={SMALL}: median (p99) time and server CPU per request, {ROUNDS} rounds interleaved with the {SMALL}-workspace page"
    );
    let cell = |s: &Stats, cpu: Option<Duration>| format!("{:.3} ({:.3}) ms, {} µs", ms(s.median), ms(s.p99), us(cpu));
    let page_row = |label: &str, small: Option<String>, big: &Stats, cpu: Option<Duration>| {
        let ratio = big.median.as_secs_f64() / base;
        let cpu_ratio = match (cpu, pages.small_cpu) {
            (Some(b), Some(s)) if !s.is_zero() => format!("{:.2} x", b.as_secs_f64() / s.as_secs_f64()),
            _ => "-".into(),
        };
        println!(
            "  {:<L$} | {:>C$} | {:>C$} | {:.2} x (CPU {cpu_ratio}), time <= {BAR_PAGE_RATIO} x {}",
            label,
            small.unwrap_or_else(|| "-".into()),
            cell(big, cpu),
            ratio,
            verdict(ratio <= BAR_PAGE_RATIO)
        );
    };
    page_row("  first page", Some(cell(&pages.small_first, pages.small_cpu)), &pages.big_first, pages.big_first_cpu);
    page_row(
        &format!("  page at item {} ($skip of a nextLink)", pages.deep_at),
        None,
        &pages.big_deep,
        pages.big_deep_cpu,
    );
    println!(
        "  {:<L$} | {:>C$} | {:>C$} | (reference: {SMALL} vs {DEFAULT_PAGE} items)",
        format!("default page size: median (p99) of {}/{}", pages.default_small_n, pages.hops),
        format!("{:.3} ({:.3}) ms", ms(pages.default_small.median), ms(pages.default_small.p99)),
        format!("{:.2} ({:.2}) ms", ms(pages.default_big.median), ms(pages.default_big.p99)),
    );
    println!(
        "  note: a page with a nextLink also renders one look-ahead workspace and the link; the {SMALL}-workspace page has neither"
    );

    // The growth curve: the intermediate sizes, each loaded alone.
    let mut sizes: Vec<usize> = opts.big_steps.iter().copied().filter(|&s| s > SMALL && s < n).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut steps = Vec::with_capacity(sizes.len());
    let t0 = Instant::now();
    for &s in &sizes {
        steps.push(step(rt, exe, data_dir, files.path(), t, s, opts).map_err(|e| format!("{s} workspaces: {e}"))?);
    }
    if !steps.is_empty() {
        println!(
            "  growth: {} more states loaded one at a time, alone ({:.1} s); {STEP_ROUNDS} rounds of each $top={SMALL} page (reference, no bar)",
            steps.len(),
            t0.elapsed().as_secs_f64()
        );
        println!(
            "  {:>10} | {:>9} | {:>9} | {:>9} | {:>20} | {:>20}",
            "workspaces", "load", "VmRSS", "VmHWM", "first page med (p99)", "half-way med (p99)"
        );
        let med_p99 = |s: &Stats| format!("{:.3} ({:.3}) ms", ms(s.median), ms(s.p99));
        for st in &steps {
            println!(
                "  {:>10} | {:>9} | {:>9} | {:>9} | {:>20} | {:>20}",
                st.n,
                secs(st.load),
                mbs(st.rss),
                mbs(st.hwm),
                med_p99(&st.first),
                st.deep.as_ref().map(|(d, _)| med_p99(d)).unwrap_or_else(|| "-".into())
            );
        }
    }
    if let Some(dir) = &opts.plots {
        let pair = |s: &Stats| (ms(s.median), ms(s.p99));
        let mut points = vec![plots::GrowthPoint {
            workspaces: SMALL,
            rss_mb: mb(small_rss),
            hwm_mb: mb(small_hwm),
            first_ms: pair(&pages.small_first),
            deep_ms: None,
        }];
        points.extend(steps.iter().map(|st| plots::GrowthPoint {
            workspaces: st.n,
            rss_mb: mb(st.rss),
            hwm_mb: mb(st.hwm),
            first_ms: pair(&st.first),
            deep_ms: st.deep.as_ref().map(|(d, _)| pair(d)),
        }));
        points.push(plots::GrowthPoint {
            workspaces: n,
            rss_mb: mb(big_rss),
            hwm_mb: mb(big_hwm),
            first_ms: pair(&pages.big_first),
            deep_ms: Some(pair(&pages.big_deep)),
        });
        let shape = if own_deps { "own dependents each" } else { "shared dependents" };
        let note = format!("{per_group} per group, {shape}; {SMALL} and {n} loaded side by side, the others alone");
        plots::report(plots::growth(dir, &points, BAR_RSS_MB, BAR_HWM_MB, &note));
    }
    Ok(())
}
