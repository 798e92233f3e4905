//! One test binary (zero2prod style): the library against an in-process emulator and against
//! tiny scripted servers, and the `armctl` CLI run in-process through `armctl::cli::run`.

mod cli_basics;
mod cli_config;
mod cli_deployments;
mod cli_emulator;
mod cli_environments;
mod cli_roles;
mod cli_workspaces;
mod deployments_lib;
mod helpers;
mod library;
mod lro_retry;
