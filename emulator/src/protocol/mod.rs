//! The ARM wire protocol, and nothing else: the request and response a handler sees, the error
//! codes with their statuses and the one place errors are rendered, api-versions, paging,
//! `$filter`, `If-Match`, the shared body fields (tags), the LRO wire, and route matching.
//!
//! It knows the state's records (to render operations and pages) but not what any resource
//! provider does; providers build on it and never write HTTP themselves.

pub mod api_version;
pub mod body;
pub mod error;
pub mod filter;
pub mod lro;
pub mod paging;
pub mod preconditions;
pub mod request;
pub mod response;
pub mod router;

pub use error::{ArmError, ArmResult, DataPlaneTrace, ErrorCode, GraphTrace};
pub use request::{ArmRequest, Method};
pub use response::ArmResponse;
