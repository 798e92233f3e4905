//! The one long-running-operation engine.
//!
//! A handler describes its operation as an [`Lro`]: the changes the request makes, what the
//! resource shows while the operation runs, what completing it does (and undoes on failure),
//! what a synchronous caller gets, what an asynchronous caller gets first, and what polling
//! the `Location` URL returns at the end. [`plan`] turns that into the batch to commit now and
//! the answer, by the mode configured for the operation's kind:
//!
//! - `sync` (the default): the request's changes and the completion in one batch, and the
//!   synchronous answer, so every client returns at once;
//! - `polls:N` / `seconds:T`: the request's changes, the running state and a
//!   [`Change::PutOperation`] holding the completion as data; `202`/`201`/`200` with
//!   `Azure-AsyncOperation` and/or `Location` and `Retry-After: 1`. The store completes the
//!   operation on its N-th poll, or when the clock passes T seconds whether polled or not;
//!   `:fail` ends it `Failed`, applying the undo instead.

use crate::model::time::add;
use crate::model::{LroMode, OperationStatus};
use crate::protocol::lro::{with_polling_headers, LroHeaders};
use crate::protocol::{ArmError, ArmRequest, ArmResponse};
use crate::store::{Change, ErrorBody, Operation, OperationResult};

use super::Ctx;

/// A handler's description of a long-running operation.
pub struct Lro {
    /// The configuration key, e.g. `resourceGroups/delete`.
    pub kind: &'static str,
    pub subscription: String,
    pub namespace: String,
    pub location: String,
    pub headers: LroHeaders,
    /// Overrides the operation id (resource-group deletes and moves use ARM's job token).
    pub op_id: Option<String>,
    /// Overrides the `Location` path (resource-group deletes use `/subscriptions/{s}/operationresults/{token}`).
    pub location_path: Option<String>,
    /// Overrides the `Azure-AsyncOperation` path (workspaces use `workspaceOperationsStatus`).
    pub status_path: Option<String>,
    /// The answer in `sync` mode.
    pub sync: ArmResponse,
    /// The first answer in an asynchronous mode, before the polling headers are added.
    pub accepted: ArmResponse,
    /// What the `Location` URL answers once the operation succeeded.
    pub result: OperationResult,
    /// The request's own changes, committed at once in every mode.
    pub changes: Vec<Change>,
    /// Committed at once in asynchronous modes only: what the target shows while the
    /// operation runs (`Creating`, `Deleting`).
    pub pending: Vec<Change>,
    /// Batches applied in order while an asynchronous operation runs (one per poll, or spread
    /// over its time); in `sync` mode committed at once with the rest.
    pub steps: Vec<Vec<Change>>,
    /// What completing the operation does: committed at once in `sync` mode, when the
    /// operation succeeds otherwise.
    pub on_success: Vec<Change>,
    /// Undoes `pending` when an asynchronous operation fails.
    pub on_failure: Vec<Change>,
    /// The error an asynchronous operation ends with although its mode succeeds (its provider
    /// already knows the outcome: a deployment whose resource failed); it then applies
    /// `on_failure`.
    pub fails_with: Option<ErrorBody>,
}

impl Lro {
    /// An operation of `kind` in `subscription`/`namespace`/`location`: by default it answers
    /// an empty `200` synchronously, an empty `202` with a `Location` header asynchronously,
    /// and an empty `200` from the `Location` URL at the end, and changes nothing.
    pub fn new(kind: &'static str, subscription: &str, namespace: &str, location: &str) -> Lro {
        Lro {
            kind,
            subscription: subscription.to_string(),
            namespace: namespace.to_string(),
            location: location.to_string(),
            headers: LroHeaders::Location,
            op_id: None,
            location_path: None,
            status_path: None,
            sync: ArmResponse::empty(200),
            accepted: ArmResponse::empty(202),
            result: OperationResult::Empty { status: 200 },
            changes: Vec::new(),
            pending: Vec::new(),
            steps: Vec::new(),
            on_success: Vec::new(),
            on_failure: Vec::new(),
            fails_with: None,
        }
    }

    pub fn headers(mut self, h: LroHeaders) -> Lro {
        self.headers = h;
        self
    }

    /// The synchronous answer and the first asynchronous one.
    pub fn answers(mut self, sync: ArmResponse, accepted: ArmResponse) -> Lro {
        self.sync = sync;
        self.accepted = accepted;
        self
    }

    pub fn result(mut self, r: OperationResult) -> Lro {
        self.result = r;
        self
    }

    /// ARM's job token as the operation id, and its `Location` path.
    pub fn job(mut self, op_id: String, location_path: String) -> Lro {
        self.op_id = Some(op_id);
        self.location_path = Some(location_path);
        self
    }

    /// An operation id chosen by the handler, with its own status path.
    pub fn status_at(mut self, op_id: String, status_path: String) -> Lro {
        self.op_id = Some(op_id);
        self.status_path = Some(status_path);
        self
    }

    pub fn changes(mut self, c: Vec<Change>) -> Lro {
        self.changes = c;
        self
    }

    pub fn pending(mut self, c: Vec<Change>) -> Lro {
        self.pending = c;
        self
    }

    pub fn steps(mut self, steps: Vec<Vec<Change>>) -> Lro {
        self.steps = steps;
        self
    }

    pub fn on_success(mut self, c: Vec<Change>) -> Lro {
        self.on_success = c;
        self
    }

    pub fn on_failure(mut self, c: Vec<Change>) -> Lro {
        self.on_failure = c;
        self
    }

    pub fn fails_with(mut self, e: ErrorBody) -> Lro {
        self.fails_with = Some(e);
        self
    }
}

/// True when operations of `kind` complete at once.
pub fn is_sync(ctx: &Ctx, kind: &str) -> bool {
    ctx.lro_mode(kind) == LroMode::Sync
}

/// The batch to commit now and the answer, by the mode configured for the operation's kind.
pub fn plan(ctx: &Ctx, req: &ArmRequest, mut lro: Lro) -> (Vec<Change>, ArmResponse) {
    let mut mode = ctx.lro_mode(lro.kind);
    if let Some(forced) = &req.forced_failure {
        // A fault rule's `failOperation`: asynchronous (one poll when the kind is `sync`) and
        // ending `Failed` with the rule's error, undoing what the request showed meanwhile.
        mode = match mode {
            LroMode::Sync => LroMode::Polls { n: 1, fail: true },
            LroMode::Polls { n, .. } => LroMode::Polls { n, fail: true },
            LroMode::Seconds { t, .. } => LroMode::Seconds { t, fail: true },
        };
        lro.fails_with = Some(forced.clone());
    }
    let mut changes = lro.changes;
    if mode == LroMode::Sync {
        changes.extend(lro.steps.into_iter().flatten());
        changes.extend(lro.on_success);
        return (changes, lro.sync);
    }
    let now = ctx.now();
    let id = lro.op_id.unwrap_or_else(|| ctx.ids().guid());
    let base = format!("/subscriptions/{}/providers/{}/locations/{}", lro.subscription, lro.namespace, lro.location);
    let status_path = lro.status_path.unwrap_or_else(|| format!("{base}/operationStatuses/{id}"));
    let location_path = lro.location_path.unwrap_or_else(|| format!("{base}/operationResults/{id}"));
    let resp = with_polling_headers(lro.accepted, req, lro.headers, &status_path, &location_path);
    let deadline = match mode {
        LroMode::Seconds { t, .. } => Some(add(now, chrono::Duration::seconds(t.min(i64::MAX as u64 / 1000) as i64))),
        _ => None,
    };
    changes.extend(lro.pending);
    changes.push(Change::PutOperation {
        operation: Box::new(Operation {
            id,
            kind: lro.kind.to_string(),
            subscription: lro.subscription,
            mode,
            started: now,
            deadline,
            polls: 0,
            status: OperationStatus::InProgress,
            ended: None,
            status_path,
            result: lro.result,
            steps: lro.steps,
            steps_done: 0,
            on_success: lro.on_success,
            on_failure: lro.on_failure,
            configured_failure: match req.forced_failure {
                Some(_) => lro.fails_with,
                None => mode
                    .fails()
                    .then(|| ArmError::configured_operation_failure(lro.kind, &mode.to_string()).to_body())
                    .or(lro.fails_with),
            },
            failure: None,
        }),
    });
    (changes, resp)
}
