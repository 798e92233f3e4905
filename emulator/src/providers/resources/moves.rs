//! `POST …/moveResources` and `…/validateMoveResources`: moving top-level resources (with
//! their children) to another resource group or subscription, through the LRO engine as ARM
//! does: `202` with a `Location` under `/subscriptions/{s}/operationresults/{job token}` that
//! ends in `204` (`204` at once in the `sync` mode). Types the catalog marks not movable are
//! refused with the reason.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::catalog::{self, MovePolicy, RESOURCES_API_VERSIONS};
use crate::model::ids::ResourceId;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::{Change, OperationResult, State};

use crate::providers::common::{find_live, require_group_writable};
use crate::providers::lro::{self, Lro};
use crate::providers::{check_subscription, Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |pattern, operation, kind, handler: Handler| {
        Route::new(Method::Post, pattern, operation, Access::Arm, handler)
            .api_versions(RESOURCES_API_VERSIONS)
            .lro(kind)
            .action("Microsoft.Resources/subscriptions/resourceGroups/moveResources/action")
    };
    vec![
        r(
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/moveResources",
            "Resources_MoveResources",
            "resources/moveResources",
            move_resources,
        ),
        r(
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/validateMoveResources",
            "Resources_ValidateMoveResources",
            "resources/validateMoveResources",
            validate_move_resources,
        ),
    ]
}

/// A checked move: where to, and the ids of the resources to move.
struct MovePlan {
    target_sub: String,
    target_rg: String,
    ids: Vec<String>,
}

/// The request's target group and resources (checked before the state is read).
fn parse(req: &ArmRequest) -> ArmResult<(String, String, Vec<String>)> {
    let body = req.json_object()?;
    let ids: Vec<String> = body
        .get("resources")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .filter(|v: &Vec<String>| !v.is_empty())
        .ok_or_else(ArmError::missing_move_resources)?;
    let target = body.get("targetResourceGroup").and_then(Value::as_str).unwrap_or("");
    let segs: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [s, sub2, g, rg2] if s.eq_ignore_ascii_case("subscriptions") && g.eq_ignore_ascii_case("resourceGroups") => {
            Ok((sub2.to_string(), rg2.to_string(), ids))
        }
        _ => Err(ArmError::invalid_target_resource_group(format!(
            "The target resource group '{target}' is not a valid resource group id."
        ))),
    }
}

/// Checks a move against the state: the ids are top-level resources in the source group, the
/// target group exists and differs, and no resource refuses to move.
fn plan_move(s: &State, req: &ArmRequest) -> ArmResult<MovePlan> {
    let sub = req.param("subscriptionId")?;
    let rg = req.param("resourceGroupName")?;
    require_group_writable(s, sub, rg)?;
    let (target_sub, target_rg, ids) = parse(req)?;
    if target_sub.eq_ignore_ascii_case(sub) && target_rg.eq_ignore_ascii_case(rg) {
        return Err(ArmError::invalid_target_resource_group("The source and target resource groups are the same."));
    }
    check_subscription(s, &target_sub, true)?;
    require_group_writable(s, &target_sub, &target_rg)?;
    let cross = !target_sub.eq_ignore_ascii_case(sub);
    let mut keys = Vec::new();
    for id_text in &ids {
        let id = ResourceId::parse(id_text)
            .filter(|id| {
                id.is_top_level()
                    && id.subscription().eq_ignore_ascii_case(sub)
                    && id.resource_group().is_some_and(|g| g.eq_ignore_ascii_case(rg))
            })
            .ok_or_else(|| ArmError::invalid_move_request(id_text, rg))?;
        let r = find_live(s, &id)?;
        let there = ResourceId::parse(&r.id).map(|i| i.relocated(&target_sub, &target_rg));
        if let Some(t) = there.filter(|t| s.resource(&t.key()).is_some()) {
            return Err(ArmError::move_target_exists(&t.full_type(), t.name(), &target_rg));
        }
        if let Some((_, t)) = catalog::resource_type(&r.resource_type) {
            if let MovePolicy::NotSupported { what } = t.moves {
                return Err(ArmError::move_not_supported(what, &r.name, cross));
            }
        }
        keys.push(r.id.clone());
    }
    Ok(MovePlan { target_sub, target_rg, ids: keys })
}

/// Answers a move or a validation through the LRO engine. `on_success` is what completing
/// it does (nothing for a validation).
fn move_operation(
    ctx: &Ctx,
    req: &ArmRequest,
    kind: &'static str,
    job: &str,
    on_success: impl FnOnce(MovePlan) -> Vec<Change>,
) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?.to_string();
    let rg = req.param("resourceGroupName")?.to_string();
    ctx.store().commit(|s| {
        let plan = plan_move(s, req)?;
        let location = s.group(&sub, &rg).map(|g| g.location.clone()).unwrap_or_default();
        // ARM's job token: unpadded base64url of `{"jobId": …, "jobLocation": …}`.
        let token = URL_SAFE_NO_PAD.encode(
            json!({"jobId": format!("{job}-{}", ctx.ids().guid().to_uppercase()), "jobLocation": location}).to_string(),
        );
        let location_path = format!("/subscriptions/{sub}/operationresults/{token}");
        let op = Lro::new(kind, &sub, "Microsoft.Resources", &location)
            .job(token, location_path)
            .answers(ArmResponse::empty(204), ArmResponse::empty(202))
            .result(OperationResult::Empty { status: 204 })
            .on_success(on_success(plan));
        Ok(lro::plan(ctx, req, op))
    })
}

fn validate_move_resources(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    move_operation(ctx, req, "resources/validateMoveResources", "ResourceMoveValidationJob", |_| Vec::new())
}

/// Moves the resources (and their children) by re-keying them under the target group when
/// the operation completes (a resource deleted meanwhile is skipped).
fn move_resources(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    move_operation(ctx, req, "resources/moveResources", "ResourceMoveJob", |p| {
        vec![Change::MoveResources { ids: p.ids, subscription: p.target_sub, group: p.target_rg }]
    })
}
