//! `Microsoft.Network/privateEndpoints`: a private endpoint in a subnet, connected to a private
//! link resource. Creating one validates the subnet and the target (`InvalidResourceReference`
//! as Network answers it) and makes the connection on the target in the same batch; deleting it
//! removes that connection.

mod handlers;
mod model;
mod rules;
mod wire;

use crate::catalog::RESOURCES_API_VERSIONS;
use crate::protocol::router::{Access, Route};
use crate::protocol::Method;
use crate::providers::Handler;

const ONE: &str =
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, operation, action, handler: Handler| {
        Route::new(method, ONE, operation, Access::Arm, handler).api_versions(RESOURCES_API_VERSIONS).action(action)
    };
    vec![
        r(Method::Put, "PrivateEndpoints_CreateOrUpdate", "Microsoft.Network/privateEndpoints/write", handlers::put),
        r(Method::Get, "PrivateEndpoints_Get", "Microsoft.Network/privateEndpoints/read", handlers::get),
        r(Method::Delete, "PrivateEndpoints_Delete", "Microsoft.Network/privateEndpoints/delete", handlers::delete),
    ]
}
