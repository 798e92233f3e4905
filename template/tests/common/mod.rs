//! Shared test helpers: a fixed context and an in-memory host.
#![allow(dead_code)]

use armtemplate::{Context, Host, HostError, Scope, Value};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// A resource-group-scoped context with a fixed clock and guid.
pub fn ctx() -> Context {
    Context {
        scope: Scope::ResourceGroup { subscription: SUB.into(), group: "rg1".into() },
        tenant_id: TENANT.into(),
        subscription: json!({"id": format!("/subscriptions/{SUB}"), "subscriptionId": SUB, "tenantId": TENANT, "displayName": "Emulated"}),
        resource_group: Some(
            json!({"id": format!("/subscriptions/{SUB}/resourceGroups/rg1"), "name": "rg1", "location": "eastus", "properties": {"provisioningState": "Succeeded"}}),
        ),
        deployment_name: "dep1".into(),
        deployment_location: None,
        environment: json!({"name": "AzureCloud", "suffixes": {"storage": "core.windows.net"}}),
        now: chrono::DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_default(),
        new_guid: Arc::new(|| "11111111-2222-3333-4444-555555555555".to_string()),
    }
}

/// A subscription-scoped context.
pub fn sub_ctx() -> Context {
    Context {
        scope: Scope::Subscription { subscription: SUB.into() },
        resource_group: None,
        deployment_location: Some("eastus".into()),
        ..ctx()
    }
}

/// An in-memory host: `get` answers for the resources put in it (ids compared case-insensitively).
#[derive(Default)]
pub struct MemHost {
    pub resources: Mutex<HashMap<String, Value>>,
    pub gets: Mutex<Vec<String>>,
}

impl MemHost {
    pub fn put(&self, id: &str, body: Value) {
        if let Ok(mut r) = self.resources.lock() {
            r.insert(id.to_ascii_lowercase(), body);
        }
    }
}

impl Host for MemHost {
    fn get(&self, id: &str, _api: Option<&str>) -> Result<Value, HostError> {
        if let Ok(mut g) = self.gets.lock() {
            g.push(id.to_string());
        }
        self.resources.lock().ok().and_then(|r| r.get(&id.to_ascii_lowercase()).cloned()).ok_or_else(|| HostError {
            code: "ResourceNotFound".into(),
            message: format!("The Resource '{id}' was not found."),
        })
    }
    fn invoke(&self, id: &str, action: &str, api: &str, body: Option<&Value>) -> Result<Value, HostError> {
        self.get(id, Some(api))?;
        Ok(
            json!({"action": action, "apiVersion": api, "id": id, "body": body, "keys": [{"keyName": "key1", "value": "secret"}]}),
        )
    }
    fn provider(&self, namespace: &str, resource_type: Option<&str>) -> Result<Value, HostError> {
        Ok(json!({"namespace": namespace, "resourceType": resource_type, "locations": ["eastus"]}))
    }
}
