//! `configure --defaults` / `--list-defaults` and `config set|get|unset` (az's `configure`
//! and `config` command modules), on the INI file of [`crate::cli::config`].

use serde_json::{Map, Value};

use super::super::args::{ConfigCmd, ConfigureArgs};
use super::super::config::{self, Config};
use super::super::{CliError, Ctx, Output};

/// az's `_normalize_config_value`: `''` and `""` mean empty.
fn normalize(v: &str) -> &str {
    if v == "''" || v == "\"\"" {
        ""
    } else {
        v
    }
}

fn save(ctx: &Ctx, c: &Config) -> Result<(), CliError> {
    let dir = ctx.config_dir();
    c.save(&dir).map_err(|e| CliError::failed(format!("cannot write {}: {e}", Config::path(&dir).display())))
}

fn items(ctx: &Ctx, c: &Config, section: &str) -> Vec<Value> {
    let path = Config::path(&ctx.config_dir()).display().to_string();
    config::items(&ctx.env.vars, c, &path, section)
}

pub fn configure(ctx: &Ctx, a: ConfigureArgs) -> Result<Output, CliError> {
    let mut c = Config::load(&ctx.config_dir());
    if !a.defaults.is_empty() {
        for d in &a.defaults {
            let (k, v) = d
                .split_once('=')
                .ok_or_else(|| CliError::failed("usage error: --defaults STRING=STRING STRING=STRING ..."))?;
            c.set("defaults", k, normalize(v));
        }
        save(ctx, &c)?;
        return Ok(Output::Nothing);
    }
    if a.list_defaults {
        let set: Vec<Value> = items(ctx, &c, "defaults")
            .into_iter()
            .filter(|x| x["value"].as_str().is_some_and(|v| !v.is_empty()))
            .collect();
        return Ok(Output::Value(Value::Array(set)));
    }
    Err(CliError::failed("This command is interactive and no tty available.")
        .with_hint("give the defaults with --defaults group=NAME location=LOCATION, or list them with --list-defaults"))
}

pub fn run(ctx: &Ctx, cmd: ConfigCmd) -> Result<Output, CliError> {
    let mut c = Config::load(&ctx.config_dir());
    match cmd {
        ConfigCmd::Set { key_value } => {
            for kv in &key_value {
                let usage = || CliError::failed("usage error: [section].[name]=[value] ...");
                let (key, value) = kv.split_once('=').ok_or_else(usage)?;
                let (section, name) = key.split_once('.').ok_or_else(usage)?;
                c.set(section, name, normalize(value));
            }
            save(ctx, &c)?;
            Ok(Output::Nothing)
        }
        ConfigCmd::Get { key: None } => {
            let mut all = Map::new();
            for s in c.sections() {
                all.insert(s.clone(), Value::Array(items(ctx, &c, &s)));
            }
            Ok(Output::Value(Value::Object(all)))
        }
        ConfigCmd::Get { key: Some(key) } => match key.split_once('.') {
            None => Ok(Output::Value(Value::Array(items(ctx, &c, &key)))),
            Some((section, name)) => items(ctx, &c, section)
                .into_iter()
                .find(|x| x["name"] == name)
                .map(Output::Value)
                .ok_or_else(|| CliError::failed(format!("Configuration '{key}' is not set."))),
        },
        ConfigCmd::Unset { key } => {
            for k in &key {
                let (section, name) =
                    k.split_once('.').ok_or_else(|| CliError::failed("usage error: [section].[name]"))?;
                c.unset(section, name);
            }
            save(ctx, &c)?;
            Ok(Output::Nothing)
        }
    }
}
