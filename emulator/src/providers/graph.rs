//! Microsoft Graph, the calls the az CLI makes (`/v1.0/…`, the cloud metadata's
//! `microsoftGraphResourceId` is the emulator): the signed-in user, users by id or UPN,
//! service principals and applications (list with `$filter`, create, `addPassword`,
//! `removePassword`) and `directoryObjects/getByIds`. Users and the configured service
//! principals come from the configuration; applications and service principals created here
//! are directory objects in the store (`Change::PutDirectoryObject`), and the token endpoint
//! accepts an application's secrets for its service principal. Everything else under
//! `/v1.0/` answers `400 Request_BadRequest` naming it. Errors are Graph's envelope, rendered
//! by `ArmError::into_response` (`Access::Graph`).

use serde_json::{json, Map, Value};

use crate::config::{ServicePrincipal, User};
use crate::model::time::arm_time;
use crate::model::DirectoryObject;
use crate::protocol::router::{Access, Route};
use crate::protocol::{ArmError, ArmRequest, ArmResponse, ArmResult, Method};
use crate::providers::{Ctx, Handler};
use crate::store::State;

const APPLICATION: &str = "application";
const SERVICE_PRINCIPAL: &str = "servicePrincipal";

fn not_found(id: &str) -> ArmError {
    ArmError::graph_not_found(id)
}

fn bad_request(message: impl Into<String>) -> ArmError {
    ArmError::graph_bad_request(message)
}

/// The tenant whose directory the caller sees: its token's, else the default tenant.
fn tenant_of(ctx: &Ctx, req: &ArmRequest) -> String {
    req.caller()
        .and_then(|p| p.tenant_id.clone())
        .or_else(|| ctx.config().tenants.first().map(|t| t.tenant_id.clone()))
        .unwrap_or_default()
}

fn context(req: &ArmRequest, set: &str) -> String {
    format!("{}/v1.0/$metadata#{set}", req.base_url())
}

fn user_json(u: &User) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": u.object_id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": null,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": null,
        "userPrincipalName": u.user_principal_name,
    })
}

/// A configured service principal as Graph shows it (it has no application object here).
fn configured_sp_json(p: &ServicePrincipal) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.servicePrincipal",
        "id": p.object_id,
        "accountEnabled": true,
        "appDisplayName": p.display_name,
        "appId": p.client_id,
        "appOwnerOrganizationId": p.tenant_id,
        "displayName": p.display_name,
        "keyCredentials": [],
        "passwordCredentials": [],
        "servicePrincipalNames": [p.client_id],
        "servicePrincipalType": "Application",
        "tags": [],
    })
}

fn users_in<'a>(ctx: &'a Ctx, tenant: &'a str) -> impl Iterator<Item = &'a User> + 'a {
    ctx.config().users.iter().filter(move |u| u.tenant_id.eq_ignore_ascii_case(tenant))
}

/// Every service principal of the tenant: the configured ones, then those created here.
fn service_principals(ctx: &Ctx, s: &State, tenant: &str) -> Vec<Value> {
    ctx.config()
        .service_principals
        .iter()
        .filter(|p| p.tenant_id.eq_ignore_ascii_case(tenant))
        .map(configured_sp_json)
        .chain(objects(s, tenant, SERVICE_PRINCIPAL).map(|o| o.body.clone()))
        .collect()
}

fn objects<'a>(s: &'a State, tenant: &'a str, kind: &'a str) -> impl Iterator<Item = &'a DirectoryObject> + 'a {
    s.directory_objects().filter(move |o| o.kind == kind && o.tenant_id.eq_ignore_ascii_case(tenant))
}

// ---- $filter ----

/// One clause of the `$filter`s the az CLI sends.
enum Clause {
    /// `prop eq 'v'`
    Eq(String, String),
    /// `startswith(prop,'v')`
    StartsWith(String, String),
    /// `coll/any(x:x eq 'v')`
    Any(String, String),
}

/// A quoted OData string literal (`''` is a quote).
fn literal(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// Parses `clause and clause …`; anything else is Graph's `Request_UnsupportedQuery`.
fn parse_filter(filter: &str) -> ArmResult<Vec<Clause>> {
    let unsupported = || ArmError::graph_unsupported_query(filter);
    let mut out = Vec::new();
    for part in filter.split(" and ") {
        let part = part.trim();
        if let Some(rest) = part.strip_prefix("startswith(").and_then(|r| r.strip_suffix(')')) {
            let (prop, value) = rest.split_once(',').ok_or_else(unsupported)?;
            out.push(Clause::StartsWith(prop.trim().to_string(), literal(value).ok_or_else(unsupported)?));
        } else if let Some((coll, rest)) = part.split_once("/any(") {
            let body = rest.strip_suffix(')').ok_or_else(unsupported)?;
            let (var, cond) = body.split_once(':').ok_or_else(unsupported)?;
            let value = cond.trim().strip_prefix(var.trim()).and_then(|c| c.trim().strip_prefix("eq "));
            out.push(Clause::Any(coll.trim().to_string(), value.and_then(literal).ok_or_else(unsupported)?));
        } else if let Some((prop, value)) = part.split_once(" eq ") {
            out.push(Clause::Eq(prop.trim().to_string(), literal(value).ok_or_else(unsupported)?));
        } else {
            return Err(unsupported());
        }
    }
    Ok(out)
}

/// Graph compares strings in filters without regard to case.
fn matches(o: &Value, clauses: &[Clause]) -> bool {
    let text = |p: &str| o.get(p).and_then(Value::as_str).map(str::to_lowercase);
    clauses.iter().all(|c| match c {
        Clause::Eq(p, v) => text(p).is_some_and(|t| t == v.to_lowercase()),
        Clause::StartsWith(p, v) => text(p).is_some_and(|t| t.starts_with(&v.to_lowercase())),
        Clause::Any(p, v) => o
            .get(p)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(v)))),
    })
}

/// A collection answer, filtered by `$filter` when there is one.
fn collection(req: &ArmRequest, set: &str, items: Vec<Value>) -> ArmResult<ArmResponse> {
    let clauses = match req.query("$filter") {
        Some(f) if !f.trim().is_empty() => parse_filter(f)?,
        _ => Vec::new(),
    };
    let value: Vec<Value> = items.into_iter().filter(|o| matches(o, &clauses)).map(strip_type).collect();
    Ok(ArmResponse::ok(json!({"@odata.context": context(req, set), "value": value})))
}

/// Lists and single reads carry no `@odata.type` (only `getByIds` does, as Graph answers).
fn strip_type(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("@odata.type");
    }
    v
}

fn entity(req: &ArmRequest, set: &str, v: Value) -> ArmResponse {
    let mut v = strip_type(v);
    if let Some(m) = v.as_object_mut() {
        m.insert("@odata.context".into(), json!(context(req, &format!("{set}/$entity"))));
    }
    ArmResponse::ok(v)
}

// ---- users ----

/// `GET /v1.0/me`: the signed-in user (an application's token has none).
fn me(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let caller =
        req.caller().ok_or_else(|| bad_request("/me request is only valid with delegated authentication flow."))?;
    if caller.upn.is_none() {
        return Err(bad_request("/me request is only valid with delegated authentication flow."));
    }
    let user = ctx
        .config()
        .users
        .iter()
        .find(|u| u.object_id.eq_ignore_ascii_case(&caller.object_id))
        .ok_or_else(|| not_found(&caller.object_id))?;
    Ok(entity(req, "users", user_json(user)))
}

/// `GET /v1.0/users/{id or UPN}`.
fn get_user(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("id")?;
    let tenant = tenant_of(ctx, req);
    let user = users_in(ctx, &tenant)
        .find(|u| u.object_id.eq_ignore_ascii_case(id) || u.user_principal_name.eq_ignore_ascii_case(id))
        .ok_or_else(|| not_found(id))?;
    Ok(entity(req, "users", user_json(user)))
}

/// `GET /v1.0/users[?$filter=…]`.
fn list_users(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let tenant = tenant_of(ctx, req);
    collection(req, "users", users_in(ctx, &tenant).map(user_json).collect())
}

// ---- service principals ----

/// `GET /v1.0/servicePrincipals[?$filter=…]`.
fn list_service_principals(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let tenant = tenant_of(ctx, req);
    let items = ctx.store().read(|s| service_principals(ctx, s, &tenant));
    collection(req, "servicePrincipals", items)
}

/// `GET /v1.0/servicePrincipals/{id}`.
fn get_service_principal(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("id")?;
    let tenant = tenant_of(ctx, req);
    let sp = ctx.store().read(|s| {
        service_principals(ctx, s, &tenant)
            .into_iter()
            .find(|o| o.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(id)))
    });
    Ok(entity(req, "servicePrincipals", sp.ok_or_else(|| not_found(id))?))
}

/// `POST /v1.0/servicePrincipals` `{"appId": …}`: the service principal of an application
/// of the caller's tenant (one per application).
fn create_service_principal(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let app_id = body.get("appId").and_then(Value::as_str).unwrap_or("").to_string();
    if app_id.is_empty() {
        return Err(bad_request("Property 'appId' is required when creating a service principal."));
    }
    let tenant = tenant_of(ctx, req);
    let id = ctx.ids().guid();
    let now = arm_time(ctx.now());
    let created = ctx.store().commit(|s: &State| {
        let Some(app) = objects(s, &tenant, APPLICATION).find(|a| a.app_id.eq_ignore_ascii_case(&app_id)) else {
            return Err(bad_request(format!(
                "The appId '{app_id}' of the service principal does not reference a valid application object."
            )));
        };
        if service_principals(ctx, s, &tenant)
            .iter()
            .any(|p| p.get("appId").and_then(Value::as_str).is_some_and(|a| a.eq_ignore_ascii_case(&app_id)))
        {
            return Err(ArmError::graph_duplicate(
                "Another object with the same value for property servicePrincipalNames already exists.",
            ));
        }
        let name = app.body.get("displayName").cloned().unwrap_or(Value::Null);
        let sp = json!({
            "@odata.type": "#microsoft.graph.servicePrincipal",
            "id": id,
            "accountEnabled": body.get("accountEnabled").and_then(Value::as_bool).unwrap_or(true),
            "appDisplayName": name,
            "appId": app.app_id,
            "appOwnerOrganizationId": tenant,
            "createdDateTime": now,
            "displayName": name,
            "keyCredentials": [],
            "passwordCredentials": [],
            "servicePrincipalNames": [app.app_id],
            "servicePrincipalType": "Application",
            "signInAudience": "AzureADMyOrg",
            "tags": [],
        });
        let object = DirectoryObject {
            id: id.clone(),
            tenant_id: tenant.clone(),
            kind: SERVICE_PRINCIPAL.into(),
            app_id: app.app_id.clone(),
            body: sp.clone(),
            secrets: Default::default(),
        };
        Ok((vec![crate::store::Change::PutDirectoryObject { object }], sp))
    })?;
    let mut resp = entity(req, "servicePrincipals", created);
    resp.status = 201;
    Ok(resp)
}

// ---- applications ----

fn list_applications(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let tenant = tenant_of(ctx, req);
    let items = ctx.store().read(|s| objects(s, &tenant, APPLICATION).map(|o| o.body.clone()).collect());
    collection(req, "applications", items)
}

fn get_application(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let id = req.param("id")?;
    let tenant = tenant_of(ctx, req);
    let app = ctx.store().read(|s| {
        s.directory_object(id)
            .filter(|o| o.kind == APPLICATION && o.tenant_id.eq_ignore_ascii_case(&tenant))
            .map(|o| o.body.clone())
    });
    Ok(entity(req, "applications", app.ok_or_else(|| not_found(id))?))
}

/// The application properties a create keeps from its body (what az sends), besides those
/// the directory assigns.
const APPLICATION_PROPERTIES: &[&str] = &[
    "displayName",
    "identifierUris",
    "isFallbackPublicClient",
    "serviceManagementReference",
    "signInAudience",
    "api",
    "web",
    "publicClient",
    "appRoles",
    "optionalClaims",
    "requiredResourceAccess",
    "keyCredentials",
    "tags",
];

/// `POST /v1.0/applications`.
fn create_application(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let Some(name) = body.get("displayName").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return Err(bad_request("Property 'displayName' is required when creating an application."));
    };
    let tenant = tenant_of(ctx, req);
    let (id, app_id) = (ctx.ids().guid(), ctx.ids().guid());
    let mut app = Map::new();
    app.insert("@odata.type".into(), json!("#microsoft.graph.application"));
    app.insert("id".into(), json!(id));
    app.insert("appId".into(), json!(app_id));
    app.insert("createdDateTime".into(), json!(arm_time(ctx.now())));
    app.insert("displayName".into(), json!(name));
    app.insert("publisherDomain".into(), json!(default_domain(ctx, &tenant)));
    for key in ["identifierUris", "keyCredentials", "appRoles", "requiredResourceAccess", "tags"] {
        app.insert(key.into(), json!([]));
    }
    app.insert("signInAudience".into(), json!("AzureADMyOrg"));
    for key in APPLICATION_PROPERTIES {
        if let Some(v) = body.get(*key).filter(|v| !v.is_null()) {
            app.insert((*key).into(), v.clone());
        }
    }
    app.insert("passwordCredentials".into(), json!([]));
    let app = Value::Object(app);
    let object = DirectoryObject {
        id: id.clone(),
        tenant_id: tenant,
        kind: APPLICATION.into(),
        app_id,
        body: app.clone(),
        secrets: Default::default(),
    };
    ctx.store()
        .commit(|_: &State| Ok::<_, ArmError>((vec![crate::store::Change::PutDirectoryObject { object }], ())))?;
    let mut resp = entity(req, "applications", app);
    resp.status = 201;
    Ok(resp)
}

fn default_domain(ctx: &Ctx, tenant: &str) -> String {
    ctx.store().read(|s| s.tenant(tenant).map(|t| t.default_domain.clone())).unwrap_or_default()
}

/// The caller's tenant's application `id`, changed by `edit` in one commit.
fn update_application<R>(
    ctx: &Ctx,
    req: &ArmRequest,
    edit: impl FnOnce(&mut DirectoryObject) -> ArmResult<R>,
) -> ArmResult<R> {
    let id = req.param("id")?.to_string();
    let tenant = tenant_of(ctx, req);
    ctx.store().commit(|s: &State| {
        let mut app = s
            .directory_object(&id)
            .filter(|o| o.kind == APPLICATION && o.tenant_id.eq_ignore_ascii_case(&tenant))
            .cloned()
            .ok_or_else(|| not_found(&id))?;
        let r = edit(&mut app)?;
        Ok((vec![crate::store::Change::PutDirectoryObject { object: app }], r))
    })
}

/// `POST /v1.0/applications/{id}/addPassword`: a new client secret, whose text is answered
/// this once (the credential keeps its first three characters as `hint`).
fn add_password(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let cred = body.get("passwordCredential").and_then(Value::as_object).cloned().unwrap_or_default();
    let key_id = ctx.ids().guid();
    let secret = format!("{}~{}", ctx.ids().hex(3), ctx.ids().hex(36));
    let now = ctx.now();
    let start = cred.get("startDateTime").cloned().unwrap_or_else(|| json!(arm_time(now)));
    let end = cred
        .get("endDateTime")
        .cloned()
        .unwrap_or_else(|| json!(arm_time(crate::model::time::add(now, chrono::Duration::days(730)))));
    let stored = json!({
        "customKeyIdentifier": null,
        "displayName": cred.get("displayName").cloned().unwrap_or(Value::Null),
        "endDateTime": end,
        "hint": &secret[..3],
        "keyId": key_id,
        "secretText": null,
        "startDateTime": start,
    });
    update_application(ctx, req, |app| {
        app.secrets.insert(key_id.clone(), secret.clone());
        if let Some(list) = app.body.get_mut("passwordCredentials").and_then(Value::as_array_mut) {
            list.push(stored.clone());
        }
        Ok(())
    })?;
    let mut answer = stored;
    answer["secretText"] = json!(secret);
    answer["@odata.context"] = json!(context(req, "microsoft.graph.passwordCredential"));
    Ok(ArmResponse::ok(answer))
}

/// `POST /v1.0/applications/{id}/removePassword` `{"keyId": …}`.
fn remove_password(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let key_id = body.get("keyId").and_then(Value::as_str).unwrap_or("").to_string();
    update_application(ctx, req, |app| {
        if app.secrets.remove(&key_id).is_none() {
            return Err(bad_request(format!("No password credential found with keyId '{key_id}'.")));
        }
        if let Some(list) = app.body.get_mut("passwordCredentials").and_then(Value::as_array_mut) {
            list.retain(|c| c.get("keyId").and_then(Value::as_str) != Some(key_id.as_str()));
        }
        Ok(())
    })?;
    Ok(ArmResponse::empty(204))
}

// ---- directory objects ----

/// `POST /v1.0/directoryObjects/getByIds` `{"ids": […], "types": […]}`: the users, service
/// principals and applications with those ids, each with its `@odata.type`.
fn get_by_ids(ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    let body = req.json_object()?;
    let Some(ids) = body.get("ids").and_then(Value::as_array) else {
        return Err(bad_request("Property 'ids' is required."));
    };
    let types: Option<Vec<String>> = body
        .get("types")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).map(str::to_lowercase).collect());
    let tenant = tenant_of(ctx, req);
    let mut all: Vec<Value> = users_in(ctx, &tenant).map(user_json).collect();
    ctx.store().read(|s| {
        all.extend(service_principals(ctx, s, &tenant));
        all.extend(objects(s, &tenant, APPLICATION).map(|o| o.body.clone()));
    });
    let wanted = |o: &Value| {
        let kind = o.get("@odata.type").and_then(Value::as_str).unwrap_or("").trim_start_matches("#microsoft.graph.");
        types.as_ref().is_none_or(|t| t.is_empty() || t.iter().any(|x| x.eq_ignore_ascii_case(kind)))
    };
    let value: Vec<Value> = ids
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|id| {
            all.iter().find(|o| o.get("id").and_then(Value::as_str).is_some_and(|i| i.eq_ignore_ascii_case(id)))
        })
        .filter(|o| wanted(o))
        .cloned()
        .collect();
    Ok(ArmResponse::ok(json!({"@odata.context": context(req, "directoryObjects"), "value": value})))
}

/// Any other Graph call: refused, naming it (never answered with an invented success).
fn not_emulated(_ctx: &Ctx, req: &ArmRequest) -> ArmResult<ArmResponse> {
    Err(bad_request(format!(
        "The emulator does not emulate this Microsoft Graph request: {} {}. It serves /me, users, servicePrincipals, applications (create, get, list, addPassword, removePassword) and directoryObjects/getByIds.",
        req.method.as_str(),
        req.raw_path()
    )))
}

pub fn routes() -> Vec<Route<Handler>> {
    let r =
        |method, pattern, operation, handler: Handler| Route::new(method, pattern, operation, Access::Graph, handler);
    let mut out = vec![
        r(Method::Get, "/v1.0/me", "Graph_Me", me),
        r(Method::Get, "/v1.0/users", "Graph_ListUsers", list_users),
        r(Method::Get, "/v1.0/users/{id}", "Graph_GetUser", get_user),
        r(Method::Get, "/v1.0/servicePrincipals", "Graph_ListServicePrincipals", list_service_principals),
        r(Method::Post, "/v1.0/servicePrincipals", "Graph_CreateServicePrincipal", create_service_principal),
        r(Method::Get, "/v1.0/servicePrincipals/{id}", "Graph_GetServicePrincipal", get_service_principal),
        r(Method::Get, "/v1.0/applications", "Graph_ListApplications", list_applications),
        r(Method::Post, "/v1.0/applications", "Graph_CreateApplication", create_application),
        r(Method::Get, "/v1.0/applications/{id}", "Graph_GetApplication", get_application),
        r(Method::Post, "/v1.0/applications/{id}/addPassword", "Graph_AddPassword", add_password),
        r(Method::Post, "/v1.0/applications/{id}/removePassword", "Graph_RemovePassword", remove_password),
        r(Method::Post, "/v1.0/directoryObjects/getByIds", "Graph_GetByIds", get_by_ids),
    ];
    for m in [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete] {
        out.push(r(m, "/v1.0/{*rest}", "Graph_NotEmulated", not_emulated));
    }
    out
}

/// The object id of the service principal whose application `client_id` of `tenant` has
/// the client secret `secret` (what the token endpoint accepts besides configured principals).
pub fn secret_principal(s: &State, tenant: &str, client_id: &str, secret: &str) -> Option<String> {
    let app = objects(s, tenant, APPLICATION).find(|a| a.app_id.eq_ignore_ascii_case(client_id))?;
    if !app.secrets.values().any(|t| t == secret) {
        return None;
    }
    objects(s, tenant, SERVICE_PRINCIPAL).find(|p| p.app_id.eq_ignore_ascii_case(client_id)).map(|p| p.id.clone())
}

/// True when `tenant` has an application with this application id.
pub fn has_application(s: &State, tenant: &str, client_id: &str) -> bool {
    objects(s, tenant, APPLICATION).any(|a| a.app_id.eq_ignore_ascii_case(client_id))
}
