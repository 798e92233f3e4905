//! The names the type uses.

pub const CONNECTION_TYPE: &str = "Microsoft.Network/privateEndpoints/privateLinkServiceConnections";
/// The private link resource types endpoints can connect to here, with their group ids.
pub const TARGETS: &[(&str, &[&str])] = &[("Microsoft.MachineLearningServices/workspaces", &["amlworkspace"])];
