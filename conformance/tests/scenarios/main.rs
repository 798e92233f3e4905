//! Scenario suites for the foundation: the ARM wire protocol, resource groups, providers,
//! generic resources, subscriptions/tenants/locations, cloud metadata, the identity endpoints
//! and the test-control API. One test (or rstest case) per rule; errors are checked for status,
//! code and message, successes for their exact shape.
//!
//! By default every test starts its own in-process emulator (frozen clock at
//! 2026-01-01T00:00:00Z, seeded ids), so tests are isolated and run in parallel. With
//! `ARM_ENDPOINT` set they run against that endpoint instead, and the tests that need the
//! test-control API or a start configuration are skipped with a printed reason (see
//! `conformance::require_emulator!`).

mod control;
mod generic;
mod groups;
mod identity;
mod managed_identities;
mod metadata;
mod protocol;
mod providers;
mod subscriptions;
