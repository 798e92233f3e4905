//! The JSON the type answers with: a tracked resource whose `properties` are exactly the
//! principal's ids (what the client sent there is read-only and ignored).

use serde_json::{json, Map, Value};

use super::model::PrincipalIds;

pub fn properties(ids: &PrincipalIds) -> Value {
    json!({"tenantId": ids.tenant_id, "principalId": ids.principal_id, "clientId": ids.client_id})
}

/// Replaces a built body's `properties` with the principal's ids.
pub fn set_properties(body: &mut Value, ids: &PrincipalIds) {
    if let Some(o) = body.as_object_mut() {
        o.insert("properties".into(), properties(ids));
        o.remove("provisioningState");
    }
}

/// The top-level fields a PATCH may change (`tags`; `location` must not change).
pub fn patch_fields(body: &Map<String, Value>) -> Option<&Value> {
    body.get("tags")
}
