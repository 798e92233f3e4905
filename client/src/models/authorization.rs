//! `Microsoft.Authorization/roleAssignments` (2022-04-01).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Built-in roles: the same GUID in every tenant (reference §6.4).
pub const BUILT_IN_ROLES: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    ("AzureML Data Scientist", "f6c7c914-8db3-469d-8ca1-694a8f32e121"),
    ("AzureML Compute Operator", "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815"),
    ("AzureML Registry User", "1823dd4f-9b8c-4ab6-ab4e-7397a3684615"),
    ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
];

/// The GUID of a built-in role by name (case-insensitive), or the argument itself when it is
/// already a GUID.
pub fn role_definition_guid(role: &str) -> Option<String> {
    if uuid::Uuid::parse_str(role).is_ok() {
        return Some(role.to_lowercase());
    }
    BUILT_IN_ROLES.iter().find(|(n, _)| n.eq_ignore_ascii_case(role.trim())).map(|(_, g)| g.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    pub role_definition_id: String,
    pub principal_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    pub properties: RoleAssignmentProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RoleAssignmentCreate {
    pub properties: RoleAssignmentProperties,
}
