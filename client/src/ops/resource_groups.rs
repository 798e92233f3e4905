//! `ResourceGroups_*`.

use hyper::Method;
use serde_json::Value;

use super::api::RESOURCES;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::lro::Poller;
use crate::models::{ResourceGroup, ResourceGroupCreate, ResourceGroupPatch};
use crate::pager::Pager;

pub struct ResourceGroups<'a> {
    pub(crate) client: &'a ArmClient,
}

impl ResourceGroups<'_> {
    fn url(&self, name: &str) -> Result<String> {
        let sub = self.client.subscription_id()?;
        Ok(self.client.url(
            &format!("/subscriptions/{}/resourcegroups/{}", segment(sub), segment(name)),
            RESOURCES,
            &[],
        ))
    }

    /// `PUT`: 201 when created, 200 when it existed.
    pub async fn create_or_update(&self, name: &str, params: &ResourceGroupCreate) -> Result<ResourceGroup> {
        let body = serde_json::to_value(params).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.send_json(Method::PUT, &self.url(name)?, Some(&body)).await
    }

    pub async fn get(&self, name: &str) -> Result<ResourceGroup> {
        self.client.get_json(&self.url(name)?).await
    }

    /// `HEAD`: 204 exists, 404 does not.
    pub async fn check_existence(&self, name: &str) -> Result<bool> {
        let resp = self.client.execute(HttpRequest::new(Method::HEAD, self.url(name)?)).await?;
        match resp.status {
            204 | 200 => Ok(true),
            404 => Ok(false),
            s => Err(Error::from_response(s, &resp.body, resp.request_id())),
        }
    }

    /// `PATCH`: `tags`, when given, replaces the whole set.
    pub async fn update(&self, name: &str, params: &ResourceGroupPatch) -> Result<ResourceGroup> {
        let body = serde_json::to_value(params).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.send_json(Method::PATCH, &self.url(name)?, Some(&body)).await
    }

    /// `GET …/resourcegroups` with an optional `$filter` (`tagName eq 'x' and tagValue eq 'y'`) and `$top`.
    pub fn list(&self, filter: Option<&str>, top: Option<u32>) -> Result<Pager<ResourceGroup>> {
        let sub = self.client.subscription_id()?;
        let top_s = top.map(|t| t.to_string());
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(f) = filter {
            q.push(("$filter", f));
        }
        if let Some(t) = &top_s {
            q.push(("$top", t));
        }
        let url = self.client.url(&format!("/subscriptions/{}/resourcegroups", segment(sub)), RESOURCES, &q);
        Ok(Pager::new(self.client.clone(), url))
    }

    /// `DELETE`: 202 + `Location` (deletes everything inside the group).
    pub async fn begin_delete(&self, name: &str) -> Result<Poller<Value>> {
        self.client.begin(Method::DELETE, &self.url(name)?, None).await
    }
}
