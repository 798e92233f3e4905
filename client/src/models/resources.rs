//! `Microsoft.Resources`: resource groups, providers, subscriptions, generic resources.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupProperties {
    pub provisioning_state: Option<String>,
}

/// A resource group as the SDKs model it: `{id, location, managedBy, name, properties, tags, type}`.
/// The fields are in the order azure-mgmt-resource's model sets its attributes, which is the
/// key order az's `--query` sees (`keys(@)`, a table's columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroup {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub properties: Option<ResourceGroupProperties>,
    pub location: String,
    #[serde(default)]
    pub managed_by: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
}

/// The body of a resource group PUT.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupCreate {
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
}

/// The body of a resource group PATCH; `tags` replaces the whole set.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceGroupPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ProviderResourceType {
    #[serde(default)]
    pub aliases: Option<Value>,
    #[serde(default)]
    pub api_profiles: Option<Value>,
    #[serde(default)]
    pub api_versions: Option<Vec<String>>,
    #[serde(default)]
    pub capabilities: Option<String>,
    #[serde(default)]
    pub default_api_version: Option<String>,
    #[serde(default)]
    pub location_mappings: Option<Value>,
    #[serde(default)]
    pub locations: Option<Vec<String>>,
    #[serde(default)]
    pub properties: Option<Value>,
    #[serde(default)]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub zone_mappings: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub provider_authorization_consent_state: Option<String>,
    #[serde(default)]
    pub registration_policy: Option<String>,
    #[serde(default)]
    pub registration_state: Option<String>,
    #[serde(default)]
    pub resource_types: Option<Vec<ProviderResourceType>>,
}

impl Provider {
    pub fn resource_type(&self, name: &str) -> Option<&ProviderResourceType> {
        self.resource_types
            .as_ref()?
            .iter()
            .find(|t| t.resource_type.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(default)]
    pub id: Option<String>,
    pub subscription_id: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A resource of any type: the envelope fields, with everything else kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GenericResource {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub tags: Option<Tags>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A parsed ARM resource id: `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    pub subscription: String,
    pub resource_group: Option<String>,
    pub namespace: Option<String>,
    /// `(type, name)` pairs after the namespace.
    pub types: Vec<(String, String)>,
}

impl ResourceId {
    pub fn parse(id: &str) -> Option<ResourceId> {
        let segs: Vec<&str> = id.trim().trim_matches('/').split('/').collect();
        if segs.len() < 2 || !segs[0].eq_ignore_ascii_case("subscriptions") || segs[1].is_empty() {
            return None;
        }
        let mut r =
            ResourceId { subscription: segs[1].to_string(), resource_group: None, namespace: None, types: Vec::new() };
        let mut i = 2;
        if segs.len() >= 4 && segs[2].eq_ignore_ascii_case("resourceGroups") {
            r.resource_group = Some(segs[3].to_string());
            i = 4;
        }
        if i < segs.len() {
            if !segs[i].eq_ignore_ascii_case("providers") || i + 1 >= segs.len() {
                return None;
            }
            r.namespace = Some(segs[i + 1].to_string());
            let rest = &segs[i + 2..];
            if rest.len() % 2 == 1 || rest.iter().any(|s| s.is_empty()) {
                return None;
            }
            r.types = rest.chunks(2).map(|c| (c[0].to_string(), c[1].to_string())).collect();
        }
        Some(r)
    }

    /// `Namespace/type[/childType]`.
    pub fn full_type(&self) -> Option<String> {
        let ns = self.namespace.as_ref()?;
        let t: Vec<&str> = self.types.iter().map(|(t, _)| t.as_str()).collect();
        Some(format!("{ns}/{}", t.join("/")))
    }

    pub fn name(&self) -> Option<&str> {
        self.types.last().map(|(_, n)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_prints_nulls_like_az() {
        let g: ResourceGroup = serde_json::from_str(r#"{"id":"/subscriptions/s/resourceGroups/rg","name":"rg","type":"Microsoft.Resources/resourceGroups","location":"eastus","properties":{"provisioningState":"Succeeded"}}"#).unwrap();
        let v = serde_json::to_value(&g).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        // Every field, in the order az's `todict` of the SDK model has them.
        assert_eq!(keys, ["id", "name", "type", "properties", "location", "managedBy", "tags"]);
        assert_eq!(v["managedBy"], Value::Null);
        assert_eq!(v["tags"], Value::Null);
    }

    #[test]
    fn resource_ids_parse() {
        let id = ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/environments/e").unwrap();
        assert_eq!(id.resource_group.as_deref(), Some("rg"));
        assert_eq!(id.full_type().unwrap(), "Microsoft.MachineLearningServices/workspaces/environments");
        assert_eq!(id.name(), Some("e"));
        assert_eq!(ResourceId::parse("/subscriptions/s").unwrap().resource_group, None);
        assert!(ResourceId::parse("/foo/bar").is_none());
        assert!(ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Ns/type").is_none());
    }
}
