//! Resource providers, one module per namespace ("rp" avoids a clash with the
//! `Microsoft.Resources` "providers" resource). [`routes`] concatenates their route tables;
//! the generic by-id catch-all comes last so typed routes win.

pub mod authorization;
pub mod catalog;
pub mod dependents;
pub mod machinelearning;
pub mod resources;

use crate::router::Route;

pub fn routes() -> Vec<Route> {
    let mut r = Vec::new();
    r.extend(resources::subscriptions::routes());
    r.extend(resources::groups::routes());
    r.extend(resources::providers::routes());
    r.extend(resources::operations::routes());
    r.extend(resources::generic::list_routes());
    // Typed resource modules go here, before the catch-all.
    r.extend(machinelearning::workspaces::routes());
    r.extend(authorization::routes());
    r.extend(resources::generic::by_id_routes());
    r
}
