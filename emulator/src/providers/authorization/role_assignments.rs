//! Role assignments at subscription, resource-group and resource scope: PUT (GUID names,
//! `409 RoleAssignmentExists` for the same principal, role and scope under another name),
//! GET, DELETE, and the list for a scope (assignments at it, inherited from above it, and
//! below it unless `atScope()`), filterable by principal.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::model::ids::{self, ResourceId};
use crate::model::time::arm_time;
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, Resource, State};

use crate::providers::common::require_group;
use crate::providers::Ctx;

use super::role_definitions::{resolve, role_guid};

pub const ASSIGNMENT_TYPE: &str = "Microsoft.Authorization/roleAssignments";
const PROVIDER_SUFFIX: &str = "providers/Microsoft.Authorization/roleAssignments";

/// The scope path of a request as the client spelled it: everything before
/// `/providers/Microsoft.Authorization`.
pub fn requested_scope(req: &ArmRequest) -> String {
    let mut segs = Vec::new();
    let all = req.segments();
    for (i, s) in all.iter().enumerate() {
        if s.eq_ignore_ascii_case("providers")
            && all.get(i + 1).is_some_and(|n| n.eq_ignore_ascii_case("Microsoft.Authorization"))
        {
            break;
        }
        segs.push(s.as_ref());
    }
    format!("/{}", segs.join("/"))
}

/// The scope in its canonical form, which must exist: the subscription, the group (404
/// `ResourceGroupNotFound`) or the resource (404 `ResourceNotFound`), as stored.
fn scope(s: &State, req: &ArmRequest) -> ArmResult<String> {
    let sub = req.param("subscriptionId")?;
    let Ok(rg) = req.param("resourceGroupName") else {
        return Ok(format!(
            "/subscriptions/{}",
            s.subscription(sub).map(|x| x.subscription_id.as_str()).unwrap_or(sub)
        ));
    };
    let g = require_group(s, sub, rg)?;
    if req.param("ns").is_err() {
        return Ok(ids::group_id(&g.subscription_id, &g.name));
    }
    let text = requested_scope(req);
    let id = ResourceId::parse(&text).ok_or_else(|| ArmError::no_route(req.raw_path()))?;
    s.live(&id.key()).map(|r| r.id.clone()).ok_or_else(|| ArmError::resource_not_found(&id.full_type(), id.name(), rg))
}

/// An assignment on a resource whose scope is soft-deleted (a workspace) is kept for its
/// recovery, but neither read nor listed meanwhile.
fn scope_is_live(s: &State, r: &Resource) -> bool {
    match ResourceId::parse(&r.id).map(|id| id.scope) {
        Some(ids::Scope::Resource(scope)) => s.live(&scope.key()).is_some(),
        _ => true,
    }
}

fn assignment_key(scope: &str, name: &str) -> String {
    format!("{scope}/{PROVIDER_SUFFIX}/{name}").to_lowercase()
}

/// The `(principalId, role GUID, lower-cased scope)` an assignment grants.
fn grant(r: &Resource) -> (Option<String>, Option<String>, Option<String>) {
    let b = r.body.value();
    let field = |p: &str| b.pointer(p).and_then(Value::as_str).map(String::from);
    (
        field("/properties/principalId"),
        field("/properties/roleDefinitionId").map(|d| role_guid(&d).to_lowercase()),
        field("/properties/scope").map(|x| x.to_lowercase()),
    )
}

pub fn create(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?.to_string();
    if uuid::Uuid::try_parse(&name).is_err() {
        return Err(ArmError::invalid_role_assignment_id(&name));
    }
    let sub = req.param("subscriptionId")?.to_string();
    let now = ctx.now();
    let who = req.caller().map(|p| p.object_id.clone()).unwrap_or_default();
    ctx.store().commit(|s: &State| {
        let scope = scope(s, req)?;
        let body = req.json_object()?;
        let props = body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let role_id =
            props.get("roleDefinitionId").and_then(Value::as_str).ok_or_else(ArmError::invalid_role_definition_id)?;
        let role = resolve(s, &sub, role_guid(role_id))
            .ok_or_else(|| ArmError::role_definition_does_not_exist(role_guid(role_id), 400))?;
        if !role.assignable_at(&scope.to_lowercase()) {
            return Err(ArmError::invalid_role_assignment_scope(&role.guid, &scope));
        }
        let principal = props.get("principalId").and_then(Value::as_str).unwrap_or("");
        if uuid::Uuid::try_parse(principal).is_err() {
            return Err(ArmError::invalid_principal_id(principal));
        }
        let principal = principal.to_lowercase();
        let principal_type = props.get("principalType").and_then(Value::as_str).unwrap_or("User").to_string();
        let key = assignment_key(&scope, &name);
        let wanted = (Some(principal.clone()), Some(role.guid.to_lowercase()), Some(scope.to_lowercase()));
        if let Some(existing) = s.resource(&key) {
            if grant(existing) == wanted {
                return Ok((Vec::new(), ArmResponse::raw_json(200, existing.body.bytes())));
            }
            return Err(ArmError::role_assignment_update_not_permitted());
        }
        // The principal's assignments come from the store's index, not a scan.
        if let Some(dup) = s.assignments_of(&principal).find(|r| grant(r) == wanted) {
            return Err(ArmError::role_assignment_exists(&dup.name.replace('-', "")));
        }
        let role_def_id =
            format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}", role.guid);
        let rg = req.param("resourceGroupName").ok().and_then(|rg| s.group(&sub, rg)).map(|g| g.name.clone());
        let record = AssignmentRecord {
            sub: &sub,
            group: rg.as_deref().unwrap_or_default(),
            scope: &scope,
            name: &name,
            role_definition_id: &role_def_id,
            principal: &principal,
            principal_type: &principal_type,
            props: &props,
            who: &who,
        };
        let r = record.build(now);
        let out = r.body.value();
        Ok((vec![Change::PutResource { resource: Arc::new(r) }], ArmResponse::created(out)))
    })
}

/// What an assignment record is made of (a request's, or the owner assignment strict mode gives
/// a subscription's first principal).
pub struct AssignmentRecord<'a> {
    pub sub: &'a str,
    /// The group's name for an assignment in a group (or on a resource in it), else empty.
    pub group: &'a str,
    pub scope: &'a str,
    pub name: &'a str,
    pub role_definition_id: &'a str,
    /// Lower-cased object id.
    pub principal: &'a str,
    pub principal_type: &'a str,
    pub props: &'a serde_json::Map<String, Value>,
    pub who: &'a str,
}

impl AssignmentRecord<'_> {
    pub fn build(&self, now: chrono::DateTime<chrono::Utc>) -> Resource {
        let (scope, name, props, who) = (self.scope, self.name, self.props, self.who);
        let id = format!("{scope}/{PROVIDER_SUFFIX}/{name}");
        let out = json!({
            "id": id,
            "type": ASSIGNMENT_TYPE,
            "name": name,
            "properties": {
                "roleDefinitionId": self.role_definition_id,
                "principalId": self.principal,
                "principalType": self.principal_type,
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
        Resource {
            id,
            resource_type: ASSIGNMENT_TYPE.into(),
            name: name.to_string(),
            subscription_id: self.sub.into(),
            resource_group: self.group.into(),
            body: out.into(),
            created_time: now,
            changed_time: now,
            soft_deleted: None,
            secrets: None,
        }
    }
}

/// Strict mode: the Owner assignment at subscription scope that makes `principal` (lower-cased
/// object id) the subscription's owner. Its name is derived from both ids, so building the
/// start state twice (a reset) gives the same record.
pub fn owner_assignment(
    sub: &str,
    principal: &str,
    principal_type: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Resource {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("{}/{}", sub.to_lowercase(), principal.to_lowercase()).as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let name = uuid::Uuid::from_bytes(b).to_string();
    let scope = format!("/subscriptions/{sub}");
    let role = format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{OWNER_ROLE}");
    let props = serde_json::Map::new();
    AssignmentRecord {
        sub,
        group: "",
        scope: &scope,
        name: &name,
        role_definition_id: &role,
        principal,
        principal_type,
        props: &props,
        who: principal,
    }
    .build(now)
}

/// The built-in Owner role.
pub const OWNER_ROLE: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?;
    ctx.store().read(|s| {
        let scope = scope(s, req)?;
        s.resource(&assignment_key(&scope, name))
            .map(|r| ArmResponse::raw_json(200, r.body.bytes()))
            .ok_or_else(|| ArmError::role_assignment_not_found(name))
    })
}

pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("roleAssignmentName")?;
    ctx.store().commit(|s: &State| {
        let scope = scope(s, req)?;
        Ok(match s.resource(&assignment_key(&scope, name)) {
            Some(r) => (vec![Change::RemoveResource { id: r.id.clone() }], ArmResponse::raw_json(200, r.body.bytes())),
            None => (Vec::new(), ArmResponse::empty(204)),
        })
    })
}

/// Assignments at the scope, above it (inherited) and below it; `atScope()` keeps only the
/// first two; `principalId eq '…'` and `assignedTo('…')` filter by principal.
pub fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let raw = req.query("$filter").unwrap_or("").trim().to_string();
    let lower = raw.to_ascii_lowercase();
    let at_scope = lower.contains("atscope()");
    let principal = raw
        .split('\'')
        .nth(1)
        .filter(|_| lower.contains("principalid") || lower.contains("assignedto"))
        .map(str::to_lowercase);
    let sub = req.param("subscriptionId")?;
    ctx.store().read(|s| {
        let scope_l = scope(s, req)?.to_lowercase();
        let sub_prefix = ids::subscription_prefix(sub);
        let shown = s
            .resources_under(&sub_prefix)
            .filter(|r| &*r.resource_type == ASSIGNMENT_TYPE)
            .filter(|r| scope_is_live(s, r))
            .filter(|r| {
                let (p, _, rs) = grant(r);
                let rs = rs.unwrap_or_default();
                let above = scope_l == rs || scope_l.starts_with(&format!("{rs}/"));
                let below = rs.starts_with(&format!("{scope_l}/"));
                (above || (!at_scope && below))
                    && principal.as_ref().is_none_or(|want| p.as_deref() == Some(want.as_str()))
            });
        Ok(ArmResponse::raw_json(200, paging::collection(shown, |r, out| r.body.write_to(out))))
    })
}
