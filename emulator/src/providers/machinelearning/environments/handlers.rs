//! The environment operations: containers (list with `listViewType` and `$skipToken` paging,
//! get, create or update, delete) and versions (list with `$orderBy`, `$top`, `$skipToken`,
//! `listViewType`, `tags` and `stage`; get; create or update through
//! [`super::model::plan_put_version`]; delete). All synchronous, as the spec has them.
//!
//! Every operation first needs the workspace live: while it is soft-deleted its environments
//! answer 404 (and come back on recovery); the curated set is overlaid on every read.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};

use crate::model::ids::ResourceId;
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::providers::common::{record, require_group, require_group_writable, system_data, write_checks};
use crate::providers::Ctx;
use crate::store::{Body, Change, Resource, State};

use super::curated;
use super::model::{
    creation_order, live_workspace, plan_put_version, stored_container, stored_versions, workspace_not_found,
    CONTAINER_TYPE, NS, WORKSPACE_TYPE,
};
use super::rules::{check_name, curated_read_only};
use super::wire::{self, container_spec};

/// The workspace a request addresses.
fn ws_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    Ok(ResourceId::in_group(
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        NS,
        vec![("workspaces".into(), req.param("workspaceName")?.to_string())],
    ))
}

/// The live workspace (`404 ResourceGroupNotFound`, then `404 ResourceNotFound` for the
/// workspace, also while it is soft-deleted).
fn workspace<'a>(s: &'a State, id: &ResourceId) -> ArmResult<&'a Arc<Resource>> {
    require_group(s, id.subscription(), id.resource_group().unwrap_or_default())?;
    live_workspace(s, id).ok_or_else(|| workspace_not_found(id))
}

/// ARM's 404 for a nested resource: `'{namespace}/workspaces/{ws}/environments/{name}…'`.
fn nested_not_found(req: &ArmRequest, rest: &str) -> ArmError {
    let rg = req.param("resourceGroupName").unwrap_or_default();
    let ws = req.param("workspaceName").unwrap_or_default();
    ArmError::resource_not_found(WORKSPACE_TYPE, &format!("{ws}/{rest}"), rg)
}

fn container_not_found(req: &ArmRequest, name: &str) -> ArmError {
    nested_not_found(req, &format!("environments/{name}"))
}

fn version_not_found(req: &ArmRequest, name: &str, version: &str) -> ArmError {
    nested_not_found(req, &format!("environments/{name}/versions/{version}"))
}

/// `listViewType`: `ActiveOnly` (the default), `ArchivedOnly` or `All`, as a filter on
/// `isArchived`.
#[derive(Clone, Copy)]
enum View {
    Active,
    Archived,
    All,
}

impl View {
    fn of(req: &ArmRequest) -> ArmResult<View> {
        match req.query("listViewType") {
            None => Ok(View::Active),
            Some(v) if v.eq_ignore_ascii_case("ActiveOnly") => Ok(View::Active),
            Some(v) if v.eq_ignore_ascii_case("ArchivedOnly") => Ok(View::Archived),
            Some(v) if v.eq_ignore_ascii_case("All") => Ok(View::All),
            Some(v) => Err(ArmError::invalid_query_parameter(
                "listViewType",
                v,
                "It must be 'ActiveOnly', 'ArchivedOnly' or 'All'.",
            )),
        }
    }

    fn shows(self, archived: bool) -> bool {
        match self {
            View::Active => !archived,
            View::Archived => archived,
            View::All => true,
        }
    }
}

fn archived(body: &Value) -> bool {
    body.pointer("/properties/isArchived").and_then(Value::as_bool).unwrap_or(false)
}

fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// One page of `(sort key, rendered item)` pairs, after the continuation token.
fn page(ctx: &Ctx, req: &ArmRequest, mut items: Vec<(String, Bytes)>) -> ArmResult<ArmResponse> {
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let rest = items.into_iter().filter(|(k, _)| after.as_ref().is_none_or(|a| k > a));
    let body = paging::page_from(req, rest, paging::SKIP_TOKEN, size, |b, out| out.extend_from_slice(&b));
    Ok(ArmResponse::raw_json(200, body))
}

// ---------- containers ----------

pub fn list_containers(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let view = View::of(req)?;
    let items = ctx.store().read(|s| {
        let ws = workspace(s, &id)?;
        let prefix = format!("{}/environments/", ws.key());
        let mut items: Vec<(String, Bytes)> = curated::ALL
            .iter()
            .filter(|_| view.shows(false))
            .map(|c| (c.name.to_lowercase(), to_bytes(&curated::container_body(c, ws))))
            .collect();
        for c in s.resources_under(&prefix).filter(|r| r.resource_type.eq_ignore_ascii_case(CONTAINER_TYPE)) {
            if c.is_live()
                && view.shows(c.body.pointer("/properties/isArchived").and_then(|v| v.as_bool()) == Some(true))
            {
                items.push((c.name.to_lowercase(), c.body.bytes()));
            }
        }
        Ok::<_, ArmError>(items)
    })?;
    page(ctx, req, items)
}

pub fn get_container(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let name = req.param("name")?;
    let body = ctx.store().read(|s| {
        let ws = workspace(s, &id)?;
        if let Some(c) = curated::find(name) {
            return Ok(to_bytes(&curated::container_body(c, ws)));
        }
        stored_container(s, ws, name).map(|r| r.body.bytes()).ok_or_else(|| container_not_found(req, name))
    })?;
    Ok(ArmResponse::raw_json(200, body))
}

/// Creates a container without versions, or changes what a container may change
/// (description, tags, properties, `isArchived`: azure-ai-ml's `archive`/`restore` of a whole
/// environment sends the GET body back with `isArchived` flipped).
pub fn put_container(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let wid = ws_id(req)?;
    let name = req.param("name")?.to_string();
    let body = req.json_object()?;
    let props = crate::protocol::body::optional_object(&body, "properties")?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        write_checks(ctx, s, req, &wid.child("environments", &name), None)?;
        let ws = workspace(s, &wid)?.clone();
        check_name(&name)?;
        let spec = container_spec(&props)?;
        let existing = stored_container(s, &ws, &name).cloned();
        let cid = match &existing {
            Some(c) => {
                ResourceId::parse(&c.id).ok_or_else(|| ArmError::internal("a stored container id does not parse"))?
            }
            None => ResourceId::parse(&ws.id)
                .ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?
                .child("environments", &name),
        };
        let mut v = match &existing {
            Some(c) => c.body.value(),
            None => wire::new_container_body(&cid, req.caller(), now),
        };
        let before = v.clone();
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            p.insert("description".into(), spec.description.clone());
            p.insert("tags".into(), Value::Object(spec.tags.clone()));
            p.insert("properties".into(), Value::Object(spec.properties.clone()));
            p.insert("isArchived".into(), json!(spec.is_archived));
        }
        if existing.is_some() && v == before {
            return Ok((Vec::new(), ArmResponse::raw_json(200, Body::new(&v).bytes())));
        }
        if existing.is_some() {
            v["systemData"] = system_data(req.caller(), now, Some(&before));
        }
        let mut r = record(&cid, CONTAINER_TYPE, v, now, existing.as_deref());
        if existing.is_none() {
            r.secrets = Some(Box::new(json!({"count": 0})));
        }
        let status = if existing.is_some() { 200 } else { 201 };
        let answer = ArmResponse::raw_json(status, r.body.bytes());
        Ok((vec![Change::PutResource { resource: Arc::new(r) }], answer))
    })
}

/// Deletes a container and every version in it (200), or nothing (204).
pub fn delete_container(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let wid = ws_id(req)?;
    let name = req.param("name")?.to_string();
    ctx.store().commit(|s: &State| {
        // A delete needs the group (not being deleted), not the provider's registration, as
        // for workspaces.
        require_group_writable(s, wid.subscription(), wid.resource_group().unwrap_or_default())?;
        let ws = workspace(s, &wid)?;
        if let Some(c) = curated::find(&name) {
            return Err(curated_read_only(c.name));
        }
        Ok(match stored_container(s, ws, &name) {
            None => (Vec::new(), ArmResponse::empty(204)),
            Some(c) => (vec![Change::RemoveResource { id: c.id.clone() }], ArmResponse::empty(200)),
        })
    })
}

// ---------- versions ----------

pub fn get_version(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let (name, version) = (req.param("name")?, req.param("version")?);
    let body = ctx.store().read(|s| {
        let ws = workspace(s, &id)?;
        if let Some(c) = curated::find(name) {
            return if c.version.eq_ignore_ascii_case(version) {
                Ok(to_bytes(&curated::version_body(c, ws)))
            } else {
                Err(version_not_found(req, c.name, version))
            };
        }
        let found = stored_container(s, ws, name)
            .and_then(|c| s.live(&format!("{}/versions/{}", c.key(), version.to_lowercase())));
        found.map(|r| r.body.bytes()).ok_or_else(|| version_not_found(req, name, version))
    })?;
    Ok(ArmResponse::raw_json(200, body))
}

/// 201 for a new version (with its container when it is the first), 200 for an existing one
/// (unchanged, or with only what may change changed), 409 for a changed definition.
pub fn put_version(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let wid = ws_id(req)?;
    let (name, version) = (req.param("name")?.to_string(), req.param("version")?.to_string());
    let body = req.json_object()?;
    let props = match body.get("properties") {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(p) => p.clone(),
    };
    let workspace_id = wid.to_id();
    ctx.store().commit(|s: &State| {
        write_checks(ctx, s, req, &wid.child("environments", &name).child("versions", &version), None)?;
        workspace(s, &wid)?;
        let (changes, rec, created) =
            plan_put_version(ctx, s, req.caller(), &workspace_id, &name, &version, props.clone(), None)?;
        let answer = ArmResponse::raw_json(if created { 201 } else { 200 }, Body::new(&rec.body).bytes());
        Ok((changes, answer))
    })
}

/// Deletes one version (200; 204 when it is not there) and moves the container's
/// `latestVersion` to the newest one left.
pub fn delete_version(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let wid = ws_id(req)?;
    let (name, version) = (req.param("name")?.to_string(), req.param("version")?.to_string());
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        require_group_writable(s, wid.subscription(), wid.resource_group().unwrap_or_default())?;
        let ws = workspace(s, &wid)?;
        if let Some(c) = curated::find(&name) {
            return Err(curated_read_only(c.name));
        }
        let Some(container) = stored_container(s, ws, &name).cloned() else {
            return Ok((Vec::new(), ArmResponse::empty(204)));
        };
        let key = format!("{}/versions/{}", container.key(), version.to_lowercase());
        let Some(target) = s.live(&key).cloned() else {
            return Ok((Vec::new(), ArmResponse::empty(204)));
        };
        let latest = stored_versions(s, &container)
            .into_iter()
            .filter(|r| r.key() != target.key())
            .max_by_key(|r| creation_order(r))
            .map(|r| json!(r.name))
            .unwrap_or(Value::Null);
        let mut c = (*container).clone();
        c.body.edit(|v| {
            if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
                p.insert("latestVersion".into(), latest);
            }
        });
        c.changed_time = now;
        Ok((
            vec![Change::RemoveResource { id: target.id.clone() }, Change::PutResource { resource: Arc::new(c) }],
            ArmResponse::empty(200),
        ))
    })
}

/// The sort key of `$orderBy=createdtime asc|desc`: creation time and sequence, in fixed
/// width so the string order is the creation order (or its reverse).
fn order_key(created: (chrono::DateTime<chrono::Utc>, u64), desc: bool) -> String {
    let t = (created.0.timestamp_micros() as u64) ^ (1 << 63);
    let (t, n) = if desc { (u64::MAX - t, u64::MAX - created.1) } else { (t, created.1) };
    format!("{t:016x}{n:016x}")
}

/// `tags=name,name=value`: every term must match a tag of the version (names ignore case).
fn tags_match(filter: &[(String, Option<String>)], body: &Value) -> bool {
    let tags = body.pointer("/properties/tags").and_then(Value::as_object);
    filter.iter().all(|(name, value)| {
        tags.and_then(|t| t.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))).is_some_and(|(_, v)| match value {
            None => true,
            Some(want) => v.as_str() == Some(want.as_str()),
        })
    })
}

pub fn list_versions(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = ws_id(req)?;
    let name = req.param("name")?;
    let view = View::of(req)?;
    let desc = match req.query("$orderBy") {
        None => true,
        Some(o) => match o.split_whitespace().map(str::to_ascii_lowercase).collect::<Vec<_>>().as_slice() {
            [f] if f == "createdtime" => false,
            [f, d] if f == "createdtime" && d == "asc" => false,
            [f, d] if f == "createdtime" && d == "desc" => true,
            _ => {
                return Err(ArmError::invalid_query_parameter(
                    "$orderBy",
                    o,
                    "It must be 'createdtime asc' or 'createdtime desc'.",
                ))
            }
        },
    };
    let tag_filter: Vec<(String, Option<String>)> = req
        .query("tags")
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| match x.split_once('=') {
                    Some((k, v)) => (k.trim().to_string(), Some(v.trim().to_string())),
                    None => (x.to_string(), None),
                })
                .collect()
        })
        .unwrap_or_default();
    let stage = req.query("stage").map(str::to_string);
    let shows = |body: &Value| -> bool {
        let by_state = match &stage {
            // `stage` takes priority over `listViewType`, as the spec says.
            Some(st) => {
                body.pointer("/properties/stage").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(st))
            }
            None => view.shows(archived(body)),
        };
        by_state && tags_match(&tag_filter, body)
    };
    let items = ctx.store().read(|s| {
        let ws = workspace(s, &id)?;
        let mut items = Vec::new();
        if let Some(c) = curated::find(name) {
            let body = curated::version_body(c, ws);
            if shows(&body) {
                items.push((order_key((curated::published(), 1), desc), to_bytes(&body)));
            }
            return Ok::<_, ArmError>(items);
        }
        if let Some(c) = stored_container(s, ws, name) {
            for r in stored_versions(s, c) {
                let body = r.body.value();
                if shows(&body) {
                    items.push((order_key(creation_order(&r), desc), r.body.bytes()));
                }
            }
        }
        Ok(items)
    })?;
    page(ctx, req, items)
}

/// PATCH is not an operation of these types (the spec has none): refused rather than left to
/// the generic catch-all, which would bypass the version rules.
pub fn patch_not_supported(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    Err(ArmError::method_not_allowed(req.method.as_str()))
}

/// `HEAD`: 204 when the GET would answer 200, else 404 with no body (as ARM's
/// `CheckExistence`), so existence follows the workspace and the curated overlay as reads do
/// (the generic by-id `HEAD` knows neither).
fn head_of(got: ArmResult<ArmResponse>) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::empty(if got.is_ok() { 204 } else { 404 }))
}

pub fn head_container(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    head_of(get_container(ctx, req))
}

pub fn head_version(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    head_of(get_version(ctx, req))
}
