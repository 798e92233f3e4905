//! Long-running operations as data: what they are waiting for (polls or a deadline on the
//! emulator clock), the change batches to apply when they succeed or fail, and the result a
//! poll of their `Location` URL renders. They live in the state, so they are exported,
//! imported and replayed like everything else.
//!
//! An operation completes
//! - in `polls:N` mode on the N-th poll ([`super::Change::PollOperation`]);
//! - in `seconds:T` mode when the clock passes its deadline, polled or not (the store settles
//!   it the first time it is used after the deadline);
//! - with `:fail`, as `Failed` with the error the provider gave it, applying `on_failure`.
//!
//! When `on_success` cannot be applied (its resource or group was deleted meanwhile) the
//! operation ends `Failed` with the store's [`Rejection`] instead.
//!
//! Finished operations keep answering polls (clients poll twice, and retry a 5xx) until they
//! are forgotten: [`RETENTION_SECONDS`] of emulator time after they ended, and at most
//! [`RETAINED`] are kept (the oldest go first), so they never grow without bound.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::change::Change;
use super::rejection::Rejection;
use crate::model::{LroMode, OperationStatus};

/// How long a finished operation stays pollable (emulator time).
pub const RETENTION_SECONDS: i64 = 3_600;
/// How many finished operations are kept at most.
pub const RETAINED: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The operation id (a GUID, or ARM's job token for group deletes and moves).
    pub id: String,
    /// The configuration key, e.g. `resourceGroups/delete`.
    pub kind: String,
    pub subscription: String,
    pub mode: LroMode,
    pub started: DateTime<Utc>,
    /// When a `seconds:T` operation completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// Polls of its status or `Location` URL so far.
    pub polls: u32,
    pub status: OperationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<DateTime<Utc>>,
    /// The path of the operation-status resource (its `id` field).
    pub status_path: String,
    /// What the `Location` URL answers once the operation succeeded.
    pub result: OperationResult,
    /// Batches applied one at a time while the operation runs (a deployment's resources, in
    /// order): one per poll in `polls:N` mode, spread evenly over T in `seconds:T` mode. What
    /// is left when the operation ends is applied then, before `on_success`/`on_failure`
    /// (not when a `:fail` mode fails it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Vec<Change>>,
    /// How many of `steps` have been applied.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub steps_done: usize,
    /// Applied atomically when the operation succeeds.
    #[serde(default)]
    pub on_success: Vec<Change>,
    /// Applied atomically when the operation fails.
    #[serde(default)]
    pub on_failure: Vec<Change>,
    /// The error the operation ends with, applying `on_failure`: a `:fail` mode's, or the one
    /// its provider already knows it will end with (a deployment whose resource failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_failure: Option<ErrorBody>,
    /// Why the operation failed, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// What polling the `Location` URL returns once the operation succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OperationResult {
    /// An empty answer with this status (`200` or `204`).
    Empty { status: u16 },
    /// The resource's GET body (`200`), or `204` if it is gone.
    Resource { id: String },
}

/// An ARM error's code and message, as an operation keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// The errors behind this one (a deployment's failed resources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorBody>,
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Failure {
    /// As configured (`polls:N:fail`, `seconds:T:fail`).
    Configured { error: ErrorBody },
    /// The store could not apply `on_success`.
    Rejected { rejection: Rejection },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Operation {
    /// When the clock makes the next step due (`seconds:T` with steps left): step k of n at
    /// `started + T·k/(n+1)`, so the last one comes before the operation ends.
    pub fn next_step_at(&self) -> Option<DateTime<Utc>> {
        if self.status != OperationStatus::InProgress || self.steps_done >= self.steps.len() {
            return None;
        }
        let deadline = self.deadline?;
        let total = (deadline - self.started).num_milliseconds().max(0);
        let n = self.steps.len() as i64 + 1;
        let k = self.steps_done as i64 + 1;
        Some(self.started + chrono::Duration::milliseconds(total / n * k + total % n * k / n))
    }

    /// The instant the store must next look at the operation (a step or its deadline).
    pub fn next_event(&self) -> Option<DateTime<Utc>> {
        self.next_step_at().or(self.deadline)
    }

    /// True when the operation completes by the clock and `now` has passed its deadline.
    pub fn due_at(&self, now: DateTime<Utc>) -> bool {
        self.status == OperationStatus::InProgress && self.deadline.is_some_and(|d| now >= d)
    }

    /// True when the operation completes on its `polls`-th poll and has had them.
    pub fn due_by_polls(&self) -> bool {
        self.status == OperationStatus::InProgress && matches!(self.mode, LroMode::Polls { n, .. } if self.polls >= n)
    }
}
