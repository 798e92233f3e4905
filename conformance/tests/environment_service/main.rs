//! Conformance scenarios for the Azure ML v1 environment management service (issue 10):
//! `/environment/v1.0{ws}/environments/…` (get, list, register) and the v2.0 image builds,
//! as azureml-core 1.61 calls them (no api-version, the ARM token, camelCase answers, errors
//! in Azure ML's data-plane envelope), sharing one store with the v2 ARM environments.
//!
//! Every test starts its own in-process emulator (frozen clock, seeded ids). Negative tests
//! assert status, `error.code` and the exact `error.message`.

use conformance::*;
use serde_json::{json, Value};

const NS: &str = "Microsoft.MachineLearningServices";
const LOCATION: &str = "eastus";
const DEFAULT_IMAGE: &str = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1";

fn ws_arm(t: &Target, ws: &str) -> String {
    format!("{}/providers/{NS}/workspaces/{ws}", t.rg_id("rg1"))
}

fn ems(t: &Target, ws: &str) -> String {
    format!("/environment/v1.0{}/environments", ws_arm(t, ws))
}

fn v2(t: &Target, ws: &str) -> String {
    format!("/environment/v2.0{}/environments", ws_arm(t, ws))
}

fn setup(t: &Target) {
    t.create_group("rg1", LOCATION);
    let r = t
        .put(&format!("{}?api-version=2024-04-01", ws_arm(t, "ws1")), &json!({"location": LOCATION, "properties": {}}));
    assert_eq!(r.status, 200, "{r:?}");
}

/// The body azureml-core 1.61 sends for `Environment("myenv")` with `extra` conda packages.
fn sdk_body(name: &str, extra: &[&str]) -> Value {
    let mut deps = vec![json!("python=3.8.13"), json!({"pip": ["azureml-defaults"]})];
    deps.extend(extra.iter().map(|e| json!(e)));
    json!({"Name": name,
        "python": {"userManagedDependencies": false, "interpreterPath": "python", "condaDependenciesFile": null, "baseCondaEnvironment": null,
                   "condaDependencies": {"name": "project_environment", "dependencies": deps, "channels": ["anaconda", "conda-forge"]}},
        "EnvironmentVariables": {"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"},
        "Docker": {"enabled": false, "baseImage": DEFAULT_IMAGE, "baseDockerfile": null, "buildContext": null,
                   "sharedVolumes": true, "shmSize": "2g", "arguments": [],
                   "baseImageRegistry": {"address": null, "username": null, "password": null, "registryIdentity": null},
                   "platform": {"os": "Linux", "architecture": "amd64"}},
        "Spark": {"repositories": [], "packages": [], "precachePackages": true},
        "InferencingStackVersion": null, "r": null})
}

/// Checks the data-plane envelope and returns its `error`.
#[track_caller]
fn check_dp_error(r: &Resp, status: u16, code: &str, message: &str) -> Value {
    assert_eq!(r.status, status, "{r:?}");
    let b = r.json();
    assert_eq!(keys(&b), sorted(&["error", "correlation", "environment", "location", "time", "componentName"]), "{b}");
    let e = &b["error"];
    assert_eq!(
        keys(e),
        sorted(&[
            "code",
            "severity",
            "message",
            "messageFormat",
            "messageParameters",
            "referenceCode",
            "detailsUri",
            "target",
            "details",
            "innerError",
            "debugInfo",
            "additionalInfo"
        ]),
        "{e}"
    );
    assert_eq!(e["code"], code, "{b}");
    assert_eq!(e["message"], message, "{b}");
    assert_eq!(e["details"], json!([]));
    assert_eq!(b["correlation"]["operation"].as_str().unwrap().len(), 32, "{b}");
    assert_eq!(b["correlation"]["request"].as_str().unwrap().len(), 16, "{b}");
    assert!(b["time"].as_str().unwrap().starts_with("20"), "{b}");
    e.clone()
}

const V1_KEYS: [&str; 10] = [
    "name",
    "version",
    "environmentVariables",
    "python",
    "docker",
    "spark",
    "databricks",
    "r",
    "inferencingStackVersion",
    "assetId",
];

#[test]
fn the_curated_minimal_environment_reads_in_camel_case_without_an_api_version() {
    let t = Target::in_process();
    setup(&t);
    let r = t.get(&format!("{}/AzureML-Minimal", ems(&t, "ws1")));
    assert_eq!(r.status, 200, "{r:?}");
    let b = r.json();
    assert_eq!(keys(&b), sorted(&V1_KEYS));
    assert_eq!(b["name"], "AzureML-Minimal");
    assert_eq!(b["version"], "48");
    let conda = &b["python"]["condaDependencies"];
    assert!(conda["dependencies"].is_array(), "{b}");
    assert!(b["docker"]["baseImage"].as_str().unwrap().starts_with("mcr.microsoft.com/azureml/"));
    let wid = t.get(&format!("{}?api-version=2024-04-01", ws_arm(&t, "ws1"))).json()["properties"]["workspaceId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        b["assetId"],
        format!("azureml://locations/{LOCATION}/workspaces/{wid}/environments/AzureML-Minimal/versions/48")
    );
    // The version route too.
    assert_eq!(t.get(&format!("{}/AzureML-Minimal/versions/48", ems(&t, "ws1"))).expect(200).json(), b);
}

#[test]
fn the_list_has_the_latest_of_every_name_and_pages_by_continuation() {
    let t = Target::in_process();
    setup(&t);
    for n in ["b-env", "a-env"] {
        t.put(&format!("{}/{n}", ems(&t, "ws1")), &sdk_body(n, &[])).expect(200);
    }
    t.put(&format!("{}/a-env", ems(&t, "ws1")), &sdk_body("a-env", &["numpy"])).expect(200);
    let first = t.get(&format!("{}/", ems(&t, "ws1"))).expect(200).json();
    assert_eq!(first["continuationToken"], Value::Null);
    let names: Vec<&str> = first["value"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(names.contains(&"AzureML-Minimal") && names.contains(&"a-env") && names.contains(&"b-env"));
    let a = first["value"].as_array().unwrap().iter().find(|v| v["name"] == "a-env").unwrap();
    assert_eq!(a["version"], "2");
    for v in first["value"].as_array().unwrap() {
        assert!(v["python"]["condaDependencies"].is_object(), "{v}");
    }
    // Without the trailing slash the same; pages of 3 chain to the same list.
    assert_eq!(t.get(&ems(&t, "ws1")).expect(200).json(), first);
    t.settings(json!({"pageSize": 3}));
    let mut got = Vec::new();
    let mut url = format!("{}/", ems(&t, "ws1"));
    let mut pages = 0;
    loop {
        let p = t.get(&url).expect(200).json();
        pages += 1;
        got.extend(p["value"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()));
        match p["continuationToken"].as_str() {
            Some(c) => url = format!("{}/?continuation={}", ems(&t, "ws1"), qv(c)),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(got, names);
}

#[test]
fn register_creates_1_keeps_an_unchanged_definition_and_gives_2_for_a_changed_one() {
    let t = Target::in_process();
    setup(&t);
    let url = format!("{}/myenv", ems(&t, "ws1"));
    let r = t.put(&url, &sdk_body("myenv", &["scikit-learn==0.21.3"])).expect(200).json();
    assert_eq!(keys(&r), sorted(&V1_KEYS));
    assert_eq!(r["version"], "1");
    assert_eq!(r["python"]["condaDependencies"]["dependencies"][2], "scikit-learn==0.21.3");
    assert_eq!(r["databricks"]["mavenLibraries"], json!([]));
    assert_eq!(t.put(&url, &sdk_body("myenv", &["scikit-learn==0.21.3"])).expect(200).json(), r);
    let r2 = t.put(&url, &sdk_body("myenv", &["scikit-learn==0.22"])).expect(200).json();
    assert_eq!(r2["version"], "2");
    assert_eq!(t.get(&url).expect(200).json(), r2);
    assert_eq!(t.get(&format!("{url}/versions/1")).expect(200).json(), r);
    // Keys in any casing mean the same definition.
    let lower: Value = serde_json::from_str(
        &serde_json::to_string(&sdk_body("myenv", &["scikit-learn==0.22"]))
            .unwrap()
            .replace("\"Docker\"", "\"docker\""),
    )
    .unwrap();
    assert_eq!(t.put(&url, &lower).expect(200).json()["version"], "2");
    // An explicit version: new → created; same → as is; another definition → 409.
    let r5 = t.put(&format!("{url}/versions/5"), &sdk_body("myenv", &["x"])).expect(200).json();
    assert_eq!(r5["version"], "5");
    assert_eq!(t.put(&format!("{url}/versions/5"), &sdk_body("myenv", &["x"])).expect(200).json(), r5);
    check_dp_error(
        &t.put(&format!("{url}/versions/5"), &sdk_body("myenv", &["y"])),
        409,
        "UserError",
        "Environment myenv with version 5 is already registered and cannot be changed.",
    );
}

#[test]
fn reserved_names_missing_things_and_bad_bodies_answer_in_the_data_plane_envelope() {
    let t = Target::in_process();
    setup(&t);
    check_dp_error(
        &t.put(&format!("{}/AzureML-Mine", ems(&t, "ws1")), &sdk_body("AzureML-Mine", &[])),
        400,
        "UserError",
        "Environment name can not start with the prefix AzureML. To alter a curated environment first create a copy of it.",
    );
    check_dp_error(
        &t.get(&format!("{}/nope", ems(&t, "ws1"))),
        404,
        "NotFound",
        "No definition exists for Environment with Name: nope",
    );
    t.put(&format!("{}/e", ems(&t, "ws1")), &sdk_body("e", &[])).expect(200);
    check_dp_error(
        &t.get(&format!("{}/e/versions/9", ems(&t, "ws1"))),
        404,
        "NotFound",
        "No definition exists for Environment with Name: e Version: 9",
    );
    let missing =
        "Workspace 'ws9' in resource group 'rg1' of subscription '00000000-0000-0000-0000-000000000001' was not found.";
    let missing = missing.replace("00000000-0000-0000-0000-000000000001", &t.subscription);
    check_dp_error(&t.get(&format!("{}/e", ems(&t, "ws9"))), 404, "NotFound", &missing);
    check_dp_error(&t.put(&format!("{}/e", ems(&t, "ws9")), &sdk_body("e", &[])), 404, "NotFound", &missing);
    check_dp_error(
        &t.put(&format!("{}/e", ems(&t, "ws1")), &json!({"Docker": {"shmSize": 2}})),
        400,
        "UserError",
        "The environment definition's 'docker.shmSize' must be a string, found a number.",
    );
    // No token: 401, still in the data-plane envelope; no api-version is ever asked for.
    let anon = t.anonymous().get(&format!("{}/e", ems(&t, "ws1")));
    assert_eq!(anon.status, 401, "{anon:?}");
    assert!(anon.json()["correlation"].is_object(), "{anon:?}");
}

#[test]
fn a_soft_deleted_workspace_hides_its_environments_and_recovery_brings_them_back() {
    let t = Target::in_process();
    setup(&t);
    let url = format!("{}/e", ems(&t, "ws1"));
    let r = t.put(&url, &sdk_body("e", &[])).expect(200).json();
    assert_eq!(t.delete(&format!("{}?api-version=2024-04-01", ws_arm(&t, "ws1"))).status, 200);
    let msg = format!("Workspace 'ws1' in resource group 'rg1' of subscription '{}' was not found.", t.subscription);
    check_dp_error(&t.get(&url), 404, "NotFound", &msg);
    check_dp_error(&t.get(&format!("{}/", ems(&t, "ws1"))), 404, "NotFound", &msg);
    check_dp_error(&t.put(&url, &sdk_body("e", &["z"])), 404, "NotFound", &msg);
    let rec = t.put(
        &format!("{}?api-version=2024-04-01", ws_arm(&t, "ws1")),
        &json!({"location": LOCATION, "properties": {"allowRecoverSoftDeletedWorkspace": "True"}}),
    );
    assert_eq!(rec.status, 200, "{rec:?}");
    assert_eq!(t.get(&url).expect(200).json(), r);
}

#[test]
fn v1_registrations_are_v2_versions_and_v2_versions_read_through_v1() {
    let t = Target::in_process();
    setup(&t);
    t.put(&format!("{}/fromv1", ems(&t, "ws1")), &sdk_body("fromv1", &["scikit-learn"])).expect(200);
    let v = t
        .get(&format!("{}/environments/fromv1/versions/1?api-version=2024-10-01", ws_arm(&t, "ws1")))
        .expect(200)
        .json();
    let p = &v["properties"];
    assert_eq!(p["image"], DEFAULT_IMAGE);
    assert_eq!(p["osType"], "Linux");
    assert!(p["condaFile"].as_str().unwrap().contains("- scikit-learn"), "{p}");
    // A version created through ARM reads through v1 with its conda file parsed.
    let conda = "name: v2env\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - pandas\n";
    let r = t.put(
        &format!("{}/environments/fromv2/versions/3?api-version=2024-10-01", ws_arm(&t, "ws1")),
        &json!({"properties": {"image": "docker.io/python:3.11-slim", "condaFile": conda}}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let b = t.get(&format!("{}/fromv2", ems(&t, "ws1"))).expect(200).json();
    assert_eq!(b["version"], "3");
    assert_eq!(b["docker"]["baseImage"], "docker.io/python:3.11-slim");
    assert_eq!(b["python"]["condaDependencies"]["dependencies"][1]["pip"][0], "pandas");
    // Registering it unchanged through v1 is the same version; changed, the next one.
    let mut same = b.clone();
    same.as_object_mut().unwrap().remove("assetId");
    assert_eq!(t.put(&format!("{}/fromv2", ems(&t, "ws1")), &same).expect(200).json()["version"], "3");
    same["docker"]["shmSize"] = json!("4g");
    assert_eq!(t.put(&format!("{}/fromv2", ems(&t, "ws1")), &same).expect(200).json()["version"], "4");
}

fn workspace_registry(t: &Target) -> Option<String> {
    t.get(&format!("{}?api-version=2024-04-01", ws_arm(t, "ws1"))).json()["properties"]["containerRegistry"]
        .as_str()
        .map(String::from)
}

fn registries(t: &Target) -> Vec<Value> {
    let r = t.get(&format!("{}/resources?api-version=2021-04-01", t.rg("rg1"))).expect(200).json();
    r["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "Microsoft.ContainerRegistry/registries")
        .cloned()
        .collect()
}

#[test]
fn a_build_creates_the_registry_lazily_pushes_once_and_reuses_the_image() {
    let t = Target::in_process();
    setup(&t);
    assert_eq!(workspace_registry(&t), None);
    t.put(&format!("{}/myenv", ems(&t, "ws1")), &sdk_body("myenv", &[])).expect(200);
    let r = t.post(&format!("{}/myenv/versions/1/image", v2(&t, "ws1")), &json!({}));
    assert_eq!(r.status, 202, "{r:?}");
    let b = r.json();
    assert_eq!(b["status"], "Succeeded");
    let location = b["location"].as_str().unwrap().to_string();
    assert!(location.starts_with("http"), "{b}");
    let regs = registries(&t);
    assert_eq!(regs.len(), 1);
    let reg_id = regs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(workspace_registry(&t).as_deref(), Some(reg_id.as_str()));
    let login = t.get(&format!("{reg_id}?api-version=2023-07-01")).expect(200).json()["properties"]["loginServer"]
        .as_str()
        .unwrap()
        .to_string();
    let image = b["imageName"].as_str().unwrap();
    assert!(image.starts_with(&format!("{login}/azureml/azureml_")), "{image}");
    assert_eq!(image.len(), login.len() + "/azureml/azureml_".len() + 32);
    // Polling the location: Succeeded.
    let path = &location[location.find("/environment/").unwrap()..];
    let s = t.get(path).expect(200).json();
    assert_eq!(s["status"], "Succeeded");
    assert_eq!(s["imageExistsInRegistry"], true);
    // Image details.
    let d = t.get(&format!("{}/myenv/versions/1/image", ems(&t, "ws1"))).expect(200).json();
    assert_eq!(d["imageExistsInRegistry"], true);
    assert_eq!(
        format!(
            "{}/{}",
            d["dockerImage"]["registry"]["address"].as_str().unwrap(),
            d["dockerImage"]["name"].as_str().unwrap()
        ),
        image
    );
    // The same definition under another name: the same image, no new registry.
    t.put(&format!("{}/other", ems(&t, "ws1")), &sdk_body("other", &[])).expect(200);
    let again = t.post(&format!("{}/other/versions/1/image", v2(&t, "ws1")), &json!({})).expect(202).json();
    assert_eq!(again["imageName"], image);
    assert_eq!(registries(&t).len(), 1);
    // A changed definition: another image in the same registry.
    t.put(&format!("{}/myenv", ems(&t, "ws1")), &sdk_body("myenv", &["numpy"])).expect(200);
    let third = t.post(&format!("{}/myenv/versions/2/image", v2(&t, "ws1")), &json!({})).expect(202).json();
    assert_ne!(third["imageName"], image);
    assert_eq!(registries(&t).len(), 1);
    // Building what is not registered: 404 (azureml-core maps it to "not registered").
    check_dp_error(
        &t.post(&format!("{}/myenv/versions/7/image", v2(&t, "ws1")), &json!({})),
        404,
        "NotFound",
        "No definition exists for Environment with Name: myenv Version: 7",
    );
}

#[test]
fn a_build_in_polls_mode_runs_until_its_second_poll() {
    let t = Target::in_process();
    setup(&t);
    t.lro("environments/build", "polls:2");
    t.put(&format!("{}/myenv", ems(&t, "ws1")), &sdk_body("myenv", &[])).expect(200);
    let b = t.post(&format!("{}/myenv/versions/1/image", v2(&t, "ws1")), &json!({})).expect(202).json();
    assert_eq!(b["status"], "Running");
    let location = b["location"].as_str().unwrap();
    let path = location[location.find("/environment/").unwrap()..].to_string();
    // The registry exists at once; the image only when the build completes.
    assert!(workspace_registry(&t).is_some());
    let s1 = t.get(&path).expect(200).json();
    assert_eq!(s1["status"], "Running");
    assert_eq!(s1["imageExistsInRegistry"], false);
    let s2 = t.get(&path).expect(200).json();
    assert_eq!(s2["status"], "Succeeded", "{s2}");
    assert_eq!(s2["imageExistsInRegistry"], true);
    // A second build of the built definition completes at once.
    assert_eq!(
        t.post(&format!("{}/myenv/versions/1/image", v2(&t, "ws1")), &json!({})).expect(202).json()["status"],
        "Succeeded"
    );
    // An operation id the emulator never handed out, for a definition not built: 404.
    t.put(&format!("{}/myenv", ems(&t, "ws1")), &sdk_body("myenv", &["numpy"])).expect(200);
    check_dp_error(
        &t.get(&format!("{}/myenv/versions/2/image/operations/nope", v2(&t, "ws1"))),
        404,
        "NotFound",
        "The image build operation 'nope' was not found.",
    );
}

#[test]
fn unmodelled_data_plane_requests_fail_clearly_and_never_ask_for_an_api_version() {
    let t = Target::in_process();
    setup(&t);
    let ws = ws_arm(&t, "ws1");
    let cases = [
        ("GET", format!("/environment/v1.0{ws}/environments/e/labels/prod"), "this environment-service operation"),
        (
            "POST",
            format!("/environment/v1.0{ws}/environments/e/versions/1/recipe"),
            "this environment-service operation",
        ),
        (
            "POST",
            format!("/artifact/v2.0{ws}/artifacts/batch/metadata/ems"),
            "the artifact service (Environment.add_private_pip_wheel",
        ),
        ("POST", format!("/execution/v1.0{ws}/experiments/exp/snapshotrun"), "the execution service (run submission"),
        ("PUT", format!("/history/v1.0{ws}/experiments/exp"), "the run history service"),
        (
            "POST",
            format!("/modelmanagement/v1.0{ws}/services"),
            "the model management service (Model.register, Model.deploy",
        ),
    ];
    for (method, path, what) in cases {
        let body = if method == "GET" { None } else { Some(b"{}".to_vec()) };
        let r = t.request(method, &path, &[("Content-Type", "application/json")], body);
        assert_eq!(r.status, 400, "{method} {path}: {r:?}");
        let e = &r.json()["error"];
        assert_eq!(e["code"], "ServiceNotEmulated", "{r:?}");
        let m = e["message"].as_str().unwrap();
        assert!(m.starts_with(&format!("The emulator does not emulate {what}")), "{m}");
        assert!(m.contains(&format!("{method} {path} is not served")), "{m}");
    }
}
