//! Subscriptions on demand (`/_emulator/subscriptions/{id}`) and the per-subscription forms of
//! reset and state export/import (`?subscription=`): what a test needs to own one subscription
//! while others use the same emulator, and what a fleet needs to move one subscription between
//! processes (ARCHITECTURE.md, "Sharding subscriptions").

use serde_json::{json, Value};

use crate::catalog;
use crate::model::{Clock, Subscription, SubscriptionState};
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::common::default_registration;
use crate::store::document::Export;
use crate::store::{Change, Origin, State};

use super::{App, ControlHandler, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, handler: ControlHandler| {
        Route::new(method, pattern, operation, Access::Control, Handler::Control(handler))
    };
    vec![
        r(Method::Get, "/_emulator/subscriptions/{subscriptionId}", "Emulator_GetSubscription", get),
        r(Method::Put, "/_emulator/subscriptions/{subscriptionId}", "Emulator_PutSubscription", put),
        r(Method::Delete, "/_emulator/subscriptions/{subscriptionId}", "Emulator_DeleteSubscription", delete),
    ]
}

fn body_of(s: &Subscription) -> Value {
    json!({
        "subscriptionId": s.subscription_id,
        "displayName": s.display_name,
        "tenantId": s.tenant_id,
        "state": s.state.as_str(),
    })
}

/// The provider registrations a new subscription starts with (as configured ones do).
fn default_registrations(app: &App, sub: &str) -> Vec<Change> {
    catalog::PROVIDERS
        .iter()
        .filter(|p| !p.registration_free)
        .map(|p| Change::PutRegistration { registration: default_registration(app.config(), sub, p) })
        .collect()
}

fn get(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    app.ctx
        .store()
        .read(|s| s.subscription(sub).map(body_of))
        .map(ArmResponse::ok)
        .ok_or_else(|| ArmError::subscription_not_found(sub))
}

/// Body `{"displayName", "tenantId", "state", "tags", "managedByTenants", "owner"}` (all
/// optional; `tags` an object of strings, `managedByTenants` an array of tenant GUIDs): creates
/// the subscription (201, with the default provider registrations, and in strict mode an Owner
/// assignment for `owner`, an object id, or else the tenant's first configured service
/// principal) or updates an existing one (200, its contents kept). The tenant must exist.
fn put(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("subscriptionId")?;
    let guid = uuid::Uuid::try_parse(id)
        .map_err(|_| ArmError::emulator_request(format!("the subscription id '{id}' is not a GUID")))?;
    let sub = guid.hyphenated().to_string();
    let body = req.json_object()?;
    let text = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(ArmError::emulator_request(format!("'{k}' must be a non-empty string"))),
    };
    let (display, tenant, state) = (text("displayName")?, text("tenantId")?, text("state")?);
    let tags = match body.get("tags") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(
            m.iter()
                .map(|(k, v)| match v {
                    Value::String(v) => Ok((k.clone(), v.clone())),
                    _ => Err(ArmError::emulator_request(format!("the tag '{k}' must have a string value"))),
                })
                .collect::<ArmResult<std::collections::BTreeMap<_, _>>>()?,
        ),
        Some(_) => return Err(ArmError::emulator_request("'tags' must be an object")),
    };
    let managed_by = match body.get("managedByTenants") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|v| match v.as_str().map(uuid::Uuid::try_parse) {
                    Some(Ok(g)) => Ok(g.hyphenated().to_string()),
                    _ => Err(ArmError::emulator_request(format!(
                        "'managedByTenants' entries must be tenant GUIDs, not {v}"
                    ))),
                })
                .collect::<ArmResult<Vec<_>>>()?,
        ),
        Some(_) => return Err(ArmError::emulator_request("'managedByTenants' must be an array of tenant GUIDs")),
    };
    let owner = text("owner")?;
    if owner.as_deref().is_some_and(|o| uuid::Uuid::try_parse(o).is_err()) {
        return Err(ArmError::emulator_request("'owner' must be an object id (a GUID)"));
    }
    let existing = app.ctx.store().read(|s| s.subscription(&sub).cloned());
    let default_tenant = app.config().tenants.first().map(|t| t.tenant_id.clone()).unwrap_or_default();
    let subscription = Subscription {
        subscription_id: sub.clone(),
        tenant_id: tenant
            .or_else(|| existing.as_ref().map(|e| e.tenant_id.clone()))
            .unwrap_or(default_tenant)
            .to_lowercase(),
        display_name: display
            .or_else(|| existing.as_ref().map(|e| e.display_name.clone()))
            .unwrap_or_else(|| format!("Subscription {sub}")),
        state: match state {
            Some(s) => SubscriptionState::from(s.as_str()),
            None => existing.as_ref().map(|e| e.state.clone()).unwrap_or_default(),
        },
        tags: tags.or_else(|| existing.as_ref().map(|e| e.tags.clone())).unwrap_or_default(),
        managed_by_tenants: managed_by
            .or_else(|| existing.as_ref().map(|e| e.managed_by_tenants.clone()))
            .unwrap_or_default(),
    };
    if app.ctx.store().read(|s| s.tenant(&subscription.tenant_id).is_none()) {
        return Err(ArmError::emulator_request(format!("the tenant '{}' does not exist", subscription.tenant_id)));
    }
    let created = existing.is_none();
    let mut changes = vec![Change::PutSubscription { subscription: subscription.clone() }];
    if created {
        changes.extend(default_registrations(app, &sub));
        let now = app.ctx.now();
        changes.extend(super::owner_assignment(app.config(), &sub, &subscription.tenant_id, owner.as_deref(), now));
    }
    app.ctx.store().apply(changes, Origin::Control).map_err(ArmError::from)?;
    let body = body_of(&subscription);
    Ok(if created { ArmResponse::created(body) } else { ArmResponse::ok(body) })
}

/// Removes the subscription and everything in it (204; 404 when there is none).
fn delete(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    if app.ctx.store().read(|s| s.subscription(sub).is_none()) {
        return Err(ArmError::subscription_not_found(sub));
    }
    app.ctx
        .store()
        .apply(vec![Change::RemoveSubscription { subscription: sub.to_lowercase() }], Origin::Control)
        .map_err(ArmError::from)?;
    Ok(ArmResponse::empty(204))
}

/// `POST /_emulator/reset?subscription=ID`: the subscription as it was at start (recreated if
/// it was deleted since), or, for one created on demand, empty with the default provider
/// registrations. Other subscriptions are untouched.
pub fn reset(app: &App, sub: &str) -> ArmResult<()> {
    let store = app.ctx.store();
    let mut changes = vec![Change::ClearSubscription { subscription: sub.to_lowercase() }];
    match app.initial().subscription_changes(sub) {
        Some(start) => changes.extend(start),
        None => match store.read(|s| s.subscription(sub).map(|x| x.tenant_id.clone())) {
            Some(tenant) => {
                changes.extend(default_registrations(app, sub));
                changes.extend(super::owner_assignment(app.config(), sub, &tenant, None, app.ctx.now()));
            }
            None => return Err(ArmError::subscription_not_found(sub)),
        },
    }
    store.apply(changes, Origin::Control).map_err(ArmError::from)
}

/// `GET /_emulator/state?subscription=ID`: a state document holding only that subscription
/// (and its tenant).
pub fn export(app: &App, sub: &str) -> ArmResult<ArmResponse> {
    let now = app.clock().now();
    let changes =
        app.ctx.store().read(|s| s.subscription_changes(sub)).ok_or_else(|| ArmError::subscription_not_found(sub))?;
    let mut one = State::default();
    one.apply_batch(&changes, now).map_err(|e| ArmError::internal(e.to_string()))?;
    let text =
        serde_json::to_vec(&Export { state: &one, clock: now }).map_err(|e| ArmError::internal(e.to_string()))?;
    Ok(ArmResponse::raw_json(200, text.into()))
}

/// `PUT /_emulator/state?subscription=ID`: replaces that subscription (created if missing)
/// with what the document holds for it, checked like writes; other subscriptions, the
/// document's other records and the clock are left alone.
pub fn import(app: &App, req: &ArmRequest, sub: &str) -> ArmResult<ArmResponse> {
    let imported = app.read_document(&req.body)?;
    let mut changes = imported
        .state
        .subscription_changes(sub)
        .ok_or_else(|| ArmError::emulator_request(format!("the document does not hold the subscription '{sub}'")))?;
    let store = app.ctx.store();
    // A tenant the emulator has already is kept as it is (other subscriptions share it).
    changes.retain(
        |c| !matches!(c, Change::PutTenant { tenant } if store.read(|s| s.tenant(&tenant.tenant_id).is_some())),
    );
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    let groups = count(|c| matches!(c, Change::PutGroup { .. }));
    let resources = count(|c| matches!(c, Change::PutResource { .. }));
    let mut batch = vec![Change::ClearSubscription { subscription: sub.to_lowercase() }];
    batch.extend(changes);
    store.apply(batch, Origin::Control).map_err(ArmError::from)?;
    Ok(ArmResponse::ok(json!({"subscriptions": 1, "resourceGroups": groups, "resources": resources})))
}
