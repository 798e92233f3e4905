//! Polling URLs of long-running operations, answered by the LRO engine.

use crate::arm::error::ArmResult;
use crate::arm::lro;
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::context::Ctx;
use crate::router::{Access, Route};

pub fn routes() -> Vec<Route> {
    let r =
        |pattern, operation, handler| Route { method: Method::Get, pattern, operation, access: Access::Arm, handler };
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
    lro::get_result(ctx, req, req.param("subscriptionId")?, req.param("operationId")?)
}

/// `…/operationStatuses/{id}`, `…/workspaceOperationsStatus/{id}` (Azure-AsyncOperation: 200
/// with a status body) and `…/operationResults/{id}` (Location: 202 until done).
fn provider_operation(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let id = req.param("operationId")?;
    if req.param("operationCollection")?.to_ascii_lowercase().contains("result") {
        lro::get_result(ctx, req, sub, id)
    } else {
        lro::get_status(ctx, sub, id)
    }
}
