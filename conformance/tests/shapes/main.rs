//! Shape replay: every wire fixture in `fixtures/shapes/` is replayed against the emulator (or
//! `ARM_ENDPOINT`), and the answer must have the fixture's status and match its body and
//! headers with `fixtures::matches_shape` (placeholders for the volatile values).
//!
//! The fixtures are written from the emulator's real answers by this same binary:
//! `UPDATE_SHAPES=1 cargo test -p conformance --test shapes` runs the [`cases`] table below,
//! redacts GUIDs, times and the endpoint into placeholders (recording their pointers as
//! `volatile`), and rewrites `fixtures/shapes/**` and `fixtures/states/seed-workspace-list.json`.
//! Then run `UPDATE_FIXTURES=1 cargo test -p fixtures --test well_formed` to refresh the index.

use std::path::{Path, PathBuf};

use armemu::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};
use conformance::{Resp, Target};
use serde_json::{json, Map, Value};

const RG_API: &str = "2021-04-01";
const SUB_API: &str = "2022-12-01";
const ML_API: &str = "2024-04-01";
const AUTH_API: &str = "2022-04-01";
/// What azure-ai-ml 1.35.2 sends for environments.
const ENV_API: &str = "2023-04-01-preview";
const META_API: &str = "2022-09-01";
const MSI_API: &str = "2019-08-01";
/// `Microsoft.ManagedIdentity` (user-assigned identities).
const UAI_API: &str = "2023-01-31";
/// The Entra endpoints have no api-version: the fixtures record `null`.
const ENTRA: &str = "";
const ML: &str = "Microsoft.MachineLearningServices";
const DATA_SCIENTIST: &str = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
const PRINCIPAL: &str = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
const ASSIGNMENT: &str = "05c5a614-a7d6-4502-b150-c2fb455033ff";

/// Response headers a fixture records when present (the LRO and paging contract).
const RECORDED_HEADERS: &[&str] = &["location", "azure-asyncoperation", "retry-after"];

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// One request. In paths, header values and body strings `{subscriptionId}` and `{tenantId}`
/// are the target's; a path of `{location}` or `{azure-asyncoperation}` is that header of the
/// previous answer (an LRO's polling URL).
#[derive(Clone, Default)]
struct Step {
    method: &'static str,
    path: String,
    /// A JSON body (`Content-Type: application/json`).
    body: Option<Value>,
    /// A body sent as it is, with `Content-Type: application/json` (malformed-JSON cases).
    raw: Option<String>,
    /// An `application/x-www-form-urlencoded` body (token endpoints).
    form: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    /// Sent without the bearer token.
    anonymous: bool,
}

fn step(method: &'static str, path: impl Into<String>, body: Option<Value>) -> Step {
    Step { method, path: path.into(), body, ..Step::default() }
}

fn pairs_to_json(p: &[(String, String)]) -> Value {
    Value::Object(p.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn pairs_from_json(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

impl Step {
    fn form(mut self, pairs: &[(&str, &str)]) -> Step {
        self.form = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self
    }

    fn header(mut self, name: &str, value: &str) -> Step {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn raw(mut self, text: &str) -> Step {
        self.raw = Some(text.to_string());
        self
    }

    fn anonymous(mut self) -> Step {
        self.anonymous = true;
        self
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("method".into(), json!(self.method));
        m.insert("path".into(), json!(self.path));
        if let Some(b) = &self.body {
            m.insert("body".into(), b.clone());
        }
        if let Some(r) = &self.raw {
            m.insert("raw".into(), json!(r));
        }
        if !self.form.is_empty() {
            m.insert("form".into(), pairs_to_json(&self.form));
        }
        if !self.headers.is_empty() {
            m.insert("headers".into(), pairs_to_json(&self.headers));
        }
        if self.anonymous {
            m.insert("anonymous".into(), json!(true));
        }
        Value::Object(m)
    }

    fn from_json(v: &Value) -> Step {
        let method: &'static str = match v["method"].as_str().expect("method") {
            "GET" => "GET",
            "PUT" => "PUT",
            "POST" => "POST",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "HEAD" => "HEAD",
            m => panic!("method {m}"),
        };
        Step {
            method,
            path: v["path"].as_str().expect("path").to_string(),
            body: v.get("body").cloned(),
            raw: v.get("raw").and_then(Value::as_str).map(String::from),
            form: pairs_from_json(v.get("form")),
            headers: pairs_from_json(v.get("headers")),
            anonymous: v.get("anonymous").and_then(Value::as_bool).unwrap_or(false),
        }
    }

    /// The concrete path: placeholders filled, an LRO URL taken from `prev`.
    fn resolve(&self, t: &Target, prev: Option<&Resp>) -> Result<String, String> {
        if let Some(h) =
            self.path.strip_prefix('{').and_then(|p| p.strip_suffix('}')).filter(|h| RECORDED_HEADERS.contains(h))
        {
            let url = prev.and_then(|r| r.header(h)).ok_or_else(|| format!("the previous answer has no {h} header"))?;
            // The path of the absolute URL (the host differs between runs and endpoints).
            let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
            return Ok(after_scheme.find('/').map(|i| after_scheme[i..].to_string()).unwrap_or_else(|| "/".into()));
        }
        Ok(fill(t, &self.path))
    }

    fn send(&self, t: &Target, prev: Option<&Resp>) -> Result<Resp, String> {
        let path = self.resolve(t, prev)?;
        let anonymous;
        let http: &conformance::Http = if self.anonymous {
            anonymous = t.anonymous();
            &anonymous
        } else {
            t
        };
        let mut headers: Vec<(String, String)> = self.headers.iter().map(|(k, v)| (k.clone(), fill(t, v))).collect();
        let body = if let Some(b) = &self.body {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(fill(t, &b.to_string()).into_bytes())
        } else if let Some(r) = &self.raw {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(r.clone().into_bytes())
        } else if !self.form.is_empty() {
            headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
            let filled: Vec<(String, String)> = self.form.iter().map(|(k, v)| (k.clone(), fill(t, v))).collect();
            Some(form_urlencoded::Serializer::new(String::new()).extend_pairs(filled).finish().into_bytes())
        } else {
            None
        };
        let hs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Ok(http.request(self.method, &path, &hs, body))
    }
}

/// `s` with `{subscriptionId}` and `{tenantId}` replaced by the target's.
fn fill(t: &Target, s: &str) -> String {
    s.replace("{subscriptionId}", &t.subscription).replace("{tenantId}", DEFAULT_TENANT_ID)
}

/// A custom role definition's GUID.
const CUSTOM_ROLE: &str = "0b000000-0000-4000-8000-0000000000e1";

/// `PUT` of a custom role that reads groups, assignable in the subscription.
fn create_custom_role(sub: &str) -> Step {
    step(
        "PUT",
        q(&format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_ROLE}"), AUTH_API),
        Some(json!({"properties": {
            "roleName": "Shapes group reader",
            "description": "Reads resource groups.",
            "type": "CustomRole",
            "permissions": [{"actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"], "notActions": []}],
            "assignableScopes": [sub],
        }})),
    )
}

/// The az CLI's public client id.
const AZ_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
/// An unsigned token naming the default user (loose mode reads its claims).
const USER_TOKEN: &str = "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJvaWQiOiI4ZDJlM2Y0MC01YjZjLTRkN2UtOWY4MC0xYTJiM2M0ZDVlMDEiLCJ0aWQiOiI0YTZlMGE2Yy0xYzVmLTRjNDMtOWExZS03ZTU3YTJlMGYwMDEiLCJ1cG4iOiJ1c2VyQGFybWVtdS5vbm1pY3Jvc29mdC5jb20iLCJ1bmlxdWVfbmFtZSI6InVzZXJAYXJtZW11Lm9ubWljcm9zb2Z0LmNvbSJ9.c2ln";
/// A Graph application, its application id, its service principal and its secret's key id.
const GRAPH_APP: &str = "0c000000-0000-4000-8000-0000000000a1";
const GRAPH_APP_ID: &str = "0c000000-0000-4000-8000-0000000000a2";
const GRAPH_SP: &str = "0c000000-0000-4000-8000-0000000000a3";
const GRAPH_KEY: &str = "0c000000-0000-4000-8000-0000000000a4";

fn graph_dir(name: &str) -> String {
    format!("graph/v1.0/{name}")
}

/// A state with an application (one secret) and, unless `without_sp`, its service principal
/// (Graph objects carry no ids the setup could chain, so the state is loaded whole).
fn graph_state_of(without_sp: bool) -> Step {
    let app = json!({
        "id": GRAPH_APP, "tenantId": DEFAULT_TENANT_ID, "kind": "application", "appId": GRAPH_APP_ID,
        "secrets": {GRAPH_KEY: "abc~secret"},
        "body": {
            "@odata.type": "#microsoft.graph.application", "id": GRAPH_APP, "appId": GRAPH_APP_ID,
            "createdDateTime": "2026-01-01T00:00:00.0000000Z", "displayName": "deployer",
            "publisherDomain": "armemu.onmicrosoft.com", "identifierUris": [], "keyCredentials": [], "appRoles": [],
            "requiredResourceAccess": [], "tags": [], "signInAudience": "AzureADMyOrg",
            "passwordCredentials": [{"customKeyIdentifier": null, "displayName": "rbac", "endDateTime": "2027-01-01T00:00:00Z",
                "hint": "abc", "keyId": GRAPH_KEY, "secretText": null, "startDateTime": "2026-01-01T00:00:00Z"}],
        },
    });
    let sp = json!({
        "id": GRAPH_SP, "tenantId": DEFAULT_TENANT_ID, "kind": "servicePrincipal", "appId": GRAPH_APP_ID,
        "body": {
            "@odata.type": "#microsoft.graph.servicePrincipal", "id": GRAPH_SP, "accountEnabled": true,
            "appDisplayName": "deployer", "appId": GRAPH_APP_ID, "appOwnerOrganizationId": DEFAULT_TENANT_ID,
            "createdDateTime": "2026-01-01T00:00:00.0000000Z", "displayName": "deployer", "keyCredentials": [],
            "passwordCredentials": [], "servicePrincipalNames": [GRAPH_APP_ID], "servicePrincipalType": "Application",
            "signInAudience": "AzureADMyOrg", "tags": [],
        },
    });
    let objects = if without_sp { json!([app]) } else { json!([app, sp]) };
    step(
        "PUT",
        "/_emulator/state",
        Some(json!({
            "format": "armemu-state",
            "version": 1,
            "tenants": [{"tenantId": DEFAULT_TENANT_ID, "displayName": "Emulated Tenant", "defaultDomain": "armemu.onmicrosoft.com"}],
            "directoryObjects": objects,
        })),
    )
}

fn graph_state() -> Step {
    graph_state_of(false)
}

fn graph_state_without_sp() -> Step {
    graph_state_of(true)
}

struct Case {
    file: String,
    title: &'static str,
    operation: &'static str,
    api: &'static str,
    setup: Vec<Step>,
    request: Step,
    /// The LRO configurations the case is run under (`sync`, or `kind=mode` for
    /// `PATCH /_emulator/settings`); the answers are merged by status.
    modes: Vec<&'static str>,
    /// Replayed only in-process: the Entra look-alike and the LRO configurations are the
    /// emulator's, not an ARM endpoint's.
    emulator_only: bool,
}

impl Case {
    /// Also recorded under these LRO configurations (`sync` stays first).
    fn modes(mut self, modes: &[&'static str]) -> Case {
        self.modes.extend_from_slice(modes);
        self
    }

    /// Recorded only under these LRO configurations (an operation that exists only asynchronously).
    fn only_modes(mut self, modes: &[&'static str]) -> Case {
        self.modes = modes.to_vec();
        self.emulator_only = true;
        self
    }

    fn emulator_only(mut self) -> Case {
        self.emulator_only = true;
        self
    }
}

fn group(rg: &str) -> String {
    format!("/subscriptions/{{subscriptionId}}/resourcegroups/{rg}")
}
fn group_id(rg: &str) -> String {
    format!("/subscriptions/{{subscriptionId}}/resourceGroups/{rg}")
}
fn ws(rg: &str, name: &str) -> String {
    format!("/subscriptions/{{subscriptionId}}/resourceGroups/{rg}/providers/{ML}/workspaces/{name}")
}
fn q(path: &str, api: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}api-version={api}")
}
fn create_group(rg: &str) -> Step {
    step("PUT", q(&group(rg), RG_API), Some(json!({"location": "eastus"})))
}
fn create_ws(rg: &str, name: &str) -> Step {
    step("PUT", q(&ws(rg, name), ML_API), Some(json!({"location": "eastus", "properties": {"friendlyName": name}})))
}
fn delete_ws(rg: &str, name: &str) -> Step {
    step("DELETE", q(&ws(rg, name), ML_API), None)
}

/// A resource of another provider in `rg1`, written through the generic by-id path.
struct Dependent {
    file: &'static str,
    title: &'static str,
    path: String,
    api: &'static str,
    body: Value,
}

fn dependents() -> Vec<Dependent> {
    let under = |t: &str| format!("{}/providers/{t}", group_id("rg1"));
    vec![
        Dependent {
            file: "storage_account",
            title: "a storage account",
            path: under("Microsoft.Storage/storageAccounts/stshapes1"),
            api: "2023-01-01",
            body: json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2", "properties": {}}),
        },
        Dependent {
            file: "key_vault",
            title: "a key vault",
            path: under("Microsoft.KeyVault/vaults/kvshapes1"),
            api: "2023-07-01",
            body: json!({"location": "eastus", "properties": {"tenantId": "{tenantId}", "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}}),
        },
        Dependent {
            file: "application_insights",
            title: "an Application Insights component",
            path: under("Microsoft.Insights/components/aishapes1"),
            api: "2020-02-02",
            body: json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}}),
        },
        Dependent {
            file: "container_registry",
            title: "a container registry",
            path: under("Microsoft.ContainerRegistry/registries/crshapes1"),
            api: "2023-07-01",
            body: json!({"location": "eastus", "sku": {"name": "Standard"}, "properties": {"adminUserEnabled": false}}),
        },
    ]
}

/// The table the fixtures are generated from.
fn cases() -> Vec<Case> {
    let sub = "/subscriptions/{subscriptionId}";
    let rg_dir = |f: &str| format!("resources/{RG_API}/resourceGroups/{f}");
    let prov_dir = |f: &str| format!("resources/{RG_API}/providers/{f}");
    let res_dir = |f: &str| format!("resources/{RG_API}/resources/{f}");
    let sub_dir = |f: &str| format!("resources/{SUB_API}/subscriptions/{f}");
    let ws_dir = |f: &str| format!("machinelearning/{ML_API}/workspaces/{f}");
    let pec_dir = |f: &str| format!("machinelearning/{ML_API}/privateEndpointConnections/{f}");
    let ra_dir = |f: &str| format!("authorization/{AUTH_API}/roleAssignments/{f}");
    let rd_dir = |f: &str| format!("authorization/{AUTH_API}/roleDefinitions/{f}");
    let id_dir = |f: &str| format!("identity/{f}");
    let c = |file: String, title, operation, api, setup: Vec<Step>, request: Step| Case {
        file,
        title,
        operation,
        api,
        setup,
        request,
        modes: vec!["sync"],
        emulator_only: false,
    };
    let ws1 = || vec![create_group("rg1"), create_ws("rg1", "ws1")];
    let ml_provider = format!("{sub}/providers/{ML}");
    let role_def =
        format!("/subscriptions/{{subscriptionId}}/providers/Microsoft.Authorization/roleDefinitions/{DATA_SCIENTIST}");
    let assignment_at = |scope: &str| format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{ASSIGNMENT}");
    let assign = |scope: &str| {
        step(
            "PUT",
            q(&assignment_at(scope), AUTH_API),
            Some(
                json!({"properties": {"roleDefinitionId": role_def, "principalId": PRINCIPAL, "principalType": "User"}}),
            ),
        )
    };
    let connection = format!("{}/privateEndpointConnections/pe-conn-1", ws("rg1", "ws1"));
    let create_connection = step(
        "PUT",
        q(&connection, ML_API),
        Some(json!({"properties": {
            "privateEndpoint": {},
            "privateLinkServiceConnectionState": {"status": "Approved", "description": "Approved by the shapes run", "actionsRequired": "None"}
        }})),
    );
    const NET_API: &str = "2023-11-01";
    let net = |rel: &str| format!("{}/providers/Microsoft.Network/{rel}", group_id("rg1"));
    let net_dir = |f: &str| format!("network/{NET_API}/privateEndpoints/{f}");
    let pe_prereqs = || {
        vec![
            create_group("rg1"),
            create_ws("rg1", "ws1"),
            step("POST", q(&format!("{sub}/providers/Microsoft.Network/register"), RG_API), Some(json!({}))),
            step(
                "PUT",
                q(&net("virtualNetworks/vnet1"), NET_API),
                Some(json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})),
            ),
        ]
    };
    let create_pe = step(
        "PUT",
        q(&net("privateEndpoints/pe1"), NET_API),
        Some(json!({"location": "eastus", "properties": {
            "subnet": {"id": net("virtualNetworks/vnet1/subnets/default")},
            "privateLinkServiceConnections": [{"name": "workspace", "properties": {"privateLinkServiceId": ws("rg1", "ws1"), "groupIds": ["amlworkspace"]}}],
        }})),
    );
    let uai_dir = |f: &str| format!("managedidentity/{UAI_API}/userAssignedIdentities/{f}");
    let uai = format!("{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1", group("rg1"));
    let create_uai = step("PUT", q(&uai, UAI_API), Some(json!({"location": "eastus", "tags": {"team": "shapes"}})));
    let env_container = format!("{}/environments/shapes-env", ws("rg1", "ws1"));
    let env_version = format!("{env_container}/versions/1");
    let create_env_version = step(
        "PUT",
        q(&env_version, ENV_API),
        Some(
            json!({"properties": {"image": "docker.io/python:3.11-slim", "description": "shapes", "isAnonymous": false, "isArchived": false}}),
        ),
    );
    let env_dir = |f: &str| format!("machinelearning/{ENV_API}/environments/{f}");
    let ems_dir = |f: &str| format!("machinelearning/environment-service/{f}");
    let ems = |rest: &str| format!("/environment/v1.0{}/environments{rest}", ws("rg1", "ws1"));
    let ems_v2 = |rest: &str| format!("/environment/v2.0{}/environments{rest}", ws("rg1", "ws1"));
    let v1_body = |name: &str| {
        json!({"Name": name,
            "python": {"userManagedDependencies": false, "interpreterPath": "python", "condaDependenciesFile": null, "baseCondaEnvironment": null,
                       "condaDependencies": {"name": "project_environment", "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}, "scikit-learn==0.21.3"], "channels": ["anaconda", "conda-forge"]}},
            "EnvironmentVariables": {"EXAMPLE_ENV_VAR": "EXAMPLE_VALUE"},
            "Docker": {"enabled": false, "baseImage": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1", "baseDockerfile": null, "buildContext": null,
                       "sharedVolumes": true, "shmSize": "2g", "arguments": [], "baseImageRegistry": {"address": null, "username": null, "password": null, "registryIdentity": null},
                       "platform": {"os": "Linux", "architecture": "amd64"}},
            "Spark": {"repositories": [], "packages": [], "precachePackages": true},
            "InferencingStackVersion": null,
            "r": null})
    };
    let register_v1 = step("PUT", ems("/shapes-v1"), Some(v1_body("shapes-v1")));
    let build_v1 = step("POST", ems_v2("/shapes-v1/versions/1/image"), Some(json!({})));
    let storage = dependents().remove(0);
    let create_storage = step("PUT", q(&storage.path, storage.api), Some(storage.body.clone()));
    let token_form = [
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("scope", "https://management.azure.com/.default"),
    ];

    let mut cases = vec![
        // ---- subscriptions and tenants ----
        c(sub_dir("list"), "List subscriptions", "Subscriptions_List", SUB_API, vec![], step("GET", q("/subscriptions", SUB_API), None)),
        c(sub_dir("get"), "Get a subscription", "Subscriptions_Get", SUB_API, vec![], step("GET", q(sub, SUB_API), None)),
        c(
            sub_dir("list_locations"),
            "List the locations of a subscription",
            "Subscriptions_ListLocations",
            SUB_API,
            vec![],
            step("GET", q(&format!("{sub}/locations"), SUB_API), None),
        ),
        c(format!("resources/{SUB_API}/tenants/list"), "List tenants", "Tenants_List", SUB_API, vec![], step("GET", q("/tenants", SUB_API), None)),
        // ---- resource groups ----
        c(rg_dir("create_or_update"), "Create a resource group", "ResourceGroups_CreateOrUpdate", RG_API, vec![], create_group("rg1")),
        c(
            rg_dir("create_or_update_existing"),
            "Create a resource group that exists (an update)",
            "ResourceGroups_CreateOrUpdate",
            RG_API,
            vec![create_group("rg1")],
            step("PUT", q(&group("rg1"), RG_API), Some(json!({"location": "eastus", "tags": {"env": "test"}}))),
        ),
        c(rg_dir("get"), "Get a resource group", "ResourceGroups_Get", RG_API, vec![create_group("rg1")], step("GET", q(&group("rg1"), RG_API), None)),
        c(
            rg_dir("check_existence"),
            "Check that a resource group exists",
            "ResourceGroups_CheckExistence",
            RG_API,
            vec![create_group("rg1")],
            step("HEAD", q(&group("rg1"), RG_API), None),
        ),
        c(
            rg_dir("check_existence_missing"),
            "Check a resource group that does not exist",
            "ResourceGroups_CheckExistence",
            RG_API,
            vec![],
            step("HEAD", q(&group("missing-rg"), RG_API), None),
        ),
        c(
            rg_dir("update"),
            "Update the tags of a resource group",
            "ResourceGroups_Update",
            RG_API,
            vec![create_group("rg1")],
            step("PATCH", q(&group("rg1"), RG_API), Some(json!({"tags": {"env": "test", "owner": "shapes"}}))),
        ),
        c(
            rg_dir("list"),
            "List resource groups",
            "ResourceGroups_List",
            RG_API,
            vec![create_group("rg1"), create_group("rg2")],
            step("GET", q(&format!("{sub}/resourcegroups"), RG_API), None),
        ),
        c(
            rg_dir("list_top"),
            "List resource groups one page at a time",
            "ResourceGroups_List",
            RG_API,
            vec![create_group("rg1"), create_group("rg2")],
            step("GET", q(&format!("{sub}/resourcegroups?$top=1"), RG_API), None),
        ),
        c(rg_dir("delete"), "Delete a resource group", "ResourceGroups_Delete", RG_API, vec![create_group("rg1")], step("DELETE", q(&group("rg1"), RG_API), None))
            .modes(&["resourceGroups/delete=polls:1"]),
        c(
            rg_dir("delete_operation_result"),
            "Poll the Location of a resource group delete",
            "ResourceGroups_DeleteOperationResult",
            RG_API,
            vec![create_group("rg1"), step("DELETE", q(&group("rg1"), RG_API), None)],
            step("GET", "{location}", None),
        )
        .only_modes(&["resourceGroups/delete=polls:1", "resourceGroups/delete=polls:2"]),
        // ---- providers ----
        c(prov_dir("list"), "List the resource providers of a subscription", "Providers_List", RG_API, vec![], step("GET", q(&format!("{sub}/providers"), RG_API), None)),
        c(prov_dir("get"), "Get a resource provider", "Providers_Get", RG_API, vec![], step("GET", q(&ml_provider, RG_API), None)),
        c(prov_dir("register"), "Register a resource provider", "Providers_Register", RG_API, vec![], step("POST", q(&format!("{ml_provider}/register"), RG_API), Some(json!({})))),
        c(
            prov_dir("unregister"),
            "Unregister a resource provider",
            "Providers_Unregister",
            RG_API,
            vec![],
            step("POST", q(&format!("{ml_provider}/unregister"), RG_API), Some(json!({}))),
        ),
        c(
            prov_dir("resource_types"),
            "List the resource types of a provider",
            "ProviderResourceTypes_List",
            RG_API,
            vec![],
            step("GET", q(&format!("{ml_provider}/resourceTypes"), RG_API), None),
        ),
        c(prov_dir("list_at_tenant_scope"), "List the resource providers at tenant scope", "Providers_ListAtTenantScope", RG_API, vec![], step("GET", q("/providers", RG_API), None)),
        c(
            prov_dir("get_at_tenant_scope"),
            "Get a resource provider at tenant scope",
            "Providers_GetAtTenantScope",
            RG_API,
            vec![],
            step("GET", q(&format!("/providers/{ML}"), RG_API), None),
        ),
        // ---- generic resources ----
        c(
            res_dir("list"),
            "List the resources of a subscription",
            "Resources_List",
            RG_API,
            ws1(),
            step("GET", q(&format!("{sub}/resources"), RG_API), None),
        ),
        c(
            res_dir("list_by_resource_group"),
            "List the resources of a group (a workspace and its dependents)",
            "Resources_ListByResourceGroup",
            RG_API,
            ws1(),
            step("GET", q(&format!("{}/resources", group_id("rg1")), RG_API), None),
        ),
        c(
            res_dir("check_storage_name_availability"),
            "Check whether a storage account name is free (az storage account create asks first)",
            "StorageAccounts_CheckNameAvailability",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step(
                "POST",
                q(&format!("{sub}/providers/Microsoft.Storage/checkNameAvailability"), storage.api),
                Some(json!({"name": "stshapes1", "type": "Microsoft.Storage/storageAccounts"})),
            ),
        ),
        c(
            res_dir("list_type_in_subscription"),
            "List one type through its provider, in a subscription (a storage account)",
            "Provider_ListBySubscription",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step("GET", q(&format!("{sub}/providers/Microsoft.Storage/storageAccounts"), storage.api), None),
        ),
        c(
            res_dir("list_type_in_group"),
            "List one type through its provider, in a group (a storage account)",
            "Provider_ListByResourceGroup",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step("GET", q(&format!("{}/providers/Microsoft.Storage/storageAccounts", group_id("rg1")), storage.api), None),
        ),
        c(
            res_dir("validate_move_resources"),
            "Validate moving a storage account to another group",
            "Resources_ValidateMoveResources",
            RG_API,
            vec![create_group("rg1"), create_group("rg2"), create_storage.clone()],
            step(
                "POST",
                q(&format!("{}/validateMoveResources", group_id("rg1")), RG_API),
                Some(json!({"resources": [storage.path], "targetResourceGroup": group_id("rg2")})),
            ),
        )
        .modes(&["resources/validateMoveResources=polls:1"]),
        c(
            res_dir("move_resources"),
            "Move a storage account to another group",
            "Resources_MoveResources",
            RG_API,
            vec![create_group("rg1"), create_group("rg2"), create_storage.clone()],
            step(
                "POST",
                q(&format!("{}/moveResources", group_id("rg1")), RG_API),
                Some(json!({"resources": [storage.path], "targetResourceGroup": group_id("rg2")})),
            ),
        )
        .modes(&["resources/moveResources=polls:1"]),
        c(
            res_dir("check_existence_by_id"),
            "Check that a resource exists, by id",
            "Resources_CheckExistenceById",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step("HEAD", q(&storage.path, storage.api), None),
        ),
        c(
            res_dir("update_by_id"),
            "Update the tags of a resource, by id",
            "Resources_UpdateById",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step("PATCH", q(&storage.path, storage.api), Some(json!({"tags": {"env": "test"}}))),
        ),
        c(
            res_dir("delete_by_id"),
            "Delete a resource, by id",
            "Resources_DeleteById",
            storage.api,
            vec![create_group("rg1"), create_storage.clone()],
            step("DELETE", q(&storage.path, storage.api), None),
        ),
        // ---- workspaces ----
        c(ws_dir("create_or_update"), "Create a workspace with automatic dependents", "Workspaces_CreateOrUpdate", ML_API, vec![create_group("rg1")], create_ws("rg1", "ws1")),
        c(
            ws_dir("create_or_update_async"),
            "Create a workspace, answered asynchronously (provisioningState Creating, polling headers)",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1")],
            create_ws("rg1", "ws1"),
        )
        .only_modes(&["workspaces/create=polls:1"]),
        c(
            ws_dir("create_or_update_recover"),
            "Recover a soft-deleted workspace",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), delete_ws("rg1", "ws1")],
            step("PUT", q(&ws("rg1", "ws1"), ML_API), Some(json!({"location": "eastus", "properties": {"allowRecoverSoftDeletedWorkspace": "True"}}))),
        ),
        c(ws_dir("get"), "Get a workspace", "Workspaces_Get", ML_API, ws1(), step("GET", q(&ws("rg1", "ws1"), ML_API), None)),
        c(
            ws_dir("update"),
            "Update a workspace (description, public network access)",
            "Workspaces_Update",
            ML_API,
            ws1(),
            step("PATCH", q(&ws("rg1", "ws1"), ML_API), Some(json!({"properties": {"description": "updated", "publicNetworkAccess": "Disabled"}}))),
        ),
        c(
            ws_dir("update_async"),
            "Update a workspace, answered asynchronously",
            "Workspaces_Update",
            ML_API,
            ws1(),
            step("PATCH", q(&ws("rg1", "ws1"), ML_API), Some(json!({"properties": {"description": "updated"}}))),
        )
        .only_modes(&["workspaces/update=polls:1"]),
        c(
            ws_dir("list_by_resource_group"),
            "List the workspaces of a group",
            "Workspaces_ListByResourceGroup",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), create_ws("rg1", "ws2")],
            step("GET", q(&format!("{}/providers/{ML}/workspaces", group_id("rg1")), ML_API), None),
        ),
        c(
            ws_dir("list_by_subscription"),
            "List the workspaces of a subscription",
            "Workspaces_ListBySubscription",
            ML_API,
            vec![create_group("rg1"), create_group("rg2"), create_ws("rg1", "ws1"), create_ws("rg2", "ws2")],
            step("GET", q(&format!("{sub}/providers/{ML}/workspaces"), ML_API), None),
        ),
        c(ws_dir("delete"), "Delete a workspace (soft delete)", "Workspaces_Delete", ML_API, ws1(), delete_ws("rg1", "ws1"))
            .modes(&["workspaces/delete=polls:1"]),
        c(
            ws_dir("delete_purge"),
            "Delete a workspace permanently",
            "Workspaces_Delete",
            ML_API,
            ws1(),
            step("DELETE", q(&format!("{}?forceToPurge=true", ws("rg1", "ws1")), ML_API), None),
        ),
        c(ws_dir("delete_missing"), "Delete a workspace that does not exist", "Workspaces_Delete", ML_API, vec![create_group("rg1")], delete_ws("rg1", "ws1")),
        c(
            ws_dir("list_deleted_by_subscription"),
            "List the soft-deleted workspaces of a subscription (emulator extension)",
            "Emulator_DeletedWorkspaces_ListBySubscription",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), delete_ws("rg1", "ws1")],
            step("GET", q(&format!("{sub}/providers/{ML}/deletedWorkspaces"), ML_API), None),
        )
        .emulator_only(),
        c(
            ws_dir("list_deleted_by_resource_group"),
            "List the soft-deleted workspaces of a group (emulator extension)",
            "Emulator_DeletedWorkspaces_ListByResourceGroup",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), delete_ws("rg1", "ws1")],
            step("GET", q(&format!("{}/providers/{ML}/deletedWorkspaces", group_id("rg1")), ML_API), None),
        )
        .emulator_only(),
        c(ws_dir("list_keys"), "List the keys of a workspace's dependents", "Workspaces_ListKeys", ML_API, ws1(), step("POST", q(&format!("{}/listKeys", ws("rg1", "ws1")), ML_API), Some(json!({})))),
        c(ws_dir("resync_keys"), "Resynchronise a workspace's keys", "Workspaces_ResyncKeys", ML_API, ws1(), step("POST", q(&format!("{}/resyncKeys", ws("rg1", "ws1")), ML_API), Some(json!({}))))
            .modes(&["workspaces/resyncKeys=polls:1"]),
        c(
            ws_dir("list_notebook_access_token"),
            "Get a notebook access token",
            "Workspaces_ListNotebookAccessToken",
            ML_API,
            ws1(),
            step("POST", q(&format!("{}/listNotebookAccessToken", ws("rg1", "ws1")), ML_API), Some(json!({}))),
        ),
        c(ws_dir("discovery"), "The discovery document a workspace's discoveryUrl points at", "Workspaces_Discovery", ML_API, vec![], step("GET", "/discovery", None)).emulator_only(),
        c(
            format!("machinelearning/{ML_API}/operations/status_in_progress"),
            "Poll the Azure-AsyncOperation of a workspace create that is running",
            "Operations_Poll",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step("GET", "{azure-asyncoperation}", None),
        )
        .only_modes(&["workspaces/create=polls:2"]),
        c(
            format!("machinelearning/{ML_API}/operations/status_succeeded"),
            "Poll the Azure-AsyncOperation of a workspace create that has ended",
            "Operations_Poll",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1")],
            step("GET", "{azure-asyncoperation}", None),
        )
        .only_modes(&["workspaces/create=polls:1"]),
        c(
            format!("machinelearning/{ML_API}/operations/result"),
            "Poll the Location of a workspace delete",
            "Operations_Poll",
            ML_API,
            ws1().into_iter().chain([delete_ws("rg1", "ws1")]).collect(),
            step("GET", "{location}", None),
        )
        .only_modes(&["workspaces/delete=polls:1", "workspaces/delete=polls:2"]),
        // ---- private endpoint connections ----
        c(net_dir("create_or_update"), "Create a private endpoint to a workspace", "PrivateEndpoints_CreateOrUpdate", NET_API, pe_prereqs(), create_pe.clone()),
        c(
            net_dir("get"),
            "Get a private endpoint",
            "PrivateEndpoints_Get",
            NET_API,
            pe_prereqs().into_iter().chain([create_pe.clone()]).collect(),
            step("GET", q(&net("privateEndpoints/pe1"), NET_API), None),
        ),
        c(
            net_dir("delete"),
            "Delete a private endpoint (and the workspace's connection)",
            "PrivateEndpoints_Delete",
            NET_API,
            pe_prereqs().into_iter().chain([create_pe.clone()]).collect(),
            step("DELETE", q(&net("privateEndpoints/pe1"), NET_API), None),
        ),
        c(
            pec_dir("create_or_update"),
            "Approve a private endpoint connection",
            "PrivateEndpointConnections_CreateOrUpdate",
            ML_API,
            ws1(),
            create_connection.clone(),
        ),
        c(
            pec_dir("get"),
            "Get a private endpoint connection",
            "PrivateEndpointConnections_Get",
            ML_API,
            ws1().into_iter().chain([create_connection.clone()]).collect(),
            step("GET", q(&connection, ML_API), None),
        ),
        c(
            pec_dir("list"),
            "List the private endpoint connections of a workspace",
            "PrivateEndpointConnections_List",
            ML_API,
            ws1().into_iter().chain([create_connection.clone()]).collect(),
            step("GET", q(&format!("{}/privateEndpointConnections", ws("rg1", "ws1")), ML_API), None),
        ),
        c(
            pec_dir("delete"),
            "Delete a private endpoint connection",
            "PrivateEndpointConnections_Delete",
            ML_API,
            ws1().into_iter().chain([create_connection.clone()]).collect(),
            step("DELETE", q(&connection, ML_API), None),
        ),
        // ---- environments (containers and versions) ----
        c(
            env_dir("versions/create"),
            "Create an environment's first version (and its container)",
            "EnvironmentVersions_CreateOrUpdate",
            ENV_API,
            ws1(),
            create_env_version.clone(),
        ),
        c(
            env_dir("versions/create_changed"),
            "PUT an existing environment version with another definition",
            "EnvironmentVersions_CreateOrUpdate",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("PUT", q(&env_version, ENV_API), Some(json!({"properties": {"image": "docker.io/python:3.12-slim"}}))),
        ),
        c(
            env_dir("versions/get"),
            "Get an environment version",
            "EnvironmentVersions_Get",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("GET", q(&env_version, ENV_API), None),
        ),
        c(
            env_dir("versions/list_latest"),
            "Get the latest version of an environment (azure-ai-ml's label=\"latest\")",
            "EnvironmentVersions_List",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("GET", q(&format!("{env_container}/versions?$orderBy=createdtime%20desc&$top=1"), ENV_API), None),
        ),
        c(
            env_dir("versions/delete"),
            "Delete an environment version",
            "EnvironmentVersions_Delete",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("DELETE", q(&env_version, ENV_API), None),
        ),
        c(
            env_dir("versions/patch"),
            "PATCH an environment version (not an operation of the type)",
            "Emulator_EnvironmentVersions_Patch",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("PATCH", q(&env_version, ENV_API), Some(json!({"properties": {"description": "x"}}))),
        ),
        c(
            env_dir("containers/get"),
            "Get an environment container",
            "EnvironmentContainers_Get",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("GET", q(&env_container, ENV_API), None),
        ),
        c(
            env_dir("containers/list"),
            "List a workspace's environments (the curated ones included)",
            "EnvironmentContainers_List",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("GET", q(&format!("{}/environments?listViewType=ActiveOnly", ws("rg1", "ws1")), ENV_API), None),
        ),
        c(
            env_dir("containers/archive"),
            "Archive an environment (a container PUT with isArchived)",
            "EnvironmentContainers_CreateOrUpdate",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("PUT", q(&env_container, ENV_API), Some(json!({"properties": {"isArchived": true}}))),
        ),
        c(
            env_dir("containers/delete"),
            "Delete an environment with its versions",
            "EnvironmentContainers_Delete",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("DELETE", q(&env_container, ENV_API), None),
        ),
        c(
            env_dir("containers/patch"),
            "PATCH an environment container (not an operation of the type)",
            "Emulator_EnvironmentContainers_Patch",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("PATCH", q(&env_container, ENV_API), Some(json!({"properties": {"description": "x"}}))),
        ),
        c(
            env_dir("containers/head"),
            "Check that an environment exists",
            "Emulator_EnvironmentContainers_CheckExistence",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("HEAD", q(&env_container, ENV_API), None),
        ),
        c(
            env_dir("versions/head"),
            "Check that an environment version exists",
            "Emulator_EnvironmentVersions_CheckExistence",
            ENV_API,
            ws1().into_iter().chain([create_env_version.clone()]).collect(),
            step("HEAD", q(&env_version, ENV_API), None),
        ),
        // ---- the v1 environment service (azureml-core's data plane: no api-version) ----
        c(
            ems_dir("list"),
            "List a workspace's environments through the v1 service (the latest of each, curated included)",
            "Emulator_EnvironmentService_List",
            "",
            ws1(),
            step("GET", ems("/"), None),
        ),
        c(
            ems_dir("get_latest_curated"),
            "Get the latest version of a curated environment through the v1 service",
            "Emulator_EnvironmentService_GetLatest",
            "",
            ws1(),
            step("GET", ems("/AzureML-Minimal"), None),
        ),
        c(
            ems_dir("register"),
            "Register an environment through the v1 service (azureml-core's PascalCase body)",
            "Emulator_EnvironmentService_Register",
            "",
            ws1(),
            register_v1.clone(),
        ),
        c(
            ems_dir("register_reserved_name"),
            "Register an environment whose name starts with AzureML (refused, data-plane envelope)",
            "Emulator_EnvironmentService_Register",
            "",
            ws1(),
            step("PUT", ems("/AzureML-Mine"), Some(v1_body("AzureML-Mine"))),
        ),
        c(
            ems_dir("register_version"),
            "Register a given version through the v1 service",
            "Emulator_EnvironmentService_RegisterVersion",
            "",
            ws1(),
            step("PUT", ems("/shapes-v1/versions/7"), Some(v1_body("shapes-v1"))),
        ),
        c(
            ems_dir("get_version"),
            "Get one version through the v1 service",
            "Emulator_EnvironmentService_Get",
            "",
            ws1().into_iter().chain([register_v1.clone()]).collect(),
            step("GET", ems("/shapes-v1/versions/1"), None),
        ),
        c(
            ems_dir("image_details_latest"),
            "Image details of an environment's latest version (never built)",
            "Emulator_EnvironmentService_ImageDetailsLatest",
            "",
            ws1().into_iter().chain([register_v1.clone()]).collect(),
            step("GET", ems("/shapes-v1/image"), None),
        ),
        c(
            ems_dir("image_details"),
            "Image details of one version, after its build",
            "Emulator_EnvironmentService_ImageDetails",
            "",
            ws1().into_iter().chain([register_v1.clone(), build_v1.clone()]).collect(),
            step("GET", ems("/shapes-v1/versions/1/image"), None),
        ),
        c(
            ems_dir("build_image"),
            "Build an environment's image (Environment.build)",
            "Emulator_EnvironmentService_BuildImage",
            "",
            ws1().into_iter().chain([register_v1.clone()]).collect(),
            build_v1.clone(),
        ),
        c(
            ems_dir("build_status_unknown"),
            "The status of a build the service does not know",
            "Emulator_EnvironmentService_BuildStatus",
            "",
            ws1().into_iter().chain([register_v1.clone()]).collect(),
            step("GET", ems_v2("/shapes-v1/versions/1/image/operations/00000000-0000-0000-0000-000000000000"), None),
        ),
        // ---- role assignments and definitions ----
        c(ra_dir("create"), "Share a workspace: assign a role at workspace scope", "RoleAssignments_Create", AUTH_API, ws1(), assign(&ws("rg1", "ws1"))),
        c(ra_dir("create_at_subscription"), "Assign a role at subscription scope", "RoleAssignments_Create", AUTH_API, vec![], assign(sub)),
        c(ra_dir("create_at_resource_group"), "Assign a role at resource-group scope", "RoleAssignments_Create", AUTH_API, vec![create_group("rg1")], assign(&group_id("rg1"))),
        c(
            ra_dir("get"),
            "Get a role assignment",
            "RoleAssignments_Get",
            AUTH_API,
            ws1().into_iter().chain([assign(&ws("rg1", "ws1"))]).collect(),
            step("GET", q(&assignment_at(&ws("rg1", "ws1")), AUTH_API), None),
        ),
        c(
            ra_dir("list_for_scope"),
            "List the role assignments of a workspace",
            "RoleAssignments_ListForScope",
            AUTH_API,
            ws1().into_iter().chain([assign(&ws("rg1", "ws1"))]).collect(),
            step("GET", q(&format!("{}/providers/Microsoft.Authorization/roleAssignments", ws("rg1", "ws1")), AUTH_API), None),
        ),
        c(
            ra_dir("delete"),
            "Delete a role assignment",
            "RoleAssignments_Delete",
            AUTH_API,
            ws1().into_iter().chain([assign(&ws("rg1", "ws1"))]).collect(),
            step("DELETE", q(&assignment_at(&ws("rg1", "ws1")), AUTH_API), None),
        ),
        c(
            rd_dir("list"),
            "Find a built-in role by name",
            "RoleDefinitions_List",
            AUTH_API,
            vec![],
            step("GET", q(&format!("{sub}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20'AzureML%20Data%20Scientist'"), AUTH_API), None),
        ),
        c(rd_dir("get"), "Get a built-in role definition", "RoleDefinitions_Get", AUTH_API, vec![], step("GET", q(&role_def, AUTH_API), None)),
        c(
            rd_dir("get_by_id"),
            "Get a built-in role definition by its tenant-level id",
            "RoleDefinitions_GetById",
            AUTH_API,
            vec![],
            step("GET", q(&format!("/providers/Microsoft.Authorization/roleDefinitions/{DATA_SCIENTIST}"), AUTH_API), None),
        ),
        // ---- Microsoft.ManagedIdentity ----
        c(uai_dir("create"), "Create a user-assigned identity", "UserAssignedIdentities_CreateOrUpdate", UAI_API, vec![create_group("rg1")], create_uai.clone()),
        c(uai_dir("get"), "Get a user-assigned identity", "UserAssignedIdentities_Get", UAI_API, vec![create_group("rg1"), create_uai.clone()], step("GET", q(&uai, UAI_API), None)),
        c(
            uai_dir("update"),
            "Change an identity's tags",
            "UserAssignedIdentities_Update",
            UAI_API,
            vec![create_group("rg1"), create_uai.clone()],
            step("PATCH", q(&uai, UAI_API), Some(json!({"tags": {"team": "ml"}}))),
        ),
        c(uai_dir("delete"), "Delete a user-assigned identity", "UserAssignedIdentities_Delete", UAI_API, vec![create_group("rg1"), create_uai.clone()], step("DELETE", q(&uai, UAI_API), None)),
        c(
            uai_dir("list_by_resource_group"),
            "List the identities of a group",
            "UserAssignedIdentities_ListByResourceGroup",
            UAI_API,
            vec![create_group("rg1"), create_uai.clone()],
            step("GET", q(&format!("{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities", group("rg1")), UAI_API), None),
        ),
        c(
            uai_dir("list_by_subscription"),
            "List the identities of a subscription",
            "UserAssignedIdentities_ListBySubscription",
            UAI_API,
            vec![create_group("rg1"), create_uai.clone()],
            step("GET", q(&format!("{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"), UAI_API), None),
        ),
        c(
            rd_dir("create_custom"),
            "Create a custom role",
            "RoleDefinitions_CreateOrUpdate",
            AUTH_API,
            vec![],
            create_custom_role(sub),
        ),
        c(
            rd_dir("delete_custom"),
            "Delete a custom role",
            "RoleDefinitions_Delete",
            AUTH_API,
            vec![create_custom_role(sub)],
            step("DELETE", q(&format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_ROLE}"), AUTH_API), None),
        ),
        c(
            format!("authorization/{AUTH_API}/permissions/list_for_resource_group"),
            "The caller's effective permissions on a group",
            "Permissions_ListForScope",
            AUTH_API,
            vec![create_group("rg1")],
            step("GET", q(&format!("{}/providers/Microsoft.Authorization/permissions", group_id("rg1")), AUTH_API), None),
        ),
        // ---- cloud metadata and the Entra look-alike ----
        c(
            format!("metadata/{META_API}/endpoints"),
            "The cloud's endpoints (what az cloud register and the SDKs read)",
            "Metadata_Endpoints",
            META_API,
            vec![],
            step("GET", q("/metadata/endpoints", META_API), None).anonymous(),
        )
        .emulator_only(),
        c(id_dir("openid_configuration"), "OpenID configuration (v2.0)", "Identity_OpenIdConfiguration", ENTRA, vec![], step("GET", "/{tenantId}/v2.0/.well-known/openid-configuration", None).anonymous()).emulator_only(),
        c(id_dir("openid_configuration_v1"), "OpenID configuration (v1)", "Identity_OpenIdConfigurationV1", ENTRA, vec![], step("GET", "/{tenantId}/.well-known/openid-configuration", None).anonymous()).emulator_only(),
        c(id_dir("token"), "A client-credentials token (v2.0)", "Identity_Token", ENTRA, vec![], step("POST", "/{tenantId}/oauth2/v2.0/token", None).form(&token_form).anonymous()).emulator_only(),
        c(
            id_dir("token_v1"),
            "A client-credentials token (v1)",
            "Identity_TokenV1",
            ENTRA,
            vec![],
            step("POST", "/{tenantId}/oauth2/token", None)
                .form(&[("grant_type", "client_credentials"), ("client_id", DEFAULT_CLIENT_ID), ("client_secret", DEFAULT_CLIENT_SECRET), ("resource", "https://management.azure.com/")])
                .anonymous(),
        )
        .emulator_only(),
        c(id_dir("keys"), "The token signing keys (v2.0)", "Identity_Keys", ENTRA, vec![], step("GET", "/{tenantId}/discovery/v2.0/keys", None).anonymous()).emulator_only(),
        c(id_dir("keys_v1"), "The token signing keys (v1)", "Identity_KeysV1", ENTRA, vec![], step("GET", "/{tenantId}/discovery/keys", None).anonymous()).emulator_only(),
        c(
            id_dir("instance_discovery"),
            "Instance discovery (MSAL)",
            "Identity_InstanceDiscovery",
            ENTRA,
            vec![],
            step("GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/authorize", None).anonymous(),
        )
        .emulator_only(),
        c(
            id_dir("managed_identity_token"),
            "A managed-identity token (App Service protocol)",
            "Identity_ManagedIdentityToken",
            MSI_API,
            vec![],
            step("GET", format!("/msi/token?api-version={MSI_API}&resource=https://management.azure.com/"), None).header("X-IDENTITY-HEADER", "armemu").anonymous(),
        )
        .emulator_only(),
        c(
            id_dir("managed_identity_token_legacy"),
            "A managed-identity token (legacy MSI protocol)",
            "Identity_ManagedIdentityTokenLegacy",
            MSI_API,
            vec![],
            step("POST", "/msi/token", None).form(&[("resource", "https://management.azure.com/")]).header("Secret", "armemu").anonymous(),
        )
        .emulator_only(),
        // ---- user sign-in (device code) ----
        c(
            id_dir("device_code"),
            "Start a device-code sign-in (v2.0)",
            "Identity_DeviceCode",
            ENTRA,
            vec![],
            step("POST", "/organizations/oauth2/v2.0/devicecode", None)
                .form(&[("client_id", AZ_CLIENT), ("scope", "https://management.azure.com/.default offline_access openid profile")])
                .anonymous(),
        )
        .emulator_only(),
        c(
            id_dir("device_code_v1"),
            "Start a device-code sign-in (v1)",
            "Identity_DeviceCodeV1",
            ENTRA,
            vec![],
            step("POST", "/{tenantId}/oauth2/devicecode", None)
                .form(&[("client_id", AZ_CLIENT), ("resource", "https://management.azure.com/")])
                .anonymous(),
        )
        .emulator_only(),
        // The authorize endpoint's success is a redirect carrying a signed code (or an HTML
        // form): tests/auth/users.rs checks those; the shapes record its OAuth errors.
        c(
            id_dir("authorize_redirect_not_loopback"),
            "Authorize with a redirect URI that is not a loopback address",
            "Identity_Authorize",
            ENTRA,
            vec![],
            step("GET", format!("/organizations/oauth2/v2.0/authorize?client_id={AZ_CLIENT}&response_type=code&redirect_uri=https%3A%2F%2Fexample.com%2Fcb"), None).anonymous(),
        )
        .emulator_only(),
        c(
            id_dir("authorize_v1_without_client"),
            "Authorize (v1) without a client id",
            "Identity_AuthorizeV1",
            ENTRA,
            vec![],
            step("GET", "/{tenantId}/oauth2/authorize?response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8400", None).anonymous(),
        )
        .emulator_only(),
        // ---- Microsoft Graph ----
        c(graph_dir("me"), "The signed-in user", "Graph_Me", ENTRA, vec![], step("GET", "/v1.0/me", None).header("Authorization", USER_TOKEN)).emulator_only(),
        c(graph_dir("get_user"), "A user by UPN", "Graph_GetUser", ENTRA, vec![], step("GET", "/v1.0/users/user@armemu.onmicrosoft.com", None)).emulator_only(),
        c(
            graph_dir("list_users"),
            "Users by userPrincipalName (az role assignment create --assignee)",
            "Graph_ListUsers",
            ENTRA,
            vec![],
            step("GET", "/v1.0/users?$filter=userPrincipalName%20eq%20%27user%40armemu.onmicrosoft.com%27", None),
        )
        .emulator_only(),
        c(
            graph_dir("list_service_principals"),
            "Service principals by servicePrincipalNames",
            "Graph_ListServicePrincipals",
            ENTRA,
            vec![graph_state()],
            step("GET", format!("/v1.0/servicePrincipals?$filter=servicePrincipalNames%2Fany(c%3Ac%20eq%20%27{GRAPH_APP_ID}%27)"), None),
        )
        .emulator_only(),
        c(graph_dir("get_service_principal"), "A service principal", "Graph_GetServicePrincipal", ENTRA, vec![graph_state()], step("GET", format!("/v1.0/servicePrincipals/{GRAPH_SP}"), None)).emulator_only(),
        c(
            graph_dir("create_service_principal"),
            "The service principal of an application",
            "Graph_CreateServicePrincipal",
            ENTRA,
            vec![graph_state_without_sp()],
            step("POST", "/v1.0/servicePrincipals", Some(json!({"appId": GRAPH_APP_ID, "accountEnabled": true}))),
        )
        .emulator_only(),
        c(
            graph_dir("list_applications"),
            "Applications by appId",
            "Graph_ListApplications",
            ENTRA,
            vec![graph_state()],
            step("GET", format!("/v1.0/applications?$filter=appId%20eq%20%27{GRAPH_APP_ID}%27"), None),
        )
        .emulator_only(),
        c(graph_dir("get_application"), "An application", "Graph_GetApplication", ENTRA, vec![graph_state()], step("GET", format!("/v1.0/applications/{GRAPH_APP}"), None)).emulator_only(),
        c(
            graph_dir("create_application"),
            "An application (az ad sp create-for-rbac)",
            "Graph_CreateApplication",
            ENTRA,
            vec![],
            step("POST", "/v1.0/applications", Some(json!({"displayName": "deployer"}))),
        )
        .emulator_only(),
        c(
            graph_dir("add_password"),
            "A client secret for an application",
            "Graph_AddPassword",
            ENTRA,
            vec![graph_state()],
            step("POST", format!("/v1.0/applications/{GRAPH_APP}/addPassword"), Some(json!({"passwordCredential": {"displayName": "rbac", "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}}))),
        )
        .emulator_only(),
        c(
            graph_dir("remove_password"),
            "Remove a client secret",
            "Graph_RemovePassword",
            ENTRA,
            vec![graph_state()],
            step("POST", format!("/v1.0/applications/{GRAPH_APP}/removePassword"), Some(json!({"keyId": GRAPH_KEY}))),
        )
        .emulator_only(),
        c(
            graph_dir("get_by_ids"),
            "Directory objects by id (az role assignment list)",
            "Graph_GetByIds",
            ENTRA,
            vec![graph_state()],
            step("POST", "/v1.0/directoryObjects/getByIds", Some(json!({"ids": [GRAPH_SP, "8d2e3f40-5b6c-4d7e-9f80-1a2b3c4d5e01"], "types": ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"]}))),
        )
        .emulator_only(),
        c(graph_dir("not_emulated"), "A Graph call the emulator does not model", "Graph_NotEmulated", ENTRA, vec![], step("GET", "/v1.0/groups", None)).emulator_only(),
        // ---- errors ----
        c("errors/ResourceGroupNotFound".into(), "Get a group that does not exist", "ResourceGroups_Get", RG_API, vec![], step("GET", q(&group("missing-rg"), RG_API), None)),
        c("errors/MissingApiVersionParameter".into(), "A request without api-version", "ResourceGroups_Get", RG_API, vec![create_group("rg1")], step("GET", group("rg1"), None)),
        c(
            "errors/InvalidApiVersionParameter".into(),
            "A request with an api-version the resource type does not have",
            "Workspaces_Get",
            ML_API,
            ws1(),
            step("GET", format!("{}?api-version=1999-01-01", ws("rg1", "ws1")), None),
        ),
        c(
            "errors/AuthenticationFailed".into(),
            "A request without a bearer token",
            "ResourceGroups_Get",
            RG_API,
            vec![create_group("rg1")],
            step("GET", q(&group("rg1"), RG_API), None).anonymous(),
        ),
        c(
            "errors/SubscriptionNotFound".into(),
            "A request for a subscription that does not exist",
            "ResourceGroups_List",
            RG_API,
            vec![],
            step("GET", q("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups", RG_API), None),
        ),
        c(
            "errors/InvalidRequestContent".into(),
            "A body that is not JSON",
            "ResourceGroups_CreateOrUpdate",
            RG_API,
            vec![],
            step("PUT", q(&group("rg1"), RG_API), None).raw("{\"location\": \"eastus\","),
        ),
        c(
            "errors/InvalidResourceGroupLocation".into(),
            "Create a group that exists in another location",
            "ResourceGroups_CreateOrUpdate",
            RG_API,
            vec![create_group("rg1")],
            step("PUT", q(&group("rg1"), RG_API), Some(json!({"location": "westeurope"}))),
        ),
        c(
            "errors/ResourceGroupBeingDeleted".into(),
            "Create a workspace in a group that is being deleted",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1"), step("DELETE", q(&group("rg1"), RG_API), None)],
            create_ws("rg1", "ws1"),
        )
        .only_modes(&["resourceGroups/delete=polls:5"]),
        c(
            "errors/MissingSubscriptionRegistration".into(),
            "Create a workspace while Microsoft.MachineLearningServices is not registered",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1"), step("POST", q(&format!("{ml_provider}/unregister"), RG_API), Some(json!({})))],
            create_ws("rg1", "ws1"),
        ),
        c(
            "errors/SoftDeletedWorkspaceExists".into(),
            "Create a workspace whose name is held by a soft-deleted one",
            "Workspaces_CreateOrUpdate",
            ML_API,
            vec![create_group("rg1"), create_ws("rg1", "ws1"), delete_ws("rg1", "ws1")],
            create_ws("rg1", "ws1"),
        ),
        c(
            "errors/ResourceNotFound".into(),
            "Get a workspace that does not exist",
            "Workspaces_Get",
            ML_API,
            vec![create_group("rg1")],
            step("GET", q(&ws("rg1", "missing-ws"), ML_API), None),
        ),
        c(
            "errors/WorkspaceStorageAccountImmutable".into(),
            "Change the storage account of a workspace",
            "Workspaces_CreateOrUpdate",
            ML_API,
            ws1().into_iter().chain([create_storage.clone()]).collect(),
            step("PUT", q(&ws("rg1", "ws1"), ML_API), Some(json!({"location": "eastus", "properties": {"storageAccount": storage.path}}))),
        ),
        c(
            "errors/WorkspaceMoveNotSupported".into(),
            "Move a workspace to another group",
            "Resources_MoveResources",
            RG_API,
            ws1().into_iter().chain([create_group("rg2")]).collect(),
            step(
                "POST",
                q(&format!("{}/moveResources", group_id("rg1")), RG_API),
                Some(json!({"resources": [ws("rg1", "ws1")], "targetResourceGroup": group_id("rg2")})),
            ),
        ),
        c(
            "errors/invalid_client".into(),
            "A token request with a wrong client secret",
            "Identity_Token",
            ENTRA,
            vec![],
            step("POST", "/{tenantId}/oauth2/v2.0/token", None)
                .form(&[("grant_type", "client_credentials"), ("client_id", DEFAULT_CLIENT_ID), ("client_secret", "wrong"), ("scope", "https://management.azure.com/.default")])
                .anonymous(),
        )
        .emulator_only(),
    ];
    // Template deployments, at each scope and path form.
    cases.extend(deployment_cases(&c));
    // The dependents' own shapes (the per-type shapers), written and read by id.
    for d in dependents() {
        cases.push(c(
            res_dir(&format!("create_or_update_by_id_{}", d.file)),
            Box::leak(format!("Create {}, by id", d.title).into_boxed_str()),
            "Resources_CreateOrUpdateById",
            d.api,
            vec![create_group("rg1")],
            step("PUT", q(&d.path, d.api), Some(d.body.clone())),
        ));
        cases.push(c(
            res_dir(&format!("get_by_id_{}", d.file)),
            Box::leak(format!("Get {}, by id", d.title).into_boxed_str()),
            "Resources_GetById",
            d.api,
            vec![create_group("rg1"), step("PUT", q(&d.path, d.api), Some(d.body.clone()))],
            step("GET", q(&d.path, d.api), None),
        ));
    }
    cases
}

/// `Microsoft.Resources/deployments` on its three route forms: the group's
/// (`…/providers/Microsoft.Resources/deployments`), the older group form
/// (`…/resourcegroups/{rg}/deployments`) and the subscription's.
fn deployment_cases(
    c: &dyn Fn(String, &'static str, &'static str, &'static str, Vec<Step>, Step) -> Case,
) -> Vec<Case> {
    const DEP_API: &str = "2025-04-01";
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let storage = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}, "secret": {"type": "securestring", "defaultValue": "hidden"}},
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01", "name": "[parameters('name')]",
            "location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}],
        "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]"}},
    });
    let group_template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"name": {"type": "string"}},
        "resources": [{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01", "name": "[parameters('name')]", "location": "eastus"}],
    });
    let forms = [
        (
            "group",
            format!("{}/providers/Microsoft.Resources/deployments", group("rg1")),
            "",
            "Deployments_ListByResourceGroup",
        ),
        ("legacy", format!("{}/deployments", group("rg1")), "_Legacy", "Deployments_ListByResourceGroup_Legacy"),
        (
            "subscription",
            "/subscriptions/{subscriptionId}/providers/Microsoft.Resources/deployments".to_string(),
            "AtSubscriptionScope",
            "Deployments_ListAtSubscriptionScope",
        ),
    ];
    let mut out = Vec::new();
    for (form, base, suffix, list_op) in forms {
        let sub = form == "subscription";
        let body = |name: &str| {
            if sub {
                json!({"location": "eastus", "properties": {"mode": "Incremental", "template": group_template, "parameters": {"name": {"value": name}}}})
            } else {
                json!({"properties": {"mode": "Incremental", "template": storage, "parameters": {"name": {"value": name}}}})
            }
        };
        let dir = |f: &str| format!("resources/{DEP_API}/deployments/{form}/{f}");
        let op = |name: &str| leak(format!("{name}{suffix}"));
        let title = |what: &str| leak(format!("{what} ({form} scope form)"));
        let put = |d: &str, n: &str| step("PUT", q(&format!("{base}/{d}"), DEP_API), Some(body(n)));
        let setup = vec![create_group("rg1"), put("d1", "stshapesd1")];
        let at = |p: &str| q(&format!("{base}/{p}"), DEP_API);
        out.push(c(
            dir("create_or_update"),
            title("Deploy a template"),
            op("Deployments_CreateOrUpdate"),
            DEP_API,
            vec![create_group("rg1")],
            put("d2", "stshapesd2"),
        ));
        out.push(
            c(
                dir("create_or_update_async"),
                title("Deploy a template, asynchronously"),
                op("Deployments_CreateOrUpdate"),
                DEP_API,
                vec![create_group("rg1")],
                put("d2", "stshapesd2"),
            )
            .only_modes(&["deployments/create=polls:1"]),
        );
        out.push(c(
            dir("get"),
            title("Get a deployment"),
            op("Deployments_Get"),
            DEP_API,
            setup.clone(),
            step("GET", at("d1"), None),
        ));
        out.push(c(
            dir("check_existence"),
            title("Check that a deployment exists"),
            op("Deployments_CheckExistence"),
            DEP_API,
            setup.clone(),
            step("HEAD", at("d1"), None),
        ));
        out.push(
            c(
                dir("delete"),
                title("Delete a deployment"),
                op("Deployments_Delete"),
                DEP_API,
                setup.clone(),
                step("DELETE", at("d1"), None),
            )
            .modes(&["deployments/delete=polls:1"]),
        );
        out.push(c(
            dir("list"),
            title("List deployments"),
            list_op,
            DEP_API,
            setup.clone(),
            step("GET", q(&base, DEP_API), None),
        ));
        out.push(c(
            dir("validate"),
            title("Validate a template"),
            op("Deployments_Validate"),
            DEP_API,
            vec![create_group("rg1")],
            step("POST", at("d3/validate"), Some(body("stshapesd3"))),
        ));
        out.push(c(
            dir("what_if"),
            title("What a deployment would change"),
            op("Deployments_WhatIf"),
            DEP_API,
            setup.clone(),
            step("POST", at("d1/whatIf"), Some(body("stshapesd1"))),
        ));
        out.push(c(
            dir("cancel"),
            title("Cancel a finished deployment"),
            op("Deployments_Cancel"),
            DEP_API,
            setup.clone(),
            step("POST", at("d1/cancel"), Some(json!({}))),
        ));
        out.push(c(
            dir("export_template"),
            title("Export a deployment's template"),
            op("Deployments_ExportTemplate"),
            DEP_API,
            setup.clone(),
            step("POST", at("d1/exportTemplate"), Some(json!({}))),
        ));
        out.push(c(
            dir("operations_list"),
            title("List a deployment's operations"),
            op("DeploymentOperations_List"),
            DEP_API,
            setup.clone(),
            step("GET", at("d1/operations"), None),
        ));
        out.push(c(
            dir("operations_get_missing"),
            title("Get a deployment operation that does not exist"),
            op("DeploymentOperations_Get"),
            DEP_API,
            setup.clone(),
            step("GET", at("d1/operations/0000000000000000"), None),
        ));
        out.push(
            c(
                dir("operation_status_missing"),
                title("Poll a deployment operation that does not exist"),
                op("Deployments_OperationStatus"),
                DEP_API,
                setup.clone(),
                step("GET", at("d1/operationStatuses/00000000-0000-0000-0000-000000000000"), None),
            )
            .emulator_only(),
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

fn is_guid_at(b: &[u8], i: usize) -> bool {
    b.len() >= i + 36
        && b[i..i + 36].iter().enumerate().all(|(k, c)| {
            if [8, 13, 18, 23].contains(&k) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
        && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        && b.get(i + 36).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Dependent resources get generated names (`ws1storagea61ceaa8`): the segment after these
/// type segments is redacted into the placeholder.
const DEPENDENT_NAMES: &[(&str, &str)] = &[
    ("storageaccounts", "<storage-account-name>"),
    ("vaults", "<key-vault-name>"),
    ("components", "<application-insights-name>"),
    ("registries", "<container-registry-name>"),
];

/// Keys whose values are secrets (base64 keys, passwords).
fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    (k.ends_with("key") && !k.contains("instrumentation"))
        || k.ends_with("password")
        || k.ends_with("accesskey")
        // Tokens, and the signing key's material and ids (each emulator has its own key).
        || ["access_token", "accesstoken", "id_token", "refresh_token", "kid", "x5t", "n", "x5c"].contains(&k.as_str())
}

/// Replaces the endpoint, `127.0.0.1:port` hosts, dependent names, GUIDs, 32-digit hex ids and
/// RFC 3339 times in `s` by placeholders.
fn redact_str(s: &str, base: &str) -> String {
    let s = s.replace(base, "<base-url>");
    let s = {
        let mut out = String::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find("127.0.0.1:") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 10..];
            let n = after.bytes().take_while(|c| c.is_ascii_digit()).count();
            out.push_str("<host>");
            rest = &after[n..];
        }
        out.push_str(rest);
        out
    };
    let s = if s.starts_with('/') || s.starts_with("<base-url>/") {
        let segs: Vec<&str> = s.split('/').collect();
        let mut out: Vec<String> = segs.iter().map(|x| x.to_string()).collect();
        for i in 1..segs.len() {
            if let Some((_, ph)) = DEPENDENT_NAMES.iter().find(|(t, _)| segs[i - 1].eq_ignore_ascii_case(t)) {
                if !segs[i].is_empty() && !segs[i].contains('?') {
                    out[i] = ph.to_string();
                }
            }
        }
        out.join("/")
    } else {
        s
    };
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if is_guid_at(b, i) {
            out.push_str("<GUID>");
            i += 36;
            continue;
        }
        let word = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if word == 32 && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) && b[i..i + 32].iter().all(u8::is_ascii_hexdigit)
        {
            out.push_str("<hex>");
            i += 32;
            continue;
        }
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some(n) = (20..=35).rev().find(|n| {
                i + n <= b.len() && s.is_char_boundary(i + n) && fixtures::matches_text("<datetime>", &s[i..i + n])
            }) {
                out.push_str("<datetime>");
                i += n;
                continue;
            }
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Redacts every string under `v`, recording the pointer (prefixed by `at`) of each change.
fn redact(v: &mut Value, at: &str, base: &str, volatile: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let r = redact_str(s, base);
            if r != *s {
                *s = r;
                volatile.push(at.to_string());
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                redact(x, &format!("{at}/{i}"), base, volatile);
            }
        }
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                if is_secret_key(k) && x.as_str().is_some_and(|s| !s.is_empty()) {
                    *x = json!("<secret>");
                    volatile.push(here);
                    continue;
                }
                // Token expiry instants (seconds since the epoch, as text).
                if ["expires_on", "expireson", "not_before"].contains(&k.to_ascii_lowercase().as_str())
                    && x.as_str().is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                {
                    *x = json!("<int>");
                    volatile.push(here);
                    continue;
                }
                if is_secret_key(k) && x.is_array() {
                    for (i, item) in x.as_array_mut().into_iter().flatten().enumerate() {
                        if item.is_string() {
                            *item = json!("<secret>");
                            volatile.push(format!("{here}/{i}"));
                        }
                    }
                    continue;
                }
                redact(x, &here, base, volatile);
            }
        }
        _ => {}
    }
}

/// The path parameters of `path` for the route of `operation` (x-ms-examples `parameters`).
fn path_parameters(operation: &str, path: &str, sub: &str) -> Map<String, Value> {
    let path = path.replace("{subscriptionId}", sub);
    let (p, _) = path.split_once('?').unwrap_or((&path, ""));
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = Map::new();
    for r in conformance::armemu::all_routes().iter().filter(|r| r.operation == operation) {
        let pat: Vec<&str> = r.pattern.split('/').filter(|s| !s.is_empty()).collect();
        if pat.len() != segs.len() {
            continue;
        }
        let ok = pat.iter().zip(&segs).all(|(a, b)| a.starts_with('{') || a.eq_ignore_ascii_case(b));
        if ok {
            for (a, b) in pat.iter().zip(&segs) {
                if let Some(name) = a.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    out.insert(name.to_string(), json!(b));
                }
            }
            break;
        }
    }
    out
}

/// Runs a case's setup and request on `t` under one LRO configuration (`sync` or
/// `kind=mode`); returns the answer and the concrete request path.
fn run_case(t: &Target, mode: &str, setup: &[Step], request: &Step) -> Result<(Resp, String), String> {
    if let Some((kind, m)) = mode.split_once('=') {
        let r = t.control("PATCH", "settings", Some(&json!({"lro": {kind: m}})));
        if r.status != 200 {
            return Err(format!("setting the LRO mode {mode}: {r:?}"));
        }
    }
    let mut prev: Option<Resp> = None;
    for s in setup {
        let r = s.send(t, prev.as_ref())?;
        if r.status >= 300 {
            return Err(format!("setup {} {} failed: {r:?}", s.method, s.path));
        }
        prev = Some(r);
    }
    let path = request.resolve(t, prev.as_ref())?;
    let r = request.send(t, prev.as_ref())?;
    Ok((r, path))
}

/// The recorded part of an answer: the LRO headers and the body.
fn response_doc(r: &Resp) -> Value {
    let mut response = Map::new();
    let mut headers = Map::new();
    for h in RECORDED_HEADERS {
        if let Some(v) = r.header(h) {
            headers.insert(h.to_string(), json!(v));
        }
    }
    if !headers.is_empty() {
        response.insert("headers".into(), Value::Object(headers));
    }
    if !r.body.is_empty() {
        response.insert("body".into(), r.json());
    }
    Value::Object(response)
}

fn generate(case: &Case) -> Value {
    let mut responses = Map::new();
    let mut volatile = Vec::new();
    let mut parameters = None;
    for mode in &case.modes {
        let t = Target::in_process();
        let (r, path) = run_case(&t, mode, &case.setup, &case.request)
            .unwrap_or_else(|e| panic!("{} under {mode}: {e}", case.file));
        let status = r.status.to_string();
        // Each answer is redacted against its own endpoint (every run has its own ports).
        let mut doc = response_doc(&r);
        let mut changed = Vec::new();
        redact(&mut doc, &format!("/responses/{status}"), t.base(), &mut changed);
        if let Some(before) = responses.get(&status) {
            assert_eq!(
                before, &doc,
                "{}: two LRO configurations answer {status} differently; split the case",
                case.file
            );
            continue;
        }
        responses.insert(status, doc);
        volatile.extend(changed);
        if parameters.is_none() {
            let mut p = path_parameters(case.operation, &path, &t.subscription);
            if !case.api.is_empty() && path.contains("api-version=") {
                p.insert("api-version".into(), json!(case.api));
            }
            if let Some(b) = &case.request.body {
                p.insert("parameters".into(), b.clone());
            }
            let mut p = Value::Object(p);
            redact(&mut p, "/parameters", t.base(), &mut volatile);
            parameters = Some(p);
        }
    }
    let mut doc = json!({
        "title": case.title,
        "operationId": case.operation,
        "apiVersion": if case.api.is_empty() { Value::Null } else { json!(case.api) },
        "request": case.request.to_json(),
        "setup": case.setup.iter().map(Step::to_json).collect::<Vec<_>>(),
        "parameters": parameters.unwrap_or_else(|| json!({})),
        "responses": Value::Object(responses),
        "volatile": volatile,
    });
    if case.modes != ["sync"] {
        doc["x-lro-modes"] = json!(case.modes);
    }
    if case.emulator_only {
        doc["x-emulator-only"] = json!(true);
    }
    doc
}

fn write_json(path: &Path, v: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = serde_json::to_string_pretty(v).unwrap();
    text.push('\n');
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SHAPES").is_some()
}

// ---------------------------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------------------------

/// Checks one answer against the fixture's responses; Err says what differs.
fn check(responses: &Map<String, Value>, r: &Resp) -> Result<(), String> {
    let Some(expected) = responses.get(&r.status.to_string()) else {
        return Err(format!("status {} is not one of {:?}: {r:?}", r.status, responses.keys().collect::<Vec<_>>()));
    };
    if let Some(hs) = expected.get("headers").and_then(Value::as_object) {
        for (name, want) in hs {
            let want = want.as_str().unwrap_or_default();
            match r.header(name) {
                Some(got) if fixtures::matches_text(want, got) => {}
                got => return Err(format!("header {name}: expected {want:?}, got {got:?}")),
            }
        }
    }
    match expected.get("body") {
        Some(body) => fixtures::matches_shape(body, &r.json()).map_err(|e| format!("body {e}")),
        None if r.body.is_empty() => Ok(()),
        None => Err(format!("expected no body, got {r:?}")),
    }
}

/// Replays one shape fixture: in-process under each of its LRO configurations; against
/// `ARM_ENDPOINT` once, as the endpoint behaves (emulator-only fixtures are skipped there).
fn replay(f: &fixtures::Fixture) -> Result<(), String> {
    let v = f.json();
    let setup: Vec<Step> = v["setup"].as_array().into_iter().flatten().map(Step::from_json).collect();
    let req = Step::from_json(&v["request"]);
    let responses = v["responses"].as_object().ok_or("no responses")?;
    if Target::external_requested() {
        if v["x-emulator-only"].as_bool().unwrap_or(false) {
            return Ok(());
        }
        let (r, _) = run_case(&Target::new(), "sync", &setup, &req)?;
        return check(responses, &r);
    }
    let modes: Vec<String> = match v["x-lro-modes"].as_array() {
        Some(a) => a.iter().filter_map(Value::as_str).map(String::from).collect(),
        None => vec!["sync".into()],
    };
    for mode in &modes {
        let (r, _) = run_case(&Target::in_process(), mode, &setup, &req)?;
        check(responses, &r).map_err(|e| format!("under {mode}: {e}"))?;
    }
    Ok(())
}

#[test]
fn every_shape_fixture_replays() {
    if updating() {
        let dir = fixtures_dir().join("shapes");
        for case in cases() {
            write_json(&dir.join(format!("{}.json", case.file)), &generate(&case));
        }
        write_state();
        eprintln!("shapes written; now run UPDATE_FIXTURES=1 cargo test -p fixtures --test well_formed");
        return;
    }
    let shapes: Vec<_> = fixtures::of_kind("shape").collect();
    assert!(!shapes.is_empty(), "no shape fixtures are indexed");
    let failures: Vec<String> =
        shapes.iter().filter_map(|f| replay(f).err().map(|e| format!("{}: {e}", f.path))).collect();
    assert!(failures.is_empty(), "{} of {} shapes differ:\n{}", failures.len(), shapes.len(), failures.join("\n"));
}

#[test]
fn the_generation_table_and_the_fixtures_agree() {
    let files: Vec<String> = cases().iter().map(|c| format!("shapes/{}", c.file)).collect();
    let mut unique = files.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), files.len(), "two cases write the same file");
    let indexed: Vec<&str> = fixtures::of_kind("shape").map(|f| f.name).collect();
    for f in &files {
        assert!(indexed.contains(&f.as_str()) || updating(), "{f} has no fixture: run UPDATE_SHAPES=1");
    }
    for f in &indexed {
        assert!(files.iter().any(|x| x == f), "{f} is not in the generation table of conformance/tests/shapes");
    }
}

/// Every operation the emulator serves (its route table, less the test-control API) has a shape.
#[test]
fn every_emulated_operation_has_a_shape() {
    let covered: std::collections::BTreeSet<&str> = cases().iter().map(|c| c.operation).collect();
    let missing: std::collections::BTreeSet<&str> = conformance::armemu::all_routes()
        .iter()
        .filter(|r| !r.pattern.starts_with("/_emulator"))
        .map(|r| r.operation)
        .filter(|op| !covered.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a shape fixture (add a case to conformance/tests/shapes): {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The seed's `az ml workspace list` state
// ---------------------------------------------------------------------------------------------

const STATE: &str = "states/seed-workspace-list.json";

/// The seed's two workspaces in two groups, made through the API and exported.
fn write_state() {
    let t = Target::in_process();
    for (rg, name) in [("myresourcegroup", "myml"), ("anotherresourcegroup", "anotherml")] {
        assert!(create_group(rg).send(&t, None).unwrap().status < 300);
        let r = create_ws(rg, name).send(&t, None).unwrap();
        assert_eq!(r.status, 200, "{r:?}");
    }
    let exported = t.control("GET", "state", None).expect(200).json();
    let mut doc = Map::new();
    doc.insert(
        "x-source".into(),
        json!("the seed's `az ml workspace list` example (seeds/workspace-list-output.json): two workspaces in two groups, created through the API and exported by GET /_emulator/state (conformance/tests/shapes, UPDATE_SHAPES=1)"),
    );
    for (k, v) in exported.as_object().unwrap() {
        doc.insert(k.clone(), v.clone());
    }
    write_json(&fixtures_dir().join(STATE), &Value::Object(doc));
}

#[test]
fn the_seed_workspace_list_state_loads_and_lists_two_workspaces_in_two_groups() {
    if updating() || Target::external_requested() {
        return;
    }
    let path = fixtures_dir().join(STATE);
    let t = Target::with_config(|c| c.load = Some(path));
    let r = t.get(&q(&format!("{}/providers/{ML}/workspaces", t.sub()), ML_API)).expect(200).json();
    let items = r["value"].as_array().cloned().unwrap_or_default();
    let mut listed: Vec<Value> = items
        .iter()
        .map(|w| {
            let id = w["id"].as_str().unwrap_or_default();
            let parts: Vec<&str> = id.split('/').collect();
            json!({"resourceGroup": parts.get(4).copied().unwrap_or_default(), "subscriptionId": parts.get(2).copied().unwrap_or_default(), "workspaceName": w["name"]})
        })
        .collect();
    // The seed lists myml first; order by the seed's order for the comparison.
    listed.sort_by_key(|w| if w["workspaceName"] == "myml" { 0 } else { 1 });
    let seed = fixtures::load("seeds/workspace-list-output").expect("seed fixture");
    fixtures::matches_shape(&seed["body"], &Value::Array(listed.clone())).unwrap_or_else(|e| panic!("{e}: {listed:?}"));
    let groups: std::collections::BTreeSet<_> = listed.iter().map(|w| w["resourceGroup"].to_string()).collect();
    assert_eq!(groups.len(), 2, "{listed:?}");
    // The dependents came along: each group has the workspace plus its storage account, key vault
    // and Application Insights.
    for rg in ["myresourcegroup", "anotherresourcegroup"] {
        let res = t.get(&q(&format!("{}/resources", t.rg(rg)), RG_API)).expect(200).json();
        let types: Vec<String> = res["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["type"].as_str().unwrap_or_default().to_lowercase())
            .collect();
        for want in [
            "microsoft.machinelearningservices/workspaces",
            "microsoft.storage/storageaccounts",
            "microsoft.keyvault/vaults",
        ] {
            assert!(types.iter().any(|x| x == want), "{rg}: {want} missing in {types:?}");
        }
    }
}
