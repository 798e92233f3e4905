//! `login`, `logout`, `account list|show|set`.

use std::sync::Arc;

use serde_json::Value;

use super::super::args::{AccountCmd, LoginArgs};
use super::super::context::{origin, Ctx};
use super::super::{CliError, Output};
use crate::credential::{ClientSecretCredential, ARM_SCOPE, ENTRA_AUTHORITY};
use crate::http::HttpRequest;
use crate::ops::api;
use crate::profile::{
    Profile, SubscriptionEntry, UserEntry, EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, EMULATOR_TENANT_ID,
};

/// The login endpoint from `/metadata/endpoints` (no authentication needed).
async fn discover_authority(ctx: &Ctx, target: &super::super::context::Target) -> Option<String> {
    let http = ctx.http(target).ok()?;
    let url = format!("{}/metadata/endpoints?api-version={}", target.endpoint, api::METADATA);
    let resp = http.send(&HttpRequest::new(hyper::Method::GET, url)).await.ok()?;
    if !resp.is_success() {
        return None;
    }
    let v: Value = serde_json::from_slice(&resp.body).ok()?;
    let cloud = if v.is_array() { v.get(0)? } else { &v };
    cloud.pointer("/authentication/loginEndpoint").and_then(Value::as_str).map(|s| s.trim_end_matches('/').to_string())
}

pub async fn login(ctx: &Ctx, a: &LoginArgs) -> Result<Output, CliError> {
    let target = ctx.live_target()?;
    let (tenant, client_id, secret) = if a.service_principal {
        match (&a.username, &a.password, &a.tenant) {
            (Some(u), Some(p), Some(t)) => (t.clone(), u.clone(), p.clone()),
            _ => return Err(CliError::usage("--service-principal needs --username/-u, --password/-p and --tenant/-t")),
        }
    } else if a.username.is_some() || a.password.is_some() {
        return Err(CliError::usage("only service principals can log in: add --service-principal (with --tenant)"));
    } else if target.emulator {
        (
            a.tenant.clone().unwrap_or_else(|| EMULATOR_TENANT_ID.into()),
            EMULATOR_CLIENT_ID.to_string(),
            EMULATOR_CLIENT_SECRET.to_string(),
        )
    } else {
        return Err(CliError::usage(
            "interactive login is not supported: use --service-principal -u <client id> -p <secret> --tenant <tenant>",
        ));
    };
    let discovered = discover_authority(ctx, &target).await;
    let authority = discovered.clone().unwrap_or_else(|| {
        if target.emulator {
            origin(&target.endpoint)
        } else {
            ENTRA_AUTHORITY.to_string()
        }
    });
    ctx.info(&format!("requesting a token from {authority}/{tenant}"));
    let http = ctx.http(&target)?;
    let cred = ClientSecretCredential::new(&authority, &tenant, &client_id, &secret, http).with_sleeper(ctx.sleeper());
    cred.request_token(ARM_SCOPE).await?;
    let client = ctx.build_client(&target, Arc::new(cred))?;
    let subs = client.subscriptions().list().collect_all().await?;
    let previous_default = ctx.profile().and_then(|p| p.default_subscription().map(|s| s.id.clone()));
    let user = UserEntry { name: client_id.clone(), kind: "servicePrincipal".into() };
    let default_id = previous_default
        .filter(|d| subs.iter().any(|s| s.subscription_id.eq_ignore_ascii_case(d)))
        .or_else(|| subs.first().map(|s| s.subscription_id.clone()));
    let entries: Vec<SubscriptionEntry> = subs
        .iter()
        .map(|s| {
            let tid = s.tenant_id.clone().unwrap_or_else(|| tenant.clone());
            SubscriptionEntry {
                cloud_name: target.cloud_name.clone(),
                home_tenant_id: tid.clone(),
                id: s.subscription_id.clone(),
                is_default: default_id.as_deref() == Some(s.subscription_id.as_str()),
                managed_by_tenants: Vec::new(),
                name: s.display_name.clone().unwrap_or_else(|| s.subscription_id.clone()),
                state: s.state.clone().unwrap_or_else(|| "Enabled".into()),
                tenant_id: tid,
                user: user.clone(),
            }
        })
        .collect();
    // A discovered emulator may come back on other ports: keep only what was given explicitly.
    let keep = target.explicit || !target.emulator;
    let profile = Profile {
        endpoint: keep.then(|| target.endpoint.clone()),
        ca: if keep { target.ca.as_ref().map(|p| p.display().to_string()) } else { None },
        authority: if keep { authority } else { String::new() },
        tenant_id: tenant,
        client_id,
        client_secret: secret,
        subscriptions: entries.clone(),
    };
    ctx.config_dir()
        .save_profile(&profile)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", ctx.config_dir().path.display())))?;
    if entries.is_empty() {
        ctx.warn("No subscriptions found for this service principal.");
    }
    Ok(Output::Value(serde_json::to_value(entries).unwrap_or_default()))
}

pub fn logout(ctx: &Ctx) -> Result<Output, CliError> {
    ctx.config_dir().remove_profile().map_err(|e| CliError::failed(format!("cannot remove the profile: {e}")))?;
    Ok(Output::Nothing)
}

/// The profile's subscriptions; against an emulator without a login, the listed ones.
async fn entries(ctx: &Ctx) -> Result<Vec<SubscriptionEntry>, CliError> {
    if let Some(p) = ctx.profile() {
        return Ok(p.subscriptions);
    }
    let target = ctx.target();
    if !target.emulator && ctx.var("ARMCTL_ACCESS_TOKEN").is_none() {
        return Err(CliError::failed("Please run 'armctl login' to setup account."));
    }
    let client = ctx.client().await?;
    let current = client.subscription_id().unwrap_or_default().to_string();
    let subs = client.subscriptions().list().collect_all().await?;
    Ok(subs
        .into_iter()
        .map(|s| {
            let tid = s.tenant_id.clone().unwrap_or_default();
            SubscriptionEntry {
                cloud_name: target.cloud_name.clone(),
                home_tenant_id: tid.clone(),
                is_default: s.subscription_id == current,
                id: s.subscription_id,
                managed_by_tenants: Vec::new(),
                name: s.display_name.unwrap_or_default(),
                state: s.state.unwrap_or_else(|| "Enabled".into()),
                tenant_id: tid,
                user: UserEntry { name: EMULATOR_CLIENT_ID.into(), kind: "servicePrincipal".into() },
            }
        })
        .collect())
}

fn find<'a>(list: &'a [SubscriptionEntry], s: &str) -> Option<&'a SubscriptionEntry> {
    list.iter().find(|e| e.id.eq_ignore_ascii_case(s)).or_else(|| list.iter().find(|e| e.name.eq_ignore_ascii_case(s)))
}

fn account_table(v: &Value) -> Value {
    let rows = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                for (col, key) in [
                    ("Name", "name"),
                    ("CloudName", "cloudName"),
                    ("SubscriptionId", "id"),
                    ("TenantId", "tenantId"),
                    ("State", "state"),
                    ("IsDefault", "isDefault"),
                ] {
                    m.insert(col.into(), r.get(key).cloned().unwrap_or(Value::Null));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

pub async fn run(ctx: &Ctx, cmd: AccountCmd) -> Result<Output, CliError> {
    match cmd {
        AccountCmd::List => {
            let list = entries(ctx).await?;
            Ok(Output::Table(serde_json::to_value(list).unwrap_or_default(), account_table))
        }
        AccountCmd::Show => {
            let list = entries(ctx).await?;
            let chosen = match &ctx.global.subscription {
                Some(s) => find(&list, s).ok_or_else(|| {
                    CliError::failed(format!(
                        "Subscription '{s}' not found. Check the spelling and casing and try again."
                    ))
                })?,
                None => list
                    .iter()
                    .find(|e| e.is_default)
                    .or(list.first())
                    .ok_or_else(|| CliError::failed("No subscriptions found for this account."))?,
            };
            // az's `account show` names the cloud `environmentName` (`account list`: `cloudName`).
            let mut v = serde_json::to_value(chosen).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                if let Some(c) = m.remove("cloudName") {
                    m.insert("environmentName".into(), c);
                }
            }
            Ok(Output::Value(v))
        }
        AccountCmd::GetAccessToken { resource, scope, tenant } => get_access_token(ctx, resource, scope, tenant).await,
        AccountCmd::Set => {
            let s =
                ctx.global.subscription.clone().ok_or_else(|| {
                    CliError::usage("the following arguments are required: --subscription/-s/--name/-n")
                })?;
            let Some(mut p) = ctx.profile() else {
                // No login to change: a name the emulator does not have fails as az's does.
                let known = entries(ctx).await?;
                return Err(match find(&known, &s) {
                    Some(_) => CliError::failed("Please run 'armctl login' to setup account."),
                    None => CliError::failed(format!(
                        "The subscription of '{s}' doesn't exist in cloud '{}'.",
                        ctx.target().cloud_name
                    )),
                });
            };
            let id = find(&p.subscriptions, &s).map(|e| e.id.clone()).ok_or_else(|| {
                CliError::failed(format!(
                    "The subscription of '{s}' doesn't exist in cloud '{}'.",
                    p.subscriptions.first().map(|e| e.cloud_name.as_str()).unwrap_or("AzureCloud")
                ))
            })?;
            for e in &mut p.subscriptions {
                e.is_default = e.id == id;
            }
            ctx.config_dir()
                .save_profile(&p)
                .map_err(|e| CliError::failed(format!("cannot write the profile: {e}")))?;
            Ok(Output::Nothing)
        }
    }
}

/// az's `account get-access-token`: the token the login gives, when it expires (local time,
/// az's `%Y-%m-%d %H:%M:%S.%f`, and as a POSIX timestamp), the subscription and its tenant.
async fn get_access_token(
    ctx: &Ctx,
    resource: Option<String>,
    scopes: Vec<String>,
    tenant: Option<String>,
) -> Result<Output, CliError> {
    if resource.is_some() && !scopes.is_empty() {
        return Err(CliError::failed("usage error: --resource RESOURCE | --scope SCOPE"));
    }
    let client = ctx.client().await?;
    let sub = client.subscription_id()?.to_string();
    let sub_tenant = match entries(ctx).await?.into_iter().find(|e| e.id.eq_ignore_ascii_case(&sub)) {
        Some(e) => e.tenant_id,
        None => client.subscriptions().get(&sub).await?.tenant_id.unwrap_or_default(),
    };
    if let Some(t) = &tenant {
        if !t.eq_ignore_ascii_case(&sub_tenant) {
            return Err(CliError::failed(format!(
                "armctl signs in to one tenant ('{sub_tenant}'); a token for tenant '{t}' needs a login there"
            )));
        }
    }
    let scope = match (resource, scopes.is_empty()) {
        (Some(r), _) => Some(format!("{}/.default", r.trim_end_matches('/'))),
        (None, false) => Some(scopes.join(" ")),
        (None, true) => None,
    };
    let token = client.access_token(scope.as_deref()).await?;
    // az reads the expiry as whole seconds (the token's `exp`).
    let whole = chrono::DateTime::from_timestamp(token.expires_on.timestamp(), 0).unwrap_or(token.expires_on);
    let local = whole.with_timezone(&chrono::Local);
    // In az's order (`keys(@)`, tables and TSV show it; JSON output sorts the keys anyway).
    let mut out = serde_json::Map::new();
    out.insert("tokenType".into(), Value::String("Bearer".into()));
    out.insert("accessToken".into(), Value::String(token.token));
    out.insert("expires_on".into(), Value::from(token.expires_on.timestamp()));
    out.insert("expiresOn".into(), Value::String(local.format("%Y-%m-%d %H:%M:%S%.6f").to_string()));
    out.insert("tenant".into(), Value::String(sub_tenant));
    if tenant.is_none() {
        out.insert("subscription".into(), Value::String(sub));
    }
    Ok(Output::Value(Value::Object(out)))
}
