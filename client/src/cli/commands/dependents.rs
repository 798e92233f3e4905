//! The workspace's dependent resources, as the docs query them: `storage account`,
//! `keyvault`, `acr`, `monitor app-insights component` — `show` (by name, with or without
//! `-g`) and `create`. They go through the generic by-id operations.

use serde_json::{json, Value};

use super::super::args::{AcrCmd, ComponentCmd, KeyvaultCmd, StorageAccountCmd};
use super::super::az_model::{as_az, Model};
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
    /// The SDK model az prints it as (none: not an az core command, printed as sent).
    pub model: Option<Model>,
}

pub const STORAGE: Kind = Kind {
    namespace: "Microsoft.Storage",
    type_name: "storageAccounts",
    api: api::STORAGE,
    label: "Storage account",
    model: Some(Model::StorageAccount),
};
pub const KEY_VAULT: Kind = Kind {
    namespace: "Microsoft.KeyVault",
    type_name: "vaults",
    api: api::KEY_VAULT,
    label: "Vault",
    model: Some(Model::KeyVault),
};
pub const REGISTRY: Kind = Kind {
    namespace: "Microsoft.ContainerRegistry",
    type_name: "registries",
    api: api::CONTAINER_REGISTRY,
    label: "Registry",
    model: Some(Model::Registry),
};
pub const APP_INSIGHTS: Kind = Kind {
    namespace: "Microsoft.Insights",
    type_name: "components",
    api: api::INSIGHTS,
    label: "Application Insights component",
    model: None,
};

fn id_of(client: &ArmClient, kind: &Kind, rg: &str, name: &str) -> Result<String, CliError> {
    Ok(format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/{}/{}/{name}",
        client.subscription_id()?,
        kind.namespace,
        kind.type_name
    ))
}

/// Finds a resource by name: in `rg` when given, else anywhere in the subscription, matched
/// and failed as each az module does it (its validator or `_arm_get_resource_by_name`).
async fn find(client: &ArmClient, kind: &Kind, name: &str, rg: Option<&str>) -> Result<Value, CliError> {
    if kind.model == Some(Model::Registry) {
        validate_registry_name(name)?;
    }
    if let Some(rg) = rg {
        return Ok(client.resources().get_by_id(&id_of(client, kind, rg, name)?, kind.api).await?);
    }
    let filter = format!("resourceType eq '{}/{}'", kind.namespace, kind.type_name);
    let all = client.resources().list(Some(&filter))?.collect_all().await?;
    // storage's `_query_account_rg` compares names exactly; the others ignore case.
    let exact = kind.model == Some(Model::StorageAccount);
    let hit = all
        .into_iter()
        .find(|r| r.name.as_deref().is_some_and(|n| if exact { n == name } else { n.eq_ignore_ascii_case(name) }));
    if let Some(r) = hit {
        return Ok(client.resources().get_by_id(&r.id, kind.api).await?);
    }
    let sub = client.subscription_id()?.to_string();
    Err(match kind.model {
        // A `ValueError` in the validator, which az reports as a usage error.
        Some(Model::StorageAccount) => CliError::usage(format!("Storage account '{name}' not found.")),
        Some(Model::KeyVault) => CliError::failed(format!("The Vault '{name}' not found within subscription.")),
        Some(Model::Registry) => {
            let display = client.subscriptions().get(&sub).await.ok().and_then(|s| s.display_name);
            let at = match display {
                Some(d) => format!("in subscription '{d} ({sub})'"),
                None => "in the current subscription".into(),
            };
            CliError::failed(format!(
                "The resource with name '{name}' and type '{}/{}' could not be found {at}.",
                kind.namespace, kind.type_name
            ))
        }
        _ => CliError {
            exit: 3,
            message: format!("(ResourceNotFound) The {} '{name}' was not found in subscription '{sub}'.", kind.label),
            hint: Some("give the resource group with -g, or check the name with 'armctl resource list'".into()),
        },
    })
}

/// az's `validate_registry_name` for a plain name (no login-server suffix): letters and
/// digits, 5 to 50 of them, checked before any request.
fn validate_registry_name(name: &str) -> Result<(), CliError> {
    if name.contains('.') {
        return Ok(());
    }
    let ok = (5..=50).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(CliError::failed(
            "Registry names may contain only alpha numeric characters and must be between 5 and 50 characters",
        ))
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
    let done = match ctx.wait(poller).await? {
        Some(v) => v,
        None => client.resources().get_by_id(&id, kind.api).await?,
    };
    Ok(printed(kind, done))
}

/// `list`: the provider's listing in the group (the default group too) or the subscription.
async fn list(ctx: &Ctx, client: &ArmClient, kind: &Kind, rg: Option<String>) -> Result<Output, CliError> {
    let rg = ctx.group_opt(rg);
    if kind.model == Some(Model::KeyVault) && rg.is_none() {
        // The SDK's `vaults.list()` reads the generic listing (`TrackedResource`s).
        let filter = format!("resourceType eq '{}/{}'", kind.namespace, kind.type_name);
        let all = client.resources().list(Some(&filter))?.collect_all().await?;
        let all = serde_json::to_value(all).unwrap_or_default();
        return Ok(Output::Value(as_az(Model::KeyVaultListItem, &all)));
    }
    let listed =
        client.resources().list_of_type(rg.as_deref(), kind.namespace, kind.type_name, kind.api)?.collect_all().await;
    let all = match listed {
        // az's `list_vault_or_hsm` swallows any failure (a missing group too) and prints `[]`.
        Err(_) if kind.model == Some(Model::KeyVault) => Vec::new(),
        other => other?,
    };
    Ok(printed(kind, Value::Array(all)))
}

/// What az prints for one of these: its SDK model, with its table layout where az has one.
fn printed(kind: &Kind, v: Value) -> Output {
    let v = match kind.model {
        Some(m) => as_az(m, &v),
        None => v,
    };
    match kind.model {
        Some(Model::Registry) => Output::Table(v, registry_table),
        _ => Output::Value(v),
    }
}

/// az's `registry_output_format` (acr/_format.py): `' '` for an empty cell, times cut to
/// seconds with a `Z`.
fn registry_table(v: &Value) -> Value {
    let cell = |item: &Value, path: &[&str]| -> Value {
        let mut x = item;
        for p in path {
            x = x.get(*p).unwrap_or(&Value::Null);
        }
        match x {
            Value::Null => json!(" "),
            Value::String(s) if s.is_empty() => json!(" "),
            Value::String(s) => json!(s),
            Value::Bool(b) => json!(if *b { "True" } else { "False" }),
            other => json!(other.to_string()),
        }
    };
    let date = |item: &Value| -> Value {
        match item
            .get("creationDate")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        {
            Some(d) => json!(d.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            None => cell(item, &["creationDate"]),
        }
    };
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    Value::Array(
        items
            .into_iter()
            .map(|i| {
                let mut m = serde_json::Map::new();
                m.insert("NAME".into(), cell(i, &["name"]));
                m.insert("RESOURCE GROUP".into(), cell(i, &["resourceGroup"]));
                m.insert("LOCATION".into(), cell(i, &["location"]));
                m.insert("SKU".into(), cell(i, &["sku", "name"]));
                m.insert("LOGIN SERVER".into(), cell(i, &["loginServer"]));
                m.insert("CREATION DATE".into(), date(i));
                m.insert("ADMIN ENABLED".into(), cell(i, &["adminUserEnabled"]));
                Value::Object(m)
            })
            .collect(),
    )
}

fn need_group(ctx: &Ctx, rg: Option<String>) -> Result<String, CliError> {
    ctx.group(rg)
}

pub async fn storage(ctx: &Ctx, cmd: StorageAccountCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        StorageAccountCmd::Show { dep } => {
            let rg = ctx.group_opt(dep.resource_group);
            Ok(printed(&STORAGE, find(&client, &STORAGE, &dep.name, rg.as_deref()).await?))
        }
        StorageAccountCmd::List { resource_group } => list(ctx, &client, &STORAGE, resource_group).await,
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
            let rg = ctx.group_opt(dep.resource_group);
            Ok(printed(&KEY_VAULT, find(&client, &KEY_VAULT, &dep.name, rg.as_deref()).await?))
        }
        KeyvaultCmd::List { resource_group } => list(ctx, &client, &KEY_VAULT, resource_group).await,
        KeyvaultCmd::Create { dep, location, .. } => {
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
                // What az 2.91's `keyvault create` sends when given no options.
                "properties": {
                    "tenantId": tenant,
                    "sku": {"name": "standard", "family": "A"},
                    "accessPolicies": [],
                    "enableRbacAuthorization": true,
                    "enableSoftDelete": true,
                    "softDeleteRetentionInDays": 90,
                    "networkAcls": {"bypass": "AzureServices", "defaultAction": "Allow"},
                },
            });
            create(ctx, &client, &KEY_VAULT, &rg, &dep.name, body).await
        }
    }
}

pub async fn acr(ctx: &Ctx, cmd: AcrCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        AcrCmd::Show { dep } => {
            let rg = ctx.group_opt(dep.resource_group);
            Ok(printed(&REGISTRY, find(&client, &REGISTRY, &dep.name, rg.as_deref()).await?))
        }
        AcrCmd::List { resource_group } => list(ctx, &client, &REGISTRY, resource_group).await,
        AcrCmd::Create { dep, location, sku, admin_enabled } => {
            validate_registry_name(&dep.name)?;
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
