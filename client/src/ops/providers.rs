//! `Providers_*`.

use hyper::Method;

use super::api::RESOURCES;
use crate::client::{segment, ArmClient};
use crate::error::Result;
use crate::models::Provider;
use crate::pager::Pager;
use serde_json::Value;

pub struct Providers<'a> {
    pub(crate) client: &'a ArmClient,
}

impl Providers<'_> {
    fn base(&self) -> Result<String> {
        Ok(format!("/subscriptions/{}/providers", segment(self.client.subscription_id()?)))
    }

    pub fn list(&self) -> Result<Pager<Provider>> {
        Ok(Pager::new(self.client.clone(), self.client.url(&self.base()?, RESOURCES, &[])))
    }

    pub async fn get(&self, namespace: &str) -> Result<Provider> {
        self.client
            .get_json(&self.client.url(&format!("{}/{}", self.base()?, segment(namespace)), RESOURCES, &[]))
            .await
    }

    /// `POST …/register`: 200 with the provider (`Registering` or `Registered`).
    pub async fn register(&self, namespace: &str) -> Result<Provider> {
        let url = self.client.url(&format!("{}/{}/register", self.base()?, segment(namespace)), RESOURCES, &[]);
        self.client.send_json(Method::POST, &url, None).await
    }

    pub async fn unregister(&self, namespace: &str) -> Result<Provider> {
        let url = self.client.url(&format!("{}/{}/unregister", self.base()?, segment(namespace)), RESOURCES, &[]);
        self.client.send_json(Method::POST, &url, None).await
    }

    /// `ProviderResourceTypes_List` (`{"value":[…]}`).
    pub async fn list_resource_types(&self, namespace: &str) -> Result<Value> {
        let url = self.client.url(&format!("{}/{}/resourceTypes", self.base()?, segment(namespace)), RESOURCES, &[]);
        self.client.get_json(&url).await
    }

    /// `Providers_ListAtTenantScope`: providers without a registration state.
    pub fn list_at_tenant_scope(&self) -> Pager<Value> {
        Pager::new(self.client.clone(), self.client.url("/providers", RESOURCES, &[]))
    }

    /// `Providers_GetAtTenantScope`.
    pub async fn get_at_tenant_scope(&self, namespace: &str) -> Result<Value> {
        self.client.get_json(&self.client.url(&format!("/providers/{}", segment(namespace)), RESOURCES, &[])).await
    }
}
