//! Typed operations, one method per ARM operation, named after its operationId
//! (`ResourceGroups_CreateOrUpdate` → [`resource_groups::ResourceGroups::create_or_update`]).
//! Long-running operations return a [`crate::lro::Poller`]; collections a [`crate::pager::Pager`].

pub mod deployments;
pub mod environments;
pub mod graph;
pub mod providers;
pub mod resource_groups;
pub mod resources;
pub mod role_assignments;
pub mod subscriptions;
pub mod workspaces;

use hyper::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::ArmClient;
use crate::error::Result;
use crate::lro::Poller;

/// api-versions this client speaks, per area.
pub mod api {
    pub const RESOURCES: &str = "2021-04-01";
    /// Template deployments: the version az 2.91 (azure-mgmt-resource-deployments) sends.
    pub const DEPLOYMENTS: &str = "2025-04-01";
    pub const SUBSCRIPTIONS: &str = "2022-12-01";
    pub const MACHINE_LEARNING: &str = "2024-10-01";
    pub const AUTHORIZATION: &str = "2022-04-01";
    pub const STORAGE: &str = "2023-05-01";
    pub const KEY_VAULT: &str = "2023-07-01";
    pub const CONTAINER_REGISTRY: &str = "2023-07-01";
    pub const INSIGHTS: &str = "2020-02-02";
    pub const NETWORK: &str = "2023-11-01";
    pub const METADATA: &str = "2022-09-01";
}

impl ArmClient {
    /// Sends the first request of a long-running operation and returns its poller.
    pub async fn begin<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Poller<T>> {
        let resp = self.send(method.clone(), url, body).await?;
        let resource_url = url.to_string();
        Poller::from_initial(self.clone(), method, resource_url, resp)
    }

    pub fn resource_groups(&self) -> resource_groups::ResourceGroups<'_> {
        resource_groups::ResourceGroups { client: self }
    }

    pub fn deployments(&self) -> deployments::Deployments<'_> {
        deployments::Deployments { client: self }
    }

    pub fn deployment_operations(&self) -> deployments::DeploymentOperations<'_> {
        deployments::DeploymentOperations { client: self }
    }

    pub fn providers(&self) -> providers::Providers<'_> {
        providers::Providers { client: self }
    }

    pub fn subscriptions(&self) -> subscriptions::Subscriptions<'_> {
        subscriptions::Subscriptions { client: self }
    }

    pub fn resources(&self) -> resources::Resources<'_> {
        resources::Resources { client: self }
    }

    pub fn environments(&self) -> environments::Environments<'_> {
        environments::Environments { client: self }
    }

    pub fn workspaces(&self) -> workspaces::Workspaces<'_> {
        workspaces::Workspaces { client: self }
    }

    pub fn role_assignments(&self) -> role_assignments::RoleAssignments<'_> {
        role_assignments::RoleAssignments { client: self }
    }

    pub fn role_definitions(&self) -> role_assignments::RoleDefinitions<'_> {
        role_assignments::RoleDefinitions { client: self }
    }

    /// Microsoft Graph lookups (users, service principals).
    pub fn graph(&self) -> graph::Graph<'_> {
        graph::Graph { client: self }
    }

    /// `GET /metadata/endpoints?api-version=2022-09-01`: the cloud description (no auth needed,
    /// but sending the token is harmless).
    pub async fn metadata_endpoints(&self) -> Result<Value> {
        self.get_json(&self.url("/metadata/endpoints", api::METADATA, &[])).await
    }
}
