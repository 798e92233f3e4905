//! Soft delete (reference §4.8): DELETE soft-deletes, the name stays reserved, recovery by PUT
//! with `allowRecoverSoftDeletedWorkspace`, purge with `forceToPurge=true`, retention decided
//! by the emulator clock; deleting the group purges everything.

use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

use crate::*;

const DAY: u64 = 86_400;

fn purge(t: &Target, rg: &str, ws: &str) -> Resp {
    t.delete(&mlv(&format!("{}?forceToPurge=true", ws_path(t, rg, ws))))
}

#[test]
fn delete_soft_deletes_and_hides_the_workspace() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    create_ws(&t, "rg1", "other", json!({}));
    t.advance(3600);
    let r = t.delete(&mlv(&ws_path(&t, "rg1", "ws1")));
    assert_eq!(r.status, 200, "{r:?}");
    // GET: the plain ARM 404 (any casing of the name).
    check_error(&get_ws(&t, "rg1", "ws1"), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    check_error(&get_ws(&t, "rg1", "WS1"), 404, "ResourceNotFound", &ws_not_found("rg1", "WS1"));
    // Hidden from both lists.
    let (in_group, in_sub) = listed(&t, "rg1");
    assert_eq!(in_group, vec!["other"]);
    assert_eq!(in_sub, vec!["other"]);
    // Hidden from the generic resource list too.
    let all = items(&t, &av(&format!("{}/resources", t.rg("rg1"))));
    assert_eq!(
        all.iter().filter(|r| r["type"] == "Microsoft.MachineLearningServices/workspaces").count(),
        1,
        "{all:?}"
    );
    // Listed as deleted at both scopes, with the deletion and purge dates.
    let (by_group, by_sub) = deleted(&t, "rg1");
    for list in [&by_group, &by_sub] {
        assert_eq!(list.len(), 1, "{list:?}");
        let d = &list[0];
        assert_eq!(d["name"], "ws1");
        assert_eq!(d["id"], ws_id(&t, "rg1", "ws1"));
        assert_eq!(d["properties"]["workspaceId"], w["properties"]["workspaceId"]);
        assert_eq!(d["properties"]["provisioningState"], "SoftDeleted");
        assert_eq!(d["properties"]["deletedAt"], "2026-01-01T01:00:00.0000000Z");
        assert_eq!(d["properties"]["scheduledPurgeDate"], "2026-01-15T01:00:00.0000000Z");
    }
    // Actions on it answer 404 too.
    let k = t.post(&mlv(&format!("{}/listKeys", ws_path(&t, "rg1", "ws1"))), &json!({}));
    check_error(&k, 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    let p = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"description": "x"}}));
    check_error(&p, 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    // The dependents stay.
    for (prop, api) in
        [("storageAccount", "2019-06-01"), ("keyVault", "2019-09-01"), ("applicationInsights", "2015-05-01")]
    {
        t.get(&with_api(str_of(&w, &format!("/properties/{prop}")), api)).expect(200);
    }
    // A second plain DELETE finds nothing live.
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(204);
    assert_eq!(deleted(&t, "rg1").0.len(), 1, "still soft-deleted");
}

#[test]
fn put_of_a_soft_deleted_name_is_400_until_recovered() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({"description": "original"}));
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    for name in ["ws1", "WS1"] {
        check_error(&put_ws(&t, "rg1", name, json!({})), 400, "BadRequest", SOFT_DELETED);
    }
    // "False" does not recover.
    check_error(
        &put_ws(&t, "rg1", "ws1", json!({"allowRecoverSoftDeletedWorkspace": "False"})),
        400,
        "BadRequest",
        SOFT_DELETED,
    );
    // Recovery keeps the workspace id, the dependents and the stored properties.
    let r = put_ws(&t, "rg1", "ws1", json!({"allowRecoverSoftDeletedWorkspace": "True"}));
    assert_eq!(r.status, 200, "{r:?}");
    let back = r.json();
    for p in ["workspaceId", "storageAccount", "keyVault", "applicationInsights", "description"] {
        assert_eq!(back["properties"][p], w["properties"][p], "{p}");
    }
    assert_eq!(back["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        get_ws(&t, "rg1", "ws1").expect(200).json()["properties"]["workspaceId"],
        w["properties"]["workspaceId"]
    );
    assert_eq!(listed(&t, "rg1").0, vec!["ws1"]);
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty());
}

#[test]
fn recovery_flag_is_case_insensitive() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    let back = create_ws(&t, "rg1", "ws1", json!({"allowRecoverSoftDeletedWorkspace": "true"}));
    assert_eq!(back["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[test]
fn tombstone_is_scoped_to_its_group() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.create_group("rg2", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    create_ws(&t, "rg2", "ws1", json!({}));
    assert_eq!(deleted(&t, "rg2").0.len(), 0);
    assert_eq!(deleted(&t, "rg1").1.len(), 1);
}

#[test]
fn force_to_purge_on_a_live_workspace_purges_it() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    purge(&t, "rg1", "ws1").expect(200);
    check_error(&get_ws(&t, "rg1", "ws1"), 404, "ResourceNotFound", &ws_not_found("rg1", "ws1"));
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty(), "purged, not soft-deleted");
    // The dependents stay even then.
    t.get(&with_api(str_of(&w, "/properties/storageAccount"), "2019-06-01")).expect(200);
    let again = create_ws(&t, "rg1", "ws1", json!({}));
    assert_ne!(again["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[test]
fn force_to_purge_on_a_soft_deleted_workspace_purges_it() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    // The tombstone GET cannot see can still be purged (what `az rest … forceToPurge=true` does).
    purge(&t, "rg1", "ws1").expect(200);
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty());
    // Purging again finds nothing.
    purge(&t, "rg1", "ws1").expect(204);
    let again = create_ws(&t, "rg1", "ws1", json!({}));
    assert_ne!(again["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[rstest]
#[case::plain("")]
#[case::purge("?forceToPurge=true")]
fn delete_of_an_absent_workspace_is_204(#[case] query: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = t.delete(&mlv(&format!("{}{query}", ws_path(&t, "rg1", "never"))));
    assert_eq!(r.status, 204, "{r:?}");
    assert!(r.body.is_empty());
}

#[test]
fn invalid_force_to_purge_is_400() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let r = t.delete(&mlv(&format!("{}?forceToPurge=maybe", ws_path(&t, "rg1", "ws1"))));
    check_error(
        &r,
        400,
        "InvalidQueryParameterValue",
        "The value 'maybe' of the query parameter 'forceToPurge' is invalid. It must be 'true' or 'false'.",
    );
    get_ws(&t, "rg1", "ws1").expect(200);
}

#[test]
fn default_retention_is_14_days_on_the_emulator_clock() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({}));
    assert_eq!(w["properties"]["softDeleteRetentionInDays"], 14);
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    t.advance(13 * DAY);
    check_error(&put_ws(&t, "rg1", "ws1", json!({})), 400, "BadRequest", SOFT_DELETED);
    assert_eq!(deleted(&t, "rg1").1.len(), 1, "still reserved after 13 days");
    t.advance(2 * DAY);
    let (by_group, by_sub) = deleted(&t, "rg1");
    assert!(by_group.is_empty() && by_sub.is_empty(), "purged after 15 days");
    let again = create_ws(&t, "rg1", "ws1", json!({}));
    assert_ne!(again["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[test]
fn retention_of_one_day_ends_after_one_day() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let w = create_ws(&t, "rg1", "ws1", json!({"softDeleteRetentionInDays": 1}));
    assert_eq!(w["properties"]["softDeleteRetentionInDays"], 1);
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    assert_eq!(deleted(&t, "rg1").0[0]["properties"]["scheduledPurgeDate"], "2026-01-02T00:00:00.0000000Z");
    t.advance(DAY - 1);
    check_error(&put_ws(&t, "rg1", "ws1", json!({})), 400, "BadRequest", SOFT_DELETED);
    t.advance(2);
    assert!(deleted(&t, "rg1").0.is_empty());
    // Recovery is no longer possible: the PUT creates a new workspace.
    let again = create_ws(&t, "rg1", "ws1", json!({"allowRecoverSoftDeletedWorkspace": "True"}));
    assert_ne!(again["properties"]["workspaceId"], w["properties"]["workspaceId"]);
}

#[test]
fn retention_can_be_changed_by_patch() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    create_ws(&t, "rg1", "ws1", json!({}));
    let u = t
        .patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"softDeleteRetentionInDays": 3}}))
        .expect(200)
        .json();
    assert_eq!(u["properties"]["softDeleteRetentionInDays"], 3);
    t.delete(&mlv(&ws_path(&t, "rg1", "ws1"))).expect(200);
    assert_eq!(deleted(&t, "rg1").0[0]["properties"]["scheduledPurgeDate"], "2026-01-04T00:00:00.0000000Z");
}

#[rstest]
#[case::zero(json!(0), "0")]
#[case::fifteen(json!(15), "15")]
#[case::negative(json!(-1), "-1")]
#[case::fraction(json!(1.5), "1.5")]
#[case::text(json!("7"), "\"7\"")]
fn retention_outside_1_to_14_is_400(#[case] days: Value, #[case] shown: &str) {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let r = put_ws(&t, "rg1", "ws1", json!({"softDeleteRetentionInDays": days}));
    check_error(
        &r,
        400,
        "ValidationError",
        &format!("'softDeleteRetentionInDays' must be a whole number of days from 1 to 14, not {shown}."),
    );
    get_ws(&t, "rg1", "ws1").expect(404);
    create_ws(&t, "rg1", "ws1", json!({}));
    let p = t.patch(&mlv(&ws_path(&t, "rg1", "ws1")), &json!({"properties": {"softDeleteRetentionInDays": days}}));
    check_error(
        &p,
        400,
        "ValidationError",
        &format!("'softDeleteRetentionInDays' must be a whole number of days from 1 to 14, not {shown}."),
    );
}

#[test]
fn deleting_the_group_purges_workspaces_and_dependents() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let live = create_ws(&t, "rg1", "live1", json!({}));
    let gone = create_ws(&t, "rg1", "gone1", json!({}));
    t.delete(&mlv(&ws_path(&t, "rg1", "gone1"))).expect(200);
    assert_eq!(deleted(&t, "rg1").1.len(), 1);
    let r = t.delete(&av(&t.rg("rg1")));
    assert!(r.status == 200 || r.status == 202, "{r:?}");
    check_error(&t.get(&av(&t.rg("rg1"))), 404, "ResourceGroupNotFound", "Resource group 'rg1' could not be found.");
    assert!(
        items(&t, &mlv(&format!("{}/providers/{NS}/deletedWorkspaces", t.sub()))).is_empty(),
        "soft-deleted workspaces are purged too"
    );
    assert!(items(&t, &mlv(&format!("{}/providers/{NS}/workspaces", t.sub()))).is_empty());
    assert!(items(&t, &av(&format!("{}/resources", t.sub()))).is_empty(), "dependents are gone");

    // Re-creating the group and both workspaces works, with new ids.
    t.create_group("rg1", LOCATION);
    check_error(&get_ws(&t, "rg1", "live1"), 404, "ResourceNotFound", &ws_not_found("rg1", "live1"));
    let a = create_ws(&t, "rg1", "live1", json!({}));
    let b = create_ws(&t, "rg1", "gone1", json!({}));
    assert_ne!(a["properties"]["workspaceId"], live["properties"]["workspaceId"]);
    assert_ne!(b["properties"]["workspaceId"], gone["properties"]["workspaceId"]);
    for w in [&a, &b] {
        t.get(&with_api(str_of(w, "/properties/storageAccount"), "2019-06-01")).expect(200);
    }
}
