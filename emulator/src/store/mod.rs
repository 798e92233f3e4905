//! In-memory state: no HTTP, no status codes, no wire parsing.
//!
//! [`Store`] is a cheap-clone handle. The resource state is one [`State`] value behind one
//! `RwLock`: every write is a short synchronous closure over `&mut State`, so multi-collection
//! changes (a cascade delete, a workspace with its dependents) are atomic and there is no lock
//! ordering to get wrong. Reads run in parallel. Maps are `BTreeMap`s keyed by lower-cased ids,
//! so listings come out sorted and a resource group's contents are one range scan.
//!
//! In-flight long-running operations live beside the state in a `DashMap` keyed by operation
//! id: they are looked up by id on every poll and never listed.

mod body;
pub mod clock;
pub mod ids;

pub use body::Body;

use std::cell::RefCell;
use std::collections::{btree_map, BTreeMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use dashmap::DashMap;
use parking_lot::RwLock;
use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::arm::lro::Operation;

/// The version of the export format (`fixtures/states/*.json`).
pub const STATE_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    pub tenant_id: String,
    pub display_name: String,
    #[serde(default = "enabled")]
    pub state: String,
}

fn enabled() -> String {
    "Enabled".into()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    pub subscription_id: String,
    /// The name as the client first cased it.
    pub name: String,
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub managed_by: Option<String>,
    /// `Succeeded`, or `Deleting` while a cascade delete runs.
    pub provisioning_state: String,
    pub created_time: DateTime<Utc>,
    pub changed_time: DateTime<Utc>,
}

/// Any resource below a resource group: a tracked resource, a child, or an extension resource.
///
/// A large state holds hundreds of thousands of these, so the record is kept small: the body
/// is its JSON text, the strings many resources repeat (type, subscription, group) are shared
/// when a state document is read ([`StateDocument::parse`]), and the rare secrets are boxed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The canonical id in the casing the client first used.
    pub id: String,
    /// The full type, e.g. `Microsoft.Storage/storageAccounts`.
    #[serde(rename = "type", deserialize_with = "shared_str")]
    pub resource_type: Arc<str>,
    pub name: String,
    #[serde(deserialize_with = "shared_str")]
    pub subscription_id: Arc<str>,
    #[serde(deserialize_with = "shared_str")]
    pub resource_group: Arc<str>,
    /// The JSON the resource provider answers a GET with.
    pub body: Body,
    pub created_time: DateTime<Utc>,
    pub changed_time: DateTime<Utc>,
    /// Set while the resource is soft-deleted: invisible to GET and lists, name reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_deleted: Option<SoftDeleted>,
    /// Keys and passwords the type's list-keys actions return; never part of the GET body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Box<Value>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SoftDeleted {
    pub deleted_at: DateTime<Utc>,
    pub purge_at: DateTime<Utc>,
}

impl Resource {
    /// True for `/subscriptions/s/resourceGroups/rg/providers/NS/type/name`: what the generic
    /// `…/resources` listings show (children and extension resources are not listed there).
    pub fn is_top_level(&self) -> bool {
        self.id.split('/').filter(|s| !s.is_empty()).count() == 8
            && !self.resource_type.to_ascii_lowercase().starts_with("microsoft.authorization/")
    }

    pub fn is_live(&self) -> bool {
        self.soft_deleted.is_none()
    }

    /// The body's `etag`, if the type has one (for `If-Match` / `If-None-Match`).
    pub fn etag(&self) -> Option<String> {
        self.body.string("/etag")
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum RegistrationState {
    NotRegistered,
    Registering,
    Registered,
    Unregistering,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::NotRegistered => "NotRegistered",
            RegistrationState::Registering => "Registering",
            RegistrationState::Registered => "Registered",
            RegistrationState::Unregistering => "Unregistering",
        }
    }
}

/// A provider's registration in one subscription. A transition in progress finishes when the
/// clock passes `settles_at` or after `polls_left` more reads, whichever the configuration chose.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub subscription_id: String,
    pub namespace: String,
    pub state: RegistrationState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settles_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls_left: Option<u32>,
}

impl Registration {
    /// The state after a read at `now`, settling a pending transition when due.
    pub fn observe(&mut self, now: DateTime<Utc>) -> RegistrationState {
        let due = match (self.settles_at, self.polls_left) {
            (Some(t), _) => now >= t,
            // This read counts: `polls:N` settles on the N-th read after the (un)register call,
            // like the LRO engine's `polls:N` (done on the N-th poll). Previously the N-th read
            // still said `Registering`, which cost azure-mgmt-core's auto-registration and
            // `az provider register --wait` an extra hard-coded 10 s sleep for `polls:1`.
            (None, Some(n)) => {
                let left = n.saturating_sub(1);
                self.polls_left = Some(left);
                left == 0
            }
            (None, None) => false,
        };
        if due {
            self.state = match self.state {
                RegistrationState::Registering => RegistrationState::Registered,
                RegistrationState::Unregistering => RegistrationState::NotRegistered,
                s => s,
            };
            self.settles_at = None;
            self.polls_left = None;
        }
        self.state
    }
}

/// The whole observable state; also the export/import document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub tenants: BTreeMap<String, Tenant>,
    pub subscriptions: BTreeMap<String, Subscription>,
    /// Keyed by the lower-cased group id.
    pub groups: BTreeMap<String, ResourceGroup>,
    /// Keyed by the lower-cased resource id.
    pub resources: BTreeMap<String, Arc<Resource>>,
    /// Keyed by lower-cased `subscription/namespace`.
    pub registrations: BTreeMap<String, Registration>,
}

impl State {
    pub fn group_key(sub: &str, rg: &str) -> String {
        crate::arm::resource_id::key(&crate::arm::resource_id::group_id(sub, rg))
    }

    pub fn registration_key(sub: &str, ns: &str) -> String {
        format!("{}/{}", sub.to_lowercase(), ns.to_lowercase())
    }

    pub fn subscription(&self, sub: &str) -> Option<&Subscription> {
        self.subscriptions.get(&sub.to_lowercase())
    }

    pub fn group(&self, sub: &str, rg: &str) -> Option<&ResourceGroup> {
        self.groups.get(&Self::group_key(sub, rg))
    }

    /// Every resource (live or soft-deleted) whose id starts with `prefix` (lower-cased).
    pub fn resources_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Arc<Resource>> + 'a {
        self.resources_after(prefix, None).map(|(_, v)| v)
    }

    /// The resources whose keys start with `prefix`, in key order, after the key `after` if
    /// given (a continuation token's position), with their keys.
    pub fn resources_after<'a>(
        &'a self,
        prefix: &'a str,
        after: Option<&str>,
    ) -> impl Iterator<Item = (&'a String, &'a Arc<Resource>)> + 'a {
        self.resources.range::<str, _>(from(prefix, after)).take_while(move |(k, _)| k.starts_with(prefix))
    }

    /// The resources in the resource groups under `scope` (a subscription's or a group's key
    /// prefix, ending in `/`) whose keys continue their group's prefix with `within` (lower
    /// case, e.g. `providers/microsoft.machinelearningservices/workspaces/`), in key order,
    /// after the key `after` if given. The scan seeks from group to group past everything
    /// else, so it costs what it yields (and a seek per group), not what the groups hold.
    pub fn resources_in_groups<'a>(&'a self, scope: &'a str, within: &'a str, after: Option<&str>) -> GroupScan<'a> {
        GroupScan { map: &self.resources, range: self.resources.range::<str, _>(from(scope, after)), scope, within }
    }

    /// Removes a resource group and everything inside it (soft-deleted resources included),
    /// then the groups managed by what was removed (a CMK workspace's `<rg>_<GUID>` group).
    pub fn remove_group(&mut self, sub: &str, rg: &str) {
        let prefix = crate::arm::resource_id::group_prefix(sub, rg);
        let keys: Vec<String> = self.resources_under(&prefix).map(|r| r.id.to_lowercase()).collect();
        for k in &keys {
            self.resources.remove(k);
        }
        self.groups.remove(&Self::group_key(sub, rg));
        self.remove_managed_groups(&keys);
    }

    /// Removes a resource and its children (ids below it), then the groups it managed.
    pub fn remove_resource_tree(&mut self, key: &str) {
        let prefix = format!("{key}/");
        let mut keys: Vec<String> = self.resources_under(&prefix).map(|r| r.id.to_lowercase()).collect();
        keys.push(key.to_string());
        for k in &keys {
            self.resources.remove(k);
        }
        self.remove_managed_groups(&keys);
    }

    /// ARM deletes a managed resource group with the resource that manages it.
    fn remove_managed_groups(&mut self, removed: &[String]) {
        let managed: Vec<(String, String)> = self
            .groups
            .values()
            .filter(|g| g.managed_by.as_ref().is_some_and(|m| removed.iter().any(|k| *k == m.to_lowercase())))
            .map(|g| (g.subscription_id.clone(), g.name.clone()))
            .collect();
        for (sub, rg) in managed {
            self.remove_group(&sub, &rg);
        }
    }

    pub fn export(&self, clock: DateTime<Utc>) -> StateDocument {
        StateDocument {
            format: "armemu-state".into(),
            version: STATE_FORMAT_VERSION,
            clock: Some(clock),
            tenants: self.tenants.values().cloned().collect(),
            subscriptions: self.subscriptions.values().cloned().collect(),
            resource_groups: self.groups.values().cloned().collect(),
            resources: self.resources.values().map(|r| (**r).clone()).collect(),
            provider_registrations: self.registrations.values().cloned().collect(),
        }
    }

    pub fn from_document(doc: StateDocument) -> Result<State, String> {
        if doc.version != STATE_FORMAT_VERSION {
            return Err(format!(
                "state format version {} is not supported (this emulator reads version {STATE_FORMAT_VERSION})",
                doc.version
            ));
        }
        let mut s = State::default();
        for t in doc.tenants {
            s.tenants.insert(t.tenant_id.to_lowercase(), t);
        }
        for sub in doc.subscriptions {
            if !s.tenants.contains_key(&sub.tenant_id.to_lowercase()) {
                return Err(format!("subscription '{}' names unknown tenant '{}'", sub.subscription_id, sub.tenant_id));
            }
            s.subscriptions.insert(sub.subscription_id.to_lowercase(), sub);
        }
        for g in doc.resource_groups {
            if s.subscription(&g.subscription_id).is_none() {
                return Err(format!("resource group '{}' names unknown subscription '{}'", g.name, g.subscription_id));
            }
            s.groups.insert(Self::group_key(&g.subscription_id, &g.name), g);
        }
        let mut resources = Vec::with_capacity(doc.resources.len());
        for r in doc.resources {
            // Subscription-scope extension resources (role assignments) have no group.
            if !r.resource_group.is_empty() && s.group(&r.subscription_id, &r.resource_group).is_none() {
                return Err(format!("resource '{}' is in unknown resource group '{}'", r.id, r.resource_group));
            }
            resources.push((r.id.to_lowercase(), Arc::new(r)));
        }
        // Built at once from the sorted entries, the map's nodes are full (inserting one by one
        // in key order leaves them half empty); a repeated id keeps its last record either way.
        s.resources = resources.into_iter().collect();
        for reg in doc.provider_registrations {
            s.registrations.insert(Self::registration_key(&reg.subscription_id, &reg.namespace), reg);
        }
        Ok(s)
    }
}

/// The key range of a scan of `prefix` that continues after the key `after` (a continuation
/// token's position) when it is inside or past the prefix.
fn from<'a>(prefix: &'a str, after: Option<&'a str>) -> (Bound<&'a str>, Bound<&'a str>) {
    match after {
        Some(a) if a > prefix => (Bound::Excluded(a), Bound::Unbounded),
        _ => (Bound::Included(prefix), Bound::Unbounded),
    }
}

/// The iterator of [`State::resources_in_groups`]: `(key, resource)` pairs.
pub struct GroupScan<'a> {
    map: &'a BTreeMap<String, Arc<Resource>>,
    range: btree_map::Range<'a, String, Arc<Resource>>,
    scope: &'a str,
    within: &'a str,
}

impl<'a> Iterator for GroupScan<'a> {
    type Item = (&'a String, &'a Arc<Resource>);

    fn next(&mut self) -> Option<Self::Item> {
        const SUBSCRIPTIONS: &str = "/subscriptions/";
        const GROUPS: &str = "resourcegroups/";
        loop {
            let (k, r) = self.range.next()?;
            if !k.starts_with(self.scope) {
                return None;
            }
            // `/subscriptions/{s}/resourcegroups/{rg}/{tail}`: where each part ends.
            let Some(sub_end) =
                k.strip_prefix(SUBSCRIPTIONS).and_then(|t| t.find('/')).map(|i| SUBSCRIPTIONS.len() + i + 1)
            else {
                continue;
            };
            // Every key that continues a prefix `p/` sorts before `p0` (`'0'` follows `'/'`).
            let seek = if !k[sub_end..].starts_with(GROUPS) {
                if &k[sub_end..] < GROUPS {
                    format!("{}{GROUPS}", &k[..sub_end])
                } else {
                    format!("{}0", &k[..sub_end - 1])
                }
            } else {
                let groups_end = sub_end + GROUPS.len();
                let Some(rg_end) = k[groups_end..].find('/').map(|i| groups_end + i + 1) else { continue };
                let tail = &k[rg_end..];
                if tail.starts_with(self.within) {
                    return Some((k, r));
                }
                if tail < self.within {
                    format!("{}{}", &k[..rg_end], self.within)
                } else {
                    format!("{}0", &k[..rg_end - 1])
                }
            };
            self.range = self.map.range::<str, _>((Bound::Included(seek.as_str()), Bound::Unbounded));
        }
    }
}

/// The versioned export/import format (`GET/PUT /_emulator/state`, `armemu --load`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateDocument {
    #[serde(default = "format_name")]
    pub format: String,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    #[serde(default)]
    pub resource_groups: Vec<ResourceGroup>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub provider_registrations: Vec<Registration>,
}

fn format_name() -> String {
    "armemu-state".into()
}

impl StateDocument {
    /// Reads a state document (`--load`, `PUT /_emulator/state`). The strings many resources
    /// repeat (type, subscription, group) are made once and shared, as they are read: sharing
    /// them afterwards would leave the freed copies as holes among the bodies.
    pub fn parse(text: &[u8]) -> serde_json::Result<StateDocument> {
        SHARED.with(|s| *s.borrow_mut() = Some(HashSet::new()));
        let doc = serde_json::from_slice(text);
        SHARED.with(|s| *s.borrow_mut() = None);
        doc
    }
}

thread_local! {
    /// The strings read so far by [`StateDocument::parse`] on this thread (`None` outside it).
    static SHARED: RefCell<Option<HashSet<Arc<str>>>> = const { RefCell::new(None) };
}

/// Deserializes a string many resources repeat: shared while a document is parsed.
fn shared_str<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct Shared;
    impl Visitor<'_> for Shared {
        type Value = Arc<str>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Arc<str>, E> {
            Ok(SHARED.with(|s| match s.borrow_mut().as_mut() {
                None => v.into(),
                Some(set) => match set.get(v) {
                    Some(x) => x.clone(),
                    None => {
                        let x: Arc<str> = v.into();
                        set.insert(x.clone());
                        x
                    }
                },
            }))
        }
    }
    d.deserialize_str(Shared)
}

/// The shared handle: the state, in-flight operations and the last request ids.
///
/// The state is copy-on-write: [`Store::replace`] can install a state that is also kept
/// elsewhere (the start state `POST /_emulator/reset` returns to) without copying it, and the
/// first write after that copies the maps (the resources themselves are shared `Arc`s).
#[derive(Clone, Default)]
pub struct Store {
    state: Arc<RwLock<Arc<State>>>,
    operations: Arc<DashMap<String, Operation>>,
}

impl Store {
    pub fn new(state: impl Into<Arc<State>>) -> Self {
        Store { state: Arc::new(RwLock::new(state.into())), operations: Arc::new(DashMap::new()) }
    }

    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.read())
    }

    pub fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(Arc::make_mut(&mut self.state.write()))
    }

    pub fn replace(&self, state: impl Into<Arc<State>>) {
        *self.state.write() = state.into();
        self.operations.clear();
    }

    pub fn snapshot(&self) -> State {
        State::clone(&self.state.read())
    }

    pub fn insert_operation(&self, op: Operation) {
        self.operations.insert(op.id.clone(), op);
    }

    /// Runs `f` on an operation while holding its map entry. `f` may lock the state
    /// (operation entry, then state: the one lock order). Nothing may touch `operations`
    /// from inside a [`Store::write`] closure.
    pub fn with_operation<R>(&self, id: &str, f: impl FnOnce(&mut Operation) -> R) -> Option<R> {
        let mut op = self.operations.get_mut(id)?;
        Some(f(&mut op))
    }

    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(id: &str) -> Arc<Resource> {
        let t = chrono::DateTime::<Utc>::UNIX_EPOCH;
        Arc::new(Resource {
            id: id.into(),
            resource_type: "".into(),
            name: String::new(),
            subscription_id: "".into(),
            resource_group: "".into(),
            body: serde_json::json!({}).into(),
            created_time: t,
            changed_time: t,
            soft_deleted: None,
            secrets: None,
        })
    }

    /// The group scan yields exactly what a filter over the whole key range would, in the same
    /// order, from any starting key: group names with characters that sort before `/`, other
    /// providers before and after, children, subscription-level and other subscriptions' keys.
    #[test]
    fn group_scan_matches_a_full_filter() {
        const WITHIN: &str = "providers/microsoft.machinelearningservices/workspaces/";
        let mut s = State::default();
        for sub in ["/subscriptions/s1/", "/subscriptions/s2/", "/subscriptions/s-/"] {
            s.resources.insert(format!("{sub}providers/microsoft.authorization/roleassignments/x"), resource("x"));
            s.resources.insert(format!("{sub}tagnames/x"), resource("x"));
            for rg in ["rg", "rg-a", "rg.b", "rg0", "a", "rg(1)", "z_z"] {
                let g = format!("{sub}resourcegroups/{rg}/");
                for tail in [
                    "providers/microsoft.insights/components/i",
                    "providers/microsoft.keyvault/vaults/k",
                    "providers/microsoft.machinelearningservices/registries/r",
                    "providers/microsoft.machinelearningservices/workspaces/w1",
                    "providers/microsoft.machinelearningservices/workspaces/w1/privateendpointconnections/c",
                    "providers/microsoft.machinelearningservices/workspaces/w-2",
                    "providers/microsoft.machinelearningservices/workspacesx/w",
                    "providers/microsoft.storage/storageaccounts/st",
                    "providers/microsoft.machinelearningservices/workspaces/w1/providers/microsoft.authorization/roleassignments/a",
                ] {
                    if rg == "a" && tail.contains("/workspaces/") {
                        continue;
                    }
                    s.resources.insert(format!("{g}{tail}"), resource("x"));
                }
            }
        }
        let keys: Vec<String> = s.resources.keys().cloned().collect();
        for scope in ["/subscriptions/s1/", "/subscriptions/s-/", "/subscriptions/s1/resourcegroups/rg/"] {
            let mut afters: Vec<Option<&str>> =
                vec![None, Some(""), Some("/subscriptions/s1/resourcegroups/rg-"), Some("~")];
            afters.extend(keys.iter().map(|k| Some(k.as_str())));
            for after in afters {
                let want: Vec<&String> = keys
                    .iter()
                    .filter(|k| k.starts_with(scope) && after.is_none_or(|a| k.as_str() > a))
                    .filter(|k| {
                        let rest = &k[k.find("/resourcegroups/").map(|i| i + 16).unwrap_or(k.len())..];
                        k.contains("/resourcegroups/")
                            && rest.split_once('/').is_some_and(|(_, t)| t.starts_with(WITHIN))
                    })
                    .collect();
                assert!(after.is_some() || want.len() >= 4, "{scope}: {want:?}");
                let got: Vec<&String> = s.resources_in_groups(scope, WITHIN, after).map(|(k, _)| k).collect();
                assert_eq!(got, want, "scope {scope}, after {after:?}");
            }
        }
    }
}
