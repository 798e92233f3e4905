//! Feature prerequisites: customer-managed keys (Microsoft.DocumentDB and Microsoft.Search, the
//! `<rg>_<GUID>` group with the Cosmos DB account, permanent deletion), managed networks
//! (Microsoft.Network), and moves (a workspace cannot move to another subscription).

use conformance::*;
use serde_json::{json, Value};

use crate::*;

fn cmk_props(kv: &str) -> Value {
    json!({"encryption": {"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": kv, "keyIdentifier": "https://cmkvault.vault.azure.net/keys/k1/0123456789abcdef"}}})
}

#[test]
fn customer_managed_key_needs_document_db_then_search() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let kv = key_vault(&t, "rg1", "cmkvault");
    let r = put_ws(&t, "rg1", "ws1", cmk_props(&kv));
    check_missing_registration(&r, "Microsoft.DocumentDB");
    set_registration(&t, &t.subscription, "Microsoft.DocumentDB", true);
    let r = put_ws(&t, "rg1", "ws1", cmk_props(&kv));
    check_missing_registration(&r, "Microsoft.Search");
    get_ws(&t, "rg1", "ws1").expect(404);
    // Nothing half-made: only the key vault is in the group, no extra group exists.
    assert_eq!(items(&t, &av(&format!("{}/resources", t.rg("rg1")))).len(), 1);
    assert_eq!(names(&t, &av(&format!("{}/resourcegroups", t.sub()))), vec!["rg1"]);
    set_registration(&t, &t.subscription, "Microsoft.Search", true);
    create_ws(&t, "rg1", "ws1", cmk_props(&kv));
}

#[test]
fn customer_managed_key_creates_a_managed_group_with_cosmos_db_and_is_deleted_permanently() {
    let t = require_emulator!(|c| {
        let mut p: Vec<String> = [
            "Microsoft.MachineLearningServices",
            "Microsoft.Storage",
            "Microsoft.KeyVault",
            "Microsoft.Insights",
            "Microsoft.DocumentDB",
            "Microsoft.Search",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        p.push("Microsoft.ContainerRegistry".into());
        c.registered_providers = Some(p);
    });
    t.create_group("rg1", LOCATION);
    let kv = key_vault(&t, "rg1", "cmkvault");
    let w = create_ws(&t, "rg1", "ws1", cmk_props(&kv));
    let enc_ = &w["properties"]["encryption"];
    assert_eq!(enc_["status"], "Enabled");
    assert_eq!(enc_["keyVaultProperties"]["keyVaultArmId"], kv.to_lowercase());
    assert_eq!(
        enc_["keyVaultProperties"]["keyIdentifier"],
        "https://cmkvault.vault.azure.net/keys/k1/0123456789abcdef"
    );
    // No identityClientId was given: the key is left out, not answered as null (the definition
    // is a string, not x-nullable; found by the schema validation).
    assert_eq!(keys(&enc_["keyVaultProperties"]), sorted(&["keyIdentifier", "keyVaultArmId"]));

    // The service-provisioned group `<rg>_<GUID>`, managed by the workspace.
    let managed = str_of(&w, "/properties/serviceProvisionedResourceGroup").to_string();
    let guid = managed.strip_prefix("rg1_").unwrap_or_else(|| panic!("{managed} starts with rg1_"));
    assert!(is_guid(guid), "{managed}");
    let groups = items(&t, &av(&format!("{}/resourcegroups", t.sub())));
    let g = groups
        .iter()
        .find(|g| g["name"] == managed.as_str())
        .unwrap_or_else(|| panic!("{managed} is listed: {groups:?}"));
    assert_eq!(g["managedBy"], ws_id(&t, "rg1", "ws1"));
    assert_eq!(g["location"], LOCATION);
    let inside = items(&t, &av(&format!("{}/resources", t.rg(&managed))));
    assert_eq!(inside.len(), 1, "{inside:?}");
    assert_eq!(inside[0]["type"], "Microsoft.DocumentDB/databaseAccounts");
    t.get(&with_api(str_of(&inside[0], "/id"), "2024-11-15")).expect(200);

    // A plain DELETE deletes it permanently, with its managed group.
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    check_error(&get_ws(&t, "rg1", "ws1"), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty(), "never soft-deleted: {by_group:?} {by_sub:?}");
    t.get(&av(&t.rg(&managed))).expect(404);
    assert_eq!(names(&t, &av(&format!("{}/resourcegroups", t.sub()))), vec!["rg1"]);
    // The name is free at once.
    let again = create_ws(&t, "rg1", "ws1", json!({}));
    assert_ne!(again["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[test]
fn customer_managed_key_needs_an_existing_key_vault() {
    let t = require_emulator!(|c| {
        c.registered_providers = Some(
            [
                "Microsoft.MachineLearningServices",
                "Microsoft.Storage",
                "Microsoft.KeyVault",
                "Microsoft.Insights",
                "Microsoft.ContainerRegistry",
                "Microsoft.DocumentDB",
                "Microsoft.Search",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )
    });
    t.create_group("rg1", LOCATION);
    let kv = res_id(&t, "rg1", "Microsoft.KeyVault/vaults", "novault");
    let r = put_ws(&t, "rg1", "ws1", cmk_props(&kv));
    check_error(&r, 400, "ValidationError", &format!("The customer-managed key vault '{kv}' could not be found. Create it first, or leave it out to have the workspace create one."));
    assert!(group_contents(&t, "rg1").is_empty(), "a refused PUT creates no dependents");
    assert_eq!(names(&t, &av(&format!("{}/resourcegroups", t.sub()))), vec!["rg1"], "nor a managed group");
}

#[test]
fn managed_network_needs_microsoft_network() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let props = json!({"managedNetwork": {"isolationMode": "AllowInternetOutbound"}});
    check_missing_registration(&put_ws(&t, "rg1", "ws1", props.clone()), "Microsoft.Network");
    get_ws(&t, "rg1", "ws1").expect(404);
    assert!(group_contents(&t, "rg1").is_empty(), "a refused PUT creates no dependents");
    // Disabled isolation needs nothing.
    create_ws(&t, "rg1", "plain", json!({"managedNetwork": {"isolationMode": "Disabled"}}));
    // Turning it on later by PATCH needs the registration too.
    let r = t.patch(
        &mlv(&ws_path(&t, "rg1", "plain")),
        &json!({"properties": {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}}),
    );
    check_missing_registration(&r, "Microsoft.Network");
    set_registration(&t, &t.subscription, "Microsoft.Network", true);
    let w = create_ws(&t, "rg1", "ws1", props);
    assert_eq!(w["properties"]["managedNetwork"]["isolationMode"], "AllowInternetOutbound");
    t.patch(
        &mlv(&ws_path(&t, "rg1", "plain")),
        &json!({"properties": {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}}),
    )
    .expect(200);
}

fn move_body(ids: &[&str], target: &str) -> Value {
    json!({"resources": ids, "targetResourceGroup": target})
}

#[test]
fn moving_a_workspace_to_another_subscription_is_refused() {
    let t = require_emulator!(second_subscription);
    t.create_group("rg1", LOCATION);
    create_group_in(&t, SECOND_SUB, "target");
    create_ws(&t, "rg1", "ws1", json!({}));
    let target = format!("/subscriptions/{SECOND_SUB}/resourceGroups/target");
    let r = t.post(&av(&format!("{}/moveResources", t.rg("rg1"))), &move_body(&[&ws_id(&t, "rg1", "ws1")], &target));
    check_error(
        &r,
        400,
        "ResourceMoveNotSupported",
        "Moving the Azure Machine Learning workspace 'ws1' to another subscription is not supported.",
    );
    let v = t
        .post(&av(&format!("{}/validateMoveResources", t.rg("rg1"))), &move_body(&[&ws_id(&t, "rg1", "ws1")], &target));
    check_error(
        &v,
        400,
        "ResourceMoveNotSupported",
        "Moving the Azure Machine Learning workspace 'ws1' to another subscription is not supported.",
    );
    // It stayed where it was.
    get_ws(&t, "rg1", "ws1").expect(200);
    assert!(items(&t, &av(&format!("/subscriptions/{SECOND_SUB}/resourcegroups/target/resources"))).is_empty());
}

#[test]
fn moving_a_plain_storage_account_to_another_group_works() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.create_group("rg2", LOCATION);
    let sa = storage(&t, &t.subscription, "rg1", "movable1", json!({}));
    let r = t.post(&av(&format!("{}/moveResources", t.rg("rg1"))), &move_body(&[&sa], &t.rg_id("rg2")));
    assert!(r.status == 202 || r.status == 204, "{r:?}");
    let moved = res_id(&t, "rg2", "Microsoft.Storage/storageAccounts", "movable1");
    let g = t.get(&with_api(&moved, "2019-06-01")).expect(200).json();
    assert_eq!(g["id"], moved);
    check_error(
        &t.get(&with_api(&sa, "2019-06-01")),
        404,
        "ResourceNotFound",
        "The Resource 'Microsoft.Storage/storageAccounts/movable1' under resource group 'rg1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
}

#[test]
fn an_asynchronous_move_answers_202_and_moves_when_its_location_reports_204() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.create_group("rg2", LOCATION);
    t.lro("resources/moveResources", "polls:2");
    let sa = storage(&t, &t.subscription, "rg1", "movable2", json!({}));
    let r = t.post(&av(&format!("{}/moveResources", t.rg("rg1"))), &move_body(&[&sa], &t.rg_id("rg2")));
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(r.header("retry-after"), Some("1"));
    let location = r.header("location").expect("a Location header").to_string();
    let path = &location[location.find("/subscriptions/").expect("a subscription path")..];
    assert!(path.contains("/operationresults/"), "{path}");
    // Nothing moves until the operation completes (on the second poll).
    t.get(&with_api(&sa, "2019-06-01")).expect(200);
    let first = t.get(path);
    assert_eq!(first.status, 202, "{first:?}");
    t.get(&with_api(&sa, "2019-06-01")).expect(200);
    assert_eq!(t.get(path).status, 204);
    let moved = res_id(&t, "rg2", "Microsoft.Storage/storageAccounts", "movable2");
    assert_eq!(t.get(&with_api(&moved, "2019-06-01")).expect(200).json()["id"], moved);
    t.get(&with_api(&sa, "2019-06-01")).expect(404);
}
