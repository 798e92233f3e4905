//! Generic resources: the by-id store for types without a module of their own, platform
//! errors on writes (arm-wire-protocol.md §2.3–§2.6) and the `…/resources` listings (§1.4).

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

fn sa_path(t: &Target, rg: &str, name: &str, api: &str) -> String {
    format!("{}/providers/Microsoft.Storage/storageAccounts/{name}?api-version={api}", t.rg(rg))
}

fn sa_id(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Storage/storageAccounts/{name}", t.rg_id(rg))
}

fn sa_body() -> Value {
    json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "tags": {"env": "dev"}, "properties": {"isHnsEnabled": false}})
}

const CREATED: &str = "2026-01-01T00:00:00.0000000Z";

/// Asserts that every key of `want` is in `got` with the same value (recursively for objects).
#[track_caller]
fn assert_contains(got: &Value, want: &Value) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, v) in w {
                let gv = g.get(k).unwrap_or_else(|| panic!("missing '{k}' in {got}"));
                assert_contains(gv, v);
            }
        }
        _ => assert_eq!(got, want),
    }
}

#[test]
fn put_of_a_storage_account_by_id_answers_200_as_storage_does() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let r = t.put(&sa_path(&t, "rg1", "sa1", "2019-06-01"), &sa_body()).expect(200).json();
    // What was PUT comes back, plus id, name, type, provisioningState and systemData (the
    // storage type may add read-only properties of its own).
    assert_contains(
        &r,
        &json!({
            "id": sa_id(&t, "rg1", "sa1"),
            "name": "sa1",
            "type": "Microsoft.Storage/storageAccounts",
            "location": "westeurope",
            "sku": {"name": "Standard_LRS"},
            "kind": "StorageV2",
            "tags": {"env": "dev"},
            "properties": {"isHnsEnabled": false, "provisioningState": "Succeeded"},
            "systemData": {"createdAt": CREATED, "lastModifiedAt": CREATED},
        }),
    );
    t.advance(60);
    let r2 = t.put(&sa_path(&t, "rg1", "sa1", "2019-06-01"), &sa_body()).expect(200).json();
    assert_eq!(r2["systemData"]["createdAt"], CREATED, "creation stamp kept");
    assert_eq!(r2["systemData"]["lastModifiedAt"], "2026-01-01T00:01:00.0000000Z");
}

#[test]
fn a_put_update_changes_what_it_sends_and_keeps_the_read_only_rest() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let path = sa_path(&t, "rg1", "sa1", "2019-06-01");
    let first = t.put(&path, &sa_body()).expect(200).json();
    let mut cool = sa_body();
    cool["properties"] = json!({"isHnsEnabled": true, "accessTier": "Cool"});
    let r = t.put(&path, &cool).expect(200).json();
    assert_eq!(r["properties"]["isHnsEnabled"], true, "{r}");
    assert_eq!(r["properties"]["accessTier"], "Cool", "{r}");
    // What the client did not send (endpoints, creation time) survives the update.
    assert_eq!(r["properties"]["primaryEndpoints"], first["properties"]["primaryEndpoints"]);
    assert_eq!(r["properties"]["creationTime"], first["properties"]["creationTime"]);
    assert_eq!(t.get(&path).expect(200).json(), r);
}

#[test]
fn a_type_without_a_module_is_stored_as_given() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    // Microsoft.Search has no module of its own: the generic store keeps exactly what was sent.
    t.post(&format!("{}/providers/Microsoft.Search/register?api-version=2016-02-01", t.sub()), &json!({})).expect(200);
    let path = format!("{}/providers/Microsoft.Search/searchServices/search1?api-version=2023-11-01", t.rg("rg1"));
    let body = json!({"location": "West Europe", "sku": {"name": "basic"}, "tags": {"a": "b"}, "properties": {"replicaCount": 1}});
    let r = t.put(&path, &body).expect(201).json();
    let expected = json!({
        "id": format!("{}/providers/Microsoft.Search/searchServices/search1", t.rg_id("rg1")),
        "name": "search1",
        "type": "Microsoft.Search/searchServices",
        "location": "westeurope",
        "sku": {"name": "basic"},
        "tags": {"a": "b"},
        "properties": {"replicaCount": 1, "provisioningState": "Succeeded"},
        "systemData": {
            "createdBy": "00000000-0000-0000-0000-000000000000",
            "createdByType": "User",
            "createdAt": CREATED,
            "lastModifiedBy": "00000000-0000-0000-0000-000000000000",
            "lastModifiedByType": "User",
            "lastModifiedAt": CREATED,
        },
    });
    assert_eq!(r, expected);
    assert_eq!(t.put(&path, &body).expect(200).json(), expected);
    assert_eq!(t.get(&path).expect(200).json(), expected);
}

#[test]
fn get_by_id_with_another_api_version() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let created = t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &sa_body()).expect(200).json();
    for api in ["2023-01-01", "2025-01-01", "2019-06-01"] {
        assert_eq!(t.get(&sa_path(&t, &rg, "sa1", api)).expect(200).json(), created, "api-version {api}");
    }
    // Case-insensitive lookup, original casing kept.
    let upper =
        format!("{}/PROVIDERS/microsoft.storage/STORAGEACCOUNTS/SA1?api-version=2019-06-01", t.rg(&rg.to_uppercase()));
    assert_eq!(t.get(&upper).expect(200).json()["id"], sa_id(&t, &rg, "sa1"));
}

#[test]
fn get_of_a_missing_resource_is_404() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let r = t.get(&sa_path(&t, &rg, "nosuch", "2019-06-01"));
    check_error(
        &r,
        404,
        "ResourceNotFound",
        &format!("The Resource 'Microsoft.Storage/storageAccounts/nosuch' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    );
}

#[test]
fn delete_answers_200_then_204() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &sa_body()).expect(200);
    let r = t.delete(&sa_path(&t, &rg, "sa1", "2019-06-01"));
    assert_eq!(r.status, 200, "{r:?}");
    let r = t.delete(&sa_path(&t, &rg, "sa1", "2019-06-01"));
    assert_eq!(r.status, 204, "{r:?}");
    assert!(r.body.is_empty());
    t.get(&sa_path(&t, &rg, "sa1", "2019-06-01")).expect(404);
}

#[test]
fn head_by_id() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    assert_eq!(t.head(&sa_path(&t, &rg, "sa1", "2019-06-01")).status, 404);
    t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &sa_body()).expect(200);
    let r = t.head(&sa_path(&t, &rg, "sa1", "2019-06-01"));
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}

#[test]
fn patch_merges_properties_and_replaces_tags() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &sa_body()).expect(200);
    let r = t
        .patch(
            &sa_path(&t, &rg, "sa1", "2019-06-01"),
            &json!({"tags": {"team": "ml"}, "properties": {"allowBlobPublicAccess": false}}),
        )
        .expect(200)
        .json();
    assert_eq!(r["tags"], json!({"team": "ml"}));
    assert_contains(
        &r["properties"],
        &json!({"isHnsEnabled": false, "allowBlobPublicAccess": false, "provisioningState": "Succeeded"}),
    );
}

const DOCDB_MSG: &str = "The subscription is not registered to use namespace 'Microsoft.DocumentDB'. See https://aka.ms/rps-not-found for how to register subscriptions.";

#[test]
fn write_to_an_unregistered_namespace_is_409_missing_subscription_registration() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let path =
        format!("{}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos1?api-version=2024-11-15", t.rg("rg1"));
    let r = t.put(&path, &json!({"location": "westeurope", "kind": "GlobalDocumentDB"}));
    check_error(&r, 409, "MissingSubscriptionRegistration", DOCDB_MSG);
    assert!(DOCDB_MSG
        .ends_with("'Microsoft.DocumentDB'. See https://aka.ms/rps-not-found for how to register subscriptions."));
    let e = check_envelope(&r);
    assert_eq!(
        e["details"],
        json!([{"code": "MissingSubscriptionRegistration", "target": "Microsoft.DocumentDB", "message": DOCDB_MSG}])
    );
    // azure-mgmt-core (ARMAutoResourceProviderRegistrationPolicy) takes the namespace from
    // `re.match(r".*'(.*)'", message)`: a greedy match anchored at the start.
    let re = regex::Regex::new(r"^.*'(.*)'").unwrap();
    let ns = re.captures(e["message"].as_str().unwrap()).and_then(|c| c.get(1)).map(|m| m.as_str());
    assert_eq!(ns, Some("Microsoft.DocumentDB"));
    // …and the subscription prefix from `re.match(r".*/subscriptions/[a-f0-9-]+/", url, re.I)`.
    let url = format!("{}{}", t.base(), path);
    let sub_re = regex::Regex::new(r"(?i)^.*/subscriptions/[a-f0-9-]+/").unwrap();
    let prefix = sub_re.find(&url).map(|m| m.as_str().to_string()).expect("subscription prefix");
    // The auto-registration sequence then works: register (200), GET until Registered, retry.
    t.post(&format!("{prefix}providers/{}/register?api-version=2016-02-01", ns.unwrap()), &json!({})).expect(200);
    assert_eq!(
        t.get(&format!("{prefix}providers/{}?api-version=2016-02-01", ns.unwrap())).expect(200).json()
            ["registrationState"],
        "Registered"
    );
    let ok = t.put(&path, &json!({"location": "westeurope", "kind": "GlobalDocumentDB"})).expect(200).json();
    assert_eq!(ok["type"], "Microsoft.DocumentDB/databaseAccounts");
}

#[rstest]
#[case::document_db("Microsoft.DocumentDB", "databaseAccounts", "2024-11-15")]
#[case::search("Microsoft.Search", "searchServices", "2023-11-01")]
#[case::network("Microsoft.Network", "virtualNetworks", "2023-11-01")]
#[case::container_service("Microsoft.ContainerService", "managedClusters", "2024-05-01")]
fn unregistered_namespaces_refuse_writes(#[case] ns: &str, #[case] ty: &str, #[case] api: &str) {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let r =
        t.put(&format!("{}/providers/{ns}/{ty}/x1?api-version={api}", t.rg("rg1")), &json!({"location": "westeurope"}));
    let msg = format!("The subscription is not registered to use namespace '{ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.");
    check_error(&r, 409, "MissingSubscriptionRegistration", &msg);
    let re = regex::Regex::new(r"^.*'(.*)'").unwrap();
    assert_eq!(re.captures(&msg).and_then(|c| c.get(1)).map(|m| m.as_str()), Some(ns));
}

#[test]
fn registration_is_checked_before_the_resource_group() {
    let t = require_emulator!();
    let r = t.put(
        &format!("{}/providers/Microsoft.DocumentDB/databaseAccounts/c?api-version=2024-11-15", t.rg("ghost")),
        &json!({"location": "westeurope"}),
    );
    check_error(&r, 409, "MissingSubscriptionRegistration", DOCDB_MSG);
}

#[test]
fn location_not_offered_is_400_no_registered_provider_found() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let mut body = sa_body();
    body["location"] = json!("moonbase");
    let r = t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &body);
    check_error_prefix(
        &r,
        400,
        "NoRegisteredProviderFound",
        "No registered resource provider found for location 'moonbase' and API version '2019-06-01' for type 'storageAccounts'. The supported api-versions are '",
    );
    let m = check_envelope(&r)["message"].as_str().unwrap().to_string();
    assert!(m.contains("'. The supported locations are '"), "{m}");
    assert!(m.ends_with("'."), "{m}");
    t.get(&sa_path(&t, &rg, "sa1", "2019-06-01")).expect(404);
}

#[test]
fn write_into_a_missing_group_is_404() {
    let t = Target::new();
    let rg = t.unique("ghost");
    let r = t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &sa_body());
    check_error(&r, 404, "ResourceGroupNotFound", &format!("Resource group '{rg}' could not be found."));
    let r = t.get(&sa_path(&t, &rg, "sa1", "2019-06-01"));
    check_error(&r, 404, "ResourceGroupNotFound", &format!("Resource group '{rg}' could not be found."));
}

#[test]
fn unknown_resource_type_is_400() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let r = t.put(
        &format!("{}/providers/Microsoft.Storage/teapots/t1?api-version=2019-06-01", t.rg(&rg)),
        &json!({"location": "westeurope"}),
    );
    check_error(
        &r,
        400,
        "InvalidResourceType",
        "The resource type 'teapots' could not be found in the namespace 'Microsoft.Storage' for api version '2019-06-01'.",
    );
}

#[test]
fn unknown_namespace_on_a_write_is_400() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let r = t.put(
        &format!("{}/providers/Contoso.Widgets/widgets/w1?api-version=2020-01-01", t.rg(&rg)),
        &json!({"location": "westeurope"}),
    );
    check_error(&r, 400, "InvalidResourceNamespace", "The resource namespace 'Contoso.Widgets' is invalid.");
}

#[test]
fn a_tracked_resource_needs_a_location() {
    let t = Target::new();
    let rg = t.unique("rg1");
    t.create_group(&rg, "westeurope");
    let r = t.put(&sa_path(&t, &rg, "sa1", "2019-06-01"), &json!({"sku": {"name": "Standard_LRS"}}));
    check_error(&r, 400, "LocationRequired", "The location property is required for this definition.");
}

/// rg1: sa1 (storage), kv1 (key vault); rg2: sa2 (storage), ai1 (app insights, tagged).
fn populate(t: &Target) {
    t.create_group("rg1", "westeurope");
    t.create_group("rg2", "eastus");
    t.put(&sa_path(t, "rg1", "sa1", "2019-06-01"), &sa_body()).expect(200);
    t.put(&format!("{}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2019-09-01", t.rg("rg1")), &json!({"location": "westeurope", "properties": {"tenantId": armemu::config::DEFAULT_TENANT_ID, "sku": {"family": "A", "name": "standard"}}})).expect(201);
    let mut sa2 = sa_body();
    sa2["location"] = json!("eastus");
    sa2.as_object_mut().unwrap().remove("tags");
    t.put(&sa_path(t, "rg2", "sa2", "2019-06-01"), &sa2).expect(200);
    t.put(&format!("{}/providers/Microsoft.Insights/components/ai1?api-version=2015-05-01", t.rg("rg2")), &json!({"location": "eastus", "kind": "web", "tags": {"env": "prod"}, "properties": {"Application_Type": "web"}})).expect(200);
}

fn names_of(v: &Value) -> Vec<String> {
    let mut n: Vec<String> =
        v["value"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    n.sort();
    n
}

#[rstest]
#[case::all(None, &["ai1", "kv1", "sa1", "sa2"])]
#[case::by_type(Some("resourceType eq 'Microsoft.Storage/storageAccounts'"), &["sa1", "sa2"])]
#[case::by_type_any_case(Some("resourceType eq 'microsoft.storage/STORAGEACCOUNTS'"), &["sa1", "sa2"])]
#[case::by_group(Some("resourceGroup eq 'rg1'"), &["kv1", "sa1"])]
#[case::by_name_substring(Some("substringof('sa', name)"), &["sa1", "sa2"])]
#[case::by_name(Some("name eq 'kv1'"), &["kv1"])]
#[case::by_location(Some("location eq 'eastus'"), &["ai1", "sa2"])]
#[case::by_tag(Some("tagName eq 'env' and tagValue eq 'prod'"), &["ai1"])]
#[case::combined(Some("resourceType eq 'Microsoft.Storage/storageAccounts' and resourceGroup eq 'rg2'"), &["sa2"])]
fn subscription_resource_listing_filters(#[case] filter: Option<&str>, #[case] expected: &[&str]) {
    let t = require_emulator!();
    populate(&t);
    let path = match filter {
        Some(f) => format!("{}/resources?api-version={API}&$filter={}", t.sub(), qv(f)),
        None => av(&format!("{}/resources", t.sub())),
    };
    let r = t.get(&path).expect(200).json();
    assert_eq!(names_of(&r), expected.iter().map(|s| s.to_string()).collect::<Vec<_>>());
}

#[rstest]
#[case::all(None, &["kv1", "sa1"])]
#[case::by_type(Some("resourceType eq 'Microsoft.KeyVault/vaults'"), &["kv1"])]
#[case::by_name_substring(Some("substringof('sa', name)"), &["sa1"])]
fn group_resource_listing_filters(#[case] filter: Option<&str>, #[case] expected: &[&str]) {
    let t = require_emulator!();
    populate(&t);
    let path = match filter {
        Some(f) => format!("{}/resources?api-version={API}&$filter={}", t.rg("rg1"), qv(f)),
        None => av(&format!("{}/resources", t.rg("rg1"))),
    };
    let r = t.get(&path).expect(200).json();
    assert_eq!(names_of(&r), expected.iter().map(|s| s.to_string()).collect::<Vec<_>>());
}

#[test]
fn resource_listing_items_have_the_generic_shape() {
    let t = require_emulator!();
    populate(&t);
    let r = t
        .get(&format!("{}/resources?api-version={API}&$filter={}", t.rg("rg1"), qv("name eq 'kv1'")))
        .expect(200)
        .json();
    assert_eq!(
        r,
        json!({"value": [{
            "id": format!("{}/providers/Microsoft.KeyVault/vaults/kv1", t.rg_id("rg1")),
            "name": "kv1",
            "type": "Microsoft.KeyVault/vaults",
            "location": "westeurope",
            // Key Vault lists its tags, `{}` when there are none (issue 15).
            "tags": {},
        }]})
    );
    // sku, kind and tags are carried; properties and systemData are not.
    let r = t
        .get(&format!("{}/resources?api-version={API}&$filter={}", t.rg("rg1"), qv("name eq 'sa1'")))
        .expect(200)
        .json();
    let sa = &r["value"][0];
    assert_contains(
        sa,
        &json!({"id": sa_id(&t, "rg1", "sa1"), "name": "sa1", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "tags": {"env": "dev"}}),
    );
    assert!(sa.get("properties").is_none() && sa.get("systemData").is_none(), "{sa}");
}

#[test]
fn resource_listing_expand() {
    let t = require_emulator!();
    populate(&t);
    t.advance(120);
    t.patch(&sa_path(&t, "rg1", "sa1", "2019-06-01"), &json!({"tags": {"touched": "yes"}})).expect(200);
    let r = t
        .get(&format!(
            "{}/resources?api-version={API}&$expand={}",
            t.rg("rg1"),
            qv("createdTime,changedTime,provisioningState")
        ))
        .expect(200)
        .json();
    let items = r["value"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["createdTime"], CREATED, "{item}");
        assert_eq!(item["provisioningState"], "Succeeded", "{item}");
        let changed = if item["name"] == "sa1" { "2026-01-01T00:02:00.0000000Z" } else { CREATED };
        assert_eq!(item["changedTime"], changed, "{item}");
    }
    // Without $expand none of them.
    let r = t.get(&av(&format!("{}/resources", t.rg("rg1")))).expect(200).json();
    for item in r["value"].as_array().unwrap() {
        assert!(
            item.get("createdTime").is_none()
                && item.get("changedTime").is_none()
                && item.get("provisioningState").is_none(),
            "{item}"
        );
    }
}

#[test]
fn resource_listing_pages() {
    let t = require_emulator!();
    populate(&t);
    let (all, pages) = collect_pages(&t, &format!("{}/resources?api-version={API}&$top=3", t.sub()));
    assert_eq!(pages, 2);
    assert_eq!(all.len(), 4);
}

#[test]
fn group_listing_of_a_missing_group_is_404() {
    let t = Target::new();
    let r = t.get(&av(&format!("{}/resources", t.rg("ghost"))));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'ghost' could not be found.");
}

#[rstest]
#[case::unknown_field("color eq 'red'")]
#[case::unsupported_operator("name ne 'x'")]
#[case::or("name eq 'a' or name eq 'b'")]
#[case::unterminated("name eq 'abc")]
// An empty `$filter` is not here: az sends one with every plain `az resource list`, and ARM
// lists everything (see `an_empty_filter_filters_nothing`).
fn invalid_resource_filter_is_400(#[case] filter: &str) {
    let t = Target::new();
    let r = t.get(&format!("{}/resources?api-version={API}&$filter={}", t.sub(), qv(filter)));
    check_error(
        &r,
        400,
        "InvalidFilterInQueryString",
        &format!("Invalid $filter '{filter}' specified in the query string."),
    );
}

/// `az resource list` sends `$filter=` with nothing after it; ARM lists everything (the
/// emulator answered 400 InvalidFilterInQueryString, so the command failed).
#[test]
fn an_empty_filter_filters_nothing() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    t.put(&sa_path(&t, "rg1", "sa1", "2023-01-01"), &sa_body()).expect(200);
    let r = t.get(&format!("{}/resources?$filter=&api-version=2021-04-01", t.sub())).expect(200).json();
    assert_eq!(r["value"].as_array().unwrap().len(), 1, "{r}");
    let r = t.get(&format!("{}/resources?$filter=%20&api-version=2021-04-01", t.rg("rg1"))).expect(200).json();
    assert_eq!(r["value"][0]["name"], "sa1");
}

/// A provider's own listing of a type (`StorageAccounts_List`, `…_ListByResourceGroup`), which
/// `az storage account show -n` without `-g` and `az acr list` call: full bodies of that type.
#[test]
fn a_provider_lists_its_type_in_a_subscription_and_a_group() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    t.create_group("rg2", "westeurope");
    t.put(&sa_path(&t, "rg1", "sa1", "2023-01-01"), &sa_body()).expect(200);
    t.put(&sa_path(&t, "rg2", "sa2", "2023-01-01"), &sa_body()).expect(200);
    t.put(
        &format!("{}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01", t.rg("rg1")),
        &json!({"location": "westeurope", "properties": {"tenantId": "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001", "sku": {"family": "A", "name": "standard"}}}),
    )
    .expect(201);
    let all = t
        .get(&format!("{}/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", t.sub()))
        .expect(200)
        .json();
    let names: Vec<&str> = all["value"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sa1", "sa2"]);
    assert_eq!(all["value"][0]["properties"]["isHnsEnabled"], false, "full bodies, not generic views");
    let one = t
        .get(&format!("{}/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", t.rg("rg2")))
        .expect(200)
        .json();
    assert_eq!(one["value"].as_array().unwrap().len(), 1);
    assert_eq!(one["value"][0]["id"], sa_id(&t, "rg2", "sa2"));
    let r = t.get(&format!("{}/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", t.rg("nope")));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'nope' could not be found.");
    let r = t.get(&format!("{}/providers/Contoso.Widgets/things?api-version=2023-01-01", t.sub()));
    check_error(&r, 400, "InvalidResourceNamespace", "The resource namespace 'Contoso.Widgets' is invalid.");
}

/// Issue 15: storage accounts as rich as the official examples: key creation times, encryption
/// services with the time they were enabled, route-specific endpoints when the routing
/// preference publishes them, and for geo-redundant SKUs the paired region's `secondaryLocation`
/// and `statusOfSecondary` (with `secondaryEndpoints` for read access).
#[test]
fn storage_accounts_show_geo_replication_keys_and_routing_endpoints() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let mut body = sa_body();
    body["sku"] = json!({"name": "Standard_RAGRS"});
    body["properties"] =
        json!({"routingPreference": {"routingChoice": "MicrosoftRouting", "publishMicrosoftEndpoints": true}});
    let r = t.put(&sa_path(&t, "rg1", "sa1", "2023-05-01"), &body).expect(200).json();
    let p = &r["properties"];
    assert_eq!(p["keyCreationTime"], json!({"key1": CREATED, "key2": CREATED}));
    assert_eq!(
        p["encryption"]["services"]["blob"],
        json!({"enabled": true, "keyType": "Account", "lastEnabledTime": CREATED})
    );
    assert_eq!(p["secondaryLocation"], "northeurope");
    assert_eq!(p["statusOfSecondary"], "available");
    assert_eq!(p["secondaryEndpoints"]["blob"], "https://sa1-secondary.blob.core.windows.net/");
    assert_eq!(
        p["primaryEndpoints"]["microsoftEndpoints"]["blob"],
        "https://sa1-microsoftrouting.blob.core.windows.net/"
    );
    assert!(p["primaryEndpoints"].get("internetEndpoints").is_none());
    // Back to locally redundant: the secondary goes away.
    body["sku"] = json!({"name": "Standard_LRS"});
    let r = t.put(&sa_path(&t, "rg1", "sa1", "2023-05-01"), &body).expect(200).json();
    for k in ["secondaryLocation", "statusOfSecondary", "secondaryEndpoints"] {
        assert!(r["properties"].get(k).is_none(), "{k} after LRS: {r}");
    }
    assert_eq!(r["properties"]["keyCreationTime"], p["keyCreationTime"]);
}

/// Issue 15: registries as rich as the official examples (`policies`, `networkRuleSet`,
/// `encryption`, `status`), and Application Insights keeping a given `WorkspaceResourceId`.
#[test]
fn registries_and_insights_components_have_the_documented_properties() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    let acr = format!("{}/providers/Microsoft.ContainerRegistry/registries/acr1?api-version=2023-07-01", t.rg("rg1"));
    let r = t.put(&acr, &json!({"location": "westeurope", "sku": {"name": "Standard"}})).expect(201).json();
    let p = &r["properties"];
    assert_eq!(p["networkRuleSet"], json!({"defaultAction": "Allow", "ipRules": []}));
    assert_eq!(p["encryption"], json!({"status": "disabled"}));
    assert_eq!(p["policies"]["retentionPolicy"], json!({"days": 7, "lastUpdatedTime": CREATED, "status": "disabled"}));
    assert_eq!(p["policies"]["trustPolicy"], json!({"type": "Notary", "status": "disabled"}));
    assert_eq!(p["status"], Value::Null);
    assert_eq!(p["networkRuleBypassOptions"], "AzureServices");
    let law = format!("{}/providers/Microsoft.OperationalInsights/workspaces/law1", t.rg_id("rg1"));
    let ai = format!("{}/providers/Microsoft.Insights/components/ai1?api-version=2020-02-02", t.rg("rg1"));
    let r = t
        .put(&ai, &json!({"location": "westeurope", "kind": "web", "properties": {"Application_Type": "web", "WorkspaceResourceId": law}}))
        .expect(200)
        .json();
    assert_eq!(r["properties"]["WorkspaceResourceId"], law.to_lowercase());
    assert_eq!(r["properties"]["IngestionMode"], "LogAnalytics");
}

/// `az storage account create` asks `checkNameAvailability` first (the emulator answered 405,
/// so az could not create a storage account). Names are global: another subscription's account
/// takes the name too.
#[test]
fn storage_names_are_checked_across_the_emulator() {
    let t = require_emulator!();
    t.create_group("rg1", "westeurope");
    t.put(&sa_path(&t, "rg1", "sa1", "2023-05-01"), &sa_body()).expect(200);
    let check = |name: &str| {
        t.post(
            &format!("{}/providers/Microsoft.Storage/checkNameAvailability?api-version=2023-05-01", t.sub()),
            &json!({"name": name, "type": "Microsoft.Storage/storageAccounts"}),
        )
        .expect(200)
        .json()
    };
    assert_eq!(check("freename1"), json!({"nameAvailable": true}));
    assert_eq!(
        check("sa1"),
        json!({"nameAvailable": false, "reason": "AlreadyExists", "message": "The storage account named sa1 is already taken."})
    );
    assert_eq!(
        check("Bad_Name"),
        json!({"nameAvailable": false, "reason": "AccountNameInvalid", "message": "Bad_Name is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."})
    );
    let r = t.post(
        &format!("{}/providers/Microsoft.Storage/checkNameAvailability?api-version=2023-05-01", t.sub()),
        &json!({"type": "Microsoft.Storage/storageAccounts"}),
    );
    check_error(
        &r,
        400,
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: 'Required property 'name' not found in JSON'.",
    );
}
