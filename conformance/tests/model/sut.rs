//! The system under test: an in-process emulator (frozen clock) driven through the `armctl`
//! client library. After every step the observable state is read back and compared with the
//! model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use armctl::credential::StaticTokenCredential;
use armctl::models::{ResourceGroupCreate, ResourceGroupPatch, Workspace, WorkspaceProperties, WorkspaceUpdate};
use armctl::ArmClient;
use armemu::testing::TestEmulator;
use conformance::Http;

use crate::reference::{Model, Outcome, SetId};
use crate::transition::Transition;

const ML: &str = "Microsoft.MachineLearningServices";
const WORKSPACE: &str = "microsoft.machinelearningservices/workspaces";
const STORAGE: &str = "microsoft.storage/storageaccounts";
const KEY_VAULT: &str = "microsoft.keyvault/vaults";
const INSIGHTS: &str = "microsoft.insights/components";

/// A workspace's dependents as its properties name them (lower-cased ids).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dependents {
    storage_account: String,
    key_vault: String,
    application_insights: String,
}

pub struct Sut {
    /// Kept alive for the test; dropping it stops the emulator.
    pub _emu: TestEmulator,
    pub client: ArmClient,
    pub admin: Http,
    pub rt: tokio::runtime::Runtime,
}

impl Sut {
    pub fn new() -> Sut {
        let emu = TestEmulator::start();
        let client = ArmClient::builder(emu.https.clone())
            .ca_file(emu.ca.clone())
            .credential(Arc::new(StaticTokenCredential::new("model-test")))
            .subscription(armemu::config::DEFAULT_SUBSCRIPTION_ID)
            .build()
            .expect("client");
        let admin = Http::plain(&emu.http, None);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Sut { _emu: emu, client, admin, rt }
    }

    /// Runs one transition and returns what the emulator answered, as an [`Outcome`].
    pub fn apply(&self, t: &Transition) -> Outcome {
        let c = &self.client;
        if let Transition::AdvanceClock { seconds } = t {
            // The test-control API is not part of ARM, so it goes around the client.
            self.admin.post("/_emulator/clock/advance", &serde_json::json!({"seconds": seconds})).expect(200);
            return Ok(200);
        }
        let r: armctl::Result<u16> = self.rt.block_on(async {
            match t {
                Transition::CreateGroup { name } => {
                    let existed = c.resource_groups().check_existence(name).await?;
                    c.resource_groups()
                        .create_or_update(
                            name,
                            &ResourceGroupCreate { location: "westeurope".into(), tags: None, managed_by: None },
                        )
                        .await?;
                    Ok(if existed { 200 } else { 201 })
                }
                Transition::UpdateGroup { name, env } => {
                    let tags: armctl::models::Tags = env.iter().map(|v| ("env".to_string(), v.clone())).collect();
                    c.resource_groups()
                        .update(name, &ResourceGroupPatch { tags: Some(tags), managed_by: None })
                        .await?;
                    Ok(200)
                }
                Transition::DeleteGroup { name } => {
                    c.resource_groups().begin_delete(name).await?.wait().await?;
                    Ok(200)
                }
                Transition::RegisterMl => c.providers().register(ML).await.map(|_| 200),
                Transition::UnregisterMl => c.providers().unregister(ML).await.map(|_| 200),
                Transition::CreateWorkspace { group, name, recover, reuse, description } => {
                    let reused = if *reuse { self.reuse_source(group, name).await } else { None };
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
                    c.workspaces().create_or_update(group, name, &body).await?.wait().await?;
                    Ok(200)
                }
                Transition::UpdateWorkspace { group, name, description } => {
                    let mut properties = serde_json::Map::new();
                    properties.insert("description".into(), serde_json::json!(description));
                    let body = WorkspaceUpdate { tags: None, properties };
                    c.workspaces().update(group, name, &body).await?.wait().await?;
                    Ok(200)
                }
                Transition::DeleteWorkspace { group, name, purge } => {
                    let p = c.workspaces().delete(group, name, *purge).await?;
                    let initial = p.initial_status();
                    p.wait().await?;
                    Ok(initial)
                }
                Transition::AdvanceClock { .. } => Ok(200),
            }
        });
        r.map_err(|e| (e.status().unwrap_or(0), leak(e.code().unwrap_or("transport"))))
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
            let expected: BTreeSet<String> = m.groups.values().cloned().collect();
            assert_eq!(groups, expected, "resource groups differ from the model");
            for g in &listed {
                let name = g.name.clone().unwrap_or_default();
                let got = g.tags.clone().unwrap_or_default();
                let want: armctl::models::Tags = m
                    .group_tags
                    .get(&name.to_lowercase())
                    .cloned()
                    .flatten()
                    .map(|v| ("env".to_string(), v))
                    .into_iter()
                    .collect();
                assert_eq!(got, want, "tags of group '{name}' (a PATCH sets them, a PUT without tags clears them)");
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
            for (g, group) in &m.groups {
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
                let group = &m.groups[g];
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

/// Error codes compared with the model's `&'static str`s; the set is tiny.
fn leak(s: &str) -> &'static str {
    for known in [
        "ResourceGroupNotFound",
        "MissingSubscriptionRegistration",
        "BadRequest",
        "ResourceNotFound",
        "ValidationError",
    ] {
        if known == s {
            return known;
        }
    }
    Box::leak(s.to_string().into_boxed_str())
}
