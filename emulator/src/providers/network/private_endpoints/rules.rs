//! What a private endpoint PUT must say, checked before anything is looked up.

use serde_json::{Map, Value};

use crate::model::ids::ResourceId;
use crate::protocol::{ArmError, ArmResult};

/// One requested connection: `privateLinkServiceConnections[]` (automatic) or
/// `manualPrivateLinkServiceConnections[]` (approved by the target's owner).
pub struct Requested {
    pub name: String,
    pub target: ResourceId,
    pub group_ids: Vec<String>,
    pub request_message: Option<String>,
    pub manual: bool,
}

pub struct Planned {
    pub subnet: ResourceId,
    pub connections: Vec<Requested>,
}

fn bad(message: String) -> ArmError {
    ArmError::invalid_request_content(message)
}

pub fn check(props: &Map<String, Value>) -> ArmResult<Planned> {
    let subnet_id = props
        .get("subnet")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("The private endpoint needs 'properties.subnet.id'.".into()))?;
    let subnet = ResourceId::parse(subnet_id)
        .filter(|id| id.full_type().eq_ignore_ascii_case("Microsoft.Network/virtualNetworks/subnets"))
        .ok_or_else(|| bad(format!("'{subnet_id}' is not a subnet id (…/providers/Microsoft.Network/virtualNetworks/{{vnet}}/subnets/{{subnet}}).")))?;
    let mut connections = Vec::new();
    for (key, manual) in [("privateLinkServiceConnections", false), ("manualPrivateLinkServiceConnections", true)] {
        let Some(list) = props.get(key).filter(|v| !v.is_null()) else { continue };
        let list = list.as_array().ok_or_else(|| bad(format!("'properties.{key}' must be an array.")))?;
        for c in list {
            let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            if name.is_empty() {
                return Err(bad(format!("Each of 'properties.{key}' needs a 'name'.")));
            }
            let p = c.get("properties").cloned().unwrap_or(Value::Null);
            let target_id = p.get("privateLinkServiceId").and_then(Value::as_str).unwrap_or_default();
            let target = ResourceId::parse(target_id).ok_or_else(|| {
                bad(format!("Connection '{name}' needs 'privateLinkServiceId', a resource id (got '{target_id}')."))
            })?;
            let group_ids: Vec<String> = p
                .get("groupIds")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|g| g.as_str().map(String::from)).collect())
                .unwrap_or_default();
            let request_message = p.get("requestMessage").and_then(Value::as_str).map(String::from);
            connections.push(Requested { name, target, group_ids, request_message, manual });
        }
    }
    if connections.is_empty() {
        return Err(bad("A private endpoint needs one connection in 'properties.privateLinkServiceConnections' or 'properties.manualPrivateLinkServiceConnections'.".into()));
    }
    Ok(Planned { subnet, connections })
}
