//! The operations on deployments, each planning its batches of changes.
//!
//! A deployment PUT plans the template (a template or parameter error is `400 InvalidTemplate`
//! and stores nothing), then runs it:
//! - `sync` (the default): against the live store, each resource its own commit as a direct
//!   PUT would be; the answer is the finished record. A failed deployment answers with an
//!   `Azure-AsyncOperation` whose operation has already failed, so clients report
//!   `DeploymentFailed` as they do from ARM;
//! - `polls:N`/`seconds:T`: against a private copy of the state; each batch it committed
//!   there becomes a step of the operation, so the resources appear in order, one per poll
//!   or spread over T, and all of them by the time the operation ends.

use std::sync::Arc;

use armtemplate::Plan;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde_json::{json, Value};

use crate::catalog;
use crate::model::ids::ResourceId;
use crate::model::{LroMode, OperationStatus};
use crate::protocol::filter;
use crate::protocol::lro::{with_polling_headers, LroHeaders};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::common::{record as resource_record, require_group, require_group_writable};
use crate::providers::dispatch::{self, body_of};
use crate::providers::lro::{self, Lro};
use crate::providers::metadata;
use crate::providers::resources::operations;
use crate::providers::Ctx;
use crate::store::{Change, Failure, Operation, OperationResult, Origin, Resource, State, Store};

use super::executor::{self, DeployHost};
use super::model::{Mode, Outcome, Spec, Target, KIND_CREATE, KIND_DELETE, NS, OWN_API_VERSION, TYPE};
use super::{rules, wire};

/// Where the request's deployment lives (the group as first cased).
fn target(ctx: &Ctx, req: &ArmRequest) -> ArmResult<Target> {
    let subscription = req.param("subscriptionId")?.to_string();
    let group = match req.param("resourceGroupName") {
        Ok(g) => Some(ctx.store().read(|s| require_group(s, &subscription, g).map(|g| g.name.clone()))?),
        Err(_) => None,
    };
    Ok(Target { subscription, group })
}

fn find(s: &State, t: &Target, name: &str) -> ArmResult<Arc<Resource>> {
    s.live(&t.deployment_id(name).to_lowercase()).cloned().ok_or_else(|| ArmError::deployment_not_found(name))
}

fn state_of(r: &Resource) -> String {
    r.body.string("/properties/provisioningState").unwrap_or_default()
}

fn is_active(state: &str) -> bool {
    matches!(state, "Accepted" | "Running")
}

/// What a deployment keeps besides its GET body: the template (for `exportTemplate`), its
/// operations, and the id of its long-running operation while it runs.
fn secrets_of(r: &Resource) -> Value {
    r.secrets.as_deref().cloned().unwrap_or_else(|| json!({}))
}

/// The template's `Context`: the subscription and group as their GET answers them, the
/// emulator's cloud as `environment()`, the clock, the id generator.
fn template_context(
    ctx: &Ctx,
    req: &ArmRequest,
    target: &Target,
    name: &str,
    location: Option<&str>,
) -> ArmResult<armtemplate::Context> {
    let sub_path = format!("/subscriptions/{}", target.subscription);
    let subscription = body_of(&dispatch::platform_read(ctx, req, &sub_path, OWN_API_VERSION)?);
    let resource_group = match &target.group {
        Some(g) => {
            let path = format!("{sub_path}/resourcegroups/{g}");
            Some(body_of(&dispatch::platform_read(ctx, req, &path, OWN_API_VERSION)?))
        }
        None => None,
    };
    let tenant_id = subscription.get("tenantId").and_then(Value::as_str).unwrap_or_default().to_string();
    let base = format!("{}/", ctx.https_base(&req.base_url()));
    let ids = ctx.ids_handle();
    Ok(armtemplate::Context {
        scope: target.scope(),
        tenant_id,
        subscription,
        resource_group,
        deployment_name: name.to_string(),
        deployment_location: location.map(str::to_string),
        environment: metadata::cloud(&ctx.config().cloud_name, &base),
        now: ctx.now(),
        new_guid: Arc::new(move || ids.guid()),
    })
}

/// The client's `x-ms-correlation-request-id`, or a new one.
fn correlation_id(ctx: &Ctx, req: &ArmRequest) -> String {
    req.header("x-ms-correlation-request-id").map(str::to_string).unwrap_or_else(|| ctx.ids().guid())
}

fn template_error(e: armtemplate::TemplateError) -> ArmError {
    let err = ArmError::relayed(&e.code, e.message);
    match e.target {
        Some(t) => err.with_target(t),
        None => err,
    }
}

/// Reads the body, checks the scope, and plans the template.
struct Prepared {
    target: Target,
    name: String,
    spec: Spec,
    location: Option<String>,
    plan: Plan,
}

fn prepare(ctx: &Ctx, req: &ArmRequest) -> ArmResult<Prepared> {
    let target = target(ctx, req)?;
    let name = req.param("deploymentName")?.to_string();
    rules::check_name(&name)?;
    let body = wire::body_object(req)?;
    let spec = wire::spec(&body)?;
    let location = match (&target.group, &spec.location) {
        (None, None) => return Err(ArmError::location_required()),
        (_, Some(l)) => Some(
            catalog::region(l)
                .map(|r| r.name.to_string())
                .ok_or_else(|| ArmError::location_not_available_for_resource_group(l, &catalog::region_names()))?,
        ),
        (Some(_), None) => None,
    };
    let tctx = template_context(ctx, req, &target, &name, location.as_deref())?;
    let host = DeployHost { ctx, req };
    let plan = armtemplate::plan(&spec.template, &spec.parameters, &tctx, &host).map_err(template_error)?;
    Ok(Prepared { target, name, spec, location, plan })
}

/// The record's body in `state`, with what `outcome` produced so far.
fn record_body(
    p: &Prepared,
    state: &str,
    correlation: &str,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    outcome: Option<&Outcome>,
) -> Value {
    let id = p.target.deployment_id(&p.name);
    // Where each resource went once deployed; before that, the plan's types.
    let types: Vec<(String, Option<String>)> = match outcome {
        Some(o) if !o.deployed_types.is_empty() => o.deployed_types.clone(),
        _ => p.plan.steps().iter().map(|s| (s.resource_type.clone(), None)).collect(),
    };
    let tags = p.spec.tags.as_ref().map(|t| json!(t));
    let parameters = p.plan.parameters();
    let error = outcome.and_then(|o| o.error.as_ref()).map(ArmError::to_json);
    let outputs = outcome.filter(|o| o.error.is_none()).map(|o| &o.outputs);
    let hash = p.plan.template_hash();
    wire::record(&wire::RecordView {
        id: &id,
        name: &p.name,
        location: p.location.as_deref(),
        tags: tags.as_ref(),
        state,
        mode: p.spec.mode.as_str(),
        template_hash: &hash,
        parameters: &parameters,
        correlation_id: correlation,
        started,
        now,
        providers: wire::providers(&types),
        dependencies: p.plan.dependencies(),
        outputs,
        output_resources: outcome.map(|o| o.output_resources.as_slice()).unwrap_or(&[]),
        error,
    })
}

/// The deployment's id as the state names its group now (the group may have been deleted and
/// created again with other casing since the request was read).
fn current_id(s: &State, p: &Prepared) -> ArmResult<ResourceId> {
    let target = match &p.target.group {
        Some(g) => Target {
            subscription: p.target.subscription.clone(),
            group: Some(require_group_writable(s, &p.target.subscription, g)?.name.clone()),
        },
        None => p.target.clone(),
    };
    ResourceId::parse(&target.deployment_id(&p.name)).ok_or_else(|| ArmError::internal("a deployment id did not parse"))
}

/// The record `body` with `secrets` as the change that stores it at `rid`.
fn record_change(
    rid: &ResourceId,
    mut body: Value,
    secrets: Value,
    now: DateTime<Utc>,
    existing: Option<&Resource>,
) -> Change {
    body["id"] = json!(rid.to_id());
    let mut r = resource_record(rid, TYPE, body, now, existing);
    r.secrets = Some(Box::new(secrets));
    Change::PutResource { resource: Arc::new(r) }
}

/// Storing the record: the scope's oldest deployments go when a new one would exceed the
/// limit. Also the record it replaces, if any.
fn plan_record(
    s: &State,
    p: &Prepared,
    body: Value,
    secrets: Value,
    now: DateTime<Utc>,
) -> ArmResult<(ResourceId, Vec<Change>, Option<Arc<Resource>>)> {
    let rid = current_id(s, p)?;
    let existing = s.live(&rid.key()).cloned();
    let mut changes = Vec::new();
    if existing.is_none() {
        let all = s.resources_under(&p.target.key_prefix()).map(|r| (r.id.clone(), r.created_time)).collect();
        changes.extend(rules::evictions(all).into_iter().map(|id| Change::RemoveResource { id }));
    }
    changes.push(record_change(&rid, body, secrets, now, existing.as_deref()));
    Ok((rid, changes, existing))
}

/// Commits the record in `store`. Returns whether the deployment is new.
fn put_record(store: &Store, ctx: &Ctx, p: &Prepared, body: Value, secrets: Value) -> ArmResult<bool> {
    let now = ctx.now();
    store.commit(|s: &State| {
        let (_, changes, existing) = plan_record(s, p, body, secrets, now)?;
        Ok((changes, existing.is_none()))
    })
}

fn secrets(p: &Prepared, outcome: Option<&Outcome>, operation: Option<&str>, now: DateTime<Utc>) -> Value {
    let id = p.target.deployment_id(&p.name);
    let ops: Vec<Value> =
        outcome.map(|o| o.steps.iter().map(|s| wire::operation(&id, s, now)).collect()).unwrap_or_default();
    let mut v = json!({"template": p.spec.template, "operations": ops});
    if let Some(op) = operation {
        v["operation"] = json!(op);
    }
    v
}

/// `PUT …/deployments/{d}`.
pub fn create_or_update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let p = prepare(ctx, req)?;
    let dep_id = p.target.deployment_id(&p.name);
    ctx.store().read(|s| match s.live(&dep_id.to_lowercase()) {
        Some(r) if is_active(&state_of(r)) => Err(ArmError::deployment_active(&p.name)),
        _ => Ok(()),
    })?;
    let correlation = correlation_id(ctx, req);
    let started = ctx.now();
    let mode = ctx.lro_mode(KIND_CREATE);
    if mode == LroMode::Sync {
        let body = record_body(&p, "Running", &correlation, started, started, None);
        let created = put_record(ctx.store(), ctx, &p, body, secrets(&p, None, None, started))?;
        let run_ctx = ctx.synchronous_over(ctx.store().clone());
        let outcome = executor::run(&run_ctx, req, &p.target, p.spec.mode, &p.plan);
        let now = ctx.now();
        let state = if outcome.error.is_some() { "Failed" } else { "Succeeded" };
        let body = record_body(&p, state, &correlation, started, now, Some(&outcome));
        put_record(ctx.store(), ctx, &p, body.clone(), secrets(&p, Some(&outcome), None, now))?;
        let status = if created { 201 } else { 200 };
        let resp = ArmResponse::json(status, body);
        return match &outcome.error {
            None => Ok(resp),
            Some(e) => Ok(failed_answer(ctx, req, &dep_id, &p.target.subscription, resp, e, started)?),
        };
    }
    // Asynchronous: run against a private copy; its batches complete the operation.
    let shadow = Store::new(ctx.store().snapshot(), ctx.store().clock().clone());
    let captured: Arc<Mutex<Vec<Vec<Change>>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = captured.clone();
    shadow.observe(Arc::new(move |c| {
        if c.origin == Origin::Request {
            sink.lock().push(c.changes.to_vec());
        }
    }));
    let run_ctx = ctx.synchronous_over(shadow.clone());
    let op_id = ctx.ids().guid();
    let running = record_body(&p, "Running", &correlation, started, started, None);
    put_record(&shadow, ctx, &p, running, secrets(&p, None, Some(&op_id), started))?;
    let outcome = executor::run(&run_ctx, req, &p.target, p.spec.mode, &p.plan);
    let state = if outcome.error.is_some() { "Failed" } else { "Succeeded" };
    let final_body = record_body(&p, state, &correlation, started, started, Some(&outcome));
    put_record(&shadow, ctx, &p, final_body, secrets(&p, Some(&outcome), None, started))?;
    let mut completion = std::mem::take(&mut *captured.lock());
    let accepted = record_body(&p, "Accepted", &correlation, started, started, None);
    let status_path = format!("{dep_id}/operationStatuses/{op_id}");
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let (rid, changes, existing) = plan_record(s, &p, accepted.clone(), secrets(&p, None, Some(&op_id), now), now)?;
        if existing.as_ref().is_some_and(|r| is_active(&state_of(r))) {
            return Err(ArmError::deployment_active(&p.name));
        }
        let status = if existing.is_none() { 201 } else { 200 };
        let mut l = Lro::new(KIND_CREATE, &p.target.subscription, NS, "global")
            .headers(LroHeaders::AsyncOperation)
            .status_at(op_id.clone(), status_path.clone())
            .answers(ArmResponse::json(status, accepted.clone()), ArmResponse::json(status, accepted.clone()))
            .result(OperationResult::Resource { id: dep_id.clone() })
            .changes(changes);
        if mode.fails() {
            let e = ArmError::configured_operation_failure(KIND_CREATE, &mode.to_string());
            let failed = Outcome { error: Some(e), ..Outcome::default() };
            let body = record_body(&p, "Failed", &correlation, started, started, Some(&failed));
            l = l.on_failure(vec![record_change(&rid, body, secrets(&p, None, None, now), now, existing.as_deref())]);
        } else {
            // Each batch the private run committed (the record, each resource, the final
            // record) is one step: resources appear in order as the operation is polled or
            // the clock advances, and stay if a later one failed.
            l = l.steps(std::mem::take(&mut completion));
            if let Some(e) = &outcome.error {
                l = l.fails_with(e.to_body());
            }
        }
        Ok(lro::plan(ctx, req, l))
    })
}

/// A synchronous deployment that failed: the record as answered, with an `Azure-AsyncOperation`
/// whose operation has already failed with the deployment's error.
fn failed_answer(
    ctx: &Ctx,
    req: &ArmRequest,
    dep_id: &str,
    sub: &str,
    resp: ArmResponse,
    e: &ArmError,
    started: DateTime<Utc>,
) -> ArmResult<ArmResponse> {
    let op_id = ctx.ids().guid();
    let status_path = format!("{dep_id}/operationStatuses/{op_id}");
    let now = ctx.now();
    let op = Operation {
        id: op_id,
        kind: KIND_CREATE.to_string(),
        subscription: sub.to_string(),
        mode: LroMode::Sync,
        started,
        deadline: None,
        polls: 0,
        status: OperationStatus::Failed,
        ended: Some(now),
        status_path: status_path.clone(),
        result: OperationResult::Resource { id: dep_id.to_string() },
        steps: Vec::new(),
        steps_done: 0,
        on_success: Vec::new(),
        on_failure: Vec::new(),
        configured_failure: Some(e.to_body()),
        failure: Some(Failure::Configured { error: e.to_body() }),
    };
    ctx.store().commit(|_: &State| Ok::<_, ArmError>((vec![Change::PutOperation { operation: Box::new(op) }], ())))?;
    Ok(with_polling_headers(resp, req, LroHeaders::AsyncOperation, &status_path, &status_path))
}

/// `GET …/deployments/{d}`.
pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    let name = req.param("deploymentName")?;
    Ok(ArmResponse::raw_json(200, ctx.store().read(|s| find(s, &t, name))?.body.bytes()))
}

/// `HEAD …/deployments/{d}`: 204 or 404.
pub fn head(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let Ok(t) = target(ctx, req) else { return Ok(ArmResponse::empty(404)) };
    let name = req.param("deploymentName")?;
    let exists = ctx.store().read(|s| find(s, &t, name).is_ok());
    Ok(ArmResponse::empty(if exists { 204 } else { 404 }))
}

/// `DELETE …/deployments/{d}`: removes the record (never what it deployed).
pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    let name = req.param("deploymentName")?.to_string();
    ctx.store().commit(|s: &State| {
        let Some(r) = s.live(&t.deployment_id(&name).to_lowercase()).cloned() else {
            return Ok((Vec::new(), ArmResponse::empty(204)));
        };
        if is_active(&state_of(&r)) {
            return Err(ArmError::deployment_active(&name));
        }
        let l = Lro::new(KIND_DELETE, &t.subscription, NS, "global")
            .answers(ArmResponse::empty(204), ArmResponse::empty(202))
            .result(OperationResult::Empty { status: 204 })
            .on_success(vec![Change::RemoveResource { id: r.id.clone() }]);
        Ok(lro::plan(ctx, req, l))
    })
}

/// `GET …/deployments/`: paged, `$filter=provisioningState eq '…'`, `$top`.
pub fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    let f = match req.query("$filter") {
        Some(text) => filter::parse(text, &["provisioningState"])?,
        None => filter::Filter::default(),
    };
    let items: Vec<(String, Value)> = ctx.store().read(|s| {
        s.resources_under(&t.key_prefix())
            .filter(|r| r.is_live())
            .map(|r| (r.key(), r.body.value()))
            .filter(|(_, b)| {
                let state = b.pointer("/properties/provisioningState").and_then(Value::as_str).unwrap_or("");
                f.terms.iter().all(|term| filter::term_matches(term, state))
            })
            .collect()
    });
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

/// `POST …/deployments/{d}/validate`: the plan's checks; nothing is stored.
pub fn validate(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let p = prepare(ctx, req)?;
    let now = ctx.now();
    let correlation = correlation_id(ctx, req);
    let mut body = record_body(&p, "Succeeded", &correlation, now, now, None);
    let validated: Vec<Value> = p.plan.steps().iter().map(|s| json!({"id": s.id})).collect();
    body["properties"]["validatedResources"] = json!(validated);
    if let Some(props) = body["properties"].as_object_mut() {
        props.remove("outputResources");
    }
    Ok(ArmResponse::ok(body))
}

/// `POST …/deployments/{d}/whatIf`: what the deployment would change, resource by resource
/// (a nested deployment's resources in its place, as ARM shows them).
pub fn what_if(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let p = prepare(ctx, req)?;
    let mut changes = Vec::new();
    what_if_changes(ctx, req, &p.target, &p.plan, p.spec.mode, &mut changes, 0);
    Ok(ArmResponse::ok(json!({"status": "Succeeded", "properties": {"changes": changes}})))
}

/// How deep nested deployments are expanded by what-if (ARM's own limit is higher; templates
/// deeper than this are rare and the rest is reported as `Ignore`).
const WHAT_IF_DEPTH: usize = 5;

fn ignore(id: &str, why: &str) -> Value {
    json!({"resourceId": id, "changeType": "Ignore", "unsupportedReason": why})
}

fn what_if_changes(
    ctx: &Ctx,
    req: &ArmRequest,
    target: &Target,
    plan: &Plan,
    mode: Mode,
    changes: &mut Vec<Value>,
    depth: usize,
) {
    let host = DeployHost { ctx, req };
    for (i, step) in plan.steps().iter().enumerate() {
        let resolved = match plan.resolve(i, &host) {
            Ok(b) => b,
            Err(e) => {
                changes.push(ignore(&step.id, &e.message));
                continue;
            }
        };
        if let Some(scope) = &step.nested {
            if let Err(why) = nested_what_if(ctx, req, &Target::from(scope), step, &resolved, changes, depth) {
                changes.push(ignore(&step.id, &why));
            }
            continue;
        }
        let mut after = resolved;
        if let Some(o) = after.as_object_mut() {
            o.insert("id".into(), json!(step.id));
            o.insert("name".into(), json!(step.name.rsplit('/').next().unwrap_or(&step.name)));
            o.insert("type".into(), json!(step.resource_type));
            o.insert("apiVersion".into(), json!(step.api_version));
        }
        let before = ctx.store().read(|s| s.live(&step.id.to_lowercase()).map(|r| r.body.value()));
        let change = match before {
            None => json!({"resourceId": step.id, "changeType": "Create", "after": after}),
            Some(mut before) => {
                let mut delta = Vec::new();
                diff("", &before, &after, &mut delta);
                before["apiVersion"] = json!(step.api_version);
                let kind = if delta.is_empty() { "NoChange" } else { "Modify" };
                let mut c = json!({"resourceId": step.id, "changeType": kind, "before": before, "after": after});
                if !delta.is_empty() {
                    c["delta"] = json!(delta);
                }
                c
            }
        };
        changes.push(change);
    }
    for r in executor::unnamed_group_resources(ctx, target, plan) {
        let kind = if mode == Mode::Complete { "Delete" } else { "Ignore" };
        changes.push(json!({"resourceId": r.id, "changeType": kind, "before": r.body.value()}));
    }
}

/// Plans a nested deployment's template (its resolved body) where it would run and adds its
/// changes; `Err` says why it cannot be expanded.
fn nested_what_if(
    ctx: &Ctx,
    req: &ArmRequest,
    target: &Target,
    step: &armtemplate::Step,
    body: &Value,
    changes: &mut Vec<Value>,
    depth: usize,
) -> Result<(), String> {
    if depth >= WHAT_IF_DEPTH {
        return Err(format!("nested deployments deeper than {WHAT_IF_DEPTH} levels are not expanded"));
    }
    let obj = body.as_object().cloned().unwrap_or_default();
    let spec = wire::spec(&obj).map_err(|e| e.message)?;
    if let Some(g) = &target.group {
        let exists = ctx.store().read(|s| s.group(&target.subscription, g).is_some());
        if !exists {
            return Err(format!("the resource group '{g}' does not exist yet"));
        }
    }
    let name = step.name.rsplit('/').next().unwrap_or(&step.name);
    let location = spec.location.clone();
    let tctx = template_context(ctx, req, target, name, location.as_deref()).map_err(|e| e.message)?;
    let host = DeployHost { ctx, req };
    let plan = armtemplate::plan(&spec.template, &spec.parameters, &tctx, &host).map_err(|e| e.message)?;
    what_if_changes(ctx, req, target, &plan, spec.mode, changes, depth + 1);
    Ok(())
}

/// The property changes from `before` to `after`, for the properties `after` sets (a template
/// says nothing about the read-only ones the provider adds).
fn diff(path: &str, before: &Value, after: &Value, out: &mut Vec<Value>) {
    let Some(a) = after.as_object() else { return };
    for (k, av) in a {
        if path.is_empty() && matches!(k.as_str(), "id" | "name" | "type" | "apiVersion") {
            continue;
        }
        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        let bv = before.as_object().and_then(|b| b.iter().find(|(bk, _)| bk.eq_ignore_ascii_case(k)).map(|(_, v)| v));
        match bv {
            None if av.is_null() => {}
            None => out.push(json!({"path": p, "propertyChangeType": "Create", "after": av})),
            Some(bv) if bv.is_object() && av.is_object() => diff(&p, bv, av, out),
            Some(bv) if !same(bv, av) => {
                let kind = if bv.is_array() && av.is_array() { "Array" } else { "Modify" };
                out.push(json!({"path": p, "propertyChangeType": kind, "before": bv, "after": av}));
            }
            Some(_) => {}
        }
    }
}

/// Equal as what-if compares properties: the same JSON, or two spellings of one region
/// (`"westeurope"`, `"West Europe"`).
fn same(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => catalog::region(x).zip(catalog::region(y)).is_some_and(|(r1, r2)| r1.name == r2.name),
        _ => false,
    }
}

/// `POST …/deployments/{d}/cancel`: only a running deployment; nothing it made is undone.
pub fn cancel(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    let name = req.param("deploymentName")?.to_string();
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let r = find(s, &t, &name)?;
        let state = state_of(&r);
        if !is_active(&state) {
            return Err(ArmError::deployment_cannot_be_cancelled(&name, &state));
        }
        let mut changes = Vec::new();
        let sec = secrets_of(&r);
        if let Some(op) = sec.get("operation").and_then(Value::as_str) {
            if s.operation(op).is_some() {
                changes.push(Change::ForgetOperation { id: op.to_string() });
            }
        }
        let mut c = (*r).clone();
        c.body.edit(|v| {
            v["properties"]["provisioningState"] = json!("Canceled");
            v["properties"]["timestamp"] = json!(crate::model::time::arm_time(now));
        });
        c.changed_time = now;
        changes.push(Change::PutResource { resource: Arc::new(c) });
        Ok((changes, ArmResponse::empty(204)))
    })
}

/// `POST …/deployments/{d}/exportTemplate`.
pub fn export_template(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    let name = req.param("deploymentName")?;
    let r = ctx.store().read(|s| find(s, &t, name))?;
    let template = secrets_of(&r).get("template").cloned().unwrap_or_else(|| json!({}));
    Ok(ArmResponse::ok(json!({"template": template})))
}

fn operations_of(ctx: &Ctx, req: &ArmRequest) -> ArmResult<(String, Vec<Value>)> {
    let t = target(ctx, req)?;
    let name = req.param("deploymentName")?.to_string();
    let r = ctx.store().read(|s| find(s, &t, &name))?;
    let ops = secrets_of(&r).get("operations").and_then(Value::as_array).cloned().unwrap_or_default();
    Ok((name, ops))
}

/// `GET …/deployments/{d}/operations`.
pub fn list_operations(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (_, ops) = operations_of(ctx, req)?;
    let items: Vec<(String, Value)> = ops.into_iter().enumerate().map(|(i, v)| (format!("{i:08}"), v)).collect();
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

/// `GET …/deployments/{d}/operations/{operationId}`.
pub fn get_operation(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (name, ops) = operations_of(ctx, req)?;
    let id = req.param("operationId")?;
    ops.into_iter()
        .find(|o| o.get("operationId").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(id)))
        .map(ArmResponse::ok)
        .ok_or_else(|| ArmError::deployment_operation_not_found(&name, id))
}

/// `GET …/deployments/{d}/operationStatuses/{operationId}`: the deployment's operation.
pub fn operation_status(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let t = target(ctx, req)?;
    operations::status(ctx, &t.subscription, req.param("operationId")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProvisioningState;
    use crate::store::ResourceGroup;

    /// A state with subscription `s` and group `Fz-gamma` (as if deleted and created again with
    /// other casing after the request read it as `fz-gamma`).
    fn recreated_group_state() -> State {
        let t = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let mut s = State::with_subscription("t", "s", t);
        s.apply_batch(
            &[Change::PutGroup {
                group: ResourceGroup {
                    subscription_id: "s".into(),
                    name: "Fz-gamma".into(),
                    location: "westeurope".into(),
                    tags: Default::default(),
                    managed_by: None,
                    provisioning_state: ProvisioningState::Succeeded,
                    created_time: t,
                    changed_time: t,
                },
            }],
            t,
        )
        .unwrap();
        s
    }

    #[test]
    fn the_record_is_named_after_the_group_as_it_is_now() {
        // Found by the concurrent fuzzer: the record was built with the casing read before
        // the group was recreated, and the store refused it (a 500).
        let ctx = armtemplate::Context {
            scope: armtemplate::Scope::ResourceGroup { subscription: "s".into(), group: "fz-gamma".into() },
            tenant_id: "t".into(),
            subscription: json!({"id": "/subscriptions/s", "subscriptionId": "s", "tenantId": "t"}),
            resource_group: Some(json!({"name": "fz-gamma", "location": "westeurope"})),
            deployment_name: "d1".into(),
            deployment_location: None,
            environment: json!({}),
            now: chrono::DateTime::<Utc>::UNIX_EPOCH,
            new_guid: Arc::new(|| "g".to_string()),
        };
        let template = json!({"resources": []});
        let plan = armtemplate::plan(&template, &json!({}), &ctx, &armtemplate::NoHost).unwrap();
        let p = Prepared {
            target: Target { subscription: "s".into(), group: Some("fz-gamma".into()) },
            name: "d1".into(),
            spec: Spec { mode: Mode::Incremental, template, parameters: json!({}), location: None, tags: None },
            location: None,
            plan,
        };
        let mut state = recreated_group_state();
        let body = json!({"id": p.target.deployment_id("d1"), "name": "d1", "type": TYPE});
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let (rid, changes, _) = plan_record(&state, &p, body, json!({}), at).unwrap();
        assert_eq!(
            rid.to_id(),
            "/subscriptions/s/resourceGroups/Fz-gamma/providers/Microsoft.Resources/deployments/d1"
        );
        state.apply_batch(&changes, at).unwrap();
    }

    #[test]
    fn diff_reports_the_properties_the_template_changes() {
        let before = json!({"location": "westeurope", "sku": {"name": "Standard_LRS", "tier": "Standard"}, "properties": {"x": 1}});
        let after = json!({"location": "West Europe", "sku": {"name": "Standard_GRS"}, "tags": {"a": "b"}});
        let mut d = Vec::new();
        diff("", &before, &after, &mut d);
        assert_eq!(
            d,
            vec![
                json!({"path": "sku.name", "propertyChangeType": "Modify", "before": "Standard_LRS", "after": "Standard_GRS"}),
                json!({"path": "tags", "propertyChangeType": "Create", "after": {"a": "b"}}),
            ]
        );
    }
}
