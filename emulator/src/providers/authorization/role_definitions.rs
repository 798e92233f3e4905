//! Role definitions: the built-in roles with their real ids and permissions, and custom roles
//! (`PUT …/roleDefinitions/{guid}`) kept as records at their subscription. Both are listable
//! and filterable by `roleName` and `type`, and both are what assignments grant.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::model::time::arm_time;
use crate::protocol::{filter, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::Ctx;
use crate::store::{Change, Resource, State};

pub const DEFINITION_TYPE: &str = "Microsoft.Authorization/roleDefinitions";

/// A built-in role as Azure defines it (ids and permissions from Azure's built-in roles list).
pub struct BuiltInRole {
    pub guid: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
    pub not_data_actions: &'static [&'static str],
}

pub const BUILT_IN_ROLES: &[BuiltInRole] = &[
    BuiltInRole {
        guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        name: "Owner",
        description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
        actions: &["*"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
        name: "Contributor",
        description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
        actions: &["*"],
        not_actions: &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action",
        ],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        name: "Reader",
        description: "View all resources, but does not allow you to make any changes.",
        actions: &["*/read"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        name: "User Access Administrator",
        description: "Lets you manage user access to Azure resources.",
        actions: &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
        name: "AzureML Data Scientist",
        description: "Can perform all actions within an Azure Machine Learning workspace, except for creating or deleting compute resources and modifying the workspace itself.",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/*/read",
            "Microsoft.MachineLearningServices/workspaces/*/action",
            "Microsoft.MachineLearningServices/workspaces/*/delete",
            "Microsoft.MachineLearningServices/workspaces/*/write",
        ],
        not_actions: &[
            "Microsoft.MachineLearningServices/workspaces/delete",
            "Microsoft.MachineLearningServices/workspaces/write",
            "Microsoft.MachineLearningServices/workspaces/computes/*/write",
            "Microsoft.MachineLearningServices/workspaces/computes/*/delete",
            "Microsoft.Authorization/*",
            "Microsoft.MachineLearningServices/workspaces/computes/listKeys/action",
            "Microsoft.MachineLearningServices/workspaces/listKeys/action",
            "Microsoft.MachineLearningServices/workspaces/hubs/write",
            "Microsoft.MachineLearningServices/workspaces/hubs/delete",
            "Microsoft.MachineLearningServices/workspaces/featurestores/write",
            "Microsoft.MachineLearningServices/workspaces/featurestores/delete",
        ],
        data_actions: &["Microsoft.MachineLearningServices/workspaces/*"],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
        name: "AzureML Compute Operator",
        description: "Can access and perform CRUD operations on Machine Learning Services managed compute resources (including Notebook VMs).",
        actions: &[
            "Microsoft.MachineLearningServices/workspaces/computes/*/read",
            "Microsoft.MachineLearningServices/workspaces/computes/*/write",
            "Microsoft.MachineLearningServices/workspaces/computes/*/delete",
            "Microsoft.MachineLearningServices/workspaces/computes/*/action",
            "Microsoft.MachineLearningServices/workspaces/notebooks/vm/*/read",
            "Microsoft.MachineLearningServices/workspaces/notebooks/vm/*/write",
            "Microsoft.MachineLearningServices/workspaces/notebooks/vm/*/delete",
        ],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "1823dd4f-9b8c-4ab6-ab4e-7397a3684615",
        name: "AzureML Registry User",
        description: "Allows use of assets in an Azure Machine Learning registry.",
        actions: &[
            "Microsoft.MachineLearningServices/registries/read",
            "Microsoft.MachineLearningServices/registries/assets/read",
            "Microsoft.MachineLearningServices/registries/assets/write",
            "Microsoft.MachineLearningServices/registries/assets/delete",
        ],
        not_actions: &[],
        data_actions: &[],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        name: "Storage Blob Data Owner",
        description: "Provides full access to Azure Storage blob containers and data, including assigning POSIX access control.",
        actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/*",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        not_actions: &[],
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        name: "Storage Blob Data Contributor",
        description: "Read, write, and delete Azure Storage containers and blobs.",
        actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        not_actions: &[],
        data_actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
        ],
        not_data_actions: &[],
    },
    BuiltInRole {
        guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        name: "Storage Blob Data Reader",
        description: "Read and list Azure Storage containers and blobs.",
        actions: &[
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
        ],
        not_actions: &[],
        data_actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        not_data_actions: &[],
    },
];

/// One permission block of a role: what it allows minus what it excludes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permission {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

impl Permission {
    /// Whether the block allows the control-plane `action` (ARM's rule: a matching action and no
    /// matching notAction in the same block).
    pub fn allows(&self, action: &str) -> bool {
        self.actions.iter().any(|p| wildcard_match(p, action))
            && !self.not_actions.iter().any(|p| wildcard_match(p, action))
    }

    pub fn to_json(&self) -> Value {
        json!({
            "actions": self.actions,
            "notActions": self.not_actions,
            "dataActions": self.data_actions,
            "notDataActions": self.not_data_actions,
        })
    }

    fn from_json(v: &Value) -> Permission {
        let list = |k: &str| -> Vec<String> {
            v.get(k)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default()
        };
        Permission {
            actions: list("actions"),
            not_actions: list("notActions"),
            data_actions: list("dataActions"),
            not_data_actions: list("notDataActions"),
        }
    }
}

/// A role definition as assignments use it, built-in or custom.
#[derive(Debug, Clone)]
pub struct Role {
    pub guid: String,
    pub name: String,
    pub permissions: Vec<Permission>,
    /// Lower-cased; `/` for the built-in roles.
    pub assignable_scopes: Vec<String>,
    pub built_in: bool,
}

impl Role {
    /// Whether the role may be assigned at `scope` (lower-cased): at or below one of its
    /// assignable scopes.
    pub fn assignable_at(&self, scope: &str) -> bool {
        self.assignable_scopes.iter().any(|a| scope_covers(a, scope))
    }
}

/// ARM's action patterns: `*` matches any run of characters (`*`, `*/read`,
/// `Microsoft.MachineLearningServices/*`, `Microsoft.Authorization/*/Write`), case-insensitively.
pub fn wildcard_match(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut pi, mut ai) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&a[ai]) {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether an assignment (or assignable scope) at `outer` reaches `inner`: the same scope or
/// one below it, segment-wise, case-insensitively; `/` reaches everything.
pub fn scope_covers(outer: &str, inner: &str) -> bool {
    let outer = outer.trim_end_matches('/');
    outer.is_empty()
        || (inner.len() >= outer.len()
            && inner.as_bytes()[..outer.len()].eq_ignore_ascii_case(outer.as_bytes())
            && (inner.len() == outer.len() || inner.as_bytes()[outer.len()] == b'/'))
}

fn built_in_role(r: &BuiltInRole) -> Role {
    let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Role {
        guid: r.guid.to_string(),
        name: r.name.to_string(),
        permissions: vec![Permission {
            actions: v(r.actions),
            not_actions: v(r.not_actions),
            data_actions: v(r.data_actions),
            not_data_actions: v(r.not_data_actions),
        }],
        assignable_scopes: vec!["/".into()],
        built_in: true,
    }
}

fn custom_role(r: &Resource) -> Role {
    let b = r.body.value();
    let perms = b.pointer("/properties/permissions").and_then(Value::as_array).cloned().unwrap_or_default();
    let scopes = b.pointer("/properties/assignableScopes").and_then(Value::as_array).cloned().unwrap_or_default();
    Role {
        guid: r.name.to_lowercase(),
        name: b.pointer("/properties/roleName").and_then(Value::as_str).unwrap_or_default().to_string(),
        permissions: perms.iter().map(Permission::from_json).collect(),
        assignable_scopes: scopes.iter().filter_map(Value::as_str).map(str::to_lowercase).collect(),
        built_in: false,
    }
}

/// The key a custom role of `sub` is kept under.
fn custom_key(sub: &str, guid: &str) -> String {
    format!("/subscriptions/{sub}/providers/{DEFINITION_TYPE}/{guid}").to_lowercase()
}

/// The role `guid` names for subscription `sub`: a built-in role, or a custom role of `sub`.
pub fn resolve(s: &State, sub: &str, guid: &str) -> Option<Role> {
    if let Some(b) = find_role(guid) {
        return Some(built_in_role(b));
    }
    s.resource(&custom_key(sub, guid)).map(|r| custom_role(r))
}

/// The GUID at the end of a role-definition id (or the GUID itself).
pub fn role_guid(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

pub fn find_role(guid: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES.iter().find(|r| r.guid.eq_ignore_ascii_case(guid))
}

pub fn definition_json(sub: Option<&str>, role: &BuiltInRole) -> Value {
    let guid = role.guid;
    let perm = built_in_role(role).permissions[0].to_json();
    json!({
        "id": match sub { Some(s) => format!("/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}"), None => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}") },
        "name": guid,
        "type": DEFINITION_TYPE,
        "properties": {
            "roleName": role.name,
            "type": "BuiltInRole",
            "description": role.description,
            "assignableScopes": ["/"],
            "permissions": [perm],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": null,
            "updatedBy": null,
        },
    })
}

pub fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId").ok();
    let f = match req.query("$filter") {
        Some(t) => filter::parse(t, &["roleName", "type"])?,
        None => filter::Filter::default(),
    };
    let name_ok = |n: &str| f.eq("roleName").is_none_or(|want| want.eq_ignore_ascii_case(n));
    let type_ok = |t: &str| f.eq("type").is_none_or(|want| want.eq_ignore_ascii_case(t));
    let mut value: Vec<Value> = BUILT_IN_ROLES
        .iter()
        .filter(|r| name_ok(r.name) && type_ok("BuiltInRole"))
        .map(|r| definition_json(sub, r))
        .collect();
    if let Some(sub) = sub {
        let prefix = format!("/subscriptions/{sub}/providers/{DEFINITION_TYPE}/").to_lowercase();
        ctx.store().read(|s| {
            for r in s.resources_under(&prefix) {
                let role = custom_role(r);
                if name_ok(&role.name) && type_ok("CustomRole") {
                    value.push(r.body.value());
                }
            }
        });
    }
    Ok(ArmResponse::ok(json!({ "value": value })))
}

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let guid = req.param("roleDefinitionId")?;
    let sub = req.param("subscriptionId").ok();
    if let Some(role) = find_role(guid) {
        return Ok(ArmResponse::ok(definition_json(sub, role)));
    }
    let custom = sub.and_then(|sub| ctx.store().read(|s| s.resource(&custom_key(sub, guid)).map(|r| r.body.bytes())));
    custom.map(|b| ArmResponse::raw_json(200, b)).ok_or_else(|| ArmError::role_definition_does_not_exist(guid, 404))
}

/// `PUT {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`: a custom role. Its
/// `assignableScopes` must lie in this subscription; its name is unique in the subscription.
pub fn create(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let guid = req.param("roleDefinitionId")?.to_string();
    if uuid::Uuid::try_parse(&guid).is_err() {
        return Err(ArmError::invalid_role_definition(&format!("the role definition id '{guid}' is not a GUID.")));
    }
    if find_role(&guid).is_some() {
        return Err(ArmError::role_definition_not_updatable(&guid));
    }
    let sub = req.param("subscriptionId")?.to_string();
    let now = ctx.now();
    let who = req.caller().map(|p| p.object_id.clone()).unwrap_or_default();
    let body = req.json_object()?;
    let props = body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let name = props.get("roleName").and_then(Value::as_str).filter(|n| !n.trim().is_empty());
    let name = name.ok_or_else(|| ArmError::invalid_role_definition("'roleName' is required."))?.to_string();
    let perms = props.get("permissions").and_then(Value::as_array).cloned().unwrap_or_default();
    if perms.is_empty() || perms.iter().any(|p| !p.is_object()) {
        return Err(ArmError::invalid_role_definition("'permissions' must be a non-empty array of objects."));
    }
    let scopes: Vec<String> = props
        .get("assignableScopes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default();
    let sub_scope = format!("/subscriptions/{sub}");
    if scopes.is_empty() || scopes.iter().any(|s| !scope_covers(&sub_scope, s)) {
        return Err(ArmError::invalid_role_definition(&format!(
            "'assignableScopes' must be a non-empty list of scopes in the subscription '{sub}'."
        )));
    }
    let permissions: Vec<Value> = perms.iter().map(|p| Permission::from_json(p).to_json()).collect();
    let id = format!("/subscriptions/{sub}/providers/{DEFINITION_TYPE}/{guid}");
    ctx.store().commit(|s: &State| {
        let key = custom_key(&sub, &guid);
        let prefix = format!("/subscriptions/{sub}/providers/{DEFINITION_TYPE}/").to_lowercase();
        if s.resources_under(&prefix)
            .any(|r| r.id.to_lowercase() != key && custom_role(r).name.eq_ignore_ascii_case(&name))
            || BUILT_IN_ROLES.iter().any(|r| r.name.eq_ignore_ascii_case(&name))
        {
            return Err(ArmError::role_definition_with_same_name_exists());
        }
        let existing = s.resource(&key).cloned();
        let created = existing.as_ref().map(|r| r.created_time).unwrap_or(now);
        let out = json!({
            "id": id,
            "type": DEFINITION_TYPE,
            "name": guid,
            "properties": {
                "roleName": name,
                "type": "CustomRole",
                "description": props.get("description").cloned().unwrap_or(Value::Null),
                "assignableScopes": scopes,
                "permissions": permissions,
                "createdOn": arm_time(created),
                "updatedOn": arm_time(now),
                "createdBy": who,
                "updatedBy": who,
            },
        });
        let r = Resource {
            id: id.clone(),
            resource_type: DEFINITION_TYPE.into(),
            name: guid.clone(),
            subscription_id: sub.as_str().into(),
            resource_group: "".into(),
            body: out.clone().into(),
            created_time: created,
            changed_time: now,
            soft_deleted: None,
            secrets: None,
        };
        Ok((vec![Change::PutResource { resource: Arc::new(r) }], ArmResponse::created(out)))
    })
}

/// `DELETE …/roleDefinitions/{guid}`: a custom role (200 with it, 204 when absent; 409 while
/// an assignment still grants it).
pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let guid = req.param("roleDefinitionId")?.to_string();
    if find_role(&guid).is_some() {
        return Err(ArmError::role_definition_not_updatable(&guid));
    }
    let sub = req.param("subscriptionId")?.to_string();
    ctx.store().commit(|s: &State| {
        let Some(r) = s.resource(&custom_key(&sub, &guid)) else { return Ok((Vec::new(), ArmResponse::empty(204))) };
        // A rare write: scanning the subscription's records for assignments of the role is fine.
        let assigned = s.resources_under(&crate::model::ids::subscription_prefix(&sub)).any(|a| {
            a.resource_type.eq_ignore_ascii_case(super::role_assignments::ASSIGNMENT_TYPE)
                && a.body
                    .string("/properties/roleDefinitionId")
                    .is_some_and(|d| role_guid(&d).eq_ignore_ascii_case(&guid))
        });
        if assigned {
            return Err(ArmError::role_definition_has_assignments());
        }
        Ok((vec![Change::RemoveResource { id: r.id.clone() }], ArmResponse::raw_json(200, r.body.bytes())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_arm_does() {
        assert!(wildcard_match("*", "Microsoft.Resources/subscriptions/resourceGroups/write"));
        assert!(wildcard_match("*/read", "Microsoft.MachineLearningServices/workspaces/read"));
        assert!(!wildcard_match("*/read", "Microsoft.MachineLearningServices/workspaces/write"));
        assert!(wildcard_match("Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write"));
        assert!(wildcard_match(
            "Microsoft.MachineLearningServices/workspaces/*/read",
            "Microsoft.MachineLearningServices/workspaces/environments/versions/read"
        ));
        assert!(!wildcard_match(
            "Microsoft.MachineLearningServices/workspaces/*/read",
            "Microsoft.MachineLearningServices/workspaces/read"
        ));
        assert!(!wildcard_match("Microsoft.Storage/*", "Microsoft.StorageSync/x/read"));
    }

    #[test]
    fn scopes_cover_segment_wise() {
        assert!(scope_covers("/subscriptions/a", "/subscriptions/A/resourceGroups/rg"));
        assert!(!scope_covers("/subscriptions/a/resourceGroups/rg", "/subscriptions/a/resourceGroups/rg2"));
        assert!(scope_covers("/", "/subscriptions/a"));
    }

    #[test]
    fn contributor_cannot_write_role_assignments() {
        let c = built_in_role(find_role("b24988ac-6180-42a0-ab88-20f7382dd24c").unwrap());
        assert!(c.permissions[0].allows("Microsoft.MachineLearningServices/workspaces/write"));
        assert!(!c.permissions[0].allows("Microsoft.Authorization/roleAssignments/write"));
        assert!(c.permissions[0].allows("Microsoft.Authorization/roleAssignments/read"));
    }
}
