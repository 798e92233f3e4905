//! Real clients' deployment bodies, shared by the deployment scenarios and `armbench`.

use serde_json::{json, Value};

/// azure-ai-ml 1.35.2's workspace template (vendored by the template crate) with the
/// parameters `MLClient.workspaces.begin_create` sends for a default workspace `ws` in group
/// `rg` of subscription `sub`: a new storage account, key vault, Log Analytics workspace and
/// Application Insights component, named after `ws`.
pub fn ai_ml_workspace_deployment(sub: &str, rg: &str, ws: &str) -> Value {
    let template: Value =
        serde_json::from_str(include_str!("../../template/tests/fixtures/azure-ai-ml/workspace_base.json"))
            .expect("the vendored template is JSON");
    let mut p: Value =
        serde_json::from_str(include_str!("../../template/tests/fixtures/azure-ai-ml/workspace_param.json"))
            .expect("the vendored parameters are JSON");
    let rg_id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    let set = [
        ("workspaceName", json!(ws)),
        ("friendlyName", json!(ws)),
        ("description", json!("from the template")),
        ("location", json!("westeurope")),
        ("kind", json!("default")),
        ("resourceGroupName", json!(rg)),
        ("keyVaultOption", json!("new")),
        ("keyVaultName", json!(format!("{ws}kv1a2b3c4d"))),
        ("keyVaultResourceGroupName", json!(rg)),
        ("storageAccountOption", json!("new")),
        ("storageAccountName", json!(format!("{ws}st5e6f7a8b"))),
        ("storageAccountResourceGroupName", json!(rg)),
        ("storageAccountSubscriptionId", json!(sub)),
        ("applicationInsightsOption", json!("new")),
        ("applicationInsightsName", json!(format!("{ws}ai0c1d2e3f"))),
        ("applicationInsightsResourceGroupName", json!(rg)),
        ("logAnalyticsName", json!(format!("{ws}la4a5b6c7d"))),
        (
            "logAnalyticsArmId",
            json!(format!("{rg_id}/providers/Microsoft.OperationalInsights/workspaces/{ws}la4a5b6c7d")),
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
    json!({"properties": {"mode": "Incremental", "template": template, "parameters": p}})
}
