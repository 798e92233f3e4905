//! The endpoint as ARM answers it (Network's shape: ids on every sub-object, the connection
//! state on each connection, the network interface it made).

use serde_json::{json, Value};

use crate::model::ids::ResourceId;

use super::model::CONNECTION_TYPE;
use super::rules::Requested;

pub fn connection(pe: &ResourceId, c: &Requested) -> Value {
    let (status, description) = if c.manual { ("Pending", "Awaiting approval") } else { ("Approved", "Auto-Approved") };
    let mut props = json!({
        "provisioningState": "Succeeded",
        "privateLinkServiceId": c.target.to_id(),
        "groupIds": c.group_ids,
        "privateLinkServiceConnectionState": {"status": status, "description": description, "actionsRequired": "None"},
    });
    if let Some(m) = &c.request_message {
        props["requestMessage"] = json!(m);
    }
    json!({
        "name": c.name,
        "id": format!("{}/{}/{}", pe.to_id(), if c.manual { "manualPrivateLinkServiceConnections" } else { "privateLinkServiceConnections" }, c.name),
        "type": CONNECTION_TYPE,
        "properties": props,
    })
}
