//! [`State`]: the whole observable state, with private maps, read accessors, and the one place
//! changes are checked and applied ([`State::apply_batch`]).
//!
//! Maps are `BTreeMap`s keyed by lower-cased ids, so listings come out sorted and a group's
//! contents are one range scan. Secondary indexes (groups by the resource that manages them,
//! deadlines by instant) are derived from the maps, kept in step by the few primitive setters
//! every change goes through, and rebuilt when a state is read from a document. An undo log
//! makes a batch atomic: a change that breaks an invariant rolls the whole batch back.

use std::collections::{btree_map, BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::change::Change;
use super::operations::{Failure, Operation, RETAINED, RETENTION_SECONDS};
use super::records::{registration_key, Registration, Resource, ResourceGroup, SoftDeleted};
use super::rejection::Rejection;
use crate::model::ids::{self, subscription_prefix, Parent, ResourceId};
use crate::model::time::add;
use crate::model::{DirectoryObject, LroMode, OperationStatus, Subscription, Tenant};

/// The whole observable state; also what the export document holds.
#[derive(Debug, Clone, Default)]
pub struct State {
    tenants: BTreeMap<String, Tenant>,
    /// Applications and service principals, keyed by the lower-cased object id.
    directory: BTreeMap<String, DirectoryObject>,
    subscriptions: BTreeMap<String, Subscription>,
    /// Keyed by the lower-cased group id.
    groups: BTreeMap<String, ResourceGroup>,
    /// Keyed by the lower-cased resource id.
    resources: BTreeMap<String, Arc<Resource>>,
    /// Keyed by lower-cased `subscription/namespace`.
    registrations: BTreeMap<String, Registration>,
    /// Keyed by the lower-cased operation id.
    operations: BTreeMap<String, Operation>,
    index: Index,
}

/// Derived from the maps; never exported.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Groups managed by a resource (a CMK workspace's `<rg>_<GUID>`): lower-cased manager id
    /// → group keys. Deleting a resource finds its groups here instead of scanning every group.
    managed: BTreeMap<String, BTreeSet<String>>,
    /// Soft-deleted resources by the instant their retention ends.
    purges: BTreeSet<(DateTime<Utc>, String)>,
    /// Operations in progress by deadline (`seconds:T` modes).
    deadlines: BTreeSet<(DateTime<Utc>, String)>,
    /// Registration transitions by the instant they settle.
    settles: BTreeSet<(DateTime<Utc>, String)>,
    /// Finished operations by the instant they ended.
    finished: BTreeSet<(DateTime<Utc>, String)>,
    /// Role assignments by the principal they grant to: lower-cased principal object id →
    /// assignment keys. Authorizing a request reads the caller's few assignments here instead
    /// of scanning every assignment.
    grants: BTreeMap<String, BTreeSet<String>>,
}

/// The type whose records the `grants` index follows.
const ROLE_ASSIGNMENT_TYPE: &str = "Microsoft.Authorization/roleAssignments";

/// The lower-cased principal a role-assignment record grants to (`None` for other records).
fn grantee(r: &Resource) -> Option<String> {
    if !r.resource_type.eq_ignore_ascii_case(ROLE_ASSIGNMENT_TYPE) {
        return None;
    }
    r.body.string("/properties/principalId").map(|p| p.to_lowercase())
}

impl PartialEq for State {
    /// The index is derived, so states are equal when their records are.
    fn eq(&self, other: &State) -> bool {
        self.tenants == other.tenants
            && self.directory == other.directory
            && self.subscriptions == other.subscriptions
            && self.groups == other.groups
            && self.resources == other.resources
            && self.registrations == other.registrations
            && self.operations == other.operations
    }
}

pub use crate::model::ids::group_key;

/// A reversible step of a batch.
enum Undo {
    Tenant(String, Option<Tenant>),
    Directory(String, Option<DirectoryObject>),
    Subscription(String, Option<Subscription>),
    Group(String, Option<ResourceGroup>),
    Resource(String, Option<Arc<Resource>>),
    Registration(String, Option<Registration>),
    Operation(String, Option<Box<Operation>>),
}

// ------------------------------------------------------------------------------------------
// Reads
// ------------------------------------------------------------------------------------------

impl State {
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.get(&id.to_lowercase())
    }

    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.values()
    }

    /// An application or service principal by object id.
    pub fn directory_object(&self, id: &str) -> Option<&DirectoryObject> {
        self.directory.get(&id.to_lowercase())
    }

    /// Every application and service principal, by object id (a directory holds few).
    pub fn directory_objects(&self) -> impl Iterator<Item = &DirectoryObject> {
        self.directory.values()
    }

    pub fn subscription(&self, sub: &str) -> Option<&Subscription> {
        // Clients send subscription ids lower-cased: look those up as they are.
        if sub.bytes().any(|b| b.is_ascii_uppercase()) || !sub.is_ascii() {
            self.subscriptions.get(&sub.to_lowercase())
        } else {
            self.subscriptions.get(sub)
        }
    }

    /// Subscriptions with their keys, in key order.
    pub fn subscriptions(&self) -> impl Iterator<Item = (&String, &Subscription)> {
        self.subscriptions.iter()
    }

    pub fn group(&self, sub: &str, rg: &str) -> Option<&ResourceGroup> {
        self.groups.get(&group_key(sub, rg))
    }

    /// The groups of a subscription with their keys, in key order, after the key `after`.
    pub fn groups_in<'a>(
        &'a self,
        sub: &str,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a String, &'a ResourceGroup)> + 'a {
        let prefix = ids::key(&format!("/subscriptions/{sub}/resourcegroups/"));
        let range = self.groups.range::<str, _>(from(&prefix, after));
        range.take_while(move |(k, _)| k.starts_with(&prefix))
    }

    /// A resource by key (lower-cased id), live or soft-deleted.
    pub fn resource(&self, key: &str) -> Option<&Arc<Resource>> {
        self.resources.get(key)
    }

    /// The role assignments granted to `principal` (an object id, any case), from the index.
    pub fn assignments_of<'a>(&'a self, principal: &str) -> impl Iterator<Item = &'a Arc<Resource>> + 'a {
        let keys = self.index.grants.get(&principal.to_lowercase());
        keys.into_iter().flatten().filter_map(|k| self.resources.get(k))
    }

    /// A live resource by key.
    pub fn live(&self, key: &str) -> Option<&Arc<Resource>> {
        self.resources.get(key).filter(|r| r.is_live())
    }

    /// Every resource (live or soft-deleted) whose key starts with `prefix` (lower-cased).
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

    pub fn registration(&self, sub: &str, ns: &str) -> Option<&Registration> {
        self.registrations.get(&registration_key(sub, ns))
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.get(&id.to_lowercase())
    }

    /// Operations in progress, and finished ones still kept.
    pub fn operation_counts(&self) -> (usize, usize) {
        let finished = self.index.finished.len();
        (self.operations.len() - finished, finished)
    }

    /// How many subscriptions, groups and resources the state holds.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.subscriptions.len(), self.groups.len(), self.resources.len())
    }

    pub(super) fn tenants_map(&self) -> &BTreeMap<String, Tenant> {
        &self.tenants
    }

    pub(super) fn directory_map(&self) -> &BTreeMap<String, DirectoryObject> {
        &self.directory
    }

    pub(super) fn subscriptions_map(&self) -> &BTreeMap<String, Subscription> {
        &self.subscriptions
    }

    pub(super) fn groups_map(&self) -> &BTreeMap<String, ResourceGroup> {
        &self.groups
    }

    pub(super) fn resources_map(&self) -> &BTreeMap<String, Arc<Resource>> {
        &self.resources
    }

    pub(super) fn registrations_map(&self) -> &BTreeMap<String, Registration> {
        &self.registrations
    }

    pub(super) fn operations_map(&self) -> &BTreeMap<String, Operation> {
        &self.operations
    }

    /// The earliest instant at which the clock makes something due: an operation deadline, a
    /// purge, a registration settling, or a finished operation to forget.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        if self.index.finished.len() > RETAINED {
            return Some(DateTime::<Utc>::MIN_UTC);
        }
        [
            self.index.deadlines.first().map(|(t, _)| *t),
            self.index.purges.first().map(|(t, _)| *t),
            self.index.settles.first().map(|(t, _)| *t),
            self.index.finished.first().map(|(t, _)| add(*t, Duration::seconds(RETENTION_SECONDS))),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The changes the clock makes due at `now`: operations past their deadline, purges,
    /// registration transitions, and finished operations to forget (too old, or too many).
    pub fn due(&self, now: DateTime<Utc>) -> Vec<Change> {
        let mut out = Vec::new();
        for (_, k) in self.index.deadlines.iter().take_while(|(t, _)| *t <= now) {
            out.push(Change::SettleOperation { id: self.operations[k].id.clone() });
        }
        for (_, k) in self.index.purges.iter().take_while(|(t, _)| *t <= now) {
            out.push(Change::Purge { id: self.resources[k].id.clone() });
        }
        for (_, k) in self.index.settles.iter().take_while(|(t, _)| *t <= now) {
            let r = &self.registrations[k];
            out.push(Change::SettleRegistration {
                subscription: r.subscription_id.clone(),
                namespace: r.namespace.clone(),
            });
        }
        let over = self.index.finished.len().saturating_sub(RETAINED);
        for (i, (ended, k)) in self.index.finished.iter().enumerate() {
            if i >= over && add(*ended, Duration::seconds(RETENTION_SECONDS)) > now {
                break;
            }
            out.push(Change::ForgetOperation { id: self.operations[k].id.clone() });
        }
        out
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

// ------------------------------------------------------------------------------------------
// Invariants
// ------------------------------------------------------------------------------------------

fn invalid(item: &str, reason: impl Into<String>) -> Rejection {
    Rejection::InvalidRecord { item: item.to_string(), reason: reason.into() }
}

impl State {
    /// The checks a group must pass to be stored.
    pub fn check_group(&self, g: &ResourceGroup) -> Result<(), Rejection> {
        let item = ids::group_id(&g.subscription_id, &g.name);
        if self.subscription(&g.subscription_id).is_none() {
            return Err(Rejection::SubscriptionNotFound { subscription: g.subscription_id.clone() });
        }
        if g.name.is_empty() || g.name.contains('/') || g.name.chars().any(char::is_control) {
            return Err(invalid(&item, "the group name is not a valid resource group name"));
        }
        if let Some(existing) = self.groups.get(&group_key(&g.subscription_id, &g.name)) {
            if existing.name != g.name {
                return Err(invalid(&item, format!("the group is named '{}'", existing.name)));
            }
        }
        Ok(())
    }

    /// The checks a resource must pass to be stored: its id is a canonical resource id whose
    /// names are valid, its name, type and group fields agree with the id, its group exists
    /// and is not being deleted (its subscription for subscription-scope resources), its
    /// parent or scope resource exists and is live, and its body is a JSON object whose id,
    /// name and type agree. `body_checked` skips the body (the caller checked it).
    pub fn check_resource(&self, r: &Resource, body_checked: bool) -> Result<(), Rejection> {
        let item = r.id.as_str();
        let id = ResourceId::parse(&r.id).ok_or_else(|| invalid(item, "the id is not a resource id"))?;
        if id.to_id() != r.id {
            return Err(invalid(item, format!("the id is not in canonical form ('{}')", id.to_id())));
        }
        if !id.names().all(ids::valid_resource_name) {
            return Err(invalid(item, "a name in the id is not a valid resource name"));
        }
        if r.name != id.name() {
            return Err(invalid(item, format!("the name '{}' does not match the id", r.name)));
        }
        if !r.resource_type.eq_ignore_ascii_case(&id.full_type()) {
            return Err(invalid(item, format!("the type '{}' does not match the id", r.resource_type)));
        }
        if !r.subscription_id.eq_ignore_ascii_case(id.subscription()) {
            return Err(invalid(item, format!("the subscription '{}' does not match the id", r.subscription_id)));
        }
        if self.subscription(id.subscription()).is_none() {
            return Err(Rejection::SubscriptionNotFound { subscription: id.subscription().to_string() });
        }
        match id.resource_group() {
            Some(rg) => {
                let g = self
                    .group(id.subscription(), rg)
                    .ok_or_else(|| Rejection::GroupNotFound { group: rg.to_string() })?;
                if g.is_deleting() {
                    return Err(Rejection::GroupBeingDeleted { group: g.name.clone() });
                }
                if *r.resource_group != *g.name || rg != g.name {
                    return Err(invalid(item, format!("the resource group is named '{}'", g.name)));
                }
            }
            None if !r.resource_group.is_empty() => {
                return Err(invalid(item, "a subscription-scope resource has no resource group"));
            }
            None => {}
        }
        if let Parent::Resource(p) = id.parent() {
            if self.live(&p.key()).is_none() {
                return Err(Rejection::ResourceNotFound {
                    full_type: p.full_type(),
                    name: p.name().to_string(),
                    group: p.resource_group().unwrap_or_default().to_string(),
                });
            }
        }
        if let Some(existing) = self.resources.get(&r.key()) {
            if existing.id != r.id {
                return Err(invalid(item, format!("the resource exists as '{}'", existing.id)));
            }
        }
        if !body_checked {
            let head = r.body.head().map_err(|e| invalid(item, e))?;
            if head.id.as_deref() != Some(r.id.as_str()) {
                return Err(invalid(item, "the body's id does not match"));
            }
            if head.name.as_deref() != Some(r.name.as_str()) {
                return Err(invalid(item, "the body's name does not match"));
            }
            if !head.resource_type.is_some_and(|t| t.eq_ignore_ascii_case(&r.resource_type)) {
                return Err(invalid(item, "the body's type does not match"));
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Applying changes
// ------------------------------------------------------------------------------------------

impl State {
    /// Applies a batch atomically at `at`: every change, or (when one is rejected) none.
    pub fn apply_batch(&mut self, changes: &[Change], at: DateTime<Utc>) -> Result<(), Rejection> {
        let mut tx = Tx { state: self, undo: Vec::new(), at };
        for c in changes {
            if let Err(e) = tx.apply(c) {
                tx.rollback_to(0);
                return Err(e);
            }
        }
        Ok(())
    }

    // The primitive setters: every mutation goes through one of these, and they keep the
    // index in step. Each returns the previous value (for the undo log).

    fn set_tenant(&mut self, key: &str, v: Option<Tenant>) -> Option<Tenant> {
        match v {
            Some(v) => self.tenants.insert(key.to_string(), v),
            None => self.tenants.remove(key),
        }
    }

    fn set_directory_object(&mut self, key: &str, v: Option<DirectoryObject>) -> Option<DirectoryObject> {
        match v {
            Some(v) => self.directory.insert(key.to_string(), v),
            None => self.directory.remove(key),
        }
    }

    fn set_subscription(&mut self, key: &str, v: Option<Subscription>) -> Option<Subscription> {
        match v {
            Some(v) => self.subscriptions.insert(key.to_string(), v),
            None => self.subscriptions.remove(key),
        }
    }

    fn set_group(&mut self, key: &str, v: Option<ResourceGroup>) -> Option<ResourceGroup> {
        if let Some(m) = v.as_ref().and_then(|g| g.managed_by.as_ref()) {
            self.index.managed.entry(m.to_lowercase()).or_default().insert(key.to_string());
        }
        let old = match v {
            Some(v) => self.groups.insert(key.to_string(), v),
            None => self.groups.remove(key),
        };
        if let Some(m) = old.as_ref().and_then(|g| g.managed_by.as_ref()) {
            let still =
                self.groups.get(key).and_then(|g| g.managed_by.as_ref()).is_some_and(|n| n.eq_ignore_ascii_case(m));
            if !still {
                let mk = m.to_lowercase();
                if let Some(set) = self.index.managed.get_mut(&mk) {
                    set.remove(key);
                    if set.is_empty() {
                        self.index.managed.remove(&mk);
                    }
                }
            }
        }
        old
    }

    fn set_resource(&mut self, key: &str, v: Option<Arc<Resource>>) -> Option<Arc<Resource>> {
        if let Some(d) = v.as_ref().and_then(|r| r.soft_deleted) {
            self.index.purges.insert((d.purge_at, key.to_string()));
        }
        if let Some(p) = v.as_deref().and_then(grantee) {
            self.index.grants.entry(p).or_default().insert(key.to_string());
        }
        let old = match v {
            Some(v) => self.resources.insert(key.to_string(), v),
            None => self.resources.remove(key),
        };
        if let Some(p) = old.as_deref().and_then(grantee) {
            let still = self.resources.get(key).and_then(|r| grantee(r)).is_some_and(|n| n == p);
            if !still {
                if let Some(set) = self.index.grants.get_mut(&p) {
                    set.remove(key);
                    if set.is_empty() {
                        self.index.grants.remove(&p);
                    }
                }
            }
        }
        if let Some(d) = old.as_ref().and_then(|r| r.soft_deleted) {
            let still = self.resources.get(key).and_then(|r| r.soft_deleted).is_some_and(|n| n.purge_at == d.purge_at);
            if !still {
                self.index.purges.remove(&(d.purge_at, key.to_string()));
            }
        }
        old
    }

    fn set_registration(&mut self, key: &str, v: Option<Registration>) -> Option<Registration> {
        if let Some(t) = v.as_ref().and_then(|r| r.settles_at) {
            self.index.settles.insert((t, key.to_string()));
        }
        let old = match v {
            Some(v) => self.registrations.insert(key.to_string(), v),
            None => self.registrations.remove(key),
        };
        if let Some(t) = old.as_ref().and_then(|r| r.settles_at) {
            if self.registrations.get(key).and_then(|r| r.settles_at) != Some(t) {
                self.index.settles.remove(&(t, key.to_string()));
            }
        }
        old
    }

    fn set_operation(&mut self, key: &str, v: Option<Operation>) -> Option<Operation> {
        let old = match v {
            Some(v) => self.operations.insert(key.to_string(), v),
            None => self.operations.remove(key),
        };
        if let Some(o) = &old {
            Self::unindex_operation(&mut self.index, key, o);
        }
        if let Some(o) = self.operations.get(key) {
            Self::index_operation(&mut self.index, key, o);
        }
        old
    }

    fn index_operation(index: &mut Index, key: &str, o: &Operation) {
        match (o.status, o.next_event(), o.ended) {
            (OperationStatus::InProgress, Some(d), _) => {
                index.deadlines.insert((d, key.to_string()));
            }
            (s, _, Some(e)) if s.is_terminal() => {
                index.finished.insert((e, key.to_string()));
            }
            _ => {}
        }
    }

    fn unindex_operation(index: &mut Index, key: &str, o: &Operation) {
        for d in [o.deadline, o.next_step_at()].into_iter().flatten() {
            index.deadlines.remove(&(d, key.to_string()));
        }
        if let Some(e) = o.ended {
            index.finished.remove(&(e, key.to_string()));
        }
    }

    /// Builds a state from records that were checked already (a document being read), then
    /// derives the index. `resources` must be sorted by key.
    pub(super) fn assemble(
        tenants: BTreeMap<String, Tenant>,
        directory: BTreeMap<String, DirectoryObject>,
        subscriptions: BTreeMap<String, Subscription>,
        groups: BTreeMap<String, ResourceGroup>,
        resources: Vec<(String, Arc<Resource>)>,
        registrations: BTreeMap<String, Registration>,
        operations: BTreeMap<String, Operation>,
    ) -> State {
        // Built at once from the sorted entries, the map's nodes are full (inserting one by one
        // in key order leaves them half empty); a repeated id keeps its last record.
        let resources: BTreeMap<String, Arc<Resource>> = resources.into_iter().collect();
        let mut s = State {
            tenants,
            directory,
            subscriptions,
            groups,
            resources,
            registrations,
            operations,
            index: Index::default(),
        };
        s.reindex();
        s
    }

    fn reindex(&mut self) {
        let mut index = Index::default();
        for (k, g) in &self.groups {
            if let Some(m) = &g.managed_by {
                index.managed.entry(m.to_lowercase()).or_default().insert(k.clone());
            }
        }
        for (k, r) in &self.resources {
            if let Some(d) = r.soft_deleted {
                index.purges.insert((d.purge_at, k.clone()));
            }
            if let Some(p) = grantee(r) {
                index.grants.entry(p).or_default().insert(k.clone());
            }
        }
        for (k, r) in &self.registrations {
            if let Some(t) = r.settles_at {
                index.settles.insert((t, k.clone()));
            }
        }
        for (k, o) in &self.operations {
            Self::index_operation(&mut index, k, o);
        }
        self.index = index;
    }
}

/// A batch being applied: the state, the undo log, and the batch's time.
struct Tx<'a> {
    state: &'a mut State,
    undo: Vec<Undo>,
    at: DateTime<Utc>,
}

impl Tx<'_> {
    fn rollback_to(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let s = &mut *self.state;
            match self.undo.pop() {
                Some(Undo::Tenant(k, v)) => {
                    s.set_tenant(&k, v);
                }
                Some(Undo::Directory(k, v)) => {
                    s.set_directory_object(&k, v);
                }
                Some(Undo::Subscription(k, v)) => {
                    s.set_subscription(&k, v);
                }
                Some(Undo::Group(k, v)) => {
                    s.set_group(&k, v);
                }
                Some(Undo::Resource(k, v)) => {
                    s.set_resource(&k, v);
                }
                Some(Undo::Registration(k, v)) => {
                    s.set_registration(&k, v);
                }
                Some(Undo::Operation(k, v)) => {
                    s.set_operation(&k, v.map(|o| *o));
                }
                None => {}
            }
        }
    }

    fn tenant(&mut self, key: &str, v: Option<Tenant>) {
        let old = self.state.set_tenant(key, v);
        self.undo.push(Undo::Tenant(key.to_string(), old));
    }

    fn directory_object(&mut self, key: &str, v: Option<DirectoryObject>) {
        let old = self.state.set_directory_object(key, v);
        self.undo.push(Undo::Directory(key.to_string(), old));
    }

    fn subscription(&mut self, key: &str, v: Option<Subscription>) {
        let old = self.state.set_subscription(key, v);
        self.undo.push(Undo::Subscription(key.to_string(), old));
    }

    fn group(&mut self, key: &str, v: Option<ResourceGroup>) {
        let old = self.state.set_group(key, v);
        self.undo.push(Undo::Group(key.to_string(), old));
    }

    fn resource(&mut self, key: &str, v: Option<Arc<Resource>>) {
        let old = self.state.set_resource(key, v);
        self.undo.push(Undo::Resource(key.to_string(), old));
    }

    fn registration(&mut self, key: &str, v: Option<Registration>) {
        let old = self.state.set_registration(key, v);
        self.undo.push(Undo::Registration(key.to_string(), old));
    }

    fn operation(&mut self, key: &str, v: Option<Operation>) {
        let old = self.state.set_operation(key, v);
        self.undo.push(Undo::Operation(key.to_string(), old.map(Box::new)));
    }

    /// Applies `changes` as a nested atomic unit: on a rejection only they are undone.
    fn apply_nested(&mut self, changes: &[Change]) -> Result<(), Rejection> {
        let mark = self.undo.len();
        for c in changes {
            if let Err(e) = self.apply(c) {
                self.rollback_to(mark);
                return Err(e);
            }
        }
        Ok(())
    }

    fn apply(&mut self, change: &Change) -> Result<(), Rejection> {
        match change {
            Change::PutTenant { tenant } => {
                self.tenant(&tenant.tenant_id.to_lowercase(), Some(tenant.clone()));
            }
            Change::PutDirectoryObject { object } => {
                if self.state.tenant(&object.tenant_id).is_none() {
                    return Err(Rejection::TenantNotFound { tenant: object.tenant_id.clone() });
                }
                self.directory_object(&object.id.to_lowercase(), Some(object.clone()));
            }
            Change::PutSubscription { subscription } => {
                if self.state.tenant(&subscription.tenant_id).is_none() {
                    return Err(Rejection::TenantNotFound { tenant: subscription.tenant_id.clone() });
                }
                self.subscription(&subscription.subscription_id.to_lowercase(), Some(subscription.clone()));
            }
            Change::ClearSubscription { subscription } => self.clear_subscription(subscription),
            Change::RemoveSubscription { subscription } => {
                self.clear_subscription(subscription);
                self.subscription(&subscription.to_lowercase(), None);
            }
            Change::PutGroup { group } => {
                self.state.check_group(group)?;
                let key = group_key(&group.subscription_id, &group.name);
                if self.state.groups.get(&key).is_some_and(ResourceGroup::is_deleting) {
                    return Err(Rejection::GroupBeingDeleted { group: group.name.clone() });
                }
                self.group(&key, Some(group.clone()));
            }
            Change::SetGroupState { subscription, group, state } => {
                let key = group_key(subscription, group);
                let mut g = self
                    .state
                    .groups
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| Rejection::GroupNotFound { group: group.clone() })?;
                g.provisioning_state = *state;
                self.group(&key, Some(g));
            }
            Change::RemoveGroup { subscription, group } => self.remove_group(&group_key(subscription, group)),
            Change::PutResource { resource } => {
                self.state.check_resource(resource, false)?;
                self.resource(&resource.key(), Some(resource.clone()));
            }
            Change::SetProvisioningState { id, state } => {
                let key = id.to_lowercase();
                let cur = self.state.resources.get(&key).ok_or_else(|| not_found(id))?;
                let mut r = (**cur).clone();
                r.body.edit(|v| {
                    if let Some(obj) = v.as_object_mut() {
                        let props = obj.entry("properties").or_insert_with(|| json!({}));
                        if let Some(p) = props.as_object_mut() {
                            p.insert("provisioningState".into(), json!(state.as_str()));
                        }
                    }
                });
                self.resource(&key, Some(Arc::new(r)));
            }
            Change::RemoveResource { id } => self.remove_tree(&id.to_lowercase()),
            Change::SoftDelete { id, retention_days } => {
                let key = id.to_lowercase();
                let cur = self.state.live(&key).ok_or_else(|| not_found(id))?;
                let mut r = (**cur).clone();
                let days = (*retention_days).clamp(0, 36_500);
                r.soft_deleted =
                    Some(SoftDeleted { deleted_at: self.at, purge_at: add(self.at, Duration::days(days)) });
                r.changed_time = self.at;
                self.resource(&key, Some(Arc::new(r)));
            }
            Change::MoveResources { ids, subscription, group } => self.move_resources(ids, subscription, group)?,
            Change::PutRegistration { registration } => {
                if self.state.subscription(&registration.subscription_id).is_none() {
                    return Err(Rejection::SubscriptionNotFound { subscription: registration.subscription_id.clone() });
                }
                self.registration(&registration.key(), Some(registration.clone()));
            }
            Change::CountRegistrationPoll { subscription, namespace } => {
                let key = registration_key(subscription, namespace);
                if let Some(r) = self.state.registrations.get(&key) {
                    if let Some(n) = r.polls_left {
                        let left = n.saturating_sub(1);
                        let next =
                            if left == 0 { r.settled() } else { Registration { polls_left: Some(left), ..r.clone() } };
                        self.registration(&key, Some(next));
                    }
                }
            }
            Change::SettleRegistration { subscription, namespace } => {
                let key = registration_key(subscription, namespace);
                if let Some(r) = self.state.registrations.get(&key) {
                    if r.settles_at.is_some_and(|t| t <= self.at) {
                        let next = r.settled();
                        self.registration(&key, Some(next));
                    }
                }
            }
            Change::PutOperation { operation } => {
                let key = operation.id.to_lowercase();
                // ARM's job tokens (group deletes) repeat for the same group: a finished
                // operation of that id gives way, one in progress does not.
                if self.state.operations.get(&key).is_some_and(|o| !o.status.is_terminal()) {
                    return Err(Rejection::OperationExists { id: operation.id.clone() });
                }
                self.operation(&key, Some((**operation).clone()));
            }
            Change::PollOperation { id } => {
                let key = id.to_lowercase();
                let mut op = self
                    .state
                    .operations
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| Rejection::OperationNotFound { id: id.clone() })?;
                op.polls = op.polls.saturating_add(1);
                let due = op.due_by_polls();
                let step = !due
                    && op.status == OperationStatus::InProgress
                    && matches!(op.mode, LroMode::Polls { .. })
                    && op.steps_done < op.steps.len();
                self.operation(&key, Some(op));
                let at = self.at;
                if due {
                    self.complete(&key, at);
                } else if step {
                    self.advance(&key, at);
                }
            }
            Change::SettleOperation { id } => {
                let key = id.to_lowercase();
                if let Some(op) = self.state.operations.get(&key) {
                    if op.due_at(self.at) {
                        let at = op.deadline.unwrap_or(self.at);
                        self.complete(&key, at);
                    } else {
                        while let Some(t) = self.state.operations.get(&key).and_then(Operation::next_step_at) {
                            if t > self.at {
                                break;
                            }
                            self.advance(&key, t);
                        }
                    }
                }
            }
            Change::ForgetOperation { id } => {
                let key = id.to_lowercase();
                if self.state.operations.contains_key(&key) {
                    self.operation(&key, None);
                }
            }
            Change::Purge { id } => {
                let key = id.to_lowercase();
                let due =
                    self.state.resources.get(&key).and_then(|r| r.soft_deleted).is_some_and(|d| d.purge_at <= self.at);
                if due {
                    self.remove_tree(&key);
                }
            }
        }
        Ok(())
    }

    /// Ends an operation at `at`: applies `on_success` (or, when the mode fails or that batch
    /// is rejected, `on_failure`) as a nested atomic unit, then records the outcome.
    fn complete(&mut self, key: &str, at: DateTime<Utc>) {
        let Some(mut op) = self.state.operations.get(key).cloned() else { return };
        let saved = std::mem::replace(&mut self.at, at);
        let on_success = std::mem::take(&mut op.on_success);
        let on_failure = std::mem::take(&mut op.on_failure);
        let steps = std::mem::take(&mut op.steps);
        let mut rejected = None;
        if !op.mode.fails() {
            for step in &steps[op.steps_done.min(steps.len())..] {
                if let Err(r) = self.apply_nested(step) {
                    rejected = Some(r);
                    break;
                }
            }
        }
        op.steps_done = 0;
        let failure = if let Some(rejection) = rejected {
            Some(Failure::Rejected { rejection })
        } else if op.mode.fails() || op.configured_failure.is_some() {
            Some(Failure::Configured {
                error: op.configured_failure.clone().unwrap_or_else(|| super::operations::ErrorBody {
                    code: "InternalOperationError".into(),
                    message: format!("The operation '{}' failed.", op.kind),
                    details: Vec::new(),
                }),
            })
        } else {
            self.apply_nested(&on_success).err().map(|rejection| Failure::Rejected { rejection })
        };
        if failure.is_some() {
            // Undoing what the operation did up front is best effort: a rejected undo (its
            // resource is gone) leaves nothing to undo.
            let _ = self.apply_nested(&on_failure);
        }
        op.status = if failure.is_some() { OperationStatus::Failed } else { OperationStatus::Succeeded };
        op.failure = failure;
        op.ended = Some(at);
        self.at = saved;
        self.operation(key, Some(op));
    }

    /// Applies an operation's next step at `at` (a nested atomic unit). A step that cannot be
    /// applied (its group was deleted meanwhile) ends the operation `Failed` with the store's
    /// rejection, applying `on_failure`.
    fn advance(&mut self, key: &str, at: DateTime<Utc>) {
        let Some(mut op) = self.state.operations.get(key).cloned() else { return };
        let Some(step) = op.steps.get(op.steps_done).cloned() else { return };
        let saved = std::mem::replace(&mut self.at, at);
        let result = self.apply_nested(&step);
        op.steps_done += 1;
        if let Err(rejection) = result {
            let on_failure = std::mem::take(&mut op.on_failure);
            let _ = self.apply_nested(&on_failure);
            op.steps.clear();
            op.steps_done = 0;
            op.on_success.clear();
            op.status = OperationStatus::Failed;
            op.failure = Some(Failure::Rejected { rejection });
            op.ended = Some(at);
        }
        self.at = saved;
        self.operation(key, Some(op));
    }

    /// Removes a resource, everything below it, and the groups managed by what was removed.
    fn remove_tree(&mut self, key: &str) {
        let prefix = format!("{key}/");
        let mut keys: Vec<String> = self.state.resources_under(&prefix).map(|r| r.key()).collect();
        if self.state.resources.contains_key(key) {
            keys.push(key.to_string());
        }
        for k in &keys {
            self.resource(k, None);
        }
        self.remove_managed_groups(&keys);
    }

    /// Removes a group and everything inside it, then the groups managed by what was removed.
    fn remove_group(&mut self, key: &str) {
        if !self.state.groups.contains_key(key) {
            return;
        }
        let prefix = format!("{key}/");
        let keys: Vec<String> = self.state.resources_under(&prefix).map(|r| r.key()).collect();
        for k in &keys {
            self.resource(k, None);
        }
        self.group(key, None);
        self.remove_managed_groups(&keys);
    }

    /// ARM deletes a managed resource group with the resource that manages it. The index
    /// makes this cost what was removed, not the number of groups.
    fn remove_managed_groups(&mut self, removed: &[String]) {
        let managed: Vec<String> =
            removed.iter().filter_map(|k| self.state.index.managed.get(k)).flat_map(|s| s.iter().cloned()).collect();
        for g in managed {
            self.remove_group(&g);
        }
    }

    fn clear_subscription(&mut self, sub: &str) {
        let prefix = subscription_prefix(sub);
        let reg_prefix = format!("{}/", sub.to_lowercase());
        let groups: Vec<String> = self
            .state
            .groups
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        let resources: Vec<String> = self.state.resources_under(&prefix).map(|r| r.key()).collect();
        let regs: Vec<String> = self
            .state
            .registrations
            .range(reg_prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&reg_prefix))
            .map(|(k, _)| k.clone())
            .collect();
        let ops: Vec<String> = self
            .state
            .operations
            .iter()
            .filter(|(_, o)| o.subscription.eq_ignore_ascii_case(sub))
            .map(|(k, _)| k.clone())
            .collect();
        for k in resources {
            self.resource(&k, None);
        }
        for k in groups {
            self.group(&k, None);
        }
        for k in regs {
            self.registration(&k, None);
        }
        for k in ops {
            self.operation(&k, None);
        }
    }

    fn move_resources(&mut self, ids: &[String], sub: &str, rg: &str) -> Result<(), Rejection> {
        let target = self.state.group(sub, rg).ok_or_else(|| Rejection::GroupNotFound { group: rg.to_string() })?;
        if target.is_deleting() {
            return Err(Rejection::GroupBeingDeleted { group: target.name.clone() });
        }
        let (target_sub, target_rg) = (target.subscription_id.clone(), target.name.clone());
        for id in ids {
            let key = id.to_lowercase();
            let prefix = format!("{key}/");
            let mut moving: Vec<Arc<Resource>> = Vec::new();
            if let Some(r) = self.state.resources.get(&key) {
                moving.push(r.clone());
            }
            moving.extend(self.state.resources_under(&prefix).cloned());
            if let Some(top) = moving.first() {
                let target = ResourceId::parse(&top.id).map(|i| i.relocated(&target_sub, &target_rg));
                if let Some(t) = target.filter(|t| self.state.resources.contains_key(&t.key())) {
                    return Err(Rejection::ResourceExists {
                        full_type: t.full_type(),
                        name: t.name().to_string(),
                        group: target_rg.clone(),
                    });
                }
            }
            // Parents first (keys sort parents before children): remove all, then put each.
            for r in &moving {
                self.resource(&r.key(), None);
            }
            for r in moving {
                let Some(old) = ResourceId::parse(&r.id) else { continue };
                let new_id = old.relocated(&target_sub, &target_rg).to_id();
                let mut moved = (*r).clone();
                moved.id = new_id.clone();
                moved.subscription_id = target_sub.as_str().into();
                moved.resource_group = target_rg.as_str().into();
                moved.body.edit(|b| {
                    if let Some(o) = b.as_object_mut() {
                        o.insert("id".into(), Value::String(new_id.clone()));
                    }
                });
                moved.changed_time = self.at;
                self.state.check_resource(&moved, false)?;
                self.resource(&moved.key(), Some(Arc::new(moved)));
            }
        }
        Ok(())
    }
}

fn not_found(id: &str) -> Rejection {
    match ResourceId::parse(id) {
        Some(p) => Rejection::ResourceNotFound {
            full_type: p.full_type(),
            name: p.name().to_string(),
            group: p.resource_group().unwrap_or_default().to_string(),
        },
        None => Rejection::InvalidRecord { item: id.to_string(), reason: "the id is not a resource id".into() },
    }
}

#[cfg(test)]
impl State {
    /// A state with tenant `tenant` and subscription `sub` (unit tests).
    pub(crate) fn with_subscription(tenant: &str, sub: &str, at: DateTime<Utc>) -> State {
        let mut s = State::default();
        s.apply_batch(
            &[
                Change::PutTenant {
                    tenant: Tenant {
                        tenant_id: tenant.into(),
                        display_name: "T".into(),
                        default_domain: "t.example".into(),
                    },
                },
                Change::PutSubscription {
                    subscription: Subscription {
                        subscription_id: sub.into(),
                        tenant_id: tenant.into(),
                        display_name: "S".into(),
                        state: Default::default(),
                        tags: Default::default(),
                        managed_by_tenants: Default::default(),
                    },
                },
            ],
            at,
        )
        .expect("a tenant and its subscription");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::latest;
    use crate::model::ProvisioningState;
    use crate::store::body::Body;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn state() -> State {
        State::with_subscription("t", "s", t0())
    }

    fn group(name: &str) -> ResourceGroup {
        ResourceGroup {
            subscription_id: "s".into(),
            name: name.into(),
            location: "westeurope".into(),
            tags: Default::default(),
            managed_by: None,
            provisioning_state: ProvisioningState::Succeeded,
            created_time: t0(),
            changed_time: t0(),
        }
    }

    fn resource(rg: &str, path: &str) -> Arc<Resource> {
        let id = format!("/subscriptions/s/resourceGroups/{rg}/providers/{path}");
        let parsed = ResourceId::parse(&id).unwrap();
        Arc::new(Resource {
            body: Body::new(&json!({"id": id, "name": parsed.name(), "type": parsed.full_type()})),
            resource_type: parsed.full_type().into(),
            name: parsed.name().into(),
            subscription_id: "s".into(),
            resource_group: rg.into(),
            id,
            created_time: t0(),
            changed_time: t0(),
            soft_deleted: None,
            secrets: None,
        })
    }

    fn assignment(rg: &str, name: &str, principal: &str) -> Arc<Resource> {
        let id =
            format!("/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Authorization/roleAssignments/{name}");
        Arc::new(Resource {
            body: Body::new(&json!({"id": id, "name": name, "type": ROLE_ASSIGNMENT_TYPE,
                "properties": {"principalId": principal, "scope": format!("/subscriptions/s/resourceGroups/{rg}")}})),
            resource_type: ROLE_ASSIGNMENT_TYPE.into(),
            name: name.into(),
            subscription_id: "s".into(),
            resource_group: rg.into(),
            id,
            created_time: t0(),
            changed_time: t0(),
            soft_deleted: None,
            secrets: None,
        })
    }

    fn grants_of(s: &State, principal: &str) -> Vec<String> {
        s.assignments_of(principal).map(|r| r.name.clone()).collect()
    }

    /// The principal index follows every write: puts, a changed principal, a rejected batch
    /// (undone), a cascade delete, and a state rebuilt from its records.
    #[test]
    fn the_principal_index_follows_role_assignments() {
        let mut s = state();
        s.apply_batch(&[Change::PutGroup { group: group("g") }, Change::PutGroup { group: group("h") }], t0()).unwrap();
        s.apply_batch(
            &[
                Change::PutResource { resource: assignment("g", "a1", "P1") },
                Change::PutResource { resource: assignment("h", "a2", "p1") },
                Change::PutResource { resource: resource("g", "NS/t/x") },
            ],
            t0(),
        )
        .unwrap();
        assert_eq!(grants_of(&s, "p1"), ["a1", "a2"]);
        // The same record now grants another principal.
        s.apply_batch(&[Change::PutResource { resource: assignment("g", "a1", "p2") }], t0()).unwrap();
        assert_eq!((grants_of(&s, "P1"), grants_of(&s, "p2")), (vec!["a2".to_string()], vec!["a1".to_string()]));
        let before = s.clone();
        let refused = [
            Change::RemoveResource {
                id: "/subscriptions/s/resourceGroups/h/providers/Microsoft.Authorization/roleAssignments/a2".into(),
            },
            Change::PutResource { resource: resource("missing", "NS/t/y") },
        ];
        assert!(s.apply_batch(&refused, t0()).is_err());
        assert_eq!(grants_of(&s, "p1"), ["a2"]);
        assert_eq!(s.index.grants, before.index.grants);
        s.apply_batch(&[Change::RemoveGroup { subscription: "s".into(), group: "h".into() }], t0()).unwrap();
        assert!(grants_of(&s, "p1").is_empty());
        assert!(!s.index.grants.contains_key("p1"), "an emptied principal leaves the index");
        let mut rebuilt = s.clone();
        rebuilt.reindex();
        assert_eq!(rebuilt.index.grants, s.index.grants);
    }

    #[test]
    fn a_batch_is_all_or_nothing() {
        let mut s = state();
        let before = s.clone();
        let err = s
            .apply_batch(
                &[
                    Change::PutGroup { group: group("g") },
                    Change::PutResource { resource: resource("g", "NS/t/a") },
                    Change::PutResource { resource: resource("missing", "NS/t/b") },
                ],
                t0(),
            )
            .unwrap_err();
        assert_eq!(err, Rejection::GroupNotFound { group: "missing".into() });
        assert_eq!(s, before);
        assert!(s.index.managed.is_empty() && s.index.purges.is_empty());
    }

    #[test]
    fn resources_need_their_group_parent_and_a_body_that_agrees() {
        let mut s = state();
        s.apply_batch(&[Change::PutGroup { group: group("g") }], t0()).unwrap();
        let child = resource("g", "NS/t/a/c/x");
        assert!(matches!(
            s.apply_batch(&[Change::PutResource { resource: child.clone() }], t0()),
            Err(Rejection::ResourceNotFound { .. })
        ));
        s.apply_batch(
            &[Change::PutResource { resource: resource("g", "NS/t/a") }, Change::PutResource { resource: child }],
            t0(),
        )
        .unwrap();
        let mut bad = (*resource("g", "NS/t/b")).clone();
        bad.body = Body::new(&json!(5));
        let e = s.apply_batch(&[Change::PutResource { resource: Arc::new(bad) }], t0()).unwrap_err();
        assert!(
            matches!(e, Rejection::InvalidRecord { ref reason, .. } if reason == "the body is not a JSON object"),
            "{e:?}"
        );
        let mut wrong_group = (*resource("g", "NS/t/c")).clone();
        wrong_group.resource_group = "".into();
        assert!(s.apply_batch(&[Change::PutResource { resource: Arc::new(wrong_group) }], t0()).is_err());
        let mut slash = (*resource("g", "NS/t/d")).clone();
        slash.name = "d/e".into();
        assert!(s.apply_batch(&[Change::PutResource { resource: Arc::new(slash) }], t0()).is_err());
        s.apply_batch(
            &[Change::SetGroupState {
                subscription: "s".into(),
                group: "G".into(),
                state: ProvisioningState::Deleting,
            }],
            t0(),
        )
        .unwrap();
        assert_eq!(
            s.apply_batch(&[Change::PutResource { resource: resource("g", "NS/t/e") }], t0()).unwrap_err(),
            Rejection::GroupBeingDeleted { group: "g".into() }
        );
    }

    #[test]
    fn groups_need_their_subscription_a_valid_name_and_their_first_casing() {
        let mut s = state();
        let mut elsewhere = group("g");
        elsewhere.subscription_id = "nope".into();
        assert_eq!(
            s.apply_batch(&[Change::PutGroup { group: elsewhere }], t0()).unwrap_err(),
            Rejection::SubscriptionNotFound { subscription: "nope".into() }
        );
        for name in ["", "a/b", "a\nb", "nul\0"] {
            assert_eq!(
                s.apply_batch(&[Change::PutGroup { group: group(name) }], t0()).unwrap_err(),
                invalid(
                    &format!("/subscriptions/s/resourceGroups/{name}"),
                    "the group name is not a valid resource group name"
                ),
                "{name:?}"
            );
        }
        s.apply_batch(&[Change::PutGroup { group: group("Mixed") }], t0()).unwrap();
        s.apply_batch(&[Change::PutGroup { group: group("Mixed") }], t0()).unwrap();
        assert_eq!(
            s.apply_batch(&[Change::PutGroup { group: group("MIXED") }], t0()).unwrap_err(),
            invalid("/subscriptions/s/resourceGroups/MIXED", "the group is named 'Mixed'")
        );
        assert_eq!(s.counts(), (1, 1, 0));
    }

    #[test]
    fn subscription_scope_resources_have_no_group() {
        let mut s = state();
        let id = "/subscriptions/s/providers/NS/t/a".to_string();
        let mut r = (*resource("g", "NS/t/a")).clone();
        r.id = id.clone();
        r.body = Body::new(&json!({"id": id, "name": "a", "type": "NS/t"}));
        let mut in_group = r.clone();
        in_group.resource_group = "g".into();
        assert_eq!(
            s.apply_batch(&[Change::PutResource { resource: Arc::new(in_group) }], t0()).unwrap_err(),
            invalid(&id, "a subscription-scope resource has no resource group")
        );
        r.resource_group = "".into();
        s.apply_batch(&[Change::PutResource { resource: Arc::new(r) }], t0()).unwrap();
        assert_eq!(s.counts(), (1, 0, 1));
    }

    fn finished(i: usize, ended: DateTime<Utc>) -> Change {
        Change::PutOperation {
            operation: Box::new(Operation {
                id: format!("op{i:05}"),
                kind: "resourceGroups/delete".into(),
                subscription: "s".into(),
                mode: crate::model::LroMode::Polls { n: 1, fail: false },
                started: ended,
                deadline: None,
                polls: 1,
                status: crate::model::OperationStatus::Succeeded,
                ended: Some(ended),
                status_path: format!("/op{i:05}"),
                result: super::super::operations::OperationResult::Empty { status: 200 },
                steps: Vec::new(),
                steps_done: 0,
                on_success: Vec::new(),
                on_failure: Vec::new(),
                configured_failure: None,
                failure: None,
            }),
        }
    }

    #[test]
    fn finished_operations_are_kept_up_to_the_bound_then_the_oldest_go() {
        let mut s = state();
        let batch: Vec<Change> = (0..RETAINED).map(|i| finished(i, t0() + Duration::seconds(i as i64))).collect();
        s.apply_batch(&batch, t0()).unwrap();
        // Exactly at the bound nothing is due before the oldest's retention ends.
        let expiry = t0() + Duration::seconds(RETENTION_SECONDS);
        assert_eq!(s.next_deadline(), Some(expiry));
        assert!(s.due(expiry - Duration::seconds(1)).is_empty());
        assert_eq!(s.due(expiry), vec![Change::ForgetOperation { id: "op00000".into() }]);
        // One more: the oldest is due at once.
        s.apply_batch(&[finished(RETAINED, t0())], t0()).unwrap();
        assert_eq!(s.next_deadline(), Some(DateTime::<Utc>::MIN_UTC));
        let due = s.due(t0());
        assert_eq!(due, vec![Change::ForgetOperation { id: "op00000".into() }]);
        s.apply_batch(&due, t0()).unwrap();
        assert_eq!(s.operation_counts(), (0, RETAINED));
        assert_eq!(s.next_deadline(), Some(expiry), "op01000 ended at t0 too");
    }

    #[test]
    fn removing_a_resource_removes_the_groups_it_manages_through_the_index() {
        let mut s = state();
        let ws = resource("g", "NS/ws/w");
        let mut managed = group("g_managed");
        managed.managed_by = Some(ws.id.to_uppercase());
        s.apply_batch(
            &[
                Change::PutGroup { group: group("g") },
                Change::PutResource { resource: ws.clone() },
                Change::PutGroup { group: managed },
                Change::PutResource { resource: resource("g_managed", "Microsoft.DocumentDB/databaseAccounts/c") },
            ],
            t0(),
        )
        .unwrap();
        assert_eq!(s.index.managed.len(), 1);
        s.apply_batch(&[Change::RemoveResource { id: ws.id.clone() }], t0()).unwrap();
        assert!(s.group("s", "g_managed").is_none());
        assert_eq!(s.counts(), (1, 1, 0));
        assert!(s.index.managed.is_empty());
    }

    #[test]
    fn soft_deletes_are_purged_when_the_clock_passes_their_retention() {
        let mut s = state();
        let w = resource("g", "NS/ws/w");
        s.apply_batch(
            &[
                Change::PutGroup { group: group("g") },
                Change::PutResource { resource: w.clone() },
                Change::SoftDelete { id: w.id.clone(), retention_days: 1 },
            ],
            t0(),
        )
        .unwrap();
        let purge = t0() + Duration::days(1);
        assert_eq!(s.next_deadline(), Some(purge));
        assert!(s.due(purge - Duration::seconds(1)).is_empty());
        let due = s.due(purge);
        assert_eq!(due, vec![Change::Purge { id: w.id.clone() }]);
        s.apply_batch(&due, purge).unwrap();
        assert!(s.resource(&w.key()).is_none());
        assert_eq!(s.next_deadline(), None);
        // Retention near the clock's end saturates instead of overflowing.
        let mut s = state();
        s.apply_batch(
            &[
                Change::PutGroup { group: group("g") },
                Change::PutResource { resource: w.clone() },
                Change::SoftDelete { id: w.id.clone(), retention_days: 14 },
            ],
            latest(),
        )
        .unwrap();
        assert_eq!(s.next_deadline(), Some(latest()));
    }
}
