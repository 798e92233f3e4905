//! A short HTTP fuzz run for `make test` (`make fuzz` runs the long one: `armfuzz`).

#[test]
fn fuzzed_requests_never_get_a_5xx_or_change_state_when_rejected() {
    let n: u64 = std::env::var("FUZZ_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(7);
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
