//! Subscriptions, tenants and locations (SPEC §3, arm-wire-protocol.md §3.1).

use armemu::config::{DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID};
use conformance::*;
use serde_json::json;

const SUBS_API: &str = "2022-12-01";
const SECOND: &str = "5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f";

fn expected_subscription(id: &str, name: &str) -> serde_json::Value {
    json!({
        "id": format!("/subscriptions/{id}"),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": id,
        "tenantId": DEFAULT_TENANT_ID,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
    })
}

fn add_second(c: &mut armemu::Config) {
    c.subscriptions.push(armemu::store::Subscription {
        subscription_id: SECOND.into(),
        tenant_id: DEFAULT_TENANT_ID.into(),
        display_name: "Second Subscription".into(),
        state: "Enabled".into(),
        tags: Default::default(),
        managed_by_tenants: Default::default(),
    })
}

#[test]
fn list_subscriptions() {
    let t = require_emulator!();
    let r = t.get(&format!("/subscriptions?api-version={SUBS_API}")).expect(200).json();
    assert_eq!(r, json!({"value": [expected_subscription(DEFAULT_SUBSCRIPTION_ID, "Emulated Subscription")]}));
}

#[test]
fn subscription_shape_has_the_fields_of_the_2022_12_01_example() {
    let t = Target::new();
    let r = t.get(&format!("{}?api-version={SUBS_API}", t.sub())).expect(200).json();
    for k in [
        "id",
        "subscriptionId",
        "tenantId",
        "displayName",
        "state",
        "subscriptionPolicies",
        "authorizationSource",
        "managedByTenants",
    ] {
        assert!(r.get(k).is_some(), "{k} in {r}");
    }
    assert_eq!(r["state"], "Enabled");
    assert_eq!(r["subscriptionId"], t.subscription.as_str());
    assert!(is_guid(r["tenantId"].as_str().unwrap()));
}

#[test]
fn get_subscription() {
    let t = require_emulator!();
    let r = t.get(&format!("{}?api-version={SUBS_API}", t.sub())).expect(200).json();
    assert_eq!(r, expected_subscription(DEFAULT_SUBSCRIPTION_ID, "Emulated Subscription"));
    // Case-insensitive id.
    let upper = t
        .get(&format!("/subscriptions/{}?api-version={SUBS_API}", DEFAULT_SUBSCRIPTION_ID.to_uppercase()))
        .expect(200)
        .json();
    assert_eq!(upper["subscriptionId"], DEFAULT_SUBSCRIPTION_ID);
}

#[test]
fn get_unknown_subscription_is_404() {
    let t = Target::new();
    let sub = "00000000-0000-0000-0000-0000000000bb";
    let r = t.get(&format!("/subscriptions/{sub}?api-version={SUBS_API}"));
    check_error(&r, 404, "SubscriptionNotFound", &format!("The subscription '{sub}' could not be found."));
}

#[test]
fn list_tenants() {
    let t = require_emulator!();
    let r = t.get(&format!("/tenants?api-version={SUBS_API}")).expect(200).json();
    assert_eq!(
        r,
        json!({"value": [{
            "id": format!("/tenants/{DEFAULT_TENANT_ID}"),
            "tenantId": DEFAULT_TENANT_ID,
            "countryCode": "US",
            "displayName": "Emulated Tenant",
            "domains": ["armemu.onmicrosoft.com"],
            "tenantCategory": "Home",
            "defaultDomain": "armemu.onmicrosoft.com",
            "tenantType": "AAD",
        }]})
    );
}

#[test]
fn subscription_and_tenant_listings_need_a_token() {
    let t = Target::new();
    for p in ["/subscriptions", "/tenants"] {
        let r = t.anonymous().get(&format!("{p}?api-version={SUBS_API}"));
        check_error(&r, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
    }
}

#[test]
fn list_locations() {
    let t = Target::new();
    let r = t.get(&format!("{}/locations?api-version={SUBS_API}", t.sub())).expect(200).json();
    let items = r["value"].as_array().unwrap();
    let we = items.iter().find(|l| l["name"] == "westeurope").expect("westeurope");
    assert_eq!(we["id"], format!("{}/locations/westeurope", t.sub()));
    assert_eq!(we["displayName"], "West Europe");
    assert_eq!(we["type"], "Region");
    assert_eq!(we["metadata"]["regionType"], "Physical");
    assert!(items.iter().any(|l| l["name"] == "eastus" && l["displayName"] == "East US"));
    if !t.is_external() {
        assert_eq!(items.len(), armemu::catalog::REGIONS.len());
    }
}

#[test]
fn a_second_subscription_from_the_configuration() {
    let t = require_emulator!(add_second);
    let r = t.get(&format!("/subscriptions?api-version={SUBS_API}")).expect(200).json();
    let mut expected = vec![
        expected_subscription(SECOND, "Second Subscription"),
        expected_subscription(DEFAULT_SUBSCRIPTION_ID, "Emulated Subscription"),
    ];
    expected.sort_by(|a, b| a["subscriptionId"].as_str().cmp(&b["subscriptionId"].as_str()));
    assert_eq!(r, json!({"value": expected}));
    assert_eq!(
        t.get(&format!("/subscriptions/{SECOND}?api-version={SUBS_API}")).expect(200).json(),
        expected_subscription(SECOND, "Second Subscription")
    );
    // Groups live in one subscription only.
    t.put(&av(&format!("/subscriptions/{SECOND}/resourcegroups/only-here")), &json!({"location": "westeurope"}))
        .expect(201);
    let second = t.get(&av(&format!("/subscriptions/{SECOND}/resourcegroups"))).expect(200).json();
    assert_eq!(second["value"].as_array().unwrap().len(), 1);
    assert_eq!(second["value"][0]["id"], format!("/subscriptions/{SECOND}/resourceGroups/only-here"));
    assert_eq!(t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200).json(), json!({"value": []}));
    t.get(&av(&t.rg("only-here"))).expect(404);
}

#[test]
fn subscription_listing_pages() {
    let t = require_emulator!(add_second);
    let (all, pages) = collect_pages(&t, &format!("/subscriptions?api-version={SUBS_API}&$top=1"));
    assert_eq!(pages, 2);
    assert_eq!(all.len(), 2);
}

/// Issue 15: a subscription's `tags` and `managedByTenants` (set through the test-control API
/// or the start configuration) show as ARM shows them; `tags` is left out when there are none.
#[test]
fn tags_and_managed_by_tenants_show_when_set() {
    let t = require_emulator!();
    let path = format!("/subscriptions/{DEFAULT_SUBSCRIPTION_ID}?api-version={SUBS_API}");
    assert!(t.get(&path).expect(200).json().get("tags").is_none());
    const LIGHTHOUSE: &str = "8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7";
    t.control(
        "PUT",
        &format!("subscriptions/{DEFAULT_SUBSCRIPTION_ID}"),
        Some(&json!({"tags": {"env": "test"}, "managedByTenants": [LIGHTHOUSE.to_uppercase()]})),
    )
    .expect(200);
    let mut want = expected_subscription(DEFAULT_SUBSCRIPTION_ID, "Emulated Subscription");
    want["tags"] = json!({"env": "test"});
    want["managedByTenants"] = json!([{"tenantId": LIGHTHOUSE}]);
    assert_eq!(t.get(&path).expect(200).json(), want);
    let listed = t.get(&format!("/subscriptions?api-version={SUBS_API}")).expect(200).json();
    assert_eq!(listed["value"][0], want);
    // A later update that names neither keeps them; bad values are refused.
    t.control(
        "PUT",
        &format!("subscriptions/{DEFAULT_SUBSCRIPTION_ID}"),
        Some(&json!({"displayName": "Emulated Subscription"})),
    )
    .expect(200);
    assert_eq!(t.get(&path).expect(200).json(), want);
    let r = t.control(
        "PUT",
        &format!("subscriptions/{DEFAULT_SUBSCRIPTION_ID}"),
        Some(&json!({"managedByTenants": ["x"]})),
    );
    check_error(&r, 400, "InvalidEmulatorRequest", "'managedByTenants' entries must be tenant GUIDs, not \"x\"");
    let r = t.control("PUT", &format!("subscriptions/{DEFAULT_SUBSCRIPTION_ID}"), Some(&json!({"tags": {"a": 1}})));
    check_error(&r, 400, "InvalidEmulatorRequest", "the tag 'a' must have a string value");
}
