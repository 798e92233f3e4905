//! `Microsoft.MachineLearningServices`: workspaces (one folder per resource type, the same
//! files in each) and the discovery document a workspace's `discoveryUrl` points at.

pub mod discovery;
pub mod environment_service;
pub mod environments;
pub mod workspaces;

use crate::protocol::router::Route;
use crate::providers::Handler;

pub fn routes() -> Vec<Route<Handler>> {
    let mut r = workspaces::routes();
    r.extend(environments::routes());
    r.extend(environment_service::routes());
    r.extend(discovery::routes());
    r
}
