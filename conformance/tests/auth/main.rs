//! Strict authentication and enforced RBAC (issue 12, items 1 and 2): `--auth strict` accepts
//! only the emulator's own tokens, unexpired by the emulator clock, for ARM, from the
//! subscription's tenant, each refusal being ARM's 401 with its `WWW-Authenticate` challenge;
//! every ARM call is then authorized against role assignments (built-in and custom roles,
//! inherited downwards), a denial being ARM's `403 AuthorizationFailed`. Loose mode (the
//! default) is unchanged.
//!
//! In-process emulators with a frozen clock; time moves only through `/_emulator/clock`.

use armemu::config::{
    AuthMode, ServicePrincipal, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_OBJECT_ID, DEFAULT_SUBSCRIPTION_ID,
    DEFAULT_TENANT_ID,
};
use armemu::model::{Subscription, Tenant};
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use conformance::*;
use serde_json::{json, Value};

const AUTH_API: &str = "2022-04-01";
const STORAGE_API: &str = "2023-05-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/// A second service principal in the default tenant, with no role at start.
const SP2_CLIENT: &str = "5e2b8c1d-0000-4000-8000-0000000000c2";
const SP2_SECRET: &str = "second-secret";
const SP2_OID: &str = "5e2b8c1d-0000-4000-8000-0000000000a2";
/// Another tenant, its subscription and its first (owning) principal.
const TENANT2: &str = "7a000000-0000-4000-8000-000000000002";
const SUB2: &str = "7b000000-0000-4000-8000-000000000002";
const SP3_CLIENT: &str = "7c000000-0000-4000-8000-0000000000c3";
const SP3_SECRET: &str = "third-secret";
const SP3_OID: &str = "7c000000-0000-4000-8000-0000000000a3";

/// The frozen test clock's start (2026-01-01T00:00:00Z).
const T0: i64 = 1_767_225_600;

fn strict() -> Target {
    Target::with_config(|c| {
        c.auth = AuthMode::Strict;
        c.tenants.push(Tenant {
            tenant_id: TENANT2.into(),
            display_name: "Second".into(),
            default_domain: "second.onmicrosoft.com".into(),
        });
        c.subscriptions.push(Subscription {
            subscription_id: SUB2.into(),
            tenant_id: TENANT2.into(),
            display_name: "Second".into(),
            state: Default::default(),
            tags: Default::default(),
            managed_by_tenants: Default::default(),
        });
        for (client, secret, oid, tenant) in
            [(SP2_CLIENT, SP2_SECRET, SP2_OID, DEFAULT_TENANT_ID), (SP3_CLIENT, SP3_SECRET, SP3_OID, TENANT2)]
        {
            c.service_principals.push(ServicePrincipal {
                client_id: client.into(),
                client_secret: secret.into(),
                object_id: oid.into(),
                display_name: client.into(),
                tenant_id: tenant.into(),
            });
        }
    })
}

/// A client-credentials token from the emulator's token endpoint.
fn token(t: &Target, tenant: &str, client: &str, secret: &str, scope: &str) -> String {
    let form =
        [("grant_type", "client_credentials"), ("client_id", client), ("client_secret", secret), ("scope", scope)];
    let r = t.anonymous().post_form(&format!("/{tenant}/oauth2/v2.0/token"), &[], &form).expect(200).json();
    r["access_token"].as_str().unwrap().to_string()
}

const ARM: &str = "https://management.azure.com/.default";

/// The owner (the built-in principal) and the second principal as ARM clients.
fn clients(t: &Target) -> (Http, Http) {
    let owner = token(t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ARM);
    let second = token(t, DEFAULT_TENANT_ID, SP2_CLIENT, SP2_SECRET, ARM);
    (Http::plain(t.base(), Some(&owner)), Http::plain(t.base(), Some(&second)))
}

fn group(t: &Target, name: &str) -> String {
    format!("/subscriptions/{}/resourceGroups/{name}", t.subscription)
}

fn assignment(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version={AUTH_API}")
}

#[track_caller]
fn assign(http: &Http, scope: &str, name: &str, role: &str, principal: &str) -> Resp {
    let role_id =
        format!("/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/{role}");
    http.put(
        &assignment(scope, name),
        &json!({"properties": {"roleDefinitionId": role_id, "principalId": principal, "principalType": "ServicePrincipal"}}),
    )
}

fn denied(client: &str, oid: &str, action: &str, scope: &str) -> String {
    format!("The client '{client}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.")
}

#[track_caller]
fn challenge(r: &Resp) -> String {
    r.header("www-authenticate").unwrap_or_else(|| panic!("no WWW-Authenticate: {r:?}")).to_string()
}

const GA1: &str = "0a000000-0000-4000-8000-0000000000a1";
const GA2: &str = "0a000000-0000-4000-8000-0000000000a2";

// ---- authentication ----

#[test]
fn a_missing_header_is_refused_with_the_tenants_authority() {
    let t = strict();
    let r = t.anonymous().get(&av(&t.sub()));
    check_error(&r, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
    assert_eq!(
        challenge(&r),
        format!("Bearer authorization_uri=\"{}/{DEFAULT_TENANT_ID}\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"", t.base())
    );
}

#[test]
fn an_opaque_or_forged_token_is_invalid() {
    let t = strict();
    // The suites' default token, "test", is not a JWT.
    let r = t.get(&av(&t.sub()));
    check_error(&r, 401, "InvalidAuthenticationToken", "The access token is invalid.");
    assert_eq!(
        challenge(&r),
        format!("Bearer authorization_uri=\"{}/{DEFAULT_TENANT_ID}\", error=\"invalid_token\", error_description=\"The access token is invalid.\"", t.base())
    );
    // A real token whose claims were changed (another object id) no longer verifies.
    let real = token(&t, DEFAULT_TENANT_ID, SP2_CLIENT, SP2_SECRET, ARM);
    let parts: Vec<&str> = real.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["oid"] = json!(DEFAULT_OBJECT_ID);
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    let r = Http::plain(t.base(), Some(&forged)).get(&av(&t.sub()));
    check_error(&r, 401, "InvalidAuthenticationToken", "The access token is invalid.");
    // An unsigned token (`alg: none`) too.
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    check_error(
        &Http::plain(t.base(), Some(&none)).get(&av(&t.sub())),
        401,
        "InvalidAuthenticationToken",
        "The access token is invalid.",
    );
}

#[test]
fn a_token_expires_by_the_emulator_clock_with_a_claims_challenge() {
    let t = strict();
    let (owner, _) = clients(&t);
    owner.get(&av(&t.sub())).expect(200);
    // Still valid one second before `exp` (issued at T0, valid 3599 s).
    t.advance(3598);
    owner.get(&av(&t.sub())).expect(200);
    t.advance(2);
    let r = owner.get(&av(&t.sub()));
    check_error(
        &r,
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time '1/1/2026 12:59:59 AM' is earlier than current UTC time '1/1/2026 1:00:00 AM'.",
    );
    // The claims challenge ARM's continuous access evaluation sends, which makes azure-core
    // fetch a new token and retry.
    let claims =
        URL_SAFE.encode(format!(r#"{{"access_token":{{"nbf":{{"essential":true,"value":"{}"}}}}}}"#, T0 + 3600));
    assert_eq!(
        challenge(&r),
        format!("Bearer authorization_uri=\"{}/{DEFAULT_TENANT_ID}\", error=\"insufficient_claims\", error_description=\"The access token expiry UTC time '1/1/2026 12:59:59 AM' is earlier than current UTC time '1/1/2026 1:00:00 AM'.\", claims=\"{claims}\"", t.base())
    );
    // A token fetched now works again.
    let fresh = token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ARM);
    Http::plain(t.base(), Some(&fresh)).get(&av(&t.sub())).expect(200);
}

#[test]
fn a_token_for_another_audience_is_refused_and_arms_and_the_emulators_are_accepted() {
    let t = strict();
    let graph =
        token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "https://graph.microsoft.com/.default");
    let r = Http::plain(t.base(), Some(&graph)).get(&av(&t.sub()));
    let e = t.emu();
    check_error(
        &r,
        401,
        "InvalidAuthenticationTokenAudience",
        &format!("The access token has been obtained for wrong audience or resource 'https://graph.microsoft.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com','{0}/','{0}','{1}/','{1}'.", e.https, e.http),
    );
    assert!(challenge(&r).contains("error=\"invalid_token\""), "{r:?}");
    // What az (`…core.windows.net//.default`), the Python SDKs and `{endpoint}/.default` ask for.
    for scope in ["https://management.core.windows.net//.default", ARM, &format!("{}/.default", e.https)] {
        let tok = token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, scope);
        Http::plain(t.base(), Some(&tok)).get(&av(&t.sub())).expect(200);
    }
}

#[test]
fn a_token_from_another_tenant_is_refused_for_this_tenants_subscription() {
    let t = strict();
    let other = Http::plain(t.base(), Some(&token(&t, TENANT2, SP3_CLIENT, SP3_SECRET, ARM)));
    let b = t.base();
    let r = other.get(&av(&t.sub()));
    check_error(
        &r,
        401,
        "InvalidAuthenticationTokenTenant",
        &format!("The access token is from the wrong issuer '{b}/{TENANT2}/'. It must match the tenant '{b}/{DEFAULT_TENANT_ID}/' associated with this subscription. Please use the authority (URL) '{b}/{DEFAULT_TENANT_ID}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later."),
    );
    assert!(challenge(&r)
        .starts_with(&format!("Bearer authorization_uri=\"{b}/{DEFAULT_TENANT_ID}\", error=\"invalid_token\"")));
    // It is listed only its own tenant's subscription, which it owns (its tenant's first principal).
    let listed = other.get(&av("/subscriptions")).expect(200).json();
    assert_eq!(listed["value"].as_array().map(|v| v.len()), Some(1), "{listed}");
    assert_eq!(listed["value"][0]["subscriptionId"], SUB2);
    other.get(&av(&format!("/subscriptions/{SUB2}"))).expect(200);
    other
        .put(&av(&format!("/subscriptions/{SUB2}/resourcegroups/mine")), &json!({"location": "westeurope"}))
        .expect(201);
}

// ---- authorization ----

#[test]
fn reader_reads_and_is_refused_a_write_until_contributor_is_assigned_and_again_after_removal() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    // No role yet: even a read is refused.
    check_error(
        &second.get(&av(&g)),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.Resources/subscriptions/resourceGroups/read", &g),
    );
    // Nor is the subscription visible: not listed, not readable.
    assert_eq!(second.get(&av("/subscriptions")).expect(200).json()["value"], json!([]));
    check_error(
        &second.get(&av(&t.sub())),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.Resources/subscriptions/read", &t.sub()),
    );
    assign(&owner, &g, GA1, READER, SP2_OID).expect(201);
    second.get(&av(&g)).expect(200);
    // A role anywhere in the subscription makes it visible, as ARM lists and shows it.
    let listed = second.get(&av("/subscriptions")).expect(200).json();
    assert_eq!(listed["value"].as_array().map(|v| v.len()), Some(1), "{listed}");
    assert_eq!(listed["value"][0]["subscriptionId"], t.subscription);
    second.get(&av(&t.sub())).expect(200);
    let write = || second.put(&av(&g), &json!({"location": "westeurope", "tags": {"by": "second"}}));
    check_error(
        &write(),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.Resources/subscriptions/resourceGroups/write", &g),
    );
    assign(&owner, &g, GA2, CONTRIBUTOR, SP2_OID).expect(201);
    write().expect(200);
    owner.delete(&assignment(&g, GA2)).expect(200);
    write().expect(403);
    // The subscription above the group was never granted: another group is out of reach.
    let other = group(&t, "rg2");
    check_error(
        &second.put(&av(&other), &json!({"location": "westeurope"})),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.Resources/subscriptions/resourceGroups/write", &other),
    );
}

#[test]
fn a_group_assignment_is_inherited_by_its_resources_and_not_by_other_groups() {
    let t = strict();
    let (owner, second) = clients(&t);
    let (g1, g2) = (group(&t, "rg1"), group(&t, "rg2"));
    owner.put(&av(&g1), &json!({"location": "westeurope"})).expect(201);
    owner.put(&av(&g2), &json!({"location": "westeurope"})).expect(201);
    assign(&owner, &g1, GA1, CONTRIBUTOR, SP2_OID).expect(201);
    let sa =
        |g: &str, n: &str| format!("{g}/providers/Microsoft.Storage/storageAccounts/{n}?api-version={STORAGE_API}");
    let body = json!({"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"});
    // Storage answers 200 to a creation (its API documents no 201).
    second.put(&sa(&g1, "stsecond1"), &body).expect(200);
    second.get(&sa(&g1, "stsecond1")).expect(200);
    // The generic by-id route derives the action from the type.
    check_error(
        &second.put(&sa(&g2, "stsecond2"), &body),
        403,
        "AuthorizationFailed",
        &denied(
            SP2_CLIENT,
            SP2_OID,
            "Microsoft.Storage/storageAccounts/write",
            &format!("{g2}/providers/Microsoft.Storage/storageAccounts/stsecond2"),
        ),
    );
    // A resource-scope assignment does not reach its group.
    let res = format!("{g2}/providers/Microsoft.Storage/storageAccounts/stowner");
    owner.put(&sa(&g2, "stowner"), &body).expect(200);
    assign(&owner, &res, GA2, READER, SP2_OID).expect(201);
    second.get(&sa(&g2, "stowner")).expect(200);
    second.get(&av(&g2)).expect(403);
}

#[test]
fn a_workspace_write_and_its_keys_need_their_own_actions() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    let ws = format!("{g}/providers/Microsoft.MachineLearningServices/workspaces/ws1");
    let ml = |p: &str| format!("{p}?api-version=2024-04-01");
    let body = json!({"location": "westeurope", "properties": {}});
    assign(&owner, &g, GA1, READER, SP2_OID).expect(201);
    check_error(
        &second.put(&ml(&ws), &body),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.MachineLearningServices/workspaces/write", &ws),
    );
    owner.put(&ml(&ws), &body).expect(200);
    second.get(&ml(&ws)).expect(200);
    // `*/read` does not cover an action; the scope is the workspace, not `…/listKeys`.
    let keys = ml(&format!("{ws}/listKeys"));
    let no_keys = denied(SP2_CLIENT, SP2_OID, "Microsoft.MachineLearningServices/workspaces/listKeys/action", &ws);
    check_error(&second.post(&keys, &json!({})), 403, "AuthorizationFailed", &no_keys);
    // AzureML Data Scientist at the workspace: workspace actions, but listKeys is a notAction.
    assign(&owner, &ws, GA2, "f6c7c914-8db3-469d-8ca1-694a8f32e121", SP2_OID).expect(201);
    check_error(&second.post(&keys, &json!({})), 403, "AuthorizationFailed", &no_keys);
    owner.post(&keys, &json!({})).expect(200);
}

#[test]
fn the_ml_data_plane_is_authorized_with_the_environment_actions() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    let ws = format!("{g}/providers/Microsoft.MachineLearningServices/workspaces/ws1");
    owner
        .put(&format!("{ws}?api-version=2024-04-01"), &json!({"location": "westeurope", "properties": {}}))
        .expect(200);
    assign(&owner, &g, GA1, READER, SP2_OID).expect(201);
    let envs = format!("/environment/v1.0{ws}/environments");
    second.get(&format!("{envs}/AzureML-Minimal")).expect(200);
    let body = json!({"Name": "mine", "python": {"userManagedDependencies": true, "interpreterPath": "python"},
        "Docker": {"baseImage": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1"}});
    let r = second.put(&format!("{envs}/mine"), &body);
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "AuthorizationFailed", "{r:?}");
    assert_eq!(
        r.json()["error"]["message"],
        denied(
            SP2_CLIENT,
            SP2_OID,
            "Microsoft.MachineLearningServices/workspaces/environments/write",
            &format!("{ws}/environments/mine")
        )
    );
    owner.put(&format!("{envs}/mine"), &body).expect(200);
}

#[test]
fn contributors_not_actions_exclude_role_assignments() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    assign(&owner, &g, GA1, CONTRIBUTOR, SP2_OID).expect(201);
    // Contributor reads assignments (`*`) but `Microsoft.Authorization/*/Write` is a notAction.
    second.get(&format!("{g}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}")).expect(200);
    check_error(
        &assign(&second, &g, GA2, CONTRIBUTOR, SP2_OID),
        403,
        "AuthorizationFailed",
        &denied(
            SP2_CLIENT,
            SP2_OID,
            "Microsoft.Authorization/roleAssignments/write",
            &format!("{g}/providers/Microsoft.Authorization/roleAssignments/{GA2}"),
        ),
    );
}

#[test]
fn a_custom_role_is_created_assigned_within_its_scopes_and_enforced() {
    let t = strict();
    let (owner, second) = clients(&t);
    let (g1, g2) = (group(&t, "rg1"), group(&t, "rg2"));
    owner.put(&av(&g1), &json!({"location": "westeurope"})).expect(201);
    owner.put(&av(&g2), &json!({"location": "westeurope"})).expect(201);
    let role = "0b000000-0000-4000-8000-0000000000d1";
    let def = format!("{}/providers/Microsoft.Authorization/roleDefinitions/{role}?api-version={AUTH_API}", t.sub());
    let created = owner
        .put(
            &def,
            &json!({"properties": {
                "roleName": "Group tagger",
                "description": "Reads groups and writes them, but not storage.",
                "permissions": [{"actions": ["Microsoft.Resources/subscriptions/resourceGroups/*"], "notActions": ["*/delete"]}],
                "assignableScopes": [g1],
            }}),
        )
        .expect(201)
        .json();
    assert_eq!(created["properties"]["type"], "CustomRole");
    assert_eq!(created["properties"]["permissions"][0]["notActions"], json!(["*/delete"]));
    // Listed next to the built-in roles, filterable by name.
    let listed = owner
        .get(&format!("{}/providers/Microsoft.Authorization/roleDefinitions?api-version={AUTH_API}&$filter=roleName%20eq%20'Group%20tagger'", t.sub()))
        .expect(200)
        .json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    // Not assignable outside its assignable scopes.
    let r = assign(&owner, &g2, GA1, role, SP2_OID);
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (400, Some("InvalidRoleAssignmentScope")), "{r:?}");
    assign(&owner, &g1, GA1, role, SP2_OID).expect(201);
    second.put(&av(&g1), &json!({"location": "westeurope", "tags": {"k": "v"}})).expect(200);
    check_error(
        &second.delete(&av(&g1)),
        403,
        "AuthorizationFailed",
        &denied(SP2_CLIENT, SP2_OID, "Microsoft.Resources/subscriptions/resourceGroups/delete", &g1),
    );
    // Deleting it is refused while it is assigned.
    check_error(
        &owner.delete(&def),
        409,
        "RoleDefinitionHasAssignments",
        "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).",
    );
    owner.delete(&assignment(&g1, GA1)).expect(200);
    owner.delete(&def).expect(200);
    owner.delete(&def).expect(204);
    // A built-in role cannot be overwritten.
    let builtin =
        format!("{}/providers/Microsoft.Authorization/roleDefinitions/{READER}?api-version={AUTH_API}", t.sub());
    let r = owner
        .put(&builtin, &json!({"properties": {"roleName": "x", "permissions": [{}], "assignableScopes": [t.sub()]}}));
    assert_eq!(r.status, 400, "{r:?}");
}

#[test]
fn the_permissions_endpoint_answers_the_callers_effective_permissions() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    let perms = |h: &Http| {
        h.get(&format!("{g}/providers/Microsoft.Authorization/permissions?api-version={AUTH_API}")).expect(200).json()
    };
    assert_eq!(perms(&second), json!({"value": []}));
    assign(&owner, &g, GA1, READER, SP2_OID).expect(201);
    assert_eq!(
        perms(&second),
        json!({"value": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}]})
    );
    // The owner's Owner assignment at the subscription reaches the group.
    assert_eq!(perms(&owner)["value"][0]["actions"], json!(["*"]));
}

#[test]
fn a_deployment_cannot_create_what_its_caller_may_not_write() {
    let t = strict();
    let (owner, second) = clients(&t);
    let g = group(&t, "rg1");
    owner.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    let role = "0b000000-0000-4000-8000-0000000000d2";
    let def = format!("{}/providers/Microsoft.Authorization/roleDefinitions/{role}?api-version={AUTH_API}", t.sub());
    owner
        .put(
            &def,
            &json!({"properties": {
                "roleName": "Deployer only",
                "permissions": [{"actions": ["Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read"]}],
                "assignableScopes": [t.sub()],
            }}),
        )
        .expect(201);
    assign(&owner, &g, GA1, role, SP2_OID).expect(201);
    let dep = format!("{g}/providers/Microsoft.Resources/deployments/d1?api-version={API}");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": STORAGE_API, "name": "stdeny",
            "location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}],
    });
    let r = second.put(&dep, &json!({"properties": {"mode": "Incremental", "template": template}}));
    assert!(r.status < 300, "{r:?}");
    let d = second.get(&dep).expect(200).json();
    assert_eq!(d["properties"]["provisioningState"], "Failed", "{d}");
    let detail = &d["properties"]["error"]["details"][0];
    assert_eq!(detail["code"], "AuthorizationFailed", "{d}");
    assert_eq!(
        detail["message"],
        denied(
            SP2_CLIENT,
            SP2_OID,
            "Microsoft.Storage/storageAccounts/write",
            &format!("{g}/providers/Microsoft.Storage/storageAccounts/stdeny")
        )
    );
    owner.get(&format!("{g}/providers/Microsoft.Storage/storageAccounts/stdeny?api-version={STORAGE_API}")).expect(404);
    // The owner's deployment of the same template creates it.
    let dep2 = format!("{g}/providers/Microsoft.Resources/deployments/d2?api-version={API}");
    owner.put(&dep2, &json!({"properties": {"mode": "Incremental", "template": template}}));
    owner.get(&format!("{g}/providers/Microsoft.Storage/storageAccounts/stdeny?api-version={STORAGE_API}")).expect(200);
}

#[test]
fn a_subscription_created_on_demand_is_owned_by_the_principal_it_names() {
    let t = strict();
    let (_, second) = clients(&t);
    let sub = "7d000000-0000-4000-8000-000000000004";
    t.control("PUT", &format!("subscriptions/{sub}"), Some(&json!({"owner": SP2_OID}))).expect(201);
    second
        .put(&av(&format!("/subscriptions/{sub}/resourcegroups/mine")), &json!({"location": "westeurope"}))
        .expect(201);
    // After a reset the subscription's owner is its tenant's first principal again.
    t.control("POST", &format!("reset?subscription={sub}"), None).expect(204);
    second.get(&av(&format!("/subscriptions/{sub}"))).expect(403);
}

// ---- loose mode ----

#[test]
fn loose_mode_accepts_any_token_and_enforces_nothing() {
    let t = Target::in_process();
    let g = t.rg("rg1");
    // "test" is not a JWT; an expired real token works too.
    t.put(&av(&g), &json!({"location": "westeurope"})).expect(201);
    let old =
        token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "https://graph.microsoft.com/.default");
    t.advance(7200);
    Http::plain(t.base(), Some(&old)).put(&av(&g), &json!({"location": "westeurope", "tags": {"a": "b"}})).expect(200);
    // No owner assignment was made, and a Reader assignment does not stop a write.
    let listed = t
        .get(&format!("{}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}", t.sub()))
        .expect(200)
        .json();
    assert_eq!(listed["value"], json!([]));
    let gid = t.rg_id("rg1");
    let role_id =
        format!("/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/{READER}");
    let who = "00000000-0000-0000-0000-000000000000";
    t.put(&assignment(&gid, GA1), &json!({"properties": {"roleDefinitionId": role_id, "principalId": who}}))
        .expect(201);
    t.delete(&av(&g)).expect(200);
}
mod graph;
mod users;
