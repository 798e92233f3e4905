//! Why the store refused a change: a structural invariant it would have broken. Handlers check
//! their rules while planning, so a rejection normally means a concurrent change got there
//! first (the group was deleted meanwhile); the protocol layer renders each kind with ARM's
//! code for it. A rejection is data, so a failed operation can keep it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Rejection {
    /// The subscription does not exist.
    SubscriptionNotFound { subscription: String },
    /// The tenant a subscription names does not exist.
    TenantNotFound { tenant: String },
    /// The resource group does not exist.
    GroupNotFound { group: String },
    /// The resource group is being deleted.
    GroupBeingDeleted { group: String },
    /// The resource (or the parent or scope a resource needs) does not exist or is soft-deleted.
    ResourceNotFound { full_type: String, name: String, group: String },
    /// A resource of that type and name exists already where a move would put another.
    ResourceExists { full_type: String, name: String, group: String },
    /// The operation does not exist.
    OperationNotFound { id: String },
    /// An operation with this id exists already.
    OperationExists { id: String },
    /// A record is malformed: its id, name, type or body disagree, or its body is not an
    /// object. `item` names it (an id or a key).
    InvalidRecord { item: String, reason: String },
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::SubscriptionNotFound { subscription } => {
                write!(f, "subscription '{subscription}' does not exist")
            }
            Rejection::TenantNotFound { tenant } => write!(f, "tenant '{tenant}' does not exist"),
            Rejection::GroupNotFound { group } => write!(f, "resource group '{group}' does not exist"),
            Rejection::GroupBeingDeleted { group } => write!(f, "resource group '{group}' is being deleted"),
            Rejection::ResourceNotFound { full_type, name, group } => {
                write!(f, "resource '{full_type}/{name}' in group '{group}' does not exist")
            }
            Rejection::ResourceExists { full_type, name, group } => {
                write!(f, "resource '{full_type}/{name}' exists in group '{group}' already")
            }
            Rejection::OperationNotFound { id } => write!(f, "operation '{id}' does not exist"),
            Rejection::OperationExists { id } => write!(f, "operation '{id}' exists already"),
            Rejection::InvalidRecord { item, reason } => write!(f, "'{item}': {reason}"),
        }
    }
}

impl std::error::Error for Rejection {}
