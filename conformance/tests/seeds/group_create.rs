//! "Create a resource group" (000/002 `create-a-resource-group`, 004 リソース グループを作成する).

use crate::*;

#[test]
fn group_create_prints_the_documented_json() {
    let w = World::new();
    let rg = w.name("rg-seed");
    // 000/002: `az group create --name <resource-group-name> --location <location>`
    // (004 writes `--location <azure-region>`).
    let v = w.run(&format!("group create --name {rg} --location {}", w.loc)).ok().json();
    w.cleanup(&rg);
    let vars = [
        ("<subscription-GUID>", w.sub()),
        ("<resourcegroupname>", rg.as_str()),
        ("<resource-group-name>", rg.as_str()),
        ("<location>", w.loc.as_str()),
    ];
    let doc = seed(GROUP_CREATE, &vars);
    if let Err(e) = fixtures::matches_shape(&doc, &v) {
        // Newer api-versions fill `type`; the seeds (all three) print `"type": null`.
        let mut typed = doc.clone();
        typed["type"] = serde_json::json!("Microsoft.Resources/resourceGroups");
        check("group create (with type)", &typed, &v);
        disagree("create a resource group", &format!("`armctl group create --name {rg} --location {}` prints `\"type\": \"Microsoft.Resources/resourceGroups\"`; the seeds show `\"type\": null` ({e})", w.loc));
    }
    assert_eq!(v["id"], format!("/subscriptions/{}/resourceGroups/{rg}", w.sub()), "the id spells `resourceGroups`");
}

#[test]
fn a_workspace_needs_a_resource_group() {
    // "You must always specify a resource group": the group must exist first.
    let w = World::new();
    let rg = w.name("rg-missing");
    let r = w.run(&format!("ml workspace create -w ws-nogroup -g {rg} -l {}", w.loc));
    r.arm_error_with("ResourceGroupNotFound", &rg);
}
