//! The official REST API examples (`x-ms-examples` of Azure/azure-rest-api-specs, vendored under
//! `fixtures/official/` and listed in its `MANIFEST.tsv`) replayed against the emulator.
//!
//! The shapes suite compares the emulator with fixtures recorded from the emulator itself, so it
//! cannot show that a shape is right; this one compares it with what Microsoft documents. Each
//! example's request is sent with its ids mapped to the emulator's subscription and a group of
//! its own (every resource group an example names becomes that one group, storage account names
//! are lower-cased as ARM requires, a location the emulator does not offer becomes `eastus`),
//! after its prerequisites: the group, the resources its body refers to (created with a minimal
//! body), the providers it needs registered, and the examples it builds on (a GET replays the
//! create example first). The answer must have one of the example's statuses, and its body,
//! compared with the example's body for that status:
//! - has every key path the example has (recursively; an array's items are compared with every
//!   key any of the example's items has, so an example with two items asks for the union);
//! - has the example's value types (a `null` in the example accepts anything, a `null` in the
//!   answer where the example has a value does not);
//! - uses a documented value for the enums listed in [`ENUMS`];
//! - writes ids the way ARM does (`/subscriptions/{guid}/resourceGroups/{name}/providers/…`,
//!   the same types as the example's id), GUIDs where the example has a GUID, and ISO 8601
//!   times where it has a time.
//!
//! For the operations `fixtures/official/defined-properties.json` lists (the workspace answers),
//! a key the 2024-10-01 OpenAPI definition does not define is a difference too.
//!
//! The values themselves are not compared (they are the example's inventions), nor the names
//! of `tags` (data, not schema: only their values must be strings), and `nextLink` is optional
//! (ARM writes it only when there is a next page). A deliberate difference is an
//! entry in `fixtures/official/allow-list.json` (example, JSON path, reason), each explained in
//! DIFFERENCES.md; an entry that no longer matches anything fails too, so the list stays short.

use std::collections::BTreeSet;
use std::path::PathBuf;

use armemu::config::DEFAULT_TENANT_ID;
use conformance::{enc, is_guid, Resp, Target};
use serde_json::{json, Map, Value};

fn official_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/official")
}

/// One line of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
struct Row {
    file: String,
    operation: String,
    method: String,
    path: String,
    /// The emulator route's operation that answers it (`Resources_*ById` for the generic types).
    emulator_operation: String,
}

fn manifest() -> Vec<Row> {
    let text = std::fs::read_to_string(official_dir().join("MANIFEST.tsv")).expect("fixtures/official/MANIFEST.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 8, "MANIFEST.tsv: eight tab-separated columns expected: {l}");
            Row {
                file: f[0].into(),
                operation: f[4].into(),
                method: f[5].into(),
                path: f[6].into(),
                emulator_operation: f[7].into(),
            }
        })
        .collect()
}

fn example(file: &str) -> Value {
    let text = std::fs::read_to_string(official_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// An entry of `allow-list.json`: a deliberate difference at one JSON path of one example's
/// answer (`status` for the status code; see [`Allow::matches`] for the two wildcards).
#[derive(Debug, Clone)]
struct Allow {
    example: String,
    /// One path, or several places of one difference (`paths`).
    paths: Vec<String>,
}

impl Allow {
    /// Which of the entry's paths matches a difference at `path` in the answer to `file`.
    /// `example` may end in `*` (a prefix of example files); a path may start with `**/` (any
    /// path ending so, in lists and single answers alike).
    fn matches(&self, file: &str, path: &str) -> Option<usize> {
        let example = match self.example.strip_suffix('*') {
            Some(prefix) => file.starts_with(prefix),
            None => file == self.example,
        };
        if !example {
            return None;
        }
        self.paths.iter().position(|p| match p.strip_prefix("**") {
            Some(tail) => path.ends_with(tail),
            None => path == p,
        })
    }
}

fn allow_list() -> Vec<Allow> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(official_dir().join("allow-list.json")).expect("fixtures/official/allow-list.json"),
    )
    .expect("allow-list.json is JSON");
    v.as_array()
        .expect("allow-list.json is an array")
        .iter()
        // Entries naming an operation or a definition are the schema validator's (conformance::schema).
        .filter(|e| e.get("example").is_some())
        .map(|e| {
            let reason = e["reason"].as_str().unwrap_or_default();
            assert!(reason.len() >= 20, "allow-list entry without a real reason: {e}");
            Allow {
                example: e["example"].as_str().expect("example").into(),
                paths: conformance::schema::entry_paths(e),
            }
        })
        .collect()
}

/// What an example needs beyond its own parameters.
#[derive(Default)]
struct Case {
    /// Replayed first, in order: example files, `@workspace` (a plain workspace named by the
    /// example's `workspaceName`), `@self` (the resource the example reads, created with a
    /// minimal body) or `@subscription` (the subscription given the example's `tags` and
    /// `managedByTenants` through the test-control API).
    setup: &'static [&'static str],
    /// Path parameters used instead of the example's (its values name nothing the emulator has).
    params: &'static [(&'static str, &'static str)],
    /// Added to the query string.
    query: &'static str,
    /// Providers registered before the example runs.
    register: &'static [&'static str],
    /// Body values replaced (JSON pointer, value) after mapping.
    body: &'static [(&'static str, &'static str)],
    /// Body values removed (JSON pointers) after mapping.
    drop: &'static [&'static str],
}

/// Built-in role "AzureML Data Scientist": the examples' role definitions are made up.
const DATA_SCIENTIST: &str = "f6c7c914-8db3-469d-8ca1-694a8f32e121";
const ROLE: &str = "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/f6c7c914-8db3-469d-8ca1-694a8f32e121";

fn case(file: &str) -> Case {
    const WS_CREATE: &str = "machinelearningservices/Workspace/create.json";
    const CMK: &[&str] = &["Microsoft.DocumentDB", "Microsoft.Search"];
    match file {
        "resources/2022-12-01/GetProviders.json" => Case { query: "$expand=resourceTypes/aliases", ..Case::default() },
        "resources/2022-12-01/GetProvider.json" => Case {
            params: &[("resourceProviderNamespace", "Microsoft.MachineLearningServices")],
            query: "$expand=resourceTypes/aliases",
            ..Case::default()
        },
        WS_CREATE => Case { register: CMK, ..Case::default() },
        "machinelearningservices/Workspace/get.json" => Case {
            setup: &[WS_CREATE, "machinelearningservices/PrivateEndpointConnection/createOrUpdate.json"],
            register: CMK,
            ..Case::default()
        },
        "machinelearningservices/Workspace/listKeys.json" => Case {
            setup: &[WS_CREATE],
            params: &[("workspaceName", "testworkspace")],
            register: CMK,
            ..Case::default()
        },
        "machinelearningservices/Workspace/update.json"
        | "machinelearningservices/Workspace/delete.json"
        | "machinelearningservices/Workspace/listByResourceGroup.json" => {
            Case { setup: &[WS_CREATE], register: CMK, ..Case::default() }
        }
        "machinelearningservices/PrivateEndpointConnection/createOrUpdate.json" => Case {
            setup: &["@workspace"],
            params: &[("privateEndpointConnectionName", "petest01.conn")],
            ..Case::default()
        },
        "machinelearningservices/PrivateEndpointConnection/get.json" => Case {
            setup: &["@workspace", "machinelearningservices/PrivateEndpointConnection/createOrUpdate.json"],
            params: &[("privateEndpointConnectionName", "petest01.conn")],
            ..Case::default()
        },
        "machinelearningservices/Workspace/EnvironmentContainer/createOrUpdate.json" => {
            Case { setup: &["@workspace"], ..Case::default() }
        }
        // The example asks for an image and a build context at once, which the service refuses.
        "machinelearningservices/Workspace/EnvironmentVersion/createOrUpdate.json" => {
            Case { setup: &["@workspace"], drop: &["/properties/build"], ..Case::default() }
        }
        "machinelearningservices/Workspace/EnvironmentVersion/get.json" => Case {
            setup: &["@workspace", "machinelearningservices/Workspace/EnvironmentVersion/createOrUpdate.json"],
            ..Case::default()
        },
        "keyvault/getVault.json" => Case { setup: &["@self"], ..Case::default() },
        "resources/2022-12-01/GetSubscription.json" | "resources/2022-12-01/GetSubscriptions.json" => {
            Case { setup: &["@subscription"], ..Case::default() }
        }
        "msi/IdentityGet.json"
        | "msi/IdentityDelete.json"
        | "msi/IdentityListByResourceGroup.json"
        | "msi/IdentityListBySubscription.json" => Case { setup: &["msi/IdentityCreate.json"], ..Case::default() },
        "authorization/RoleAssignments_CreateForResourceGroup.json" => {
            Case { body: &[("/properties/roleDefinitionId", ROLE)], ..Case::default() }
        }
        "authorization/RoleAssignments_Get.json" => Case {
            setup: &["authorization/RoleAssignments_CreateForResourceGroup.json"],
            params: &[
                ("scope", "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"),
                ("roleAssignmentName", "05c5a614-a7d6-4502-b150-c2fb455033ff"),
            ],
            body: &[("/properties/roleDefinitionId", ROLE)],
            ..Case::default()
        },
        "machinelearningservices/Workspace/listBySubscription.json" => {
            Case { setup: &[WS_CREATE], register: CMK, ..Case::default() }
        }
        "machinelearningservices/Workspace/EnvironmentContainer/get.json" => Case {
            setup: &["machinelearningservices/Workspace/EnvironmentContainer/createOrUpdate.json"],
            ..Case::default()
        },
        "machinelearningservices/PrivateEndpointConnection/list.json" => Case {
            setup: &["machinelearningservices/PrivateEndpointConnection/createOrUpdate.json"],
            ..Case::default()
        },
        "resources/2021-04-01/RegisterProviders.json" => {
            Case { params: &[("resourceProviderNamespace", "Microsoft.Search")], ..Case::default() }
        }
        "authorization/RoleAssignments_ListForScope.json" => Case {
            setup: &["authorization/RoleAssignments_CreateForResourceGroup.json"],
            params: &[("scope", "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}")],
            ..Case::default()
        },
        "authorization/GetRoleDefinitionByName.json" => Case {
            params: &[("scope", "subscriptions/{subscriptionId}"), ("roleDefinitionId", DATA_SCIENTIST)],
            ..Case::default()
        },
        "msi/IdentityUpdate.json" => Case { setup: &["msi/IdentityCreate.json"], ..Case::default() },
        "resources/2021-04-01/UnregisterProviders.json" => {
            Case { params: &[("resourceProviderNamespace", "Microsoft.Search")], ..Case::default() }
        }
        "resources/2022-12-01/GetProviderResourceTypes.json" => Case {
            params: &[("resourceProviderNamespace", "Microsoft.ManagedIdentity")],
            query: "$expand=resourceTypes/aliases",
            ..Case::default()
        },
        "authorization/RoleAssignments_Delete.json" => Case {
            setup: &["authorization/RoleAssignments_CreateForResourceGroup.json"],
            params: &[
                ("scope", "subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"),
                ("roleAssignmentName", "05c5a614-a7d6-4502-b150-c2fb455033ff"),
            ],
            body: &[("/properties/roleDefinitionId", ROLE)],
            ..Case::default()
        },
        "machinelearningservices/Workspace/EnvironmentContainer/list.json" => Case {
            setup: &["machinelearningservices/Workspace/EnvironmentContainer/createOrUpdate.json"],
            ..Case::default()
        },
        "machinelearningservices/Workspace/EnvironmentVersion/list.json" => Case {
            setup: &["machinelearningservices/Workspace/EnvironmentVersion/createOrUpdate.json"],
            ..Case::default()
        },
        "machinelearningservices/PrivateEndpointConnection/delete.json" => Case {
            setup: &["machinelearningservices/PrivateEndpointConnection/createOrUpdate.json"],
            params: &[("privateEndpointConnectionName", "petest01.conn")],
            ..Case::default()
        },
        "machinelearningservices/Workspace/resyncKeys.json" => Case {
            setup: &[WS_CREATE],
            params: &[("workspaceName", "testworkspace")],
            register: CMK,
            ..Case::default()
        },
        // The example deletes a container its other examples never create: the one they do.
        "machinelearningservices/Workspace/EnvironmentContainer/delete.json" => Case {
            setup: &["machinelearningservices/Workspace/EnvironmentContainer/createOrUpdate.json"],
            params: &[("name", "testEnvironment")],
            ..Case::default()
        },
        "machinelearningservices/Workspace/EnvironmentVersion/delete.json" => Case {
            setup: &["machinelearningservices/Workspace/EnvironmentVersion/createOrUpdate.json"],
            ..Case::default()
        },
        _ => Case::default(),
    }
}

/// Where an example's ids and names go.
struct Mapper {
    sub: String,
    group: String,
}

impl Mapper {
    /// An ARM id (or a `scope` without its leading `/`) with the subscription and group mapped.
    fn id(&self, s: &str) -> Option<String> {
        let lead = s.starts_with('/');
        let body = s.trim_start_matches('/');
        let mut segs: Vec<String> = body.split('/').map(|x| x.replace(['{', '}'], "")).collect();
        if segs.len() < 2 || !segs[0].eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        segs[1] = self.sub.clone();
        if segs.len() >= 4 && segs[2].eq_ignore_ascii_case("resourcegroups") {
            segs[3] = self.group.clone();
        }
        for i in 0..segs.len().saturating_sub(3) {
            if segs[i].eq_ignore_ascii_case("Microsoft.Storage") && segs[i + 1].eq_ignore_ascii_case("storageAccounts")
            {
                segs[i + 2] = segs[i + 2].to_lowercase();
            }
        }
        Some(format!("{}{}", if lead { "/" } else { "" }, segs.join("/")))
    }

    fn string(&self, s: &str) -> String {
        self.id(s).unwrap_or_else(|| s.to_string())
    }

    /// A request body with its ids mapped and its locations ones the emulator offers.
    fn value(&self, v: &Value, key: &str) -> Value {
        match v {
            Value::String(s) if key == "location" => json!(location(s)),
            Value::String(s) => json!(self.string(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x, "")).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (self.string(k), self.value(x, k))).collect()),
            other => other.clone(),
        }
    }

    fn template(&self, t: &str) -> String {
        t.replace("{subscriptionId}", &self.sub).replace("{resourceGroupName}", &self.group)
    }
}

/// A location the emulator offers for every type the examples use (`eastus2euap` and display
/// names of other clouds are not).
fn location(s: &str) -> String {
    match armemu::catalog::region(s) {
        Some(r)
            if armemu::catalog::resource_type("Microsoft.MachineLearningServices/workspaces")
                .is_some_and(|(_, t)| t.offered_in(r.name)) =>
        {
            r.name.to_string()
        }
        _ => "eastus".to_string(),
    }
}

/// The top-level types an example's body may refer to, created before it with a minimal body.
fn referenced(full_type: &str) -> Option<(&'static str, Value)> {
    Some(match full_type.to_ascii_lowercase().as_str() {
        "microsoft.storage/storageaccounts" => {
            ("2023-05-01", json!({"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}))
        }
        "microsoft.keyvault/vaults" => (
            "2023-07-01",
            json!({"location": "eastus", "properties": {"tenantId": DEFAULT_TENANT_ID, "sku": {"family": "A", "name": "standard"}}}),
        ),
        "microsoft.insights/components" => {
            ("2020-02-02", json!({"location": "eastus", "kind": "web", "properties": {"Application_Type": "web"}}))
        }
        // A workspace uses a registry only with its admin user enabled.
        "microsoft.containerregistry/registries" => (
            "2023-07-01",
            json!({"location": "eastus", "sku": {"name": "Basic"}, "properties": {"adminUserEnabled": true}}),
        ),
        "microsoft.managedidentity/userassignedidentities" => ("2023-01-31", json!({"location": "eastus"})),
        "microsoft.operationalinsights/workspaces" => ("2023-09-01", json!({"location": "eastus"})),
        _ => return None,
    })
}

/// Every ARM id of a top-level resource in `v` (strings and object keys).
fn ids_in(v: &Value, out: &mut BTreeSet<String>) {
    fn consider(s: &str, out: &mut BTreeSet<String>) {
        let segs: Vec<&str> = s.split('/').collect();
        if s.starts_with("/subscriptions/") && segs.len() == 9 && segs[5].eq_ignore_ascii_case("providers") {
            out.insert(s.to_string());
        }
    }
    match v {
        Value::String(s) => consider(s, out),
        Value::Array(a) => a.iter().for_each(|x| ids_in(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                consider(k, out);
                ids_in(x, out);
            }
        }
        _ => {}
    }
}

/// The request an example describes, mapped.
struct Request {
    method: String,
    path: String,
    body: Option<Value>,
}

fn request(t: &Target, m: &Mapper, row: &Row, ex: &Value, c: &Case) -> Request {
    let params = ex["parameters"].as_object().cloned().unwrap_or_default();
    let api = params.get("api-version").and_then(Value::as_str).expect("api-version").to_string();
    let mut path = String::new();
    for seg in row.path.split('/').skip(1) {
        path.push('/');
        if seg.starts_with('{') && seg.ends_with('}') {
            let name = &seg[1..seg.len() - 1];
            let value = match c.params.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => m.template(v),
                None => params
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{}: no parameter {name}", row.file))
                    .to_string(),
            };
            match name {
                "subscriptionId" => path.push_str(&t.subscription),
                "resourceGroupName" => path.push_str(&enc(&m.group)),
                "scope" => path.push_str(&m.string(&value)),
                _ => path.push_str(&enc(&value.replace(['{', '}'], ""))),
            }
        } else {
            path.push_str(seg);
        }
    }
    path.push_str(&format!("?api-version={api}"));
    if !c.query.is_empty() {
        path.push('&');
        path.push_str(c.query);
    }
    let body = params.values().find(|v| v.is_object()).map(|b| {
        let mut b = m.value(b, "");
        for (ptr, v) in c.body {
            if let Some(slot) = b.pointer_mut(ptr) {
                *slot = json!(m.template(v));
            }
        }
        for ptr in c.drop {
            let (parent, key) = ptr.rsplit_once('/').expect("a pointer");
            if let Some(o) = b.pointer_mut(parent).and_then(Value::as_object_mut) {
                o.remove(key);
            }
        }
        b
    });
    Request { method: row.method.clone(), path, body }
}

fn send(t: &Target, r: &Request) -> Resp {
    match &r.body {
        Some(b) => t.send_json(&r.method, &r.path, b),
        None if r.method == "POST" => t.send_json("POST", &r.path, &json!({})),
        None => t.request(&r.method, &r.path, &[], None),
    }
}

/// Creates what `body` refers to that does not exist yet.
fn create_referenced(t: &Target, body: &Value) -> Result<(), String> {
    let mut ids = BTreeSet::new();
    ids_in(body, &mut ids);
    for id in ids {
        let segs: Vec<&str> = id.split('/').collect();
        let Some((api, minimal)) = referenced(&format!("{}/{}", segs[6], segs[7])) else { continue };
        let path = format!("{id}?api-version={api}");
        if t.get(&path).status == 200 {
            continue;
        }
        let r = t.put(&path, &minimal);
        if !(200..300).contains(&r.status) {
            return Err(format!("creating the referenced {id}: {} {}", r.status, r.text()));
        }
    }
    Ok(())
}

/// Replays `file`'s request with its prerequisites; the answer of the example itself.
fn replay(t: &Target, m: &Mapper, file: &str, rows: &[Row]) -> Result<Resp, String> {
    let row = rows.iter().find(|r| r.file == file).ok_or_else(|| format!("{file} is not in MANIFEST.tsv"))?;
    let ex = example(file);
    let c = case(file);
    for ns in c.register {
        t.post(&format!("{}/providers/{ns}/register?api-version=2021-04-01", t.sub()), &json!({})).expect(200);
    }
    for s in c.setup {
        if *s == "@self" {
            let req = request(t, m, row, &ex, &c);
            let path = req.path.split('?').next().unwrap_or_default().to_string();
            let segs: Vec<&str> = path.split('/').collect();
            let (api, minimal) = referenced(&format!("{}/{}", segs[6], segs[7])).expect("a type with a minimal body");
            let r = t.put(&format!("{path}?api-version={api}"), &minimal);
            if !(200..300).contains(&r.status) {
                return Err(format!("setup {path}: {} {}", r.status, r.text()));
            }
            continue;
        }
        if *s == "@subscription" {
            let body = &ex["responses"]["200"]["body"];
            let item = body.get("value").and_then(|v| v.get(0)).unwrap_or(body);
            let tenants: Vec<&Value> =
                item["managedByTenants"].as_array().into_iter().flatten().map(|t| &t["tenantId"]).collect();
            let r = t.control(
                "PUT",
                &format!("subscriptions/{}", t.subscription),
                Some(&json!({"tags": item["tags"], "managedByTenants": tenants})),
            );
            if r.status != 200 {
                return Err(format!("setup subscription: {} {}", r.status, r.text()));
            }
            continue;
        }
        if *s == "@workspace" {
            let ws = ex["parameters"]["workspaceName"].as_str().expect("workspaceName");
            let p = format!(
                "{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{ws}?api-version=2024-10-01",
                t.sub(),
                enc(&m.group)
            );
            if t.get(&p).status != 200 {
                let r = t.put(&p, &json!({"location": "eastus"}));
                if r.status != 200 && r.status != 201 {
                    return Err(format!("setup workspace {ws}: {} {}", r.status, r.text()));
                }
            }
            continue;
        }
        let r = replay(t, m, s, rows)?;
        if !(200..300).contains(&r.status) {
            return Err(format!("setup {s}: {} {}", r.status, r.text()));
        }
    }
    let req = request(t, m, row, &ex, &c);
    if let Some(b) = &req.body {
        create_referenced(t, b)?;
    }
    Ok(send(t, &req))
}

/// Enums compared with their documented values (from the examples' OpenAPI definitions), by key.
const ENUMS: &[(&str, &[&str])] = &[
    (
        "provisioningState",
        &[
            "Succeeded",
            "Failed",
            "Canceled",
            "Creating",
            "Updating",
            "Deleting",
            "Accepted",
            "Running",
            "Unknown",
            "Ready",
            "ResolvingDNS",
            "Moving",
            "Deleted",
            "NotSpecified",
        ],
    ),
    ("registrationState", &["NotRegistered", "Registering", "Registered", "Unregistering"]),
    ("registrationPolicy", &["RegistrationRequired", "RegistrationFree"]),
    ("state", &["Enabled", "Warned", "PastDue", "Disabled", "Deleted"]),
    ("spendingLimit", &["On", "Off", "CurrentPeriodOff"]),
    ("principalType", &["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"]),
    ("createdByType", &["User", "Application", "ManagedIdentity", "Key"]),
    ("lastModifiedByType", &["User", "Application", "ManagedIdentity", "Key"]),
    ("publicNetworkAccess", &["Enabled", "Disabled", "SecuredByPerimeter"]),
    ("publicNetworkAccessForIngestion", &["Enabled", "Disabled", "SecuredByPerimeter"]),
    ("publicNetworkAccessForQuery", &["Enabled", "Disabled", "SecuredByPerimeter"]),
    ("actionsRequired", &["None"]),
    ("keySource", &["Microsoft.Storage", "Microsoft.Keyvault"]),
    ("keyType", &["Service", "Account"]),
    ("statusOfPrimary", &["available", "unavailable"]),
    ("statusOfSecondary", &["available", "unavailable"]),
    ("tier", &["Standard", "Premium", "Basic"]),
    ("minimumTlsVersion", &["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"]),
    ("zoneRedundancy", &["Enabled", "Disabled"]),
    ("networkRuleBypassOptions", &["AzureServices", "None"]),
    ("defaultAction", &["Allow", "Deny"]),
    ("IngestionMode", &["ApplicationInsights", "ApplicationInsightsWithDiagnosticSettings", "LogAnalytics"]),
    ("Application_Type", &["web", "other"]),
    ("Flow_Type", &["Bluefield"]),
    ("Request_Source", &["rest"]),
    ("environmentType", &["Curated", "UserCreated"]),
    ("mode", &["Incremental", "Complete"]),
    ("family", &["A"]),
];

fn enum_values(key: &str) -> Option<&'static [&'static str]> {
    ENUMS.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The type segments of an id (`Microsoft.Storage/storageAccounts`, child types after it).
fn id_types(id: &str) -> Option<Vec<String>> {
    let segs: Vec<&str> = id.trim_start_matches('/').split('/').collect();
    let p = segs.iter().position(|s| s.eq_ignore_ascii_case("providers"))?;
    if segs.len() < p + 3 {
        // A provider's own id (`/subscriptions/{s}/providers/{namespace}`): any namespace.
        return Some(Vec::new());
    }
    let mut out = vec![segs.get(p + 1)?.to_ascii_lowercase()];
    let mut i = p + 2;
    while i < segs.len() {
        out.push(segs[i].to_ascii_lowercase());
        i += 2;
    }
    Some(out)
}

/// How ARM writes a resource id: `resourceGroups` and `providers` in that casing, a GUID
/// subscription, and names in every name position.
fn canonical_id(id: &str) -> bool {
    let segs: Vec<&str> = id.split('/').collect();
    if segs.len() < 3 || !segs[0].is_empty() || segs[1] != "subscriptions" || !is_guid(segs[2]) {
        return false;
    }
    let mut i = 3;
    if segs.len() > 3 && segs[3].eq_ignore_ascii_case("resourceGroups") {
        if segs[3] != "resourceGroups" || segs.len() < 5 || segs[4].is_empty() {
            return false;
        }
        i = 5;
    }
    if i == segs.len() {
        return true;
    }
    segs[i] == "providers" && segs.len() >= i + 2 && segs[i + 1..].iter().all(|s| !s.is_empty())
}

fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[..4].iter().all(u8::is_ascii_digit)
}

struct Compare<'a> {
    m: &'a Mapper,
    diffs: Vec<(String, String)>,
}

impl Compare<'_> {
    fn diff(&mut self, path: &str, what: String) {
        self.diffs.push((if path.is_empty() { "/".into() } else { path.to_string() }, what));
    }

    fn value(&mut self, path: &str, key: &str, exp: &Value, act: &Value) {
        match (exp, act) {
            (Value::Null, _) => {}
            // Tags are data (the example's names are its own): only their values' type counts.
            (Value::Object(_), Value::Object(a)) if key == "tags" => {
                for (k, v) in a.iter().filter(|(_, v)| !v.is_string()) {
                    self.diff(&format!("{path}/{k}"), format!("a tag value that is {} ({v})", type_name(v)));
                }
            }
            (Value::Object(e), Value::Object(a)) => self.object(path, e, a),
            (Value::Array(e), Value::Array(a)) => self.array(path, key, e, a),
            (Value::String(e), Value::String(a)) => self.string(path, key, e, a),
            (Value::Number(_), Value::Number(_)) | (Value::Bool(_), Value::Bool(_)) => {}
            (e, a) => self.diff(path, format!("{} where the example has {} ({e})", type_name(a), type_name(e))),
        }
    }

    fn object(&mut self, path: &str, e: &Map<String, Value>, a: &Map<String, Value>) {
        for (k, ev) in e {
            // A key that is an id (`userAssignedIdentities`) is the mapped id, matched as ARM does.
            let (shown, av) = if k.starts_with('/') {
                let mapped = self.m.string(k);
                ("{id}".to_string(), a.iter().find(|(ak, _)| ak.eq_ignore_ascii_case(&mapped)).map(|(_, v)| v))
            } else {
                (k.replace('~', "~0").replace('/', "~1"), a.get(k))
            };
            let p = format!("{path}/{shown}");
            match av {
                Some(av) => self.value(&p, k, ev, av),
                None if path.is_empty() && k == "nextLink" => {}
                None => self.diff(&p, "missing".into()),
            }
        }
    }

    fn array(&mut self, path: &str, key: &str, e: &[Value], a: &[Value]) {
        let Some(first) = e.first() else { return };
        if a.is_empty() {
            if path == "/value" {
                self.diff(path, "empty where the example lists items".into());
            }
            return;
        }
        // Objects: every key any of the example's items has (the first value seen for it).
        let model = if e.iter().all(Value::is_object) {
            let mut m = Map::new();
            for item in e {
                for (k, v) in item.as_object().into_iter().flatten() {
                    if !m.contains_key(k) || m[k].is_null() {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(m)
        } else {
            first.clone()
        };
        let p = format!("{path}/*");
        for item in a {
            self.value(&p, key, &model, item);
        }
    }

    fn string(&mut self, path: &str, key: &str, e: &str, a: &str) {
        if let Some(values) = enum_values(key) {
            if values.contains(&e) && !values.contains(&a) {
                self.diff(path, format!("'{a}' is not one of the documented values {values:?}"));
            }
        }
        if e.starts_with("/subscriptions/") {
            if !canonical_id(a) {
                self.diff(path, format!("'{a}' is not an ARM id as ARM writes it"));
            } else if id_types(e) != id_types(a) {
                self.diff(path, format!("'{a}' names other types than the example's '{e}'"));
            }
        } else if is_guid(e) && !is_guid(a) {
            self.diff(path, format!("'{a}' is not a GUID"));
        } else if looks_like_time(e) && chrono::DateTime::parse_from_rfc3339(a).is_err() {
            self.diff(path, format!("'{a}' is not an ISO 8601 time"));
        }
    }
}

/// The differences between the answer to `file` and the example (allowed ones included).
fn check(file: &str, rows: &[Row]) -> Vec<(String, String)> {
    let t = Target::in_process();
    let m = Mapper { sub: t.subscription.clone(), group: "example-rg".into() };
    let row = rows.iter().find(|r| r.file == file).expect("row");
    if row.operation != "ResourceGroups_CreateOrUpdate" {
        t.create_group(&m.group, "eastus");
    }
    let resp = match replay(&t, &m, file, rows) {
        Ok(r) => r,
        Err(e) => return vec![("status".into(), e)],
    };
    let ex = example(file);
    let responses = ex["responses"].as_object().cloned().unwrap_or_default();
    let mut c = Compare { m: &m, diffs: Vec::new() };
    let expected = match responses.get(&resp.status.to_string()) {
        Some(e) => e,
        None => {
            let statuses: Vec<&String> = responses.keys().collect();
            c.diff("status", format!("{} where the example has {statuses:?}: {}", resp.status, resp.text()));
            // A success with another status is still compared with the example's success body.
            match responses.iter().find(|(k, v)| k.starts_with('2') && v.get("body").is_some()) {
                Some((_, e)) if (200..300).contains(&resp.status) => e,
                _ => return c.diffs,
            }
        }
    };
    if let Some(body) = expected.get("body") {
        if resp.body.is_empty() {
            c.diff("", "no body where the example has one".into());
        } else {
            match serde_json::from_slice::<Value>(&resp.body) {
                Ok(actual) => c.value("", "", body, &actual),
                Err(e) => c.diff("", format!("not JSON: {e}")),
            }
        }
    }
    // Keys the operation's OpenAPI definition does not define (`defined-properties.json`).
    if (200..300).contains(&resp.status) && !resp.body.is_empty() {
        if let Ok(actual) = serde_json::from_slice::<Value>(&resp.body) {
            undefined_keys(&row.emulator_operation, &actual, &mut c);
        }
    }
    // A list's items repeat the same difference: report it once.
    let mut seen = BTreeSet::new();
    c.diffs.retain(|d| seen.insert(d.clone()));
    c.diffs
}

/// Reports every key of `actual` (each item, for a list) that the definitions vendored in
/// `fixtures/official/defined-properties.json` for `operation` do not define.
fn undefined_keys(operation: &str, actual: &Value, c: &mut Compare) {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(official_dir().join("defined-properties.json")).expect("defined-properties.json"),
    )
    .expect("defined-properties.json is JSON");
    let items: Vec<(String, &Value)> = match actual.get("value").and_then(Value::as_array) {
        Some(list) => list.iter().map(|v| ("/value/*".to_string(), v)).collect(),
        None => vec![(String::new(), actual)],
    };
    for rule in doc["objects"].as_array().into_iter().flatten() {
        if !rule["operations"].as_array().into_iter().flatten().any(|o| o == operation) {
            continue;
        }
        let path = rule["path"].as_str().unwrap_or_default();
        let defined: BTreeSet<&str> = rule["keys"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        for (prefix, item) in &items {
            for key in item.pointer(path).and_then(Value::as_object).into_iter().flat_map(|o| o.keys()) {
                if !defined.contains(key.as_str()) {
                    let what = format!("not defined by the schema's {}", rule["definition"].as_str().unwrap_or("?"));
                    c.diff(&format!("{prefix}{path}/{key}"), what);
                }
            }
        }
    }
}

#[test]
fn official_examples_match_the_emulator() {
    let rows = manifest();
    let allow = allow_list();
    let mut used: Vec<Vec<bool>> = allow.iter().map(|a| vec![false; a.paths.len()]).collect();
    let mut failures = Vec::new();
    for row in &rows {
        for (path, what) in check(&row.file, &rows) {
            match allow.iter().enumerate().find_map(|(i, a)| a.matches(&row.file, &path).map(|j| (i, j))) {
                Some((i, j)) => used[i][j] = true,
                None => failures.push(format!("{} ({}) {path}: {what}", row.file, row.operation)),
            }
        }
    }
    // Every path of every entry must still explain something.
    for (a, used) in allow.iter().zip(&used) {
        for (p, used) in a.paths.iter().zip(used) {
            if !used {
                failures.push(format!("allow-list entry matches nothing (remove it): {} {p}", a.example));
            }
        }
    }
    assert!(failures.is_empty(), "{} differences from the official examples:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_manifest_row_has_its_example_and_every_example_a_row() {
    let rows = manifest();
    let listed: BTreeSet<String> = rows.iter().map(|r| r.file.clone()).collect();
    assert_eq!(listed.len(), rows.len(), "a file is listed twice in MANIFEST.tsv");
    let mut found = BTreeSet::new();
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            // specs/ holds the OpenAPI files the schema validator reads, not examples.
            if p.is_dir() && p.file_name().is_some_and(|n| n != "specs") {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "allow-list.json" && n != "defined-properties.json")
            {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    walk(&official_dir(), &official_dir(), &mut found);
    assert_eq!(found, listed, "fixtures/official/ and MANIFEST.tsv disagree");
    let routes = armemu::all_routes();
    for r in &rows {
        let ex = example(&r.file);
        assert!(ex["responses"].is_object(), "{}: no responses", r.file);
        assert!(["GET", "PUT", "PATCH", "POST", "DELETE"].contains(&r.method.as_str()), "{}: method", r.file);
        // The column COVERAGE.md reads names a route the emulator has, with the example's method.
        assert!(
            routes.iter().any(|x| x.operation == r.emulator_operation && x.method.as_str() == r.method),
            "{}: no {} route with operation {}",
            r.file,
            r.method,
            r.emulator_operation
        );
    }
}

/// The comparison itself must catch what it claims to: a missing key, a wrong type, an
/// undocumented enum value, an id not written as ARM writes it, a non-GUID principal id.
#[test]
fn the_comparison_catches_each_kind_of_difference() {
    let m = Mapper { sub: "00000000-0000-0000-0000-000000000001".into(), group: "g".into() };
    let exp = json!({
        "id": "/subscriptions/subid/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x",
        "properties": {"principalId": "25cc773c-7f05-40fc-a104-32d2300754ad", "provisioningState": "Succeeded", "n": 1,
                       "items": [{"a": 1}, {"b": "x"}]},
        "nextLink": "x",
    });
    let diffs = |act: Value| {
        let mut c = Compare { m: &m, diffs: Vec::new() };
        c.value("", "", &exp, &act);
        c.diffs.into_iter().map(|(p, _)| p).collect::<Vec<_>>()
    };
    let good = json!({
        "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x",
        "properties": {"principalId": "00000000-0000-0000-0000-000000000002", "provisioningState": "Creating", "n": 2,
                       "items": [{"a": 3, "b": "y"}]},
    });
    assert_eq!(diffs(good.clone()), Vec::<String>::new());
    let mut v = good.clone();
    v["id"] = json!("/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x");
    assert_eq!(diffs(v), ["/id"]);
    let mut v = good.clone();
    v["id"] = json!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/x");
    assert_eq!(diffs(v), ["/id"]);
    let mut v = good.clone();
    v["properties"]["principalId"] = json!("nope");
    v["properties"]["provisioningState"] = json!("Done");
    v["properties"]["n"] = json!("2");
    assert_eq!(diffs(v), ["/properties/principalId", "/properties/provisioningState", "/properties/n"]);
    let mut v = good.clone();
    v["properties"]["items"] = json!([{"a": 3}]);
    assert_eq!(diffs(v), ["/properties/items/*/b"]);
    // A key the vendored definition does not define (here WorkspaceProperties and
    // NotebookResourceInfo), in a single answer and in a list's items.
    let mut c = Compare { m: &m, diffs: Vec::new() };
    let ws =
        json!({"id": "x", "properties": {"friendlyName": "f", "bogus": 1, "notebookInfo": {"fqdn": "h", "extra": 2}}});
    undefined_keys("Workspaces_Get", &ws, &mut c);
    undefined_keys("Workspaces_ListBySubscription", &json!({"value": [ws.clone()]}), &mut c);
    undefined_keys("Resources_GetById", &ws, &mut c);
    let paths: Vec<String> = c.diffs.into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "/properties/bogus",
            "/properties/notebookInfo/extra",
            "/value/*/properties/bogus",
            "/value/*/properties/notebookInfo/extra"
        ]
    );
    // Tag names are data; a tag value must be a string.
    let mut c = Compare { m: &m, diffs: Vec::new() };
    c.value("", "", &json!({"tags": {"k": "v"}}), &json!({"tags": {"other": "x", "n": 1}}));
    assert_eq!(c.diffs.into_iter().map(|(p, _)| p).collect::<Vec<_>>(), ["/tags/n"]);
    let mut v = good;
    v["properties"].as_object_mut().unwrap().remove("principalId");
    v["properties"]["n"] = Value::Null;
    assert_eq!(diffs(v), ["/properties/principalId", "/properties/n"]);
}
