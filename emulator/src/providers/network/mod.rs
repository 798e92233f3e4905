//! `Microsoft.Network`: private endpoints, typed, because creating one makes a connection on
//! the resource it links to (an Azure ML workspace's `privateEndpointConnections`). Virtual
//! networks, subnets, network interfaces, private DNS zones and their links and zone groups
//! are plain tracked or child types in the catalog (stored as given by the generic routes).

pub mod private_endpoints;

use crate::protocol::router::Route;
use crate::providers::Handler;

pub fn routes() -> Vec<Route<Handler>> {
    private_endpoints::routes()
}
