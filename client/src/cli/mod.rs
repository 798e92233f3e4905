//! `armctl`, the az-style CLI. [`run`] is the whole program: `main.rs` only passes the real
//! arguments and environment and prints what comes back, and tests call it in-process.
//!
//! Exit codes, az's table (azure-cli-core's `handle_exception`, knack's parser): `0` success;
//! `2` a usage error (a missing or invalid argument, an invalid `--query`); `3` not found (any
//! 404 answer: az's `ResourceNotFoundError`, e.g. `group show -n missing`); `1` everything else
//! (ARM or the token endpoint answered with another error, nothing answered, no login, an
//! unknown subscription, a file that cannot be read, a declined confirmation, a JMESPath
//! function error). Set in one place: [`CliError::usage`], [`CliError::failed`],
//! [`CliError::not_found`] and `From<Error> for CliError`.
//!
//! Endpoint: `--endpoint`, else `$ARMEMU_ENDPOINT`, else the endpoint saved by `armctl login
//! --endpoint`, else a running `armemu` (its `instance.json`); with none of these armctl says the
//! emulator is not running. Only a named endpoint (flag, environment, profile) may be outside
//! this machine: otherwise the transport refuses every non-loopback host (token URLs, `nextLink`,
//! `Location` included), so a stopped emulator never sends a saved secret to public Azure.
//! Extra CA: `--ca`, else `$ARMEMU_CA`, else the running emulator's. Credentials:
//! `$ARMCTL_ACCESS_TOKEN`, else `armctl login`'s profile (in `$ARMCTL_CONFIG_DIR`, else
//! `~/.config/armctl`), else — against an emulator — its built-in service principal.

pub mod args;
mod az_model;
mod commands;
pub mod config;
mod context;
mod help;
pub mod jmespath;
pub mod output;
mod yaml;

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::error::Error;
use crate::profile::Vars;
use crate::sleep::Sleeper;

pub use context::Ctx;

/// What the process gives the program besides its arguments.
#[derive(Clone, Default)]
pub struct Env {
    pub vars: Vars,
    /// Answers to confirmation prompts (what a user would type), for tests and pipes.
    pub input: Option<String>,
    /// Whether stdin is a terminal a prompt can read from.
    pub interactive: bool,
    /// Whether stderr is a terminal (a spinner is shown during long operations).
    pub stderr_tty: bool,
    /// Whether stdout is a terminal (`-o jsonc`/`yamlc` colour only then, and only when
    /// stderr is one too: knack's `_should_enable_color`).
    pub stdout_tty: bool,
    /// Overrides how retries and polls wait (tests pass a recording sleeper).
    pub sleeper: Option<Arc<dyn Sleeper>>,
}

impl Env {
    /// The real process environment.
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        Env {
            vars: std::env::vars().collect(),
            input: None,
            interactive: std::io::stdin().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            sleeper: None,
        }
    }

    /// Only the given variables (for tests).
    pub fn with_vars<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(vars: I) -> Env {
        Env { vars: vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect(), ..Env::default() }
    }
}

/// A failed command: what to print and the exit code.
#[derive(Debug)]
pub struct CliError {
    pub exit: i32,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    /// A usage error (az's argparse errors): exit 2.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError { exit: 2, message: message.into(), hint: None }
    }

    /// Any failure that is neither a usage error nor "not found" (az's `CLIError`): exit 1.
    pub fn failed(message: impl Into<String>) -> CliError {
        CliError { exit: 1, message: message.into(), hint: None }
    }

    /// Something that does not exist (az's `ResourceNotFoundError`): exit 3.
    pub fn not_found(message: impl Into<String>) -> CliError {
        CliError { exit: 3, message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }
}

/// The last single-quoted token of a message (where ARM puts the namespace).
fn last_quoted(msg: &str) -> Option<String> {
    let parts: Vec<&str> = msg.split('\'').collect();
    if parts.len() < 3 {
        return None;
    }
    let idx = if parts.len() % 2 == 1 { parts.len() - 2 } else { parts.len() - 3 };
    Some(parts[idx].to_string())
}

impl From<Error> for CliError {
    fn from(e: Error) -> CliError {
        match &e {
            Error::Arm { code, message, target, details, .. } => {
                let mut text = format!("({code}) {message}\nCode: {code}\nMessage: {message}");
                if let Some(t) = target {
                    text.push_str(&format!("\nTarget: {t}"));
                }
                let hint = match code.as_str() {
                    "MissingSubscriptionRegistration" => {
                        let ns = details.iter().find_map(|d| d.target.clone()).or_else(|| last_quoted(message));
                        ns.map(|ns| format!("register the namespace with 'armctl provider register -n {ns} --wait', then run the command again"))
                    }
                    "NoRegisteredProviderFound" => Some("use a location and api-version the type supports (listed above); 'armctl provider show -n <namespace>' shows them".into()),
                    "ResourceGroupNotFound" => last_quoted(message).map(|rg| format!("create the group first: 'armctl group create -n {rg} -l <location>'")),
                    "AuthenticationFailed" | "InvalidAuthenticationToken" | "ExpiredAuthenticationToken" | "NotLoggedIn" | "invalid_client" | "unauthorized_client" => {
                        Some("run 'armctl login' (against the emulator it needs no arguments)".into())
                    }
                    "AuthorizationFailed" => Some("ask an Owner of the scope for a role assignment".into()),
                    "InvalidResourceGroupLocation" => Some("a resource group keeps the location it was created in; use another name or the existing location".into()),
                    _ if message.contains("Soft-deleted workspace exists") => {
                        Some("recover it with 'armctl ml workspace recover -n <name> -g <group>', or purge it with 'armctl ml workspace purge -n <name> -g <group>'".into())
                    }
                    _ => None,
                };
                CliError { exit: if e.is_not_found() { 3 } else { 1 }, message: text, hint }
            }
            Error::Unexpected { .. } if e.is_not_found() => CliError::not_found(e.to_string()),
            Error::Unexpected { .. } => CliError::failed(e.to_string()),
            Error::Transport { .. } => CliError {
                exit: 1,
                message: e.to_string(),
                hint: Some("is armemu running? Start it with 'make run', or point armctl at an endpoint with --endpoint or ARMEMU_ENDPOINT (and ARMEMU_CA for its CA)".into()),
            },
            Error::Invalid { message } => CliError::failed(message.clone()),
        }
    }
}

/// What a command produced for stdout (before `--query` and `-o`).
pub enum Output {
    Nothing,
    Value(Value),
    /// A value with az's table transformer for `-o table` without `--query`. A transformer
    /// answers `null` where az's raises (az then says "Table output unavailable").
    Table(Value, fn(&Value) -> Value),
    /// Text printed as is, whatever `-o` says (az's what-if summary).
    Text(String),
}

/// Collected stderr lines.
#[derive(Clone, Default)]
pub struct ErrSink(Arc<Mutex<String>>);

impl ErrSink {
    pub fn line(&self, s: &str) {
        if let Ok(mut b) = self.0.lock() {
            b.push_str(s);
            if !s.ends_with('\n') {
                b.push('\n');
            }
        }
    }

    pub fn take(&self) -> String {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

/// Splits a command line like a shell does for the simple cases: whitespace separates words,
/// double quotes group (and are removed); no escapes or variables. For tests and scripts that
/// hold `armctl` commands as text (`cli::run(["armctl"].into_iter().chain(split_words(cmd)))`).
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Runs `armctl` with `args` (the first is the program name) and returns the exit code,
/// stdout and stderr. Blocks; do not call it from inside a tokio runtime (use [`run_async`]).
pub fn run<I, S>(args: I, env: Env) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(run_async(args, env)),
        Err(e) => (1, String::new(), format!("ERROR: cannot start the runtime: {e}\n")),
    }
}

pub async fn run_async(args: Vec<String>, env: Env) -> (i32, String, String) {
    let parsed = help::command()
        .try_get_matches_from(&args)
        .and_then(|m| <args::Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    (0, text, String::new())
                }
                _ => (2, String::new(), usage_error(&e, &args, &text)),
            };
        }
    };
    let started = std::time::Instant::now();
    let err = ErrSink::default();
    let mut global = cli.global.clone();
    global.no_wait = cli.command.no_wait();
    let file = config::Config::load(&crate::profile::ConfigDir::from_vars(&env.vars));
    let format = match global.output {
        Some(f) => f,
        None => match config::setting(&env.vars, &file, "core", "output") {
            None => output::Format::Json,
            Some(v) => match <output::Format as clap::ValueEnum>::from_str(&v, true) {
                Ok(f) => f,
                Err(_) => {
                    let msg = format!(
                        "ERROR: argument --output/-o: invalid choice: '{v}' (from AZURE_CORE_OUTPUT or core.output) \
                         (choose from 'json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none')\n"
                    );
                    return (2, String::new(), msg);
                }
            },
        },
    };
    global.output = Some(format);
    let no_color = env.vars.get("NO_COLOR").is_some_and(|v| !v.is_empty())
        || config::setting(&env.vars, &file, "core", "no_color").is_some_and(|v| config::truthy(&v));
    let color = env.stdout_tty && env.stderr_tty && !no_color;
    let ctx = Ctx::new(global.clone(), env, err.clone());
    let outcome = commands::dispatch(&ctx, cli.command).await;
    let (code, stdout) = match outcome {
        Ok(out) => match finish(out, &global, color) {
            Ok(s) => (0, s),
            Err(e) => {
                report(&err, &e);
                (e.exit, String::new())
            }
        },
        Err(e) => {
            report(&err, &e);
            (e.exit, String::new())
        }
    };
    if global.verbose || global.debug {
        err.line(&format!("INFO: Command ran in {:.3} seconds", started.elapsed().as_secs_f64()));
    }
    (code, stdout, err.take())
}

/// A parse failure as az's parser words it (its first line is what scripts see), then clap's
/// usage line: an unknown command, unrecognised arguments, a value outside the choices
/// (az names itself `az` where armctl says `armctl`).
fn usage_error(e: &clap::Error, args: &[String], clap_text: &str) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    // The command's words: what precedes the first option.
    let path: Vec<&str> = args.iter().skip(1).map(String::as_str).take_while(|a| !a.starts_with('-')).collect();
    let message = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            ctx(ContextKind::InvalidSubcommand).map(|c| format!("'{c}' is misspelled or not recognized by the system."))
        }
        ErrorKind::UnknownArgument => ctx(ContextKind::InvalidArg).map(|a| {
            // argparse lists the stray option with the values after it.
            let at = args.iter().position(|x| *x == a || x.starts_with(&format!("{a}=")));
            let rest: Vec<&str> = match at {
                Some(i) => args[i + 1..].iter().map(String::as_str).take_while(|x| !x.starts_with('-')).collect(),
                None => Vec::new(),
            };
            format!("unrecognized arguments: {}", std::iter::once(a.as_str()).chain(rest).collect::<Vec<_>>().join(" "))
        }),
        ErrorKind::InvalidValue => match (ctx(ContextKind::InvalidArg), ctx(ContextKind::InvalidValue)) {
            (Some(arg), Some(value)) if e.get(ContextKind::ValidValue).is_some() => {
                let option = arg.split([' ', '=']).next().unwrap_or(&arg).to_string();
                let path = path.iter().take_while(|w| **w != value).copied().collect::<Vec<_>>().join(" ");
                Some(format!(
                    "armctl {path}: '{value}' is not a valid value for '{option}'. Allowed values: {}.",
                    ctx(ContextKind::ValidValue).unwrap_or_default()
                ))
            }
            _ => None,
        },
        ErrorKind::MissingRequiredArgument => match e.get(ContextKind::InvalidArg) {
            Some(ContextValue::Strings(missing)) => {
                let names: Vec<String> = missing.iter().map(|m| option_names(&path, m)).collect();
                Some(format!("the following arguments are required: {}", names.join(", ")))
            }
            _ => None,
        },
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            Some("the following arguments are required: _subcommand".to_string())
        }
        _ => None,
    };
    match message {
        Some(m) => {
            let usage: String =
                clap_text.lines().skip_while(|l| !l.starts_with("Usage:")).take(1).map(|l| format!("{l}\n")).collect();
            format!("ERROR: {m}\n{usage}")
        }
        None => clap_text.to_string(),
    }
}

/// An option as argparse names it in "required" errors: `--namespace/-n` for clap's
/// `--namespace <NAMESPACE>` of the command at `path`.
fn option_names(path: &[&str], clap_name: &str) -> String {
    use clap::CommandFactory;
    let long = clap_name.split([' ', '=']).next().unwrap_or(clap_name);
    let mut cmd = args::Cli::command();
    for word in path {
        match cmd.find_subcommand(word) {
            Some(sub) => cmd = sub.clone(),
            None => break,
        }
    }
    let arg = cmd.get_arguments().find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long));
    match arg.and_then(|a| a.get_short()) {
        Some(short) => format!("{long}/-{short}"),
        None => long.to_string(),
    }
}

fn report(err: &ErrSink, e: &CliError) {
    err.line(&format!("ERROR: {}", e.message));
    if let Some(h) = &e.hint {
        err.line(&format!("Hint: {h}"));
    }
}

/// `color`: `jsonc`/`yamlc` may colour (otherwise they print as `json`/`yaml`, like knack).
fn finish(out: Output, g: &args::Global, color: bool) -> Result<String, CliError> {
    let format = match g.output.unwrap_or(output::Format::Json) {
        output::Format::Jsonc if !color => output::Format::Json,
        output::Format::Yamlc if !color => output::Format::Yaml,
        f => f,
    };
    let (value, transform) = match out {
        Output::Nothing => return Ok(String::new()),
        Output::Text(t) => return Ok(t),
        Output::Value(v) => (v, None),
        Output::Table(v, t) => (v, Some(t)),
    };
    // az's global result transform runs before --query and the table transformers.
    let mut value = value;
    az_model::add_resource_group(&mut value);
    // az queries the result as the command returned it (the server's key order), and only
    // its JSON and YAML output sort keys; a table keeps the order a query produced.
    let mut ordered = false;
    let value = match &g.query {
        Some(q) if format == output::Format::Tsv => {
            let (v, keep) = output::query_for_tsv(&value, q)?;
            ordered = keep;
            v
        }
        Some(q) => {
            ordered = true;
            output::query(&value, q)?
        }
        None => match (format, transform) {
            (output::Format::Table, Some(t)) => {
                ordered = true;
                let rows = t(&output::sorted(value));
                if rows.is_null() {
                    return Err(CliError::failed(
                        "Table output unavailable. Use the --query option to specify an appropriate query. \
                         Use --debug for more info.",
                    ));
                }
                rows
            }
            _ => output::sorted(value),
        },
    };
    if value.is_null() {
        return Ok(String::new());
    }
    Ok(output::render_with(&value, format, ordered))
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn split_words_groups_double_quotes_and_drops_empty_words() {
        assert_eq!(
            split_words("group create  --name rg1\n --tags \"a=b c\" \"\""),
            ["group", "create", "--name", "rg1", "--tags", "a=b c", ""]
        );
        assert!(split_words(" \t\n").is_empty());
    }
}
