//! The reference model: the expected behaviour of subscriptions' provider registration,
//! resource groups, workspaces (live, soft-deleted, purged, recovered) and the clock, as pure
//! data. No I/O and no clock reads: time is a number of seconds the transitions advance.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ws {
    /// The name as first cased (recovery keeps it).
    pub name: String,
    pub group: String,
    pub state: WsState,
    pub description: String,
}

/// What a transition is expected to answer: `Ok(status)` or `Err((status, code))`.
pub type Outcome = Result<u16, (u16, &'static str)>;

#[derive(Debug, Clone)]
pub struct Model {
    pub now: i64,
    pub ml_registered: bool,
    /// Lower-cased name → name as first cased.
    pub groups: BTreeMap<String, String>,
    /// (lower group, lower workspace) → workspace.
    pub workspaces: BTreeMap<(String, String), Ws>,
    /// The expected answer of the last transition.
    pub last: Outcome,
}

impl Default for Model {
    fn default() -> Self {
        Model { now: 0, ml_registered: true, groups: BTreeMap::new(), workspaces: BTreeMap::new(), last: Ok(200) }
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

    pub fn apply(mut self, t: &Transition) -> Model {
        self.expire();
        self.last = match t {
            Transition::CreateGroup { name } => {
                let created = !self.groups.contains_key(&k(name));
                self.groups.entry(k(name)).or_insert_with(|| name.clone());
                Ok(if created { 201 } else { 200 })
            }
            Transition::DeleteGroup { name } => {
                if self.groups.remove(&k(name)).is_none() {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    self.workspaces.retain(|(g, _), _| *g != k(name));
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
            Transition::CreateWorkspace { group, name, recover, description } => {
                let key = (k(group), k(name));
                if !self.ml_registered {
                    Err((409, "MissingSubscriptionRegistration"))
                } else if !self.groups.contains_key(&k(group)) {
                    Err((404, "ResourceGroupNotFound"))
                } else {
                    match self.workspaces.get_mut(&key) {
                        Some(w) if w.state != WsState::Live && !recover => Err((400, "BadRequest")),
                        Some(w) if w.state != WsState::Live => {
                            w.state = WsState::Live;
                            Ok(200)
                        }
                        Some(w) => {
                            w.description = description.clone();
                            Ok(200)
                        }
                        None => {
                            let group_name = self.groups[&k(group)].clone();
                            self.workspaces.insert(
                                key,
                                Ws {
                                    name: name.clone(),
                                    group: group_name,
                                    state: WsState::Live,
                                    description: description.clone(),
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
