//! `Microsoft.MachineLearningServices`.

pub mod workspaces;
