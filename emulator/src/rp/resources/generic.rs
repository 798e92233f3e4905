//! Generic resources: the `…/resources` listings with `$filter`/`$expand`, and the
//! by-id catch-all for `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}…`.
//!
//! Resource types without a module of their own are stored as given (a plain tracked
//! resource: location checked against the provider catalog, namespace registration
//! enforced). Typed modules register more specific routes before this catch-all, and reuse
//! [`write_preconditions`] and [`system_data`] so every type applies ARM's checks in the same
//! order: registration (409), type and location (400), resource group (404/409).

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use serde_json::{json, Map, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::filter::{self, Term};
use crate::arm::lro::{self, Completion, Done, Lro, LroHeaders};
use crate::arm::request::{optional_object, optional_str, ArmRequest, Method};
use crate::arm::resource_id::{self, ResourceId};
use crate::arm::response::ArmResponse;
use crate::arm::{check_preconditions, paging};
use crate::context::Ctx;
use crate::identity::Principal;
use crate::router::{Access, Route};
use crate::rp::catalog::{self, ProviderInfo, ResourceTypeInfo};
use crate::rp::resources::groups::parse_tags;
use crate::rp::resources::providers::require_registered;
use crate::store::clock::arm_time;
use crate::store::{Resource, State};

const BY_ID: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{*resourcePath}";

pub fn list_routes() -> Vec<Route> {
    let r = |method, pattern, operation, handler| Route { method, pattern, operation, access: Access::Arm, handler };
    vec![
        r(Method::Get, "/subscriptions/{subscriptionId}/resources", "Resources_List", list),
        r(
            Method::Get,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources",
            "Resources_ListByResourceGroup",
            list_by_group,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/moveResources",
            "Resources_MoveResources",
            move_resources,
        ),
        r(
            Method::Post,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/validateMoveResources",
            "Resources_ValidateMoveResources",
            validate_move_resources,
        ),
    ]
}

/// Types the emulator refuses to move (each with the reason given to the caller).
fn move_refusal(r: &Resource, cross_subscription: bool) -> Option<String> {
    if r.resource_type.eq_ignore_ascii_case(crate::rp::machinelearning::workspaces::TYPE) {
        return Some(if cross_subscription {
            format!(
                "Moving the Azure Machine Learning workspace '{}' to another subscription is not supported.",
                r.name
            )
        } else {
            format!(
                "Moving the Azure Machine Learning workspace '{}' to another resource group is not supported.",
                r.name
            )
        });
    }
    None
}

struct MovePlan {
    target_sub: String,
    target_rg: String,
    keys: Vec<String>,
}

/// Checks a move request: the ids are top-level resources in the source group, the target
/// group exists and differs, and no resource refuses to move.
fn plan_move(ctx: &Ctx, req: &ArmRequest) -> ArmResult<MovePlan> {
    let sub = req.param("subscriptionId")?;
    let rg = req.param("resourceGroupName")?;
    require_group_writable(ctx, sub, rg)?;
    let body = req.json_object()?;
    let ids: Vec<String> = body
        .get("resources")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .filter(|v: &Vec<String>| !v.is_empty())
        .ok_or_else(|| {
            ArmError::bad_request("InvalidRequestContent", "The request must list the 'resources' to move.")
        })?;
    let target = body.get("targetResourceGroup").and_then(Value::as_str).unwrap_or("");
    let segs: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let (target_sub, target_rg) = match segs.as_slice() {
        [s, sub2, g, rg2] if s.eq_ignore_ascii_case("subscriptions") && g.eq_ignore_ascii_case("resourceGroups") => {
            (sub2.to_string(), rg2.to_string())
        }
        _ => {
            return Err(ArmError::bad_request(
                "InvalidTargetResourceGroup",
                format!("The target resource group '{target}' is not a valid resource group id."),
            ))
        }
    };
    if target_sub.eq_ignore_ascii_case(sub) && target_rg.eq_ignore_ascii_case(rg) {
        return Err(ArmError::bad_request(
            "InvalidTargetResourceGroup",
            "The source and target resource groups are the same.",
        ));
    }
    crate::arm::check_subscription(ctx, &target_sub, true)?;
    require_group_writable(ctx, &target_sub, &target_rg)?;
    let cross = !target_sub.eq_ignore_ascii_case(sub);
    let mut keys = Vec::new();
    for id_text in &ids {
        let id = ResourceId::parse(id_text)?;
        if !id.subscription.eq_ignore_ascii_case(sub) || !id.resource_group.eq_ignore_ascii_case(rg) || !id.top_level()
        {
            return Err(ArmError::bad_request(
                "InvalidMoveRequest",
                format!("The resource '{id_text}' is not a top-level resource in resource group '{rg}'."),
            ));
        }
        let r = find_live(ctx, &id)?;
        if let Some(reason) = move_refusal(&r, cross) {
            return Err(ArmError::bad_request("ResourceMoveNotSupported", reason));
        }
        keys.push(id.key());
    }
    Ok(MovePlan { target_sub, target_rg, keys })
}

/// Answers a move or a move validation through the LRO engine, as ARM does: `202` with a
/// `Location` under `/subscriptions/{s}/operationresults/{job token}` that ends in `204`
/// (`204` at once in the `sync` mode).
fn move_operation(
    ctx: &Ctx,
    req: &ArmRequest,
    kind: &'static str,
    job: &str,
    completion: Completion,
) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?.to_string();
    let rg = req.param("resourceGroupName")?;
    let location = ctx.store.read(|s| s.group(&sub, rg).map(|g| g.location.clone())).unwrap_or_default();
    // ARM's job token: unpadded base64url of `{"jobId": …, "jobLocation": …}`.
    let token = URL_SAFE_NO_PAD.encode(
        json!({"jobId": format!("{job}-{}", ctx.ids.guid().to_uppercase()), "jobLocation": location}).to_string(),
    );
    let location_path = format!("/subscriptions/{sub}/operationresults/{token}");
    Ok(lro::begin(
        ctx,
        req,
        Lro {
            kind,
            subscription: sub,
            namespace: "Microsoft.Resources".into(),
            location,
            headers: LroHeaders::Location,
            op_id: Some(token),
            location_path: Some(location_path),
            status_path: None,
            sync: ArmResponse::empty(204),
            accepted: ArmResponse::empty(202),
            done: Done::Empty(204),
            completion,
            rollback: None,
        },
    ))
}

fn validate_move_resources(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    plan_move(ctx, req)?;
    move_operation(ctx, req, "resources/validateMoveResources", "ResourceMoveValidationJob", Box::new(|_, _| {}))
}

/// Moves the resources (and their children) by re-keying them under the target group, when
/// the operation completes (a resource deleted meanwhile is skipped).
fn move_resources(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let plan = plan_move(ctx, req)?;
    move_operation(
        ctx,
        req,
        "resources/moveResources",
        "ResourceMoveJob",
        Box::new(move |s, now| apply_move(s, &plan, now)),
    )
}

fn apply_move(s: &mut State, plan: &MovePlan, now: chrono::DateTime<chrono::Utc>) {
    let target_group =
        s.group(&plan.target_sub, &plan.target_rg).map(|g| g.name.clone()).unwrap_or(plan.target_rg.clone());
    for key in &plan.keys {
        let prefix = format!("{key}/");
        let mut moving: Vec<Arc<Resource>> = s.resources_under(&prefix).cloned().collect();
        if let Some(r) = s.resources.get(key) {
            moving.push(r.clone());
        }
        for r in moving {
            s.resources.remove(&r.id.to_lowercase());
            let Ok(mut id) = ResourceId::parse(&r.id) else { continue };
            id.subscription = plan.target_sub.clone();
            id.resource_group = target_group.clone();
            let mut moved = (*r).clone();
            moved.id = id.to_id();
            moved.subscription_id = plan.target_sub.as_str().into();
            moved.resource_group = target_group.as_str().into();
            let new_id = json!(moved.id);
            moved.body.edit(|b| b["id"] = new_id);
            moved.changed_time = now;
            s.resources.insert(id.key(), Arc::new(moved));
        }
    }
}

/// The catch-all routes; they must come after every typed route.
pub fn by_id_routes() -> Vec<Route> {
    let r = |method, operation, handler| Route { method, pattern: BY_ID, operation, access: Access::Arm, handler };
    vec![
        r(Method::Get, "Resources_GetById", get_by_id),
        r(Method::Head, "Resources_CheckExistenceById", head_by_id),
        r(Method::Put, "Resources_CreateOrUpdateById", put_by_id),
        r(Method::Patch, "Resources_UpdateById", patch_by_id),
        r(Method::Delete, "Resources_DeleteById", delete_by_id),
    ]
}

/// `systemData` for a resource written now by `who`, keeping the creation half of `previous`.
pub fn system_data(who: Option<&Principal>, now: chrono::DateTime<chrono::Utc>, previous: Option<&Value>) -> Value {
    let name = who.map(|p| p.app_id.clone().unwrap_or_else(|| p.object_id.clone())).unwrap_or_else(|| "unknown".into());
    let kind = if who.is_some_and(|p| p.app_id.is_some()) { "Application" } else { "User" };
    let stamp = arm_time(now);
    let created = previous.and_then(|p| p.get("systemData"));
    json!({
        "createdBy": created.and_then(|c| c.get("createdBy")).cloned().unwrap_or(json!(name)),
        "createdByType": created.and_then(|c| c.get("createdByType")).cloned().unwrap_or(json!(kind)),
        "createdAt": created.and_then(|c| c.get("createdAt")).cloned().unwrap_or(json!(stamp)),
        "lastModifiedBy": name,
        "lastModifiedByType": kind,
        "lastModifiedAt": stamp,
    })
}

/// ARM's checks before any write of a resource: the namespace is registered (409), the type is
/// known (400), the location (if given) is offered for the type (400), the group exists (404)
/// and is not being deleted (409).
pub fn write_preconditions(
    ctx: &Ctx,
    req: &ArmRequest,
    id: &ResourceId,
    location: Option<&str>,
) -> ArmResult<(&'static ProviderInfo, &'static ResourceTypeInfo)> {
    let provider = require_registered(ctx, &id.subscription, &id.namespace)?;
    let type_path: Vec<&str> = id.types.iter().map(|(t, _)| t.as_str()).collect();
    let type_name = type_path.join("/");
    let api = req.api_version().unwrap_or_default();
    let info = provider
        .resource_type(&type_name)
        .ok_or_else(|| ArmError::invalid_resource_type(provider.namespace, &type_name, api))?;
    if let Some(loc) = location {
        if !info.offered_in(loc) {
            let locs: Vec<&str> = info.regions().iter().map(|r| r.name).collect();
            return Err(ArmError::no_registered_provider_found(loc, api, &type_name, info.api_versions, &locs));
        }
    }
    require_group_writable(ctx, &id.subscription, &id.resource_group)?;
    Ok((provider, info))
}

pub fn require_group_writable(ctx: &Ctx, sub: &str, rg: &str) -> ArmResult<()> {
    match ctx.store.read(|s| s.group(sub, rg).map(|g| g.provisioning_state.clone())) {
        None => Err(ArmError::resource_group_not_found(rg)),
        Some(st) if st == "Deleting" => Err(ArmError::resource_group_being_deleted(rg)),
        Some(_) => Ok(()),
    }
}

pub fn require_group(ctx: &Ctx, sub: &str, rg: &str) -> ArmResult<()> {
    if ctx.store.read(|s| s.group(sub, rg).is_none()) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    Ok(())
}

fn target(req: &ArmRequest) -> ArmResult<ResourceId> {
    ResourceId::from_segments(&req.segments)
}

/// A live resource by id, or `404 ResourceNotFound` (after `404 ResourceGroupNotFound`).
pub fn find_live(ctx: &Ctx, id: &ResourceId) -> ArmResult<Arc<Resource>> {
    require_group(ctx, &id.subscription, &id.resource_group)?;
    ctx.store
        .read(|s| s.resources.get(&id.key()).filter(|r| r.is_live()).cloned())
        .ok_or_else(|| ArmError::resource_not_found(&id.full_type(), id.name(), &id.resource_group))
}

fn get_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    if catalog::provider(&id.namespace).is_none() {
        return Err(ArmError::invalid_resource_namespace(&id.namespace));
    }
    Ok(ArmResponse::raw_json(200, find_live(ctx, &id)?.body.bytes()))
}

fn head_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    let exists = ctx.store.read(|s| s.resources.get(&id.key()).is_some_and(|r| r.is_live()));
    Ok(ArmResponse::empty(if exists { 204 } else { 404 }))
}

/// What [`build_tracked`] needs besides the request body.
pub struct BuildCx<'a> {
    pub ctx: &'a Ctx,
    pub id: &'a ResourceId,
    pub provider: &'static ProviderInfo,
    pub info: &'static ResourceTypeInfo,
    /// The group's name as first cased.
    pub group_name: &'a str,
    pub tenant_id: &'a str,
    pub principal: Option<&'a Principal>,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Builds the stored record of a tracked resource from a PUT body (over `existing` on update):
/// canonical id, normalised location, tags, the common top-level fields, `properties` with
/// `provisioningState`, `systemData`, and the type's own read-only properties.
pub fn build_tracked(b: &BuildCx, existing: Option<&Resource>, body: &Map<String, Value>) -> ArmResult<Resource> {
    let old = existing.map(|r| r.body.value());
    let old_field = |k: &str| old.as_ref().and_then(|o| o.get(k));
    let location = match optional_str(body, "", "location")? {
        None => old_field("location").and_then(Value::as_str).map(String::from),
        Some(s) => Some(catalog::region(s).map(|r| r.name.to_string()).unwrap_or_else(|| s.to_string())),
    };
    let tags = parse_tags(body)?;
    let canonical = existing.map(|r| r.id.clone()).unwrap_or_else(|| {
        let mut c = b.id.clone();
        c.namespace = b.provider.namespace.to_string();
        c.resource_group = b.group_name.to_string();
        c.to_id()
    });
    let full_type = format!("{}/{}", b.provider.namespace, b.info.name);
    let mut top = Map::new();
    top.insert("id".into(), json!(canonical));
    top.insert("name".into(), json!(b.id.name()));
    top.insert("type".into(), json!(full_type));
    if let Some(l) = &location {
        top.insert("location".into(), json!(l));
    }
    match tags {
        Some(t) => {
            top.insert("tags".into(), json!(t));
        }
        None => {
            if let Some(t) = old_field("tags") {
                top.insert("tags".into(), t.clone());
            }
        }
    }
    for k in ["kind", "sku", "identity", "plan", "managedBy", "zones", "extendedLocation"] {
        if let Some(v) = body.get(k).filter(|v| !v.is_null()).or_else(|| old_field(k)) {
            top.insert(k.into(), v.clone());
        }
    }
    let mut props = optional_object(body, "properties")?;
    props.insert("provisioningState".into(), json!("Succeeded"));
    let mut secrets = existing.and_then(|r| r.secrets.clone());
    if let Some(shape) = crate::rp::dependents::shaper(&full_type) {
        let scx = crate::rp::dependents::ShapeCx {
            ctx: b.ctx,
            id: b.id,
            location: location.as_deref().unwrap_or(""),
            tenant_id: b.tenant_id,
            now: b.now,
            secrets: secrets.as_deref(),
        };
        if let Some(existing) = old_field("properties").and_then(Value::as_object) {
            // Read-only values (creation times, generated keys) survive an update.
            for (k, v) in existing {
                if !props.contains_key(k) {
                    props.insert(k.clone(), v.clone());
                }
            }
        }
        secrets = shape(&scx, &mut top, &mut props).map(Box::new);
    }
    top.insert("properties".into(), Value::Object(props));
    top.insert("systemData".into(), system_data(b.principal, b.now, old.as_ref()));
    Ok(Resource {
        id: canonical,
        resource_type: full_type.into(),
        name: b.id.name().to_string(),
        subscription_id: b.id.subscription.as_str().into(),
        resource_group: b.group_name.into(),
        body: Value::Object(top).into(),
        created_time: existing.map(|r| r.created_time).unwrap_or(b.now),
        changed_time: b.now,
        soft_deleted: None,
        secrets,
    })
}

/// The tenant of a subscription.
pub fn tenant_of(s: &State, sub: &str) -> String {
    s.subscription(sub).map(|x| x.tenant_id.clone()).unwrap_or_default()
}

/// Stores a resource of a type with no module of its own (dependents are shaped by `rp::dependents`).
fn put_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    let body = req.json_object()?;
    let location = optional_str(&body, "", "location")?;
    let (provider, info) = write_preconditions(ctx, req, &id, location)?;
    let now = ctx.clock.now();
    let key = id.key();
    let (created, stored) = ctx.store.write(|s| -> ArmResult<(bool, Arc<Resource>)> {
        let existing = s.resources.get(&key).filter(|r| r.is_live()).cloned();
        let etag = existing.as_ref().map(|r| r.etag());
        check_preconditions(req, etag.as_ref().map(Option::as_deref))?;
        if existing.is_none() && location.is_none() && id.top_level() && info.capabilities.contains("SupportsLocation")
        {
            return Err(ArmError::location_required());
        }
        if !id.top_level() {
            let parent = ResourceId { types: id.types[..id.types.len() - 1].to_vec(), ..id.clone() };
            if !s.resources.get(&parent.key()).is_some_and(|r| r.is_live()) {
                return Err(ArmError::resource_not_found(&parent.full_type(), parent.name(), &id.resource_group));
            }
        }
        let group_name = s.group(&id.subscription, &id.resource_group).map(|g| g.name.clone()).unwrap_or_default();
        let tenant = tenant_of(s, &id.subscription);
        let b = BuildCx {
            ctx,
            id: &id,
            provider,
            info,
            group_name: &group_name,
            tenant_id: &tenant,
            principal: req.principal.as_ref(),
            now,
        };
        let r = Arc::new(build_tracked(&b, existing.as_deref(), &body)?);
        s.resources.insert(key.clone(), r.clone());
        Ok((existing.is_none(), r))
    })?;
    Ok(ArmResponse::raw_json(if created { 201 } else { 200 }, stored.body.bytes()))
}

fn patch_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    let body = req.json_object()?;
    write_preconditions(ctx, req, &id, None)?;
    let tags = parse_tags(&body)?;
    let now = ctx.clock.now();
    let key = id.key();
    let updated = ctx.store.write(|s| -> ArmResult<Arc<Resource>> {
        let cur = s
            .resources
            .get(&key)
            .filter(|r| r.is_live())
            .cloned()
            .ok_or_else(|| ArmError::resource_not_found(&id.full_type(), id.name(), &id.resource_group))?;
        check_preconditions(req, Some(cur.etag().as_deref()))?;
        let mut r = (*cur).clone();
        r.body.edit(|v| {
            let system_data = system_data(req.principal.as_ref(), now, Some(v));
            if let Some(t) = tags {
                v["tags"] = json!(t);
            }
            if let (Some(Value::Object(patch)), Some(Value::Object(props))) =
                (body.get("properties"), v.get_mut("properties"))
            {
                merge_patch(props, patch);
            }
            for k in ["sku", "identity", "kind"] {
                if let Some(x) = body.get(k) {
                    v[k] = x.clone();
                }
            }
            v["systemData"] = system_data;
        });
        r.changed_time = now;
        let r = Arc::new(r);
        s.resources.insert(key.clone(), r.clone());
        Ok(r)
    })?;
    Ok(ArmResponse::raw_json(200, updated.body.bytes()))
}

/// RFC 7396 JSON merge patch of `patch` into `target`.
pub fn merge_patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => {
                if let Some(Value::Object(t)) = target.get_mut(k) {
                    merge_patch(t, p);
                } else {
                    let mut t = Map::new();
                    merge_patch(&mut t, p);
                    target.insert(k.clone(), Value::Object(t));
                }
            }
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

fn delete_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    if catalog::provider(&id.namespace).is_none() {
        return Err(ArmError::invalid_resource_namespace(&id.namespace));
    }
    require_group_writable(ctx, &id.subscription, &id.resource_group)?;
    let key = id.key();
    let removed = ctx.store.write(|s| -> ArmResult<bool> {
        let cur = s.resources.get(&key).filter(|r| r.is_live());
        let etag = cur.map(|r| r.etag());
        check_preconditions(req, etag.as_ref().map(Option::as_deref))?;
        if cur.is_none() {
            return Ok(false);
        }
        s.remove_resource_tree(&key);
        Ok(true)
    })?;
    Ok(ArmResponse::empty(if removed { 200 } else { 204 }))
}

const FILTER_FIELDS: &[&str] = &["resourceType", "resourceGroup", "name", "location", "tagName", "tagValue"];

fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let prefix = resource_id::key(&format!("/subscriptions/{sub}/"));
    list_under(ctx, req, &prefix)
}

fn list_by_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let rg = req.param("resourceGroupName")?;
    require_group(ctx, sub, rg)?;
    list_under(ctx, req, &resource_id::group_prefix(sub, rg))
}

/// Whether `r` (with its parsed `body`) passes the `$filter`.
fn matches(f: &filter::Filter, r: &Resource, body: &Value) -> bool {
    let tag_name = f.eq("tagName");
    f.terms.iter().all(|t| {
        let field = match t {
            Term::Eq { field, .. } | Term::SubstringOf { field, .. } | Term::StartsWith { field, .. } => {
                field.to_ascii_lowercase()
            }
        };
        match field.as_str() {
            "resourcetype" => filter::term_matches(t, &r.resource_type),
            "resourcegroup" => filter::term_matches(t, &r.resource_group),
            "name" => filter::term_matches(t, &r.name),
            "location" => filter::term_matches(t, body.get("location").and_then(Value::as_str).unwrap_or("")),
            "tagname" => body
                .get("tags")
                .and_then(Value::as_object)
                .is_some_and(|m| m.keys().any(|k| filter::term_matches(t, k))),
            "tagvalue" => body.get("tags").and_then(Value::as_object).is_some_and(|m| {
                m.iter().any(|(k, v)| {
                    tag_name.is_none_or(|n| n.eq_ignore_ascii_case(k))
                        && filter::term_matches(t, v.as_str().unwrap_or(""))
                })
            }),
            _ => false,
        }
    })
}

/// The generic-resource shape of the `…/resources` listings (`body` is `r`'s, parsed).
fn generic_view(r: &Resource, body: &Value, expand: &[String]) -> Value {
    let mut v = json!({"id": r.id, "name": r.name, "type": r.resource_type});
    for k in ["sku", "kind", "location", "identity", "managedBy", "plan", "tags", "zones"] {
        if let Some(x) = body.get(k) {
            v[k] = x.clone();
        }
    }
    for e in expand {
        match e.as_str() {
            "createdtime" => v["createdTime"] = json!(arm_time(r.created_time)),
            "changedtime" => v["changedTime"] = json!(arm_time(r.changed_time)),
            "provisioningstate" => {
                v["provisioningState"] =
                    body.pointer("/properties/provisioningState").cloned().unwrap_or(json!("Succeeded"))
            }
            _ => {}
        }
    }
    v
}

fn list_under(ctx: &Ctx, req: &ArmRequest, prefix: &str) -> ArmResult<ArmResponse> {
    let f = match req.query("$filter") {
        Some(text) => filter::parse(text, FILTER_FIELDS)?,
        None => filter::Filter::default(),
    };
    let expand: Vec<String> =
        req.query("$expand").map(|e| e.split(',').map(|x| x.trim().to_ascii_lowercase()).collect()).unwrap_or_default();
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    // Lazily from the continuation key: a page parses the bodies it scans, not the collection's.
    let page = ctx.store.read(|s: &State| {
        let items = s
            .resources_after(prefix, after.as_deref())
            .filter(|(_, r)| r.is_live() && r.is_top_level())
            .filter_map(|(key, r)| {
                let body = r.body.value();
                matches(&f, r, &body).then(|| (key.as_str(), generic_view(r, &body, &expand)))
            });
        paging::page_from(req, items, paging::SKIP_TOKEN, size, |v, out| {
            // Writing a `Value` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(out, &v);
        })
    });
    Ok(ArmResponse::raw_json(200, page))
}
