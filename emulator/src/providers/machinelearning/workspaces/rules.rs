//! The documented workspace rules, as checks over a read-only state: the name rule, the
//! dependent resources a workspace may use (storage not premium, Blob and File enabled, no
//! hierarchical namespace; a registry with its admin user, not in a group with non-ASCII
//! characters; a dependent in another subscription needs the ML provider registered there),
//! and what may not change after creation.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::catalog;
use crate::model::ids::ResourceId;
use crate::protocol::{ArmError, ArmResult};
use crate::providers::common::require_registered;
use crate::providers::dependents::storage_services;
use crate::providers::managedidentity::user_assigned_identities::model as uai;
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

/// The user-assigned identity `id_text` names: it must exist (ARM's identity layer refuses the
/// write otherwise, before the service sees it). Returns its ids.
pub fn require_identity(s: &State, ws_id: &str, id_text: &str) -> ArmResult<uai::PrincipalIds> {
    uai::lookup(s, id_text).map(|(_, ids)| ids).ok_or_else(|| ArmError::identity_not_found(ws_id, id_text))
}

/// A workspace's `identity` from the request's (`given`) over the stored one (`current`): the
/// system-assigned principal kept (or made once), and every user-assigned identity named filled
/// with its principal and client ids, as ARM fills them.
pub fn resolve_identity(
    ctx: &Ctx,
    s: &State,
    ws_id: &str,
    given: Option<&Value>,
    current: Option<&Value>,
    tenant: &str,
) -> ArmResult<Value> {
    let pick = |k: &str| given.and_then(|g| g.get(k)).filter(|v| !v.is_null());
    let kind = match pick("type") {
        None => current.and_then(|c| c.get("type")).and_then(Value::as_str).unwrap_or("SystemAssigned").to_string(),
        Some(Value::String(t)) => t.clone(),
        Some(_) => return Err(ArmError::validation("'identity.type' must be a string.")),
    };
    let principal = current.and_then(|c| c.get("principalId")).cloned().unwrap_or_else(|| json!(ctx.ids().guid()));
    let mut out = json!({"type": kind, "principalId": principal, "tenantId": tenant});
    let named = match pick("userAssignedIdentities") {
        Some(Value::Object(m)) => Some(m.keys().cloned().collect::<Vec<_>>()),
        Some(_) => {
            return Err(ArmError::validation(
                "'identity.userAssignedIdentities' must be an object keyed by identity id.",
            ))
        }
        None => current
            .and_then(|c| c.get("userAssignedIdentities"))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect()),
    };
    if let Some(keys) = named {
        let mut filled = Map::new();
        for k in keys {
            let ids = require_identity(s, ws_id, &k)?;
            filled.insert(k, json!({"principalId": ids.principal_id, "clientId": ids.client_id}));
        }
        out["userAssignedIdentities"] = Value::Object(filled);
    }
    Ok(out)
}

/// The identity references in a workspace's properties (`primaryUserAssignedIdentity`,
/// `encryption.identity.userAssignedIdentity`) must name identities that exist.
pub fn check_identity_references(s: &State, ws_id: &str, props: &Map<String, Value>) -> ArmResult<()> {
    let refs = [
        props.get("primaryUserAssignedIdentity"),
        props.get("encryption").and_then(|e| e.pointer("/identity/userAssignedIdentity")),
    ];
    for r in refs.into_iter().flatten().filter(|v| !v.is_null()) {
        match r.as_str() {
            Some(id) if !id.is_empty() => {
                require_identity(s, ws_id, id)?;
            }
            Some(_) => {}
            None => {
                return Err(ArmError::validation("A user-assigned identity reference must be a resource id string."))
            }
        }
    }
    Ok(())
}

/// `sharedPrivateLinkResources`, when given, is an array of objects.
pub fn shared_private_links(props: &Map<String, Value>) -> ArmResult<Option<Value>> {
    match props.get("sharedPrivateLinkResources") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => Ok(Some(Value::Array(a.clone()))),
        Some(_) => Err(ArmError::validation("'sharedPrivateLinkResources' must be an array of objects.")),
    }
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
