//! `make fuzz`: a long HTTP fuzz run; prints the counts and exits 1 on any failure.
//! `armfuzz [REQUESTS] [SEED]` (default 1,000,000 in-process + 20,000 over a socket).

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| std::process::id() as u64);
    println!("fuzz seed {seed}");
    let report = conformance::fuzz::run(n, 20_000, seed);
    report.print();
    std::process::exit(if report.failures.is_empty() { 0 } else { 1 });
}
