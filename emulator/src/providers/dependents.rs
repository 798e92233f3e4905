//! The resource types an Azure ML workspace depends on: storage accounts, key vaults,
//! Application Insights components, container registries, Log Analytics workspaces and
//! Cosmos DB accounts. They are written through the one generic tracked-resource path
//! (`providers::common::build_tracked`); this module only fills in the properties each type's
//! real GET returns (reference §7) and keeps their secrets (storage keys, registry passwords)
//! out of the GET body.

use serde_json::{json, Map, Value};

use crate::model::ids::ResourceId;
use crate::model::time::arm_time;
use crate::model::IdGen;

/// Fills in a type's read-only and default properties. `props` holds what the client sent
/// (merged over the stored properties on update); returns the secrets to keep, if the type has any.
pub type Shaper = fn(&ShapeCx, &mut Map<String, Value>, &mut Map<String, Value>) -> Option<Value>;

pub struct ShapeCx<'a> {
    pub ids: &'a dyn IdGen,
    pub id: &'a ResourceId,
    pub location: &'a str,
    pub tenant_id: &'a str,
    pub now: chrono::DateTime<chrono::Utc>,
    /// The secrets already stored (kept across updates).
    pub secrets: Option<&'a Value>,
}

/// The shaper for a full type (`Microsoft.Storage/storageAccounts`), if it has one.
pub fn shaper(full_type: &str) -> Option<Shaper> {
    Some(match full_type.to_ascii_lowercase().as_str() {
        "microsoft.storage/storageaccounts" => storage,
        "microsoft.keyvault/vaults" => key_vault,
        "microsoft.insights/components" => app_insights,
        "microsoft.containerregistry/registries" => container_registry,
        "microsoft.operationalinsights/workspaces" => log_analytics,
        "microsoft.documentdb/databaseaccounts" => cosmos,
        "microsoft.network/privatednszones" => private_dns_zone,
        "microsoft.network/privatednszones/virtualnetworklinks" => private_dns_link,
        _ => return None,
    })
}

/// The status a creation answers with: 201 (ARM's generic resource API) unless the type's own
/// API answers a synchronous creation with 200 (storage accounts, Application Insights
/// components and Cosmos DB accounts document no 201, and their SDKs refuse one).
pub fn creation_status(full_type: &str) -> u16 {
    match full_type.to_ascii_lowercase().as_str() {
        "microsoft.storage/storageaccounts"
        | "microsoft.insights/components"
        | "microsoft.documentdb/databaseaccounts" => 200,
        _ => 201,
    }
}

fn default(props: &mut Map<String, Value>, key: &str, v: Value) {
    if !props.contains_key(key) || props[key].is_null() {
        props.insert(key.into(), v);
    }
}

fn key_b64(cx: &ShapeCx) -> String {
    use base64::Engine;
    let raw = format!("{}{}{}", cx.ids.hex(32), cx.ids.hex(32), cx.ids.hex(24));
    base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())[..86].to_string() + "=="
}

fn storage(cx: &ShapeCx, top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    let name = cx.id.name().to_lowercase();
    let sku_name =
        top.get("sku").and_then(|s| s.get("name")).and_then(Value::as_str).unwrap_or("Standard_LRS").to_string();
    let tier = if sku_name.to_ascii_lowercase().starts_with("premium") { "Premium" } else { "Standard" };
    top.insert("sku".into(), json!({"name": sku_name, "tier": tier}));
    if !top.get("kind").is_some_and(Value::is_string) {
        top.insert("kind".into(), json!("StorageV2"));
    }
    let kind = top["kind"].as_str().unwrap_or("StorageV2").to_string();
    default(props, "isHnsEnabled", json!(false));
    default(props, "creationTime", json!(arm_time(cx.now)));
    default(props, "supportsHttpsTrafficOnly", json!(true));
    default(props, "minimumTlsVersion", json!("TLS1_2"));
    default(props, "allowBlobPublicAccess", json!(false));
    default(props, "accessTier", json!("Hot"));
    let created = props.get("creationTime").cloned().unwrap_or(Value::Null);
    default(props, "keyCreationTime", json!({"key1": created, "key2": created}));
    props.insert("primaryLocation".into(), json!(cx.location));
    props.insert("statusOfPrimary".into(), json!("available"));
    let (blob, file) = storage_services(&kind);
    let endpoints = |host: &str, services: &[&str]| -> Map<String, Value> {
        let all = [
            ("blob", blob),
            ("dfs", blob),
            ("file", file),
            ("queue", blob && file),
            ("table", blob && file),
            ("web", blob && file),
        ];
        all.iter()
            .filter(|(s, on)| *on && services.contains(s))
            .map(|(s, _)| (s.to_string(), json!(format!("https://{host}.{s}.core.windows.net/"))))
            .collect()
    };
    const ALL: &[&str] = &["blob", "dfs", "file", "queue", "table", "web"];
    let mut primary = endpoints(&name, ALL);
    // A routing preference that publishes route-specific endpoints lists them too.
    let routing = props.get("routingPreference").cloned().unwrap_or(Value::Null);
    let publish = |k: &str| routing.get(k).and_then(Value::as_bool).unwrap_or(false);
    if publish("publishMicrosoftEndpoints") {
        primary.insert("microsoftEndpoints".into(), Value::Object(endpoints(&format!("{name}-microsoftrouting"), ALL)));
    }
    if publish("publishInternetEndpoints") {
        let internet = endpoints(&format!("{name}-internetrouting"), &["blob", "dfs", "file", "web"]);
        primary.insert("internetEndpoints".into(), Value::Object(internet));
    }
    props.insert("primaryEndpoints".into(), Value::Object(primary));
    // Geo-redundant SKUs replicate to the region's pair; read access (RA-) adds its endpoints.
    let sku_lower = sku_name.to_ascii_lowercase();
    let geo = ["standard_grs", "standard_ragrs", "standard_gzrs", "standard_ragzrs"].contains(&sku_lower.as_str());
    let paired = crate::catalog::region(cx.location).map(|r| r.paired).filter(|p| !p.is_empty());
    match (geo, paired) {
        (true, Some(pair)) => {
            props.insert("secondaryLocation".into(), json!(pair));
            props.insert("statusOfSecondary".into(), json!("available"));
            if sku_lower.starts_with("standard_ra") {
                let secondary = endpoints(&format!("{name}-secondary"), &["blob", "dfs", "queue", "table", "web"]);
                props.insert("secondaryEndpoints".into(), Value::Object(secondary));
            } else {
                props.remove("secondaryEndpoints");
            }
        }
        _ => {
            for k in ["secondaryLocation", "statusOfSecondary", "secondaryEndpoints"] {
                props.remove(k);
            }
        }
    }
    let mut services = Map::new();
    for (svc, on) in [("blob", blob), ("file", file)] {
        if on {
            services.insert(svc.into(), json!({"enabled": true, "keyType": "Account", "lastEnabledTime": created}));
        }
    }
    let given = props.get("encryption").cloned().unwrap_or(Value::Null);
    let mut encryption = json!({
        "keySource": given.get("keySource").and_then(Value::as_str).unwrap_or("Microsoft.Storage"),
        "services": services,
    });
    if let Some(r) = given.get("requireInfrastructureEncryption").filter(|v| v.is_boolean()) {
        encryption["requireInfrastructureEncryption"] = r.clone();
    }
    props.insert("encryption".into(), encryption);
    Some(cx.secrets.cloned().unwrap_or_else(|| json!({"keys": [key_b64(cx), key_b64(cx)]})))
}

/// Whether a storage account kind offers the Blob and the File service.
pub fn storage_services(kind: &str) -> (bool, bool) {
    match kind.to_ascii_lowercase().as_str() {
        "blobstorage" | "blockblobstorage" => (true, false),
        "filestorage" => (false, true),
        _ => (true, true),
    }
}

fn key_vault(cx: &ShapeCx, top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    // Key Vault always lists its tags, `{}` when there are none.
    top.entry("tags").or_insert_with(|| json!({}));
    default(props, "sku", json!({"family": "A", "name": "standard"}));
    default(props, "tenantId", json!(cx.tenant_id));
    default(props, "accessPolicies", json!([]));
    default(props, "enabledForDeployment", json!(false));
    default(props, "enabledForDiskEncryption", json!(false));
    default(props, "enabledForTemplateDeployment", json!(false));
    default(props, "enableSoftDelete", json!(true));
    default(props, "softDeleteRetentionInDays", json!(90));
    default(props, "enableRbacAuthorization", json!(false));
    default(props, "publicNetworkAccess", json!("Enabled"));
    props.insert("vaultUri".into(), json!(format!("https://{}.vault.azure.net/", cx.id.name().to_lowercase())));
    None
}

fn app_insights(cx: &ShapeCx, top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    if !top.get("kind").is_some_and(Value::is_string) {
        top.insert("kind".into(), json!("web"));
    }
    let ikey =
        props.get("InstrumentationKey").and_then(Value::as_str).map(String::from).unwrap_or_else(|| cx.ids.guid());
    default(props, "Application_Type", json!("web"));
    default(props, "Flow_Type", json!("Bluefield"));
    default(props, "Request_Source", json!("rest"));
    default(props, "AppId", json!(cx.ids.guid()));
    default(props, "CreationDate", json!(arm_time(cx.now)));
    default(props, "SamplingPercentage", Value::Null);
    default(props, "RetentionInDays", json!(90));
    default(
        props,
        "IngestionMode",
        json!(if props.get("WorkspaceResourceId").is_some_and(|v| v.is_string()) {
            "LogAnalytics"
        } else {
            "ApplicationInsights"
        }),
    );
    default(props, "publicNetworkAccessForIngestion", json!("Enabled"));
    default(props, "publicNetworkAccessForQuery", json!("Enabled"));
    // Unset options the service lists as null.
    for k in ["HockeyAppId", "HockeyAppToken", "DisableIpMasking"] {
        props.entry(k).or_insert(Value::Null);
    }
    props.insert("ApplicationId".into(), json!(cx.id.name()));
    props.insert("Name".into(), json!(cx.id.name()));
    props.insert("InstrumentationKey".into(), json!(ikey));
    props.insert(
        "ConnectionString".into(),
        json!(format!(
            "InstrumentationKey={ikey};IngestionEndpoint=https://{}.in.applicationinsights.azure.com/",
            cx.location
        )),
    );
    props.insert("TenantId".into(), json!(cx.id.subscription()));
    if let Some(ws) = props.get("WorkspaceResourceId").and_then(Value::as_str).map(str::to_lowercase) {
        props.insert("WorkspaceResourceId".into(), json!(ws));
    }
    None
}

fn container_registry(cx: &ShapeCx, top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    let sku = top.get("sku").and_then(|s| s.get("name")).and_then(Value::as_str).unwrap_or("Basic").to_string();
    top.insert("sku".into(), json!({"name": sku, "tier": sku}));
    default(props, "adminUserEnabled", json!(false));
    default(props, "creationDate", json!(arm_time(cx.now)));
    default(props, "publicNetworkAccess", json!("Enabled"));
    default(props, "zoneRedundancy", json!("Disabled"));
    default(props, "dataEndpointEnabled", json!(false));
    default(props, "anonymousPullEnabled", json!(false));
    default(props, "networkRuleBypassOptions", json!("AzureServices"));
    default(props, "networkRuleSet", json!({"defaultAction": "Allow", "ipRules": []}));
    default(
        props,
        "policies",
        json!({
            "quarantinePolicy": {"status": "disabled"},
            "trustPolicy": {"type": "Notary", "status": "disabled"},
            "retentionPolicy": {"days": 7, "lastUpdatedTime": arm_time(cx.now), "status": "disabled"},
            "exportPolicy": {"status": "enabled"},
        }),
    );
    default(props, "encryption", json!({"status": "disabled"}));
    default(props, "dataEndpointHostNames", json!([]));
    default(props, "privateEndpointConnections", json!([]));
    // What the service says of a registry's state (`status`) is null while nothing is wrong.
    props.entry("status").or_insert(Value::Null);
    props.insert("loginServer".into(), json!(format!("{}.azurecr.io", cx.id.name().to_lowercase())));
    Some(cx.secrets.cloned().unwrap_or_else(|| json!({"passwords": [cx.ids.hex(32), cx.ids.hex(32)]})))
}

fn log_analytics(cx: &ShapeCx, _top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    default(props, "customerId", json!(cx.ids.guid()));
    default(props, "sku", json!({"name": "PerGB2018"}));
    default(props, "retentionInDays", json!(30));
    default(props, "publicNetworkAccessForIngestion", json!("Enabled"));
    default(props, "publicNetworkAccessForQuery", json!("Enabled"));
    default(props, "createdDate", json!(arm_time(cx.now)));
    None
}

fn cosmos(cx: &ShapeCx, top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    if !top.get("kind").is_some_and(Value::is_string) {
        top.insert("kind".into(), json!("GlobalDocumentDB"));
    }
    default(props, "databaseAccountOfferType", json!("Standard"));
    default(
        props,
        "consistencyPolicy",
        json!({"defaultConsistencyLevel": "Session", "maxIntervalInSeconds": 5, "maxStalenessPrefix": 100}),
    );
    default(
        props,
        "locations",
        json!([{"locationName": cx.location, "failoverPriority": 0, "isZoneRedundant": false}]),
    );
    props.insert(
        "documentEndpoint".into(),
        json!(format!("https://{}.documents.azure.com:443/", cx.id.name().to_lowercase())),
    );
    None
}

/// A private DNS zone's limits and counts (the SOA record set is always there). The link counts
/// are those at creation: links made later do not update them (DIFFERENCES.md).
fn private_dns_zone(_cx: &ShapeCx, _top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    default(props, "maxNumberOfRecordSets", json!(25000));
    default(props, "numberOfRecordSets", json!(1));
    default(props, "maxNumberOfVirtualNetworkLinks", json!(1000));
    default(props, "numberOfVirtualNetworkLinks", json!(0));
    default(props, "maxNumberOfVirtualNetworkLinksWithRegistration", json!(100));
    default(props, "numberOfVirtualNetworkLinksWithRegistration", json!(0));
    None
}

/// A zone's link to a virtual network: completed at once.
fn private_dns_link(_cx: &ShapeCx, _top: &mut Map<String, Value>, props: &mut Map<String, Value>) -> Option<Value> {
    default(props, "registrationEnabled", json!(false));
    default(props, "virtualNetworkLinkState", json!("Completed"));
    None
}
