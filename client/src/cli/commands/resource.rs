//! `resource show|list|delete`: any resource by id, with the api-version taken from the
//! provider's resource types (as az does).

use std::collections::HashMap;

use serde_json::Value;

use super::super::args::ResourceCmd;
use super::super::az_model::{as_az, Model};
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;
use crate::models::ResourceId;
use crate::ops::api;

/// The newest stable api-version the provider lists for the id's type (a preview one if
/// that is all there is).
pub async fn api_version_for(
    client: &ArmClient,
    id: &str,
    cache: &mut HashMap<String, Vec<String>>,
) -> Result<String, CliError> {
    let rid = ResourceId::parse(id).ok_or_else(|| CliError::usage(format!("'{id}' is not a valid resource id")))?;
    let (Some(ns), Some(full)) = (rid.namespace.clone(), rid.full_type()) else {
        return Ok(if rid.resource_group.is_some() { api::RESOURCES.into() } else { api::SUBSCRIPTIONS.into() });
    };
    let type_path = full[ns.len() + 1..].to_string();
    let key = full.to_ascii_lowercase();
    if !cache.contains_key(&key) {
        let sub_client = client.with_subscription(rid.subscription.clone());
        let p = sub_client.providers().get(&ns).await?;
        let versions = p.resource_type(&type_path).and_then(|t| t.api_versions.clone()).unwrap_or_default();
        cache.insert(key.clone(), versions);
    }
    let versions = &cache[&key];
    versions.iter().find(|v| !v.contains("preview")).or(versions.first()).cloned().ok_or_else(|| {
        CliError::usage(format!("the provider '{ns}' lists no api-version for '{type_path}'; give --api-version"))
    })
}

/// The resources a command names: `--ids`, or one by `-g`/`-n`/`--resource-type`.
fn ids_or_name(
    client: &ArmClient,
    ids: Vec<String>,
    rg: Option<String>,
    name: Option<String>,
    rtype: Option<String>,
) -> Result<Vec<String>, CliError> {
    if !ids.is_empty() {
        return Ok(ids);
    }
    let (Some(rg), Some(n), Some(t)) = (rg, name, rtype) else {
        return Err(CliError::usage("give --ids, or all of --resource-group/-g, --name/-n and --resource-type"));
    };
    Ok(vec![format!("/subscriptions/{}/resourceGroups/{rg}/providers/{t}/{n}", client.subscription_id()?)])
}

pub async fn run(ctx: &Ctx, cmd: ResourceCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    let mut cache = HashMap::new();
    match cmd {
        ResourceCmd::Show { ids, resource_group, name, resource_type, api_version } => {
            let ids = ids_or_name(&client, ids, resource_group, name, resource_type)?;
            let mut out = Vec::new();
            for id in &ids {
                let v = match &api_version {
                    Some(v) => v.clone(),
                    None => api_version_for(&client, id, &mut cache).await?,
                };
                out.push(client.resources().get_by_id(id, &v).await?);
            }
            let out = if out.len() == 1 { out.remove(0) } else { Value::Array(out) };
            Ok(Output::Value(as_az(Model::GenericResource, &out)))
        }
        ResourceCmd::List { resource_group, resource_type } => {
            let filter = resource_type.map(|t| format!("resourceType eq '{t}'"));
            // az asks for the times and state too (`GenericResourceExpanded`).
            let expand = Some("createdTime,changedTime,provisioningState");
            let pager = match ctx.group_opt(resource_group) {
                Some(rg) => client.resources().list_by_resource_group_expanded(&rg, filter.as_deref(), expand)?,
                None => client.resources().list_expanded(filter.as_deref(), expand)?,
            };
            let all = serde_json::to_value(pager.collect_all().await?).unwrap_or_default();
            Ok(Output::Table(as_az(Model::GenericResourceExpanded, &all), resource_table))
        }
        ResourceCmd::Delete { ids, resource_group, name, resource_type, api_version, .. } => {
            let ids = ids_or_name(&client, ids, resource_group, name, resource_type)?;
            for id in &ids {
                let v = match &api_version {
                    Some(v) => v.clone(),
                    None => api_version_for(&client, id, &mut cache).await?,
                };
                let poller = client.resources().delete_by_id(id, &v).await?;
                if !ctx.global.no_wait {
                    ctx.wait(poller).await?;
                }
            }
            Ok(Output::Nothing)
        }
    }
}

/// az's `transform_resource_list`: Name, ResourceGroup, Location, Type, Status.
fn resource_table(v: &Value) -> Value {
    let rows = v.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                for (col, key) in [
                    ("Name", "name"),
                    ("ResourceGroup", "resourceGroup"),
                    ("Location", "location"),
                    ("Type", "type"),
                    ("Status", "provisioningState"),
                ] {
                    m.insert(col.into(), r.get(key).cloned().unwrap_or(Value::Null));
                }
                Value::Object(m)
            })
            .collect(),
    )
}
