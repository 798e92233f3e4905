//! The environment rules: names and versions, the reserved `AzureML` prefix, what a
//! definition must hold, and what makes two definitions the same.

use serde_json::{Map, Value};

use crate::protocol::{ArmError, ArmResult};

use super::curated;

/// The longest name or version the service takes.
pub const MAX_LEN: usize = 255;

/// The properties that define an environment version: fixed once it is registered (the spec's
/// `visibility: read, create`). `description`, `tags`, `properties`, `isArchived` and `stage`
/// may change.
pub const DEFINITION: [&str; 7] =
    ["image", "build", "condaFile", "osType", "inferenceConfig", "autoRebuild", "isAnonymous"];

/// `^[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,254}$`
fn valid_asset_token(n: &str) -> bool {
    let b = n.as_bytes();
    (1..=MAX_LEN).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// True for a name the curated set reserves: it starts with `AzureML` in any case (names are
/// compared case-insensitively, so `azureml-minimal` would be the curated one).
pub fn is_reserved(name: &str) -> bool {
    name.len() >= 7 && name.as_bytes()[..7].eq_ignore_ascii_case(b"AzureML")
}

pub fn check_name(name: &str) -> ArmResult<()> {
    if !valid_asset_token(name) {
        return Err(ArmError::asset_user_error(format!(
            "Environment name '{name}' is invalid. It must be 1 to {MAX_LEN} characters long, start with a letter or digit, and contain only letters, digits, '-', '_' and '.'."
        )));
    }
    if let Some(c) = curated::find(name) {
        return Err(curated_read_only(c.name));
    }
    if is_reserved(name) {
        return Err(reserved_name(name));
    }
    Ok(())
}

pub fn check_version(version: &str) -> ArmResult<()> {
    if !valid_asset_token(version) {
        return Err(ArmError::asset_user_error(format!(
            "Environment version '{version}' is invalid. It must be 1 to {MAX_LEN} characters long, start with a letter or digit, and contain only letters, digits, '-', '_' and '.'."
        )));
    }
    Ok(())
}

pub fn reserved_name(name: &str) -> ArmError {
    ArmError::asset_user_error(format!(
        "Environment name '{name}' is reserved. Names starting with 'AzureML' are reserved for curated environments; choose another name."
    ))
}

pub fn curated_read_only(name: &str) -> ArmError {
    ArmError::asset_user_error(format!(
        "Environment '{name}' is a curated environment. Curated environments are managed by Azure Machine Learning and cannot be created, changed or deleted."
    ))
}

/// True when the stored properties and a request's definition agree on every [`DEFINITION`]
/// property (an absent one equals `null`).
pub fn same_definition(stored: &Map<String, Value>, definition: &Map<String, Value>) -> bool {
    DEFINITION.iter().all(|k| {
        let a = stored.get(*k).unwrap_or(&Value::Null);
        let b = definition.get(*k).unwrap_or(&Value::Null);
        a == b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions() {
        for ok in ["a", "my-env_1.2", "1", &"x".repeat(255)] {
            assert!(valid_asset_token(ok), "{ok}");
        }
        for bad in ["", "-a", ".a", "a b", "a/b", "ä", &"x".repeat(256)] {
            assert!(!valid_asset_token(bad), "{bad}");
        }
    }

    #[test]
    fn azureml_prefix_is_reserved_in_any_case() {
        for r in ["AzureML-x", "azureml", "AZUREMLfoo"] {
            assert!(is_reserved(r), "{r}");
        }
        for ok in ["Azure-ML", "myAzureML", "Azure"] {
            assert!(!is_reserved(ok), "{ok}");
        }
        assert!(check_name("azureml-minimal").is_err());
    }
}
