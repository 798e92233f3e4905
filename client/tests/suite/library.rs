//! The typed operations against an in-process emulator.

use armctl::error::Error;
use armctl::lro::LroStatus;
use armctl::models::{ResourceGroupCreate, ResourceGroupPatch, Tags, Workspace, WorkspaceProperties, WorkspaceUpdate};
use armctl::sleep::RecordingSleeper;
use armemu::testing::TestEmulator;
use futures_util::StreamExt;
use serde_json::json;

use crate::helpers::*;

fn rg(location: &str) -> ResourceGroupCreate {
    ResourceGroupCreate { location: location.into(), ..Default::default() }
}

#[tokio::test]
async fn resource_groups_round_trip() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    let groups = c.resource_groups();
    let mut tags = Tags::new();
    tags.insert("env".into(), "dev".into());
    let g = groups
        .create_or_update(
            "rg-lib",
            &ResourceGroupCreate { location: "westeurope".into(), tags: Some(tags), managed_by: None },
        )
        .await
        .unwrap();
    assert_eq!(g.id.as_deref(), Some(format!("/subscriptions/{SUB}/resourceGroups/rg-lib").as_str()));
    assert_eq!(g.properties.unwrap().provisioning_state.as_deref(), Some("Succeeded"));
    assert!(groups.check_existence("RG-LIB").await.unwrap(), "names are case-insensitive");
    assert!(!groups.check_existence("nope").await.unwrap());
    let got = groups.get("rg-lib").await.unwrap();
    assert_eq!(got.name.as_deref(), Some("rg-lib"));
    let mut new_tags = Tags::new();
    new_tags.insert("team".into(), "ml".into());
    let up =
        groups.update("rg-lib", &ResourceGroupPatch { tags: Some(new_tags.clone()), managed_by: None }).await.unwrap();
    assert_eq!(up.tags, Some(new_tags));
    groups.create_or_update("rg-other", &rg("eastus")).await.unwrap();
    let tagged =
        groups.list(Some("tagName eq 'team' and tagValue eq 'ml'"), None).unwrap().collect_all().await.unwrap();
    assert_eq!(tagged.iter().map(|g| g.name.clone().unwrap()).collect::<Vec<_>>(), ["rg-lib"]);
    let poller = groups.begin_delete("rg-lib").await.unwrap();
    assert!(poller.is_done(), "synchronous mode completes at the first answer");
    poller.await.unwrap();
    assert!(!groups.check_existence("rg-lib").await.unwrap());
}

#[tokio::test]
async fn arm_errors_carry_code_message_and_request_id() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    match c.resource_groups().get("missing").await.unwrap_err() {
        Error::Arm { status, code, message, request_id, .. } => {
            assert_eq!(status, 404);
            assert_eq!(code, "ResourceGroupNotFound");
            assert_eq!(message, "Resource group 'missing' could not be found.");
            assert!(request_id.is_some_and(|r| is_guid(&r)));
        }
        e => panic!("{e:?}"),
    }
    c.resource_groups().create_or_update("rg-loc", &rg("eastus")).await.unwrap();
    let e = c.resource_groups().create_or_update("rg-loc", &rg("westus")).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(409), Some("InvalidResourceGroupLocation")));
}

#[tokio::test]
async fn providers_register_and_unregister() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    let all = c.providers().list().unwrap().collect_all().await.unwrap();
    let net =
        all.iter().find(|p| p.namespace.as_deref() == Some("Microsoft.Network")).expect("Microsoft.Network listed");
    assert_eq!(net.registration_state.as_deref(), Some("NotRegistered"));
    settings(&emu, json!({"registrationDelay": "polls:1"})).await;
    let p = c.providers().register("microsoft.network").await.unwrap();
    assert_eq!(p.registration_state.as_deref(), Some("Registering"));
    let p = c.providers().get("Microsoft.Network").await.unwrap();
    assert_eq!(p.registration_state.as_deref(), Some("Registered"));
    assert!(p.resource_type("privateEndpoints").is_some());
    c.providers().unregister("Microsoft.Network").await.unwrap();
    let p = c.providers().get("Microsoft.Network").await.unwrap();
    assert_eq!(p.registration_state.as_deref(), Some("NotRegistered"));
}

#[tokio::test]
async fn subscriptions_list_and_get() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    let subs = c.subscriptions().list().collect_all().await.unwrap();
    assert!(subs.iter().any(|s| s.subscription_id == SUB && s.tenant_id.as_deref() == Some(TENANT)));
    let s = c.subscriptions().get(SUB).await.unwrap();
    assert_eq!(s.state.as_deref(), Some("Enabled"));
    let e = c.subscriptions().get("00000000-0000-0000-0000-00000000dead").await.unwrap_err();
    assert_eq!(e.code(), Some("SubscriptionNotFound"));
}

#[tokio::test]
async fn pager_follows_next_link_across_pages() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    for i in 0..5 {
        c.resource_groups().create_or_update(&format!("page-{i}"), &rg("eastus")).await.unwrap();
    }
    settings(&emu, json!({"pageSize": 2})).await;
    let mut pager = c.resource_groups().list(None, None).unwrap();
    let mut sizes = Vec::new();
    while let Some(page) = pager.next_page().await.unwrap() {
        sizes.push(page.len());
    }
    assert_eq!(sizes, [2, 2, 1]);
    let streamed: Vec<String> =
        c.resource_groups().list(None, None).unwrap().into_stream().map(|g| g.unwrap().name.unwrap()).collect().await;
    assert_eq!(streamed, ["page-0", "page-1", "page-2", "page-3", "page-4"]);
    let top = c.resource_groups().list(None, Some(4)).unwrap().collect_all().await.unwrap();
    assert_eq!(top.len(), 5, "$top sets the page size; the pager still reads every page");
}

#[tokio::test]
async fn generic_resources_by_id() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    c.resource_groups().create_or_update("rg-gen", &rg("eastus")).await.unwrap();
    let id = format!("/subscriptions/{SUB}/resourceGroups/rg-gen/providers/Microsoft.KeyVault/vaults/kvgen");
    let body = json!({"location": "eastus", "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}});
    c.resources().create_or_update_by_id(&id, "2023-07-01", &body).await.unwrap().await.unwrap();
    let got = c.resources().get_by_id(&id, "2019-09-01").await.unwrap();
    assert_eq!(got["name"], "kvgen");
    let listed =
        c.resources().list(Some("resourceType eq 'Microsoft.KeyVault/vaults'")).unwrap().collect_all().await.unwrap();
    assert_eq!(listed.len(), 1);
    let by_group = c.resources().list_by_resource_group("rg-gen", None).unwrap().collect_all().await.unwrap();
    assert!(by_group.iter().any(|r| r.id.eq_ignore_ascii_case(&id)));
    assert!(c.resources().check_existence_by_id(&id, "2023-07-01").await.unwrap());
    c.resources().delete_by_id(&id, "2023-07-01").await.unwrap().await.unwrap();
    assert!(!c.resources().check_existence_by_id(&id, "2023-07-01").await.unwrap());
    assert!(matches!(c.resources().get_by_id("not-an-id", "2023-07-01").await.unwrap_err(), Error::Invalid { .. }));
}

#[tokio::test]
async fn resource_group_delete_poller_honours_retry_after() {
    let emu = TestEmulator::start();
    let sleeper = RecordingSleeper::new();
    let c = client(&emu, &sleeper);
    c.resource_groups().create_or_update("rg-lro", &rg("eastus")).await.unwrap();
    settings(&emu, json!({"lro": {"resourceGroups/delete": "polls:2"}})).await;
    let poller = c.resource_groups().begin_delete("rg-lro").await.unwrap();
    assert_eq!(poller.initial_status(), 202);
    assert_eq!(poller.status(), LroStatus::InProgress);
    assert!(poller.operation_url().unwrap().contains("/operationresults/"));
    assert_eq!(poller.retry_after(), Some(std::time::Duration::from_secs(1)));
    poller.await.unwrap();
    assert_eq!(sleeper.recorded(), secs(&[1, 1]), "one wait per poll, each the Retry-After the emulator sent");
    assert!(!c.resource_groups().check_existence("rg-lro").await.unwrap());
}

#[tokio::test]
async fn failed_operation_is_an_arm_error() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    c.resource_groups().create_or_update("rg-fail", &rg("eastus")).await.unwrap();
    settings(&emu, json!({"lro": {"resourceGroups/delete": "polls:1:fail"}})).await;
    let e = c.resource_groups().begin_delete("rg-fail").await.unwrap().await.unwrap_err();
    assert_eq!(e.code(), Some("InternalOperationError"), "{e}");
    assert!(c.resource_groups().check_existence("rg-fail").await.unwrap(), "rolled back");
}

#[tokio::test]
async fn token_errors_are_arm_errors() {
    let emu = TestEmulator::start();
    let cred = armctl::credential::ClientSecretCredential::new(&emu.https, TENANT, CLIENT_ID, "wrong", http_for(&emu));
    let e = cred.request_token(armctl::credential::ARM_SCOPE).await.unwrap_err();
    assert!(matches!(e, Error::Arm { status: 401 | 400, .. }), "{e:?}");
    let good = armctl::credential::ClientSecretCredential::new(&emu.https, TENANT, CLIENT_ID, SECRET, http_for(&emu));
    use armctl::credential::TokenCredential;
    let a = good.get_token(armctl::credential::ARM_SCOPE).await.unwrap();
    let b = good.get_token(armctl::credential::ARM_SCOPE).await.unwrap();
    assert_eq!(a, b, "cached until near expiry");
    assert_eq!(a.token.split('.').count(), 3, "a JWT");
}

fn ws_body(location: &str) -> Workspace {
    Workspace {
        location: Some(location.into()),
        identity: Some(armctl::models::Identity::system_assigned()),
        properties: WorkspaceProperties {
            friendly_name: Some("lib".into()),
            description: Some(String::new()),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn workspaces_lifecycle() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    c.resource_groups().create_or_update("rg-ws", &rg("eastus")).await.unwrap();
    let ws =
        c.workspaces().create_or_update("rg-ws", "ws-lib", &ws_body("eastus")).await.unwrap().await.unwrap().unwrap();
    let wid = ws.properties.workspace_id.clone().unwrap();
    assert!(is_guid(&wid));
    assert_eq!(ws.properties.provisioning_state.as_deref(), Some("Succeeded"));
    let sa = ws.properties.storage_account.clone().unwrap();
    assert_eq!(sa, sa.to_lowercase(), "dependent ids come back lower-cased");
    let got = c.workspaces().get("rg-ws", "WS-LIB").await.unwrap();
    assert_eq!(got.name.as_deref(), Some("ws-lib"));
    let mut props = serde_json::Map::new();
    props.insert("description".into(), json!("updated"));
    let up = c
        .workspaces()
        .update("rg-ws", "ws-lib", &WorkspaceUpdate { tags: None, properties: props })
        .await
        .unwrap()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(up.properties.description.as_deref(), Some("updated"));
    let keys = c.workspaces().list_keys("rg-ws", "ws-lib").await.unwrap();
    assert!(keys.user_storage_key.is_some());
    c.workspaces().resync_keys("rg-ws", "ws-lib").await.unwrap().await.unwrap();
    assert_eq!(c.workspaces().list_by_subscription().unwrap().collect_all().await.unwrap().len(), 1);

    c.workspaces().delete("rg-ws", "ws-lib", false).await.unwrap().await.unwrap();
    assert!(c.workspaces().get("rg-ws", "ws-lib").await.unwrap_err().is_not_found());
    let deleted = c.workspaces().list_deleted(Some("rg-ws")).unwrap().collect_all().await.unwrap();
    assert_eq!(deleted.iter().filter_map(|w| w.name.clone()).collect::<Vec<_>>(), ["ws-lib"]);
    assert_eq!(c.workspaces().list_deleted(None).unwrap().collect_all().await.unwrap().len(), 1);
    let e = c.workspaces().create_or_update("rg-ws", "ws-lib", &ws_body("eastus")).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("Soft-deleted workspace exists"), "{e}");
    let back = c.workspaces().recover("rg-ws", "ws-lib", "eastus").await.unwrap().await.unwrap().unwrap();
    assert_eq!(back.properties.workspace_id.as_deref(), Some(wid.as_str()), "recovery keeps the workspace id");
    c.workspaces().delete("rg-ws", "ws-lib", true).await.unwrap().await.unwrap();
    assert!(
        c.workspaces().list_deleted(Some("rg-ws")).unwrap().collect_all().await.unwrap().is_empty(),
        "purged, not soft-deleted"
    );
}

#[tokio::test]
async fn workspace_list_pages_with_skip() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());
    c.resource_groups().create_or_update("rg-wsp", &rg("eastus")).await.unwrap();
    for n in ["wsa", "wsb", "wsc"] {
        c.workspaces().create_or_update("rg-wsp", n, &ws_body("eastus")).await.unwrap().await.unwrap();
    }
    settings(&emu, json!({"pageSize": 2})).await;
    let mut pager = c.workspaces().list_by_resource_group("rg-wsp").unwrap();
    let first = pager.next_page().await.unwrap().unwrap();
    assert_eq!(first.len(), 2);
    let rest = pager.collect_all().await.unwrap();
    assert_eq!(rest.len(), 1);
}

#[tokio::test]
async fn workspace_create_as_async_operation() {
    let emu = TestEmulator::start();
    let sleeper = RecordingSleeper::new();
    let c = client(&emu, &sleeper);
    c.resource_groups().create_or_update("rg-wsl", &rg("eastus")).await.unwrap();
    settings(&emu, json!({"lro": {"workspaces/create": "polls:2", "workspaces/delete": "polls:2"}})).await;
    let poller = c.workspaces().create_or_update("rg-wsl", "ws-async", &ws_body("eastus")).await.unwrap();
    assert!(matches!(poller.initial_status(), 200 | 202), "never 201");
    assert!(!poller.is_done());
    let ws = poller.await.unwrap().unwrap();
    assert_eq!(ws.properties.provisioning_state.as_deref(), Some("Succeeded"));
    assert_eq!(sleeper.recorded(), secs(&[1, 1]));
    c.workspaces().delete("rg-wsl", "ws-async", false).await.unwrap().await.unwrap();
    assert!(c.workspaces().get("rg-wsl", "ws-async").await.unwrap_err().is_not_found());
}

/// Every remaining emulator operation through the library: tenants, locations, provider
/// resource types and tenant-level providers, cloud metadata, PATCH by id, resource moves,
/// the notebook token, private endpoint connections and role definitions.
#[tokio::test]
async fn the_library_drives_the_remaining_operations() {
    let emu = TestEmulator::start();
    let c = client(&emu, &RecordingSleeper::new());

    let tenants = c.subscriptions().list_tenants().collect_all().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert!(is_guid(tenants[0]["tenantId"].as_str().unwrap()));
    let locations = c.subscriptions().list_locations().await.unwrap();
    let names: Vec<&str> = locations["value"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"westeurope"), "{names:?}");

    let types = c.providers().list_resource_types("Microsoft.MachineLearningServices").await.unwrap();
    let ws =
        types["value"].as_array().unwrap().iter().find(|t| t["resourceType"] == "workspaces").expect("workspaces type");
    assert!(ws["locations"].as_array().unwrap().iter().any(|l| l == "West Europe"), "display-name locations");
    let tenant_level = c.providers().list_at_tenant_scope().collect_all().await.unwrap();
    assert!(
        tenant_level.iter().all(|p| p.get("registrationState").is_none()),
        "tenant scope has no registration state"
    );
    let storage = c.providers().get_at_tenant_scope("microsoft.storage").await.unwrap();
    assert_eq!(storage["namespace"], "Microsoft.Storage");

    let cloud = c.metadata_endpoints().await.unwrap();
    assert_eq!(cloud["resourceManager"], format!("{}/", emu.https));

    c.resource_groups().create_or_update("rg-a", &rg("westeurope")).await.unwrap();
    c.resource_groups().create_or_update("rg-b", &rg("westeurope")).await.unwrap();
    let sa = format!("/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Storage/storageAccounts/saone");
    c.resources()
        .create_or_update_by_id(&sa, "2023-05-01", &json!({"location": "westeurope"}))
        .await
        .unwrap()
        .await
        .unwrap();
    let patched = c.resources().update_by_id(&sa, "2023-05-01", &json!({"tags": {"k": "v"}})).await.unwrap();
    assert_eq!(patched["tags"], json!({"k": "v"}));
    let target = format!("/subscriptions/{SUB}/resourceGroups/rg-b");
    c.resources().validate_move_resources("rg-a", &[&sa], &target).await.unwrap().await.unwrap();
    c.resources().move_resources("rg-a", &[&sa], &target).await.unwrap().await.unwrap();
    let moved = format!("/subscriptions/{SUB}/resourceGroups/rg-b/providers/Microsoft.Storage/storageAccounts/saone");
    assert!(c.resources().check_existence_by_id(&moved, "2023-05-01").await.unwrap());
    assert!(!c.resources().check_existence_by_id(&sa, "2023-05-01").await.unwrap());

    let w = Workspace { location: Some("westeurope".into()), ..Default::default() };
    c.workspaces().create_or_update("rg-a", "ws-lib", &w).await.unwrap().await.unwrap();
    let token = c.workspaces().list_notebook_access_token("rg-a", "ws-lib").await.unwrap();
    assert_eq!(token["tokenType"], "Bearer");
    let pe = json!({"properties": {"privateEndpoint": {"id": "/subscriptions/x/resourceGroups/rg-a/providers/Microsoft.Network/privateEndpoints/pe1"}, "privateLinkServiceConnectionState": {"status": "Approved"}}});
    let conn = c.workspaces().create_or_update_private_endpoint_connection("rg-a", "ws-lib", "pe1", &pe).await.unwrap();
    assert_eq!(conn["properties"]["privateLinkServiceConnectionState"]["status"], "Approved");
    assert_eq!(c.workspaces().get_private_endpoint_connection("rg-a", "ws-lib", "pe1").await.unwrap()["name"], "pe1");
    assert_eq!(
        c.workspaces().list_private_endpoint_connections("rg-a", "ws-lib").await.unwrap()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let ws_id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.MachineLearningServices/workspaces/ws-lib"
    );
    assert_eq!(c.resources().get_by_id(&ws_id, "2025-12-01").await.unwrap()["properties"]["privateLinkCount"], 1);
    assert!(c.workspaces().delete_private_endpoint_connection("rg-a", "ws-lib", "pe1").await.unwrap());
    assert!(!c.workspaces().delete_private_endpoint_connection("rg-a", "ws-lib", "pe1").await.unwrap());

    let scope = format!("/subscriptions/{SUB}");
    let readers = c.role_definitions().list(&scope, Some("roleName eq 'Reader'")).collect_all().await.unwrap();
    assert_eq!(readers.len(), 1);
    let guid = readers[0]["name"].as_str().unwrap().to_string();
    assert_eq!(c.role_definitions().get(&scope, &guid).await.unwrap()["properties"]["roleName"], "Reader");
    assert_eq!(c.role_definitions().get_by_id(&guid).await.unwrap()["properties"]["roleName"], "Reader");
}
