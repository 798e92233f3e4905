//! Subscriptions, tenants and locations (`2022-12-01` shapes).

use serde_json::{json, Value};

use crate::catalog::{REGIONS, RESOURCES_API_VERSIONS};
use crate::model::Subscription;
use crate::protocol::router::{Access, Route};
use crate::protocol::{paging, ArmError, ArmRequest, ArmResponse, ArmResult, Method};

use crate::providers::authorization::enforce::lists_subscription;
use crate::providers::{Ctx, Handler};

pub fn routes() -> Vec<Route<Handler>> {
    let r = |pattern, operation, access, handler: Handler| {
        Route::new(Method::Get, pattern, operation, access, handler)
            .api_versions(RESOURCES_API_VERSIONS)
            .action("Microsoft.Resources/subscriptions/read")
    };
    vec![
        r("/subscriptions", "Subscriptions_List", Access::ArmTenant, list),
        r("/subscriptions/{subscriptionId}", "Subscriptions_Get", Access::Arm, get),
        r("/subscriptions/{subscriptionId}/locations", "Subscriptions_ListLocations", Access::Arm, locations),
        r("/tenants", "Tenants_List", Access::ArmTenant, tenants),
    ]
}

/// A subscription as ARM shows it; `tags` only when it has some (as ARM writes it).
pub fn render(s: &Subscription) -> Value {
    let mut v = json!({
        "id": format!("/subscriptions/{}", s.subscription_id),
        "authorizationSource": "RoleBased",
        "managedByTenants": s.managed_by_tenants.iter().map(|t| json!({"tenantId": t})).collect::<Vec<_>>(),
        "subscriptionId": s.subscription_id,
        "tenantId": s.tenant_id,
        "displayName": s.display_name,
        "state": s.state.as_str(),
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    });
    if !s.tags.is_empty() {
        v["tags"] = json!(s.tags);
    }
    v
}

/// Every subscription (in strict mode, those of the caller's tenant where it holds a role).
fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let items = ctx.store().read(|s| {
        s.subscriptions()
            .filter(|(_, v)| lists_subscription(ctx, req, s, &v.subscription_id, &v.tenant_id))
            .map(|(k, v)| (k.clone(), render(v)))
            .collect()
    });
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    ctx.store()
        .read(|s| s.subscription(sub).map(render))
        .map(ArmResponse::ok)
        .ok_or_else(|| ArmError::subscription_not_found(sub))
}

fn tenants(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let items = ctx.store().read(|s| {
        s.tenants()
            .map(|t| {
                (
                    t.tenant_id.to_lowercase(),
                    json!({
                        "id": format!("/tenants/{}", t.tenant_id),
                        "tenantId": t.tenant_id,
                        "countryCode": "US",
                        "displayName": t.display_name,
                        "domains": [t.default_domain],
                        "tenantCategory": "Home",
                        "defaultDomain": t.default_domain,
                        "tenantType": "AAD",
                    }),
                )
            })
            .collect()
    });
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
}

fn locations(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let value: Vec<Value> = REGIONS
        .iter()
        .map(|r| {
            json!({
                "id": format!("/subscriptions/{sub}/locations/{}", r.name),
                "name": r.name,
                "type": "Region",
                "displayName": r.display_name,
                "regionalDisplayName": format!("({}) {}", r.geography, r.display_name),
                "metadata": {
                    "regionType": "Physical",
                    "regionCategory": "Recommended",
                    "geography": r.geography,
                    "geographyGroup": r.geography,
                    "longitude": r.longitude,
                    "latitude": r.latitude,
                    "physicalLocation": r.display_name,
                    "pairedRegion": if r.paired.is_empty() { json!([]) } else { json!([{"name": r.paired, "id": format!("/subscriptions/{sub}/locations/{}", r.paired)}]) },
                },
            })
        })
        .collect();
    Ok(ArmResponse::ok(json!({ "value": value })))
}
