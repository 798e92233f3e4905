//! The v1 environment definition and its translations, as pure functions.
//!
//! - [`definition_from_register`]: the register body (`Name`, `python`, `EnvironmentVariables`,
//!   `Docker`, `Spark`, `InferencingStackVersion`, `r`: mixed casing, matched
//!   case-insensitively at every level as the ASP.NET service does) → the canonical definition:
//!   the camelCase key set of azureml-core's `Environment._serialize_to_dict` without `name`,
//!   `version` and `assetId`, with what the body leaves out filled as a new
//!   `Environment(name)` fills it.
//! - [`v2_properties`]: a definition → the v2 `properties` the one store keeps (`image` from
//!   `docker.baseImage`; `build` from a build context, or, for an inline `baseDockerfile`, an
//!   `azureml://` URI naming this version's Dockerfile; `condaFile` as YAML; `osType`).
//! - [`definition_from_v2`]: a version created through ARM (or a curated one) → a definition,
//!   so `Environment.get` and the listing answer every environment (`condaDependencies`
//!   parsed from `condaFile`).
//! - [`v1_body`]: a definition with its name, version and `assetId`: the EMS's answer.
//! - [`image_hash`]: what names a definition's image (`azureml/azureml_{hash}`).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::protocol::body::json_kind;
use crate::protocol::{ArmError, ArmResult};

/// azureml-core 1.61's `DEFAULT_CPU_IMAGE`: the base image of a new `Environment`.
pub const DEFAULT_BASE_IMAGE: &str = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1";
/// azureml-core's `_DEFAULT_SHM_SIZE`.
const DEFAULT_SHM_SIZE: &str = "2g";

/// azureml-core's default `CondaDependencies()` (what a new `Environment` carries).
pub fn default_conda_dependencies() -> Value {
    json!({
        "name": "project_environment",
        "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}],
        "channels": ["anaconda", "conda-forge"],
    })
}

/// The value of `key` in `m`, any casing (an exact match first).
fn get_ci<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).or_else(|| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

fn bad(path: &str, expected: &str, v: &Value) -> ArmError {
    ArmError::asset_user_error(format!(
        "The environment definition's '{path}' must be {expected}, found {}.",
        json_kind(v)
    ))
}

/// A section that must be an object when present; `None` when absent or null.
fn section<'a>(m: &'a Map<String, Value>, key: &str, path: &str) -> ArmResult<Option<&'a Map<String, Value>>> {
    match get_ci(m, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(v) => Err(bad(path, "an object", v)),
    }
}

/// A field of a known JSON kind, or `default` when absent or null.
fn field(m: Option<&Map<String, Value>>, key: &str, path: &str, kind: Kind, default: Value) -> ArmResult<Value> {
    match m.and_then(|m| get_ci(m, key)) {
        None | Some(Value::Null) => Ok(default),
        Some(v) if kind.fits(v) => Ok(v.clone()),
        Some(v) => Err(bad(path, kind.expected(), v)),
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Str,
    Obj,
    Arr,
    /// Any JSON value (kept as sent).
    Any,
}

impl Kind {
    fn fits(self, v: &Value) -> bool {
        match self {
            Kind::Bool => v.is_boolean(),
            Kind::Str => v.is_string(),
            Kind::Obj => v.is_object(),
            Kind::Arr => v.is_array(),
            Kind::Any => true,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Bool => "a boolean",
            Kind::Str => "a string",
            Kind::Obj => "an object",
            Kind::Arr => "an array",
            Kind::Any => "a value",
        }
    }
}

/// The canonical definition of a register body (see the module doc). Wrong JSON kinds are
/// `400 UserError` naming the field.
pub fn definition_from_register(body: &Map<String, Value>) -> ArmResult<Value> {
    let python = section(body, "python", "python")?;
    let user_managed =
        field(python, "userManagedDependencies", "python.userManagedDependencies", Kind::Bool, json!(false))?;
    let conda_default = match python.and_then(|p| get_ci(p, "condaDependencies")) {
        // Left out entirely: a new Environment's default; an explicit null stays null.
        None if user_managed == json!(false) => default_conda_dependencies(),
        _ => Value::Null,
    };
    let conda = field(python, "condaDependencies", "python.condaDependencies", Kind::Obj, conda_default)?;
    let python = json!({
        "userManagedDependencies": user_managed,
        "interpreterPath": field(python, "interpreterPath", "python.interpreterPath", Kind::Str, json!("python"))?,
        "condaDependenciesFile": field(python, "condaDependenciesFile", "python.condaDependenciesFile", Kind::Str, Value::Null)?,
        "baseCondaEnvironment": field(python, "baseCondaEnvironment", "python.baseCondaEnvironment", Kind::Str, Value::Null)?,
        "condaDependencies": conda,
    });

    let docker = section(body, "docker", "docker")?;
    let dockerfile = field(docker, "baseDockerfile", "docker.baseDockerfile", Kind::Str, Value::Null)?;
    let context = field(docker, "buildContext", "docker.buildContext", Kind::Obj, Value::Null)?;
    let image_default =
        if dockerfile.is_null() && context.is_null() && docker.is_none_or(|d| get_ci(d, "baseImage").is_none()) {
            json!(DEFAULT_BASE_IMAGE)
        } else {
            Value::Null
        };
    let registry = docker.map(|d| section(d, "baseImageRegistry", "docker.baseImageRegistry")).transpose()?.flatten();
    let platform = docker.map(|d| section(d, "platform", "docker.platform")).transpose()?.flatten();
    let reg = |k: &str| field(registry, k, &format!("docker.baseImageRegistry.{k}"), Kind::Str, Value::Null);
    let docker = json!({
        "enabled": field(docker, "enabled", "docker.enabled", Kind::Bool, json!(false))?,
        "baseImage": field(docker, "baseImage", "docker.baseImage", Kind::Str, image_default)?,
        "baseDockerfile": dockerfile,
        "buildContext": context,
        "sharedVolumes": field(docker, "sharedVolumes", "docker.sharedVolumes", Kind::Bool, json!(true))?,
        "shmSize": field(docker, "shmSize", "docker.shmSize", Kind::Str, json!(DEFAULT_SHM_SIZE))?,
        "arguments": field(docker, "arguments", "docker.arguments", Kind::Arr, json!([]))?,
        "baseImageRegistry": {
            "address": reg("address")?,
            "username": reg("username")?,
            "password": reg("password")?,
            "registryIdentity": field(registry, "registryIdentity", "docker.baseImageRegistry.registryIdentity", Kind::Obj, Value::Null)?,
        },
        "platform": {
            "os": field(platform, "os", "docker.platform.os", Kind::Str, json!("Linux"))?,
            "architecture": field(platform, "architecture", "docker.platform.architecture", Kind::Str, json!("amd64"))?,
        },
    });

    let spark = section(body, "spark", "spark")?;
    let spark = json!({
        "repositories": field(spark, "repositories", "spark.repositories", Kind::Arr, json!([]))?,
        "packages": field(spark, "packages", "spark.packages", Kind::Arr, json!([]))?,
        "precachePackages": field(spark, "precachePackages", "spark.precachePackages", Kind::Bool, json!(true))?,
    });
    let databricks = section(body, "databricks", "databricks")?;
    let mut db = Map::new();
    for k in ["mavenLibraries", "pypiLibraries", "rcranLibraries", "jarLibraries", "eggLibraries"] {
        db.insert(k.into(), field(databricks, k, &format!("databricks.{k}"), Kind::Arr, json!([]))?);
    }
    let env_vars = field(
        Some(body),
        "environmentVariables",
        "environmentVariables",
        Kind::Obj,
        json!({"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"}),
    )?;
    Ok(json!({
        "environmentVariables": env_vars,
        "python": python,
        "docker": docker,
        "spark": spark,
        "databricks": Value::Object(db),
        "r": field(Some(body), "r", "r", Kind::Obj, Value::Null)?,
        "inferencingStackVersion": field(Some(body), "inferencingStackVersion", "inferencingStackVersion", Kind::Any, Value::Null)?,
    }))
}

/// The conda dependencies as the YAML text v2 keeps in `condaFile` (key order as sent).
pub fn conda_yaml(conda: &Value) -> String {
    serde_yaml::to_string(conda).unwrap_or_default()
}

/// The v2 `properties` of a definition registered as `{asset_id}` (see the module doc).
pub fn v2_properties(def: &Value, asset_id: &str) -> Value {
    let docker = &def["docker"];
    let mut p = Map::new();
    if let Some(ctx) = docker["buildContext"].as_object() {
        let location = ctx.get("location").and_then(Value::as_str).unwrap_or(asset_id);
        let path = ctx.get("dockerfilePath").and_then(Value::as_str).unwrap_or("Dockerfile");
        p.insert("build".into(), json!({"contextUri": location, "dockerfilePath": path}));
    } else if docker["baseDockerfile"].is_string() {
        // The Dockerfile is inline in the v1 definition: the build context is this version.
        p.insert(
            "build".into(),
            json!({"contextUri": format!("{asset_id}/dockerfile"), "dockerfilePath": "Dockerfile"}),
        );
    } else {
        let image = docker["baseImage"].as_str().unwrap_or(DEFAULT_BASE_IMAGE);
        let image = match docker["baseImageRegistry"]["address"].as_str() {
            Some(addr) if !addr.is_empty() && !image.starts_with(addr) => format!("{addr}/{image}"),
            _ => image.to_string(),
        };
        p.insert("image".into(), json!(image));
    }
    let python = &def["python"];
    if python["userManagedDependencies"] != json!(true) && python["condaDependencies"].is_object() {
        p.insert("condaFile".into(), json!(conda_yaml(&python["condaDependencies"])));
    }
    let os = match docker["platform"]["os"].as_str() {
        Some(o) if o.eq_ignore_ascii_case("windows") => "Windows",
        _ => "Linux",
    };
    p.insert("osType".into(), json!(os));
    p.insert("description".into(), json!("Registered through the Azure ML v1 environment service."));
    Value::Object(p)
}

/// The definition of a version that has no v1 definition (created through ARM, or curated).
pub fn definition_from_v2(props: &Value) -> Value {
    let conda = props["condaFile"]
        .as_str()
        .and_then(|t| serde_yaml::from_str::<Value>(t).ok())
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let build = props["build"].as_object();
    let context = build.map(|b| {
        json!({
            "locationType": "StorageAccount",
            "location": b.get("contextUri").cloned().unwrap_or(Value::Null),
            "dockerfilePath": b.get("dockerfilePath").cloned().unwrap_or_else(|| json!("Dockerfile")),
        })
    });
    json!({
        "environmentVariables": {},
        "python": {
            "userManagedDependencies": conda.is_null(),
            "interpreterPath": "python",
            "condaDependenciesFile": null,
            "baseCondaEnvironment": null,
            "condaDependencies": conda,
        },
        "docker": {
            "enabled": false,
            "baseImage": props["image"].as_str(),
            "baseDockerfile": null,
            "buildContext": context,
            "sharedVolumes": true,
            "shmSize": DEFAULT_SHM_SIZE,
            "arguments": [],
            "baseImageRegistry": {"address": null, "username": null, "password": null, "registryIdentity": null},
            "platform": {"os": props["osType"].as_str().unwrap_or("Linux"), "architecture": "amd64"},
        },
        "spark": {"repositories": [], "packages": [], "precachePackages": true},
        "databricks": {"mavenLibraries": [], "pypiLibraries": [], "rcranLibraries": [], "jarLibraries": [], "eggLibraries": []},
        "r": null,
        "inferencingStackVersion": null,
    })
}

/// `azureml://locations/{location}/workspaces/{workspaceId}/environments/{name}/versions/{v}`.
pub fn asset_id(location: &str, workspace_id: &str, name: &str, version: &str) -> String {
    format!("azureml://locations/{location}/workspaces/{workspace_id}/environments/{name}/versions/{version}")
}

/// The EMS's answer for a definition: the `_serialize_to_dict` key set in its order.
pub fn v1_body(name: &str, version: &str, def: &Value, asset_id: &str) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("version".into(), json!(version));
    for k in ["environmentVariables", "python", "docker", "spark", "databricks", "r", "inferencingStackVersion"] {
        m.insert(k.into(), def.get(k).cloned().unwrap_or(Value::Null));
    }
    m.insert("assetId".into(), json!(asset_id));
    Value::Object(m)
}

/// The value with every object's keys sorted (so equal definitions hash alike whatever order
/// their keys came in).
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// 32 hex digits naming a definition's image: equal definitions (any name or version) share
/// one image, as the service's `azureml_{hash}` repositories do.
pub fn image_hash(def: &Value) -> String {
    let text = serde_json::to_string(&sorted(def)).unwrap_or_default();
    let digest = Sha256::digest(text.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    /// The body azureml-core 1.61 sends for `Environment("myenv")` plus a conda package.
    fn sdk_body() -> Map<String, Value> {
        obj(json!({"Name":"myenv",
         "python":{"userManagedDependencies":false,"interpreterPath":"python","condaDependenciesFile":null,"baseCondaEnvironment":null,
                   "condaDependencies":{"name":"project_environment","dependencies":["python=3.8.13",{"pip":["azureml-defaults"]},"scikit-learn==0.21.3"],"channels":["anaconda","conda-forge"]}},
         "EnvironmentVariables":{"EXAMPLE_ENV_VAR":"EXAMPLE_VALUE"},
         "Docker":{"enabled":false,"baseImage":DEFAULT_BASE_IMAGE,"baseDockerfile":null,"buildContext":null,
                   "sharedVolumes":true,"shmSize":"2g","arguments":[],"baseImageRegistry":{"address":null,"username":null,"password":null,"registryIdentity":null},
                   "platform":{"os":"Linux","architecture":"amd64"}},
         "Spark":{"repositories":[],"packages":[],"precachePackages":true},
         "InferencingStackVersion":null,
         "r":null}))
    }

    #[test]
    fn the_sdks_body_becomes_the_camel_case_key_set() {
        let d = definition_from_register(&sdk_body()).unwrap();
        let body = v1_body("myenv", "1", &d, "azureml://x");
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "name",
                "version",
                "environmentVariables",
                "python",
                "docker",
                "spark",
                "databricks",
                "r",
                "inferencingStackVersion",
                "assetId"
            ]
        );
        assert_eq!(body["python"]["condaDependencies"]["dependencies"][2], "scikit-learn==0.21.3");
        assert_eq!(body["docker"]["baseImage"], DEFAULT_BASE_IMAGE);
        assert_eq!(body["docker"]["shmSize"], "2g");
        assert_eq!(body["databricks"]["eggLibraries"], json!([]));
    }

    #[test]
    fn keys_match_in_any_casing_and_missing_parts_get_the_sdks_defaults() {
        let d = definition_from_register(&obj(
            json!({"PYTHON": {"InterpreterPath": "python3"}, "docker": {"SHMSIZE": "1g"}}),
        ))
        .unwrap();
        assert_eq!(d["python"]["interpreterPath"], "python3");
        assert_eq!(d["python"]["condaDependencies"], default_conda_dependencies());
        assert_eq!(d["docker"]["shmSize"], "1g");
        assert_eq!(d["docker"]["baseImage"], DEFAULT_BASE_IMAGE);
        assert_eq!(d["environmentVariables"], json!({"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"}));
        assert_eq!(d["spark"]["precachePackages"], true);
        // User-managed dependencies get no default conda file; a Dockerfile no default image.
        let d = definition_from_register(&obj(
            json!({"python": {"userManagedDependencies": true}, "Docker": {"baseDockerfile": "FROM x"}}),
        ))
        .unwrap();
        assert!(d["python"]["condaDependencies"].is_null());
        assert!(d["docker"]["baseImage"].is_null());
    }

    #[test]
    fn wrong_kinds_are_user_errors_naming_the_field() {
        let e = definition_from_register(&obj(json!({"Docker": {"shmSize": 5}}))).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("'docker.shmSize' must be a string"), "{}", e.message);
        let e = definition_from_register(&obj(json!({"python": []}))).unwrap_err();
        assert!(e.message.contains("'python' must be an object"), "{}", e.message);
    }

    #[test]
    fn v2_properties_carry_image_conda_yaml_and_os() {
        let d = definition_from_register(&sdk_body()).unwrap();
        let p = v2_properties(&d, "azureml://a");
        assert_eq!(p["image"], DEFAULT_BASE_IMAGE);
        assert_eq!(p["osType"], "Linux");
        let yaml = p["condaFile"].as_str().unwrap();
        assert!(yaml.contains("- scikit-learn==0.21.3"), "{yaml}");
        assert!(yaml.starts_with("name: project_environment"), "{yaml}");
        // An inline Dockerfile becomes a build whose context is the version itself.
        let d = definition_from_register(&obj(
            json!({"docker": {"baseDockerfile": "FROM ubuntu", "platform": {"os": "windows"}}}),
        ))
        .unwrap();
        let p = v2_properties(&d, "azureml://a");
        assert_eq!(p["build"], json!({"contextUri": "azureml://a/dockerfile", "dockerfilePath": "Dockerfile"}));
        assert!(p.get("image").is_none());
        assert_eq!(p["osType"], "Windows");
    }

    #[test]
    fn a_v2_version_reads_back_with_conda_dependencies_from_its_conda_file() {
        let props = json!({"image": "img:1", "condaFile": "name: x\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - torch\n", "osType": "Linux"});
        let d = definition_from_v2(&props);
        assert_eq!(d["python"]["condaDependencies"]["dependencies"][1]["pip"][0], "torch");
        assert_eq!(d["python"]["userManagedDependencies"], false);
        assert_eq!(d["docker"]["baseImage"], "img:1");
        // And back: the same YAML content.
        let p = v2_properties(&d, "azureml://a");
        let back: Value = serde_yaml::from_str(p["condaFile"].as_str().unwrap()).unwrap();
        assert_eq!(back, d["python"]["condaDependencies"]);
        let d = definition_from_v2(&json!({"image": "img:1"}));
        assert!(d["python"]["condaDependencies"].is_null());
        assert_eq!(d["python"]["userManagedDependencies"], true);
    }

    #[test]
    fn image_hashes_ignore_key_order_and_differ_by_definition() {
        let a = json!({"x": 1, "y": {"a": 1, "b": 2}});
        let b = json!({"y": {"b": 2, "a": 1}, "x": 1});
        assert_eq!(image_hash(&a), image_hash(&b));
        assert_eq!(image_hash(&a).len(), 32);
        assert_ne!(image_hash(&a), image_hash(&json!({"x": 2})));
    }
}
