//! `Microsoft.MachineLearningServices/workspaces`: create/update (200, never 201), get, PATCH,
//! delete with soft delete and purge, lists by group and subscription (`$skip` paging),
//! `listKeys`, `resyncKeys`, `listNotebookAccessToken`, private endpoint connections, the
//! emulator's list of soft-deleted workspaces, and the discovery document `discoveryUrl`
//! points at.
//!
//! The documented rules live here: dependent resources are created (storage, key vault,
//! Application Insights; the registry only lazily) or validated when given; `hbiWorkspace`,
//! `storageAccount` and `keyVault` are fixed at creation; a customer-managed key needs
//! `Microsoft.DocumentDB` and `Microsoft.Search` and gets a `<rg>_<GUID>` group with a
//! Cosmos DB account; a managed network needs `Microsoft.Network`; soft-deleted workspaces
//! keep their name reserved until purged or the retention (1–14 days, emulator clock) ends.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::lro::{self, Done, Lro, LroHeaders, LroMode};
use crate::arm::paging;
use crate::arm::request::{optional_object, optional_str, ArmRequest, Method};
use crate::arm::resource_id::{self, ResourceId};
use crate::arm::response::ArmResponse;
use crate::context::Ctx;
use crate::router::{Access, Route};
use crate::rp::catalog;
use crate::rp::resources::generic::{
    build_tracked, require_group, system_data, tenant_of, write_preconditions, BuildCx,
};
use crate::rp::resources::groups::parse_tags;
use crate::rp::resources::providers::observe;
use crate::store::clock::arm_time;
use crate::store::{Body, RegistrationState, Resource, ResourceGroup, SoftDeleted, State};

pub const NS: &str = "Microsoft.MachineLearningServices";
pub const TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
const WS: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}";
const WS_LIST: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces";
const SOFT_DELETE_MESSAGE: &str =
    "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete";
pub const DEFAULT_RETENTION_DAYS: i64 = 14;

pub fn routes() -> Vec<Route> {
    let r = |method, pattern, operation, handler| Route { method, pattern, operation, access: Access::Arm, handler };
    vec![
        r(Method::Put, WS, "Workspaces_CreateOrUpdate", create_or_update),
        r(Method::Get, WS, "Workspaces_Get", get),
        r(Method::Patch, WS, "Workspaces_Update", update),
        r(Method::Delete, WS, "Workspaces_Delete", delete),
        r(Method::Get, WS_LIST, "Workspaces_ListByResourceGroup", list_by_resource_group),
        r(Method::Get, "/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/workspaces", "Workspaces_ListBySubscription", list_by_subscription),
        r(Method::Post, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/listKeys", "Workspaces_ListKeys", list_keys),
        r(Method::Post, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/resyncKeys", "Workspaces_ResyncKeys", resync_keys),
        r(Method::Post, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/listNotebookAccessToken", "Workspaces_ListNotebookAccessToken", list_notebook_access_token),
        r(Method::Get, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections", "PrivateEndpointConnections_List", list_private_endpoint_connections),
        r(Method::Put, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections/{connectionName}", "PrivateEndpointConnections_CreateOrUpdate", put_private_endpoint_connection),
        r(Method::Get, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections/{connectionName}", "PrivateEndpointConnections_Get", get_private_endpoint_connection),
        r(Method::Delete, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/privateEndpointConnections/{connectionName}", "PrivateEndpointConnections_Delete", delete_private_endpoint_connection),
        r(Method::Get, "/subscriptions/{subscriptionId}/providers/Microsoft.MachineLearningServices/deletedWorkspaces", "Emulator_DeletedWorkspaces_ListBySubscription", list_deleted_by_subscription),
        r(Method::Get, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/deletedWorkspaces", "Emulator_DeletedWorkspaces_ListByResourceGroup", list_deleted_by_resource_group),
        Route { method: Method::Get, pattern: "/discovery", operation: "Workspaces_Discovery", access: Access::Open, handler: discovery },
    ]
}

// ---------- helpers ----------

fn validation(message: impl Into<String>) -> ArmError {
    ArmError::new(400, "ValidationError", message)
}

/// `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`
pub fn valid_name(n: &str) -> bool {
    let b = n.as_bytes();
    (3..=33).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
}

fn ws_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    Ok(ResourceId::new(
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        NS,
        vec![("workspaces".into(), req.param("workspaceName")?.to_string())],
    ))
}

fn not_found(id: &ResourceId) -> ArmError {
    ArmError::resource_not_found(TYPE, id.name(), &id.resource_group)
}

fn is_workspace(r: &Resource) -> bool {
    r.resource_type.eq_ignore_ascii_case(TYPE)
}

/// Drops a soft-deleted workspace whose retention has ended; true if `key` was one.
fn expire(s: &mut State, key: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let expired = s.resources.get(key).and_then(|r| r.soft_deleted.as_ref()).is_some_and(|d| d.purge_at <= now);
    if expired {
        s.remove_resource_tree(key);
    }
    expired
}

fn live(s: &State, key: &str) -> Option<Arc<Resource>> {
    s.resources.get(key).filter(|r| r.is_live()).cloned()
}

fn registered(ctx: &Ctx, s: &mut State, sub: &str, ns: &str) -> ArmResult<()> {
    let p = catalog::provider(ns).ok_or_else(|| ArmError::invalid_resource_namespace(ns))?;
    if observe(ctx, s, sub, p) != RegistrationState::Registered {
        return Err(ArmError::missing_subscription_registration(p.namespace));
    }
    Ok(())
}

fn props_of(body: &Map<String, Value>) -> ArmResult<Map<String, Value>> {
    optional_object(body, "properties")
}

/// A string property; an empty string counts as absent.
fn str_prop<'a>(props: &'a Map<String, Value>, key: &str) -> ArmResult<Option<&'a str>> {
    Ok(optional_str(props, "properties.", key)?.filter(|s| !s.is_empty()))
}

fn bool_prop(props: &Map<String, Value>, key: &str) -> ArmResult<Option<bool>> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => {
            Err(ArmError::invalid_request_content(format!("'properties.{key}' must be a boolean, found {other}")))
        }
    }
}

fn public_network_access(v: &str) -> ArmResult<&'static str> {
    match v.to_ascii_lowercase().as_str() {
        "enabled" => Ok("Enabled"),
        "disabled" => Ok("Disabled"),
        _ => Err(validation(format!("'publicNetworkAccess' must be 'Enabled' or 'Disabled', not '{v}'."))),
    }
}

fn retention(props: &Map<String, Value>) -> ArmResult<Option<i64>> {
    match props.get("softDeleteRetentionInDays") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(d) if (1..=14).contains(&d) => Ok(Some(d)),
            _ => Err(validation(format!(
                "'softDeleteRetentionInDays' must be a whole number of days from 1 to 14, not {v}."
            ))),
        },
    }
}

/// The short, lower-case alphanumeric prefix the service builds dependent names from.
fn name_stem(ws: &str) -> String {
    ws.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(char::to_lowercase).take(8).collect()
}

/// A dependent given by id: it must exist, be of the expected type, and (in another
/// subscription) that subscription must have the ML provider registered.
fn resolve_dependent(
    ctx: &Ctx,
    s: &mut State,
    ws: &ResourceId,
    role: &str,
    id_text: &str,
    expected: &str,
) -> ArmResult<Arc<Resource>> {
    let id = ResourceId::parse(id_text)
        .map_err(|_| validation(format!("The {role} id '{id_text}' is not a valid Azure resource id.")))?;
    if !id.full_type().eq_ignore_ascii_case(expected) {
        return Err(validation(format!(
            "The {role} '{id_text}' must be a resource of type '{expected}', not '{}'.",
            id.full_type()
        )));
    }
    if !id.subscription.eq_ignore_ascii_case(&ws.subscription) {
        if s.subscription(&id.subscription).is_none() {
            return Err(validation(format!(
                "The {role} '{id_text}' is in subscription '{}', which could not be found.",
                id.subscription
            )));
        }
        registered(ctx, s, &id.subscription, NS)?;
    }
    live(s, &id.key()).ok_or_else(|| validation(format!("The {role} '{id_text}' could not be found. Create it first, or leave it out to have the workspace create one.")))
}

fn check_storage(r: &Resource) -> ArmResult<()> {
    let body = r.body.value();
    let sku = body.pointer("/sku/name").and_then(Value::as_str).unwrap_or("");
    if sku.eq_ignore_ascii_case("Premium_LRS") || sku.eq_ignore_ascii_case("Premium_GRS") {
        return Err(validation(format!("The storage account '{}' has SKU '{sku}'. A premium storage account (Premium_LRS, Premium_GRS) cannot be the default storage account of a workspace.", r.id)));
    }
    if body.pointer("/properties/isHnsEnabled").and_then(Value::as_bool).unwrap_or(false) {
        return Err(validation(format!("The storage account '{}' has a hierarchical namespace (Azure Data Lake Storage Gen2) enabled, which the default storage account of a workspace cannot have.", r.id)));
    }
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("StorageV2");
    let (blob, file) = crate::rp::dependents::storage_services(kind);
    if !(blob && file) {
        return Err(validation(format!("The storage account '{}' of kind '{kind}' does not have both Azure Blob and Azure File enabled, which the default storage account of a workspace requires.", r.id)));
    }
    Ok(())
}

fn check_registry(r: &Resource) -> ArmResult<()> {
    if !r.body.pointer("/properties/adminUserEnabled").and_then(|v| v.as_bool()).unwrap_or(false) {
        return Err(validation(format!("The container registry '{}' does not have the admin user enabled. Enable the admin account (az acr update --admin-enabled true) before using it with an Azure Machine Learning workspace.", r.id)));
    }
    if !r.resource_group.is_ascii() {
        return Err(validation(format!("The container registry '{}' is in resource group '{}', whose name contains non-ASCII characters. Azure Machine Learning cannot use a container registry in such a resource group.", r.id, r.resource_group)));
    }
    Ok(())
}

/// Creates a dependent resource of `full_type` named `name` in the workspace's group.
#[allow(clippy::too_many_arguments)]
fn create_dependent(
    ctx: &Ctx,
    s: &mut State,
    ws: &ResourceId,
    group: &ResourceGroup,
    full_type: &str,
    name: String,
    body: Value,
    who: Option<&crate::identity::Principal>,
    now: chrono::DateTime<chrono::Utc>,
) -> ArmResult<Arc<Resource>> {
    let (ns, ty) = full_type.split_once('/').unwrap_or((full_type, ""));
    registered(ctx, s, &ws.subscription, ns)?;
    let provider = catalog::provider(ns).ok_or_else(|| ArmError::invalid_resource_namespace(ns))?;
    let info = provider.resource_type(ty).ok_or_else(|| ArmError::invalid_resource_type(ns, ty, ""))?;
    let id = ResourceId::new(&ws.subscription, &group.name, provider.namespace, vec![(info.name.to_string(), name)]);
    let tenant = tenant_of(s, &ws.subscription);
    let b = BuildCx { ctx, id: &id, provider, info, group_name: &group.name, tenant_id: &tenant, principal: who, now };
    let body = body.as_object().cloned().unwrap_or_default();
    let r = Arc::new(build_tracked(&b, None, &body)?);
    s.resources.insert(id.key(), r.clone());
    Ok(r)
}

/// `Value::pointer` for a map.
fn ptr<'a>(m: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let first = m.get(parts.next()?)?;
    match parts.next() {
        None => Some(first),
        Some(rest) => first.pointer(&format!("/{rest}")),
    }
}

fn lower(id: &str) -> Value {
    json!(id.to_lowercase())
}

// ---------- create / update ----------

fn create_or_update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let body = req.json_object()?;
    let props = props_of(&body)?;
    let key = id.key();
    let now = ctx.clock.now();
    let location = optional_str(&body, "", "location")?
        .map(String::from)
        .or_else(|| ctx.store.read(|s| s.resources.get(&key).and_then(|r| r.body.string("/location"))))
        .ok_or_else(ArmError::location_required)?;
    write_preconditions(ctx, req, &id, Some(&location))?;
    // The name rule is the provider's own check: ARM's registration, location and group
    // checks (reference §2.6) answer first.
    if !valid_name(id.name()) {
        return Err(validation(format!("Workspace name '{}' is invalid. It must be 3 to 33 characters long, start with a letter or digit, and contain only letters, digits, '-' and '_'.", id.name())));
    }
    let location = catalog::region(&location).map(|r| r.name).unwrap_or("").to_string();
    let recover = match props.get("allowRecoverSoftDeletedWorkspace") {
        Some(Value::String(v)) => v.eq_ignore_ascii_case("true"),
        Some(Value::Bool(b)) => *b,
        _ => false,
    };
    let https = ctx.endpoints.read().https.clone();
    let (created, stored) = ctx.store.write(|s| -> ArmResult<(bool, Arc<Resource>)> {
        expire(s, &key, now);
        match s.resources.get(&key).cloned() {
            Some(r) if r.soft_deleted.is_some() => {
                if !recover {
                    return Err(ArmError::new(400, "BadRequest", SOFT_DELETE_MESSAGE));
                }
                let tags = parse_tags(&body)?;
                let mut restored = (*r).clone();
                restored.soft_deleted = None;
                restored.changed_time = now;
                restored.body.edit(|v| {
                    let stamp = system_data(req.principal.as_ref(), now, Some(v));
                    v["systemData"] = stamp;
                    if let Some(t) = tags {
                        v["tags"] = json!(t);
                    }
                });
                let restored = Arc::new(restored);
                s.resources.insert(key.clone(), restored.clone());
                Ok((false, restored))
            }
            Some(r) => {
                crate::arm::check_preconditions(req, Some(None))?;
                let updated = Arc::new(apply_update(ctx, s, req, &r, &body, &props, true, now)?);
                s.resources.insert(key.clone(), updated.clone());
                Ok((false, updated))
            }
            None => {
                crate::arm::check_preconditions(req, None)?;
                let r = Arc::new(create(ctx, s, req, &id, &location, &body, &props, &https, now)?);
                s.resources.insert(key.clone(), r.clone());
                Ok((true, r))
            }
        }
    })?;
    let kind = if created { "workspaces/create" } else { "workspaces/update" };
    Ok(finish_write(ctx, req, &id, &location, kind, if created { "Creating" } else { "Updating" }, stored))
}

/// Answers a workspace write: 200 with the workspace, or in an asynchronous LRO mode 200 with
/// a non-terminal `provisioningState` and `Azure-AsyncOperation`/`Location` headers.
fn finish_write(
    ctx: &Ctx,
    req: &ArmRequest,
    id: &ResourceId,
    location: &str,
    kind: &'static str,
    pending: &str,
    stored: Arc<Resource>,
) -> ArmResponse {
    let key = id.key();
    let mut accepted = stored.body.clone();
    if ctx.lro_mode(kind) != LroMode::Sync {
        accepted.edit(|v| v["properties"]["provisioningState"] = json!(pending));
        let pending_body = accepted.clone();
        ctx.store.write(|s| {
            if let Some(r) = s.resources.get(&key).cloned() {
                let mut r = (*r).clone();
                r.body = pending_body;
                s.resources.insert(key.clone(), Arc::new(r));
            }
        });
    }
    let (k1, k2) = (key.clone(), key.clone());
    let previous = stored.body.clone();
    // One id for the operation and its status URL: the engine stores the operation under
    // `op_id`, so a status path with a different GUID would poll as 404 OperationNotFound.
    let op_id = ctx.ids.guid();
    lro::begin(
        ctx,
        req,
        Lro {
            kind,
            subscription: id.subscription.clone(),
            namespace: NS.into(),
            location: location.to_string(),
            headers: LroHeaders::Both,
            status_path: Some(format!(
                "/subscriptions/{}/providers/{NS}/locations/{location}/workspaceOperationsStatus/{op_id}",
                id.subscription
            )),
            op_id: Some(op_id),
            location_path: None,
            sync: ArmResponse::raw_json(200, stored.body.bytes()),
            accepted: ArmResponse::raw_json(200, accepted.bytes()),
            done: Done::Resource(key),
            completion: Box::new(move |s, _| set_state(s, &k1, "Succeeded")),
            rollback: Some(Box::new(move |s, _| {
                if let Some(r) = s.resources.get(&k2).cloned() {
                    let mut r = (*r).clone();
                    r.body = previous;
                    r.body.edit(|v| v["properties"]["provisioningState"] = json!("Failed"));
                    s.resources.insert(k2.clone(), Arc::new(r));
                }
            })),
        },
    )
}

fn set_state(s: &mut State, key: &str, state: &str) {
    if let Some(r) = s.resources.get(key).cloned() {
        let mut r = (*r).clone();
        r.body.edit(|v| v["properties"]["provisioningState"] = json!(state));
        s.resources.insert(key.to_string(), Arc::new(r));
    }
}

#[allow(clippy::too_many_arguments)]
fn create(
    ctx: &Ctx,
    s: &mut State,
    req: &ArmRequest,
    id: &ResourceId,
    location: &str,
    body: &Map<String, Value>,
    props: &Map<String, Value>,
    https: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ArmResult<Resource> {
    let group = s
        .group(&id.subscription, &id.resource_group)
        .cloned()
        .ok_or_else(|| ArmError::resource_group_not_found(&id.resource_group))?;
    let tenant = tenant_of(s, &id.subscription);
    let who = req.principal.as_ref();
    let hbi = bool_prop(props, "hbiWorkspace")?.unwrap_or(false);
    let retention_days = retention(props)?.unwrap_or(DEFAULT_RETENTION_DAYS);
    let pna = match str_prop(props, "publicNetworkAccess")? {
        Some(v) => public_network_access(v)?,
        None => "Enabled",
    };
    // Feature prerequisites first: they are provider-registration errors (409).
    let cmk = ptr(props, "/encryption/keyVaultProperties").filter(|v| v.is_object()).cloned();
    if cmk.is_some() {
        registered(ctx, s, &id.subscription, "Microsoft.DocumentDB")?;
        registered(ctx, s, &id.subscription, "Microsoft.Search")?;
    }
    let managed_network = props.get("managedNetwork").filter(|v| v.is_object()).cloned();
    let isolation =
        managed_network.as_ref().and_then(|m| m.get("isolationMode")).and_then(Value::as_str).unwrap_or("Disabled");
    if !isolation.eq_ignore_ascii_case("Disabled") {
        registered(ctx, s, &id.subscription, "Microsoft.Network")?;
    }
    // Everything that can refuse the request is checked before anything is created: the store
    // has no transactions, so a refusal after a dependent was made would leave it behind.
    // Dependents: validate the given ones, create the missing ones (not the registry).
    let given_storage = match str_prop(props, "storageAccount")? {
        Some(t) => {
            let r = resolve_dependent(ctx, s, id, "storage account", t, "Microsoft.Storage/storageAccounts")?;
            check_storage(&r)?;
            Some(r)
        }
        None => None,
    };
    let given_key_vault = match str_prop(props, "keyVault")? {
        Some(t) => Some(resolve_dependent(ctx, s, id, "key vault", t, "Microsoft.KeyVault/vaults")?),
        None => None,
    };
    let given_insights = match str_prop(props, "applicationInsights")? {
        Some(t) => Some(resolve_dependent(ctx, s, id, "application insights", t, "Microsoft.Insights/components")?),
        None => None,
    };
    let registry = match str_prop(props, "containerRegistry")? {
        Some(t) => {
            let r = resolve_dependent(ctx, s, id, "container registry", t, "Microsoft.ContainerRegistry/registries")?;
            check_registry(&r)?;
            Some(r)
        }
        None => None,
    };
    let cmk_ids = match &cmk {
        Some(kv_props) => {
            let kv_id = kv_props.get("keyVaultArmId").and_then(Value::as_str).ok_or_else(|| {
                validation("'encryption.keyVaultProperties.keyVaultArmId' is required for a customer-managed key.")
            })?;
            let key_id = kv_props.get("keyIdentifier").and_then(Value::as_str).ok_or_else(|| {
                validation("'encryption.keyVaultProperties.keyIdentifier' is required for a customer-managed key.")
            })?;
            resolve_dependent(ctx, s, id, "customer-managed key vault", kv_id, "Microsoft.KeyVault/vaults")?;
            Some((kv_id.to_string(), key_id.to_string()))
        }
        None => None,
    };
    for (missing, ns) in [
        (given_storage.is_none(), "Microsoft.Storage"),
        (given_key_vault.is_none(), "Microsoft.KeyVault"),
        (given_insights.is_none(), "Microsoft.Insights"),
    ] {
        if missing {
            registered(ctx, s, &id.subscription, ns)?;
        }
    }
    let friendly_name = str_prop(props, "friendlyName")?.unwrap_or(id.name()).to_string();
    let description = str_prop(props, "description")?.unwrap_or("").to_string();
    let allow_public_behind_vnet = bool_prop(props, "allowPublicAccessWhenBehindVnet")?.unwrap_or(false);
    let image_build_compute = str_prop(props, "imageBuildCompute")?.map(String::from);
    let v1_legacy = bool_prop(props, "v1LegacyMode")?.unwrap_or(false);
    let data_isolation = bool_prop(props, "enableDataIsolation")?.unwrap_or(false);
    let datastores_auth = str_prop(props, "systemDatastoresAuthMode")?.unwrap_or("AccessKey").to_string();
    let tags = parse_tags(body)?.unwrap_or_default();
    // Nothing below refuses the request.
    let stem = name_stem(id.name());
    let storage = match given_storage {
        Some(r) => r,
        None => create_dependent(
            ctx,
            s,
            id,
            &group,
            "Microsoft.Storage/storageAccounts",
            format!("{stem}storage{}", ctx.ids.hex(8)),
            json!({"location": location, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {"encryption": {"keySource": "Microsoft.Storage"}, "supportsHttpsTrafficOnly": true}}),
            who,
            now,
        )?,
    };
    let key_vault = match given_key_vault {
        Some(r) => r,
        None => create_dependent(
            ctx,
            s,
            id,
            &group,
            "Microsoft.KeyVault/vaults",
            format!("{stem}keyvault{}", ctx.ids.hex(8)),
            json!({"location": location, "properties": {"tenantId": tenant, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}}),
            who,
            now,
        )?,
    };
    let insights = match given_insights {
        Some(r) => r,
        None => create_dependent(
            ctx,
            s,
            id,
            &group,
            "Microsoft.Insights/components",
            format!("{stem}insights{}", ctx.ids.hex(8)),
            json!({"location": location, "kind": "web", "properties": {"Application_Type": "web"}}),
            who,
            now,
        )?,
    };
    let workspace_id = ctx.ids.guid();
    let mut p = Map::new();
    p.insert("friendlyName".into(), json!(friendly_name));
    p.insert("description".into(), json!(description));
    p.insert("storageAccount".into(), lower(&storage.id));
    p.insert("keyVault".into(), lower(&key_vault.id));
    p.insert("applicationInsights".into(), lower(&insights.id));
    p.insert("containerRegistry".into(), registry.as_ref().map(|r| lower(&r.id)).unwrap_or(Value::Null));
    p.insert("workspaceId".into(), json!(workspace_id));
    p.insert("discoveryUrl".into(), json!(format!("{https}/discovery")));
    let host = https.split("://").nth(1).unwrap_or("127.0.0.1");
    // The canonical id (the group as first cased), like the workspace's own `id`.
    let canonical_id = ResourceId { resource_group: group.name.clone(), ..id.clone() }.to_id();
    p.insert("mlFlowTrackingUri".into(), json!(format!("azureml://{host}/mlflow/v1.0{canonical_id}")));
    p.insert("provisioningState".into(), json!("Succeeded"));
    p.insert("creationTime".into(), json!(arm_time(now)));
    p.insert("hbiWorkspace".into(), json!(hbi));
    p.insert("publicNetworkAccess".into(), json!(pna));
    p.insert("allowPublicAccessWhenBehindVnet".into(), json!(allow_public_behind_vnet));
    if let Some(c) = image_build_compute {
        p.insert("imageBuildCompute".into(), json!(c));
    }
    p.insert("privateLinkCount".into(), json!(0));
    p.insert("privateEndpointConnections".into(), json!([]));
    p.insert(
        "storageHnsEnabled".into(),
        json!(storage.body.pointer("/properties/isHnsEnabled").and_then(|v| v.as_bool()).unwrap_or(false)),
    );
    p.insert("tenantId".into(), json!(tenant));
    p.insert("v1LegacyMode".into(), json!(v1_legacy));
    p.insert("softDeleteRetentionInDays".into(), json!(retention_days));
    p.insert("enableDataIsolation".into(), json!(data_isolation));
    p.insert("systemDatastoresAuthMode".into(), json!(datastores_auth));
    p.insert(
        "notebookInfo".into(),
        json!({
            "fqdn": format!("ml-{}-{location}-{workspace_id}.notebooks.azure.net", &stem),
            "resourceId": ctx.ids.hex(32),
            "isPrivateLinkEnabled": false,
        }),
    );
    if let Some(m) = managed_network {
        p.insert("managedNetwork".into(), m);
    }
    if let (Some(kv_props), Some((kv_id, key_id))) = (cmk, cmk_ids) {
        // The service creates `<rg>_<GUID>` holding the Cosmos DB account that keeps the metadata.
        let managed_rg = format!("{}_{}", group.name, ctx.ids.guid());
        let mg = ResourceGroup {
            subscription_id: id.subscription.clone(),
            name: managed_rg.clone(),
            location: location.to_string(),
            tags: Default::default(),
            managed_by: Some(canonical_id.clone()),
            provisioning_state: "Succeeded".into(),
            created_time: now,
            changed_time: now,
        };
        s.groups.insert(State::group_key(&id.subscription, &managed_rg), mg.clone());
        create_dependent(
            ctx,
            s,
            id,
            &mg,
            "Microsoft.DocumentDB/databaseAccounts",
            format!("{stem}cosmos{}", ctx.ids.hex(8)),
            json!({"location": location, "kind": "GlobalDocumentDB"}),
            who,
            now,
        )?;
        p.insert(
            "encryption".into(),
            json!({"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": kv_id.to_lowercase(), "keyIdentifier": key_id, "identityClientId": kv_props.get("identityClientId").cloned().unwrap_or(Value::Null)}}),
        );
        p.insert("serviceProvisionedResourceGroup".into(), json!(managed_rg));
    }
    let mut top = Map::new();
    top.insert("id".into(), json!(canonical_id));
    top.insert("name".into(), json!(id.name()));
    top.insert("type".into(), json!(TYPE));
    top.insert("location".into(), json!(location));
    top.insert("tags".into(), json!(tags));
    top.insert("kind".into(), body.get("kind").filter(|k| k.is_string()).cloned().unwrap_or(json!("Default")));
    top.insert(
        "sku".into(),
        body.get("sku").filter(|k| k.is_object()).cloned().unwrap_or(json!({"name": "Basic", "tier": "Basic"})),
    );
    let identity_type = ptr(body, "/identity/type").and_then(Value::as_str).unwrap_or("SystemAssigned");
    let mut identity = json!({"type": identity_type, "principalId": ctx.ids.guid(), "tenantId": tenant});
    if let Some(u) = ptr(body, "/identity/userAssignedIdentities") {
        identity["userAssignedIdentities"] = u.clone();
    }
    top.insert("identity".into(), identity);
    top.insert("systemData".into(), system_data(who, now, None));
    top.insert("properties".into(), Value::Object(p));
    Ok(Resource {
        id: top["id"].as_str().unwrap_or_default().to_string(),
        resource_type: TYPE.into(),
        name: id.name().to_string(),
        subscription_id: id.subscription.as_str().into(),
        resource_group: group.name.as_str().into(),
        body: Value::Object(top).into(),
        created_time: now,
        changed_time: now,
        soft_deleted: None,
        secrets: None,
    })
}

/// Applies a PUT (`full`) or PATCH to a live workspace, enforcing what may not change.
#[allow(clippy::too_many_arguments)]
fn apply_update(
    ctx: &Ctx,
    s: &mut State,
    req: &ArmRequest,
    cur: &Resource,
    body: &Map<String, Value>,
    props: &Map<String, Value>,
    full: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> ArmResult<Resource> {
    let ws = ResourceId::parse(&cur.id)?;
    let mut updated = cur.body.value();
    let stamp = system_data(req.principal.as_ref(), now, Some(&updated));
    let old = updated.get("properties").cloned().unwrap_or(json!({}));
    if let Some(h) = bool_prop(props, "hbiWorkspace")? {
        if Some(h) != old.get("hbiWorkspace").and_then(Value::as_bool) {
            return Err(validation("The 'hbiWorkspace' setting can only be chosen when a workspace is created; it cannot be changed afterwards."));
        }
    }
    for (key, what) in [("storageAccount", "storage account"), ("keyVault", "key vault")] {
        if let Some(v) = str_prop(props, key)? {
            if !old.get(key).and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case(v)) {
                return Err(validation(format!(
                    "The {what} of a workspace cannot be changed after it is created ('{key}' is '{}').",
                    old.get(key).and_then(Value::as_str).unwrap_or("")
                )));
            }
        }
    }
    if let Some(loc) = body.get("location").and_then(Value::as_str) {
        if catalog::region(loc).map(|r| r.name) != updated.get("location").and_then(Value::as_str) {
            return Err(validation(format!(
                "The location of a workspace cannot be changed (it is '{}').",
                updated.get("location").and_then(Value::as_str).unwrap_or("")
            )));
        }
    }
    let p = updated["properties"]
        .as_object_mut()
        .ok_or_else(|| ArmError::internal("stored workspace has no properties"))?;
    for key in
        ["description", "friendlyName", "imageBuildCompute", "systemDatastoresAuthMode", "primaryUserAssignedIdentity"]
    {
        if let Some(v) = props.get(key) {
            if !v.is_null() {
                p.insert(key.into(), v.clone());
            }
        }
    }
    if let Some(v) = str_prop(props, "publicNetworkAccess")? {
        p.insert("publicNetworkAccess".into(), json!(public_network_access(v)?));
    }
    if let Some(d) = retention(props)? {
        p.insert("softDeleteRetentionInDays".into(), json!(d));
    }
    for key in ["v1LegacyMode", "enableDataIsolation", "allowPublicAccessWhenBehindVnet"] {
        if let Some(b) = bool_prop(props, key)? {
            p.insert(key.into(), json!(b));
        }
    }
    if let Some(m) = props.get("managedNetwork").filter(|m| m.is_object()) {
        let isolation = m.get("isolationMode").and_then(Value::as_str).unwrap_or("Disabled");
        if !isolation.eq_ignore_ascii_case("Disabled") {
            registered(ctx, s, &ws.subscription, "Microsoft.Network")?;
        }
        updated["properties"]["managedNetwork"] = m.clone();
    }
    // Null means "unchanged" for these (azure-ai-ml sends null unless they change).
    if let Some(t) = str_prop(props, "applicationInsights")? {
        let ai = resolve_dependent(ctx, s, &ws, "application insights", t, "Microsoft.Insights/components")?;
        updated["properties"]["applicationInsights"] = lower(&ai.id);
    }
    if let Some(t) = str_prop(props, "containerRegistry")? {
        let acr = resolve_dependent(ctx, s, &ws, "container registry", t, "Microsoft.ContainerRegistry/registries")?;
        check_registry(&acr)?;
        updated["properties"]["containerRegistry"] = lower(&acr.id);
    }
    if let Some(k) = ptr(props, "/encryption/keyVaultProperties/keyIdentifier").and_then(Value::as_str) {
        if updated.pointer("/properties/encryption").is_some() {
            updated["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"] = json!(k);
        }
    }
    match parse_tags(body)? {
        Some(t) => updated["tags"] = json!(t),
        None if full => updated["tags"] = json!({}),
        None => {}
    }
    if let Some(sku) = body.get("sku").filter(|v| v.is_object()) {
        updated["sku"] = sku.clone();
    }
    updated["properties"]["provisioningState"] = json!("Succeeded");
    updated["systemData"] = stamp;
    let mut r = cur.clone();
    r.body = updated.into();
    r.changed_time = now;
    Ok(r)
}

fn update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let body = req.json_object()?;
    let props = props_of(&body)?;
    write_preconditions(ctx, req, &id, None)?;
    let key = id.key();
    let now = ctx.clock.now();
    let stored = ctx.store.write(|s| -> ArmResult<Arc<Resource>> {
        expire(s, &key, now);
        let cur = live(s, &key).ok_or_else(|| not_found(&id))?;
        crate::arm::check_preconditions(req, Some(None))?;
        let r = Arc::new(apply_update(ctx, s, req, &cur, &body, &props, false, now)?);
        s.resources.insert(key.clone(), r.clone());
        Ok(r)
    })?;
    let location = stored.body.string("/location").unwrap_or_default();
    Ok(finish_write(ctx, req, &id, &location, "workspaces/update", "Updating", stored))
}

// ---------- read ----------

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    require_group(ctx, &id.subscription, &id.resource_group)?;
    let key = id.key();
    let now = ctx.clock.now();
    let r = ctx.store.read(|s| live(s, &key));
    match r {
        Some(r) => Ok(ArmResponse::raw_json(200, r.body.bytes())),
        None => {
            ctx.store.write(|s| expire(s, &key, now));
            Err(not_found(&id))
        }
    }
}

/// A page of the workspaces (live, or soft-deleted and not yet purged) in the groups under
/// `scope`, in key order after the `$skip` token. The scan seeks to each group's workspaces,
/// so a page costs the same however many other resources the groups hold.
fn list_under(ctx: &Ctx, req: &ArmRequest, scope: &str, deleted: bool) -> ArmResult<ArmResponse> {
    const PARAM: &str = "$skip";
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, PARAM)?;
    let now = ctx.clock.now();
    let within = format!("providers/{}/", TYPE.to_lowercase());
    let page = ctx.store.read(|s| {
        let items = s
            .resources_in_groups(scope, &within, after.as_deref())
            .filter(|(_, r)| is_workspace(r) && r.is_top_level())
            .filter(|(_, r)| match (&r.soft_deleted, deleted) {
                (None, false) => true,
                (Some(d), true) => d.purge_at > now,
                _ => false,
            });
        paging::page_from(req, items, PARAM, size, |r, out| {
            if deleted {
                out.extend_from_slice(deleted_view(r).as_bytes());
            } else {
                out.extend_from_slice(r.body.as_bytes());
            }
        })
    });
    Ok(ArmResponse::raw_json(200, page))
}

/// A soft-deleted workspace as the deleted-workspace lists show it.
fn deleted_view(r: &Resource) -> Body {
    let mut v = r.body.clone();
    if let Some(d) = &r.soft_deleted {
        v.edit(|v| {
            v["properties"]["provisioningState"] = json!("SoftDeleted");
            v["properties"]["deletedAt"] = json!(arm_time(d.deleted_at));
            v["properties"]["scheduledPurgeDate"] = json!(arm_time(d.purge_at));
        });
    }
    v
}

fn list_by_resource_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = (req.param("subscriptionId")?, req.param("resourceGroupName")?);
    require_group(ctx, sub, rg)?;
    list_under(ctx, req, &resource_id::group_prefix(sub, rg), false)
}

fn list_by_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    list_under(ctx, req, &resource_id::key(&format!("/subscriptions/{sub}/")), false)
}

fn list_deleted_by_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    list_under(ctx, req, &resource_id::key(&format!("/subscriptions/{sub}/")), true)
}

fn list_deleted_by_resource_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = (req.param("subscriptionId")?, req.param("resourceGroupName")?);
    require_group(ctx, sub, rg)?;
    list_under(ctx, req, &resource_id::group_prefix(sub, rg), true)
}

// ---------- delete ----------

fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    require_group(ctx, &id.subscription, &id.resource_group)?;
    let purge = match req.query("forceToPurge") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(ArmError::bad_request(
                "InvalidQueryParameterValue",
                format!(
                    "The value '{v}' of the query parameter 'forceToPurge' is invalid. It must be 'true' or 'false'."
                ),
            ))
        }
    };
    let key = id.key();
    let now = ctx.clock.now();
    enum Target {
        Absent,
        Tombstone,
        Live(Arc<Resource>),
    }
    let target = ctx.store.write(|s| {
        expire(s, &key, now);
        match s.resources.get(&key) {
            None => Target::Absent,
            Some(r) if r.soft_deleted.is_some() => Target::Tombstone,
            Some(r) => Target::Live(r.clone()),
        }
    });
    let location = match &target {
        Target::Absent => return Ok(ArmResponse::empty(204)),
        Target::Tombstone if !purge => return Ok(ArmResponse::empty(204)),
        Target::Tombstone => {
            ctx.store.write(|s| s.remove_resource_tree(&key));
            return Ok(ArmResponse::empty(200));
        }
        Target::Live(r) => r.body.string("/location").unwrap_or_default(),
    };
    let Target::Live(r) = target else { return Ok(ArmResponse::empty(204)) };
    // Customer-managed-key workspaces are always deleted permanently.
    let permanent = purge || r.body.pointer("/properties/encryption/keyVaultProperties").is_some();
    if ctx.lro_mode("workspaces/delete") != LroMode::Sync {
        ctx.store.write(|s| set_state(s, &key, "Deleting"));
    }
    let k = key.clone();
    let k2 = key.clone();
    Ok(lro::begin(
        ctx,
        req,
        Lro {
            kind: "workspaces/delete",
            subscription: id.subscription.clone(),
            namespace: NS.into(),
            location: location.clone(),
            headers: LroHeaders::Both,
            op_id: None,
            location_path: None,
            status_path: None,
            sync: ArmResponse::empty(200),
            accepted: ArmResponse::empty(202),
            done: Done::Empty(200),
            completion: Box::new(move |s, now| {
                if permanent {
                    s.remove_resource_tree(&k);
                    return;
                }
                if let Some(cur) = s.resources.get(&k).cloned() {
                    let mut r = (*cur).clone();
                    let days = r.body.edit(|v| {
                        v["properties"]["provisioningState"] = json!("Succeeded");
                        v.pointer("/properties/softDeleteRetentionInDays")
                            .and_then(Value::as_i64)
                            .unwrap_or(DEFAULT_RETENTION_DAYS)
                    });
                    r.soft_deleted =
                        Some(SoftDeleted { deleted_at: now, purge_at: now + chrono::Duration::days(days) });
                    s.resources.insert(k.clone(), Arc::new(r));
                }
            }),
            rollback: Some(Box::new(move |s, _| set_state(s, &k2, "Succeeded"))),
        },
    ))
}

// ---------- actions ----------

fn live_workspace(ctx: &Ctx, req: &ArmRequest) -> ArmResult<(ResourceId, Arc<Resource>)> {
    let id = ws_id(req)?;
    require_group(ctx, &id.subscription, &id.resource_group)?;
    let r = ctx.store.read(|s| live(s, &id.key())).ok_or_else(|| not_found(&id))?;
    Ok((id, r))
}

fn dependent(s: &State, r: &Resource, prop: &str) -> Option<Arc<Resource>> {
    let id = r.body.string(&format!("/properties/{prop}"))?;
    live(s, &id.to_lowercase())
}

fn list_keys(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (_, ws) = live_workspace(ctx, req)?;
    let body = ctx.store.read(|s| {
        let storage = dependent(s, &ws, "storageAccount");
        let insights = dependent(s, &ws, "applicationInsights");
        let acr = dependent(s, &ws, "containerRegistry");
        let storage_id = storage.as_ref().map(|r| json!(r.id)).unwrap_or(Value::Null);
        json!({
            "userStorageKey": storage.as_ref().and_then(|r| r.secrets.as_ref()).and_then(|x| x.pointer("/keys/0")).cloned().unwrap_or(Value::Null),
            "userStorageArmId": storage_id,
            "userStorageResourceId": storage_id,
            "appInsightsInstrumentationKey": insights.as_ref().and_then(|r| r.body.pointer("/properties/InstrumentationKey")).unwrap_or(Value::Null),
            "containerRegistryCredentials": acr.as_ref().map(|r| json!({
                "location": r.body.pointer("/location").unwrap_or(Value::Null),
                "username": r.name,
                "passwords": [
                    {"name": "password", "value": r.secrets.as_ref().and_then(|x| x.pointer("/passwords/0")).cloned().unwrap_or(Value::Null)},
                    {"name": "password2", "value": r.secrets.as_ref().and_then(|x| x.pointer("/passwords/1")).cloned().unwrap_or(Value::Null)},
                ],
            })).unwrap_or(Value::Null),
            "notebookAccessKeys": {"primaryAccessKey": null, "secondaryAccessKey": null},
        })
    });
    Ok(ArmResponse::ok(body))
}

/// `200` with no body (the GA 1.0.1 client accepts nothing else), or an LRO in async modes.
fn resync_keys(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (id, ws) = live_workspace(ctx, req)?;
    let location = ws.body.string("/location").unwrap_or_default();
    Ok(lro::begin(
        ctx,
        req,
        Lro {
            kind: "workspaces/resyncKeys",
            subscription: id.subscription.clone(),
            namespace: NS.into(),
            location,
            headers: LroHeaders::Location,
            op_id: None,
            location_path: None,
            status_path: None,
            sync: ArmResponse::empty(200),
            accepted: ArmResponse::empty(202),
            done: Done::Empty(200),
            completion: Box::new(|_, _| {}),
            rollback: None,
        },
    ))
}

fn list_notebook_access_token(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (_, ws) = live_workspace(ctx, req)?;
    let notebook = ws.body.pointer("/properties/notebookInfo").unwrap_or(Value::Null);
    let fqdn = notebook.get("fqdn").and_then(Value::as_str).unwrap_or("").to_string();
    Ok(ArmResponse::ok(json!({
        "accessToken": ctx.ids.hex(64),
        "expiresIn": 3600,
        "hostName": fqdn,
        "notebookResourceId": notebook.get("resourceId").cloned().unwrap_or(Value::Null),
        "publicDns": fqdn,
        "refreshToken": ctx.ids.hex(64),
        "scope": "aznb_identity",
        "tokenType": "Bearer",
    })))
}

// ---------- private endpoint connections ----------

fn connection_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    let mut id = ws_id(req)?;
    id.types.push(("privateEndpointConnections".into(), req.param("connectionName")?.to_string()));
    Ok(id)
}

/// Keeps the workspace's `privateEndpointConnections` and `privateLinkCount` in step.
fn refresh_connections(s: &mut State, ws_key: &str) {
    let prefix = format!("{ws_key}/privateendpointconnections/");
    let conns: Vec<Value> = s.resources_under(&prefix).map(|r| r.body.value()).collect();
    if let Some(w) = s.resources.get(ws_key).cloned() {
        let mut w = (*w).clone();
        w.body.edit(|v| {
            v["properties"]["privateLinkCount"] = json!(conns.len());
            v["properties"]["privateEndpointConnections"] = Value::Array(conns);
        });
        s.resources.insert(ws_key.to_string(), Arc::new(w));
    }
}

fn put_private_endpoint_connection(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (ws_id_, ws) = live_workspace(ctx, req)?;
    let id = connection_id(req)?;
    let body = req.json_object()?;
    let props = props_of(&body)?;
    let status = ptr(&props, "/privateLinkServiceConnectionState/status").and_then(Value::as_str).unwrap_or("Approved");
    if !["Approved", "Pending", "Rejected", "Disconnected"].iter().any(|s| s.eq_ignore_ascii_case(status)) {
        return Err(validation(format!("'privateLinkServiceConnectionState.status' must be Approved, Pending, Rejected or Disconnected, not '{status}'.")));
    }
    let now = ctx.clock.now();
    let conn_id = format!("{}/privateEndpointConnections/{}", ws.id, id.name());
    let out = json!({
        "id": conn_id,
        "name": id.name(),
        "type": "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections",
        "location": ws.body.pointer("/location").unwrap_or(Value::Null),
        "properties": {
            "privateEndpoint": props.get("privateEndpoint").cloned().unwrap_or(json!({})),
            "privateLinkServiceConnectionState": {
                "status": status,
                "description": ptr(&props, "/privateLinkServiceConnectionState/description").cloned().unwrap_or(json!("")),
                "actionsRequired": ptr(&props, "/privateLinkServiceConnectionState/actionsRequired").cloned().unwrap_or(json!("None")),
            },
            "provisioningState": "Succeeded",
        },
        "systemData": system_data(req.principal.as_ref(), now, None),
    });
    ctx.store.write(|s| {
        s.resources.insert(
            id.key(),
            Arc::new(Resource {
                id: conn_id.clone(),
                resource_type: "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections".into(),
                name: id.name().to_string(),
                subscription_id: id.subscription.as_str().into(),
                resource_group: ws.resource_group.clone(),
                body: Body::new(&out),
                created_time: now,
                changed_time: now,
                soft_deleted: None,
                secrets: None,
            }),
        );
        refresh_connections(s, &ws_id_.key());
    });
    Ok(ArmResponse::ok(out))
}

fn get_private_endpoint_connection(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    live_workspace(ctx, req)?;
    let id = connection_id(req)?;
    ctx.store
        .read(|s| live(s, &id.key()))
        .map(|r| ArmResponse::raw_json(200, r.body.bytes()))
        .ok_or_else(|| ArmError::resource_not_found(&id.full_type(), id.name(), &id.resource_group))
}

fn delete_private_endpoint_connection(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (ws_id_, _) = live_workspace(ctx, req)?;
    let id = connection_id(req)?;
    let removed = ctx.store.write(|s| {
        let removed = s.resources.remove(&id.key()).is_some();
        refresh_connections(s, &ws_id_.key());
        removed
    });
    Ok(ArmResponse::empty(if removed { 200 } else { 204 }))
}

fn list_private_endpoint_connections(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (id, _) = live_workspace(ctx, req)?;
    let prefix = format!("{}/privateendpointconnections/", id.key());
    let value = ctx
        .store
        .read(|s| paging::collection(s.resources_under(&prefix), |r, out| out.extend_from_slice(r.body.as_bytes())));
    Ok(ArmResponse::raw_json(200, value))
}

// ---------- discovery ----------

/// The document a workspace's `discoveryUrl` points at: every data-plane service at the emulator.
fn discovery(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let https = ctx.endpoints.read().https.clone();
    let base = if https.is_empty() { req.base_url.clone() } else { https };
    Ok(ArmResponse::ok(json!({
        "api": base, "catalog": base, "experimentation": base, "gallery": base, "history": base,
        "hyperdrive": base, "labeling": base, "modelmanagement": base, "pipelines": base, "studio": base,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_name_rule() {
        for ok in ["abc", "my-ws_1", "A1b", &"x".repeat(33)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["ab", "-ab", "_ab", "a.b", "ws!", &"x".repeat(34), "wörk"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn dependent_names_use_a_short_alphanumeric_stem() {
        assert_eq!(name_stem("My-Workspace_01"), "myworksp");
        assert_eq!(name_stem("a-b"), "ab");
    }
}
