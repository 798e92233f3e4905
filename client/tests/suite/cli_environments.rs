//! `armctl ml environment …` against the in-process emulator: the v1 forms through the
//! environment service (discovery, `/environment/v1.0…`), the v2 forms through ARM.

use armemu::testing::TestEmulator;
use serde_json::{json, Value};

use crate::helpers::*;

/// Whether `Workspace.from_config`'s lookup would find a file from `dir` (mirrors the CLI's).
fn armctl_find_config(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    dir.ancestors()
        .flat_map(|d| [".azureml/config.json", "aml_config/config.json", "config.json"].map(|r| d.join(r)))
        .find(|p| p.is_file())
}

fn setup(emu: &TestEmulator, rg: &str, ws: &str) -> Cli {
    let cli = Cli::new(emu);
    cli.run(&format!("group create -n {rg} -l eastus")).ok();
    cli.run(&format!("ml workspace create -w {ws} -g {rg}")).ok();
    cli
}

#[test]
fn v1_scaffold_register_list_show_download() {
    let emu = TestEmulator::start();
    let cli = setup(&emu, "rg-env", "ws-env");
    let root = cli.dir.path().to_path_buf();
    // The workspace from config.json (--path), as the v1 CLI finds it.
    std::fs::write(
        root.join("config.json"),
        json!({"subscription_id": SUB, "resource_group": "rg-env", "workspace_name": "ws-env"}).to_string(),
    )
    .unwrap();
    let at = format!("--path {}", root.display());
    let dir = root.join("myenvdir");

    let r = cli.run(&format!("ml environment scaffold -n myenv -d {} {at}", dir.display())).ok();
    assert_eq!(r.out, "");
    let files: Vec<String> = {
        let mut f: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        f.sort();
        f
    };
    assert_eq!(files, ["azureml_environment.json", "conda_dependencies.yml"]);
    // The workspace is loaded first, as the v1 CLI does: a missing one writes nothing.
    let nows = root.join("nows");
    let r = cli.run(&format!("ml environment scaffold -n myenv -d {} -w nosuchws -g rg-env", nows.display()));
    assert_eq!(r.code, 3, "{}", r.err);
    assert!(r.err.contains("nosuchws") && !nows.exists(), "{}", r.err);
    let bad = cli.run(&format!("ml environment scaffold -n myenv -d {} {at}", dir.display()));
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("File exists"), "{}", bad.err);

    // Edit the json and the yml, add a BaseDockerfile.
    let jpath = dir.join("azureml_environment.json");
    let mut def: Value = serde_json::from_str(&std::fs::read_to_string(&jpath).unwrap()).unwrap();
    def["environmentVariables"] = json!({"STAGE": "test"});
    std::fs::write(&jpath, def.to_string()).unwrap();
    let ypath = dir.join("conda_dependencies.yml");
    let yml = std::fs::read_to_string(&ypath).unwrap().replace("- python=3.8.13\n", "- python=3.8.13\n- pillow\n");
    std::fs::write(&ypath, yml).unwrap();

    let reg = cli.run(&format!("ml environment register -d {} -w ws-env -g rg-env", dir.display())).ok().json();
    assert_eq!(reg["name"], "myenv");
    assert_eq!(reg["version"], "1");
    assert_eq!(reg["environmentVariables"], json!({"STAGE": "test"}));
    assert_eq!(reg["python"]["condaDependencies"]["dependencies"][1], "pillow");
    assert_eq!(reg["docker"]["platform"], json!({"os": "Linux", "architecture": "amd64"}));
    assert!(reg["assetId"].as_str().unwrap().starts_with("azureml://locations/"), "{reg}");

    let list = cli.run(&format!("ml environment list {at}")).ok().json();
    let mine: Vec<&Value> = list.as_array().unwrap().iter().filter(|e| e["name"] == "myenv").collect();
    assert_eq!(mine.len(), 1, "{list}");
    assert_eq!(mine[0]["version"], "1");

    let shown = cli.run(&format!("ml environment show -n myenv -v 1 {at}")).ok().json();
    assert_eq!(shown, reg);
    let missing = cli.run(&format!("ml environment show -n nosuch {at}"));
    assert_eq!(missing.code, 3, "{}", missing.err);
    assert!(missing.out.is_empty());

    let dl = root.join("downloaddir");
    cli.run(&format!("ml environment download -n myenv -d {} {at}", dl.display())).ok();
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(dl.join("azureml_environment.json")).unwrap()).unwrap();
    assert_eq!(got["version"], "1");
    assert!(got["python"].get("condaDependencies").is_none());
    let yml = std::fs::read_to_string(dl.join("conda_dependencies.yml")).unwrap();
    assert!(yml.contains("- pillow\n") && yml.starts_with("name: "), "{yml}");
    assert_eq!(cli.run(&format!("ml environment download -n myenv -d {} {at}", dl.display())).code, 2);
    cli.run(&format!("ml environment download -n myenv -d {} --overwrite {at}", dl.display())).ok();

    // The downloaded directory names version 1: registering it again is the same definition.
    let again = cli.run(&format!("ml environment register -d {} {at}", dl.display())).ok().json();
    assert_eq!(again["version"], "1");
    // Without config.json (here or above) or flags the workspace is unknown: a usage error.
    let elsewhere = tempfile::tempdir().unwrap();
    assert!(armctl_find_config(elsewhere.path()).is_none(), "a config.json above {}", elsewhere.path().display());
    let none = cli.run(&format!("ml environment list --path {}", elsewhere.path().display()));
    assert_eq!(none.code, 2, "{}", none.err);
}

#[test]
fn v2_create_show_list_archive_restore() {
    let emu = TestEmulator::start();
    let cli = setup(&emu, "rg-env2", "ws-env2");
    let root = cli.dir.path();
    std::fs::write(root.join("conda.yml"), "name: e2\ndependencies:\n- python=3.10\n").unwrap();
    std::fs::write(
        root.join("env.yml"),
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: env2\n\
         image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\nconda_file: conda.yml\n\
         description: two\ntags:\n  team: ml\n",
    )
    .unwrap();
    let ws = "-w ws-env2 -g rg-env2";
    let file = root.join("env.yml").display().to_string();

    let v = cli.run(&format!("ml environment create --file {file} {ws}")).ok().json();
    assert_eq!(v["name"], "env2");
    assert_eq!(v["version"], "1");
    assert_eq!(v["conda_file"], json!({"name": "e2", "dependencies": ["python=3.10"]}));
    assert_eq!(v["os_type"], "linux");
    assert_eq!(v["tags"], json!({"team": "ml"}));
    assert!(v["id"].as_str().unwrap().starts_with("azureml:/subscriptions/"), "{v}");
    let v2 = cli.run(&format!("ml environment create --file {file} --version 7 {ws}")).ok().json();
    assert_eq!(v2["version"], "7");

    let latest = cli.run(&format!("ml environment show --name env2 --label latest {ws}")).ok().json();
    assert_eq!(latest["version"], "7");
    let one = cli.run(&format!("ml environment show --name env2 --version 1 --v2 {ws}")).ok().json();
    assert_eq!(one["description"], "two");
    let missing = cli.run(&format!("ml environment show --name env2 --version 99 --v2 {ws}"));
    assert_eq!(missing.code, 3, "{}", missing.err);

    let versions = cli.run(&format!("ml environment list --name env2 {ws}")).ok().json();
    let got: Vec<&str> = versions.as_array().unwrap().iter().map(|x| x["version"].as_str().unwrap()).collect();
    assert_eq!(got, ["7", "1"], "newest first");

    cli.run(&format!("ml environment archive --name env2 --version 7 {ws}")).ok();
    let latest = cli.run(&format!("ml environment show --name env2 --label latest {ws}")).ok().json();
    assert_eq!(latest["version"], "1", "an archived version is not the latest");
    let archived = cli.run(&format!("ml environment list --name env2 --archived-only {ws}")).ok().json();
    assert_eq!(archived.as_array().unwrap().len(), 1, "{archived}");
    cli.run(&format!("ml environment restore --name env2 --version 7 {ws}")).ok();
    let all = cli.run(&format!("ml environment list --name env2 {ws}")).ok().json();
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");

    cli.run(&format!("ml environment archive --name env2 {ws}")).ok();
    let active = cli.run(&format!("ml environment list --v2 {ws}")).ok().json();
    assert!(active.as_array().unwrap().iter().all(|c| c["name"] != "env2"), "{active}");
    let with_archived = cli.run(&format!("ml environment list --include-archived {ws}")).ok().json();
    let c = with_archived.as_array().unwrap().iter().find(|c| c["name"] == "env2").expect("listed with archived");
    assert_eq!(c["latest_version"], "7");
    cli.run(&format!("ml environment restore --name env2 {ws}")).ok();

    // A local build context would need an upload: refused before any request.
    std::fs::write(root.join("build.yml"), "name: b\nbuild:\n  path: ./ctx\n").unwrap();
    let r = cli.run(&format!("ml environment create --file {} {ws}", root.join("build.yml").display()));
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("local directory"), "{}", r.err);
    // A changed definition under an existing version is a conflict.
    std::fs::write(root.join("other.yml"), "name: env2\nversion: 1\nimage: other:1\n").unwrap();
    let r = cli.run(&format!("ml environment create --file {} {ws}", root.join("other.yml").display()));
    assert_eq!(r.code, 1, "{}", r.err);
}
