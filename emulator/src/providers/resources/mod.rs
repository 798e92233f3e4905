//! `Microsoft.Resources`: subscriptions, tenants, locations, resource groups, providers,
//! template deployments, generic resources and their moves, and the operation-result URLs.

pub mod deployments;
pub mod generic;
pub mod groups;
pub mod moves;
pub mod operations;
pub mod providers;
pub mod subscriptions;
