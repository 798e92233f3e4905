//! Generic resources: the `…/resources` listings with `$filter`/`$expand`, and the by-id
//! catch-all for `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}…`.
//!
//! Types the catalog marks [`Emulation::Generic`] are stored as given (a plain tracked
//! resource: location checked against the provider catalog, namespace registration enforced,
//! read-only properties filled in by `providers::dependents`). Types it marks
//! [`Emulation::NotEmulated`] are refused clearly; typed modules register more specific routes
//! before this catch-all.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::catalog::{self, Emulation, RESOURCES_API_VERSIONS};
use crate::model::ids::{self, valid_resource_name, ResourceId};
use crate::model::time::arm_time;
use crate::protocol::body::{merge_patch, optional_str, parse_tags};
use crate::protocol::filter::{self, Term};
use crate::protocol::preconditions::{self, Current};
use crate::protocol::router::{Access, Route};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::{Change, Resource, State};

use crate::providers::common::{
    build_tracked, canonical_id, find_live, is_group_resource, require_group, require_group_writable, system_data,
    tenant_of, write_checks, BuildCx,
};
use crate::providers::{Ctx, Handler};

const BY_ID: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{*resourcePath}";

pub fn list_routes() -> Vec<Route<Handler>> {
    let r = |pattern, operation, handler: Handler| {
        Route::new(Method::Get, pattern, operation, Access::Arm, handler)
            .api_versions(RESOURCES_API_VERSIONS)
            .action("Microsoft.Resources/subscriptions/resources/read")
    };
    vec![
        r("/subscriptions/{subscriptionId}/resources", "Resources_List", list),
        r(
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources",
            "Resources_ListByResourceGroup",
            list_by_group,
        ),
    ]
}

/// The catch-all routes; they must come after every typed route.
pub fn by_id_routes() -> Vec<Route<Handler>> {
    let r = |method, operation, handler: Handler| {
        Route::new(method, BY_ID, operation, Access::Arm, handler).api_versions(RESOURCES_API_VERSIONS)
    };
    vec![
        // What each provider offers for its types (`StorageAccounts_List`, `Vaults_ListBySubscription`,
        // `Registries_ListByResourceGroup`, …): full bodies, in a subscription or a group. Typed
        // modules register their own before these (these come before the catch-all,
        // which would take `{ns}/{type}` for a resource path).
        Route::new(
            Method::Get,
            "/subscriptions/{subscriptionId}/providers/{ns}/{type}",
            "Provider_ListBySubscription",
            Access::Arm,
            list_type_in_subscription as Handler,
        )
        .api_versions(RESOURCES_API_VERSIONS)
        .action("{ns}/{type}/read"),
        Route::new(
            Method::Get,
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{ns}/{type}",
            "Provider_ListByResourceGroup",
            Access::Arm,
            list_type_in_group as Handler,
        )
        .api_versions(RESOURCES_API_VERSIONS)
        .action("{ns}/{type}/read"),
        r(Method::Get, "Resources_GetById", get_by_id),
        r(Method::Head, "Resources_CheckExistenceById", head_by_id),
        r(Method::Put, "Resources_CreateOrUpdateById", put_by_id),
        r(Method::Patch, "Resources_UpdateById", patch_by_id),
        r(Method::Delete, "Resources_DeleteById", delete_by_id),
    ]
}

/// The resource a by-id request addresses: a provider resource id whose names are valid and
/// whose namespace is known; a type the emulator does not model is refused.
fn target(req: &ArmRequest) -> ArmResult<ResourceId> {
    let id = ResourceId::from_segments(req.segments()).ok_or_else(|| ArmError::no_route(req.raw_path()))?;
    if let Some(bad) = id.names().find(|n| !valid_resource_name(n)) {
        return Err(ArmError::invalid_resource_name(bad));
    }
    if catalog::provider(&id.namespace).is_none() {
        return Err(ArmError::invalid_resource_namespace(&id.namespace));
    }
    if let Some((p, t)) = catalog::resource_type(&id.full_type()) {
        if t.emulation == Emulation::NotEmulated {
            return Err(ArmError::not_emulated(&format!("{}/{}", p.namespace, t.name)));
        }
    }
    Ok(id)
}

fn get_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    Ok(ArmResponse::raw_json(200, ctx.store().read(|s| find_live(s, &id))?.body.bytes()))
}

fn head_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = match target(req) {
        Ok(id) => id,
        Err(_) => return Ok(ArmResponse::empty(404)),
    };
    let exists = ctx.store().read(|s| s.live(&id.key()).is_some());
    Ok(ArmResponse::empty(if exists { 204 } else { 404 }))
}

/// Stores a resource of a type with no module of its own.
fn put_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    let body = req.json_object()?;
    let location = optional_str(&body, "", "location")?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let (provider, info) = write_checks(ctx, s, req, &id, location)?;
        let existing = s.live(&id.key()).cloned();
        let etag = existing.as_ref().map(|r| r.etag());
        preconditions::check(req, etag.as_ref().map_or(Current::Absent, |e| Current::Present(e.as_deref())))?;
        if existing.is_none()
            && location.is_none()
            && id.is_top_level()
            && info.capabilities.has(catalog::Capabilities::SUPPORTS_LOCATION)
        {
            return Err(ArmError::location_required());
        }
        if let ids::Parent::Resource(parent) = id.parent() {
            if s.live(&parent.key()).is_none() {
                return Err(ArmError::resource_not_found(
                    &parent.full_type(),
                    parent.name(),
                    id.resource_group().unwrap_or_default(),
                ));
            }
        }
        let canonical = canonical_id(s, &id, provider, existing.as_deref());
        let tenant = tenant_of(s, id.subscription());
        let b = BuildCx { ctx, id: &canonical, provider, info, tenant_id: &tenant, principal: req.caller(), now };
        let r = Arc::new(build_tracked(&b, existing.as_deref(), &body)?);
        let status =
            if existing.is_none() { crate::providers::dependents::creation_status(&r.resource_type) } else { 200 };
        let resp = ArmResponse::raw_json(status, r.body.bytes());
        Ok((vec![Change::PutResource { resource: r }], resp))
    })
}

fn patch_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    let body = req.json_object()?;
    let tags = parse_tags(&body)?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        write_checks(ctx, s, req, &id, None)?;
        let cur = find_live(s, &id)?;
        preconditions::check(req, Current::Present(cur.etag().as_deref()))?;
        let mut r = (*cur).clone();
        r.body.edit(|v| {
            let stamp = system_data(req.caller(), now, Some(v));
            let Some(obj) = v.as_object_mut() else { return };
            if let Some(t) = &tags {
                obj.insert("tags".into(), json!(t));
            }
            if let (Some(Value::Object(patch)), Some(Value::Object(props))) =
                (body.get("properties"), obj.get_mut("properties"))
            {
                merge_patch(props, patch);
            }
            for k in ["sku", "identity", "kind"] {
                if let Some(x) = body.get(k) {
                    obj.insert(k.into(), x.clone());
                }
            }
            obj.insert("systemData".into(), stamp);
        });
        r.changed_time = now;
        let resp = ArmResponse::raw_json(200, r.body.bytes());
        Ok((vec![Change::PutResource { resource: Arc::new(r) }], resp))
    })
}

fn delete_by_id(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = target(req)?;
    ctx.store().commit(|s: &State| {
        if let Some(rg) = id.resource_group() {
            require_group_writable(s, id.subscription(), rg)?;
        }
        let cur = s.live(&id.key());
        let etag = cur.map(|r| r.etag());
        preconditions::check(req, etag.as_ref().map_or(Current::Absent, |e| Current::Present(e.as_deref())))?;
        Ok(match cur {
            None => (Vec::new(), ArmResponse::empty(204)),
            Some(r) => (vec![Change::RemoveResource { id: r.id.clone() }], ArmResponse::empty(200)),
        })
    })
}

const FILTER_FIELDS: &[&str] = &["resourceType", "resourceGroup", "name", "location", "tagName", "tagValue"];

fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    list_under(ctx, req, &ids::subscription_prefix(sub), None)
}

fn list_by_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let rg = req.param("resourceGroupName")?;
    ctx.store().read(|s| require_group(s, sub, rg).map(|_| ()))?;
    list_under(ctx, req, &ids::group_prefix(sub, rg), None)
}

/// The catalog's name of `{ns}/{type}`, refused as the by-id routes refuse it.
fn listed_type(req: &ArmRequest) -> ArmResult<String> {
    let ns = req.param("ns")?;
    let ty = req.param("type")?;
    let Some(p) = catalog::provider(ns) else {
        return Err(ArmError::invalid_resource_namespace(ns));
    };
    match catalog::resource_type(&format!("{ns}/{ty}")) {
        Some((_, t)) if t.emulation == Emulation::NotEmulated => {
            Err(ArmError::not_emulated(&format!("{}/{}", p.namespace, t.name)))
        }
        Some((p, t)) => Ok(format!("{}/{}", p.namespace, t.name)),
        None => Err(ArmError::no_route(req.raw_path())),
    }
}

fn list_type_in_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let full = listed_type(req)?;
    let sub = req.param("subscriptionId")?;
    list_under(ctx, req, &ids::subscription_prefix(sub), Some(&full))
}

fn list_type_in_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let full = listed_type(req)?;
    let sub = req.param("subscriptionId")?;
    let rg = req.param("resourceGroupName")?;
    ctx.store().read(|s| require_group(s, sub, rg).map(|_| ()))?;
    list_under(ctx, req, &ids::group_prefix(sub, rg), Some(&full))
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

/// `of_type`: a provider's own listing of one type — its full bodies, no `$filter`; otherwise
/// the `…/resources` listing (generic views, `$filter`, `$expand`).
fn list_under(ctx: &Ctx, req: &ArmRequest, prefix: &str, of_type: Option<&str>) -> ArmResult<ArmResponse> {
    let f = match (req.query("$filter"), of_type) {
        (Some(text), None) => filter::parse(text, FILTER_FIELDS)?,
        _ => filter::Filter::default(),
    };
    let expand: Vec<String> =
        req.query("$expand").map(|e| e.split(',').map(|x| x.trim().to_ascii_lowercase()).collect()).unwrap_or_default();
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    // The matching records are taken under the read lock (shared handles, no parsing); their
    // bodies are parsed and filtered after it is released, page by page.
    const CHUNK: usize = 256;
    let mut out = Vec::new();
    let mut from = after;
    let page = loop {
        let chunk: Vec<(String, Arc<Resource>)> = ctx.store().read(|s| {
            s.resources_after(prefix, from.as_deref())
                .filter(|(_, r)| r.is_live() && is_group_resource(r))
                .filter(|(_, r)| of_type.is_none_or(|t| r.resource_type.eq_ignore_ascii_case(t)))
                .take(CHUNK)
                .map(|(k, r)| (k.clone(), r.clone()))
                .collect()
        });
        let exhausted = chunk.len() < CHUNK;
        from = chunk.last().map(|(k, _)| k.clone());
        for (k, r) in chunk {
            let body = r.body.value();
            if of_type.is_some() {
                out.push((k, body));
            } else if matches(&f, &r, &body) {
                out.push((k, generic_view(&r, &body, &expand)));
            }
        }
        if exhausted || out.len() > size {
            break paging::page_from(req, out.into_iter(), paging::SKIP_TOKEN, size, |v, buf| {
                let _ = serde_json::to_writer(buf, &v);
            });
        }
    };
    Ok(ArmResponse::raw_json(200, page))
}
