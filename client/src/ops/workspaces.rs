//! `Workspaces_*` (reference §4): create/update are long-running and answer 200 or 202; list
//! pages continue with `$skip`; delete is a soft delete unless `forceToPurge=true`; a
//! soft-deleted workspace is recovered by a PUT carrying `"allowRecoverSoftDeletedWorkspace": "True"`.

use hyper::Method;
use serde_json::Value;

use super::api::MACHINE_LEARNING;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::lro::Poller;
use crate::models::{Identity, Workspace, WorkspaceKeys, WorkspaceProperties, WorkspaceUpdate};
use crate::pager::Pager;

const NS: &str = "Microsoft.MachineLearningServices";

pub struct Workspaces<'a> {
    pub(crate) client: &'a ArmClient,
}

impl Workspaces<'_> {
    fn path(&self, resource_group: &str, name: &str) -> Result<String> {
        Ok(format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{NS}/workspaces/{}",
            segment(self.client.subscription_id()?),
            segment(resource_group),
            segment(name)
        ))
    }

    fn url(&self, resource_group: &str, name: &str, query: &[(&str, &str)]) -> Result<String> {
        Ok(self.client.url(&self.path(resource_group, name)?, MACHINE_LEARNING, query))
    }

    /// `PUT`: 200 (done) or 202 (poll); never 201.
    pub async fn create_or_update(
        &self,
        resource_group: &str,
        name: &str,
        params: &Workspace,
    ) -> Result<Poller<Workspace>> {
        let body = serde_json::to_value(params).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.begin(Method::PUT, &self.url(resource_group, name, &[])?, Some(&body)).await
    }

    pub async fn get(&self, resource_group: &str, name: &str) -> Result<Workspace> {
        self.client.get_json(&self.url(resource_group, name, &[])?).await
    }

    /// `PATCH`: 200 or 202.
    pub async fn update(
        &self,
        resource_group: &str,
        name: &str,
        params: &WorkspaceUpdate,
    ) -> Result<Poller<Workspace>> {
        let body = serde_json::to_value(params).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.begin(Method::PATCH, &self.url(resource_group, name, &[])?, Some(&body)).await
    }

    /// `DELETE`: a soft delete, or a permanent one with `force_to_purge` (which also purges a
    /// workspace that is already soft-deleted).
    pub async fn delete(&self, resource_group: &str, name: &str, force_to_purge: bool) -> Result<Poller<Value>> {
        let q: &[(&str, &str)] = if force_to_purge { &[("forceToPurge", "true")] } else { &[] };
        self.client.begin(Method::DELETE, &self.url(resource_group, name, q)?, None).await
    }

    pub fn list_by_resource_group(&self, resource_group: &str) -> Result<Pager<Workspace>> {
        let path = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{NS}/workspaces",
            segment(self.client.subscription_id()?),
            segment(resource_group)
        );
        Ok(Pager::new(self.client.clone(), self.client.url(&path, MACHINE_LEARNING, &[])))
    }

    pub fn list_by_subscription(&self) -> Result<Pager<Workspace>> {
        let path = format!("/subscriptions/{}/providers/{NS}/workspaces", segment(self.client.subscription_id()?));
        Ok(Pager::new(self.client.clone(), self.client.url(&path, MACHINE_LEARNING, &[])))
    }

    /// Soft-deleted workspaces, in a resource group or the whole subscription.
    pub fn list_deleted(&self, resource_group: Option<&str>) -> Result<Pager<Workspace>> {
        let sub = segment(self.client.subscription_id()?);
        let path = match resource_group {
            Some(rg) => format!("/subscriptions/{sub}/resourceGroups/{}/providers/{NS}/deletedWorkspaces", segment(rg)),
            None => format!("/subscriptions/{sub}/providers/{NS}/deletedWorkspaces"),
        };
        Ok(Pager::new(self.client.clone(), self.client.url(&path, MACHINE_LEARNING, &[])))
    }

    pub async fn list_keys(&self, resource_group: &str, name: &str) -> Result<WorkspaceKeys> {
        let url = self.client.url(&format!("{}/listKeys", self.path(resource_group, name)?), MACHINE_LEARNING, &[]);
        self.client.send_json(Method::POST, &url, None).await
    }

    /// `POST …/resyncKeys`: 200 (no body) or 202.
    pub async fn resync_keys(&self, resource_group: &str, name: &str) -> Result<Poller<Value>> {
        let url = self.client.url(&format!("{}/resyncKeys", self.path(resource_group, name)?), MACHINE_LEARNING, &[]);
        self.client.begin(Method::POST, &url, None).await
    }

    /// Recovers a soft-deleted workspace: a PUT of the same name with
    /// `"allowRecoverSoftDeletedWorkspace": "True"`.
    pub async fn recover(&self, resource_group: &str, name: &str, location: &str) -> Result<Poller<Workspace>> {
        let body = Workspace {
            location: Some(location.to_string()),
            identity: Some(Identity::system_assigned()),
            properties: WorkspaceProperties {
                allow_recover_soft_deleted_workspace: Some("True".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        self.create_or_update(resource_group, name, &body).await
    }

    /// `Workspaces_ListNotebookAccessToken`.
    pub async fn list_notebook_access_token(&self, resource_group: &str, name: &str) -> Result<Value> {
        let url = self.client.url(
            &format!("{}/listNotebookAccessToken", self.path(resource_group, name)?),
            MACHINE_LEARNING,
            &[],
        );
        self.client.send_json(Method::POST, &url, None).await
    }

    fn connection_url(&self, resource_group: &str, name: &str, connection: Option<&str>) -> Result<String> {
        let mut path = format!("{}/privateEndpointConnections", self.path(resource_group, name)?);
        if let Some(c) = connection {
            path.push('/');
            path.push_str(&segment(c));
        }
        Ok(self.client.url(&path, MACHINE_LEARNING, &[]))
    }

    /// `PrivateEndpointConnections_CreateOrUpdate`.
    pub async fn create_or_update_private_endpoint_connection(
        &self,
        resource_group: &str,
        name: &str,
        connection: &str,
        body: &Value,
    ) -> Result<Value> {
        self.client
            .send_json(Method::PUT, &self.connection_url(resource_group, name, Some(connection))?, Some(body))
            .await
    }

    /// `PrivateEndpointConnections_Get`.
    pub async fn get_private_endpoint_connection(
        &self,
        resource_group: &str,
        name: &str,
        connection: &str,
    ) -> Result<Value> {
        self.client.get_json(&self.connection_url(resource_group, name, Some(connection))?).await
    }

    /// `PrivateEndpointConnections_List` (`{"value":[…]}`).
    pub async fn list_private_endpoint_connections(&self, resource_group: &str, name: &str) -> Result<Value> {
        self.client.get_json(&self.connection_url(resource_group, name, None)?).await
    }

    /// `PrivateEndpointConnections_Delete`: true when something was deleted (200), false when absent (204).
    pub async fn delete_private_endpoint_connection(
        &self,
        resource_group: &str,
        name: &str,
        connection: &str,
    ) -> Result<bool> {
        let resp = self
            .client
            .send(Method::DELETE, &self.connection_url(resource_group, name, Some(connection))?, None)
            .await?;
        Ok(resp.status == 200)
    }
}
