//! Azure ML environments on both surfaces.
//!
//! v2: `EnvironmentContainers_*` and `EnvironmentVersions_*` (2024-10-01; every operation is
//! synchronous; lists page with `nextLink`). v1: the environment service (EMS) as azureml-core
//! calls it — the workspace's `properties.discoveryUrl` is fetched without a token, its
//! `experimentation` entry is the host, and every call goes to
//! `/environment/v1.0{workspace ARM path}/environments/…` with the ARM bearer token and no
//! api-version; the list ends in `/environments/` and continues with `?continuation=`.

use hyper::Method;
use serde_json::Value;

use super::api::MACHINE_LEARNING;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::models::{
    EnvironmentContainer, EnvironmentDefinition, EnvironmentDefinitionPage, EnvironmentVersion, ListViewType,
};
use crate::pager::Pager;

const NS: &str = "Microsoft.MachineLearningServices";

pub struct Environments<'a> {
    pub(crate) client: &'a ArmClient,
}

impl Environments<'_> {
    fn base(&self, resource_group: &str, workspace: &str) -> Result<String> {
        Ok(format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{NS}/workspaces/{}/environments",
            segment(self.client.subscription_id()?),
            segment(resource_group),
            segment(workspace)
        ))
    }

    fn container_url(&self, rg: &str, ws: &str, name: &str) -> Result<String> {
        Ok(self.client.url(&format!("{}/{}", self.base(rg, ws)?, segment(name)), MACHINE_LEARNING, &[]))
    }

    fn version_url(&self, rg: &str, ws: &str, name: &str, version: &str) -> Result<String> {
        let path = format!("{}/{}/versions/{}", self.base(rg, ws)?, segment(name), segment(version));
        Ok(self.client.url(&path, MACHINE_LEARNING, &[]))
    }

    /// `EnvironmentContainers_List`.
    pub fn list_containers(&self, rg: &str, ws: &str, view: ListViewType) -> Result<Pager<EnvironmentContainer>> {
        let url = self.client.url(&self.base(rg, ws)?, MACHINE_LEARNING, &[("listViewType", view.as_str())]);
        Ok(Pager::new(self.client.clone(), url))
    }

    /// `EnvironmentContainers_Get`.
    pub async fn get_container(&self, rg: &str, ws: &str, name: &str) -> Result<EnvironmentContainer> {
        self.client.get_json(&self.container_url(rg, ws, name)?).await
    }

    /// `EnvironmentContainers_CreateOrUpdate` (archive and restore of a whole environment).
    pub async fn create_or_update_container(
        &self,
        rg: &str,
        ws: &str,
        name: &str,
        body: &EnvironmentContainer,
    ) -> Result<EnvironmentContainer> {
        let body = serde_json::to_value(body).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.send_json(Method::PUT, &self.container_url(rg, ws, name)?, Some(&body)).await
    }

    /// `EnvironmentContainers_Delete`.
    pub async fn delete_container(&self, rg: &str, ws: &str, name: &str) -> Result<()> {
        self.client.send(Method::DELETE, &self.container_url(rg, ws, name)?, None).await.map(|_| ())
    }

    /// `EnvironmentVersions_List`, newest first (`$orderBy=createdtime desc`, as azure-ai-ml).
    pub fn list_versions(
        &self,
        rg: &str,
        ws: &str,
        name: &str,
        view: ListViewType,
        top: Option<u32>,
    ) -> Result<Pager<EnvironmentVersion>> {
        let top = top.map(|t| t.to_string());
        let mut q = vec![("$orderBy", "createdtime desc"), ("listViewType", view.as_str())];
        if let Some(t) = &top {
            q.push(("$top", t.as_str()));
        }
        let path = format!("{}/{}/versions", self.base(rg, ws)?, segment(name));
        Ok(Pager::new(self.client.clone(), self.client.url(&path, MACHINE_LEARNING, &q)))
    }

    /// `EnvironmentVersions_Get`.
    pub async fn get_version(&self, rg: &str, ws: &str, name: &str, version: &str) -> Result<EnvironmentVersion> {
        self.client.get_json(&self.version_url(rg, ws, name, version)?).await
    }

    /// The newest active version (`--label latest`): the first of the version list.
    pub async fn get_latest_version(&self, rg: &str, ws: &str, name: &str) -> Result<Option<EnvironmentVersion>> {
        let mut pager = self.list_versions(rg, ws, name, ListViewType::ActiveOnly, Some(1))?;
        while let Some(page) = pager.next_page().await? {
            if let Some(v) = page.into_iter().next() {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// `EnvironmentVersions_CreateOrUpdate`: 201 (new) or 200 (same definition); a different
    /// definition under an existing version is 409.
    pub async fn create_or_update_version(
        &self,
        rg: &str,
        ws: &str,
        name: &str,
        version: &str,
        body: &EnvironmentVersion,
    ) -> Result<EnvironmentVersion> {
        let body = serde_json::to_value(body).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.send_json(Method::PUT, &self.version_url(rg, ws, name, version)?, Some(&body)).await
    }

    /// `EnvironmentVersions_Delete`.
    pub async fn delete_version(&self, rg: &str, ws: &str, name: &str, version: &str) -> Result<()> {
        self.client.send(Method::DELETE, &self.version_url(rg, ws, name, version)?, None).await.map(|_| ())
    }
}

/// The v1 environment service of one workspace, resolved through its discovery document.
#[derive(Clone)]
pub struct EnvironmentService {
    client: ArmClient,
    /// `{experimentation}/environment/v1.0{workspace ARM path}/environments`.
    base: String,
}

impl EnvironmentService {
    /// Resolves the service as azureml-core does: `GET {ws}` → `properties.discoveryUrl` →
    /// `GET {discoveryUrl}` (no token) → `experimentation`.
    pub async fn resolve(client: &ArmClient, resource_group: &str, workspace: &str) -> Result<EnvironmentService> {
        let ws = client.workspaces().get(resource_group, workspace).await?;
        let discovery = ws.properties.discovery_url.clone().filter(|u| !u.is_empty()).ok_or_else(|| {
            Error::invalid(format!("workspace '{workspace}' has no properties.discoveryUrl: cannot find its services"))
        })?;
        let resp = client.http().send(&HttpRequest::new(Method::GET, &discovery)).await?;
        if !resp.is_success() {
            return Err(Error::from_response(resp.status, &resp.body, resp.request_id()));
        }
        let doc: Value = crate::client::parse_json(&resp)?;
        let host = doc.get("experimentation").and_then(Value::as_str).ok_or_else(|| Error::Unexpected {
            status: resp.status,
            body: String::from_utf8_lossy(&resp.body).into_owned(),
            reason: format!("the discovery document at {discovery} has no 'experimentation' entry"),
            request_id: None,
        })?;
        let ws_path = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{NS}/workspaces/{}",
            segment(client.subscription_id()?),
            segment(resource_group),
            segment(workspace)
        );
        Ok(EnvironmentService::at(client.clone(), host, &ws_path))
    }

    /// The service at a known host (`experimentation`) for the workspace at `ws_path`.
    pub fn at(client: ArmClient, host: &str, ws_path: &str) -> EnvironmentService {
        EnvironmentService {
            client,
            base: format!("{}/environment/v1.0{}/environments", host.trim_end_matches('/'), ws_path),
        }
    }

    fn path(&self, name: &str, version: Option<&str>) -> String {
        match version {
            Some(v) => format!("{}/{}/versions/{}", self.base, segment(name), segment(v)),
            None => format!("{}/{}", self.base, segment(name)),
        }
    }

    /// `GET …/environments/{name}[/versions/{v}]`: the latest, or one version.
    pub async fn get(&self, name: &str, version: Option<&str>) -> Result<EnvironmentDefinition> {
        self.client.get_json(&self.path(name, version)).await
    }

    /// `GET …/environments/` (latest version of each name, curated ones included), following
    /// `continuationToken` with `?continuation=`.
    pub async fn list(&self) -> Result<Vec<EnvironmentDefinition>> {
        let mut all = Vec::new();
        let mut url = format!("{}/", self.base);
        let mut seen = std::collections::HashSet::new();
        loop {
            let page: EnvironmentDefinitionPage = self.client.get_json(&url).await?;
            all.extend(page.value);
            match page.continuation_token.filter(|t| !t.is_empty()) {
                Some(t) if seen.insert(t.clone()) => {
                    let q: String =
                        form_urlencoded::Serializer::new(String::new()).append_pair("continuation", &t).finish();
                    url = format!("{}/?{q}", self.base);
                }
                Some(t) => {
                    return Err(Error::Unexpected {
                        status: 200,
                        body: String::new(),
                        reason: format!("the continuation token repeats ({t})"),
                        request_id: None,
                    })
                }
                None => return Ok(all),
            }
        }
    }

    /// `PUT …/environments/{name}[/versions/{v}]` with the PascalCase body; the version in the
    /// URL is the definition's own (as `Environment.register` does). Expects 200.
    pub async fn register(&self, definition: &EnvironmentDefinition) -> Result<EnvironmentDefinition> {
        let name = definition.name.as_deref().ok_or_else(|| Error::invalid("the environment has no name"))?;
        let url = self.path(name, definition.version.as_deref());
        self.client.send_json(Method::PUT, &url, Some(&definition.register_body())).await
    }
}
