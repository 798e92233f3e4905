//! The system under test: an in-process emulator (frozen clock) driven through the `armctl`
//! client library. After every step the observable state is read back and compared with the
//! model.

use std::collections::BTreeSet;
use std::sync::Arc;

use armctl::credential::StaticTokenCredential;
use armctl::models::{ResourceGroupCreate, Workspace, WorkspaceProperties, WorkspaceUpdate};
use armctl::ArmClient;
use armemu::testing::TestEmulator;
use conformance::Http;

use crate::reference::{Model, Outcome};
use crate::transition::Transition;

const ML: &str = "Microsoft.MachineLearningServices";

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
                Transition::DeleteGroup { name } => {
                    c.resource_groups().begin_delete(name).await?.wait().await?;
                    Ok(200)
                }
                Transition::RegisterMl => c.providers().register(ML).await.map(|_| 200),
                Transition::UnregisterMl => c.providers().unregister(ML).await.map(|_| 200),
                Transition::CreateWorkspace { group, name, recover, description } => {
                    let body = Workspace {
                        location: Some("westeurope".into()),
                        properties: WorkspaceProperties {
                            description: Some(description.clone()),
                            allow_recover_soft_deleted_workspace: recover.then(|| "True".to_string()),
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

    /// Checks the emulator's observable state against the model.
    pub fn check(&self, m: &Model) {
        let c = &self.client;
        self.rt.block_on(async {
            let groups: BTreeSet<String> = c
                .resource_groups()
                .list(None, None)
                .unwrap()
                .collect_all()
                .await
                .unwrap()
                .into_iter()
                .filter_map(|g| g.name)
                .collect();
            let expected: BTreeSet<String> = m.groups.values().cloned().collect();
            assert_eq!(groups, expected, "resource groups differ from the model");

            let live: BTreeSet<(String, String)> = c
                .workspaces()
                .list_by_subscription()
                .unwrap()
                .collect_all()
                .await
                .unwrap()
                .into_iter()
                .map(|w| (group_of(w.id.as_deref().unwrap_or("")), w.name.unwrap_or_default()))
                .collect();
            let expected: BTreeSet<(String, String)> = m.live().map(|w| (w.group.clone(), w.name.clone())).collect();
            assert_eq!(
                live, expected,
                "listed workspaces differ from the model (a soft-deleted workspace must never be listed)"
            );
            for (g, _) in &live {
                assert!(groups.contains(g), "workspace listed in group '{g}', which does not exist");
            }

            let deleted: BTreeSet<(String, String)> = c
                .workspaces()
                .list_deleted(None)
                .unwrap()
                .collect_all()
                .await
                .unwrap()
                .into_iter()
                .map(|w| (group_of(w.id.as_deref().unwrap_or("")), w.name.unwrap_or_default()))
                .collect();
            let expected: BTreeSet<(String, String)> =
                m.soft_deleted().map(|w| (w.group.clone(), w.name.clone())).collect();
            assert_eq!(deleted, expected, "soft-deleted workspaces differ from the model");

            for w in m.live() {
                let got = c.workspaces().get(&w.group, &w.name).await.expect("a live workspace answers GET");
                assert_eq!(
                    got.properties.description.as_deref().unwrap_or(""),
                    w.description,
                    "description of {}",
                    w.name
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

fn group_of(id: &str) -> String {
    id.split('/').nth(4).unwrap_or("").to_string()
}

/// Error codes compared with the model's `&'static str`s; the set is tiny.
fn leak(s: &str) -> &'static str {
    for known in ["ResourceGroupNotFound", "MissingSubscriptionRegistration", "BadRequest", "ResourceNotFound"] {
        if known == s {
            return known;
        }
    }
    Box::leak(s.to_string().into_boxed_str())
}
