//! Seed-section suites: one module per section of the seed how-to documents
//! (`../shared/seeds/000` Dutch and `002` French are the same az-ml-v1 how-to, `004` is the
//! newer Japanese v2 version, `001` the concept page). Every step is the `armctl` command the
//! seed writes (`az` → `armctl`, placeholders filled), run in-process through
//! [`armctl::cli::run`], and asserts the documented output shape (via
//! [`fixtures::matches_shape`] on the seed's own JSON with its placeholders) and behaviour.
//!
//! Offline, each test starts its own in-process emulator. With `ARM_ENDPOINT` (and `ARM_TOKEN`,
//! `ARM_CA_FILE`, `ARM_SUBSCRIPTION_ID`, optionally `ARM_LOCATION`) set, the same steps run
//! against that endpoint with unique names; steps that need the emulator (`/_emulator/…` or a
//! special start configuration) are skipped with a printed reason, and the groups a test
//! created are deleted (`--no-wait`) when it ends.
//!
//! Where armctl or the emulator is known to differ from a seed, the test checks the seed's
//! statement, and on a mismatch calls [`disagree`], which prints `DISAGREEMENT …` and passes —
//! unless `SEEDS_STRICT=1`, which turns every known disagreement into a failure.

mod cmk_hbi;
mod create_auto;
mod delete;
mod environments;
mod existing;
mod group_create;
mod group_delete;
mod list;
mod move_workspace;
mod private_endpoint;
mod providers;
mod registry;
mod share;
mod show;
mod sync_keys;
mod update;
mod yaml_files;

use std::cell::RefCell;

use armctl::cli::Env;
use conformance::Target;
use serde_json::Value;

/// A known difference between a seed and armctl/the emulator: printed, and a failure only
/// with `SEEDS_STRICT=1`.
#[track_caller]
pub fn disagree(section: &str, detail: &str) {
    let msg = format!("DISAGREEMENT with the seeds ({section}): {detail}");
    if std::env::var("SEEDS_STRICT").is_ok_and(|v| v == "1") {
        panic!("{msg}");
    }
    eprintln!("{msg}");
}

/// A target plus an isolated `armctl` configuration pointed at it.
pub struct World {
    pub t: Target,
    pub dir: tempfile::TempDir,
    /// The region the seeds' `<location>` is filled with.
    pub loc: String,
    token: String,
    groups: RefCell<Vec<String>>,
    /// Pass `--subscription` on every command (when the endpoint has several subscriptions).
    pub pin_subscription: bool,
}

/// One `armctl` run.
pub struct Run {
    pub cmd: String,
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "`armctl {}` failed\nstdout:\n{}\nstderr:\n{}", self.cmd, self.out, self.err);
        self
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.out).unwrap_or_else(|e| {
            panic!("`armctl {}`: stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.cmd, self.out, self.err)
        })
    }

    /// Asserts an ARM error: nothing on stdout, `ERROR: (Code) message` with the
    /// `Code:`/`Message:` lines on stderr, and az's exit code: 3 for a not-found code
    /// (`ResourceNotFound`, `ResourceGroupNotFound`, … the 404 answers), else 1. Returns the
    /// ARM code.
    #[track_caller]
    pub fn arm_error(&self) -> String {
        assert!(self.out.is_empty(), "`armctl {}`: an error prints nothing on stdout: {}", self.cmd, self.out);
        let first = self
            .err
            .lines()
            .find(|l| l.starts_with("ERROR: ("))
            .unwrap_or_else(|| panic!("`armctl {}`: no `ERROR: (Code) …` line:\n{}", self.cmd, self.err));
        let code = first["ERROR: (".len()..].split(')').next().unwrap_or_default().to_string();
        let exit = if code.ends_with("NotFound") { 3 } else { 1 };
        assert_eq!(
            self.code, exit,
            "`armctl {}` should fail with an ARM error (exit {exit})\nstdout:\n{}\nstderr:\n{}",
            self.cmd, self.out, self.err
        );
        assert!(
            self.err.contains(&format!("\nCode: {code}\n")),
            "`armctl {}`: stderr has a Code line:\n{}",
            self.cmd,
            self.err
        );
        assert!(self.err.contains("\nMessage: "), "`armctl {}`: stderr has a Message line:\n{}", self.cmd, self.err);
        code
    }

    /// [`Run::arm_error`] with the given code and a message containing `text`.
    #[track_caller]
    pub fn arm_error_with(&self, code: &str, text: &str) {
        let got = self.arm_error();
        assert_eq!(got, code, "`armctl {}`: ARM error code\n{}", self.cmd, self.err);
        assert!(self.err.contains(text), "`armctl {}`: stderr should contain {text:?}:\n{}", self.cmd, self.err);
    }
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}

impl World {
    pub fn new() -> World {
        Self::on(Target::new())
    }

    pub fn on(t: Target) -> World {
        let token =
            if t.is_external() { std::env::var("ARM_TOKEN").unwrap_or_else(|_| "test".into()) } else { "test".into() };
        let loc = std::env::var("ARM_LOCATION")
            .ok()
            .filter(|l| t.is_external() && !l.is_empty())
            .unwrap_or_else(|| "eastus".into());
        let pin_subscription = t.is_external() && std::env::var("ARM_SUBSCRIPTION_ID").is_ok();
        World {
            t,
            dir: tempfile::tempdir().expect("temp dir"),
            loc,
            token,
            groups: RefCell::new(Vec::new()),
            pin_subscription,
        }
    }

    pub fn external(&self) -> bool {
        self.t.is_external()
    }

    pub fn sub(&self) -> &str {
        &self.t.subscription
    }

    /// True (after printing why) when a step needs the in-process emulator.
    pub fn skip(&self, step: &str) -> bool {
        if self.external() {
            eprintln!("SKIPPED step '{step}': needs the in-process emulator, which ARM_ENDPOINT replaces");
        }
        self.external()
    }

    /// A name (unique per run against an external endpoint).
    pub fn name(&self, prefix: &str) -> String {
        if self.external() {
            // Dependent names (storage, registries) allow only lower-case letters and digits.
            let tail = &uuid::Uuid::new_v4().simple().to_string()[..6];
            if prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                format!("{prefix}{tail}")
            } else {
                format!("{prefix}-{tail}")
            }
        } else {
            prefix.to_string()
        }
    }

    pub fn env(&self, input: Option<&str>) -> Env {
        let home = self.dir.path().display().to_string();
        let mut vars = vec![
            ("HOME".to_string(), home.clone()),
            ("ARMCTL_CONFIG_DIR".to_string(), format!("{home}/config")),
            ("ARMEMU_ENDPOINT".to_string(), self.t.base().to_string()),
            ("ARMCTL_ACCESS_TOKEN".to_string(), self.token.clone()),
        ];
        if let Some(ca) = &self.t.ca {
            vars.push(("ARMEMU_CA".to_string(), ca.display().to_string()));
        }
        let mut env = Env::with_vars(vars);
        if !self.external() {
            // No real waiting for long-running operations in-process.
            env.sleeper = Some(std::sync::Arc::new(armctl::sleep::RecordingSleeper::new()));
        }
        env.input = input.map(String::from);
        env
    }

    /// Runs `armctl <cmd>` (split like a shell: spaces separate, double quotes group).
    pub fn run(&self, cmd: &str) -> Run {
        self.run_with(cmd, None)
    }

    /// As [`World::run`], answering a confirmation prompt with `input`.
    pub fn run_with(&self, cmd: &str, input: Option<&str>) -> Run {
        let mut all = vec!["armctl".to_string()];
        all.extend(armctl::cli::split_words(cmd));
        if self.pin_subscription {
            all.push("--subscription".into());
            all.push(self.sub().to_string());
        }
        let (code, out, err) = armctl::cli::run(all, self.env(input));
        Run { cmd: cmd.to_string(), code, out, err }
    }

    /// `armctl group create --name <rg> --location <location>`; the group is deleted at the
    /// end of the test against an external endpoint.
    pub fn group(&self, prefix: &str) -> String {
        let rg = self.name(prefix);
        self.run(&format!("group create --name {rg} --location {}", self.loc)).ok();
        self.groups.borrow_mut().push(rg.clone());
        rg
    }

    /// Remembers a group to clean up (one created by the service, e.g. `<rg>_<GUID>`).
    pub fn cleanup(&self, rg: &str) {
        self.groups.borrow_mut().push(rg.to_string());
    }

    /// `/subscriptions/<sub>/resourceGroups/<rg>/providers/<type>/<name>`.
    pub fn id(&self, rg: &str, full_type: &str, name: &str) -> String {
        format!("/subscriptions/{}/resourceGroups/{rg}/providers/{full_type}/{name}", self.sub())
    }

    pub fn ws_id(&self, rg: &str, ws: &str) -> String {
        self.id(rg, "Microsoft.MachineLearningServices/workspaces", ws)
    }

    /// `armctl resource show --ids <id> --query properties` of a resource.
    pub fn properties(&self, id: &str) -> Value {
        self.run(&format!("resource show --ids {id} --query properties")).ok().json()
    }

    /// The lower-cased types of the resources in a group (`armctl resource list -g`).
    pub fn types_in(&self, rg: &str) -> Vec<String> {
        let v = self.run(&format!("resource list -g {rg}")).ok().json();
        let mut t: Vec<String> = v
            .as_array()
            .expect("resource list is an array")
            .iter()
            .map(|r| r["type"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        t.sort();
        t
    }

    /// Whether a provider namespace is registered (`armctl provider show -n`).
    pub fn registered(&self, ns: &str) -> bool {
        let v = self.run(&format!("provider show -n {ns}")).ok().json();
        v["registrationState"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("Registered"))
    }

    /// Writes a file into the test's temp dir and returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("writing a file");
        p.display().to_string()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if self.external() {
            for rg in self.groups.borrow().iter() {
                let r = self.run(&format!("group delete -n {rg} --yes --no-wait"));
                // Gone already (deleted by the test, or with the group the service made it for).
                if r.code != 0 && !r.err.contains("(ResourceGroupNotFound)") {
                    eprintln!("cleanup: deleting group {rg} failed: {}", r.err);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The seeds' JSON blocks and the shape check
// ---------------------------------------------------------------------------------------------

/// `az group create` (000/002 "Create a resource group", 004 "リソース グループを作成する").
pub const GROUP_CREATE: &str = r#"{
  "id": "/subscriptions/<subscription-GUID>/resourceGroups/<resourcegroupname>",
  "location": "<location>",
  "managedBy": null,
  "name": "<resource-group-name>",
  "properties": {
    "provisioningState": "Succeeded"
  },
  "tags": null,
  "type": null
}"#;

/// `az ml workspace create` (000/002 "Automatically create required resources" and "Use
/// existing resources", 004 "ワークスペースの作成"; 004 writes `<subscription-GUID>`,
/// `<container-registry-name>` and `<workspace-id>` for the id's last segment).
pub const WORKSPACE_CREATE: &str = r#"{
  "applicationInsights": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.insights/components/<application-insight-name>",
  "containerRegistry": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.containerregistry/registries/<acr-name>",
  "creationTime": "2019-08-30T20:24:19.6984254+00:00",
  "description": "",
  "friendlyName": "<workspace-name>",
  "id": "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.MachineLearningServices/workspaces/<workspace-name>",
  "identityPrincipalId": "<GUID>",
  "identityTenantId": "<GUID>",
  "identityType": "SystemAssigned",
  "keyVault": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.keyvault/vaults/<key-vault-name>",
  "location": "<location>",
  "name": "<workspace-name>",
  "resourceGroup": "<resource-group-name>",
  "storageAccount": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.storage/storageaccounts/<storage-account-name>",
  "type": "Microsoft.MachineLearningServices/workspaces",
  "workspaceid": "<GUID>"
}"#;

/// `az ml workspace show` and `update` (000/002 "Get workspace information", "Update a
/// workspace"). The seed's `…/components/application-insight-name>` lacks its `<`; fixed here.
/// Its `"friendlyName": ""` is loosened to `<friendly-name>` (see [`show_shape`]).
pub const WORKSPACE_SHOW: &str = r#"{
  "applicationInsights": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.insights/components/<application-insight-name>",
  "creationTime": "2019-08-30T18:55:03.1807976+00:00",
  "description": "",
  "friendlyName": "",
  "id": "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.MachineLearningServices/workspaces/<workspace-name>",
  "identityPrincipalId": "<GUID>",
  "identityTenantId": "<GUID>",
  "identityType": "SystemAssigned",
  "keyVault": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.keyvault/vaults/<key-vault-name>",
  "location": "<location>",
  "name": "<workspace-name>",
  "resourceGroup": "<resource-group-name>",
  "storageAccount": "/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.storage/storageaccounts/<storage-account-name>",
  "tags": {},
  "type": "Microsoft.MachineLearningServices/workspaces",
  "workspaceid": "<GUID>"
}"#;

/// The ids `az … show --query "id"` prints (000/002 "Use existing resources").
pub const STORAGE_ID: &str = "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.Storage/storageAccounts/<storage-account-name>";
pub const INSIGHTS_ID: &str = "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/microsoft.insights/components/<application-insight-name>";
pub const KEYVAULT_ID: &str = "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.KeyVault/vaults/<key-vault-name>";
pub const ACR_ID: &str = "/subscriptions/<service-GUID>/resourceGroups/<resource-group-name>/providers/Microsoft.ContainerRegistry/registries/<acr-name>";

/// The 004 YAML files (`$schema` … `tags`), with `<SUBSCRIPTION_ID>`-style placeholders.
pub const YAML_EXISTING: &str = "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json
name: mlw-basicex-prod
location: eastus
display_name: Bring your own dependent resources-example
description: This configuration specifies a workspace configuration with existing dependent resources
storage_account: /subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>/providers/Microsoft.Storage/storageAccounts/<STORAGE_ACCOUNT>
container_registry: /subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>/providers/Microsoft.ContainerRegistry/registries/<CONTAINER_REGISTRY>
key_vault: /subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>/providers/Microsoft.KeyVault/vaults/<KEY_VAULT>
application_insights: /subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>/providers/Microsoft.insights/components/<APP_INSIGHTS>
tags:
  purpose: demonstration
";

pub const YAML_PRIVATE_LINK: &str = "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json
name: mlw-privatelink-prod
location: eastus
display_name: Private Link endpoint workspace-example
description: When using private link, you must set the image_build_compute property to a cluster name to use for Docker image environment building. You can also specify whether the workspace should be accessible over the internet.
image_build_compute: cpu-compute
public_network_access: Disabled
tags:
  purpose: demonstration
";

pub const YAML_CMK: &str = "$schema: https://azuremlschemas.azureedge.net/latest/workspace.schema.json
name: mlw-cmkexample-prod
location: eastus
display_name: Customer managed key encryption-example
description: This configurations shows how to create a workspace that uses customer-managed keys for encryption.
customer_managed_key: 
  key_vault: /subscriptions/<SUBSCRIPTION_ID>/resourceGroups/<RESOURCE_GROUP>/providers/Microsoft.KeyVault/vaults/<KEY_VAULT>
  key_uri: https://<KEY_VAULT>.vault.azure.net/keys/<KEY_NAME>/<KEY_VERSION>
tags:
  purpose: demonstration
";

/// Fills placeholders in a seed text: every `(placeholder, value)` pair is replaced literally.
pub fn fill(text: &str, vars: &[(&str, &str)]) -> String {
    vars.iter().fold(text.to_string(), |acc, (k, v)| acc.replace(k, v))
}

/// The documented `creationTime` form: `2019-08-30T20:24:19.6984254+00:00`.
pub fn is_doc_time(s: &str) -> bool {
    regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$").unwrap().is_match(s)
}

/// A seed JSON block with `vars` filled in and its sample timestamps turned into `<datetime>`.
pub fn seed(text: &str, vars: &[(&str, &str)]) -> Value {
    let text = fill(text, vars)
        .replace("2019-08-30T20:24:19.6984254+00:00", "<datetime>")
        .replace("2019-08-30T18:55:03.1807976+00:00", "<datetime>");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("seed block is not JSON after filling: {e}\n{text}"))
}

/// Checks `actual` against an expected seed block: the exact key set, literal values,
/// placeholder forms (GUIDs, names, the datetime), and the documented timestamp form.
#[track_caller]
pub fn check(what: &str, expected: &Value, actual: &Value) {
    if let Err(e) = fixtures::matches_shape(expected, actual) {
        panic!(
            "{what}: the output does not have the documented shape: {e}\nexpected (seed):\n{}\nactual:\n{}",
            serde_json::to_string_pretty(expected).unwrap(),
            serde_json::to_string_pretty(actual).unwrap()
        );
    }
    if let Some(t) = actual.get("creationTime").and_then(Value::as_str) {
        assert!(
            is_doc_time(t),
            "{what}: creationTime {t:?} is not in the documented form 2019-08-30T20:24:19.6984254+00:00"
        );
    }
}

/// [`check`] against a seed block filled with `vars`.
#[track_caller]
pub fn expect_shape(what: &str, seed_text: &str, vars: &[(&str, &str)], actual: &Value) {
    check(what, &seed(seed_text, vars), actual);
}

/// The variables a workspace block is filled with: the subscription, the group (the dependent
/// ids are lower-cased as the seeds show them, so groups in these suites are lower-case), the
/// workspace name and the location.
pub fn ws_vars<'a>(w: &'a World, rg: &'a str, ws: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("<service-GUID>", w.sub()),
        ("<subscription-GUID>", w.sub()),
        ("<resource-group-name>", rg),
        ("<workspace-name>", ws),
        ("<location>", w.loc.as_str()),
    ]
}

/// The create block without `containerRegistry`: the service creates the registry when it is
/// first needed (000/002/004 "Deleting the Azure Container Registry" / "Container Registry"),
/// so a workspace created without one has none yet.
pub fn create_shape_without_registry() -> String {
    let mut v: Value = serde_json::from_str(WORKSPACE_CREATE).unwrap();
    v.as_object_mut().unwrap().remove("containerRegistry");
    serde_json::to_string(&v).unwrap()
}

/// The show/update block, with `friendlyName` any text: the seed's `""` comes from a workspace
/// created without one, while `create` sets it to the workspace name (the create block shows
/// `"friendlyName": "<workspace-name>"`).
pub fn show_shape(with_registry: bool) -> String {
    let mut v: Value = serde_json::from_str(WORKSPACE_SHOW).unwrap();
    let o = v.as_object_mut().unwrap();
    o.insert("friendlyName".into(), Value::String("<friendly-name>".into()));
    if with_registry {
        o.insert("containerRegistry".into(), Value::String("/subscriptions/<service-GUID>/resourcegroups/<resource-group-name>/providers/microsoft.containerregistry/registries/<acr-name>".into()));
    }
    serde_json::to_string(&v).unwrap()
}

/// Asserts that every dependent id of a workspace output is lower-case, as the seeds print them.
#[track_caller]
pub fn expect_lower_ids(v: &Value) {
    for k in ["applicationInsights", "containerRegistry", "keyVault", "storageAccount"] {
        if let Some(id) = v.get(k).and_then(Value::as_str) {
            assert_eq!(id, id.to_lowercase(), "{k} is printed lower-cased as in the seeds");
        }
    }
}

/// A workspace `(rg, ws)` created with `armctl ml workspace create -w <ws> -g <rg>` in a fresh group.
pub fn workspace(w: &World, rg_prefix: &str, ws_prefix: &str) -> (String, String, Value) {
    let rg = w.group(rg_prefix);
    let ws = w.name(ws_prefix);
    let v = w.run(&format!("ml workspace create -w {ws} -g {rg}")).ok().json();
    (rg, ws, v)
}
