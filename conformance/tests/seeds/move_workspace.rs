//! "Moving the workspace" (000/002: moving a workspace to another subscription, or the owning
//! subscription to a new tenant, is not supported; 004 says it is in preview). armctl has no
//! move command: the ARM move request is sent as `az resource move` sends it.

use serde_json::json;

use crate::*;

#[test]
fn moving_a_workspace_to_another_group_is_refused() {
    let w = World::new();
    let (rg, ws, _) = workspace(&w, "rg-move", "ws-move");
    let to = w.group("rg-moveto");
    let body = json!({"resources": [w.ws_id(&rg, &ws)], "targetResourceGroup": format!("/subscriptions/{}/resourceGroups/{to}", w.sub())});
    for op in ["validateMoveResources", "moveResources"] {
        let r = w.t.post(&format!("/subscriptions/{}/resourceGroups/{rg}/{op}?api-version=2021-04-01", w.sub()), &body);
        if w.external() {
            assert!(r.status >= 400, "{op}: {r:?}");
        } else {
            conformance::check_error_prefix(
                &r,
                400,
                "ResourceMoveNotSupported",
                "Moving the Azure Machine Learning workspace",
            );
            assert!(r.text().contains("not supported"), "{r:?}");
        }
    }
    // It is still where it was.
    w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok();
    w.run(&format!("ml workspace show -w {ws} -g {to}")).arm_error();
}

#[test]
fn moving_a_workspace_to_another_subscription_is_refused() {
    if World::new().skip("a second subscription (emulator start configuration)") {
        return;
    }
    let other = "5d2c1b0a-9e8f-4a7b-8c6d-1e2f3a4b5c6d";
    let t = conformance::Target::with_config(|c| {
        c.subscriptions.push(armemu::store::Subscription {
            subscription_id: other.into(),
            tenant_id: armemu::config::DEFAULT_TENANT_ID.into(),
            display_name: "Second Subscription".into(),
            state: "Enabled".into(),
            tags: Default::default(),
            managed_by_tenants: Default::default(),
        })
    });
    let mut w = World::on(t);
    w.pin_subscription = true;
    let (rg, ws, _) = workspace(&w, "rg-xmove", "ws-xmove");
    let to = "rg-elsewhere";
    w.t.put(&format!("/subscriptions/{other}/resourcegroups/{to}?api-version=2021-04-01"), &json!({"location": w.loc}))
        .expect(201);
    let body = json!({"resources": [w.ws_id(&rg, &ws)], "targetResourceGroup": format!("/subscriptions/{other}/resourceGroups/{to}")});
    let r = w
        .t
        .post(&format!("/subscriptions/{}/resourceGroups/{rg}/moveResources?api-version=2021-04-01", w.sub()), &body);
    conformance::check_error_prefix(&r, 400, "ResourceMoveNotSupported", "Moving the Azure Machine Learning workspace");
    assert!(r.text().contains("to another subscription is not supported"), "{r:?}");
    w.run(&format!("ml workspace show -w {ws} -g {rg}")).ok();
}
