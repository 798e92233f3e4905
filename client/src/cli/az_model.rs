//! What az prints for a command whose result is an SDK model: not the wire body, but `todict`
//! of the deserialized model. Every key the model defines is printed (`null` when the server
//! sent nothing), `properties` is flattened where the SDK flattens it, datetimes come back
//! through Python's `isoformat()`, and for msrest models the wire keys the model does not know
//! are merged in as sent (`additional_properties`, which az lifts a level).
//!
//! The models are data: `az_models.json`, written from the pinned SDKs by
//! `tools/gen-az-models.py` (each printed key, the wire path it is read from, its type), so a new
//! SDK pin is a regenerated file, not hand edits.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The shapes armctl prints like az (the `roots` of az_models.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    StorageAccount,
    KeyVault,
    KeyVaultListItem,
    Registry,
    GenericResource,
    GenericResourceExpanded,
    RoleAssignment,
    Deployment,
    DeploymentOperation,
    DeploymentValidateResult,
    WhatIfOperationResult,
}

impl Model {
    fn root(self) -> &'static str {
        match self {
            Model::StorageAccount => "storageAccount",
            Model::KeyVault => "keyVault",
            Model::KeyVaultListItem => "keyVaultListItem",
            Model::Registry => "registry",
            Model::GenericResource => "genericResource",
            Model::GenericResourceExpanded => "genericResourceExpanded",
            Model::RoleAssignment => "roleAssignment",
            Model::Deployment => "deployment",
            Model::DeploymentOperation => "deploymentOperation",
            Model::DeploymentValidateResult => "deploymentValidateResult",
            Model::WhatIfOperationResult => "whatIfOperationResult",
        }
    }
}

#[derive(Deserialize)]
struct Models {
    roots: BTreeMap<String, String>,
    models: BTreeMap<String, Vec<Field>>,
}

#[derive(Deserialize)]
struct Field {
    key: String,
    path: Vec<String>,
    #[serde(rename = "type")]
    kind: Kind,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Kind {
    /// `any` (kept as sent), `datetime`, or `additional` (unknown wire keys merged in).
    Named(String),
    Model {
        model: String,
    },
    List {
        list: Box<Kind>,
    },
    Dict {
        dict: Box<Kind>,
    },
}

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| {
        serde_json::from_str(include_str!("az_models.json")).expect("az_models.json is generated and valid")
    })
}

/// `wire` (one body, or a list of them) as az prints it for `model`.
pub fn as_az(model: Model, wire: &Value) -> Value {
    let m = models();
    let name = &m.roots[model.root()];
    match wire {
        Value::Array(items) => Value::Array(items.iter().map(|i| object(m, name, i)).collect()),
        other => object(m, name, other),
    }
}

fn object(m: &Models, name: &str, wire: &Value) -> Value {
    let (Some(fields), Value::Object(src)) = (m.models.get(name), wire) else {
        return wire.clone();
    };
    let mut out = Map::new();
    let mut additional = false;
    for f in fields {
        match &f.kind {
            Kind::Named(k) if k == "additional" => additional = true,
            kind => {
                let mut v = Some(wire);
                for seg in &f.path {
                    v = v.and_then(|x| x.get(seg));
                }
                out.insert(f.key.clone(), v.map(|x| convert(m, kind, x)).unwrap_or(Value::Null));
            }
        }
    }
    if additional {
        let known: HashSet<&str> = fields.iter().filter_map(|f| f.path.first().map(String::as_str)).collect();
        for (k, v) in src {
            if !known.contains(k.as_str()) && !out.contains_key(k) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

fn convert(m: &Models, kind: &Kind, v: &Value) -> Value {
    match (kind, v) {
        (_, Value::Null) => Value::Null,
        (Kind::Named(k), Value::String(s)) if k == "datetime" => {
            py_isoformat(s).map(Value::String).unwrap_or_else(|| v.clone())
        }
        (Kind::Model { model }, _) => object(m, model, v),
        (Kind::List { list }, Value::Array(a)) => Value::Array(a.iter().map(|x| convert(m, list, x)).collect()),
        (Kind::Dict { dict }, Value::Object(o)) => {
            Value::Object(o.iter().map(|(k, x)| (k.clone(), convert(m, dict, x))).collect())
        }
        _ => v.clone(),
    }
}

/// Python's `datetime.isoformat()` of what the SDK parses: fractions cut to microseconds and
/// printed only when there are some, the offset as `+HH:MM` (`Z` is `+00:00`).
pub fn py_isoformat(s: &str) -> Option<String> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        let micros = chrono::Timelike::nanosecond(&d) / 1000;
        let frac = if micros == 0 { String::new() } else { format!(".{micros:06}") };
        return Some(format!("{}{frac}{}", d.format("%Y-%m-%dT%H:%M:%S"), d.format("%:z")));
    }
    let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let micros = chrono::Timelike::nanosecond(&n) / 1000;
    let frac = if micros == 0 { String::new() } else { format!(".{micros:06}") };
    Some(format!("{}{frac}", n.format("%Y-%m-%dT%H:%M:%S")))
}

/// az's global result transform (`_resource_group_transform`): `resourceGroup` added to every
/// object whose `id` is `/subscriptions/{s}/resourceGroups/{rg}/…` with at least nine segments
/// and that has no such key in any case; az does not look inside `sourceVault`.
pub fn add_resource_group(v: &mut Value) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(add_resource_group),
        Value::Object(m) => {
            if !m.keys().any(|k| k.eq_ignore_ascii_case("resourcegroup")) {
                if let Some(Value::String(id)) = m.get("id") {
                    let parts: Vec<&str> = id.split('/').collect();
                    if parts.len() > 8 && parts[3].eq_ignore_ascii_case("resourcegroups") {
                        let rg = parts[4].to_string();
                        m.insert("resourceGroup".into(), Value::String(rg));
                    }
                }
            }
            for (k, child) in m.iter_mut() {
                if k != "sourceVault" {
                    add_resource_group(child);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_root_names_a_model() {
        for m in [
            Model::StorageAccount,
            Model::KeyVault,
            Model::KeyVaultListItem,
            Model::Registry,
            Model::GenericResource,
            Model::GenericResourceExpanded,
            Model::RoleAssignment,
            Model::Deployment,
            Model::DeploymentOperation,
            Model::DeploymentValidateResult,
            Model::WhatIfOperationResult,
        ] {
            let name = &models().roots[m.root()];
            assert!(models().models.contains_key(name), "{name}");
        }
    }

    #[test]
    fn registry_is_flattened_with_nulls_and_python_times() {
        let wire = json!({"id": "/x", "location": "l", "sku": {"name": "Basic"}, "surprise": 1,
            "properties": {"loginServer": "a.azurecr.io", "creationDate": "2026-12-06T02:26:36.8791386Z"}});
        let v = as_az(Model::Registry, &wire);
        assert_eq!(v["loginServer"], "a.azurecr.io");
        assert_eq!(v["creationDate"], "2026-12-06T02:26:36.879138+00:00");
        assert_eq!(v["adminUserEnabled"], Value::Null);
        assert!(v.get("properties").is_none(), "flattened");
        assert!(v.get("surprise").is_none(), "typespec models drop what they do not define");
        assert_eq!(v["sku"], json!({"name": "Basic", "tier": null}));
    }

    #[test]
    fn msrest_models_keep_unknown_keys() {
        let wire = json!({"id": "/x", "name": "n", "systemData": {"createdBy": "me"}, "sku": {"name": "S"}});
        let v = as_az(Model::GenericResource, &json!([wire]));
        assert_eq!(v[0]["systemData"], json!({"createdBy": "me"}));
        assert_eq!(v[0]["managedBy"], Value::Null);
        assert_eq!(v[0]["sku"]["capacity"], Value::Null);
        assert!(v[0].get("additionalProperties").is_none());
    }

    #[test]
    fn isoformat_like_python() {
        assert_eq!(py_isoformat("2026-01-01T00:00:00Z").unwrap(), "2026-01-01T00:00:00+00:00");
        assert_eq!(py_isoformat("2026-01-01T00:00:00.1Z").unwrap(), "2026-01-01T00:00:00.100000+00:00");
        assert_eq!(py_isoformat("2026-01-01T00:00:00.1234567Z").unwrap(), "2026-01-01T00:00:00.123456+00:00");
        assert_eq!(py_isoformat("2026-01-01T10:11:12.0000009+02:00").unwrap(), "2026-01-01T10:11:12+02:00");
        assert_eq!(py_isoformat("nonsense"), None);
    }

    #[test]
    fn resource_group_from_ids_with_nine_segments() {
        let mut v = json!({"id": "/subscriptions/s/resourceGroups/rg1/providers/P/t/n",
            "nested": [{"id": "/subscriptions/s/resourceGroups/rg2"}, {"id": "/subscriptions/s/resourceGroups/rg3/providers/P/t/n"}],
            "sourceVault": {"id": "/subscriptions/s/resourceGroups/rg4/providers/P/t/n"}});
        add_resource_group(&mut v);
        assert_eq!(v["resourceGroup"], "rg1");
        assert!(v["nested"][0].get("resourceGroup").is_none(), "too few segments");
        assert_eq!(v["nested"][1]["resourceGroup"], "rg3");
        assert!(v["sourceVault"].get("resourceGroup").is_none(), "az does not look inside sourceVault");
    }
}
