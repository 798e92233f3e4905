//! `armemu`: an offline emulator of Azure Resource Manager for Azure Machine Learning.
//!
//! # Layout
//!
//! Layers, from the bottom; a module uses only the layers below it (a test keeps it so):
//!
//! - [`model`] — the vocabulary: ids and names, states, the read-only clock, ids, the caller.
//! - [`config`] — start-up configuration (flags, config file, defaults).
//! - [`catalog`] — regions, resource providers, their types, api-versions and capabilities.
//! - [`store`] — the only mutable state; changes are values ([`store::Change`]) committed
//!   atomically on one path; long-running operations are data in it.
//! - [`protocol`] — the ARM wire: requests, responses, error codes rendered in one place,
//!   api-versions, paging, `$filter`, `If-Match`, the LRO wire, route matching.
//! - [`identity`] — the token signing key and reading the caller from a request.
//! - [`providers`] — one module per resource-provider namespace, one folder per resource type.
//! - [`pipeline`] — the ordered stages every request goes through, and the test-control API.
//! - [`server`], [`tls`] — the only async and I/O code.
//! - [`cli`], [`testing`] — the binary's commands and an in-process emulator for Rust tests.
//!
//! See ARCHITECTURE.md for the request flow and the invariants.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod identity;
pub mod model;
pub mod pipeline;
pub mod protocol;
pub mod providers;
pub mod server;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use config::Config;
pub use server::{start, Running, StartError};

/// A route as COVERAGE.md and tools list it.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    pub method: protocol::Method,
    pub pattern: &'static str,
    pub operation: &'static str,
}

/// Every route, in matching order: the test-control API, open endpoints, then ARM routes with
/// the generic by-id catch-all last.
pub fn all_routes() -> Vec<RouteInfo> {
    pipeline::all_routes()
        .into_iter()
        .map(|r| RouteInfo { method: r.method, pattern: r.pattern, operation: r.meta.operation })
        .collect()
}
