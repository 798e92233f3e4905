//! `armctl deployment group|sub …` and `deployment operation group|sub list`: az's grammar
//! (`-f`, `-p @file`/JSON/`KEY=VALUE`, the default name), az's output (the SDK model's full
//! key set, `resourceGroup` added, the table transform, the what-if summary), exit codes.

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use crate::helpers::*;

const SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// The storage account + condition + copy loop + outputs template of the issue.
fn storage_template() -> Value {
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {"type": "string"},
            "withExtra": {"type": "bool", "defaultValue": false},
            "sku": {"type": "string", "defaultValue": "Standard_LRS"}
        },
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
             "name": "[concat(parameters('prefix'), copyIndex())]", "location": "westeurope",
             "sku": {"name": "[parameters('sku')]"}, "kind": "StorageV2", "copy": {"name": "sa", "count": 2}},
            {"condition": "[parameters('withExtra')]", "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
             "name": "[concat(parameters('prefix'), 'x')]", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
        ],
        "outputs": {"first": {"type": "string", "value": "[concat(parameters('prefix'), '0')]"}}
    })
}

/// `DeploymentExtended` as az prints it (every SDK field, plus the added `resourceGroup`).
const DEPLOYMENT_KEYS: [&str; 7] = ["id", "location", "name", "properties", "resourceGroup", "tags", "type"];
const PROPERTIES_KEYS: [&str; 20] = [
    "correlationId",
    "debugSetting",
    "dependencies",
    "diagnostics",
    "duration",
    "error",
    "extensions",
    "mode",
    "onErrorDeployment",
    "outputResources",
    "outputs",
    "parameters",
    "parametersLink",
    "providers",
    "provisioningState",
    "templateHash",
    "templateLink",
    "timestamp",
    "validatedResources",
    "validationLevel",
];

fn write(dir: &tempfile::TempDir, name: &str, v: &Value) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `2026-01-01T00:00:00+00:00` or with `.ffffff`: Python's isoformat, as az prints it.
fn check_timestamp(t: &str) {
    let plain = "2026-01-01T00:00:00+00:00".len();
    assert!(t.len() == plain || t.len() == plain + 7, "{t}");
    assert!(t.ends_with("+00:00") && t.as_bytes()[10] == b'T', "{t}");
}

#[test]
fn group_create_prints_the_deployment_as_az_does() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-dep -l westeurope").ok();
    let file = write(&dir, "storage.json", &storage_template());
    let r =
        cli.run_args(&args(&["deployment", "group", "create", "-g", "rg-dep", "-f", &file, "-p", "prefix=stdep"])).ok();
    assert!(r.err.is_empty(), "{}", r.err);
    let v = r.json();
    assert_eq!(keys(&v), DEPLOYMENT_KEYS);
    assert_eq!(keys(&v["properties"]), PROPERTIES_KEYS);
    assert_eq!(v["name"], "storage", "the default name is the template file's base name");
    assert_eq!(
        v["id"],
        format!("/subscriptions/{SUB}/resourceGroups/rg-dep/providers/Microsoft.Resources/deployments/storage")
    );
    assert_eq!(v["resourceGroup"], "rg-dep");
    assert_eq!((v["location"].clone(), v["tags"].clone()), (Value::Null, Value::Null));
    let p = &v["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["mode"], "Incremental");
    assert_eq!(p["outputs"]["first"]["value"], "stdep0");
    assert_eq!(p["parameters"]["prefix"]["value"], "stdep");
    check_timestamp(p["timestamp"].as_str().unwrap());
    let out: Vec<&Value> = p["outputResources"].as_array().unwrap().iter().collect();
    assert_eq!(out.len(), 2, "the condition is false: only the copy loop's two accounts");
    for o in out {
        assert_eq!(o["resourceGroup"], "rg-dep", "az adds resourceGroup to nested ids too: {o}");
        assert!(o.as_object().unwrap().contains_key("apiVersion"), "ResourceReference's full key set: {o}");
    }
    assert_eq!(cli.run("storage account show -n stdep1 -g rg-dep --query name").ok().out, "\"stdep1\"\n");
    assert!(r.out.starts_with("{\n  \"id\": "), "sorted, two-space JSON: {}", r.out);

    // show / list, JSON and az's table transform.
    let s = cli.run("deployment group show -g rg-dep -n storage").ok().json();
    assert_eq!(keys(&s), DEPLOYMENT_KEYS);
    assert_eq!(s["properties"]["correlationId"], v["properties"]["correlationId"]);
    let table = cli.run("deployment group show -g rg-dep -n storage -o table").ok().out;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["Name", "State", "Timestamp", "Mode", "ResourceGroup"]);
    let row: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!((row[0], row[1], row[3], row[4]), ("storage", "Succeeded", "Incremental", "rg-dep"));
    let list = cli.run("deployment group list -g rg-dep").ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(keys(&list[0]), DEPLOYMENT_KEYS);
    assert_eq!(cli.run("deployment group list -g rg-dep --query [].name -o tsv").ok().out, "storage\n");
    let filtered = cli.run_args(&args(&[
        "deployment",
        "group",
        "list",
        "-g",
        "rg-dep",
        "--filter",
        "provisioningState eq 'Failed'",
    ]));
    assert_eq!(filtered.code, 0, "{}", filtered.err);
    assert_eq!(filtered.json(), json!([]));
    assert!(filtered.err.contains("WARNING: Argument '--filter' is in preview"), "{}", filtered.err);

    // The operations: one per resource, az's DeploymentOperation shape.
    let ops = cli.run("deployment operation group list -g rg-dep -n storage").ok().json();
    let ops = ops.as_array().unwrap();
    assert_eq!(ops.len(), 2, "{ops:?}");
    for o in ops {
        assert_eq!(keys(o), ["id", "operationId", "properties", "resourceGroup"]);
        assert_eq!(o["properties"]["provisioningState"], "Succeeded");
        assert_eq!(o["properties"]["targetResource"]["resourceType"], "Microsoft.Storage/storageAccounts");
        assert_eq!(o["properties"]["targetResource"]["resourceGroup"], "rg-dep");
        for k in ["request", "response", "serviceRequestId", "statusMessage"] {
            assert!(o["properties"].as_object().unwrap().contains_key(k), "{k} in {o}");
        }
        check_timestamp(o["properties"]["timestamp"].as_str().unwrap());
    }

    // delete removes the record, not the resources.
    let d = cli.run("deployment group delete -g rg-dep -n storage").ok();
    assert_eq!(d.out, "");
    let gone = cli.run("deployment group show -g rg-dep -n storage");
    assert_eq!(gone.code, 3);
    assert!(gone.err.contains("(DeploymentNotFound)"), "{}", gone.err);
    cli.run("storage account show -n stdep0 -g rg-dep").ok();
}

#[test]
fn parameters_files_inline_json_and_pairs_override_in_order() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-par -l westeurope").ok();
    let file = write(&dir, "main.json", &storage_template());
    let params = write(
        &dir,
        "main.parameters.json",
        &json!({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                "contentVersion": "1.0.0.0", "parameters": {"prefix": {"value": "stfile"}, "withExtra": {"value": false}}}),
    );
    let r = cli
        .run_args(&args(&[
            "deployment",
            "group",
            "create",
            "-g",
            "rg-par",
            "-n",
            "withparams",
            "--template-file",
            &file,
            "--parameters",
            &format!("@{params}"),
            "withExtra=true",
            "-p",
            r#"{"sku": {"value": "Standard_GRS"}}"#,
            "--mode",
            "complete",
        ]))
        .ok();
    let v = r.json();
    assert_eq!(v["name"], "withparams");
    let p = &v["properties"]["parameters"];
    assert_eq!(p["prefix"]["value"], "stfile");
    assert_eq!(p["withExtra"]["value"], true, "KEY=VALUE is typed by the template (bool)");
    assert_eq!(p["sku"]["value"], "Standard_GRS");
    assert_eq!(v["properties"]["mode"], "Complete");
    assert_eq!(v["properties"]["outputResources"].as_array().unwrap().len(), 3, "the condition is now true");
    let sku = cli.run("storage account show -n stfilex -g rg-par --query sku.name").ok().out;
    assert_eq!(sku, "\"Standard_LRS\"\n");
    assert_eq!(cli.run("storage account show -n stfile0 -g rg-par --query sku.name").ok().out, "\"Standard_GRS\"\n");

    // argparse's errors exit 2, the command's own (CLIError, ValueError) exit 1, as az 2.91;
    // nothing is sent either way.
    for (argv, code, text) in [
        (
            vec!["deployment", "group", "create", "-g", "rg-par", "-p", "prefix=x"],
            1,
            "ERROR: Please enter one of the following: template file, template spec, template url, or Bicep parameters file.\n",
        ),
        (vec!["deployment", "group", "create", "-g", "rg-par", "-f", &file], 1, "ERROR: Missing input parameters: prefix\n"),
        (
            vec!["deployment", "group", "create", "-g", "rg-par", "-f", &file, "-p", "nope=1"],
            1,
            "ERROR: unrecognized template parameter 'nope'. Allowed parameters: prefix, sku, withExtra\n",
        ),
        (
            vec!["deployment", "group", "create", "-g", "rg-par", "-f", &file, "-p", "justaword"],
            1,
            "ERROR: Unable to parse parameter: justaword\n",
        ),
        (
            vec!["deployment", "group", "create", "-g", "rg-par", "-f", &file, "-p", "prefix=a", "--mode", "Sometimes"],
            2,
            "ERROR: armctl deployment group create: 'Sometimes' is not a valid value for '--mode'. Allowed values: Incremental, Complete.\n",
        ),
        (vec!["deployment", "group", "create", "-f", &file], 2, "--resource-group"),
        (vec!["deployment", "sub", "create", "-f", &file], 2, "--location"),
    ] {
        let r = cli.run_args(&args(&argv));
        assert_eq!(r.code, code, "{argv:?}: {}", r.err);
        assert!(r.err.starts_with(text) || !text.starts_with("ERROR") && r.err.contains(text), "{argv:?}: {}", r.err);
        assert_eq!(r.out, "");
    }
    // A file that cannot be read is not a usage error: az exits 1.
    let nofile = cli.run("deployment group create -g rg-par -f /nonexistent/t.json -p prefix=a");
    assert_eq!(nofile.code, 1, "{}", nofile.err);
    assert!(
        nofile.err.starts_with("ERROR: [Errno 2] No such file or directory: '/nonexistent/t.json'\n"),
        "{}",
        nofile.err
    );
    assert_eq!(cli.run("deployment group list -g rg-par --query length(@)").ok().out, "1\n");
}

#[test]
fn a_failed_deployment_prints_the_operation_status_like_az() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-fail -l westeurope").ok();
    let template = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "stgood", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "stbad", "location": "atlantis",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "dependsOn": ["stgood"]}
        ]
    });
    let file = write(&dir, "fails.json", &template);
    let r = cli.run_args(&args(&["deployment", "group", "create", "-g", "rg-fail", "-f", &file]));
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(r.out, "");
    let line = r.err.lines().next().unwrap();
    let raw = line.strip_prefix("ERROR: ").unwrap_or_else(|| panic!("{}", r.err));
    let status: Value = serde_json::from_str(raw).unwrap_or_else(|e| panic!("az prints the status body ({e}): {raw}"));
    assert_eq!(status["status"], "Failed");
    assert_eq!(status["error"]["code"], "DeploymentFailed");
    assert_eq!(status["error"]["details"].as_array().unwrap().len(), 1, "{status}");
    let shown = cli.run("deployment group show -g rg-fail -n fails").ok().json();
    assert_eq!(shown["properties"]["provisioningState"], "Failed");
    assert_eq!(shown["properties"]["error"]["code"], "DeploymentFailed");
    assert_eq!(keys(&shown["properties"]["error"]), ["additionalInfo", "code", "details", "message", "target"]);
    let ops =
        cli.run("deployment operation group list -g rg-fail -n fails --query [].properties.provisioningState").ok();
    assert_eq!(ops.json(), json!(["Succeeded", "Failed"]));
    let failed =
        cli.run("deployment group list -g rg-fail --filter \"provisioningState eq 'Failed'\" --query [].name").ok();
    assert_eq!(failed.json(), json!(["fails"]));
}

#[test]
fn an_asynchronous_deployment_is_polled_to_the_end() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-async -l westeurope").ok();
    settings_sync(&emu, json!({"lro": {"deployments/create": "polls:2"}}));
    let file = write(&dir, "storage.json", &storage_template());
    let v = cli
        .run_args(&args(&["deployment", "group", "create", "-g", "rg-async", "-f", &file, "-p", "prefix=stasync"]))
        .ok()
        .json();
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(v["properties"]["outputs"]["first"]["value"], "stasync0");
    assert!(!cli.sleeper.recorded().is_empty(), "it waited between polls");

    // --no-wait: nothing printed, the deployment still running.
    let r = cli
        .run_args(&args(&[
            "deployment",
            "group",
            "create",
            "-g",
            "rg-async",
            "-n",
            "later",
            "-f",
            &file,
            "-p",
            "prefix=stlater",
            "--no-wait",
        ]))
        .ok();
    assert_eq!(r.out, "");
    let state = cli.run("deployment group show -g rg-async -n later --query properties.provisioningState").ok().json();
    assert!(["Accepted", "Running"].contains(&state.as_str().unwrap()), "{state}");

    // A configured failure surfaces as the command's error.
    settings_sync(&emu, json!({"lro": {"deployments/create": "polls:1:fail"}}));
    let r = cli.run_args(&args(&[
        "deployment",
        "group",
        "create",
        "-g",
        "rg-async",
        "-n",
        "broken",
        "-f",
        &file,
        "-p",
        "prefix=stbroken",
    ]));
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.starts_with("ERROR: {") && r.err.contains("\"Failed\""), "{}", r.err);
}

#[test]
fn validate_checks_and_refuses_like_az() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-val -l westeurope").ok();
    let file = write(&dir, "storage.json", &storage_template());
    let v = cli
        .run_args(&args(&["deployment", "group", "validate", "-g", "rg-val", "-f", &file, "-p", "prefix=stval"]))
        .ok()
        .json();
    assert_eq!(keys(&v), ["error", "id", "name", "properties", "resourceGroup", "type"]);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(v["properties"]["validatedResources"].as_array().unwrap().len(), 2);
    let t = cli
        .run_args(&args(&[
            "deployment",
            "group",
            "validate",
            "-g",
            "rg-val",
            "-f",
            &file,
            "-p",
            "prefix=stval",
            "-o",
            "table",
        ]))
        .ok()
        .out;
    assert!(t.starts_with("Result     CorrelationId\n"), "{t}");
    assert_eq!(cli.run("storage account show -n stval0 -g rg-val").code, 3, "validate deploys nothing");
    assert_eq!(cli.run("deployment group list -g rg-val").ok().json(), json!([]));

    let bad = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [],
                     "outputs": {"x": {"type": "string", "value": "[nosuchfunction('a')]"}}});
    let bad_file = write(&dir, "bad.json", &bad);
    for cmd in ["validate", "create"] {
        let r = cli.run_args(&args(&["deployment", "group", cmd, "-g", "rg-val", "-f", &bad_file]));
        assert_eq!(r.code, 1, "{cmd}: {}", r.err);
        assert!(r.err.starts_with("ERROR: {\"code\": \"InvalidTemplate\", \"message\": \""), "{cmd}: {}", r.err);
        assert!(r.err.contains("nosuchfunction"), "{}", r.err);
    }
    assert_eq!(cli.run("deployment group show -g rg-val -n bad").code, 3, "an invalid template is not deployed");
}

#[test]
fn what_if_prints_az_summary_or_the_json_result() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    cli.run("group create -n rg-wi -l westeurope").ok();
    let file = write(&dir, "storage.json", &storage_template());
    let base = ["deployment", "group", "what-if", "-g", "rg-wi", "-f", &file, "-p", "prefix=stwi"];
    let r = cli.run_args(&args(&base)).ok();
    let scope = format!("Scope: /subscriptions/{SUB}/resourceGroups/rg-wi\n");
    assert!(r.out.starts_with("Note: The result may contain false positive predictions (noise).\n"), "{}", r.out);
    assert!(r.out.contains("Resource and property changes are indicated with this symbol:\n  + Create\n"), "{}", r.out);
    assert!(r.out.contains(&scope), "{}", r.out);
    assert!(r.out.contains("\n  + Microsoft.Storage/storageAccounts/stwi0 [2023-05-01]\n"), "{}", r.out);
    assert!(r.out.contains("\n  + Microsoft.Storage/storageAccounts/stwi1 [2023-05-01]\n"), "{}", r.out);
    assert!(r.out.ends_with("\nResource changes: 2 to create.\n"), "{}", r.out);

    let j = cli.run_args(&args(&[&base[..], &["--no-pretty-print"]].concat())).ok().json();
    assert_eq!(keys(&j), ["changes", "diagnostics", "error", "potentialChanges", "status"]);
    assert_eq!(j["status"], "Succeeded");
    let c = &j["changes"][0];
    assert_eq!(
        keys(c),
        [
            "after",
            "before",
            "changeType",
            "delta",
            "deploymentId",
            "extension",
            "identifiers",
            "resourceId",
            "symbolicName",
            "unsupportedReason"
        ]
    );
    assert_eq!(c["changeType"], "Create");
    let ids = cli
        .run_args(&args(
            &[&base[..], &["--no-pretty-print", "-r", "ResourceIdOnly", "--query", "changes[].changeType"]].concat(),
        ))
        .ok();
    assert_eq!(ids.json(), json!(["Create", "Create"]));
    assert_eq!(cli.run("storage account show -n stwi0 -g rg-wi").code, 3, "what-if deploys nothing");

    // After the deployment: no change; a new sku: modify, with the property delta.
    cli.run_args(&args(&["deployment", "group", "create", "-g", "rg-wi", "-f", &file, "-p", "prefix=stwi"])).ok();
    let r = cli.run_args(&args(&base)).ok();
    assert!(r.out.contains("  = Nochange\n") && r.out.ends_with("Resource changes: 2 no change.\n"), "{}", r.out);
    let r = cli.run_args(&args(&[&base[..], &["sku=Standard_GRS"]].concat())).ok();
    // The emulator's Modify changes carry the delta but no before/after payloads, so there is
    // no api-version to show after the id.
    assert!(r.out.contains("\n  ~ Microsoft.Storage/storageAccounts/stwi0"), "{}", r.out);
    assert!(r.out.contains("\"Standard_LRS\" => \"Standard_GRS\""), "{}", r.out);
    assert!(r.out.ends_with("Resource changes: 2 to modify.\n"), "{}", r.out);
    let excluded =
        cli.run_args(&args(&[&base[..], &["sku=Standard_GRS", "-x", "Modify", "--no-pretty-print"]].concat())).ok();
    assert_eq!(excluded.json()["changes"], json!([]));
}

#[test]
fn subscription_deployments_carry_a_location() {
    let emu = TestEmulator::start();
    let cli = Cli::new(&emu);
    let dir = tempfile::tempdir().unwrap();
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}},
        "resources": [{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01",
            "name": "[parameters('name')]", "location": "[deployment().location]"}],
        "outputs": {"id": {"type": "string", "value": "[format('{0}/resourceGroups/{1}', subscription().id, parameters('name'))]"}}
    });
    let file = write(&dir, "groups.json", &template);
    let v = cli
        .run_args(&args(&["deployment", "sub", "create", "-l", "westeurope", "-f", &file, "-p", "name=rg-fromsub"]))
        .ok()
        .json();
    assert_eq!(
        keys(&v),
        ["id", "location", "name", "properties", "tags", "type"],
        "no resourceGroup at subscription scope"
    );
    assert_eq!(v["location"], "westeurope");
    assert_eq!(v["id"], format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/groups"));
    assert_eq!(v["properties"]["outputs"]["id"]["value"], format!("/subscriptions/{SUB}/resourceGroups/rg-fromsub"));
    assert_eq!(cli.run("group show -n rg-fromsub --query location").ok().out, "\"westeurope\"\n");
    let table = cli.run("deployment sub show -n groups -o table").ok().out;
    assert_eq!(
        table.lines().next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["Name", "State", "Timestamp", "Mode"]
    );
    assert_eq!(cli.run("deployment sub list --query [].name").ok().json(), json!(["groups"]));
    let ops = cli.run("deployment operation sub list -n groups").ok().json();
    assert_eq!(ops[0]["properties"]["targetResource"]["resourceType"], "Microsoft.Resources/resourceGroups");
    let wi = cli
        .run_args(&args(&[
            "deployment",
            "sub",
            "what-if",
            "-l",
            "westeurope",
            "-f",
            &file,
            "-p",
            "name=rg-other",
            "--no-pretty-print",
            "--query",
            "changes[].changeType",
        ]))
        .ok();
    assert_eq!(wi.json(), json!(["Create"]));
    let val = cli
        .run_args(&args(&[
            "deployment",
            "sub",
            "validate",
            "-l",
            "westeurope",
            "-f",
            &file,
            "-p",
            "name=rg-x",
            "--query",
            "properties.provisioningState",
        ]))
        .ok();
    assert_eq!(val.out, "\"Succeeded\"\n");
    cli.run("deployment sub delete -n groups").ok();
    assert_eq!(cli.run("deployment sub list").ok().json(), json!([]));
    let missing = cli.run("deployment sub show -n groups");
    assert_eq!(missing.code, 3);
    assert!(missing.err.contains("(DeploymentNotFound)"), "{}", missing.err);
}
