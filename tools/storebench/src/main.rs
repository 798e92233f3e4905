//! storebench: compares three durable-log backends for armemu's change batches.
//!
//! Usage: `cargo run --release -- [--dir PATH] [--secs N] [--records N]`

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const RECORD_BYTES: usize = 1024;
const PRODUCERS: [usize; 3] = [1, 16, 64];
const LOAD_GROUP: usize = 1000;
const LOG_TABLE: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("log");

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Log,
    Sqlite,
    Redb,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Log => "framed log",
            Kind::Sqlite => "SQLite WAL, synchronous=FULL",
            Kind::Redb => "redb 2.x, Durability::Immediate",
        }
    }
}

/// One open backend. `append` makes a whole group durable before returning.
enum Store {
    Log(File),
    Sqlite(rusqlite::Connection),
    Redb(redb::Database),
}

impl Store {
    fn open(kind: Kind, dir: &Path) -> Res<Store> {
        fs::create_dir_all(dir)?;
        Ok(match kind {
            Kind::Log => {
                let f = OpenOptions::new().create(true).append(true).open(dir.join("log.bin"))?;
                File::open(dir)?.sync_all()?; // make the new directory entry durable
                Store::Log(f)
            }
            Kind::Sqlite => {
                let c = rusqlite::Connection::open(dir.join("log.sqlite"))?;
                c.pragma_update(None, "journal_mode", "WAL")?;
                c.pragma_update(None, "synchronous", "FULL")?;
                c.execute_batch("CREATE TABLE IF NOT EXISTS log(seq INTEGER PRIMARY KEY, body BLOB)")?;
                Store::Sqlite(c)
            }
            Kind::Redb => {
                let db = redb::Database::create(dir.join("log.redb"))?;
                let tx = db.begin_write()?;
                tx.open_table(LOG_TABLE)?;
                tx.commit()?;
                Store::Redb(db)
            }
        })
    }

    /// Appends records with sequence numbers `first..first+recs.len()`.
    fn append(&mut self, first: u64, recs: &[Vec<u8>], buf: &mut Vec<u8>) -> Res<()> {
        match self {
            Store::Log(f) => {
                buf.clear();
                for r in recs {
                    buf.extend_from_slice(&(r.len() as u32).to_le_bytes());
                    buf.extend_from_slice(&crc32fast::hash(r).to_le_bytes());
                    buf.extend_from_slice(r);
                }
                f.write_all(buf)?;
                f.sync_data()?;
            }
            Store::Sqlite(c) => {
                let tx = c.transaction()?;
                {
                    let mut st = tx.prepare_cached("INSERT INTO log(seq, body) VALUES (?1, ?2)")?;
                    for (i, r) in recs.iter().enumerate() {
                        st.execute(rusqlite::params![(first + i as u64) as i64, r])?;
                    }
                }
                tx.commit()?;
            }
            Store::Redb(db) => {
                let tx = db.begin_write()?;
                {
                    let mut t = tx.open_table(LOG_TABLE)?;
                    for (i, r) in recs.iter().enumerate() {
                        t.insert(first + i as u64, r.as_slice())?;
                    }
                }
                tx.commit()?;
            }
        }
        Ok(())
    }
}

/// Opens the store in `dir` and reads every record in order, checking that
/// sequence numbers are contiguous from 1 (and CRCs, for the log).
/// Returns (records, payload bytes).
fn read_back(kind: Kind, dir: &Path) -> Res<(u64, u64)> {
    let (mut n, mut bytes) = (0u64, 0u64);
    match kind {
        Kind::Log => {
            let mut rd = BufReader::with_capacity(1 << 20, File::open(dir.join("log.bin"))?);
            let mut hdr = [0u8; 8];
            let mut body = Vec::new();
            loop {
                match rd.read_exact(&mut hdr) {
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                    r => r?,
                }
                let len = u32::from_le_bytes(hdr[..4].try_into()?) as usize;
                let crc = u32::from_le_bytes(hdr[4..].try_into()?);
                body.resize(len, 0);
                rd.read_exact(&mut body)?; // a torn tail would be truncated here in real code
                if crc32fast::hash(&body) != crc {
                    return Err(format!("crc mismatch at record {}", n + 1).into());
                }
                n += 1;
                bytes += len as u64;
            }
        }
        Kind::Sqlite => {
            let c = rusqlite::Connection::open(dir.join("log.sqlite"))?;
            c.pragma_update(None, "journal_mode", "WAL")?;
            let mut st = c.prepare("SELECT seq, body FROM log ORDER BY seq")?;
            let mut rows = st.query([])?;
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                let body = row.get_ref(1)?.as_blob()?;
                n += 1;
                if seq as u64 != n {
                    return Err(format!("gap at {n}").into());
                }
                bytes += body.len() as u64;
            }
        }
        Kind::Redb => {
            use redb::ReadableTable;
            let db = redb::Database::create(dir.join("log.redb"))?;
            let tx = db.begin_read()?;
            let t = tx.open_table(LOG_TABLE)?;
            for item in t.iter()? {
                let (k, v) = item?;
                n += 1;
                if k.value() != n {
                    return Err(format!("gap at {n}").into());
                }
                bytes += v.value().len() as u64;
            }
        }
    }
    Ok((n, bytes))
}

/// Pseudo-random JSON resembling an ARM resource, padded to exactly `RECORD_BYTES`.
fn make_payloads(count: usize) -> Vec<Vec<u8>> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..count)
        .map(|i| {
            let mut v = serde_json::json!({
                "id": format!("/subscriptions/{:016x}/resourceGroups/rg{}/providers/Microsoft.Storage/storageAccounts/sa{:x}", rnd(), i % 97, rnd()),
                "type": "Microsoft.Storage/storageAccounts",
                "location": (["westeurope", "eastus", "japaneast"][i % 3]),
                "tags": {"env": format!("e{:x}", rnd() % 4096), "owner": format!("{:x}", rnd())},
                "properties": {"provisioningState": "Succeeded", "etag": format!("{:x}{:x}", rnd(), rnd()), "pad": ""},
            });
            let len = serde_json::to_vec(&v).expect("json").len();
            let pad: String = (0..RECORD_BYTES.saturating_sub(len))
                .map(|_| char::from(b'a' + (rnd() % 26) as u8))
                .collect();
            v["properties"]["pad"] = pad.into();
            serde_json::to_vec(&v).expect("json")
        })
        .collect()
}

#[derive(Default)]
struct Shared {
    queue: Vec<Vec<u8>>,
    next_seq: u64, // sequence number of the next enqueued record
    durable: u64,  // highest sequence number known to be durable
    stop: bool,
    failed: Option<String>,
}

/// Workload A: `k` producers each enqueue one record and wait for it to become
/// durable; one writer drains the queue as a group. Returns (records/s, mean group).
fn group_commit(kind: Kind, dir: &Path, k: usize, secs: f64, pool: &[Vec<u8>]) -> Res<(f64, f64)> {
    let mut store = Store::open(kind, dir)?;
    let st = Mutex::new(Shared { next_seq: 1, ..Default::default() });
    let (work, durable) = (Condvar::new(), Condvar::new());
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let (records, groups) = std::thread::scope(|sc| {
        for p in 0..k {
            let (st, work, durable) = (&st, &work, &durable);
            sc.spawn(move || {
                let mut i = p;
                while Instant::now() < deadline {
                    let mut g = st.lock().unwrap();
                    if g.stop {
                        return;
                    }
                    let seq = g.next_seq;
                    g.next_seq += 1;
                    g.queue.push(pool[i % pool.len()].clone());
                    work.notify_one();
                    while g.durable < seq && !g.stop {
                        g = durable.wait(g).unwrap();
                    }
                    i += k;
                }
            });
        }
        let (mut records, mut groups, mut buf) = (0u64, 0u64, Vec::new());
        loop {
            let mut g = st.lock().unwrap();
            while g.queue.is_empty() && Instant::now() < deadline {
                g = work.wait_timeout(g, Duration::from_millis(5)).unwrap().0;
            }
            if g.queue.is_empty() {
                g.stop = true;
                durable.notify_all();
                break;
            }
            let batch = std::mem::take(&mut g.queue);
            let first = g.durable + 1;
            drop(g);
            let res = store.append(first, &batch, &mut buf);
            let mut g = st.lock().unwrap();
            if let Err(e) = res {
                g.failed = Some(e.to_string());
                g.stop = true;
                durable.notify_all();
                break;
            }
            g.durable = first + batch.len() as u64 - 1;
            durable.notify_all();
            records += batch.len() as u64;
            groups += 1;
        }
        (records, groups)
    });
    let elapsed = start.elapsed().as_secs_f64();
    if let Some(e) = st.into_inner().unwrap().failed {
        return Err(e.into());
    }
    Ok((records as f64 / elapsed, records as f64 / groups.max(1) as f64))
}

/// Single-record append+sync latency from the calling thread: (mean, p50, p99) in µs.
fn latency(kind: Kind, dir: &Path, secs: f64, pool: &[Vec<u8>]) -> Res<(f64, f64, f64)> {
    let mut store = Store::open(kind, dir)?;
    let (mut lat, mut buf) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < deadline {
        let rec = std::slice::from_ref(&pool[lat.len() % pool.len()]);
        let t = Instant::now();
        store.append(lat.len() as u64 + 1, rec, &mut buf)?;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    lat.sort_by(f64::total_cmp);
    let pick = |q: f64| lat[((lat.len() - 1) as f64 * q) as usize];
    Ok((lat.iter().sum::<f64>() / lat.len() as f64, pick(0.5), pick(0.99)))
}

/// (apparent bytes, allocated bytes) of the files in `dir`.
fn dir_bytes(dir: &Path) -> Res<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let (mut len, mut alloc) = (0, 0);
    for e in fs::read_dir(dir)? {
        let m = e?.metadata()?;
        len += m.len();
        alloc += m.blocks() * 512;
    }
    Ok((len, alloc))
}

/// Flushes every file in `dir` and asks the kernel to drop its cached pages,
/// so the next read comes from the device (approximates a cold restart).
fn evict_cache(dir: &Path) -> Res<()> {
    use std::os::fd::AsRawFd;
    for e in fs::read_dir(dir)? {
        let f = File::open(e?.path())?;
        f.sync_all()?;
        // SAFETY: valid open fd; advisory call with no memory arguments.
        let rc = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc).into());
        }
    }
    Ok(())
}

/// Workload B: bulk-load `n` records (groups of `LOAD_GROUP`), close, then time
/// open + full ordered read, first with the page cache dropped, then warm.
/// Returns (load s, cold restart s, warm restart s, (apparent, allocated) bytes).
fn restart(kind: Kind, dir: &Path, n: usize, pool: &[Vec<u8>]) -> Res<(f64, f64, f64, (u64, u64))> {
    let t = Instant::now();
    {
        let mut store = Store::open(kind, dir)?;
        let mut buf = Vec::new();
        for start in (0..n).step_by(LOAD_GROUP) {
            let recs: Vec<Vec<u8>> = (start..n.min(start + LOAD_GROUP)).map(|i| pool[i % pool.len()].clone()).collect();
            store.append(start as u64 + 1, &recs, &mut buf)?;
        }
    }
    let load = t.elapsed().as_secs_f64();
    let disk = dir_bytes(dir)?;
    evict_cache(dir)?;
    let mut times = [0.0; 2];
    for t_out in &mut times {
        let t = Instant::now();
        let (count, bytes) = read_back(kind, dir)?;
        *t_out = t.elapsed().as_secs_f64();
        if count != n as u64 || bytes != (n * RECORD_BYTES) as u64 {
            return Err(format!("read back {count} records / {bytes} bytes, expected {n}").into());
        }
    }
    Ok((load, times[0], times[1], disk))
}

fn cell<T>(r: &Res<T>, f: impl Fn(&T) -> String) -> String {
    match r {
        Ok(v) => f(v),
        Err(e) => format!("| error: {e} "),
    }
}

fn main() -> Res<()> {
    let mut dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.cache/storebench-data"));
    let (mut secs, mut records) = (3.0f64, 400_000usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().ok_or("missing value")?;
        match a.as_str() {
            "--dir" => dir = v.into(),
            "--secs" => secs = v.parse()?,
            "--records" => records = v.parse()?,
            _ => return Err(format!("unknown flag {a}; flags: --dir --secs --records").into()),
        }
    }
    let pool = make_payloads(512);
    assert!(pool.iter().all(|p| p.len() == RECORD_BYTES));
    // Deleting hundreds of MB on a filesystem mounted with `discard` stalls
    // later fsyncs for a while, so every run gets its own directory, removed
    // right after it is measured, followed by sync() and a short pause.
    let settle = |d: &Path| {
        let _ = fs::remove_dir_all(d);
        // SAFETY: sync(2) takes no arguments and cannot fail.
        unsafe { libc::sync() };
        std::thread::sleep(Duration::from_millis(500));
    };
    settle(&dir);
    let mut a_rows = Vec::new();
    let mut b_rows = Vec::new();
    for kind in [Kind::Log, Kind::Sqlite, Kind::Redb] {
        let d = dir.join(format!("lat-{}", kind as u8));
        let lat = latency(kind, &d, secs, &pool);
        settle(&d);
        let mut row = format!("| {} ", kind.name());
        row += &cell(&lat, |(m, p50, p99)| format!("| {m:.0} / {p50:.0} / {p99:.0} "));
        for k in PRODUCERS {
            let d = dir.join(format!("a-{}-{k}", kind as u8));
            let r = group_commit(kind, &d, k, secs, &pool);
            settle(&d);
            row += &cell(&r, |(rps, g)| format!("| {rps:.0} (group {g:.1}) "));
            eprintln!("{} K={k}: {}", kind.name(), cell(&r, |(rps, g)| format!("{rps:.0}/s, group {g:.1}")));
        }
        a_rows.push(row + "|");
    }
    for kind in [Kind::Log, Kind::Sqlite, Kind::Redb] {
        let d = dir.join(format!("b-{}", kind as u8));
        let r = restart(kind, &d, records, &pool);
        settle(&d);
        let payload = (records * RECORD_BYTES) as f64;
        let b_cell = cell(&r, |(l, cold, warm, (len, alloc))| {
            format!(
                "| {l:.2} | {cold:.2} | {warm:.2} | {:.0} / {:.0} | {:.2}x ",
                *len as f64 / 1048576.0,
                *alloc as f64 / 1048576.0,
                *alloc as f64 / payload
            )
        });
        eprintln!("{} restart: {b_cell}", kind.name());
        b_rows.push(format!("| {} {b_cell}|", kind.name()));
    }
    settle(&dir);

    println!("### Workload A: group commit, {RECORD_BYTES}-byte records, {secs} s per point\n");
    println!("| backend | single append+sync µs (mean / p50 / p99) | K=1 durable rec/s | K=16 durable rec/s | K=64 durable rec/s |");
    println!("|---|---|---|---|---|");
    a_rows.iter().for_each(|r| println!("{r}"));
    println!("\n### Workload B: {records} records of {RECORD_BYTES} bytes, loaded in groups of {LOAD_GROUP}\n");
    println!("| backend | load s | open + read-back s, cold cache | same, warm cache | on-disk MiB (apparent / allocated) | allocated / payload |");
    println!("|---|---|---|---|---|---|");
    b_rows.iter().for_each(|r| println!("{r}"));
    Ok(())
}
