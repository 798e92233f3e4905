//! The resource browser: subscriptions → groups → resources with their JSON, soft-deleted
//! resources with their purge dates (recover and purge buttons), provider registrations and
//! role assignments.

use chrono::{DateTime, Utc};
use maud::{html, Markup};

use crate::catalog;
use crate::model::ids;
use crate::model::time::arm_time;
use crate::model::Clock;
use crate::protocol::{ArmRequest, ArmResponse, ArmResult};
use crate::providers::authorization::role_definitions::{find_role, role_guid};
use crate::store::{Resource, State};

use super::{action_button, group_link, missing, page, pretty, seg, state_badge, text_at, when, BASE};
use crate::pipeline::App;

/// Resources a group page shows at a time.
const PAGE: usize = 200;
const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";

fn sub_link(sub: &str) -> String {
    format!("{BASE}/subscriptions/{}", seg(sub))
}

/// `GET /_emulator/ui`: every subscription with its counts.
pub fn overview(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (in_flight, _) = app.ctx.store().read(|s| s.operation_counts());
    let body = app.ctx.store().read(|s| {
        let (subs, groups, resources) = s.counts();
        html! {
            p { (subs) " subscriptions, " (groups) " resource groups, " (resources) " resources; "
                (in_flight) " long-running operations in flight." }
            table {
                caption { "Subscriptions" }
                thead { tr { th { "Name" } th { "Subscription id" } th { "Tenant" } th { "State" }
                    th.num { "Groups" } th.num { "Resources" } th.num { "Soft-deleted" } } }
                tbody {
                    @for (_, sub) in s.subscriptions() {
                        @let (live, deleted) = resource_counts(s, &ids::subscription_prefix(&sub.subscription_id));
                        tr {
                            td { a href=(sub_link(&sub.subscription_id)) { (sub.display_name) } }
                            td.mono { (sub.subscription_id) }
                            td.mono { (sub.tenant_id) }
                            td { (state_badge(&format!("{:?}", sub.state))) }
                            td.num { (s.groups_in(&sub.subscription_id, None).count()) }
                            td.num { (live) }
                            td.num { @if deleted > 0 { a href={ (BASE) "/deleted" } { (deleted) } } @else { "0" } }
                        }
                    }
                }
            }
            table {
                caption { "Tenants" }
                thead { tr { th { "Name" } th { "Tenant id" } th { "Domain" } } }
                tbody {
                    @for t in s.tenants() {
                        tr { td { (t.display_name) } td.mono { (t.tenant_id) } td { (t.default_domain) } }
                    }
                }
            }
        }
    });
    Ok(page(app, "Resources", "", body))
}

/// (live, soft-deleted) resources under a key prefix.
fn resource_counts(s: &State, prefix: &str) -> (usize, usize) {
    s.resources_under(prefix).fold((0, 0), |(l, d), r| if r.is_live() { (l + 1, d) } else { (l, d + 1) })
}

/// `GET /_emulator/ui/subscriptions/{id}`: its groups, soft-deleted resources, provider
/// registrations and role assignments.
pub fn subscription(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let sub_id = req.param("subscriptionId")?;
    let now = app.clock().now();
    let body = app.ctx.store().read(|s| {
        let sub = s.subscription(sub_id)?;
        let id = &sub.subscription_id;
        let prefix = ids::subscription_prefix(id);
        let deleted: Vec<&Resource> = s.resources_under(&prefix).filter(|r| !r.is_live()).map(|r| &**r).collect();
        let assignments: Vec<&Resource> = s
            .resources_under(&prefix)
            .filter(|r| r.is_live() && r.resource_type.eq_ignore_ascii_case(ROLE_ASSIGNMENT))
            .map(|r| &**r)
            .collect();
        Some(html! {
            dl.facts {
                dt { "Subscription id" } dd.mono { (id) }
                dt { "Tenant" } dd.mono { (sub.tenant_id) }
                dt { "State" } dd { (state_badge(&format!("{:?}", sub.state))) }
            }
            table {
                caption { "Resource groups" }
                thead { tr { th { "Name" } th { "Location" } th { "State" } th.num { "Resources" } th { "Managed by" } th { "Tags" } } }
                tbody {
                    @for (_, g) in s.groups_in(id, None) {
                        tr {
                            td { a href=(group_link(id, &g.name)) { (g.name) } }
                            td { (g.location) }
                            td { (state_badge(&format!("{:?}", g.provisioning_state))) }
                            td.num { (resource_counts(s, &ids::group_prefix(id, &g.name)).0) }
                            td.mono { (g.managed_by.as_deref().unwrap_or("")) }
                            td { (tags_text(g.tags.iter())) }
                        }
                    }
                }
            }
            (deleted_table(&deleted, now, "Soft-deleted resources"))
            table {
                caption { "Provider registrations" }
                thead { tr { th { "Namespace" } th { "State" } } }
                tbody {
                    @for p in catalog::PROVIDERS {
                        tr {
                            td { (p.namespace) }
                            td {
                                @if p.registration_free {
                                    (state_badge("Registered")) " (needs no registration)"
                                } @else {
                                    @let reg = s.registration(id, p.namespace);
                                    (state_badge(&reg.map(|r| format!("{:?}", r.state)).unwrap_or_else(|| "NotRegistered".into())))
                                    @if let Some(at) = reg.and_then(|r| r.settles_at) { " until " (arm_time(at)) }
                                }
                            }
                        }
                    }
                }
            }
            table {
                caption { "Role assignments" }
                thead { tr { th { "Role" } th { "Principal" } th { "Type" } th { "Scope" } } }
                tbody {
                    @for a in &assignments {
                        @let v = a.body.value();
                        @let role = role_guid(text_at(&v, "/properties/roleDefinitionId"));
                        tr {
                            td { (find_role(role).map(|r| r.name).unwrap_or(role)) }
                            td.mono { (text_at(&v, "/properties/principalId")) }
                            td { (text_at(&v, "/properties/principalType")) }
                            td.mono { (text_at(&v, "/properties/scope")) }
                        }
                    }
                    @if assignments.is_empty() { tr { td colspan="4" { "None." } } }
                }
            }
        })
    });
    Ok(match body {
        Some(body) => page(app, &format!("Subscription {sub_id}"), "", body),
        None => missing(app, format!("There is no subscription '{sub_id}'.")),
    })
}

fn tags_text<'a>(tags: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    tags.map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// `GET /_emulator/ui/subscriptions/{id}/resourceGroups/{rg}[?after=KEY]`: the group and a
/// page of its resources, each with its JSON.
pub fn group(app: &App, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let (sub_id, rg) = (req.param("subscriptionId")?, req.param("resourceGroupName")?);
    let after = req.query("after").map(str::to_string);
    let body = app.ctx.store().read(|s| {
        let g = s.group(sub_id, rg)?;
        let prefix = ids::group_prefix(sub_id, rg);
        let mut rows = s.resources_after(&prefix, after.as_deref()).map(|(_, r)| r).filter(|r| r.is_live());
        let shown: Vec<&Resource> = rows.by_ref().take(PAGE).map(|r| &**r).collect();
        let more = rows.next().is_some();
        Some(html! {
            p { a href=(sub_link(sub_id)) { "Subscription " (sub_id) } }
            dl.facts {
                dt { "Location" } dd { (g.location) }
                dt { "State" } dd { (state_badge(&format!("{:?}", g.provisioning_state))) }
                dt { "Created" } dd { (when(g.created_time)) }
                dt { "Changed" } dd { (when(g.changed_time)) }
                dt { "Tags" } dd { (tags_text(g.tags.iter())) }
            }
            h2 { "Resources" }
            @if shown.is_empty() { p { "No resources." } }
            ul.resources {
                @for r in &shown {
                    @let v = r.body.value();
                    li {
                        details {
                            summary {
                                span.name { (r.name) } " "
                                span.type { (r.resource_type) } " "
                                (state_badge(text_at(&v, "/properties/provisioningState")))
                            }
                            p.mono { (r.id) }
                            p { "Created " (when(r.created_time)) ", changed " (when(r.changed_time)) }
                            (pretty(&v))
                        }
                    }
                }
            }
            @if more {
                @if let Some(last) = shown.last() {
                    p { a href={ (group_link(sub_id, rg)) "?after=" (seg(&last.key())) } { "Next " (PAGE) " resources" } }
                }
            }
        })
    });
    Ok(match body {
        Some(body) => page(app, &format!("Resource group {rg}"), "", body),
        None => missing(app, format!("There is no resource group '{rg}' in subscription '{sub_id}'.")),
    })
}

/// `GET /_emulator/ui/deleted`: every soft-deleted resource, with recover and purge buttons.
pub fn deleted(app: &App, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    let now = app.clock().now();
    let body = app.ctx.store().read(|s| {
        let deleted: Vec<&Resource> =
            s.resources_under("/subscriptions/").filter(|r| !r.is_live()).map(|r| &**r).collect();
        html! {
            p { "A soft-deleted workspace keeps its name until it is purged: when the clock passes its purge date, "
                "or now with Purge. Recover sends the PUT a client sends to recover it." }
            (deleted_table(&deleted, now, "Soft-deleted resources"))
        }
    });
    Ok(page(app, "Soft-deleted resources", "/deleted", body))
}

/// The api-version the console's own ARM calls on a type use: the newest stable one.
fn api_version_for(full_type: &str) -> &'static str {
    catalog::resource_type(full_type)
        .and_then(|(_, t)| t.api_versions.iter().copied().find(|v| !v.contains("preview")))
        .unwrap_or("2024-10-01")
}

fn deleted_table(rows: &[&Resource], now: DateTime<Utc>, caption: &str) -> Markup {
    html! {
        table.deleted {
            caption { (caption) }
            thead { tr { th { "Name" } th { "Type" } th { "Group" } th { "Deleted" } th { "Purge date" } th { "Actions" } } }
            tbody {
                @for r in rows {
                    @if let Some(d) = r.soft_deleted {
                        @let api = api_version_for(&r.resource_type);
                        tr data-id=(r.id) {
                            td { (r.name) }
                            td { (r.resource_type) }
                            td { a href=(group_link(&r.subscription_id, &r.resource_group)) { (r.resource_group) } }
                            td { (when(d.deleted_at)) }
                            td {
                                (when(d.purge_at))
                                " (" (left(d.purge_at - now)) ")"
                            }
                            td.actions {
                                (action_button("Recover", "recover", &[("id", &r.id), ("apiVersion", api), ("name", &r.name)], false))
                                " "
                                (action_button("Purge", "purge", &[("id", &r.id), ("apiVersion", api), ("name", &r.name)], true))
                            }
                        }
                    }
                }
                @if rows.is_empty() { tr { td colspan="6" { "None." } } }
            }
        }
    }
}

/// "in 13 days 4 h", "in 5 min", or "due".
fn left(d: chrono::Duration) -> String {
    let mins = d.num_minutes();
    if d <= chrono::Duration::zero() {
        "due".into()
    } else if mins < 60 {
        format!("in {} min", mins.max(1))
    } else if mins < 48 * 60 {
        format!("in {} h {} min", mins / 60, mins % 60)
    } else {
        format!("in {} days {} h", mins / 1440, (mins % 1440) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_naturally() {
        assert_eq!(left(chrono::Duration::days(14)), "in 14 days 0 h");
        assert_eq!(left(chrono::Duration::minutes(90)), "in 1 h 30 min");
        assert_eq!(left(chrono::Duration::seconds(20)), "in 1 min");
        assert_eq!(left(chrono::Duration::zero()), "due");
    }

    #[test]
    fn the_console_calls_arm_with_a_stable_api_version() {
        let v = api_version_for("Microsoft.MachineLearningServices/workspaces");
        assert!(!v.contains("preview") && v.len() == 10, "{v}");
    }
}
