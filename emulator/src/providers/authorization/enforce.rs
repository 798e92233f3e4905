//! Strict mode's authorization: the action a request needs (its route's, or for the generic
//! by-id routes `<type>/read|write|delete` from the path), the scope it acts on (its path), and
//! whether the caller holds a role assignment at or above that scope whose role allows the
//! action. The caller's assignments come from the store's principal index, so the cost is the
//! caller's assignments, not every assignment. Both the pipeline's authorize stage and
//! `dispatch::call` (a deployment's nested requests) check through [`authorize`].

use serde_json::{json, Value};

use crate::config::AuthMode;
use crate::model::ids::ResourceId;
use crate::protocol::router::{Access, RouteMeta};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::Ctx;
use crate::store::State;

use super::role_definitions::{resolve, role_guid, scope_covers, Permission};

/// Actions any authenticated caller may take: reading one's own permissions, and polling an
/// operation whose URL one was given (ARM checks the operation's own scope, which the URL does
/// not show; the emulator's operation ids are unguessable GUIDs).
const NEEDS_NO_GRANT: &[&str] =
    &["Microsoft.Authorization/permissions/read", "Microsoft.Resources/subscriptions/operationresults/read"];

/// The action a request needs: the route's, or for a route that names none (the generic by-id
/// routes) the addressed type's `read`, `write` or `delete`.
pub fn action_of(meta: &RouteMeta, req: &ArmRequest) -> Option<String> {
    if let Some(a) = meta.action {
        // A provider's listing of one of its types names that type (`{ns}/{type}/read`).
        if a.contains("{ns}") {
            let (ns, ty) = (req.param("ns").ok()?, req.param("type").ok()?);
            return Some(a.replace("{ns}", ns).replace("{type}", ty));
        }
        // Registration routes name the namespace's own action (`Microsoft.Storage/register/action`).
        return Some(match (a.strip_prefix("*/"), req.param("resourceProviderNamespace")) {
            (Some(rest), Ok(ns)) => format!("{ns}/{rest}"),
            _ => a.to_string(),
        });
    }
    let id = ResourceId::from_segments(req.segments())?;
    let verb = match req.method {
        Method::Get | Method::Head => "read",
        Method::Delete => "delete",
        _ => "write",
    };
    Some(format!("{}/{verb}", id.full_type()))
}

/// The scope a request acts on: its path from `/subscriptions` on (the Azure ML data plane's
/// paths carry a service prefix before it), without the action name of a POST action. `None`
/// for tenant-level requests, which need no grant.
pub fn scope_of(req: &ArmRequest, action: &str) -> Option<String> {
    let segs = req.segments();
    let start = segs.iter().position(|s| s.eq_ignore_ascii_case("subscriptions"))?;
    let mut segs: Vec<&str> = segs[start..].iter().map(|s| s.as_ref()).collect();
    if segs.len() < 2 {
        return None;
    }
    if req.method == Method::Post && action.to_ascii_lowercase().ends_with("/action") && segs.len() > 2 {
        segs.pop();
    }
    // A namespace's registration acts on the subscription, as ARM reports it.
    if segs.len() == 4 && segs[2].eq_ignore_ascii_case("providers") {
        segs.truncate(2);
    }
    Some(format!("/{}", segs.join("/")))
}

/// Reading a subscription itself (`GET /subscriptions/{id}`, its locations), which ARM allows
/// anyone with a role anywhere in the subscription.
const SUBSCRIPTION_READ: &str = "Microsoft.Resources/subscriptions/read";

/// Whether `principal` holds any role assignment in subscription `sub` (at it or below).
pub fn holds_any_role_in(s: &State, principal: &str, sub: &str) -> bool {
    s.assignments_of(principal).any(|a| a.subscription_id.eq_ignore_ascii_case(sub))
}

/// Whether `GET /subscriptions` shows `sub` (of `tenant`) to the request's caller: always in
/// loose mode; in strict mode, a subscription of the token's tenant in which the caller holds
/// a role, as ARM lists them.
pub fn lists_subscription(ctx: &Ctx, req: &ArmRequest, s: &State, sub: &str, tenant: &str) -> bool {
    if ctx.config().auth != AuthMode::Strict {
        return true;
    }
    req.caller().is_some_and(|c| {
        c.tenant_id.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(tenant))
            && holds_any_role_in(s, &c.object_id, sub)
    })
}

/// Whether `principal` holds an assignment at or above `scope` whose role allows `action`.
pub fn permitted(s: &State, principal: &str, scope: &str, action: &str) -> bool {
    s.assignments_of(principal).any(|a| {
        let Some((at, role)) = assignment_role(s, a) else { return false };
        scope_covers(&at, scope) && role.iter().any(|p| p.allows(action))
    })
}

/// An assignment's scope and its role's permissions (none when the role no longer exists).
fn assignment_role(s: &State, a: &crate::store::Resource) -> Option<(String, Vec<Permission>)> {
    let b = a.body.value();
    let at = b.pointer("/properties/scope").and_then(Value::as_str)?.to_string();
    let guid = role_guid(b.pointer("/properties/roleDefinitionId").and_then(Value::as_str)?).to_string();
    let role = resolve(s, &a.subscription_id, &guid)?;
    Some((at, role.permissions))
}

/// Strict mode: refuses the request with `403 AuthorizationFailed` unless its caller may take
/// its action over its scope. Loose mode, open and test-control routes pass.
pub fn authorize(ctx: &Ctx, req: &ArmRequest, meta: &RouteMeta) -> ArmResult<()> {
    if ctx.config().auth != AuthMode::Strict
        || !matches!(meta.access, Access::Arm | Access::ArmTenant | Access::DataPlane)
    {
        return Ok(());
    }
    let Some(caller) = req.caller() else { return Ok(()) };
    let Some(action) = action_of(meta, req) else { return Ok(()) };
    if NEEDS_NO_GRANT.iter().any(|a| a.eq_ignore_ascii_case(&action)) {
        return Ok(());
    }
    let Some(scope) = scope_of(req, &action) else { return Ok(()) };
    let allowed = ctx.store().read(|s| {
        permitted(s, &caller.object_id, &scope, &action)
            || (action.eq_ignore_ascii_case(SUBSCRIPTION_READ)
                && req.param("subscriptionId").is_ok_and(|sub| holds_any_role_in(s, &caller.object_id, sub)))
    });
    if allowed {
        return Ok(());
    }
    Err(ArmError::authorization_failed(caller.display(), &caller.object_id, &action, &scope))
}

/// `GET {scope}/providers/Microsoft.Authorization/permissions`: the caller's effective
/// permissions at the scope, one entry per role assigned to it at or above the scope.
pub fn permissions(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let caller = req.caller().map(|p| p.object_id.clone()).unwrap_or_default();
    let scope = super::role_assignments::requested_scope(req);
    let value = ctx.store().read(|s| {
        let mut out: Vec<Value> = Vec::new();
        for a in s.assignments_of(&caller) {
            if let Some((at, perms)) = assignment_role(s, a) {
                if scope_covers(&at, &scope) {
                    for p in perms {
                        let v = p.to_json();
                        if !out.contains(&v) {
                            out.push(v);
                        }
                    }
                }
            }
        }
        out
    });
    Ok(ArmResponse::ok(json!({ "value": value })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strict mode authorizes every ARM call by its route's action: a route without one would
    /// pass unchecked. Only the generic by-id routes derive theirs from the path.
    #[test]
    fn every_arm_route_declares_its_action() {
        let missing: Vec<String> = crate::providers::routes()
            .iter()
            .filter(|r| matches!(r.meta.access, Access::Arm | Access::ArmTenant | Access::DataPlane))
            .filter(|r| r.meta.action.is_none() && !r.pattern.contains("{*resourcePath}"))
            .map(|r| format!("{} {}", r.method.as_str(), r.pattern))
            .collect();
        assert!(missing.is_empty(), "routes without an RBAC action: {missing:#?}");
    }
}
