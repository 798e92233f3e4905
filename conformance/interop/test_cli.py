"""The real Azure CLI 2.91 (bundling azure-mgmt-resource 24, api-version 2024-11-01), signed
in by `armemu az-login` as the built-in service principal in the cloud `ArmEmu`."""

import time
import uuid


def test_account_show(env, az):
    acct = az.json("account", "show")
    assert acct["environmentName"] == "ArmEmu"
    assert acct["id"] == env.subscription
    assert acct["tenantId"] == env.tenant
    assert acct["state"] == "Enabled"
    assert acct["isDefault"] is True
    assert acct["user"] == {"name": env.client_id, "type": "servicePrincipal"}
    cloud = az.json("cloud", "show")
    assert cloud["name"] == "ArmEmu"
    assert cloud["isActive"] is True
    assert cloud["endpoints"]["resourceManager"].rstrip("/") == env.endpoint


def test_group_lifecycle(env, az):
    name = "rg1"
    assert az.tsv("group", "exists", "-n", name) == "false"
    created = az.json("group", "create", "-n", name, "-l", "westeurope", "--tags", "owner=interop")
    assert set(created) == {"id", "location", "managedBy", "name", "properties", "tags", "type"}
    assert created["id"] == f"/subscriptions/{env.subscription}/resourceGroups/{name}"
    assert created["name"] == name
    assert created["location"] == "westeurope"
    assert created["managedBy"] is None
    assert created["properties"] == {"provisioningState": "Succeeded"}
    assert created["tags"] == {"owner": "interop"}
    assert created["type"] == "Microsoft.Resources/resourceGroups"

    assert az.json("group", "show", "-n", name) == created
    assert az.tsv("group", "exists", "-n", name) == "true"
    listed = az.json("group", "list")
    assert [g for g in listed if g["name"] == name] == [created]

    az.run("group", "delete", "-n", name, "--yes")
    assert az.tsv("group", "exists", "-n", name) == "false"


def test_group_list_follows_next_links(env, az, rm, settings):
    names = {f"cli-{uuid.uuid4().hex[:8]}" for _ in range(3)}
    try:
        for n in names:
            rm.resource_groups.create_or_update(n, {"location": "westeurope"})
        expected = {g.name for g in rm.resource_groups.list()}
        settings({"pageSize": 1})
        listed = az.json("group", "list", "--query", "[].name")
        assert len(listed) == len(expected)
        assert set(listed) == expected
    finally:
        for n in names:
            rm.resource_groups.begin_delete(n).result()


def test_group_delete_async(env, az, settings):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    az.run("group", "create", "-n", name, "-l", "westeurope", "--output", "none")
    settings({"lro": {"resourceGroups/delete": "polls:2"}})
    t0 = time.monotonic()
    az.run("group", "delete", "-n", name, "--yes")
    elapsed = time.monotonic() - t0
    assert az.tsv("group", "exists", "-n", name) == "false"
    assert elapsed < 15, f"az group delete in polls:2 mode took {elapsed:.1f} s"


def test_provider_register(az):
    ns = "Microsoft.Network"
    az.run("provider", "unregister", "-n", ns)
    assert az.tsv("provider", "show", "-n", ns, "--query", "registrationState") == "NotRegistered"
    az.run("provider", "register", "-n", ns)
    assert az.tsv("provider", "show", "-n", ns, "--query", "registrationState") == "Registered"
    types = az.json("provider", "show", "-n", ns, "--query", "resourceTypes[].resourceType")
    assert "virtualNetworks" in types


def test_group_show_missing_fails(az):
    p = az.run("group", "show", "-n", "missing", check=False)
    assert p.returncode != 0
    assert "ResourceGroupNotFound" in p.stderr
    assert "Resource group 'missing' could not be found." in p.stderr
    assert p.stdout == ""
