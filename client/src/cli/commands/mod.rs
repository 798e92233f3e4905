//! One file per noun; each command resolves its arguments, calls the library and returns an
//! [`Output`] (rendering happens once, in `cli::finish`).

mod account;
mod config;
mod dependents;
mod deployment;
mod emulator;
mod environment;
mod group;
mod network;
mod provider;
mod resource;
mod rest;
mod role;
mod whatif;
mod workspace;

use super::args::*;
use super::{CliError, Ctx, Output};

pub async fn dispatch(ctx: &Ctx, command: Command) -> Result<Output, CliError> {
    match command {
        Command::Login(a) => account::login(ctx, &a).await,
        Command::Logout => account::logout(ctx),
        Command::Account(c) => account::run(ctx, c).await,
        Command::Group(c) => group::run(ctx, c).await,
        Command::Provider(c) => provider::run(ctx, c).await,
        Command::Deployment(c) => deployment::run(ctx, c).await,
        Command::Resource(c) => resource::run(ctx, c).await,
        Command::Ml(MlCmd::Workspace(c)) => workspace::run(ctx, c).await,
        Command::Ml(MlCmd::Environment(c)) => environment::run(ctx, c).await,
        Command::Storage(StorageCmd::Account(c)) => dependents::storage(ctx, c).await,
        Command::Keyvault(c) => dependents::keyvault(ctx, c).await,
        Command::Acr(c) => dependents::acr(ctx, c).await,
        Command::Monitor(MonitorCmd::AppInsights(AppInsightsCmd::Component(c))) => {
            dependents::app_insights(ctx, c).await
        }
        Command::Emulator(c) => emulator::run(ctx, c).await,
        Command::Role(RoleCmd::Assignment(c)) => role::run(ctx, c).await,
        Command::Rest(a) => rest::run(ctx, a).await,
        Command::Network(c) => network::run(ctx, c).await,
        // az prints its own and its extensions' versions; armctl has no extensions.
        Command::Version => Ok(Output::Value(serde_json::json!({
            "armctl": env!("CARGO_PKG_VERSION"),
            "extensions": {},
        }))),
        Command::Completion { shell } => {
            let mut cmd = super::help::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "armctl", &mut buf);
            Ok(Output::Text(String::from_utf8_lossy(&buf).into_owned()))
        }
        Command::Configure(a) => config::configure(ctx, a),
        Command::Config(c) => config::run(ctx, c),
        Command::Extension(ExtensionCmd::Add { name }) => {
            ctx.info(&format!("'{name}' needs no installation: armctl has the ml and app-insights commands built in"));
            Ok(Output::Nothing)
        }
    }
}

/// Reads a yes/no answer: from `Env::input`, else from a terminal, else refuses (like az).
pub fn confirm(ctx: &Ctx, question: &str) -> Result<bool, CliError> {
    let answer = if let Some(input) = &ctx.env.input {
        ctx.err.line(question);
        input.lines().next().unwrap_or("").to_string()
    } else if ctx.env.interactive {
        use std::io::Write;
        eprint!("{question}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| CliError::failed(format!("cannot read the answer: {e}")))?;
        line
    } else {
        return Err(CliError::failed("Unable to prompt for confirmation as no tty available. Use --yes."));
    };
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// `k=v` list to a tag map.
pub fn tags_from(list: &[String]) -> Result<crate::models::Tags, CliError> {
    let mut out = crate::models::Tags::new();
    for t in list {
        if t.is_empty() {
            continue;
        }
        let (k, v) = parse_tag(t).map_err(CliError::usage)?;
        out.insert(k, v);
    }
    Ok(out)
}
