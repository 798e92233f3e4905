//! `Microsoft.Authorization`: role assignments at subscription, resource-group and resource
//! scope, the built-in and custom role definitions, the caller's effective permissions, and
//! (`enforce`) the authorization strict mode applies to every ARM request.

pub mod enforce;
pub mod role_assignments;
pub mod role_definitions;

use crate::catalog::AUTH_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

pub fn routes() -> Vec<Route<Handler>> {
    let mut out = Vec::new();
    let mut add = |method, pattern: &'static str, operation, action, handler: Handler| {
        out.push(
            Route::new(method, pattern, operation, Access::Arm, handler).api_versions(AUTH_API_VERSIONS).action(action),
        );
    };
    // Patterns must be 'static; spell the four scope forms out.
    macro_rules! scoped {
        ($scope:literal) => {{
            add(
                Method::Put,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Create",
                "Microsoft.Authorization/roleAssignments/write",
                role_assignments::create,
            );
            add(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Get",
                "Microsoft.Authorization/roleAssignments/read",
                role_assignments::get,
            );
            add(
                Method::Delete,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Delete",
                "Microsoft.Authorization/roleAssignments/delete",
                role_assignments::delete,
            );
            add(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments"),
                "RoleAssignments_ListForScope",
                "Microsoft.Authorization/roleAssignments/read",
                role_assignments::list,
            );
            add(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions"),
                "RoleDefinitions_List",
                "Microsoft.Authorization/roleDefinitions/read",
                role_definitions::list,
            );
            add(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"),
                "RoleDefinitions_Get",
                "Microsoft.Authorization/roleDefinitions/read",
                role_definitions::get,
            );
            add(
                Method::Put,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"),
                "RoleDefinitions_CreateOrUpdate",
                "Microsoft.Authorization/roleDefinitions/write",
                role_definitions::create,
            );
            add(
                Method::Delete,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"),
                "RoleDefinitions_Delete",
                "Microsoft.Authorization/roleDefinitions/delete",
                role_definitions::delete,
            );
            add(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/permissions"),
                "Permissions_ListForScope",
                "Microsoft.Authorization/permissions/read",
                enforce::permissions,
            );
        }};
    }
    scoped!("/subscriptions/{subscriptionId}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{ns}/{type}/{name}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{ns}/{type}/{name}/{childType}/{childName}");
    out.push(
        Route::new(
            Method::Get,
            "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}",
            "RoleDefinitions_GetById",
            Access::ArmTenant,
            role_definitions::get as Handler,
        )
        .api_versions(AUTH_API_VERSIONS)
        .action("Microsoft.Authorization/roleDefinitions/read"),
    );
    out
}
