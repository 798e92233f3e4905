//! `armemu`: an offline emulator of Azure Resource Manager for Azure Machine Learning.
//!
//! # Layout
//!
//! - [`server`] — the only async/I-O code: listeners, TLS, hyper, body limits, common headers.
//! - [`arm`] — the ARM protocol layer: dispatch, errors, api-versions, ids, paging, filters, LRO.
//! - [`router`] — the one route table with case-insensitive matching.
//! - [`rp`] — one module per resource-provider namespace, plus the provider/region catalog.
//! - [`identity`] — the Entra ID look-alike and managed-identity endpoints.
//! - [`metadata`] — `/metadata/endpoints`, the cloud description.
//! - [`admin`] — the test-control API under `/_emulator/`.
//! - [`store`] — the state, the clock and the id generator; no HTTP in there.
//! - [`testing`] — an in-process emulator for Rust tests.
//!
//! See ARCHITECTURE.md for the request flow and the invariants.

pub mod admin;
pub mod arm;
pub mod cli;
pub mod config;
pub mod context;
pub mod identity;
pub mod metadata;
pub mod router;
pub mod rp;
pub mod server;
pub mod store;
pub mod testing;
pub mod tls;

pub use config::Config;
pub use server::{start, Running, StartError};

/// Every route, in matching order: open endpoints, then ARM routes with the generic by-id
/// catch-all last.
pub fn all_routes() -> Vec<router::Route> {
    let mut r = admin::routes();
    r.extend(metadata::routes());
    r.extend(identity::routes());
    r.extend(rp::routes());
    r
}
