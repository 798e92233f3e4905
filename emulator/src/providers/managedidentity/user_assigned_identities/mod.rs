//! `Microsoft.ManagedIdentity/userAssignedIdentities`, one folder with the files every resource
//! type has:
//!
//! - `mod.rs` — the routes, with their operation ids and RBAC actions;
//! - [`model`] — the type's constants and the ids a stored identity carries;
//! - [`wire`] — the JSON the type answers with;
//! - [`rules`] — the name rule;
//! - [`handlers`] — the operations, each planning one batch of changes.
//!
//! An identity is a tracked resource whose read-only `properties` are the service principal
//! Entra ID would create for it: `principalId` and `clientId` from the injected id generator
//! and the subscription's `tenantId`, fixed at creation. Creation answers 201, an update 200
//! (no long-running operation, as the real service).

pub mod handlers;
pub mod model;
pub mod rules;
pub mod wire;

use crate::catalog::MSI_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

const ONE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}";
const BY_GROUP: &str =
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities";
const BY_SUB: &str = "/subscriptions/{subscriptionId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, action, handler: Handler| {
        Route::new(method, pattern, operation, Access::Arm, handler).api_versions(MSI_API_VERSIONS).action(action)
    };
    const READ: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/read";
    const WRITE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/write";
    const DELETE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/delete";
    vec![
        r(Method::Put, ONE, "UserAssignedIdentities_CreateOrUpdate", WRITE, handlers::create_or_update),
        r(Method::Get, ONE, "UserAssignedIdentities_Get", READ, handlers::get),
        r(Method::Patch, ONE, "UserAssignedIdentities_Update", WRITE, handlers::update),
        r(Method::Delete, ONE, "UserAssignedIdentities_Delete", DELETE, handlers::delete),
        r(Method::Get, BY_GROUP, "UserAssignedIdentities_ListByResourceGroup", READ, handlers::list_by_resource_group),
        r(Method::Get, BY_SUB, "UserAssignedIdentities_ListBySubscription", READ, handlers::list_by_subscription),
    ]
}
