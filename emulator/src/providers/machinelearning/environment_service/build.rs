//! Image builds (`Environment.build`): `POST /environment/v2.0{ws}/environments/{name}/versions/{v}/image`
//! answers `202` with `{"location", "operationId", "status"}`; azureml-core then reads
//! `status` from `GET {location}` while it is `Running` (or `Queued`,
//! `GettingOrProvisioningACR`), and `logUrl` for the build log.
//!
//! The build is an operation of the LRO engine (kind `environments/build`): synchronous by
//! default, else completed by polls or by the clock. The first build in a workspace creates
//! its container registry (`Microsoft.ContainerRegistry/registries/{32 hex}` in the
//! workspace's group, shaped as every registry is) and sets the workspace's
//! `properties.containerRegistry`. The image is `{login server}/azureml/azureml_{hash of the
//! definition}`; the registry remembers the repositories pushed to it (beside its body), so a
//! build of an unchanged definition finds its image and completes at once, changing nothing.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::catalog;
use crate::model::ids::ResourceId;
use crate::model::time::arm_time;
use crate::model::OperationStatus;
use crate::protocol::lro::{failure_error, LroHeaders};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::common::{build_tracked, canonical_id, tenant_of, BuildCx};
use crate::providers::lro::{self, Lro};
use crate::providers::machinelearning::environments as envs;
use crate::providers::Ctx;
use crate::store::{Change, Resource, State};

use super::handlers::{definition_of, workspace, workspace_id};
use super::translate::image_hash;

/// The LRO configuration key of image builds.
pub const KIND: &str = "environments/build";
const REGISTRY_TYPE: &str = "Microsoft.ContainerRegistry/registries";

/// The repository a definition's image is pushed to.
fn repository(def: &Value) -> String {
    format!("azureml/azureml_{}", image_hash(def))
}

fn login_server(registry: &Resource) -> String {
    registry.body.value().pointer("/properties/loginServer").and_then(Value::as_str).unwrap_or_default().to_string()
}

fn has_image(registry: &Resource, repo: &str) -> bool {
    registry.secrets.as_ref().and_then(|s| s.get("images")).and_then(|i| i.get(repo)).is_some()
}

/// The workspace's registry, if it has one and it exists.
fn current_registry(s: &State, ws: &Resource) -> ArmResult<Option<Arc<Resource>>> {
    let body = ws.body.value();
    let Some(id) = body.pointer("/properties/containerRegistry").and_then(Value::as_str).filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let rid = ResourceId::parse(id).ok_or_else(|| {
        ArmError::asset_user_error(format!("The workspace's container registry id '{id}' is not valid."))
    })?;
    match s.live(&rid.key()) {
        Some(r) => Ok(Some(r.clone())),
        None => Err(ArmError::asset_user_error(format!(
            "The workspace's container registry '{id}' does not exist; the image cannot be pushed."
        ))),
    }
}

/// The registry a build pushes to, with the changes that create it (and point the workspace
/// at it) when the workspace has none yet.
fn registry_for(ctx: &Ctx, s: &State, req: &ArmRequest, ws: &Resource) -> ArmResult<(Resource, Vec<Change>)> {
    if let Some(r) = current_registry(s, ws)? {
        return Ok(((*r).clone(), Vec::new()));
    }
    let (provider, info) = catalog::resource_type(REGISTRY_TYPE)
        .ok_or_else(|| ArmError::internal("the catalog lacks container registries"))?;
    let ws_id = ResourceId::parse(&ws.id).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?;
    let sub = ws_id.subscription().to_string();
    let rg = ws_id.resource_group().unwrap_or_default().to_string();
    let name = ctx.ids().hex(32);
    let id = ResourceId::parse(&format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{REGISTRY_TYPE}/{name}"))
        .ok_or_else(|| ArmError::internal("a generated registry id does not parse"))?;
    let id = canonical_id(s, &id, provider, None);
    let now = ctx.now();
    let body = ws.body.value();
    let mut m = Map::new();
    m.insert("location".into(), body["location"].clone());
    m.insert("sku".into(), json!({"name": "Basic"}));
    m.insert("properties".into(), json!({"adminUserEnabled": true}));
    let tenant = tenant_of(s, &sub);
    let b = BuildCx { ctx, id: &id, provider, info, tenant_id: &tenant, principal: req.caller(), now };
    let registry = build_tracked(&b, None, &m)?;
    let mut ws_body = body;
    ws_body["properties"]["containerRegistry"] = json!(registry.id);
    let mut w = ws.clone();
    w.body = crate::store::Body::new(&ws_body);
    w.changed_time = now;
    let changes = vec![
        Change::PutResource { resource: Arc::new(registry.clone()) },
        Change::PutResource { resource: Arc::new(w) },
    ];
    Ok((registry, changes))
}

/// The registry with `repo` pushed to it.
fn with_image(registry: &Resource, repo: &str, env: &str, now: &str) -> Resource {
    let mut r = registry.clone();
    let mut secrets = r.secrets.as_deref().cloned().unwrap_or_else(|| json!({}));
    if !secrets.is_object() {
        secrets = json!({});
    }
    if !secrets["images"].is_object() {
        secrets["images"] = json!({});
    }
    secrets["images"][repo] = json!({"environment": env, "pushed": now});
    r.secrets = Some(Box::new(secrets));
    r
}

fn status_path(req: &ArmRequest, op_id: &str) -> ArmResult<String> {
    Ok(format!(
        "/environment/v2.0{}/environments/{}/versions/{}/image/operations/{op_id}",
        workspace_id(req)?,
        req.param("name")?,
        req.param("version")?
    ))
}

/// `POST …/environments/{name}/versions/{v}/image`: starts (or, for a pushed image,
/// completes at once) the build.
pub fn start(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("name")?;
    let version = req.param("version")?;
    let op_id = ctx.ids().guid();
    let path = status_path(req, &op_id)?;
    let location = req.absolute(&path);
    ctx.store().commit(|s| {
        let ws = workspace(s, req)?.clone();
        let rec = envs::version(s, &ws.id, name, version).ok_or_else(|| {
            ArmError::data_plane_not_found(format!(
                "No definition exists for Environment with Name: {name} Version: {version}"
            ))
        })?;
        let repo = repository(&definition_of(&rec));
        let (registry, changes) = registry_for(ctx, s, req, &ws)?;
        let image = format!("{}/{repo}", login_server(&registry));
        let body =
            |status: &str| json!({"location": location, "operationId": op_id, "status": status, "imageName": image});
        if has_image(&registry, &repo) {
            return Ok((changes, ArmResponse::json(202, body("Succeeded"))));
        }
        let pushed = with_image(&registry, &repo, &format!("{}:{}", rec.name, rec.version), &arm_time(ctx.now()));
        let ws_rid =
            ResourceId::parse(&ws.id).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?;
        let loc = ws.body.value()["location"].as_str().unwrap_or_default().to_string();
        let plan = Lro::new(KIND, ws_rid.subscription(), envs::model::NS, &loc)
            .headers(LroHeaders::AsyncOperation)
            .status_at(op_id.clone(), path.clone())
            .answers(ArmResponse::json(202, body("Succeeded")), ArmResponse::json(202, body("Running")))
            .changes(changes)
            .on_success(vec![Change::PutResource { resource: Arc::new(pushed) }]);
        Ok(lro::plan(ctx, req, plan))
    })
}

/// `GET {location}`: the build's status (a poll, which counts towards `polls:N`). A build
/// that completed synchronously (or whose operation the store has forgotten) answers from the
/// registry: `Succeeded` once its image is there.
pub fn status(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let op_id = req.param("operationId")?;
    let sub = req.param("subscriptionId")?;
    ctx.store().commit_then(
        |s| {
            workspace(s, req)?;
            let polled = s.operation(op_id).is_some_and(|op| op.subscription.eq_ignore_ascii_case(sub));
            let changes = if polled { vec![Change::PollOperation { id: op_id.to_string() }] } else { Vec::new() };
            Ok::<_, ArmError>((changes, polled))
        },
        |s, polled| render_status(s, req, op_id, polled),
    )?
}

fn render_status(s: &State, req: &ArmRequest, op_id: &str, polled: bool) -> ArmResult<ArmResponse> {
    let name = req.param("name")?;
    let version = req.param("version")?;
    let ws = workspace(s, req)?;
    let rec = envs::version(s, &ws.id, name, version).ok_or_else(|| {
        ArmError::data_plane_not_found(format!(
            "No definition exists for Environment with Name: {name} Version: {version}"
        ))
    })?;
    let repo = repository(&definition_of(&rec));
    let registry = current_registry(s, ws).ok().flatten();
    let exists = registry.as_deref().is_some_and(|r| has_image(r, &repo));
    let image = registry.as_deref().map(|r| format!("{}/{repo}", login_server(r)));
    let mut body = json!({
        "operationId": op_id,
        "imageName": image,
        "imageExistsInRegistry": exists,
        "logUrl": null,
    });
    match s.operation(op_id).filter(|_| polled) {
        Some(op) => {
            body["status"] = json!(match op.status {
                OperationStatus::InProgress => "Running",
                OperationStatus::Succeeded => "Succeeded",
                OperationStatus::Failed | OperationStatus::Canceled => "Failed",
            });
            body["startTime"] = json!(arm_time(op.started));
            if let Some(end) = op.ended {
                body["endTime"] = json!(arm_time(end));
            }
            if matches!(op.status, OperationStatus::Failed | OperationStatus::Canceled) {
                let e = failure_error(op);
                body["error"] = json!({"code": e.code_str(), "message": e.message});
            }
        }
        None if exists => body["status"] = json!("Succeeded"),
        None => {
            return Err(ArmError::data_plane_not_found(format!("The image build operation '{op_id}' was not found.")))
        }
    }
    Ok(ArmResponse::ok(body))
}

/// `GET …/environments/{name}[/versions/{v}]/image` (`get_image_details`): where the
/// definition's image is, and whether it has been built.
pub fn details(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("name")?;
    let version = req.param("version").ok();
    ctx.store().read(|s| {
        let ws = workspace(s, req)?;
        let rec = match version {
            Some(v) => envs::version(s, &ws.id, name, v),
            None => envs::latest(s, &ws.id, name),
        };
        let rec = rec.ok_or_else(|| {
            ArmError::data_plane_not_found(match version {
                Some(v) => format!("No definition exists for Environment with Name: {name} Version: {v}"),
                None => format!("No definition exists for Environment with Name: {name}"),
            })
        })?;
        let def = definition_of(&rec);
        let hash = image_hash(&def);
        let repo = format!("azureml/azureml_{hash}");
        let registry = current_registry(s, ws).ok().flatten();
        Ok(ArmResponse::ok(json!({
            "imageExistsInRegistry": registry.as_deref().is_some_and(|r| has_image(r, &repo)),
            "dockerImage": {
                "name": repo,
                "registry": {
                    "address": registry.as_deref().map(login_server),
                    "username": registry.as_deref().map(|r| r.name.clone()),
                    "password": null,
                },
            },
            "pythonEnvironment": {
                "interpreterPath": format!("/azureml-envs/azureml_{hash}/bin/python"),
                "condaEnvironmentPath": format!("/azureml-envs/azureml_{hash}"),
            },
        })))
    })
}
