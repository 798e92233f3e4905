//! `Microsoft.MachineLearningServices/workspaces`, one folder with the files every resource
//! type has:
//!
//! - `mod.rs` — the routes, with their operation ids, LRO kinds and RBAC actions;
//! - [`model`] — the type's constants and typed values (the create request, the stored workspace);
//! - [`wire`] — reading request bodies into those values and the JSON the type answers with;
//! - [`rules`] — the documented rules (name, dependents, what may not change);
//! - [`handlers`] — the operations, each planning one batch of changes;
//! - [`private_endpoints`] — the child type `privateEndpointConnections`.
//!
//! The documented rules: dependent resources are created (storage, key vault, Application
//! Insights; the registry only lazily) or validated when given; `hbiWorkspace`,
//! `storageAccount` and `keyVault` are fixed at creation; a customer-managed key needs
//! `Microsoft.DocumentDB` and `Microsoft.Search` and gets a `<rg>_<GUID>` group with a Cosmos DB
//! account; a managed network needs `Microsoft.Network`; soft-deleted workspaces keep their
//! name reserved until purged or the retention (1–14 days, emulator clock) ends.

pub mod handlers;
pub mod model;
pub mod private_endpoints;
pub mod rules;
pub mod wire;

use crate::catalog::ML_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

use model::{KIND_CREATE, KIND_DELETE, KIND_RESYNC_KEYS, KIND_UPDATE};

pub use model::{NS, TYPE};

const WS: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}";
const WS_LIST: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces";
const PE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections";
const PE_ONE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections/{connectionName}";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, action, handler: Handler| {
        Route::new(method, pattern, operation, Access::Arm, handler).api_versions(ML_API_VERSIONS).action(action)
    };
    const READ: &str = "Microsoft.MachineLearningServices/workspaces/read";
    const WRITE: &str = "Microsoft.MachineLearningServices/workspaces/write";
    const DELETE: &str = "Microsoft.MachineLearningServices/workspaces/delete";
    const PE_READ: &str = "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read";
    const PE_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/write";
    const PE_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/delete";
    vec![
        r(Method::Put, WS, "Workspaces_CreateOrUpdate", WRITE, handlers::create_or_update).lro(KIND_CREATE),
        r(Method::Get, WS, "Workspaces_Get", READ, handlers::get),
        r(Method::Patch, WS, "Workspaces_Update", WRITE, handlers::update).lro(KIND_UPDATE),
        r(Method::Delete, WS, "Workspaces_Delete", DELETE, handlers::delete).lro(KIND_DELETE),
        r(Method::Get, WS_LIST, "Workspaces_ListByResourceGroup", READ, handlers::list_by_resource_group),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/workspaces",
            "Workspaces_ListBySubscription",
            READ,
            handlers::list_by_subscription,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/listKeys",
            "Workspaces_ListKeys",
            "Microsoft.MachineLearningServices/workspaces/listKeys/action",
            handlers::list_keys,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/resyncKeys",
            "Workspaces_ResyncKeys",
            "Microsoft.MachineLearningServices/workspaces/resynckeys/action",
            handlers::resync_keys,
        )
        .lro(KIND_RESYNC_KEYS),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/listNotebookAccessToken",
            "Workspaces_ListNotebookAccessToken",
            "Microsoft.MachineLearningServices/workspaces/listNotebookAccessToken/action",
            handlers::list_notebook_access_token,
        ),
        r(Method::Get, PE, "PrivateEndpointConnections_List", PE_READ, private_endpoints::list),
        r(Method::Put, PE_ONE, "PrivateEndpointConnections_CreateOrUpdate", PE_WRITE, private_endpoints::put),
        r(Method::Get, PE_ONE, "PrivateEndpointConnections_Get", PE_READ, private_endpoints::get),
        r(Method::Delete, PE_ONE, "PrivateEndpointConnections_Delete", PE_DELETE, private_endpoints::delete),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/deletedWorkspaces",
            "Emulator_DeletedWorkspaces_ListBySubscription",
            READ,
            handlers::list_deleted_by_subscription,
        ),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/deletedWorkspaces",
            "Emulator_DeletedWorkspaces_ListByResourceGroup",
            READ,
            handlers::list_deleted_by_resource_group,
        ),
    ]
}
