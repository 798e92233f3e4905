//! Running a planned template: each resource through the same route, checks and handler as a
//! direct PUT of its type ([`crate::providers::dispatch`]), as the deployment's caller, in
//! `dependsOn` order, with every long-running operation synchronous. A failed resource fails
//! the deployment; resources already created stay (as in ARM) and resources that depend on
//! the failed one are not attempted. `Complete` mode then deletes what the template does not
//! name from the group.
//!
//! The same code runs against the live store (the `sync` LRO mode) or a private copy of it,
//! whose committed batches become the deployment operation's completion (asynchronous modes).

use std::collections::HashSet;
use std::sync::Arc;

use armtemplate::{Host, HostError, Plan};
use serde_json::{json, Value};

use crate::catalog::{self, RESOURCES_API_VERSIONS};
use crate::model::ids::ResourceId;
use crate::protocol::{ArmError, ArmRequest, Method};
use crate::providers::common::is_group_resource;
use crate::providers::dispatch::{self, body_of};
use crate::providers::Ctx;
use crate::store::Resource;

use super::model::{Mode, Outcome, StepRecord, Target, OWN_API_VERSION};
use super::wire::status_name;

/// The template's view of the emulator: reads and actions through the providers' routes, as
/// the deployment's caller.
pub struct DeployHost<'a, 'r> {
    pub ctx: &'a Ctx,
    pub req: &'a ArmRequest<'r>,
}

/// The newest api-version the catalog lists for the type of `id`.
pub fn api_version_for(id: &str) -> String {
    ResourceId::parse(id)
        .and_then(|r| catalog::resource_type(&r.full_type()).map(|(_, t)| t.api_versions))
        .and_then(|v| v.first())
        .unwrap_or(&RESOURCES_API_VERSIONS[0])
        .to_string()
}

fn host_error(e: ArmError) -> HostError {
    HostError { code: e.code_str().to_string(), message: e.message }
}

/// A group's id as `subscriptionResourceId('Microsoft.Resources/resourceGroups', n)` writes it
/// (`/subscriptions/{s}/providers/Microsoft.Resources/resourceGroups/{n}`, what Bicep's
/// `rg.location` compiles to) in the form the groups' route answers.
fn group_id_form(id: &str) -> Option<String> {
    let segs: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [s, sub, p, ns, t, name]
            if s.eq_ignore_ascii_case("subscriptions")
                && p.eq_ignore_ascii_case("providers")
                && ns.eq_ignore_ascii_case("Microsoft.Resources")
                && t.eq_ignore_ascii_case("resourceGroups") =>
        {
            Some(format!("/subscriptions/{sub}/resourceGroups/{name}"))
        }
        _ => None,
    }
}

impl Host for DeployHost<'_, '_> {
    fn get(&self, id: &str, api_version: Option<&str>) -> Result<Value, HostError> {
        let id = group_id_form(id).unwrap_or_else(|| id.to_string());
        let api = api_version.map(str::to_string).unwrap_or_else(|| api_version_for(&id));
        dispatch::call(self.ctx, self.req, Method::Get, &id, &api, None).map(|r| body_of(&r)).map_err(host_error)
    }

    fn invoke(&self, id: &str, action: &str, api_version: &str, body: Option<&Value>) -> Result<Value, HostError> {
        let path = format!("{}/{action}", id.trim_end_matches('/'));
        dispatch::call(self.ctx, self.req, Method::Post, &path, api_version, body)
            .map(|r| body_of(&r))
            .map_err(host_error)
    }

    fn provider(&self, namespace: &str, resource_type: Option<&str>) -> Result<Value, HostError> {
        let sub = self.req.param("subscriptionId").map_err(host_error)?;
        let path = format!("/subscriptions/{sub}/providers/{namespace}");
        let p = dispatch::call(self.ctx, self.req, Method::Get, &path, OWN_API_VERSION, None)
            .map(|r| body_of(&r))
            .map_err(host_error)?;
        match resource_type {
            None => Ok(p),
            Some(t) => p
                .get("resourceTypes")
                .and_then(Value::as_array)
                .and_then(|types| {
                    types.iter().find(|x| {
                        x.get("resourceType").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(t))
                    })
                })
                .cloned()
                .ok_or_else(|| HostError {
                    code: "InvalidResourceType".into(),
                    message: format!("The resource type '{t}' could not be found in the namespace '{namespace}'."),
                }),
        }
    }
}

/// The error a failed step reports under the deployment's `DeploymentFailed`.
fn step_error(e: &ArmError) -> Value {
    e.to_json()
}

/// Runs every step of `plan` (the deployment's record is already committed as `Running`).
pub fn run(ctx: &Ctx, req: &ArmRequest, target: &Target, mode: Mode, plan: &Plan) -> Outcome {
    let host = DeployHost { ctx, req };
    let mut out = Outcome::default();
    let mut failed_steps: HashSet<usize> = HashSet::new();
    let mut details = Vec::new();
    for (i, step) in plan.steps().iter().enumerate() {
        if step.depends_on.iter().any(|d| failed_steps.contains(d)) {
            failed_steps.insert(i);
            continue;
        }
        let op_id = ctx.ids().hex(16).to_uppercase();
        let mut record = StepRecord {
            operation_id: op_id,
            provisioning_operation: "Create",
            succeeded: false,
            status_code: String::new(),
            target_id: step.id.clone(),
            target_type: step.resource_type.clone(),
            target_name: step.name.clone(),
            api_version: step.api_version.clone(),
            error: None,
        };
        let result = plan.resolve(i, &host).map_err(|e| ArmError::relayed(&e.code, e.message)).and_then(|mut body| {
            if step.nested.is_some() && body.get("location").is_none() {
                if let Some(l) = nested_location(ctx, target) {
                    body["location"] = json!(l);
                }
            }
            dispatch::call(ctx, req, Method::Put, &step.id, &step.api_version, Some(&body))
        });
        match result {
            Ok(resp) => {
                let body = body_of(&resp);
                let state =
                    body.pointer("/properties/provisioningState").and_then(Value::as_str).unwrap_or("Succeeded");
                record.status_code = status_name(resp.status).to_string();
                if state.eq_ignore_ascii_case("Failed") {
                    // A nested deployment that failed: its error is the step's.
                    let e = body
                        .pointer("/properties/error")
                        .cloned()
                        .unwrap_or_else(|| json!({"code": "DeploymentFailed"}));
                    record.status_code = status_name(400).to_string();
                    record.error = Some(e.clone());
                    details.push(e);
                    failed_steps.insert(i);
                } else {
                    record.succeeded = true;
                    out.output_resources
                        .push(json!({"id": body.get("id").and_then(Value::as_str).unwrap_or(&step.id)}));
                    let location = body.get("location").and_then(Value::as_str).map(str::to_string);
                    out.deployed_types.push((step.resource_type.clone(), location));
                }
            }
            Err(e) => {
                record.status_code = status_name(e.status).to_string();
                record.error = Some(step_error(&e));
                details.push(step_error(&e));
                failed_steps.insert(i);
            }
        }
        out.steps.push(record);
    }
    if details.is_empty() && mode == Mode::Complete {
        complete_mode_deletes(ctx, req, target, plan, &mut out, &mut details);
    }
    if details.is_empty() {
        match plan.outputs(&host) {
            Ok(o) => out.outputs = o,
            Err(e) => out.error = Some(ArmError::relayed(&e.code, e.message)),
        }
    } else {
        let errs = details.into_iter().map(|d| detail_error(&d)).collect();
        out.error = Some(ArmError::deployment_failed(errs));
    }
    out
}

fn detail_error(v: &Value) -> ArmError {
    let code = v.get("code").and_then(Value::as_str).unwrap_or("BadRequest");
    let message = v.get("message").and_then(Value::as_str).unwrap_or("");
    let mut e = ArmError::relayed(code, message);
    if let Some(t) = v.get("target").and_then(Value::as_str) {
        e = e.with_target(t);
    }
    if let Some(ds) = v.get("details").and_then(Value::as_array) {
        e = e.with_details(ds.iter().map(detail_error).collect());
    }
    e
}

/// A nested subscription-scope deployment without a `location` runs where its parent's group is.
fn nested_location(ctx: &Ctx, target: &Target) -> Option<String> {
    let g = target.group.as_ref()?;
    ctx.store().read(|s| s.group(&target.subscription, g).map(|g| g.location.clone()))
}

/// The live resources of the target group ([`is_group_resource`]) that `plan` does not name:
/// what `Complete` mode deletes and what-if reports as `Delete` or `Ignore`.
pub fn unnamed_group_resources(ctx: &Ctx, target: &Target, plan: &Plan) -> Vec<Arc<Resource>> {
    let Some(group) = &target.group else { return Vec::new() };
    let named: HashSet<String> = plan.steps().iter().map(|s| s.id.to_lowercase()).collect();
    let prefix = crate::model::ids::group_prefix(&target.subscription, group);
    ctx.store().read(|s| {
        s.resources_under(&prefix)
            .filter(|r| r.is_live() && is_group_resource(r) && !named.contains(&r.key()))
            .cloned()
            .collect()
    })
}

/// `Complete` mode: the group's resources the template does not name are deleted.
fn complete_mode_deletes(
    ctx: &Ctx,
    req: &ArmRequest,
    target: &Target,
    plan: &Plan,
    out: &mut Outcome,
    details: &mut Vec<Value>,
) {
    let doomed = unnamed_group_resources(ctx, target, plan);
    for r in doomed {
        let (id, ty, name) = (r.id.clone(), r.resource_type.to_string(), r.name.clone());
        let api = api_version_for(&id);
        let mut record = StepRecord {
            operation_id: ctx.ids().hex(16).to_uppercase(),
            provisioning_operation: "Delete",
            succeeded: true,
            status_code: "OK".into(),
            target_id: id.clone(),
            target_type: ty,
            target_name: name,
            api_version: api.clone(),
            error: None,
        };
        match dispatch::call(ctx, req, Method::Delete, &id, &api, None) {
            Ok(resp) => record.status_code = status_name(resp.status).to_string(),
            Err(e) => {
                record.succeeded = false;
                record.status_code = status_name(e.status).to_string();
                record.error = Some(step_error(&e));
                details.push(step_error(&e));
            }
        }
        out.steps.push(record);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_subscription_resource_form_of_a_group_id_reads_the_group() {
        let s = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";
        assert_eq!(
            super::group_id_form(&format!("/subscriptions/{s}/providers/Microsoft.Resources/resourceGroups/rg1")),
            Some(format!("/subscriptions/{s}/resourceGroups/rg1"))
        );
        assert_eq!(super::group_id_form(&format!("/subscriptions/{s}/resourceGroups/rg1")), None);
        assert_eq!(
            super::group_id_form(&format!("/subscriptions/{s}/providers/Microsoft.Storage/storageAccounts/x")),
            None
        );
    }
}
