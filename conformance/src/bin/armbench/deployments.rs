//! Template deployments: azure-ai-ml's workspace template (the 56 KB one `MLClient.workspaces.
//! begin_create` sends: storage account, key vault, Log Analytics, Application Insights and the
//! workspace, each created through its own provider's route) deployed again and again into one
//! group, through the emulator's pipeline in-process (`App::handle`, no sockets), so the figure
//! is the template engine and the five resource PUTs, not HTTP. Reference figures, no bar.

use std::time::Instant;

use armemu::testing::TestEmulator;
use conformance::templates::ai_ml_workspace_deployment;
use serde_json::Value;

use super::{ms, stats};

const SUB: &str = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";

fn call(emu: &TestEmulator, method: &str, path: &str, body: Vec<u8>) -> Result<Value, String> {
    let headers = vec![
        ("Authorization".to_string(), "Bearer bench".to_string()),
        ("Content-Type".to_string(), "application/json".to_string()),
    ];
    let r = emu.app.handle(method, path, Some("api-version=2020-06-01"), headers, Ok(body.into()), false);
    let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    if r.status >= 300 {
        return Err(format!("{method} {path}: {} {v}", r.status));
    }
    Ok(v)
}

/// Runs the section and prints its table.
pub(super) fn run(count: usize) -> Result<(), String> {
    let emu = std::panic::catch_unwind(TestEmulator::start)
        .map_err(|_| "the in-process emulator (TestEmulator) did not start".to_string())?;
    call(
        &emu,
        "PUT",
        &format!("/subscriptions/{SUB}/resourcegroups/bench-dep"),
        br#"{"location":"westeurope"}"#.to_vec(),
    )?;
    let warmup = (count / 10).max(5);
    let mut times = Vec::with_capacity(count);
    for i in 0..warmup + count {
        let ws = format!("w{i:05}");
        let b = serde_json::to_vec(&ai_ml_workspace_deployment(SUB, "bench-dep", &ws)).map_err(|e| e.to_string())?;
        let path = format!(
            "/subscriptions/{SUB}/resourcegroups/bench-dep/providers/Microsoft.Resources/deployments/{ws}-1234567"
        );
        let t = Instant::now();
        let d = call(&emu, "PUT", &path, b)?;
        let took = t.elapsed();
        if d.pointer("/properties/provisioningState").and_then(Value::as_str) != Some("Succeeded") {
            return Err(format!("deployment {ws} did not succeed: {d}"));
        }
        if i >= warmup {
            times.push(took);
        }
    }
    let s = stats(times);
    println!("Template deployment: azure-ai-ml's workspace template (5 resources), in-process pipeline, sync mode ({count} deployments after {warmup} warm-up)");
    println!(
        "  median {:.3} ms | p99 {:.3} ms | mean {:.3} ms   (reference; MLClient itself adds its existence check, the GET and the operations list)",
        ms(s.median),
        ms(s.p99),
        ms(s.mean)
    );
    Ok(())
}
