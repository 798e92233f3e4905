//! `Microsoft.Resources/resourceGroups`: create/update (201 then 200), get, HEAD (204/404),
//! PATCH (tags), list with tag filter and `$top` paging, and delete as an LRO that removes
//! everything inside the group (`Location: /subscriptions/{s}/operationresults/{token}`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::arm::error::{ArmError, ArmResult};
use crate::arm::lro::{self, Done, Lro, LroHeaders};
use crate::arm::request::{optional_str, ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::arm::{check_preconditions, filter, paging};
use crate::context::Ctx;
use crate::router::{Access, Route};
use crate::rp::catalog;
use crate::store::{ResourceGroup, State};

const GROUP: &str = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}";

pub fn routes() -> Vec<Route> {
    let r = |method, pattern, operation, handler| Route { method, pattern, operation, access: Access::Arm, handler };
    vec![
        r(Method::Put, GROUP, "ResourceGroups_CreateOrUpdate", create_or_update),
        r(Method::Get, GROUP, "ResourceGroups_Get", get),
        r(Method::Head, GROUP, "ResourceGroups_CheckExistence", check_existence),
        r(Method::Patch, GROUP, "ResourceGroups_Update", update),
        r(Method::Delete, GROUP, "ResourceGroups_Delete", delete),
        r(Method::Get, "/subscriptions/{subscriptionId}/resourcegroups", "ResourceGroups_List", list),
    ]
}

/// ARM's resource-group name rule: 1–90 of letters/digits (Unicode), `_ - . ( )`, no trailing `.`.
pub fn valid_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=90).contains(&n) && !name.ends_with('.') && name.chars().all(|c| c.is_alphanumeric() || "_-.()".contains(c))
}

pub fn render(g: &ResourceGroup) -> Value {
    let mut v = json!({
        "id": crate::arm::resource_id::group_id(&g.subscription_id, &g.name),
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
    v["properties"] = json!({"provisioningState": g.provisioning_state});
    v
}

/// Reads `tags` from a body: an object of strings (ARM's limits: 50 tags, names ≤ 512, values ≤ 256).
pub fn parse_tags(body: &Map<String, Value>) -> ArmResult<Option<BTreeMap<String, String>>> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            if m.len() > 50 {
                return Err(ArmError::bad_request("InvalidTagCount", "The number of tags exceeds the limit of 50."));
            }
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => {
                        return Err(ArmError::invalid_request_content(format!(
                            "The tag '{k}' has a value of type {} where a string was expected",
                            crate::arm::request::json_kind(other)
                        )))
                    }
                };
                if k.is_empty() || k.chars().count() > 512 || k.chars().any(|c| "<>%&\\?/".contains(c)) {
                    return Err(ArmError::bad_request(
                        "InvalidTagNameCharacters",
                        format!("The tag names '{k}' have reserved characters '<,>,%,&,\\,?,/' or control characters."),
                    ));
                }
                if v.chars().count() > 256 {
                    return Err(ArmError::bad_request(
                        "InvalidTagValueLength",
                        format!("The tag value '{v}' exceeds the maximum length of 256 characters."),
                    ));
                }
                out.insert(k.clone(), v);
            }
            Ok(Some(out))
        }
        Some(other) => Err(ArmError::invalid_request_content(format!(
            "'tags' must be an object, found {}",
            crate::arm::request::json_kind(other)
        ))),
    }
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
    let now = ctx.clock.now();
    let key = State::group_key(&sub, &rg);
    let (created, group) = ctx.store.write(|s| -> ArmResult<(bool, ResourceGroup)> {
        check_preconditions(req, s.groups.get(&key).map(|_| None))?;
        match s.groups.get_mut(&key) {
            Some(g) => {
                if g.provisioning_state == "Deleting" {
                    return Err(ArmError::resource_group_being_deleted(&g.name));
                }
                if g.location != region.name {
                    return Err(ArmError::invalid_resource_group_location(&location, &g.location));
                }
                g.tags = tags.unwrap_or_default();
                if managed_by.is_some() {
                    g.managed_by = managed_by;
                }
                g.changed_time = now;
                Ok((false, g.clone()))
            }
            None => {
                let g = ResourceGroup {
                    subscription_id: sub.clone(),
                    name: rg.clone(),
                    location: region.name.to_string(),
                    tags: tags.unwrap_or_default(),
                    managed_by,
                    provisioning_state: "Succeeded".into(),
                    created_time: now,
                    changed_time: now,
                };
                s.groups.insert(key.clone(), g.clone());
                Ok((true, g))
            }
        }
    })?;
    Ok(ArmResponse::json(if created { 201 } else { 200 }, render(&group)))
}

fn find(ctx: &Ctx, sub: &str, rg: &str) -> ArmResult<ResourceGroup> {
    ctx.store.read(|s| s.group(sub, rg).cloned()).ok_or_else(|| ArmError::resource_group_not_found(rg))
}

fn get(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    Ok(ArmResponse::ok(render(&find(ctx, &sub, &rg)?)))
}

fn check_existence(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    let exists = ctx.store.read(|s| s.group(&sub, &rg).is_some());
    Ok(ArmResponse::empty(if exists { 204 } else { 404 }))
}

fn update(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub, rg) = names(req)?;
    let body = req.json_object()?;
    if let Some(loc) = body.get("location").and_then(Value::as_str) {
        let current = find(ctx, &sub, &rg)?;
        if catalog::region(loc).map(|r| r.name) != Some(current.location.as_str()) {
            return Err(ArmError::invalid_resource_group_location(loc, &current.location));
        }
    }
    let tags = parse_tags(&body)?;
    let managed_by = body.get("managedBy").and_then(Value::as_str).map(String::from);
    let now = ctx.clock.now();
    let g = ctx.store.write(|s| -> ArmResult<ResourceGroup> {
        let g =
            s.groups.get_mut(&State::group_key(&sub, &rg)).ok_or_else(|| ArmError::resource_group_not_found(&rg))?;
        check_preconditions(req, Some(None))?;
        if g.provisioning_state == "Deleting" {
            return Err(ArmError::resource_group_being_deleted(&g.name));
        }
        if let Some(t) = tags {
            g.tags = t;
        }
        if managed_by.is_some() {
            g.managed_by = managed_by;
        }
        g.changed_time = now;
        Ok(g.clone())
    })?;
    Ok(ArmResponse::ok(render(&g)))
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
    let key = State::group_key(&sub, &rg);
    let (group, already) = ctx.store.write(|s| -> ArmResult<(ResourceGroup, bool)> {
        let g = s.groups.get_mut(&key).ok_or_else(|| ArmError::resource_group_not_found(&rg))?;
        check_preconditions(req, Some(None))?;
        let already = g.provisioning_state == "Deleting";
        g.provisioning_state = "Deleting".into();
        Ok((g.clone(), already))
    })?;
    let token = deletion_token(&group.name, &group.location);
    let location_path = format!("/subscriptions/{}/operationresults/{token}", group.subscription_id);
    if already {
        // A second DELETE while the first runs answers like the first.
        let api = req.api_version().unwrap_or_default();
        return Ok(ArmResponse::empty(202)
            .with_header("Location", req.absolute(&format!("{location_path}?api-version={api}")))
            .with_header("Retry-After", "1"));
    }
    let (s1, g1) = (group.subscription_id.clone(), group.name.clone());
    let (s2, g2) = (s1.clone(), g1.clone());
    Ok(lro::begin(
        ctx,
        req,
        Lro {
            kind: "resourceGroups/delete",
            subscription: group.subscription_id.clone(),
            namespace: "Microsoft.Resources".into(),
            location: group.location.clone(),
            headers: LroHeaders::Location,
            op_id: Some(token),
            location_path: Some(location_path),
            status_path: None,
            sync: ArmResponse::empty(200),
            accepted: ArmResponse::empty(202),
            done: Done::Empty(200),
            completion: Box::new(move |s, _| s.remove_group(&s1, &g1)),
            rollback: Some(Box::new(move |s, _| {
                if let Some(g) = s.groups.get_mut(&State::group_key(&s2, &g2)) {
                    g.provisioning_state = "Succeeded".into();
                }
            })),
        },
    ))
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
        return Err(ArmError::bad_request(
            "InvalidFilterInQueryString",
            "The 'tagValue' filter requires a 'tagName' filter.",
        ));
    }
    let prefix = crate::arm::resource_id::key(&format!("/subscriptions/{sub}/resourcegroups/"));
    let items: Vec<(String, Value)> = ctx.store.read(|s| {
        s.groups
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, g)| match &tag_name {
                None => true,
                Some(n) => g.tags.iter().any(|(k, v)| k.to_lowercase() == *n && tag_value.is_none_or(|tv| tv == v)),
            })
            .map(|(k, g)| (k.clone(), render(g)))
            .collect()
    });
    Ok(ArmResponse::raw_json(200, paging::page(req, items, paging::SKIP_TOKEN, ctx.page_size())?))
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
