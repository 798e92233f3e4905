//! The environment service's reads and registration, stored through the v2 environments'
//! API (`environments::plan_put_version`): one store, one rule set.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::machinelearning::environments::{
    self as envs, model::live_workspace, model::parse_workspace, VersionRecord,
};
use crate::providers::Ctx;
use crate::store::{Resource, State};

use super::translate;

/// The workspace id the route names.
pub(super) fn workspace_id(req: &ArmRequest) -> ArmResult<String> {
    Ok(format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}",
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        req.param("workspaceName")?
    ))
}

/// The live workspace (`404` while it is missing or soft-deleted, as the service answers).
pub(super) fn workspace<'a>(s: &'a State, req: &ArmRequest) -> ArmResult<&'a Arc<Resource>> {
    let not_found = || {
        ArmError::data_plane_not_found(format!(
            "Workspace '{}' in resource group '{}' of subscription '{}' was not found.",
            req.param("workspaceName").unwrap_or_default(),
            req.param("resourceGroupName").unwrap_or_default(),
            req.param("subscriptionId").unwrap_or_default()
        ))
    };
    let id = parse_workspace(&workspace_id(req)?).ok_or_else(not_found)?;
    live_workspace(s, &id).ok_or_else(not_found)
}

/// `assetId`'s workspace part: the location and `workspaceId` of the workspace.
pub(super) fn asset_base(ws: &Resource) -> (String, String) {
    let body = ws.body.value();
    let location = body["location"].as_str().unwrap_or_default().to_string();
    let wid = body.pointer("/properties/workspaceId").and_then(Value::as_str).unwrap_or_default().to_string();
    (location, wid)
}

/// A version's v1 definition: the one registered, or translated from its v2 properties.
pub(super) fn definition_of(r: &VersionRecord) -> Value {
    r.v1.clone().unwrap_or_else(|| translate::definition_from_v2(r.properties()))
}

fn answer(ws: &Resource, r: &VersionRecord) -> Value {
    let (loc, wid) = asset_base(ws);
    translate::v1_body(&r.name, &r.version, &definition_of(r), &translate::asset_id(&loc, &wid, &r.name, &r.version))
}

fn no_definition(name: &str, version: Option<&str>) -> ArmError {
    ArmError::data_plane_not_found(match version {
        None => format!("No definition exists for Environment with Name: {name}"),
        Some(v) => format!("No definition exists for Environment with Name: {name} Version: {v}"),
    })
}

/// `GET …/environments/{name}`: the latest version.
pub fn get_latest(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("name")?;
    ctx.store().read(|s| {
        let ws = workspace(s, req)?;
        let r = envs::latest(s, &ws.id, name).ok_or_else(|| no_definition(name, None))?;
        Ok(ArmResponse::ok(answer(ws, &r)))
    })
}

/// `GET …/environments/{name}/versions/{version}`.
pub fn get_version(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("name")?;
    let v = req.param("version")?;
    ctx.store().read(|s| {
        let ws = workspace(s, req)?;
        let r = envs::version(s, &ws.id, name, v).ok_or_else(|| no_definition(name, Some(v)))?;
        Ok(ArmResponse::ok(answer(ws, &r)))
    })
}

/// `GET …/environments/` (`?continuation=`): the latest version of every name, curated and
/// the workspace's own, in name order, a page at a time; the token is the last name given.
pub fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let page = ctx.page_size().max(1);
    let after = req.query("continuation").map(str::to_lowercase);
    ctx.store().read(|s| {
        let ws = workspace(s, req)?;
        let all = envs::list_latest(s, &ws.id);
        let rest: Vec<&VersionRecord> =
            all.iter().filter(|r| after.as_ref().is_none_or(|a| r.name.to_lowercase() > *a)).collect();
        let more = rest.len() > page;
        let items: Vec<Value> = rest.iter().take(page).map(|r| answer(ws, r)).collect();
        let token = if more { rest.get(page - 1).map(|r| json!(r.name)) } else { None };
        Ok(ArmResponse::ok(json!({"value": items, "continuationToken": token.unwrap_or(Value::Null)})))
    })
}

/// `PUT …/environments/{name}[/versions/{version}]`: registers a definition. Without a
/// version: the latest version when its definition is the same, else the next version. With
/// one: that version when it exists with the same definition, `409` when with another, else
/// it is created. `AzureML…` names are the curated ones' (`400`, the service's message).
pub fn register(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let name = req.param("name")?.to_string();
    let explicit = req.param("version").ok().map(str::to_string);
    if name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("azureml")) {
        return Err(ArmError::asset_user_error(
            "Environment name can not start with the prefix AzureML. To alter a curated environment first create a copy of it.",
        ));
    }
    let body = req.json_object()?;
    let def = translate::definition_from_register(&body)?;
    ctx.store()
        .commit(|s| {
            let ws = workspace(s, req)?.clone();
            let existing = match &explicit {
                None => envs::latest(s, &ws.id, &name),
                Some(v) => envs::version(s, &ws.id, &name, v),
            };
            if let Some(e) = existing.filter(|e| definition_of(e) == def) {
                return Ok((Vec::new(), answer(&ws, &e)));
            }
            let version = explicit.clone().unwrap_or_else(|| envs::next_version(s, &ws.id, &name));
            let (loc, wid) = asset_base(&ws);
            let props = translate::v2_properties(&def, &translate::asset_id(&loc, &wid, &name, &version));
            let (changes, record, _) =
                envs::plan_put_version(ctx, s, req.caller(), &ws.id, &name, &version, props, Some(def.clone()))?;
            Ok((changes, answer(&ws, &record)))
        })
        .map(ArmResponse::ok)
}
