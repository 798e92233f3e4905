//! The Entra ID (AAD) look-alike: OpenID configuration, instance discovery, a token endpoint
//! for the client-credentials grant (v2.0, v1 and the `adfs` form), a JWKS document, and the
//! managed-identity endpoints. Tokens are RS256-signed JWTs (`crate::identity`) whose signing key
//! lives in the data directory. Errors use the OAuth envelope, rendered by the protocol layer.

use std::collections::BTreeMap;

use serde_json::json;

use crate::identity::jwt;
use crate::protocol::error::OAuthTrace;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{Ctx, Handler};

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

/// `POST /{tenant}/oauth2/v2.0/token`, `/{tenant}/oauth2/token`, `/adfs/oauth2/token`:
/// the client-credentials grant for a configured service principal.
pub fn token(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let seg = req.params().next().map(|(_, v)| v).unwrap_or("adfs");
    let form: BTreeMap<String, String> = form_urlencoded::parse(&req.body).into_owned().collect();
    let Some(tenant) = resolve_tenant(ctx, seg) else {
        return Err(oauth_error(ctx, 400, "invalid_request", 90002, &format!("Tenant '{seg}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")));
    };
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if grant != "client_credentials" {
        return Err(oauth_error(
            ctx,
            400,
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{grant}'. The emulator supports client_credentials."
            ),
        ));
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let Some(sp) = ctx.config().service_principals.iter().find(|p| p.client_id.eq_ignore_ascii_case(&client_id)) else {
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
    let scope = form
        .get("scope")
        .or_else(|| form.get("resource"))
        .cloned()
        .unwrap_or_else(|| "https://management.azure.com/.default".into());
    let aud = audience(&scope);
    let issued =
        ctx.identity().issue(ctx.now(), ctx.ids(), &req.base_url(), &tenant, &sp.object_id, &sp.client_id, &aud)?;
    Ok(ArmResponse::ok(json!({
        "token_type": "Bearer",
        "expires_in": jwt::LIFETIME_SECS,
        "ext_expires_in": jwt::LIFETIME_SECS,
        "access_token": issued.token,
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
        r(Method::Get, "/{tenant}/discovery/v2.0/keys", "Identity_Keys", jwks),
        r(Method::Get, "/{tenant}/discovery/keys", "Identity_KeysV1", jwks),
        r(Method::Get, "/common/discovery/instance", "Identity_InstanceDiscovery", instance_discovery),
        r(Method::Get, "/msi/token", "Identity_ManagedIdentityToken", managed_identity),
        r(Method::Post, "/msi/token", "Identity_ManagedIdentityTokenLegacy", managed_identity),
    ]
}
