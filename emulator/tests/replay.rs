//! Every state change is a value: replaying the batches the store committed, in order, onto the
//! start state gives exactly the state the emulator ends in. Nothing changes the state except
//! through the commit path (settlement by the clock included), and the batches say everything
//! a journal or a write-ahead log needs.

use std::sync::{Arc, Mutex};

use armemu::config::{Config, DEFAULT_SUBSCRIPTION_ID as SUB};
use armemu::identity::jwt::{shared_test_identity, Identity};
use armemu::pipeline::App;
use armemu::store::{Change, Commit, Origin};
use bytes::Bytes;
use serde_json::{json, Value};

struct Run {
    app: App,
    commits: Arc<Mutex<Vec<Commit>>>,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = Config::for_tests(dir.path().to_path_buf());
        let app = App::new(config, Identity::from_key(shared_test_identity().expect("key"))).expect("app");
        let commits = Arc::new(Mutex::new(Vec::new()));
        let sink = commits.clone();
        app.ctx.store().observe(Arc::new(move |c: &Commit| sink.lock().unwrap().push(c.clone())));
        Run { app, commits }
    }

    /// Sends a request; returns the status and the body as JSON (or null).
    fn send(&self, method: &str, path_and_query: &str, body: Option<Value>) -> (u16, Value) {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let mut headers = vec![("authorization".to_string(), "Bearer replay".to_string())];
        if body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        let body = body.map(|b| Bytes::from(serde_json::to_vec(&b).unwrap())).unwrap_or_default();
        let r = self.app.handle(method, path, Some(query), headers, Ok(body), false);
        assert!(r.status < 500, "{method} {path_and_query}: {} {}", r.status, String::from_utf8_lossy(&r.body));
        (r.status, serde_json::from_slice(&r.body).unwrap_or(Value::Null))
    }

    /// Sends a write that starts an asynchronous operation; returns its status URL's path.
    fn polling_url(&self, method: &str, path_and_query: &str, body: Value) -> String {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let headers = vec![
            ("authorization".to_string(), "Bearer replay".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ];
        let r = self.app.handle(method, path, Some(query), headers, Ok(Bytes::from(body.to_string())), false);
        let url = r
            .headers
            .iter()
            .find(|(k, _)| k.as_str() == "azure-asyncoperation")
            .map(|(_, v)| v.to_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no Azure-AsyncOperation: {} {}", r.status, String::from_utf8_lossy(&r.body)));
        let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(&url);
        after_scheme[after_scheme.find('/').unwrap_or(0)..].to_string()
    }

    fn control(&self, path: &str, body: Value) {
        let headers = vec![("content-type".to_string(), "application/json".to_string())];
        let r = self.app.handle("POST", path, None, headers, Ok(Bytes::from(body.to_string())), false);
        assert_eq!(r.status, 200, "{path}: {}", String::from_utf8_lossy(&r.body));
    }

    fn lro(&self, kind: &str, mode: &str) {
        self.app.set_lro(kind, Some(mode.parse().unwrap()));
    }
}

const ML: &str = "api-version=2024-04-01";
const RG: &str = "api-version=2021-04-01";

fn ws(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{name}")
}

#[test]
fn replaying_the_committed_batches_rebuilds_the_state() {
    let run = Run::new();
    let s = &run;
    for rg in ["rg1", "Rg2", "rg3"] {
        s.send(
            "PUT",
            &format!("/subscriptions/{SUB}/resourcegroups/{rg}?{RG}"),
            Some(json!({"location": "eastus", "tags": {"a": "b"}})),
        );
    }
    s.send("PATCH", &format!("/subscriptions/{SUB}/resourcegroups/rg1?{RG}"), Some(json!({"tags": {"c": "d"}})));
    // Workspaces with their dependents, a recovery, a purge.
    let (st, w1) = s.send("PUT", &format!("{}?{ML}", ws("rg1", "ws1")), Some(json!({"location": "eastus"})));
    assert_eq!(st, 200);
    s.send("PATCH", &format!("{}?{ML}", ws("rg1", "ws1")), Some(json!({"properties": {"description": "d"}})));
    s.send(
        "PUT",
        &format!("{}?{ML}", ws("rg1", "ws2")),
        Some(json!({"location": "eastus", "properties": {
        "storageAccount": w1["properties"]["storageAccount"], "keyVault": w1["properties"]["keyVault"],
        "applicationInsights": w1["properties"]["applicationInsights"]}})),
    );
    s.send("DELETE", &format!("{}?{ML}", ws("rg1", "ws2")), None);
    s.send(
        "PUT",
        &format!("{}?{ML}", ws("rg1", "ws2")),
        Some(json!({"location": "eastus", "properties": {"allowRecoverSoftDeletedWorkspace": "True"}})),
    );
    s.send("DELETE", &format!("{}?{ML}&forceToPurge=true", ws("rg1", "ws2")), None);
    // A customer-managed key: a managed group with a Cosmos DB account.
    for ns in ["Microsoft.DocumentDB", "Microsoft.Search"] {
        s.send("POST", &format!("/subscriptions/{SUB}/providers/{ns}/register?{RG}"), None);
    }
    let kv = w1["properties"]["keyVault"].as_str().unwrap().to_string();
    s.send(
        "PUT",
        &format!("{}?{ML}", ws("Rg2", "cmk")),
        Some(json!({"location": "eastus", "properties": {
        "encryption": {"keyVaultProperties": {"keyVaultArmId": kv, "keyIdentifier": "https://kv/keys/k/1"}}}})),
    );
    // A private endpoint connection and a role assignment on a workspace.
    s.send(
        "PUT",
        &format!("{}/privateEndpointConnections/pe1?{ML}", ws("rg1", "ws1")),
        Some(json!({"properties": {}})),
    );
    s.send("PUT", &format!("{}/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff?api-version=2022-04-01", ws("rg1", "ws1")),
        Some(json!({"properties": {"roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"), "principalId": "ce2ce14e-85d7-4629-bdbc-454d0519d987"}})));
    // A generic resource, moved to another group.
    let sa = format!("/subscriptions/{SUB}/resourceGroups/rg3/providers/Microsoft.Storage/storageAccounts/moveme");
    s.send("PUT", &format!("{sa}?api-version=2023-01-01"), Some(json!({"location": "eastus"})));
    s.send(
        "POST",
        &format!("/subscriptions/{SUB}/resourceGroups/rg3/moveResources?{RG}"),
        Some(json!({"resources": [sa], "targetResourceGroup": format!("/subscriptions/{SUB}/resourceGroups/Rg2")})),
    );
    // Asynchronous operations completed by polls and by the clock (settlement), a soft delete
    // whose retention ends, a registration delay that settles.
    s.lro("workspaces/*", "polls:1");
    let status_url = s.polling_url("PUT", &format!("{}?{ML}", ws("rg3", "polled")), json!({"location": "eastus"}));
    assert_eq!(s.send("GET", &status_url, None).1["status"], "Succeeded");
    s.lro("workspaces/*", "seconds:30");
    s.send(
        "PUT",
        &format!("{}?{ML}", ws("rg3", "timed")),
        Some(json!({"location": "eastus", "properties": {"softDeleteRetentionInDays": 1}})),
    );
    s.control("/_emulator/clock/advance", json!({"seconds": 30}));
    s.send("DELETE", &format!("{}?{ML}", ws("rg3", "timed")), None);
    s.control("/_emulator/clock/advance", json!({"days": 2}));
    s.app.update_settings(|st| st.registration_delay = "seconds:10".parse().unwrap());
    s.send("POST", &format!("/subscriptions/{SUB}/providers/Microsoft.Network/register?{RG}"), None);
    s.control("/_emulator/clock/advance", json!({"seconds": 10}));
    // A group deleted asynchronously, with everything in it.
    s.lro("resourceGroups/delete", "polls:1");
    s.send("DELETE", &format!("/subscriptions/{SUB}/resourcegroups/Rg2?{RG}"), None);
    s.send("GET", &format!("/subscriptions/{SUB}/resources?{RG}"), None);

    let commits = run.commits.lock().unwrap().clone();
    assert!(commits.iter().any(|c| c.origin == Origin::Settlement), "the clock settled something");
    assert!(commits.iter().any(|c| c.changes.iter().any(|ch| matches!(ch, Change::PollOperation { .. }))));
    let mut replayed = (**run.app.initial()).clone();
    for c in &commits {
        replayed.apply_batch(&c.changes, c.at).unwrap_or_else(|e| panic!("commit {} does not replay: {e}", c.seq));
    }
    let end = run.app.ctx.store().snapshot();
    assert_eq!(replayed, end, "replaying {} commits", commits.len());
    // And every batch survives serialisation (what a journal or a log would write).
    for c in &commits {
        let text = serde_json::to_string(c).unwrap();
        let back: Commit = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, c);
    }
}
