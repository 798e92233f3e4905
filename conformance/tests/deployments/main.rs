//! Conformance scenarios for `Microsoft.Resources/deployments` (issue 9): template deployments
//! at group and subscription scope, both path forms, the record's shape, each template
//! resource created through its own provider (same validation as a direct PUT), failures as
//! `DeploymentFailed` with details, `Complete` mode, nested deployments, the operations list,
//! `validate`, `whatIf`, `cancel`, `exportTemplate`, listing and its filter, the 800 limit and
//! the asynchronous LRO modes.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids); nothing sleeps:
//! asynchronous deployments progress through polls set with `/_emulator/settings`.

use conformance::*;
use serde_json::{json, Value};

const SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn dep(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Resources/deployments/{name}", t.rg(rg))
}

fn legacy(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/deployments/{name}", t.rg(rg))
}

fn sub_dep(t: &Target, name: &str) -> String {
    format!("{}/providers/Microsoft.Resources/deployments/{name}", t.sub())
}

fn storage(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Storage/storageAccounts/{name}", t.rg(rg))
}

fn body(template: Value, parameters: Value) -> Value {
    json!({"properties": {"mode": "Incremental", "template": template, "parameters": parameters}})
}

/// Two storage accounts from a copy loop, a conditional third, a secure parameter, outputs
/// that read a deployed resource through `reference()`.
fn storage_template() -> Value {
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "prefix": {"type": "string", "minLength": 3},
            "withExtra": {"type": "bool", "defaultValue": false},
            "secret": {"type": "securestring", "defaultValue": "p@ss-w0rd-hidden"},
        },
        "variables": {"sku": "Standard_LRS"},
        "resources": [
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-05-01",
                "name": "[concat(parameters('prefix'), copyIndex())]",
                "location": "[resourceGroup().location]",
                "sku": {"name": "[variables('sku')]"},
                "kind": "StorageV2",
                "tags": {"note": "[if(empty(parameters('secret')), 'none', 'set')]"},
                "copy": {"name": "accounts", "count": 2},
            },
            {
                "condition": "[parameters('withExtra')]",
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-05-01",
                "name": "[concat(parameters('prefix'), 'extra')]",
                "location": "westeurope",
                "sku": {"name": "Standard_LRS"},
                "kind": "StorageV2",
                "dependsOn": ["accounts"],
            },
        ],
        "outputs": {
            "first": {"type": "string", "value": "[concat(parameters('prefix'), '0')]"},
            "blob": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.Storage/storageAccounts', concat(parameters('prefix'), '1'))).primaryEndpoints.blob]",
            },
        },
    })
}

#[test]
fn a_group_deployment_creates_each_resource_and_records_what_clients_read() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let r =
        t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let d = r.json();
    assert_eq!(r.header("azure-asyncoperation"), None, "a finished deployment is not polled: {r:?}");
    assert_eq!(d["id"], format!("{}/providers/Microsoft.Resources/deployments/d1", t.rg_id("rg1")));
    assert_eq!(d["name"], "d1");
    assert_eq!(d["type"], "Microsoft.Resources/deployments");
    let p = &d["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["mode"], "Incremental");
    assert!(p["templateHash"].as_str().is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit())), "{p}");
    assert!(p["timestamp"].as_str().is_some_and(|s| s.ends_with('Z')), "{p}");
    assert!(p["duration"].as_str().is_some_and(|s| s.starts_with("PT") && s.ends_with('S')), "{p}");
    assert!(p["correlationId"].as_str().is_some_and(is_guid), "{p}");
    assert_eq!(p["parameters"]["prefix"], json!({"type": "String", "value": "sta"}));
    assert_eq!(p["parameters"]["withExtra"], json!({"type": "Bool", "value": false}));
    assert_eq!(p["parameters"]["secret"], json!({"type": "SecureString"}), "secure values are never echoed");
    assert!(!r.text().contains("p@ss-w0rd-hidden"));
    assert_eq!(p["outputs"]["first"], json!({"type": "String", "value": "sta0"}));
    assert_eq!(p["outputs"]["blob"]["value"], "https://sta1.blob.core.windows.net/");
    assert_eq!(
        p["providers"],
        json!([{"namespace": "Microsoft.Storage", "resourceTypes": [{"resourceType": "storageAccounts", "locations": ["westeurope"]}]}])
    );
    let out: Vec<&str> = p["outputResources"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(out.len(), 2, "{out:?}");
    // Each resource exists, as its own provider made it.
    for name in ["sta0", "sta1"] {
        let sa = t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", name))).expect(200).json();
        assert_eq!(sa["location"], "westeurope");
        assert_eq!(sa["sku"]["name"], "Standard_LRS");
        assert_eq!(sa["tags"]["note"], "set");
        assert_eq!(sa["properties"]["provisioningState"], "Succeeded");
    }
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "staextra"))).expect(404);
    // Both path forms read the same record; HEAD answers 204.
    assert_eq!(t.get(&av(&legacy(&t, "rg1", "d1"))).expect(200).json(), d);
    assert_eq!(t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json(), d);
    t.head(&av(&dep(&t, "rg1", "d1"))).expect(204);
    t.head(&av(&dep(&t, "rg1", "nope"))).expect(404);
}

#[test]
fn deployments_are_not_resources_of_the_group() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let listed = t.get(&av(&format!("{}/resources", t.rg("rg1")))).expect(200).json();
    let types: Vec<&str> = listed["value"].as_array().unwrap().iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts"]);
}

#[test]
fn the_operations_list_answers_on_both_path_forms() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let ops = t.get(&av(&format!("{}/operations", legacy(&t, "rg1", "d1")))).expect(200).json();
    let ops = ops["value"].as_array().unwrap().clone();
    assert_eq!(ops.len(), 2);
    for o in &ops {
        assert_eq!(o["properties"]["provisioningOperation"], "Create");
        assert_eq!(o["properties"]["provisioningState"], "Succeeded");
        // Storage answers a creation with 200 (it documents no 201), so the operation says OK.
        assert_eq!(o["properties"]["statusCode"], "OK");
        assert_eq!(o["properties"]["targetResource"]["resourceType"], "Microsoft.Storage/storageAccounts");
        let id = o["operationId"].as_str().unwrap();
        assert_eq!(o["id"], format!("{}/providers/Microsoft.Resources/deployments/d1/operations/{id}", t.rg_id("rg1")));
        let one = t.get(&av(&format!("{}/operations/{id}", dep(&t, "rg1", "d1")))).expect(200).json();
        assert_eq!(&one, o);
    }
    let names: Vec<&str> =
        ops.iter().map(|o| o["properties"]["targetResource"]["resourceName"].as_str().unwrap()).collect();
    assert_eq!(names, ["sta0", "sta1"]);
    check_error(
        &t.get(&av(&format!("{}/operations/NOPE", dep(&t, "rg1", "d1")))),
        404,
        "DeploymentOperationNotFound",
        "Deployment operation 'NOPE' of deployment 'd1' could not be found.",
    );
}

#[test]
fn a_missing_deployment_is_404_deployment_not_found() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    check_error(
        &t.get(&av(&dep(&t, "rg1", "gone"))),
        404,
        "DeploymentNotFound",
        "Deployment 'gone' could not be found.",
    );
    check_error(
        &t.get(&av(&format!("{}/operations", dep(&t, "rg1", "gone")))),
        404,
        "DeploymentNotFound",
        "Deployment 'gone' could not be found.",
    );
    let r = t.put(&av(&dep(&t, "nogroup", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}})));
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "ResourceGroupNotFound");
}

#[test]
fn an_invalid_template_is_400_and_stores_nothing() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let cycle = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "saa", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "dependsOn": ["sab"]},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "sab", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "dependsOn": ["saa"]},
        ],
    });
    let r = t.put(&av(&dep(&t, "rg1", "cyc")), &body(cycle, json!({})));
    assert_eq!(r.status, 400, "{r:?}");
    let e = check_envelope(&r);
    assert_eq!(e["code"], "InvalidTemplate");
    assert!(e["message"].as_str().unwrap().contains("Circular dependency"), "{e}");
    t.get(&av(&dep(&t, "rg1", "cyc"))).expect(404);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "saa"))).expect(404);

    let unknown = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [],
        "outputs": {"x": {"type": "string", "value": "[nosuchfunction('a')]"}}});
    let r = t.put(&av(&dep(&t, "rg1", "unk")), &body(unknown, json!({})));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(check_envelope(&r)["code"], "InvalidTemplate");
    assert!(r.text().contains("nosuchfunction"), "{r:?}");

    // A missing parameter, and one outside its allowed values.
    let r = t.put(&av(&dep(&t, "rg1", "nop")), &body(storage_template(), json!({})));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(check_envelope(&r)["code"], "InvalidTemplate");
    assert!(r.text().contains("prefix"), "{r:?}");
    let r = t.put(&av(&dep(&t, "rg1", "short")), &body(storage_template(), json!({"prefix": {"value": "ab"}})));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(check_envelope(&r)["code"], "InvalidTemplate");
}

#[test]
fn bad_requests_are_refused_clearly() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    check_error_prefix(
        &t.put(&av(&dep(&t, "rg1", "bad%20name")), &body(json!({"resources": []}), json!({}))),
        400,
        "InvalidDeploymentName",
        "The deployment name 'bad name' is invalid.",
    );
    let linked = json!({"properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}}});
    check_error_prefix(
        &t.put(&av(&dep(&t, "rg1", "linked")), &linked),
        400,
        "InvalidTemplateDeployment",
        "The deployment's 'templateLink' cannot be fetched",
    );
    let no_mode = json!({"properties": {"template": {"resources": []}}});
    check_error_prefix(&t.put(&av(&dep(&t, "rg1", "m")), &no_mode), 400, "InvalidRequestContent", "");
    t.get(&av(&dep(&t, "rg1", "linked"))).expect(404);
}

#[test]
fn a_failed_resource_fails_the_deployment_and_what_was_made_stays() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let template = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "goodsa", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "badloc", "location": "atlantis",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "dependsOn": ["goodsa"]},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "aftersa", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "dependsOn": ["badloc"]},
        ],
    });
    let r = t.put(&av(&dep(&t, "rg1", "d1")), &body(template, json!({}))).expect(201);
    let d = r.json();
    assert_eq!(d["properties"]["provisioningState"], "Failed");
    assert_eq!(d["properties"]["error"]["code"], "DeploymentFailed");
    let details = d["properties"]["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{d}");
    // The client polls the operation the answer names, and gets the same error.
    let status_url = r.header("azure-asyncoperation").expect("a failed deployment names its operation").to_string();
    let s = t.get(&status_url).expect(200).json();
    assert_eq!(s["status"], "Failed");
    assert_eq!(s["error"]["code"], "DeploymentFailed");
    assert_eq!(s["error"]["details"][0]["code"], details[0]["code"]);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "goodsa"))).expect(200);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "aftersa"))).expect(404);
    let ops = t.get(&av(&format!("{}/operations", dep(&t, "rg1", "d1")))).expect(200).json();
    let states: Vec<&str> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["properties"]["provisioningState"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["Succeeded", "Failed"], "the dependent of the failed resource is not attempted");
    let failed = &ops["value"][1]["properties"];
    assert_eq!(failed["statusCode"], "BadRequest");
    assert_eq!(failed["statusMessage"]["error"]["code"], details[0]["code"]);
}

#[test]
fn complete_mode_deletes_what_the_template_does_not_name() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let only_first = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "sta0",
            "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}],
    });
    let mut b = body(only_first, json!({}));
    b["properties"]["mode"] = json!("Complete");
    let d = t.put(&av(&dep(&t, "rg1", "d2")), &b).expect(201).json();
    assert_eq!(d["properties"]["mode"], "Complete");
    assert_eq!(d["properties"]["provisioningState"], "Succeeded");
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(200);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta1"))).expect(404);
    // The earlier deployment is not a resource of the group: it stays.
    t.get(&av(&dep(&t, "rg1", "d1"))).expect(200);
    let ops = t.get(&av(&format!("{}/operations", dep(&t, "rg1", "d2")))).expect(200).json();
    let kinds: Vec<&str> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["properties"]["provisioningOperation"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Create", "Delete"]);
}

#[test]
fn a_nested_deployment_creates_into_another_group() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.create_group("rg2", "northeurope");
    let template = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2021-04-01", "name": "inner",
            "resourceGroup": "rg2",
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"n": {"value": "nestedsa"}},
                "template": {
                    "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                    "parameters": {"n": {"type": "string"}},
                    "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
                        "name": "[parameters('n')]", "location": "[resourceGroup().location]",
                        "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}],
                    "outputs": {"where": {"type": "string", "value": "[resourceGroup().name]"}},
                },
            },
        }],
        "outputs": {"inner": {"type": "string", "value": "[reference('inner').outputs.where.value]"}},
    });
    let d = t.put(&av(&dep(&t, "rg1", "outer")), &body(template, json!({}))).expect(201).json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    assert_eq!(d["properties"]["outputs"]["inner"]["value"], "rg2");
    let sa = t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg2", "nestedsa"))).expect(200).json();
    assert_eq!(sa["location"], "northeurope");
    let inner = t.get(&av(&dep(&t, "rg2", "inner"))).expect(200).json();
    assert_eq!(inner["properties"]["provisioningState"], "Succeeded");
}

#[test]
fn a_subscription_deployment_creates_a_group_and_needs_a_location() {
    let t = Target::new();
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}},
        "resources": [{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01",
            "name": "[parameters('name')]", "location": "[deployment().location]", "tags": {"by": "template"}}],
        "outputs": {"id": {"type": "string", "value": "[format('{0}/resourceGroups/{1}', subscription().id, parameters('name'))]"}},
    });
    let mut b = body(template, json!({"name": {"value": "fromsub"}}));
    check_error(
        &t.put(&av(&sub_dep(&t, "s1")), &b),
        400,
        "LocationRequired",
        "The location property is required for this definition.",
    );
    b["location"] = json!("westeurope");
    let d = t.put(&av(&sub_dep(&t, "s1")), &b).expect(201).json();
    assert_eq!(d["location"], "westeurope");
    assert_eq!(d["id"], format!("{}/providers/Microsoft.Resources/deployments/s1", t.sub()));
    assert_eq!(d["properties"]["outputs"]["id"]["value"], t.rg_id("fromsub"));
    let g = t.get(&av(&t.rg("fromsub"))).expect(200).json();
    assert_eq!(g["location"], "westeurope");
    assert_eq!(g["tags"]["by"], "template");
    let listed = t.get(&av(&format!("{}/providers/Microsoft.Resources/deployments", t.sub()))).expect(200).json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
}

#[test]
fn lists_filter_by_state_and_page() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let empty = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": []});
    for i in 0..5 {
        t.put(&av(&dep(&t, "rg1", &format!("ok{i}"))), &body(empty.clone(), json!({}))).expect(201);
    }
    let failing = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "nowhere", "location": "atlantis",
         "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}]});
    t.put(&av(&dep(&t, "rg1", "bad")), &body(failing, json!({}))).expect(201);
    let list = format!("{}/providers/Microsoft.Resources/deployments", t.rg("rg1"));
    let (all, pages) = collect_pages(&t, &format!("{}&$top=2", av(&list)));
    assert_eq!(all.len(), 6);
    assert_eq!(pages, 3);
    let failed = t.get(&format!("{}&$filter={}", av(&list), qv("provisioningState eq 'Failed'"))).expect(200).json();
    let names: Vec<&str> = failed["value"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bad"]);
    // The legacy form lists the same.
    let legacy_list = t.get(&av(&format!("{}/deployments", t.rg("rg1")))).expect(200).json();
    assert_eq!(legacy_list["value"].as_array().unwrap().len(), 6);
}

#[test]
fn validate_checks_without_deploying() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let r = t.post(
        &av(&format!("{}/validate", dep(&t, "rg1", "v1"))),
        &body(storage_template(), json!({"prefix": {"value": "sta"}})),
    );
    let v = r.expect(200).json();
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    let validated: Vec<&str> =
        v["properties"]["validatedResources"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(validated.len(), 2);
    assert!(validated[0].ends_with("/storageAccounts/sta0"), "{validated:?}");
    t.get(&av(&dep(&t, "rg1", "v1"))).expect(404);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(404);
    let r = t.post(&av(&format!("{}/validate", dep(&t, "rg1", "v1"))), &body(storage_template(), json!({})));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(check_envelope(&r)["code"], "InvalidTemplate");
}

#[test]
fn what_if_reports_creates_then_no_change_then_modifications() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let path = av(&format!("{}/whatIf", dep(&t, "rg1", "w")));
    let b = body(storage_template(), json!({"prefix": {"value": "sta"}}));
    let w = t.post(&path, &b).expect(200).json();
    assert_eq!(w["status"], "Succeeded");
    let kinds = |w: &Value| -> Vec<String> {
        w["properties"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["changeType"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&w), ["Create", "Create"]);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(404);
    t.put(&av(&dep(&t, "rg1", "d1")), &b).expect(201);
    assert_eq!(kinds(&t.post(&path, &b).expect(200).json()), ["NoChange", "NoChange"]);
    let mut changed = storage_template();
    changed["variables"]["sku"] = json!("Standard_GRS");
    let w = t.post(&path, &body(changed, json!({"prefix": {"value": "sta"}}))).expect(200).json();
    assert_eq!(kinds(&w), ["Modify", "Modify"], "{w}");
    let delta = &w["properties"]["changes"][0]["delta"];
    assert_eq!(delta[0]["path"], "sku.name");
    assert_eq!(delta[0]["propertyChangeType"], "Modify");
    assert_eq!(delta[0]["before"], "Standard_LRS");
    assert_eq!(delta[0]["after"], "Standard_GRS");
}

#[test]
fn export_cancel_and_delete() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let template = storage_template();
    t.put(&av(&dep(&t, "rg1", "d1")), &body(template.clone(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let e = t.post(&av(&format!("{}/exportTemplate", dep(&t, "rg1", "d1"))), &json!({})).expect(200).json();
    assert_eq!(e["template"], template);
    check_error(
        &t.post(&av(&format!("{}/cancel", dep(&t, "rg1", "d1"))), &json!({})),
        409,
        "DeploymentCannotBeCancelled",
        "The deployment 'd1' cannot be cancelled: it is in state 'Succeeded'. Only deployments that are 'Accepted' or 'Running' can be cancelled.",
    );
    t.delete(&av(&dep(&t, "rg1", "d1"))).expect(204);
    t.get(&av(&dep(&t, "rg1", "d1"))).expect(404);
    // Deleting a deployment leaves what it deployed.
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(200);
    t.delete(&av(&dep(&t, "rg1", "d1"))).expect(204);
}

#[test]
fn an_asynchronous_deployment_completes_on_its_poll() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.lro("deployments/create", "polls:1");
    let r =
        t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Accepted");
    let status_url = r.header("azure-asyncoperation").expect("polling header").to_string();
    assert!(status_url.contains("/providers/Microsoft.Resources/deployments/d1/operationStatuses/"), "{status_url}");
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(404);
    // A running deployment can be neither replaced nor deleted.
    check_error_prefix(
        &t.delete(&av(&dep(&t, "rg1", "d1"))),
        409,
        "DeploymentActive",
        "The deployment 'd1' cannot be deleted",
    );
    let s = t.get(&status_url).expect(200).json();
    assert_eq!(s["status"], "Succeeded");
    let d = t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded");
    assert_eq!(d["properties"]["outputs"]["first"]["value"], "sta0");
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta0"))).expect(200);
    t.get(&format!("{}?api-version=2023-05-01", storage(&t, "rg1", "sta1"))).expect(200);
}

#[test]
fn cancelling_an_asynchronous_deployment_stops_it() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.lro("deployments/create", "polls:5");
    let r =
        t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let status_url = r.header("azure-asyncoperation").unwrap().to_string();
    // Two polls: the deployment is running and has made its first resource.
    t.get(&status_url).expect(200);
    t.get(&status_url).expect(200);
    assert!(exists(&t, "rg1", "sta0"));
    t.post(&av(&format!("{}/cancel", dep(&t, "rg1", "d1"))), &json!({})).expect(204);
    let d = t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json();
    assert_eq!(d["properties"]["provisioningState"], "Canceled");
    // What it made stays; nothing more is made.
    t.get(&status_url);
    t.get(&status_url);
    assert!(exists(&t, "rg1", "sta0"));
    assert!(!exists(&t, "rg1", "sta1"));
    assert_eq!(t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json()["properties"]["provisioningState"], "Canceled");
}

#[test]
fn a_scope_keeps_at_most_800_deployments() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let empty = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": []});
    for i in 0..801 {
        t.put(&av(&dep(&t, "rg1", &format!("d{i:03}"))), &body(empty.clone(), json!({}))).expect(201);
    }
    t.get(&av(&dep(&t, "rg1", "d000"))).expect(404);
    t.get(&av(&dep(&t, "rg1", "d001"))).expect(200);
    t.get(&av(&dep(&t, "rg1", "d800"))).expect(200);
    let list = format!("{}/providers/Microsoft.Resources/deployments", t.rg("rg1"));
    let (all, _) = collect_pages(&t, &av(&list));
    assert_eq!(all.len(), 800);
}

#[test]
fn deleting_the_group_removes_its_deployments() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let r = t.delete(&av(&t.rg("rg1")));
    assert!(r.status == 200 || r.status == 202, "{r:?}");
    t.create_group("rg1", "westeurope");
    t.get(&av(&dep(&t, "rg1", "d1"))).expect(404);
}

#[test]
fn azure_ai_ml_workspace_template_creates_the_workspace_and_its_dependents() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let d = t
        .put(
            &av(&dep(&t, "rg1", "ws1-1234567")),
            &conformance::templates::ai_ml_workspace_deployment(
                t.sub().trim_start_matches("/subscriptions/"),
                "rg1",
                "ws1",
            ),
        )
        .expect(201)
        .json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    let ws = t
        .get(&format!(
            "{}/providers/Microsoft.MachineLearningServices/workspaces/ws1?api-version=2024-10-01",
            t.rg("rg1")
        ))
        .expect(200)
        .json();
    assert_eq!(ws["properties"]["description"], "from the template");
    assert_eq!(ws["tags"]["createdByToolkit"], "sdk-v2-1.35.2");
    assert_eq!(ws["identity"]["type"], "SystemAssigned");
    for (prop, path) in [
        ("storageAccount", "Microsoft.Storage/storageAccounts/ws1st5e6f7a8b"),
        ("keyVault", "Microsoft.KeyVault/vaults/ws1kv1a2b3c4d"),
        ("applicationInsights", "Microsoft.Insights/components/ws1ai0c1d2e3f"),
    ] {
        let id = ws["properties"][prop].as_str().unwrap_or_else(|| panic!("{prop} in {ws}"));
        assert!(id.to_lowercase().ends_with(&path.to_lowercase()), "{prop}: {id}");
        t.get(&format!("{id}?api-version=2023-05-01")).expect(200);
    }
    let ops = t.get(&av(&format!("{}/operations", legacy(&t, "rg1", "ws1-1234567")))).expect(200).json();
    let types: Vec<&str> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["properties"]["targetResource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types.last(), Some(&"Microsoft.MachineLearningServices/workspaces"), "{types:?}");
    assert_eq!(types.len(), 5, "storage, key vault, Log Analytics, Insights, workspace: {types:?}");
}

#[test]
fn azureml_core_workspace_template_creates_the_default_group_through_nested_deployments() {
    let t = Target::new();
    t.create_group("rg1", "eastus");
    let sub = t.sub().trim_start_matches("/subscriptions/").to_string();
    let text = include_str!("../../../template/tests/fixtures/azureml-core/workspace_create.json")
        .replace("00000000-0000-0000-0000-000000000001", &sub);
    let template: Value = serde_json::from_str(&text).unwrap();
    let d = t
        .put(&av(&dep(&t, "rg1", "Microsoft.MachineLearningServices_1234")), &body(template, json!({})))
        .expect(201)
        .json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    t.get(&av(&t.rg("DefaultResourceGroup-eastus"))).expect(200);
    let la = format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/DefaultWorkspace-eastus?api-version=2020-08-01",
        t.rg("DefaultResourceGroup-eastus")
    );
    t.get(&la).expect(200);
    let ws = t
        .get(&format!(
            "{}/providers/Microsoft.MachineLearningServices/workspaces/myworkspace?api-version=2022-05-01",
            t.rg("rg1")
        ))
        .expect(200)
        .json();
    assert_eq!(ws["properties"]["friendlyName"], "myworkspace");
    assert_eq!(ws["sku"]["name"], "basic");
}

#[test]
fn what_if_shows_a_nested_deployments_resources_in_its_place() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.create_group("rg2", "westeurope");
    let template = json!({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2021-04-01", "name": "inner", "resourceGroup": "rg2",
            "properties": {"mode": "Incremental", "template": {
                "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "nestedsa",
                    "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}],
            }},
        }],
    });
    let w = t.post(&av(&format!("{}/whatIf", dep(&t, "rg1", "w"))), &body(template, json!({}))).expect(200).json();
    let changes = w["properties"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{w}");
    assert_eq!(changes[0]["changeType"], "Create");
    assert_eq!(
        changes[0]["resourceId"],
        format!("{}/providers/Microsoft.Storage/storageAccounts/nestedsa", t.rg_id("rg2"))
    );
}

#[test]
fn reference_reads_a_group_by_its_subscription_resource_id() {
    // What Bicep's `rg.location` compiles to at subscription scope.
    let t = Target::new();
    t.create_group("existing", "northeurope");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"where": {"type": "string",
            "value": "[reference(subscriptionResourceId('Microsoft.Resources/resourceGroups', 'existing'), '2022-09-01', 'Full').location]"}},
    });
    let mut b = body(template, json!({}));
    b["location"] = json!("westeurope");
    let d = t.put(&av(&sub_dep(&t, "ref")), &b).expect(201).json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    assert_eq!(d["properties"]["outputs"]["where"]["value"], "northeurope");
}

fn exists(t: &Target, rg: &str, name: &str) -> bool {
    t.get(&format!("{}?api-version=2023-05-01", storage(t, rg, name))).status == 200
}

#[test]
fn an_asynchronous_deployment_creates_its_resources_one_poll_at_a_time() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    // Steps: the record goes Running, sta0, sta1, the final record; the fifth poll ends it.
    t.lro("deployments/create", "polls:5");
    let r =
        t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    let status_url = r.header("azure-asyncoperation").unwrap().to_string();
    let state =
        |t: &Target| t.get(&av(&dep(t, "rg1", "d1"))).expect(200).json()["properties"]["provisioningState"].clone();
    assert_eq!(state(&t), "Accepted");
    assert_eq!(t.get(&status_url).expect(200).json()["status"], "InProgress");
    assert_eq!(state(&t), "Running");
    assert!(!exists(&t, "rg1", "sta0"));
    t.get(&status_url).expect(200);
    assert!(exists(&t, "rg1", "sta0") && !exists(&t, "rg1", "sta1"), "the first resource, then the second");
    t.get(&status_url).expect(200);
    assert!(exists(&t, "rg1", "sta1"));
    t.get(&status_url).expect(200);
    assert_eq!(t.get(&status_url).expect(200).json()["status"], "Succeeded");
    assert_eq!(state(&t), "Succeeded");
}

#[test]
fn an_asynchronous_deployment_creates_its_resources_as_the_clock_advances() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    // Four steps spread over 50 s: at 10, 20, 30 and 40 s; the operation ends at 50 s.
    t.lro("deployments/create", "seconds:50");
    t.put(&av(&dep(&t, "rg1", "d1")), &body(storage_template(), json!({"prefix": {"value": "sta"}}))).expect(201);
    assert!(!exists(&t, "rg1", "sta0"));
    t.advance(21);
    assert!(exists(&t, "rg1", "sta0") && !exists(&t, "rg1", "sta1"));
    t.advance(10);
    assert!(exists(&t, "rg1", "sta1"));
    let d = t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json();
    assert_eq!(d["properties"]["provisioningState"], "Running");
    t.advance(20);
    let d = t.get(&av(&dep(&t, "rg1", "d1"))).expect(200).json();
    assert_eq!(d["properties"]["provisioningState"], "Succeeded");
}
