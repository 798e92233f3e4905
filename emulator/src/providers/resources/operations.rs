//! The polling URLs of long-running operations. A poll is a change (it counts towards a
//! `polls:N` mode and may complete the operation), committed with the store's other changes;
//! the answer is rendered from the state right after. A finished operation keeps answering
//! (clients poll twice, and retry a 5xx) until the store forgets it: an hour of emulator time
//! after it ended, or when more than `store::RETAINED` have finished.

use crate::catalog::RESOURCES_API_VERSIONS;
use crate::protocol::lro::{result_response, status_response};
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::{Change, State};

use crate::providers::{Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |pattern, operation, handler: Handler| {
        Route::new(Method::Get, pattern, operation, Access::Arm, handler)
            .api_versions(RESOURCES_API_VERSIONS)
            .action("Microsoft.Resources/subscriptions/operationresults/read")
    };
    vec![
        r("/subscriptions/{subscriptionId}/operationresults/{operationId}", "ResourceGroups_DeleteOperationResult", group_delete_result),
        r(
            "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/locations/{location}/{operationCollection}/{operationId}",
            "Operations_Poll",
            provider_operation,
        ),
    ]
}

fn group_delete_result(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    result(ctx, req, req.param("subscriptionId")?, req.param("operationId")?)
}

/// `…/operationStatuses/{id}`, `…/workspaceOperationsStatus/{id}` (Azure-AsyncOperation: 200
/// with a status body) and `…/operationResults/{id}` (Location: 202 until done).
fn provider_operation(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let id = req.param("operationId")?;
    if req.param("operationCollection")?.to_ascii_lowercase().contains("result") {
        result(ctx, req, sub, id)
    } else {
        status(ctx, sub, id)
    }
}

/// The poll of an operation of `sub`: `404 OperationNotFound` for another subscription's.
fn poll(s: &State, sub: &str, id: &str) -> ArmResult<(Vec<Change>, ())> {
    match s.operation(id) {
        Some(op) if op.subscription.eq_ignore_ascii_case(sub) => {
            Ok((vec![Change::PollOperation { id: id.to_string() }], ()))
        }
        _ => Err(ArmError::operation_not_found(id)),
    }
}

/// A poll of an operation's status (also a deployment's `operationStatuses`).
pub fn status(ctx: &Ctx, sub: &str, id: &str) -> ArmResult<ArmResponse> {
    ctx.store().commit_then(
        |s| poll(s, sub, id),
        |s, ()| s.operation(id).map(status_response).ok_or_else(|| ArmError::operation_not_found(id)),
    )?
}

fn result(ctx: &Ctx, req: &ArmRequest, sub: &str, id: &str) -> ArmResult<ArmResponse> {
    ctx.store().commit_then(
        |s| poll(s, sub, id),
        |s, ()| match s.operation(id) {
            Some(op) => result_response(req, op, s),
            None => Err(ArmError::operation_not_found(id)),
        },
    )?
}
