//! `ml workspace create|show|list|update|delete|share|sync-keys|list-keys|list-deleted|recover|purge`.
//!
//! Output follows the documents (the CLI v1 shape, also for the v2 `-n` flag):
//! create/show/update print `{applicationInsights, containerRegistry?, creationTime,
//! description, friendlyName, id, identityPrincipalId, identityTenantId, identityType, keyVault,
//! location, name, resourceGroup, storageAccount, tags, type, workspaceid}` — keys whose value
//! is absent are left out, as the v1 CLI's `as_dict` did (so `containerRegistry` appears once
//! a registry is attached, and `create` prints `tags` only when there are some); `list` prints
//! `[{resourceGroup, subscriptionId, workspaceName}]`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::super::args::{WorkspaceCmd, WorkspaceCreateArgs, WorkspaceUpdateArgs, WsName};
use super::super::{CliError, Ctx, Output};
use super::confirm;
use super::dependents;
use super::tags_from;
use crate::client::ArmClient;
use crate::models::{
    role_definition_guid, Encryption, Identity, KeyVaultProperties, ResourceId, RoleAssignmentCreate,
    RoleAssignmentProperties, Sku, Tags, Workspace, WorkspaceProperties, WorkspaceUpdate,
};
use crate::ops::api;

/// The workspace YAML file (`--file`), with the keys the documents show.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceYaml {
    /// Accepted and ignored, as az does.
    #[allow(dead_code)]
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    pub name: Option<String>,
    pub location: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub storage_account: Option<String>,
    pub container_registry: Option<String>,
    pub key_vault: Option<String>,
    pub application_insights: Option<String>,
    pub tags: Option<BTreeMap<String, serde_yaml::Value>>,
    pub image_build_compute: Option<String>,
    pub public_network_access: Option<String>,
    pub customer_managed_key: Option<CustomerManagedKey>,
    pub hbi_workspace: Option<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerManagedKey {
    pub key_vault: String,
    pub key_uri: String,
}

fn yaml_scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Null => String::new(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

fn yaml_bool(v: &serde_yaml::Value) -> Result<bool, CliError> {
    match v {
        serde_yaml::Value::Bool(b) => Ok(*b),
        serde_yaml::Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        serde_yaml::Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(CliError::usage(format!("hbi_workspace must be true or false, got '{}'", yaml_scalar(other)))),
    }
}

pub fn load_yaml(path: &str) -> Result<WorkspaceYaml, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::failed(format!("cannot read '{path}': {e}")))?;
    serde_yaml::from_str(&text).map_err(|e| CliError::usage(format!("'{path}' is not a valid workspace file: {e}")))
}

/// `Enabled`/`Disabled`, whatever the case given.
fn network_access(v: &str) -> Result<String, CliError> {
    match v.to_ascii_lowercase().as_str() {
        "enabled" => Ok("Enabled".into()),
        "disabled" => Ok("Disabled".into()),
        _ => Err(CliError::usage(format!("--public-network-access must be Enabled or Disabled, got '{v}'"))),
    }
}

fn names(ctx: &Ctx, ws: &WsName) -> Result<(String, String), CliError> {
    let name = ws
        .workspace()
        .ok_or_else(|| CliError::usage("the following arguments are required: --workspace-name/-w (or --name/-n)"))?;
    let rg = ctx.group(ws.resource_group.clone())?;
    Ok((rg, name.to_string()))
}

/// `2019-08-30T20:24:19.6984254+00:00`: the documented timestamp form.
pub fn doc_time(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => {
            let d = d.with_timezone(&chrono::Utc);
            // chrono has no 7-digit fraction; .NET's "o" format (what the service used) has.
            format!("{}.{:07}+00:00", d.format("%Y-%m-%dT%H:%M:%S"), chrono::Timelike::nanosecond(&d) / 100)
        }
        Err(_) => t.to_string(),
    }
}

/// The documented create/show/update shape. `for_create` leaves `tags` out when empty.
pub fn details(ws: &Workspace, for_create: bool) -> Value {
    let mut m = Map::new();
    let p = &ws.properties;
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            m.insert(k.to_string(), Value::String(v));
        }
    };
    put("applicationInsights", p.application_insights.clone());
    put("containerRegistry", p.container_registry.clone().filter(|s| !s.is_empty()));
    let created = p
        .creation_time
        .clone()
        .or_else(|| ws.system_data.as_ref().and_then(|s| s.get("createdAt")).and_then(Value::as_str).map(String::from));
    put("creationTime", created.map(|t| doc_time(&t)));
    put("description", Some(p.description.clone().unwrap_or_default()));
    put("friendlyName", Some(p.friendly_name.clone().unwrap_or_default()));
    put("id", ws.id.clone());
    let ident = ws.identity.as_ref();
    put("identityPrincipalId", ident.and_then(|i| i.principal_id.clone()));
    put("identityTenantId", ident.and_then(|i| i.tenant_id.clone()));
    put("identityType", ident.and_then(|i| i.kind.clone()));
    put("keyVault", p.key_vault.clone());
    put("location", ws.location.clone());
    put("name", ws.name.clone());
    put("resourceGroup", ws.id.as_deref().and_then(ResourceId::parse).and_then(|r| r.resource_group));
    put("storageAccount", p.storage_account.clone());
    put("type", ws.kind_of_resource.clone());
    put("workspaceid", p.workspace_id.clone());
    let tags = ws.tags.clone().unwrap_or_default();
    if !for_create || !tags.is_empty() {
        m.insert("tags".into(), json!(tags));
    }
    Value::Object(m)
}

/// `{resourceGroup, subscriptionId, workspaceName}` from a workspace's id.
pub fn summary(ws: &Workspace) -> Value {
    let rid = ws.id.as_deref().and_then(ResourceId::parse);
    json!({
        "resourceGroup": rid.as_ref().and_then(|r| r.resource_group.clone()),
        "subscriptionId": rid.as_ref().map(|r| r.subscription.clone()),
        "workspaceName": ws.name.clone().or_else(|| rid.as_ref().and_then(|r| r.name().map(String::from))),
    })
}

/// A stable object id for a sign-in name: armctl has no Microsoft Graph to look users up.
fn derived_principal(user: &str) -> String {
    let digest = Sha256::digest(format!("armctl-user:{}", user.to_lowercase()).as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

async fn create(ctx: &Ctx, client: &ArmClient, a: WorkspaceCreateArgs) -> Result<Output, CliError> {
    let yaml = match &a.file {
        Some(f) => load_yaml(f)?,
        None => WorkspaceYaml::default(),
    };
    let name = a.ws.workspace().map(String::from).or(yaml.name.clone()).ok_or_else(|| {
        CliError::usage("the following arguments are required: --workspace-name/-w (or --name/-n, or 'name' in --file)")
    })?;
    let rg = ctx.group(a.ws.resource_group.clone())?;
    let location = match a.location.clone().or(yaml.location.clone()).or_else(|| ctx.location(None)) {
        Some(l) => l,
        None => client.resource_groups().get(&rg).await?.location,
    };
    let mut tags = Tags::new();
    for (k, v) in yaml.tags.iter().flatten() {
        tags.insert(k.clone(), yaml_scalar(v));
    }
    if let Some(t) = &a.tags {
        tags.extend(tags_from(t)?);
    }
    let hbi = a.hbi_workspace || yaml.hbi_workspace.as_ref().map(yaml_bool).transpose()?.unwrap_or(false);
    let pna = a
        .public_network_access
        .clone()
        .or(yaml.public_network_access.clone())
        .map(|v| network_access(&v))
        .transpose()?;
    let cmk = match (&a.cmk_keyvault, &a.resource_cmk_uri, &yaml.customer_managed_key) {
        (Some(kv), Some(uri), _) => Some((kv.clone(), uri.clone())),
        (None, None, Some(c)) => Some((c.key_vault.clone(), c.key_uri.clone())),
        (None, None, None) => None,
        _ => return Err(CliError::usage("--cmk-keyvault and --resource-cmk-uri go together")),
    };
    let body = Workspace {
        location: Some(location.clone()),
        tags: (!tags.is_empty()).then_some(tags),
        identity: Some(Identity::system_assigned()),
        sku: Some(Sku { name: "Basic".into(), tier: Some("Basic".into()) }),
        properties: WorkspaceProperties {
            friendly_name: Some(a.friendly_name.clone().or(yaml.display_name.clone()).unwrap_or_else(|| name.clone())),
            description: Some(a.description.clone().or(yaml.description.clone()).unwrap_or_default()),
            storage_account: a.storage_account.clone().or(yaml.storage_account.clone()),
            key_vault: a.keyvault.clone().or(yaml.key_vault.clone()),
            application_insights: a.application_insights.clone().or(yaml.application_insights.clone()),
            container_registry: a.container_registry.clone().or(yaml.container_registry.clone()),
            hbi_workspace: Some(hbi),
            public_network_access: pna,
            image_build_compute: a.image_build_compute.clone().or(yaml.image_build_compute.clone()),
            encryption: cmk.map(|(kv, uri)| Encryption {
                status: "Enabled".into(),
                key_vault_properties: KeyVaultProperties {
                    key_vault_arm_id: kv,
                    key_identifier: uri,
                    identity_client_id: None,
                },
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    if a.pe_name.is_some() && a.pe_vnet_name.is_none() {
        return Err(CliError::usage("--pe-name needs --pe-vnet-name (the existing virtual network)"));
    }
    let poller = client.workspaces().create_or_update(&rg, &name, &body).await?;
    if ctx.global.no_wait {
        return Ok(Output::Nothing);
    }
    let ws = match ctx.wait(poller).await? {
        Some(w) => w,
        None => client.workspaces().get(&rg, &name).await?,
    };
    if let Some(pe) = &a.pe_name {
        private_endpoint(ctx, client, &ws, &a, pe, &rg, &location).await?;
    }
    Ok(Output::Value(details(&ws, true)))
}

/// `--pe-*`: a `Microsoft.Network/privateEndpoints` resource connected to the workspace.
async fn private_endpoint(
    ctx: &Ctx,
    client: &ArmClient,
    ws: &Workspace,
    a: &WorkspaceCreateArgs,
    pe: &str,
    rg: &str,
    location: &str,
) -> Result<(), CliError> {
    let pe_rg = a.pe_resource_group.clone().unwrap_or_else(|| rg.to_string());
    let sub = client.subscription_id()?.to_string();
    let vnet = a.pe_vnet_name.clone().unwrap_or_default();
    let subnet_id = format!(
        "/subscriptions/{sub}/resourceGroups/{pe_rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{}",
        a.pe_subnet_name
    );
    let connection = json!([{
        "name": pe,
        "properties": {"privateLinkServiceId": ws.id, "groupIds": ["amlworkspace"]},
    }]);
    let key = if a.pe_auto_approval { "privateLinkServiceConnections" } else { "manualPrivateLinkServiceConnections" };
    let mut props = Map::new();
    props.insert("subnet".into(), json!({"id": subnet_id}));
    props.insert(key.into(), connection);
    let body = json!({"location": location, "properties": props});
    let id = format!("/subscriptions/{sub}/resourceGroups/{pe_rg}/providers/Microsoft.Network/privateEndpoints/{pe}");
    ctx.info(&format!("creating the private endpoint {id}"));
    let poller = client.resources().create_or_update_by_id(&id, api::NETWORK, &body).await?;
    ctx.wait(poller).await?;
    Ok(())
}

async fn update(ctx: &Ctx, client: &ArmClient, a: WorkspaceUpdateArgs) -> Result<Output, CliError> {
    let (rg, name) = names(ctx, &a.ws)?;
    let mut props = Map::new();
    if let Some(v) = &a.description {
        props.insert("description".into(), json!(v));
    }
    if let Some(v) = &a.friendly_name {
        props.insert("friendlyName".into(), json!(v));
    }
    if let Some(v) = &a.public_network_access {
        props.insert("publicNetworkAccess".into(), json!(network_access(v)?));
    }
    if let Some(v) = &a.image_build_compute {
        props.insert("imageBuildCompute".into(), json!(v));
    }
    if let Some(v) = &a.container_registry {
        props.insert("containerRegistry".into(), json!(v));
    }
    if let Some(v) = &a.application_insights {
        props.insert("applicationInsights".into(), json!(v));
    }
    if let Some(v) = a.hbi_workspace {
        props.insert("hbiWorkspace".into(), json!(v));
    }
    let tags = a.tags.as_ref().map(|t| tags_from(t)).transpose()?;
    let poller = client.workspaces().update(&rg, &name, &WorkspaceUpdate { tags, properties: props }).await?;
    if ctx.global.no_wait {
        return Ok(Output::Nothing);
    }
    let ws = match ctx.wait(poller).await? {
        Some(w) => w,
        None => client.workspaces().get(&rg, &name).await?,
    };
    Ok(Output::Value(details(&ws, false)))
}

async fn delete(
    ctx: &Ctx,
    client: &ArmClient,
    ws: &WsName,
    purge: bool,
    all_resources: bool,
    yes: bool,
) -> Result<Output, CliError> {
    let (rg, name) = names(ctx, ws)?;
    if all_resources && !purge {
        return Err(CliError::usage("--all-resources needs --permanently-delete: dependent resources can only be deleted with a permanent delete"));
    }
    // az ml asks once the arguments are valid (confirmation=True); --yes skips it, and without a
    // terminal it cannot ask.
    if !yes && !confirm(ctx, "Are you sure you want to perform this operation? (y/n): ")? {
        return Err(CliError::failed("Operation cancelled."));
    }
    let dependents = if all_resources { Some(client.workspaces().get(&rg, &name).await?) } else { None };
    let poller = client.workspaces().delete(&rg, &name, purge).await?;
    if !ctx.global.no_wait {
        ctx.wait(poller).await?;
    }
    if let Some(w) = dependents {
        let p = &w.properties;
        let ids = [
            (p.application_insights.clone(), dependents::APP_INSIGHTS.api),
            (p.storage_account.clone(), dependents::STORAGE.api),
            (p.key_vault.clone(), dependents::KEY_VAULT.api),
            (p.container_registry.clone(), dependents::REGISTRY.api),
        ];
        for (id, api_version) in ids {
            if let Some(id) = id.filter(|s| !s.is_empty()) {
                ctx.info(&format!("deleting {id}"));
                let poller = client.resources().delete_by_id(&id, api_version).await?;
                if !ctx.global.no_wait {
                    ctx.wait(poller).await?;
                }
            }
        }
    }
    Ok(Output::Nothing)
}

async fn share(ctx: &Ctx, client: &ArmClient, ws: &WsName, user: &str, role: &str) -> Result<Output, CliError> {
    let (rg, name) = names(ctx, ws)?;
    let w = client.workspaces().get(&rg, &name).await?;
    let scope = w.id.clone().ok_or_else(|| CliError::usage("the workspace has no id"))?;
    let role_guid = role_definition_guid(role).ok_or_else(|| CliError::usage(format!("unknown role '{role}': give a built-in role name (Owner, Contributor, Reader, AzureML Data Scientist, …) or a role definition GUID")))?;
    let principal = if uuid::Uuid::parse_str(user).is_ok() {
        user.to_lowercase()
    } else {
        // A sign-in name: Microsoft Graph knows the user (armemu serves Graph too).
        match client.graph().user_id(user).await {
            Ok(Some(id)) => id,
            Ok(None) => {
                return Err(CliError::failed(format!(
                    "Cannot find user or service principal in graph database for '{user}'."
                )))
            }
            Err(e) => {
                let p = derived_principal(user);
                ctx.warn(&format!("Microsoft Graph cannot be asked ({e}); '{user}' is given the derived object id {p}. Pass the user's object id to share with a real user."));
                p
            }
        }
    };
    let params = RoleAssignmentCreate {
        properties: RoleAssignmentProperties {
            role_definition_id: format!(
                "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}",
                client.subscription_id()?
            ),
            principal_id: principal,
            principal_type: Some("User".into()),
            ..Default::default()
        },
    };
    let assignment_name = uuid::Uuid::new_v4().to_string();
    match client.role_assignments().create(&scope, &assignment_name, &params).await {
        // Sharing again is not an error, as az's role assignment create is idempotent.
        Err(e) if e.code() == Some("RoleAssignmentExists") => Ok(Output::Nothing),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(Output::Nothing),
    }
}

async fn recover(ctx: &Ctx, client: &ArmClient, ws: &WsName, location: Option<String>) -> Result<Output, CliError> {
    let (rg, name) = names(ctx, ws)?;
    // Only a soft-deleted workspace can be recovered: a permanently deleted (purged) one is
    // gone, and a recovery PUT for a name with no soft-deleted workspace would create a new one.
    let deleted = client.workspaces().list_deleted(Some(&rg))?.collect_all().await?;
    let Some(found) = deleted.iter().find(|w| w.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&name))) else {
        return Err(CliError {
            exit: 3,
            message: format!("(ResourceNotFound) No soft-deleted workspace '{name}' was found in resource group '{rg}'; a permanently deleted workspace cannot be recovered."),
            hint: Some(format!("List the recoverable workspaces with: armctl ml workspace list-deleted -g {rg}")),
        });
    };
    let location = match location.or_else(|| found.location.clone()) {
        Some(l) => l,
        None => client.resource_groups().get(&rg).await?.location,
    };
    let poller = client.workspaces().recover(&rg, &name, &location).await?;
    if ctx.global.no_wait {
        return Ok(Output::Nothing);
    }
    let w = match ctx.wait(poller).await? {
        Some(w) => w,
        None => client.workspaces().get(&rg, &name).await?,
    };
    Ok(Output::Value(details(&w, false)))
}

pub async fn run(ctx: &Ctx, cmd: WorkspaceCmd) -> Result<Output, CliError> {
    let client = ctx.client().await?;
    match cmd {
        WorkspaceCmd::Create(a) => create(ctx, &client, *a).await,
        WorkspaceCmd::Show { ws } => {
            let (rg, name) = names(ctx, &ws)?;
            Ok(Output::Value(details(&client.workspaces().get(&rg, &name).await?, false)))
        }
        WorkspaceCmd::List { resource_group } => {
            let pager = match &resource_group {
                Some(rg) => client.workspaces().list_by_resource_group(rg)?,
                None => client.workspaces().list_by_subscription()?,
            };
            let all = pager.collect_all().await?;
            Ok(Output::Value(Value::Array(all.iter().map(summary).collect())))
        }
        WorkspaceCmd::Update(a) => update(ctx, &client, *a).await,
        WorkspaceCmd::Delete { ws, permanently_delete, all_resources, yes, .. } => {
            delete(ctx, &client, &ws, permanently_delete, all_resources, yes).await
        }
        WorkspaceCmd::Share { ws, user, role } => share(ctx, &client, &ws, &user, &role).await,
        WorkspaceCmd::SyncKeys { ws, .. } => {
            let (rg, name) = names(ctx, &ws)?;
            let poller = client.workspaces().resync_keys(&rg, &name).await?;
            if !ctx.global.no_wait {
                ctx.wait(poller).await?;
            }
            Ok(Output::Nothing)
        }
        WorkspaceCmd::ListKeys { ws } => {
            let (rg, name) = names(ctx, &ws)?;
            Ok(Output::Value(
                serde_json::to_value(client.workspaces().list_keys(&rg, &name).await?).unwrap_or_default(),
            ))
        }
        WorkspaceCmd::ListDeleted { resource_group } => {
            let all = client.workspaces().list_deleted(resource_group.as_deref())?.collect_all().await?;
            Ok(Output::Value(serde_json::to_value(all).unwrap_or_default()))
        }
        WorkspaceCmd::Recover { ws, location, .. } => recover(ctx, &client, &ws, location).await,
        WorkspaceCmd::Purge { ws, yes, .. } => {
            if !yes && !confirm(ctx, "Are you sure you want to perform this operation? (y/n): ")? {
                return Err(CliError::failed("Operation cancelled."));
            }
            let (rg, name) = names(ctx, &ws)?;
            let poller = client.workspaces().delete(&rg, &name, true).await?;
            if !ctx.global.no_wait {
                ctx.wait(poller).await?;
            }
            Ok(Output::Nothing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_time_format() {
        assert_eq!(doc_time("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00.0000000+00:00");
        assert_eq!(doc_time("2019-08-30T20:24:19.6984254+00:00"), "2019-08-30T20:24:19.6984254+00:00");
    }

    #[test]
    fn yaml_keys_from_the_documents() {
        let text = "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json\nname: mlw-cmkexample-prod\nlocation: eastus\ndisplay_name: x\ndescription: d\nimage_build_compute: cpu-compute\npublic_network_access: Disabled\ncustomer_managed_key:\n  key_vault: /subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/k\n  key_uri: https://k.vault.azure.net/keys/n/v\nhbi_workspace: TRUE\ntags:\n  purpose: demonstration\n";
        let y: WorkspaceYaml = serde_yaml::from_str(text).unwrap();
        assert_eq!(y.name.as_deref(), Some("mlw-cmkexample-prod"));
        assert!(yaml_bool(y.hbi_workspace.as_ref().unwrap()).unwrap());
        assert_eq!(y.customer_managed_key.unwrap().key_uri, "https://k.vault.azure.net/keys/n/v");
        assert!(serde_yaml::from_str::<WorkspaceYaml>("name: x\nbogus: 1\n").is_err());
    }

    #[test]
    fn derived_principals_are_stable_guids() {
        let a = derived_principal("User@Contoso.com");
        assert_eq!(a, derived_principal("user@contoso.com"));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }
}
