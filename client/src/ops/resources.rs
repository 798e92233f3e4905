//! `Resources_*`: the generic listings and the by-id operations.

use hyper::Method;
use serde_json::Value;

use super::api::RESOURCES;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::lro::Poller;
use crate::models::GenericResource;
use crate::pager::Pager;

pub struct Resources<'a> {
    pub(crate) client: &'a ArmClient,
}

fn id_path(id: &str) -> Result<String> {
    let id = id.trim();
    if !id.starts_with('/') || !id.to_ascii_lowercase().starts_with("/subscriptions/") {
        return Err(Error::invalid(format!("'{id}' is not a resource id (it must start with /subscriptions/)")));
    }
    Ok(id
        .trim_end_matches('/')
        .split('/')
        .map(|s| if s.is_empty() { String::new() } else { segment(s) })
        .collect::<Vec<_>>()
        .join("/"))
}

impl Resources<'_> {
    fn query<'q>(filter: Option<&'q str>, expand: Option<&'q str>) -> Vec<(&'static str, &'q str)> {
        let mut q = Vec::new();
        if let Some(f) = filter {
            q.push(("$filter", f));
        }
        if let Some(e) = expand {
            q.push(("$expand", e));
        }
        q
    }

    /// `GET /subscriptions/{s}/resources[?$filter=resourceType eq '…']`.
    pub fn list(&self, filter: Option<&str>) -> Result<Pager<GenericResource>> {
        self.list_expanded(filter, None)
    }

    /// With `$expand` (`createdTime,changedTime,provisioningState`).
    pub fn list_expanded(&self, filter: Option<&str>, expand: Option<&str>) -> Result<Pager<GenericResource>> {
        let path = format!("/subscriptions/{}/resources", segment(self.client.subscription_id()?));
        Ok(Pager::new(self.client.clone(), self.client.url(&path, RESOURCES, &Self::query(filter, expand))))
    }

    pub fn list_by_resource_group(&self, resource_group: &str, filter: Option<&str>) -> Result<Pager<GenericResource>> {
        self.list_by_resource_group_expanded(resource_group, filter, None)
    }

    pub fn list_by_resource_group_expanded(
        &self,
        resource_group: &str,
        filter: Option<&str>,
        expand: Option<&str>,
    ) -> Result<Pager<GenericResource>> {
        let path = format!(
            "/subscriptions/{}/resourceGroups/{}/resources",
            segment(self.client.subscription_id()?),
            segment(resource_group)
        );
        Ok(Pager::new(self.client.clone(), self.client.url(&path, RESOURCES, &Self::query(filter, expand))))
    }

    /// A provider's own listing of one type (`GET …/providers/{ns}/{type}`: full bodies), in a
    /// group or in the subscription.
    pub fn list_of_type(
        &self,
        resource_group: Option<&str>,
        namespace: &str,
        type_name: &str,
        api_version: &str,
    ) -> Result<Pager<Value>> {
        let sub = segment(self.client.subscription_id()?);
        let scope = match resource_group {
            Some(rg) => format!("/subscriptions/{sub}/resourceGroups/{}", segment(rg)),
            None => format!("/subscriptions/{sub}"),
        };
        let path = format!("{scope}/providers/{}/{}", segment(namespace), segment(type_name));
        Ok(Pager::new(self.client.clone(), self.client.url(&path, api_version, &[])))
    }

    pub async fn get_by_id(&self, id: &str, api_version: &str) -> Result<Value> {
        self.client.get_json(&self.client.url(&id_path(id)?, api_version, &[])).await
    }

    pub async fn check_existence_by_id(&self, id: &str, api_version: &str) -> Result<bool> {
        let resp = self
            .client
            .execute(HttpRequest::new(Method::HEAD, self.client.url(&id_path(id)?, api_version, &[])))
            .await?;
        match resp.status {
            200 | 204 => Ok(true),
            404 => Ok(false),
            s => Err(Error::from_response(s, &resp.body, resp.request_id())),
        }
    }

    pub async fn create_or_update_by_id(&self, id: &str, api_version: &str, body: &Value) -> Result<Poller<Value>> {
        self.client.begin(Method::PUT, &self.client.url(&id_path(id)?, api_version, &[]), Some(body)).await
    }

    /// `DELETE /{id}`: 200 deleted, 204 absent, 202 asynchronous.
    pub async fn delete_by_id(&self, id: &str, api_version: &str) -> Result<Poller<Value>> {
        self.client.begin(Method::DELETE, &self.client.url(&id_path(id)?, api_version, &[]), None).await
    }

    /// `Resources_UpdateById` (PATCH: tags replace, properties merge).
    pub async fn update_by_id(&self, id: &str, api_version: &str, body: &Value) -> Result<Value> {
        self.client.send_json(Method::PATCH, &self.client.url(&id_path(id)?, api_version, &[]), Some(body)).await
    }

    /// `POST /subscriptions/{s}/resourceGroups/{rg}/{action}` with the move body; the move
    /// and its validation differ only in the action.
    async fn post_move(
        &self,
        action: &str,
        resource_group: &str,
        ids: &[&str],
        target_group_id: &str,
    ) -> Result<Poller<Value>> {
        let path = format!(
            "/subscriptions/{}/resourceGroups/{}/{action}",
            segment(self.client.subscription_id()?),
            segment(resource_group)
        );
        let body = serde_json::json!({"resources": ids, "targetResourceGroup": target_group_id});
        self.client.begin(Method::POST, &self.client.url(&path, RESOURCES, &[]), Some(&body)).await
    }

    /// `Resources_MoveResources`: moves top-level resources of `resource_group` into the group
    /// `target_group_id` (`/subscriptions/{s}/resourceGroups/{rg}`).
    pub async fn move_resources(
        &self,
        resource_group: &str,
        ids: &[&str],
        target_group_id: &str,
    ) -> Result<Poller<Value>> {
        self.post_move("moveResources", resource_group, ids, target_group_id).await
    }

    /// `Resources_ValidateMoveResources`: the same checks as a move, without moving.
    pub async fn validate_move_resources(
        &self,
        resource_group: &str,
        ids: &[&str],
        target_group_id: &str,
    ) -> Result<Poller<Value>> {
        self.post_move("validateMoveResources", resource_group, ids, target_group_id).await
    }
}
