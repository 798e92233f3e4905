//! Resource groups (SPEC §3, arm-wire-protocol.md §1).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use conformance::*;
use rstest::rstest;
use serde_json::{json, Value};

const STORAGE_API: &str = "2019-06-01";

fn storage_path(t: &Target, rg: &str, name: &str) -> String {
    format!(
        "{}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}?api-version={STORAGE_API}",
        t.sub()
    )
}

fn create_storage(t: &Target, rg: &str, name: &str) {
    t.put(
        &storage_path(t, rg, name),
        &json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
    )
    .expect(200);
}

#[test]
fn put_answers_201_then_200_with_the_documented_shape() {
    let t = Target::new();
    let rg = t.unique("rg1");
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope"})).expect(201);
    let expected = json!({
        "id": t.rg_id(&rg),
        "name": rg,
        "type": "Microsoft.Resources/resourceGroups",
        "location": "westeurope",
        "properties": {"provisioningState": "Succeeded"},
    });
    assert_eq!(r.json(), expected);
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope"})).expect(200);
    assert_eq!(r.json(), expected);
    assert_eq!(t.get(&av(&t.rg(&rg))).expect(200).json(), expected);
}

#[test]
fn put_with_tags_returns_them() {
    let t = Target::new();
    let rg = t.unique("tagged");
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "eastus", "tags": {"env": "dev", "owner": "me"}})).expect(201);
    assert_eq!(
        r.json(),
        json!({
            "id": t.rg_id(&rg),
            "name": rg,
            "type": "Microsoft.Resources/resourceGroups",
            "location": "eastus",
            "tags": {"env": "dev", "owner": "me"},
            "properties": {"provisioningState": "Succeeded"},
        })
    );
    // A re-PUT replaces the tag set.
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "eastus", "tags": {"env": "prod"}})).expect(200);
    assert_eq!(r.json()["tags"], json!({"env": "prod"}));
}

#[test]
fn managed_by_is_returned_and_kept_by_a_re_put_that_omits_it() {
    let t = Target::new();
    let rg = t.unique("managed");
    let owner = format!("{}/providers/Microsoft.Solutions/applications/app1", t.rg_id(&rg));
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope", "managedBy": owner})).expect(201);
    assert_eq!(r.json()["managedBy"], json!(owner));
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope"})).expect(200);
    assert_eq!(r.json()["managedBy"], json!(owner));
    assert_eq!(t.get(&av(&t.rg(&rg))).expect(200).json()["managedBy"], json!(owner));
}

#[rstest]
#[case::display_name("West Europe")]
#[case::upper("WESTEUROPE")]
#[case::short("westeurope")]
#[case::spaced_lower("west europe")]
fn display_name_locations_are_normalised(#[case] location: &str) {
    let t = Target::new();
    let rg = t.unique("norm");
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": location})).expect(201);
    assert_eq!(r.json()["location"], "westeurope");
    // The same region in another spelling is not a different location.
    t.put(&av(&t.rg(&rg)), &json!({"location": "West Europe"})).expect(200);
}

#[rstest]
#[case::no_location(json!({}))]
#[case::null_location(json!({"location": null}))]
#[case::empty_location(json!({"location": ""}))]
#[case::tags_only(json!({"tags": {"a": "b"}}))]
fn missing_location_is_400(#[case] body: Value) {
    let t = Target::new();
    let r = t.put(&av(&t.rg("noloc")), &body);
    check_error(&r, 400, "LocationRequired", "The location property is required for this definition.");
    t.get(&av(&t.rg("noloc"))).expect(404);
}

#[test]
fn unknown_region_is_400() {
    let t = Target::new();
    let r = t.put(&av(&t.rg("mars")), &json!({"location": "moonbase"}));
    check_error_prefix(
        &r,
        400,
        "LocationNotAvailableForResourceGroup",
        "The provided location 'moonbase' is not available for resource group. List of available regions is '",
    );
    if !t.is_external() {
        let regions = armemu::catalog::region_names().join(",");
        check_error(
            &r,
            400,
            "LocationNotAvailableForResourceGroup",
            &format!("The provided location 'moonbase' is not available for resource group. List of available regions is '{regions}'."),
        );
    }
}

#[rstest]
#[case::short_name("eastus", "eastus")]
#[case::display_name("East US", "East US")]
fn re_put_with_another_location_is_409(#[case] other: &str, #[case] quoted: &str) {
    let t = Target::new();
    let rg = t.unique("moved");
    t.create_group(&rg, "westeurope");
    let r = t.put(&av(&t.rg(&rg)), &json!({"location": other}));
    check_error(
        &r,
        409,
        "InvalidResourceGroupLocation",
        &format!(
            "Invalid resource group location '{quoted}'. The Resource group already exists in location 'westeurope'."
        ),
    );
    assert_eq!(t.get(&av(&t.rg(&rg))).expect(200).json()["location"], "westeurope");
}

#[rstest]
#[case::one_char("a".to_string())]
#[case::ninety_chars("x".repeat(90))]
#[case::punctuation("my-rg_(1).x".to_string())]
#[case::latin_letters("grupo-ñandú".to_string())]
#[case::japanese("データ".to_string())]
#[case::greek_and_digits("ομάδα-42".to_string())]
fn valid_group_names_are_accepted(#[case] name: String) {
    let t = require_emulator!();
    let r = t.put(&av(&t.rg(&name)), &json!({"location": "westeurope"})).expect(201).json();
    assert_eq!(r["name"], name.as_str());
    assert_eq!(r["id"], t.rg_id(&name));
    assert_eq!(t.get(&av(&t.rg(&name))).expect(200).json()["name"], name.as_str());
}

#[rstest]
#[case::ninety_one_chars("x".repeat(91))]
#[case::trailing_dot("ends.".to_string())]
#[case::space("has space".to_string())]
#[case::percent("per%cent".to_string())]
#[case::plus("a+b".to_string())]
#[case::only_dot(".".to_string())]
fn invalid_group_names_are_400(#[case] name: String) {
    let t = require_emulator!();
    let r = t.put(&av(&t.rg(&name)), &json!({"location": "westeurope"}));
    check_error(
        &r,
        400,
        "InvalidResourceGroupName",
        &format!("The resource group name '{name}' is invalid. It must be 1 to 90 characters of letters, digits, '_', '-', '.', '(' or ')', and must not end with '.'."),
    );
    assert_eq!(check_envelope(&r)["target"], "resourceGroupName");
}

#[test]
fn get_of_a_missing_group_is_404() {
    let t = Target::new();
    let rg = t.unique("ghost");
    let r = t.get(&av(&t.rg(&rg)));
    check_error(&r, 404, "ResourceGroupNotFound", &format!("Resource group '{rg}' could not be found."));
}

#[test]
fn head_answers_204_or_404_without_a_body() {
    let t = Target::new();
    let rg = t.unique("exists");
    let r = t.head(&av(&t.rg(&rg)));
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty(), "{r:?}");
    t.create_group(&rg, "westeurope");
    let r = t.head(&av(&t.rg(&rg)));
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty(), "{r:?}");
    // Case-insensitive like every other lookup.
    assert_eq!(t.head(&av(&t.rg(&rg.to_uppercase()))).status, 204);
}

#[test]
fn patch_replaces_the_tag_set() {
    let t = Target::new();
    let rg = t.unique("patched");
    t.put(&av(&t.rg(&rg)), &json!({"location": "westeurope", "tags": {"a": "1", "b": "2"}})).expect(201);
    let r = t.patch(&av(&t.rg(&rg)), &json!({"tags": {"c": "3"}})).expect(200).json();
    assert_eq!(
        r,
        json!({
            "id": t.rg_id(&rg),
            "name": rg,
            "type": "Microsoft.Resources/resourceGroups",
            "location": "westeurope",
            "tags": {"c": "3"},
            "properties": {"provisioningState": "Succeeded"},
        })
    );
    assert_eq!(t.get(&av(&t.rg(&rg))).expect(200).json()["tags"], json!({"c": "3"}));
    // A PATCH without tags keeps them.
    let r = t.patch(&av(&t.rg(&rg)), &json!({})).expect(200).json();
    assert_eq!(r["tags"], json!({"c": "3"}));
    // An empty tag object clears them.
    let r = t.patch(&av(&t.rg(&rg)), &json!({"tags": {}})).expect(200).json();
    assert!(r.get("tags").is_none_or(|v| v == &json!({})), "{r}");
}

#[test]
fn patch_of_a_missing_group_is_404() {
    let t = Target::new();
    let r = t.patch(&av(&t.rg("ghost")), &json!({"tags": {"a": "b"}}));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'ghost' could not be found.");
}

#[test]
fn patch_cannot_move_a_group() {
    let t = Target::new();
    let rg = t.unique("stay");
    t.create_group(&rg, "westeurope");
    let r = t.patch(&av(&t.rg(&rg)), &json!({"location": "eastus"}));
    check_error(
        &r,
        409,
        "InvalidResourceGroupLocation",
        "Invalid resource group location 'eastus'. The Resource group already exists in location 'westeurope'.",
    );
}

#[test]
fn list_pages_with_top_and_absolute_next_links() {
    let t = require_emulator!();
    let names = ["g1", "g2", "g3", "g4", "g5"];
    for n in names {
        t.create_group(n, "westeurope");
    }
    let first = t.get(&format!("{}/resourcegroups?api-version={API}&$top=2", t.sub())).expect(200).json();
    assert_eq!(first["value"].as_array().map(Vec::len), Some(2));
    let next = first["nextLink"].as_str().expect("nextLink on a non-final page");
    assert!(next.starts_with(&format!("{}/subscriptions/{}/resourcegroups?", t.base(), t.subscription)), "{next}");
    assert!(next.contains("api-version=2021-04-01"), "{next}");
    let (all, pages) = collect_pages(&t, &format!("{}/resourcegroups?api-version={API}&$top=2", t.sub()));
    assert_eq!(pages, 3);
    let mut seen: Vec<String> = all.iter().map(|g| g["name"].as_str().unwrap_or_default().to_string()).collect();
    seen.sort();
    assert_eq!(seen, names.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "every group exactly once");
    // Without $top: one page, no nextLink.
    let all = t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200).json();
    assert_eq!(all["value"].as_array().map(Vec::len), Some(5));
    assert!(all.get("nextLink").is_none_or(Value::is_null), "{all}");
}

#[test]
fn list_items_have_the_group_shape() {
    let t = require_emulator!();
    t.put(&av(&t.rg("Listed")), &json!({"location": "West Europe", "tags": {"k": "v"}})).expect(201);
    let list = t.get(&av(&format!("{}/resourcegroups", t.sub()))).expect(200).json();
    assert_eq!(
        list,
        json!({"value": [{
            "id": t.rg_id("Listed"),
            "name": "Listed",
            "type": "Microsoft.Resources/resourceGroups",
            "location": "westeurope",
            "tags": {"k": "v"},
            "properties": {"provisioningState": "Succeeded"},
        }]})
    );
}

#[rstest]
#[case::tag_name_and_value("tagName eq 'env' and tagValue eq 'dev'", &["dev1"])]
#[case::tag_name_only("tagName eq 'env'", &["dev1", "prod1"])]
#[case::other_value("tagName eq 'env' and tagValue eq 'prod'", &["prod1"])]
#[case::no_match("tagName eq 'team'", &[])]
fn list_filters_on_tags(#[case] filter: &str, #[case] expected: &[&str]) {
    let t = require_emulator!();
    t.put(&av(&t.rg("dev1")), &json!({"location": "westeurope", "tags": {"env": "dev"}})).expect(201);
    t.put(&av(&t.rg("prod1")), &json!({"location": "westeurope", "tags": {"env": "prod"}})).expect(201);
    t.put(&av(&t.rg("plain")), &json!({"location": "westeurope"})).expect(201);
    let r = t.get(&format!("{}/resourcegroups?api-version={API}&$filter={}", t.sub(), qv(filter))).expect(200).json();
    let names: Vec<&str> = r["value"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, expected);
}

#[rstest]
#[case::unknown_field("color eq 'red'")]
#[case::unsupported_operator("tagName ne 'env'")]
#[case::value_without_name("tagValue eq 'dev'")]
#[case::garbage("(((")]
fn invalid_group_filter_is_400(#[case] filter: &str) {
    let t = Target::new();
    let r = t.get(&format!("{}/resourcegroups?api-version={API}&$filter={}", t.sub(), qv(filter)));
    check_error_prefix(&r, 400, "InvalidFilterInQueryString", "");
}

#[test]
fn delete_by_default_is_synchronous_and_removes_the_contents() {
    let t = require_emulator!();
    t.create_group("doomed", "westeurope");
    create_storage(&t, "doomed", "sa1");
    t.create_group("bystander", "westeurope");
    create_storage(&t, "bystander", "sa2");
    let r = t.delete(&av(&t.rg("doomed")));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.is_empty(), "{r:?}");
    check_error(
        &t.get(&av(&t.rg("doomed"))),
        404,
        "ResourceGroupNotFound",
        "Resource group 'doomed' could not be found.",
    );
    // The resource inside is gone (its group is) and no longer listed; the other group's stays.
    check_error(
        &t.get(&storage_path(&t, "doomed", "sa1")),
        404,
        "ResourceGroupNotFound",
        "Resource group 'doomed' could not be found.",
    );
    let all = t.get(&av(&format!("{}/resources", t.sub()))).expect(200).json();
    let names: Vec<&str> = all["value"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sa2"]);
    // Re-creating the name gives an empty group.
    t.create_group("doomed", "westeurope");
    assert_eq!(t.get(&av(&format!("{}/resources", t.rg("doomed")))).expect(200).json(), json!({"value": []}));
}

#[test]
fn delete_of_a_missing_group_is_404() {
    let t = Target::new();
    let r = t.delete(&av(&t.rg("ghost")));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'ghost' could not be found.");
}

/// The `{token}` of `…/operationresults/{token}?api-version=…`, decoded.
fn job_of(location: &str) -> Value {
    let token =
        location.split("/operationresults/").nth(1).and_then(|r| r.split('?').next()).expect("operationresults token");
    let bytes = URL_SAFE_NO_PAD.decode(token).unwrap_or_else(|e| panic!("token {token} is unpadded base64url: {e}"));
    serde_json::from_slice(&bytes).expect("token is JSON")
}

#[test]
fn async_delete_answers_202_with_arms_location_and_polls_to_200() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:2");
    t.create_group("MyRG", "westeurope");
    create_storage(&t, "MyRG", "sa1");
    let r = t.delete(&av(&t.rg("MyRG")));
    assert_eq!(r.status, 202, "{r:?}");
    assert!(r.body.is_empty(), "{r:?}");
    assert_eq!(r.header("retry-after"), Some("1"));
    let loc = r.header("location").expect("Location").to_string();
    let prefix = format!("{}/subscriptions/{}/operationresults/", t.base(), t.subscription);
    assert!(loc.starts_with(&prefix), "{loc}");
    assert!(loc.ends_with(&format!("?api-version={API}")), "{loc}");
    assert_eq!(job_of(&loc), json!({"jobId": "RESOURCEGROUPDELETIONJOB-MYRG-WESTEUROPE", "jobLocation": "westeurope"}));
    // The token is exactly ARM's serialisation (key order, no spaces).
    let token = loc[prefix.len()..].split('?').next().unwrap();
    assert_eq!(
        String::from_utf8(URL_SAFE_NO_PAD.decode(token).unwrap()).unwrap(),
        r#"{"jobId":"RESOURCEGROUPDELETIONJOB-MYRG-WESTEUROPE","jobLocation":"westeurope"}"#
    );

    // While it runs the group reads as Deleting.
    let g = t.get(&av(&t.rg("MyRG"))).expect(200).json();
    assert_eq!(g["properties"]["provisioningState"], "Deleting");
    // First poll: still running.
    let p = t.get(&loc);
    assert_eq!(p.status, 202, "{p:?}");
    assert!(p.body.is_empty());
    assert_eq!(p.header("retry-after"), Some("1"));
    assert!(p.header("location").is_some_and(|l| l.starts_with(&prefix)), "{:?}", p.headers);
    // Second poll: done.
    let p = t.get(&loc);
    assert_eq!(p.status, 200, "{p:?}");
    assert!(p.body.is_empty());
    check_error(&t.get(&av(&t.rg("MyRG"))), 404, "ResourceGroupNotFound", "Resource group 'MyRG' could not be found.");
    let all = t.get(&av(&format!("{}/resources", t.sub()))).expect(200).json();
    assert_eq!(all, json!({"value": []}));
    // Polling a finished operation keeps answering its result.
    assert_eq!(t.get(&loc).status, 200);
}

#[test]
fn writes_while_a_group_is_deleting_are_409() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:2");
    t.create_group("MyRG", "westeurope");
    t.delete(&av(&t.rg("MyRG"))).expect(202);
    let msg = "The resource group 'MyRG' is in deprovisioning state and cannot perform this operation.";
    check_error(&t.put(&av(&t.rg("MyRG")), &json!({"location": "westeurope"})), 409, "ResourceGroupBeingDeleted", msg);
    check_error(&t.patch(&av(&t.rg("MyRG")), &json!({"tags": {"a": "b"}})), 409, "ResourceGroupBeingDeleted", msg);
    let r = t.put(&storage_path(&t, "MyRG", "sa9"), &json!({"location": "westeurope"}));
    check_error(&r, 409, "ResourceGroupBeingDeleted", msg);
    // A second DELETE answers like the first.
    let again = t.delete(&av(&t.rg("MyRG"))).expect(202);
    assert_eq!(job_of(again.header("location").unwrap())["jobId"], "RESOURCEGROUPDELETIONJOB-MYRG-WESTEUROPE");
}

#[test]
fn seconds_mode_completes_only_after_the_clock_moves() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "seconds:30");
    t.create_group("slow", "eastus");
    let r = t.delete(&av(&t.rg("slow"))).expect(202);
    let loc = r.header("location").unwrap().to_string();
    assert_eq!(job_of(&loc), json!({"jobId": "RESOURCEGROUPDELETIONJOB-SLOW-EASTUS", "jobLocation": "eastus"}));
    for _ in 0..3 {
        assert_eq!(t.get(&loc).status, 202);
    }
    t.advance(29);
    assert_eq!(t.get(&loc).status, 202);
    assert_eq!(t.get(&av(&t.rg("slow"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
    t.advance(2);
    assert_eq!(t.get(&loc).status, 200);
    t.get(&av(&t.rg("slow"))).expect(404);
}

#[test]
fn failing_mode_reports_the_error_and_rolls_the_group_back() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:1:fail");
    t.create_group("sturdy", "westeurope");
    create_storage(&t, "sturdy", "sa1");
    let loc = t.delete(&av(&t.rg("sturdy"))).expect(202).header("location").unwrap().to_string();
    assert_eq!(t.get(&av(&t.rg("sturdy"))).expect(200).json()["properties"]["provisioningState"], "Deleting");
    let p = t.get(&loc);
    check_error(
        &p,
        500,
        "InternalOperationError",
        "The operation 'resourceGroups/delete' failed as configured by the emulator's LRO mode 'polls:1:fail'.",
    );
    assert_eq!(t.get(&av(&t.rg("sturdy"))).expect(200).json()["properties"]["provisioningState"], "Succeeded");
    t.get(&storage_path(&t, "sturdy", "sa1")).expect(200);
    // The group is writable again.
    t.put(&av(&t.rg("sturdy")), &json!({"location": "westeurope", "tags": {"after": "failure"}})).expect(200);
}

#[test]
fn async_delete_over_https_points_at_the_https_listener() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:1");
    t.create_group("secure", "westeurope");
    let https = t.https();
    let r = https.delete(&av(&t.rg("secure"))).expect(202);
    let loc = r.header("location").unwrap().to_string();
    assert!(loc.starts_with(&format!("{}/subscriptions/", t.emu().https)), "{loc}");
    assert_eq!(https.get(&loc).status, 200);
    t.get(&av(&t.rg("secure"))).expect(404);
}

#[test]
fn if_none_match_star_on_an_existing_group_is_412() {
    let t = Target::new();
    let rg = t.unique("cond");
    let body = serde_json::to_vec(&json!({"location": "westeurope"})).unwrap();
    let h = [("Content-Type", "application/json"), ("If-None-Match", "*")];
    t.request("PUT", &av(&t.rg(&rg)), &h, Some(body.clone())).expect(201);
    let r = t.request("PUT", &av(&t.rg(&rg)), &h, Some(body));
    check_error(&r, 412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.");
}

#[test]
fn if_match_star_on_a_missing_group_is_412() {
    let t = Target::new();
    let rg = t.unique("cond");
    let body = serde_json::to_vec(&json!({"location": "westeurope"})).unwrap();
    let h = [("Content-Type", "application/json"), ("If-Match", "*")];
    let r = t.request("PUT", &av(&t.rg(&rg)), &h, Some(body.clone()));
    check_error(&r, 412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met.");
    t.get(&av(&t.rg(&rg))).expect(404);
    t.create_group(&rg, "westeurope");
    t.request("PUT", &av(&t.rg(&rg)), &h, Some(body)).expect(200);
}

#[test]
fn async_delete_of_a_group_with_a_unicode_name_still_has_a_location() {
    let t = require_emulator!();
    t.lro("resourceGroups/delete", "polls:1");
    let name = "grupo-ñandú";
    t.create_group(name, "westeurope");
    let r = t.delete(&av(&t.rg(name))).expect(202);
    let loc = r.header("location").unwrap_or_else(|| panic!("Location header missing: {:?}", r.headers)).to_string();
    assert_eq!(
        job_of(&loc),
        json!({"jobId": "RESOURCEGROUPDELETIONJOB-GRUPO-ÑANDÚ-WESTEUROPE", "jobLocation": "westeurope"})
    );
    assert_eq!(t.get(&loc).status, 200);
    t.get(&av(&t.rg(name))).expect(404);
}

#[test]
fn polling_an_unknown_operation_is_404() {
    let t = require_emulator!();
    let r = t.get(&av(&format!("{}/operationresults/bm9uZQ", t.sub())));
    check_error(&r, 404, "OperationNotFound", "The operation 'bm9uZQ' could not be found.");
}

#[rstest]
#[case::zero("0")]
#[case::negative("-1")]
#[case::word("all")]
fn invalid_top_is_400(#[case] top: &str) {
    let t = Target::new();
    let r = t.get(&format!("{}/resourcegroups?api-version={API}&$top={top}", t.sub()));
    check_error(
        &r,
        400,
        "InvalidTopValue",
        &format!("The value '{top}' of the query parameter '$top' is invalid. It must be a positive integer."),
    );
}

#[test]
fn a_tampered_continuation_token_is_400() {
    let t = require_emulator!();
    let r = t.get(&format!("{}/resourcegroups?api-version={API}&$skipToken=%%%", t.sub()));
    assert_eq!(r.status, 400, "{r:?}");
    check_error_prefix(&r, 400, "InvalidContinuationToken", "The continuation token '");
}

#[rstest]
#[case::number(json!({"location": 7}), "a number")]
#[case::array(json!({"location": ["westeurope"]}), "an array")]
fn a_location_that_is_not_a_string_is_400_invalid_request_content(#[case] body: Value, #[case] kind: &str) {
    let t = Target::new();
    let r = t.put(&av(&t.rg("badloc")), &body);
    check_error(
        &r,
        400,
        "InvalidRequestContent",
        &format!("The request content was invalid and could not be deserialized: ''location' must be a string, found {kind}'."),
    );
}
