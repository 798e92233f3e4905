//! Creation: PUT answers 200 (never 201) with the full Workspace JSON of reference §4.3;
//! names (§4.2), locations (§2.4) and provider registration (§2.3).

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

use crate::*;

/// `sku.tier` is a closed enum (`SkuTier`, not modelAsString): a tier given in another casing
/// (azureml-core's workspace template sends `basic`) is answered in the enum's casing; the name
/// is kept as given. Found by the schema validation of the deployments suite.
#[test]
fn sku_tier_is_answered_in_the_casing_of_its_enum() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let body = json!({"location": LOCATION, "sku": {"name": "basic", "tier": "basic"}, "properties": {}});
    let w = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &body).expect(200).json();
    assert_eq!(w["sku"], json!({"name": "basic", "tier": "Basic"}));
    let u = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"sku": {"name": "Standard", "tier": "STANDARD"}}));
    assert_eq!(u.expect(200).json()["sku"], json!({"name": "Standard", "tier": "Standard"}));
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json()["sku"], json!({"name": "Standard", "tier": "Standard"}));
}

#[test]
fn put_answers_200_with_the_full_workspace_json() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = put_ws(&t, "rg1", "ws1", json!({"description": "first", "friendlyName": "First"}));
    assert_eq!(r.status, 200, "PUT of a new workspace answers 200, never 201: {r:?}");
    let w = r.json();
    let emu = t.emu();
    let sub = &t.subscription;
    let tenant = armemu::config::DEFAULT_TENANT_ID;

    assert_eq!(w["id"], ws_id(&t, "rg1", "ws1"));
    assert_eq!(w["name"], "ws1");
    assert_eq!(w["type"], "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(w["location"], LOCATION);
    assert_eq!(w["kind"], "Default");
    assert_eq!(w["sku"], json!({"name": "Basic", "tier": "Basic"}));
    assert_eq!(w["tags"], json!({}));
    // identity: SystemAssigned with a principal and the subscription's tenant.
    assert_eq!(w["identity"]["type"], "SystemAssigned");
    assert!(is_guid(str_of(&w, "/identity/principalId")), "{w}");
    assert_eq!(w["identity"]["tenantId"], tenant);
    // systemData, stamped with the frozen clock.
    for k in ["createdBy", "createdByType", "createdAt", "lastModifiedBy", "lastModifiedByType", "lastModifiedAt"] {
        assert!(w["systemData"][k].is_string(), "systemData.{k}: {w}");
    }
    assert_eq!(w["systemData"]["createdAt"], "2026-01-01T00:00:00.0000000Z");

    let p = &w["properties"];
    assert!(is_guid(str_of(p, "/workspaceId")), "{p}");
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["description"], "first");
    assert_eq!(p["friendlyName"], "First");
    assert_eq!(
        p["discoveryUrl"],
        format!("{}/discovery", emu.https),
        "discoveryUrl points at the emulator's https base"
    );
    let host = emu.https.trim_start_matches("https://");
    assert_eq!(
        p["mlFlowTrackingUri"],
        format!("azureml://{host}/mlflow/v1.0/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws1")
    );
    assert_eq!(p["containerRegistry"], serde_json::Value::Null, "no registry at creation");
    for (prop, ty) in [
        ("storageAccount", "microsoft.storage/storageaccounts"),
        ("keyVault", "microsoft.keyvault/vaults"),
        ("applicationInsights", "microsoft.insights/components"),
    ] {
        let id = str_of(p, &format!("/{prop}"));
        assert_eq!(id, id.to_lowercase(), "{prop} is lower-cased");
        assert!(id.starts_with(&format!("/subscriptions/{sub}/resourcegroups/rg1/providers/{ty}/")), "{prop}: {id}");
    }
    assert_eq!(p["hbiWorkspace"], false);
    assert_eq!(p["publicNetworkAccess"], "Enabled");
    assert_eq!(p["allowPublicAccessWhenBehindVnet"], false);
    assert_eq!(p["privateLinkCount"], 0);
    assert_eq!(p["privateEndpointConnections"], json!([]));
    assert_eq!(p["storageHnsEnabled"], false);
    assert_eq!(p["v1LegacyMode"], false);
    assert_eq!(p["tenantId"], tenant);
    let nb = &p["notebookInfo"];
    let ws_guid = str_of(p, "/workspaceId");
    assert_eq!(nb["fqdn"], format!("ml-ws1-{LOCATION}-{ws_guid}.notebooks.azure.net"));
    let rid = str_of(nb, "/resourceId");
    assert!(rid.len() == 32 && rid.chars().all(|c| c.is_ascii_hexdigit()), "notebookInfo.resourceId: {rid}");

    // The discovery document is served where discoveryUrl points (anonymous).
    let doc = t.https().anonymous().get("/discovery").expect(200).json();
    assert_eq!(doc["api"], emu.https.as_str());

    // GET returns the same document.
    assert_eq!(get_ws(&t, "rg1", "ws1").expect(200).json(), w);
}

#[test]
fn re_put_answers_200_and_keeps_the_workspace_id() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let first = create_ws(&t, "rg1", "ws1", json!({}));
    t.advance(60);
    let r = put_ws(&t, "rg1", "ws1", json!({"description": "again"}));
    assert_eq!(r.status, 200, "{r:?}");
    let second = r.json();
    assert_eq!(second["properties"]["workspaceId"], first["properties"]["workspaceId"]);
    assert_eq!(second["properties"]["storageAccount"], first["properties"]["storageAccount"]);
    assert_eq!(second["properties"]["description"], "again");
    assert_eq!(second["systemData"]["createdAt"], first["systemData"]["createdAt"]);
    assert_eq!(second["systemData"]["lastModifiedAt"], "2026-01-01T00:01:00.0000000Z");
}

#[test]
fn names_are_case_insensitive() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "MyWorkspace", json!({}));
    for other in ["myworkspace", "MYWORKSPACE", "myWorkSpace"] {
        let g = get_ws(&t, "rg1", other).expect(200).json();
        assert_eq!(g["name"], "MyWorkspace", "the name keeps its first casing");
        assert_eq!(g["properties"]["workspaceId"], w["properties"]["workspaceId"]);
    }
    // The group name is case-insensitive too.
    get_ws(&t, "RG1", "myworkspace").expect(200);
    // A PUT with another casing updates the same workspace.
    let u = put_ws(&t, "rg1", "MYWORKSPACE", json!({"description": "x"})).expect(200).json();
    assert_eq!(u["properties"]["workspaceId"], w["properties"]["workspaceId"]);
    assert_eq!(listed(&t, "rg1").0, vec!["MyWorkspace"]);
}

#[rstest]
#[case::three("abc")]
#[case::thirty_three("a23456789012345678901234567890123")]
#[case::dash_and_underscore("my-ws_01")]
#[case::digit_first("1ws")]
fn valid_names_are_accepted(#[case] name: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    assert_eq!(create_ws(&t, "rg1", name, json!({}))["name"], name);
}

#[rstest]
#[case::two("ab")]
#[case::thirty_four("a234567890123456789012345678901234")]
#[case::dash_first("-abc")]
#[case::underscore_first("_abc")]
#[case::dot("my.ws")]
#[case::bang("ws!1")]
#[case::non_ascii("wörk")]
fn invalid_names_are_400(#[case] name: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.put(&mlv(&ws_path(&t, "rg1", &enc(name))), &json!({"location": LOCATION}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("Workspace name '{name}' is invalid. It must be 3 to 33 characters long, start with a letter or digit, and contain only letters, digits, '-' and '_'."),
    );
    get_ws(&t, "rg1", &enc(name)).expect(404);
}

#[test]
fn location_not_offered_is_400_no_registered_provider_found() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"location": "moonbase"}));
    let prefix = format!("No registered resource provider found for location 'moonbase' and API version '{ML_API}' for type 'workspaces'. The supported api-versions are '");
    check_error_prefix(&r, 400, "NoRegisteredProviderFound", &prefix);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains(ML_API)
            && msg.contains("The supported locations are '")
            && msg.contains("eastus")
            && msg.ends_with("'."),
        "{msg}"
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    // Nothing was created on the way.
    assert!(items(&t, &av(&format!("{}/resources", t.rg("rg1")))).is_empty());
}

#[test]
fn a_real_region_without_azure_ml_is_400_no_registered_provider_found() {
    let t = require_emulator!();
    // Resource groups exist in every region; workspaces are not offered in Chile Central.
    t.create_group("rg1", "chilecentral");
    let r = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"location": "Chile Central"}));
    let prefix = format!("No registered resource provider found for location 'Chile Central' and API version '{ML_API}' for type 'workspaces'. The supported api-versions are '");
    check_error_prefix(&r, 400, "NoRegisteredProviderFound", &prefix);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    let locations = msg.split("The supported locations are '").nth(1).unwrap_or("");
    assert!(locations.contains("westeurope") && !locations.contains("chilecentral"), "{msg}");
    get_ws(&t, "rg1", "ws1").expect(404);
}

#[test]
fn unregistered_namespace_is_409_then_register_and_retry_succeeds() {
    let providers = ["Microsoft.Storage", "Microsoft.KeyVault", "Microsoft.Insights", "Microsoft.ContainerRegistry"];
    let t = require_emulator!(|c| c.registered_providers = Some(providers.iter().map(|s| s.to_string()).collect()));
    t.create_group("rg1", LOCATION);
    let r = put_ws(&t, "rg1", "ws1", json!({}));
    check_missing_registration(&r, NS);
    // Nothing was created: no workspace, no dependents.
    assert!(items(&t, &av(&format!("{}/resources", t.rg("rg1")))).is_empty());
    // What azure-mgmt-core and the az CLI do next: register, check, retry.
    set_registration(&t, &t.subscription, NS, true);
    let p = t.get(&format!("{}/providers/{NS}?api-version=2016-02-01", t.sub())).expect(200).json();
    assert_eq!(p["registrationState"], "Registered");
    put_ws(&t, "rg1", "ws1", json!({})).expect(200);
    get_ws(&t, "rg1", "ws1").expect(200);
}

#[test]
fn unregistering_the_namespace_blocks_writes_again() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    set_registration(&t, &t.subscription, NS, false);
    check_missing_registration(&put_ws(&t, "rg1", "ws1", json!({})), NS);
    set_registration(&t, &t.subscription, NS, true);
    create_ws(&t, "rg1", "ws1", json!({}));
}

#[test]
fn missing_group_is_404() {
    let t = require_emulator!();
    let r = put_ws(&t, "nogroup", "ws1", json!({}));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'nogroup' could not be found.");
}

#[test]
fn list_notebook_access_token_answers_200() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    let r =
        t.post(&mlv(&format!("{}/listNotebookAccessToken", ws_path(&t, "rg1", "ws1"))), &json!({})).expect(200).json();
    assert_eq!(r["hostName"], w["properties"]["notebookInfo"]["fqdn"]);
    assert_eq!(r["tokenType"], "Bearer");
    assert!(r["accessToken"].as_str().is_some_and(|s| !s.is_empty()));
}

#[test]
fn ids_use_the_group_name_as_first_cased() {
    let t = require_emulator!();
    t.create_group("MyGroup", LOCATION);
    let w = create_ws(&t, "mygroup", "ws1", json!({}));
    let canonical = ws_id(&t, "MyGroup", "ws1");
    assert_eq!(w["id"], canonical);
    let host = t.emu().https.trim_start_matches("https://").to_string();
    assert_eq!(
        w["properties"]["mlFlowTrackingUri"],
        format!("azureml://{host}/mlflow/v1.0{canonical}"),
        "the tracking URI names the workspace by its id"
    );
    assert!(str_of(&w, "/properties/storageAccount").contains("/resourcegroups/mygroup/"));
}

// ARM answers registration (409), location (400) and a missing group (404) before the
// provider sees the request, so the provider's own checks (the name rule) come after them
// (reference §2.6).
#[test]
fn arm_checks_come_before_the_name_rule() {
    let t = require_emulator!();
    check_error(
        &put_ws(&t, "nogroup", "a!", json!({})),
        404,
        "ResourceGroupNotFound",
        "Resource group 'nogroup' could not be found.",
    );
    let r = t.put(&mlv(&ws_path(&t, "nogroup", "a!")), &json!({"location": "moonbase"}));
    check_error_prefix(
        &r,
        400,
        "NoRegisteredProviderFound",
        "No registered resource provider found for location 'moonbase'",
    );
    set_registration(&t, &t.subscription, NS, false);
    check_missing_registration(&put_ws(&t, "nogroup", "a!", json!({})), NS);
}

/// Fields of the wrong JSON type are refused before anything is checked or created.
#[rstest]
#[case::location(json!({"location": 7}), "'location' must be a string, found a number")]
#[case::properties(json!({"location": LOCATION, "properties": "x"}), "'properties' must be an object, found a string")]
#[case::storage_account(
    json!({"location": LOCATION, "properties": {"storageAccount": 1}}),
    "'properties.storageAccount' must be a string, found a number"
)]
fn fields_of_the_wrong_type_are_400_invalid_request_content(#[case] body: Value, #[case] message: &str) {
    let t = Target::new();
    t.create_group("rg1", LOCATION);
    let r = t.put(&mlv(&ws_path(&t, "rg1", "ws1")), &body);
    check_error(
        &r,
        400,
        "InvalidRequestContent",
        &format!("The request content was invalid and could not be deserialized: '{message}'."),
    );
    assert!(items(&t, &av(&format!("{}/resources", t.rg("rg1")))).is_empty(), "nothing was created");
}

/// The generic by-id write path refuses them too.
#[rstest]
#[case::location(json!({"location": true, "kind": "StorageV2"}), "'location' must be a string, found a boolean")]
#[case::properties(
    json!({"location": LOCATION, "kind": "StorageV2", "properties": []}),
    "'properties' must be an object, found an array"
)]
fn by_id_fields_of_the_wrong_type_are_400_invalid_request_content(#[case] body: Value, #[case] message: &str) {
    let t = Target::new();
    t.create_group("rg1", LOCATION);
    let id = res_id(&t, "rg1", "Microsoft.Storage/storageAccounts", "wrongtype1");
    let r = t.put(&with_api(&id_path(&id), "2023-01-01"), &body);
    check_error(
        &r,
        400,
        "InvalidRequestContent",
        &format!("The request content was invalid and could not be deserialized: '{message}'."),
    );
}
