//! The type's constants and what a stored identity carries.

use serde_json::Value;

use crate::model::ids::ResourceId;
use crate::store::State;

pub const NS: &str = "Microsoft.ManagedIdentity";
pub const TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// The ids of an identity's service principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalIds {
    pub principal_id: String,
    pub client_id: String,
    pub tenant_id: String,
}

impl PrincipalIds {
    /// Read from a stored identity's body.
    pub fn of(body: &Value) -> Option<PrincipalIds> {
        let p = |k: &str| body.pointer(&format!("/properties/{k}")).and_then(Value::as_str).map(String::from);
        Some(PrincipalIds { principal_id: p("principalId")?, client_id: p("clientId")?, tenant_id: p("tenantId")? })
    }
}

/// The live identity an id names (any casing), with its canonical id; `None` when the id is not
/// a user-assigned identity's or no such identity exists.
pub fn lookup(s: &State, id: &str) -> Option<(String, PrincipalIds)> {
    let rid = ResourceId::parse(id)?;
    if !rid.full_type().eq_ignore_ascii_case(TYPE) {
        return None;
    }
    let r = s.live(&rid.key())?;
    Some((r.id.clone(), PrincipalIds::of(&r.body.value())?))
}
