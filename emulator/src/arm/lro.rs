//! The one long-running-operation engine.
//!
//! A handler describes the operation ([`Lro`]): what to do when it completes, what a
//! synchronous caller gets, what an asynchronous caller gets first, and what polling the
//! `Location` URL returns at the end. The configured [`LroMode`] for the operation kind then
//! decides: `sync` (the default) applies the completion at once and answers like a synchronous
//! API, so every client returns immediately; `polls:N` and `seconds:T` answer `202`/`201` with
//! `Azure-AsyncOperation` and/or `Location` and `Retry-After: 1`, and complete on the N-th poll
//! or once the emulator clock has passed T seconds; a `:fail` suffix ends the operation
//! `Failed` instead. Completion is applied on read, inside the poll, so no background task
//! exists and a frozen clock really freezes progress.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::error::{ArmError, ArmResult};
use super::request::ArmRequest;
use super::response::ArmResponse;
use crate::context::Ctx;
use crate::store::clock::arm_time;
use crate::store::State;

/// How an operation kind completes. Parsed from `sync`, `polls:N[:fail]`, `seconds:T[:fail]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroMode {
    Sync,
    Polls { n: u32, fail: bool },
    Seconds { t: u64, fail: bool },
}

impl FromStr for LroMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let fail = match parts.get(2) {
            None => false,
            Some(x) if x.eq_ignore_ascii_case("fail") => true,
            Some(x) => return Err(format!("unknown LRO mode suffix '{x}' (expected 'fail')")),
        };
        let num = |p: Option<&&str>| -> Result<u64, String> {
            p.ok_or_else(|| format!("LRO mode '{s}' needs a number"))?
                .parse::<u64>()
                .map_err(|_| format!("LRO mode '{s}' needs a whole number"))
        };
        match parts[0].to_ascii_lowercase().as_str() {
            "sync" if parts.len() == 1 => Ok(LroMode::Sync),
            "polls" => Ok(LroMode::Polls { n: num(parts.get(1))?.min(u32::MAX as u64) as u32, fail }),
            "seconds" => Ok(LroMode::Seconds { t: num(parts.get(1))?, fail }),
            _ => Err(format!("unknown LRO mode '{s}' (expected sync, polls:N[:fail] or seconds:T[:fail])")),
        }
    }
}

impl fmt::Display for LroMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sfx = |fail: bool| if fail { ":fail" } else { "" };
        match self {
            LroMode::Sync => write!(f, "sync"),
            LroMode::Polls { n, fail } => write!(f, "polls:{n}{}", sfx(*fail)),
            LroMode::Seconds { t, fail } => write!(f, "seconds:{t}{}", sfx(*fail)),
        }
    }
}

impl serde::Serialize for LroMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for LroMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A change to the state applied when an operation completes (or rolls back on failure).
pub type Completion = Box<dyn FnOnce(&mut State, DateTime<Utc>) + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpStatus {
    InProgress,
    Succeeded,
    Failed,
}

impl OpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OpStatus::InProgress => "InProgress",
            OpStatus::Succeeded => "Succeeded",
            OpStatus::Failed => "Failed",
        }
    }
}

/// Which polling headers the first response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroHeaders {
    Location,
    AsyncOperation,
    Both,
}

/// What polling the `Location` URL returns once the operation has succeeded.
pub enum Done {
    Empty(u16),
    Json(u16, Value),
    /// The resource's current GET body (for PUT/PATCH/POST on a resource).
    Resource(String),
}

/// A handler's description of a long-running operation.
pub struct Lro {
    /// The configuration key, e.g. `resourceGroups/delete`.
    pub kind: &'static str,
    pub subscription: String,
    pub namespace: String,
    pub location: String,
    pub headers: LroHeaders,
    /// Overrides the operation id (resource-group deletes use ARM's job token).
    pub op_id: Option<String>,
    /// Overrides the `Location` path (resource-group deletes use `/subscriptions/{s}/operationresults/{token}`).
    pub location_path: Option<String>,
    /// Overrides the `Azure-AsyncOperation` path (workspaces use `workspaceOperationsStatus`).
    pub status_path: Option<String>,
    /// The answer when the mode is `sync` (given after the completion ran).
    pub sync: ArmResponse,
    /// The first answer in an asynchronous mode, before the LRO headers are added.
    pub accepted: ArmResponse,
    pub done: Done,
    pub completion: Completion,
    /// Undoes what the request did up front when the operation ends `Failed`.
    pub rollback: Option<Completion>,
}

/// An operation in flight or finished, kept for polling.
pub struct Operation {
    pub id: String,
    pub kind: &'static str,
    pub subscription: String,
    pub mode: LroMode,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub polls: u32,
    pub status: OpStatus,
    pub status_url: String,
    done: Done,
    completion: Option<Completion>,
    rollback: Option<Completion>,
    error: Option<ArmError>,
}

impl Operation {
    /// Counts a poll and completes the operation if its mode says it is due.
    fn settle(&mut self, ctx: &Ctx) {
        self.polls = self.polls.saturating_add(1);
        if self.status != OpStatus::InProgress {
            return;
        }
        let now = ctx.clock.now();
        let (due, fail) = match self.mode {
            LroMode::Sync => (true, false),
            LroMode::Polls { n, fail } => (self.polls >= n, fail),
            LroMode::Seconds { t, fail } => {
                (now >= self.started + Duration::seconds(t.min(i64::MAX as u64 / 1000) as i64), fail)
            }
        };
        if !due {
            return;
        }
        self.ended = Some(now);
        if fail {
            self.status = OpStatus::Failed;
            self.error = Some(ArmError::new(
                500,
                "InternalOperationError",
                format!(
                    "The operation '{}' failed as configured by the emulator's LRO mode '{}'.",
                    self.kind, self.mode
                ),
            ));
            if let Some(rb) = self.rollback.take() {
                ctx.store.write(|s| rb(s, now));
            }
            self.completion = None;
        } else {
            self.status = OpStatus::Succeeded;
            if let Some(c) = self.completion.take() {
                ctx.store.write(|s| c(s, now));
            }
            self.rollback = None;
        }
    }

    fn status_body(&self) -> Value {
        let mut v = json!({
            "id": self.status_url,
            "name": self.id,
            "status": self.status.as_str(),
            "startTime": arm_time(self.started),
        });
        if let Some(e) = self.ended {
            v["endTime"] = json!(arm_time(e));
        }
        if self.status == OpStatus::InProgress {
            v["percentComplete"] = json!(0.0);
        }
        if let Some(err) = &self.error {
            v["error"] = err.to_json();
        }
        v
    }
}

/// Starts an operation according to the mode configured for its kind.
pub fn begin(ctx: &Ctx, req: &ArmRequest, lro: Lro) -> ArmResponse {
    let mode = ctx.lro_mode(lro.kind);
    let now = ctx.clock.now();
    if mode == LroMode::Sync {
        let completion = lro.completion;
        ctx.store.write(|s| completion(s, now));
        return lro.sync;
    }
    let id = lro.op_id.unwrap_or_else(|| ctx.ids.guid());
    let api = req.api_version().unwrap_or("2025-04-01");
    let base = format!("/subscriptions/{}/providers/{}/locations/{}", lro.subscription, lro.namespace, lro.location);
    let status_path = lro.status_path.unwrap_or_else(|| format!("{base}/operationStatuses/{id}"));
    let location_path = lro.location_path.unwrap_or_else(|| format!("{base}/operationResults/{id}"));
    let status_url = req.absolute(&format!("{status_path}?api-version={api}"));
    let location_url = req.absolute(&format!("{location_path}?api-version={api}"));
    let mut resp = lro.accepted.with_header("Retry-After", "1");
    if matches!(lro.headers, LroHeaders::AsyncOperation | LroHeaders::Both) {
        resp = resp.with_header("Azure-AsyncOperation", status_url.clone());
    }
    if matches!(lro.headers, LroHeaders::Location | LroHeaders::Both) {
        resp = resp.with_header("Location", location_url);
    }
    ctx.store.insert_operation(Operation {
        id,
        kind: lro.kind,
        subscription: lro.subscription,
        mode,
        started: now,
        ended: None,
        polls: 0,
        status: OpStatus::InProgress,
        status_url: status_path,
        done: lro.done,
        completion: Some(lro.completion),
        rollback: lro.rollback,
        error: None,
    });
    resp
}

/// `GET` of an `Azure-AsyncOperation` URL: always 200 with the status body.
pub fn get_status(ctx: &Ctx, sub: &str, op_id: &str) -> ArmResult<ArmResponse> {
    ctx.store
        .with_operation(op_id, |op| {
            if !op.subscription.eq_ignore_ascii_case(sub) {
                return Err(ArmError::operation_not_found(op_id));
            }
            op.settle(ctx);
            let mut r = ArmResponse::ok(op.status_body());
            if op.status == OpStatus::InProgress {
                r = r.with_header("Retry-After", "1");
            }
            Ok(r)
        })
        .unwrap_or_else(|| Err(ArmError::operation_not_found(op_id)))
}

/// `GET` of a `Location` URL: 202 while running, then what the synchronous call would return.
pub fn get_result(ctx: &Ctx, req: &ArmRequest, sub: &str, op_id: &str) -> ArmResult<ArmResponse> {
    let outcome = ctx
        .store
        .with_operation(op_id, |op| {
            if !op.subscription.eq_ignore_ascii_case(sub) {
                return Err(ArmError::operation_not_found(op_id));
            }
            op.settle(ctx);
            Ok(match op.status {
                OpStatus::InProgress => Outcome::Running,
                OpStatus::Failed => {
                    Outcome::Failed(op.error.clone().unwrap_or_else(|| ArmError::internal("operation failed")))
                }
                OpStatus::Succeeded => match &op.done {
                    Done::Empty(s) => Outcome::Respond(ArmResponse::empty(*s)),
                    Done::Json(s, v) => Outcome::Respond(ArmResponse::json(*s, v.clone())),
                    Done::Resource(key) => Outcome::Resource(key.clone()),
                },
            })
        })
        .unwrap_or_else(|| Err(ArmError::operation_not_found(op_id)))?;
    Ok(match outcome {
        Outcome::Running => ArmResponse::empty(202)
            .with_header("Location", req.absolute(&path_and_query(req)))
            .with_header("Retry-After", "1"),
        Outcome::Failed(e) => return Err(e),
        Outcome::Respond(r) => r,
        Outcome::Resource(key) => {
            match ctx.store.read(|s| s.resources.get(&key).filter(|r| r.is_live()).map(|r| r.body.bytes())) {
                Some(body) => ArmResponse::raw_json(200, body),
                None => ArmResponse::empty(204),
            }
        }
    })
}

enum Outcome {
    Running,
    Failed(ArmError),
    Respond(ArmResponse),
    Resource(String),
}

fn path_and_query(req: &ArmRequest) -> String {
    let q: Vec<String> = req.query.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if q.is_empty() {
        req.raw_path.clone()
    } else {
        format!("{}?{}", req.raw_path, q.join("&"))
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_print() {
        for s in ["sync", "polls:3", "polls:2:fail", "seconds:10", "seconds:5:fail"] {
            assert_eq!(s.parse::<LroMode>().unwrap().to_string(), s);
        }
        assert!("polls".parse::<LroMode>().is_err());
        assert!("sometimes".parse::<LroMode>().is_err());
        assert!("polls:1:maybe".parse::<LroMode>().is_err());
    }
}
