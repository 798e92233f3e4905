//! `Microsoft.Resources/deployments`: template deployments, their validation, what-if and
//! operations (ARM REST `Deployments_*`, `DeploymentOperations_*`, api-version 2025-04-01).
//!
//! Unlike the other models, absent fields are left out when serializing (not `null`): a
//! deployment answer has many optional parts, and the CLI rebuilds az's exact key set from the
//! SDK's model table (`cli::commands::deployment`), so the library keeps the answer as sent.
//! Every type keeps unknown fields in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ErrorDetail;

use super::resources::Tags;

/// `Incremental` (only add or update) or `Complete` (also delete what the template omits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DeploymentMode {
    #[default]
    Incremental,
    Complete,
}

impl DeploymentMode {
    pub fn parse(s: &str) -> Option<DeploymentMode> {
        match s.to_ascii_lowercase().as_str() {
            "incremental" => Some(DeploymentMode::Incremental),
            "complete" => Some(DeploymentMode::Complete),
            _ => None,
        }
    }
}

/// `DeploymentProperties`: what a PUT, validate or what-if sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentProperties {
    pub mode: DeploymentMode,
    /// The template itself (this client sends templates inline; `templateLink` needs a network).
    pub template: Value,
    /// `{"name": {"value": …}}` (or `{"reference": …}` for a key vault secret).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub parameters: Map<String, Value>,
    /// `whatIfSettings` and anything else this client does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `Deployments_CreateOrUpdate`, `_Validate` and `_WhatIf`. `location` is required
/// at subscription scope (where the deployment's metadata is kept) and absent at group scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    pub properties: DeploymentProperties,
}

/// `properties` of a deployment as ARM answers (`DeploymentPropertiesExtended`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentPropertiesExtended {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// ISO 8601, as sent (up to 7 fractional digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// ISO 8601 duration (`PT1.5S`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// `{"name": {"type": "String", "value": …}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_resources: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<Value>>,
    /// Set when the deployment failed (`DeploymentFailed`, with one detail per failed resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A deployment as ARM answers (`DeploymentExtended`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentExtended {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<DeploymentPropertiesExtended>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DeploymentExtended {
    pub fn provisioning_state(&self) -> Option<&str> {
        self.properties.as_ref()?.provisioning_state.as_deref()
    }

    /// The value of output `name` (outputs are `{"type": …, "value": …}`).
    pub fn output(&self, name: &str) -> Option<&Value> {
        let outputs = self.properties.as_ref()?.outputs.as_ref()?;
        outputs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.get("value"))
    }
}

/// The answer of `Deployments_Validate`: the deployment as it would be, or an `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentValidateResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<DeploymentPropertiesExtended>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What `whatIfSettings.resultFormat` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum WhatIfResultFormat {
    #[default]
    FullResourcePayloads,
    ResourceIdOnly,
}

/// One property of a what-if `delta` (`WhatIfPropertyChange`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfPropertyChange {
    #[serde(default)]
    pub path: String,
    /// `Create`, `Delete`, `Modify`, `Array`, `NoEffect`.
    #[serde(default)]
    pub property_change_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<WhatIfPropertyChange>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One resource of a what-if result (`WhatIfChange`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// `Create`, `Delete`, `Ignore`, `Deploy`, `NoChange`, `Modify`, `Unsupported`.
    #[serde(default)]
    pub change_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<Vec<WhatIfPropertyChange>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `properties` of a what-if answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<WhatIfChange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub potential_changes: Option<Vec<WhatIfChange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The answer of `Deployments_WhatIf`: `{"status": "Succeeded", "properties": {"changes": […]}}`,
/// or an `error` when the template cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfOperationResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<WhatIfProperties>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WhatIfOperationResult {
    pub fn changes(&self) -> &[WhatIfChange] {
        self.properties.as_ref().and_then(|p| p.changes.as_deref()).unwrap_or_default()
    }
}

/// One step of a deployment (`DeploymentOperation`): the resource it touched and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentOperation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// `provisioningOperation`, `provisioningState`, `timestamp`, `statusCode`,
    /// `statusMessage`, `targetResource`, … as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DeploymentOperation {
    fn prop(&self, key: &str) -> Option<&Value> {
        self.properties.as_ref()?.get(key)
    }

    pub fn provisioning_state(&self) -> Option<&str> {
        self.prop("provisioningState").and_then(Value::as_str)
    }

    /// `properties.targetResource.id`.
    pub fn target_id(&self) -> Option<&str> {
        self.prop("targetResource")?.get("id").and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deployment_body_has_the_documented_shape() {
        let mut parameters = Map::new();
        parameters.insert("prefix".into(), json!({"value": "sa"}));
        let d = Deployment {
            location: None,
            tags: None,
            properties: DeploymentProperties {
                mode: DeploymentMode::Complete,
                template: json!({"resources": []}),
                parameters,
                extra: Map::new(),
            },
        };
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"properties": {"mode": "Complete", "template": {"resources": []}, "parameters": {"prefix": {"value": "sa"}}}})
        );
        assert_eq!(DeploymentMode::parse("complete"), Some(DeploymentMode::Complete));
        assert_eq!(DeploymentMode::parse("x"), None);
    }

    #[test]
    fn answers_keep_unknown_fields_and_read_outputs() {
        let text = r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d","name":"d","type":"Microsoft.Resources/deployments","properties":{"provisioningState":"Succeeded","outputs":{"First":{"type":"String","value":"sa0"}},"validationLevel":"Template"},"other":1}"#;
        let d: DeploymentExtended = serde_json::from_str(text).unwrap();
        assert_eq!(d.provisioning_state(), Some("Succeeded"));
        assert_eq!(d.output("first"), Some(&json!("sa0")));
        let back = serde_json::to_value(&d).unwrap();
        assert_eq!(back["properties"]["validationLevel"], "Template");
        assert_eq!(back["other"], 1);
        assert!(back.get("location").is_none(), "absent stays absent");
    }
}
