//! Wire models, written from the documented protocol (reference/arm-wire-protocol.md), not
//! shared with the emulator. Optional fields serialize as `null`, as the Azure SDK models do,
//! so `armctl` prints the same key sets as `az` (for example `managedBy: null`). Types with an
//! `extra` map keep fields this client does not model.

pub mod authorization;
pub mod deployment;
pub mod environment;
pub mod resources;
pub mod workspace;

pub use authorization::*;
pub use deployment::*;
pub use environment::*;
pub use resources::*;
pub use workspace::*;
