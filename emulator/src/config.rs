//! Start-up configuration: flags, an optional JSON config file, and embedded defaults.
//!
//! With no configuration the emulator serves one tenant and one subscription with the fixed
//! GUIDs below, a built-in service principal, the common providers registered, and every
//! long-running operation completing synchronously.
//!
//! This module uses only `model`: every layer above may read the configuration.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{LroMode, RegistrationDelay, Subscription, Tenant};

/// The default tenant (documented in README.md).
pub const DEFAULT_TENANT_ID: &str = "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001";
/// The default subscription (documented in README.md).
pub const DEFAULT_SUBSCRIPTION_ID: &str = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";
/// The built-in service principal's application (client) id.
pub const DEFAULT_CLIENT_ID: &str = "0e1a7c3b-5d2f-4b6a-9c8e-1f2a3b4c5d01";
/// The built-in service principal's secret.
pub const DEFAULT_CLIENT_SECRET: &str = "armemu-secret";
/// The built-in service principal's object id.
pub const DEFAULT_OBJECT_ID: &str = "6c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e01";
/// The cloud `/metadata/endpoints` names: not one the clients have built in (see `Config::cloud_name`).
pub const DEFAULT_CLOUD_NAME: &str = "ArmEmu";
pub const DEFAULT_HTTP_PORT: u16 = 47080;
pub const DEFAULT_HTTPS_PORT: u16 = 47443;
/// 4 MiB, ARM's own request limit.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// State imports (`PUT /_emulator/state`) may be much larger than ARM requests: an export of
/// 20,000 workspaces is about 150 MB.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024 * 1024;
/// How long a client may take to send a request's head, counted from when it connected or
/// sent the head's first byte.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a kept-alive connection may stay idle between requests.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many requests the journal keeps by default.
pub const DEFAULT_JOURNAL_SIZE: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub client_id: String,
    pub client_secret: String,
    pub object_id: String,
    pub display_name: String,
    pub tenant_id: String,
}

/// A user who signs in with the device-code, authorization-code or password flow (issue 12).
/// Tokens issued to a user name them by `upn`; RBAC treats them like service principals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_principal_name: String,
    pub object_id: String,
    pub password: String,
    pub display_name: String,
    pub tenant_id: String,
}

/// The default user, `user@<default tenant's domain>`.
pub const DEFAULT_USER_UPN: &str = "user@armemu.onmicrosoft.com";
pub const DEFAULT_USER_OBJECT_ID: &str = "8d2e3f40-5b6c-4d7e-9f80-1a2b3c4d5e01";
pub const DEFAULT_USER_PASSWORD: &str = "armemu-password";

/// How many polls of a device code answer `authorization_pending` before the emulator
/// approves it as the default user by itself (`deviceCodePolls` in the config file).
pub const DEFAULT_DEVICE_CODE_POLLS: u32 = 1;

/// A state directory's log larger than this (or than the last snapshot, whichever is larger)
/// is compacted into a snapshot (the default of `--state-log-limit`).
pub const DEFAULT_STATE_LOG_LIMIT: u64 = 32 << 20;

/// How tokens and role assignments are checked (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Any bearer token is accepted and role assignments are stored but not enforced.
    #[default]
    Loose,
    /// Tokens must be the emulator's own (signature, expiry by the emulator clock, ARM audience,
    /// the subscription's tenant), and every ARM call is authorized against role assignments.
    Strict,
}

impl std::str::FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "loose" => Ok(AuthMode::Loose),
            "strict" => Ok(AuthMode::Strict),
            _ => Err(format!("auth mode '{s}': expected loose or strict")),
        }
    }
}

/// How the clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Real time (plus whatever `/_emulator/clock` adds).
    System,
    /// Frozen at an instant; moves only through `/_emulator/clock`.
    Manual(DateTime<Utc>),
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: IpAddr,
    /// `0` picks a free port.
    pub http_port: u16,
    pub https_port: u16,
    pub data_dir: PathBuf,
    pub tenants: Vec<Tenant>,
    pub subscriptions: Vec<Subscription>,
    pub service_principals: Vec<ServicePrincipal>,
    /// The users (the first is the default user that device codes are approved as).
    pub users: Vec<User>,
    /// Polls answered `authorization_pending` before a device code approves itself; `None`
    /// waits for `POST /_emulator/devicecode/{user_code}/approve`.
    pub device_code_polls: Option<u32>,
    /// Namespaces registered in every subscription at start (None: the built-in default set).
    pub registered_providers: Option<Vec<String>>,
    /// LRO mode per operation kind; `*` is the fallback.
    pub lro: BTreeMap<String, LroMode>,
    pub registration_delay: RegistrationDelay,
    pub clock: ClockMode,
    /// Seeds the id generator for reproducible GUIDs.
    pub id_seed: Option<u64>,
    pub max_body_bytes: usize,
    /// The body limit of a state import.
    pub max_import_bytes: usize,
    /// Closes a connection whose request headers are not complete after this long.
    pub header_read_timeout: Duration,
    /// Closes a kept-alive connection idle for this long.
    pub idle_timeout: Duration,
    /// Host names (besides loopback names and addresses) the server answers to, for a reverse
    /// proxy in front of it. Any other `Host` is refused (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// A state document to load at start (`--load`).
    pub load: Option<PathBuf>,
    /// Fault rules to load at start (`--faults`: a JSON array, as `POST /_emulator/faults`).
    pub faults: Option<PathBuf>,
    /// The cloud name served by `/metadata/endpoints` (default `ArmEmu`). It must not be a
    /// cloud the clients know (`AzureCloud`, ...): azure-ai-ml and the az CLI use their built-in
    /// endpoints for those, whatever `ARM_CLOUD_METADATA_URL` says.
    pub cloud_name: String,
    /// How many requests `/_emulator/journal` keeps (`--journal-size`; 0 keeps none).
    pub journal_size: usize,
    /// Where the state is kept across restarts (`--state-dir`; none: in memory only).
    pub state_dir: Option<PathBuf>,
    /// The log size (bytes) past which the state directory is compacted into a snapshot.
    pub state_log_limit: u64,
    /// `--auth loose|strict`.
    pub auth: AuthMode,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            http_port: DEFAULT_HTTP_PORT,
            https_port: DEFAULT_HTTPS_PORT,
            data_dir: default_data_dir(),
            tenants: vec![Tenant {
                tenant_id: DEFAULT_TENANT_ID.into(),
                display_name: "Emulated Tenant".into(),
                default_domain: "armemu.onmicrosoft.com".into(),
            }],
            subscriptions: vec![Subscription {
                subscription_id: DEFAULT_SUBSCRIPTION_ID.into(),
                tenant_id: DEFAULT_TENANT_ID.into(),
                display_name: "Emulated Subscription".into(),
                state: Default::default(),
                tags: Default::default(),
                managed_by_tenants: Default::default(),
            }],
            service_principals: vec![ServicePrincipal {
                client_id: DEFAULT_CLIENT_ID.into(),
                client_secret: DEFAULT_CLIENT_SECRET.into(),
                object_id: DEFAULT_OBJECT_ID.into(),
                display_name: "armemu-builtin-sp".into(),
                tenant_id: DEFAULT_TENANT_ID.into(),
            }],
            users: vec![User {
                user_principal_name: DEFAULT_USER_UPN.into(),
                object_id: DEFAULT_USER_OBJECT_ID.into(),
                password: DEFAULT_USER_PASSWORD.into(),
                display_name: "Emulated User".into(),
                tenant_id: DEFAULT_TENANT_ID.into(),
            }],
            device_code_polls: Some(DEFAULT_DEVICE_CODE_POLLS),
            registered_providers: None,
            lro: BTreeMap::new(),
            registration_delay: RegistrationDelay::Immediate,
            clock: ClockMode::System,
            id_seed: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            allowed_hosts: Vec::new(),
            load: None,
            faults: None,
            cloud_name: DEFAULT_CLOUD_NAME.into(),
            journal_size: DEFAULT_JOURNAL_SIZE,
            state_dir: None,
            state_log_limit: DEFAULT_STATE_LOG_LIMIT,
            auth: AuthMode::Loose,
        }
    }
}

impl Config {
    /// A configuration for tests: free ports, a frozen clock, seeded ids, a fresh data dir.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Config {
            http_port: 0,
            https_port: 0,
            data_dir,
            clock: ClockMode::Manual(
                DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|_| Utc::now()),
            ),
            id_seed: Some(1),
            ..Config::default()
        }
    }

    /// Applies a JSON config file (every key optional).
    pub fn apply_file(&mut self, text: &str) -> Result<(), String> {
        let f: ConfigFile = serde_json::from_str(text).map_err(|e| format!("config file: {e}"))?;
        if let Some(v) = f.http_port {
            self.http_port = v;
        }
        if let Some(v) = f.https_port {
            self.https_port = v;
        }
        if let Some(v) = f.tenants {
            self.tenants.extend(v);
        }
        if let Some(v) = f.subscriptions {
            self.subscriptions.extend(v);
        }
        if let Some(v) = f.service_principals {
            self.service_principals.extend(v);
        }
        if let Some(v) = f.users {
            self.users.extend(v);
        }
        if let Some(v) = f.device_code_polls {
            // A negative number: never approve by itself (only through the test-control API).
            self.device_code_polls = u32::try_from(v).ok();
        }
        if let Some(v) = f.registered_providers {
            self.registered_providers = Some(v);
        }
        if let Some(v) = f.lro {
            self.lro.extend(v);
        }
        if let Some(v) = f.registration_delay {
            self.registration_delay = v.parse()?;
        }
        if let Some(v) = f.max_body_bytes {
            self.max_body_bytes = v;
        }
        if let Some(v) = f.cloud_name {
            self.cloud_name = v;
        }
        if let Some(v) = f.header_read_timeout_ms {
            self.header_read_timeout = Duration::from_millis(v.max(1));
        }
        if let Some(v) = f.idle_timeout_ms {
            self.idle_timeout = Duration::from_millis(v.max(1));
        }
        if let Some(v) = f.allowed_hosts {
            self.allowed_hosts.extend(v);
        }
        if let Some(v) = f.journal_size {
            self.journal_size = v;
        }
        if let Some(v) = f.auth {
            self.auth = v.parse()?;
        }
        Ok(())
    }
}

/// The config file format (`--config FILE`), documented in README.md.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigFile {
    pub http_port: Option<u16>,
    pub https_port: Option<u16>,
    pub tenants: Option<Vec<Tenant>>,
    pub subscriptions: Option<Vec<Subscription>>,
    pub service_principals: Option<Vec<ServicePrincipal>>,
    pub users: Option<Vec<User>>,
    /// Polls before a device code approves itself; negative: only the test-control API does.
    pub device_code_polls: Option<i64>,
    pub registered_providers: Option<Vec<String>>,
    pub lro: Option<BTreeMap<String, LroMode>>,
    pub registration_delay: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub cloud_name: Option<String>,
    pub header_read_timeout_ms: Option<u64>,
    pub idle_timeout_ms: Option<u64>,
    pub allowed_hosts: Option<Vec<String>>,
    pub journal_size: Option<usize>,
    /// `loose` or `strict`.
    pub auth: Option<String>,
}

/// `$ARMEMU_DATA_DIR`, else `$XDG_DATA_HOME/armemu`, else `~/.local/share/armemu`.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ARMEMU_DATA_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("armemu");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/armemu"),
        None => PathBuf::from(".armemu"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_adds_users_and_sets_device_code_approval() {
        let mut c = Config::default();
        c.apply_file(
            r#"{"users": [{"userPrincipalName": "dev@armemu.onmicrosoft.com", "objectId": "8d000000-0000-4000-8000-0000000000b9",
                "password": "pw", "displayName": "Dev", "tenantId": "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001"}],
                "deviceCodePolls": 3}"#,
        )
        .unwrap();
        let upns: Vec<&str> = c.users.iter().map(|u| u.user_principal_name.as_str()).collect();
        assert_eq!(upns, [DEFAULT_USER_UPN, "dev@armemu.onmicrosoft.com"]);
        assert_eq!(c.device_code_polls, Some(3));
        c.apply_file(r#"{"deviceCodePolls": -1}"#).unwrap();
        assert_eq!(c.device_code_polls, None);
        let e = c.apply_file(r#"{"users": [{"userPrincipalName": "x"}]}"#).unwrap_err();
        assert!(e.starts_with("config file: missing field `objectId`"), "{e}");
    }
}
