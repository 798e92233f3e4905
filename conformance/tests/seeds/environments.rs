//! "Omgevingen maken en beheren met de CLI" (seed 003, the environments how-to): `az ml
//! environment scaffold -n myenv -d myenvdir`, `register -d myenvdir`, `list`, and
//! `download -n myenv -d downloaddir`, each through `armctl`, with azureml-core's on-disk format
//! and `Environment._serialize_to_dict` output.

use std::path::Path;

use serde_json::{json, Value};

use crate::*;

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("reading the definition")).expect("JSON")
}

/// The keys `Environment._serialize_to_dict` prints, in any order.
const V1_KEYS: [&str; 10] = [
    "assetId",
    "databricks",
    "docker",
    "environmentVariables",
    "inferencingStackVersion",
    "name",
    "python",
    "r",
    "spark",
    "version",
];

fn check_v1(what: &str, v: &Value) {
    for k in V1_KEYS {
        assert!(v.get(k).is_some(), "{what}: key {k} missing in {v}");
    }
    assert!(v["python"]["condaDependencies"].is_object(), "{what}: python.condaDependencies in {v}");
    assert!(v["version"].is_string(), "{what}: version is a string in {v}");
}

#[test]
fn scaffold_register_list_download_as_the_seed_types_them() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-env", "ws-env");
    let wsf = format!("-w {ws} -g {rg}");
    let root = w.dir.path();
    let envdir = root.join("myenvdir");
    let name = w.name("myenv");

    // az ml environment scaffold -n myenv -d myenvdir
    let r = w.run(&format!("ml environment scaffold -n {name} -d {} {wsf}", envdir.display())).ok();
    assert!(r.out.is_empty(), "scaffold prints nothing: {}", r.out);
    let def = read_json(&envdir.join("azureml_environment.json"));
    assert_eq!(def["name"], name.as_str());
    assert_eq!(def["version"], Value::Null);
    assert!(def["python"].get("condaDependencies").is_none(), "the conda dependencies have their own file");
    let conda = std::fs::read_to_string(envdir.join("conda_dependencies.yml")).unwrap();
    assert!(conda.starts_with("# Conda environment specification."), "{conda}");
    // A second scaffold into the same directory is refused (os.makedirs without exist_ok).
    let again = w.run(&format!("ml environment scaffold -n {name} -d {} {wsf}", envdir.display()));
    assert_eq!(again.code, 2, "{}", again.err);
    assert!(again.err.contains("File exists"), "{}", again.err);

    // Edit: a package (the seed's scikit-learn==0.21.3) and an environment variable.
    let mut edited = def.clone();
    edited["environmentVariables"] = json!({"MODE": "seed"});
    std::fs::write(envdir.join("azureml_environment.json"), serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    std::fs::write(
        envdir.join("conda_dependencies.yml"),
        conda.replace("- python=3.8.13\n", "- python=3.8.13\n- scikit-learn==0.21.3\n"),
    )
    .unwrap();

    // az ml environment register -d myenvdir
    let reg = w.run(&format!("ml environment register -d {} {wsf}", envdir.display())).ok().json();
    check_v1("register", &reg);
    assert_eq!(reg["name"], name.as_str());
    assert_eq!(reg["version"], "1");
    assert_eq!(reg["environmentVariables"], json!({"MODE": "seed"}));
    let deps = reg["python"]["condaDependencies"]["dependencies"].to_string();
    assert!(deps.contains("scikit-learn==0.21.3"), "{deps}");
    // Registering the same directory again is accepted (a new or the same version).
    let reg2 = w.run(&format!("ml environment register -d {} {wsf}", envdir.display())).ok().json();
    assert_eq!(reg2["name"], name.as_str());

    // az ml environment list
    let list = w.run(&format!("ml environment list {wsf}")).ok().json();
    let items = list.as_array().expect("an array");
    let mine = items.iter().find(|e| e["name"] == name.as_str()).expect("the registered environment is listed");
    check_v1("list item", mine);
    assert_eq!(mine["version"], reg2["version"], "the list holds the latest version");
    if !w.external() {
        // The curated set is listed too, each with conda dependencies (the how-to's loop).
        let curated: Vec<&Value> =
            items.iter().filter(|e| e["name"].as_str().unwrap_or("").starts_with("AzureML")).collect();
        assert!(!curated.is_empty(), "curated environments are listed");
        for c in curated {
            assert!(c["python"]["condaDependencies"].is_object(), "{c}");
        }
    }

    // az ml environment show -n myenv -v 1
    let shown = w.run(&format!("ml environment show -n {name} -v 1 {wsf}")).ok().json();
    assert_eq!(shown["version"], "1");
    assert_eq!(shown["python"]["condaDependencies"], reg["python"]["condaDependencies"]);

    // az ml environment download -n myenv -d downloaddir
    let dl = root.join("downloaddir");
    let r = w.run(&format!("ml environment download -n {name} -v 1 -d {} {wsf}", dl.display())).ok();
    assert!(r.out.is_empty(), "download prints nothing: {}", r.out);
    let got = read_json(&dl.join("azureml_environment.json"));
    assert_eq!(got["version"], "1");
    assert!(got["assetId"].as_str().is_some_and(|a| a.starts_with("azureml://")), "{got}");
    let yml = std::fs::read_to_string(dl.join("conda_dependencies.yml")).unwrap();
    assert!(yml.contains("- scikit-learn==0.21.3\n") && !yml.starts_with('#'), "{yml}");
    // An existing directory needs --overwrite.
    let again = w.run(&format!("ml environment download -n {name} -d {} {wsf}", dl.display()));
    assert_eq!(again.code, 2, "{}", again.err);
    w.run(&format!("ml environment download -n {name} -d {} --overwrite {wsf}", dl.display())).ok();

    // A downloaded directory carries its version: registering it PUTs to /versions/1, the
    // same definition, which the service accepts as it is.
    let dl = root.join("downloaddir").display().to_string();
    let back = w.run(&format!("ml environment register -d {dl} {wsf}")).ok().json();
    assert_eq!(back["version"], "1");
    assert_eq!(back["python"]["condaDependencies"], reg["python"]["condaDependencies"]);
}

#[test]
fn show_of_a_missing_environment_fails() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-env404", "ws-env404");
    let r = w.run(&format!("ml environment show -n nosuchenv -w {ws} -g {rg}"));
    assert_eq!(r.code, 3, "not found: {}", r.err);
    assert!(r.out.is_empty());
    assert!(r.err.contains("nosuchenv"), "{}", r.err);
}
