//! `Deployments_*` and `DeploymentOperations_*`: ARM template deployments at resource-group
//! scope (`/subscriptions/{s}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{d}`)
//! and at subscription scope (`/subscriptions/{s}/providers/Microsoft.Resources/deployments/{d}`,
//! whose bodies carry a `location`).
//!
//! - create (PUT) is long-running: `201` with a terminal `provisioningState`, or `201` plus
//!   `Azure-AsyncOperation` (`…/operationStatuses/{id}`) polled to `Succeeded`/`Failed`; a
//!   failed status carries `error` (`DeploymentFailed`, one detail per failed resource), which
//!   the [`Poller`] returns as [`crate::Error::Arm`].
//! - validate (POST `…/validate`): `200` with the deployment as it would be, `202` + `Location`,
//!   or `400` with `InvalidTemplate` (an `Err`).
//! - what-if (POST `…/whatIf`): `200` with the result, or `202` + `Location` to poll.
//! - delete: `202` + `Location`, or `204`.

use hyper::Method;
use serde_json::{json, Value};

use super::api::DEPLOYMENTS;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::lro::Poller;
use crate::models::{
    Deployment, DeploymentExtended, DeploymentOperation, DeploymentValidateResult, WhatIfOperationResult,
    WhatIfResultFormat,
};
use crate::pager::Pager;

/// Where a deployment lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentScope<'a> {
    ResourceGroup(&'a str),
    Subscription,
}

pub struct Deployments<'a> {
    pub(crate) client: &'a ArmClient,
}

/// The collection path of a scope (`…/providers/Microsoft.Resources/deployments`).
fn collection(client: &ArmClient, scope: DeploymentScope<'_>) -> Result<String> {
    let sub = segment(client.subscription_id()?);
    Ok(match scope {
        DeploymentScope::ResourceGroup(rg) => {
            format!("/subscriptions/{sub}/resourcegroups/{}/providers/Microsoft.Resources/deployments", segment(rg))
        }
        DeploymentScope::Subscription => format!("/subscriptions/{sub}/providers/Microsoft.Resources/deployments"),
    })
}

fn item(client: &ArmClient, scope: DeploymentScope<'_>, name: &str, action: &str) -> Result<String> {
    if name.is_empty() {
        return Err(Error::invalid("a deployment name must not be empty"));
    }
    let mut p = format!("{}/{}", collection(client, scope)?, segment(name));
    if !action.is_empty() {
        p.push('/');
        p.push_str(action);
    }
    Ok(client.url(&p, DEPLOYMENTS, &[]))
}

fn body_of(d: &Deployment) -> Result<Value> {
    serde_json::to_value(d).map_err(|e| Error::invalid(e.to_string()))
}

fn list_query<'q>(filter: Option<&'q str>, top: Option<&'q str>) -> Vec<(&'static str, &'q str)> {
    let mut q = Vec::new();
    if let Some(f) = filter {
        q.push(("$filter", f));
    }
    if let Some(t) = top {
        q.push(("$top", t));
    }
    q
}

impl Deployments<'_> {
    /// `Deployments_CreateOrUpdate[AtSubscriptionScope]`: starts the deployment.
    pub async fn create_or_update(
        &self,
        scope: DeploymentScope<'_>,
        name: &str,
        deployment: &Deployment,
    ) -> Result<Poller<DeploymentExtended>> {
        let url = item(self.client, scope, name, "")?;
        self.client.begin(Method::PUT, &url, Some(&body_of(deployment)?)).await
    }

    /// `Deployments_Get[AtSubscriptionScope]`.
    pub async fn get(&self, scope: DeploymentScope<'_>, name: &str) -> Result<DeploymentExtended> {
        self.client.get_json(&item(self.client, scope, name, "")?).await
    }

    /// `Deployments_ListByResourceGroup` / `Deployments_ListAtSubscriptionScope`; `filter` is
    /// OData (`provisioningState eq 'Failed'`), `top` caps the number returned.
    pub fn list(
        &self,
        scope: DeploymentScope<'_>,
        filter: Option<&str>,
        top: Option<u32>,
    ) -> Result<Pager<DeploymentExtended>> {
        let top = top.map(|t| t.to_string());
        let url = self.client.url(&collection(self.client, scope)?, DEPLOYMENTS, &list_query(filter, top.as_deref()));
        Ok(Pager::new(self.client.clone(), url))
    }

    /// `Deployments_Delete[AtSubscriptionScope]`: removes the deployment record (not the
    /// resources it deployed).
    pub async fn delete(&self, scope: DeploymentScope<'_>, name: &str) -> Result<Poller<Value>> {
        self.client.begin(Method::DELETE, &item(self.client, scope, name, "")?, None).await
    }

    /// `Deployments_Validate[AtSubscriptionScope]`: a `400 InvalidTemplate` is an `Err`; a
    /// `200` may still carry an `error` (preflight).
    pub async fn validate(
        &self,
        scope: DeploymentScope<'_>,
        name: &str,
        deployment: &Deployment,
    ) -> Result<Poller<DeploymentValidateResult>> {
        let url = item(self.client, scope, name, "validate")?;
        self.client.begin(Method::POST, &url, Some(&body_of(deployment)?)).await
    }

    /// `Deployments_WhatIf[AtSubscriptionScope]`: the changes the deployment would make.
    pub async fn what_if(
        &self,
        scope: DeploymentScope<'_>,
        name: &str,
        deployment: &Deployment,
        result_format: WhatIfResultFormat,
    ) -> Result<Poller<WhatIfOperationResult>> {
        let mut body = body_of(deployment)?;
        body["properties"]["whatIfSettings"] = json!({"resultFormat": result_format});
        let url = item(self.client, scope, name, "whatIf")?;
        self.client.begin(Method::POST, &url, Some(&body)).await
    }
}

/// `DeploymentOperations_*`: the steps of a deployment.
pub struct DeploymentOperations<'a> {
    pub(crate) client: &'a ArmClient,
}

impl DeploymentOperations<'_> {
    /// `DeploymentOperations_List[AtSubscriptionScope]`.
    pub fn list(&self, scope: DeploymentScope<'_>, deployment: &str) -> Result<Pager<DeploymentOperation>> {
        let path = format!("{}/{}/operations", collection(self.client, scope)?, segment(deployment));
        Ok(Pager::new(self.client.clone(), self.client.url(&path, DEPLOYMENTS, &[])))
    }

    /// `DeploymentOperations_Get[AtSubscriptionScope]`.
    pub async fn get(
        &self,
        scope: DeploymentScope<'_>,
        deployment: &str,
        operation_id: &str,
    ) -> Result<DeploymentOperation> {
        let path =
            format!("{}/{}/operations/{}", collection(self.client, scope)?, segment(deployment), segment(operation_id));
        self.client.get_json(&self.client.url(&path, DEPLOYMENTS, &[])).await
    }
}
