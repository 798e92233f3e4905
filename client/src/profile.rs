//! `armctl`'s files and the emulator's discovery file.
//!
//! The config directory is `$ARMCTL_CONFIG_DIR`, else `$XDG_CONFIG_HOME/armctl`, else
//! `~/.config/armctl`. It holds `profile.json` (who logged in, against which cloud, and the
//! subscriptions seen then; written with mode 0600 because it holds the service principal's
//! secret, as az's `service_principal_entries.json` does) and `tokens.json` (the token cache).
//!
//! A running `armemu` writes `<data dir>/instance.json` (`{"http","https","ca","bundle","pid",
//! "cloudName"}`); [`discover_emulator`] finds it in `$ARMEMU_DATA_DIR`, else
//! `$XDG_DATA_HOME/armemu`, else `~/.local/share/armemu`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The emulator's default tenant, subscription and built-in service principal (armemu's README).
pub const EMULATOR_TENANT_ID: &str = "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001";
pub const EMULATOR_SUBSCRIPTION_ID: &str = "9b3f7c52-0d8e-4e2b-8a41-5c6d7e8f9a01";
pub const EMULATOR_CLIENT_ID: &str = "0e1a7c3b-5d2f-4b6a-9c8e-1f2a3b4c5d01";
pub const EMULATOR_CLIENT_SECRET: &str = "armemu-secret";

/// Environment variables, passed explicitly so tests do not touch the process environment.
pub type Vars = HashMap<String, String>;

fn var<'a>(vars: &'a Vars, k: &str) -> Option<&'a str> {
    vars.get(k).map(String::as_str).filter(|v| !v.is_empty())
}

#[derive(Debug, Clone)]
pub struct ConfigDir {
    pub path: PathBuf,
}

/// A subscription as `armctl account list` prints it (az's profile entry).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionEntry {
    pub cloud_name: String,
    pub home_tenant_id: String,
    pub id: String,
    pub is_default: bool,
    pub managed_by_tenants: Vec<serde_json::Value>,
    pub name: String,
    pub state: String,
    pub tenant_id: String,
    pub user: UserEntry,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserEntry {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The ARM endpoint given at login (`--endpoint`, `ARMEMU_ENDPOINT`); `None` means "find it
    /// again each time" (the running emulator, else public Azure).
    pub endpoint: Option<String>,
    pub ca: Option<String>,
    /// The login endpoint (without tenant) the token comes from.
    pub authority: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub subscriptions: Vec<SubscriptionEntry>,
}

impl Profile {
    pub fn default_subscription(&self) -> Option<&SubscriptionEntry> {
        self.subscriptions.iter().find(|s| s.is_default).or(self.subscriptions.first())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TokenCacheEntry {
    pub access_token: String,
    /// Unix seconds.
    pub expires_on: i64,
}

impl ConfigDir {
    pub fn new(path: impl Into<PathBuf>) -> ConfigDir {
        ConfigDir { path: path.into() }
    }

    /// `$ARMCTL_CONFIG_DIR`, else `$XDG_CONFIG_HOME/armctl`, else `~/.config/armctl`.
    pub fn from_vars(vars: &Vars) -> ConfigDir {
        if let Some(d) = var(vars, "ARMCTL_CONFIG_DIR") {
            return ConfigDir::new(d);
        }
        if let Some(d) = var(vars, "XDG_CONFIG_HOME") {
            return ConfigDir::new(Path::new(d).join("armctl"));
        }
        match var(vars, "HOME") {
            Some(h) => ConfigDir::new(Path::new(h).join(".config/armctl")),
            None => ConfigDir::new(".armctl"),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    pub fn load_profile(&self) -> Option<Profile> {
        let text = std::fs::read_to_string(self.file("profile.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save_profile(&self, p: &Profile) -> std::io::Result<()> {
        self.write_private("profile.json", &serde_json::to_string_pretty(p).map_err(std::io::Error::other)?)
    }

    pub fn remove_profile(&self) -> std::io::Result<()> {
        for f in ["profile.json", "tokens.json"] {
            match std::fs::remove_file(self.file(f)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    fn tokens(&self) -> BTreeMap<String, TokenCacheEntry> {
        std::fs::read_to_string(self.file("tokens.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn load_token(&self, key: &str) -> Option<TokenCacheEntry> {
        self.tokens().remove(key)
    }

    pub fn save_token(&self, key: &str, entry: &TokenCacheEntry) -> std::io::Result<()> {
        let mut all = self.tokens();
        all.insert(key.to_string(), entry.clone());
        self.write_private("tokens.json", &serde_json::to_string_pretty(&all).map_err(std::io::Error::other)?)
    }

    /// Writes atomically (temp file + rename) with owner-only permissions.
    fn write_private(&self, name: &str, text: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.path)?;
        let tmp = self.file(&format!(".{name}.{}.tmp", std::process::id()));
        {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            use std::io::Write;
            let mut f = opts.open(&tmp)?;
            f.write_all(text.as_bytes())?;
        }
        std::fs::rename(&tmp, self.file(name))
    }
}

/// What a running `armemu` says about itself.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EmulatorInstance {
    pub http: String,
    pub https: String,
    #[serde(default)]
    pub ca: Option<String>,
    #[serde(default)]
    pub pid: Option<u32>,
    #[serde(default)]
    pub cloud_name: Option<String>,
}

/// `$ARMEMU_DATA_DIR`, else `$XDG_DATA_HOME/armemu`, else `~/.local/share/armemu` (the
/// emulator's own default).
pub fn emulator_data_dir(vars: &Vars) -> Option<PathBuf> {
    if let Some(d) = var(vars, "ARMEMU_DATA_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = var(vars, "XDG_DATA_HOME") {
        return Some(Path::new(d).join("armemu"));
    }
    var(vars, "HOME").map(|h| Path::new(h).join(".local/share/armemu"))
}

/// The running emulator's `instance.json`, if there is one whose process is alive.
pub fn discover_emulator(vars: &Vars) -> Option<EmulatorInstance> {
    let dir = emulator_data_dir(vars)?;
    let text = std::fs::read_to_string(dir.join("instance.json")).ok()?;
    let inst: EmulatorInstance = serde_json::from_str(&text).ok()?;
    if let Some(pid) = inst.pid {
        // A file left behind by a killed emulator names a dead process.
        let proc_dir = Path::new("/proc");
        if proc_dir.is_dir() && !proc_dir.join(pid.to_string()).exists() {
            return None;
        }
    }
    Some(inst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_dir_order() {
        let mut v = Vars::new();
        v.insert("HOME".into(), "/h".into());
        assert_eq!(ConfigDir::from_vars(&v).path, PathBuf::from("/h/.config/armctl"));
        v.insert("XDG_CONFIG_HOME".into(), "/x".into());
        assert_eq!(ConfigDir::from_vars(&v).path, PathBuf::from("/x/armctl"));
        v.insert("ARMCTL_CONFIG_DIR".into(), "/c".into());
        assert_eq!(ConfigDir::from_vars(&v).path, PathBuf::from("/c"));
    }

    #[test]
    fn instance_file_is_found() {
        let d = tempfile::tempdir().unwrap();
        let mut v = Vars::new();
        v.insert("ARMEMU_DATA_DIR".into(), d.path().display().to_string());
        assert!(discover_emulator(&v).is_none());
        let doc = serde_json::json!({"http":"http://127.0.0.1:1","https":"https://127.0.0.1:2","ca":"/ca.pem","bundle":"/b.pem","pid":std::process::id(),"cloudName":"AzureCloud"});
        std::fs::write(d.path().join("instance.json"), doc.to_string()).unwrap();
        let i = discover_emulator(&v).unwrap();
        assert_eq!(i.https, "https://127.0.0.1:2");
        assert_eq!(i.ca.as_deref(), Some("/ca.pem"));
        let dead = serde_json::json!({"http":"h","https":"s","pid":u32::MAX - 7});
        std::fs::write(d.path().join("instance.json"), dead.to_string()).unwrap();
        assert!(discover_emulator(&v).is_none());
    }

    #[test]
    fn profile_and_tokens_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let c = ConfigDir::new(d.path().join("cfg"));
        assert!(c.load_profile().is_none());
        let p = Profile {
            endpoint: None,
            ca: None,
            authority: "https://a".into(),
            tenant_id: "t".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            subscriptions: vec![],
        };
        c.save_profile(&p).unwrap();
        assert_eq!(c.load_profile(), Some(p));
        c.save_token("k", &TokenCacheEntry { access_token: "x".into(), expires_on: 5 }).unwrap();
        assert_eq!(c.load_token("k").unwrap().access_token, "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.path().join("cfg/profile.json")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        c.remove_profile().unwrap();
        assert!(c.load_profile().is_none());
    }
}
