//! Per-invocation context: where ARM is, which credential and subscription to use, the
//! diagnostics sink, and waiting for long-running operations (with a spinner on a terminal).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::args::Global;
use super::{CliError, Env, ErrSink};
use crate::client::ArmClient;
use crate::credential::{CliCredential, ClientSecretCredential, StaticTokenCredential, TokenCredential};
use crate::http::{HttpClient, TlsOptions};
use crate::lro::Poller;
use crate::profile::{self, ConfigDir, Profile, EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, EMULATOR_TENANT_ID};
use crate::sleep::{Sleeper, TokioSleeper};

pub const PUBLIC_ARM: &str = "https://management.azure.com";

/// Where the ARM calls go.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint: String,
    pub ca: Option<PathBuf>,
    /// Not public Azure: the built-in service principal may be used without a login.
    pub emulator: bool,
    /// Given explicitly (flag or environment), so `login` saves it.
    pub explicit: bool,
    /// Named by a flag, the environment or the profile (not found, not the fallback): only
    /// then may armctl call a host that is not this machine.
    pub named: bool,
    /// A live emulator's `instance.json` was found.
    pub running: bool,
    pub cloud_name: String,
}

pub struct Ctx {
    pub global: Global,
    pub env: Env,
    pub err: ErrSink,
    client: tokio::sync::OnceCell<ArmClient>,
    http: std::sync::OnceLock<HttpClient>,
}

/// `scheme://host[:port]` of a URL.
pub fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

impl Ctx {
    pub fn new(global: Global, env: Env, err: ErrSink) -> Ctx {
        Ctx { global, env, err, client: tokio::sync::OnceCell::new(), http: std::sync::OnceLock::new() }
    }

    pub fn var(&self, k: &str) -> Option<&str> {
        self.env.vars.get(k).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn config_dir(&self) -> ConfigDir {
        ConfigDir::from_vars(&self.env.vars)
    }

    /// A setting below its flag: `AZURE_<SECTION>_<OPTION>`, else the config file (az's
    /// precedence: flag > environment variable > config file).
    pub fn setting(&self, section: &str, key: &str) -> Option<String> {
        let file = super::config::Config::load(&self.config_dir());
        super::config::setting(&self.env.vars, &file, section, key).filter(|v| !v.is_empty())
    }

    /// `-g`, else the default group (`AZURE_DEFAULTS_GROUP`, `defaults.group`), else az's
    /// argparse error for the missing argument.
    pub fn group(&self, flag: Option<String>) -> Result<String, CliError> {
        flag.or_else(|| self.setting("defaults", "group"))
            .ok_or_else(|| CliError::usage("the following arguments are required: --resource-group/-g"))
    }

    /// An optional `-g` (list commands): az fills it from the default group too, so a default
    /// narrows `resource list` and `ml workspace list` to that group.
    pub fn group_opt(&self, flag: Option<String>) -> Option<String> {
        flag.or_else(|| self.setting("defaults", "group"))
    }

    /// `-l`, else the default location (`AZURE_DEFAULTS_LOCATION`, `defaults.location`).
    pub fn location(&self, flag: Option<String>) -> Option<String> {
        flag.or_else(|| self.setting("defaults", "location"))
    }

    pub fn profile(&self) -> Option<Profile> {
        self.config_dir().load_profile()
    }

    pub fn warn(&self, msg: &str) {
        if !self.global.only_show_errors {
            self.err.line(&format!("WARNING: {msg}"));
        }
    }

    pub fn info(&self, msg: &str) {
        if self.global.verbose || self.global.debug {
            self.err.line(&format!("INFO: {msg}"));
        }
    }

    pub fn sleeper(&self) -> Arc<dyn Sleeper> {
        self.env.sleeper.clone().unwrap_or_else(|| Arc::new(TokioSleeper))
    }

    pub fn target(&self) -> Target {
        let inst = profile::discover_emulator(&self.env.vars);
        let prof = self.profile();
        let env_ca = self.global.ca.clone().or_else(|| self.var("ARMEMU_CA").map(String::from));
        let (endpoint, explicit, named, mut ca) = if let Some(e) = &self.global.endpoint {
            (e.clone(), true, true, None)
        } else if let Some(e) = self.var("ARMEMU_ENDPOINT") {
            (e.to_string(), true, true, None)
        } else if let Some(e) = prof.as_ref().and_then(|p| p.endpoint.clone()) {
            (e, false, true, prof.as_ref().and_then(|p| p.ca.clone()))
        } else if let Some(i) = &inst {
            (i.https.clone(), false, false, i.ca.clone())
        } else {
            (PUBLIC_ARM.to_string(), false, false, None)
        };
        let endpoint = endpoint.trim_end_matches('/').to_string();
        if ca.is_none() {
            if let Some(i) = &inst {
                if origin(&endpoint) == origin(&i.https) || origin(&endpoint) == origin(&i.http) {
                    ca = i.ca.clone();
                }
            }
        }
        let ca = env_ca.or(ca).map(PathBuf::from);
        let emulator = !origin(&endpoint).eq_ignore_ascii_case(PUBLIC_ARM);
        let running = inst.is_some();
        let cloud_name = inst.and_then(|i| i.cloud_name).unwrap_or_else(|| "AzureCloud".into());
        Target { endpoint, ca, emulator, explicit, named, running, cloud_name }
    }

    /// [`Ctx::target`], refused when nothing names an endpoint and no emulator is running:
    /// armctl then says so instead of falling back to public Azure with a saved secret.
    pub fn live_target(&self) -> Result<Target, CliError> {
        let target = self.target();
        if target.named || target.running {
            return Ok(target);
        }
        let looked = profile::emulator_data_dir(&self.env.vars)
            .map(|d| d.join("instance.json").display().to_string())
            .unwrap_or_else(|| "$ARMEMU_DATA_DIR/instance.json (no HOME is set)".into());
        Err(CliError::failed(format!(
            "The emulator is not running: no live armemu instance was found ({looked}), and no endpoint was named."
        ))
        .with_hint(
            "start it ('armemu', or 'make run' in its repository), or name an endpoint with --endpoint, \
             ARMEMU_ENDPOINT or 'armctl login --endpoint URL' (only a named endpoint may be outside this machine)",
        ))
    }

    pub fn http(&self, target: &Target) -> Result<HttpClient, CliError> {
        if let Some(h) = self.http.get() {
            return Ok(h.clone());
        }
        let mut h = HttpClient::new(&TlsOptions { ca_file: target.ca.clone(), no_system_roots: false })?;
        if !target.named {
            h = h.loopback_only();
        }
        let _ = self.http.set(h.clone());
        Ok(h)
    }

    fn credential(&self, target: &Target, http: &HttpClient) -> Result<Arc<dyn TokenCredential>, CliError> {
        if let Some(t) = self.var("ARMCTL_ACCESS_TOKEN") {
            return Ok(Arc::new(StaticTokenCredential::new(t)));
        }
        if self.profile().is_some() {
            let c = CliCredential::new(self.config_dir(), http.clone(), &origin(&target.endpoint))?
                .with_sleeper(self.sleeper());
            return Ok(Arc::new(c));
        }
        if target.emulator {
            self.info("not logged in: using the emulator's built-in service principal");
            let c = ClientSecretCredential::new(
                &origin(&target.endpoint),
                EMULATOR_TENANT_ID,
                EMULATOR_CLIENT_ID,
                EMULATOR_CLIENT_SECRET,
                http.clone(),
            )
            .with_sleeper(self.sleeper());
            return Ok(Arc::new(c));
        }
        Err(CliError::failed("Please run 'armctl login' to setup account."))
    }

    /// A client for `target` with `credential` (used by `login` before a profile exists).
    pub fn build_client(&self, target: &Target, credential: Arc<dyn TokenCredential>) -> Result<ArmClient, CliError> {
        let http = self.http(target)?;
        let mut b =
            ArmClient::builder(&target.endpoint).http_client(http).credential(credential).sleeper(self.sleeper());
        if self.global.debug {
            let sink = self.err.clone();
            b = b.logger(Arc::new(move |line: &str| {
                for l in line.lines() {
                    sink.line(&format!("DEBUG: {l}"));
                }
            }));
        }
        Ok(b.build()?)
    }

    /// The client with the subscription resolved (`--subscription`, the profile's default, or
    /// the first subscription the endpoint lists).
    pub async fn client(&self) -> Result<ArmClient, CliError> {
        let c = self
            .client
            .get_or_try_init(|| async {
                let target = self.live_target()?;
                let http = self.http(&target)?;
                let cred = self.credential(&target, &http)?;
                let base = self.build_client(&target, cred)?;
                let sub = self.resolve_subscription(&base).await?;
                Ok::<ArmClient, CliError>(base.with_subscription(sub))
            })
            .await?;
        Ok(c.clone())
    }

    async fn resolve_subscription(&self, base: &ArmClient) -> Result<String, CliError> {
        let prof = self.profile();
        if let Some(s) = &self.global.subscription {
            if is_guid(s) {
                return Ok(s.clone());
            }
            if let Some(e) = prof.as_ref().and_then(|p| p.subscriptions.iter().find(|e| e.name.eq_ignore_ascii_case(s)))
            {
                return Ok(e.id.clone());
            }
            let all = base.subscriptions().list().collect_all().await?;
            return all
                .into_iter()
                .find(|x| x.display_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(s)))
                .map(|x| x.subscription_id)
                .ok_or_else(|| {
                    CliError::failed(format!(
                        "Subscription '{s}' not found. Check the spelling and casing and try again."
                    ))
                });
        }
        if let Some(d) = prof.as_ref().and_then(|p| p.default_subscription()) {
            return Ok(d.id.clone());
        }
        let all = base.subscriptions().list().collect_all().await?;
        all.into_iter()
            .next()
            .map(|s| s.subscription_id)
            .ok_or_else(|| CliError::failed("No subscriptions found for this account."))
    }

    /// Waits for a long-running operation, with a spinner when stderr is a terminal.
    pub async fn wait<T: DeserializeOwned>(&self, poller: Poller<T>) -> Result<Option<T>, CliError> {
        let _spin = Spinner::start(self.env.stderr_tty && !self.global.debug && !poller.is_done());
        Ok(poller.wait().await?)
    }

    /// [`Ctx::wait`] that keeps the poller, so its last answer can be read after a failure.
    pub async fn wait_in_place<T: DeserializeOwned>(&self, poller: &mut Poller<T>) -> crate::Result<Option<T>> {
        let _spin = Spinner::start(self.env.stderr_tty && !self.global.debug && !poller.is_done());
        poller.wait_in_place().await
    }
}

/// ` - Running ..` on stderr while an operation runs; cleared when dropped.
struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start(enabled: bool) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = enabled.then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                use std::io::Write;
                let frames = ['|', '/', '-', '\\'];
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let _ = write!(std::io::stderr(), "\r {} Running ..", frames[i % frames.len()]);
                    let _ = std::io::stderr().flush();
                    i += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                let _ = write!(std::io::stderr(), "\r\x1b[K");
            })
        });
        Spinner { stop, thread }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
