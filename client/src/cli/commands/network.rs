//! `network vnet create|show`, `network private-endpoint create|show|list|delete`,
//! `network private-endpoint dns-zone-group create|add` and `network private-dns zone
//! create|show|list`, `network private-dns link vnet create|show`: what seed 004 runs to put a
//! workspace behind a private link. az's network commands are AAZ-generated: they print the
//! resource with every `properties` object folded into its parent (and no `systemData`), which
//! [`aaz`] does; `vnet create` wraps the network in `newVNet`, as az does.

use serde_json::{json, Map, Value};

use super::super::args::{
    DnsZoneGroupCmd, NetName, NetworkCmd, PrivateDnsCmd, PrivateDnsLinkCmd, PrivateDnsLinkVnetCmd, PrivateDnsZoneCmd,
    PrivateEndpointCmd, VnetCmd, ZoneGroupArgs,
};
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;
use crate::ops::api;

const NET: &str = "Microsoft.Network";
/// The api-version az's private DNS commands send.
const PRIVATE_DNS: &str = "2020-06-01";

/// AAZ's output: `properties` folded into its object, recursively; `systemData` left out.
pub fn aaz(v: Value) -> Value {
    match v {
        Value::Object(mut m) => {
            m.remove("systemData");
            let mut out = Map::new();
            let props = m.remove("properties");
            for (k, x) in m {
                out.insert(k, aaz(x));
            }
            if let Some(Value::Object(p)) = props {
                for (k, x) in p {
                    out.entry(k).or_insert_with(|| aaz(x));
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(aaz).collect()),
        other => other,
    }
}

/// az's privatedns table transformers: fixed columns read with `item[key]` (a missing key
/// makes az's table unavailable: null here).
fn columns(v: &Value, cols: &[(&str, &[&str])]) -> Value {
    let row = |item: &Value| -> Option<Value> {
        let mut m = Map::new();
        for (col, path) in cols {
            let mut x = item;
            for p in *path {
                x = x.get(*p)?;
            }
            m.insert((*col).into(), x.clone());
        }
        Some(Value::Object(m))
    };
    match v {
        Value::Array(a) => a.iter().map(row).collect::<Option<Vec<_>>>().map(Value::Array).unwrap_or(Value::Null),
        other => row(other).unwrap_or(Value::Null),
    }
}

fn zone_table(v: &Value) -> Value {
    columns(
        v,
        &[
            ("ZoneName", &["name"]),
            ("ResourceGroup", &["resourceGroup"]),
            ("RecordSets", &["numberOfRecordSets"]),
            ("MaxRecordSets", &["maxNumberOfRecordSets"]),
            ("VirtualNetworkLinks", &["numberOfVirtualNetworkLinks"]),
            ("MaxVirtualNetworkLinks", &["maxNumberOfVirtualNetworkLinks"]),
            ("VirtualNetworkLinksWithRegistration", &["numberOfVirtualNetworkLinksWithRegistration"]),
            ("MaxVirtualNetworkLinksWithRegistration", &["maxNumberOfVirtualNetworkLinksWithRegistration"]),
            ("ProvisioningState", &["provisioningState"]),
        ],
    )
}

fn link_table(v: &Value) -> Value {
    columns(
        v,
        &[
            ("LinkName", &["name"]),
            ("ResourceGroup", &["resourceGroup"]),
            ("RegistrationEnabled", &["registrationEnabled"]),
            ("VirtualNetwork", &["virtualNetwork", "id"]),
            ("LinkState", &["virtualNetworkLinkState"]),
            ("ProvisioningState", &["provisioningState"]),
        ],
    )
}

fn id(client: &ArmClient, rg: &str, path: &str) -> Result<String, CliError> {
    Ok(format!("/subscriptions/{}/resourceGroups/{rg}/providers/{NET}/{path}", client.subscription_id()?))
}

/// A name, or an id as given.
fn id_or(client: &ArmClient, rg: &str, value: &str, path: impl FnOnce(&str) -> String) -> Result<String, CliError> {
    if value.starts_with('/') {
        Ok(value.to_string())
    } else {
        id(client, rg, &path(value))
    }
}

async fn location(ctx: &Ctx, client: &ArmClient, rg: &str, given: Option<String>) -> Result<String, CliError> {
    match ctx.location(given) {
        Some(l) => Ok(l),
        None => Ok(client.resource_groups().get(rg).await?.location),
    }
}

async fn put(ctx: &Ctx, client: &ArmClient, id: &str, api_version: &str, body: &Value) -> Result<Value, CliError> {
    let poller = client.resources().create_or_update_by_id(id, api_version, body).await?;
    match ctx.wait(poller).await? {
        Some(v) => Ok(v),
        None => Ok(client.resources().get_by_id(id, api_version).await?),
    }
}

async fn show(client: &ArmClient, id: &str, api_version: &str) -> Result<Output, CliError> {
    Ok(Output::Value(aaz(client.resources().get_by_id(id, api_version).await?)))
}

async fn list(
    ctx: &Ctx,
    client: &ArmClient,
    rg: Option<String>,
    type_name: &str,
    api_version: &str,
) -> Result<Output, CliError> {
    let rg = ctx.group_opt(rg);
    let all = client.resources().list_of_type(rg.as_deref(), NET, type_name, api_version)?.collect_all().await?;
    Ok(Output::Value(aaz(Value::Array(all))))
}

fn group(ctx: &Ctx, net: &NetName) -> Result<String, CliError> {
    ctx.group(net.resource_group.clone())
}

pub async fn run(ctx: &Ctx, cmd: NetworkCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        NetworkCmd::Vnet(VnetCmd::Create { net, location: loc, address_prefixes, subnet_name, subnet_prefixes }) => {
            let rg = group(ctx, &net)?;
            let loc = location(ctx, &client, &rg, loc).await?;
            // az sends the two protection flags with every new network.
            let mut props = json!({
                "addressSpace": {"addressPrefixes": address_prefixes},
                "enableDdosProtection": false,
                "enableVmProtection": false,
            });
            if let Some(sn) = subnet_name {
                props["subnets"] = json!([{"name": sn, "properties": {"addressPrefix": subnet_prefixes.first()}}]);
            }
            let vid = id(&client, &rg, &format!("virtualNetworks/{}", net.name))?;
            let v = put(ctx, &client, &vid, api::NETWORK, &json!({"location": loc, "properties": props})).await?;
            Ok(Output::Value(json!({"newVNet": aaz(v)})))
        }
        NetworkCmd::Vnet(VnetCmd::Show { net }) => {
            let rg = group(ctx, &net)?;
            show(&client, &id(&client, &rg, &format!("virtualNetworks/{}", net.name))?, api::NETWORK).await
        }
        NetworkCmd::PrivateEndpoint(c) => private_endpoint(ctx, &client, c).await,
        NetworkCmd::PrivateDns(PrivateDnsCmd::Zone(c)) => match c {
            PrivateDnsZoneCmd::Create { net } => {
                let rg = group(ctx, &net)?;
                let zid = id(&client, &rg, &format!("privateDnsZones/{}", net.name))?;
                Ok(Output::Value(aaz(put(ctx, &client, &zid, PRIVATE_DNS, &json!({"location": "global"})).await?)))
            }
            PrivateDnsZoneCmd::Show { net } => {
                let rg = group(ctx, &net)?;
                let zid = id(&client, &rg, &format!("privateDnsZones/{}", net.name))?;
                Ok(Output::Table(aaz(client.resources().get_by_id(&zid, PRIVATE_DNS).await?), zone_table))
            }
            PrivateDnsZoneCmd::List { resource_group } => {
                match list(ctx, &client, resource_group, "privateDnsZones", PRIVATE_DNS).await? {
                    Output::Value(v) => Ok(Output::Table(v, zone_table)),
                    other => Ok(other),
                }
            }
        },
        NetworkCmd::PrivateDns(PrivateDnsCmd::Link(PrivateDnsLinkCmd::Vnet(c))) => match c {
            PrivateDnsLinkVnetCmd::Create { net, zone_name, virtual_network, registration_enabled } => {
                let rg = group(ctx, &net)?;
                let vnet = id_or(&client, &rg, &virtual_network, |n| format!("virtualNetworks/{n}"))?;
                let lid = id(&client, &rg, &format!("privateDnsZones/{zone_name}/virtualNetworkLinks/{}", net.name))?;
                let body = json!({
                    "location": "global",
                    "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": registration_enabled},
                });
                Ok(Output::Value(aaz(put(ctx, &client, &lid, PRIVATE_DNS, &body).await?)))
            }
            PrivateDnsLinkVnetCmd::Show { net, zone_name } => {
                let rg = group(ctx, &net)?;
                let lid = id(&client, &rg, &format!("privateDnsZones/{zone_name}/virtualNetworkLinks/{}", net.name))?;
                Ok(Output::Table(aaz(client.resources().get_by_id(&lid, PRIVATE_DNS).await?), link_table))
            }
        },
    }
}

async fn private_endpoint(ctx: &Ctx, client: &ArmClient, cmd: PrivateEndpointCmd) -> Result<Output, CliError> {
    match cmd {
        PrivateEndpointCmd::Create {
            net,
            location: loc,
            vnet_name,
            subnet,
            private_connection_resource_id,
            group_id,
            connection_name,
            manual_request,
            request_message,
        } => {
            let rg = group(ctx, &net)?;
            let subnet_id = match (&vnet_name, subnet.starts_with('/')) {
                (_, true) => subnet.clone(),
                (Some(v), false) => id(client, &rg, &format!("virtualNetworks/{v}/subnets/{subnet}"))?,
                (None, false) => {
                    return Err(CliError::failed("usage error: --subnet ID | --subnet NAME --vnet-name NAME"))
                }
            };
            let loc = location(ctx, client, &rg, loc).await?;
            let mut conn = json!({"privateLinkServiceId": private_connection_resource_id, "groupIds": group_id});
            if let Some(m) = request_message {
                conn["requestMessage"] = json!(m);
            }
            let key = if manual_request.unwrap_or(false) {
                "manualPrivateLinkServiceConnections"
            } else {
                "privateLinkServiceConnections"
            };
            let body = json!({
                "location": loc,
                // az's default IP version goes with every endpoint it creates.
                "properties": {"subnet": {"id": subnet_id}, "ipVersionType": "IPv4", key: [{"name": connection_name, "properties": conn}]},
            });
            let pid = id(client, &rg, &format!("privateEndpoints/{}", net.name))?;
            Ok(Output::Value(aaz(put(ctx, client, &pid, api::NETWORK, &body).await?)))
        }
        PrivateEndpointCmd::Show { net } => {
            let rg = group(ctx, &net)?;
            show(client, &id(client, &rg, &format!("privateEndpoints/{}", net.name))?, api::NETWORK).await
        }
        PrivateEndpointCmd::List { resource_group } => {
            list(ctx, client, resource_group, "privateEndpoints", api::NETWORK).await
        }
        PrivateEndpointCmd::Delete { net } => {
            let rg = group(ctx, &net)?;
            let pid = id(client, &rg, &format!("privateEndpoints/{}", net.name))?;
            let poller = client.resources().delete_by_id(&pid, api::NETWORK).await?;
            ctx.wait(poller).await?;
            Ok(Output::Nothing)
        }
        PrivateEndpointCmd::DnsZoneGroup(c) => {
            let (add, g) = match c {
                DnsZoneGroupCmd::Create { group } => (false, group),
                DnsZoneGroupCmd::Add { group } => (true, group),
            };
            zone_group(ctx, client, g, add).await
        }
    }
}

/// `create` PUTs a group with one zone; `add` reads the group and PUTs it with one more.
async fn zone_group(ctx: &Ctx, client: &ArmClient, g: ZoneGroupArgs, add: bool) -> Result<Output, CliError> {
    let rg = ctx.group(g.resource_group.clone())?;
    let gid = id(client, &rg, &format!("privateEndpoints/{}/privateDnsZoneGroups/{}", g.endpoint_name, g.name))?;
    let zone = id_or(client, &rg, &g.private_dns_zone, |n| format!("privateDnsZones/{n}"))?;
    let config = json!({"name": g.zone_name, "properties": {"privateDnsZoneId": zone}});
    let mut configs = if add {
        let current = client.resources().get_by_id(&gid, api::NETWORK).await?;
        current.pointer("/properties/privateDnsZoneConfigs").and_then(Value::as_array).cloned().unwrap_or_default()
    } else {
        Vec::new()
    };
    configs.retain(|c| c.get("name").and_then(Value::as_str) != Some(g.zone_name.as_str()));
    configs.push(config);
    let body = json!({"properties": {"privateDnsZoneConfigs": configs}});
    let mut out = aaz(put(ctx, client, &gid, api::NETWORK, &body).await?);
    // az's schema for zone groups has no `type`, so az does not print it.
    if let Some(m) = out.as_object_mut() {
        m.remove("type");
    }
    Ok(Output::Value(out))
}

#[cfg(test)]
mod tests {
    use super::aaz;
    use serde_json::json;

    #[test]
    fn properties_are_folded_into_their_objects() {
        let v = aaz(
            json!({"id": "x", "systemData": {}, "properties": {"subnet": {"id": "s"}, "conns": [{"name": "c", "properties": {"groupIds": ["g"]}}]}}),
        );
        assert_eq!(v, json!({"id": "x", "subnet": {"id": "s"}, "conns": [{"name": "c", "groupIds": ["g"]}]}));
    }
}
