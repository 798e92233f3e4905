//! The templates the real clients deploy: azure-ai-ml's workspace template (vendored) and
//! azureml-core's `Workspace.create` template (written from its captured description).

mod common;

use armtemplate::{plan, Context, Plan, Scope, Value};
use common::{ctx, sub_ctx, MemHost, SUB};
use serde_json::json;

fn fixture(path: &str) -> Value {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn planned(t: &Value, p: &Value, c: &Context, host: &MemHost) -> Plan {
    plan(t, p, c, host).unwrap_or_else(|e| panic!("{e}"))
}

/// Resolves every step in order, "deploying" each into the host so later steps can read it.
fn deploy_all(p: &Plan, host: &MemHost) -> Vec<Value> {
    let mut bodies = Vec::new();
    for (i, step) in p.steps().iter().enumerate() {
        let mut body = p.resolve(i, host).unwrap_or_else(|e| panic!("step {i} ({}): {e}", step.name));
        if let Some(o) = body.as_object_mut() {
            o.insert("id".into(), json!(step.id));
            o.insert("name".into(), json!(step.name));
            o.insert("type".into(), json!(step.resource_type));
        }
        host.put(&step.id, body.clone());
        bodies.push(body);
    }
    bodies
}

/// The parameters azure-ai-ml 1.35.2 sends for `Workspace(name="ws1", location="westeurope")`
/// (`_populate_arm_parameters`: the vendored parameter file with these values set).
fn ai_ml_parameters() -> Value {
    let mut p = fixture("azure-ai-ml/workspace_param.json");
    let set = [
        ("workspaceName", json!("ws1")),
        ("friendlyName", json!("ws1")),
        ("description", json!("a workspace")),
        ("location", json!("westeurope")),
        ("kind", json!("default")),
        ("resourceGroupName", json!("rg1")),
        ("keyVaultOption", json!("new")),
        ("keyVaultName", json!("ws1keyvault1a2b3c4d")),
        ("keyVaultResourceGroupName", json!("rg1")),
        ("storageAccountOption", json!("new")),
        ("storageAccountName", json!("ws1storage5e6f7a8b9")),
        ("storageAccountResourceGroupName", json!("rg1")),
        ("storageAccountSubscriptionId", json!(SUB)),
        ("applicationInsightsOption", json!("new")),
        ("applicationInsightsName", json!("ws1insights0c1d2e3f")),
        ("applicationInsightsResourceGroupName", json!("rg1")),
        ("logAnalyticsName", json!("ws1logalytics4a5b6c7d")),
        (
            "logAnalyticsArmId",
            json!(format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.OperationalInsights/workspaces/ws1logalytics4a5b6c7d")),
        ),
        ("containerRegistryOption", json!("none")),
        ("tagValues", json!({"createdByToolkit": "sdk-v2-1.35.2"})),
        ("identity", json!({"type": "SystemAssigned"})),
        ("managedNetwork", json!({"isolationMode": "Disabled"})),
        ("publicNetworkAccess", json!("Enabled")),
    ];
    for (k, v) in set {
        p[k] = json!({ "value": v });
    }
    p
}

#[test]
fn azure_ai_ml_default_workspace() {
    let t = fixture("azure-ai-ml/workspace_base.json");
    let host = MemHost::default();
    let p = planned(&t, &ai_ml_parameters(), &ctx(), &host);
    let steps: Vec<(&str, &str)> = p.steps().iter().map(|s| (s.resource_type.as_str(), s.name.as_str())).collect();
    assert_eq!(
        steps,
        [
            ("Microsoft.Storage/storageAccounts", "ws1storage5e6f7a8b9"),
            ("Microsoft.KeyVault/vaults", "ws1keyvault1a2b3c4d"),
            ("Microsoft.OperationalInsights/workspaces", "ws1logalytics4a5b6c7d"),
            ("Microsoft.Insights/components", "ws1insights0c1d2e3f"),
            ("Microsoft.MachineLearningServices/workspaces", "ws1"),
        ]
    );
    assert_eq!(p.steps()[3].depends_on, vec![2]);
    assert_eq!(p.steps()[4].depends_on, vec![0, 1, 3]);
    let bodies = deploy_all(&p, &host);
    let ws = &bodies[4];
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg1/providers");
    assert_eq!(
        ws["properties"]["storageAccount"],
        json!(format!("{rg}/Microsoft.Storage/storageAccounts/ws1storage5e6f7a8b9"))
    );
    assert_eq!(ws["properties"]["keyVault"], json!(format!("{rg}/Microsoft.KeyVault/vaults/ws1keyvault1a2b3c4d")));
    assert_eq!(
        ws["properties"]["applicationInsights"],
        json!(format!("{rg}/Microsoft.Insights/components/ws1insights0c1d2e3f"))
    );
    assert_eq!(ws["properties"]["containerRegistry"], Value::Null);
    assert_eq!(ws["identity"], json!({"type": "SystemAssigned"}));
    assert_eq!(ws["tags"], json!({"createdByToolkit": "sdk-v2-1.35.2"}));
    assert_eq!(ws["location"], "westeurope");
    assert_eq!(ws["kind"], "default");
    assert_eq!(
        bodies[3]["properties"]["WorkspaceResourceId"],
        json!(format!("{rg}/Microsoft.OperationalInsights/workspaces/ws1logalytics4a5b6c7d"))
    );
    assert_eq!(bodies[1]["properties"]["tenantId"], json!(common::TENANT));
    // The deployment record's views.
    assert_eq!(p.dependencies().len(), 2);
    let params = Value::Object(p.parameters());
    assert_eq!(params["workspaceName"], json!({"type": "String", "value": "ws1"}));
    assert!(p.outputs(&host).is_ok_and(|o| o.is_empty()));
}

#[test]
fn azure_ai_ml_defaults_use_unique_string() {
    // With the generated names left out, the template's defaults name the resources itself.
    let mut params = ai_ml_parameters();
    for k in ["storageAccountName", "keyVaultName", "applicationInsightsName", "logAnalyticsName"] {
        params[k] = json!({"value": null});
    }
    let t = fixture("azure-ai-ml/workspace_base.json");
    let p = planned(&t, &params, &ctx(), &MemHost::default());
    let unique = armtemplate::hash::unique_string(&["rg1", "ws1"]);
    assert_eq!(p.steps()[0].name, format!("sa{unique}"));
    assert_eq!(p.steps()[1].name, format!("kv{unique}"));
}

#[test]
fn azureml_core_workspace_create() {
    let t = fixture("azureml-core/workspace_create.json");
    let host = MemHost::default();
    let p = planned(&t, &json!({}), &ctx(), &host);
    let names: Vec<&str> = p.steps().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "myworkspkeyvaulta473a458",
            "myworkspstorage5e1d3f08c",
            "DeployResourceGroup-6a2c4d8e",
            "DeployLogWorkspace-6a2c4d8e",
            "myworkspinsights0b7e9a2c",
            "myworkspace",
        ]
    );
    let deps: Vec<Vec<usize>> = p.steps().iter().map(|s| s.depends_on.clone()).collect();
    assert_eq!(deps, vec![vec![], vec![], vec![], vec![2], vec![3], vec![0, 1, 4]]);
    assert_eq!(p.steps()[2].nested, Some(Scope::Subscription { subscription: SUB.into() }));
    assert_eq!(
        p.steps()[2].id,
        format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/DeployResourceGroup-6a2c4d8e")
    );
    let group = Scope::ResourceGroup { subscription: SUB.into(), group: "DefaultResourceGroup-eastus".into() };
    assert_eq!(p.steps()[3].nested, Some(group.clone()));
    assert_eq!(
        p.steps()[3].id,
        format!("/subscriptions/{SUB}/resourceGroups/DefaultResourceGroup-eastus/providers/Microsoft.Resources/deployments/DeployLogWorkspace-6a2c4d8e")
    );
    let bodies = deploy_all(&p, &host);

    // The nested templates run as deployments of their own, at their own scopes.
    let rg_plan = planned(&bodies[2]["properties"]["template"], &json!({}), &sub_ctx(), &host);
    assert_eq!(rg_plan.steps()[0].id, format!("/subscriptions/{SUB}/resourceGroups/DefaultResourceGroup-eastus"));
    let la_ctx = Context { scope: group, ..ctx() };
    let la_plan = planned(&bodies[3]["properties"]["template"], &json!({}), &la_ctx, &host);
    assert_eq!(
        la_plan.steps()[0].id,
        format!("/subscriptions/{SUB}/resourceGroups/DefaultResourceGroup-eastus/providers/Microsoft.OperationalInsights/workspaces/DefaultWorkspace-eastus")
    );
    assert_eq!(bodies[5]["properties"]["friendlyName"], "myworkspace");
    assert_eq!(bodies[5]["sku"], json!({"tier": "basic", "name": "basic"}));
}
