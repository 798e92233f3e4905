//! The reference model: the expected behaviour of subscriptions' provider registration,
//! resource groups, workspaces (live, soft-deleted, purged, recovered), the workspaces'
//! dependent resources, long-running operations and the clock, as pure data. No I/O and no
//! clock reads: time is a number of seconds the transitions advance.
//!
//! Dependent resources: creating a workspace without giving `storageAccount`, `keyVault` and
//! `applicationInsights` creates one storage account, one key vault and one Application
//! Insights component in the workspace's group. The model calls these three a "dependent set"
//! ([`SetId`]); a workspace created with another workspace's ids shares that workspace's set.
//! Sets outlive their workspaces (soft delete, purge, retention expiry) and go only with their
//! group.
//!
//! Long-running operations: each case configures one [`Mode`] per operation kind
//! ([`Modes`], `PATCH /_emulator/settings`). In `sync` mode an operation ends with its first
//! answer. In `polls:N` mode the first answer is `202` (a DELETE) or `200` with a non-terminal
//! `provisioningState` (a PUT/PATCH) and polling headers, and the client polls it to its end
//! within the same transition: the operation ends on its N-th poll. In `seconds:T` mode the
//! operation is left running ([`Model::handles`]) while the workspace shows `Creating`,
//! `Updating` or `Deleting` and the group `Deleting`, and it ends when the emulator clock
//! reaches its deadline, whether or not anyone polls ([`Transition::AdvanceClock`]); a
//! [`Transition::Poll`] then asks how it went. A finished operation answers polls for an hour
//! of emulator time, then `404 OperationNotFound`.
//!
//! Environments: each workspace holds environment containers and their versions
//! ([`Model::envs`]). A version's definition is its image; re-PUTting the same image answers
//! 200 (the archive flag may change), another image 409. They are visible only while their
//! workspace is live: hidden while it is soft-deleted, back on recovery, gone with its purge
//! (by request, retention or group delete). The curated `AzureML-Minimal` (version 48) is in
//! every live workspace and read-only; names starting with `AzureML` are refused.

use std::collections::BTreeMap;

use crate::transition::Transition;

/// Default soft-delete retention, in seconds (14 days).
pub const RETENTION: i64 = 14 * 86_400;

/// How long a finished operation stays pollable, in seconds (an hour of emulator time).
pub const OPERATION_RETENTION: i64 = 3_600;

/// The documented message of the 400 a PUT over a soft-deleted name answers.
pub const SOFT_DELETED: &str = "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete";

/// The curated environment the strategies name, and its one version.
pub const CURATED_ENV: &str = "AzureML-Minimal";
pub const CURATED_VERSION: &str = "48";

/// (lower group, lower workspace, lower environment name): how the emulator keys a container.
pub type EnvKey = (String, String, String);

/// An environment version: its definition (which image) and archive flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVersion {
    pub image: u8,
    pub archived: bool,
    /// Creation order within the container (the clock may stand still).
    pub seq: u64,
}

/// An environment container with its versions (keyed by the version as given: digits here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvContainer {
    /// The name as first cased.
    pub name: String,
    pub versions: BTreeMap<String, EnvVersion>,
    pub created: u64,
}

impl EnvContainer {
    /// The version created last (the container's `latestVersion`).
    pub fn latest(&self) -> Option<&String> {
        self.versions.iter().max_by_key(|(_, v)| v.seq).map(|(n, _)| n)
    }

    /// The versions in creation order.
    pub fn in_order(&self) -> Vec<(&String, &EnvVersion)> {
        let mut v: Vec<_> = self.versions.iter().collect();
        v.sort_by_key(|(_, v)| v.seq);
        v
    }
}

/// How an operation kind completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sync,
    /// Ends on the N-th poll.
    Polls(u32),
    /// Ends when the emulator clock reaches T seconds after the start.
    Seconds(i64),
}

impl Mode {
    /// As the test-control API spells it.
    pub fn setting(self) -> String {
        match self {
            Mode::Sync => "sync".into(),
            Mode::Polls(n) => format!("polls:{n}"),
            Mode::Seconds(t) => format!("seconds:{t}"),
        }
    }
}

/// The mode of each operation kind the model drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modes {
    pub group_delete: Mode,
    pub create: Mode,
    pub update: Mode,
    pub delete: Mode,
}

impl Default for Modes {
    fn default() -> Self {
        Modes { group_delete: Mode::Sync, create: Mode::Sync, update: Mode::Sync, delete: Mode::Sync }
    }
}

impl Modes {
    /// (LRO kind, mode) pairs, as `PATCH /_emulator/settings` takes them.
    pub fn settings(&self) -> [(&'static str, Mode); 4] {
        [
            ("resourceGroups/delete", self.group_delete),
            ("workspaces/create", self.create),
            ("workspaces/update", self.update),
            ("workspaces/delete", self.delete),
        ]
    }
}

/// `properties.provisioningState` of a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prov {
    Succeeded,
    Creating,
    Updating,
    Deleting,
}

impl Prov {
    pub fn as_str(self) -> &'static str {
        match self {
            Prov::Succeeded => "Succeeded",
            Prov::Creating => "Creating",
            Prov::Updating => "Updating",
            Prov::Deleting => "Deleting",
        }
    }
}

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
    /// What its body says; a soft-deleted workspace keeps it (and a recovery brings it back).
    pub prov: Prov,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The name as first cased.
    pub name: String,
    /// Its tags: `env` only, or none.
    pub env: Option<String>,
    /// A `seconds:T` delete is running (`provisioningState: Deleting`).
    pub deleting: bool,
}

/// (lower group, lower workspace): how the emulator keys a workspace.
pub type WsKey = (String, String);

/// An operation's id as the emulator keys it: a workspace operation's GUID (numbered here), or
/// ARM's job token of a group delete, which is the same for every delete of the group's name
/// (so a later delete's operation answers the earlier one's `Location` URL).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpId {
    Workspace(u32),
    GroupDelete(String),
}

/// What an operation does when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Removes the (lower-cased) group and everything in it.
    GroupDelete(String),
    /// A create, update or recovery: sets `provisioningState: Succeeded` on the workspace
    /// record (live or soft-deleted); fails when the record is gone.
    Write(WsKey),
    /// Sets `Succeeded` and soft-deletes the live workspace; fails when it is not live (and
    /// then still sets `Succeeded` on a soft-deleted record).
    SoftDelete(WsKey),
    /// Removes the workspace record, whatever its state; never fails.
    Purge(WsKey),
}

impl Effect {
    /// Whether the outcome of `self` depends on whether `other`, ending at the same instant,
    /// ends first. The emulator ends operations with the same deadline in the order of their
    /// ids (random GUIDs, job tokens), which the model does not know; the state they leave is
    /// the same in either order, only the status of such an operation is undetermined.
    fn races(&self, other: &Effect) -> bool {
        let target = match self {
            Effect::Write(k) | Effect::SoftDelete(k) => k,
            Effect::GroupDelete(_) | Effect::Purge(_) => return false,
        };
        match other {
            Effect::Purge(k) => k == target,
            Effect::GroupDelete(g) => *g == target.0,
            Effect::SoftDelete(k) => matches!(self, Effect::SoftDelete(_)) && k == target,
            Effect::Write(_) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpState {
    Running {
        deadline: i64,
    },
    Succeeded {
        ended: i64,
    },
    /// Ended `Failed` (the store refused its completion: its workspace was gone).
    Failed {
        ended: i64,
    },
    /// Ended at the same instant as an operation it races with ([`Effect::races`]).
    Undetermined {
        ended: i64,
    },
}

impl OpState {
    fn ended(self) -> Option<i64> {
        match self {
            OpState::Running { .. } => None,
            OpState::Succeeded { ended } | OpState::Failed { ended } | OpState::Undetermined { ended } => Some(ended),
        }
    }
}

/// An operation the emulator keeps (a `seconds:T` one: the others end within their transition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    pub effect: Effect,
    pub state: OpState,
    /// Start order (operations with the same deadline end in some order the model ignores).
    pub seq: u32,
}

/// What the client's poller does once the operation succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// A workspace PUT/PATCH: `GET` the workspace (`group`, `name` as the request spelled them).
    GetWorkspace { group: String, name: String },
    /// A workspace DELETE: `GET` the `Location` URL (the operation's result: `200`).
    ReadResult,
    /// A group DELETE polls its `Location` URL only: `200` is the end.
    Nothing,
}

/// A poller the client holds for an operation left running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    pub op: OpId,
    pub then: Then,
    /// The poller came to an end (a terminal status or an error); it is polled no more.
    pub done: bool,
}

/// An HTTP answer: the status, or the status and the error code.
pub type Answer = Result<u16, (u16, &'static str)>;

/// What a long-running operation did after a successful first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lro {
    /// The first answer was the end (no polling headers, a terminal `provisioningState`).
    Final,
    /// Polled to its end by the client: the requests made after the first answer, and the end.
    Polled { polls: u32, end: Result<(), (u16, &'static str)> },
    /// Left running (`seconds:T`): the clock ends it.
    Running,
    /// Still not ended after the most polls the test allows (the model never expects this).
    Stuck { polls: u32 },
}

/// The status a poll reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollStatus {
    InProgress,
    Succeeded,
}

/// What a transition is expected to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A request's answer (a long-running operation's too, when refused).
    Answer(Answer),
    /// An accepted long-running operation: the status of its first answer, and what followed.
    Lro(u16, Lro),
    /// One poll of an operation left running: its status, or the error.
    Poll(Result<PollStatus, (u16, &'static str)>),
    /// A listing's first item's name (`None`: an empty list), or the error.
    First(Result<Option<String>, (u16, &'static str)>),
}

#[derive(Debug, Clone)]
pub struct Model {
    pub now: i64,
    pub modes: Modes,
    pub ml_registered: bool,
    /// Lower-cased name → group.
    pub groups: BTreeMap<String, Group>,
    /// (lower group, lower workspace) → workspace (live or soft-deleted).
    pub workspaces: BTreeMap<WsKey, Ws>,
    /// Dependent set → the lower-cased group its three resources are in.
    pub sets: BTreeMap<SetId, String>,
    /// The next dependent set's id.
    pub next_set: SetId,
    /// The `seconds:T` operations the emulator keeps (running, or finished less than an hour ago).
    pub ops: BTreeMap<OpId, Op>,
    /// The next workspace operation's number, and the next start order.
    pub next_op: u32,
    /// The pollers of the operations left running, in the order they started.
    pub handles: Vec<Handle>,
    /// Environment containers, by workspace (the workspace live or soft-deleted).
    pub envs: BTreeMap<EnvKey, EnvContainer>,
    /// The expected answer of the last transition.
    pub last: Outcome,
}

impl Default for Model {
    fn default() -> Self {
        Model::with_modes(Modes::default())
    }
}

fn k(s: &str) -> String {
    s.to_lowercase()
}

impl Model {
    pub fn with_modes(modes: Modes) -> Model {
        Model {
            now: 0,
            modes,
            ml_registered: true,
            groups: BTreeMap::new(),
            workspaces: BTreeMap::new(),
            sets: BTreeMap::new(),
            next_set: 0,
            ops: BTreeMap::new(),
            next_op: 0,
            handles: Vec::new(),
            envs: BTreeMap::new(),
            last: Outcome::Answer(Ok(200)),
        }
    }

    /// Workspaces that are not soft-deleted (whatever their `provisioningState`).
    pub fn live(&self) -> impl Iterator<Item = &Ws> {
        self.workspaces.values().filter(|w| w.state == WsState::Live)
    }

    pub fn soft_deleted(&self) -> impl Iterator<Item = &Ws> {
        self.workspaces.values().filter(|w| w.state != WsState::Live)
    }

    /// Operations still running (what `/_emulator/health` calls `operationsInFlight`).
    pub fn running(&self) -> usize {
        self.ops.values().filter(|o| matches!(o.state, OpState::Running { .. })).count()
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

    /// Whether `Poll { op }` is meaningful here: the poller exists and has not ended, and what
    /// its poll will find is determined.
    pub fn pollable(&self, op: usize) -> bool {
        self.handles.get(op).is_some_and(|h| {
            !h.done && !matches!(self.ops.get(&h.op), Some(Op { state: OpState::Undetermined { .. }, .. }))
        })
    }

    /// The indexes of the handles [`Model::pollable`] accepts.
    pub fn pollable_handles(&self) -> Vec<usize> {
        (0..self.handles.len()).filter(|i| self.pollable(*i)).collect()
    }

    /// Every environment version as (group, workspace, environment, version), names as first
    /// cased.
    pub fn env_versions(&self) -> Vec<(String, String, String, String)> {
        let mut out = Vec::new();
        for ((g, w, _), c) in &self.envs {
            let Some(ws) = self.workspaces.get(&(g.clone(), w.clone())) else { continue };
            for v in c.versions.keys() {
                out.push((ws.group.clone(), ws.name.clone(), c.name.clone(), v.clone()));
            }
        }
        out
    }

    /// The containers of a workspace (its group and name lower-cased).
    pub fn envs_of<'a>(&'a self, g: &'a str, w: &'a str) -> impl Iterator<Item = &'a EnvContainer> + 'a {
        self.envs.iter().filter(move |((eg, ew, _), _)| eg == g && ew == w).map(|(_, c)| c)
    }

    /// What a read under a workspace needs: the group, then the workspace live.
    fn env_readable(&self, group: &str, ws: &str) -> Result<(), (u16, &'static str)> {
        if !self.groups.contains_key(&k(group)) {
            return Err((404, "ResourceGroupNotFound"));
        }
        match self.workspaces.get(&(k(group), k(ws))) {
            Some(w) if w.state == WsState::Live => Ok(()),
            _ => Err((404, "ResourceNotFound")),
        }
    }

    /// What a write under a workspace needs: the provider registered, the group writable, the
    /// workspace live (ARM's write checks, then the parent).
    fn env_writable(&self, group: &str, ws: &str) -> Result<(), (u16, &'static str)> {
        if !self.ml_registered {
            return Err((409, "MissingSubscriptionRegistration"));
        }
        self.writable_group(group)?;
        self.env_readable(group, ws)
    }

    /// A version PUT's answer and effect.
    fn put_env(&mut self, group: &str, ws: &str, env: &str, version: &str, image: u8, archived: bool) -> Answer {
        self.env_writable(group, ws)?;
        if k(env).starts_with("azureml") {
            return Err((400, "UserError"));
        }
        let c = self.envs.entry((k(group), k(ws), k(env))).or_insert_with(|| EnvContainer {
            name: env.to_string(),
            versions: BTreeMap::new(),
            created: 0,
        });
        match c.versions.get_mut(&k(version)) {
            Some(v) if v.image == image => {
                v.archived = archived;
                Ok(200)
            }
            Some(_) => Err((409, "UserError")),
            None => {
                c.created += 1;
                c.versions.insert(k(version), EnvVersion { image, archived, seq: c.created });
                Ok(201)
            }
        }
    }

    /// A version GET's answer: the version, archived or not.
    fn get_env(&self, group: &str, ws: &str, env: &str, version: &str) -> Result<&EnvVersion, (u16, &'static str)> {
        self.env_readable(group, ws)?;
        self.envs
            .get(&(k(group), k(ws), k(env)))
            .and_then(|c| c.versions.get(&k(version)))
            .ok_or((404, "ResourceNotFound"))
    }

    fn writable_group(&self, group: &str) -> Result<(), (u16, &'static str)> {
        match self.groups.get(&k(group)) {
            None => Err((404, "ResourceGroupNotFound")),
            Some(g) if g.deleting => Err((409, "ResourceGroupBeingDeleted")),
            Some(_) => Ok(()),
        }
    }

    /// Starts a `seconds:T` operation and the client's poller of it.
    fn start(&mut self, id: OpId, effect: Effect, t: i64, then: Then) {
        let seq = self.next_op;
        self.next_op += 1;
        self.ops.insert(id.clone(), Op { effect, state: OpState::Running { deadline: self.now + t }, seq });
        self.handles.push(Handle { op: id, then, done: false });
    }

    fn next_ws_op(&self) -> OpId {
        OpId::Workspace(self.next_op)
    }

    /// A workspace PUT/PATCH that was accepted: its answer by the mode of `kind`, with the
    /// workspace showing `pending` while a `seconds:T` operation runs.
    fn write(&mut self, key: WsKey, mode: Mode, pending: Prov, group: &str, name: &str) -> Outcome {
        let w = self.workspaces.get_mut(&key).expect("the written workspace");
        match mode {
            Mode::Sync => Outcome::Lro(200, Lro::Final),
            Mode::Polls(n) => {
                w.prov = Prov::Succeeded;
                // N polls of the status URL, then the GET of the workspace.
                Outcome::Lro(200, Lro::Polled { polls: n + 1, end: Ok(()) })
            }
            Mode::Seconds(t) => {
                w.prov = pending;
                let then = Then::GetWorkspace { group: group.into(), name: name.into() };
                self.start(self.next_ws_op(), Effect::Write(key), t, then);
                Outcome::Lro(200, Lro::Running)
            }
        }
    }

    /// Removes a group and everything in it.
    fn remove_group(&mut self, g: &str) {
        self.groups.remove(g);
        self.workspaces.retain(|(wg, _), _| wg != g);
        self.sets.retain(|_, sg| sg != g);
    }

    fn soft_delete(&mut self, key: &WsKey, at: i64) {
        if let Some(w) = self.workspaces.get_mut(key) {
            w.state = WsState::SoftDeleted { purge_at: at + RETENTION };
        }
    }

    /// Applies what an operation does when it ends at `at`; returns whether it succeeded.
    fn complete(&mut self, effect: &Effect, at: i64) -> bool {
        match effect {
            Effect::GroupDelete(g) => {
                self.remove_group(g);
                true
            }
            Effect::Write(key) => match self.workspaces.get_mut(key) {
                Some(w) => {
                    w.prov = Prov::Succeeded;
                    true
                }
                None => false,
            },
            Effect::SoftDelete(key) => match self.workspaces.get_mut(key) {
                Some(w) => {
                    // Either way the workspace ends `Succeeded` (the failure's undo sets it too).
                    w.prov = Prov::Succeeded;
                    if w.state == WsState::Live {
                        self.soft_delete(key, at);
                        true
                    } else {
                        false
                    }
                }
                None => false,
            },
            Effect::Purge(key) => {
                self.workspaces.remove(key);
                true
            }
        }
    }

    /// Moves the clock to `to`, ending operations and soft-delete retentions in time order.
    fn advance_to(&mut self, to: i64) {
        loop {
            let next_op = self
                .ops
                .values()
                .filter_map(|o| match o.state {
                    OpState::Running { deadline } if deadline <= to => Some(deadline),
                    _ => None,
                })
                .min();
            let next_purge = self
                .workspaces
                .values()
                .filter_map(|w| match w.state {
                    WsState::SoftDeleted { purge_at } if purge_at <= to => Some(purge_at),
                    WsState::SoftDeleted { .. } | WsState::Live => None,
                })
                .min();
            // At the same instant, operations end before retentions do (as the store settles).
            match (next_op, next_purge) {
                (Some(d), Some(p)) if p < d => self.purge_at(p),
                (Some(d), _) => self.end_operations_at(d),
                (None, Some(p)) => self.purge_at(p),
                (None, None) => break,
            }
        }
        self.now = to;
        // Finished operations are forgotten an hour after they ended.
        self.ops.retain(|_, o| o.state.ended().is_none_or(|e| e + OPERATION_RETENTION > to));
    }

    /// Drops the soft-deleted workspaces whose retention ends at `p`.
    fn purge_at(&mut self, p: i64) {
        self.workspaces.retain(|_, w| w.state != WsState::SoftDeleted { purge_at: p });
    }

    /// Ends the operations whose deadline is `d`, in start order (the state they leave does not
    /// depend on the order; the statuses of racing operations do, and stay undetermined).
    fn end_operations_at(&mut self, d: i64) {
        let mut due: Vec<(u32, OpId, Effect)> = self
            .ops
            .iter()
            .filter(|(_, o)| o.state == OpState::Running { deadline: d })
            .map(|(id, o)| (o.seq, id.clone(), o.effect.clone()))
            .collect();
        due.sort_by_key(|(seq, ..)| *seq);
        for (_, id, effect) in &due {
            let ok = self.complete(effect, d);
            let races = due.iter().any(|(_, other, e)| other != id && effect.races(e));
            let state = if races {
                OpState::Undetermined { ended: d }
            } else if ok {
                OpState::Succeeded { ended: d }
            } else {
                OpState::Failed { ended: d }
            };
            if let Some(o) = self.ops.get_mut(id) {
                o.state = state;
            }
        }
    }

    /// What one poll of the handle's operation answers now.
    fn poll(&self, h: &Handle) -> Result<PollStatus, (u16, &'static str)> {
        let Some(op) = self.ops.get(&h.op) else {
            return Err((404, "OperationNotFound"));
        };
        match op.state {
            OpState::Running { .. } => Ok(PollStatus::InProgress),
            // A workspace operation's status URL answers 200 with the error of the failure.
            OpState::Failed { .. } => Err((200, "ResourceNotFound")),
            OpState::Undetermined { .. } => unreachable!("the precondition excludes polling an undetermined operation"),
            OpState::Succeeded { .. } => match &h.then {
                Then::Nothing | Then::ReadResult => Ok(PollStatus::Succeeded),
                Then::GetWorkspace { group, name } => {
                    if !self.groups.contains_key(&k(group)) {
                        Err((404, "ResourceGroupNotFound"))
                    } else if self.workspaces.get(&(k(group), k(name))).is_some_and(|w| w.state == WsState::Live) {
                        Ok(PollStatus::Succeeded)
                    } else {
                        Err((404, "ResourceNotFound"))
                    }
                }
            },
        }
    }

    pub fn apply(mut self, t: &Transition) -> Model {
        self.last = match t {
            Transition::CreateGroup { name } => match self.groups.get_mut(&k(name)) {
                Some(g) if g.deleting => Outcome::Answer(Err((409, "ResourceGroupBeingDeleted"))),
                Some(g) => {
                    // A PUT replaces the tags with the body's, and the body has none.
                    g.env = None;
                    Outcome::Answer(Ok(200))
                }
                None => {
                    self.groups.insert(k(name), Group { name: name.clone(), env: None, deleting: false });
                    Outcome::Answer(Ok(201))
                }
            },
            Transition::UpdateGroup { name, env } => match self.writable_group(name) {
                Err(e) => Outcome::Answer(Err(e)),
                Ok(()) => {
                    if let Some(g) = self.groups.get_mut(&k(name)) {
                        g.env = env.clone();
                    }
                    Outcome::Answer(Ok(200))
                }
            },
            Transition::DeleteGroup { name } => match self.groups.get(&k(name)).map(|g| g.deleting) {
                None => Outcome::Answer(Err((404, "ResourceGroupNotFound"))),
                // A second DELETE while the first runs answers like the first (same job).
                Some(true) => {
                    self.handles.push(Handle { op: OpId::GroupDelete(k(name)), then: Then::Nothing, done: false });
                    Outcome::Lro(202, Lro::Running)
                }
                Some(false) => match self.modes.group_delete {
                    Mode::Sync => {
                        self.remove_group(&k(name));
                        Outcome::Lro(200, Lro::Final)
                    }
                    Mode::Polls(n) => {
                        self.remove_group(&k(name));
                        Outcome::Lro(202, Lro::Polled { polls: n, end: Ok(()) })
                    }
                    Mode::Seconds(t) => {
                        if let Some(g) = self.groups.get_mut(&k(name)) {
                            g.deleting = true;
                        }
                        // The job token names the group: a finished delete of the same name is
                        // replaced by this one.
                        self.start(OpId::GroupDelete(k(name)), Effect::GroupDelete(k(name)), t, Then::Nothing);
                        Outcome::Lro(202, Lro::Running)
                    }
                },
            },
            Transition::RegisterMl => {
                self.ml_registered = true;
                Outcome::Answer(Ok(200))
            }
            Transition::UnregisterMl => {
                self.ml_registered = false;
                Outcome::Answer(Ok(200))
            }
            Transition::CreateWorkspace { group, name, recover, reuse, description } => {
                let key = (k(group), k(name));
                // The set whose ids the PUT carries, if any.
                let reused = if *reuse { self.reuse_source(group, name).map(|w| w.set) } else { None };
                let checks = if self.ml_registered {
                    self.writable_group(group)
                } else {
                    Err((409, "MissingSubscriptionRegistration"))
                };
                match (checks, self.workspaces.get_mut(&key)) {
                    (Err(e), _) => Outcome::Answer(Err(e)),
                    (Ok(()), Some(w)) if w.state != WsState::Live && !recover => {
                        Outcome::Answer(Err((400, "BadRequest")))
                    }
                    // Recovery ignores the body: the workspace keeps its own set and description.
                    // Like every synchronous answer, a `sync` recovery's is final: `Succeeded`,
                    // even if the workspace was soft-deleted while its create still ran.
                    (Ok(()), Some(w)) if w.state != WsState::Live => {
                        w.state = WsState::Live;
                        w.prov = Prov::Succeeded;
                        self.write(key, self.modes.update, Prov::Updating, group, name)
                    }
                    // A workspace whose delete is running cannot be written.
                    (Ok(()), Some(w)) if w.prov == Prov::Deleting => Outcome::Answer(Err((409, "Conflict"))),
                    // `storageAccount` and `keyVault` are fixed at creation.
                    (Ok(()), Some(w)) if reused.is_some_and(|s| s != w.set) => {
                        Outcome::Answer(Err((400, "ValidationError")))
                    }
                    (Ok(()), Some(w)) => {
                        w.description = description.clone();
                        // The PUT's own answer says `Succeeded` (in `sync` mode nothing else does).
                        w.prov = Prov::Succeeded;
                        self.write(key, self.modes.update, Prov::Updating, group, name)
                    }
                    (Ok(()), None) => {
                        let set = reused.unwrap_or_else(|| {
                            let set = self.next_set;
                            self.next_set += 1;
                            self.sets.insert(set, k(group));
                            set
                        });
                        let group_name = self.groups[&k(group)].name.clone();
                        self.workspaces.insert(
                            key.clone(),
                            Ws {
                                name: name.clone(),
                                group: group_name,
                                state: WsState::Live,
                                description: description.clone(),
                                set,
                                prov: Prov::Succeeded,
                            },
                        );
                        self.write(key, self.modes.create, Prov::Creating, group, name)
                    }
                }
            }
            Transition::UpdateWorkspace { group, name, description } => {
                let key = (k(group), k(name));
                let checks = if self.ml_registered {
                    self.writable_group(group)
                } else {
                    Err((409, "MissingSubscriptionRegistration"))
                };
                match (checks, self.workspaces.get_mut(&key)) {
                    (Err(e), _) => Outcome::Answer(Err(e)),
                    (Ok(()), Some(w)) if w.state == WsState::Live && w.prov == Prov::Deleting => {
                        Outcome::Answer(Err((409, "Conflict")))
                    }
                    (Ok(()), Some(w)) if w.state == WsState::Live => {
                        w.description = description.clone();
                        w.prov = Prov::Succeeded;
                        self.write(key, self.modes.update, Prov::Updating, group, name)
                    }
                    (Ok(()), _) => Outcome::Answer(Err((404, "ResourceNotFound"))),
                }
            }
            Transition::DeleteWorkspace { group, name, purge } => {
                let key = (k(group), k(name));
                // Deleting needs the group (not being deleted), not the provider's registration.
                if let Err(e) = self.writable_group(group) {
                    Outcome::Answer(Err(e))
                } else {
                    match self.workspaces.get(&key).map(|w| w.state.clone()) {
                        None => Outcome::Lro(204, Lro::Final),
                        Some(WsState::SoftDeleted { .. }) if *purge => {
                            self.workspaces.remove(&key);
                            Outcome::Lro(200, Lro::Final)
                        }
                        Some(WsState::SoftDeleted { .. }) => Outcome::Lro(204, Lro::Final),
                        Some(WsState::Live) => match self.modes.delete {
                            Mode::Sync => {
                                // The soft-deleted record keeps its provisioning state.
                                if *purge {
                                    self.workspaces.remove(&key);
                                } else {
                                    self.soft_delete(&key, self.now);
                                }
                                Outcome::Lro(200, Lro::Final)
                            }
                            Mode::Polls(n) => {
                                let effect = if *purge { Effect::Purge(key) } else { Effect::SoftDelete(key) };
                                self.complete(&effect, self.now);
                                // N polls of the status URL, then the GET of the `Location` URL.
                                Outcome::Lro(202, Lro::Polled { polls: n + 1, end: Ok(()) })
                            }
                            Mode::Seconds(t) => {
                                if let Some(w) = self.workspaces.get_mut(&key) {
                                    w.prov = Prov::Deleting;
                                }
                                let effect = if *purge { Effect::Purge(key) } else { Effect::SoftDelete(key) };
                                self.start(self.next_ws_op(), effect, t, Then::ReadResult);
                                Outcome::Lro(202, Lro::Running)
                            }
                        },
                    }
                }
            }
            Transition::AdvanceClock { seconds } => {
                self.advance_to(self.now + seconds);
                Outcome::Answer(Ok(200))
            }
            Transition::PutEnv { group, workspace, env, version, image, archived } => {
                Outcome::Answer(self.put_env(group, workspace, env, version, *image, *archived))
            }
            Transition::GetEnv { group, workspace, env, version } => {
                let curated = env.eq_ignore_ascii_case(CURATED_ENV);
                Outcome::Answer(match self.get_env(group, workspace, env, version) {
                    Err(e)
                        if curated
                            && e.0 == 404
                            && e.1 == "ResourceNotFound"
                            && self.env_readable(group, workspace).is_ok() =>
                    {
                        if version == CURATED_VERSION {
                            Ok(200)
                        } else {
                            Err(e)
                        }
                    }
                    r => r.map(|_| 200),
                })
            }
            Transition::LatestEnv { group, workspace, env } => {
                Outcome::First(match self.env_readable(group, workspace) {
                    Err(e) => Err(e),
                    Ok(()) if env.eq_ignore_ascii_case(CURATED_ENV) => Ok(Some(CURATED_VERSION.to_string())),
                    Ok(()) => Ok(self.envs.get(&(k(group), k(workspace), k(env))).and_then(|c| {
                        c.versions
                            .iter()
                            .filter(|(_, v)| !v.archived)
                            .max_by_key(|(_, v)| v.seq)
                            .map(|(n, _)| n.clone())
                    })),
                })
            }
            Transition::ArchiveEnv { group, workspace, env, version, archived } => {
                Outcome::Answer(match self.get_env(group, workspace, env, version).map(|v| v.image) {
                    Err(e) => Err(e),
                    Ok(image) => self.put_env(group, workspace, env, version, image, *archived).map(|_| 200),
                })
            }
            Transition::Poll { op } => {
                let h = self.handles[*op].clone();
                let answer = self.poll(&h);
                if answer != Ok(PollStatus::InProgress) {
                    self.handles[*op].done = true;
                }
                Outcome::Poll(answer)
            }
        };
        // Environments go with their workspace's record (purge, retention, group delete).
        let workspaces = &self.workspaces;
        self.envs.retain(|(g, w, _), _| workspaces.contains_key(&(g.clone(), w.clone())));
        self
    }
}
