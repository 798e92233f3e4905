"""azure-identity 1.27 credentials against the emulator's Entra look-alike."""

import base64
import json
import time
import uuid

import jwt
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, ManagedIdentityCredential

ARM_SCOPE = "https://management.azure.com/.default"


def claims_of(token):
    """The payload of a JWT, decoded by hand (no signature check)."""
    parts = token.split(".")
    assert len(parts) == 3, f"not a JWT: {token[:40]}..."
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def test_client_secret_token_claims(env, credential):
    before = int(time.time())
    tok = credential.get_token(ARM_SCOPE)
    c = claims_of(tok.token)
    assert c["tid"] == env.tenant
    assert c["appid"] == env.client_id
    assert str(uuid.UUID(c["oid"])) == c["oid"]
    assert c["aud"] == "https://management.azure.com"
    assert c["exp"] > before + 600
    assert abs(tok.expires_on - c["exp"]) <= 5
    assert c["iss"].rstrip("/").endswith(env.tenant) or env.tenant in c["iss"]


def test_client_secret_token_signature_verifies_against_jwks(env, credential):
    tok = credential.get_token(ARM_SCOPE).token
    oidc = requests.get(
        f"{env.endpoint}/{env.tenant}/v2.0/.well-known/openid-configuration", verify=env.bundle, timeout=30
    ).json()
    assert oidc["token_endpoint"] == f"{env.endpoint}/{env.tenant}/oauth2/v2.0/token"
    keys = requests.get(oidc["jwks_uri"], verify=env.bundle, timeout=30).json()["keys"]
    kid = jwt.get_unverified_header(tok)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    c = jwt.decode(
        tok,
        jwt.PyJWK(jwk).key,
        algorithms=["RS256"],
        audience="https://management.azure.com",
    )
    assert c["tid"] == env.tenant
    # A tampered payload must not verify.
    head, payload, sig = tok.split(".")
    forged = dict(c, appid="00000000-0000-0000-0000-000000000000")
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged_payload}.{sig}", jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=c["aud"])


def test_wrong_secret_is_client_authentication_error(env):
    bad = ClientSecretCredential(
        env.tenant, env.client_id, "not-the-secret", authority=env.endpoint, disable_instance_discovery=True
    )
    with pytest.raises(ClientAuthenticationError) as e:
        bad.get_token(ARM_SCOPE)
    assert "AADSTS7000215" in str(e.value)


def test_unknown_client_is_client_authentication_error(env):
    bad = ClientSecretCredential(
        env.tenant, str(uuid.uuid4()), env.client_secret, authority=env.endpoint, disable_instance_discovery=True
    )
    with pytest.raises(ClientAuthenticationError) as e:
        bad.get_token(ARM_SCOPE)
    assert "AADSTS700016" in str(e.value)


def test_managed_identity_credential(env, monkeypatch):
    assert env.msi_endpoint.startswith("http://")
    monkeypatch.setenv("IDENTITY_ENDPOINT", env.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", "interop-header")
    for k in ("IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_SECRET", "AZURE_POD_IDENTITY_AUTHORITY_HOST"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.delenv("MSI_ENDPOINT", raising=False)
    cred = ManagedIdentityCredential()
    tok = cred.get_token(ARM_SCOPE)
    c = claims_of(tok.token)
    assert c["aud"] == "https://management.azure.com"
    assert c["tid"] == env.tenant
    assert c["appid"] == env.client_id
    assert tok.expires_on > time.time() + 600


def test_managed_identity_endpoint_requires_header(env):
    r = requests.get(env.msi_endpoint, params={"api-version": "2019-08-01", "resource": "https://management.azure.com"}, timeout=30)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
