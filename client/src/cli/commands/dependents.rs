//! The workspace's dependent resources, as the docs query them: `storage account`,
//! `keyvault`, `acr`, `monitor app-insights component` — `show` (by name, with or without
//! `-g`) and `create`. They go through the generic by-id operations.

use serde_json::{json, Value};

use super::super::args::{AcrCmd, ComponentCmd, KeyvaultCmd, StorageAccountCmd};
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;
use crate::ops::api;
use crate::profile::EMULATOR_TENANT_ID;

pub struct Kind {
    pub namespace: &'static str,
    pub type_name: &'static str,
    pub api: &'static str,
    /// How az names it in "not found" messages.
    pub label: &'static str,
}

pub const STORAGE: Kind =
    Kind { namespace: "Microsoft.Storage", type_name: "storageAccounts", api: api::STORAGE, label: "Storage account" };
pub const KEY_VAULT: Kind =
    Kind { namespace: "Microsoft.KeyVault", type_name: "vaults", api: api::KEY_VAULT, label: "Vault" };
pub const REGISTRY: Kind = Kind {
    namespace: "Microsoft.ContainerRegistry",
    type_name: "registries",
    api: api::CONTAINER_REGISTRY,
    label: "Registry",
};
pub const APP_INSIGHTS: Kind = Kind {
    namespace: "Microsoft.Insights",
    type_name: "components",
    api: api::INSIGHTS,
    label: "Application Insights component",
};

fn id_of(client: &ArmClient, kind: &Kind, rg: &str, name: &str) -> Result<String, CliError> {
    Ok(format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/{}/{}/{name}",
        client.subscription_id()?,
        kind.namespace,
        kind.type_name
    ))
}

/// Finds a resource by name: in `rg` when given, else anywhere in the subscription.
async fn find(client: &ArmClient, kind: &Kind, name: &str, rg: Option<&str>) -> Result<Value, CliError> {
    if let Some(rg) = rg {
        return Ok(client.resources().get_by_id(&id_of(client, kind, rg, name)?, kind.api).await?);
    }
    let filter = format!("resourceType eq '{}/{}'", kind.namespace, kind.type_name);
    let all = client.resources().list(Some(&filter))?.collect_all().await?;
    let hit = all.into_iter().find(|r| r.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)));
    match hit {
        Some(r) => Ok(client.resources().get_by_id(&r.id, kind.api).await?),
        None => Err(CliError {
            exit: 3,
            message: format!(
                "(ResourceNotFound) The {} '{name}' was not found in subscription '{}'.",
                kind.label,
                client.subscription_id()?
            ),
            hint: Some("give the resource group with -g, or check the name with 'armctl resource list'".into()),
        }),
    }
}

async fn group_location(client: &ArmClient, rg: &str) -> Result<String, CliError> {
    Ok(client.resource_groups().get(rg).await?.location)
}

async fn create(
    ctx: &Ctx,
    client: &ArmClient,
    kind: &Kind,
    rg: &str,
    name: &str,
    body: Value,
) -> Result<Output, CliError> {
    let id = id_of(client, kind, rg, name)?;
    let poller = client.resources().create_or_update_by_id(&id, kind.api, &body).await?;
    if ctx.global.no_wait {
        return Ok(Output::Nothing);
    }
    let done = ctx.wait(poller).await?;
    match done {
        Some(v) => Ok(Output::Value(v)),
        None => Ok(Output::Value(client.resources().get_by_id(&id, kind.api).await?)),
    }
}

fn need_group(ctx: &Ctx, rg: Option<String>) -> Result<String, CliError> {
    ctx.group(rg)
}

pub async fn storage(ctx: &Ctx, cmd: StorageAccountCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        StorageAccountCmd::Show { dep } => {
            Ok(Output::Value(find(&client, &STORAGE, &dep.name, dep.resource_group.as_deref()).await?))
        }
        StorageAccountCmd::Create { dep, location, sku, kind, hns } => {
            let rg = need_group(ctx, dep.resource_group)?;
            let location = match ctx.location(location) {
                Some(l) => l,
                None => group_location(&client, &rg).await?,
            };
            let body = json!({
                "location": location,
                "sku": {"name": sku},
                "kind": kind,
                "properties": {"isHnsEnabled": hns.unwrap_or(false), "supportsHttpsTrafficOnly": true},
            });
            create(ctx, &client, &STORAGE, &rg, &dep.name, body).await
        }
    }
}

pub async fn keyvault(ctx: &Ctx, cmd: KeyvaultCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        KeyvaultCmd::Show { dep } => {
            Ok(Output::Value(find(&client, &KEY_VAULT, &dep.name, dep.resource_group.as_deref()).await?))
        }
        KeyvaultCmd::Create { dep, location } => {
            let rg = need_group(ctx, dep.resource_group)?;
            let location = match ctx.location(location) {
                Some(l) => l,
                None => group_location(&client, &rg).await?,
            };
            let sub = client.subscription_id()?.to_string();
            let tenant = client
                .subscriptions()
                .get(&sub)
                .await
                .ok()
                .and_then(|s| s.tenant_id)
                .unwrap_or_else(|| EMULATOR_TENANT_ID.into());
            let body = json!({
                "location": location,
                "properties": {"tenantId": tenant, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []},
            });
            create(ctx, &client, &KEY_VAULT, &rg, &dep.name, body).await
        }
    }
}

pub async fn acr(ctx: &Ctx, cmd: AcrCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        AcrCmd::Show { dep } => {
            Ok(Output::Value(find(&client, &REGISTRY, &dep.name, dep.resource_group.as_deref()).await?))
        }
        AcrCmd::Create { dep, location, sku, admin_enabled } => {
            let rg = need_group(ctx, dep.resource_group)?;
            let location = match ctx.location(location) {
                Some(l) => l,
                None => group_location(&client, &rg).await?,
            };
            let body = json!({
                "location": location,
                "sku": {"name": sku},
                "properties": {"adminUserEnabled": admin_enabled.unwrap_or(false)},
            });
            create(ctx, &client, &REGISTRY, &rg, &dep.name, body).await
        }
    }
}

pub async fn app_insights(ctx: &Ctx, cmd: ComponentCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        ComponentCmd::Show { app } => {
            Ok(Output::Value(find(&client, &APP_INSIGHTS, &app.app, app.resource_group.as_deref()).await?))
        }
        ComponentCmd::Create { app, location, kind, application_type } => {
            let rg = need_group(ctx, app.resource_group)?;
            let location = match ctx.location(location) {
                Some(l) => l,
                None => group_location(&client, &rg).await?,
            };
            let body =
                json!({"location": location, "kind": kind, "properties": {"Application_Type": application_type}});
            create(ctx, &client, &APP_INSIGHTS, &rg, &app.app, body).await
        }
    }
}
