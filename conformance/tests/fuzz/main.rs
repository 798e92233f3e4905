//! A short HTTP fuzz run for `make test` (`make fuzz` runs the long one: `armfuzz`).
//!
//! `FUZZ_REQUESTS` and `FUZZ_SEED` change the sequential run; `FUZZ_THREADS` and
//! `FUZZ_CONCURRENT_REQUESTS` (per thread) the concurrent one.

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn fuzzed_requests_never_get_a_5xx_or_change_state_when_rejected() {
    let n: u64 = env_or("FUZZ_REQUESTS", 20_000);
    let seed: u64 = env_or("FUZZ_SEED", 7);
    let report = conformance::fuzz::run(n, n / 10, seed);
    report.print();
    assert!(report.failures.is_empty(), "{} fuzz failures, first: {}", report.failures.len(), report.failures[0]);
    assert!(report.requests >= n.min(1), "the run stopped early");
    assert!(
        report.by_class.get("2xx").copied().unwrap_or(0) > 0,
        "no request succeeded: the generator is not reaching the handlers"
    );
    assert!(report.by_class.get("4xx").copied().unwrap_or(0) > 0, "no request was rejected");
}

#[test]
fn concurrent_colliding_writes_leave_a_consistent_state() {
    let threads: usize = env_or("FUZZ_THREADS", 4);
    let per_thread: u64 = env_or("FUZZ_CONCURRENT_REQUESTS", 1_500);
    let seed: u64 = env_or("FUZZ_SEED", 7);
    let report = conformance::fuzz::run_concurrent(threads, per_thread, seed);
    report.print();
    assert!(report.failures.is_empty(), "{} fuzz failures, first: {}", report.failures.len(), report.failures[0]);
    assert!(report.concurrent_requests >= threads as u64 * per_thread, "the run stopped early");
    assert_eq!(report.concurrent_rounds, conformance::fuzz::ROUNDS.len() as u64);
    assert!(report.invariant_checks > 0, "the final state was not checked");
    if threads > 0 && per_thread >= 1_000 {
        // The mix must reach the handlers' success paths, not only their refusals.
        for op in [
            "group PUT",
            "group DELETE",
            "resource PUT",
            "resource PATCH",
            "resource DELETE",
            "deployment PUT",
            "workspace PUT",
            "workspace PATCH",
            "workspace DELETE",
            "workspace DELETE purge",
            "connection PUT",
            "connection DELETE",
            "role assignment PUT",
            "role assignment DELETE",
            "move POST",
        ] {
            assert!(report.concurrent_successes(op) > 0, "no '{op}' succeeded");
        }
        assert!(report.concurrent_polls > 0, "no operation was polled");
    }
}
