"""Strict authentication and enforced RBAC (`armemu --auth strict`, issue 12) seen by unmodified
azure-identity, azure-mgmt-resource and azure-mgmt-authorization.

The test starts an armemu of its own in strict mode (ARMEMU_BINARY, free ports, its own data
directory, so its CA and signing key are its own) with a config file adding a second service
principal (no role) in the default tenant, and a second tenant with a subscription and a
principal of its own. The built-in principal, the default tenant's first, owns the default
subscription. The instance is killed by the `own_armemu` fixture's finalizer.
"""

import json
import os
import shlex
import subprocess

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

SP2_CLIENT = "5e2b8c1d-0000-4000-8000-0000000000c2"
SP2_SECRET = "second-secret"
SP2_OID = "5e2b8c1d-0000-4000-8000-0000000000a2"
TENANT2 = "7a000000-0000-4000-8000-000000000002"
SUB2 = "7b000000-0000-4000-8000-000000000002"
SP3_CLIENT = "7c000000-0000-4000-8000-0000000000c3"
SP3_SECRET = "third-secret"
SP3_OID = "7c000000-0000-4000-8000-0000000000a3"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


@pytest.fixture
def strict(own_armemu, tmp_path):
    config = {
        "tenants": [{"tenantId": TENANT2, "displayName": "Second", "defaultDomain": "second.onmicrosoft.com"}],
        "subscriptions": [{"subscriptionId": SUB2, "tenantId": TENANT2, "displayName": "Second"}],
        "servicePrincipals": [
            {"clientId": SP2_CLIENT, "clientSecret": SP2_SECRET, "objectId": SP2_OID, "displayName": "second",
             "tenantId": "4a6e0a6c-1c5f-4c43-9a1e-7e57a2e0f001"},
            {"clientId": SP3_CLIENT, "clientSecret": SP3_SECRET, "objectId": SP3_OID, "displayName": "third",
             "tenantId": TENANT2},
        ],
    }
    path = tmp_path / "armemu.json"
    path.write_text(json.dumps(config))
    return own_armemu("--auth", "strict", "--config", str(path), "--data-dir", str(tmp_path / "data"))


def credential(inst, tenant, client, secret):
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        tenant, client, secret, authority=inst.https, disable_instance_discovery=True, connection_verify=inst.bundle
    )


def resources(inst, cred, subscription):
    from azure.mgmt.resource.resources import ResourceManagementClient

    return ResourceManagementClient(cred, subscription, base_url=inst.https, connection_verify=inst.bundle)


def authorization(inst, cred, subscription):
    from azure.mgmt.authorization import AuthorizationManagementClient

    return AuthorizationManagementClient(cred, subscription, base_url=inst.https, connection_verify=inst.bundle)


def denied(action, scope):
    return (
        f"The client '{SP2_CLIENT}' with object id '{SP2_OID}' does not have authorization to perform action "
        f"'{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh "
        "your credentials."
    )


def test_reader_is_refused_a_write_until_contributor_is_assigned_and_again_after_removal(env, strict):
    owner = credential(strict, env.tenant, env.client_id, env.client_secret)
    rm = resources(strict, owner, env.subscription)
    auth = authorization(strict, owner, env.subscription)
    group = rm.resource_groups.create_or_update("rbac-rg", {"location": "westeurope"})
    from azure.mgmt.authorization.models import RoleAssignmentCreateParameters

    def grant(name, role):
        role_id = f"/subscriptions/{env.subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"
        return auth.role_assignments.create(
            group.id,
            name,
            RoleAssignmentCreateParameters(role_definition_id=role_id, principal_id=SP2_OID, principal_type="ServicePrincipal"),
        )

    grant("0a000000-0000-4000-8000-0000000000a1", READER)
    second = resources(strict, credential(strict, env.tenant, SP2_CLIENT, SP2_SECRET), env.subscription)
    assert second.resource_groups.get("rbac-rg").location == "westeurope"

    def write():
        return second.resource_groups.create_or_update("rbac-rg", {"location": "westeurope", "tags": {"by": "second"}})

    with pytest.raises(HttpResponseError) as refused:
        write()
    assert refused.value.status_code == 403
    assert refused.value.error.code == "AuthorizationFailed"
    # The scope is the request's path as the SDK sent it (`resourcegroups`), as ARM quotes it.
    scope = f"/subscriptions/{env.subscription}/resourcegroups/rbac-rg"
    assert refused.value.error.message == denied("Microsoft.Resources/subscriptions/resourceGroups/write", scope)

    contributor = grant("0a000000-0000-4000-8000-0000000000a2", CONTRIBUTOR)
    assert write().tags == {"by": "second"}

    auth.role_assignments.delete(group.id, contributor.name)
    with pytest.raises(HttpResponseError) as again:
        write()
    assert again.value.status_code == 403
    assert again.value.error.code == "AuthorizationFailed"


def test_an_expired_token_is_refused_and_azure_identity_fetches_a_new_one_by_itself(env, strict):
    owner = credential(strict, env.tenant, env.client_id, env.client_secret)
    rm = resources(strict, owner, env.subscription)
    rm.resource_groups.create_or_update("expiry-rg", {"location": "westeurope"})
    control = requests.Session()
    control.headers["Content-Type"] = "application/json"
    control.delete(f"{strict.http}/_emulator/journal").raise_for_status()
    # Two hours on the emulator clock: the cached token (valid for 3599 s) is expired there,
    # though not by the machine's clock that azure-identity's cache uses.
    control.post(f"{strict.http}/_emulator/clock/advance", json={"hours": 2}).raise_for_status()

    assert rm.resource_groups.get("expiry-rg").name == "expiry-rg"

    entries = control.get(f"{strict.http}/_emulator/journal").json()["value"]
    seen = [(e["operationId"], e["status"], e.get("errorCode")) for e in entries]
    expired = ("ResourceGroups_Get", 401, "ExpiredAuthenticationToken")
    assert expired in seen, seen
    after = seen[seen.index(expired) + 1 :]
    assert ("Identity_Token", 200, None) in after, seen
    assert after[-1] == ("ResourceGroups_Get", 200, None), seen


def test_a_token_from_another_tenant_is_refused(env, strict):
    other = credential(strict, TENANT2, SP3_CLIENT, SP3_SECRET)
    with pytest.raises(ClientAuthenticationError) as refused:
        resources(strict, other, env.subscription).resource_groups.get("anything")
    assert refused.value.status_code == 401
    assert refused.value.error.code == "InvalidAuthenticationTokenTenant"
    assert refused.value.error.message.startswith(
        f"The access token is from the wrong issuer '{strict.https}/{TENANT2}/'. It must match the tenant "
        f"'{strict.https}/{env.tenant}/' associated with this subscription."
    )
    # The same principal owns its own tenant's subscription.
    mine = resources(strict, other, SUB2).resource_groups.create_or_update("mine", {"location": "westeurope"})
    assert mine.name == "mine"


def test_az_role_assignment_create_and_delete_are_enforced(env, strict, az, tmp_path):
    """The issue's path through the az CLI: the owner signs az in (`armemu az-login`, the
    instance's own isolated az configuration) and grants roles with `az role assignment`; the
    second principal's writes follow them."""
    exe = os.environ["ARMEMU_BINARY"]
    data = str(tmp_path / "data")
    subprocess.run([exe, "az-login", "--data-dir", data, "--az", az.exe], check=True, capture_output=True, timeout=180)
    exports = subprocess.run([exe, "env", "--data-dir", data], check=True, capture_output=True, text=True).stdout
    own = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in exports.splitlines() if line)

    def run_az(*args):
        p = subprocess.run(
            [az.exe, *args, "--only-show-errors", "--output", "json"],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, **own},
        )
        assert p.returncode == 0, f"az {' '.join(args)}: {p.stderr}"
        return json.loads(p.stdout) if p.stdout.strip() else None

    group = run_az("group", "create", "--name", "az-rbac", "--location", "westeurope")
    def grant(role):
        return run_az(
            "role", "assignment", "create", "--role", role, "--scope", group["id"],
            "--assignee-object-id", SP2_OID, "--assignee-principal-type", "ServicePrincipal",
        )

    grant("Reader")
    second = resources(strict, credential(strict, env.tenant, SP2_CLIENT, SP2_SECRET), env.subscription)

    def write():
        return second.resource_groups.create_or_update("az-rbac", {"location": "westeurope", "tags": {"by": "az"}})

    with pytest.raises(HttpResponseError) as refused:
        write()
    assert refused.value.error.code == "AuthorizationFailed"
    contributor = grant("Contributor")
    assert write().tags == {"by": "az"}
    run_az("role", "assignment", "delete", "--ids", contributor["id"])
    with pytest.raises(HttpResponseError) as again:
        write()
    assert again.value.status_code == 403
