//! The Microsoft Graph lookups az makes to turn a sign-in name or an app id into an object id
//! (`GET /v1.0/users/{upn}`, `GET /v1.0/servicePrincipals?$filter=appId eq '…'`), against the
//! Graph endpoint at the ARM endpoint's origin (where armemu serves it), with a Graph token.

use hyper::Method;
use serde_json::Value;

use crate::client::{segment, ArmClient};
use crate::error::{Error, Result};
use crate::http::HttpRequest;

pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

pub struct Graph<'a> {
    pub(crate) client: &'a ArmClient,
}

impl Graph<'_> {
    async fn get(&self, path_and_query: &str) -> Result<Value> {
        self.send(Method::GET, path_and_query, None).await
    }

    async fn send(&self, method: Method, path_and_query: &str, body: Option<&Value>) -> Result<Value> {
        let token = self.client.access_token(Some(GRAPH_SCOPE)).await?;
        let url = format!("{}/v1.0{path_and_query}", self.client.endpoint().trim_end_matches('/'));
        let mut req = HttpRequest::new(method, url)
            .header("Authorization", format!("Bearer {}", token.token))
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json_body(b);
        }
        let resp = self.client.http().send(&req).await?;
        if !resp.is_success() {
            return Err(Error::from_response(resp.status, &resp.body, resp.request_id()));
        }
        serde_json::from_slice(&resp.body)
            .map_err(|e| Error::invalid(format!("Graph answered something that is not JSON: {e}")))
    }

    /// A user's object id by user principal name (or object id).
    pub async fn user_id(&self, upn: &str) -> Result<Option<String>> {
        match self.get(&format!("/users/{}", segment(upn))).await {
            Ok(v) => Ok(v.get("id").and_then(Value::as_str).map(String::from)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn filter(f: &str) -> String {
        form_urlencoded::Serializer::new(String::new()).append_pair("$filter", f).finish()
    }

    /// The first user whose `userPrincipalName` is `upn`.
    pub async fn user_by_upn(&self, upn: &str) -> Result<Option<String>> {
        let v = self.get(&format!("/users?{}", Self::filter(&format!("userPrincipalName eq '{upn}'")))).await?;
        Ok(v.pointer("/value/0/id").and_then(Value::as_str).map(String::from))
    }

    /// The first service principal one of whose `servicePrincipalNames` is `name` (an app id).
    pub async fn service_principal_by_name(&self, name: &str) -> Result<Option<String>> {
        let f = format!("servicePrincipalNames/any(c:c eq '{name}')");
        let v = self.get(&format!("/servicePrincipals?{}", Self::filter(&f))).await?;
        Ok(v.pointer("/value/0/id").and_then(Value::as_str).map(String::from))
    }

    /// `directoryObjects/getByIds` for users, groups and service principals.
    pub async fn objects_by_ids(&self, ids: &[String]) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(1000) {
            let body = serde_json::json!({"ids": chunk, "types": ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"]});
            let v = self.send(Method::POST, "/directoryObjects/getByIds", Some(&body)).await?;
            out.extend(v.get("value").and_then(Value::as_array).cloned().unwrap_or_default());
        }
        Ok(out)
    }

    /// A service principal's object id by its application (client) id.
    pub async fn service_principal_id(&self, app_id: &str) -> Result<Option<String>> {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("$filter", &format!("appId eq '{app_id}'"))
            .finish();
        let v = self.get(&format!("/servicePrincipals?{q}")).await?;
        Ok(v.pointer("/value/0/id").and_then(Value::as_str).map(String::from))
    }
}
