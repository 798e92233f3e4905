//! The Entra ID (AAD) look-alike: OpenID configuration, instance discovery, a token endpoint
//! for the client-credentials grant (v2.0, v1 and the `adfs` form), a JWKS document, and the
//! managed-identity endpoints; users sign in with the device-code flow (codes wait in
//! `identity::signin`), the password grant, and redeem refresh tokens. Tokens are RS256-signed JWTs (`crate::identity`) whose signing key
//! lives in the data directory. Errors use the OAuth envelope, rendered by the protocol layer.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

use crate::config;
use crate::identity::jwt;
use crate::identity::signin::{self, Poll};
use crate::protocol::error::OAuthTrace;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{graph, Ctx, Handler};

/// An AAD-style OAuth error (`{"error","error_description","error_codes",…}`).
fn oauth_error(ctx: &Ctx, status: u16, error: &str, code: u32, description: &str) -> ArmError {
    let timestamp = ctx.now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let trace = OAuthTrace { trace_id: ctx.ids().guid(), correlation_id: ctx.ids().guid(), timestamp };
    ArmError::oauth(status, error, code, description, trace)
}

/// The tenant path segment resolved to a tenant id (`adfs`, `organizations` and `common` map
/// to the default tenant; a tenant's default domain works too).
fn resolve_tenant(ctx: &Ctx, segment: &str) -> Option<String> {
    if ["adfs", "organizations", "common", "consumers"].iter().any(|s| s.eq_ignore_ascii_case(segment)) {
        return ctx.store().read(|s| s.tenants().next().map(|t| t.tenant_id.clone()));
    }
    ctx.store().read(|s| {
        s.tenants()
            .find(|t| t.tenant_id.eq_ignore_ascii_case(segment) || t.default_domain.eq_ignore_ascii_case(segment))
            .map(|t| t.tenant_id.clone())
    })
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration` (and `/adfs/.well-known/…`, v1 form).
pub fn openid_configuration(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seg = req.params().next().map(|(_, v)| v).unwrap_or("adfs");
    let tenant = resolve_tenant(ctx, seg).ok_or_else(|| ArmError::tenant_not_found(seg))?;
    let base = &req.base_url();
    let adfs = seg.eq_ignore_ascii_case("adfs");
    let prefix = if adfs { format!("{base}/adfs") } else { format!("{base}/{seg}") };
    let v2 = if adfs { "" } else { "/v2.0" };
    Ok(ArmResponse::ok(json!({
        "token_endpoint": format!("{prefix}/oauth2{v2}/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{prefix}/discovery{v2}/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": if adfs { format!("{base}/adfs") } else { format!("{base}/{tenant}/v2.0") },
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{prefix}/oauth2{v2}/authorize"),
        "device_authorization_endpoint": format!("{prefix}/oauth2{v2}/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{prefix}/oauth2{v2}/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid", "oid", "appid"],
        "tenant_region_scope": "WW",
        "cloud_instance_name": "armemu.local",
        "cloud_graph_host_name": "graph.armemu.local",
        "msgraph_host": "graph.armemu.local",
        "rbac_url": base,
    })))
}

/// `GET /common/discovery/instance`: for clients given a custom instance-discovery URL.
pub fn instance_discovery(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let host = req.base_url().split("://").nth(1).unwrap_or("127.0.0.1").to_string();
    Ok(ArmResponse::ok(json!({
        "tenant_discovery_endpoint": format!("{}/common/v2.0/.well-known/openid-configuration", req.base_url()),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    })))
}

/// The token audience for a v2 `scope` (`https://management.azure.com/.default` →
/// `https://management.azure.com`) or a v1/managed-identity `resource`.
fn audience(scope_or_resource: &str) -> String {
    let first = scope_or_resource
        .split_whitespace()
        .find(|s| s.ends_with("/.default") || s.contains("://"))
        .unwrap_or(scope_or_resource);
    first.strip_suffix("/.default").unwrap_or(first).to_string()
}

/// `POST /{tenant}/oauth2/v2.0/token`, `/{tenant}/oauth2/token`, `/adfs/oauth2/token`: the
/// client-credentials grant for a configured service principal, and for users the
/// device-code, refresh-token and password grants.
pub fn token(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seg = req.params().next().map(|(_, v)| v).unwrap_or("adfs");
    let form: BTreeMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
    let Some(tenant) = resolve_tenant(ctx, seg) else {
        return Err(oauth_error(ctx, 400, "invalid_request", 90002, &format!("Tenant '{seg}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")));
    };
    // `organizations`/`common`: the user's home tenant, not the default one.
    let any_tenant = ["organizations", "common", "consumers"].iter().any(|s| s.eq_ignore_ascii_case(seg));
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    match grant {
        "client_credentials" => {}
        DEVICE_CODE_GRANT => return device_code_grant(ctx, req, &form),
        "refresh_token" => return refresh_grant(ctx, req, &form, &tenant, any_tenant),
        "password" => return password_grant(ctx, req, &form, &tenant, any_tenant),
        "authorization_code" => return code_grant(ctx, req, &form),
        _ => {
            return Err(oauth_error(
                ctx,
                400,
                "unsupported_grant_type",
                70003,
                &format!(
                    "The app requested an unsupported grant type '{grant}'. The emulator supports client_credentials, authorization_code, {DEVICE_CODE_GRANT}, refresh_token and password."
                ),
            ))
        }
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let secret = form.get("client_secret").map(String::as_str).unwrap_or("");
    // A service principal created through Graph (`az ad sp create-for-rbac`) signs in with
    // one of its application's secrets.
    if let Some(oid) = ctx.store().read(|s| graph::secret_principal(s, &tenant, &client_id, secret)) {
        let aud = audience(&requested_scope(&form));
        let issued = ctx.identity().issue(ctx.now(), ctx.ids(), &req.base_url(), &tenant, &oid, &client_id, &aud)?;
        return Ok(ArmResponse::ok(json!({
            "token_type": "Bearer",
            "expires_in": jwt::LIFETIME_SECS,
            "ext_expires_in": jwt::LIFETIME_SECS,
            "access_token": issued.token,
        })));
    }
    let Some(sp) = ctx.config().service_principals.iter().find(|p| p.client_id.eq_ignore_ascii_case(&client_id)) else {
        if ctx.store().read(|s| graph::has_application(s, &tenant, &client_id)) {
            return Err(oauth_error(ctx, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app."));
        }
        return Err(oauth_error(
            ctx,
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'."),
        ));
    };
    if form.get("client_secret").map(String::as_str) != Some(sp.client_secret.as_str()) {
        return Err(oauth_error(ctx, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app."));
    }
    let aud = audience(&requested_scope(&form));
    let issued =
        ctx.identity().issue(ctx.now(), ctx.ids(), &req.base_url(), &tenant, &sp.object_id, &sp.client_id, &aud)?;
    Ok(ArmResponse::ok(json!({
        "token_type": "Bearer",
        "expires_in": jwt::LIFETIME_SECS,
        "ext_expires_in": jwt::LIFETIME_SECS,
        "access_token": issued.token,
    })))
}

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The v2 `scope` or v1 `resource` of a token request (ARM when neither is given).
fn requested_scope(form: &BTreeMap<String, String>) -> String {
    form.get("scope")
        .or_else(|| form.get("resource"))
        .cloned()
        .unwrap_or_else(|| "https://management.azure.com/.default".into())
}

/// The configured user with this sign-in name or object id.
fn find_user<'a>(ctx: &'a Ctx, name: &str) -> Option<&'a config::User> {
    ctx.config()
        .users
        .iter()
        .find(|u| u.user_principal_name.eq_ignore_ascii_case(name) || u.object_id.eq_ignore_ascii_case(name))
}

/// A user may sign in to their home tenant only (guests are not modelled): AADSTS50020.
fn check_member(ctx: &Ctx, user: &config::User, tenant: &str, client_id: &str) -> ArmResult<()> {
    if user.tenant_id.eq_ignore_ascii_case(tenant) {
        return Ok(());
    }
    Err(oauth_error(
        ctx,
        400,
        "invalid_grant",
        50020,
        &format!(
            "User account '{}' from identity provider 'https://sts.windows.net/{}/' does not exist in tenant '{tenant}' and cannot access the application '{client_id}' in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.",
            user.user_principal_name, user.tenant_id
        ),
    ))
}

/// The answer to a user's sign-in: an access token for the requested audience, a refresh
/// token, and the id token and `client_info` MSAL builds its account from.
fn user_tokens(
    ctx: &Ctx,
    req: &ArmRequest,
    user: &config::User,
    client_id: &str,
    scope: &str,
) -> ArmResult<ArmResponse> {
    user_tokens_with_nonce(ctx, req, user, client_id, scope, None)
}

/// As [`user_tokens`], the id token carrying the `nonce` the sign-in was started with.
fn user_tokens_with_nonce(
    ctx: &Ctx,
    req: &ArmRequest,
    user: &config::User,
    client_id: &str,
    scope: &str,
    nonce: Option<&str>,
) -> ArmResult<ArmResponse> {
    let subject = jwt::UserSubject {
        oid: user.object_id.clone(),
        upn: user.user_principal_name.clone(),
        name: user.display_name.clone(),
        tenant: user.tenant_id.clone(),
    };
    let base = req.base_url();
    let id = ctx.identity();
    let aud = audience(scope);
    let issued = id.issue_user(ctx.now(), ctx.ids(), &base, &subject, client_id, &aud)?;
    let client_info = URL_SAFE_NO_PAD.encode(json!({"uid": user.object_id, "utid": user.tenant_id}).to_string());
    // The scopes granted, without the OpenID ones (as Entra ID answers).
    let granted: Vec<&str> =
        scope.split_whitespace().filter(|s| !["openid", "profile", "offline_access"].contains(s)).collect();
    Ok(ArmResponse::ok(json!({
        "token_type": "Bearer",
        "scope": granted.join(" "),
        "expires_in": jwt::LIFETIME_SECS,
        "ext_expires_in": jwt::LIFETIME_SECS,
        "access_token": issued.token,
        "refresh_token": id.refresh_token(ctx.now(), ctx.ids(), &subject, client_id)?,
        "id_token": id.id_token(ctx.now(), &base, &subject, client_id, nonce)?,
        "client_info": client_info,
    })))
}

/// Polling with a device code: `authorization_pending` until the code is approved (by
/// itself after `deviceCodePolls` polls, or through `/_emulator/devicecode/{code}/approve`).
fn device_code_grant(ctx: &Ctx, req: &ArmRequest, form: &BTreeMap<String, String>) -> ArmResult<ArmResponse> {
    let code = form.get("device_code").map(String::as_str).unwrap_or("");
    let default_user = ctx.config().users.first().map(|u| u.user_principal_name.clone()).unwrap_or_default();
    let now = ctx.now().timestamp();
    match ctx.identity().device_codes.poll(now, code, ctx.config().device_code_polls, &default_user) {
        Poll::Pending => Err(oauth_error(
            ctx,
            400,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
        Poll::Expired => Err(oauth_error(ctx, 400, "expired_token", 70019, "Verification code expired.")),
        Poll::Unknown => Err(oauth_error(
            ctx,
            400,
            "invalid_grant",
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )),
        Poll::Approved { upn, request } => {
            let Some(user) = find_user(ctx, &upn) else {
                return Err(oauth_error(
                    ctx,
                    400,
                    "invalid_grant",
                    50034,
                    &format!("The user account {upn} does not exist in the directory."),
                ));
            };
            check_member(ctx, user, &request.tenant, &request.client_id)?;
            user_tokens(ctx, req, user, &request.client_id, &request.scope)
        }
    }
}

/// Redeeming a refresh token (any client, any scope, in the user's tenant).
fn refresh_grant(
    ctx: &Ctx,
    req: &ArmRequest,
    form: &BTreeMap<String, String>,
    tenant: &str,
    any_tenant: bool,
) -> ArmResult<ArmResponse> {
    let invalid =
        || oauth_error(ctx, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    let token = form.get("refresh_token").map(String::as_str).unwrap_or("");
    let (oid, _home, _client, exp) = ctx.identity().read_refresh(token).ok_or_else(invalid)?;
    if exp <= ctx.now().timestamp() {
        return Err(oauth_error(ctx, 400, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on a date past the 90-day inactivity window."));
    }
    let user = find_user(ctx, &oid).ok_or_else(invalid)?;
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if !any_tenant {
        check_member(ctx, user, tenant, &client_id)?;
    }
    user_tokens(ctx, req, user, &client_id, &requested_scope(form))
}

/// The resource-owner password grant, for configured users.
fn password_grant(
    ctx: &Ctx,
    req: &ArmRequest,
    form: &BTreeMap<String, String>,
    tenant: &str,
    any_tenant: bool,
) -> ArmResult<ArmResponse> {
    let name = form.get("username").map(String::as_str).unwrap_or("");
    let user = find_user(ctx, name).filter(|u| form.get("password") == Some(&u.password));
    let Some(user) = user else {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        ));
    };
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if !any_tenant {
        check_member(ctx, user, tenant, &client_id)?;
    }
    user_tokens(ctx, req, user, &client_id, &requested_scope(form))
}

/// True for the loopback redirect URIs public clients listen on (`http://localhost:PORT/…`,
/// `http://127.0.0.1:PORT/…`): the only ones the emulator redirects a sign-in to.
fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]"
}

/// `GET /{tenant}/oauth2/v2.0/authorize` (and v1 `/{tenant}/oauth2/authorize`): the
/// authorization-code flow with PKCE, without a person. The configured user that `login_hint`
/// names (else the default user) is signed in at once, and the code goes to the client's
/// loopback `redirect_uri`: in a `302` (`response_mode=query`, the default) or, for
/// `response_mode=form_post` (what MSAL sends), in the self-submitting form Entra ID answers.
pub fn authorize(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seg = req.params().next().map(|(_, v)| v).unwrap_or("organizations");
    let Some(tenant) = resolve_tenant(ctx, seg) else {
        return Err(oauth_error(ctx, 400, "invalid_request", 90002, &format!("Tenant '{seg}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")));
    };
    let any_tenant = ["organizations", "common", "consumers"].iter().any(|s| s.eq_ignore_ascii_case(seg));
    let q = |k: &str| req.query(k).unwrap_or("").to_string();
    let (client_id, redirect_uri) = (q("client_id"), q("redirect_uri"));
    if client_id.is_empty() {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    }
    if !is_loopback_redirect(&redirect_uri) {
        return Err(oauth_error(ctx, 400, "invalid_request", 50011, &format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. The emulator redirects sign-ins to loopback addresses (http://localhost:PORT) only.")));
    }
    if q("response_type") != "code" {
        return Err(oauth_error(
            ctx,
            400,
            "unsupported_response_type",
            700054,
            "The emulator's authorize endpoint answers response_type=code only.",
        ));
    }
    let method = req.query("code_challenge_method").unwrap_or("plain");
    if !["S256", "plain"].contains(&method) {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_request",
            501491,
            &format!("Invalid code_challenge_method '{method}'."),
        ));
    }
    let hint = q("login_hint");
    let user = if hint.is_empty() { ctx.config().users.first() } else { find_user(ctx, &hint) };
    let Some(user) = user else {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_grant",
            50034,
            &format!("The user account {hint} does not exist in the directory."),
        ));
    };
    if !any_tenant {
        check_member(ctx, user, &tenant, &client_id)?;
    }
    let mut fields = serde_json::Map::new();
    fields.insert("oid".into(), json!(user.object_id));
    fields.insert("client_id".into(), json!(client_id));
    fields.insert("redirect_uri".into(), json!(redirect_uri));
    fields.insert("scope".into(), json!(q("scope")));
    if let Some(c) = req.query("code_challenge") {
        fields.insert("code_challenge".into(), json!(c));
        fields.insert("code_challenge_method".into(), json!(method));
    }
    if let Some(n) = req.query("nonce") {
        fields.insert("nonce".into(), json!(n));
    }
    let code = ctx.identity().authorization_code(ctx.now(), ctx.ids(), fields)?;
    let mut answer: Vec<(&str, String)> = vec![("code", code)];
    if let Some(state) = req.query("state") {
        answer.push(("state", state.to_string()));
    }
    answer.push(("session_state", ctx.ids().guid()));
    if req.query("response_mode") == Some("form_post") {
        let inputs: String = answer
            .iter()
            .map(|(k, v)| format!(r#"<input type="hidden" name="{k}" value="{}" />"#, html_escape(v)))
            .collect();
        let page = format!(
            r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{}">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>"#,
            html_escape(&redirect_uri)
        );
        return Ok(ArmResponse::text(200, "text/html; charset=utf-8", page));
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(answer).finish();
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    Ok(ArmResponse::empty(302).with_header("Location", format!("{redirect_uri}{sep}{query}")))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Redeeming an authorization code: the same client and redirect URI, and the PKCE verifier
/// whose hash (S256) or text (plain) is the challenge `/authorize` was given.
fn code_grant(ctx: &Ctx, req: &ArmRequest, form: &BTreeMap<String, String>) -> ArmResult<ArmResponse> {
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let invalid =
        || oauth_error(ctx, 400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
    let c = ctx.identity().read_code(code).ok_or_else(invalid)?;
    let field = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    if c.get("exp").and_then(|v| v.as_i64()).unwrap_or(0) <= ctx.now().timestamp() {
        return Err(oauth_error(ctx, 400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    if !client_id.eq_ignore_ascii_case(&field("client_id")) {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, or was issued to another client.",
        ));
    }
    if form.get("redirect_uri").map(String::as_str).unwrap_or("") != field("redirect_uri") {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_grant",
            500112,
            "The reply address does not match the reply address provided when requesting the authorization code.",
        ));
    }
    let challenge = field("code_challenge");
    if !challenge.is_empty() {
        let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
        let computed = if field("code_challenge_method") == "S256" {
            use sha2::Digest;
            URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.to_string()
        };
        if verifier.is_empty() || computed != challenge {
            return Err(oauth_error(
                ctx,
                400,
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
    }
    let user = find_user(ctx, &field("oid")).ok_or_else(invalid)?;
    let scope = form.get("scope").or_else(|| form.get("resource")).cloned().unwrap_or_else(|| field("scope"));
    let nonce = c.get("nonce").and_then(|v| v.as_str()).map(String::from);
    user_tokens_with_nonce(ctx, req, user, &client_id, &scope, nonce.as_deref())
}

/// How long a device code stays valid, and the polling interval the client is told (one
/// second, so a test signing in this way waits about a second per pending poll).
const DEVICE_CODE_EXPIRES_IN: i64 = 900;
const DEVICE_CODE_INTERVAL: i64 = 1;

/// `POST /{tenant}/oauth2/v2.0/devicecode` (and v1 `/{tenant}/oauth2/devicecode`): starts a
/// device-code sign-in.
pub fn device_code(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seg = req.params().next().map(|(_, v)| v).unwrap_or("organizations");
    let form: BTreeMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
    let Some(tenant) = resolve_tenant(ctx, seg) else {
        return Err(oauth_error(ctx, 400, "invalid_request", 90002, &format!("Tenant '{seg}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")));
    };
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()).cloned() else {
        return Err(oauth_error(
            ctx,
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    };
    let user_code = ctx.ids().hex(9).to_uppercase();
    let device_code = format!("DAQABAAEAAA{}", ctx.ids().hex(48));
    let request = signin::Request { client_id, scope: requested_scope(&form), tenant };
    ctx.identity().device_codes.start(ctx.now().timestamp(), DEVICE_CODE_EXPIRES_IN, &device_code, &user_code, request);
    let approve = format!("{}/_emulator/devicecode/{user_code}/approve", req.base_url());
    let message = match ctx.config().device_code_polls {
        Some(n) => format!("To sign in, enter the code {user_code}. The emulator approves it as its default user after {n} poll(s), or POST {approve}."),
        None => format!("To sign in, enter the code {user_code}: POST {approve} to approve it."),
    };
    Ok(ArmResponse::ok(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": approve,
        "verification_url": approve,
        "expires_in": DEVICE_CODE_EXPIRES_IN,
        "interval": DEVICE_CODE_INTERVAL,
        "message": message,
    })))
}

/// The managed-identity endpoints: App-Service style `GET /msi/token?api-version=2019-08-01&resource=…`
/// with `X-IDENTITY-HEADER`, and the legacy `POST /msi/token` with a form body `resource=…`.
/// The identity is the built-in service principal.
pub fn managed_identity(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let has_secret = ["x-identity-header", "secret", "metadata"].iter().any(|h| req.header(*h).is_some());
    if !has_secret {
        return Err(ArmError::managed_identity("Required metadata header not specified"));
    }
    let resource = if req.method == Method::Post {
        form_urlencoded::parse(&req.body).find(|(k, _)| k == "resource").map(|(_, v)| v.into_owned())
    } else {
        None
    }
    .or_else(|| req.query("resource").map(String::from));
    let Some(resource) = resource.filter(|r| !r.is_empty()) else {
        return Err(ArmError::managed_identity("Required query variable 'resource' is missing"));
    };
    let sp =
        ctx.config().service_principals.first().ok_or_else(|| ArmError::internal("no service principal configured"))?;
    let issued = ctx.identity().issue(
        ctx.now(),
        ctx.ids(),
        &req.base_url(),
        &sp.tenant_id,
        &sp.object_id,
        &sp.client_id,
        &audience(&resource),
    )?;
    Ok(ArmResponse::ok(json!({
        "access_token": issued.token,
        "expires_on": issued.expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": sp.client_id,
    })))
}

/// `GET /{tenant}/discovery/v2.0/keys` (and the v1 and `adfs` forms).
pub fn jwks(ctx: &Ctx, _req: &ArmRequest) -> ArmResult<ArmResponse> {
    Ok(ArmResponse::ok(ctx.identity().jwks()))
}

pub fn routes() -> Vec<Route<Handler>> {
    let r =
        |method, pattern, operation, handler: Handler| Route::new(method, pattern, operation, Access::Open, handler);
    vec![
        r(
            Method::Get,
            "/{tenant}/v2.0/.well-known/openid-configuration",
            "Identity_OpenIdConfiguration",
            openid_configuration,
        ),
        r(
            Method::Get,
            "/{tenant}/.well-known/openid-configuration",
            "Identity_OpenIdConfigurationV1",
            openid_configuration,
        ),
        r(Method::Post, "/{tenant}/oauth2/v2.0/token", "Identity_Token", token),
        r(Method::Post, "/{tenant}/oauth2/token", "Identity_TokenV1", token),
        r(Method::Post, "/{tenant}/oauth2/v2.0/devicecode", "Identity_DeviceCode", device_code),
        r(Method::Get, "/{tenant}/oauth2/v2.0/authorize", "Identity_Authorize", authorize),
        r(Method::Get, "/{tenant}/oauth2/authorize", "Identity_AuthorizeV1", authorize),
        r(Method::Post, "/{tenant}/oauth2/devicecode", "Identity_DeviceCodeV1", device_code),
        r(Method::Get, "/{tenant}/discovery/v2.0/keys", "Identity_Keys", jwks),
        r(Method::Get, "/{tenant}/discovery/keys", "Identity_KeysV1", jwks),
        r(Method::Get, "/common/discovery/instance", "Identity_InstanceDiscovery", instance_discovery),
        r(Method::Get, "/msi/token", "Identity_ManagedIdentityToken", managed_identity),
        r(Method::Post, "/msi/token", "Identity_ManagedIdentityTokenLegacy", managed_identity),
    ]
}
