//! `Subscriptions_*`.

use super::api::SUBSCRIPTIONS;
use crate::client::{segment, ArmClient};
use crate::error::Result;
use crate::models::Subscription;
use crate::pager::Pager;
use serde_json::Value;

pub struct Subscriptions<'a> {
    pub(crate) client: &'a ArmClient,
}

impl Subscriptions<'_> {
    pub fn list(&self) -> Pager<Subscription> {
        Pager::new(self.client.clone(), self.client.url("/subscriptions", SUBSCRIPTIONS, &[]))
    }

    pub async fn get(&self, subscription_id: &str) -> Result<Subscription> {
        self.client
            .get_json(&self.client.url(&format!("/subscriptions/{}", segment(subscription_id)), SUBSCRIPTIONS, &[]))
            .await
    }

    /// `Subscriptions_ListLocations`: the regions of the current subscription (`{"value":[…]}`).
    pub async fn list_locations(&self) -> Result<Value> {
        let path = format!("/subscriptions/{}/locations", segment(self.client.subscription_id()?));
        self.client.get_json(&self.client.url(&path, SUBSCRIPTIONS, &[])).await
    }

    /// `Tenants_List`.
    pub fn list_tenants(&self) -> Pager<Value> {
        Pager::new(self.client.clone(), self.client.url("/tenants", SUBSCRIPTIONS, &[]))
    }
}
