"""User-assigned managed identities (issue 15) through unmodified clients: the az CLI's
`az identity` commands (azure-mgmt-msi, bundled with the CLI) create, show, list and delete one,
and the GA azure-mgmt-machinelearningservices client gives a workspace that identity, reading
back its principal and client ids."""

import uuid

import pytest
from azure.core.exceptions import HttpResponseError

from ml_helpers import ga_client, ws_name


def is_guid(s):
    try:
        return str(uuid.UUID(s)) == s.lower()
    except (TypeError, ValueError):
        return False


def test_az_identity_lifecycle(env, az, new_group):
    rg = new_group("uai")
    created = az.json("identity", "create", "-g", rg, "-n", "uai1", "-l", "westeurope", "--tags", "team=ml")
    uai_id = f"/subscriptions/{env.subscription}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1"
    assert created["id"] == uai_id
    assert created["name"] == "uai1"
    assert created["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert created["location"] == "westeurope"
    assert created["tags"] == {"team": "ml"}
    assert created["tenantId"] == env.tenant
    assert is_guid(created["principalId"]) and is_guid(created["clientId"])
    assert created["principalId"] != created["clientId"]

    shown = az.json("identity", "show", "-g", rg, "-n", "uai1")
    assert (shown["principalId"], shown["clientId"]) == (created["principalId"], created["clientId"])
    assert [i["name"] for i in az.json("identity", "list", "-g", rg)] == ["uai1"]
    assert uai_id in {i["id"] for i in az.json("identity", "list")}

    az.run("identity", "delete", "-g", rg, "-n", "uai1")
    assert az.json("identity", "list", "-g", rg) == []


def test_ga_workspace_with_a_user_assigned_identity(env, az, credential, new_group):
    from azure.mgmt.machinelearningservices import models as GM

    rg = new_group("uaiws")
    uai = az.json("identity", "create", "-g", rg, "-n", "wsidentity", "-l", "westeurope")
    ga = ga_client(env, credential)
    name = ws_name("uai")
    # The 2020-08-01 model's (generated) name for an entry of userAssignedIdentities.
    entry = GM.ComponentsSgqdofSchemasIdentityPropertiesUserassignedidentitiesAdditionalproperties
    identity = GM.Identity(type="SystemAssigned,UserAssigned", user_assigned_identities={uai["id"]: entry()})
    created = ga.workspaces.begin_create_or_update(rg, name, GM.Workspace(location="westeurope", identity=identity)).result()
    assigned = created.identity.user_assigned_identities[uai["id"]]
    assert (assigned.principal_id, assigned.client_id) == (uai["principalId"], uai["clientId"])
    got = ga.workspaces.get(rg, name)
    assert got.identity.user_assigned_identities[uai["id"]].client_id == uai["clientId"]

    # A workspace naming an identity that does not exist is refused, as ARM refuses it.
    missing = uai["id"][: -len("wsidentity")] + "nosuch"
    with pytest.raises(HttpResponseError) as e:
        ga.workspaces.begin_create_or_update(
            rg,
            ws_name("uai2"),
            GM.Workspace(location="westeurope", identity=GM.Identity(type="UserAssigned", user_assigned_identities={missing: entry()})),
        ).result()
    assert e.value.status_code == 400
    assert e.value.error.code == "FailedIdentityOperation"
