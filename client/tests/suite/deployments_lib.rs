//! The `Deployments_*` operations against scripted servers (the ARM REST contract: exact
//! paths, api-version, LRO answers) and against the emulator.

use armctl::error::Error;
use armctl::models::{Deployment, DeploymentMode, DeploymentProperties, WhatIfResultFormat};
use armctl::ops::deployments::DeploymentScope;
use armctl::sleep::RecordingSleeper;
use armemu::testing::TestEmulator;
use serde_json::{json, Map, Value};

use crate::helpers::*;

const API: &str = "api-version=2025-04-01";

fn dep_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.Resources/deployments/{name}")
}

fn record(state: &str) -> String {
    json!({"id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d"),
           "name": "d", "type": "Microsoft.Resources/deployments",
           "properties": {"provisioningState": state, "mode": "Incremental",
                          "outputs": {"first": {"type": "String", "value": "sa0"}}}})
    .to_string()
}

fn body(template: Value, parameters: Value) -> Deployment {
    Deployment {
        location: None,
        tags: None,
        properties: DeploymentProperties {
            mode: DeploymentMode::Incremental,
            template,
            parameters: parameters.as_object().cloned().unwrap_or_default(),
            extra: Map::new(),
        },
    }
}

#[tokio::test]
async fn create_follows_the_operation_status_then_gets_the_deployment() {
    let srv = scripted_with(|base| {
        let status = format!("{base}{}/operationStatuses/op1?{API}", dep_path("d"));
        vec![
            reply(201, &[("Azure-AsyncOperation", &status), ("Retry-After", "2")], &record("Accepted")),
            reply(200, &[("Retry-After", "3")], r#"{"status":"Running"}"#),
            reply(200, &[], r#"{"status":"Succeeded"}"#),
            reply(200, &[], &record("Succeeded")),
        ]
    })
    .await;
    let sleeper = RecordingSleeper::new();
    let c = srv.client(&sleeper);
    let poller = c
        .deployments()
        .create_or_update(DeploymentScope::ResourceGroup("rg"), "d", &body(json!({"resources": []}), json!({})))
        .await
        .unwrap();
    assert!(!poller.is_done());
    let d = poller.await.unwrap().unwrap();
    assert_eq!(d.provisioning_state(), Some("Succeeded"));
    assert_eq!(d.output("first"), Some(&json!("sa0")));
    assert_eq!(sleeper.recorded(), secs(&[2, 3]));
    let seen = srv.seen();
    assert_eq!(seen[0], format!("PUT {}?{API}", dep_path("d")));
    assert_eq!(seen[1], format!("GET {}/operationStatuses/op1?{API}", dep_path("d")));
    assert_eq!(seen[3], format!("GET {}?{API}", dep_path("d")));
}

#[tokio::test]
async fn a_failed_status_is_the_deployment_error_and_keeps_its_body() {
    let failed = r#"{"status":"Failed","error":{"code":"DeploymentFailed","message":"At least one resource deployment operation failed.","details":[{"code":"LocationNotAvailableForResourceType","message":"nope"}]}}"#;
    let srv = scripted_with(|base| {
        let status = format!("{base}{}/operationStatuses/op1?{API}", dep_path("d"));
        vec![reply(201, &[("Azure-AsyncOperation", &status)], &record("Running")), reply(200, &[], failed)]
    })
    .await;
    let c = srv.client(&RecordingSleeper::new());
    let mut poller = c
        .deployments()
        .create_or_update(DeploymentScope::ResourceGroup("rg"), "d", &body(json!({}), json!({})))
        .await
        .unwrap();
    match poller.wait_in_place().await.unwrap_err() {
        Error::Arm { code, message, details, .. } => {
            assert_eq!(code, "DeploymentFailed");
            assert_eq!(message, "At least one resource deployment operation failed.");
            assert_eq!(details[0].code, "LocationNotAvailableForResourceType");
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(String::from_utf8_lossy(poller.last_body()), failed);
}

#[tokio::test]
async fn a_terminal_201_needs_no_poll() {
    let srv = scripted(vec![reply(201, &[], &record("Succeeded"))]).await;
    let c = srv.client(&RecordingSleeper::new());
    let poller = c
        .deployments()
        .create_or_update(
            DeploymentScope::Subscription,
            "d",
            &Deployment { location: Some("westeurope".into()), ..body(json!({}), json!({})) },
        )
        .await
        .unwrap();
    assert!(poller.is_done());
    assert_eq!(poller.await.unwrap().unwrap().provisioning_state(), Some("Succeeded"));
    assert_eq!(srv.seen(), [format!("PUT /subscriptions/{SUB}/providers/Microsoft.Resources/deployments/d?{API}")]);
}

#[tokio::test]
async fn list_pages_filters_validate_what_if_operations_and_delete() {
    let srv = scripted_with(|base| {
        let next = format!("{base}/next-page");
        let loc = format!("{base}/whatif-result");
        let del = format!("{base}/delete-result");
        vec![
            reply(200, &[], &format!(r#"{{"value":[{}],"nextLink":"{next}"}}"#, record("Failed"))),
            reply(200, &[], r#"{"value":[]}"#),
            reply(400, &[], r#"{"error":{"code":"InvalidTemplate","message":"Deployment template validation failed."}}"#),
            reply(200, &[], &record("Succeeded")),
            reply(202, &[("Location", &loc), ("Retry-After", "1")], ""),
            reply(200, &[], r#"{"status":"Succeeded","properties":{"changes":[{"resourceId":"/x","changeType":"Create"}]}}"#),
            reply(200, &[], r#"{"value":[{"id":"/o/1","operationId":"1","properties":{"provisioningState":"Succeeded","targetResource":{"id":"/t"}}}]}"#),
            reply(202, &[("Location", &del), ("Retry-After", "0")], ""),
            reply(204, &[], ""),
        ]
    })
    .await;
    let c = srv.client(&RecordingSleeper::new());
    let rg = DeploymentScope::ResourceGroup("rg");
    let all =
        c.deployments().list(rg, Some("provisioningState eq 'Failed'"), Some(5)).unwrap().collect_all().await.unwrap();
    assert_eq!(all.len(), 1);
    let e = c.deployments().validate(rg, "d", &body(json!({}), json!({}))).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), Some("InvalidTemplate")));
    let v = c.deployments().validate(rg, "d", &body(json!({}), json!({}))).await.unwrap().await.unwrap().unwrap();
    assert_eq!(v.properties.unwrap().provisioning_state.as_deref(), Some("Succeeded"));
    let w = c
        .deployments()
        .what_if(rg, "d", &body(json!({}), json!({})), WhatIfResultFormat::ResourceIdOnly)
        .await
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w.changes()[0].change_type, "Create");
    let ops = c.deployment_operations().list(rg, "d").unwrap().collect_all().await.unwrap();
    assert_eq!((ops[0].provisioning_state(), ops[0].target_id()), (Some("Succeeded"), Some("/t")));
    c.deployments().delete(rg, "d").await.unwrap().await.unwrap();
    let seen = srv.seen();
    let p = dep_path("d");
    let coll = p.trim_end_matches("/d");
    assert_eq!(
        seen,
        [
            format!("GET {coll}?{API}&%24filter=provisioningState+eq+%27Failed%27&%24top=5"),
            "GET /next-page".to_string(),
            format!("POST {p}/validate?{API}"),
            format!("POST {p}/validate?{API}"),
            format!("POST {p}/whatIf?{API}"),
            "GET /whatif-result".to_string(),
            format!("GET {p}/operations?{API}"),
            format!("DELETE {p}?{API}"),
            "GET /delete-result".to_string(),
        ]
    );
}

#[tokio::test]
async fn against_the_emulator() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    c.resource_groups()
        .create_or_update(
            "rg-lib",
            &armctl::models::ResourceGroupCreate { location: "westeurope".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string"}},
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
            "name": "[concat(parameters('prefix'), copyIndex())]", "location": "westeurope",
            "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "copy": {"name": "sa", "count": 2}}],
        "outputs": {"first": {"type": "string", "value": "[concat(parameters('prefix'), '0')]"}}
    });
    let rg = DeploymentScope::ResourceGroup("rg-lib");
    let d = body(template, json!({"prefix": {"value": "stlib"}}));
    let created = c.deployments().create_or_update(rg, "lib", &d).await.unwrap().await.unwrap().unwrap();
    assert_eq!(created.provisioning_state(), Some("Succeeded"));
    assert_eq!(created.output("first"), Some(&json!("stlib0")));
    assert_eq!(c.deployments().get(rg, "lib").await.unwrap().name.as_deref(), Some("lib"));
    let ops = c.deployment_operations().list(rg, "lib").unwrap().collect_all().await.unwrap();
    assert_eq!(ops.len(), 2);
    let missing = c.deployments().get(rg, "nope").await.unwrap_err();
    assert_eq!((missing.status(), missing.code()), (Some(404), Some("DeploymentNotFound")));
    c.deployments().delete(rg, "lib").await.unwrap().await.unwrap();
    assert!(c.deployments().list(rg, None, None).unwrap().collect_all().await.unwrap().is_empty());
}
