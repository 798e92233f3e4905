//! `Microsoft.MachineLearningServices/workspaces/environments` (containers) and
//! `…/environments/{name}/versions/{version}`, one folder with the files every resource type has:
//!
//! - `mod.rs` — the routes, with their operation ids (the 2024-10-01 spec's) and RBAC actions
//!   (every operation is synchronous: no LRO kinds);
//! - [`model`] — the records, and the API the v1 environment service stores through
//!   ([`model::plan_put_version`] is the one rule set of both surfaces);
//! - [`wire`] — reading `properties` and the bodies the types answer with;
//! - [`rules`] — names, versions, the reserved `AzureML` prefix, what defines a version;
//! - [`handlers`] — the operations;
//! - [`curated`] — the curated environments, overlaid on every workspace's reads.
//!
//! The documented rules: the first version PUT creates its container (201); a PUT of an
//! existing version with the same definition answers 200 (changing only description, tags,
//! properties, `isArchived`, `stage`), with another definition 409 (azure-ai-ml then retries
//! with `nextVersion`); archive and restore are PUTs with `isArchived`; environments follow
//! their workspace (404 while it is soft-deleted, back on recovery, gone with its purge).

pub mod curated;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod wire;

use crate::catalog::ML_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

pub use model::{
    latest, list_latest, next_version, plan_put_version, version, VersionRecord, CONTAINER_TYPE, VERSION_TYPE,
};

const LIST: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/environments";
const ONE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/environments/{name}";
const VERSIONS: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/environments/{name}/versions";
const VERSION: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/environments/{name}/versions/{version}";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, action, handler: Handler| {
        Route::new(method, pattern, operation, Access::Arm, handler).api_versions(ML_API_VERSIONS).action(action)
    };
    const READ: &str = "Microsoft.MachineLearningServices/workspaces/environments/read";
    const WRITE: &str = "Microsoft.MachineLearningServices/workspaces/environments/write";
    const DELETE: &str = "Microsoft.MachineLearningServices/workspaces/environments/delete";
    const V_READ: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions/read";
    const V_WRITE: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions/write";
    const V_DELETE: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions/delete";
    vec![
        r(Method::Get, LIST, "EnvironmentContainers_List", READ, handlers::list_containers),
        r(Method::Get, ONE, "EnvironmentContainers_Get", READ, handlers::get_container),
        r(Method::Put, ONE, "EnvironmentContainers_CreateOrUpdate", WRITE, handlers::put_container),
        r(Method::Delete, ONE, "EnvironmentContainers_Delete", DELETE, handlers::delete_container),
        r(Method::Patch, ONE, "Emulator_EnvironmentContainers_Patch", WRITE, handlers::patch_not_supported),
        r(Method::Head, ONE, "Emulator_EnvironmentContainers_CheckExistence", READ, handlers::head_container),
        r(Method::Get, VERSIONS, "EnvironmentVersions_List", V_READ, handlers::list_versions),
        r(Method::Get, VERSION, "EnvironmentVersions_Get", V_READ, handlers::get_version),
        r(Method::Put, VERSION, "EnvironmentVersions_CreateOrUpdate", V_WRITE, handlers::put_version),
        r(Method::Delete, VERSION, "EnvironmentVersions_Delete", V_DELETE, handlers::delete_version),
        r(Method::Patch, VERSION, "Emulator_EnvironmentVersions_Patch", V_WRITE, handlers::patch_not_supported),
        r(Method::Head, VERSION, "Emulator_EnvironmentVersions_CheckExistence", V_READ, handlers::head_version),
    ]
}
