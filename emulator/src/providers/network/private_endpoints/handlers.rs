//! PUT, GET and DELETE of a private endpoint. The endpoint, its network interface and the
//! connections it makes on its targets are one batch.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::catalog;
use crate::model::ids::{valid_resource_name, Parent, ResourceId};
use crate::protocol::body::{optional_object, optional_str};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult};
use crate::store::{Change, Resource, State};

use crate::providers::common::{build_tracked, canonical_id, find_live, record, tenant_of, write_checks, BuildCx};
use crate::providers::machinelearning::workspaces::private_endpoints::{plan_link, plan_unlink, Link};
use crate::providers::Ctx;

use super::model::TARGETS;
use super::rules::{self, Planned};
use super::wire;

const NIC_TYPE: &str = "Microsoft.Network/networkInterfaces";

fn endpoint_id(req: &ArmRequest) -> ArmResult<ResourceId> {
    let name = req.param("privateEndpointName")?;
    if !valid_resource_name(name) {
        return Err(ArmError::invalid_resource_name(name));
    }
    let id = ResourceId::in_group(
        req.param("subscriptionId")?,
        req.param("resourceGroupName")?,
        "Microsoft.Network",
        vec![("privateEndpoints".into(), name.into())],
    );
    Ok(id)
}

fn same_region(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |l: Option<&str>| {
        l.map(|x| catalog::region(x).map(|r| r.name.to_string()).unwrap_or_else(|| x.to_ascii_lowercase()))
    };
    norm(a) == norm(b)
}

/// The subnet must exist in a virtual network of the endpoint's region: as a child resource
/// or in the network's `properties.subnets`.
fn check_subnet(s: &State, planned: &Planned, pe: &ResourceId, location: Option<&str>) -> ArmResult<()> {
    let Parent::Resource(vnet) = planned.subnet.parent() else {
        return Err(ArmError::invalid_resource_reference(&planned.subnet.to_id(), &pe.to_id()));
    };
    let Some(net) = s.live(&vnet.key()) else {
        return Err(ArmError::invalid_resource_reference(&vnet.to_id(), &pe.to_id()));
    };
    let body = net.body.value();
    if !same_region(body.get("location").and_then(Value::as_str), location) {
        return Err(ArmError::invalid_resource_reference(&vnet.to_id(), &pe.to_id()));
    }
    let listed = body.pointer("/properties/subnets").and_then(Value::as_array).is_some_and(|a| {
        a.iter().any(|x| {
            x.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(planned.subnet.name()))
        })
    });
    if listed || s.live(&planned.subnet.key()).is_some() {
        Ok(())
    } else {
        Err(ArmError::invalid_resource_reference(&planned.subnet.to_id(), &pe.to_id()))
    }
}

/// Each target exists, is a type endpoints can reach here, and offers the group ids asked for.
fn check_targets(s: &State, planned: &Planned, pe: &ResourceId) -> ArmResult<Vec<Arc<Resource>>> {
    let mut out = Vec::new();
    for c in &planned.connections {
        let full = c.target.full_type();
        let Some((ty, groups)) = TARGETS.iter().find(|(t, _)| t.eq_ignore_ascii_case(&full)) else {
            return Err(ArmError::not_emulated(&format!("{full} (as a private link resource)")));
        };
        let target = s
            .live(&c.target.key())
            .cloned()
            .ok_or_else(|| ArmError::invalid_resource_reference(&c.target.to_id(), &pe.to_id()))?;
        if c.group_ids.is_empty() {
            return Err(ArmError::private_endpoint_group_id("", ty, groups));
        }
        if let Some(g) = c.group_ids.iter().find(|g| !groups.iter().any(|x| x.eq_ignore_ascii_case(g))) {
            return Err(ArmError::private_endpoint_group_id(g, ty, groups));
        }
        out.push(target);
    }
    Ok(out)
}

/// The connections `pe_id` has on `target` now.
fn linked(s: &State, target: &Resource, pe_id: &str) -> bool {
    let prefix = format!("{}/privateendpointconnections/", target.key());
    let found = s.resources_under(&prefix).any(|c| {
        c.body
            .value()
            .pointer("/properties/privateEndpoint/id")
            .and_then(Value::as_str)
            .is_some_and(|x| x.eq_ignore_ascii_case(pe_id))
    });
    found
}

pub fn put(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = endpoint_id(req)?;
    let body = req.json_object()?;
    let location = optional_str(&body, "", "location")?.map(String::from);
    let props = optional_object(&body, "properties")?;
    let planned = rules::check(&props)?;
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let (provider, info) = write_checks(ctx, s, req, &id, location.as_deref())?;
        let existing = s.live(&id.key()).cloned();
        if existing.is_none() && location.is_none() {
            return Err(ArmError::location_required());
        }
        let canonical = canonical_id(s, &id, provider, existing.as_deref());
        let pe_id = canonical.to_id();
        let loc = location.clone().or_else(|| existing.as_ref().and_then(|e| e.body.value().get("location").and_then(Value::as_str).map(String::from)));
        check_subnet(s, &planned, &canonical, loc.as_deref())?;
        let targets = check_targets(s, &planned, &canonical)?;

        let tenant = tenant_of(s, id.subscription());
        let b = BuildCx { ctx, id: &canonical, provider, info, tenant_id: &tenant, principal: req.caller(), now };
        let mut r = build_tracked(&b, existing.as_deref(), &body)?;
        let old = existing.as_ref().map(|e| e.body.value());
        let nic_id = old
            .as_ref()
            .and_then(|o| o.pointer("/properties/networkInterfaces/0/id").and_then(Value::as_str).map(String::from))
            .unwrap_or_else(|| format!("{}/providers/{NIC_TYPE}/{}.nic.{}", canonical.to_id().split("/providers/").next().unwrap_or_default(), canonical.name(), ctx.ids().guid()));
        let (auto, manual): (Vec<_>, Vec<_>) = planned.connections.iter().partition(|c| !c.manual);
        r.body.edit(|v| {
            if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
                p.insert("subnet".into(), json!({"id": planned.subnet.to_id()}));
                p.insert("networkInterfaces".into(), json!([{"id": nic_id}]));
                p.insert("privateLinkServiceConnections".into(), Value::Array(auto.iter().map(|c| wire::connection(&canonical, c)).collect()));
                p.insert("manualPrivateLinkServiceConnections".into(), Value::Array(manual.iter().map(|c| wire::connection(&canonical, c)).collect()));
                p.entry("customDnsConfigs").or_insert(json!([]));
                p.entry("ipConfigurations").or_insert(json!([]));
                p.entry("applicationSecurityGroups").or_insert(json!([]));
                p.entry("customNetworkInterfaceName").or_insert(json!(""));
            }
        });
        let resp = ArmResponse::raw_json(if existing.is_none() { 201 } else { 200 }, r.body.bytes());
        let mut changes = vec![Change::PutResource { resource: Arc::new(r) }];

        if existing.is_none() {
            let nic = ResourceId::parse(&nic_id).ok_or_else(|| ArmError::internal("a network interface id does not parse"))?;
            let nic_body = json!({
                "id": nic_id,
                "name": nic.name(),
                "type": NIC_TYPE,
                "location": loc,
                "properties": {
                    "provisioningState": "Succeeded",
                    "ipConfigurations": [{
                        "name": "privateEndpointIpConfig",
                        "id": format!("{nic_id}/ipConfigurations/privateEndpointIpConfig"),
                        "properties": {"privateIPAddress": "10.0.0.4", "privateIPAllocationMethod": "Dynamic", "subnet": {"id": planned.subnet.to_id()}},
                    }],
                    "privateEndpoint": {"id": pe_id},
                },
            });
            changes.push(Change::PutResource { resource: Arc::new(record(&nic, NIC_TYPE, nic_body, now, None)) });
        }

        // Connections: unlink targets the endpoint no longer names, link the new ones.
        let old_targets: Vec<String> = old
            .iter()
            .flat_map(|o| {
                ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"].into_iter().flat_map(move |k| {
                    o.pointer(&format!("/properties/{k}"))
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|c| c.pointer("/properties/privateLinkServiceId").and_then(Value::as_str).map(String::from))
                })
            })
            .collect();
        for t in &old_targets {
            let still = targets.iter().any(|x| x.id.eq_ignore_ascii_case(t));
            if let (false, Some(tr)) = (still, ResourceId::parse(t).and_then(|tid| s.live(&tid.key()).cloned())) {
                changes.extend(plan_unlink(s, &tr, &pe_id));
            }
        }
        for (c, target) in planned.connections.iter().zip(&targets) {
            if linked(s, target, &pe_id) {
                continue;
            }
            let name = format!("{}.{}", canonical.name(), ctx.ids().guid());
            let (status, description) = if c.manual {
                ("Pending", c.request_message.as_deref().unwrap_or(""))
            } else {
                ("Approved", "Auto-Approved")
            };
            let link = Link { name: &name, endpoint_id: &pe_id, status, description };
            changes.extend(plan_link(s, target, &link, req.caller(), now)?);
        }
        Ok((changes, resp))
    })
}

pub fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = endpoint_id(req)?;
    Ok(ArmResponse::raw_json(200, ctx.store().read(|s| find_live(s, &id))?.body.bytes()))
}

/// Removes the endpoint, its network interface and the connections it made.
pub fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = endpoint_id(req)?;
    ctx.store().commit(|s: &State| {
        write_checks(ctx, s, req, &id, None)?;
        let Some(pe) = s.live(&id.key()).cloned() else {
            return Ok((Vec::new(), ArmResponse::empty(204)));
        };
        let body = pe.body.value();
        let mut changes = vec![Change::RemoveResource { id: pe.id.clone() }];
        if let Some(nic) =
            body.pointer("/properties/networkInterfaces/0/id").and_then(Value::as_str).and_then(ResourceId::parse)
        {
            if let Some(n) = s.live(&nic.key()) {
                changes.push(Change::RemoveResource { id: n.id.clone() });
            }
        }
        for k in ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] {
            for c in body.pointer(&format!("/properties/{k}")).and_then(Value::as_array).cloned().unwrap_or_default() {
                let target =
                    c.pointer("/properties/privateLinkServiceId").and_then(Value::as_str).and_then(ResourceId::parse);
                if let Some(t) = target.and_then(|t| s.live(&t.key()).cloned()) {
                    changes.extend(plan_unlink(s, &t, &pe.id));
                }
            }
        }
        Ok((changes, ArmResponse::empty(200)))
    })
}
