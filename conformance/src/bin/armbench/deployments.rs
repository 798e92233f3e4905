//! Template deployments: azure-ai-ml's workspace template (the 56 KB one `MLClient.workspaces.
//! begin_create` sends: storage account, key vault, Log Analytics, Application Insights and the
//! workspace, each created through its own provider's route) deployed again and again into one
//! group, through the emulator's pipeline in-process (`App::handle`, no sockets), so the figure
//! is the template engine and the five resource PUTs, not HTTP. Reference figures, no bar.

use std::time::Instant;

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use super::{ms, stats};

const TEMPLATE: &str = include_str!("../../../../template/tests/fixtures/azure-ai-ml/workspace_base.json");
const PARAMETERS: &str = include_str!("../../../../template/tests/fixtures/azure-ai-ml/workspace_param.json");
const SUB: &str = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";

fn body(template: &Value, params: &Value, ws: &str) -> Vec<u8> {
    let mut p = params.clone();
    let rg_id = format!("/subscriptions/{SUB}/resourceGroups/bench-dep");
    let set = [
        ("workspaceName", json!(ws)),
        ("friendlyName", json!(ws)),
        ("location", json!("westeurope")),
        ("kind", json!("default")),
        ("resourceGroupName", json!("bench-dep")),
        ("keyVaultOption", json!("new")),
        ("keyVaultName", json!(format!("{ws}kv"))),
        ("keyVaultResourceGroupName", json!("bench-dep")),
        ("storageAccountOption", json!("new")),
        ("storageAccountName", json!(format!("{ws}st"))),
        ("storageAccountResourceGroupName", json!("bench-dep")),
        ("storageAccountSubscriptionId", json!(SUB)),
        ("applicationInsightsOption", json!("new")),
        ("applicationInsightsName", json!(format!("{ws}ai"))),
        ("applicationInsightsResourceGroupName", json!("bench-dep")),
        ("logAnalyticsName", json!(format!("{ws}la"))),
        ("logAnalyticsArmId", json!(format!("{rg_id}/providers/Microsoft.OperationalInsights/workspaces/{ws}la"))),
        ("containerRegistryOption", json!("none")),
        ("identity", json!({"type": "SystemAssigned"})),
    ];
    for (k, v) in set {
        p[k] = json!({ "value": v });
    }
    serde_json::to_vec(&json!({"properties": {"mode": "Incremental", "template": template, "parameters": p}}))
        .expect("a JSON value serialises")
}

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
    let template: Value = serde_json::from_str(TEMPLATE).map_err(|e| e.to_string())?;
    let params: Value = serde_json::from_str(PARAMETERS).map_err(|e| e.to_string())?;
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
        let b = body(&template, &params, &ws);
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
