//! The identity operations: create or update (201 on creation, 200 after), get, PATCH of the
//! tags, delete (200, or 204 when there was nothing), and the lists by group and subscription
//! (`$skiptoken` paging). Each write plans one batch against the state under the store's lock.

use std::sync::Arc;

use serde_json::json;

use crate::model::ids::{self, ResourceId};
use crate::protocol::body::{optional_str, parse_tags};
use crate::protocol::preconditions::{self, Current};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, State};

use crate::providers::common::{
    build_tracked, canonical_id, find_live, require_group, require_group_writable, system_data, tenant_of,
    write_checks, BuildCx,
};
use crate::providers::Ctx;

use super::model::{PrincipalIds, NS, TYPE};
use super::rules::{valid_name, NAME_RULE};
use super::wire;

/// The identity a request addresses; a name the service refuses is refused first.
fn identity_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    let name = req.param("resourceName")?;
    if !valid_name(name) {
        return Err(ArmError::invalid_resource_name_rule(name, NAME_RULE));
    }
    Ok(ResourceId::in_group(
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        NS,
        vec![("userAssignedIdentities".into(), name.to_string())],
    ))
}

pub fn create_or_update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = identity_id(req)?;
    let body = req.json_object()?;
    let location = optional_str(&body, "", "location")?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let (provider, info) = write_checks(ctx, s, req, &id, location)?;
        let existing = s.live(&id.key()).cloned();
        let etag = existing.as_ref().map(|r| r.etag());
        preconditions::check(req, etag.as_ref().map_or(Current::Absent, |e| Current::Present(e.as_deref())))?;
        if existing.is_none() && location.is_none() {
            return Err(ArmError::location_required());
        }
        let canonical = canonical_id(s, &id, provider, existing.as_deref());
        let tenant = tenant_of(s, id.subscription());
        let b = BuildCx { ctx, id: &canonical, provider, info, tenant_id: &tenant, principal: req.caller(), now };
        let mut r = build_tracked(&b, existing.as_deref(), &body)?;
        // The principal is created once, with the identity; an update keeps it.
        let principal = existing.as_ref().and_then(|e| PrincipalIds::of(&e.body.value())).unwrap_or_else(|| {
            PrincipalIds { principal_id: ctx.ids().guid(), client_id: ctx.ids().guid(), tenant_id: tenant.clone() }
        });
        r.body.edit(|v| wire::set_properties(v, &principal));
        let r = Arc::new(r);
        let resp = ArmResponse::raw_json(if existing.is_none() { 201 } else { 200 }, r.body.bytes());
        Ok((vec![Change::PutResource { resource: r }], resp))
    })
}

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = identity_id(req)?;
    let body = ctx.store().read(|s| {
        require_group(s, id.subscription(), id.resource_group().unwrap_or_default())?;
        find_live(s, &id).map(|r| r.body.bytes())
    })?;
    Ok(ArmResponse::raw_json(200, body))
}

/// PATCH: the tags (the rest of an identity is read-only or fixed at creation).
pub fn update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = identity_id(req)?;
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
            if let Some(obj) = v.as_object_mut() {
                if let (Some(t), Some(_)) = (&tags, wire::patch_fields(&body)) {
                    obj.insert("tags".into(), json!(t));
                }
                obj.insert("systemData".into(), stamp);
            }
        });
        r.changed_time = now;
        let resp = ArmResponse::raw_json(200, r.body.bytes());
        Ok((vec![Change::PutResource { resource: Arc::new(r) }], resp))
    })
}

pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = identity_id(req)?;
    ctx.store().commit(|s: &State| {
        require_group_writable(s, id.subscription(), id.resource_group().unwrap_or_default())?;
        let cur = s.live(&id.key());
        let etag = cur.map(|r| r.etag());
        preconditions::check(req, etag.as_ref().map_or(Current::Absent, |e| Current::Present(e.as_deref())))?;
        Ok(match cur {
            None => (Vec::new(), ArmResponse::empty(204)),
            Some(r) => (vec![Change::RemoveResource { id: r.id.clone() }], ArmResponse::empty(200)),
        })
    })
}

/// A page of the identities in the groups under `scope`, in key order after `$skiptoken`.
fn list_under(ctx: &Ctx, req: &ArmRequest, scope: &str) -> ArmResult<ArmResponse> {
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    let within = format!("providers/{}/", TYPE.to_lowercase());
    let page = ctx.store().read(|s| {
        let items = s
            .resources_in_groups(scope, &within, after.as_deref())
            .filter(|(_, r)| r.is_live() && r.resource_type.eq_ignore_ascii_case(TYPE));
        paging::page_from(req, items, paging::SKIP_TOKEN, size, |r, out| r.body.write_to(out))
    });
    Ok(ArmResponse::raw_json(200, page))
}

pub fn list_by_resource_group(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = (req.param("subscriptionId")?, req.param("resourceGroupName")?);
    ctx.store().read(|s| require_group(s, sub, rg).map(|_| ()))?;
    list_under(ctx, req, &ids::group_prefix(sub, rg))
}

pub fn list_by_subscription(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    list_under(ctx, req, &ids::subscription_prefix(req.param("subscriptionId")?))
}
