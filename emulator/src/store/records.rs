//! The records the state holds: resource groups, resources (with their GET body as text),
//! provider registrations. Subscriptions and tenants are `model` records.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::body::Body;
use crate::model::{ProvisioningState, RegistrationState};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    pub subscription_id: String,
    /// The name as the client first cased it.
    pub name: String,
    pub location: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub managed_by: Option<String>,
    /// `Succeeded`, or `Deleting` while a cascade delete runs.
    pub provisioning_state: ProvisioningState,
    pub created_time: DateTime<Utc>,
    pub changed_time: DateTime<Utc>,
}

impl ResourceGroup {
    pub fn is_deleting(&self) -> bool {
        self.provisioning_state == ProvisioningState::Deleting
    }
}

/// Any resource below a subscription or resource group: a tracked resource, a child, or an
/// extension resource.
///
/// A large state holds hundreds of thousands of these, so the record is kept small: the body
/// is its JSON text, the strings many resources repeat (type, subscription, group) are shared
/// when a state document is read, and the rare side data (`secrets`) is boxed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The canonical id in the casing the client first used.
    pub id: String,
    /// The full type, e.g. `Microsoft.Storage/storageAccounts`.
    #[serde(rename = "type")]
    pub resource_type: Arc<str>,
    pub name: String,
    pub subscription_id: Arc<str>,
    /// The group's name as first cased; empty for subscription-scope resources.
    pub resource_group: Arc<str>,
    /// The JSON the resource provider answers a GET with.
    pub body: Body,
    pub created_time: DateTime<Utc>,
    pub changed_time: DateTime<Utc>,
    /// Set while the resource is soft-deleted: invisible to GET and lists, name reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_deleted: Option<SoftDeleted>,
    /// Data the type keeps beside its body, never part of the GET body: the keys and
    /// passwords of list-keys actions, a deployment's template and operations, an environment
    /// version's v1 definition and creation order. Exported, imported and logged with the
    /// record (the serde name stays `secrets`, so older documents and logs load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Box<Value>>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SoftDeleted {
    pub deleted_at: DateTime<Utc>,
    pub purge_at: DateTime<Utc>,
}

impl Resource {
    pub fn is_live(&self) -> bool {
        self.soft_deleted.is_none()
    }

    /// The body's `etag`, if the type has one (for `If-Match` / `If-None-Match`).
    pub fn etag(&self) -> Option<String> {
        self.body.string("/etag")
    }

    pub fn key(&self) -> String {
        self.id.to_lowercase()
    }
}

/// A provider's registration in one subscription. A transition in progress (`Registering`,
/// `Unregistering`) settles when the clock passes `settles_at`, or after `polls_left` more
/// reads of the provider, whichever the configuration chose.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub subscription_id: String,
    pub namespace: String,
    pub state: RegistrationState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settles_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls_left: Option<u32>,
}

impl Registration {
    pub fn key(&self) -> String {
        registration_key(&self.subscription_id, &self.namespace)
    }

    /// The registration after its transition settled.
    pub fn settled(&self) -> Registration {
        Registration { state: self.state.settled(), settles_at: None, polls_left: None, ..self.clone() }
    }
}

/// The key of a registration: lower-cased `subscription/namespace`.
pub fn registration_key(sub: &str, ns: &str) -> String {
    format!("{}/{}", sub.to_lowercase(), ns.to_lowercase())
}
