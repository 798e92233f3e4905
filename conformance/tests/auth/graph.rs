//! Microsoft Graph (issue 12, item 4): the calls the az CLI makes, errors in Graph's envelope,
//! and service principals created here signing in with their application's secret.

use super::*;
use armemu::config::{DEFAULT_USER_OBJECT_ID, DEFAULT_USER_PASSWORD, DEFAULT_USER_UPN};

/// A token for Graph as the emulator's cloud names it (`microsoftGraphResourceId` is the
/// emulator itself).
fn graph_token(t: &Target, client: &str, secret: &str) -> String {
    token(t, DEFAULT_TENANT_ID, client, secret, "https://graph.microsoft.com/.default")
}

fn owner_graph(t: &Target) -> Http {
    Http::plain(t.base(), Some(&graph_token(t, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)))
}

#[track_caller]
fn graph_error(r: &Resp, status: u16, code: &str, message: &str) {
    assert_eq!(r.status, status, "{r:?}");
    let b = r.json();
    assert_eq!(b["error"]["code"], code, "{b}");
    assert_eq!(b["error"]["message"], message, "{b}");
    let inner = &b["error"]["innerError"];
    assert_eq!(inner["date"], "2026-01-01T00:00:00", "{b}");
    assert!(is_guid(inner["request-id"].as_str().unwrap_or("")), "{b}");
    assert!(is_guid(inner["client-request-id"].as_str().unwrap_or("")), "{b}");
    assert!(r.header("x-ms-failure-cause").is_none(), "{r:?}");
}

#[test]
fn graph_errors_are_graphs_envelope_and_unmodelled_calls_fail_clearly() {
    let t = strict();
    let g = owner_graph(&t);
    graph_error(
        &g.get("/v1.0/users/nobody@armemu.onmicrosoft.com"),
        404,
        "Request_ResourceNotFound",
        "Resource 'nobody@armemu.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.",
    );
    graph_error(
        &g.get("/v1.0/servicePrincipals?$filter=appId%20ne%20'x'"),
        400,
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified: 'appId ne 'x''. The emulator evaluates \"p eq 'v'\", \"startswith(p,'v')\" and \"c/any(x:x eq 'v')\" joined by 'and'.",
    );
    graph_error(
        &g.get("/v1.0/groups"),
        400,
        "Request_BadRequest",
        "The emulator does not emulate this Microsoft Graph request: GET /v1.0/groups. It serves /me, users, servicePrincipals, applications (create, get, list, addPassword, removePassword) and directoryObjects/getByIds.",
    );
    // An application token has no signed-in user.
    graph_error(
        &g.get("/v1.0/me"),
        400,
        "Request_BadRequest",
        "/me request is only valid with delegated authentication flow.",
    );
    // Strict mode: an ARM token is not for Graph.
    let arm = Http::plain(t.base(), Some(&token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ARM)));
    let r = arm.get("/v1.0/users");
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationTokenAudience")),
        "{r:?}"
    );
    assert_eq!(t.anonymous().get("/v1.0/users").status, 401);
}

#[test]
fn users_are_found_by_id_upn_filter_and_me() {
    let t = strict();
    let g = owner_graph(&t);
    let by_upn = g.get(&format!("/v1.0/users/{DEFAULT_USER_UPN}")).expect(200).json();
    assert_eq!(
        (by_upn["id"].as_str(), by_upn["displayName"].as_str()),
        (Some(DEFAULT_USER_OBJECT_ID), Some("Emulated User"))
    );
    assert!(by_upn.get("@odata.type").is_none());
    assert_eq!(
        g.get(&format!("/v1.0/users/{DEFAULT_USER_OBJECT_ID}")).expect(200).json()["userPrincipalName"],
        DEFAULT_USER_UPN
    );
    let filter =
        format!("/v1.0/users?$filter={}", enc(&format!("userPrincipalName eq '{}'", DEFAULT_USER_UPN.to_uppercase())));
    let listed = g.get(&filter).expect(200).json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 1, "{listed}");
    // `/me` with the user's own token.
    let form = [
        ("grant_type", "password"),
        ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
        ("username", DEFAULT_USER_UPN),
        ("password", DEFAULT_USER_PASSWORD),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let tok = t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form).expect(200).json();
    let me = Http::plain(t.base(), tok["access_token"].as_str()).get("/v1.0/me").expect(200).json();
    assert_eq!(me["userPrincipalName"], DEFAULT_USER_UPN);
    assert!(me["@odata.context"].as_str().unwrap().ends_with("/v1.0/$metadata#users/$entity"));
}

#[test]
fn an_application_with_a_password_and_a_service_principal_signs_in_and_rbac_holds_it() {
    let t = strict();
    let g = owner_graph(&t);
    let app = g.post("/v1.0/applications", &json!({"displayName": "deployer"})).expect(201).json();
    let (app_oid, app_id) = (app["id"].as_str().unwrap().to_string(), app["appId"].as_str().unwrap().to_string());
    assert_eq!(app["passwordCredentials"], json!([]));
    // No service principal yet: the secret does not sign in.
    let cred = g
        .post(
            &format!("/v1.0/applications/{app_oid}/addPassword"),
            &json!({"passwordCredential": {"displayName": "rbac"}}),
        )
        .expect(200)
        .json();
    let secret = cred["secretText"].as_str().unwrap().to_string();
    assert_eq!(cred["hint"].as_str(), Some(&secret[..3]));
    let stored = g.get(&format!("/v1.0/applications/{app_oid}")).expect(200).json();
    assert_eq!(stored["passwordCredentials"][0]["keyId"], cred["keyId"]);
    assert_eq!(stored["passwordCredentials"][0]["secretText"], Value::Null);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", ARM),
    ];
    let r = t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form);
    assert_eq!(r.status, 401, "{r:?}");

    graph_error(
        &g.post("/v1.0/servicePrincipals", &json!({"appId": "00000000-0000-4000-8000-000000000000"})),
        400,
        "Request_BadRequest",
        "The appId '00000000-0000-4000-8000-000000000000' of the service principal does not reference a valid application object.",
    );
    let sp = g.post("/v1.0/servicePrincipals", &json!({"appId": app_id, "accountEnabled": true})).expect(201).json();
    let sp_oid = sp["id"].as_str().unwrap().to_string();
    assert_eq!((sp["displayName"].as_str(), sp["servicePrincipalNames"].clone()), (Some("deployer"), json!([app_id])));
    graph_error(
        &g.post("/v1.0/servicePrincipals", &json!({"appId": app_id})),
        409,
        "Request_MultipleObjectsWithSameKeyValue",
        "Another object with the same value for property servicePrincipalNames already exists.",
    );
    // The filters az sends.
    for filter in [
        format!("appId eq '{app_id}'"),
        format!("servicePrincipalNames/any(c:c eq '{app_id}')"),
        "startswith(displayName,'dep')".into(),
    ] {
        let listed = g.get(&format!("/v1.0/servicePrincipals?$filter={}", enc(&filter))).expect(200).json();
        assert_eq!(listed["value"].as_array().map(|v| v.len()), Some(1), "{filter}: {listed}");
    }
    let apps =
        g.get(&format!("/v1.0/applications?$filter={}", enc(&format!("appId eq '{app_id}'")))).expect(200).json();
    assert_eq!(apps["value"][0]["id"], app_oid.as_str());
    let found = g
        .post("/v1.0/directoryObjects/getByIds", &json!({"ids": [sp_oid, DEFAULT_USER_OBJECT_ID, DEFAULT_OBJECT_ID, app_oid], "types": ["user", "servicePrincipal"]}))
        .expect(200)
        .json();
    let kinds: Vec<&str> =
        found["value"].as_array().unwrap().iter().map(|o| o["@odata.type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["#microsoft.graph.servicePrincipal", "#microsoft.graph.user", "#microsoft.graph.servicePrincipal"]
    );

    // Now the secret signs the service principal in; a wrong one is refused.
    let tok =
        t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form).expect(200).json();
    let bad = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id.as_str()),
        ("client_secret", "nope"),
        ("scope", ARM),
    ];
    let r = t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &bad);
    assert_eq!((r.status, r.json()["error"].as_str()), (401, Some("invalid_client")), "{r:?}");
    let deployer = Http::plain(t.base(), tok["access_token"].as_str());
    let g1 = group(&t, "graph-rg");
    let (owner, _) = clients(&t);
    owner.put(&av(&g1), &json!({"location": "westeurope"})).expect(201);
    let r = deployer.put(&av(&g1), &json!({"location": "westeurope", "tags": {"a": "b"}}));
    check_error(
        &r,
        403,
        "AuthorizationFailed",
        &denied(&app_id, &sp_oid, "Microsoft.Resources/subscriptions/resourceGroups/write", &g1),
    );
    assign(&owner, &g1, GA1, CONTRIBUTOR, &sp_oid).expect(201);
    deployer.put(&av(&g1), &json!({"location": "westeurope", "tags": {"a": "b"}})).expect(200);

    // Removing the password ends its sign-ins.
    g.post(&format!("/v1.0/applications/{app_oid}/removePassword"), &json!({"keyId": cred["keyId"]})).expect(204);
    let r = t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form);
    assert_eq!(r.status, 401, "{r:?}");

    // Directory objects travel with the exported state.
    let doc = t.control("GET", "/state", None).expect(200).json();
    let objects = doc["directoryObjects"].as_array().unwrap();
    assert_eq!(objects.len(), 2, "{doc}");
    let copy = strict();
    copy.control("PUT", "/state", Some(&doc)).expect(200);
    owner_graph(&copy).get(&format!("/v1.0/servicePrincipals/{sp_oid}")).expect(200);
}

#[test]
fn loose_mode_serves_graph_to_any_bearer_token() {
    let t = Target::new();
    let any = Http::plain(t.base(), Some("anything"));
    let listed = any.get("/v1.0/servicePrincipals").expect(200).json();
    assert_eq!(listed["value"][0]["appId"], DEFAULT_CLIENT_ID, "{listed}");
}
