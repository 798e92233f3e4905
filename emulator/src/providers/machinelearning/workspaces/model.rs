//! What a workspace is, as typed values: the request to create one ([`CreateSpec`], read from a
//! PUT body by `wire`), the workspace as stored ([`Workspace`], a view of its body), and the
//! constants of the type.

use serde_json::Value;

use crate::protocol::body::Tags;

pub const NS: &str = "Microsoft.MachineLearningServices";
pub const TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
pub const CONNECTION_TYPE: &str = "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections";
pub const DEFAULT_RETENTION_DAYS: i64 = 14;

/// LRO kinds (`--lro`), one per asynchronous workspace operation.
pub const KIND_CREATE: &str = "workspaces/create";
pub const KIND_UPDATE: &str = "workspaces/update";
pub const KIND_DELETE: &str = "workspaces/delete";
pub const KIND_RESYNC_KEYS: &str = "workspaces/resyncKeys";

/// The documented dependent resources a workspace names, as (property, what it is, type).
pub const DEPENDENTS: [(&str, &str, &str); 4] = [
    ("storageAccount", "storage account", "Microsoft.Storage/storageAccounts"),
    ("keyVault", "key vault", "Microsoft.KeyVault/vaults"),
    ("applicationInsights", "application insights", "Microsoft.Insights/components"),
    ("containerRegistry", "container registry", "Microsoft.ContainerRegistry/registries"),
];

/// A customer-managed key (`properties.encryption.keyVaultProperties`).
#[derive(Debug, Clone)]
pub struct CustomerManagedKey {
    pub key_vault_arm_id: String,
    pub key_identifier: String,
    pub identity_client_id: Value,
}

/// A workspace creation, as the PUT body asks for it (validated types and values; the
/// dependents are ids still to resolve).
#[derive(Debug, Clone)]
pub struct CreateSpec {
    pub tags: Tags,
    pub kind: Option<Value>,
    pub sku: Option<Value>,
    pub friendly_name: Option<String>,
    pub description: String,
    pub hbi: bool,
    pub retention_days: i64,
    pub public_network_access: &'static str,
    pub storage_account: Option<String>,
    pub key_vault: Option<String>,
    pub application_insights: Option<String>,
    pub container_registry: Option<String>,
    /// Present when `encryption.keyVaultProperties` is an object; `Err` holds the message of
    /// the missing field, answered only after the registration checks (as the service does).
    pub cmk: Option<Result<CustomerManagedKey, String>>,
    pub managed_network: Option<Value>,
    /// True when the managed network isolates the workspace (needs `Microsoft.Network`).
    pub isolated: bool,
    pub allow_public_access_when_behind_vnet: bool,
    pub image_build_compute: Option<String>,
    pub v1_legacy_mode: bool,
    pub enable_data_isolation: bool,
    pub system_datastores_auth_mode: String,
}

/// The stored workspace, read from its body.
pub struct Workspace<'a> {
    pub body: &'a Value,
}

impl Workspace<'_> {
    fn prop(&self, k: &str) -> Option<&Value> {
        self.body.get("properties").and_then(|p| p.get(k))
    }

    pub fn location(&self) -> &str {
        self.body.get("location").and_then(Value::as_str).unwrap_or("")
    }

    /// The id of a dependent the workspace names (lower-cased, as stored).
    pub fn dependent(&self, property: &str) -> Option<&str> {
        self.prop(property).and_then(Value::as_str)
    }

    pub fn retention_days(&self) -> i64 {
        self.prop("softDeleteRetentionInDays").and_then(Value::as_i64).unwrap_or(DEFAULT_RETENTION_DAYS)
    }

    /// Customer-managed-key workspaces are always deleted permanently.
    pub fn has_customer_managed_key(&self) -> bool {
        self.body.pointer("/properties/encryption/keyVaultProperties").is_some()
    }

    pub fn hbi(&self) -> Option<bool> {
        self.prop("hbiWorkspace").and_then(Value::as_bool)
    }
}
