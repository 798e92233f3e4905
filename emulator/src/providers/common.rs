//! What every resource provider's handlers share, as pure functions over a read-only `&State`
//! (they run while planning, under the store's write lock, so what they check still holds
//! when the batch lands):
//!
//! - ARM's checks before any write, in ARM's order: the namespace is registered (409), the
//!   type is known (400), the location is offered (400), the group exists (404) and is not
//!   being deleted (409);
//! - lookups of live resources and groups with ARM's not-found errors;
//! - `systemData`, and the record of a plain tracked resource built from a PUT body.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::catalog::{self, ProviderInfo, ResourceTypeInfo};
use crate::config::Config;
use crate::model::ids::ResourceId;
use crate::model::time::arm_time;
use crate::model::{Principal, RegistrationState};
use crate::protocol::body::{optional_object, optional_str, parse_tags};
use crate::protocol::{ArmError, ArmRequest, ArmResult};
use crate::store::{Registration, Resource, ResourceGroup, State};

use super::Ctx;

/// True for a group's own resources, as the `…/resources` listings show them and a
/// `Complete`-mode deployment replaces them: top-level resources in a group
/// (`/subscriptions/s/resourceGroups/rg/providers/NS/type/name`; stored ids are canonical),
/// not extension resources (role assignments), not children, and not types the catalog keeps
/// apart (deployments).
pub fn is_group_resource(r: &Resource) -> bool {
    r.id.split('/').filter(|s| !s.is_empty()).count() == 8
        && !r.resource_group.is_empty()
        && catalog::resource_type(&r.resource_type).is_none_or(|(_, t)| t.is_group_listed())
}

/// A provider's registration in a subscription as stored, or its default.
pub fn registration(ctx: &Ctx, s: &State, sub: &str, p: &ProviderInfo) -> RegistrationState {
    if p.registration_free {
        return RegistrationState::Registered;
    }
    match s.registration(sub, p.namespace) {
        Some(r) => r.state,
        None => default_registration(ctx.config(), sub, p).state,
    }
}

/// The registration a subscription starts with: the configured list, else the catalog's default.
pub fn default_registration(config: &Config, sub: &str, p: &ProviderInfo) -> Registration {
    let registered = match &config.registered_providers {
        Some(list) => list.iter().any(|n| n.eq_ignore_ascii_case(p.namespace)),
        None => p.default_registered,
    };
    Registration {
        subscription_id: sub.to_string(),
        namespace: p.namespace.to_string(),
        state: if registered || p.registration_free {
            RegistrationState::Registered
        } else {
            RegistrationState::NotRegistered
        },
        settles_at: None,
        polls_left: None,
    }
}

/// `409 MissingSubscriptionRegistration` unless `ns` is registered in `sub` (a read: checking
/// does not count as a poll of a `polls:N` registration).
pub fn require_registered(ctx: &Ctx, s: &State, sub: &str, ns: &str) -> ArmResult<&'static ProviderInfo> {
    let p = catalog::provider(ns).ok_or_else(|| ArmError::invalid_resource_namespace(ns))?;
    if registration(ctx, s, sub, p) != RegistrationState::Registered {
        return Err(ArmError::missing_subscription_registration(p.namespace));
    }
    Ok(p)
}

/// ARM's checks before any write of a resource (see the module documentation).
pub fn write_checks(
    ctx: &Ctx,
    s: &State,
    req: &ArmRequest,
    id: &ResourceId,
    location: Option<&str>,
) -> ArmResult<(&'static ProviderInfo, &'static ResourceTypeInfo)> {
    let provider = require_registered(ctx, s, id.subscription(), &id.namespace)?;
    let type_name = id.type_path();
    let api = req.api_version().unwrap_or_default();
    let info = provider
        .resource_type(&type_name)
        .ok_or_else(|| ArmError::invalid_resource_type(provider.namespace, &type_name, api))?;
    if let Some(loc) = location {
        if !info.offered_in(loc) {
            let locs: Vec<&str> =
                if info.is_global() { vec!["global"] } else { info.regions().iter().map(|r| r.name).collect() };
            return Err(ArmError::no_registered_provider_found(loc, api, &type_name, info.api_versions, &locs));
        }
    }
    if let Some(rg) = id.resource_group() {
        require_group_writable(s, id.subscription(), rg)?;
    }
    Ok((provider, info))
}

/// The group, or `404 ResourceGroupNotFound`.
pub fn require_group<'a>(s: &'a State, sub: &str, rg: &str) -> ArmResult<&'a ResourceGroup> {
    s.group(sub, rg).ok_or_else(|| ArmError::resource_group_not_found(rg))
}

/// The group, which must not be being deleted (`409 ResourceGroupBeingDeleted`).
pub fn require_group_writable<'a>(s: &'a State, sub: &str, rg: &str) -> ArmResult<&'a ResourceGroup> {
    let g = require_group(s, sub, rg)?;
    if g.is_deleting() {
        return Err(ArmError::resource_group_being_deleted(rg));
    }
    Ok(g)
}

/// A live resource by id, or `404 ResourceNotFound` (after `404 ResourceGroupNotFound`).
pub fn find_live(s: &State, id: &ResourceId) -> ArmResult<Arc<Resource>> {
    if let Some(rg) = id.resource_group() {
        require_group(s, id.subscription(), rg)?;
    }
    s.live(&id.key()).cloned().ok_or_else(|| not_found(id))
}

/// `404 ResourceNotFound` for `id`.
pub fn not_found(id: &ResourceId) -> ArmError {
    ArmError::resource_not_found(&id.full_type(), id.name(), id.resource_group().unwrap_or_default())
}

/// The tenant of a subscription.
pub fn tenant_of(s: &State, sub: &str) -> String {
    s.subscription(sub).map(|x| x.tenant_id.clone()).unwrap_or_default()
}

/// `systemData` for a resource written now by `who`, keeping the creation half of `previous`.
pub fn system_data(who: Option<&Principal>, now: DateTime<Utc>, previous: Option<&Value>) -> Value {
    let name = who.map(|p| p.display().to_string()).unwrap_or_else(|| "unknown".into());
    let kind = who.map(Principal::kind).unwrap_or("User");
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

/// A resource record: its canonical fields derived from the id, with `body`.
pub fn record(
    id: &ResourceId,
    full_type: &str,
    body: Value,
    now: DateTime<Utc>,
    existing: Option<&Resource>,
) -> Resource {
    Resource {
        id: id.to_id(),
        resource_type: full_type.into(),
        name: id.name().to_string(),
        subscription_id: id.subscription().into(),
        resource_group: id.resource_group().unwrap_or_default().into(),
        body: body.into(),
        created_time: existing.map(|r| r.created_time).unwrap_or(now),
        changed_time: now,
        soft_deleted: None,
        secrets: existing.and_then(|r| r.secrets.clone()),
    }
}

/// The canonical id of a resource being written: the group as first cased, the namespace and
/// type as the catalog spells them, names as given (or as stored, for an existing resource).
pub fn canonical_id(s: &State, id: &ResourceId, provider: &ProviderInfo, existing: Option<&Resource>) -> ResourceId {
    if let Some(r) = existing.and_then(|r| ResourceId::parse(&r.id)) {
        return r;
    }
    let mut c = match id.resource_group() {
        Some(rg) => {
            let name = s.group(id.subscription(), rg).map(|g| g.name.clone()).unwrap_or_else(|| rg.to_string());
            id.relocated(id.subscription(), &name)
        }
        None => id.clone(),
    };
    c.namespace = provider.namespace.to_string();
    c
}

/// What [`build_tracked`] needs besides the request body.
pub struct BuildCx<'a> {
    pub ctx: &'a Ctx,
    /// The canonical id ([`canonical_id`]).
    pub id: &'a ResourceId,
    pub provider: &'static ProviderInfo,
    pub info: &'static ResourceTypeInfo,
    pub tenant_id: &'a str,
    pub principal: Option<&'a Principal>,
    pub now: DateTime<Utc>,
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
    let full_type = format!("{}/{}", b.provider.namespace, b.info.name);
    let mut top = Map::new();
    top.insert("id".into(), json!(b.id.to_id()));
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
    if let Some(shape) = super::dependents::shaper(&full_type) {
        let scx = super::dependents::ShapeCx {
            ids: b.ctx.ids(),
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
    let mut r = record(b.id, &full_type, Value::Object(top), b.now, existing);
    r.secrets = secrets;
    Ok(r)
}

/// The subscription must be a GUID that exists; a disabled one is read-only.
pub fn check_subscription(s: &State, sub: &str, write: bool) -> ArmResult<()> {
    if uuid::Uuid::try_parse(sub).is_err() {
        return Err(ArmError::invalid_subscription_id(sub));
    }
    let found = s.subscription(sub).ok_or_else(|| ArmError::subscription_not_found(sub))?;
    if write && !found.state.is_writable() {
        return Err(ArmError::read_only_subscription(sub));
    }
    Ok(())
}
