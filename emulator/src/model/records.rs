//! The tenants and subscriptions the emulated cloud serves (configuration and state share them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::states::SubscriptionState;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
}

/// An object in a tenant's directory that the emulator's Microsoft Graph serves: an
/// application or a service principal (what `az ad sp create-for-rbac` creates).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    /// The object id (a GUID).
    pub id: String,
    pub tenant_id: String,
    /// `application` or `servicePrincipal` (Graph's `@odata.type` without `#microsoft.graph.`).
    pub kind: String,
    pub app_id: String,
    /// Graph's representation, as GET answers it (secret texts are never in it).
    pub body: serde_json::Value,
    /// An application's client secrets, key id → text (`addPassword` answers each text once;
    /// the token endpoint accepts them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    pub tenant_id: String,
    pub display_name: String,
    #[serde(default)]
    pub state: SubscriptionState,
    /// The subscription's tags (`GET /subscriptions/{id}` shows them when there are any).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The tenants that manage the subscription through Azure Lighthouse (`managedByTenants`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_by_tenants: Vec<String>,
}
