//! `armctl`: a typed async client for Azure Resource Manager, and the az-style CLI built on it.
//!
//! # Layout
//!
//! - [`client`] — [`ArmClient`]: endpoint, credential, subscription, and the request pipeline
//!   (bearer token, request ids, retries, error mapping, debug log).
//! - [`http`] — the hyper 1 + rustls transport (system roots plus an optional CA file).
//! - [`error`] — [`Error`]: `Transport` / `Arm` / `Unexpected` / `Invalid`.
//! - [`credential`] — static token, client secret against any authority, `armctl login`'s cache.
//! - [`retry`], [`sleep`] — backoff with `Retry-After`, and the injectable [`sleep::Sleeper`].
//! - [`lro`] — [`lro::Poller`] for long-running operations; [`pager`] — [`pager::Pager`] for collections.
//! - [`models`] — hand-written wire types (no types are shared with the emulator).
//! - [`ops`] — one method per ARM operation, named after its operationId.
//! - [`profile`] — the config directory and the emulator's `instance.json`.
//! - [`cli`] — the `armctl` commands; `src/bin/armctl/main.rs` only calls [`cli::run`].

pub mod cli;
pub mod client;
pub mod credential;
pub mod error;
pub mod http;
pub mod lro;
pub mod models;
pub mod ops;
pub mod pager;
pub mod profile;
pub mod retry;
pub mod sleep;

pub use client::ArmClient;
pub use error::{Error, Result};
