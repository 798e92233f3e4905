//! Conformance scenarios for Azure ML environments as ARM resources (issue 10):
//! `…/workspaces/{ws}/environments` (containers) and `…/environments/{name}/versions/{v}`.
//! The first version creates its container, an unchanged re-PUT answers 200, a changed
//! definition 409 (what azure-ai-ml's auto-increment relies on), archive and restore, list
//! views, ordering and paging, the curated set in every workspace, the reserved `AzureML`
//! prefix, visibility through the workspace's soft delete, recovery and purge, the side data
//! through export and import, and the Rust API the v1 environment service stores through.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids); time passes only
//! through `/_emulator/clock/advance`. Negative tests assert status, `error.code` and the exact
//! `error.message`.

use conformance::*;
use serde_json::{json, Value};

/// What azure-ai-ml 1.35.2 sends for environments.
const API: &str = "2023-04-01-preview";
const NS: &str = "Microsoft.MachineLearningServices";
const LOCATION: &str = "eastus";
const IMAGE: &str = "docker.io/python:3.11-slim";
const CURATED: [&str; 5] = [
    "AzureML-ACPT-pytorch-2.2-cuda12.1",
    "AzureML-Minimal",
    "AzureML-pytorch-2.2-cuda11.8",
    "AzureML-sklearn-1.5",
    "AzureML-Tutorial",
];

fn api(path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}api-version={API}")
}

fn ws_path(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}", t.rg(rg))
}

fn ws_id(t: &Target, rg: &str, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}", t.rg_id(rg))
}

fn envs(t: &Target, ws: &str) -> String {
    format!("{}/environments", ws_path(t, "rg1", ws))
}

fn env(t: &Target, ws: &str, name: &str) -> String {
    format!("{}/{name}", envs(t, ws))
}

fn ver(t: &Target, ws: &str, name: &str, v: &str) -> String {
    format!("{}/versions/{v}", env(t, ws, name))
}

#[track_caller]
fn create_ws(t: &Target, rg: &str, ws: &str) {
    let r = t.put(
        &format!("{}?api-version=2024-04-01", ws_path(t, rg, ws)),
        &json!({"location": LOCATION, "properties": {}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

/// A group `rg1` with workspace `ws1`.
fn setup(t: &Target) {
    t.create_group("rg1", LOCATION);
    create_ws(t, "rg1", "ws1");
}

fn put_ver(t: &Target, name: &str, v: &str, props: Value) -> Resp {
    t.put(&api(&ver(t, "ws1", name, v)), &json!({ "properties": props }))
}

fn not_found_msg(rg: &str, rest: &str) -> String {
    format!("The Resource '{NS}/workspaces/{rest}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
}

fn names(list: &Value) -> Vec<String> {
    list["value"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()).collect()
}

fn list_names(t: &Target, path: &str) -> Vec<String> {
    let (items, _) = collect_pages(t, &api(path));
    items.iter().map(|v| v["name"].as_str().unwrap().to_string()).collect()
}

fn user_containers(t: &Target, query: &str) -> Vec<String> {
    list_names(t, &format!("{}{query}", envs(t, "ws1")))
        .into_iter()
        .filter(|n| !CURATED.contains(&n.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Versions and containers
// ---------------------------------------------------------------------------------------------

#[test]
fn the_first_version_creates_its_container() {
    let t = require_emulator!();
    setup(&t);
    check_error(
        &t.get(&api(&env(&t, "ws1", "env1"))),
        404,
        "ResourceNotFound",
        &not_found_msg("rg1", "ws1/environments/env1"),
    );
    let r = put_ver(&t, "env1", "1", json!({"image": IMAGE, "description": "first", "tags": {"team": "a"}}));
    assert_eq!(r.status, 201, "{r:?}");
    let v = r.json();
    assert_eq!(keys(&v), sorted(&["id", "name", "type", "properties", "systemData"]));
    assert_eq!(v["id"], format!("{}/environments/env1/versions/1", ws_id(&t, "rg1", "ws1")));
    assert_eq!(v["name"], "1");
    assert_eq!(v["type"], "Microsoft.MachineLearningServices/workspaces/environments/versions");
    let p = &v["properties"];
    assert_eq!(
        keys(p),
        sorted(&[
            "autoRebuild",
            "description",
            "environmentType",
            "image",
            "isAnonymous",
            "isArchived",
            "osType",
            "properties",
            "provisioningState",
            "tags"
        ])
    );
    assert_eq!(p["image"], IMAGE);
    assert_eq!(p["osType"], "Linux");
    assert_eq!(p["autoRebuild"], "Disabled");
    assert_eq!(p["environmentType"], "UserCreated");
    assert_eq!(p["isAnonymous"], false);
    assert_eq!(p["isArchived"], false);
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["tags"], json!({"team": "a"}));
    assert_eq!(
        keys(&v["systemData"]),
        sorted(&["createdAt", "createdBy", "createdByType", "lastModifiedAt", "lastModifiedBy", "lastModifiedByType"])
    );
    assert_eq!(v["systemData"]["createdAt"], "2026-01-01T00:00:00.0000000Z");
    assert_eq!(t.get(&api(&ver(&t, "ws1", "env1", "1"))).expect(200).json(), v);
    // Names are case-insensitive, as stored.
    assert_eq!(t.get(&api(&ver(&t, "ws1", "ENV1", "1"))).expect(200).json()["name"], "1");
    let c = t.get(&api(&env(&t, "ws1", "env1"))).expect(200).json();
    assert_eq!(c["id"], format!("{}/environments/env1", ws_id(&t, "rg1", "ws1")));
    assert_eq!(c["type"], "Microsoft.MachineLearningServices/workspaces/environments");
    assert_eq!(c["properties"]["latestVersion"], "1");
    assert_eq!(c["properties"]["nextVersion"], "2");
    assert_eq!(c["properties"]["isArchived"], false);
    assert_eq!(c["properties"]["provisioningState"], "Succeeded");
    // The spec's stable api-version answers the same.
    let stable = t.get(&format!("{}?api-version=2024-10-01", ver(&t, "ws1", "env1", "1"))).expect(200).json();
    assert_eq!(stable, v);
}

#[test]
fn an_unchanged_put_is_200_and_a_changed_definition_409() {
    let t = require_emulator!();
    setup(&t);
    let first = put_ver(&t, "env1", "1", json!({"image": IMAGE, "description": "d"})).expect(201).json();
    t.advance(60);
    // The same definition: 200, nothing changes (not even systemData).
    let again = put_ver(&t, "env1", "1", json!({"image": IMAGE, "description": "d"}));
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.json(), first);
    // The GET body sent back (read-only properties included) is the same definition too.
    let back = t.put(&api(&ver(&t, "ws1", "env1", "1")), &first);
    assert_eq!(back.status, 200, "{back:?}");
    assert_eq!(back.json(), first);
    // What may change changes in place.
    let d = put_ver(
        &t,
        "env1",
        "1",
        json!({"image": IMAGE, "description": "new", "tags": {"k": "v"}, "stage": "Production"}),
    );
    assert_eq!(d.status, 200, "{d:?}");
    let d = d.json();
    assert_eq!(d["properties"]["description"], "new");
    assert_eq!(d["properties"]["tags"], json!({"k": "v"}));
    assert_eq!(d["properties"]["stage"], "Production");
    assert_eq!(d["systemData"]["createdAt"], "2026-01-01T00:00:00.0000000Z");
    assert_eq!(d["systemData"]["lastModifiedAt"], "2026-01-01T00:01:00.0000000Z");
    // A changed definition is refused, whatever part of it changes.
    let conflict = "Environment env1 with version 1 is already registered and cannot be changed.";
    for props in [
        json!({"image": "docker.io/python:3.12"}),
        json!({"image": IMAGE, "condaFile": "name: x\n"}),
        json!({"image": IMAGE, "osType": "Windows"}),
        json!({"image": IMAGE, "autoRebuild": "OnBaseImageUpdate"}),
        json!({"build": {"contextUri": "https://s.blob.core.windows.net/c/ctx/"}}),
        json!({"image": IMAGE, "inferenceConfig": {"scoringRoute": {"path": "/score", "port": 5001}}}),
    ] {
        check_error(&put_ver(&t, "env1", "1", props), 409, "UserError", conflict);
    }
    assert_eq!(t.get(&api(&ver(&t, "ws1", "env1", "1"))).expect(200).json(), d);
}

/// azure-ai-ml's `create_or_update` without a version: GET the container (404 → version 1),
/// PUT `latestVersion`, and on 409 PUT `nextVersion`.
#[test]
fn auto_increment_as_azure_ai_ml_does_it() {
    let t = require_emulator!();
    setup(&t);
    let mut created = Vec::new();
    for image in ["repo/a:1", "repo/a:2", "repo/a:2", "repo/a:3"] {
        let c = t.get(&api(&env(&t, "ws1", "auto")));
        let (latest, next) = if c.status == 404 {
            ("1".to_string(), "1".to_string())
        } else {
            let p = c.expect(200).json()["properties"].clone();
            (p["latestVersion"].as_str().unwrap().to_string(), p["nextVersion"].as_str().unwrap().to_string())
        };
        let r = put_ver(&t, "auto", &latest, json!({"image": image}));
        let v = match r.status {
            200 | 201 => r.json(),
            409 => put_ver(&t, "auto", &next, json!({"image": image})).expect(201).json(),
            _ => panic!("{r:?}"),
        };
        created.push(v["name"].as_str().unwrap().to_string());
    }
    assert_eq!(created, vec!["1", "2", "2", "3"]);
    let c = t.get(&api(&env(&t, "ws1", "auto"))).expect(200).json();
    assert_eq!(c["properties"]["latestVersion"], "3");
    assert_eq!(c["properties"]["nextVersion"], "4");
    // A non-numeric version does not move nextVersion; a large one does.
    put_ver(&t, "auto", "beta", json!({"image": "repo/a:b"})).expect(201);
    let c = t.get(&api(&env(&t, "ws1", "auto"))).expect(200).json();
    assert_eq!(
        (c["properties"]["latestVersion"].clone(), c["properties"]["nextVersion"].clone()),
        (json!("beta"), json!("4"))
    );
    put_ver(&t, "auto", "10", json!({"image": "repo/a:10"})).expect(201);
    let c = t.get(&api(&env(&t, "ws1", "auto"))).expect(200).json();
    assert_eq!(c["properties"]["nextVersion"], "11");
}

#[test]
fn a_version_needs_an_image_or_a_build() {
    let t = require_emulator!();
    setup(&t);
    check_error(
        &put_ver(&t, "e", "1", json!({"description": "nothing"})),
        400,
        "UserError",
        "An environment needs either 'image' (a Docker image) or 'build' (a Docker build context); neither was given.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": IMAGE, "build": {"contextUri": "https://s/c/"}})),
        400,
        "UserError",
        "An environment takes either 'image' or 'build', not both.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"build": {"dockerfilePath": "Dockerfile"}})),
        400,
        "UserError",
        "'build.contextUri' is required when 'build' is given.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": IMAGE, "osType": "Mac"})),
        400,
        "UserError",
        "'osType' must be one of 'Linux', 'Windows', not 'Mac'.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": IMAGE, "autoRebuild": "Always"})),
        400,
        "UserError",
        "'autoRebuild' must be one of 'Disabled', 'OnBaseImageUpdate', not 'Always'.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": IMAGE, "inferenceConfig": {"scoringRoute": {"path": "/s", "port": 0}}})),
        400,
        "UserError",
        "'inferenceConfig.scoringRoute.port' is required and must be a port number from 1 to 65535.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": 5})),
        400,
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: ''properties.image' must be a string, found a number'.",
    );
    check_error(
        &put_ver(&t, "e", "1", json!({"image": IMAGE, "isArchived": "yes"})),
        400,
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: ''properties.isArchived' must be a boolean, found a string'.",
    );
    // Nothing was stored by the refused requests.
    assert_eq!(t.get(&api(&env(&t, "ws1", "e"))).status, 404);
    // A build environment, with the default Dockerfile path; osType is normalised.
    let b = put_ver(
        &t,
        "b",
        "1",
        json!({"build": {"contextUri": "https://s.blob.core.windows.net/c/ctx/"}, "osType": "windows",
               "inferenceConfig": {"livenessRoute": {"path": "/live", "port": 5001}}}),
    )
    .expect(201)
    .json();
    assert_eq!(
        b["properties"]["build"],
        json!({"contextUri": "https://s.blob.core.windows.net/c/ctx/", "dockerfilePath": "Dockerfile"})
    );
    assert_eq!(b["properties"]["osType"], "Windows");
    assert_eq!(b["properties"]["inferenceConfig"], json!({"livenessRoute": {"path": "/live", "port": 5001}}));
    assert!(b["properties"].get("image").is_none());
}

#[test]
fn names_and_versions_are_validated() {
    let t = require_emulator!();
    setup(&t);
    let long = "e".repeat(256);
    for bad in ["-env", "_env", "a%20b", long.as_str()] {
        let r = put_ver(&t, bad, "1", json!({"image": IMAGE}));
        let shown = if bad == "a%20b" { "a b" } else { bad };
        check_error(
            &r,
            400,
            "UserError",
            &format!("Environment name '{shown}' is invalid. It must be 1 to 255 characters long, start with a letter or digit, and contain only letters, digits, '-', '_' and '.'."),
        );
    }
    for bad in [".1", "1%201", "-1"] {
        let shown = if bad == "1%201" { "1 1" } else { bad };
        check_error(
            &put_ver(&t, "env", bad, json!({"image": IMAGE})),
            400,
            "UserError",
            &format!("Environment version '{shown}' is invalid. It must be 1 to 255 characters long, start with a letter or digit, and contain only letters, digits, '-', '_' and '.'."),
        );
    }
    put_ver(&t, &"e".repeat(255), "1.0.0-rc_1", json!({"image": IMAGE})).expect(201);
    put_ver(&t, "my.env-1_x", "1", json!({"image": IMAGE})).expect(201);
}

#[test]
fn azureml_names_are_reserved_and_curated_ones_read_only() {
    let t = require_emulator!();
    setup(&t);
    for name in ["AzureML-mine", "azureml-lowercase", "AZUREML"] {
        check_error(
            &put_ver(&t, name, "1", json!({"image": IMAGE})),
            400,
            "UserError",
            &format!("Environment name '{name}' is reserved. Names starting with 'AzureML' are reserved for curated environments; choose another name."),
        );
        check_error(
            &t.put(&api(&env(&t, "ws1", name)), &json!({"properties": {}})),
            400,
            "UserError",
            &format!("Environment name '{name}' is reserved. Names starting with 'AzureML' are reserved for curated environments; choose another name."),
        );
    }
    let read_only = "Environment 'AzureML-Minimal' is a curated environment. Curated environments are managed by Azure Machine Learning and cannot be created, changed or deleted.";
    check_error(&put_ver(&t, "AzureML-Minimal", "48", json!({"image": IMAGE})), 400, "UserError", read_only);
    check_error(&put_ver(&t, "azureml-minimal", "49", json!({"image": IMAGE})), 400, "UserError", read_only);
    check_error(&t.delete(&api(&ver(&t, "ws1", "AzureML-Minimal", "48"))), 400, "UserError", read_only);
    check_error(&t.delete(&api(&env(&t, "ws1", "AzureML-Minimal"))), 400, "UserError", read_only);
    // Names that merely contain it are fine.
    put_ver(&t, "my-AzureML-env", "1", json!({"image": IMAGE})).expect(201);
}

#[test]
fn curated_environments_are_in_every_workspace() {
    let t = require_emulator!();
    setup(&t);
    create_ws(&t, "rg1", "ws2");
    for ws in ["ws1", "ws2"] {
        let all = list_names(&t, &envs(&t, ws));
        assert_eq!(all, CURATED.to_vec(), "{ws}");
        let c = t.get(&api(&env(&t, ws, "AzureML-Minimal"))).expect(200).json();
        assert_eq!(c["id"], format!("{}/environments/AzureML-Minimal", ws_id(&t, "rg1", ws)));
        assert_eq!(c["properties"]["latestVersion"], "48");
        assert_eq!(c["properties"]["nextVersion"], "49");
        for name in CURATED {
            let c = t.get(&api(&env(&t, ws, name))).expect(200).json();
            let latest = c["properties"]["latestVersion"].as_str().unwrap().to_string();
            let v = t.get(&api(&ver(&t, ws, name, &latest))).expect(200).json();
            assert_eq!(v["id"], format!("{}/environments/{name}/versions/{latest}", ws_id(&t, "rg1", ws)));
            let p = &v["properties"];
            assert_eq!(p["environmentType"], "Curated", "{name}");
            assert!(p["image"].as_str().is_some_and(|i| i.starts_with("mcr.microsoft.com/azureml/")), "{name}: {p}");
            let conda = p["condaFile"].as_str().unwrap_or_default();
            assert!(conda.contains("dependencies:") && conda.contains("- pip:"), "{name}: {conda}");
            assert_eq!(v["systemData"]["createdBy"], "Microsoft");
            let versions = t.get(&api(&format!("{}/versions", env(&t, ws, name)))).expect(200).json();
            assert_eq!(names(&versions), vec![latest.clone()]);
        }
    }
    // Any casing finds them; an unknown version does not.
    assert_eq!(t.get(&api(&env(&t, "ws1", "azureml-tutorial"))).expect(200).json()["name"], "AzureML-Tutorial");
    check_error(
        &t.get(&api(&ver(&t, "ws1", "AzureML-Minimal", "1"))),
        404,
        "ResourceNotFound",
        &not_found_msg("rg1", "ws1/environments/AzureML-Minimal/versions/1"),
    );
    // Curated ones are never archived.
    let archived = t.get(&api(&format!("{}?listViewType=ArchivedOnly", envs(&t, "ws1")))).expect(200).json();
    assert_eq!(names(&archived), Vec::<String>::new());
}

#[test]
fn container_lists_page_and_filter_by_view() {
    let t = require_emulator!();
    setup(&t);
    for n in ["c-env", "a-env", "b-env"] {
        put_ver(&t, n, "1", json!({"image": IMAGE})).expect(201);
    }
    // Archive a whole environment as azure-ai-ml does: GET the container, flip isArchived, PUT.
    let mut c = t.get(&api(&env(&t, "ws1", "b-env"))).expect(200).json();
    c["properties"]["isArchived"] = json!(true);
    let r = t.put(&api(&env(&t, "ws1", "b-env")), &c);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["properties"]["isArchived"], true);
    assert_eq!(r.json()["properties"]["latestVersion"], "1");
    assert_eq!(user_containers(&t, ""), vec!["a-env", "c-env"]);
    assert_eq!(user_containers(&t, "?listViewType=ActiveOnly"), vec!["a-env", "c-env"]);
    assert_eq!(user_containers(&t, "?listViewType=ArchivedOnly"), vec!["b-env"]);
    assert_eq!(user_containers(&t, "?listViewType=All"), vec!["a-env", "b-env", "c-env"]);
    // Paging: $top items a page, nextLink with $skipToken, everything exactly once in name order.
    let first = t.get(&api(&format!("{}?listViewType=All&$top=3", envs(&t, "ws1")))).expect(200).json();
    assert_eq!(names(&first), vec!["a-env", "AzureML-ACPT-pytorch-2.2-cuda12.1", "AzureML-Minimal"]);
    let next = first["nextLink"].as_str().unwrap();
    assert!(next.contains("%24skipToken=") || next.contains("$skipToken="), "{next}");
    let (all, pages) = collect_pages(&t, &api(&format!("{}?listViewType=All&$top=3", envs(&t, "ws1"))));
    assert_eq!(pages, 3);
    assert_eq!(all.len(), 8);
    // Restore.
    c["properties"]["isArchived"] = json!(false);
    t.put(&api(&env(&t, "ws1", "b-env")), &c).expect(200);
    assert_eq!(user_containers(&t, ""), vec!["a-env", "b-env", "c-env"]);
    check_error(
        &t.get(&api(&format!("{}?listViewType=Some", envs(&t, "ws1")))),
        400,
        "InvalidQueryParameterValue",
        "The value 'Some' of the query parameter 'listViewType' is invalid. It must be 'ActiveOnly', 'ArchivedOnly' or 'All'.",
    );
    // A container PUT creates an empty one (201); its versions list is empty.
    let e = t.put(&api(&env(&t, "ws1", "empty")), &json!({"properties": {"description": "later"}}));
    assert_eq!(e.status, 201, "{e:?}");
    assert_eq!(e.json()["properties"]["latestVersion"], Value::Null);
    assert_eq!(e.json()["properties"]["nextVersion"], "1");
    assert_eq!(
        names(&t.get(&api(&format!("{}/versions", env(&t, "ws1", "empty")))).expect(200).json()),
        Vec::<String>::new()
    );
    put_ver(&t, "empty", "1", json!({"image": IMAGE})).expect(201);
    let e = t.get(&api(&env(&t, "ws1", "empty"))).expect(200).json();
    assert_eq!(e["properties"]["description"], "later");
    assert_eq!(e["properties"]["latestVersion"], "1");
}

#[test]
fn versions_list_orders_filters_and_pages() {
    let t = require_emulator!();
    setup(&t);
    // The clock stands still between 1 and 2: creation order still decides.
    put_ver(&t, "e", "1", json!({"image": "r/i:1", "tags": {"team": "a"}, "stage": "Development"})).expect(201);
    put_ver(&t, "e", "2", json!({"image": "r/i:2", "tags": {"team": "b"}, "stage": "Production"})).expect(201);
    t.advance(10);
    put_ver(&t, "e", "3", json!({"image": "r/i:3", "tags": {"team": "a", "gpu": "yes"}})).expect(201);
    let vs = format!("{}/versions", env(&t, "ws1", "e"));
    assert_eq!(list_names(&t, &vs), vec!["3", "2", "1"]);
    assert_eq!(list_names(&t, &format!("{vs}?$orderBy=createdtime%20desc")), vec!["3", "2", "1"]);
    assert_eq!(list_names(&t, &format!("{vs}?$orderBy=createdtime%20asc")), vec!["1", "2", "3"]);
    // `get(label="latest")`: `$orderBy=createdtime desc&$top=1`.
    let latest = t.get(&api(&format!("{vs}?$orderBy=createdtime%20desc&$top=1"))).expect(200).json();
    assert_eq!(names(&latest), vec!["3"]);
    assert!(latest["nextLink"].is_string());
    let (all, pages) = collect_pages(&t, &api(&format!("{vs}?$top=1")));
    assert_eq!((all.len(), pages), (3, 3));
    // Tags and stage.
    assert_eq!(list_names(&t, &format!("{vs}?tags=team=a")), vec!["3", "1"]);
    assert_eq!(list_names(&t, &format!("{vs}?tags=gpu")), vec!["3"]);
    assert_eq!(list_names(&t, &format!("{vs}?tags=team=a,gpu=yes")), vec!["3"]);
    assert_eq!(list_names(&t, &format!("{vs}?tags=none")), Vec::<String>::new());
    assert_eq!(list_names(&t, &format!("{vs}?stage=production")), vec!["2"]);
    // Archive version 2 as azure-ai-ml does (GET, isArchived, no stage, PUT).
    let mut v2 = t.get(&api(&ver(&t, "ws1", "e", "2"))).expect(200).json();
    v2["properties"]["isArchived"] = json!(true);
    v2["properties"].as_object_mut().unwrap().remove("stage");
    let r = t.put(&api(&ver(&t, "ws1", "e", "2")), &v2);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["properties"]["isArchived"], true);
    assert_eq!(r.json()["properties"]["stage"], "Production", "a PUT without stage keeps it");
    assert_eq!(list_names(&t, &vs), vec!["3", "1"]);
    assert_eq!(list_names(&t, &format!("{vs}?listViewType=ArchivedOnly")), vec!["2"]);
    assert_eq!(list_names(&t, &format!("{vs}?listViewType=All")), vec!["3", "2", "1"]);
    // `stage` takes priority over `listViewType`.
    assert_eq!(list_names(&t, &format!("{vs}?stage=Production")), vec!["2"]);
    // Restore.
    v2["properties"]["isArchived"] = json!(false);
    t.put(&api(&ver(&t, "ws1", "e", "2")), &v2).expect(200);
    assert_eq!(list_names(&t, &vs), vec!["3", "2", "1"]);
    check_error(
        &t.get(&api(&format!("{vs}?$orderBy=name"))),
        400,
        "InvalidQueryParameterValue",
        "The value 'name' of the query parameter '$orderBy' is invalid. It must be 'createdtime asc' or 'createdtime desc'.",
    );
    // The versions of a name without a container: an empty list.
    assert_eq!(list_names(&t, &format!("{}/versions", env(&t, "ws1", "none"))), Vec::<String>::new());
}

#[test]
fn deleting_versions_and_containers() {
    let t = require_emulator!();
    setup(&t);
    for v in ["1", "2", "3"] {
        put_ver(&t, "e", v, json!({"image": format!("r/i:{v}")})).expect(201);
    }
    assert_eq!(t.delete(&api(&ver(&t, "ws1", "e", "3"))).status, 200);
    assert_eq!(t.delete(&api(&ver(&t, "ws1", "e", "3"))).status, 204);
    check_error(
        &t.get(&api(&ver(&t, "ws1", "e", "3"))),
        404,
        "ResourceNotFound",
        &not_found_msg("rg1", "ws1/environments/e/versions/3"),
    );
    let c = t.get(&api(&env(&t, "ws1", "e"))).expect(200).json();
    assert_eq!(c["properties"]["latestVersion"], "2");
    assert_eq!(c["properties"]["nextVersion"], "4", "nextVersion never goes back");
    // A deleted version's number can be registered again, with any definition.
    put_ver(&t, "e", "3", json!({"image": "r/i:other"})).expect(201);
    // Deleting the container removes its versions.
    assert_eq!(t.delete(&api(&env(&t, "ws1", "e"))).status, 200);
    assert_eq!(t.get(&api(&env(&t, "ws1", "e"))).status, 404);
    assert_eq!(t.get(&api(&ver(&t, "ws1", "e", "1"))).status, 404);
    assert_eq!(t.delete(&api(&env(&t, "ws1", "e"))).status, 204);
    // Starting again starts at 1.
    put_ver(&t, "e", "1", json!({"image": "r/i:new"})).expect(201);
    let c = t.get(&api(&env(&t, "ws1", "e"))).expect(200).json();
    assert_eq!(c["properties"]["nextVersion"], "2");
    // Without the provider's registration writes are refused, reads and deletes are not.
    t.post(&av(&format!("{}/providers/{NS}/unregister", t.sub())), &json!({})).expect(200);
    check_error_prefix(&put_ver(&t, "e", "2", json!({"image": IMAGE})), 409, "MissingSubscriptionRegistration", "");
    t.get(&api(&ver(&t, "ws1", "e", "1"))).expect(200);
    assert_eq!(t.delete(&api(&ver(&t, "ws1", "e", "1"))).status, 200);
    assert_eq!(t.delete(&api(&env(&t, "ws1", "e"))).status, 200);
}

#[test]
fn patch_is_not_an_operation_of_environments() {
    let t = require_emulator!();
    setup(&t);
    put_ver(&t, "e", "1", json!({"image": IMAGE})).expect(201);
    for path in [ver(&t, "ws1", "e", "1"), env(&t, "ws1", "e")] {
        check_error(
            &t.patch(&api(&path), &json!({"properties": {"image": "x"}})),
            405,
            "MethodNotAllowed",
            "The requested resource does not support http method 'PATCH'.",
        );
    }
    assert_eq!(t.get(&api(&ver(&t, "ws1", "e", "1"))).expect(200).json()["properties"]["image"], IMAGE);
}

// ---------------------------------------------------------------------------------------------
// Visibility through the workspace
// ---------------------------------------------------------------------------------------------

#[test]
fn environments_follow_their_workspace() {
    let t = require_emulator!();
    setup(&t);
    let v1 = put_ver(&t, "e", "1", json!({"image": IMAGE})).expect(201).json();
    let wsp = format!("{}?api-version=2024-04-01", ws_path(&t, "rg1", "ws1"));
    let heads = |t: &Target| {
        [
            ver(t, "ws1", "e", "1"),
            env(t, "ws1", "e"),
            env(t, "ws1", "AzureML-Minimal"),
            ver(t, "ws1", "AzureML-Minimal", "48"),
        ]
        .iter()
        .map(|p| t.head(&api(p)).status)
        .collect::<Vec<u16>>()
    };
    assert_eq!(heads(&t), vec![204, 204, 204, 204]);
    assert_eq!(t.head(&api(&ver(&t, "ws1", "e", "9"))).status, 404);
    assert_eq!(t.delete(&wsp).status, 200);
    assert_eq!(heads(&t), vec![404, 404, 404, 404]);
    let gone = not_found_msg("rg1", "ws1");
    check_error(&t.get(&api(&ver(&t, "ws1", "e", "1"))), 404, "ResourceNotFound", &gone);
    check_error(&t.get(&api(&env(&t, "ws1", "e"))), 404, "ResourceNotFound", &gone);
    check_error(&t.get(&api(&envs(&t, "ws1"))), 404, "ResourceNotFound", &gone);
    check_error(&t.get(&api(&format!("{}/versions", env(&t, "ws1", "e")))), 404, "ResourceNotFound", &gone);
    check_error(&t.get(&api(&env(&t, "ws1", "AzureML-Minimal"))), 404, "ResourceNotFound", &gone);
    // Writes fail as for a missing parent, and store nothing.
    check_error(&put_ver(&t, "e", "2", json!({"image": IMAGE})), 404, "ResourceNotFound", &gone);
    check_error(&put_ver(&t, "new", "1", json!({"image": IMAGE})), 404, "ResourceNotFound", &gone);
    check_error(&t.put(&api(&env(&t, "ws1", "new")), &json!({"properties": {}})), 404, "ResourceNotFound", &gone);
    check_error(&t.delete(&api(&ver(&t, "ws1", "e", "1"))), 404, "ResourceNotFound", &gone);
    // Recovery brings them back unchanged.
    let r = t.put(&wsp, &json!({"location": LOCATION, "properties": {"allowRecoverSoftDeletedWorkspace": "True"}}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(t.get(&api(&ver(&t, "ws1", "e", "1"))).expect(200).json(), v1);
    assert_eq!(heads(&t), vec![204, 204, 204, 204]);
    assert_eq!(user_containers(&t, ""), vec!["e"]);
    check_error(
        &t.get(&api(&env(&t, "ws1", "new"))),
        404,
        "ResourceNotFound",
        &not_found_msg("rg1", "ws1/environments/new"),
    );
    // Purged: gone for good; a new workspace of that name starts empty (but with the curated set).
    assert_eq!(t.delete(&wsp).status, 200);
    let purge = t.delete(&format!("{}?api-version=2024-04-01&forceToPurge=true", ws_path(&t, "rg1", "ws1")));
    assert_eq!(purge.status, 200, "{purge:?}");
    create_ws(&t, "rg1", "ws1");
    assert_eq!(t.get(&api(&ver(&t, "ws1", "e", "1"))).status, 404);
    assert_eq!(list_names(&t, &envs(&t, "ws1")), CURATED.to_vec());
}

#[test]
fn the_retention_purge_and_the_group_delete_remove_environments() {
    let t = require_emulator!();
    setup(&t);
    put_ver(&t, "e", "1", json!({"image": IMAGE})).expect(201);
    assert_eq!(t.delete(&format!("{}?api-version=2024-04-01", ws_path(&t, "rg1", "ws1"))).status, 200);
    t.advance(15 * 86_400);
    create_ws(&t, "rg1", "ws1");
    assert_eq!(t.get(&api(&env(&t, "ws1", "e"))).status, 404);
    put_ver(&t, "e", "1", json!({"image": IMAGE})).expect(201);
    let del = t.delete(&av(&t.rg("rg1")));
    assert!(del.status == 200 || del.status == 202, "{del:?}");
    setup(&t);
    assert_eq!(t.get(&api(&env(&t, "ws1", "e"))).status, 404);
    check_error(&t.get(&api(&env(&t, "ws9", "e"))), 404, "ResourceNotFound", &not_found_msg("rg1", "ws9"));
    check_error(
        &t.get(&api(&format!("{}/providers/{NS}/workspaces/ws1/environments", t.rg("nogroup")))),
        404,
        "ResourceGroupNotFound",
        "Resource group 'nogroup' could not be found.",
    );
}

// ---------------------------------------------------------------------------------------------
// The side data and the Rust API
// ---------------------------------------------------------------------------------------------

#[test]
fn creation_order_survives_export_and_import() {
    let t = require_emulator!();
    setup(&t);
    // Same clock: only the side data orders them.
    for v in ["b", "a", "c"] {
        put_ver(&t, "e", v, json!({"image": format!("r/i:{v}")})).expect(201);
    }
    let vs = format!("{}/versions", env(&t, "ws1", "e"));
    assert_eq!(list_names(&t, &vs), vec!["c", "a", "b"]);
    let doc = t.control("GET", "state", None).expect(200).json();
    let rec = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|i| i.ends_with("/environments/e/versions/a")))
        .cloned()
        .unwrap();
    assert_eq!(rec["secrets"], json!({"seq": 2}));
    assert!(rec["body"].get("secrets").is_none() && rec["body"]["properties"].get("seq").is_none());
    t.control("POST", "reset", None).expect(204);
    assert_eq!(t.get(&api(&vs)).status, 404);
    t.control("PUT", "state", Some(&doc)).expect(200);
    assert_eq!(list_names(&t, &vs), vec!["c", "a", "b"]);
    put_ver(&t, "e", "d", json!({"image": "r/i:d"})).expect(201);
    assert_eq!(list_names(&t, &vs), vec!["d", "c", "a", "b"]);
}

#[test]
fn the_rust_api_shares_the_rules_and_keeps_the_v1_definition() {
    use armemu::providers::machinelearning::environments as envs_api;
    let t = require_emulator!();
    setup(&t);
    let ctx = t.emu().app.ctx.clone();
    let ws = ws_id(&t, "rg1", "ws1");
    let def = json!({"name": "myenv", "python": {"condaDependencies": {"dependencies": ["python=3.8.13"]}}});
    let props = json!({"image": IMAGE, "condaFile": "dependencies:\n- python=3.8.13\n"});
    let put = |v1: Value, version: &str| {
        ctx.store().commit(|s| {
            envs_api::plan_put_version(&ctx, s, None, &ws, "myenv", version, props.clone(), Some(v1.clone()))
                .map(|(changes, rec, created)| (changes, (rec, created)))
        })
    };
    assert_eq!(ctx.store().read(|s| envs_api::next_version(s, &ws, "myenv")), "1");
    let (rec, created) = put(def.clone(), "1").unwrap();
    assert!(created);
    assert_eq!(rec.v1, Some(def.clone()));
    assert_eq!((rec.name.as_str(), rec.version.as_str(), rec.curated, rec.archived), ("myenv", "1", false, false));
    // The v2 surface sees it; the v1 definition is never in the body.
    let v = t.get(&api(&ver(&t, "ws1", "myenv", "1"))).expect(200).json();
    assert_eq!(v, rec.body);
    assert!(!v.to_string().contains("condaDependencies"));
    // Unchanged: nothing to do, the same version.
    let (again, created) = put(def.clone(), "1").unwrap();
    assert!(!created);
    assert_eq!(again, rec);
    // A changed v1 definition is a changed definition.
    let changed = json!({"name": "myenv", "python": {"condaDependencies": {"dependencies": ["python=3.9"]}}});
    let e = put(changed.clone(), "1").unwrap_err();
    assert_eq!((e.status, e.code_str()), (409, "UserError"));
    assert_eq!(ctx.store().read(|s| envs_api::next_version(s, &ws, "myenv")), "2");
    put(changed.clone(), "2").unwrap();
    let latest = ctx.store().read(|s| envs_api::latest(s, &ws, "MYENV")).unwrap();
    assert_eq!((latest.version.as_str(), latest.v1.clone()), ("2", Some(changed)));
    assert_eq!(ctx.store().read(|s| envs_api::version(s, &ws, "myenv", "1")).unwrap().v1, Some(def));
    // Reads through the v2 PUT keep the v1 definition.
    put_ver(
        &t,
        "myenv",
        "2",
        json!({"image": IMAGE, "condaFile": "dependencies:\n- python=3.8.13\n", "description": "x"}),
    )
    .expect(200);
    assert!(ctx.store().read(|s| envs_api::version(s, &ws, "myenv", "2")).unwrap().v1.is_some());
    // The list: curated and own, the latest of each, by name.
    let all = ctx.store().read(|s| envs_api::list_latest(s, &ws));
    let listed: Vec<(String, String, bool)> =
        all.iter().map(|r| (r.name.clone(), r.version.clone(), r.curated)).collect();
    let mut expected: Vec<(String, String, bool)> = CURATED
        .iter()
        .map(|n| {
            let c = t.get(&api(&env(&t, "ws1", n))).expect(200).json();
            (n.to_string(), c["properties"]["latestVersion"].as_str().unwrap().to_string(), true)
        })
        .collect();
    expected.push(("myenv".into(), "2".into(), false));
    expected.sort_by_key(|e| e.0.to_lowercase());
    assert_eq!(listed, expected);
    assert!(all.iter().filter(|r| r.curated).all(|r| r.properties()["condaFile"].is_string()));
    // The same rules: reserved names, validation.
    let e = ctx
        .store()
        .commit(|s| {
            envs_api::plan_put_version(&ctx, s, None, &ws, "AzureML-x", "1", props.clone(), None).map(|x| (x.0, ()))
        })
        .unwrap_err();
    assert_eq!((e.status, e.code_str()), (400, "UserError"));
    // A soft-deleted workspace has none.
    assert_eq!(t.delete(&format!("{}?api-version=2024-04-01", ws_path(&t, "rg1", "ws1"))).status, 200);
    ctx.store().read(|s| {
        assert!(envs_api::version(s, &ws, "myenv", "1").is_none());
        assert!(envs_api::latest(s, &ws, "AzureML-Minimal").is_none());
        assert!(envs_api::list_latest(s, &ws).is_empty());
    });
    let e = put(json!({}), "3").unwrap_err();
    assert_eq!((e.status, e.code_str()), (404, "ResourceNotFound"));
}

/// `--state-dir`: a restart replays the log, side data included (the v1 definition and the
/// creation order are in the record, not the body).
#[test]
fn a_restart_keeps_versions_their_order_and_the_v1_definition() {
    use armemu::providers::machinelearning::environments as envs_api;
    if Target::external_requested() {
        eprintln!("SKIPPED: needs in-process emulators with a state directory");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let def = json!({"name": "kept", "python": {"condaDependencies": {"dependencies": ["python=3.10"]}}});
    {
        let t = Target::with_config(|c| c.state_dir = Some(state.clone()));
        setup(&t);
        for v in ["b", "a"] {
            put_ver(&t, "e", v, json!({"image": format!("r/i:{v}")})).expect(201);
        }
        let ctx = t.emu().app.ctx.clone();
        let ws = ws_id(&t, "rg1", "ws1");
        ctx.store()
            .commit(|s| {
                envs_api::plan_put_version(&ctx, s, None, &ws, "e", "c", json!({"image": "r/i:c"}), Some(def.clone()))
                    .map(|(changes, ..)| (changes, ()))
            })
            .unwrap();
    }
    let t = Target::with_config(|c| c.state_dir = Some(state.clone()));
    let vs = format!("{}/versions", env(&t, "ws1", "e"));
    assert_eq!(list_names(&t, &vs), vec!["c", "a", "b"]);
    let ctx = t.emu().app.ctx.clone();
    let ws = ws_id(&t, "rg1", "ws1");
    let c = ctx.store().read(|s| envs_api::version(s, &ws, "e", "c")).unwrap();
    assert_eq!(c.v1, Some(def));
    assert_eq!(ctx.store().read(|s| envs_api::latest(s, &ws, "e")).unwrap().version, "c");
}
