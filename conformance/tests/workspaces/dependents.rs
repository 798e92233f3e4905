//! Dependent resources: created automatically (storage, key vault, Application Insights; the
//! registry only lazily), or given by id and then checked against the documented rules.

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

use crate::*;

#[test]
fn creation_makes_storage_key_vault_and_insights_in_the_same_group() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "My-Workspace_01", json!({}));
    let p = &w["properties"];
    let stem = "myworksp";
    let name_of = |prop: &str| str_of(p, &format!("/{prop}")).rsplit('/').next().unwrap().to_string();
    for (prop, infix) in [("storageAccount", "storage"), ("keyVault", "keyvault"), ("applicationInsights", "insights")]
    {
        let n = name_of(prop);
        let re = regex::Regex::new(&format!("^{stem}{infix}[0-9a-f]{{8}}$")).unwrap();
        assert!(re.is_match(&n), "{prop} name {n:?} follows {{ws stem}}{infix}{{hex}}");
        assert!(n.len() <= 24, "{n} fits the storage/key vault name limit");
    }
    // Exactly these resources are in the group: no container registry at creation.
    let mut types: Vec<String> =
        items(&t, &av(&format!("{}/resources", t.rg("rg1")))).iter().map(|r| str_of(r, "/type").to_string()).collect();
    types.sort();
    assert_eq!(
        types,
        sorted(&[
            "Microsoft.Insights/components",
            "Microsoft.KeyVault/vaults",
            "Microsoft.MachineLearningServices/workspaces",
            "Microsoft.Storage/storageAccounts"
        ])
    );
    assert_eq!(p["containerRegistry"], Value::Null);
}

#[test]
fn list_keys_has_storage_and_insights_keys_and_no_registry_credentials() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    let k = t.post(&mlv(&format!("{}/listKeys", ws_path(&t, "rg1", "ws1"))), &json!({})).expect(200).json();
    assert_eq!(k["containerRegistryCredentials"], Value::Null, "{k}");
    assert!(k["userStorageKey"].as_str().is_some_and(|s| s.len() >= 40), "{k}");
    let storage = str_of(&w, "/properties/storageAccount");
    assert!(str_of(&k, "/userStorageArmId").eq_ignore_ascii_case(storage), "{k}");
    assert!(str_of(&k, "/userStorageResourceId").eq_ignore_ascii_case(storage), "{k}");
    let ai = t.get(&with_api(str_of(&w, "/properties/applicationInsights"), "2015-05-01")).expect(200).json();
    assert_eq!(k["appInsightsInstrumentationKey"], ai["properties"]["InstrumentationKey"]);
    assert!(is_guid(str_of(&k, "/appInsightsInstrumentationKey")));
    assert_eq!(k["notebookAccessKeys"], json!({"primaryAccessKey": null, "secondaryAccessKey": null}));
}

#[test]
fn dependents_are_readable_by_id_with_the_old_api_versions() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    let p = &w["properties"];
    // The lower-cased ids from the workspace work as request paths; the answers carry canonical ids.
    let sa = t.get(&with_api(str_of(p, "/storageAccount"), "2019-06-01")).expect(200).json();
    assert_eq!(sa["type"], "Microsoft.Storage/storageAccounts");
    assert!(str_of(&sa, "/id").eq_ignore_ascii_case(str_of(p, "/storageAccount")));
    assert!(str_of(&sa, "/id").contains("/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/"), "{sa}");
    assert_eq!(sa["kind"], "StorageV2");
    assert_eq!(sa["sku"]["name"], "Standard_LRS");
    assert_eq!(sa["properties"]["isHnsEnabled"], false);
    let name = str_of(&sa, "/name");
    assert_eq!(sa["properties"]["primaryEndpoints"]["blob"], format!("https://{name}.blob.core.windows.net/"));
    assert_eq!(sa["properties"]["primaryEndpoints"]["file"], format!("https://{name}.file.core.windows.net/"));
    assert!(sa["properties"].get("keys").is_none(), "storage keys never appear in GET: {sa}");

    let kv = t.get(&with_api(str_of(p, "/keyVault"), "2019-09-01")).expect(200).json();
    assert_eq!(kv["type"], "Microsoft.KeyVault/vaults");
    assert_eq!(
        kv["properties"]["sku"],
        json!({"family": "A", "name": "standard"}),
        "Key Vault's sku is inside properties"
    );
    assert_eq!(kv["properties"]["tenantId"], armemu::config::DEFAULT_TENANT_ID);
    assert_eq!(kv["properties"]["vaultUri"], format!("https://{}.vault.azure.net/", str_of(&kv, "/name")));

    let ai = t.get(&with_api(str_of(p, "/applicationInsights"), "2015-05-01")).expect(200).json();
    assert_eq!(ai["type"], "Microsoft.Insights/components");
    assert_eq!(ai["kind"], "web");
    let ap = &ai["properties"];
    assert!(is_guid(str_of(ap, "/InstrumentationKey")), "PascalCase InstrumentationKey: {ai}");
    assert_eq!(ap["Application_Type"], "web");
    assert!(str_of(ap, "/ConnectionString")
        .starts_with(&format!("InstrumentationKey={}", str_of(ap, "/InstrumentationKey"))));
    assert!(ap.get("instrumentationKey").is_none(), "no camelCase twin: {ai}");
}

#[test]
fn insights_workspace_resource_id_is_pascal_case_and_lower_cased() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let law = res_id(&t, "rg1", "Microsoft.OperationalInsights/workspaces", "Law1");
    put_res(&t, &law, "2022-10-01", json!({"location": LOCATION, "properties": {}}));
    let ai = res_id(&t, "rg1", "Microsoft.Insights/components", "ai1");
    let body = put_res(
        &t,
        &ai,
        "2020-02-02",
        json!({"location": LOCATION, "kind": "web", "properties": {"Application_Type": "web", "WorkspaceResourceId": law}}),
    );
    assert_eq!(body["properties"]["WorkspaceResourceId"], law.to_lowercase());
    let w = create_ws(&t, "rg1", "ws1", json!({"applicationInsights": ai}));
    assert_eq!(w["properties"]["applicationInsights"], ai.to_lowercase());
    let g = t.get(&with_api(&ai, "2015-05-01")).expect(200).json();
    assert_eq!(g["properties"]["WorkspaceResourceId"], law.to_lowercase());
}

#[test]
fn given_dependents_are_used_and_returned_lower_cased() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let sa = storage(&t, &t.subscription, "rg1", "MyStorage1", json!({}));
    let kv = key_vault(&t, "rg1", "MyVault1");
    let w = create_ws(&t, "rg1", "ws1", json!({"storageAccount": sa, "keyVault": kv}));
    assert_eq!(w["properties"]["storageAccount"], sa.to_lowercase());
    assert_eq!(w["properties"]["keyVault"], kv.to_lowercase());
    // Only application insights had to be created.
    let types: Vec<String> =
        items(&t, &av(&format!("{}/resources", t.rg("rg1")))).iter().map(|r| str_of(r, "/type").to_string()).collect();
    assert_eq!(types.iter().filter(|x| *x == "Microsoft.Storage/storageAccounts").count(), 1, "{types:?}");
    assert_eq!(types.iter().filter(|x| *x == "Microsoft.KeyVault/vaults").count(), 1, "{types:?}");
    assert_eq!(types.iter().filter(|x| *x == "Microsoft.Insights/components").count(), 1, "{types:?}");
}

#[rstest]
#[case::premium_lrs("Premium_LRS")]
#[case::premium_grs("Premium_GRS")]
fn premium_storage_is_refused(#[case] sku: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let sa = storage(&t, &t.subscription, "rg1", "premstore", json!({"sku": {"name": sku}}));
    let r = put_ws(&t, "rg1", "ws1", json!({"storageAccount": sa}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The storage account '{sa}' has SKU '{sku}'. A premium storage account (Premium_LRS, Premium_GRS) cannot be the default storage account of a workspace."),
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    assert_eq!(group_contents(&t, "rg1"), vec!["premstore"], "a refused PUT creates no dependents");
}

#[test]
fn storage_with_hierarchical_namespace_is_refused() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let sa = storage(&t, &t.subscription, "rg1", "hnsstore", json!({"properties": {"isHnsEnabled": true}}));
    let r = put_ws(&t, "rg1", "ws1", json!({"storageAccount": sa}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The storage account '{sa}' has a hierarchical namespace (Azure Data Lake Storage Gen2) enabled, which the default storage account of a workspace cannot have."),
    );
}

#[rstest]
#[case::blob_only("BlobStorage")]
#[case::block_blob_only("BlockBlobStorage")]
#[case::file_only("FileStorage")]
fn storage_without_blob_and_file_is_refused(#[case] kind: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let sa = storage(&t, &t.subscription, "rg1", "blobstore", json!({"kind": kind}));
    let r = put_ws(&t, "rg1", "ws1", json!({"storageAccount": sa}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The storage account '{sa}' of kind '{kind}' does not have both Azure Blob and Azure File enabled, which the default storage account of a workspace requires."),
    );
}

#[test]
fn registry_without_admin_user_is_refused() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let acr = registry(&t, "rg1", "noadminacr", false);
    let r = put_ws(&t, "rg1", "ws1", json!({"containerRegistry": acr}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The container registry '{acr}' does not have the admin user enabled. Enable the admin account (az acr update --admin-enabled true) before using it with an Azure Machine Learning workspace."),
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    assert_eq!(group_contents(&t, "rg1"), vec!["noadminacr"], "a refused PUT creates no dependents");
}

#[test]
fn registry_with_admin_user_is_accepted_and_list_keys_shows_its_credentials() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let acr = registry(&t, "rg1", "MyAcr1", true);
    let w = create_ws(&t, "rg1", "ws1", json!({"containerRegistry": acr}));
    assert_eq!(w["properties"]["containerRegistry"], acr.to_lowercase());
    let k = t.post(&mlv(&format!("{}/listKeys", ws_path(&t, "rg1", "ws1"))), &json!({})).expect(200).json();
    let c = &k["containerRegistryCredentials"];
    assert_eq!(c["username"], "MyAcr1", "username is the registry name: {k}");
    let pw = c["passwords"].as_array().expect("passwords");
    assert_eq!(pw.len(), 2, "{k}");
    assert_eq!(pw[0]["name"], "password");
    assert_eq!(pw[1]["name"], "password2");
    for p in pw {
        assert!(p["value"].as_str().is_some_and(|v| !v.is_empty()), "{k}");
    }
    assert_ne!(pw[0]["value"], pw[1]["value"]);
    // The registry's GET never shows the passwords.
    let g = t.get(&with_api(&acr, "2019-05-01")).expect(200).json();
    assert!(!g.to_string().contains(pw[0]["value"].as_str().unwrap()), "{g}");
}

#[test]
fn registry_can_be_attached_later_by_patch() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let bad = registry(&t, "rg1", "noadmin", false);
    let r = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"containerRegistry": bad}}));
    check_error_prefix(
        &r,
        400,
        "ValidationError",
        &format!("The container registry '{bad}' does not have the admin user enabled."),
    );
    let acr = registry(&t, "rg1", "withadmin", true);
    let w = t
        .patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"containerRegistry": acr}}))
        .expect(200)
        .json();
    assert_eq!(w["properties"]["containerRegistry"], acr.to_lowercase());
    let k = t.post(&mlv(&format!("{}/listKeys", ws_path(&t, "rg1", "ws1"))), &json!({})).expect(200).json();
    assert_eq!(k["containerRegistryCredentials"]["username"], "withadmin");
}

#[test]
fn registry_in_a_group_with_a_non_ascii_name_is_refused() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let odd = "grupo-ñandú";
    t.create_group(odd, LOCATION);
    let acr = registry(&t, odd, "nanduacr", true);
    let r = put_ws(&t, "rg1", "ws1", json!({"containerRegistry": acr}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("The container registry '{acr}' is in resource group '{odd}', whose name contains non-ASCII characters. Azure Machine Learning cannot use a container registry in such a resource group."),
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    assert!(group_contents(&t, "rg1").is_empty(), "a refused PUT creates no dependents");
}

#[rstest]
#[case::storage("storageAccount", "storage account", "Microsoft.Storage/storageAccounts")]
#[case::key_vault("keyVault", "key vault", "Microsoft.KeyVault/vaults")]
#[case::insights("applicationInsights", "application insights", "Microsoft.Insights/components")]
#[case::registry("containerRegistry", "container registry", "Microsoft.ContainerRegistry/registries")]
fn missing_dependent_is_refused(#[case] prop: &str, #[case] role: &str, #[case] ty: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let id = res_id(&t, "rg1", ty, "doesnotexist");
    let r = put_ws(&t, "rg1", "ws1", json!({ prop: id }));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!(
            "The {role} '{id}' could not be found. Create it first, or leave it out to have the workspace create one."
        ),
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    assert!(group_contents(&t, "rg1").is_empty(), "a refused PUT creates no dependents");
}

#[test]
fn dependent_of_the_wrong_type_is_refused() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let kv = key_vault(&t, "rg1", "vault1");
    let r = put_ws(&t, "rg1", "ws1", json!({"storageAccount": kv}));
    check_error(&r, 400, "ValidationError", &format!("The storage account '{kv}' must be a resource of type 'Microsoft.Storage/storageAccounts', not 'Microsoft.KeyVault/vaults'."));
}

#[test]
fn dependent_in_another_subscription_needs_the_ml_provider_registered_there() {
    let t = require_emulator!(second_subscription);
    t.create_group("rg1", LOCATION);
    create_group_in(&t, SECOND_SUB, "other");
    let sa = storage(&t, SECOND_SUB, "other", "crosssubstore", json!({}));
    set_registration(&t, SECOND_SUB, NS, false);
    let r = put_ws(&t, "rg1", "ws1", json!({"storageAccount": sa}));
    check_missing_registration(&r, NS);
    get_ws(&t, "rg1", "ws1").expect(404);
    assert!(group_contents(&t, "rg1").is_empty(), "a refused PUT creates no dependents");
    set_registration(&t, SECOND_SUB, NS, true);
    let w = create_ws(&t, "rg1", "ws1", json!({"storageAccount": sa}));
    assert_eq!(w["properties"]["storageAccount"], sa.to_lowercase());
    assert!(str_of(&w, "/properties/storageAccount").starts_with(&format!("/subscriptions/{SECOND_SUB}/")));
}

#[test]
fn deleting_the_workspace_keeps_the_dependents() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    t.delete(&mlv(&format!("{}?forceToPurge=true", ws_path(&t, "rg1", "ws1")))).expect(200);
    for (prop, api) in
        [("storageAccount", "2019-06-01"), ("keyVault", "2019-09-01"), ("applicationInsights", "2015-05-01")]
    {
        t.get(&with_api(str_of(&w, &format!("/properties/{prop}")), api)).expect(200);
    }
}

#[test]
fn dependents_can_be_deleted_by_id_with_the_old_api_versions() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    // What azure-ai-ml's begin_delete(delete_dependent_resources=True) does.
    for (prop, api) in
        [("applicationInsights", "2015-05-01"), ("storageAccount", "2019-06-01"), ("keyVault", "2019-09-01")]
    {
        let id = str_of(&w, &format!("/properties/{prop}"));
        t.delete(&with_api(id, api)).expect(200);
        t.get(&with_api(id, api)).expect(404);
    }
    t.delete(&mlv(&format!("{}?forceToPurge=true", ws_path(&t, "rg1", "ws1")))).expect(200);
    assert!(items(&t, &av(&format!("{}/resources", t.rg("rg1")))).is_empty());
}
