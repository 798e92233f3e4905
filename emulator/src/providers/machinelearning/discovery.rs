//! `GET /discovery`: the document a workspace's `discoveryUrl` points at, with every Azure ML
//! data-plane service at the emulator (the v1 SDK reads it). No authentication.

use serde_json::json;

use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    vec![Route::new(Method::Get, "/discovery", "Workspaces_Discovery", Access::Open, discovery as Handler)]
}

fn discovery(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let base = ctx.https_base(&req.base_url());
    Ok(ArmResponse::ok(json!({
        "api": base, "catalog": base, "experimentation": base, "gallery": base, "history": base,
        "hyperdrive": base, "labeling": base, "modelmanagement": base, "pipelines": base, "studio": base,
    })))
}
