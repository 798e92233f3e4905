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
