"""azureml-core 1.61.0.post4 (the Azure ML v1 SDK) against the emulator.

azureml-core pins azure-mgmt-* versions that conflict with the SDK venv, so it lives in its own
venv (.cache/venv-v1, requirements-v1.txt) and runs as a subprocess, v1_driver.py, with that
venv's python (ARMEMU_V1_PYTHON, set by run.sh) and exactly the environment `armemu env`
exported, plus its own HOME (azureml-core caches discovery and auth under ~/.azureml). What it
made is then checked here with azure-mgmt-resource.

`Workspace.create(…, create_resource_group=True)` (azureml-v1-sdk.md §4.7) creates the group,
then deploys its own template: key vault, storage account, a nested subscription-scope
deployment creating `DefaultResourceGroup-{location}`, a nested deployment putting the Log
Analytics workspace `DefaultWorkspace-{location}` there, Application Insights and the
workspace (api-version 2021-01-01).
"""

import json
import os
import subprocess
import time
import uuid

import pytest

from ml_helpers import WS_TYPE, ws_path

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RG = "DefaultResourceGroup-eastus"


@pytest.fixture(scope="module")
def v1_python():
    exe = os.environ.get("ARMEMU_V1_PYTHON")
    if not exe or not os.access(exe, os.X_OK):
        pytest.fail(
            f"ARMEMU_V1_PYTHON={exe!r} is not an executable python; run.sh sets it to "
            ".cache/venv-v1/bin/python (made by setup.sh from requirements-v1.txt).",
            pytrace=False,
        )
    return exe


def run_driver(v1_python, pristine_env, home, *args):
    env = dict(pristine_env)
    env["HOME"] = str(home)
    p = subprocess.run(
        [v1_python, os.path.join(HERE, "v1_driver.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=str(home),
    )
    results = [line for line in p.stdout.splitlines() if line.startswith("RESULT ")]
    assert p.returncode == 0 and results, (
        f"v1_driver.py {' '.join(args)} exited {p.returncode}\n--- stdout ---\n{p.stdout[-4000:]}\n"
        f"--- stderr ---\n{p.stderr[-6000:]}"
    )
    return json.loads(results[-1][len("RESULT "):])


def test_v1_workspace_create_and_get(env, rm, arm, v1_python, pristine_env, tmp_path):
    rg = f"v1-{uuid.uuid4().hex[:8]}"
    name = f"v1ws{uuid.uuid4().hex[:6]}"
    had_default_rg = rm.resource_groups.check_existence(DEFAULT_RG)
    try:
        t0 = time.monotonic()
        out = run_driver(v1_python, pristine_env, tmp_path, "create", name, rg)
        elapsed = time.monotonic() - t0
        # Sync mode: no 30 s msrestazure poll delay anywhere.
        assert out["create_seconds"] < 15, out

        wid = ws_path(env.subscription, rg, name)
        assert out["created_object"] == {
            "name": name, "resource_group": rg, "subscription_id": env.subscription, "location": "eastus",
        }
        created = out["created"]
        assert created["name"] == name
        assert created["location"] == "eastus"
        assert created["id"] == wid
        assert created["type"] == WS_TYPE
        assert created["friendlyName"] == name
        assert created["provisioningState"] == "Succeeded"
        assert created["tags"] == {"createdByToolkit": "sdk-v1-1.61.0"}
        # azureml-core reads sku.tier; its template sends "basic", answered in the casing of the
        # closed SkuTier enum (found by the schema validation; DIFFERENCES.md: Schema validation).
        assert created["sku"] == "Basic"
        assert created["identity"]["type"] == "SystemAssigned"
        assert created["identity"]["tenant_id"] == env.tenant
        assert len(created["identity"]["principal_id"]) == 36
        assert created["hbiWorkspace"] is False
        assert created["systemDatastoresAuthMode"] == "accessKey"
        assert created["containerRegistry"] is None
        assert len(created["workspaceid"]) == 36
        assert out["get"] == created
        assert out["sp_cloud"] == "ArmEmu"
        assert out["get_sp"] == created

        # The group the SDK created, and every resource its template named.
        g = rm.resource_groups.get(rg)
        assert g.location == "eastus"
        assert g.tags.get("creationSource") == "azureml-sdk"
        deps = {k: created[k] for k in ("storageAccount", "keyVault", "applicationInsights")}
        types = {  # key -> (type, an api-version to read it with)
            "storageAccount": ("microsoft.storage/storageaccounts", "2023-01-01"),
            "keyVault": ("microsoft.keyvault/vaults", "2023-07-01"),
            "applicationInsights": ("microsoft.insights/components", "2020-02-02"),
        }
        for key, rid in deps.items():
            rtype, api = types[key]
            assert f"/resourcegroups/{rg.lower()}/providers/{rtype}/" in rid.lower(), rid
            assert rm.resources.get_by_id(rid, api_version=api).location == "eastus"
        in_group = sorted(r.type.lower() for r in rm.resources.list_by_resource_group(rg))
        assert in_group == sorted([t for t, _ in types.values()] + [WS_TYPE.lower()])
        la = rm.resources.get_by_id(
            f"/subscriptions/{env.subscription}/resourceGroups/{DEFAULT_RG}/providers/"
            "Microsoft.OperationalInsights/workspaces/DefaultWorkspace-eastus",
            api_version="2022-10-01",
        )
        assert la.location == "eastus"
        insights = rm.resources.get_by_id(deps["applicationInsights"], api_version="2020-02-02")
        assert insights.properties["WorkspaceResourceId"].lower() == la.id.lower()

        # The SDK's deployment stays, Succeeded.
        mine = list(arm.deployments.list_by_resource_group(rg))
        assert len(mine) == 1 and mine[0].name.startswith("Microsoft.MachineLearningServices_"), [d.name for d in mine]
        assert mine[0].properties.provisioning_state == "Succeeded"
        print(f"v1 create {out['create_seconds']} s, get {out['get_seconds']} s, driver total {elapsed:.1f} s")
    finally:
        if rm.resource_groups.check_existence(rg):
            rm.resource_groups.begin_delete(rg).result()
        if not had_default_rg and rm.resource_groups.check_existence(DEFAULT_RG):
            rm.resource_groups.begin_delete(DEFAULT_RG).result()
