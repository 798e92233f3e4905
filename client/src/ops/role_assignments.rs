//! `RoleAssignments_*` at any scope (`/subscriptions/{s}[/resourceGroups/{rg}[/providers/…]]`).

use hyper::Method;
use serde_json::Value;

use super::api::AUTHORIZATION;
use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::models::{RoleAssignment, RoleAssignmentCreate};
use crate::pager::Pager;

pub struct RoleAssignments<'a> {
    pub(crate) client: &'a ArmClient,
}

fn scope_path(scope: &str) -> String {
    scope
        .trim()
        .trim_end_matches('/')
        .split('/')
        .map(|s| if s.is_empty() { String::new() } else { segment(s) })
        .collect::<Vec<_>>()
        .join("/")
}

impl RoleAssignments<'_> {
    fn url(&self, scope: &str, name: &str) -> String {
        self.client.url(
            &format!("{}/providers/Microsoft.Authorization/roleAssignments/{}", scope_path(scope), segment(name)),
            AUTHORIZATION,
            &[],
        )
    }

    /// `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`; `name` is a new GUID.
    pub async fn create(&self, scope: &str, name: &str, params: &RoleAssignmentCreate) -> Result<RoleAssignment> {
        let body = serde_json::to_value(params).map_err(|e| Error::invalid(e.to_string()))?;
        self.client.send_json(Method::PUT, &self.url(scope, name), Some(&body)).await
    }

    pub async fn get(&self, scope: &str, name: &str) -> Result<RoleAssignment> {
        self.client.get_json(&self.url(scope, name)).await
    }

    pub async fn delete(&self, scope: &str, name: &str) -> Result<Option<Value>> {
        let resp = self.client.send(Method::DELETE, &self.url(scope, name), None).await?;
        Ok(if resp.body.is_empty() { None } else { serde_json::from_slice(&resp.body).ok() })
    }

    pub fn list_for_scope(&self, scope: &str, filter: Option<&str>) -> Pager<RoleAssignment> {
        let q: Vec<(&str, &str)> = filter.map(|f| vec![("$filter", f)]).unwrap_or_default();
        let url = self.client.url(
            &format!("{}/providers/Microsoft.Authorization/roleAssignments", scope_path(scope)),
            AUTHORIZATION,
            &q,
        );
        Pager::new(self.client.clone(), url)
    }
}

/// `RoleDefinitions_*`: the built-in roles, listable at any scope and filterable by `roleName`.
pub struct RoleDefinitions<'a> {
    pub(crate) client: &'a ArmClient,
}

impl RoleDefinitions<'_> {
    /// `RoleDefinitions_List` (`$filter=roleName eq '…'`).
    pub fn list(&self, scope: &str, filter: Option<&str>) -> Pager<Value> {
        let q: Vec<(&str, &str)> = filter.map(|f| vec![("$filter", f)]).unwrap_or_default();
        let path = format!("{}/providers/Microsoft.Authorization/roleDefinitions", scope_path(scope));
        Pager::new(self.client.clone(), self.client.url(&path, AUTHORIZATION, &q))
    }

    /// `RoleDefinitions_Get` at a scope.
    pub async fn get(&self, scope: &str, role_definition_id: &str) -> Result<Value> {
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
            scope_path(scope),
            segment(role_definition_id)
        );
        self.client.get_json(&self.client.url(&path, AUTHORIZATION, &[])).await
    }

    /// `RoleDefinitions_GetById` (`/providers/Microsoft.Authorization/roleDefinitions/{guid}`).
    pub async fn get_by_id(&self, role_definition_id: &str) -> Result<Value> {
        let path = format!("/providers/Microsoft.Authorization/roleDefinitions/{}", segment(role_definition_id));
        self.client.get_json(&self.client.url(&path, AUTHORIZATION, &[])).await
    }
}
