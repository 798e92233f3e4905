//! Whole templates: what must plan (and resolve) correctly, and what must fail with ARM's codes.

mod common;

use armtemplate::{plan, NoHost, Plan, Scope, TemplateError, Value};
use common::{ctx, sub_ctx, MemHost, SUB};
use rstest::rstest;
use serde_json::json;

const SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn template(resources: Value) -> Value {
    json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources})
}

fn ok(t: &Value, p: &Value) -> Plan {
    match plan(t, p, &ctx(), &NoHost) {
        Ok(plan) => plan,
        Err(e) => panic!("{e}"),
    }
}

fn err(t: &Value, p: &Value) -> TemplateError {
    match plan(t, p, &ctx(), &NoHost) {
        Ok(plan) => panic!("planned: {:?}", plan.steps()),
        Err(e) => e,
    }
}

fn names(plan: &Plan) -> Vec<String> {
    plan.steps().iter().map(|s| s.name.clone()).collect()
}

fn rg_id(rest: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/{rest}")
}

#[test]
fn serial_copy_with_batch_size_depends_on_the_previous_batch() {
    let t = template(json!([{
        "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
        "name": "[concat('sa', copyIndex(1))]", "location": "eastus",
        "copy": {"name": "saLoop", "count": 5, "mode": "Serial", "batchSize": 2},
        "properties": {"index": "[copyIndex()]"}
    }]));
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["sa1", "sa2", "sa3", "sa4", "sa5"]);
    let deps: Vec<Vec<usize>> = p.steps().iter().map(|s| s.depends_on.clone()).collect();
    assert_eq!(deps, vec![vec![], vec![], vec![0, 1], vec![0, 1], vec![2, 3]]);
    assert_eq!(p.resolve(4, &NoHost).map(|b| b["properties"]["index"].clone()), Ok(json!(4)));
    assert_eq!(p.steps()[0].id, rg_id("Microsoft.Storage/storageAccounts/sa1"));
}

#[test]
fn parallel_copy_and_dependency_on_the_loop() {
    let t = template(json!([
        {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-01-01", "name": "[format('ip{0}', copyIndex())]",
         "copy": {"name": "ips", "count": "[parameters('n')]"}},
        {"type": "Microsoft.Network/loadBalancers", "apiVersion": "2023-01-01", "name": "lb", "dependsOn": ["ips"]}
    ]));
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "parameters": {"n": {"type": "int", "defaultValue": 3}}, "resources": t["resources"]});
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["ip0", "ip1", "ip2", "lb"]);
    assert!(p.steps()[..3].iter().all(|s| s.depends_on.is_empty()));
    assert_eq!(p.steps()[3].depends_on, vec![0, 1, 2]);
    let zero = ok(&t, &json!({"n": {"value": 0}}));
    assert_eq!(names(&zero), ["lb"]);
}

#[test]
fn condition_false_resources_are_left_out_and_pass_their_dependencies_on() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
    "parameters": {"withVnet": {"type": "bool", "defaultValue": false}},
    "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-01-01", "name": "nsg"},
        {"condition": "[parameters('withVnet')]", "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-01-01", "name": "vnet",
         "dependsOn": ["[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"]},
        {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-01-01", "name": "vm",
         "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'vnet')]"]}
    ]});
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["nsg", "vm"]);
    assert_eq!(p.steps()[1].depends_on, vec![0]);
    let with = ok(&t, &json!({"withVnet": {"value": true}}));
    assert_eq!(names(&with), ["nsg", "vnet", "vm"]);
    assert_eq!(with.steps()[2].depends_on, vec![1]);
}

#[test]
fn dependencies_are_ordered_stably_by_template_order() {
    let t = template(json!([
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "site", "dependsOn": ["plan"]},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa"},
        {"type": "Microsoft.Web/serverfarms", "apiVersion": "2023-01-01", "name": "plan", "dependsOn": ["Microsoft.Storage/storageAccounts/sa"]},
        {"type": "Microsoft.Insights/components", "apiVersion": "2020-02-02", "name": "ai"}
    ]));
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["sa", "plan", "site", "ai"]);
    let deps = p.dependencies();
    assert_eq!(deps.len(), 2);
    assert_eq!(deps[0]["resourceName"], "plan");
    assert_eq!(deps[0]["dependsOn"][0]["resourceType"], "Microsoft.Storage/storageAccounts");
}

#[test]
fn nested_child_resources_join_the_parent_and_depend_on_it() {
    let t = template(json!([{
        "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-01-01", "name": "vnet1",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
        "resources": [
            {"type": "subnets", "apiVersion": "2023-01-01", "name": "sub1", "properties": {"addressPrefix": "10.0.0.0/24"}},
            {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-01-01", "name": "vnet1/sub2", "dependsOn": ["sub1"]}
        ]
    }]));
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["vnet1", "vnet1/sub1", "vnet1/sub2"]);
    assert_eq!(p.steps()[1].resource_type, "Microsoft.Network/virtualNetworks/subnets");
    assert_eq!(p.steps()[1].id, rg_id("Microsoft.Network/virtualNetworks/vnet1/subnets/sub1"));
    assert_eq!(p.steps()[1].depends_on, vec![0]);
    assert_eq!(p.steps()[2].depends_on, vec![0, 1]);
    let body = p.resolve(1, &NoHost).unwrap_or_default();
    assert_eq!(body, json!({"properties": {"addressPrefix": "10.0.0.0/24"}}));
    // The parent's body leaves the children (and every template-only field) out.
    assert_eq!(
        p.resolve(0, &NoHost).unwrap_or_default(),
        json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})
    );
}

#[test]
fn extension_resources_with_scope() {
    let t = template(json!([
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa"},
        {"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "lock",
         "scope": "[concat('Microsoft.Storage/storageAccounts/', 'sa')]", "dependsOn": ["sa"], "properties": {"level": "CanNotDelete"}},
        {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "[guid('x')]",
         "scope": "[resourceId('Microsoft.Storage/storageAccounts', 'sa')]", "dependsOn": ["sa"]}
    ]));
    let p = ok(&t, &json!({}));
    assert_eq!(
        p.steps()[1].id,
        format!("{}/providers/Microsoft.Authorization/locks/lock", rg_id("Microsoft.Storage/storageAccounts/sa"))
    );
    assert!(p.steps()[2].id.starts_with(&format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/",
        rg_id("Microsoft.Storage/storageAccounts/sa")
    )));
}

#[test]
fn variables_reference_variables_and_copy() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string", "defaultValue": "app"}},
        "variables": {
            "name": "[concat(variables('base'), '-web')]",
            "base": "[toLower(parameters('prefix'))]",
            "copy": [{"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks')]", "name": "[concat(variables('base'), copyIndex('disks', 1))]"}}],
            "escaped": "[[not evaluated]"
        },
        "resources": [{"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-01-01", "name": "[variables('name')]",
            "properties": {"disks": "[variables('disks')]", "literal": "[variables('escaped')]",
                "copy": [{"name": "nics", "count": 2, "input": {"id": "[concat('nic', copyIndex('nics'))]"}}]}}],
        "outputs": {"n": {"type": "string", "value": "[variables('name')]"}}
    });
    let p = ok(&t, &json!({"prefix": {"value": "App"}}));
    assert_eq!(names(&p), ["app-web"]);
    let body = p.resolve(0, &NoHost).unwrap_or_default();
    assert_eq!(body["properties"]["disks"], json!([{"lun": 0, "name": "app1"}, {"lun": 1, "name": "app2"}]));
    assert_eq!(body["properties"]["nics"], json!([{"id": "nic0"}, {"id": "nic1"}]));
    assert_eq!(body["properties"]["literal"], json!("[not evaluated]"));
}

#[test]
fn outputs_with_copy_condition_and_secure_values() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
    "parameters": {"pwd": {"type": "securestring"}, "count": {"type": "int", "defaultValue": 2}, "tags": {"type": "object", "defaultValue": {"a": "b"}}},
    "resources": [],
    "outputs": {
        "names": {"type": "array", "copy": {"count": "[parameters('count')]", "input": "[concat('n', copyIndex())]"}},
        "shown": {"condition": "[equals(parameters('count'), 2)]", "type": "int", "value": "[parameters('count')]"},
        "hidden": {"condition": "[equals(parameters('count'), 3)]", "type": "int", "value": 3},
        "secret": {"type": "securestring", "value": "[parameters('pwd')]"},
        "obj": {"type": "Object", "value": "[parameters('tags')]"}
    }});
    let p = ok(&t, &json!({"pwd": {"value": "hunter2"}}));
    let out = p.outputs(&NoHost).unwrap_or_default();
    assert_eq!(
        Value::Object(out),
        json!({
            "names": {"type": "Array", "value": ["n0", "n1"]},
            "shown": {"type": "Int", "value": 2},
            "obj": {"type": "Object", "value": {"a": "b"}}
        })
    );
    let params = Value::Object(p.parameters());
    assert_eq!(params["pwd"], json!({"type": "SecureString"}));
    assert_eq!(params["count"], json!({"type": "Int", "value": 2}));
    assert!(!params.to_string().contains("hunter2"));

    let bad = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [], "outputs": {"o": {"type": "int", "value": "text"}}});
    let e = ok(&bad, &json!({})).outputs(&NoHost).err().map(|e| e.message).unwrap_or_default();
    assert!(e.contains("The template output 'o' is not valid"), "{e}");
}

#[test]
fn implicit_dependency_from_reference_and_list() {
    let t = template(json!([
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "site",
         "properties": {"conn": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]",
                        "endpoint": "[reference('sa').primaryEndpoints.blob]"}},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "sa"}
    ]));
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["sa", "site"]);
    assert_eq!(p.steps()[1].depends_on, vec![0]);
    // Resolving reads the deployed resource through the host.
    let host = MemHost::default();
    let sa = rg_id("Microsoft.Storage/storageAccounts/sa");
    host.put(&sa, json!({"id": sa, "properties": {"primaryEndpoints": {"blob": "https://sa/"}}}));
    let body = p.resolve(1, &host).unwrap_or_default();
    assert_eq!(body["properties"], json!({"conn": "secret", "endpoint": "https://sa/"}));
    // Before it exists, the host's error comes back unchanged.
    let e = p.resolve(1, &NoHost).err();
    assert_eq!(e.map(|e| e.code), Some("ResourceNotFound".to_string()));
}

#[test]
fn parameter_defaults_may_use_utc_now_and_new_guid() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {
            "stamp": {"type": "string", "defaultValue": "[utcNow()]"},
            "day": {"type": "string", "defaultValue": "[utcNow('yyyy-MM-dd')]"},
            "id": {"type": "string", "defaultValue": "[newGuid()]"},
            "derived": {"type": "string", "defaultValue": "[concat(parameters('day'), '/', parameters('id'))]"}
        },
        "resources": []});
    let p = Value::Object(ok(&t, &json!({})).parameters());
    assert_eq!(p["stamp"]["value"], "20240102T030405Z");
    assert_eq!(p["derived"]["value"], "2024-01-02/11111111-2222-3333-4444-555555555555");
}

#[test]
fn null_parameter_values_take_the_default() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"a": {"type": "string", "defaultValue": "dflt"}}, "resources": []});
    let p = Value::Object(ok(&t, &json!({"A": {"value": null}})).parameters());
    assert_eq!(p["a"]["value"], "dflt");
}

fn nested(scope_fields: Value, scope: &str) -> Value {
    let mut r = json!({
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": {"scope": scope},
            "parameters": {"saName": {"value": "[parameters('name')]"}},
            "template": {
                "$schema": SCHEMA, "contentVersion": "1.0.0.0",
                "parameters": {"saName": {"type": "string", "defaultValue": "x"}},
                "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                    "name": "[concat(parameters('name'), copyIndex())]", "copy": {"name": "c", "count": 2},
                    "location": "[resourceGroup().location]",
                    "properties": {"literal": "[[keep]", "ref": "[reference(resourceId('Microsoft.Storage/storageAccounts', concat(parameters('name'), '0'))).x]"}}],
                "outputs": {"o": {"type": "string", "value": "[parameters('name')]"}}
            }
        }
    });
    if let (Some(obj), Some(extra)) = (r.as_object_mut(), scope_fields.as_object()) {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
    json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string", "defaultValue": "sa"}, "group": {"type": "string", "defaultValue": "other"}},
        "resources": [r]})
}

#[test]
fn nested_deployment_to_another_group_outer_scope() {
    let p = ok(&nested(json!({"resourceGroup": "[parameters('group')]"}), "outer"), &json!({}));
    let step = &p.steps()[0];
    assert_eq!(step.nested, Some(Scope::ResourceGroup { subscription: SUB.into(), group: "other".into() }));
    assert_eq!(
        step.id,
        format!("/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Resources/deployments/inner")
    );
    let body = p.resolve(0, &NoHost).unwrap_or_default();
    let res = &body["properties"]["template"]["resources"][0];
    // Outer scope: parameters and resourceGroup() are the parent's; loops and references stay.
    assert_eq!(res["name"], json!("[concat('sa', copyIndex())]"));
    assert_eq!(res["location"], json!("eastus"));
    assert_eq!(res["properties"]["literal"], json!("[[keep]"));
    assert_eq!(
        res["properties"]["ref"],
        json!(format!("[reference('{}').x]", rg_id("Microsoft.Storage/storageAccounts/sa0")))
    );
    assert_eq!(body["properties"]["template"]["outputs"]["o"]["value"], json!("sa"));
}

#[test]
fn nested_deployment_to_another_group_inner_scope() {
    let t = nested(json!({"resourceGroup": "[parameters('group')]", "subscriptionId": "s2"}), "inner");
    let p = ok(&t, &json!({"name": {"value": "given"}}));
    assert_eq!(p.steps()[0].nested, Some(Scope::ResourceGroup { subscription: "s2".into(), group: "other".into() }));
    let body = p.resolve(0, &NoHost).unwrap_or_default();
    // Inner scope: the template passes as is, its parameters are evaluated here.
    assert_eq!(body["properties"]["template"], t["resources"][0]["properties"]["template"]);
    assert_eq!(body["properties"]["parameters"], json!({"saName": {"value": "given"}}));
}

#[test]
fn nested_deployment_to_subscription_scope() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [{
        "type": "Microsoft.Resources/deployments", "apiVersion": "2019-10-01", "name": "rgdep", "subscriptionId": SUB, "location": "eastus",
        "properties": {"mode": "Incremental", "template": {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [
            {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2019-10-01", "name": "newRg", "location": "eastus"}]}}
    }]});
    let p = ok(&t, &json!({}));
    assert_eq!(p.steps()[0].nested, Some(Scope::Subscription { subscription: SUB.into() }));
    assert_eq!(p.steps()[0].id, format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/rgdep"));
    // The nested template itself plans at subscription scope.
    let body = p.resolve(0, &NoHost).unwrap_or_default();
    assert_eq!(body["location"], "eastus");
    let inner = plan(&body["properties"]["template"], &json!({}), &sub_ctx(), &NoHost);
    let inner = inner.map(|p| p.steps()[0].id.clone()).map_err(|e| e.message);
    assert_eq!(inner, Ok(format!("/subscriptions/{SUB}/resourceGroups/newRg")));
}

#[test]
fn subscription_scope_deployment_into_a_group() {
    let t = json!({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2019-10-01", "name": "g2", "location": "eastus"},
        {"type": "Microsoft.Resources/deployments", "apiVersion": "2019-10-01", "name": "into", "resourceGroup": "g2",
         "dependsOn": ["[resourceId('Microsoft.Resources/resourceGroups', 'g2')]"],
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
             "template": {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": []}}}
    ]});
    let p = plan(&t, &json!({}), &sub_ctx(), &NoHost).map_err(|e| e.message);
    let p = match p {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(p.steps()[1].nested, Some(Scope::ResourceGroup { subscription: SUB.into(), group: "g2".into() }));
    assert_eq!(p.steps()[1].depends_on, vec![0]);
}

#[test]
fn language_version_2_symbolic_names_and_existing() {
    let t = json!({"$schema": SCHEMA, "languageVersion": "2.0", "contentVersion": "1.0.0.0",
        "parameters": {"location": {"type": "string", "defaultValue": "eastus"}},
        "resources": {
            "vault": {"existing": true, "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-shared"},
            "site": {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "web", "location": "[parameters('location')]",
                     "dependsOn": ["plan", "vault"], "properties": {"vaultUri": "[reference('vault').vaultUri]", "planId": "[resourceId('Microsoft.Web/serverfarms', 'asp')]"}},
            "plan": {"type": "Microsoft.Web/serverfarms", "apiVersion": "2023-01-01", "name": "asp", "location": "[parameters('location')]"},
            "slots": {"type": "Microsoft.Web/sites/slots", "apiVersion": "2023-01-01", "name": "[format('web/s{0}', copyIndex())]",
                      "copy": {"name": "slots", "count": 2}, "dependsOn": ["site"]}
        },
        "outputs": {"uri": {"type": "string", "value": "[reference('vault').vaultUri]"}}
    });
    let p = ok(&t, &json!({}));
    assert_eq!(names(&p), ["asp", "web", "web/s0", "web/s1"]);
    assert_eq!(p.steps()[1].symbolic_name.as_deref(), Some("site"));
    assert_eq!(p.steps()[1].depends_on, vec![0]);
    assert_eq!(p.steps()[2].depends_on, vec![1]);
    let host = MemHost::default();
    let kv = rg_id("Microsoft.KeyVault/vaults/kv-shared");
    host.put(&kv, json!({"id": kv, "properties": {"vaultUri": "https://kv-shared.vault.azure.net/"}}));
    let body = p.resolve(1, &host).unwrap_or_default();
    assert_eq!(body["properties"]["vaultUri"], "https://kv-shared.vault.azure.net/");
    assert_eq!(body["location"], "eastus");
    let out = p.outputs(&host).unwrap_or_default();
    assert_eq!(out["uri"]["value"], "https://kv-shared.vault.azure.net/");
}

#[test]
fn template_hash_is_stable_decimal() {
    let t = template(json!([]));
    let a = ok(&t, &json!({})).template_hash();
    assert_eq!(a, ok(&t, &json!({})).template_hash());
    assert!(a.chars().all(|c| c.is_ascii_digit()), "{a}");
    assert_ne!(
        a,
        ok(&template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "x"}])), &json!({})).template_hash()
    );
}

/// Templates that must fail at plan time, with ARM's code and words.
#[rstest]
#[case::cycle(
    template(json!([
        {"type": "A.B/c", "apiVersion": "1", "name": "one", "dependsOn": ["two"]},
        {"type": "A.B/c", "apiVersion": "1", "name": "two", "dependsOn": ["[resourceId('A.B/c', 'one')]"]}
    ])),
    json!({}), "InvalidTemplate", "Circular dependency detected on resource: "
)]
#[case::self_cycle_through_copy(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "[concat('x', copyIndex())]", "copy": {"name": "loop", "count": 2}, "dependsOn": ["loop"]}])),
    json!({}), "InvalidTemplate", "Circular dependency detected"
)]
#[case::unknown_function(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "[bogus('x')]"}])),
    json!({}), "InvalidTemplate", "The template function 'bogus' is not valid"
)]
#[case::unknown_function_in_condition_false_resource(
    template(json!([{"condition": false, "type": "A.B/c", "apiVersion": "1", "name": "x", "properties": {"p": "[bogus()]"}}])),
    json!({}), "InvalidTemplate", "resources[0].properties.p"
)]
#[case::missing_parameter(
    json!({"contentVersion": "1.0.0.0", "parameters": {"name": {"type": "string"}}, "resources": []}),
    json!({}), "InvalidTemplate", "The value for the template parameter 'name' at 'parameters.name' is not provided"
)]
#[case::not_allowed(
    json!({"contentVersion": "1.0.0.0", "parameters": {"sku": {"type": "string", "allowedValues": ["Standard_LRS", "Premium_LRS"]}}, "resources": []}),
    json!({"sku": {"value": "Basic"}}), "InvalidTemplate", "The provided value for the template parameter 'sku' is not valid. The value 'Basic' is not part of the allowed value(s): 'Standard_LRS,Premium_LRS'."
)]
#[case::too_long(
    json!({"contentVersion": "1.0.0.0", "parameters": {"name": {"type": "string", "maxLength": 3}}, "resources": []}),
    json!({"name": {"value": "abcd"}}), "InvalidTemplate", "Length of the value should be less than or equal to '3'"
)]
#[case::too_short_array(
    json!({"contentVersion": "1.0.0.0", "parameters": {"a": {"type": "array", "minLength": 2}}, "resources": []}),
    json!({"a": {"value": [1]}}), "InvalidTemplate", "greater than or equal to '2'"
)]
#[case::wrong_type(
    json!({"contentVersion": "1.0.0.0", "parameters": {"n": {"type": "int"}}, "resources": []}),
    json!({"n": {"value": "five"}}), "InvalidTemplate", "Expected a value of type 'Integer', but received a value of type 'String'"
)]
#[case::wrong_type_case_insensitive_declaration(
    json!({"contentVersion": "1.0.0.0", "parameters": {"o": {"type": "SecureObject"}}, "resources": []}),
    json!({"o": {"value": []}}), "InvalidTemplate", "Expected a value of type 'Object'"
)]
#[case::above_max(
    json!({"contentVersion": "1.0.0.0", "parameters": {"n": {"type": "int", "maxValue": 3}}, "resources": []}),
    json!({"n": {"value": 4}}), "InvalidTemplate", "greater than the maximum value '3'"
)]
#[case::unknown_parameter(
    json!({"contentVersion": "1.0.0.0", "parameters": {"a": {"type": "string", "defaultValue": ""}}, "resources": []}),
    json!({"b": {"value": "x"}}), "InvalidTemplate", "The template parameters 'b' in the parameters file are not valid"
)]
#[case::key_vault_reference(
    json!({"contentVersion": "1.0.0.0", "parameters": {"pwd": {"type": "securestring"}}, "resources": []}),
    json!({"pwd": {"reference": {"keyVault": {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v"}, "secretName": "s"}}}),
    "InvalidTemplate", "Key Vault reference"
)]
#[case::utc_now_outside_default(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "x", "tags": {"t": "[utcNow()]"}}])),
    json!({}), "InvalidTemplate", "The template function 'utcNow' is not expected at this location"
)]
#[case::new_guid_in_variable(
    json!({"contentVersion": "1.0.0.0", "variables": {"g": "[newGuid()]"}, "resources": []}),
    json!({}), "InvalidTemplate", "The template function 'newGuid' is not expected at this location"
)]
#[case::undefined_dependency(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "x", "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'vnet')]"]}])),
    json!({}), "InvalidTemplate", "The resource '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet' is not defined in the template."
)]
#[case::undefined_dependency_by_name(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "x", "dependsOn": ["nowhere"]}])),
    json!({}), "InvalidTemplate", "The resource 'nowhere' is not defined in the template."
)]
#[case::segments(
    template(json!([{"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "1", "name": "onlyOne"}])),
    json!({}), "InvalidTemplate", "incorrect segment lengths"
)]
#[case::linked_template(
    template(json!([{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
        "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}}}])),
    json!({}), "InvalidContentLink", "can't be downloaded offline"
)]
#[case::parse_error_in_name(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "[concat('a']"}])),
    json!({}), "InvalidTemplate", "Unable to parse language expression"
)]
#[case::copy_count_not_int(
    template(json!([{"type": "A.B/c", "apiVersion": "1", "name": "[string(copyIndex())]", "copy": {"name": "l", "count": "[json('{}')]"}}])),
    json!({}), "InvalidTemplate", "The copy count must be an integer"
)]
#[case::resources_not_array(json!({"contentVersion": "1.0.0.0", "resources": {}}), json!({}), "InvalidTemplate", "must be an array")]
#[case::variable_cycle(
    json!({"contentVersion": "1.0.0.0", "variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
           "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "[variables('a')]"}]}),
    json!({}), "InvalidTemplate", "circular reference"
)]
fn fails_to_plan(#[case] t: Value, #[case] params: Value, #[case] code: &str, #[case] words: &str) {
    let e = err(&t, &params);
    assert_eq!(e.code, code, "{}", e.message);
    assert!(e.message.contains(words), "{}", e.message);
    if code == "InvalidTemplate" {
        assert!(e.message.starts_with("Deployment template validation failed: '"), "{}", e.message);
    }
}

#[test]
fn cycle_names_every_resource_in_it() {
    let t = template(json!([
        {"type": "A.B/c", "apiVersion": "1", "name": "free"},
        {"type": "A.B/c", "apiVersion": "1", "name": "one", "dependsOn": ["three"]},
        {"type": "A.B/c", "apiVersion": "1", "name": "two", "dependsOn": ["one"]},
        {"type": "A.B/c", "apiVersion": "1", "name": "three", "dependsOn": ["two"]}
    ]));
    let e = err(&t, &json!({})).message;
    for n in ["one", "two", "three"] {
        assert!(e.contains(&format!("/providers/A.B/c/{n}'")), "{e}");
    }
    assert!(!e.contains("/free'"), "{e}");
}

#[test]
fn secure_values_never_appear_in_errors() {
    let t = json!({"contentVersion": "1.0.0.0", "parameters": {"pwd": {"type": "securestring", "allowedValues": ["a"]}}, "resources": []});
    let e = err(&t, &json!({"pwd": {"value": "hunter2"}}));
    assert!(!e.message.contains("hunter2"), "{}", e.message);
}

#[test]
fn resolve_errors_are_evaluation_errors_with_the_location() {
    let t = template(
        json!([{"type": "A.B/c", "apiVersion": "1", "name": "x", "properties": {"p": "[parameters('nope')]"}}]),
    );
    let t = json!({"contentVersion": "1.0.0.0", "parameters": {"nope": {"type": "object", "defaultValue": {}}}, "resources": t["resources"]});
    let bad = json!({"contentVersion": "1.0.0.0", "resources": [{"type": "A.B/c", "apiVersion": "1", "name": "x", "properties": {"p": "[substring('abc', 5)]"}}]});
    assert!(ok(&t, &json!({})).resolve(0, &NoHost).is_ok());
    let e = ok(&bad, &json!({})).resolve(0, &NoHost).err().unwrap_or_else(|| panic!("resolved"));
    assert!(
        e.message.starts_with("Deployment template language expression evaluation failed: 'The template resource 'x'"),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("resources[0].properties.p"));
    assert!(ok(&bad, &json!({})).resolve(9, &NoHost).is_err());
}

#[test]
fn plans_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Plan>();
    assert_send_sync::<armtemplate::Step>();
    assert_send_sync::<TemplateError>();
}
