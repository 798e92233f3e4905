//! `armctl emulator journal [filters] [-o table]` and `armctl emulator journal clear` against an
//! in-process emulator.

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use crate::helpers::*;

fn ops(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|e| (e["operationId"].as_str().unwrap_or_default().to_string(), e["status"].as_u64().unwrap_or(0)))
        .collect()
}

#[test]
fn journal_lists_filters_and_clears() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    cli.run("group create -n rg-journal -l eastus").ok();
    assert_eq!(cli.run("group show -n rg-nope").code, 3);

    let all = cli.run("emulator journal").ok().json();
    let seen = ops(&all);
    assert!(seen.contains(&("ResourceGroups_CreateOrUpdate".into(), 201)), "{seen:?}");
    assert!(seen.contains(&("ResourceGroups_Get".into(), 404)), "{seen:?}");
    let created = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operationId"] == "ResourceGroups_CreateOrUpdate")
        .expect("the create is journalled");
    assert_eq!(created["method"], "PUT");
    let path = created["path"].as_str().unwrap_or_default();
    assert!(path.eq_ignore_ascii_case(&format!("/subscriptions/{SUB}/resourceGroups/rg-journal")), "{path}");
    assert_eq!(created["subscription"], SUB);
    for k in ["seq", "requestId", "time", "latencyMs", "changes"] {
        assert!(created.get(k).is_some(), "no {k} in {created}");
    }
    let seqs: Vec<u64> = all.as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first: {seqs:?}");

    // Filters.
    let by_op = cli.run("emulator journal --operation ResourceGroups_CreateOrUpdate").ok().json();
    assert_eq!(ops(&by_op), [("ResourceGroups_CreateOrUpdate".to_string(), 201)]);
    let missing = cli.run("emulator journal --status 404 --query [].{op:operationId,error:errorCode}").ok().json();
    assert_eq!(missing, json!([{"op": "ResourceGroups_Get", "error": "ResourceGroupNotFound"}]));
    assert_eq!(cli.run("emulator journal --status 4xx --query length(@)").ok().out, "1\n");
    let prefix = format!("/subscriptions/{SUB}/resourceGroups/rg-journal");
    let by_path = cli.run(&format!("emulator journal --path-prefix {prefix} --query [].operationId")).ok().json();
    assert_eq!(by_path, json!(["ResourceGroups_CreateOrUpdate"]));
    let other = "00000000-0000-0000-0000-000000000000";
    assert_eq!(cli.run(&format!("emulator journal --subscription {other}")).ok().json(), json!([]));
    let mine = cli.run(&format!("emulator journal -s {SUB} --status 201")).ok().json();
    assert_eq!(ops(&mine), [("ResourceGroups_CreateOrUpdate".to_string(), 201)]);
    assert_eq!(cli.run("emulator journal --since 2999-01-01T00:00:00Z").ok().json(), json!([]));
    let bad = cli.run("emulator journal --status nope");
    assert_eq!(bad.code, 1, "{}", bad.err);
    assert!(bad.err.contains("'status'"), "{}", bad.err);

    // The table.
    let table = cli.run("emulator journal --status 404 -o table").ok().out;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["Time", "Method", "Status", "Operation", "Path", "Error", "LatencyMs"]);
    assert!(lines.next().unwrap().starts_with("----"), "{table}");
    let row = lines.next().unwrap();
    assert!(
        row.contains(" GET ")
            && row.contains(" 404 ")
            && row.contains(" ResourceGroups_Get ")
            && row.contains(" ResourceGroupNotFound "),
        "{table}"
    );
    assert_eq!(lines.next(), None, "{table}");

    // Clear.
    let cleared = cli.run("emulator journal clear").ok();
    assert_eq!(cleared.out, "");
    assert_eq!(cli.run("emulator journal").ok().json(), json!([]));
    assert_eq!(cli.run("emulator journal -o table").ok().out, "\n", "knack ends even an empty table with a newline");
}

#[test]
fn journal_refuses_public_azure() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let r = cli.run("emulator journal --endpoint https://management.azure.com");
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("not an emulator"), "{}", r.err);
}
