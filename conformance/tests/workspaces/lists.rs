//! Lists by group and by subscription, paged with `$top` and continued through `$skip`
//! nextLinks (absolute URLs), every workspace exactly once.

use std::collections::BTreeSet;

use conformance::*;
use serde_json::{json, Value};

use crate::*;

/// Follows nextLinks (asserting each is an absolute `$skip` URL) and returns names and pages.
fn walk(t: &Target, first: &str) -> (Vec<String>, usize) {
    let mut url = first.to_string();
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = t.get(&url).expect(200).json();
        pages += 1;
        let value = page["value"].as_array().unwrap_or_else(|| panic!("{page}"));
        assert!(value.len() <= 2, "$top=2 pages hold at most 2: {page}");
        names.extend(value.iter().map(|w| str_of(w, "/name").to_string()));
        match page.get("nextLink") {
            None | Some(Value::Null) => break,
            Some(Value::String(n)) => {
                assert!(n.starts_with(t.base()), "nextLink is absolute at the emulator: {n}");
                assert!(n.contains("%24skip=") || n.contains("$skip="), "continuation via $skip: {n}");
                assert!(!n.contains("skipToken"), "workspaces use $skip, not $skipToken: {n}");
                assert!(n.contains("api-version="), "{n}");
                url = n.clone();
            }
            Some(other) => panic!("nextLink is not a string: {other}"),
        }
        assert!(pages < 50);
    }
    (names, pages)
}

#[test]
fn lists_by_group_and_subscription_page_with_skip() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    t.create_group("rg2", LOCATION);
    let in_rg1 = ["alpha", "bravo", "charlie", "delta", "echo"];
    for w in in_rg1 {
        create_ws(&t, "rg1", w, json!({}));
    }
    create_ws(&t, "rg2", "foxtrot", json!({}));
    // Other types named `workspaces` (Log Analytics) are not ML workspaces.
    let law = res_id(&t, "rg1", "Microsoft.OperationalInsights/workspaces", "logs1");
    put_res(&t, &law, "2022-10-01", json!({"location": LOCATION, "properties": {}}));
    // One soft-deleted workspace never shows up.
    create_ws(&t, "rg1", "ghost", json!({}));
    t.delete(&mlv(&ws_path(&t, "rg1", "ghost"))).expect(200);

    let (names, pages) = walk(&t, &mlv(&format!("{}/providers/{NS}/workspaces?$top=2", t.rg("rg1"))));
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 5, "each once: {names:?}");
    assert_eq!(names.iter().cloned().collect::<BTreeSet<_>>(), in_rg1.iter().map(|s| s.to_string()).collect());

    let (names, pages) = walk(&t, &mlv(&format!("{}/providers/{NS}/workspaces?$top=2", t.sub())));
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 6, "each once: {names:?}");
    let mut want: BTreeSet<String> = in_rg1.iter().map(|s| s.to_string()).collect();
    want.insert("foxtrot".into());
    assert_eq!(names.iter().cloned().collect::<BTreeSet<_>>(), want);

    // Unpaged: everything on one page, full workspace bodies.
    let all = items(&t, &mlv(&format!("{}/providers/{NS}/workspaces", t.sub())));
    assert_eq!(all.len(), 6);
    assert!(all
        .iter()
        .all(|w| w["properties"]["workspaceId"].is_string()
            && w["type"] == "Microsoft.MachineLearningServices/workspaces"));
}

#[test]
fn list_of_an_empty_group_is_empty_and_a_missing_group_is_404() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    let page = t.get(&mlv(&format!("{}/providers/{NS}/workspaces", t.rg("rg1")))).expect(200).json();
    assert_eq!(page["value"], json!([]));
    assert!(page.get("nextLink").is_none_or(Value::is_null));
    let r = t.get(&mlv(&format!("{}/providers/{NS}/workspaces", t.rg("nogroup"))));
    check_error(&r, 404, "ResourceGroupNotFound", "Resource group 'nogroup' could not be found.");
}

#[test]
fn deleted_workspaces_page_too() {
    let t = require_emulator!();
    t.create_group("rg1", LOCATION);
    for w in ["a1x", "b2x", "c3x"] {
        create_ws(&t, "rg1", w, json!({}));
        t.delete(&mlv(&ws_path(&t, "rg1", w))).expect(200);
    }
    let (names, pages) = walk(&t, &mlv(&format!("{}/providers/{NS}/deletedWorkspaces?$top=2", t.sub())));
    assert_eq!(pages, 2);
    assert_eq!(names, vec!["a1x", "b2x", "c3x"]);
}
