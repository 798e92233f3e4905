//! The tenants and subscriptions the emulated cloud serves (configuration and state share them).

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
}
