//! The resource providers: one module per namespace, one folder per resource type with rules of
//! its own (the same files in each), plus the Entra look-alike, the cloud metadata and what
//! every handler shares ([`common`], [`lro`], [`Ctx`]).
//!
//! A handler is a plain `fn(&Ctx, &ArmRequest) -> ArmResult<ArmResponse>`. It reads through
//! `ctx.store().read` and writes by planning a batch of changes in `ctx.store().commit`; it
//! never builds HTTP itself (the protocol layer renders), never reads the wall clock, and
//! never touches another provider's internals except through [`common`].

pub mod authorization;
pub mod common;
pub mod context;
pub mod dependents;
pub mod dispatch;
pub mod entra;
pub mod graph;
pub mod lro;
pub mod machinelearning;
pub mod managedidentity;
pub mod metadata;
pub mod network;
pub mod resources;
pub mod storage;

pub use common::check_subscription;
pub use context::{Ctx, Endpoints, Settings};

use crate::protocol::router::Route;
use crate::protocol::{ArmRequest, ArmResponse, ArmResult};

/// What every provider route calls.
pub type Handler = fn(&Ctx, &ArmRequest) -> ArmResult<ArmResponse>;

/// Every provider route, in matching order: open endpoints (cloud metadata, sign-in), then ARM
/// routes, with the generic by-id catch-all last so typed routes win.
pub fn routes() -> Vec<Route<Handler>> {
    let mut r = metadata::routes();
    r.extend(entra::routes());
    r.extend(graph::routes());
    r.extend(resources::subscriptions::routes());
    r.extend(resources::groups::routes());
    r.extend(resources::providers::routes());
    r.extend(resources::operations::routes());
    r.extend(resources::generic::list_routes());
    r.extend(resources::moves::routes());
    r.extend(resources::deployments::routes());
    // Typed resource modules go here, before the catch-all.
    r.extend(machinelearning::routes());
    r.extend(authorization::routes());
    r.extend(network::routes());
    r.extend(storage::routes());
    r.extend(managedidentity::routes());
    r.extend(resources::generic::by_id_routes());
    r
}
