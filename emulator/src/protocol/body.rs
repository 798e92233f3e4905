//! Reading the fields every ARM request body shares: typed optional fields (a wrong type is
//! `400 InvalidRequestContent`), tags with ARM's limits, and JSON merge patch.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ArmError, ArmResult};

pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional string field of a request body (`prefix` names where the object sits in the
/// body, e.g. `properties.`): `None` when absent or null, `400 InvalidRequestContent` when it
/// is not a string.
pub fn optional_str<'a>(m: &'a Map<String, Value>, prefix: &str, key: &str) -> ArmResult<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ArmError::invalid_request_content(format!(
            "'{prefix}{key}' must be a string, found {}",
            json_kind(other)
        ))),
    }
}

/// An optional object field of a request body: empty when absent or null,
/// `400 InvalidRequestContent` when it is not an object.
pub fn optional_object(m: &Map<String, Value>, key: &str) -> ArmResult<Map<String, Value>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(other) => {
            Err(ArmError::invalid_request_content(format!("'{key}' must be an object, found {}", json_kind(other))))
        }
    }
}

/// Tags: string names and values, kept in the order of their lower-cased names.
pub type Tags = BTreeMap<String, String>;

/// Reads `tags` from a body: an object of strings with ARM's limits (50 tags, names of at most
/// 512 characters without `<>%&\?/`, values of at most 256). Tag names are case-insensitive:
/// names that differ only in case are one tag, spelled as first given, with the last value.
pub fn parse_tags(body: &Map<String, Value>) -> ArmResult<Option<Tags>> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            if m.len() > 50 {
                return Err(ArmError::invalid_tag_count());
            }
            let mut out: Tags = BTreeMap::new();
            for (k, v) in m {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => {
                        return Err(ArmError::invalid_request_content(format!(
                            "The tag '{k}' has a value of type {} where a string was expected",
                            json_kind(other)
                        )))
                    }
                };
                if k.is_empty()
                    || k.chars().count() > 512
                    || k.chars().any(|c| "<>%&\\?/".contains(c) || c.is_control())
                {
                    return Err(ArmError::invalid_tag_name(k));
                }
                if v.chars().count() > 256 {
                    return Err(ArmError::invalid_tag_value_length(&v));
                }
                match out.keys().find(|existing| existing.to_lowercase() == k.to_lowercase()).cloned() {
                    Some(first) => {
                        out.insert(first, v);
                    }
                    None => {
                        out.insert(k.clone(), v);
                    }
                }
            }
            Ok(Some(out))
        }
        Some(other) => {
            Err(ArmError::invalid_request_content(format!("'tags' must be an object, found {}", json_kind(other))))
        }
    }
}

/// RFC 7396 JSON merge patch of `patch` into `target`.
pub fn merge_patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => {
                if let Some(Value::Object(t)) = target.get_mut(k) {
                    merge_patch(t, p);
                } else {
                    let mut t = Map::new();
                    merge_patch(&mut t, p);
                    target.insert(k.clone(), Value::Object(t));
                }
            }
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags(v: Value) -> ArmResult<Option<Tags>> {
        parse_tags(json!({ "tags": v }).as_object().unwrap())
    }

    #[test]
    fn tag_names_are_case_insensitive() {
        let t = tags(json!({"Env": "1", "env": "2", "b": "x"})).unwrap().unwrap();
        assert_eq!(t, BTreeMap::from([("Env".to_string(), "2".to_string()), ("b".to_string(), "x".to_string())]));
    }

    #[test]
    fn tag_limits() {
        assert!(tags(json!({"a/b": "x"})).is_err());
        assert!(tags(json!({"a\u{1}b": "x"})).is_err());
        assert!(tags(json!({"a": "x".repeat(257)})).is_err());
        assert!(tags(json!({"a": 5})).is_err());
        let many = |n: usize| -> Value {
            Value::Object((0..n).map(|i| (format!("t{i}"), json!("v"))).collect::<Map<String, Value>>())
        };
        assert_eq!(tags(many(50)).unwrap().unwrap().len(), 50);
        assert!(tags(many(51)).is_err());
        // The limits are inclusive: 512-character names and 256-character values are fine.
        let name = "n".repeat(512);
        assert_eq!(tags(json!({ name.clone(): "v".repeat(256) })).unwrap().unwrap()[&name].len(), 256);
        assert!(tags(json!({ format!("{name}n"): "v" })).is_err());
        assert!(tags(json!({"": "v"})).is_err());
        assert!(tags(json!({"a": "v".repeat(257)})).is_err());
        assert_eq!(tags(json!({"a": null})).unwrap().unwrap()["a"], "");
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}}).as_object().unwrap().clone();
        merge_patch(&mut t, json!({"a": null, "b": {"c": 9}, "e": {"f": 1}}).as_object().unwrap());
        assert_eq!(Value::Object(t), json!({"b": {"c": 9, "d": 3}, "e": {"f": 1}}));
    }
}
