//! The built-in role definitions, listable and filterable by `roleName` and `type`.

use serde_json::{json, Value};

use crate::protocol::{filter, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::Ctx;

/// A built-in role: (GUID, name, description, actions, data actions).
pub type BuiltInRole = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

pub const BUILT_IN_ROLES: &[BuiltInRole] = &[
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner", "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", &["*"], &[]),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor", "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.", &["*"], &[]),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader", "View all resources, but does not allow you to make any changes.", &["*/read"], &[]),
    ("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator", "Lets you manage user access to Azure resources.", &["*/read", "Microsoft.Authorization/*"], &[]),
    ("f6c7c914-8db3-469d-8ca1-694a8f32e121", "AzureML Data Scientist", "Can perform all actions within an Azure Machine Learning workspace, except for creating or deleting compute resources and modifying the workspace itself.", &["Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/workspaces/*/action", "Microsoft.MachineLearningServices/workspaces/*/delete", "Microsoft.MachineLearningServices/workspaces/*/write"], &[]),
    ("e503ece1-11d0-4e8e-8e2c-7a6c3bf38815", "AzureML Compute Operator", "Can access and perform CRUD operations on Machine Learning Services managed compute resources.", &["Microsoft.MachineLearningServices/workspaces/computes/*"], &[]),
    ("1823dd4f-9b8c-4ab6-ab4e-7397a3684615", "AzureML Registry User", "Allows use of assets in an Azure Machine Learning registry.", &["Microsoft.MachineLearningServices/registries/read"], &[]),
];

pub fn definition_json(sub: Option<&str>, role: &BuiltInRole) -> Value {
    let (guid, name, desc, actions, data) = role;
    json!({
        "id": match sub { Some(s) => format!("/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}"), None => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}") },
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": desc,
            "assignableScopes": ["/"],
            "permissions": [{"actions": actions, "notActions": [], "dataActions": data, "notDataActions": []}],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": null,
            "updatedBy": null,
        },
    })
}

/// The GUID at the end of a role-definition id (or the GUID itself).
pub fn role_guid(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

pub fn find_role(guid: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES.iter().find(|r| r.0.eq_ignore_ascii_case(guid))
}

pub fn list(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId").ok();
    let f = match req.query("$filter") {
        Some(t) => filter::parse(t, &["roleName", "type"])?,
        None => filter::Filter::default(),
    };
    let value: Vec<Value> = BUILT_IN_ROLES
        .iter()
        .filter(|r| f.eq("roleName").is_none_or(|n| n.eq_ignore_ascii_case(r.1)))
        .filter(|_| f.eq("type").is_none_or(|t| t.eq_ignore_ascii_case("BuiltInRole")))
        .map(|r| definition_json(sub, r))
        .collect();
    Ok(ArmResponse::ok(json!({ "value": value })))
}

pub fn get(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let guid = req.param("roleDefinitionId")?;
    let role = find_role(guid).ok_or_else(|| ArmError::role_definition_does_not_exist(guid, 404))?;
    Ok(ArmResponse::ok(definition_json(req.param("subscriptionId").ok(), role)))
}
