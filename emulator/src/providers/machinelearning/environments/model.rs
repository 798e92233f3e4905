//! What an environment is, as typed values, and the API the v1 environment service
//! (`providers::machinelearning::environment_service`) stores through, so both surfaces share
//! one set of records and one rule set.
//!
//! Records: a container `…/workspaces/{ws}/environments/{name}` (its body has `latestVersion`,
//! `nextVersion`, `isArchived`) and its versions `…/environments/{name}/versions/{version}` (the
//! v2 GET body; the data kept beside it, in the record's side slot, holds a creation sequence
//! number and the v1 definition when the v1 service registered it). Curated environments are
//! not stored: [`super::curated`] overlays a static table on every read, so 100,000
//! workspaces cost nothing extra.
//!
//! Every function here answers nothing while the workspace is missing or soft-deleted: the
//! environments follow their workspace.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::model::ids::ResourceId;
use crate::model::Principal;
use crate::protocol::{ArmError, ArmResult};
use crate::providers::common::system_data;
use crate::providers::Ctx;
use crate::store::{Change, Resource, State};

use super::curated;
use super::rules;
use super::wire;

pub const NS: &str = "Microsoft.MachineLearningServices";
pub const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
pub const CONTAINER_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/environments";
pub const VERSION_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/environments/versions";

/// One environment version as both surfaces see it.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRecord {
    /// The container's name as first cased.
    pub name: String,
    pub version: String,
    /// The v2 GET body (`id`, `name`, `type`, `properties`, `systemData`).
    pub body: Value,
    /// The v1 definition the v1 service registered, kept beside the body (never in it).
    pub v1: Option<Value>,
    pub created_time: DateTime<Utc>,
    /// A curated environment (read-only, in every workspace).
    pub curated: bool,
    pub archived: bool,
}

impl VersionRecord {
    /// `properties` of the v2 body.
    pub fn properties(&self) -> &Value {
        self.body.get("properties").unwrap_or(&Value::Null)
    }
}

/// The order versions are created in: the clock, then the container's counter (the emulator's
/// clock may stand still between two creations).
pub(crate) fn creation_order(r: &Resource) -> (DateTime<Utc>, u64) {
    (r.created_time, seq_of(r))
}

pub(crate) fn seq_of(r: &Resource) -> u64 {
    r.secrets.as_ref().and_then(|s| s.get("seq")).and_then(Value::as_u64).unwrap_or(0)
}

pub(crate) fn v1_of(r: &Resource) -> Option<Value> {
    r.secrets.as_ref().and_then(|s| s.get("v1")).filter(|v| !v.is_null()).cloned()
}

/// A stored version as a record.
pub(crate) fn record_of(r: &Resource) -> VersionRecord {
    let body = r.body.value();
    let id = ResourceId::parse(&r.id);
    let name = id.as_ref().and_then(|i| i.types.get(1)).map(|(_, n)| n.clone()).unwrap_or_default();
    let archived = body.pointer("/properties/isArchived").and_then(Value::as_bool).unwrap_or(false);
    VersionRecord {
        name,
        version: r.name.clone(),
        body,
        v1: v1_of(r),
        created_time: r.created_time,
        curated: false,
        archived,
    }
}

/// The live workspace a workspace id names (its group must exist): `None` while it is
/// missing or soft-deleted.
pub fn live_workspace<'a>(s: &'a State, ws: &ResourceId) -> Option<&'a Arc<Resource>> {
    s.group(ws.subscription(), ws.resource_group()?)?;
    s.live(&ws.key())
}

/// The workspace id, parsed and checked to be a workspace's.
pub(crate) fn parse_workspace(workspace_id: &str) -> Option<ResourceId> {
    let id = ResourceId::parse(workspace_id)?;
    (id.full_type().eq_ignore_ascii_case(WORKSPACE_TYPE) && id.resource_group().is_some()).then_some(id)
}

fn container_id(ws: &Arc<Resource>, name: &str) -> Option<ResourceId> {
    Some(ResourceId::parse(&ws.id)?.child("environments", name))
}

/// The stored container `name` of a live workspace.
pub(crate) fn stored_container<'a>(s: &'a State, ws: &Arc<Resource>, name: &str) -> Option<&'a Arc<Resource>> {
    s.live(&container_id(ws, name)?.key())
}

/// The stored versions of a container, in key order.
pub(crate) fn stored_versions(s: &State, container: &Resource) -> Vec<Arc<Resource>> {
    let prefix = format!("{}/versions/", container.key());
    s.resources_under(&prefix)
        .filter(|r| r.resource_type.eq_ignore_ascii_case(VERSION_TYPE) && r.is_live())
        .cloned()
        .collect()
}

/// One version (curated or stored) of an environment in a live workspace.
pub fn version(state: &State, workspace_id: &str, name: &str, version: &str) -> Option<VersionRecord> {
    let ws_id = parse_workspace(workspace_id)?;
    let ws = live_workspace(state, &ws_id)?;
    if let Some(c) = curated::find(name) {
        return (c.version == version).then(|| curated::record(c, ws));
    }
    let container = stored_container(state, ws, name)?;
    let key = format!("{}/versions/{}", container.key(), version.to_lowercase());
    state.live(&key).map(|r| record_of(r))
}

/// The container's latest version (the one created last), curated or stored.
pub fn latest(state: &State, workspace_id: &str, name: &str) -> Option<VersionRecord> {
    let ws_id = parse_workspace(workspace_id)?;
    let ws = live_workspace(state, &ws_id)?;
    if let Some(c) = curated::find(name) {
        return Some(curated::record(c, ws));
    }
    let container = stored_container(state, ws, name)?;
    stored_versions(state, container).into_iter().max_by_key(|r| creation_order(r)).map(|r| record_of(&r))
}

/// Every environment name visible in the workspace, curated and the workspace's own, each
/// with its latest version, in name order (case-insensitive).
pub fn list_latest(state: &State, workspace_id: &str) -> Vec<VersionRecord> {
    let Some(ws_id) = parse_workspace(workspace_id) else { return Vec::new() };
    let Some(ws) = live_workspace(state, &ws_id) else { return Vec::new() };
    let mut out: Vec<VersionRecord> = curated::ALL.iter().map(|c| curated::record(c, ws)).collect();
    let prefix = format!("{}/environments/", ws.key());
    for c in state.resources_under(&prefix).filter(|r| r.resource_type.eq_ignore_ascii_case(CONTAINER_TYPE)) {
        if let Some(v) = stored_versions(state, c).into_iter().max_by_key(|r| creation_order(r)) {
            out.push(record_of(&v));
        }
    }
    out.sort_by_key(|r| r.name.to_lowercase());
    out
}

/// The version the next registration without a version gets: the container's `nextVersion`,
/// `"1"` for a new environment.
pub fn next_version(state: &State, workspace_id: &str, name: &str) -> String {
    let found = parse_workspace(workspace_id).and_then(|id| {
        let ws = live_workspace(state, &id)?;
        if let Some(c) = curated::find(name) {
            return Some(wire::next_after(c.version));
        }
        let c = stored_container(state, ws, name)?;
        c.body.string("/properties/nextVersion")
    });
    found.unwrap_or_else(|| "1".into())
}

/// Plans a PUT of one environment version with the v2 PUT's rules (the one rule set both
/// surfaces use): the workspace must be live (`404`), the name, version and definition valid
/// (`400 UserError`), the name not curated or reserved (`AzureML…`); an existing version with
/// the same definition changes only what may change (description, tags, properties,
/// `isArchived`, `stage`; nothing at all when those are equal too), one with a different
/// definition is `409 UserError`. A new version creates the container when it is missing and
/// moves its `latestVersion`/`nextVersion`.
///
/// `properties` is the v2 `properties` object; `v1`, when given, is the v1 definition kept
/// beside the body (a different one counts as a different definition). `who` stamps
/// `systemData`. Returns the batch (empty when nothing changes), the version as it will be,
/// and whether it was created.
#[allow(clippy::too_many_arguments)]
pub fn plan_put_version(
    ctx: &Ctx,
    state: &State,
    who: Option<&Principal>,
    workspace_id: &str,
    name: &str,
    version: &str,
    properties: Value,
    v1: Option<Value>,
) -> ArmResult<(Vec<Change>, VersionRecord, bool)> {
    let ws_id = parse_workspace(workspace_id)
        .ok_or_else(|| ArmError::internal("an environment's workspace id does not parse"))?;
    let ws = live_workspace(state, &ws_id).ok_or_else(|| workspace_not_found(&ws_id))?.clone();
    rules::check_name(name)?;
    rules::check_version(version)?;
    let props = match properties {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => {
            return Err(ArmError::invalid_request_content(format!(
                "'properties' must be an object, found {}",
                crate::protocol::body::json_kind(&other)
            )))
        }
    };
    let spec = wire::version_spec(&props)?;
    let now = ctx.now();
    let container = stored_container(state, &ws, name).cloned();
    let container_rid = match &container {
        Some(c) => {
            ResourceId::parse(&c.id).ok_or_else(|| ArmError::internal("a stored container id does not parse"))?
        }
        None => container_id(&ws, name).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?,
    };
    let version_key = format!("{}/versions/{}", container_rid.key(), version.to_lowercase());
    let existing = state.live(&version_key).cloned();
    let mut changes = Vec::new();
    if let Some(cur) = existing {
        let cur_body = cur.body.value();
        let cur_props = cur_body.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let stored_v1 = v1_of(&cur);
        let v1_differs = v1.as_ref().is_some_and(|given| stored_v1.as_ref() != Some(given));
        if !rules::same_definition(&cur_props, &spec.definition) || v1_differs {
            return Err(ArmError::environment_version_exists(container_rid.name(), &cur.name));
        }
        let merged = wire::merge_mutable(&cur_props, &spec);
        if merged == cur_props {
            return Ok((changes, record_of(&cur), false));
        }
        let mut body = cur_body.clone();
        body["systemData"] = system_data(who, now, Some(&cur_body));
        body["properties"] = Value::Object(merged);
        let mut r = (*cur).clone();
        r.body = crate::store::Body::new(&body);
        r.changed_time = now;
        let record = record_of(&r);
        changes.push(Change::PutResource { resource: Arc::new(r) });
        // The container's archive flag is its own; a version's is not propagated.
        return Ok((changes, record, false));
    }
    // A new version.
    let (container_body, count) = match &container {
        Some(c) => {
            (c.body.value(), c.secrets.as_ref().and_then(|s| s.get("count")).and_then(Value::as_u64).unwrap_or(0))
        }
        None => (wire::new_container_body(&container_rid, who, now), 0),
    };
    let seq = count + 1;
    let version_rid = container_rid.child("versions", version);
    let body = wire::version_body(&version_rid, &spec, who, now);
    let mut secrets = json!({"seq": seq});
    if let Some(d) = &v1 {
        secrets["v1"] = d.clone();
    }
    let mut vr = crate::providers::common::record(&version_rid, VERSION_TYPE, body, now, None);
    vr.secrets = Some(Box::new(secrets));
    let mut cbody = container_body;
    let next = cbody.pointer("/properties/nextVersion").and_then(Value::as_str).unwrap_or("1").to_string();
    if let Some(p) = cbody.get_mut("properties").and_then(Value::as_object_mut) {
        p.insert("latestVersion".into(), json!(version));
        p.insert("nextVersion".into(), json!(wire::next_version_after(&next, version)));
    }
    if container.is_some() {
        let prev = cbody.clone();
        cbody["systemData"] = system_data(who, now, Some(&prev));
    }
    let mut cr = crate::providers::common::record(&container_rid, CONTAINER_TYPE, cbody, now, container.as_deref());
    cr.secrets = Some(Box::new(json!({"count": seq})));
    let record = record_of(&vr);
    changes.push(Change::PutResource { resource: Arc::new(cr) });
    changes.push(Change::PutResource { resource: Arc::new(vr) });
    Ok((changes, record, true))
}

/// `404 ResourceNotFound` for the workspace an environment would live in.
pub(crate) fn workspace_not_found(ws: &ResourceId) -> ArmError {
    ArmError::resource_not_found(WORKSPACE_TYPE, ws.name(), ws.resource_group().unwrap_or_default())
}
