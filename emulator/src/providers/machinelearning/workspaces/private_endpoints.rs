//! `…/workspaces/{ws}/privateEndpointConnections[/{name}]`: a workspace's private endpoint
//! connections (a child type). The workspace's `privateEndpointConnections` and
//! `privateLinkCount` are kept in step in the same batch as each change.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::model::ids::{valid_resource_name, ResourceId};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, Resource, State};

use crate::providers::common::{record, require_group_writable, require_registered, system_data};
use crate::providers::Ctx;

use super::handlers::live_workspace;
use super::model::{CONNECTION_TYPE, NS};
use super::wire::{props_of, ptr};

const STATUSES: [&str; 4] = ["Approved", "Pending", "Rejected", "Disconnected"];

fn connection_id(ws: &Resource, req: &ArmRequest) -> ArmResult<ResourceId> {
    let name = req.param("connectionName")?;
    if !valid_resource_name(name) {
        return Err(ArmError::invalid_resource_name(name));
    }
    let ws_id = ResourceId::parse(&ws.id).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?;
    Ok(ws_id.child("privateEndpointConnections", name))
}

/// The private endpoint a connection names: the one the request gives (a
/// `Microsoft.Network/privateEndpoints` id), else the one it already names, else one in the
/// workspace's group named after the connection up to its first `.` (connections made by a
/// private endpoint are named `{endpoint}.{suffix}`). Only the id is kept: no network resource
/// is created.
fn private_endpoint(ws_id: &ResourceId, name: &str, given: Option<&Value>, stored: Option<Value>) -> ArmResult<Value> {
    match given.and_then(|g| g.get("id")).filter(|v| !v.is_null()) {
        Some(Value::String(id)) => {
            let ok = ResourceId::parse(id)
                .is_some_and(|r| r.full_type().eq_ignore_ascii_case("Microsoft.Network/privateEndpoints"));
            if !ok {
                return Err(ArmError::validation(format!(
                    "'privateEndpoint.id' must be the id of a Microsoft.Network/privateEndpoints resource, not '{id}'."
                )));
            }
            Ok(json!({ "id": id }))
        }
        Some(_) => Err(ArmError::validation("'privateEndpoint.id' must be a string.")),
        None => Ok(stored.filter(|p| p.get("id").is_some_and(Value::is_string)).unwrap_or_else(|| {
            let endpoint = name.split('.').next().unwrap_or(name);
            json!({ "id": format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/privateEndpoints/{endpoint}",
                ws_id.subscription(),
                ws_id.resource_group().unwrap_or_default()
            ) })
        })),
    }
}

/// The workspace with its connections list and count as they are after `change` (one
/// connection put or removed).
fn refreshed(s: &State, ws: &Resource, change: Option<(&str, Option<&Value>)>) -> Resource {
    let prefix = format!("{}/privateendpointconnections/", ws.key());
    let mut conns: Vec<(String, Value)> = s.resources_under(&prefix).map(|r| (r.key(), r.body.value())).collect();
    if let Some((key, body)) = change {
        conns.retain(|(k, _)| k != key);
        if let Some(b) = body {
            conns.push((key.to_string(), b.clone()));
            conns.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
    let mut w = ws.clone();
    w.body.edit(|v| {
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            p.insert("privateLinkCount".into(), json!(conns.len()));
            p.insert("privateEndpointConnections".into(), Value::Array(conns.into_iter().map(|(_, b)| b).collect()));
        }
    });
    w
}

pub fn put(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let props = props_of(&body)?;
    let status = ptr(&props, "/privateLinkServiceConnectionState/status").and_then(Value::as_str).unwrap_or("Approved");
    if !STATUSES.iter().any(|s| s.eq_ignore_ascii_case(status)) {
        return Err(ArmError::validation(format!("'privateLinkServiceConnectionState.status' must be Approved, Pending, Rejected or Disconnected, not '{status}'.")));
    }
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let (ws_id, ws) = live_workspace(s, req)?;
        require_registered(ctx, s, ws_id.subscription(), NS)?;
        require_group_writable(s, ws_id.subscription(), ws_id.resource_group().unwrap_or_default())?;
        let id = connection_id(&ws, req)?;
        // An existing connection keeps the casing it was created with.
        let stored = s.resource(&id.key());
        let canonical_ws = ResourceId::parse(&ws.id).unwrap_or_else(|| ws_id.clone());
        let endpoint = private_endpoint(
            &canonical_ws,
            id.name(),
            props.get("privateEndpoint"),
            stored.and_then(|c| c.body.pointer("/properties/privateEndpoint")),
        )?;
        let id = stored.and_then(|c| ResourceId::parse(&c.id)).unwrap_or(id);
        let out = json!({
            "id": id.to_id(),
            "name": id.name(),
            "type": CONNECTION_TYPE,
            "location": ws.body.pointer("/location").unwrap_or(Value::Null),
            "properties": {
                "privateEndpoint": endpoint,
                "privateLinkServiceConnectionState": {
                    "status": status,
                    "description": ptr(&props, "/privateLinkServiceConnectionState/description").cloned().unwrap_or(json!("")),
                    "actionsRequired": ptr(&props, "/privateLinkServiceConnectionState/actionsRequired").cloned().unwrap_or(json!("None")),
                },
                "provisioningState": "Succeeded",
            },
            "systemData": system_data(req.caller(), now, None),
        });
        let conn = record(&id, CONNECTION_TYPE, out.clone(), now, None);
        let w = refreshed(s, &ws, Some((&id.key(), Some(&out))));
        let changes = vec![Change::PutResource { resource: Arc::new(conn) }, Change::PutResource { resource: Arc::new(w) }];
        Ok((changes, ArmResponse::ok(out)))
    })
}

/// A connection a private endpoint makes to the workspace (what `Microsoft.Network` plans when
/// an endpoint names the workspace as its private link resource): the connection, named
/// `name`, pointing back at `endpoint_id`, and the workspace's list and count kept in step.
pub struct Link<'a> {
    pub name: &'a str,
    pub endpoint_id: &'a str,
    /// `Approved` for an automatic connection, `Pending` for a manual one.
    pub status: &'a str,
    pub description: &'a str,
}

pub fn plan_link(
    s: &State,
    ws: &Resource,
    link: &Link,
    caller: Option<&crate::model::Principal>,
    now: chrono::DateTime<chrono::Utc>,
) -> ArmResult<Vec<Change>> {
    let ws_id = ResourceId::parse(&ws.id).ok_or_else(|| ArmError::internal("a stored workspace id does not parse"))?;
    let id = ws_id.child("privateEndpointConnections", link.name);
    let out = json!({
        "id": id.to_id(),
        "name": id.name(),
        "type": CONNECTION_TYPE,
        "location": ws.body.pointer("/location").unwrap_or(Value::Null),
        "properties": {
            "privateEndpoint": {"id": link.endpoint_id},
            "privateLinkServiceConnectionState": {"status": link.status, "description": link.description, "actionsRequired": "None"},
            "provisioningState": "Succeeded",
        },
        "systemData": system_data(caller, now, None),
    });
    let conn = record(&id, CONNECTION_TYPE, out.clone(), now, None);
    let w = refreshed(s, ws, Some((&id.key(), Some(&out))));
    Ok(vec![Change::PutResource { resource: Arc::new(conn) }, Change::PutResource { resource: Arc::new(w) }])
}

/// Removes the connections of `ws` that point at `endpoint_id` (the endpoint is being deleted).
pub fn plan_unlink(s: &State, ws: &Resource, endpoint_id: &str) -> Vec<Change> {
    let prefix = format!("{}/privateendpointconnections/", ws.key());
    let gone: Vec<Arc<Resource>> = s
        .resources_under(&prefix)
        .filter(|c| {
            c.body
                .value()
                .pointer("/properties/privateEndpoint/id")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(endpoint_id))
        })
        .cloned()
        .collect();
    if gone.is_empty() {
        return Vec::new();
    }
    let gone_keys: Vec<String> = gone.iter().map(|c| c.key()).collect();
    let kept: Vec<Value> =
        s.resources_under(&prefix).filter(|c| !gone_keys.contains(&c.key())).map(|c| c.body.value()).collect();
    let mut w = ws.clone();
    w.body.edit(|v| {
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            p.insert("privateLinkCount".into(), json!(kept.len()));
            p.insert("privateEndpointConnections".into(), Value::Array(kept));
        }
    });
    let mut changes: Vec<Change> = gone.iter().map(|c| Change::RemoveResource { id: c.id.clone() }).collect();
    changes.push(Change::PutResource { resource: Arc::new(w) });
    changes
}

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    ctx.store().read(|s| {
        let (_, ws) = live_workspace(s, req)?;
        let id = connection_id(&ws, req)?;
        s.live(&id.key()).map(|r| ArmResponse::raw_json(200, r.body.bytes())).ok_or_else(|| {
            ArmError::resource_not_found(&id.full_type(), id.name(), id.resource_group().unwrap_or_default())
        })
    })
}

pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    ctx.store().commit(|s: &State| {
        let (_, ws) = live_workspace(s, req)?;
        let id = connection_id(&ws, req)?;
        Ok(match s.resource(&id.key()) {
            None => (Vec::new(), ArmResponse::empty(204)),
            Some(conn) => {
                let w = refreshed(s, &ws, Some((&id.key(), None)));
                (
                    vec![Change::RemoveResource { id: conn.id.clone() }, Change::PutResource { resource: Arc::new(w) }],
                    ArmResponse::empty(200),
                )
            }
        })
    })
}

pub fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    ctx.store().read(|s| {
        let (_, ws) = live_workspace(s, req)?;
        let prefix = format!("{}/privateendpointconnections/", ws.key());
        Ok(ArmResponse::raw_json(200, paging::collection(s.resources_under(&prefix), |r, out| r.body.write_to(out))))
    })
}
