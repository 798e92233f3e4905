//! Profiling aid (not part of the test suite): N in-process GETs of a workspace through the
//! pipeline, the work an emulator request adds to hyper's. `cargo run --release --example hotpath -- 200000`
use armemu::config::{Config, DEFAULT_SUBSCRIPTION_ID as SUB};
use armemu::identity::jwt::{shared_test_identity, Identity};
use armemu::pipeline::App;
use bytes::Bytes;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn headers() -> Vec<(String, String)> {
    vec![
        ("host".into(), "127.0.0.1:47080".into()),
        ("authorization".into(), "Bearer x".into()),
        ("user-agent".into(), "bench".into()),
        ("accept".into(), "*/*".into()),
        ("content-type".into(), "application/json".into()),
    ]
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join("armemu-hotpath");
    let mut config = Config::for_tests(dir);
    config.clock = armemu::config::ClockMode::System;
    config.id_seed = None;
    let app = App::new(config, Identity::from_key(shared_test_identity().unwrap())).unwrap();
    let g = format!("/subscriptions/{SUB}/resourcegroups/rg1");
    let w =
        format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1");
    let body = Bytes::from_static(br#"{"location":"westeurope"}"#);
    assert!(app.handle("PUT", &g, Some("api-version=2024-11-01"), headers(), Ok(body.clone()), false).status < 300);
    assert!(app.handle("PUT", &w, Some("api-version=2024-04-01"), headers(), Ok(body.clone()), false).status < 300);
    let mode = std::env::args().nth(2).unwrap_or_else(|| "get".into());
    let t = std::time::Instant::now();
    for _ in 0..n {
        let r = if mode == "put" {
            app.handle("PUT", &g, Some("api-version=2024-11-01"), headers(), Ok(body.clone()), false)
        } else {
            app.handle("GET", &w, Some("api-version=2024-04-01"), headers(), Ok(Bytes::new()), false)
        };
        assert!(r.status < 300);
        std::hint::black_box(r);
    }
    let e = t.elapsed();
    println!("{mode}: {n} requests in {e:?}: {:.2} µs each", e.as_secs_f64() * 1e6 / n as f64);
}
