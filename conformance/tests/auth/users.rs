//! Users (issue 12, item 3): the default user signs in with the device-code flow, the
//! password grant, and refresh tokens; its tokens carry the user claims, and RBAC names it by
//! its UPN.

use super::*;
use armemu::config::{DEFAULT_USER_OBJECT_ID, DEFAULT_USER_PASSWORD, DEFAULT_USER_UPN};

/// The Azure CLI's public client id (what `az login` signs in with).
const AZ_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const SCOPES: &str = "https://management.azure.com/.default offline_access openid profile";

/// A second user, with no role at start.
const USER2: &str = "second@armemu.onmicrosoft.com";
const USER2_OID: &str = "8d000000-0000-4000-8000-0000000000b2";

fn with_users(auto_approve: Option<u32>) -> Target {
    Target::with_config(|c| {
        c.auth = AuthMode::Strict;
        c.device_code_polls = auto_approve;
        c.users.push(armemu::config::User {
            user_principal_name: USER2.into(),
            object_id: USER2_OID.into(),
            password: "pw2".into(),
            display_name: "Second User".into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
        });
    })
}

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

fn start_device_flow(t: &Target, tenant: &str) -> Value {
    let form = [("client_id", AZ_CLIENT), ("scope", SCOPES)];
    t.anonymous().post_form(&format!("/{tenant}/oauth2/v2.0/devicecode"), &[], &form).expect(200).json()
}

fn poll(t: &Target, device_code: &str) -> Resp {
    let form = [("grant_type", DEVICE_GRANT), ("client_id", AZ_CLIENT), ("device_code", device_code)];
    t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form)
}

#[track_caller]
fn oauth_error(r: &Resp, status: u16, error: &str, aadsts: &str) {
    assert_eq!(r.status, status, "{r:?}");
    let b = r.json();
    assert_eq!(b["error"], error, "{b}");
    let d = b["error_description"].as_str().unwrap();
    assert!(d.starts_with(aadsts), "{d}");
}

#[test]
fn the_device_code_flow_answers_pending_once_then_signs_the_default_user_in() {
    let t = strict();
    let flow = start_device_flow(&t, "organizations");
    assert_eq!(flow["interval"], 1);
    assert_eq!(flow["expires_in"], 900);
    let code = flow["device_code"].as_str().unwrap();
    let user_code = flow["user_code"].as_str().unwrap();
    assert!(flow["message"].as_str().unwrap().contains(user_code));
    oauth_error(
        &poll(&t, code),
        400,
        "authorization_pending",
        "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    );
    let tokens = poll(&t, code).expect(200).json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "https://management.azure.com/.default");
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], "https://management.azure.com");
    assert_eq!(at["oid"], DEFAULT_USER_OBJECT_ID);
    assert_eq!(at["upn"], DEFAULT_USER_UPN);
    assert_eq!(at["unique_name"], DEFAULT_USER_UPN);
    assert_eq!(at["name"], "Emulated User");
    assert_eq!(at["tid"], DEFAULT_TENANT_ID);
    assert_eq!(at["scp"], "user_impersonation");
    assert_eq!(at["idtyp"], "user");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!((id["aud"].as_str(), id["preferred_username"].as_str()), (Some(AZ_CLIENT), Some(DEFAULT_USER_UPN)));
    let info: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(tokens["client_info"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(info, json!({"uid": DEFAULT_USER_OBJECT_ID, "utid": DEFAULT_TENANT_ID}));
    // A code is redeemed once.
    oauth_error(&poll(&t, code), 400, "invalid_grant", "AADSTS70000: ");
    // The user's token is accepted by ARM in strict mode, and the default user owns the
    // default subscription (so `az login` finds it).
    let user = Http::plain(t.base(), tokens["access_token"].as_str());
    user.get(&av(&t.sub())).expect(200);
}

#[test]
fn without_auto_approval_the_code_waits_for_the_test_control_api_and_expires_by_the_emulator_clock() {
    let t = with_users(None);
    let flow = start_device_flow(&t, DEFAULT_TENANT_ID);
    let code = flow["device_code"].as_str().unwrap();
    let user_code = flow["user_code"].as_str().unwrap();
    for _ in 0..3 {
        oauth_error(&poll(&t, code), 400, "authorization_pending", "AADSTS70016: ");
    }
    let r = t.control("POST", "/devicecode/NOSUCHCODE/approve", Some(&json!({})));
    assert_eq!(r.status, 404, "{r:?}");
    let r = t.control("POST", &format!("/devicecode/{user_code}/approve"), Some(&json!({"user": "nobody@x"})));
    assert_eq!(r.status, 404, "{r:?}");
    let body = json!({"user": USER2});
    t.control("POST", &format!("/devicecode/{user_code}/approve"), Some(&body)).expect(200);
    let at = claims(poll(&t, code).expect(200).json()["access_token"].as_str().unwrap());
    assert_eq!(at["upn"], USER2);

    let flow = start_device_flow(&t, "organizations");
    t.advance(900);
    oauth_error(&poll(&t, flow["device_code"].as_str().unwrap()), 400, "expired_token", "AADSTS70019: ");
}

#[test]
fn a_refresh_token_is_redeemed_for_another_audience_and_a_forged_one_is_refused() {
    let t = strict();
    let form = [
        ("grant_type", "password"),
        ("client_id", AZ_CLIENT),
        ("username", DEFAULT_USER_UPN),
        ("password", DEFAULT_USER_PASSWORD),
        ("scope", SCOPES),
    ];
    let first =
        t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form).expect(200).json();
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", AZ_CLIENT),
        ("refresh_token", refresh),
        ("scope", "https://storage.azure.com/.default offline_access"),
    ];
    let next =
        t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form).expect(200).json();
    let at = claims(next["access_token"].as_str().unwrap());
    assert_eq!((at["aud"].as_str(), at["upn"].as_str()), (Some("https://storage.azure.com"), Some(DEFAULT_USER_UPN)));
    // A refresh token is not an access token.
    let r = Http::plain(t.base(), Some(refresh)).get(&av(&t.sub()));
    assert_eq!(r.status, 401, "{r:?}");
    // An access token is not a refresh token; nor is anything unsigned.
    for bad in [first["access_token"].as_str().unwrap(), "not-a-token"] {
        let form = [("grant_type", "refresh_token"), ("client_id", AZ_CLIENT), ("refresh_token", bad)];
        let r = t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form);
        oauth_error(&r, 400, "invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.");
    }
    // Another tenant is not the user's.
    let r = t.anonymous().post_form(
        &format!("/{TENANT2}/oauth2/v2.0/token"),
        &[],
        &form[..2].iter().chain(&[("refresh_token", refresh)]).copied().collect::<Vec<_>>(),
    );
    oauth_error(&r, 400, "invalid_grant", "AADSTS50020: User account 'user@armemu.onmicrosoft.com'");
    // A wrong password.
    let form =
        [("grant_type", "password"), ("client_id", AZ_CLIENT), ("username", DEFAULT_USER_UPN), ("password", "x")];
    let r = t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form);
    oauth_error(
        &r,
        400,
        "invalid_grant",
        "AADSTS50126: Error validating credentials due to invalid username or password.",
    );
}

#[test]
fn rbac_names_a_user_by_upn_and_honours_its_assignments() {
    let t = with_users(Some(1));
    let owner =
        Http::plain(t.base(), Some(&token(&t, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ARM)));
    let form = [
        ("grant_type", "password"),
        ("client_id", AZ_CLIENT),
        ("username", USER2),
        ("password", "pw2"),
        ("scope", ARM),
    ];
    let r = t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form).expect(200).json();
    let user = Http::plain(t.base(), r["access_token"].as_str());
    let g = group(&t, "users-rg");
    let body = json!({"location": "westeurope"});
    let r = user.put(&av(&g), &body);
    let action = "Microsoft.Resources/subscriptions/resourceGroups/write";
    check_error(&r, 403, "AuthorizationFailed", &denied(USER2, USER2_OID, action, &g));
    let role_id = format!(
        "/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"
    );
    owner
        .put(
            &assignment(&t.sub(), "0a000000-0000-4000-8000-0000000000c9"),
            &json!({"properties": {"roleDefinitionId": role_id, "principalId": USER2_OID, "principalType": "User"}}),
        )
        .expect(201);
    let created = user.put(&av(&g), &body).expect(201).json();
    // ARM's systemData names a user by UPN.
    let sd = &created["systemData"];
    if !sd.is_null() {
        assert_eq!((sd["createdBy"].as_str(), sd["createdByType"].as_str()), (Some(USER2), Some("User")));
    }
}

mod authorization_code {
    use super::*;
    use sha2::{Digest, Sha256};

    const REDIRECT: &str = "http://localhost:8400/";
    const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

    fn authorize(t: &Target, extra: &str) -> Resp {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
        t.anonymous().get(&format!(
            "/organizations/oauth2/v2.0/authorize?client_id={AZ_CLIENT}&response_type=code&redirect_uri={}&scope={}&state=st8&nonce=n0nce&code_challenge={challenge}&code_challenge_method=S256{extra}",
            enc(REDIRECT),
            enc(SCOPES)
        ))
    }

    fn redeem(t: &Target, code: &str, verifier: &str, redirect: &str) -> Resp {
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", AZ_CLIENT),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("scope", SCOPES),
        ];
        t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form)
    }

    fn code_of(location: &str) -> String {
        let query = location.split_once('?').unwrap().1;
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned()
    }

    #[test]
    fn authorize_redirects_to_the_loopback_uri_and_the_code_needs_its_verifier() {
        let t = strict();
        let r = authorize(&t, "");
        assert_eq!(r.status, 302, "{r:?}");
        let location = r.header("location").unwrap().to_string();
        assert!(location.starts_with(&format!("{REDIRECT}?code=")), "{location}");
        assert!(location.contains("&state=st8&session_state="), "{location}");
        let code = code_of(&location);
        oauth_error(
            &redeem(&t, &code, "another-verifier", REDIRECT),
            400,
            "invalid_grant",
            "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        );
        oauth_error(&redeem(&t, &code, VERIFIER, "http://localhost:9999/"), 400, "invalid_grant", "AADSTS500112: ");
        let tokens = redeem(&t, &code, VERIFIER, REDIRECT).expect(200).json();
        assert_eq!(claims(tokens["access_token"].as_str().unwrap())["upn"], DEFAULT_USER_UPN);
        assert_eq!(claims(tokens["id_token"].as_str().unwrap())["nonce"], "n0nce");
        // Codes last ten minutes of emulator time.
        t.advance(600);
        oauth_error(&redeem(&t, &code, VERIFIER, REDIRECT), 400, "invalid_grant", "AADSTS70008: ");
    }

    #[test]
    fn form_post_answers_the_self_submitting_form_and_only_loopback_uris_are_redirected_to() {
        let t = strict();
        let r = authorize(&t, "&response_mode=form_post");
        assert_eq!((r.status, r.header("content-type")), (200, Some("text/html; charset=utf-8")), "{r:?}");
        let page = r.text();
        assert!(page.contains(&format!(r#"<form method="POST" name="hiddenform" action="{REDIRECT}">"#)), "{page}");
        assert!(page.contains(r#"<input type="hidden" name="state" value="st8" />"#), "{page}");
        let r = t.anonymous().get(&format!(
            "/organizations/oauth2/v2.0/authorize?client_id={AZ_CLIENT}&response_type=code&redirect_uri={}",
            enc("https://evil.example/cb")
        ));
        oauth_error(
            &r,
            400,
            "invalid_request",
            "AADSTS50011: The redirect URI 'https://evil.example/cb' specified in the request does not match",
        );
    }
}

/// Issue 12's last "done when": `armctl ml workspace share --user <sign-in name>` (run as the
/// subscription's Owner) looks the user up in the emulator's Microsoft Graph and assigns the
/// role, which strict mode then enforces for that user: Reader reads the workspace and is
/// refused a write.
#[test]
fn armctl_ml_workspace_share_assigns_a_role_that_is_enforced() {
    let t = with_users(None);
    let home = tempfile::tempdir().unwrap();
    let armctl = |cmd: &str| {
        let mut vars = vec![
            ("HOME".to_string(), home.path().display().to_string()),
            ("ARMCTL_CONFIG_DIR".to_string(), home.path().join("config").display().to_string()),
            ("ARMEMU_ENDPOINT".to_string(), t.base().to_string()),
        ];
        if let Some(ca) = &t.ca {
            vars.push(("ARMEMU_CA".to_string(), ca.display().to_string()));
        }
        let mut env = armctl::cli::Env::with_vars(vars);
        env.sleeper = Some(std::sync::Arc::new(armctl::sleep::RecordingSleeper::new()));
        let args = std::iter::once("armctl".to_string()).chain(armctl::cli::split_words(cmd));
        armctl::cli::run(args, env)
    };
    let ok = |cmd: &str| {
        let (code, out, err) = armctl(cmd);
        assert_eq!(code, 0, "armctl {cmd}\n{out}\n{err}");
        out
    };
    ok("group create -n rg-share -l westeurope");
    ok("ml workspace create -w ws-share -g rg-share");
    ok(&format!("ml workspace share -w ws-share -g rg-share --user {USER2} --role Reader"));

    let form = [
        ("grant_type", "password"),
        ("client_id", AZ_CLIENT),
        ("username", USER2),
        ("password", "pw2"),
        ("scope", ARM),
    ];
    let r = t.anonymous().post_form("/organizations/oauth2/v2.0/token", &[], &form).expect(200).json();
    let user = Http::plain(t.base(), r["access_token"].as_str());
    let ws = format!("{}/providers/Microsoft.MachineLearningServices/workspaces/ws-share", group(&t, "rg-share"));
    let ml = format!("{ws}?api-version=2024-10-01");
    user.get(&ml).expect(200);
    let refused = user.put(&ml, &json!({"location": "westeurope", "properties": {}}));
    assert_eq!(refused.status, 403, "{refused:?}");
    let e = refused.json();
    assert_eq!(e["error"]["code"], "AuthorizationFailed");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("'{USER2}' with object id '{USER2_OID}'"))
            && msg.contains("'Microsoft.MachineLearningServices/workspaces/write'"),
        "{msg}"
    );
    // Sharing again succeeds (az's idempotent role assignment create); one assignment.
    ok(&format!("ml workspace share -w ws-share -g rg-share --user {USER2} --role Reader"));
    let listed = ok(&format!("role assignment list --scope {ws} --assignee {USER2} --query length(@)"));
    assert_eq!(listed, "1\n");
}
