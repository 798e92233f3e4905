//! Azure ML environments on both surfaces.
//!
//! v2 (ARM, 2024-10-01): `EnvironmentContainer` and `EnvironmentVersion` resources.
//! v1 (the environment service, EMS): [`EnvironmentDefinition`], the JSON azureml-core's
//! `Environment._serialize_to_dict` produces and reads back (camelCase, every section present,
//! fields in the SDK's order so the on-disk `azureml_environment.json` is byte for byte the
//! SDK's). The register body is different again: [`EnvironmentDefinition::register_body`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::Tags;

/// `EnvironmentContainer` (`…/workspaces/{ws}/environments/{name}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentContainer {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub properties: EnvironmentContainerProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentContainerProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

/// `EnvironmentVersion` (`…/environments/{name}/versions/{version}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub properties: EnvironmentVersionProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<Value>,
}

/// The properties the client sends and reads; absent ones are left out of a PUT.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentVersionProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildContext>,
    /// The conda file's text (YAML), not a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conda_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildContext {
    pub context_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_path: Option<String>,
}

/// Which versions or containers a list returns (`listViewType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListViewType {
    #[default]
    ActiveOnly,
    ArchivedOnly,
    All,
}

impl ListViewType {
    pub fn as_str(self) -> &'static str {
        match self {
            ListViewType::ActiveOnly => "ActiveOnly",
            ListViewType::ArchivedOnly => "ArchivedOnly",
            ListViewType::All => "All",
        }
    }
}

// ---------------------------------------------------------------- v1 (EMS)

/// An azureml-core environment definition, in `Environment._serialize_to_dict`'s key order.
/// Sections missing from an answer or a file get the SDK's defaults, so printing it is what the
/// SDK prints after reading the same JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentDefinition {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "version_text")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub environment_variables: Map<String, Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub python: PythonSection,
    #[serde(default, deserialize_with = "null_as_default")]
    pub docker: DockerSection,
    #[serde(default, deserialize_with = "null_as_default")]
    pub spark: SparkSection,
    #[serde(default, deserialize_with = "null_as_default")]
    pub databricks: DatabricksSection,
    #[serde(default)]
    pub r: Option<Value>,
    #[serde(default)]
    pub inferencing_stack_version: Option<String>,
    #[serde(default)]
    pub asset_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PythonSection {
    #[serde(default)]
    pub user_managed_dependencies: bool,
    #[serde(default = "python_interpreter")]
    pub interpreter_path: String,
    #[serde(default)]
    pub conda_dependencies_file: Option<String>,
    #[serde(default)]
    pub base_conda_environment: Option<String>,
    /// The conda specification as JSON (`name`, `channels`, `dependencies` with strings and
    /// `{"pip": […]}`), key order kept.
    #[serde(default)]
    pub conda_dependencies: Option<Value>,
}

fn python_interpreter() -> String {
    "python".into()
}

impl Default for PythonSection {
    fn default() -> Self {
        PythonSection {
            user_managed_dependencies: false,
            interpreter_path: python_interpreter(),
            conda_dependencies_file: None,
            base_conda_environment: None,
            conda_dependencies: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerSection {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub base_image: Option<String>,
    #[serde(default)]
    pub base_dockerfile: Option<String>,
    #[serde(default)]
    pub build_context: Option<Value>,
    #[serde(default = "yes")]
    pub shared_volumes: bool,
    #[serde(default)]
    pub shm_size: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub arguments: Vec<Value>,
    #[serde(default = "empty_registry", deserialize_with = "null_as_registry")]
    pub base_image_registry: Value,
    #[serde(default = "linux_platform", deserialize_with = "null_as_platform")]
    pub platform: Value,
}

fn yes() -> bool {
    true
}

fn empty_registry() -> Value {
    json!({"address": null, "username": null, "password": null, "registryIdentity": null})
}

fn linux_platform() -> Value {
    json!({"os": "Linux", "architecture": "amd64"})
}

impl Default for DockerSection {
    fn default() -> Self {
        DockerSection {
            enabled: false,
            base_image: None,
            base_dockerfile: None,
            build_context: None,
            shared_volumes: true,
            shm_size: None,
            arguments: Vec::new(),
            base_image_registry: empty_registry(),
            platform: linux_platform(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SparkSection {
    #[serde(default, deserialize_with = "null_as_default")]
    pub repositories: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub packages: Vec<Value>,
    #[serde(default = "yes")]
    pub precache_packages: bool,
}

impl Default for SparkSection {
    fn default() -> Self {
        SparkSection { repositories: Vec::new(), packages: Vec::new(), precache_packages: true }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabricksSection {
    #[serde(default, deserialize_with = "null_as_default")]
    pub maven_libraries: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pypi_libraries: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub rcran_libraries: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub jar_libraries: Vec<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub egg_libraries: Vec<Value>,
}

fn null_as_default<'de, D: serde::Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn null_as_registry<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.filter(|v| !v.is_null()).unwrap_or_else(empty_registry))
}

fn null_as_platform<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.filter(|v| !v.is_null()).unwrap_or_else(linux_platform))
}

/// A version is a string on the wire; a hand-edited file may hold a number.
fn version_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// The base image azureml-core 1.61 gives a new environment.
pub const DEFAULT_BASE_IMAGE: &str = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1";

impl EnvironmentDefinition {
    /// `Environment(name)` as azureml-core 1.61 builds it (what `scaffold` saves).
    pub fn new_default(name: &str) -> EnvironmentDefinition {
        let mut vars = Map::new();
        vars.insert("EXAMPLE_ENV_VAR".into(), json!("EXAMPLE_VALUE"));
        EnvironmentDefinition {
            name: Some(name.to_string()),
            version: None,
            environment_variables: vars,
            python: PythonSection {
                conda_dependencies: Some(json!({
                    "name": "project_environment",
                    "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}],
                    "channels": ["anaconda", "conda-forge"]
                })),
                ..PythonSection::default()
            },
            docker: DockerSection {
                base_image: Some(DEFAULT_BASE_IMAGE.into()),
                shm_size: Some("2g".into()),
                ..DockerSection::default()
            },
            spark: SparkSection::default(),
            databricks: DatabricksSection::default(),
            r: None,
            inferencing_stack_version: None,
            asset_id: None,
        }
    }

    /// `Environment._serialize_to_dict`.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The PUT body `_register_environment_definition` sends: `Name`, lower-case `python` and
    /// `r`, PascalCase `EnvironmentVariables`/`Docker`/`Spark`/`InferencingStackVersion`; no
    /// version (it is in the URL), no `databricks`, no `assetId`.
    pub fn register_body(&self) -> Value {
        let v = self.to_value();
        let mut m = Map::new();
        m.insert("Name".into(), json!(self.name));
        m.insert("python".into(), v["python"].clone());
        m.insert("EnvironmentVariables".into(), v["environmentVariables"].clone());
        m.insert("Docker".into(), v["docker"].clone());
        m.insert("Spark".into(), v["spark"].clone());
        m.insert("InferencingStackVersion".into(), v["inferencingStackVersion"].clone());
        m.insert("r".into(), v["r"].clone());
        Value::Object(m)
    }
}

/// The EMS list page: `{"value": […], "continuationToken": …}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentDefinitionPage {
    #[serde(default)]
    pub value: Vec<EnvironmentDefinition>,
    #[serde(default)]
    pub continuation_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_body_has_the_sdk_keys_in_order_and_no_version() {
        let mut d = EnvironmentDefinition::new_default("myenv");
        d.version = Some("3".into());
        let body = d.register_body();
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["Name", "python", "EnvironmentVariables", "Docker", "Spark", "InferencingStackVersion", "r"]);
        assert_eq!(body["Name"], "myenv");
        assert_eq!(body["python"]["condaDependencies"]["dependencies"][0], "python=3.8.13");
        assert_eq!(body["Docker"]["baseImage"], DEFAULT_BASE_IMAGE);
        assert_eq!(body["Docker"]["shmSize"], "2g");
        assert_eq!(body["EnvironmentVariables"], json!({"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"}));
        assert!(body.get("Version").is_none() && body.get("databricks").is_none());
    }

    #[test]
    fn a_sparse_answer_gets_the_sdk_defaults() {
        let d: EnvironmentDefinition =
            serde_json::from_value(json!({"name": "e", "version": 2, "python": null, "docker": {"baseImage": "x"}}))
                .unwrap();
        assert_eq!(d.version.as_deref(), Some("2"));
        let v = d.to_value();
        assert_eq!(v["python"]["interpreterPath"], "python");
        assert_eq!(v["docker"]["sharedVolumes"], true);
        assert_eq!(v["docker"]["platform"], json!({"os": "Linux", "architecture": "amd64"}));
        assert_eq!(v["environmentVariables"], json!({}));
        assert_eq!(v["databricks"]["eggLibraries"], json!([]));
    }
}
