//! `role assignment create|list|delete`, as az 2.91's role module has them
//! (`azure/cli/command_modules/role/custom.py`): the scope from `--scope`, else `-g`, else the
//! subscription; a role by name, GUID or id; `create` prints the SDK model and, when the same
//! assignment exists already, the existing one (az's idempotent create); `list` prints az's flat
//! dictionaries (no null keys) with `roleDefinitionName`; `delete` removes every match or fails
//! with az's "No matched assignments were found to delete".
//!
//! `--assignee` is resolved and `principalName` filled through Microsoft Graph, as az does (the
//! emulator serves Graph); without Graph, `principalName` is left out and `list -o table`, whose
//! transformer reads it, fails as az's does.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::super::args::{AssignmentFilter, RoleAssignmentCmd};
use super::super::az_model::{as_az, py_isoformat, Model};
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;
use crate::models::{RoleAssignment, RoleAssignmentCreate, RoleAssignmentProperties};

const ASSIGNMENTS: &str = "/providers/Microsoft.Authorization/roleAssignments/";

/// az's `_build_role_scope`.
fn role_scope(rg: Option<&str>, scope: Option<&str>, sub: &str) -> Result<String, CliError> {
    match (scope, rg) {
        (Some(_), Some(rg)) => {
            Err(CliError::failed(format!("Resource group \"{rg}\" is redundant because scope is supplied")))
        }
        (Some(s), None) => {
            if s.to_ascii_lowercase().starts_with("/subscriptions/") && !valid_scope(s) {
                return Err(CliError::failed("Invalid scope. Please use --help to view the valid format."));
            }
            Ok(s.to_string())
        }
        (None, Some(rg)) => Ok(format!("/subscriptions/{sub}/resourceGroups/{rg}")),
        (None, None) => Ok(format!("/subscriptions/{sub}")),
    }
}

/// azure-mgmt-core's `is_valid_resource_id` for the scopes az accepts: a subscription, a
/// group, or a resource under a provider (name/type pairs).
fn valid_scope(s: &str) -> bool {
    let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
    match parts.len() {
        2 => !parts[1].is_empty(),
        4 => parts[2].eq_ignore_ascii_case("resourceGroups") && !parts[3].is_empty(),
        n => n >= 8 && n % 2 == 0 && parts[4].eq_ignore_ascii_case("providers") && parts.iter().all(|p| !p.is_empty()),
    }
}

/// az's `_resolve_role_id`: an id as given, a GUID under the subscription, else a name looked
/// up among the role definitions at the scope.
async fn role_id(client: &ArmClient, role: &str, scope: &str, sub: &str) -> Result<String, CliError> {
    let lower = role.to_ascii_lowercase();
    if lower.starts_with("/subscriptions/") && lower.contains("/providers/microsoft.authorization/roledefinitions/") {
        return Ok(role.to_string());
    }
    if uuid::Uuid::parse_str(role).is_ok() && role.len() == 36 {
        return Ok(format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"));
    }
    let filter = format!("roleName eq '{role}'");
    let defs = client.role_definitions().list(scope, Some(&filter)).collect_all().await?;
    match defs.as_slice() {
        [] => Err(CliError::failed(format!("Role '{role}' doesn't exist."))),
        [one] => Ok(one.get("id").and_then(Value::as_str).unwrap_or_default().to_string()),
        many => {
            let ids: Vec<&str> = many.iter().filter_map(|d| d.get("id").and_then(Value::as_str)).collect();
            Err(CliError::failed(format!(
                "More than one role matches the given name '{role}'. Please pick a value from '{ids:?}'"
            )))
        }
    }
}

/// `--assignee` as az's `_resolve_object_id_and_type` resolves it through Microsoft Graph: a
/// sign-in name as a user, then any name as a service principal name (an app id), then a GUID
/// as an object id Graph knows. When Graph cannot be asked, a GUID is taken as the object id
/// (with az's warnings).
async fn assignee_object_id(ctx: &Ctx, client: &ArmClient, assignee: &str) -> Result<String, CliError> {
    let graph = client.graph();
    let found: Result<Option<String>, crate::error::Error> = async {
        if assignee.contains('@') {
            if let Some(id) = graph.user_by_upn(assignee).await? {
                return Ok(Some(id));
            }
        }
        if let Some(id) = graph.service_principal_by_name(assignee).await? {
            return Ok(Some(id));
        }
        if uuid::Uuid::parse_str(assignee).is_ok() {
            let objects = graph.objects_by_ids(&[assignee.to_string()]).await?;
            return Ok(objects.first().and_then(|o| o.get("id")).and_then(Value::as_str).map(String::from));
        }
        Ok(None)
    }
    .await;
    match found {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(CliError::failed(format!("Cannot find user or service principal in graph database for '{assignee}'. If the assignee is an appId, make sure the corresponding service principal is created with 'az ad sp create --id {assignee}'."))),
        Err(e) => {
            ctx.warn(&format!("Failed to query {assignee} by invoking Graph API. If you don't have permission to query Graph API, please specify --assignee-object-id and --assignee-principal-type."));
            if uuid::Uuid::parse_str(assignee).is_ok() {
                ctx.warn(&format!("Assuming {assignee} as an object ID."));
                Ok(assignee.to_string())
            } else {
                Err(e.into())
            }
        }
    }
}

/// az's `_get_displayable_name`.
fn displayable_name(o: &Value) -> Value {
    if let Some(u) = o.get("userPrincipalName") {
        return u.clone();
    }
    if let Some(n) = o.pointer("/servicePrincipalNames/0") {
        return n.clone();
    }
    match o.get("displayName") {
        Some(Value::String(s)) => Value::String(s.clone()),
        _ => Value::String(String::new()),
    }
}

/// az's `_role_assignment_to_dict`: `id`, `name`, `type` and the flat properties that are set.
fn flat(ra: &RoleAssignment) -> Value {
    let mut out = Map::new();
    let wire = serde_json::to_value(ra).unwrap_or(Value::Null);
    for k in ["id", "name", "type"] {
        if let Some(v) = wire.get(k).filter(|v| !v.is_null()) {
            out.insert(k.into(), v.clone());
        }
    }
    for k in [
        "scope",
        "roleDefinitionId",
        "principalId",
        "principalType",
        "description",
        "condition",
        "conditionVersion",
        "createdOn",
        "updatedOn",
        "createdBy",
        "updatedBy",
        "delegatedManagedIdentityResourceId",
    ] {
        if let Some(v) = wire.pointer(&format!("/properties/{k}")).filter(|v| !v.is_null()) {
            let v = match (k, v) {
                ("createdOn" | "updatedOn", Value::String(t)) => {
                    py_isoformat(t).map(Value::String).unwrap_or(v.clone())
                }
                _ => v.clone(),
            };
            out.insert(k.into(), v);
        }
    }
    Value::Object(out)
}

/// az's `_search_role_assignments` with a scope (`atScope()`, then the scope itself unless
/// inherited ones are wanted) or, for `--all`, the whole subscription.
async fn search(
    client: &ArmClient,
    scope: Option<&str>,
    assignee: Option<&str>,
    role: Option<&str>,
    include_inherited: bool,
    sub: &str,
) -> Result<Vec<RoleAssignment>, CliError> {
    let sub_scope = format!("/subscriptions/{sub}");
    let mut all = match scope {
        Some(s) => client.role_assignments().list_for_scope(s, Some("atScope()")).collect_all().await?,
        None => client.role_assignments().list_for_scope(&sub_scope, None).collect_all().await?,
    };
    if let Some(s) = scope {
        all.retain(|ra| include_inherited || ra.properties.scope.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(s)));
    }
    if let Some(r) = role {
        let id = role_id(client, r, scope.unwrap_or(&sub_scope), sub).await?;
        all.retain(|ra| ra.properties.role_definition_id == id);
    }
    if let Some(a) = assignee {
        all.retain(|ra| ra.properties.principal_id == a);
    }
    Ok(all)
}

/// `roleDefinitionName` for each (az lists the definitions at the scope; a miss is null).
async fn with_role_names(client: &ArmClient, list: &[RoleAssignment], scope: &str) -> Result<Value, CliError> {
    let defs = client.role_definitions().list(scope, None).collect_all().await?;
    let names: HashMap<String, Value> = defs
        .iter()
        .filter_map(|d| {
            let id = d.get("id")?.as_str()?.to_string();
            Some((id, d.pointer("/properties/roleName").cloned().unwrap_or(Value::Null)))
        })
        .collect();
    // principalName from Microsoft Graph ('' for an id Graph does not know); when Graph cannot
    // be asked, az leaves the key out.
    let mut ids: Vec<String> = list.iter().map(|ra| ra.properties.principal_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let principals: Option<HashMap<String, Value>> = client.graph().objects_by_ids(&ids).await.ok().map(|objs| {
        objs.iter().filter_map(|o| Some((o.get("id")?.as_str()?.to_string(), displayable_name(o)))).collect()
    });
    Ok(Value::Array(
        list.iter()
            .map(|ra| {
                let mut v = flat(ra);
                let name = names.get(&ra.properties.role_definition_id).cloned().unwrap_or(Value::Null);
                v["roleDefinitionName"] = name;
                if let Some(p) = &principals {
                    v["principalName"] = p.get(&ra.properties.principal_id).cloned().unwrap_or(json!(""));
                }
                v
            })
            .collect(),
    ))
}

/// az's `transform_assignment_list` reads `principalName`, which only a Graph lookup fills.
fn assignment_table(v: &Value) -> Value {
    let rows = v.as_array().map(Vec::as_slice).unwrap_or_default();
    if rows.iter().any(|r| r.get("principalName").is_none()) {
        return Value::Null;
    }
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("Principal".into(), r["principalName"].clone());
                m.insert("Role".into(), r.get("roleDefinitionName").cloned().unwrap_or(Value::Null));
                m.insert("Scope".into(), r.get("scope").cloned().unwrap_or(Value::Null));
                Value::Object(m)
            })
            .collect(),
    )
}

pub async fn run(ctx: &Ctx, cmd: RoleAssignmentCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    let sub = client.subscription_id()?.to_string();
    match cmd {
        RoleAssignmentCmd::Create {
            role,
            assignee,
            assignee_object_id: object_id,
            assignee_principal_type,
            scope,
            description,
            name,
        } => {
            if assignee.is_some() == object_id.is_some() {
                return Err(CliError::failed("usage error: --assignee STRING | --assignee-object-id GUID"));
            }
            if assignee_principal_type.is_some() && object_id.is_none() {
                return Err(CliError::failed("usage error: --assignee-object-id GUID --assignee-principal-type TYPE"));
            }
            let principal = match (&assignee, &object_id) {
                (Some(a), _) => assignee_object_id(ctx, &client, a).await?,
                (None, Some(o)) => o.clone(),
                (None, None) => unreachable!("checked above"),
            };
            if object_id.is_some() && assignee_principal_type.is_none() {
                ctx.warn("RBAC service might reject creating role assignment without --assignee-principal-type in the future. Better to specify --assignee-principal-type manually.");
            }
            let scope = role_scope(None, Some(&scope), &sub)?;
            let role_definition_id = role_id(&client, &role, &scope, &sub).await?;
            let params = RoleAssignmentCreate {
                properties: RoleAssignmentProperties {
                    role_definition_id,
                    principal_id: principal.clone(),
                    principal_type: assignee_principal_type,
                    description,
                    ..Default::default()
                },
            };
            let name = name.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            match client.role_assignments().create(&scope, &name, &params).await {
                Ok(ra) => {
                    Ok(Output::Value(as_az(Model::RoleAssignment, &serde_json::to_value(ra).unwrap_or_default())))
                }
                // az's idempotent create: the existing assignment, as `list` prints it.
                Err(e) if e.code() == Some("RoleAssignmentExists") => {
                    let found = search(&client, Some(&scope), Some(&principal), Some(&role), false, &sub).await?;
                    let listed = with_role_names(&client, &found, &scope).await?;
                    match listed.get(0) {
                        Some(first) => Ok(Output::Value(first.clone())),
                        None => Err(e.into()),
                    }
                }
                Err(e) => Err(e.into()),
            }
        }
        RoleAssignmentCmd::List { filter, all } => {
            let AssignmentFilter {
                assignee,
                assignee_object_id: object_id,
                role,
                resource_group,
                scope,
                include_inherited,
            } = filter;
            if assignee.is_some() && object_id.is_some() {
                return Err(CliError::failed("Usage error: Provide only one of --assignee or --assignee-object-id."));
            }
            let scope = if all {
                if resource_group.is_some() || scope.is_some() {
                    return Err(CliError::failed("group or scope are not required when --all is used"));
                }
                None
            } else {
                let rg = if scope.is_some() { resource_group } else { ctx.group_opt(resource_group) };
                Some(role_scope(rg.as_deref(), scope.as_deref(), &sub)?)
            };
            let principal = match (assignee, object_id) {
                (Some(a), _) => Some(assignee_object_id(ctx, &client, &a).await?),
                (None, o) => o,
            };
            let found =
                search(&client, scope.as_deref(), principal.as_deref(), role.as_deref(), include_inherited, &sub)
                    .await?;
            if found.is_empty() {
                return Ok(Output::Table(Value::Array(Vec::new()), assignment_table));
            }
            let def_scope = scope.unwrap_or_else(|| format!("/subscriptions/{sub}"));
            Ok(Output::Table(with_role_names(&client, &found, &def_scope).await?, assignment_table))
        }
        RoleAssignmentCmd::Delete { filter, ids, yes: _ } => {
            let AssignmentFilter {
                assignee,
                assignee_object_id: object_id,
                role,
                resource_group,
                scope,
                include_inherited,
            } = filter;
            if ids.is_empty()
                && assignee.is_none()
                && object_id.is_none()
                && role.is_none()
                && resource_group.is_none()
                && scope.is_none()
            {
                // az's ArgumentUsageError: a user fault, exit 1 (only argparse's own errors are 2).
                return Err(CliError::failed(
                    "Please provide at least one of these arguments: --ids, --assignee, --assignee-object-id, --role, --resource-group, --scope",
                ));
            }
            if assignee.is_some() && object_id.is_some() {
                return Err(CliError::failed("Usage error: Provide only one of --assignee or --assignee-object-id."));
            }
            if !ids.is_empty() {
                for (flag, set) in [
                    ("--assignee", assignee.is_some()),
                    ("--role", role.is_some()),
                    ("--resource-group", resource_group.is_some()),
                    ("--scope", scope.is_some()),
                    ("--include-inherited", include_inherited),
                ] {
                    if set {
                        ctx.warn(&format!("option '{flag}' will be ignored due to use of '--ids'."));
                    }
                }
                for id in &ids {
                    let Some(at) = id.to_ascii_lowercase().find(&ASSIGNMENTS.to_ascii_lowercase()) else {
                        return Err(CliError::failed(format!("'{id}' is not a role assignment id")));
                    };
                    client.role_assignments().delete(&id[..at], &id[at + ASSIGNMENTS.len()..]).await?;
                }
                return Ok(Output::Nothing);
            }
            let scope = role_scope(resource_group.as_deref(), scope.as_deref(), &sub)?;
            let principal = match (assignee, object_id) {
                (Some(a), _) => Some(assignee_object_id(ctx, &client, &a).await?),
                (None, o) => o,
            };
            let found =
                search(&client, Some(&scope), principal.as_deref(), role.as_deref(), include_inherited, &sub).await?;
            if found.is_empty() {
                return Err(CliError::failed("No matched assignments were found to delete"));
            }
            for ra in found {
                let id = ra.id.unwrap_or_default();
                let Some(at) = id.to_ascii_lowercase().find(&ASSIGNMENTS.to_ascii_lowercase()) else { continue };
                client.role_assignments().delete(&id[..at], &id[at + ASSIGNMENTS.len()..]).await?;
            }
            Ok(Output::Nothing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_as_az_builds_them() {
        assert_eq!(role_scope(None, None, "s").unwrap(), "/subscriptions/s");
        assert_eq!(role_scope(Some("rg"), None, "s").unwrap(), "/subscriptions/s/resourceGroups/rg");
        assert_eq!(
            role_scope(None, Some("/subscriptions/s/resourceGroups/rg"), "s").unwrap(),
            "/subscriptions/s/resourceGroups/rg"
        );
        assert_eq!(role_scope(Some("rg"), Some("/subscriptions/s"), "s").unwrap_err().exit, 1);
        assert_eq!(role_scope(None, Some("/subscriptions/s/resourceGroups"), "s").unwrap_err().exit, 1);
        assert!(valid_scope("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"));
        assert!(!valid_scope("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage"));
    }
}
