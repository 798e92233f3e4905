//! "List workspaces" (000/002): `az ml workspace list`.

use serde_json::{json, Value};

use crate::*;

#[test]
fn list_prints_resource_group_subscription_and_name() {
    let w = World::new();
    // The seed's example: `myml` in `myresourcegroup`, `anotherml` in `anotherresourcegroup`.
    let rg1 = w.group("myresourcegroup");
    let rg2 = w.group("anotherresourcegroup");
    let (ws1, ws2) = (w.name("myml"), w.name("anotherml"));
    w.run(&format!("ml workspace create -w {ws1} -g {rg1}")).ok();
    w.run(&format!("ml workspace create -w {ws2} -g {rg2}")).ok();
    let v = w.run("ml workspace list").ok().json();
    let items = v.as_array().expect("a JSON array");
    let shape = seed(
        r#"{"resourceGroup": "<resource-group-name>", "subscriptionId": "<subscription-id>", "workspaceName": "<workspace-name>"}"#,
        &[("<subscription-id>", w.sub())],
    );
    for it in items {
        check("ml workspace list item", &shape, it);
    }
    let mine: Vec<&Value> =
        items.iter().filter(|i| i["workspaceName"] == ws1.as_str() || i["workspaceName"] == ws2.as_str()).collect();
    let mut got: Vec<Value> = mine.into_iter().cloned().collect();
    got.sort_by_key(|i| i["workspaceName"].as_str().unwrap_or_default().to_string());
    let mut want = vec![
        json!({"resourceGroup": rg1, "subscriptionId": w.sub(), "workspaceName": ws1}),
        json!({"resourceGroup": rg2, "subscriptionId": w.sub(), "workspaceName": ws2}),
    ];
    want.sort_by_key(|i| i["workspaceName"].as_str().unwrap_or_default().to_string());
    assert_eq!(got, want);
    if !w.external() {
        // In-process the subscription holds exactly the seed's two workspaces.
        assert_eq!(items.len(), 2, "{v}");
        let doc = seed(
            r#"[
  {"resourceGroup": "myresourcegroup", "subscriptionId": "<subscription-id>", "workspaceName": "myml"},
  {"resourceGroup": "anotherresourcegroup", "subscriptionId": "<subscription-id>", "workspaceName": "anotherml"}
]"#,
            &[("<subscription-id>", w.sub())],
        );
        // The seed does not say how the list is ordered; accept either order of the two.
        let reversed = Value::Array(items.iter().rev().cloned().collect());
        if fixtures::matches_shape(&doc, &v).is_err() {
            check("ml workspace list (either order)", &doc, &reversed);
        }
    }
    // `-g` narrows to one group.
    let one = w.run(&format!("ml workspace list -g {rg2}")).ok().json();
    assert_eq!(one, json!([{"resourceGroup": rg2, "subscriptionId": w.sub(), "workspaceName": ws2}]));
}

#[test]
fn list_is_empty_without_workspaces() {
    let w = World::new();
    let rg = w.group("rg-empty");
    assert_eq!(w.run(&format!("ml workspace list -g {rg}")).ok().json(), json!([]));
}
