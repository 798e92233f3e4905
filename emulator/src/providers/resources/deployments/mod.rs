//! `Microsoft.Resources/deployments`: template deployments at resource-group scope (both path
//! forms, `…/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{d}` and the older
//! `…/resourcegroups/{rg}/deployments/{d}` that azure-ai-ml and azureml-core poll) and at
//! subscription scope. One folder with the files every resource type has:
//!
//! - `mod.rs` — the routes, with their operation ids, LRO kinds and RBAC actions;
//! - [`model`] — the type's constants and typed values (the request, where it runs, the outcome);
//! - [`wire`] — reading request bodies and the JSON deployments and their operations answer with;
//! - [`rules`] — the documented rules (names, 800 per scope);
//! - [`handlers`] — the operations;
//! - [`executor`] — running a planned template, each resource through its own provider's route.
//!
//! The template language itself (parameters, variables, expressions, copy, conditions,
//! `dependsOn`, outputs) is the `armtemplate` crate; it never touches the store.

pub mod executor;
pub mod handlers;
pub mod model;
pub mod rules;
pub mod wire;

use crate::catalog::RESOURCES_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

use model::{KIND_CREATE, KIND_DELETE};

/// The routes of one scope prefix (`$p`), as `(method, pattern, operation, action, handler, lro)`.
macro_rules! scope_routes {
    ($p:expr, $op:literal, $list:literal) => {
        [
            (
                Method::Put,
                concat!($p, "/deployments/{deploymentName}"),
                concat!("Deployments_CreateOrUpdate", $op),
                WRITE,
                handlers::create_or_update as Handler,
                Some(KIND_CREATE),
            ),
            (
                Method::Get,
                concat!($p, "/deployments/{deploymentName}"),
                concat!("Deployments_Get", $op),
                READ,
                handlers::get as Handler,
                None,
            ),
            (
                Method::Head,
                concat!($p, "/deployments/{deploymentName}"),
                concat!("Deployments_CheckExistence", $op),
                READ,
                handlers::head as Handler,
                None,
            ),
            (
                Method::Delete,
                concat!($p, "/deployments/{deploymentName}"),
                concat!("Deployments_Delete", $op),
                DELETE,
                handlers::delete as Handler,
                Some(KIND_DELETE),
            ),
            (Method::Get, concat!($p, "/deployments"), $list, READ, handlers::list as Handler, None),
            (
                Method::Post,
                concat!($p, "/deployments/{deploymentName}/validate"),
                concat!("Deployments_Validate", $op),
                VALIDATE,
                handlers::validate as Handler,
                None,
            ),
            (
                Method::Post,
                concat!($p, "/deployments/{deploymentName}/whatIf"),
                concat!("Deployments_WhatIf", $op),
                WHAT_IF,
                handlers::what_if as Handler,
                None,
            ),
            (
                Method::Post,
                concat!($p, "/deployments/{deploymentName}/cancel"),
                concat!("Deployments_Cancel", $op),
                CANCEL,
                handlers::cancel as Handler,
                None,
            ),
            (
                Method::Post,
                concat!($p, "/deployments/{deploymentName}/exportTemplate"),
                concat!("Deployments_ExportTemplate", $op),
                EXPORT,
                handlers::export_template as Handler,
                None,
            ),
            (
                Method::Get,
                concat!($p, "/deployments/{deploymentName}/operations"),
                concat!("DeploymentOperations_List", $op),
                OPS_READ,
                handlers::list_operations as Handler,
                None,
            ),
            (
                Method::Get,
                concat!($p, "/deployments/{deploymentName}/operations/{operationId}"),
                concat!("DeploymentOperations_Get", $op),
                OPS_READ,
                handlers::get_operation as Handler,
                None,
            ),
            (
                Method::Get,
                concat!($p, "/deployments/{deploymentName}/operationStatuses/{operationId}"),
                concat!("Deployments_OperationStatus", $op),
                OPS_READ,
                handlers::operation_status as Handler,
                None,
            ),
        ]
    };
}

const READ: &str = "Microsoft.Resources/deployments/read";
const WRITE: &str = "Microsoft.Resources/deployments/write";
const DELETE: &str = "Microsoft.Resources/deployments/delete";
const VALIDATE: &str = "Microsoft.Resources/deployments/validate/action";
const WHAT_IF: &str = "Microsoft.Resources/deployments/whatIf/action";
const CANCEL: &str = "Microsoft.Resources/deployments/cancel/action";
const EXPORT: &str = "Microsoft.Resources/deployments/exportTemplate/action";
const OPS_READ: &str = "Microsoft.Resources/deployments/operations/read";

pub fn routes() -> Vec<Route<Handler>> {
    let group = scope_routes!(
        "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.Resources",
        "",
        "Deployments_ListByResourceGroup"
    );
    let group_old = scope_routes!(
        "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        "_Legacy",
        "Deployments_ListByResourceGroup_Legacy"
    );
    let sub = scope_routes!(
        "/subscriptions/{subscriptionId}/providers/Microsoft.Resources",
        "AtSubscriptionScope",
        "Deployments_ListAtSubscriptionScope"
    );
    group
        .into_iter()
        .chain(group_old)
        .chain(sub)
        .map(|(method, pattern, operation, action, handler, lro)| {
            let r = Route::new(method, pattern, operation, Access::Arm, handler)
                .api_versions(RESOURCES_API_VERSIONS)
                .action(action);
            match lro {
                Some(k) => r.lro(k),
                None => r,
            }
        })
        .collect()
}
