//! The workspace operations: create/update (200, never 201), get, PATCH, delete with soft
//! delete and purge, lists by group and subscription (`$skip` paging), the emulator's lists of
//! soft-deleted workspaces, `listKeys`, `resyncKeys` and `listNotebookAccessToken`.
//!
//! Each handler plans one batch against the state under the store's write lock (creation
//! plans the dependents, the `<rg>_<GUID>` group of a customer-managed key and the workspace
//! together), and asynchronous modes go through the one LRO engine.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::catalog;
use crate::model::ids::{self, ResourceId};
use crate::model::{Principal, ProvisioningState};
use crate::protocol::body::{optional_str, parse_tags};
use crate::protocol::lro::LroHeaders;
use crate::protocol::preconditions::{self, Current};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, OperationResult, Resource, ResourceGroup, State};

use crate::providers::common::{
    build_tracked, record, require_group, require_group_writable, require_registered, system_data, tenant_of,
    write_checks, BuildCx,
};
use crate::providers::lro::{self, is_sync, Lro};
use crate::providers::Ctx;

use super::model::{Workspace, KIND_CREATE, KIND_DELETE, KIND_RESYNC_KEYS, KIND_UPDATE, NS, TYPE};
use super::rules::{
    check_identity_references, check_immutables, check_registry, check_storage, invalid_name, name_stem,
    resolve_dependent, resolve_identity, shared_private_links, valid_name,
};
use super::wire::{self, bool_prop, create_spec, lower, props_of, ptr, retention, str_prop, wants_recovery};

/// The workspace a request addresses.
pub fn ws_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    Ok(ResourceId::in_group(
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        NS,
        vec![("workspaces".into(), req.param("workspaceName")?.to_string())],
    ))
}

pub fn not_found(id: &ResourceId) -> ArmError {
    ArmError::resource_not_found(TYPE, id.name(), id.resource_group().unwrap_or_default())
}

/// The live workspace a request addresses (`404 ResourceGroupNotFound`, then `ResourceNotFound`).
pub fn live_workspace(s: &State, req: &ArmRequest) -> ArmResult<(ResourceId, Arc<Resource>)> {
    let id = ws_id(req)?;
    require_group(s, id.subscription(), id.resource_group().unwrap_or_default())?;
    let r = s.live(&id.key()).cloned().ok_or_else(|| not_found(&id))?;
    Ok((id, r))
}

// ---------- create / update ----------

pub fn create_or_update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let body = req.json_object()?;
    let props = props_of(&body)?;
    let key = id.key();
    let now = ctx.now();
    let https = ctx.https_base(&req.base_url());
    ctx.store().commit(|s: &State| {
        let stored = s.resource(&key).cloned();
        let location = optional_str(&body, "", "location")?
            .map(String::from)
            .or_else(|| stored.as_ref().and_then(|r| r.body.string("/location")))
            .ok_or_else(ArmError::location_required)?;
        write_checks(ctx, s, req, &id, Some(&location))?;
        // The name rule is the provider's own check: ARM's registration, location and group
        // checks (reference §2.6) answer first.
        if !valid_name(id.name()) {
            return Err(invalid_name(id.name()));
        }
        let location = catalog::region(&location).map(|r| r.name).unwrap_or("").to_string();
        match stored {
            Some(r) if r.soft_deleted.is_some() => {
                if !wants_recovery(&props) {
                    return Err(ArmError::soft_deleted_workspace_exists());
                }
                let tags = parse_tags(&body)?;
                let mut restored = (*r).clone();
                restored.soft_deleted = None;
                restored.changed_time = now;
                restored.body.edit(|v| {
                    let stamp = system_data(req.caller(), now, Some(v));
                    if let Some(o) = v.as_object_mut() {
                        o.insert("systemData".into(), stamp);
                        if let Some(t) = tags {
                            o.insert("tags".into(), json!(t));
                        }
                        // Recovered means done, whatever it was doing when it was deleted.
                        if let Some(p) = o.get_mut("properties").and_then(Value::as_object_mut) {
                            p.insert("provisioningState".into(), json!("Succeeded"));
                        }
                    }
                });
                Ok(finish_write(
                    ctx,
                    req,
                    &id,
                    &location,
                    KIND_UPDATE,
                    ProvisioningState::Updating,
                    restored,
                    Vec::new(),
                ))
            }
            Some(r) => {
                preconditions::check(req, Current::Present(r.etag().as_deref()))?;
                refuse_while_deleting(&r)?;
                let updated = apply_update(ctx, s, req.caller(), &r, &body, &props, true, now)?;
                Ok(finish_write(
                    ctx,
                    req,
                    &id,
                    &location,
                    KIND_UPDATE,
                    ProvisioningState::Updating,
                    updated,
                    Vec::new(),
                ))
            }
            None => {
                preconditions::check(req, Current::Absent)?;
                let (changes, ws) = plan_create(ctx, s, req.caller(), &id, &location, &body, &https, now)?;
                Ok(finish_write(ctx, req, &id, &location, KIND_CREATE, ProvisioningState::Creating, ws, changes))
            }
        }
    })
}

/// A workspace whose asynchronous delete is running cannot be written (`409 Conflict`).
fn refuse_while_deleting(r: &Resource) -> ArmResult<()> {
    if r.body.string("/properties/provisioningState").as_deref() == Some(ProvisioningState::Deleting.as_str()) {
        return Err(ArmError::workspace_being_deleted(&r.name));
    }
    Ok(())
}

/// Answers a workspace write: 200 with the workspace, or in an asynchronous LRO mode 200 with
/// a non-terminal `provisioningState` and `Azure-AsyncOperation`/`Location` headers.
#[allow(clippy::too_many_arguments)]
fn finish_write(
    ctx: &Ctx,
    req: &ArmRequest,
    id: &ResourceId,
    location: &str,
    kind: &'static str,
    pending: ProvisioningState,
    stored: Resource,
    mut changes: Vec<Change>,
) -> (Vec<Change>, ArmResponse) {
    let sub = id.subscription().to_string();
    let ws = stored.id.clone();
    let mut accepted = stored.body.clone();
    let sync = is_sync(ctx, kind);
    if !sync {
        accepted.edit(|v| {
            if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
                p.insert("provisioningState".into(), json!(pending.as_str()));
            }
        });
    }
    let answer = ArmResponse::raw_json(200, stored.body.bytes());
    changes.push(Change::PutResource { resource: Arc::new(stored) });
    let set = |state| vec![Change::SetProvisioningState { id: ws.clone(), state }];
    // One id for the operation and its status URL.
    let op_id = ctx.ids().guid();
    let status_path =
        format!("/subscriptions/{sub}/providers/{NS}/locations/{location}/workspaceOperationsStatus/{op_id}");
    let op = Lro::new(kind, &sub, NS, location)
        .headers(LroHeaders::Both)
        .status_at(op_id, status_path)
        .answers(answer, ArmResponse::raw_json(200, accepted.bytes()))
        .result(OperationResult::Resource { id: ws.clone() })
        .changes(changes)
        .pending(set(pending))
        .on_success(if sync { Vec::new() } else { set(ProvisioningState::Succeeded) })
        .on_failure(set(ProvisioningState::Failed));
    lro::plan(ctx, req, op)
}

/// A dependent the workspace creates in its group (or the managed group).
#[allow(clippy::too_many_arguments)]
fn create_dependent(
    ctx: &Ctx,
    s: &State,
    ws: &ResourceId,
    group: &ResourceGroup,
    full_type: &str,
    name: String,
    body: Value,
    who: Option<&Principal>,
    now: DateTime<Utc>,
) -> ArmResult<Arc<Resource>> {
    let (ns, ty) = full_type.split_once('/').unwrap_or((full_type, ""));
    let provider = require_registered(ctx, s, ws.subscription(), ns)?;
    let info = provider.resource_type(ty).ok_or_else(|| ArmError::invalid_resource_type(ns, ty, ""))?;
    let id =
        ResourceId::in_group(ws.subscription(), &group.name, provider.namespace, vec![(info.name.to_string(), name)]);
    let tenant = tenant_of(s, ws.subscription());
    let b = BuildCx { ctx, id: &id, provider, info, tenant_id: &tenant, principal: who, now };
    Ok(Arc::new(build_tracked(&b, None, body.as_object().unwrap_or(&Map::new()))?))
}

/// Plans a new workspace: checks everything that can refuse the request first, then the
/// dependents it creates, the managed group of a customer-managed key, and the workspace.
#[allow(clippy::too_many_arguments)]
fn plan_create(
    ctx: &Ctx,
    s: &State,
    who: Option<&Principal>,
    id: &ResourceId,
    location: &str,
    body: &Map<String, Value>,
    https: &str,
    now: DateTime<Utc>,
) -> ArmResult<(Vec<Change>, Resource)> {
    let spec = create_spec(body)?;
    let sub = id.subscription();
    let group = require_group(s, sub, id.resource_group().unwrap_or_default())?.clone();
    let tenant = tenant_of(s, sub);
    // Feature prerequisites first: they are provider-registration errors (409).
    if spec.cmk.is_some() {
        require_registered(ctx, s, sub, "Microsoft.DocumentDB")?;
        require_registered(ctx, s, sub, "Microsoft.Search")?;
    }
    if spec.isolated {
        require_registered(ctx, s, sub, "Microsoft.Network")?;
    }
    let given = |prop: Option<&String>, role: &str, ty: &str| -> ArmResult<Option<Arc<Resource>>> {
        prop.map(|t| resolve_dependent(ctx, s, id, role, t, ty)).transpose()
    };
    let given_storage = given(spec.storage_account.as_ref(), "storage account", "Microsoft.Storage/storageAccounts")?;
    if let Some(r) = &given_storage {
        check_storage(r)?;
    }
    let given_key_vault = given(spec.key_vault.as_ref(), "key vault", "Microsoft.KeyVault/vaults")?;
    let given_insights =
        given(spec.application_insights.as_ref(), "application insights", "Microsoft.Insights/components")?;
    let registry =
        given(spec.container_registry.as_ref(), "container registry", "Microsoft.ContainerRegistry/registries")?;
    if let Some(r) = &registry {
        check_registry(r)?;
    }
    let cmk = match &spec.cmk {
        None => None,
        Some(Err(missing)) => return Err(ArmError::validation(missing.clone())),
        Some(Ok(c)) => {
            resolve_dependent(
                ctx,
                s,
                id,
                "customer-managed key vault",
                &c.key_vault_arm_id,
                "Microsoft.KeyVault/vaults",
            )?;
            Some(c.clone())
        }
    };
    let canonical_ws = id.relocated(sub, &group.name).to_id();
    if let Some(u) = ptr(body, "/identity/userAssignedIdentities").and_then(Value::as_object) {
        for k in u.keys() {
            super::rules::require_identity(s, &canonical_ws, k)?;
        }
    }
    let props_in = props_of(body)?;
    check_identity_references(s, &canonical_ws, &props_in)?;
    let shared_links = shared_private_links(&props_in)?;
    for (missing, ns) in [
        (given_storage.is_none(), "Microsoft.Storage"),
        (given_key_vault.is_none(), "Microsoft.KeyVault"),
        (given_insights.is_none(), "Microsoft.Insights"),
    ] {
        if missing {
            require_registered(ctx, s, sub, ns)?;
        }
    }
    // Nothing below refuses the request.
    let mut changes = Vec::new();
    let stem = name_stem(id.name());
    let mut dependent = |given: Option<Arc<Resource>>, ty: &str, word: &str, body: Value| -> ArmResult<Arc<Resource>> {
        match given {
            Some(r) => Ok(r),
            None => {
                let r = create_dependent(
                    ctx,
                    s,
                    id,
                    &group,
                    ty,
                    format!("{stem}{word}{}", ctx.ids().hex(8)),
                    body,
                    who,
                    now,
                )?;
                changes.push(Change::PutResource { resource: r.clone() });
                Ok(r)
            }
        }
    };
    let storage = dependent(
        given_storage,
        "Microsoft.Storage/storageAccounts",
        "storage",
        json!({"location": location, "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {"encryption": {"keySource": "Microsoft.Storage"}, "supportsHttpsTrafficOnly": true}}),
    )?;
    let key_vault = dependent(
        given_key_vault,
        "Microsoft.KeyVault/vaults",
        "keyvault",
        json!({"location": location, "properties": {"tenantId": tenant, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}}),
    )?;
    let insights = dependent(
        given_insights,
        "Microsoft.Insights/components",
        "insights",
        json!({"location": location, "kind": "web", "properties": {"Application_Type": "web"}}),
    )?;
    let workspace_id = ctx.ids().guid();
    // The canonical id (the group as first cased), like the workspace's own `id`.
    let canonical = id.relocated(sub, &group.name);
    let canonical_id = canonical.to_id();
    let mut p = Map::new();
    p.insert("friendlyName".into(), json!(spec.friendly_name.as_deref().unwrap_or(id.name())));
    p.insert("description".into(), json!(spec.description));
    p.insert("storageAccount".into(), lower(&storage.id));
    p.insert("keyVault".into(), lower(&key_vault.id));
    p.insert("applicationInsights".into(), lower(&insights.id));
    p.insert("containerRegistry".into(), registry.as_ref().map(|r| lower(&r.id)).unwrap_or(Value::Null));
    p.insert("workspaceId".into(), json!(workspace_id));
    p.insert("discoveryUrl".into(), json!(format!("{https}/discovery")));
    let host = https.split("://").nth(1).unwrap_or("127.0.0.1");
    p.insert("mlFlowTrackingUri".into(), json!(format!("azureml://{host}/mlflow/v1.0{canonical_id}")));
    p.insert("provisioningState".into(), json!("Succeeded"));
    p.insert("creationTime".into(), json!(crate::model::time::arm_time(now)));
    p.insert("hbiWorkspace".into(), json!(spec.hbi));
    p.insert("publicNetworkAccess".into(), json!(spec.public_network_access));
    p.insert("allowPublicAccessWhenBehindVnet".into(), json!(spec.allow_public_access_when_behind_vnet));
    if let Some(c) = &spec.image_build_compute {
        p.insert("imageBuildCompute".into(), json!(c));
    }
    p.insert("privateLinkCount".into(), json!(0));
    p.insert("privateEndpointConnections".into(), json!([]));
    p.insert(
        "storageHnsEnabled".into(),
        json!(storage.body.pointer("/properties/isHnsEnabled").and_then(|v| v.as_bool()).unwrap_or(false)),
    );
    p.insert("tenantId".into(), json!(tenant));
    p.insert("v1LegacyMode".into(), json!(spec.v1_legacy_mode));
    p.insert("softDeleteRetentionInDays".into(), json!(spec.retention_days));
    p.insert("enableDataIsolation".into(), json!(spec.enable_data_isolation));
    p.insert("systemDatastoresAuthMode".into(), json!(spec.system_datastores_auth_mode));
    p.insert(
        "notebookInfo".into(),
        json!({
            "fqdn": format!("ml-{stem}-{location}-{workspace_id}.notebooks.azure.net"),
            "resourceId": ctx.ids().hex(32),
            "isPrivateLinkEnabled": false,
        }),
    );
    if let Some(m) = &spec.managed_network {
        p.insert("managedNetwork".into(), m.clone());
    }
    if let Some(u) = props_in.get("primaryUserAssignedIdentity").filter(|v| v.is_string()) {
        p.insert("primaryUserAssignedIdentity".into(), u.clone());
    }
    if let Some(l) = shared_links {
        p.insert("sharedPrivateLinkResources".into(), l);
    }
    let encryption_identity = ptr(&props_in, "/encryption/identity").filter(|v| v.is_object()).map(encryption_identity);
    if let Some(c) = cmk {
        // The service creates `<rg>_<GUID>` holding the Cosmos DB account that keeps the metadata.
        let managed_rg = format!("{}_{}", group.name, ctx.ids().guid());
        let mg = ResourceGroup {
            subscription_id: sub.to_string(),
            name: managed_rg.clone(),
            location: location.to_string(),
            tags: Default::default(),
            managed_by: Some(canonical_id.clone()),
            provisioning_state: ProvisioningState::Succeeded,
            created_time: now,
            changed_time: now,
        };
        let cosmos = create_dependent(
            ctx,
            s,
            id,
            &mg,
            "Microsoft.DocumentDB/databaseAccounts",
            format!("{stem}cosmos{}", ctx.ids().hex(8)),
            json!({"location": location, "kind": "GlobalDocumentDB"}),
            who,
            now,
        )?;
        changes.push(Change::PutGroup { group: mg });
        changes.push(Change::PutResource { resource: cosmos });
        let mut encryption = json!({"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": c.key_vault_arm_id.to_lowercase(), "keyIdentifier": c.key_identifier}});
        // An identityClientId that was not given is left out (the definition is a string, not
        // x-nullable).
        if !c.identity_client_id.is_null() {
            encryption["keyVaultProperties"]["identityClientId"] = c.identity_client_id.clone();
        }
        if let Some(i) = encryption_identity {
            encryption["identity"] = i;
        }
        p.insert("encryption".into(), encryption);
        p.insert("serviceProvisionedResourceGroup".into(), json!(managed_rg));
    }
    let mut top = Map::new();
    top.insert("id".into(), json!(canonical_id));
    top.insert("name".into(), json!(id.name()));
    top.insert("type".into(), json!(TYPE));
    top.insert("location".into(), json!(location));
    top.insert("tags".into(), json!(spec.tags));
    top.insert("kind".into(), spec.kind.unwrap_or(json!("Default")));
    top.insert("sku".into(), spec.sku.unwrap_or(json!({"name": "Basic", "tier": "Basic"})));
    // Made here, after the rest, so the seeded ids of everything else stay as they were.
    top.insert("identity".into(), resolve_identity(ctx, s, &canonical_ws, body.get("identity"), None, &tenant)?);
    top.insert("systemData".into(), system_data(who, now, None));
    top.insert("properties".into(), Value::Object(p));
    Ok((changes, record(&canonical, TYPE, Value::Object(top), now, None)))
}

/// `encryption.identity` as the service keeps it: the identity's id lower-cased, like the
/// dependents' ids (reference §4.4).
fn encryption_identity(given: &Value) -> Value {
    let mut i = given.clone();
    if let Some(id) = i.get("userAssignedIdentity").and_then(Value::as_str).map(lower) {
        i["userAssignedIdentity"] = id;
    }
    i
}

/// Applies a PUT (`full`) or PATCH to a live workspace, enforcing what may not change.
#[allow(clippy::too_many_arguments)]
fn apply_update(
    ctx: &Ctx,
    s: &State,
    who: Option<&Principal>,
    cur: &Resource,
    body: &Map<String, Value>,
    props: &Map<String, Value>,
    full: bool,
    now: DateTime<Utc>,
) -> ArmResult<Resource> {
    let ws = ResourceId::parse(&cur.id).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?;
    let mut updated = cur.body.value();
    if !updated.is_object() {
        updated = json!({});
    }
    let stamp = system_data(who, now, Some(&updated));
    check_immutables(&updated, body, props)?;
    // A stored body whose `properties` is not an object (an odd import) gets a fresh one.
    if !updated.get("properties").is_some_and(Value::is_object) {
        updated["properties"] = json!({});
    }
    let mut p = updated["properties"].as_object().cloned().unwrap_or_default();
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
        p.insert("publicNetworkAccess".into(), json!(wire::public_network_access(v)?));
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
            require_registered(ctx, s, ws.subscription(), "Microsoft.Network")?;
        }
        p.insert("managedNetwork".into(), m.clone());
    }
    // Null means "unchanged" for these (azure-ai-ml sends null unless they change).
    if let Some(t) = str_prop(props, "applicationInsights")? {
        let ai = resolve_dependent(ctx, s, &ws, "application insights", t, "Microsoft.Insights/components")?;
        p.insert("applicationInsights".into(), lower(&ai.id));
    }
    if let Some(t) = str_prop(props, "containerRegistry")? {
        let acr = resolve_dependent(ctx, s, &ws, "container registry", t, "Microsoft.ContainerRegistry/registries")?;
        check_registry(&acr)?;
        p.insert("containerRegistry".into(), lower(&acr.id));
    }
    check_identity_references(s, &cur.id, props)?;
    if let Some(l) = shared_private_links(props)? {
        p.insert("sharedPrivateLinkResources".into(), l);
    }
    if let Some(i) = ptr(props, "/encryption/identity").filter(|v| v.is_object()) {
        if let Some(e) = p.get_mut("encryption").and_then(Value::as_object_mut) {
            e.insert("identity".into(), encryption_identity(i));
        }
    }
    if let Some(k) = ptr(props, "/encryption/keyVaultProperties/keyIdentifier").and_then(Value::as_str) {
        if let Some(kv) =
            p.get_mut("encryption").and_then(|e| e.get_mut("keyVaultProperties")).and_then(Value::as_object_mut)
        {
            kv.insert("keyIdentifier".into(), json!(k));
        }
    }
    p.insert("provisioningState".into(), json!("Succeeded"));
    updated["properties"] = Value::Object(p);
    match parse_tags(body)? {
        Some(t) => updated["tags"] = json!(t),
        None if full => updated["tags"] = json!({}),
        None => {}
    }
    if let Some(sku) = body.get("sku").filter(|v| v.is_object()) {
        updated["sku"] = wire::canonical_sku(sku);
    }
    if let Some(given) = body.get("identity").filter(|v| v.is_object()) {
        let tenant = tenant_of(s, ws.subscription());
        updated["identity"] = resolve_identity(ctx, s, &cur.id, Some(given), updated.get("identity"), &tenant)?;
    }
    updated["systemData"] = stamp;
    let mut r = cur.clone();
    r.body = updated.into();
    r.changed_time = now;
    Ok(r)
}

pub fn update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let body = req.json_object()?;
    let props = props_of(&body)?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        write_checks(ctx, s, req, &id, None)?;
        let cur = s.live(&id.key()).cloned().ok_or_else(|| not_found(&id))?;
        preconditions::check(req, Current::Present(cur.etag().as_deref()))?;
        refuse_while_deleting(&cur)?;
        let updated = apply_update(ctx, s, req.caller(), &cur, &body, &props, false, now)?;
        let location = updated.body.string("/location").unwrap_or_default();
        Ok(finish_write(ctx, req, &id, &location, KIND_UPDATE, ProvisioningState::Updating, updated, Vec::new()))
    })
}

// ---------- read ----------

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    // The hot read: the key straight from the captures, and only the body leaves the lock.
    let (sub, rg, name) = (req.param("subscriptionId")?, req.param("resourceGroupName")?, req.param("workspaceName")?);
    let key = ids::resource_key(sub, rg, NS, &[("workspaces", name)]);
    let body = ctx.store().read(|s| {
        require_group(s, sub, rg)?;
        s.live(&key).map(|r| r.body.bytes()).ok_or_else(|| ArmError::resource_not_found(TYPE, name, rg))
    })?;
    Ok(ArmResponse::raw_json(200, body))
}

/// A page of the workspaces (live, or soft-deleted) in the groups under `scope`, in key order
/// after the `$skip` token. The scan seeks to each group's workspaces, so a page costs the
/// same however many other resources the groups hold.
fn list_under(ctx: &Ctx, req: &ArmRequest, scope: &str, deleted: bool) -> ArmResult<ArmResponse> {
    const PARAM: &str = "$skip";
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, PARAM)?;
    let within = format!("providers/{}/", TYPE.to_lowercase());
    let page = ctx.store().read(|s| {
        let items = s
            .resources_in_groups(scope, &within, after.as_deref())
            .filter(|(_, r)| r.resource_type.eq_ignore_ascii_case(TYPE))
            .filter(|(_, r)| r.soft_deleted.is_some() == deleted);
        paging::page_from(req, items, PARAM, size, |r, out| {
            if deleted {
                wire::deleted_view(r).write_to(out);
            } else {
                r.body.write_to(out);
            }
        })
    });
    Ok(ArmResponse::raw_json(200, page))
}

fn group_scope(ctx: &Ctx, req: &ArmRequest) -> ArmResult<String> {
    let (sub, rg) = (req.param("subscriptionId")?, req.param("resourceGroupName")?);
    ctx.store().read(|s| require_group(s, sub, rg).map(|_| ()))?;
    Ok(ids::group_prefix(sub, rg))
}

pub fn list_by_resource_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    list_under(ctx, req, &group_scope(ctx, req)?, false)
}

pub fn list_by_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    list_under(ctx, req, &ids::subscription_prefix(req.param("subscriptionId")?), false)
}

pub fn list_deleted_by_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    list_under(ctx, req, &ids::subscription_prefix(req.param("subscriptionId")?), true)
}

pub fn list_deleted_by_resource_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    list_under(ctx, req, &group_scope(ctx, req)?, true)
}

// ---------- delete ----------

pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let purge = match req.query("forceToPurge") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => return Err(ArmError::invalid_query_parameter("forceToPurge", v, "It must be 'true' or 'false'.")),
    };
    let key = id.key();
    ctx.store().commit(|s: &State| {
        require_group_writable(s, id.subscription(), id.resource_group().unwrap_or_default())?;
        let r = match s.resource(&key) {
            None => {
                preconditions::check(req, Current::Absent)?;
                return Ok((Vec::new(), ArmResponse::empty(204)));
            }
            Some(r) if r.soft_deleted.is_some() => {
                preconditions::check(req, Current::Absent)?;
                return Ok(if purge {
                    (vec![Change::RemoveResource { id: r.id.clone() }], ArmResponse::empty(200))
                } else {
                    (Vec::new(), ArmResponse::empty(204))
                });
            }
            Some(r) => r.clone(),
        };
        preconditions::check(req, Current::Present(r.etag().as_deref()))?;
        let body = r.body.value();
        let ws = Workspace { body: &body };
        // Customer-managed-key workspaces are always deleted permanently.
        let permanent = purge || ws.has_customer_managed_key();
        let set = |state| Change::SetProvisioningState { id: r.id.clone(), state };
        let sync = is_sync(ctx, KIND_DELETE);
        let mut on_success = Vec::new();
        if permanent {
            on_success.push(Change::RemoveResource { id: r.id.clone() });
        } else {
            if !sync {
                on_success.push(set(ProvisioningState::Succeeded));
            }
            on_success.push(Change::SoftDelete { id: r.id.clone(), retention_days: ws.retention_days() });
        }
        let op = Lro::new(KIND_DELETE, id.subscription(), NS, ws.location())
            .headers(LroHeaders::Both)
            .pending(vec![set(ProvisioningState::Deleting)])
            .on_success(on_success)
            .on_failure(vec![set(ProvisioningState::Succeeded)]);
        Ok(lro::plan(ctx, req, op))
    })
}

// ---------- actions ----------

fn dependent(s: &State, ws: &Value, prop: &str) -> Option<Arc<Resource>> {
    let id = Workspace { body: ws }.dependent(prop)?.to_lowercase();
    s.live(&id).cloned()
}

pub fn list_keys(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = ctx.store().read(|s| {
        let (_, ws) = live_workspace(s, req)?;
        let v = ws.body.value();
        let storage = dependent(s, &v, "storageAccount");
        let insights = dependent(s, &v, "applicationInsights");
        let registry = dependent(s, &v, "containerRegistry");
        Ok::<_, ArmError>(wire::keys(storage.as_deref(), insights.as_deref(), registry.as_deref()))
    })?;
    Ok(ArmResponse::ok(body))
}

/// `200` with no body (the GA 1.0.1 client accepts nothing else), or an LRO in async modes.
pub fn resync_keys(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    ctx.store().commit(|s| {
        let (id, ws) = live_workspace(s, req)?;
        let location = ws.body.string("/location").unwrap_or_default();
        Ok(lro::plan(ctx, req, Lro::new(KIND_RESYNC_KEYS, id.subscription(), NS, &location)))
    })
}

pub fn list_notebook_access_token(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (_, ws) = ctx.store().read(|s| live_workspace(s, req))?;
    let notebook = ws.body.pointer("/properties/notebookInfo").unwrap_or(Value::Null);
    Ok(ArmResponse::ok(wire::notebook_access_token(&notebook, ctx.ids().hex(64), ctx.ids().hex(64))))
}
