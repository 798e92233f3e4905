//! `Microsoft.Resources/resourceGroups`: create/update (201 then 200), get, HEAD (204/404),
//! PATCH (tags), list with tag filter and `$top` paging, and delete as an LRO that removes
//! everything inside the group (`Location: /subscriptions/{s}/operationresults/{token}`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::catalog::{self, RESOURCES_API_VERSIONS};
use crate::model::ids::group_id;
use crate::model::ProvisioningState;
use crate::protocol::body::{optional_str, parse_tags};
use crate::protocol::lro::{with_polling_headers, LroHeaders};
use crate::protocol::preconditions::{self, Current};
use crate::protocol::router::{Access, Route};
use crate::protocol::{filter, paging, ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::store::{Change, ResourceGroup, State};

use crate::providers::lro::{self, Lro};
use crate::providers::{Ctx, Handler};

const GROUP: &str = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}";
const ACTION_READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";
const ACTION_WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";
const ACTION_DELETE: &str = "Microsoft.Resources/subscriptions/resourceGroups/delete";

pub fn routes() -> Vec<Route<Handler>> {
    let r = |method, pattern, operation, action, handler: Handler| {
        Route::new(method, pattern, operation, Access::Arm, handler).api_versions(RESOURCES_API_VERSIONS).action(action)
    };
    vec![
        r(Method::Put, GROUP, "ResourceGroups_CreateOrUpdate", ACTION_WRITE, create_or_update),
        r(Method::Get, GROUP, "ResourceGroups_Get", ACTION_READ, get),
        r(Method::Head, GROUP, "ResourceGroups_CheckExistence", ACTION_READ, check_existence),
        r(Method::Patch, GROUP, "ResourceGroups_Update", ACTION_WRITE, update),
        r(Method::Delete, GROUP, "ResourceGroups_Delete", ACTION_DELETE, delete).lro("resourceGroups/delete"),
        r(Method::Get, "/subscriptions/{subscriptionId}/resourcegroups", "ResourceGroups_List", ACTION_READ, list),
    ]
}

/// ARM's resource-group name rule: 1–90 of letters/digits (Unicode), `_ - . ( )`, no trailing `.`.
pub fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=90).contains(&n) && !name.ends_with('.') && name.chars().all(|c| c.is_alphanumeric() || "_-.()".contains(c))
}

pub fn render(g: &ResourceGroup) -> Value {
    let mut v = json!({
        "id": group_id(&g.subscription_id, &g.name),
        "name": g.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": g.location,
    });
    if let Some(m) = &g.managed_by {
        v["managedBy"] = json!(m);
    }
    if !g.tags.is_empty() {
        v["tags"] = json!(g.tags);
    }
    v["properties"] = json!({"provisioningState": g.provisioning_state.as_str()});
    v
}

fn names(req: &ArmRequest) -> ArmResult<(String, String)> {
    Ok((req.param("subscriptionId")?.to_string(), req.param("resourceGroupName")?.to_string()))
}

fn create_or_update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    if !valid_name(&rg) {
        return Err(ArmError::invalid_resource_group_name(&rg));
    }
    let body = req.json_object()?;
    let location = optional_str(&body, "", "location")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(ArmError::location_required)?
        .to_string();
    let region = catalog::region(&location)
        .ok_or_else(|| ArmError::location_not_available_for_resource_group(&location, &catalog::region_names()))?;
    let tags = parse_tags(&body)?;
    let managed_by = match body.get("managedBy") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let existing = s.group(&sub, &rg);
        preconditions::check(req, if existing.is_some() { Current::Present(None) } else { Current::Absent })?;
        let (created, group) = match existing {
            Some(g) => {
                if g.is_deleting() {
                    return Err(ArmError::resource_group_being_deleted(&g.name));
                }
                if g.location != region.name {
                    return Err(ArmError::invalid_resource_group_location(&location, &g.location));
                }
                let mut g = g.clone();
                g.tags = tags.unwrap_or_default();
                if managed_by.is_some() {
                    g.managed_by = managed_by;
                }
                g.changed_time = now;
                (false, g)
            }
            None => (
                true,
                ResourceGroup {
                    subscription_id: sub.clone(),
                    name: rg.clone(),
                    location: region.name.to_string(),
                    tags: tags.unwrap_or_default(),
                    managed_by,
                    provisioning_state: ProvisioningState::Succeeded,
                    created_time: now,
                    changed_time: now,
                },
            ),
        };
        let resp = ArmResponse::json(if created { 201 } else { 200 }, render(&group));
        Ok((vec![Change::PutGroup { group }], resp))
    })
}

fn find(ctx: &Ctx, sub: &str, rg: &str) -> ArmResult<ResourceGroup> {
    ctx.store().read(|s| s.group(sub, rg).cloned()).ok_or_else(|| ArmError::resource_group_not_found(rg))
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    Ok(ArmResponse::ok(render(&find(ctx, &sub, &rg)?)))
}

fn check_existence(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    let exists = ctx.store().read(|s| s.group(&sub, &rg).is_some());
    Ok(ArmResponse::empty(if exists { 204 } else { 404 }))
}

fn update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    let body = req.json_object()?;
    let tags = parse_tags(&body)?;
    let managed_by = body.get("managedBy").and_then(Value::as_str).map(String::from);
    let location = body.get("location").and_then(Value::as_str).map(String::from);
    let now = ctx.now();
    ctx.store().commit(|s: &State| {
        let mut g = s.group(&sub, &rg).cloned().ok_or_else(|| ArmError::resource_group_not_found(&rg))?;
        if let Some(loc) = &location {
            if catalog::region(loc).map(|r| r.name) != Some(g.location.as_str()) {
                return Err(ArmError::invalid_resource_group_location(loc, &g.location));
            }
        }
        preconditions::check(req, Current::Present(None))?;
        if g.is_deleting() {
            return Err(ArmError::resource_group_being_deleted(&g.name));
        }
        if let Some(t) = tags {
            g.tags = t;
        }
        if managed_by.is_some() {
            g.managed_by = managed_by;
        }
        g.changed_time = now;
        let resp = ArmResponse::ok(render(&g));
        Ok((vec![Change::PutGroup { group: g }], resp))
    })
}

/// ARM's job token: unpadded base64url of `{"jobId":"RESOURCEGROUPDELETIONJOB-{RG}-{LOC}","jobLocation":"{loc}"}`.
fn deletion_token(rg: &str, location: &str) -> String {
    let job = json!({
        "jobId": format!("RESOURCEGROUPDELETIONJOB-{}-{}", rg.to_uppercase(), location.to_uppercase()),
        "jobLocation": location,
    });
    URL_SAFE_NO_PAD.encode(job.to_string())
}

fn delete(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    ctx.store().commit(|s: &State| {
        let g = s.group(&sub, &rg).ok_or_else(|| ArmError::resource_group_not_found(&rg))?;
        preconditions::check(req, Current::Present(None))?;
        let token = deletion_token(&g.name, &g.location);
        let location_path = format!("/subscriptions/{}/operationresults/{token}", g.subscription_id);
        if g.is_deleting() {
            // A second DELETE while the first runs answers like the first.
            let resp = with_polling_headers(ArmResponse::empty(202), req, LroHeaders::Location, "", &location_path);
            return Ok((Vec::new(), resp));
        }
        let (sub, name) = (g.subscription_id.clone(), g.name.clone());
        let state = |state| Change::SetGroupState { subscription: sub.clone(), group: name.clone(), state };
        let op = Lro::new("resourceGroups/delete", &sub, "Microsoft.Resources", &g.location)
            .job(token, location_path)
            .pending(vec![state(ProvisioningState::Deleting)])
            .on_success(vec![Change::RemoveGroup { subscription: sub.clone(), group: name.clone() }])
            .on_failure(vec![state(ProvisioningState::Succeeded)]);
        Ok(lro::plan(ctx, req, op))
    })
}

fn list(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub = req.param("subscriptionId")?;
    let f = match req.query("$filter") {
        Some(text) => filter::parse(text, &["tagName", "tagValue"])?,
        None => filter::Filter::default(),
    };
    let tag_name = f.eq("tagName").map(str::to_lowercase);
    let tag_value = f.eq("tagValue");
    if tag_value.is_some() && tag_name.is_none() {
        return Err(ArmError::tag_value_filter_needs_name());
    }
    let size = paging::page_size(req, ctx.page_size())?;
    let after = paging::start_after(req, paging::SKIP_TOKEN)?;
    let page = ctx.store().read(|s| {
        let items = s.groups_in(sub, after.as_deref()).filter(|(_, g)| match &tag_name {
            None => true,
            Some(n) => g.tags.iter().any(|(k, v)| k.to_lowercase() == *n && tag_value.is_none_or(|tv| tv == v)),
        });
        paging::page_from(req, items, paging::SKIP_TOKEN, size, |g, out| {
            let _ = serde_json::to_writer(out, &render(g));
        })
    });
    Ok(ArmResponse::raw_json(200, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        for ok in ["rg", "a", "my-rg_(1).x", "grupo-ñandú", "データ", &"x".repeat(90)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "ends.", "has space", "slash/", "per%cent", &"x".repeat(91)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn deletion_token_is_arms_job_format() {
        let t = deletion_token("myjstest", "eastus");
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(t).unwrap()).unwrap();
        assert_eq!(decoded, r#"{"jobId":"RESOURCEGROUPDELETIONJOB-MYJSTEST-EASTUS","jobLocation":"eastus"}"#);
    }
}
