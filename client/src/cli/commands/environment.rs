//! `ml environment …`, both CLI generations.
//!
//! v1 (`az ml` 1.x, `azureml._cli.environment`): `scaffold -n -d` and `download -n -d [-v]`
//! write azureml-core's on-disk format (`save_to_directory`) and print nothing; `register -d`
//! reads it as `load_from_directory` does and PUTs it to the environment service; `register`,
//! `list` and `show` print `Environment._serialize_to_dict` of what the service answered.
//! v2 (`az ml` 2.x): `create --file`, `show --label latest|--version`, `list`, `archive`,
//! `restore` against the ARM environment containers and versions, printing azure-ai-ml's
//! `Environment._to_dict()` keys. `show` and `list` are v1 unless `--label`, the archive flags,
//! `--name` (list) or `--v2` ask for v2. A v2 `show` of something missing exits 3, as az does.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::super::args::{EnvWs, EnvironmentCmd};
use super::super::{CliError, Ctx, Output};
use crate::client::ArmClient;
use crate::models::{
    BuildContext, EnvironmentContainer, EnvironmentDefinition, EnvironmentVersion, EnvironmentVersionProperties,
    ListViewType, Tags,
};
use crate::ops::environments::EnvironmentService;

pub const DEFINITION_FILE: &str = "azureml_environment.json";
pub const CONDA_FILE: &str = "conda_dependencies.yml";
pub const DOCKERFILE_FILE: &str = "BaseDockerfile";

/// azureml-core's template for a new environment's conda file, byte for byte (its comment
/// lines end in CRLF: the SDK's template file has them, and ruamel keeps them).
pub const SCAFFOLD_CONDA: &str = "# Conda environment specification. The dependencies defined in this file will\r\n\
# be automatically provisioned for runs with userManagedDependencies=False.\r\n\
\n\
# Details about the Conda environment file format:\r\n\
# https://conda.io/docs/user-guide/tasks/manage-environments.html#create-env-file-manually\r\n\
\n\
name: project_environment\n\
dependencies:\n\
\x20 # The python interpreter version.\r\n\
\x20 # Currently Azure ML only supports 3.8 and later.\r\n\
- python=3.8.13\n\
\n\
- pip:\n\
\x20   # Required packages for AzureML execution, history, and data preparation.\r\n\
\x20 - azureml-defaults\n\
\n\
channels:\n\
- anaconda\n\
- conda-forge\n";

pub async fn run(ctx: &Ctx, cmd: EnvironmentCmd) -> Result<Output, CliError> {
    match cmd {
        EnvironmentCmd::Scaffold { name, directory, overwrite, ws } => {
            // The v1 CLI loads the workspace first (404 → an error), even for this offline command.
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            client.workspaces().get(&rg, &wsn).await?;
            let files = directory_files(&EnvironmentDefinition::new_default(&name), true);
            write_directory(Path::new(&directory), &files, overwrite)?;
            Ok(Output::Nothing)
        }
        EnvironmentCmd::Register { directory, ws } => {
            let def = load_from_directory(Path::new(&directory))?;
            let (client, rg, name) = resolve(ctx, &ws).await?;
            if def.version.is_some() {
                ctx.info("Environment version is set. Attempting to register desired version.");
            }
            let ems = EnvironmentService::resolve(&client, &rg, &name).await?;
            Ok(Output::Value(ems.register(&def).await?.to_value()))
        }
        EnvironmentCmd::Download { name, version, directory, overwrite, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            let ems = EnvironmentService::resolve(&client, &rg, &wsn).await?;
            let def = ems.get(&name, version.as_deref()).await?;
            write_directory(Path::new(&directory), &directory_files(&def, false), overwrite)?;
            Ok(Output::Nothing)
        }
        EnvironmentCmd::List { name, archived_only, include_archived, v2, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            if v2 || name.is_some() || archived_only || include_archived {
                let view = view_type(archived_only, include_archived);
                let ops = client.environments();
                let items: Vec<Value> = match &name {
                    Some(n) => ops
                        .list_versions(&rg, &wsn, n, view, None)?
                        .collect_all()
                        .await?
                        .iter()
                        .map(version_dict)
                        .collect(),
                    None => {
                        ops.list_containers(&rg, &wsn, view)?.collect_all().await?.iter().map(container_dict).collect()
                    }
                };
                return Ok(Output::Value(Value::Array(items)));
            }
            let ems = EnvironmentService::resolve(&client, &rg, &wsn).await?;
            Ok(Output::Value(Value::Array(ems.list().await?.iter().map(EnvironmentDefinition::to_value).collect())))
        }
        EnvironmentCmd::Show { name, version, label, v2, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            if v2 || label.is_some() {
                return show_v2(&client, &rg, &wsn, &name, version.as_deref(), label.as_deref()).await;
            }
            let ems = EnvironmentService::resolve(&client, &rg, &wsn).await?;
            Ok(Output::Value(ems.get(&name, version.as_deref()).await?.to_value()))
        }
        EnvironmentCmd::Create { file, name, version, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            create(&client, &rg, &wsn, &file, name, version).await
        }
        EnvironmentCmd::Archive { name, version, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            set_archived(&client, &rg, &wsn, &name, version.as_deref(), true).await
        }
        EnvironmentCmd::Restore { name, version, ws } => {
            let (client, rg, wsn) = resolve(ctx, &ws).await?;
            set_archived(&client, &rg, &wsn, &name, version.as_deref(), false).await
        }
    }
}

// ------------------------------------------------------------------ workspace

#[derive(Debug, Deserialize)]
struct WsConfig {
    subscription_id: Option<String>,
    resource_group: Option<String>,
    workspace_name: Option<String>,
}

/// `config.json` as `Workspace.from_config` finds it: in `start` or any parent, as
/// `.azureml/config.json`, `aml_config/config.json` or `config.json`.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for rel in [".azureml/config.json", "aml_config/config.json", "config.json"] {
            let p = d.join(rel);
            if p.is_file() {
                return Some(p);
            }
        }
        dir = d.parent();
    }
    None
}

/// The client bound to the workspace's subscription, its group and its name.
async fn resolve(ctx: &Ctx, ws: &EnvWs) -> Result<(ArmClient, String, String), CliError> {
    let (mut sub, mut rg, mut name) =
        (ws.subscription_id.clone(), ws.resource_group.clone(), ws.workspace_name.clone());
    if rg.is_none() || name.is_none() {
        let start = match &ws.path {
            Some(p) => PathBuf::from(p),
            None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        };
        if let Some(path) = find_config(&start) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::failed(format!("cannot read '{}': {e}", path.display())))?;
            let cfg: WsConfig = serde_json::from_str(&text)
                .map_err(|e| CliError::usage(format!("'{}' is not a workspace config file: {e}", path.display())))?;
            sub = sub.or(cfg.subscription_id);
            rg = rg.or(cfg.resource_group);
            name = name.or(cfg.workspace_name);
        }
    }
    let missing = |what: &str| {
        CliError::usage(format!(
            "the workspace is not known: give {what}, or a config.json (found from --path, default the current directory)"
        ))
    };
    let rg = rg.ok_or_else(|| missing("--resource-group/-g"))?;
    let name = name.ok_or_else(|| missing("--workspace-name/-w"))?;
    let client = ctx.client().await?;
    let client = match sub.or_else(|| ctx.var("AZUREML_SUBSCRIPTION_ID").map(String::from)) {
        Some(s) if ctx.global.subscription.is_none() => client.with_subscription(s),
        _ => client,
    };
    Ok((client, rg, name))
}

// ------------------------------------------------------------------ v1 on-disk format

/// `json.dump(…, indent=4)`: four-space indentation, `": "`, non-ASCII escaped, no final newline.
pub fn python_json(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b"    "));
    // Serialising a Value into a Vec cannot fail.
    let _ = v.serialize(&mut ser);
    let text = String::from_utf8(buf).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// What `save_to_directory` writes for `def`: the JSON without the parts that get their own
/// file, the conda file (the SDK's commented template for a new environment, plain YAML for
/// a downloaded one), and `BaseDockerfile` when set.
pub fn directory_files(def: &EnvironmentDefinition, fresh: bool) -> Vec<(&'static str, Vec<u8>)> {
    let mut files = Vec::new();
    if let Some(conda) = &def.python.conda_dependencies {
        let text = if fresh { SCAFFOLD_CONDA.to_string() } else { plain_yaml(conda) };
        files.push((CONDA_FILE, text.into_bytes()));
    }
    let dockerfile = def.docker.base_dockerfile.clone().filter(|s| !s.is_empty());
    if let Some(d) = &dockerfile {
        files.push((DOCKERFILE_FILE, d.clone().into_bytes()));
    }
    let mut v = def.to_value();
    if let Some(p) = v.get_mut("python").and_then(Value::as_object_mut) {
        if p.get("condaDependencies").is_some_and(truthy) {
            p.shift_remove("condaDependencies");
        }
    }
    if dockerfile.is_some() {
        if let Some(d) = v.get_mut("docker").and_then(Value::as_object_mut) {
            d.shift_remove("baseDockerfile");
        }
    }
    files.push((DEFINITION_FILE, python_json(&v).into_bytes()));
    files
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// `os.makedirs(path, exist_ok=overwrite)`, then the files.
pub fn write_directory(dir: &Path, files: &[(&str, Vec<u8>)], overwrite: bool) -> Result<(), CliError> {
    if dir.exists() && !overwrite {
        return Err(CliError::usage(format!(
            "[Errno 17] File exists: '{}' (give --overwrite to write into it)",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| CliError::failed(format!("cannot create '{}': {e}", dir.display())))?;
    for (name, bytes) in files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).map_err(|e| CliError::failed(format!("cannot write '{}': {e}", p.display())))?;
    }
    Ok(())
}

/// `Environment.load_from_directory`: the JSON (required), then `conda_dependencies.yml`
/// replaces the conda dependencies and `BaseDockerfile` sets `docker.baseDockerfile`.
pub fn load_from_directory(dir: &Path) -> Result<EnvironmentDefinition, CliError> {
    let path = dir.join(DEFINITION_FILE);
    if !path.is_file() {
        return Err(CliError::failed(format!("[Errno 2] No such file or directory: '{}'", path.display())));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| CliError::failed(format!("cannot read '{}': {e}", path.display())))?;
    let mut def: EnvironmentDefinition = serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("'{}' is not an environment definition: {e}", path.display())))?;
    let conda = dir.join(CONDA_FILE);
    if conda.is_file() {
        let text = std::fs::read_to_string(&conda)
            .map_err(|e| CliError::failed(format!("cannot read '{}': {e}", conda.display())))?;
        let v: Value = serde_yaml::from_str(&text)
            .map_err(|e| CliError::usage(format!("'{}' is not a conda specification: {e}", conda.display())))?;
        def.python.conda_dependencies = Some(v);
    }
    let docker = dir.join(DOCKERFILE_FILE);
    if docker.is_file() {
        let text = std::fs::read_to_string(&docker)
            .map_err(|e| CliError::failed(format!("cannot read '{}': {e}", docker.display())))?;
        def.docker.base_dockerfile = Some(text);
    }
    if def.name.as_deref().unwrap_or_default().is_empty() {
        return Err(CliError::usage(format!("'{}' has no name", path.display())));
    }
    Ok(def)
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => serde_yaml::to_string(s).unwrap_or_default().trim_end().to_string(),
        other => other.to_string(),
    }
}

/// ruamel's block style for a conda specification (what `save_to_directory` writes for a
/// downloaded environment): sequences at their key's indentation, nested mappings by two.
pub fn plain_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) => yaml_map(m, 0, &mut out),
        other => {
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
    out
}

fn yaml_map(m: &Map<String, Value>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (i, (k, v)) in m.iter().enumerate() {
        // The first key of a mapping inside a sequence item follows the "- " already written.
        if !(i == 0 && out.ends_with("- ")) {
            out.push_str(&pad);
        }
        out.push_str(&yaml_scalar(&Value::String(k.clone())));
        out.push(':');
        match v {
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                yaml_seq(a, indent, out);
            }
            Value::Object(o) if !o.is_empty() => {
                out.push('\n');
                yaml_map(o, indent + 2, out);
            }
            Value::Array(_) => out.push_str(" []\n"),
            Value::Object(_) => out.push_str(" {}\n"),
            other => {
                out.push(' ');
                out.push_str(&yaml_scalar(other));
                out.push('\n');
            }
        }
    }
}

fn yaml_seq(a: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in a {
        out.push_str(&pad);
        out.push_str("- ");
        match item {
            Value::Object(o) if !o.is_empty() => yaml_map(o, indent + 2, out),
            Value::Array(inner) if !inner.is_empty() => {
                out.truncate(out.len() - 1);
                out.push('\n');
                yaml_seq(inner, indent + 2, out);
            }
            other => {
                out.push_str(&yaml_scalar(other));
                out.push('\n');
            }
        }
    }
}

// ------------------------------------------------------------------ v2

fn view_type(archived_only: bool, include_archived: bool) -> ListViewType {
    if archived_only {
        ListViewType::ArchivedOnly
    } else if include_archived {
        ListViewType::All
    } else {
        ListViewType::ActiveOnly
    }
}

/// azure-ai-ml's `creation_context` from ARM's `systemData`.
fn creation_context(system_data: Option<&Value>) -> Option<Value> {
    let s = system_data?.as_object()?;
    let mut m = Map::new();
    for (from, to) in [
        ("createdAt", "created_at"),
        ("createdBy", "created_by"),
        ("createdByType", "created_by_type"),
        ("lastModifiedAt", "last_modified_at"),
        ("lastModifiedBy", "last_modified_by"),
        ("lastModifiedByType", "last_modified_by_type"),
    ] {
        if let Some(v) = s.get(from).filter(|v| !v.is_null()) {
            let v = match (to.ends_with("_at"), v.as_str()) {
                (true, Some(t)) => json!(python_isoformat(t)),
                _ => v.clone(),
            };
            m.insert(to.into(), v);
        }
    }
    Some(Value::Object(m))
}

/// Python's `datetime.isoformat()` of an RFC 3339 time, as azure-ai-ml prints it:
/// `+00:00`, microseconds only when there are some.
fn python_isoformat(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => {
            let d = d.with_timezone(&chrono::Utc);
            let micros = chrono::Timelike::nanosecond(&d) / 1000;
            let frac = if micros == 0 { String::new() } else { format!(".{micros:06}") };
            format!("{}{frac}+00:00", d.format("%Y-%m-%dT%H:%M:%S"))
        }
        Err(_) => t.to_string(),
    }
}

fn name_and_version(id: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(id) = id else { return (None, None) };
    let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
    let n = parts.len();
    if n >= 4 && parts[n - 2].eq_ignore_ascii_case("versions") {
        (Some(parts[n - 3].to_string()), Some(parts[n - 1].to_string()))
    } else {
        (parts.last().map(|s| s.to_string()), None)
    }
}

/// `Environment._to_dict()` of a version: None-valued keys left out, `id` as `azureml:{arm id}`,
/// `conda_file` parsed, `os_type` lower-cased, `build` as `{path, dockerfile_path}`.
pub fn version_dict(v: &EnvironmentVersion) -> Value {
    let p = &v.properties;
    let (name, version) = name_and_version(v.id.as_deref());
    let mut m = Map::new();
    let mut put = |k: &str, val: Option<Value>| {
        if let Some(val) = val.filter(|x| !x.is_null()) {
            m.insert(k.into(), val);
        }
    };
    put("name", name.or_else(|| v.name.clone()).map(Value::String));
    put("version", version.map(Value::String));
    put("id", v.id.as_ref().map(|i| json!(format!("azureml:{i}"))));
    put("description", p.description.clone().map(Value::String));
    put("tags", Some(json!(p.tags.clone().unwrap_or_default())));
    put("creation_context", creation_context(v.system_data.as_ref()));
    put("image", p.image.clone().map(Value::String));
    put(
        "build",
        p.build.as_ref().map(|b| {
            let mut o = Map::new();
            o.insert("path".into(), json!(b.context_uri));
            if let Some(d) = &b.dockerfile_path {
                o.insert("dockerfile_path".into(), json!(d));
            }
            Value::Object(o)
        }),
    );
    put(
        "conda_file",
        p.conda_file.as_ref().map(|c| serde_yaml::from_str::<Value>(c).unwrap_or_else(|_| Value::String(c.clone()))),
    );
    put("os_type", p.os_type.as_ref().map(|o| json!(o.to_ascii_lowercase())));
    Value::Object(m)
}

/// A container as azure-ai-ml lists it (`_from_container_rest_object(…)._to_dict()`): name, id,
/// tags, creation context and latest version; it carries no description.
pub fn container_dict(c: &EnvironmentContainer) -> Value {
    let mut m = Map::new();
    if let Some(n) = c.name.clone().or_else(|| name_and_version(c.id.as_deref()).0) {
        m.insert("name".into(), json!(n));
    }
    if let Some(id) = &c.id {
        m.insert("id".into(), json!(format!("azureml:{id}")));
    }
    if let Some(v) = &c.properties.latest_version {
        m.insert("latest_version".into(), json!(v));
    }
    m.insert("tags".into(), json!(c.properties.tags.clone().unwrap_or_default()));
    if let Some(cc) = creation_context(c.system_data.as_ref()) {
        m.insert("creation_context".into(), cc);
    }
    Value::Object(m)
}

/// A missing resource in a v2 `show` exits 3, as az does.
fn not_found_is_3(e: crate::error::Error) -> CliError {
    let missing = e.is_not_found();
    let mut c = CliError::from(e);
    if missing {
        c.exit = 3;
    }
    c
}

async fn show_v2(
    client: &ArmClient,
    rg: &str,
    ws: &str,
    name: &str,
    version: Option<&str>,
    label: Option<&str>,
) -> Result<Output, CliError> {
    let ops = client.environments();
    let v = match (version, label) {
        (Some(v), _) => ops.get_version(rg, ws, name, v).await.map_err(not_found_is_3)?,
        (None, Some(l)) if l.eq_ignore_ascii_case("latest") => {
            ops.get_latest_version(rg, ws, name).await.map_err(not_found_is_3)?.ok_or_else(|| CliError {
                exit: 3,
                message: format!("(ResourceNotFound) Environment '{name}' has no active version."),
                hint: None,
            })?
        }
        (None, Some(l)) => return Err(CliError::usage(format!("only the label 'latest' is supported, got '{l}'"))),
        (None, None) => {
            return Err(CliError::usage("one of --version/-v or --label/-l is required for a v2 show"));
        }
    };
    Ok(Output::Value(version_dict(&v)))
}

/// The environment YAML azure-ai-ml reads (the keys `az ml environment create` accepts).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentYaml {
    #[allow(dead_code)]
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    pub name: Option<String>,
    pub version: Option<serde_yaml::Value>,
    pub description: Option<String>,
    pub tags: Option<std::collections::BTreeMap<String, serde_yaml::Value>>,
    pub image: Option<String>,
    /// A path relative to the YAML file, or the specification inline.
    pub conda_file: Option<serde_yaml::Value>,
    pub build: Option<BuildYaml>,
    pub os_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildYaml {
    pub path: String,
    pub dockerfile_path: Option<String>,
}

fn scalar_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Mappings with their keys sorted: azure-ai-ml sends the conda file as
/// `yaml.dump(spec, sort_keys=True)`, so the same file gives the same `condaFile` text from
/// either client (and the service's "same definition" check agrees).
fn sorted_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted_keys(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

/// The version body a YAML file describes (`base` is the YAML's directory).
pub fn version_from_yaml(y: &EnvironmentYaml, base: &Path) -> Result<EnvironmentVersionProperties, CliError> {
    if y.image.is_none() && y.build.is_none() {
        return Err(CliError::usage("an environment needs an image or a build context (image: or build:)"));
    }
    if y.image.is_some() && y.build.is_some() {
        return Err(CliError::usage("image and build are mutually exclusive; give one"));
    }
    let conda_file = match &y.conda_file {
        None => None,
        Some(serde_yaml::Value::String(rel)) => {
            let p = base.join(rel);
            let text = std::fs::read_to_string(&p)
                .map_err(|e| CliError::failed(format!("cannot read the conda file '{}': {e}", p.display())))?;
            let v: Value = serde_yaml::from_str(&text)
                .map_err(|e| CliError::usage(format!("the conda file '{}' is not YAML: {e}", p.display())))?;
            Some(plain_yaml(&sorted_keys(v)))
        }
        Some(inline) => {
            let v: Value = serde_json::to_value(inline).map_err(|e| CliError::usage(format!("conda_file: {e}")))?;
            Some(plain_yaml(&sorted_keys(v)))
        }
    };
    let build = match &y.build {
        None => None,
        Some(b) => {
            let remote = ["http://", "https://", "azureml://", "azureml:"].iter().any(|p| b.path.starts_with(p));
            if !remote {
                return Err(CliError::usage(format!(
                    "build.path '{}' is a local directory: az uploads it to the workspace's datastore first, \
                     which armctl cannot do against the emulator; give an image, or a build.path that is a URL \
                     (https://… or azureml://…)",
                    b.path
                )));
            }
            Some(BuildContext {
                context_uri: b.path.clone(),
                dockerfile_path: Some(b.dockerfile_path.clone().unwrap_or_else(|| "Dockerfile".into())),
            })
        }
    };
    let tags: Option<Tags> = y.tags.as_ref().map(|t| t.iter().map(|(k, v)| (k.clone(), scalar_text(v))).collect());
    let os_type = match y.os_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("linux") => "Linux",
        Some("windows") => "Windows",
        Some(other) => return Err(CliError::usage(format!("os_type must be linux or windows, got '{other}'"))),
    };
    Ok(EnvironmentVersionProperties {
        description: y.description.clone(),
        tags,
        image: y.image.clone(),
        build,
        conda_file,
        os_type: Some(os_type.into()),
        // azure-ai-ml sends both explicitly.
        is_anonymous: Some(false),
        is_archived: Some(false),
        ..Default::default()
    })
}

async fn create(
    client: &ArmClient,
    rg: &str,
    ws: &str,
    file: &str,
    name: Option<String>,
    version: Option<String>,
) -> Result<Output, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| CliError::failed(format!("cannot read '{file}': {e}")))?;
    let y: EnvironmentYaml = serde_yaml::from_str(&text)
        .map_err(|e| CliError::usage(format!("'{file}' is not a valid environment file: {e}")))?;
    let base = Path::new(file).parent().unwrap_or(Path::new("."));
    let props = version_from_yaml(&y, base)?;
    let name = name
        .or_else(|| y.name.clone())
        .ok_or_else(|| CliError::usage("the environment has no name: give name: in the file or --name"))?;
    let ops = client.environments();
    let version = match version.or_else(|| y.version.as_ref().map(scalar_text).filter(|s| !s.is_empty())) {
        Some(v) => v,
        // azure-ai-ml takes the container's nextVersion (1 for a new environment).
        None => match ops.get_container(rg, ws, &name).await {
            Ok(c) => c.properties.next_version.unwrap_or_else(|| "1".into()),
            Err(e) if e.is_not_found() => "1".into(),
            Err(e) => return Err(e.into()),
        },
    };
    let body = EnvironmentVersion { properties: props, ..Default::default() };
    let answer = ops.create_or_update_version(rg, ws, &name, &version, &body).await?;
    Ok(Output::Value(version_dict(&answer)))
}

async fn set_archived(
    client: &ArmClient,
    rg: &str,
    ws: &str,
    name: &str,
    version: Option<&str>,
    archived: bool,
) -> Result<Output, CliError> {
    let ops = client.environments();
    match version {
        Some(v) => {
            let mut cur = ops.get_version(rg, ws, name, v).await?;
            cur.properties.is_archived = Some(archived);
            cur.properties.provisioning_state = None;
            let body = EnvironmentVersion { properties: cur.properties, ..Default::default() };
            ops.create_or_update_version(rg, ws, name, v, &body).await?;
        }
        None => {
            let cur = ops.get_container(rg, ws, name).await?;
            let body = EnvironmentContainer {
                properties: crate::models::EnvironmentContainerProperties {
                    description: cur.properties.description,
                    tags: cur.properties.tags,
                    is_archived: Some(archived),
                    ..Default::default()
                },
                ..Default::default()
            };
            ops.create_or_update_container(rg, ws, name, &body).await?;
        }
    }
    Ok(Output::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// azureml-core 1.61's `Environment("myenv").save_to_directory(dir)`, captured byte for byte.
    const SDK_SCAFFOLD_JSON: &str = include_str!("testdata/environment_scaffold/azureml_environment.json");
    const SDK_SCAFFOLD_CONDA: &[u8] = include_bytes!("testdata/environment_scaffold/conda_dependencies.yml");

    #[test]
    fn scaffold_writes_the_sdk_files_byte_for_byte() {
        let files = directory_files(&EnvironmentDefinition::new_default("myenv"), true);
        let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, [CONDA_FILE, DEFINITION_FILE]);
        assert_eq!(String::from_utf8(files[1].1.clone()).unwrap(), SDK_SCAFFOLD_JSON);
        assert_eq!(files[0].1, SDK_SCAFFOLD_CONDA);
    }

    #[test]
    fn a_scaffolded_directory_loads_back_to_the_default_definition() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("myenvdir");
        let files = directory_files(&EnvironmentDefinition::new_default("myenv"), true);
        write_directory(&target, &files, false).unwrap();
        let err = write_directory(&target, &files, false).unwrap_err();
        assert!(err.message.contains("File exists"), "{}", err.message);
        write_directory(&target, &files, true).unwrap();
        let loaded = load_from_directory(&target).unwrap();
        assert_eq!(loaded, EnvironmentDefinition::new_default("myenv"));
    }

    #[test]
    fn load_reads_the_dockerfile_and_the_edited_conda_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = directory_files(&EnvironmentDefinition::new_default("e"), true);
        write_directory(dir.path(), &files, true).unwrap();
        std::fs::write(dir.path().join(DOCKERFILE_FILE), "FROM ubuntu\n").unwrap();
        std::fs::write(dir.path().join(CONDA_FILE), "name: x\ndependencies:\n- python=3.10\n- pip:\n  - numpy\n")
            .unwrap();
        let d = load_from_directory(dir.path()).unwrap();
        assert_eq!(d.docker.base_dockerfile.as_deref(), Some("FROM ubuntu\n"));
        assert_eq!(
            d.python.conda_dependencies,
            Some(json!({"name": "x", "dependencies": ["python=3.10", {"pip": ["numpy"]}]}))
        );
        let missing = load_from_directory(&dir.path().join("nope")).unwrap_err();
        assert!(missing.message.contains("No such file or directory"), "{}", missing.message);
    }

    #[test]
    fn a_downloaded_definition_is_written_as_the_sdk_writes_it() {
        // Captured from azureml-core 1.61: save_to_directory of a definition read from the service.
        let def: EnvironmentDefinition = serde_json::from_value(json!({
            "name": "myenv", "version": "2",
            "python": {"condaDependencies": {"name": "project_environment",
                "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}, "scikit-learn==0.21.3"],
                "channels": ["anaconda", "conda-forge"]}},
            "docker": {"baseImage": "x", "baseDockerfile": "FROM x\nRUN y\n"},
            "assetId": "azureml://a"
        }))
        .unwrap();
        let files = directory_files(&def, false);
        let get = |n: &str| String::from_utf8(files.iter().find(|(f, _)| *f == n).unwrap().1.clone()).unwrap();
        assert_eq!(
            get(CONDA_FILE),
            "name: project_environment\ndependencies:\n- python=3.8.13\n- pip:\n  - azureml-defaults\n\
             - scikit-learn==0.21.3\nchannels:\n- anaconda\n- conda-forge\n"
        );
        assert_eq!(get(DOCKERFILE_FILE), "FROM x\nRUN y\n");
        let j: Value = serde_json::from_str(&get(DEFINITION_FILE)).unwrap();
        assert_eq!(j["version"], "2");
        assert_eq!(j["assetId"], "azureml://a");
        assert!(j["docker"].get("baseDockerfile").is_none() && j["python"].get("condaDependencies").is_none());
        assert_eq!(j["docker"]["shmSize"], Value::Null);
        assert!(get(DEFINITION_FILE).starts_with("{\n    \"name\": \"myenv\",\n    \"version\": \"2\",\n"));
    }

    #[test]
    fn python_json_escapes_non_ascii_like_json_dump() {
        assert_eq!(python_json(&json!({"a": "é😀"})), "{\n    \"a\": \"\\u00e9\\ud83d\\ude00\"\n}");
        assert_eq!(python_json(&json!({"a": [], "b": {}})), "{\n    \"a\": [],\n    \"b\": {}\n}");
    }

    #[test]
    fn a_local_build_context_is_refused_and_a_conda_file_is_read_relative_to_the_yaml() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("conda.yml"), "name: e\ndependencies:\n- python=3.10\n").unwrap();
        let y: EnvironmentYaml =
            serde_yaml::from_str("name: e\nimage: mcr.microsoft.com/x:1\nconda_file: conda.yml\ntags: {a: 1}\n")
                .unwrap();
        let p = version_from_yaml(&y, dir.path()).unwrap();
        assert_eq!(p.conda_file.as_deref(), Some("dependencies:\n- python=3.10\nname: e\n"));
        assert_eq!(p.os_type.as_deref(), Some("Linux"));
        assert_eq!(p.tags.unwrap()["a"], "1");
        let y: EnvironmentYaml = serde_yaml::from_str("name: e\nbuild: {path: ./ctx}\n").unwrap();
        let e = version_from_yaml(&y, dir.path()).unwrap_err();
        assert_eq!(e.exit, 2);
        assert!(e.message.contains("local directory"), "{}", e.message);
        let y: EnvironmentYaml = serde_yaml::from_str("name: e\nbuild: {path: 'https://h/ctx'}\n").unwrap();
        let b = version_from_yaml(&y, dir.path()).unwrap().build.unwrap();
        assert_eq!(b.dockerfile_path.as_deref(), Some("Dockerfile"));
        assert!(serde_yaml::from_str::<EnvironmentYaml>("name: e\nimagee: x\n").is_err());
    }

    #[test]
    fn version_dict_has_azure_ai_ml_keys() {
        let v: EnvironmentVersion = serde_json::from_value(json!({
            "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/environments/e/versions/3",
            "name": "3",
            "properties": {"image": "img", "osType": "Linux", "condaFile": "name: e\n", "tags": {}, "isArchived": false},
            "systemData": {"createdAt": "2026-01-01T00:00:00Z", "createdBy": "me", "createdByType": "User"}
        }))
        .unwrap();
        let d = version_dict(&v);
        assert_eq!(d["name"], "e");
        assert_eq!(d["version"], "3");
        assert!(d["id"].as_str().unwrap().starts_with("azureml:/subscriptions/s/"));
        assert_eq!(d["os_type"], "linux");
        assert_eq!(d["conda_file"], json!({"name": "e"}));
        assert_eq!(d["creation_context"]["created_by"], "me");
        assert!(d.get("description").is_none() && d.get("build").is_none());
        // azure-ai-ml prints datetime.isoformat().
        assert_eq!(d["creation_context"]["created_at"], "2026-01-01T00:00:00+00:00");
        assert_eq!(python_isoformat("2026-01-01T00:00:00.1234567Z"), "2026-01-01T00:00:00.123456+00:00");
    }

    #[test]
    fn the_conda_file_is_sent_as_pyyaml_dumps_it_with_sorted_keys() {
        let v: Value = serde_yaml::from_str(
            "name: e2\nchannels: [conda-forge]\ndependencies:\n- python=3.10\n- pip:\n  - numpy==1.26\n  - \"azureml-core>=1.0\"\n- \"3.8\"\n",
        )
        .unwrap();
        // yaml.dump(yaml.safe_load(…), sort_keys=True), captured from the SDK venv's PyYAML.
        assert_eq!(
            plain_yaml(&sorted_keys(v)),
            "channels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - numpy==1.26\n  - azureml-core>=1.0\n- '3.8'\nname: e2\n"
        );
    }

    #[test]
    fn container_dict_has_azure_ai_ml_keys() {
        let c: EnvironmentContainer = serde_json::from_value(json!({
            "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/environments/e",
            "name": "e",
            "properties": {"latestVersion": "7", "nextVersion": "8", "description": "x", "tags": {}},
            "systemData": {"createdAt": "2026-01-01T00:00:00Z", "createdBy": "me", "createdByType": "User"}
        }))
        .unwrap();
        let d = container_dict(&c);
        let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["creation_context", "id", "latest_version", "name", "tags"]);
        assert_eq!(d["id"], "azureml:/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/environments/e");
    }
}
