//! `make fuzz`: a long HTTP fuzz run; prints the counts and exits 1 on any failure.
//! `armfuzz [REQUESTS] [SEED]` (default 1,000,000 in-process + 20,000 over a socket), then the
//! concurrent phase: `FUZZ_THREADS` threads (default 4) × `FUZZ_CONCURRENT_REQUESTS` requests
//! (default 100,000).

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| std::process::id() as u64);
    let threads: usize = env_or("FUZZ_THREADS", 4);
    let per_thread: u64 = env_or("FUZZ_CONCURRENT_REQUESTS", 100_000);
    println!("fuzz seed {seed}");
    let mut report = conformance::fuzz::run(n, 20_000, seed);
    report.merge(conformance::fuzz::run_concurrent(threads, per_thread, seed));
    report.print();
    let failed = !report.failures.is_empty();
    std::process::exit(if failed { 1 } else { 0 });
}
