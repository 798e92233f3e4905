//! The Entra ID look-alike and the managed-identity endpoints (SPEC §2).

use armemu::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_OBJECT_ID, DEFAULT_TENANT_ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use conformance::*;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use rstest::rstest;
use serde_json::{json, Value};
use sha2::Sha256;

/// 2026-01-01T00:00:00Z, where the test clock is frozen.
const T0: i64 = 1_767_225_600;

fn b64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).unwrap_or_else(|e| panic!("base64url {s}: {e}"))
}

/// Splits a JWT, verifies its RS256 signature against the JWKS at `jwks_path`, returns (header, claims).
fn verify_jwt(http: &Http, jwks_path: &str, token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWS compact token: {token}");
    let header: Value = serde_json::from_slice(&b64(parts[0])).unwrap();
    let claims: Value = serde_json::from_slice(&b64(parts[1])).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    let jwks = http.get(jwks_path).expect(200).json();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("no key {} in {jwks}", header["kid"]))
        .clone();
    assert_eq!(key["kty"], "RSA");
    let n = BigUint::from_bytes_be(&b64(key["n"].as_str().unwrap()));
    let e = BigUint::from_bytes_be(&b64(key["e"].as_str().unwrap()));
    let vk = VerifyingKey::<Sha256>::new(RsaPublicKey::new(n, e).expect("RSA public key"));
    let sig = Signature::try_from(b64(parts[2]).as_slice()).expect("signature bytes");
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).expect("the signature verifies against the JWKS");
    // A tampered payload does not.
    let tampered = format!("{}.{}", parts[0], URL_SAFE_NO_PAD.encode(b"{\"oid\":\"someone-else\"}"));
    assert!(vk.verify(tampered.as_bytes(), &sig).is_err());
    (header, claims)
}

fn sp_form(scope: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("scope", scope),
    ]
}

#[test]
fn openid_configuration_points_at_the_https_token_endpoint() {
    let t = require_emulator!();
    let https = t.https();
    let base = t.emu().https.clone();
    let c = https
        .anonymous()
        .get(&format!("/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration"))
        .expect(200)
        .json();
    assert_eq!(c["token_endpoint"], format!("{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"));
    assert_eq!(c["issuer"], format!("{base}/{DEFAULT_TENANT_ID}/v2.0"));
    assert_eq!(c["jwks_uri"], format!("{base}/{DEFAULT_TENANT_ID}/discovery/v2.0/keys"));
    assert_eq!(c["authorization_endpoint"], format!("{base}/{DEFAULT_TENANT_ID}/oauth2/v2.0/authorize"));
    assert!(c["id_token_signing_alg_values_supported"].as_array().unwrap().contains(&json!("RS256")));
    // The tenant's domain and `organizations` resolve too.
    https.anonymous().get("/armemu.onmicrosoft.com/v2.0/.well-known/openid-configuration").expect(200);
    let org = https.anonymous().get("/organizations/v2.0/.well-known/openid-configuration").expect(200).json();
    assert_eq!(org["token_endpoint"], format!("{base}/organizations/oauth2/v2.0/token"));
}

#[test]
fn openid_configuration_of_an_unknown_tenant_is_404() {
    let t = require_emulator!();
    let r = t.anonymous().get("/11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration");
    check_error(&r, 404, "TenantNotFound", "The tenant '11111111-2222-3333-4444-555555555555' could not be found.");
}

#[test]
fn instance_discovery() {
    let t = require_emulator!();
    let r = t
        .https()
        .anonymous()
        .get("/common/discovery/instance?api-version=1.1&authorization_endpoint=x")
        .expect(200)
        .json();
    assert_eq!(
        r["tenant_discovery_endpoint"],
        format!("{}/common/v2.0/.well-known/openid-configuration", t.emu().https)
    );
}

#[test]
fn client_credentials_token_is_an_rs256_jwt_that_verifies() {
    let t = require_emulator!();
    let https = t.https().anonymous();
    let base = t.emu().https.clone();
    let r = https
        .post_form(
            &format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"),
            &[],
            &sp_form("https://management.azure.com/.default"),
        )
        .expect(200)
        .json();
    assert_eq!(sorted(&["token_type", "expires_in", "ext_expires_in", "access_token"]), keys(&r));
    assert_eq!(r["token_type"], "Bearer");
    assert_eq!(r["expires_in"], 3599);
    let token = r["access_token"].as_str().unwrap();
    let (_, claims) = verify_jwt(&https, &format!("/{DEFAULT_TENANT_ID}/discovery/v2.0/keys"), token);
    assert_eq!(claims["aud"], "https://management.azure.com");
    assert_eq!(claims["iss"], format!("{base}/{DEFAULT_TENANT_ID}/v2.0"));
    assert_eq!(claims["tid"], DEFAULT_TENANT_ID);
    assert_eq!(claims["oid"], DEFAULT_OBJECT_ID);
    assert_eq!(claims["appid"], DEFAULT_CLIENT_ID);
    assert_eq!(claims["iat"], T0);
    assert_eq!(claims["nbf"], T0);
    assert_eq!(claims["exp"], T0 + 3599);
    // The token works on ARM, and writes are attributed to the application.
    let rg = format!("{}/resourcegroups/by-token?api-version={API}", t.sub());
    let h = format!("Bearer {token}");
    let created = t
        .request(
            "PUT",
            &rg,
            &[("Authorization", &h), ("Content-Type", "application/json")],
            Some(br#"{"location":"westeurope"}"#.to_vec()),
        )
        .expect(201);
    assert_eq!(created.json()["name"], "by-token");
    t.create_group("rg1", "westeurope");
    let sa = format!("{}/providers/Microsoft.Storage/storageAccounts/sa1?api-version=2019-06-01", t.rg("rg1"));
    let r = t
        .request(
            "PUT",
            &sa,
            &[("Authorization", &h), ("Content-Type", "application/json")],
            Some(br#"{"location":"westeurope"}"#.to_vec()),
        )
        .expect(200)
        .json();
    assert_eq!(r["systemData"]["createdBy"], DEFAULT_CLIENT_ID);
    assert_eq!(r["systemData"]["createdByType"], "Application");
}

#[test]
fn token_lifetime_follows_the_clock() {
    let t = require_emulator!();
    t.advance(3600);
    let https = t.https().anonymous();
    let r = https
        .post_form(
            &format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"),
            &[],
            &sp_form("https://management.azure.com/.default"),
        )
        .expect(200)
        .json();
    let (_, claims) =
        verify_jwt(&https, &format!("/{DEFAULT_TENANT_ID}/discovery/v2.0/keys"), r["access_token"].as_str().unwrap());
    assert_eq!(claims["iat"], T0 + 3600);
    assert_eq!(claims["exp"], T0 + 3600 + 3599);
}

/// An AAD OAuth error: `{"error", "error_description": "AADSTS{code}: …", "error_codes": [code], …}`.
fn check_oauth_error(r: &Resp, status: u16, error: &str, code: u64) {
    assert_eq!(r.status, status, "{r:?}");
    let v = r.json();
    assert_eq!(v["error"], error, "{v}");
    assert_eq!(v["error_codes"], json!([code]), "{v}");
    let d = v["error_description"].as_str().unwrap_or_default();
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(v.get(k).is_some(), "{k} in {v}");
    }
}

#[test]
fn wrong_secret_is_401_invalid_client() {
    let t = require_emulator!();
    let r = t.anonymous().post_form(
        &format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"),
        &[],
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("scope", "https://management.azure.com/.default"),
        ],
    );
    check_oauth_error(&r, 401, "invalid_client", 7000215);
}

#[test]
fn unknown_client_is_400_unauthorized_client() {
    let t = require_emulator!();
    let r = t.anonymous().post_form(
        &format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"),
        &[],
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "99999999-9999-4999-8999-999999999999"),
            ("client_secret", "x"),
            ("scope", "https://management.azure.com/.default"),
        ],
    );
    check_oauth_error(&r, 400, "unauthorized_client", 700016);
    assert!(r.json()["error_description"].as_str().unwrap().contains("'99999999-9999-4999-8999-999999999999'"));
}

#[rstest]
// (`password` and `authorization_code` are users' grants now: tests/auth/users.rs.)
#[case::on_behalf_of("urn:ietf:params:oauth:grant-type:jwt-bearer")]
#[case::missing("")]
#[case::saml("urn:ietf:params:oauth:grant-type:saml1_1-bearer")]
fn unsupported_grant_is_400(#[case] grant: &str) {
    let t = require_emulator!();
    let mut form = sp_form("https://management.azure.com/.default");
    form[0].1 = grant;
    let r = t.anonymous().post_form(&format!("/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"), &[], &form);
    check_oauth_error(&r, 400, "unsupported_grant_type", 70003);
}

#[test]
fn unknown_tenant_on_the_token_endpoint_is_400() {
    let t = require_emulator!();
    let r = t.anonymous().post_form(
        "/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token",
        &[],
        &sp_form("https://management.azure.com/.default"),
    );
    check_oauth_error(&r, 400, "invalid_request", 90002);
}

#[rstest]
#[case::adfs("/adfs/oauth2/token")]
#[case::v1_tenant("/{tenant}/oauth2/token")]
#[case::common_v2("/common/oauth2/v2.0/token")]
fn token_endpoint_forms(#[case] path: &str) {
    let t = require_emulator!();
    let path = path.replace("{tenant}", DEFAULT_TENANT_ID);
    let http = t.anonymous();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("client_secret", DEFAULT_CLIENT_SECRET),
        ("resource", "https://management.core.windows.net/"),
    ];
    let r = http.post_form(&path, &[], &form).expect(200).json();
    let (_, claims) =
        verify_jwt(&http, &format!("/{DEFAULT_TENANT_ID}/discovery/keys"), r["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://management.core.windows.net/");
    assert_eq!(claims["tid"], DEFAULT_TENANT_ID);
    assert_eq!(claims["appid"], DEFAULT_CLIENT_ID);
}

#[test]
fn managed_identity_get_with_identity_header() {
    let t = require_emulator!();
    let http = t.anonymous();
    let r = http
        .request(
            "GET",
            &format!("/msi/token?api-version=2019-08-01&resource={}", qv("https://management.azure.com/")),
            &[("X-IDENTITY-HEADER", "any-secret")],
            None,
        )
        .expect(200)
        .json();
    assert_eq!(sorted(&["access_token", "expires_on", "resource", "token_type", "client_id"]), keys(&r));
    assert_eq!(r["token_type"], "Bearer");
    assert_eq!(r["resource"], "https://management.azure.com/");
    assert_eq!(r["client_id"], DEFAULT_CLIENT_ID);
    assert_eq!(r["expires_on"], (T0 + 3599).to_string(), "expires_on is a string of epoch seconds");
    let (_, claims) =
        verify_jwt(&http, &format!("/{DEFAULT_TENANT_ID}/discovery/v2.0/keys"), r["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "https://management.azure.com/");
    assert_eq!(claims["oid"], DEFAULT_OBJECT_ID);
}

#[test]
fn managed_identity_legacy_post_form() {
    let t = require_emulator!();
    let r = t
        .anonymous()
        .post_form("/msi/token", &[("Metadata", "true")], &[("resource", "https://management.azure.com/")])
        .expect(200)
        .json();
    assert_eq!(r["resource"], "https://management.azure.com/");
    assert!(r["access_token"].as_str().is_some_and(|s| s.split('.').count() == 3));
}

#[test]
fn managed_identity_without_the_header_is_400() {
    let t = require_emulator!();
    let r = t
        .anonymous()
        .get(&format!("/msi/token?api-version=2019-08-01&resource={}", qv("https://management.azure.com/")));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"error": "invalid_request", "error_description": "Required metadata header not specified"})
    );
}

#[test]
fn managed_identity_without_a_resource_is_400() {
    let t = require_emulator!();
    let r = t.anonymous().request("GET", "/msi/token?api-version=2019-08-01", &[("X-IDENTITY-HEADER", "x")], None);
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"})
    );
}
