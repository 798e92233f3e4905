//! `Microsoft.ManagedIdentity/userAssignedIdentities` (issue 15): a modelled type whose
//! principal and client ids come from the injected id generator and never change, with lists by
//! group and subscription, PATCH of the tags and delete.

use armemu::config::DEFAULT_TENANT_ID;
use conformance::*;
use serde_json::json;

const MSI_API: &str = "2023-01-31";
const TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

fn uai_path(t: &Target, rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}?api-version={MSI_API}", t.rg(rg))
}

#[test]
fn create_answers_201_with_the_principal_and_an_update_keeps_it() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let r =
        t.put(&uai_path(&t, "rg1", "uai1"), &json!({"location": "westeurope", "tags": {"a": "b"}})).expect(201).json();
    assert_eq!(r["id"], format!("{}/providers/{TYPE}/uai1", t.rg_id("rg1")));
    assert_eq!(r["name"], "uai1");
    assert_eq!(r["type"], TYPE);
    assert_eq!(r["location"], "westeurope");
    assert_eq!(r["tags"], json!({"a": "b"}));
    let p = &r["properties"];
    assert_eq!(keys(p), sorted(&["clientId", "principalId", "tenantId"]));
    assert_eq!(p["tenantId"], DEFAULT_TENANT_ID);
    assert!(is_guid(p["principalId"].as_str().unwrap()) && is_guid(p["clientId"].as_str().unwrap()));
    assert_ne!(p["principalId"], p["clientId"]);
    // The ids are read-only: an update that sends others keeps the originals.
    let again = t
        .put(
            &uai_path(&t, "rg1", "uai1"),
            &json!({"location": "westeurope", "properties": {"principalId": "00000000-0000-0000-0000-000000000009"}}),
        )
        .expect(200)
        .json();
    assert_eq!(again["properties"], r["properties"]);
    assert_eq!(t.get(&uai_path(&t, "rg1", "uai1")).expect(200).json()["properties"], r["properties"]);
    let patched = t.patch(&uai_path(&t, "rg1", "uai1"), &json!({"tags": {"c": "d"}})).expect(200).json();
    assert_eq!(patched["tags"], json!({"c": "d"}));
    assert_eq!(patched["properties"], r["properties"]);
}

#[test]
fn lists_by_group_and_subscription_and_delete() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    t.create_group("rg2", "eastus");
    t.put(&uai_path(&t, "rg1", "b-uai"), &json!({"location": "westeurope"})).expect(201);
    t.put(&uai_path(&t, "rg1", "a-uai"), &json!({"location": "westeurope"})).expect(201);
    t.put(&uai_path(&t, "rg2", "c-uai"), &json!({"location": "eastus"})).expect(201);
    let names = |path: String| -> Vec<String> {
        let (items, _) = collect_pages(&t, &path);
        items.iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
    };
    let by_group =
        format!("{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version={MSI_API}", t.rg("rg1"));
    assert_eq!(names(by_group.clone()), ["a-uai", "b-uai"]);
    let by_sub =
        format!("{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version={MSI_API}", t.sub());
    assert_eq!(names(by_sub), ["a-uai", "b-uai", "c-uai"]);
    t.delete(&uai_path(&t, "rg1", "a-uai")).expect(200);
    t.delete(&uai_path(&t, "rg1", "a-uai")).expect(204);
    t.get(&uai_path(&t, "rg1", "a-uai")).expect(404);
    assert_eq!(names(by_group), ["b-uai"]);
    // The generic listing of the group shows identities as resources of the group.
    let all = t.get(&av(&format!("{}/resources", t.rg("rg1")))).expect(200).json();
    assert_eq!(all["value"][0]["type"], TYPE);
}

#[test]
fn bad_names_and_missing_locations_are_refused() {
    let t = Target::new();
    t.create_group("rg1", "westeurope");
    let r = t.put(&uai_path(&t, "rg1", "a.b"), &json!({"location": "westeurope"}));
    check_error(
        &r,
        400,
        "InvalidResourceName",
        "The resource name 'a.b' is invalid. The name of a user-assigned identity must be 3 to 128 characters long, start with a letter or a number, and contain only letters, numbers, hyphens and underscores.",
    );
    let r = t.put(&uai_path(&t, "rg1", "uai1"), &json!({}));
    check_error(&r, 400, "LocationRequired", "The location property is required for this definition.");
    let r = t.get(&uai_path(&t, "nosuchrg", "uai1"));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'nosuchrg' could not be found.");
    let r = t.get(&uai_path(&t, "rg1", "uai1"));
    check_error(
        &r,
        404,
        "ResourceNotFound",
        &format!("The Resource '{TYPE}/uai1' under resource group 'rg1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    );
}
