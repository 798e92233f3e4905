//! The reference model: the expected behaviour of subscriptions' provider registration,
//! resource groups, workspaces (live, soft-deleted, purged, recovered), the workspaces'
//! dependent resources and the clock, as pure data. No I/O and no clock reads: time is a
//! number of seconds the transitions advance.
//!
//! Dependent resources: creating a workspace without giving `storageAccount`, `keyVault` and
//! `applicationInsights` creates one storage account, one key vault and one Application
//! Insights component in the workspace's group. The model calls these three a "dependent set"
//! ([`SetId`]); a workspace created with another workspace's ids shares that workspace's set.
//! Sets outlive their workspaces (soft delete, purge, retention expiry) and go only with their
//! group.

use std::collections::BTreeMap;

use crate::transition::Transition;

/// Default soft-delete retention, in seconds (14 days).
pub const RETENTION: i64 = 14 * 86_400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsState {
    Live,
    /// Soft-deleted; purged when the clock reaches `purge_at`.
    SoftDeleted {
        purge_at: i64,
    },
}

/// An abstract dependent set: one storage account, one key vault, one insights component.
pub type SetId = u32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ws {
    /// The name as first cased (recovery keeps it).
    pub name: String,
    pub group: String,
    pub state: WsState,
    pub description: String,
    /// The dependent set whose ids the workspace's properties hold.
    pub set: SetId,
}

/// What a transition is expected to answer: `Ok(status)` or `Err((status, code))`.
pub type Outcome = Result<u16, (u16, &'static str)>;

#[derive(Debug, Clone)]
pub struct Model {
    pub now: i64,
    pub ml_registered: bool,
    /// Lower-cased name → name as first cased.
    pub groups: BTreeMap<String, String>,
    /// Lower-cased group name → its tags (`env` only, or none).
    pub group_tags: BTreeMap<String, Option<String>>,
    /// (lower group, lower workspace) → workspace.
    pub workspaces: BTreeMap<(String, String), Ws>,
    /// Dependent set → the lower-cased group its three resources are in.
    pub sets: BTreeMap<SetId, String>,
    /// The next dependent set's id.
    pub next_set: SetId,
    /// The expected answer of the last transition.
    pub last: Outcome,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            now: 0,
            ml_registered: true,
            groups: BTreeMap::new(),
            group_tags: BTreeMap::new(),
            workspaces: BTreeMap::new(),
            sets: BTreeMap::new(),
            next_set: 0,
            last: Ok(200),
        }
    }
}

fn k(s: &str) -> String {
    s.to_lowercase()
}

impl Model {
    /// Drops tombstones whose retention has ended.
    fn expire(&mut self) {
        let now = self.now;
        self.workspaces.retain(|_, w| !matches!(w.state, WsState::SoftDeleted { purge_at } if purge_at <= now));
    }

    pub fn live(&self) -> impl Iterator<Item = &Ws> {
        self.workspaces.values().filter(|w| w.state == WsState::Live)
    }

    pub fn soft_deleted(&self) -> impl Iterator<Item = &Ws> {
        self.workspaces.values().filter(|w| w.state != WsState::Live)
    }

    /// The workspace whose dependents a `CreateWorkspace { reuse: true, .. }` of `name` in
    /// `group` passes: the live workspace of the group with the smallest lower-cased name,
    /// other than `name` itself. The SUT picks the same one from the emulator's listing.
    pub fn reuse_source(&self, group: &str, name: &str) -> Option<&Ws> {
        let (g, n) = (k(group), k(name));
        self.workspaces.iter().find(|((wg, wn), w)| *wg == g && *wn != n && w.state == WsState::Live).map(|(_, w)| w)
    }

    /// The dependent sets in the (lower-cased) group `group`.
    pub fn sets_in(&self, group: &str) -> usize {
        self.sets.values().filter(|g| **g == k(group)).count()
    }

    pub fn apply(mut self, t: &Transition) -> Model {
        self.expire();
        self.last = match t {
            Transition::CreateGroup { name } => {
                let created = !self.groups.contains_key(&k(name));
                self.groups.entry(k(name)).or_insert_with(|| name.clone());
                // A PUT replaces the tags with the body's, and the body has none.
                self.group_tags.insert(k(name), None);
                Ok(if created { 201 } else { 200 })
            }
            Transition::UpdateGroup { name, env } => {
                if self.groups.contains_key(&k(name)) {
                    self.group_tags.insert(k(name), env.clone());
                    Ok(200)
                } else {
                    Err((404, "ResourceGroupNotFound"))
                }
            }
            Transition::DeleteGroup { name } => {
                if self.groups.remove(&k(name)).is_none() {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    self.group_tags.remove(&k(name));
                    self.workspaces.retain(|(g, _), _| *g != k(name));
                    self.sets.retain(|_, g| *g != k(name));
                    Ok(200)
                }
            }
            Transition::RegisterMl => {
                self.ml_registered = true;
                Ok(200)
            }
            Transition::UnregisterMl => {
                self.ml_registered = false;
                Ok(200)
            }
            Transition::CreateWorkspace { group, name, recover, reuse, description } => {
                let key = (k(group), k(name));
                // The set whose ids the PUT carries, if any.
                let reused = if *reuse { self.reuse_source(group, name).map(|w| w.set) } else { None };
                if !self.ml_registered {
                    Err((409, "MissingSubscriptionRegistration"))
                } else if !self.groups.contains_key(&k(group)) {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    match self.workspaces.get_mut(&key) {
                        Some(w) if w.state != WsState::Live && !recover => Err((400, "BadRequest")),
                        // Recovery ignores the body: the workspace keeps its own set.
                        Some(w) if w.state != WsState::Live => {
                            w.state = WsState::Live;
                            Ok(200)
                        }
                        // `storageAccount` and `keyVault` are fixed at creation.
                        Some(w) if reused.is_some_and(|s| s != w.set) => Err((400, "ValidationError")),
                        Some(w) => {
                            w.description = description.clone();
                            Ok(200)
                        }
                        None => {
                            let set = reused.unwrap_or_else(|| {
                                let set = self.next_set;
                                self.next_set += 1;
                                self.sets.insert(set, k(group));
                                set
                            });
                            let group_name = self.groups[&k(group)].clone();
                            self.workspaces.insert(
                                key,
                                Ws {
                                    name: name.clone(),
                                    group: group_name,
                                    state: WsState::Live,
                                    description: description.clone(),
                                    set,
                                },
                            );
                            Ok(200)
                        }
                    }
                }
            }
            Transition::UpdateWorkspace { group, name, description } => {
                if !self.ml_registered {
                    Err((409, "MissingSubscriptionRegistration"))
                } else if !self.groups.contains_key(&k(group)) {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    match self.workspaces.get_mut(&(k(group), k(name))) {
                        Some(w) if w.state == WsState::Live => {
                            w.description = description.clone();
                            Ok(200)
                        }
                        _ => Err((404, "ResourceNotFound")),
                    }
                }
            }
            Transition::DeleteWorkspace { group, name, purge } => {
                let key = (k(group), k(name));
                if !self.groups.contains_key(&k(group)) {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    match self.workspaces.get(&key).map(|w| w.state.clone()) {
                        None => Ok(204),
                        Some(WsState::SoftDeleted { .. }) if *purge => {
                            self.workspaces.remove(&key);
                            Ok(200)
                        }
                        Some(WsState::SoftDeleted { .. }) => Ok(204),
                        Some(WsState::Live) if *purge => {
                            self.workspaces.remove(&key);
                            Ok(200)
                        }
                        Some(WsState::Live) => {
                            let purge_at = self.now + RETENTION;
                            if let Some(w) = self.workspaces.get_mut(&key) {
                                w.state = WsState::SoftDeleted { purge_at };
                            }
                            Ok(200)
                        }
                    }
                }
            }
            Transition::AdvanceClock { seconds } => {
                self.now += seconds;
                self.expire();
                Ok(200)
            }
        };
        self
    }
}
