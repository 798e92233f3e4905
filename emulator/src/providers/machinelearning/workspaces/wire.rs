//! The workspace's wire form: reading PUT and PATCH bodies into typed values (a wrong type is
//! `400 InvalidRequestContent`, a wrong value `400 ValidationError`), and the JSON a workspace
//! answers with (GET, lists, the soft-deleted view).

use serde_json::{json, Map, Value};

use crate::model::time::arm_time;
use crate::protocol::body::{optional_object, optional_str, parse_tags};
use crate::protocol::{ArmError, ArmResult};
use crate::store::{Body, Resource};

use super::model::{CreateSpec, CustomerManagedKey, DEFAULT_RETENTION_DAYS};

/// `properties` of a body (an object, or empty).
pub fn props_of(body: &Map<String, Value>) -> ArmResult<Map<String, Value>> {
    optional_object(body, "properties")
}

/// A string property; an empty string counts as absent.
pub fn str_prop<'a>(props: &'a Map<String, Value>, key: &str) -> ArmResult<Option<&'a str>> {
    Ok(optional_str(props, "properties.", key)?.filter(|s| !s.is_empty()))
}

/// A boolean property (`true`/`false`, or the strings the v1 SDK sends).
pub fn bool_prop(props: &Map<String, Value>, key: &str) -> ArmResult<Option<bool>> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => {
            Err(ArmError::invalid_request_content(format!("'properties.{key}' must be a boolean, found {other}")))
        }
    }
}

pub fn public_network_access(v: &str) -> ArmResult<&'static str> {
    match v.to_ascii_lowercase().as_str() {
        "enabled" => Ok("Enabled"),
        "disabled" => Ok("Disabled"),
        _ => Err(ArmError::validation(format!("'publicNetworkAccess' must be 'Enabled' or 'Disabled', not '{v}'."))),
    }
}

pub fn retention(props: &Map<String, Value>) -> ArmResult<Option<i64>> {
    match props.get("softDeleteRetentionInDays") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(d) if (1..=14).contains(&d) => Ok(Some(d)),
            _ => Err(ArmError::validation(format!(
                "'softDeleteRetentionInDays' must be a whole number of days from 1 to 14, not {v}."
            ))),
        },
    }
}

/// `Value::pointer` for a map.
pub fn ptr<'a>(m: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let first = m.get(parts.next()?)?;
    match parts.next() {
        None => Some(first),
        Some(rest) => first.pointer(&format!("/{rest}")),
    }
}

/// `"allowRecoverSoftDeletedWorkspace": "True"` (or `true`) asks to recover a soft-deleted workspace.
pub fn wants_recovery(props: &Map<String, Value>) -> bool {
    match props.get("allowRecoverSoftDeletedWorkspace") {
        Some(Value::String(v)) => v.eq_ignore_ascii_case("true"),
        Some(Value::Bool(b)) => *b,
        _ => false,
    }
}

/// Reads a creation from a PUT body.
pub fn create_spec(body: &Map<String, Value>) -> ArmResult<CreateSpec> {
    let props = props_of(body)?;
    let hbi = bool_prop(&props, "hbiWorkspace")?.unwrap_or(false);
    let retention_days = retention(&props)?.unwrap_or(DEFAULT_RETENTION_DAYS);
    let public_network_access = match str_prop(&props, "publicNetworkAccess")? {
        Some(v) => public_network_access(v)?,
        None => "Enabled",
    };
    // `encryption.status: "Disabled"` (what azure-ai-ml's and azureml-core's templates send,
    // with empty key vault fields) means Microsoft-managed keys.
    let disabled =
        ptr(&props, "/encryption/status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("Disabled"));
    let cmk = ptr(&props, "/encryption/keyVaultProperties").filter(|v| v.is_object() && !disabled).map(|kv| {
        let field = |k: &str| kv.get(k).and_then(Value::as_str).map(String::from);
        let key_vault_arm_id = field("keyVaultArmId")
            .ok_or("'encryption.keyVaultProperties.keyVaultArmId' is required for a customer-managed key.")?;
        let key_identifier = field("keyIdentifier")
            .ok_or("'encryption.keyVaultProperties.keyIdentifier' is required for a customer-managed key.")?;
        Ok(CustomerManagedKey {
            key_vault_arm_id,
            key_identifier,
            identity_client_id: kv.get("identityClientId").cloned().unwrap_or(Value::Null),
        })
    });
    let cmk = cmk.map(|r: Result<_, &str>| r.map_err(String::from));
    let managed_network = props.get("managedNetwork").filter(|v| v.is_object()).cloned();
    let isolated = managed_network
        .as_ref()
        .and_then(|m| m.get("isolationMode"))
        .and_then(Value::as_str)
        .is_some_and(|m| !m.eq_ignore_ascii_case("Disabled"));
    let dependent = |k: &str| -> ArmResult<Option<String>> { Ok(str_prop(&props, k)?.map(String::from)) };
    let storage_account = dependent("storageAccount")?;
    let key_vault = dependent("keyVault")?;
    let application_insights = dependent("applicationInsights")?;
    let container_registry = dependent("containerRegistry")?;
    let friendly_name = str_prop(&props, "friendlyName")?.map(String::from);
    let description = str_prop(&props, "description")?.unwrap_or("").to_string();
    let allow_public_access_when_behind_vnet = bool_prop(&props, "allowPublicAccessWhenBehindVnet")?.unwrap_or(false);
    let image_build_compute = str_prop(&props, "imageBuildCompute")?.map(String::from);
    let v1_legacy_mode = bool_prop(&props, "v1LegacyMode")?.unwrap_or(false);
    let enable_data_isolation = bool_prop(&props, "enableDataIsolation")?.unwrap_or(false);
    let system_datastores_auth_mode = str_prop(&props, "systemDatastoresAuthMode")?.unwrap_or("AccessKey").to_string();
    let tags = parse_tags(body)?.unwrap_or_default();
    Ok(CreateSpec {
        tags,
        kind: body.get("kind").filter(|k| k.is_string()).cloned(),
        sku: body.get("sku").filter(|k| k.is_object()).map(canonical_sku),
        friendly_name,
        description,
        hbi,
        retention_days,
        public_network_access,
        storage_account,
        key_vault,
        application_insights,
        container_registry,
        cmk,
        managed_network,
        isolated,
        allow_public_access_when_behind_vnet,
        image_build_compute,
        v1_legacy_mode,
        enable_data_isolation,
        system_datastores_auth_mode,
    })
}

/// A soft-deleted workspace as the deleted-workspace lists show it.
pub fn deleted_view(r: &Resource) -> Body {
    let mut v = r.body.clone();
    if let Some(d) = &r.soft_deleted {
        v.edit(|v| {
            if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
                p.insert("provisioningState".into(), json!("SoftDeleted"));
                p.insert("deletedAt".into(), json!(arm_time(d.deleted_at)));
                p.insert("scheduledPurgeDate".into(), json!(arm_time(d.purge_at)));
            }
        });
    }
    v
}

/// A workspace `sku` as given, with `tier` in the casing of its closed enum (`Free`, `Basic`,
/// `Standard`, `Premium`: `SkuTier` is not modelAsString, so a client may refuse `basic`, which
/// azureml-core's workspace template sends). Other tiers and the name are kept as given.
pub fn canonical_sku(sku: &Value) -> Value {
    let mut sku = sku.clone();
    if let Some(tier) = sku.get("tier").and_then(Value::as_str) {
        if let Some(t) = ["Free", "Basic", "Standard", "Premium"].iter().find(|t| t.eq_ignore_ascii_case(tier)) {
            sku["tier"] = json!(t);
        }
    }
    sku
}

/// The lower-cased id a workspace stores for a dependent.
pub fn lower(id: &str) -> Value {
    json!(id.to_lowercase())
}

/// `listKeys`: the keys of the workspace's storage account and registry, the instrumentation
/// key of its Application Insights.
pub fn keys(storage: Option<&Resource>, insights: Option<&Resource>, registry: Option<&Resource>) -> Value {
    let storage_id = storage.map(|r| json!(r.id)).unwrap_or(Value::Null);
    let secret = |r: &Resource, p: &str| r.secrets.as_ref().and_then(|x| x.pointer(p)).cloned().unwrap_or(Value::Null);
    json!({
        "userStorageKey": storage.map(|r| secret(r, "/keys/0")).unwrap_or(Value::Null),
        "userStorageArmId": storage_id,
        "userStorageResourceId": storage_id,
        "appInsightsInstrumentationKey": insights.and_then(|r| r.body.pointer("/properties/InstrumentationKey")).unwrap_or(Value::Null),
        "containerRegistryCredentials": registry.map(|r| json!({
            "location": r.body.pointer("/location").unwrap_or(Value::Null),
            "username": r.name,
            "passwords": [
                {"name": "password", "value": secret(r, "/passwords/0")},
                {"name": "password2", "value": secret(r, "/passwords/1")},
            ],
        })).unwrap_or(Value::Null),
        "notebookAccessKeys": {"primaryAccessKey": null, "secondaryAccessKey": null},
    })
}

/// `listNotebookAccessToken`.
pub fn notebook_access_token(notebook: &Value, access: String, refresh: String) -> Value {
    let fqdn = notebook.get("fqdn").and_then(Value::as_str).unwrap_or("").to_string();
    json!({
        "accessToken": access,
        "expiresIn": 3600,
        "hostName": fqdn,
        "notebookResourceId": notebook.get("resourceId").cloned().unwrap_or(Value::Null),
        "publicDns": fqdn,
        "refreshToken": refresh,
        "scope": "aznb_identity",
        "tokenType": "Bearer",
    })
}
