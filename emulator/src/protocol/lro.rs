//! The wire of long-running operations (RPC "Asynchronous operations"): the polling headers a
//! first answer carries, the operation-status resource, and what a poll of the `Location`
//! URL answers. The operations themselves are data in the store; the engine that starts them
//! is `providers::lro`.

use serde_json::{json, Value};

use super::error::{ArmError, ArmResult};
use super::request::ArmRequest;
use super::response::ArmResponse;
use crate::model::time::arm_time;
use crate::model::OperationStatus;
use crate::store::{Failure, Operation, OperationResult, State};

/// `Retry-After` on every asynchronous answer: never `0`, which Python clients treat as
/// absent (they then wait 30 s).
pub const RETRY_AFTER: &str = "1";

/// Which polling headers the first answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroHeaders {
    Location,
    AsyncOperation,
    Both,
}

/// Adds the polling headers (absolute URLs on the host the client called) to a first answer.
pub fn with_polling_headers(
    resp: ArmResponse,
    req: &ArmRequest,
    headers: LroHeaders,
    status_path: &str,
    location_path: &str,
) -> ArmResponse {
    let api = req.api_version().unwrap_or("2025-04-01");
    let mut resp = resp.with_header("Retry-After", RETRY_AFTER);
    if matches!(headers, LroHeaders::AsyncOperation | LroHeaders::Both) {
        resp = resp.with_header("Azure-AsyncOperation", req.absolute(&format!("{status_path}?api-version={api}")));
    }
    if matches!(headers, LroHeaders::Location | LroHeaders::Both) {
        resp = resp.with_header("Location", req.absolute(&format!("{location_path}?api-version={api}")));
    }
    resp
}

/// The error an operation ended with.
pub fn failure_error(op: &Operation) -> ArmError {
    match &op.failure {
        Some(Failure::Configured { error }) => ArmError::from(error),
        Some(Failure::Rejected { rejection }) => ArmError::from(rejection.clone()),
        None => ArmError::internal("the operation failed"),
    }
}

/// The operation-status resource: `{id, name, status, startTime, endTime?, percentComplete?, error?}`.
pub fn status_body(op: &Operation) -> Value {
    let mut v = json!({
        "id": op.status_path,
        "name": op.id,
        "status": op.status.as_str(),
        "startTime": arm_time(op.started),
    });
    if let Some(e) = op.ended {
        v["endTime"] = json!(arm_time(e));
    }
    if op.status == OperationStatus::InProgress {
        v["percentComplete"] = json!(0.0);
    }
    if op.failure.is_some() {
        v["error"] = failure_error(op).to_json();
    }
    v
}

/// A poll of the `Azure-AsyncOperation` URL: always 200 with the status body.
pub fn status_response(op: &Operation) -> ArmResponse {
    let r = ArmResponse::ok(status_body(op));
    if op.status == OperationStatus::InProgress {
        r.with_header("Retry-After", RETRY_AFTER)
    } else {
        r
    }
}

/// A poll of the `Location` URL: 202 while running, then what the synchronous call would have
/// answered (the resource's body, an empty status), or the operation's error.
pub fn result_response(req: &ArmRequest, op: &Operation, state: &State) -> ArmResult<ArmResponse> {
    match op.status {
        OperationStatus::InProgress => Ok(ArmResponse::empty(202)
            .with_header("Location", req.absolute(&path_and_query(req)))
            .with_header("Retry-After", RETRY_AFTER)),
        OperationStatus::Failed | OperationStatus::Canceled => Err(failure_error(op)),
        OperationStatus::Succeeded => Ok(match &op.result {
            OperationResult::Empty { status } => ArmResponse::empty(*status),
            OperationResult::Resource { id } => match state.live(&id.to_lowercase()) {
                Some(r) => ArmResponse::raw_json(200, r.body.bytes()),
                None => ArmResponse::empty(204),
            },
        }),
    }
}

fn path_and_query(req: &ArmRequest) -> String {
    let q: Vec<String> = req.query_pairs().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if q.is_empty() {
        req.raw_path().to_string()
    } else {
        format!("{}?{}", req.raw_path(), q.join("&"))
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
