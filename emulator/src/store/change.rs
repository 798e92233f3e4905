//! Every state change is a value: a [`Change`]. Handlers plan a batch of them against a
//! read-only state; [`super::Store::commit`] checks the invariants and applies the batch
//! atomically (all of it or none). The same values describe what a long-running operation
//! does when it ends, what the store does when the clock passes a deadline, and what a
//! journal or a write-ahead log records.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::operations::Operation;
use super::records::{Registration, Resource, ResourceGroup};
use crate::model::{DirectoryObject, ProvisioningState, Subscription, Tenant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum Change {
    /// Creates or replaces a tenant.
    PutTenant { tenant: Tenant },
    /// Creates or replaces an application or service principal in a tenant's directory (the
    /// tenant must exist).
    PutDirectoryObject { object: DirectoryObject },
    /// Creates or replaces a subscription (its tenant must exist).
    PutSubscription { subscription: Subscription },
    /// Removes everything in a subscription (groups, resources, registrations, operations);
    /// the subscription itself stays.
    ClearSubscription { subscription: String },
    /// Removes a subscription and everything in it (as `ClearSubscription`). Removing one that
    /// is gone does nothing.
    RemoveSubscription { subscription: String },
    /// Creates or replaces a resource group (its subscription must exist; an existing group
    /// keeps its name's casing and may not be being deleted).
    PutGroup { group: ResourceGroup },
    /// Marks a group `Deleting` (or back to `Succeeded`).
    SetGroupState { subscription: String, group: String, state: ProvisioningState },
    /// Removes a group, everything in it (soft-deleted resources included), and the groups
    /// managed by what was removed. Removing a group that is gone does nothing.
    RemoveGroup { subscription: String, group: String },
    /// Creates or replaces a resource. Its id, name, type, group fields and body must agree;
    /// its group (or scope) and its parent must exist and be live, its group not being deleted.
    PutResource { resource: Arc<Resource> },
    /// Sets `properties.provisioningState` in a resource's body (the resource must exist).
    SetProvisioningState { id: String, state: ProvisioningState },
    /// Removes a resource, its children and extension resources, and the groups it managed.
    /// Removing a resource that is gone does nothing.
    RemoveResource { id: String },
    /// Soft-deletes a live resource: hidden from reads, its name reserved until the retention
    /// ends (counted from the batch's time).
    SoftDelete { id: String, retention_days: i64 },
    /// Moves resources (with their children) to another group, re-keyed under its name.
    /// Resources gone meanwhile are skipped; the target group must exist and not be deleting.
    MoveResources { ids: Vec<String>, subscription: String, group: String },
    /// Creates or replaces a provider registration (its subscription must exist).
    PutRegistration { registration: Registration },
    /// A read of a provider: counts one poll of a `polls:N` transition, settling it on the last.
    CountRegistrationPoll { subscription: String, namespace: String },
    /// Starts tracking a long-running operation (replacing a finished one of the same id).
    PutOperation { operation: Box<Operation> },
    /// A poll of an operation's status or `Location` URL: counts it, completing a `polls:N`
    /// operation on its N-th poll.
    PollOperation { id: String },
    /// Drops a finished operation (its result was read, or it was kept long enough).
    ForgetOperation { id: String },
    /// Completes a `seconds:T` operation whose deadline has passed (planned by the store).
    SettleOperation { id: String },
    /// Removes a soft-deleted resource whose retention has ended (planned by the store).
    Purge { id: String },
    /// Settles a `seconds:T` registration transition that is due (planned by the store).
    SettleRegistration { subscription: String, namespace: String },
}

/// Why a batch was committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// A request's handler planned it.
    Request,
    /// The store planned it because the clock passed a deadline (or an operation's retention).
    Settlement,
    /// The test-control API replaced part of the state.
    Control,
}

/// A committed batch: what a journal shows and a write-ahead log keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commit {
    /// Increases by one per commit of this store.
    pub seq: u64,
    /// The emulator-clock time the batch was applied at.
    pub at: DateTime<Utc>,
    pub origin: Origin,
    pub changes: Arc<[Change]>,
}
