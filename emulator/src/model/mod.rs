//! The bottom layer: the emulator's vocabulary. Ids and names (case-insensitive, case-
//! preserving), the states things move through, the read-only clock and the id generator,
//! the caller, and the tenants and subscriptions the cloud serves.
//!
//! Nothing here knows HTTP, locks or the state; every other module may use it.

pub mod idgen;
pub mod ids;
pub mod principal;
pub mod records;
pub mod states;
pub mod time;

pub use idgen::IdGen;
pub use ids::{ArmName, ResourceId};
pub use principal::Principal;
pub use records::{DirectoryObject, Subscription, Tenant};
pub use states::{
    LroMode, OperationStatus, ProvisioningState, RegistrationDelay, RegistrationState, SubscriptionState,
};
pub use time::Clock;
