//! The OpenAPI validator ([`conformance::schema`]) that checks every answer a [`conformance::Target`]
//! client receives: the vendored definitions load and every `$ref` resolves, requests map to
//! their operations, and each kind of finding is reported (and allow-listed) as documented.

use conformance::schema::{specs_dir, validate_answer, Finding, Specs};
use serde_json::{json, Value};

const WS: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";

fn specs() -> &'static Specs {
    Specs::get()
}

/// The findings (allowed ones included) for a 200 answer of `Workspaces_Get`.
fn workspace_findings(body: Value) -> Vec<String> {
    let op = specs().operation("GET", &format!("{WS}?api-version=2024-10-01")).expect("Workspaces_Get");
    specs().check(op, 200, &body).expect("a schema for 200").iter().map(Finding::to_string).collect()
}

#[test]
fn every_ref_in_the_vendored_files_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut n = 0;
    for (file, doc) in specs().files() {
        let mut found = Vec::new();
        refs(doc, &mut found);
        for r in found {
            assert!(specs().resolves(file, r), "{file}: $ref {r} does not resolve to a vendored definition");
            n += 1;
        }
    }
    assert!(n > 50, "only {n} references checked");
    assert!(specs_dir().join("MANIFEST.tsv").exists(), "fixtures/official/specs/MANIFEST.tsv lists the vendored files");
}

#[test]
fn every_vendored_file_is_in_the_manifest_and_every_operation_has_a_route() {
    let manifest = std::fs::read_to_string(specs_dir().join("MANIFEST.tsv")).unwrap();
    let listed: std::collections::BTreeSet<&str> = manifest
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let files: std::collections::BTreeSet<&str> = specs().files().map(|(f, _)| f.as_str()).collect();
    assert_eq!(files, listed, "fixtures/official/specs/ and its MANIFEST.tsv disagree");
    let routes = conformance::armemu::all_routes();
    for op in &specs().operations {
        let generic = generic_route(op);
        assert!(
            routes
                .iter()
                .any(|r| (r.operation == op.id || Some(r.operation) == generic) && r.method.as_str() == op.method),
            "{} {} ({}): the emulator has no such route, so validating it proves nothing",
            op.method,
            op.id,
            op.file
        );
    }
}

/// The generic route that answers a provider's own operation on a type the catalog models
/// without a typed module (`StorageAccounts_GetProperties` is `Resources_GetById` for a
/// `Microsoft.Storage/storageAccounts` id, `Vaults_ListBySubscription` is
/// `Provider_ListBySubscription`), so its vendored definition checks what those routes answer.
fn generic_route(op: &conformance::schema::Operation) -> Option<&'static str> {
    let segs: Vec<&str> = op.template.split('?').next()?.split('/').filter(|s| !s.is_empty()).collect();
    let at = segs.iter().rposition(|s| s.eq_ignore_ascii_case("providers"))?;
    let (ns, rest) = (segs.get(at + 1)?, &segs[at + 2..]);
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    if ns.starts_with('{') || rest.is_empty() || types.iter().any(|t| t.starts_with('{')) {
        return None;
    }
    let (_, ty) = conformance::armemu::catalog::resource_type(&format!("{ns}/{}", types.join("/")))?;
    if ty.emulation == conformance::armemu::catalog::Emulation::NotEmulated {
        return None;
    }
    let in_group = segs.iter().any(|s| s.eq_ignore_ascii_case("resourceGroups"));
    Some(match (rest.len() % 2 == 0, op.method.as_str()) {
        (true, "GET") => "Resources_GetById",
        (true, "HEAD") => "Resources_CheckExistenceById",
        (true, "PUT") => "Resources_CreateOrUpdateById",
        (true, "PATCH") => "Resources_UpdateById",
        (true, "DELETE") => "Resources_DeleteById",
        (false, "GET") if rest.len() == 1 && in_group => "Provider_ListByResourceGroup",
        (false, "GET") if rest.len() == 1 => "Provider_ListBySubscription",
        _ => return None,
    })
}

#[test]
fn requests_map_to_the_most_specific_operation() {
    let id = |m: &str, p: &str| specs().operation(m, p).map(|o| o.id.as_str());
    assert_eq!(id("GET", &format!("{WS}?api-version=2024-10-01")), Some("Workspaces_Get"));
    // Literal segments compare case-insensitively, like ARM's router.
    assert_eq!(id("put", &WS.replace("resourceGroups", "resourcegroups")), Some("Workspaces_CreateOrUpdate"));
    assert_eq!(id("POST", &format!("{WS}/listKeys?api-version=2024-10-01")), Some("Workspaces_ListKeys"));
    assert_eq!(id("GET", &format!("http://127.0.0.1:1/{}", WS.trim_start_matches('/'))), Some("Workspaces_Get"));
    assert_eq!(id("GET", "/subscriptions/s/resourcegroups/rg?api-version=2021-04-01"), Some("ResourceGroups_Get"));
    assert_eq!(id("GET", "/subscriptions/s/resourcegroups"), Some("ResourceGroups_List"));
    assert_eq!(id("GET", "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Nope/things/x"), None);
    // `{scope}` spans any number of segments, none for the tenant.
    let ra = "/providers/Microsoft.Authorization/roleAssignments";
    assert_eq!(id("GET", &format!("{WS}{ra}/g")), Some("RoleAssignments_Get"));
    assert_eq!(id("GET", &format!("/subscriptions/s{ra}")), Some("RoleAssignments_ListForScope"));
    assert_eq!(id("GET", "/providers/Microsoft.Authorization/roleDefinitions/d"), Some("RoleDefinitions_Get"));
    assert_eq!(id("POST", WS), None);
    // A literal provider segment beats `{resourceProviderNamespace}`; the types the generic
    // by-id routes answer map to their own provider's operations.
    assert_eq!(id("GET", "/subscriptions/s/providers/Microsoft.Storage"), Some("Providers_Get"));
    assert_eq!(id("POST", "/subscriptions/s/providers/Microsoft.Storage/register"), Some("Providers_Register"));
    assert_eq!(id("GET", "/subscriptions/s/providers/Microsoft.Storage/storageAccounts"), Some("StorageAccounts_List"));
    let sa = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a";
    assert_eq!(id("GET", sa), Some("StorageAccounts_GetProperties"));
    assert_eq!(
        id("POST", "/subscriptions/s/providers/Microsoft.Storage/checkNameAvailability"),
        Some("StorageAccounts_CheckNameAvailability")
    );
    let dep = "/subscriptions/s/providers/Microsoft.Resources/deployments/d";
    assert_eq!(id("PUT", dep), Some("Deployments_CreateOrUpdateAtSubscriptionScope"));
    assert_eq!(id("GET", &format!("{dep}/operations")), Some("DeploymentOperations_ListAtSubscriptionScope"));
    assert_eq!(id("GET", "/subscriptions/s/resourceGroups/rg/resources"), Some("Resources_ListByResourceGroup"));
    assert_eq!(
        id("GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.net"),
        Some("PrivateZones_Get")
    );
}

#[test]
fn a_conforming_workspace_has_no_findings() {
    let body = json!({
        "id": WS, "name": "ws", "type": "Microsoft.MachineLearningServices/workspaces", "location": "eastus",
        "tags": {"a": "b"}, "kind": "Default",
        "sku": {"name": "Basic", "tier": "Basic"},
        "identity": {"type": "SystemAssigned,UserAssigned", "principalId": "p", "tenantId": "t",
                     "userAssignedIdentities": {"/x": {"principalId": "p", "clientId": "c"}}},
        "systemData": {"createdAt": "2026-01-01T00:00:00Z", "createdByType": "User"},
        "properties": {
            "friendlyName": "f", "containerRegistry": null, "hbiWorkspace": false, "privateLinkCount": 0,
            "provisioningState": "SomethingNew",
            "notebookInfo": {"fqdn": "x", "notebookPreparationError": null},
            "managedNetwork": {"isolationMode": "Disabled", "outboundRules": {
                "r1": {"type": "FQDN", "destination": "pypi.org", "category": "UserDefined", "status": "Active"},
                "r2": {"type": "PrivateEndpoint", "destination": {"serviceResourceId": "/s", "sparkEnabled": false}},
            }},
            "privateEndpointConnections": [{"id": "/p", "properties": {"privateEndpoint": {"id": "/e"},
                "privateLinkServiceConnectionState": {"status": "Approved"}}}],
        },
    });
    assert_eq!(workspace_findings(body), Vec::<String>::new());
}

#[test]
fn type_enum_unknown_key_and_null_findings() {
    let body = json!({
        "id": 5,
        "sku": {"name": "Basic", "tier": "Gold"},
        "tags": {"a": 1},
        "identity": {"type": "Whatever", "userAssignedIdentities": {"/x": {"clientId": "c", "objectId": "o"}, "/y": null}},
        "properties": {
            "keyVault": null, "bogus": true, "privateLinkCount": 1.5,
            "managedNetwork": {"outboundRules": {"r1": {"type": "FQDN", "destination": {}, "extra": 1}}},
            "privateEndpointConnections": {},
        },
    });
    let mut got = workspace_findings(body);
    got.sort();
    let mut want = vec![
        "Workspaces_Get /id (Resource): integer where the definition has string",
        "Workspaces_Get /sku/tier (SkuTier): \"Gold\" is not one of [\"Free\", \"Basic\", \"Standard\", \"Premium\"]",
        "Workspaces_Get /tags/a (Workspace): integer where the definition has string",
        "Workspaces_Get /identity/userAssignedIdentities/~1x/objectId (UserAssignedIdentity): key \"objectId\" is not defined",
        "Workspaces_Get /identity/userAssignedIdentities/~1y (UserAssignedIdentity): null where the definition is not x-nullable",
        "Workspaces_Get /properties/keyVault (WorkspaceProperties): null where the definition is not x-nullable",
        "Workspaces_Get /properties/bogus (WorkspaceProperties): key \"bogus\" is not defined",
        "Workspaces_Get /properties/privateLinkCount (WorkspaceProperties): number where the definition has integer",
        "Workspaces_Get /properties/managedNetwork/outboundRules/r1/destination (FqdnOutboundRule): object where the definition has string",
        "Workspaces_Get /properties/managedNetwork/outboundRules/r1/extra (FqdnOutboundRule): key \"extra\" is not defined",
        "Workspaces_Get /properties/privateEndpointConnections (WorkspaceProperties): object where the definition has array",
    ];
    want.sort();
    // `identity.type` is a modelAsString enum: a new value is no finding.
    assert_eq!(got, want);
}

#[test]
fn an_error_status_is_checked_against_the_default_schema() {
    let op = specs().operation("GET", WS).unwrap();
    let f = specs().check(op, 404, &json!({"error": {"code": "NotFound", "message": "m", "extra": 1}})).unwrap();
    let f: Vec<String> = f.iter().map(Finding::to_string).collect();
    assert_eq!(f, vec!["Workspaces_Get /error/extra (ErrorDetail): key \"extra\" is not defined"]);
    // An empty 202 has no schema to check; a success status the operation does not declare is
    // a finding.
    let put = specs().operation("PUT", WS).unwrap();
    assert!(specs().check(put, 202, &json!({})).is_none());
    let f: Vec<String> = specs().check(put, 201, &json!({})).unwrap().iter().map(Finding::to_string).collect();
    assert_eq!(f, vec!["Workspaces_CreateOrUpdate /: status 201 is not one the operation declares (200, 202)"]);
}

#[test]
fn allow_list_entries_explain_findings_and_others_fail() {
    // creationTime is allow-listed for WorkspaceProperties (DIFFERENCES.md: Schema validation).
    let body = br#"{"id": "/x", "properties": {"creationTime": "2026-01-01T00:00:00Z", "bogus": 1}}"#;
    let left = validate_answer("GET", WS, 200, Some("application/json; charset=utf-8"), body);
    let left: Vec<String> = left.iter().map(Finding::to_string).collect();
    assert_eq!(left, vec!["Workspaces_Get /properties/bogus (WorkspaceProperties): key \"bogus\" is not defined"]);
    // Not JSON by content type, or a route no vendored operation describes: nothing to check.
    assert!(validate_answer("GET", WS, 200, Some("text/plain"), body).is_empty());
    assert!(validate_answer("GET", "/subscriptions/s/providers/Microsoft.Nope/x", 200, Some("application/json"), body)
        .is_empty());
    // A JSON content type with a body that is not JSON is a finding.
    let bad = validate_answer("GET", WS, 200, Some("application/json"), b"{");
    assert_eq!(bad.len(), 1, "{bad:?}");
    for a in &specs().allow {
        assert!(a.operation.is_some() || a.definition.is_some());
        assert!(
            a.reason.contains("DIFFERENCES.md"),
            "schema allow-list entry without its DIFFERENCES.md section: {a:?}"
        );
    }
}
