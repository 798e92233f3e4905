//! Conformance scenarios for `Microsoft.MachineLearningServices/workspaces` (issue 3): the full
//! Workspace JSON, the documented rules about dependent resources, provider registration,
//! update restrictions, customer-managed keys, managed networks, moves, soft delete with
//! recovery, purge and retention, resource-group deletion, paged lists, the asynchronous LRO
//! modes, role assignments (`workspace share`) and private endpoint connections.
//!
//! Every test starts its own in-process emulator (frozen clock at 2026-01-01T00:00:00Z, seeded
//! ids); time passes only through `/_emulator/clock/advance`, and LROs progress only through
//! the modes set with `/_emulator/settings`, so nothing sleeps. Negative tests assert status,
//! `error.code` and the exact `error.message`. Most scenarios need the test-control API or a
//! start configuration and are therefore in-process only (`require_emulator!`).

mod create;
mod dependents;
mod features;
mod identities;
mod lists;
mod lro;
mod private_endpoints;
mod roles;
mod soft_delete;
mod update;

use conformance::*;
use serde_json::{json, Value};

/// The ML api-version the scenarios send (the one `azure-mgmt-machinelearningservices` GA uses).
pub const ML_API: &str = "2024-04-01";
pub const NS: &str = "Microsoft.MachineLearningServices";
pub const LOCATION: &str = "eastus";
pub const SOFT_DELETED: &str = "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete";
pub const SECOND_SUB: &str = "9b2c7d1e-5f3a-4c8b-a6d2-0e1f2a3b4c5d";

/// Appends `api-version=ML_API`.
pub fn mlv(path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}api-version={ML_API}")
}

/// Appends any api-version.
pub fn with_api(path: &str, api: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}api-version={api}")
}

/// `…/resourcegroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}` (no api-version).
pub fn ws_path(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}", t.rg(rg))
}

/// The canonical workspace id (`resourceGroups`, the namespace as registered).
pub fn ws_id(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}", t.rg_id(rg))
}

/// A resource id in the default subscription.
pub fn res_id(t: &Target, rg: &str, full_type: &str, name: &str) -> String {
    format!("{}/providers/{full_type}/{name}", t.rg_id(rg))
}

/// A resource id in any subscription.
pub fn res_id_in(sub: &str, rg: &str, full_type: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{full_type}/{name}")
}

/// The request path of a resource id: the group name percent-encoded (non-ASCII names).
pub fn id_path(id: &str) -> String {
    id.split('/').map(|s| if s.is_ascii() { s.to_string() } else { enc(s) }).collect::<Vec<_>>().join("/")
}

/// PUTs a workspace with `properties` in `LOCATION` and returns the raw response.
pub fn put_ws(t: &Target, rg: &str, ws: &str, properties: Value) -> Resp {
    t.put(&mlv(&ws_path(t, rg, ws)), &json!({"location": LOCATION, "properties": properties}))
}

/// Creates a workspace (asserting 200) and returns its JSON.
#[track_caller]
pub fn create_ws(t: &Target, rg: &str, ws: &str, properties: Value) -> Value {
    put_ws(t, rg, ws, properties).expect(200).json()
}

/// GET of a workspace.
pub fn get_ws(t: &Target, rg: &str, ws: &str) -> Resp {
    t.get(&mlv(&ws_path(t, rg, ws)))
}

/// PUTs a tracked resource through the generic by-id path (asserting 200/201) and returns it.
#[track_caller]
pub fn put_res(t: &Target, id: &str, api: &str, body: Value) -> Value {
    let r = t.put(&with_api(&id_path(id), api), &body);
    assert!(r.status == 200 || r.status == 201, "PUT {id}: {r:?}");
    r.json()
}

/// A storage account (StorageV2, Standard_LRS unless `extra` says otherwise) in `rg`.
#[track_caller]
pub fn storage(t: &Target, sub: &str, rg: &str, name: &str, extra: Value) -> String {
    let id = res_id_in(sub, rg, "Microsoft.Storage/storageAccounts", name);
    let mut body =
        json!({"location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {}});
    merge(&mut body, &extra);
    put_res(t, &id, "2023-01-01", body);
    id
}

/// A key vault in `rg`.
#[track_caller]
pub fn key_vault(t: &Target, rg: &str, name: &str) -> String {
    let id = res_id(t, rg, "Microsoft.KeyVault/vaults", name);
    put_res(
        t,
        &id,
        "2023-07-01",
        json!({"location": LOCATION, "properties": {"tenantId": armemu::config::DEFAULT_TENANT_ID, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}}),
    );
    id
}

/// A container registry in `rg`.
#[track_caller]
pub fn registry(t: &Target, rg: &str, name: &str, admin: bool) -> String {
    let id = res_id(t, rg, "Microsoft.ContainerRegistry/registries", name);
    put_res(
        t,
        &id,
        "2023-07-01",
        json!({"location": LOCATION, "sku": {"name": "Standard"}, "properties": {"adminUserEnabled": admin}}),
    );
    id
}

/// Deep-merges `extra` into `base` (objects merge, everything else replaces).
pub fn merge(base: &mut Value, extra: &Value) {
    match (base, extra) {
        (Value::Object(b), Value::Object(e)) => {
            for (k, v) in e {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, e) => *b = e.clone(),
    }
}

/// `POST …/providers/{ns}/{register|unregister}` in `sub` with the api-version
/// azure-mgmt-core uses, asserting 200.
#[track_caller]
pub fn set_registration(t: &Target, sub: &str, ns: &str, register: bool) {
    let verb = if register { "register" } else { "unregister" };
    let r =
        t.post(&format!("/subscriptions/{sub}/providers/{ns}/{verb}?api-version=2016-02-01"), &json!({})).expect(200);
    let want = if register { "Registered" } else { "NotRegistered" };
    assert_eq!(r.json()["registrationState"], want, "{r:?}");
}

/// The exact 409 `MissingSubscriptionRegistration` for `ns`, checked the way azure-mgmt-core
/// and the az CLI parse it: the namespace is the last single-quoted token of the message.
#[track_caller]
pub fn check_missing_registration(r: &Resp, ns: &str) {
    check_error(
        r,
        409,
        "MissingSubscriptionRegistration",
        &format!("The subscription is not registered to use namespace '{ns}'. See https://aka.ms/rps-not-found for how to register subscriptions."),
    );
    let msg = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
    let last = regex::Regex::new(r".*'(.*)'").expect("regex").captures(&msg).map(|c| c[1].to_string());
    assert_eq!(last.as_deref(), Some(ns), "last single-quoted token of {msg:?}");
    assert_eq!(r.json()["error"]["details"][0]["target"], ns, "{r:?}");
}

/// The items of `GET {path}` (one page, asserting 200).
#[track_caller]
pub fn items(t: &Target, path: &str) -> Vec<Value> {
    t.get(path).expect(200).json()["value"].as_array().cloned().unwrap_or_default()
}

/// The names of the items of `GET {path}`.
#[track_caller]
pub fn names(t: &Target, path: &str) -> Vec<String> {
    items(t, path).iter().map(|v| v["name"].as_str().unwrap_or_default().to_string()).collect()
}

/// Workspace names listed in a group and in the subscription.
#[track_caller]
pub fn listed(t: &Target, rg: &str) -> (Vec<String>, Vec<String>) {
    (
        names(t, &mlv(&format!("{}/providers/{NS}/workspaces", t.rg(rg)))),
        names(t, &mlv(&format!("{}/providers/{NS}/workspaces", t.sub()))),
    )
}

/// The soft-deleted workspaces listed in a group and in the subscription (the emulator's
/// `deletedWorkspaces` collections; ARM has no public equivalent, see DIFFERENCES.md).
#[track_caller]
pub fn deleted(t: &Target, rg: &str) -> (Vec<Value>, Vec<Value>) {
    (
        items(t, &mlv(&format!("{}/providers/{NS}/deletedWorkspaces", t.rg(rg)))),
        items(t, &mlv(&format!("{}/providers/{NS}/deletedWorkspaces", t.sub()))),
    )
}

/// A `Config` hook adding a second subscription in the default tenant.
pub fn second_subscription(c: &mut armemu::config::Config) {
    c.subscriptions.push(armemu::store::Subscription {
        subscription_id: SECOND_SUB.into(),
        tenant_id: armemu::config::DEFAULT_TENANT_ID.into(),
        display_name: "Second Subscription".into(),
        state: "Enabled".into(),
        tags: Default::default(),
        managed_by_tenants: Default::default(),
    });
}

/// Creates a group in another subscription.
#[track_caller]
pub fn create_group_in(t: &Target, sub: &str, rg: &str) {
    let r = t.put(&av(&format!("/subscriptions/{sub}/resourcegroups/{}", enc(rg))), &json!({"location": LOCATION}));
    assert!(r.status == 200 || r.status == 201, "creating group {rg} in {sub}: {r:?}");
}

/// The ARM `ResourceNotFound` text for a workspace.
pub fn ws_not_found(rg: &str, ws: &str) -> String {
    format!("The Resource '{NS}/workspaces/{ws}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
}

pub fn str_of<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_else(|| panic!("{ptr} is not a string in {v}"))
}

/// The sorted names of the live resources in a group (to prove a refused PUT left nothing behind).
#[track_caller]
pub fn group_contents(t: &Target, rg: &str) -> Vec<String> {
    let mut n = names(t, &av(&format!("{}/resources", t.rg(rg))));
    n.sort();
    n
}
