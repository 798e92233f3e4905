//! `Microsoft.Authorization`: role assignments at subscription, resource-group and resource
//! scope (PUT/GET/LIST/DELETE, GUID names, `409 RoleAssignmentExists`), and the built-in role
//! definitions, listable and filterable by `roleName`. This is what `workspace share` creates;
//! nothing enforces it yet (DIFFERENCES.md).

use std::sync::Arc;

use serde_json::{json, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::arm::{filter, paging};
use crate::context::Ctx;
use crate::router::{Access, Route};
use crate::rp::resources::generic::require_group;
use crate::store::clock::arm_time;
use crate::store::{Body, Resource, State};

pub const ASSIGNMENT_TYPE: &str = "Microsoft.Authorization/roleAssignments";

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

const PROVIDER_SUFFIX: &str = "providers/Microsoft.Authorization";

pub fn routes() -> Vec<Route> {
    let mut out = Vec::new();
    // Patterns must be 'static; spell the four scope forms out.
    macro_rules! scoped {
        ($scope:literal) => {{
            let r = |method, pattern, operation, handler| Route {
                method,
                pattern,
                operation,
                access: Access::Arm,
                handler,
            };
            out.push(r(
                Method::Put,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Create",
                create as crate::router::Handler,
            ));
            out.push(r(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Get",
                get,
            ));
            out.push(r(
                Method::Delete,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
                "RoleAssignments_Delete",
                delete,
            ));
            out.push(r(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleAssignments"),
                "RoleAssignments_ListForScope",
                list,
            ));
            out.push(r(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions"),
                "RoleDefinitions_List",
                list_definitions,
            ));
            out.push(r(
                Method::Get,
                concat!($scope, "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}"),
                "RoleDefinitions_Get",
                get_definition,
            ));
        }};
    }
    scoped!("/subscriptions/{subscriptionId}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{ns}/{type}/{name}");
    scoped!("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{ns}/{type}/{name}/{childType}/{childName}");
    out.push(Route {
        method: Method::Get,
        pattern: "/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}",
        operation: "RoleDefinitions_GetById",
        access: Access::ArmTenant,
        handler: get_definition,
    });
    out
}

/// The scope path of a request: everything before `/providers/Microsoft.Authorization`.
fn scope_of(req: &ArmRequest) -> String {
    let mut segs = Vec::new();
    for (i, s) in req.segments.iter().enumerate() {
        if s.eq_ignore_ascii_case("providers")
            && req.segments.get(i + 1).is_some_and(|n| n.eq_ignore_ascii_case("Microsoft.Authorization"))
        {
            break;
        }
        segs.push(s.as_str());
    }
    format!("/{}", segs.join("/"))
}

/// The scope must exist: the group (404 ResourceGroupNotFound) and the resource (404 ResourceNotFound).
fn check_scope(ctx: &Ctx, req: &ArmRequest, scope: &str) -> ArmResult<()> {
    if let Ok(rg) = req.param("resourceGroupName") {
        let sub = req.param("subscriptionId")?;
        require_group(ctx, sub, rg)?;
        if req.param("ns").is_ok() {
            let exists = ctx.store.read(|s| s.resources.get(&scope.to_lowercase()).is_some_and(|r| r.is_live()));
            if !exists {
                let id = crate::arm::resource_id::ResourceId::parse(scope)?;
                return Err(ArmError::resource_not_found(&id.full_type(), id.name(), rg));
            }
        }
    }
    Ok(())
}

fn definition_json(sub: Option<&str>, role: &BuiltInRole) -> Value {
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
fn role_guid(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn find_role(guid: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES.iter().find(|r| r.0.eq_ignore_ascii_case(guid))
}

fn list_definitions(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
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

fn get_definition(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let guid = req.param("roleDefinitionId")?;
    let role = find_role(guid).ok_or_else(|| {
        ArmError::new(
            404,
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{guid}' does not exist."),
        )
    })?;
    Ok(ArmResponse::ok(definition_json(req.param("subscriptionId").ok(), role)))
}

fn assignment_key(scope: &str, name: &str) -> String {
    format!("{scope}/{PROVIDER_SUFFIX}/roleAssignments/{name}").to_lowercase()
}

fn create(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?.to_string();
    if uuid::Uuid::try_parse(&name).is_err() {
        return Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!("The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."),
        ));
    }
    let scope = scope_of(req);
    check_scope(ctx, req, &scope)?;
    let body = req.json_object()?;
    let props = body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let role_id = props
        .get("roleDefinitionId")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::bad_request("InvalidRoleDefinitionId", "The role definition ID '' is not valid."))?;
    let role = find_role(role_guid(role_id)).ok_or_else(|| {
        ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{}' does not exist.", role_guid(role_id)),
        )
    })?;
    let principal = props.get("principalId").and_then(Value::as_str).unwrap_or("");
    if uuid::Uuid::try_parse(principal).is_err() {
        return Err(ArmError::bad_request(
            "InvalidPrincipalId",
            format!("A valid principal ID must be provided for role assignment; '{principal}' is not one."),
        ));
    }
    let principal = principal.to_lowercase();
    let principal_type = props.get("principalType").and_then(Value::as_str).unwrap_or("User").to_string();
    let sub = req.param("subscriptionId")?.to_string();
    let rg = req.param("resourceGroupName").ok().map(String::from);
    let now = ctx.clock.now();
    let who = req.principal.as_ref().map(|p| p.object_id.clone()).unwrap_or_default();
    let id = format!("{scope}/{PROVIDER_SUFFIX}/roleAssignments/{name}");
    let key = assignment_key(&scope, &name);
    let role_def_id = format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}", role.0);
    let out = json!({
        "id": id,
        "type": ASSIGNMENT_TYPE,
        "name": name,
        "properties": {
            "roleDefinitionId": role_def_id,
            "principalId": principal,
            "principalType": principal_type,
            "scope": scope,
            "condition": props.get("condition").cloned().unwrap_or(Value::Null),
            "conditionVersion": props.get("conditionVersion").cloned().unwrap_or(Value::Null),
            "description": props.get("description").cloned().unwrap_or(Value::Null),
            "createdOn": arm_time(now),
            "updatedOn": arm_time(now),
            "createdBy": who,
            "updatedBy": who,
            "delegatedManagedIdentityResourceId": null,
        },
    });
    let scope_l = scope.to_lowercase();
    let created = ctx.store.write(|s: &mut State| -> ArmResult<bool> {
        let same = |r: &Resource| {
            let b = r.body.value();
            b.pointer("/properties/principalId").and_then(Value::as_str) == Some(principal.as_str())
                && b.pointer("/properties/roleDefinitionId").and_then(Value::as_str).map(role_guid) == Some(role.0)
                && b.pointer("/properties/scope").and_then(Value::as_str).map(str::to_lowercase).as_deref()
                    == Some(scope_l.as_str())
        };
        if let Some(existing) = s.resources.get(&key) {
            if same(existing) {
                return Ok(false);
            }
            return Err(ArmError::bad_request(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
        let prefix = format!("/subscriptions/{}/", sub.to_lowercase());
        if let Some(dup) = s.resources_under(&prefix).find(|r| &*r.resource_type == ASSIGNMENT_TYPE && same(r)) {
            return Err(ArmError::new(
                409,
                "RoleAssignmentExists",
                format!(
                    "The role assignment already exists. The ID of the existing role assignment is {}.",
                    dup.name.replace('-', "")
                ),
            ));
        }
        s.resources.insert(
            key.clone(),
            Arc::new(Resource {
                id: id.clone(),
                resource_type: ASSIGNMENT_TYPE.into(),
                name: name.clone(),
                subscription_id: sub.as_str().into(),
                resource_group: rg.as_deref().unwrap_or_default().into(),
                body: Body::new(&out),
                created_time: now,
                changed_time: now,
                soft_deleted: None,
                secrets: None,
            }),
        );
        Ok(true)
    })?;
    if created {
        return Ok(ArmResponse::created(out));
    }
    Ok(match ctx.store.read(|s| s.resources.get(&key).map(|r| r.body.bytes())) {
        Some(existing) => ArmResponse::raw_json(200, existing),
        None => ArmResponse::ok(out),
    })
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?;
    let scope = scope_of(req);
    check_scope(ctx, req, &scope)?;
    ctx.store
        .read(|s| s.resources.get(&assignment_key(&scope, name)).map(|r| r.body.bytes()))
        .map(|body| ArmResponse::raw_json(200, body))
        .ok_or_else(|| {
            ArmError::new(404, "RoleAssignmentNotFound", format!("The role assignment '{name}' is not found."))
        })
}

fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?;
    let scope = scope_of(req);
    check_scope(ctx, req, &scope)?;
    let removed = ctx.store.write(|s| s.resources.remove(&assignment_key(&scope, name)));
    Ok(match removed {
        Some(r) => ArmResponse::raw_json(200, r.body.bytes()),
        None => ArmResponse::empty(204),
    })
}

/// Assignments at the scope, above it (inherited) and below it; `atScope()` keeps only the
/// first two; `principalId eq '…'` and `assignedTo('…')` filter by principal.
fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let scope = scope_of(req);
    check_scope(ctx, req, &scope)?;
    let raw = req.query("$filter").unwrap_or("").trim().to_string();
    let at_scope = raw.to_ascii_lowercase().contains("atscope()");
    let principal = raw
        .split('\'')
        .nth(1)
        .filter(|_| raw.to_ascii_lowercase().contains("principalid") || raw.to_ascii_lowercase().contains("assignedto"))
        .map(str::to_lowercase);
    let sub = req.param("subscriptionId")?.to_lowercase();
    let scope_l = scope.to_lowercase();
    let sub_prefix = format!("/subscriptions/{sub}");
    let value = ctx.store.read(|s| {
        let shown = s.resources_under(&sub_prefix).filter(|r| &*r.resource_type == ASSIGNMENT_TYPE).filter(|r| {
            let b = r.body.value();
            let rs = b.pointer("/properties/scope").and_then(Value::as_str).unwrap_or("").to_lowercase();
            let above = scope_l == rs || scope_l.starts_with(&format!("{rs}/"));
            let below = rs.starts_with(&format!("{scope_l}/"));
            (above || (!at_scope && below))
                && principal
                    .as_ref()
                    .is_none_or(|p| b.pointer("/properties/principalId").and_then(Value::as_str) == Some(p.as_str()))
        });
        paging::collection(shown, |r, out| out.extend_from_slice(r.body.as_bytes()))
    });
    Ok(ArmResponse::raw_json(200, value))
}
