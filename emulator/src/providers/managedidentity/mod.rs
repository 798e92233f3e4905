//! `Microsoft.ManagedIdentity`: user-assigned identities (one folder per resource type, the
//! same files in each). Other resources refer to an identity by id (a workspace's
//! `identity.userAssignedIdentities`) and read its principal and client ids through
//! [`user_assigned_identities::model::lookup`].

pub mod user_assigned_identities;

use crate::protocol::router::Route;
use crate::providers::Handler;

pub fn routes() -> Vec<Route<Handler>> {
    user_assigned_identities::routes()
}
