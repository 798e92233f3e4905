//! `group create|show|list|update|delete|exists`.

use serde_json::{Map, Value};

use super::super::args::{GroupCmd, GroupName};
use super::super::{CliError, Ctx, Output};
use super::{confirm, tags_from};
use crate::models::{ResourceGroupCreate, ResourceGroupPatch, Tags};

/// az's `group list` table: Name, Location, Status.
fn group_table(v: &Value) -> Value {
    let rows = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("Name".into(), r.get("name").cloned().unwrap_or(Value::Null));
                m.insert("Location".into(), r.get("location").cloned().unwrap_or(Value::Null));
                m.insert("Status".into(), r.pointer("/properties/provisioningState").cloned().unwrap_or(Value::Null));
                Value::Object(m)
            })
            .collect(),
    )
}

fn tag_filter(tag: &str) -> String {
    let q = |s: &str| s.replace('\'', "''");
    match tag.split_once('=') {
        Some((k, v)) => format!("tagName eq '{}' and tagValue eq '{}'", q(k), q(v)),
        None => format!("tagName eq '{}'", q(tag)),
    }
}

/// Applies az's generic-update `--set`/`--remove` paths to the tags and managedBy.
fn apply_set(
    tags: &mut Tags,
    managed_by: &mut Option<String>,
    set: &[String],
    remove: &[String],
) -> Result<(), CliError> {
    for s in set {
        let (path, value) = s
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("usage error: --set property=value (got '{s}')")))?;
        let value = value.trim_matches('"');
        if let Some(key) = path.strip_prefix("tags.") {
            tags.insert(key.to_string(), value.to_string());
        } else if path == "tags" {
            let parsed: Value = serde_json::from_str(value)
                .map_err(|_| CliError::usage(format!("--set tags needs a JSON object, got '{value}'")))?;
            tags.clear();
            if let Value::Object(m) = parsed {
                for (k, v) in m {
                    tags.insert(k, v.as_str().map(String::from).unwrap_or_else(|| v.to_string()));
                }
            }
        } else if path.eq_ignore_ascii_case("managedBy") {
            *managed_by = Some(value.to_string());
        } else {
            return Err(CliError::usage(format!(
                "Couldn't find '{path}' in ''. Available options: ['managedBy', 'tags']"
            )));
        }
    }
    for r in remove {
        if let Some(key) = r.strip_prefix("tags.") {
            tags.remove(key);
        } else if r == "tags" {
            tags.clear();
        } else {
            return Err(CliError::usage(format!("Couldn't find '{r}' in ''. Available options: ['tags']")));
        }
    }
    Ok(())
}

/// `-n`, else the default group (az's `configured_default='group'`), else az's argparse error.
fn group_name(ctx: &Ctx, g: &GroupName) -> Result<String, CliError> {
    g.name
        .clone()
        .or_else(|| ctx.setting("defaults", "group"))
        .ok_or_else(|| CliError::usage("the following arguments are required: --name/-n/--resource-group/-g"))
}

pub async fn run(ctx: &Ctx, cmd: GroupCmd) -> Result<Output, CliError> {
    // Arguments first (a missing one is a usage error before anything is called).
    if let GroupCmd::Create { group, location, .. } = &cmd {
        // az's `group create` spells the name's options in another order, and lists both.
        let mut missing = Vec::new();
        if group.name.is_none() && ctx.setting("defaults", "group").is_none() {
            missing.push("--name/--resource-group/-n/-g");
        }
        if ctx.location(location.clone()).is_none() {
            missing.push("--location/-l");
        }
        if !missing.is_empty() {
            return Err(CliError::usage(format!("the following arguments are required: {}", missing.join(", "))));
        }
    }
    let name = match &cmd {
        GroupCmd::List { .. } => String::new(),
        GroupCmd::Create { group, .. }
        | GroupCmd::Show { group }
        | GroupCmd::Update { group, .. }
        | GroupCmd::Delete { group, .. }
        | GroupCmd::Exists { group } => group_name(ctx, group)?,
    };
    let location = match &cmd {
        GroupCmd::Create { location, .. } => ctx
            .location(location.clone())
            .ok_or_else(|| CliError::usage("the following arguments are required: --location/-l"))?,
        _ => String::new(),
    };
    let client = ctx.client().await?;
    let groups = client.resource_groups();
    match cmd {
        GroupCmd::Create { tags, managed_by, .. } => {
            let tags = match tags {
                Some(t) => Some(tags_from(&t)?),
                None => None,
            };
            let g = groups.create_or_update(&name, &ResourceGroupCreate { location, tags, managed_by }).await?;
            Ok(Output::Value(serde_json::to_value(g).unwrap_or_default()))
        }
        // az has no table transformer for `group show`: its automatic table (Location, Name).
        GroupCmd::Show { .. } => Ok(Output::Value(serde_json::to_value(groups.get(&name).await?).unwrap_or_default())),
        GroupCmd::List { tag } => {
            let filter = tag.as_deref().map(tag_filter);
            let all = groups.list(filter.as_deref(), None)?.collect_all().await?;
            Ok(Output::Table(serde_json::to_value(all).unwrap_or_default(), group_table))
        }
        GroupCmd::Update { set, remove, tags, .. } => {
            let current = groups.get(&name).await?;
            let mut new_tags = current.tags.clone().unwrap_or_default();
            let mut managed_by = None;
            if let Some(t) = tags {
                new_tags = tags_from(&t)?;
            }
            apply_set(&mut new_tags, &mut managed_by, &set, &remove)?;
            let g = groups.update(&name, &ResourceGroupPatch { tags: Some(new_tags), managed_by }).await?;
            Ok(Output::Value(serde_json::to_value(g).unwrap_or_default()))
        }
        GroupCmd::Delete { yes, .. } => {
            if !yes && !confirm(ctx, "Are you sure you want to perform this operation? (y/n): ")? {
                return Err(CliError::failed("Operation cancelled."));
            }
            let poller = groups.begin_delete(&name).await?;
            if !ctx.global.no_wait {
                ctx.wait(poller).await?;
            }
            Ok(Output::Nothing)
        }
        GroupCmd::Exists { .. } => Ok(Output::Value(Value::Bool(groups.check_existence(&name).await?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_remove_paths() {
        let mut t = Tags::new();
        t.insert("a".into(), "1".into());
        let mut mb = None;
        apply_set(&mut t, &mut mb, &["tags.x=y".into(), "managedBy=/m".into()], &["tags.a".into()]).unwrap();
        assert_eq!(t.get("x").map(String::as_str), Some("y"));
        assert!(!t.contains_key("a"));
        assert_eq!(mb.as_deref(), Some("/m"));
        apply_set(&mut t, &mut mb, &["tags={}".into()], &[]).unwrap();
        assert!(t.is_empty());
        assert!(apply_set(&mut t, &mut mb, &["location=x".into()], &[]).is_err());
        assert_eq!(tag_filter("env=dev"), "tagName eq 'env' and tagValue eq 'dev'");
    }
}
