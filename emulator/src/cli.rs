//! The `armemu` command line: `armemu [run]` starts the emulator, `armemu env` prints the shell
//! exports that point real clients at a running instance, `armemu az-login` makes the
//! emulator's cloud the active one in the isolated az configuration and signs the built-in
//! service principal in.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use serde_json::Value;

use crate::config::{self, ClockMode, Config};

#[derive(Parser, Debug)]
#[command(name = "armemu", version, about = "An offline Azure Resource Manager emulator for Azure Machine Learning")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the emulator (the default).
    Run(Box<RunArgs>),
    /// Print shell exports that point Azure clients at the instance running in --data-dir.
    Env(DirArgs),
    /// Make the running instance's cloud (`ArmEmu`) az's active cloud in the isolated az config
    /// (see `armemu env`) and sign the built-in service principal in.
    AzLogin(AzLoginArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DirArgs {
    /// Data directory (default: $ARMEMU_DATA_DIR, $XDG_DATA_HOME/armemu or ~/.local/share/armemu).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct AzLoginArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// The az executable.
    #[arg(long, default_value = "az")]
    pub az: String,
}

#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Plain-HTTP port (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub http_port: Option<u16>,
    /// HTTPS port (0 picks a free one).
    #[arg(long, value_name = "N")]
    pub https_port: Option<u16>,
    /// Data directory for the CA, certificate, signing key and instance file.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A JSON config file (see README.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Preload a state document (the format of fixtures/states/ and GET /_emulator/state).
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,
    /// Fault rules to load at start: a JSON array of the rules `POST /_emulator/faults` takes.
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// Add a subscription (GUID[=display name]) in the default tenant; repeatable.
    #[arg(long = "subscription", value_name = "GUID[=NAME]")]
    pub subscriptions: Vec<String>,
    /// Namespaces registered at start, comma-separated (replaces the default set).
    #[arg(long, value_name = "NS,NS")]
    pub registered_providers: Option<String>,
    /// LRO mode per operation kind, e.g. `resourceGroups/delete=polls:2`, `*=seconds:5`; repeatable.
    #[arg(long = "lro", value_name = "KIND=MODE")]
    pub lro: Vec<String>,
    /// When provider (un)registration settles: immediate, polls:N or seconds:T.
    #[arg(long, value_name = "MODE")]
    pub registration_delay: Option<String>,
    /// `system` (default) or `manual[=RFC3339]` (frozen; moves only through /_emulator/clock).
    #[arg(long, value_name = "MODE")]
    pub clock: Option<String>,
    /// Seed for reproducible GUIDs.
    #[arg(long, value_name = "N")]
    pub id_seed: Option<u64>,
    /// Request body limit in bytes.
    #[arg(long, value_name = "N")]
    pub max_body_bytes: Option<usize>,
    /// Closes a connection that has not sent a complete request head this long after it
    /// connected or started one (default 30000).
    #[arg(long, value_name = "MS")]
    pub header_read_timeout_ms: Option<u64>,
    /// Closes a kept-alive connection idle this long after its last answer (default 60000).
    #[arg(long, value_name = "MS")]
    pub idle_timeout_ms: Option<u64>,
    /// Also answer to this host name (a reverse proxy in front of the emulator); repeatable.
    /// Loopback names and addresses are always accepted; any other `Host` is refused.
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// How many requests `/_emulator/journal` keeps, oldest dropped first (default 10000; 0
    /// keeps none, the live stream still works).
    #[arg(long, value_name = "N")]
    pub journal_size: Option<usize>,
    /// Keep the state in DIR: every acknowledged write is on disk before its answer, and a
    /// restart (even after kill -9) restores resources, operations in flight, clock and
    /// settings. Without it the state lives in memory only.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// `loose` (default: any bearer token, role assignments not enforced) or `strict` (the
    /// emulator's own unexpired tokens for ARM from the subscription's tenant, and RBAC).
    #[arg(long, value_name = "MODE")]
    pub auth: Option<String>,
    /// With --state-dir: compact the log into a snapshot once it passes this many MiB (or the
    /// last snapshot's size, whichever is larger; default 32).
    #[arg(long, value_name = "MIB")]
    pub state_log_limit: Option<u64>,
}

impl RunArgs {
    pub fn into_config(self) -> Result<Config, String> {
        let mut c = Config::default();
        if let Some(d) = self.data_dir {
            c.data_dir = d;
        }
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            c.apply_file(&text)?;
        }
        if let Some(p) = self.http_port {
            c.http_port = p;
        }
        if let Some(p) = self.https_port {
            c.https_port = p;
        }
        c.load = self.load;
        c.faults = self.faults;
        c.state_dir = self.state_dir;
        if let Some(m) = self.state_log_limit {
            c.state_log_limit = m.max(1) << 20;
        }
        for s in self.subscriptions {
            let (id, name) = s.split_once('=').unwrap_or((&s, ""));
            if uuid::Uuid::try_parse(id).is_err() {
                return Err(format!("--subscription '{id}' is not a GUID"));
            }
            c.subscriptions.push(crate::model::Subscription {
                subscription_id: id.to_lowercase(),
                tenant_id: config::DEFAULT_TENANT_ID.into(),
                display_name: if name.is_empty() { format!("Subscription {id}") } else { name.to_string() },
                state: Default::default(),
                tags: Default::default(),
                managed_by_tenants: Default::default(),
            });
        }
        if let Some(r) = self.registered_providers {
            c.registered_providers =
                Some(r.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
        }
        for l in self.lro {
            let (k, m) = l.split_once('=').ok_or_else(|| format!("--lro '{l}' must be KIND=MODE"))?;
            c.lro.insert(k.to_string(), m.parse()?);
        }
        if let Some(d) = self.registration_delay {
            c.registration_delay = d.parse()?;
        }
        if let Some(clock) = self.clock {
            c.clock = match clock.split_once('=') {
                None if clock == "system" => ClockMode::System,
                None if clock == "manual" => ClockMode::Manual(chrono::Utc::now()),
                Some(("manual", t)) => ClockMode::Manual(
                    chrono::DateTime::parse_from_rfc3339(t)
                        .map_err(|e| format!("--clock manual={t}: {e}"))?
                        .with_timezone(&chrono::Utc),
                ),
                _ => return Err(format!("--clock '{clock}': expected system, manual or manual=RFC3339")),
            };
        }
        c.id_seed = self.id_seed.or(c.id_seed);
        if let Some(n) = self.max_body_bytes {
            c.max_body_bytes = n;
        }
        if let Some(ms) = self.header_read_timeout_ms {
            c.header_read_timeout = std::time::Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = self.idle_timeout_ms {
            c.idle_timeout = std::time::Duration::from_millis(ms.max(1));
        }
        c.allowed_hosts.extend(self.allowed_hosts);
        if let Some(n) = self.journal_size {
            c.journal_size = n;
        }
        if let Some(a) = self.auth {
            c.auth = a.parse()?;
        }
        Ok(c)
    }
}

pub fn data_dir(d: &Option<PathBuf>) -> PathBuf {
    d.clone().unwrap_or_else(config::default_data_dir)
}

/// The file a running instance writes into its data directory.
pub fn instance_file(dir: &Path) -> PathBuf {
    dir.join("instance.json")
}

fn read_instance(dir: &Path) -> Result<Value, String> {
    let f = instance_file(dir);
    let text = std::fs::read_to_string(&f).map_err(|_| {
        format!(
            "no running armemu found in {} (start one with `make run` or `armemu --data-dir {}`)",
            dir.display(),
            dir.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The exports for the instance running in `dir`, in order.
pub fn exports(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let inst = read_instance(dir)?;
    let get = |k: &str| inst.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let https = get("https");
    let http = get("http");
    let mut v = vec![
        ("ARMEMU_ENDPOINT", https.clone()),
        ("ARMEMU_CA", get("ca")),
        ("REQUESTS_CA_BUNDLE", get("bundle")),
        ("SSL_CERT_FILE", get("bundle")),
        ("NODE_EXTRA_CA_CERTS", get("ca")),
        ("ARM_CLOUD_METADATA_URL", format!("{https}/metadata/endpoints?api-version=2019-05-01")),
        ("AZUREML_CURRENT_CLOUD", get("cloudName")),
        ("AZURE_AUTHORITY_HOST", https.clone()),
        ("AZURE_TENANT_ID", config::DEFAULT_TENANT_ID.to_string()),
        ("AZURE_CLIENT_ID", config::DEFAULT_CLIENT_ID.to_string()),
        ("AZURE_CLIENT_SECRET", config::DEFAULT_CLIENT_SECRET.to_string()),
        ("AZURE_SUBSCRIPTION_ID", config::DEFAULT_SUBSCRIPTION_ID.to_string()),
        ("MSI_ENDPOINT", format!("{http}/msi/token")),
        ("AZURE_CONFIG_DIR", dir.join("azure-config").display().to_string()),
        ("AZURE_CORE_INSTANCE_DISCOVERY", "false".to_string()),
        ("AZURE_CORE_COLLECT_TELEMETRY", "false".to_string()),
    ];
    if v[6].1.is_empty() {
        v[6].1 = config::DEFAULT_CLOUD_NAME.into();
    }
    Ok(v.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Checks that the instance `instance.json` names is alive: its process exists (where `/proc`
/// tells) and its health endpoint answers. A stale file (the process died without removing
/// it) is reported, not exported.
pub fn check_alive(dir: &Path) -> Result<(), String> {
    use std::io::{Read, Write};
    let inst = read_instance(dir)?;
    let file = instance_file(dir);
    let stale = |why: String| {
        format!(
            "the instance in {} is not running ({why}); start one with `make run` or `armemu --data-dir {}`",
            file.display(),
            dir.display()
        )
    };
    if let Some(pid) = inst.get("pid").and_then(Value::as_u64) {
        if Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists() {
            return Err(stale(format!("process {pid} is gone")));
        }
    }
    let http = inst.get("http").and_then(Value::as_str).unwrap_or_default();
    let addr = http.trim_start_matches("http://").trim_end_matches('/');
    let timeout = std::time::Duration::from_secs(2);
    let answer = (|| -> std::io::Result<String> {
        let sock = std::net::ToSocketAddrs::to_socket_addrs(addr)?
            .next()
            .ok_or_else(|| std::io::Error::other("no address"))?;
        let mut s = std::net::TcpStream::connect_timeout(&sock, timeout)?;
        s.set_read_timeout(Some(timeout))?;
        write!(s, "GET /_emulator/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        Ok(out)
    })();
    match answer {
        Ok(a) if a.starts_with("HTTP/1.1 200") && a.contains("\"status\":\"ok\"") => Ok(()),
        Ok(a) => Err(stale(format!("{http}/_emulator/health answered {}", a.lines().next().unwrap_or("nothing")))),
        Err(e) => Err(stale(format!("{http}/_emulator/health: {e}"))),
    }
}

pub fn print_env(args: DirArgs) -> Result<(), String> {
    check_alive(&data_dir(&args.data_dir))?;
    for (k, v) in exports(&data_dir(&args.data_dir))? {
        println!("export {k}={}", sh_quote(&v));
    }
    Ok(())
}

/// `az cloud set` + `az login --service-principal` against the instance running in the data
/// directory, in the isolated az config from `armemu env`.
///
/// With `ARM_CLOUD_METADATA_URL` (exported by `armemu env`) az's known clouds are the ones the
/// emulator's metadata names, so its cloud (`ArmEmu` unless configured) is already known and
/// only needs to be made active. az caches that list in `cloudEndpoints.json` and keeps custom
/// registrations (earlier versions registered `ArmEmu` by hand) in `clouds.config`, both with
/// the ports of the instance they were made for: both files are removed first (the directory is
/// armemu's own, and the login below writes what it needs again).
pub fn az_login(args: AzLoginArgs) -> Result<(), String> {
    let dir = data_dir(&args.dir.data_dir);
    let env = exports(&dir)?;
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let https = var("ARMEMU_ENDPOINT");
    let cloud = var("AZUREML_CURRENT_CLOUD");
    let config_dir = PathBuf::from(var("AZURE_CONFIG_DIR"));
    let run = |argv: &[&str], allow_fail: bool| -> Result<(), String> {
        let out = std::process::Command::new(&args.az)
            .args(argv)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .map_err(|e| format!("running {} {}: {e}", args.az, argv.join(" ")))?;
        if !out.status.success() && !allow_fail {
            return Err(format!(
                "`az {}` failed ({}):\n{}",
                argv.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    };
    for stale in ["cloudEndpoints.json", "clouds.config"] {
        match std::fs::remove_file(config_dir.join(stale)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("removing {}: {e}", config_dir.join(stale).display())),
        }
    }
    let legacy = cloud.eq_ignore_ascii_case("AzureCloud");
    if legacy {
        // A configured legacy name: az forces AzureCloud's login endpoint to the public one,
        // so the instance is registered as a custom cloud `ArmEmu` next to it.
        run(&["cloud", "set", "-n", "AzureCloud"], true)?;
        run(&["cloud", "register", "-n", "ArmEmu", "--endpoint-resource-manager", &format!("{https}/")], false)?;
        run(&["cloud", "set", "-n", "ArmEmu"], false)?;
    } else {
        run(&["cloud", "set", "-n", &cloud], false)?;
    }
    run(&["config", "set", "core.instance_discovery=false", "core.collect_telemetry=false"], false)?;
    run(
        &[
            "login",
            "--service-principal",
            "-u",
            config::DEFAULT_CLIENT_ID,
            "-p",
            config::DEFAULT_CLIENT_SECRET,
            "--tenant",
            config::DEFAULT_TENANT_ID,
            "--output",
            "none",
        ],
        false,
    )?;
    eprintln!(
        "az is signed in to the emulator at {https} as the built-in service principal (cloud '{}', config in {}).",
        if legacy { "ArmEmu" } else { cloud.as_str() },
        config_dir.display()
    );
    Ok(())
}
