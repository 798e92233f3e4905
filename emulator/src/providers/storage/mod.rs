//! `Microsoft.Storage` beyond the stored accounts (which the generic routes keep, shaped by
//! `providers::dependents`): `checkNameAvailability`, which `az storage account create` calls
//! before it creates anything. Account names are global: an account of that name in any
//! subscription of the emulator makes it taken.

use serde_json::{json, Value};

use crate::catalog::STORAGE_API_VERSIONS;
use crate::model::ids;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{Ctx, Handler};

const ACCOUNTS: &str = "Microsoft.Storage/storageAccounts";

pub fn routes() -> Vec<Route<Handler>> {
    vec![Route::new(
        Method::Post,
        "/subscriptions/{subscriptionId}/providers/Microsoft.Storage/checkNameAvailability",
        "StorageAccounts_CheckNameAvailability",
        Access::Arm,
        check_name_availability as Handler,
    )
    .api_versions(STORAGE_API_VERSIONS)
    .action("Microsoft.Storage/checknameavailability/read")]
}

/// 3–24 lower-case letters and digits.
fn valid(name: &str) -> bool {
    (3..=24).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn check_name_availability(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::invalid_request_content("Required property 'name' not found in JSON"))?;
    if let Some(t) = body.get("type").and_then(Value::as_str) {
        if !t.eq_ignore_ascii_case(ACCOUNTS) {
            return Err(ArmError::invalid_request_content(format!(
                "The type '{t}' is not supported; use '{ACCOUNTS}'."
            )));
        }
    }
    if !valid(name) {
        return Ok(ArmResponse::ok(json!({
            "nameAvailable": false,
            "reason": "AccountNameInvalid",
            "message": format!("{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."),
        })));
    }
    let taken = ctx.store().read(|s| {
        s.subscriptions().any(|(sub, _)| {
            s.resources_under(&ids::subscription_prefix(sub)).any(|r| {
                r.is_live() && r.resource_type.eq_ignore_ascii_case(ACCOUNTS) && r.name.eq_ignore_ascii_case(name)
            })
        })
    });
    Ok(ArmResponse::ok(if taken {
        json!({"nameAvailable": false, "reason": "AlreadyExists", "message": format!("The storage account named {name} is already taken.")})
    } else {
        json!({"nameAvailable": true})
    }))
}
