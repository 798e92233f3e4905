//! Resource providers (SPEC §3, arm-wire-protocol.md §2.1–§2.2).

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

/// The namespaces the seeds' table names (SPEC §3).
const SEED_NAMESPACES: &[&str] = &[
    "Microsoft.MachineLearningServices",
    "Microsoft.Storage",
    "Microsoft.ContainerRegistry",
    "Microsoft.KeyVault",
    "Microsoft.Insights",
    "Microsoft.Notebooks",
    "Microsoft.ContainerService",
    "Microsoft.DocumentDB",
    "Microsoft.Search",
    "Microsoft.Network",
    "Microsoft.Authorization",
    "Microsoft.Resources",
];

fn provider_path(t: &Target, ns: &str) -> String {
    format!("{}/providers/{ns}", t.sub())
}

#[test]
fn list_has_every_seed_namespace_with_a_registration_state() {
    let t = Target::new();
    let (all, _) = collect_pages(&t, &av(&format!("{}/providers", t.sub())));
    for ns in SEED_NAMESPACES {
        let p = all
            .iter()
            .find(|p| p["namespace"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(ns)))
            .unwrap_or_else(|| panic!("{ns} missing from the provider list"));
        assert_eq!(p["namespace"], *ns, "canonical casing");
        let st = p["registrationState"].as_str().unwrap_or_else(|| panic!("{ns} has no registrationState: {p}"));
        assert!(["NotRegistered", "Registering", "Registered", "Unregistering"].contains(&st), "{ns}: {st}");
        assert_eq!(p["id"], format!("{}/providers/{ns}", t.sub()));
        assert!(p["resourceTypes"].as_array().is_some_and(|a| !a.is_empty()), "{ns} has resource types");
    }
}

#[rstest]
#[case::machine_learning("Microsoft.MachineLearningServices", "Registered")]
#[case::storage("Microsoft.Storage", "Registered")]
#[case::container_registry("Microsoft.ContainerRegistry", "Registered")]
#[case::key_vault("Microsoft.KeyVault", "Registered")]
#[case::insights("Microsoft.Insights", "Registered")]
#[case::authorization("Microsoft.Authorization", "Registered")]
#[case::resources("Microsoft.Resources", "Registered")]
#[case::document_db("Microsoft.DocumentDB", "NotRegistered")]
#[case::search("Microsoft.Search", "NotRegistered")]
#[case::network("Microsoft.Network", "NotRegistered")]
#[case::notebooks("Microsoft.Notebooks", "NotRegistered")]
#[case::container_service("Microsoft.ContainerService", "NotRegistered")]
fn default_registration_state(#[case] ns: &str, #[case] state: &str) {
    let t = require_emulator!();
    let p = t.get(&av(&provider_path(&t, ns))).expect(200).json();
    assert_eq!(p["registrationState"], state, "{p}");
    let listed = t.get(&av(&format!("{}/providers", t.sub()))).expect(200).json();
    let entry = listed["value"].as_array().unwrap().iter().find(|p| p["namespace"] == ns).cloned().unwrap();
    assert_eq!(entry["registrationState"], state);
}

#[test]
fn get_shows_resource_types_with_display_name_locations_and_api_versions() {
    let t = Target::new();
    let p = t.get(&av(&provider_path(&t, "Microsoft.MachineLearningServices"))).expect(200).json();
    assert_eq!(sorted(&["id", "namespace", "registrationState", "registrationPolicy", "resourceTypes"]), keys(&p));
    assert_eq!(p["id"], format!("{}/providers/Microsoft.MachineLearningServices", t.sub()));
    assert_eq!(p["namespace"], "Microsoft.MachineLearningServices");
    assert_eq!(p["registrationPolicy"], "RegistrationRequired");
    let ws = p["resourceTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rt| rt["resourceType"] == "workspaces")
        .cloned()
        .expect("workspaces type");
    let locations: Vec<&str> = ws["locations"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(locations.contains(&"West Europe"), "display names: {locations:?}");
    assert!(locations.contains(&"East US"), "{locations:?}");
    assert!(!locations.contains(&"westeurope"), "no short names: {locations:?}");
    let versions: Vec<&str> = ws["apiVersions"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    for v in ["2025-12-01", "2024-07-01-preview"] {
        assert!(versions.contains(&v), "{v} in {versions:?}");
    }
    assert!(ws["capabilities"].as_str().is_some_and(|c| c.contains("SupportsLocation")), "{ws}");
}

#[test]
fn registration_free_providers_say_so() {
    let t = Target::new();
    let p = t.get(&av(&provider_path(&t, "Microsoft.Resources"))).expect(200).json();
    assert_eq!(p["registrationState"], "Registered");
    assert_eq!(p["registrationPolicy"], "RegistrationFree");
    let rts: Vec<&str> =
        p["resourceTypes"].as_array().unwrap().iter().map(|r| r["resourceType"].as_str().unwrap()).collect();
    assert!(rts.contains(&"resourceGroups"), "{rts:?}");
}

#[test]
fn namespaces_match_case_insensitively() {
    let t = Target::new();
    let p = t.get(&av(&provider_path(&t, "microsoft.storage"))).expect(200).json();
    assert_eq!(p["namespace"], "Microsoft.Storage");
    assert_eq!(p["id"], format!("{}/providers/Microsoft.Storage", t.sub()));
}

#[test]
fn resource_types_listing() {
    let t = Target::new();
    let r = t.get(&av(&format!("{}/resourceTypes", provider_path(&t, "Microsoft.Storage")))).expect(200).json();
    let types: Vec<&str> = r["value"].as_array().unwrap().iter().map(|x| x["resourceType"].as_str().unwrap()).collect();
    assert!(types.contains(&"storageAccounts"), "{types:?}");
}

#[test]
fn tenant_level_provider_has_no_registration_state() {
    let t = Target::new();
    let p = t.get(&av("/providers/Microsoft.Storage")).expect(200).json();
    assert_eq!(p["id"], "/providers/Microsoft.Storage");
    assert!(p.get("registrationState").is_none(), "{p}");
}

#[test]
fn register_answers_200_registered_and_unregister_goes_back() {
    let t = require_emulator!();
    let ns = "Microsoft.DocumentDB";
    let r =
        t.post(&format!("{}/register?api-version=2016-02-01", provider_path(&t, ns)), &json!({})).expect(200).json();
    assert_eq!(r["namespace"], ns);
    assert_eq!(r["registrationState"], "Registered");
    assert_eq!(t.get(&av(&provider_path(&t, ns))).expect(200).json()["registrationState"], "Registered");
    // Registering again is harmless.
    assert_eq!(
        t.post(&av(&format!("{}/register", provider_path(&t, ns))), &json!({})).expect(200).json()["registrationState"],
        "Registered"
    );
    let r = t.post(&av(&format!("{}/unregister", provider_path(&t, ns))), &json!({})).expect(200).json();
    assert_eq!(r["registrationState"], "NotRegistered");
    assert_eq!(t.get(&av(&provider_path(&t, ns))).expect(200).json()["registrationState"], "NotRegistered");
}

#[test]
fn register_with_an_empty_body_works() {
    // azure-mgmt-core POSTs without a body.
    let t = require_emulator!();
    let r = t
        .request(
            "POST",
            &format!("{}/register?api-version=2016-02-01", provider_path(&t, "Microsoft.Search")),
            &[],
            None,
        )
        .expect(200);
    assert_eq!(r.json()["registrationState"], "Registered");
}

#[test]
fn registration_settles_after_the_configured_polls() {
    let t = require_emulator!();
    t.settings(json!({"registrationDelay": "polls:2"}));
    let ns = "Microsoft.Network";
    let r = t.post(&av(&format!("{}/register", provider_path(&t, ns))), &json!({})).expect(200).json();
    assert_eq!(r["registrationState"], "Registering");
    // Like an LRO in `polls:N` mode, the N-th read after the request sees the end state.
    let state = |t: &Target| t.get(&av(&provider_path(t, ns))).expect(200).json()["registrationState"].clone();
    assert_eq!(state(&t), "Registering");
    assert_eq!(state(&t), "Registered");
    assert_eq!(state(&t), "Registered");
    // And back.
    let r = t.post(&av(&format!("{}/unregister", provider_path(&t, ns))), &json!({})).expect(200).json();
    assert_eq!(r["registrationState"], "Unregistering");
    assert_eq!(state(&t), "Unregistering");
    assert_eq!(state(&t), "NotRegistered");
}

#[test]
fn registration_settles_after_the_configured_seconds() {
    let t = require_emulator!();
    t.settings(json!({"registrationDelay": "seconds:10"}));
    let ns = "Microsoft.ContainerService";
    let r = t.post(&av(&format!("{}/register", provider_path(&t, ns))), &json!({})).expect(200).json();
    assert_eq!(r["registrationState"], "Registering");
    let state = |t: &Target| t.get(&av(&provider_path(t, ns))).expect(200).json()["registrationState"].clone();
    for _ in 0..5 {
        assert_eq!(state(&t), "Registering", "a frozen clock freezes the registration");
    }
    t.advance(9);
    assert_eq!(state(&t), "Registering");
    t.advance(1);
    assert_eq!(state(&t), "Registered");
}

#[test]
fn writes_are_refused_while_registering() {
    let t = require_emulator!();
    t.settings(json!({"registrationDelay": "seconds:10"}));
    t.create_group("rg1", "westeurope");
    t.post(&av(&format!("{}/register", provider_path(&t, "Microsoft.DocumentDB"))), &json!({})).expect(200);
    let path =
        format!("{}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos1?api-version=2024-11-15", t.rg("rg1"));
    let r = t.put(&path, &json!({"location": "westeurope"}));
    check_error(
        &r,
        409,
        "MissingSubscriptionRegistration",
        "The subscription is not registered to use namespace 'Microsoft.DocumentDB'. See https://aka.ms/rps-not-found for how to register subscriptions.",
    );
    t.advance(10);
    t.put(&path, &json!({"location": "westeurope"})).expect(200);
}

#[rstest]
#[case::get("GET", "")]
#[case::register("POST", "/register")]
#[case::unregister("POST", "/unregister")]
fn unknown_namespace_is_404(#[case] method: &str, #[case] action: &str) {
    let t = Target::new();
    let r = t.request(method, &av(&format!("{}{action}", provider_path(&t, "Microsoft.Nope"))), &[], None);
    check_error(&r, 404, "InvalidResourceNamespace", "The resource namespace 'Microsoft.Nope' is invalid.");
}

#[test]
fn registration_is_per_subscription() {
    let second = "5d0c0d1e-9a2b-4c3d-8e4f-0a1b2c3d4e5f";
    let t = require_emulator!(|c| c.subscriptions.push(armemu::store::Subscription {
        subscription_id: second.into(),
        tenant_id: armemu::config::DEFAULT_TENANT_ID.into(),
        display_name: "Second".into(),
        state: "Enabled".into(),
        tags: Default::default(),
        managed_by_tenants: Default::default(),
    }));
    t.post(&av(&format!("{}/register", provider_path(&t, "Microsoft.DocumentDB"))), &json!({})).expect(200);
    let other = t.get(&av(&format!("/subscriptions/{second}/providers/Microsoft.DocumentDB"))).expect(200).json();
    assert_eq!(other["registrationState"], "NotRegistered");
    let ml: Value =
        t.get(&av(&format!("/subscriptions/{second}/providers/Microsoft.MachineLearningServices"))).expect(200).json();
    assert_eq!(ml["registrationState"], "Registered");
}

/// The subscription's list and the tenant-level one (each pages through its own token filter).
#[rstest]
#[case::subscription(true)]
#[case::tenant(false)]
fn provider_list_pages_with_top_cover_every_namespace_once_in_order(#[case] in_subscription: bool) {
    let t = Target::new();
    let path = if in_subscription { av(&format!("{}/providers", t.sub())) } else { av("/providers") };
    let whole = t.get(&path).expect(200).json();
    let names = |v: &[Value]| -> Vec<String> {
        v.iter().map(|p| p["namespace"].as_str().unwrap_or_default().to_string()).collect()
    };
    let want = names(whole["value"].as_array().expect("value"));
    assert!(want.len() > 6, "{want:?}");
    let (paged, pages) = collect_pages(&t, &format!("{path}&$top=3"));
    assert_eq!(names(&paged), want);
    assert_eq!(pages, want.len().div_ceil(3));
}

/// Issue 15: `$expand=resourceTypes/aliases` adds each resource type's `aliases`, `apiProfiles`
/// and `locationMappings` (empty: no policy aliases, Azure Stack profiles or edge zones here);
/// without it they are left out, as ARM leaves out aliases.
#[test]
fn expand_aliases_adds_aliases_api_profiles_and_location_mappings() {
    let t = Target::new();
    let list = |q: &str| t.get(&format!("{}/providers?api-version=2022-12-01{q}", t.sub())).expect(200).json();
    let plain = list("");
    let expanded = list("&$expand=resourceTypes/aliases");
    let types = |v: &Value| -> Vec<Value> {
        v["value"].as_array().unwrap().iter().flat_map(|p| p["resourceTypes"].as_array().unwrap().clone()).collect()
    };
    assert!(!types(&expanded).is_empty());
    for rt in types(&expanded) {
        for k in ["aliases", "apiProfiles", "locationMappings"] {
            assert_eq!(rt[k], json!([]), "{k} of {}", rt["resourceType"]);
        }
    }
    for rt in types(&plain) {
        assert!(rt.get("aliases").is_none() && rt.get("apiProfiles").is_none() && rt.get("locationMappings").is_none());
    }
    let one = t
        .get(&format!(
            "{}/providers/Microsoft.ManagedIdentity?api-version=2022-12-01&$expand=resourceTypes/aliases",
            t.sub()
        ))
        .expect(200)
        .json();
    assert_eq!(one["resourceTypes"][0]["resourceType"], "userAssignedIdentities");
    assert_eq!(one["resourceTypes"][0]["aliases"], json!([]));
}
