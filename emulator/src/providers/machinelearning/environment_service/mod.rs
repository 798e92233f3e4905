//! The Azure ML v1 environment management service (EMS), the data-plane API azureml-core's
//! `Environment.get/list/register/build` call at the discovery document's `experimentation`
//! host (this emulator): `/environment/v1.0{workspace ARM path}/environments/…` and
//! `/environment/v2.0{…}/environments/{name}/versions/{v}/image`. No api-version; the ARM
//! bearer token; camelCase answers; errors in Azure ML's data-plane envelope (rendered by
//! `protocol`, for every [`Access::DataPlane`] route).
//!
//! v1 and v2 are one store: registering goes through the v2 environments' rules
//! (`environments::plan_put_version`), keeping the v1 definition beside the v2 body, and a
//! version created through ARM (or a curated one) is read back translated ([`translate`]).
//!
//! - [`translate`] — the definition and its translations (pure functions);
//! - [`handlers`] — get, list, register;
//! - [`build`] — image builds and image details.
//!
//! What the service does besides (labels, `build_local` recipes, builds on a compute) is not
//! routed: the pipeline answers any other path under a data-plane prefix `ServiceNotEmulated`.

pub mod build;
pub mod handlers;
pub mod translate;

use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

macro_rules! ws {
    ($v:literal, $rest:literal) => {
        concat!(
            "/environment/",
            $v,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/environments",
            $rest
        )
    };
}

pub fn routes() -> Vec<Route<Handler>> {
    // The RBAC actions Azure ML checks for the environment service.
    let r = |method, pattern, operation, handler: Handler| {
        let action = match method {
            Method::Get => "Microsoft.MachineLearningServices/workspaces/environments/read",
            Method::Put => "Microsoft.MachineLearningServices/workspaces/environments/write",
            _ => "Microsoft.MachineLearningServices/workspaces/environments/build/action",
        };
        Route::new(method, pattern, operation, Access::DataPlane, handler).action(action)
    };
    vec![
        r(Method::Get, ws!("v1.0", ""), "Emulator_EnvironmentService_List", handlers::list),
        r(Method::Get, ws!("v1.0", "/{name}"), "Emulator_EnvironmentService_GetLatest", handlers::get_latest),
        r(Method::Put, ws!("v1.0", "/{name}"), "Emulator_EnvironmentService_Register", handlers::register),
        r(
            Method::Get,
            ws!("v1.0", "/{name}/versions/{version}"),
            "Emulator_EnvironmentService_Get",
            handlers::get_version,
        ),
        r(
            Method::Put,
            ws!("v1.0", "/{name}/versions/{version}"),
            "Emulator_EnvironmentService_RegisterVersion",
            handlers::register,
        ),
        r(Method::Get, ws!("v1.0", "/{name}/image"), "Emulator_EnvironmentService_ImageDetailsLatest", build::details),
        r(
            Method::Get,
            ws!("v1.0", "/{name}/versions/{version}/image"),
            "Emulator_EnvironmentService_ImageDetails",
            build::details,
        ),
        r(
            Method::Post,
            ws!("v2.0", "/{name}/versions/{version}/image"),
            "Emulator_EnvironmentService_BuildImage",
            build::start,
        ),
        r(
            Method::Get,
            ws!("v2.0", "/{name}/versions/{version}/image/operations/{operationId}"),
            "Emulator_EnvironmentService_BuildStatus",
            build::status,
        ),
    ]
}
