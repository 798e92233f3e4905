//! The system under test: an in-process emulator (frozen clock) driven through the `armctl`
//! client library. Every [`Outcome`] is what the emulator answered: the status of the request
//! (the client's error status and code, or the poller's first status), and for a long-running
//! operation how it went on: polled to its end through the client's poller (a sleeper that
//! does not sleep, no retries), or left running. Requests whose status the client does not
//! expose (it returns only the body) go through the raw HTTP helper instead. After every step
//! the observable state is read back and compared with the model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use armctl::credential::StaticTokenCredential;
use armctl::lro::{LroStatus, Poller};
use armctl::models::{Workspace, WorkspaceProperties, WorkspaceUpdate};
use armctl::retry::RetryOptions;
use armctl::sleep::RecordingSleeper;
use armctl::ArmClient;
use armemu::testing::TestEmulator;
use conformance::{av, enc, Http, Resp};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::reference::{Lro, Mode, Model, Modes, Outcome, PollStatus, SetId, CURATED_ENV, SOFT_DELETED};
use crate::transition::Transition;

const ML: &str = "Microsoft.MachineLearningServices";
const WORKSPACE: &str = "microsoft.machinelearningservices/workspaces";
const STORAGE: &str = "microsoft.storage/storageaccounts";
const KEY_VAULT: &str = "microsoft.keyvault/vaults";
const INSIGHTS: &str = "microsoft.insights/components";
const TOKEN: &str = "model-test";
/// The ML api-version azure-ai-ml 1.35.2 sends for environments.
const ENV_API: &str = "2023-04-01-preview";
/// The most polls the SUT makes before it calls an operation stuck (`polls:2` needs 3).
const MAX_POLLS: u32 = 8;

/// A workspace's dependents as its properties name them (lower-cased ids).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dependents {
    storage_account: String,
    key_vault: String,
    application_insights: String,
}

/// The client's poller of an operation left running.
enum Pending {
    Workspace(Poller<Workspace>),
    Other(Poller<Value>),
}

impl Pending {
    async fn poll(&mut self) -> armctl::Result<LroStatus> {
        match self {
            Pending::Workspace(p) => p.poll().await,
            Pending::Other(p) => p.poll().await,
        }
    }
}

pub struct Sut {
    /// Kept alive for the test; dropping it stops the emulator.
    pub _emu: TestEmulator,
    pub client: ArmClient,
    /// Raw ARM requests (with a bearer token) whose status `armctl` does not expose.
    pub arm: Http,
    /// The test-control API.
    pub admin: Http,
    pub rt: tokio::runtime::Runtime,
    modes: Modes,
    sleeper: RecordingSleeper,
    /// The pollers of the operations left running, numbered as the model's handles; `None`
    /// once the poller came to an end.
    pending: Vec<Option<Pending>>,
}

/// A raw answer as an [`crate::reference::Answer`]: the status, or the status and error code.
fn answer(r: &Resp) -> Result<u16, (u16, &'static str)> {
    if (200..300).contains(&r.status) {
        return Ok(r.status);
    }
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let code = body.pointer("/error/code").and_then(Value::as_str).unwrap_or("(no ARM error envelope)");
    let message = body.pointer("/error/message").and_then(Value::as_str).unwrap_or("");
    Err((r.status, known(code, message)))
}

/// A client error as the status and code (`0`/`"transport"` when there was no answer).
fn failure(e: &armctl::Error) -> (u16, &'static str) {
    let message = match e {
        armctl::Error::Arm { message, .. } => message.as_str(),
        _ => "",
    };
    (e.status().unwrap_or(0), known(e.code().unwrap_or("transport"), message))
}

impl Sut {
    pub fn new(modes: Modes) -> Sut {
        let emu = TestEmulator::start();
        let sleeper = RecordingSleeper::new();
        let client = ArmClient::builder(emu.https.clone())
            .ca_file(emu.ca.clone())
            .credential(Arc::new(StaticTokenCredential::new(TOKEN)))
            .subscription(armemu::config::DEFAULT_SUBSCRIPTION_ID)
            // Each answer is the emulator's answer to that one request.
            .retry(RetryOptions { max_retries: 0, ..RetryOptions::default() })
            .sleeper(Arc::new(sleeper.clone()))
            .build()
            .expect("client");
        let arm = Http::plain(&emu.http, Some(TOKEN));
        let admin = Http::plain(&emu.http, None);
        let settings: serde_json::Map<String, Value> =
            modes.settings().iter().map(|(kind, mode)| (kind.to_string(), json!(mode.setting()))).collect();
        admin.patch("/_emulator/settings", &json!({ "lro": settings })).expect(200);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Sut { _emu: emu, client, arm, admin, rt, modes, sleeper, pending: Vec::new() }
    }

    fn group_path(name: &str) -> String {
        av(&format!("/subscriptions/{}/resourcegroups/{}", armemu::config::DEFAULT_SUBSCRIPTION_ID, enc(name)))
    }

    fn provider_action(action: &str) -> String {
        av(&format!("/subscriptions/{}/providers/{ML}/{action}", armemu::config::DEFAULT_SUBSCRIPTION_ID))
    }

    /// `…/workspaces/{ws}/environments[/{rest}]?api-version=…[&query]`.
    fn env_path(group: &str, ws: &str, rest: &str, query: &str) -> String {
        let mut p = format!(
            "/subscriptions/{}/resourcegroups/{}/providers/{ML}/workspaces/{}/environments",
            armemu::config::DEFAULT_SUBSCRIPTION_ID,
            enc(group),
            enc(ws)
        );
        if !rest.is_empty() {
            p.push('/');
            p.push_str(rest);
        }
        p.push_str("?api-version=");
        p.push_str(ENV_API);
        if !query.is_empty() {
            p.push('&');
            p.push_str(query);
        }
        p
    }

    fn image(n: u8) -> String {
        format!("repo/img:{n}")
    }

    /// Every item of a (paged) listing, or the error.
    fn list_all(&self, path: &str) -> Result<Vec<Value>, (u16, &'static str)> {
        let mut url = path.to_string();
        let mut items = Vec::new();
        for _ in 0..100 {
            let r = self.arm.get(&url);
            answer(&r)?;
            let page = r.json();
            items.extend(page["value"].as_array().cloned().unwrap_or_default());
            match page["nextLink"].as_str() {
                Some(n) => url = n.to_string(),
                None => return Ok(items),
            }
        }
        panic!("a listing of more than 100 pages: {path}")
    }

    /// Runs one transition and returns what the emulator answered, as an [`Outcome`].
    pub fn apply(&mut self, t: &Transition) -> Outcome {
        let c = self.client.clone();
        match t {
            // The test-control API is not part of ARM, so it goes around the client.
            Transition::AdvanceClock { seconds } => {
                Outcome::Answer(answer(&self.admin.post("/_emulator/clock/advance", &json!({ "seconds": seconds }))))
            }
            // For these the client returns the body only (the group, the provider), not the
            // status: not, for one, whether the PUT created the group.
            Transition::CreateGroup { name } => {
                Outcome::Answer(answer(&self.arm.put(&Self::group_path(name), &json!({"location": "westeurope"}))))
            }
            Transition::UpdateGroup { name, env } => {
                let tags: serde_json::Map<String, Value> = env.iter().map(|v| ("env".to_string(), json!(v))).collect();
                Outcome::Answer(answer(&self.arm.patch(&Self::group_path(name), &json!({ "tags": tags }))))
            }
            Transition::RegisterMl => {
                Outcome::Answer(answer(&self.arm.post(&Self::provider_action("register"), &json!({}))))
            }
            Transition::UnregisterMl => {
                Outcome::Answer(answer(&self.arm.post(&Self::provider_action("unregister"), &json!({}))))
            }
            Transition::DeleteGroup { name } => {
                let started = self.rt.block_on(c.resource_groups().begin_delete(name));
                self.follow(self.modes.group_delete, started, Pending::Other)
            }
            Transition::CreateWorkspace { group, name, recover, reuse, description } => {
                let reused = if *reuse { self.rt.block_on(self.reuse_source(group, name)) } else { None };
                let body = Workspace {
                    location: Some("westeurope".into()),
                    properties: WorkspaceProperties {
                        description: Some(description.clone()),
                        allow_recover_soft_deleted_workspace: recover.then(|| "True".to_string()),
                        storage_account: reused.as_ref().map(|d| d.storage_account.clone()),
                        key_vault: reused.as_ref().map(|d| d.key_vault.clone()),
                        application_insights: reused.as_ref().map(|d| d.application_insights.clone()),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                // The kind (create or update) depends on whether the workspace exists: ask the
                // emulator's own listing, not the model.
                let exists = self.rt.block_on(self.exists(group, name));
                let mode = if exists { self.modes.update } else { self.modes.create };
                let started = self.rt.block_on(c.workspaces().create_or_update(group, name, &body));
                self.follow(mode, started, Pending::Workspace)
            }
            Transition::UpdateWorkspace { group, name, description } => {
                let mut properties = serde_json::Map::new();
                properties.insert("description".into(), json!(description));
                let body = WorkspaceUpdate { tags: None, properties };
                let started = self.rt.block_on(c.workspaces().update(group, name, &body));
                self.follow(self.modes.update, started, Pending::Workspace)
            }
            Transition::DeleteWorkspace { group, name, purge } => {
                let started = self.rt.block_on(c.workspaces().delete(group, name, *purge));
                self.follow(self.modes.delete, started, Pending::Other)
            }
            Transition::PutEnv { group, workspace, env, version, image, archived } => {
                let body = json!({"properties": {"image": Self::image(*image), "isArchived": archived}});
                Outcome::Answer(answer(
                    &self.arm.put(
                        &Self::env_path(group, workspace, &format!("{}/versions/{}", enc(env), version), ""),
                        &body,
                    ),
                ))
            }
            Transition::GetEnv { group, workspace, env, version } => Outcome::Answer(answer(
                &self.arm.get(&Self::env_path(group, workspace, &format!("{}/versions/{}", enc(env), version), "")),
            )),
            Transition::LatestEnv { group, workspace, env } => {
                let r = self.arm.get(&Self::env_path(
                    group,
                    workspace,
                    &format!("{}/versions", enc(env)),
                    "$orderBy=createdtime%20desc&$top=1",
                ));
                Outcome::First(answer(&r).map(|_| {
                    r.json()["value"]
                        .as_array()
                        .and_then(|v| v.first())
                        .and_then(|v| v["name"].as_str())
                        .map(String::from)
                }))
            }
            Transition::ArchiveEnv { group, workspace, env, version, archived } => {
                let path = Self::env_path(group, workspace, &format!("{}/versions/{}", enc(env), version), "");
                let got = self.arm.get(&path);
                if let Err(e) = answer(&got) {
                    return Outcome::Answer(Err(e));
                }
                // As azure-ai-ml: the GET body back, `isArchived` set, `stage` left out.
                let mut body = got.json();
                body["properties"]["isArchived"] = json!(archived);
                if let Some(p) = body["properties"].as_object_mut() {
                    p.remove("stage");
                }
                Outcome::Answer(answer(&self.arm.put(&path, &body)))
            }
            Transition::Poll { op } => {
                let mut p =
                    self.pending.get_mut(*op).and_then(Option::take).unwrap_or_else(|| {
                        panic!("no poller {op}: the model's handles and the SUT's pollers disagree")
                    });
                let got = match self.rt.block_on(p.poll()) {
                    Ok(LroStatus::InProgress) => Ok(PollStatus::InProgress),
                    Ok(LroStatus::Succeeded) => Ok(PollStatus::Succeeded),
                    Ok(other) => panic!("poll() reports {other:?} without an error"),
                    Err(e) => Err(failure(&e)),
                };
                if got == Ok(PollStatus::InProgress) {
                    self.pending[*op] = Some(p);
                }
                Outcome::Poll(got)
            }
        }
    }

    /// What a long-running operation did, from the first answer on: refused (the error), ended
    /// at once, polled to its end through the poller (`polls:N`), or left running
    /// (`seconds:T`: only the clock ends it, so polling now would never end).
    fn follow<T: DeserializeOwned>(
        &mut self,
        mode: Mode,
        started: armctl::Result<Poller<T>>,
        keep: fn(Poller<T>) -> Pending,
    ) -> Outcome {
        let mut p = match started {
            Ok(p) => p,
            Err(e) => return Outcome::Answer(Err(failure(&e))),
        };
        let first = p.initial_status();
        if p.is_done() {
            return Outcome::Lro(first, Lro::Final);
        }
        if let Mode::Seconds(_) = mode {
            self.pending.push(Some(keep(p)));
            return Outcome::Lro(first, Lro::Running);
        }
        let waited = self.sleeper.recorded().len();
        let sleeper = self.client.sleeper();
        let end = self.rt.block_on(async {
            loop {
                if p.polls() >= MAX_POLLS {
                    return None;
                }
                sleeper.sleep(p.next_wait()).await;
                match p.poll().await {
                    Ok(s) if s.is_terminal() => return Some(Ok(())),
                    Ok(_) => {}
                    Err(e) => return Some(Err(failure(&e))),
                }
            }
        });
        let Some(end) = end else {
            return Outcome::Lro(first, Lro::Stuck { polls: p.polls() });
        };
        let waits = self.sleeper.recorded()[waited..].to_vec();
        assert!(
            waits.iter().all(|w| *w == Duration::from_secs(1)),
            "every asynchronous answer says `Retry-After: 1`; the poller was asked to wait {waits:?}"
        );
        Outcome::Lro(first, Lro::Polled { polls: p.polls(), end })
    }

    /// Whether the emulator lists a workspace of this name in the group (live, whatever its
    /// provisioning state), or keeps it soft-deleted: a PUT of it is then an update.
    async fn exists(&self, group: &str, name: &str) -> bool {
        let w = self.client.workspaces();
        for pager in [w.list_by_resource_group(group), w.list_deleted(Some(group))] {
            let listed = match pager {
                Ok(p) => p.collect_all().await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            if listed.iter().filter_map(|w| w.name.as_deref()).any(|n| n.eq_ignore_ascii_case(name)) {
                return true;
            }
        }
        false
    }

    /// The dependents of the workspace a `reuse` creation borrows from: the group's live
    /// workspace with the smallest lower-cased name other than `name` (as
    /// [`Model::reuse_source`] picks it). `None` when there is none or the listing or the GET
    /// fails (e.g. the group does not exist): the PUT then passes no dependents.
    async fn reuse_source(&self, group: &str, name: &str) -> Option<Dependents> {
        let listed = self.client.workspaces().list_by_resource_group(group).ok()?.collect_all().await.ok()?;
        let other = listed
            .into_iter()
            .filter_map(|w| w.name)
            .filter(|n| n.to_lowercase() != name.to_lowercase())
            .min_by_key(|n| n.to_lowercase())?;
        let w = self.client.workspaces().get(group, &other).await.ok()?;
        dependents_of(&w)
    }

    /// Checks the emulator's observable state against the model.
    pub fn check(&self, m: &Model) {
        let c = &self.client;
        self.rt.block_on(async {
            let listed = c.resource_groups().list(None, None).unwrap().collect_all().await.unwrap();
            let groups: BTreeSet<String> = listed.iter().filter_map(|g| g.name.clone()).collect();
            let expected: BTreeSet<String> = m.groups.values().map(|g| g.name.clone()).collect();
            assert_eq!(groups, expected, "resource groups differ from the model");
            for g in &listed {
                let name = g.name.clone().unwrap_or_default();
                let Some(model) = m.groups.get(&name.to_lowercase()) else { continue };
                let got = g.tags.clone().unwrap_or_default();
                let want: armctl::models::Tags =
                    model.env.clone().map(|v| ("env".to_string(), v)).into_iter().collect();
                assert_eq!(got, want, "tags of group '{name}' (a PATCH sets them, a PUT without tags clears them)");
                let state = g.properties.as_ref().and_then(|p| p.provisioning_state.as_deref()).unwrap_or("");
                assert_eq!(
                    state,
                    if model.deleting { "Deleting" } else { "Succeeded" },
                    "provisioningState of group '{name}' (`Deleting` while a `seconds:T` delete runs)"
                );
            }

            let live: BTreeSet<(String, String)> =
                c.workspaces().list_by_subscription().unwrap().collect_all().await.map(placed).unwrap();
            let expected: BTreeSet<(String, String)> = m.live().map(|w| (w.group.clone(), w.name.clone())).collect();
            assert_eq!(
                live, expected,
                "listed workspaces differ from the model (a soft-deleted workspace must never be listed)"
            );
            for (g, _) in &live {
                assert!(groups.contains(g), "workspace listed in group '{g}', which does not exist");
            }

            let deleted: BTreeSet<(String, String)> =
                c.workspaces().list_deleted(None).unwrap().collect_all().await.map(placed).unwrap();
            let expected: BTreeSet<(String, String)> =
                m.soft_deleted().map(|w| (w.group.clone(), w.name.clone())).collect();
            assert_eq!(deleted, expected, "soft-deleted workspaces differ from the model");

            // The generic listings: each group's, and the subscription's.
            // Lower-cased group → (lower-cased id → lower-cased type).
            let mut listings: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            for (g, group) in m.groups.iter().map(|(g, group)| (g, &group.name)) {
                let listed = c
                    .resources()
                    .list_by_resource_group(group, None)
                    .unwrap()
                    .collect_all()
                    .await
                    .unwrap_or_else(|e| panic!("the resource listing of group '{group}' fails: {e}"));
                let mut ids = BTreeMap::new();
                for r in listed {
                    let ty = r.kind.unwrap_or_default().to_lowercase();
                    assert!(
                        [WORKSPACE, STORAGE, KEY_VAULT, INSIGHTS].contains(&ty.as_str()),
                        "group '{group}' lists '{}' of type '{ty}': only workspaces and their dependents \
                         (storage account, key vault, insights component) may be in a group",
                        r.id
                    );
                    ids.insert(r.id.to_lowercase(), ty);
                }
                listings.insert(g.clone(), ids);
            }
            for (g, ids) in &listings {
                let group = &m.groups[g].name;
                let count = |ty: &str| ids.values().filter(|t| *t == ty).count();
                for (ty, what) in
                    [(STORAGE, "storage accounts"), (KEY_VAULT, "key vaults"), (INSIGHTS, "insights components")]
                {
                    assert_eq!(
                        count(ty),
                        m.sets_in(g),
                        "group '{group}' must hold as many {what} as the model has dependent sets in it (a \
                         workspace created without given dependents makes one set, a reusing one makes none; \
                         sets outlive workspace delete, purge and expiry, and go only with their group)"
                    );
                }
                let listed: BTreeSet<String> =
                    ids.iter().filter(|(_, t)| *t == WORKSPACE).map(|(id, _)| name_of(id)).collect();
                let expected: BTreeSet<String> =
                    m.live().filter(|w| w.group.to_lowercase() == *g).map(|w| w.name.to_lowercase()).collect();
                assert_eq!(
                    listed, expected,
                    "the resource listing of group '{group}' must show exactly its live workspaces (a soft-deleted \
                     workspace is hidden, as in ARM)"
                );
            }
            let everything: BTreeMap<String, String> = c
                .resources()
                .list(None)
                .unwrap()
                .collect_all()
                .await
                .expect("the subscription's resource listing")
                .into_iter()
                .map(|r| (r.id.to_lowercase(), r.kind.unwrap_or_default().to_lowercase()))
                .collect();
            for (ty, what) in
                [(STORAGE, "storage accounts"), (KEY_VAULT, "key vaults"), (INSIGHTS, "insights components")]
            {
                assert_eq!(
                    everything.values().filter(|t| *t == ty).count(),
                    m.sets.len(),
                    "the subscription must hold as many {what} as the model has dependent sets (a group delete \
                     removes its group's dependents, and only that removes any)"
                );
            }
            for id in everything.keys() {
                assert!(
                    m.groups.contains_key(&group_of(id)),
                    "the subscription lists '{id}', in group '{}', which does not exist in the model: a group \
                     delete must leave nothing inside, and nothing exists without its group",
                    group_of(id)
                );
            }
            let union: BTreeSet<String> = listings.values().flat_map(|ids| ids.keys().cloned()).collect();
            let everything: BTreeSet<String> = everything.into_keys().collect();
            assert_eq!(
                everything, union,
                "the subscription's resource listing must be the union of its groups' listings"
            );

            // Live workspaces: description, and dependents partitioned exactly as the model's sets.
            let mut by_set: BTreeMap<SetId, BTreeSet<String>> = BTreeMap::new();
            let mut by_storage: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut by_key_vault: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut by_insights: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for w in m.live() {
                let got = c.workspaces().get(&w.group, &w.name).await.expect("a live workspace answers GET");
                assert_eq!(
                    got.properties.description.as_deref().unwrap_or(""),
                    w.description,
                    "description of {}",
                    w.name
                );
                assert_eq!(
                    got.properties.provisioning_state.as_deref().unwrap_or(""),
                    w.prov.as_str(),
                    "provisioningState of {}/{} (`Creating`, `Updating` or `Deleting` from the start of a \
                     `seconds:T` operation until the clock ends it; `Succeeded` after a synchronous write)",
                    w.group,
                    w.name
                );
                let who = format!("{}/{}", w.group.to_lowercase(), w.name.to_lowercase());
                let d = dependents_of(&got).unwrap_or_else(|| {
                    panic!("live workspace {who} must name its storageAccount, keyVault and applicationInsights")
                });
                let ids = &listings[&w.group.to_lowercase()];
                for (id, ty, prop) in [
                    (&d.storage_account, STORAGE, "storageAccount"),
                    (&d.key_vault, KEY_VAULT, "keyVault"),
                    (&d.application_insights, INSIGHTS, "applicationInsights"),
                ] {
                    assert_eq!(
                        ids.get(id).map(String::as_str),
                        Some(ty),
                        "the {prop} '{id}' of live workspace {who} must be listed, with type '{ty}', in the \
                         workspace's own group"
                    );
                }
                by_set.entry(w.set).or_default().insert(who.clone());
                by_storage.entry(d.storage_account).or_default().insert(who.clone());
                by_key_vault.entry(d.key_vault).or_default().insert(who.clone());
                by_insights.entry(d.application_insights).or_default().insert(who);
            }
            let expected = partition(by_set);
            for (got, prop) in
                [(by_storage, "storageAccount"), (by_key_vault, "keyVault"), (by_insights, "applicationInsights")]
            {
                assert_eq!(
                    partition(got),
                    expected,
                    "live workspaces sharing a dependent set in the model must be exactly those sharing a {prop} id \
                     in the emulator (groups of workspaces: emulator left, model right)"
                );
            }
            for w in m.soft_deleted() {
                let e = c.workspaces().get(&w.group, &w.name).await.expect_err("a soft-deleted workspace answers 404");
                assert_eq!((e.status(), e.code()), (Some(404), Some("ResourceNotFound")));
            }
            let state = c.providers().get(ML).await.unwrap().registration_state.unwrap_or_default();
            assert_eq!(state, if m.ml_registered { "Registered" } else { "NotRegistered" });
        });
        self.check_environments(m);
        // Operations end when the clock passes their deadline, whether or not anyone polls.
        let health = self.admin.get("/_emulator/health").expect(200).json();
        assert_eq!(
            health["operationsInFlight"],
            json!(m.running()),
            "operations in flight (a `seconds:T` operation ends when the clock reaches its deadline, polled or not; \
             `polls:N` ones were polled to their end)"
        );
    }
}

impl Sut {
    /// Environments: each live workspace lists exactly the model's containers (and the curated
    /// one), each container its versions in creation order with their images and archive flags,
    /// the default (active) view only the unarchived ones, newest first; a soft-deleted
    /// workspace's environments answer 404.
    fn check_environments(&self, m: &Model) {
        for w in m.live() {
            let (g, n) = (w.group.to_lowercase(), w.name.to_lowercase());
            let who = format!("{}/{}", w.group, w.name);
            let all = self
                .list_all(&Self::env_path(&w.group, &w.name, "", "listViewType=All"))
                .unwrap_or_else(|e| panic!("the environments of live workspace {who} must list: {e:?}"));
            let listed: BTreeSet<String> = all
                .iter()
                .filter_map(|c| c["name"].as_str())
                .filter(|n| !n.to_lowercase().starts_with("azureml"))
                .map(String::from)
                .collect();
            let expected: BTreeSet<String> = m.envs_of(&g, &n).map(|c| c.name.clone()).collect();
            assert_eq!(listed, expected, "environment containers of {who} (created by their first version)");
            assert!(
                all.iter().any(|c| c["name"] == CURATED_ENV),
                "the curated {CURATED_ENV} is listed in every live workspace ({who})"
            );
            for c in m.envs_of(&g, &n) {
                let container = self.arm.get(&Self::env_path(&w.group, &w.name, &enc(&c.name), "")).expect(200).json();
                assert_eq!(
                    container["properties"]["latestVersion"].as_str(),
                    c.latest().map(String::as_str),
                    "latestVersion of {who}/{} (the version created last)",
                    c.name
                );
                let versions = self
                    .list_all(&Self::env_path(
                        &w.group,
                        &w.name,
                        &format!("{}/versions", enc(&c.name)),
                        "listViewType=All&$orderBy=createdtime%20asc",
                    ))
                    .unwrap_or_else(|e| panic!("the versions of {who}/{} must list: {e:?}", c.name));
                let got: Vec<(String, String, bool)> = versions
                    .iter()
                    .map(|v| {
                        (
                            v["name"].as_str().unwrap_or("").to_string(),
                            v["properties"]["image"].as_str().unwrap_or("").to_string(),
                            v["properties"]["isArchived"].as_bool().unwrap_or(false),
                        )
                    })
                    .collect();
                let want: Vec<(String, String, bool)> =
                    c.in_order().into_iter().map(|(n, v)| (n.clone(), Self::image(v.image), v.archived)).collect();
                assert_eq!(got, want, "versions of {who}/{} in creation order: (version, image, archived)", c.name);
                let active: Vec<String> = self
                    .list_all(&Self::env_path(&w.group, &w.name, &format!("{}/versions", enc(&c.name)), ""))
                    .unwrap()
                    .iter()
                    .map(|v| v["name"].as_str().unwrap_or("").to_string())
                    .collect();
                let want: Vec<String> =
                    c.in_order().into_iter().rev().filter(|(_, v)| !v.archived).map(|(n, _)| n.clone()).collect();
                assert_eq!(active, want, "the active versions of {who}/{}, newest first", c.name);
            }
        }
        for w in m.soft_deleted() {
            let r = self.arm.get(&Self::env_path(&w.group, &w.name, "", ""));
            assert_eq!(
                answer(&r),
                Err((404, "ResourceNotFound")),
                "the environments of soft-deleted workspace {}/{} are hidden",
                w.group,
                w.name
            );
        }
    }
}

/// Listed workspaces as (group, name) pairs.
fn placed(listed: Vec<Workspace>) -> BTreeSet<(String, String)> {
    listed.into_iter().map(|w| (group_of(w.id.as_deref().unwrap_or("")), w.name.unwrap_or_default())).collect()
}

fn group_of(id: &str) -> String {
    id.split('/').nth(4).unwrap_or("").to_string()
}

/// The blocks of a partition, forgetting what labels them.
fn partition<K>(by: BTreeMap<K, BTreeSet<String>>) -> BTreeSet<BTreeSet<String>> {
    by.into_values().collect()
}

/// The last segment of a (lower-cased) resource id.
fn name_of(id: &str) -> String {
    id.rsplit('/').next().unwrap_or("").to_string()
}

fn dependents_of(w: &Workspace) -> Option<Dependents> {
    let p = &w.properties;
    Some(Dependents {
        storage_account: p.storage_account.as_deref()?.to_lowercase(),
        key_vault: p.key_vault.as_deref()?.to_lowercase(),
        application_insights: p.application_insights.as_deref()?.to_lowercase(),
    })
}

/// Error codes compared with the model's `&'static str`s; the set is tiny. A `BadRequest`
/// counts only with the documented soft-delete message (another message shows in the code).
fn known(code: &str, message: &str) -> &'static str {
    if code == "BadRequest" && message != SOFT_DELETED {
        return Box::leak(format!("BadRequest with the message {message:?}").into_boxed_str());
    }
    for known in [
        "ResourceGroupNotFound",
        "ResourceGroupBeingDeleted",
        "MissingSubscriptionRegistration",
        "BadRequest",
        "ResourceNotFound",
        "ValidationError",
        "OperationNotFound",
    ] {
        if known == code {
            return known;
        }
    }
    Box::leak(code.to_string().into_boxed_str())
}
