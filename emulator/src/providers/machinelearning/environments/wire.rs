//! The environments' wire form: reading a version's or a container's `properties` into typed
//! values (a wrong type is `400 InvalidRequestContent`, a wrong value `400 UserError`) and the
//! bodies they answer with, as the 2024-10-01 spec's examples show them.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::model::ids::ResourceId;
use crate::model::Principal;
use crate::protocol::body::json_kind;
use crate::protocol::{ArmError, ArmResult};
use crate::providers::common::system_data;

use super::model::{CONTAINER_TYPE, VERSION_TYPE};

/// A version PUT's `properties`, read.
#[derive(Debug, Clone)]
pub struct VersionSpec {
    /// The [`super::rules::DEFINITION`] properties, normalised (defaults filled in).
    pub definition: Map<String, Value>,
    pub description: Value,
    pub tags: Map<String, Value>,
    pub properties: Map<String, Value>,
    pub is_archived: bool,
    /// `None` keeps the stored stage (azure-ai-ml leaves it out of its archive PUT).
    pub stage: Option<String>,
}

/// A container PUT's `properties`, read.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub description: Value,
    pub tags: Map<String, Value>,
    pub properties: Map<String, Value>,
    pub is_archived: bool,
}

fn wrong_type(key: &str, what: &str, v: &Value) -> ArmError {
    ArmError::invalid_request_content(format!("'properties.{key}' must be {what}, found {}", json_kind(v)))
}

fn opt_str(p: &Map<String, Value>, key: &str) -> ArmResult<Option<String>> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(wrong_type(key, "a string", v)),
    }
}

fn opt_bool(p: &Map<String, Value>, key: &str) -> ArmResult<Option<bool>> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(wrong_type(key, "a boolean", v)),
    }
}

/// A string-to-string dictionary (`tags`, `properties`).
fn dictionary(p: &Map<String, Value>, key: &str) -> ArmResult<Map<String, Value>> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if !(v.is_string() || v.is_null()) {
                    return Err(ArmError::invalid_request_content(format!(
                        "'properties.{key}.{k}' must be a string, found {}",
                        json_kind(v)
                    )));
                }
            }
            Ok(m.clone())
        }
        Some(v) => Err(wrong_type(key, "an object", v)),
    }
}

/// One of `allowed`, matched case-insensitively and answered as spelled there.
fn one_of(
    p: &Map<String, Value>,
    key: &str,
    allowed: &[&'static str],
    default: &'static str,
) -> ArmResult<&'static str> {
    match opt_str(p, key)? {
        None => Ok(default),
        Some(v) => allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(&v)).ok_or_else(|| {
            ArmError::asset_user_error(format!(
                "'{key}' must be one of {}, not '{v}'.",
                allowed.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
            ))
        }),
    }
}

fn route(ic: &Map<String, Value>, key: &str) -> ArmResult<Option<Value>> {
    match ic.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(r)) => {
            let path = match r.get("path") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                _ => {
                    return Err(ArmError::asset_user_error(format!(
                        "'inferenceConfig.{key}.path' is required and must be a non-empty string."
                    )))
                }
            };
            let port = match r.get("port").and_then(Value::as_i64) {
                Some(n) if (1..=65535).contains(&n) => n,
                _ => {
                    return Err(ArmError::asset_user_error(format!(
                        "'inferenceConfig.{key}.port' is required and must be a port number from 1 to 65535."
                    )))
                }
            };
            Ok(Some(json!({"path": path, "port": port})))
        }
        Some(v) => Err(wrong_type(&format!("inferenceConfig.{key}"), "an object", v)),
    }
}

/// Reads a version PUT's `properties` (read-only ones, `environmentType` and
/// `provisioningState`, are ignored as the service does when a GET body is sent back).
pub fn version_spec(p: &Map<String, Value>) -> ArmResult<VersionSpec> {
    let image = opt_str(p, "image")?.filter(|s| !s.trim().is_empty());
    let build = match p.get("build") {
        None | Some(Value::Null) => None,
        Some(Value::Object(b)) => {
            let context = match b.get("contextUri") {
                Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                Some(v) if !v.is_null() && !v.is_string() => return Err(wrong_type("build.contextUri", "a string", v)),
                _ => return Err(ArmError::asset_user_error("'build.contextUri' is required when 'build' is given.")),
            };
            let dockerfile = match b.get("dockerfilePath") {
                None | Some(Value::Null) => "Dockerfile".to_string(),
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::String(_)) => "Dockerfile".to_string(),
                Some(v) => return Err(wrong_type("build.dockerfilePath", "a string", v)),
            };
            Some(json!({"contextUri": context, "dockerfilePath": dockerfile}))
        }
        Some(v) => return Err(wrong_type("build", "an object", v)),
    };
    match (&image, &build) {
        (None, None) => {
            return Err(ArmError::asset_user_error(
                "An environment needs either 'image' (a Docker image) or 'build' (a Docker build context); neither was given.",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(ArmError::asset_user_error(
                "An environment takes either 'image' or 'build', not both.",
            ))
        }
        _ => {}
    }
    let conda_file = opt_str(p, "condaFile")?.filter(|s| !s.is_empty());
    let os_type = one_of(p, "osType", &["Linux", "Windows"], "Linux")?;
    let auto_rebuild = one_of(p, "autoRebuild", &["Disabled", "OnBaseImageUpdate"], "Disabled")?;
    let inference = match p.get("inferenceConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(ic)) => {
            let mut out = Map::new();
            for key in ["livenessRoute", "readinessRoute", "scoringRoute"] {
                if let Some(r) = route(ic, key)? {
                    out.insert(key.into(), r);
                }
            }
            Some(Value::Object(out))
        }
        Some(v) => return Err(wrong_type("inferenceConfig", "an object", v)),
    };
    let mut definition = Map::new();
    if let Some(i) = image {
        definition.insert("image".into(), json!(i));
    }
    if let Some(b) = build {
        definition.insert("build".into(), b);
    }
    if let Some(c) = conda_file {
        definition.insert("condaFile".into(), json!(c));
    }
    definition.insert("osType".into(), json!(os_type));
    if let Some(ic) = inference {
        definition.insert("inferenceConfig".into(), ic);
    }
    definition.insert("autoRebuild".into(), json!(auto_rebuild));
    definition.insert("isAnonymous".into(), json!(opt_bool(p, "isAnonymous")?.unwrap_or(false)));
    Ok(VersionSpec {
        definition,
        description: opt_str(p, "description")?.map(Value::String).unwrap_or(Value::Null),
        tags: dictionary(p, "tags")?,
        properties: dictionary(p, "properties")?,
        is_archived: opt_bool(p, "isArchived")?.unwrap_or(false),
        stage: opt_str(p, "stage")?,
    })
}

/// Reads a container PUT's `properties` (`latestVersion`, `nextVersion` and
/// `provisioningState` are the server's).
pub fn container_spec(p: &Map<String, Value>) -> ArmResult<ContainerSpec> {
    Ok(ContainerSpec {
        description: opt_str(p, "description")?.map(Value::String).unwrap_or(Value::Null),
        tags: dictionary(p, "tags")?,
        properties: dictionary(p, "properties")?,
        is_archived: opt_bool(p, "isArchived")?.unwrap_or(false),
    })
}

/// A new version's body.
pub fn version_body(id: &ResourceId, spec: &VersionSpec, who: Option<&Principal>, now: DateTime<Utc>) -> Value {
    let mut p = Map::new();
    p.insert("description".into(), spec.description.clone());
    p.insert("tags".into(), Value::Object(spec.tags.clone()));
    p.insert("properties".into(), Value::Object(spec.properties.clone()));
    p.insert("isArchived".into(), json!(spec.is_archived));
    p.insert("environmentType".into(), json!("UserCreated"));
    for (k, v) in &spec.definition {
        p.insert(k.clone(), v.clone());
    }
    if let Some(s) = &spec.stage {
        p.insert("stage".into(), json!(s));
    }
    p.insert("provisioningState".into(), json!("Succeeded"));
    json!({
        "id": id.to_id(),
        "name": id.name(),
        "type": VERSION_TYPE,
        "properties": p,
        "systemData": system_data(who, now, None),
    })
}

/// The stored properties with what a PUT may change replaced (a PUT replaces: an absent
/// description, tags or properties clear them; an absent `stage` keeps it).
pub fn merge_mutable(cur: &Map<String, Value>, spec: &VersionSpec) -> Map<String, Value> {
    let mut p = cur.clone();
    p.insert("description".into(), spec.description.clone());
    p.insert("tags".into(), Value::Object(spec.tags.clone()));
    p.insert("properties".into(), Value::Object(spec.properties.clone()));
    p.insert("isArchived".into(), json!(spec.is_archived));
    if let Some(s) = &spec.stage {
        p.insert("stage".into(), json!(s));
    }
    p
}

/// A container created by its first version (or by a container PUT).
pub fn new_container_body(id: &ResourceId, who: Option<&Principal>, now: DateTime<Utc>) -> Value {
    json!({
        "id": id.to_id(),
        "name": id.name(),
        "type": CONTAINER_TYPE,
        "properties": {
            "description": null,
            "tags": {},
            "properties": {},
            "isArchived": false,
            "latestVersion": null,
            "nextVersion": "1",
            "provisioningState": "Succeeded",
        },
        "systemData": system_data(who, now, None),
    })
}

/// The version after `v`: `v + 1` for a whole number, else `"1"`.
pub fn next_after(v: &str) -> String {
    v.parse::<u64>().ok().and_then(|n| n.checked_add(1)).map(|n| n.to_string()).unwrap_or_else(|| "1".into())
}

/// The container's `nextVersion` once `version` exists: past every whole-number version
/// created so far, never going back.
pub fn next_version_after(current_next: &str, version: &str) -> String {
    let cur = current_next.parse::<u64>().unwrap_or(1);
    match version.parse::<u64>().ok().and_then(|n| n.checked_add(1)) {
        Some(n) if n > cur => n.to_string(),
        _ => cur.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_versions() {
        assert_eq!(next_after("48"), "49");
        assert_eq!(next_after("beta"), "1");
        assert_eq!(next_version_after("1", "1"), "2");
        assert_eq!(next_version_after("5", "2"), "5");
        assert_eq!(next_version_after("2", "abc"), "2");
        assert_eq!(next_version_after("2", "10"), "11");
    }

    #[test]
    fn image_or_build_but_not_both() {
        let p = |v: Value| v.as_object().cloned().unwrap();
        assert!(version_spec(&p(json!({}))).is_err());
        assert!(version_spec(&p(json!({"image": "a", "build": {"contextUri": "https://x/y"}}))).is_err());
        let s = version_spec(&p(json!({"image": "a"}))).unwrap();
        assert_eq!(s.definition["osType"], "Linux");
        assert_eq!(s.definition["autoRebuild"], "Disabled");
        let s = version_spec(&p(json!({"build": {"contextUri": "https://x/y"}, "osType": "windows"}))).unwrap();
        assert_eq!(s.definition["build"]["dockerfilePath"], "Dockerfile");
        assert_eq!(s.definition["osType"], "Windows");
        assert_eq!(version_spec(&p(json!({"image": 3}))).unwrap_err().status, 400);
    }
}
