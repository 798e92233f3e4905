"""Fault injection (`/_emulator/faults`) seen by unmodified clients:

* a 429 with `Retry-After: 2` (once) on a resource-group GET: azure-mgmt-resource and the
  az CLI wait, retry and succeed; the rule fired exactly once;
* `failOperation` on a resource-group DELETE: `az group delete` fails with the rule's code
  and message, and the group stays;
* `failOperation` on a workspace DELETE: `MLClient.workspaces.begin_delete(...).result()`
  raises with the rule's code and message, and the workspace stays.
"""

import uuid

import pytest
from azure.core.exceptions import HttpResponseError

from ml_helpers import modern_client, ws_name


@pytest.fixture
def faults(emulator):
    """`faults(rule)` adds a rule and returns its id; `faults.hits(id)` reads its hit count.
    The rules a test added are deleted after it."""
    base = f"{emulator.base}/_emulator/faults"
    session = emulator.session
    added = []

    def add(rule):
        r = session.post(base, json=rule, timeout=30)
        assert r.status_code == 201, f"POST /_emulator/faults: {r.status_code} {r.text}"
        added.append(r.json()["id"])
        return r.json()["id"]

    def hits(rule_id):
        r = session.get(f"{base}/{rule_id}", timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["hits"]

    add.hits = hits
    yield add
    for rule_id in added:
        session.delete(f"{base}/{rule_id}", timeout=30)


def throttle_once(env, rg):
    return {
        "match": {
            "operationId": "ResourceGroups_Get",
            "pathPrefix": f"/subscriptions/{env.subscription}/resourceGroups/{rg}",
        },
        "action": {"status": 429, "retryAfter": 2},
        "times": 1,
    }


def journal_statuses(emulator, env, rg):
    """The statuses the journal recorded for reads of group `rg`, oldest first."""
    r = emulator.session.get(
        f"{emulator.base}/_emulator/journal",
        params={"operationId": "ResourceGroups_Get", "pathPrefix": f"/subscriptions/{env.subscription}/resourceGroups/{rg}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return [e["status"] for e in r.json()["value"] if e["path"].lower().endswith(f"/resourcegroups/{rg}".lower())]


def test_sdk_retries_a_throttled_group_read(emulator, env, rm, new_group, faults):
    rg = new_group("fault429")
    rule = faults(throttle_once(env, rg))
    assert rm.resource_groups.get(rg).name == rg
    assert faults.hits(rule) == 1
    # The journal shows both attempts: the throttled one, then the retry.
    assert journal_statuses(emulator, env, rg)[-2:] == [429, 200]


def test_az_retries_a_throttled_group_read(emulator, env, az, new_group, faults):
    rg = new_group("fault429az")
    rule = faults(throttle_once(env, rg))
    assert az.json("group", "show", "-n", rg)["name"] == rg
    assert faults.hits(rule) == 1
    assert journal_statuses(emulator, env, rg)[-2:] == [429, 200]


def test_az_group_delete_reports_an_injected_operation_failure(env, az, rm, new_group, faults):
    rg = new_group("faultlro")
    message = f"Group {rg} is locked by an interop test."
    rule = faults(
        {
            "match": {"operationId": "ResourceGroups_Delete", "pathPrefix": f"/subscriptions/{env.subscription}/resourceGroups/{rg}"},
            "action": {"failOperation": True, "code": "ScopeLocked", "message": message},
            "times": 1,
        }
    )
    p = az.run("group", "delete", "-n", rg, "--yes", check=False)
    assert p.returncode != 0, p.stdout
    assert "ScopeLocked" in p.stderr and message in p.stderr, p.stderr
    assert faults.hits(rule) == 1
    assert rm.resource_groups.get(rg).properties.provisioning_state == "Succeeded"


CLOUD = "ArmEmuFaults"


def test_mlclient_begin_delete_reports_an_injected_operation_failure(env, credential, new_group, faults):
    from azure.ai.ml import MLClient
    from azure.ai.ml._restclient.arm_ml_service import models as M

    rg = new_group("faultml")
    name = ws_name("flt")
    modern_client(env, credential).workspaces.begin_create_or_update(
        rg, name, M.Workspace(location="westeurope", properties=M.WorkspaceProperties())
    ).result()
    endpoint = env.endpoint + "/"
    ml = MLClient(
        credential,
        env.subscription,
        rg,
        cloud=CLOUD,
        enable_telemetry=False,
        cloud_metadata={
            "azure_portal": "https://portal.emu.local/",
            "resource_manager": endpoint,
            "active_directory": endpoint,
            "aml_resource_id": "https://ml.emu.local/",
            "storage_endpoint": "core.windows.net",
            "registry_discovery_endpoint": endpoint,
        },
    )
    message = f"Workspace {name} cannot be deleted now ({uuid.uuid4().hex[:6]})."
    rule = faults(
        {
            "match": {"operationId": "Workspaces_Delete", "pathPrefix": f"/subscriptions/{env.subscription}/resourceGroups/{rg}"},
            "action": {"failOperation": True, "code": "WorkspaceLocked", "message": message},
            "times": 1,
        }
    )
    with pytest.raises(HttpResponseError) as caught:
        ml.workspaces.begin_delete(name, delete_dependent_resources=False, permanently_delete=False).result()
    assert "WorkspaceLocked" in str(caught.value) and message in str(caught.value), str(caught.value)
    assert faults.hits(rule) == 1
    assert ml.workspaces.get(name).name == name
