//! The documented workspace rules, as checks over a read-only state: the name rule, the
//! dependent resources a workspace may use (storage not premium, Blob and File enabled, no
//! hierarchical namespace; a registry with its admin user, not in a group with non-ASCII
//! characters; a dependent in another subscription needs the ML provider registered there),
//! and what may not change after creation.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::catalog;
use crate::model::ids::ResourceId;
use crate::protocol::{ArmError, ArmResult};
use crate::providers::common::require_registered;
use crate::providers::dependents::storage_services;
use crate::providers::Ctx;
use crate::store::{Resource, State};

use super::model::NS;
use super::wire::str_prop;

/// `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`
pub fn valid_name(n: &str) -> bool {
    let b = n.as_bytes();
    (3..=33).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
}

pub fn invalid_name(name: &str) -> ArmError {
    ArmError::validation(format!("Workspace name '{name}' is invalid. It must be 3 to 33 characters long, start with a letter or digit, and contain only letters, digits, '-' and '_'."))
}

/// The short, lower-case alphanumeric prefix the service builds dependent names from.
pub fn name_stem(ws: &str) -> String {
    ws.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(char::to_lowercase).take(8).collect()
}

/// A dependent given by id: it must exist, be of the expected type, and (in another
/// subscription) that subscription must have the ML provider registered.
pub fn resolve_dependent(
    ctx: &Ctx,
    s: &State,
    ws: &ResourceId,
    role: &str,
    id_text: &str,
    expected: &str,
) -> ArmResult<Arc<Resource>> {
    let id = ResourceId::parse(id_text)
        .ok_or_else(|| ArmError::validation(format!("The {role} id '{id_text}' is not a valid Azure resource id.")))?;
    if !id.full_type().eq_ignore_ascii_case(expected) {
        return Err(ArmError::validation(format!(
            "The {role} '{id_text}' must be a resource of type '{expected}', not '{}'.",
            id.full_type()
        )));
    }
    if !id.subscription().eq_ignore_ascii_case(ws.subscription()) {
        if s.subscription(id.subscription()).is_none() {
            return Err(ArmError::validation(format!(
                "The {role} '{id_text}' is in subscription '{}', which could not be found.",
                id.subscription()
            )));
        }
        require_registered(ctx, s, id.subscription(), NS)?;
    }
    s.live(&id.key()).cloned().ok_or_else(|| {
        ArmError::validation(format!(
            "The {role} '{id_text}' could not be found. Create it first, or leave it out to have the workspace create one."
        ))
    })
}

pub fn check_storage(r: &Resource) -> ArmResult<()> {
    let body = r.body.value();
    let sku = body.pointer("/sku/name").and_then(Value::as_str).unwrap_or("");
    if sku.eq_ignore_ascii_case("Premium_LRS") || sku.eq_ignore_ascii_case("Premium_GRS") {
        return Err(ArmError::validation(format!("The storage account '{}' has SKU '{sku}'. A premium storage account (Premium_LRS, Premium_GRS) cannot be the default storage account of a workspace.", r.id)));
    }
    if body.pointer("/properties/isHnsEnabled").and_then(Value::as_bool).unwrap_or(false) {
        return Err(ArmError::validation(format!("The storage account '{}' has a hierarchical namespace (Azure Data Lake Storage Gen2) enabled, which the default storage account of a workspace cannot have.", r.id)));
    }
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("StorageV2");
    let (blob, file) = storage_services(kind);
    if !(blob && file) {
        return Err(ArmError::validation(format!("The storage account '{}' of kind '{kind}' does not have both Azure Blob and Azure File enabled, which the default storage account of a workspace requires.", r.id)));
    }
    Ok(())
}

pub fn check_registry(r: &Resource) -> ArmResult<()> {
    if !r.body.pointer("/properties/adminUserEnabled").and_then(|v| v.as_bool()).unwrap_or(false) {
        return Err(ArmError::validation(format!("The container registry '{}' does not have the admin user enabled. Enable the admin account (az acr update --admin-enabled true) before using it with an Azure Machine Learning workspace.", r.id)));
    }
    if !r.resource_group.is_ascii() {
        return Err(ArmError::validation(format!("The container registry '{}' is in resource group '{}', whose name contains non-ASCII characters. Azure Machine Learning cannot use a container registry in such a resource group.", r.id, r.resource_group)));
    }
    Ok(())
}

/// What a PUT over an existing workspace or a PATCH may not change: `hbiWorkspace`, the
/// storage account, the key vault, the location.
pub fn check_immutables(current: &Value, body: &Map<String, Value>, props: &Map<String, Value>) -> ArmResult<()> {
    let old = current.get("properties").cloned().unwrap_or(Value::Null);
    if let Some(h) = super::wire::bool_prop(props, "hbiWorkspace")? {
        if Some(h) != old.get("hbiWorkspace").and_then(Value::as_bool) {
            return Err(ArmError::validation("The 'hbiWorkspace' setting can only be chosen when a workspace is created; it cannot be changed afterwards."));
        }
    }
    for (key, what) in [("storageAccount", "storage account"), ("keyVault", "key vault")] {
        if let Some(v) = str_prop(props, key)? {
            if !old.get(key).and_then(Value::as_str).is_some_and(|o| o.eq_ignore_ascii_case(v)) {
                return Err(ArmError::validation(format!(
                    "The {what} of a workspace cannot be changed after it is created ('{key}' is '{}').",
                    old.get(key).and_then(Value::as_str).unwrap_or("")
                )));
            }
        }
    }
    if let Some(loc) = body.get("location").and_then(Value::as_str) {
        if catalog::region(loc).map(|r| r.name) != current.get("location").and_then(Value::as_str) {
            return Err(ArmError::validation(format!(
                "The location of a workspace cannot be changed (it is '{}').",
                current.get("location").and_then(Value::as_str).unwrap_or("")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_name_rule() {
        for ok in ["abc", "my-ws_1", "A1b", &"x".repeat(33)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["ab", "-ab", "_ab", "a.b", "ws!", &"x".repeat(34), "wörk"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn dependent_names_use_a_short_alphanumeric_stem() {
        assert_eq!(name_stem("My-Workspace_01"), "myworksp");
        assert_eq!(name_stem("a-b"), "ab");
    }
}
