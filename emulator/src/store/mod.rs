//! The only mutable state, and its one commit path. No HTTP, no status codes, no wire parsing.
//!
//! [`Store`] is a cheap-clone handle over one [`State`] behind one `RwLock`. Reads run in
//! parallel ([`Store::read`]). A write is [`Store::commit`]: under the write lock the handler's
//! closure *plans* against a read-only `&State` and returns a batch of [`Change`]s; the store
//! checks the invariants and applies the batch atomically (all or nothing), so a precondition
//! checked while planning still holds when the change lands. Nothing else mutates the state:
//! its fields are private, and every committed batch is a value that can be logged, shown in
//! a journal or replayed ([`Store::observe`]).
//!
//! Time-driven transitions (`seconds:T` operations, soft-delete purges, `seconds:T`
//! registration delays, forgetting old finished operations) are planned by the store itself
//! as a settlement batch the first time it is used after the clock passes their deadline, so a
//! read never sees a state the clock has left behind, and no request handler mutates while
//! reading.
//!
//! The state is copy-on-write: [`Store::replace`] can install a state that is also kept
//! elsewhere (the start state `POST /_emulator/reset` returns to) without copying it; the
//! first write after that copies the maps (the resources themselves are shared `Arc`s).
//!
//! Lock discipline: closures given to `read` and `commit` get the state itself and must not
//! call the store again (the lock is not reentrant).

mod body;
mod change;
pub mod document;
pub mod durable;
mod operations;
mod records;
mod rejection;
mod scan;
mod state;
mod subset;

pub use body::{Body, Head};
pub use change::{Change, Commit, Origin};
pub use operations::{ErrorBody, Failure, Operation, OperationResult, RETAINED, RETENTION_SECONDS};
pub use records::{registration_key, Registration, Resource, ResourceGroup, SoftDeleted};
pub use rejection::Rejection;
pub use state::{group_key, GroupScan, State};

/// Kept for callers that name them from the store.
pub use crate::model::{Subscription, Tenant};

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::RwLock;

use crate::model::time::nanos;
use crate::model::Clock;

/// Something told about every committed batch, in commit order, under the write lock (a
/// journal, a write-ahead log, a test recording batches to replay).
pub type Observer = Arc<dyn Fn(&Commit) + Send + Sync>;

/// Something told, under the write lock, that the whole state was replaced (a reset or an
/// import: not a batch of changes). A write-ahead log records the new state.
pub type ReplaceObserver = Arc<dyn Fn(&State) + Send + Sync>;

/// The shared handle: the state, the clock that settles it, and the commit observers.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    state: RwLock<Arc<State>>,
    clock: Arc<dyn Clock>,
    /// The next instant something is due ([`State::next_deadline`]) in nanoseconds since the
    /// epoch, `i64::MAX` when nothing is: a read checks it without taking the write lock.
    next_due: AtomicI64,
    seq: AtomicU64,
    observers: RwLock<Vec<Observer>>,
    replace_observers: RwLock<Vec<ReplaceObserver>>,
}

impl Store {
    pub fn new(state: impl Into<Arc<State>>, clock: Arc<dyn Clock>) -> Self {
        let state = state.into();
        let next = state.next_deadline().map(nanos).unwrap_or(i64::MAX);
        Store {
            inner: Arc::new(Inner {
                state: RwLock::new(state),
                clock,
                next_due: AtomicI64::new(next),
                seq: AtomicU64::new(0),
                observers: RwLock::new(Vec::new()),
                replace_observers: RwLock::new(Vec::new()),
            }),
        }
    }

    /// Runs `f` on the current state (settled first if the clock has passed a deadline).
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        self.settle();
        f(&self.inner.state.read())
    }

    /// Plans and commits a batch under one write lock. `plan` reads the state and returns the
    /// changes and a value; the changes are checked and applied atomically. A rejected batch
    /// changes nothing and becomes `plan`'s error type.
    pub fn commit<R, E: From<Rejection>>(
        &self,
        plan: impl FnOnce(&State) -> Result<(Vec<Change>, R), E>,
    ) -> Result<R, E> {
        self.commit_then(plan, |_, r| r)
    }

    /// As [`Store::commit`], then `after` reads the new state before the lock is released (a
    /// poll that renders the operation it just advanced).
    pub fn commit_then<R, T, E: From<Rejection>>(
        &self,
        plan: impl FnOnce(&State) -> Result<(Vec<Change>, R), E>,
        after: impl FnOnce(&State, R) -> T,
    ) -> Result<T, E> {
        let now = self.inner.clock.now();
        let mut guard = self.inner.state.write();
        self.settle_locked(&mut guard, now);
        let (changes, value) = plan(&guard)?;
        if !changes.is_empty() {
            self.apply_locked(&mut guard, changes, now, Origin::Request)?;
        }
        Ok(after(&guard, value))
    }

    /// Applies a batch planned elsewhere (the test-control API's resets).
    pub fn apply(&self, changes: Vec<Change>, origin: Origin) -> Result<(), Rejection> {
        let now = self.inner.clock.now();
        let mut guard = self.inner.state.write();
        self.settle_locked(&mut guard, now);
        self.apply_locked(&mut guard, changes, now, origin)
    }

    fn apply_locked(
        &self,
        guard: &mut Arc<State>,
        changes: Vec<Change>,
        now: DateTime<Utc>,
        origin: Origin,
    ) -> Result<(), Rejection> {
        let state = Arc::make_mut(guard);
        state.apply_batch(&changes, now)?;
        self.inner.next_due.store(state.next_deadline().map(nanos).unwrap_or(i64::MAX), Ordering::Release);
        let observers = self.inner.observers.read();
        if !observers.is_empty() {
            let commit = Commit {
                seq: self.inner.seq.fetch_add(1, Ordering::Relaxed) + 1,
                at: now,
                origin,
                changes: changes.into(),
            };
            for o in observers.iter() {
                o(&commit);
            }
        }
        Ok(())
    }

    /// Applies what the clock has made due (see the module documentation). Cheap when nothing
    /// is: one atomic load and a clock read.
    pub fn settle(&self) {
        if self.inner.clock.now_nanos() < self.inner.next_due.load(Ordering::Acquire) {
            return;
        }
        let now = self.inner.clock.now();
        let mut guard = self.inner.state.write();
        self.settle_locked(&mut guard, now);
    }

    fn settle_locked(&self, guard: &mut Arc<State>, now: DateTime<Utc>) {
        if nanos(now) < self.inner.next_due.load(Ordering::Acquire) {
            return;
        }
        let due = guard.due(now);
        // Settlement changes do not fail (an operation that cannot complete ends `Failed`);
        // each is its own batch so one cannot hold back the others.
        for c in due {
            if let Err(e) = self.apply_locked(guard, vec![c], now, Origin::Settlement) {
                tracing::error!("settlement refused: {e}");
            }
        }
        let next = guard.next_deadline().map(nanos).unwrap_or(i64::MAX);
        self.inner.next_due.store(next, Ordering::Release);
    }

    /// Installs a whole state (reset, import). Not a batch: commit observers are told
    /// nothing; replace observers get the new state before any later commit.
    pub fn replace(&self, state: impl Into<Arc<State>>) {
        let state = state.into();
        let next = state.next_deadline().map(nanos).unwrap_or(i64::MAX);
        let mut guard = self.inner.state.write();
        for o in self.inner.replace_observers.read().iter() {
            o(&state);
        }
        *guard = state;
        self.inner.next_due.store(next, Ordering::Release);
    }

    /// Runs `f` on the current state's shared allocation while no commit can run (a snapshot
    /// pins it and the position of the log in one step; later writes copy on write).
    pub fn pinned<R>(&self, f: impl FnOnce(&Arc<State>) -> R) -> R {
        self.settle();
        f(&self.inner.state.read())
    }

    /// The sequence number of the last commit (a restart continues from the recovered one).
    pub fn seq(&self) -> u64 {
        self.inner.seq.load(Ordering::Relaxed)
    }

    /// Continues commit numbering after `seq` (a state recovered from disk).
    pub fn continue_after(&self, seq: u64) {
        self.inner.seq.store(seq, Ordering::Relaxed);
    }

    /// Registers an observer of whole-state replacements.
    pub fn observe_replace(&self, o: ReplaceObserver) {
        self.inner.replace_observers.write().push(o);
    }

    /// A copy of the current state.
    pub fn snapshot(&self) -> State {
        self.read(State::clone)
    }

    /// Registers an observer of every committed batch.
    pub fn observe(&self, o: Observer) {
        self.inner.observers.write().push(o);
    }

    /// The clock the store settles by.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }
}
