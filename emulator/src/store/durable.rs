//! Durable state (`armemu --state-dir DIR`): a write-ahead log of committed batches with group
//! commit, snapshots in the export format, compaction, and recovery that refuses a damaged or
//! foreign directory instead of losing data silently.
//!
//! ## The directory
//! - `armemu-state-dir.json`: the marker (format and version); a non-empty directory without it
//!   is refused.
//! - `snapshot-<lsn>.json`: the whole state as of log position `lsn`, in the export format of
//!   `GET /_emulator/state` (a snapshot can be `--load`ed); `snapshot-<lsn>.meta.json` beside it
//!   holds the named settings (clock, runtime settings) and the commit number at that position.
//!   Both are written to a temporary name, synced and renamed, so a snapshot is whole or absent.
//! - `log-<first lsn>.wal`: frames `[length u32 LE][CRC-32 of the payload u32 LE][payload]`,
//!   each payload one JSON record with its log sequence number (`lsn`, consecutive across
//!   files): a committed batch, a named setting, or a whole replaced state (reset, import).
//!
//! ## Writing
//! The store tells [`Durable`] every committed batch under its write lock, so records are
//! numbered in commit order; a writer thread takes everything queued, writes it with one
//! `write` and one `fdatasync` (group commit: requests that arrive while a sync runs share the
//! next one), then publishes the durable position. The server answers a request only once the
//! position it read after the request is durable ([`Durable::wait`]), so no answer shows a state
//! a crash could lose. When the current log passes a threshold, the writer starts a new log
//! file and a compaction thread writes a snapshot of a pinned state (no lock held while it
//! writes), then deletes the snapshots and logs it covers: the directory stays bounded by about
//! one snapshot and one threshold of log.
//!
//! ## Recovery
//! The newest whole snapshot, then every record after it, in order. A frame that does not
//! check out at the end of the newest log is a write the crash interrupted (never acknowledged:
//! its sync had not returned) and is cut off with a warning; anywhere else, or a gap in the
//! numbering, is damage and refuses the start with a message naming the file and offset.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Condvar, Mutex};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::change::Commit;
use super::document::{self, Export};
use super::state::State;
use super::Store;

const MARKER: &str = "armemu-state-dir.json";
const MARKER_FORMAT: &str = "armemu-state-dir";
/// The version of the directory's layout and record format.
pub const DIR_VERSION: u32 = 1;
/// A frame larger than this is damage, not a record (state imports are limited well below).
const MAX_FRAME: u32 = 1 << 30;

/// The named settings recorded with the state (`clock`, `settings`), as JSON.
pub type Meta = BTreeMap<String, Value>;

/// What recovery found.
pub struct Recovered {
    pub state: State,
    pub meta: Meta,
    /// The last commit number (the store continues after it).
    pub seq: u64,
    /// Bytes of an interrupted write cut off the end of the log.
    pub cut_bytes: u64,
}

/// The durable log of one store.
#[derive(Clone)]
pub struct Durable {
    shared: Arc<Shared>,
}

struct Shared {
    dir: PathBuf,
    queue: Mutex<Queue>,
    wake: Condvar,
    /// The last durable lsn, and whether writing failed.
    progress: Mutex<Progress>,
    progressed: Condvar,
    watch: tokio::sync::watch::Sender<Progress>,
    /// The last lsn queued (what an answer must wait for).
    appended: AtomicU64,
    failure: Mutex<Option<String>>,
    store: OnceLock<Store>,
    compacting: AtomicBool,
    snapshot_bytes: AtomicU64,
    log_limit: u64,
    stats: Stats,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    compactor: Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[derive(Default)]
struct Stats {
    syncs: AtomicU64,
    records: AtomicU64,
    compactions: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Progress {
    lsn: u64,
    failed: bool,
}

struct Queue {
    next_lsn: u64,
    pending: Vec<(u64, Pending)>,
    /// The named settings as of the last queued record (a snapshot takes them with the state).
    meta: Meta,
    /// The last commit number queued.
    seq: u64,
    closing: bool,
}

enum Pending {
    Commit(Commit),
    Meta(String, Value),
    /// A whole state, already encoded as an export document.
    Replace(Vec<u8>),
}

/// A record as written.
#[derive(Serialize)]
struct RecordOut<'a> {
    lsn: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a Commit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<MetaOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct MetaOut<'a> {
    key: &'a str,
    value: &'a Value,
}

/// A record as read.
#[derive(Deserialize)]
struct RecordIn {
    lsn: u64,
    #[serde(default)]
    commit: Option<Commit>,
    #[serde(default)]
    meta: Option<MetaIn>,
    #[serde(default)]
    replace: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct MetaIn {
    key: String,
    value: Value,
}

/// The sidecar of a snapshot.
#[derive(Serialize, Deserialize)]
struct SnapshotMeta {
    lsn: u64,
    seq: u64,
    meta: Meta,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    format: String,
    version: u32,
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

fn snapshot_path(dir: &Path, lsn: u64) -> PathBuf {
    dir.join(format!("snapshot-{lsn:020}.json"))
}

fn snapshot_meta_path(dir: &Path, lsn: u64) -> PathBuf {
    dir.join(format!("snapshot-{lsn:020}.meta.json"))
}

fn log_path(dir: &Path, first: u64) -> PathBuf {
    dir.join(format!("log-{first:020}.wal"))
}

/// The numbered files of one kind in the directory, sorted by number.
fn numbered(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<(u64, PathBuf)>, String> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))? {
        let e = e.map_err(io(format!("reading {}", dir.display())))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(n) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)) {
            if let Ok(n) = n.parse::<u64>() {
                out.push((n, e.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(format!("syncing {}", dir.display())))
}

/// Writes `bytes` to `path` whole or not at all (temporary file, sync, rename; the caller syncs
/// the directory).
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let run = || -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    run().map_err(io(format!("writing {}", path.display())))
}

fn write_snapshot(
    dir: &Path,
    lsn: u64,
    seq: u64,
    state: &State,
    clock: chrono::DateTime<chrono::Utc>,
    meta: &Meta,
) -> Result<u64, String> {
    let side = SnapshotMeta { lsn, seq, meta: meta.clone() };
    write_atomically(&snapshot_meta_path(dir, lsn), |w| {
        serde_json::to_writer(w, &side).map_err(std::io::Error::other)
    })?;
    let path = snapshot_path(dir, lsn);
    write_atomically(&path, |w| serde_json::to_writer(w, &Export { state, clock }).map_err(std::io::Error::other))?;
    sync_dir(dir)?;
    Ok(fs::metadata(&path).map(|m| m.len()).unwrap_or(0))
}

/// Appends one frame.
fn frame(buf: &mut Vec<u8>, payload: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>) -> serde_json::Result<()> {
    let start = buf.len();
    buf.extend_from_slice(&[0u8; 8]);
    payload(buf)?;
    let len = (buf.len() - start - 8) as u32;
    let crc = crc32fast::hash(&buf[start + 8..]);
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    buf[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    Ok(())
}

fn encode(buf: &mut Vec<u8>, lsn: u64, p: &Pending) -> serde_json::Result<()> {
    frame(buf, |b| match p {
        Pending::Commit(c) => serde_json::to_writer(b, &RecordOut { lsn, commit: Some(c), meta: None, replace: None }),
        Pending::Meta(k, v) => serde_json::to_writer(
            b,
            &RecordOut { lsn, commit: None, meta: Some(MetaOut { key: k, value: v }), replace: None },
        ),
        Pending::Replace(doc) => {
            let raw: &RawValue = serde_json::from_slice(doc)?;
            serde_json::to_writer(b, &RecordOut { lsn, commit: None, meta: None, replace: Some(raw) })
        }
    })
}

/// The frames of one log file: each payload with its offset; stops at the first frame that
/// does not check out and says where.
struct Frames {
    records: Vec<(u64, Vec<u8>)>,
    /// Where the first bad frame starts, why, and whether it is what an interrupted write
    /// leaves at the end (rather than damage).
    bad_at: Option<(u64, String, bool)>,
    len: u64,
}

fn read_frames(path: &Path) -> Result<Frames, String> {
    let mut bytes = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(io(format!("reading {}", path.display())))?;
    let mut records = Vec::new();
    let mut at = 0usize;
    let bad_at = loop {
        if at == bytes.len() {
            break None;
        }
        let rest = &bytes[at..];
        // What a write interrupted by a crash leaves: a frame cut short, zeros, or a last frame
        // whose pages did not all reach the disk. Anything else is damage.
        let torn = |why: &str| Some((at as u64, why.to_string(), true));
        if rest.iter().all(|b| *b == 0) {
            break torn("the log ends in zeros");
        }
        if rest.len() < 8 {
            break torn("a frame header is cut short");
        }
        let len = u32::from_le_bytes(rest[..4].try_into().unwrap_or_default());
        let crc = u32::from_le_bytes(rest[4..8].try_into().unwrap_or_default());
        if len == 0 || len > MAX_FRAME {
            break Some((at as u64, format!("a frame claims {len} bytes"), false));
        }
        let end = 8 + len as usize;
        if end > rest.len() {
            break torn("a frame is cut short");
        }
        if crc32fast::hash(&rest[8..end]) != crc {
            if end == rest.len() {
                break torn("the last frame's checksum does not match");
            }
            break Some((at as u64, "a frame's checksum does not match".to_string(), false));
        }
        records.push((at as u64, rest[8..end].to_vec()));
        at += end;
    };
    Ok(Frames { records, bad_at, len: bytes.len() as u64 })
}

fn damaged(dir: &Path, what: String) -> String {
    format!(
        "the state directory {} is damaged: {what}. Nothing was changed; move the directory aside \
         (or start with another --state-dir) to start from an empty state",
        dir.display()
    )
}

impl Durable {
    /// True when `dir` already is a state directory.
    pub fn exists(dir: &Path) -> bool {
        dir.join(MARKER).exists()
    }

    /// Opens (or creates) a state directory and recovers its state. `initial` gives the state
    /// of a new directory and `initial_meta` its settings; a log longer than `log_limit` bytes
    /// (or than the last snapshot) is compacted.
    pub fn open(
        dir: &Path,
        initial: impl FnOnce() -> Result<State, String>,
        initial_meta: Meta,
        clock: chrono::DateTime<chrono::Utc>,
        log_limit: u64,
    ) -> Result<(Durable, Recovered), String> {
        fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        let marker = dir.join(MARKER);
        let fresh = !marker.exists();
        let mut created = None;
        if fresh {
            let stray: Vec<String> = fs::read_dir(dir)
                .map_err(io(format!("reading {}", dir.display())))?
                .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
                .collect();
            if !stray.is_empty() {
                return Err(format!(
                    "{} is not an armemu state directory (it has no {MARKER} but holds {}); give an empty or new directory",
                    dir.display(),
                    stray.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            let state = initial()?;
            let bytes = write_snapshot(dir, 0, 0, &state, clock, &initial_meta)?;
            let m = Marker { format: MARKER_FORMAT.into(), version: DIR_VERSION };
            write_atomically(&marker, |w| serde_json::to_writer(w, &m).map_err(std::io::Error::other))?;
            // The state just written is the recovered one: no need to read it back.
            let rec = Recovered { state, meta: initial_meta, seq: 0, cut_bytes: 0 };
            created = Some((rec, 1, new_log(dir, 1)?, 0, bytes));
        } else {
            let text = fs::read(&marker).map_err(io(format!("reading {}", marker.display())))?;
            let m: Marker =
                serde_json::from_slice(&text).map_err(|e| damaged(dir, format!("{MARKER} is not readable ({e})")))?;
            if m.format != MARKER_FORMAT {
                return Err(format!(
                    "{} is not an armemu state directory ({MARKER} says '{}')",
                    dir.display(),
                    m.format
                ));
            }
            if m.version != DIR_VERSION {
                return Err(format!(
                    "the state directory {} has format version {} and this armemu reads version {DIR_VERSION}",
                    dir.display(),
                    m.version
                ));
            }
        }
        // Leftovers of a write that a crash interrupted.
        for e in fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))?.flatten() {
            if e.path().extension().is_some_and(|x| x == "tmp") {
                let _ = fs::remove_file(e.path());
            }
        }
        let (rec, next_lsn, log, log_bytes, snapshot_bytes) = match created {
            Some(c) => c,
            None => recover(dir)?,
        };
        let (watch, _) = tokio::sync::watch::channel(Progress { lsn: next_lsn - 1, failed: false });
        let shared = Arc::new(Shared {
            dir: dir.to_path_buf(),
            queue: Mutex::new(Queue {
                next_lsn,
                pending: Vec::new(),
                meta: rec.meta.clone(),
                seq: rec.seq,
                closing: false,
            }),
            wake: Condvar::new(),
            progress: Mutex::new(Progress { lsn: next_lsn - 1, failed: false }),
            progressed: Condvar::new(),
            watch,
            appended: AtomicU64::new(next_lsn - 1),
            failure: Mutex::new(None),
            store: OnceLock::new(),
            compacting: AtomicBool::new(false),
            snapshot_bytes: AtomicU64::new(snapshot_bytes),
            log_limit,
            stats: Stats::default(),
            writer: Mutex::new(None),
            compactor: Mutex::new(None),
        });
        let s = shared.clone();
        let handle = std::thread::Builder::new()
            .name("armemu-wal".into())
            .spawn(move || writer(s, log, log_bytes))
            .map_err(io("starting the log writer"))?;
        *shared.writer.lock() = Some(handle);
        Ok((Durable { shared }, rec))
    }

    /// Makes the store's commits and replacements durable from now on (once per store).
    pub fn attach(&self, store: &Store) {
        if self.shared.store.set(store.clone()).is_err() {
            return;
        }
        store.continue_after(self.shared.queue.lock().seq);
        let s = self.shared.clone();
        store.observe(Arc::new(move |c: &Commit| {
            let mut q = s.queue.lock();
            q.seq = c.seq;
            push(&s, &mut q, Pending::Commit(c.clone()));
        }));
        let s = self.shared.clone();
        let clock = store.clock().clone();
        store.observe_replace(Arc::new(move |state: &State| {
            match serde_json::to_vec(&Export { state, clock: clock.now() }) {
                Ok(doc) => {
                    let mut q = s.queue.lock();
                    push(&s, &mut q, Pending::Replace(doc));
                }
                Err(e) => fail(&s, format!("encoding a replaced state: {e}")),
            }
        }));
    }

    /// Records a named setting (the clock, the runtime settings) as it now is. Callers
    /// serialise changes of one setting with their recording, so the log has them in the
    /// order they took effect.
    pub fn put_meta(&self, key: &str, value: Value) {
        let mut q = self.shared.queue.lock();
        q.meta.insert(key.to_string(), value.clone());
        push(&self.shared, &mut q, Pending::Meta(key.to_string(), value));
    }

    /// The last record queued: an answer computed now waits until it is durable.
    pub fn appended(&self) -> u64 {
        self.shared.appended.load(Ordering::Acquire)
    }

    /// True when everything up to `lsn` is on disk (no need to wait).
    pub fn is_durable(&self, lsn: u64) -> bool {
        let p = *self.shared.watch.borrow();
        p.lsn >= lsn
    }

    /// Waits until `lsn` is durable; an error when the log can no longer be written.
    pub async fn wait(&self, lsn: u64) -> Result<(), String> {
        let mut rx = self.shared.watch.subscribe();
        let p = rx.wait_for(|p| p.lsn >= lsn || p.failed).await.map(|p| *p);
        match p {
            Ok(p) if p.lsn >= lsn => Ok(()),
            _ => Err(self.failure()),
        }
    }

    /// As [`Durable::wait`], blocking the thread (in-process callers).
    pub fn wait_blocking(&self, lsn: u64) -> Result<(), String> {
        let mut p = self.shared.progress.lock();
        while p.lsn < lsn && !p.failed {
            self.shared.progressed.wait(&mut p);
        }
        if p.lsn >= lsn {
            Ok(())
        } else {
            Err(self.failure())
        }
    }

    /// Why writing stopped (empty while it works).
    pub fn failure(&self) -> String {
        self.shared.failure.lock().clone().unwrap_or_default()
    }

    /// Flushes what is queued and stops the writer (a graceful shutdown).
    pub fn close(&self) {
        self.shared.queue.lock().closing = true;
        self.shared.wake.notify_all();
        if let Some(h) = self.shared.writer.lock().take() {
            let _ = h.join();
        }
        if let Some(h) = self.shared.compactor.lock().take() {
            let _ = h.join();
        }
    }

    /// Figures for `/_emulator/health` and the bench: syncs, records, compactions.
    pub fn figures(&self) -> Value {
        let st = &self.shared.stats;
        serde_json::json!({
            "dir": self.shared.dir.display().to_string(),
            "durableLsn": self.shared.watch.borrow().lsn,
            "syncs": st.syncs.load(Ordering::Relaxed),
            "records": st.records.load(Ordering::Relaxed),
            "compactions": st.compactions.load(Ordering::Relaxed),
            "bytes": dir_bytes(&self.shared.dir),
        })
    }
}

fn push(s: &Shared, q: &mut Queue, p: Pending) {
    let lsn = q.next_lsn;
    q.next_lsn += 1;
    q.pending.push((lsn, p));
    s.appended.store(lsn, Ordering::Release);
    s.wake.notify_one();
}

fn fail(s: &Shared, why: String) {
    tracing::error!("the state directory can no longer be written: {why}");
    s.failure.lock().get_or_insert(format!("the state directory can no longer be written: {why}"));
    progress(s, |p| p.failed = true);
}

fn publish(s: &Shared, lsn: u64) {
    progress(s, |p| p.lsn = lsn);
}

/// Changes the progress and tells both kinds of waiter (blocked threads and tasks).
fn progress(s: &Shared, change: impl FnOnce(&mut Progress)) {
    let mut p = s.progress.lock();
    change(&mut p);
    let now = *p;
    drop(p);
    s.progressed.notify_all();
    s.watch.send_replace(now);
}

/// Starts the log file whose first record is `first` (synced into the directory).
fn new_log(dir: &Path, first: u64) -> Result<File, String> {
    let path = log_path(dir, first);
    let f =
        OpenOptions::new().create(true).append(true).open(&path).map_err(io(format!("creating {}", path.display())))?;
    sync_dir(dir)?;
    Ok(f)
}

/// The writer thread: one write and one sync per group of queued records.
fn writer(s: Arc<Shared>, mut file: File, mut file_bytes: u64) {
    let mut buf = Vec::with_capacity(1 << 20);
    loop {
        let batch = {
            let mut q = s.queue.lock();
            while q.pending.is_empty() && !q.closing {
                s.wake.wait(&mut q);
            }
            if q.pending.is_empty() {
                return;
            }
            std::mem::take(&mut q.pending)
        };
        buf.clear();
        let last = batch.last().map(|(l, _)| *l).unwrap_or(0);
        let encoded = batch.iter().try_for_each(|(lsn, p)| encode(&mut buf, *lsn, p));
        if let Err(e) = encoded {
            return fail(&s, format!("encoding a record: {e}"));
        }
        if let Err(e) = file.write_all(&buf).and_then(|_| file.sync_data()) {
            return fail(&s, e.to_string());
        }
        s.stats.syncs.fetch_add(1, Ordering::Relaxed);
        s.stats.records.fetch_add(batch.len() as u64, Ordering::Relaxed);
        drop(batch);
        file_bytes += buf.len() as u64;
        publish(&s, last);
        let threshold = s.log_limit.max(s.snapshot_bytes.load(Ordering::Relaxed));
        if file_bytes > threshold && s.store.get().is_some() && !s.compacting.swap(true, Ordering::AcqRel) {
            // A new log file for what follows; the compaction covers at least the old one.
            match new_log(&s.dir, last + 1) {
                Ok(f) => {
                    file = f;
                    file_bytes = 0;
                }
                Err(e) => return fail(&s, e),
            }
            let c = s.clone();
            let spawned = std::thread::Builder::new().name("armemu-compact".into()).spawn(move || {
                if let Err(e) = checkpoint(&c) {
                    tracing::error!("compaction failed (the log keeps everything): {e}");
                }
                c.compacting.store(false, Ordering::Release);
            });
            match spawned {
                Ok(h) => {
                    // The previous compaction has finished (`compacting` was false).
                    if let Some(old) = s.compactor.lock().replace(h) {
                        let _ = old.join();
                    }
                }
                Err(_) => s.compacting.store(false, Ordering::Release),
            }
        }
    }
}

/// Snapshots a pinned state and deletes the snapshots and logs it covers.
fn checkpoint(s: &Shared) -> Result<(), String> {
    let store = s.store.get().ok_or("the log is not attached to a store")?;
    let (state, lsn, seq, meta) = store.pinned(|st| {
        let q = s.queue.lock();
        (st.clone(), q.next_lsn - 1, q.seq, q.meta.clone())
    });
    let bytes = write_snapshot(&s.dir, lsn, seq, &state, store.clock().now(), &meta)?;
    drop(state);
    s.snapshot_bytes.store(bytes, Ordering::Relaxed);
    s.stats.compactions.fetch_add(1, Ordering::Relaxed);
    prune(&s.dir, lsn)
}

/// Deletes snapshots older than `lsn` and the logs whose records are all at or before it.
fn prune(dir: &Path, lsn: u64) -> Result<(), String> {
    for (n, p) in numbered(dir, "snapshot-", ".json")? {
        if n < lsn {
            let _ = fs::remove_file(&p);
            let _ = fs::remove_file(snapshot_meta_path(dir, n));
        }
    }
    let logs = numbered(dir, "log-", ".wal")?;
    for w in logs.windows(2) {
        if w[1].0 <= lsn + 1 {
            let _ = fs::remove_file(&w[0].1);
        }
    }
    sync_dir(dir)
}

/// Loads the newest snapshot and replays the logs after it. Returns what was recovered, the
/// next lsn, the log file to append to and its length, and the snapshot's size.
fn recover(dir: &Path) -> Result<(Recovered, u64, File, u64, u64), String> {
    let snapshots = numbered(dir, "snapshot-", ".json")?;
    let Some((lsn0, path)) = snapshots.last().cloned() else {
        return Err(damaged(dir, "it holds no snapshot".into()));
    };
    let side_path = snapshot_meta_path(dir, lsn0);
    let side: SnapshotMeta = fs::read(&side_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_slice(&t).map_err(|e| e.to_string()))
        .map_err(|e| damaged(dir, format!("{}: {e}", side_path.display())))?;
    let file = File::open(&path).map_err(io(format!("reading {}", path.display())))?;
    let snapshot_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let imported = document::read(file, &[], &[]).map_err(|e| damaged(dir, format!("{}: {e}", path.display())))?;
    let mut state = imported.state;
    let mut meta = side.meta;
    let mut seq = side.seq;
    let mut next = lsn0 + 1;
    let mut cut = 0u64;

    let logs = numbered(dir, "log-", ".wal")?;
    // Logs whose successor starts at or before the snapshot's next record are covered by it.
    let start = logs.iter().rposition(|(first, _)| *first <= next).unwrap_or(0);
    let live = &logs[start.min(logs.len())..];
    for (i, (first, path)) in live.iter().enumerate() {
        let is_last = i + 1 == live.len();
        if *first > next {
            return Err(damaged(
                dir,
                format!("{} starts at record {first} but record {next} is missing", path.display()),
            ));
        }
        let frames = read_frames(path)?;
        for (offset, payload) in &frames.records {
            let rec: RecordIn = serde_json::from_slice(payload)
                .map_err(|e| damaged(dir, format!("{} at offset {offset}: {e}", path.display())))?;
            if rec.lsn < next {
                continue;
            }
            if rec.lsn != next {
                return Err(damaged(
                    dir,
                    format!("{} at offset {offset}: record {} where {next} was expected", path.display(), rec.lsn),
                ));
            }
            let at = |what: String| {
                damaged(dir, format!("{} at offset {offset} (record {}): {what}", path.display(), rec.lsn))
            };
            if let Some(c) = rec.commit {
                state.apply_batch(&c.changes, c.at).map_err(|e| at(format!("the batch is refused: {e}")))?;
                seq = c.seq;
            } else if let Some(m) = rec.meta {
                meta.insert(m.key, m.value);
            } else if let Some(doc) = rec.replace {
                state = document::read_slice(doc.get().as_bytes()).map_err(|e| at(e.to_string()))?.state;
            } else {
                return Err(at("an unknown kind of record".into()));
            }
            next += 1;
        }
        if let Some((offset, why, torn)) = frames.bad_at {
            if !is_last || !torn {
                return Err(damaged(dir, format!("{} at offset {offset}: {why}", path.display())));
            }
            // The end of the newest log: a write the crash interrupted, never acknowledged.
            cut = frames.len - offset;
            tracing::warn!(
                "{}: cutting off {cut} bytes of a write interrupted at offset {offset} ({why})",
                path.display()
            );
            OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| {
                    f.set_len(offset)?;
                    f.sync_all()
                })
                .map_err(io(format!("truncating {}", path.display())))?;
        }
    }
    // Append to the newest log when it ends where we are, else start one.
    let (log, log_bytes) = match live.last() {
        Some((first, path))
            if *first == next || fs::metadata(path).map(|m| m.len()).unwrap_or(1) == 0 && *first <= next =>
        {
            let f = OpenOptions::new().append(true).open(path).map_err(io(format!("opening {}", path.display())))?;
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            (f, len)
        }
        _ => (new_log(dir, next)?, 0),
    };
    let rec = Recovered { state, meta, seq, cut_bytes: cut };
    Ok((rec, next, log, log_bytes, snapshot_bytes))
}

/// The bytes the directory's files take.
fn dir_bytes(dir: &Path) -> u64 {
    fs::read_dir(dir).map(|it| it.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
}
