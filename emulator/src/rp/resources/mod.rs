//! `Microsoft.Resources`: subscriptions, tenants, locations, resource groups, providers,
//! generic resources and the operation-result URLs.

pub mod generic;
pub mod groups;
pub mod operations;
pub mod providers;
pub mod subscriptions;
