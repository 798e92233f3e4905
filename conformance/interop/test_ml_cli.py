"""Azure ML workspaces through the real az CLI 2.91 (no `ml` extension: it is not installable
offline): `az resource` (which picks the api-version from the provider's `apiVersions` and
sends `.../Microsoft.MachineLearningServices//workspaces/...` with a double slash) and
`az rest` for what only the raw API offers: soft-deleted list, recover, purge, listKeys,
resyncKeys."""

import json
import os
import re
import subprocess
import time

from ml_helpers import ML_NS, SOFT_DELETE_MESSAGE, WS_TYPE, deleted_path, ws_name, ws_path

API = "2025-12-01"


def rest(az, method, path, body=None, query="", check=True):
    args = ["rest", "--method", method, "--url", f"{path}?api-version={API}{query}"]
    if body is not None:
        args += ["--body", json.dumps(body)]
    return az.run(*args, check=check)


def rest_json(az, method, path, body=None, query=""):
    return json.loads(rest(az, method, path, body, query).stdout)


def deleted(az, sub, rg):
    return {w["name"]: w for w in rest_json(az, "get", deleted_path(sub, rg))["value"]}


def test_az_resource_and_rest_workspace_lifecycle(env, az, new_group):
    rg = new_group("mlcli")
    name = ws_name("cli")
    sub = env.subscription
    path = ws_path(sub, rg, name)
    common = ["-g", rg, "-n", name, "--resource-type", WS_TYPE]

    created = az.json(
        "resource", "create", *common, "-l", "westeurope",
        "--properties", json.dumps({"description": "from az", "friendlyName": "CLI"}),
    )
    assert created["id"] == path
    assert created["name"] == name
    assert created["type"] == WS_TYPE
    assert created["location"] == "westeurope"
    props = created["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["description"] == "from az"
    assert props["friendlyName"] == "CLI"
    workspace_id = props["workspaceId"]
    for key in ("storageAccount", "keyVault", "applicationInsights"):
        assert props[key] == props[key].lower()
        assert props[key].startswith(f"/subscriptions/{sub}/resourcegroups/{rg.lower()}/providers/")

    # --debug logs the request URLs: the double slash az builds for a provider-less type
    # path, and an api-version taken from the provider's list for `workspaces`.
    # (az.run adds --only-show-errors, which az refuses together with --debug.)
    dbg = subprocess.run(
        [az.exe, "resource", "show", *common, "--output", "json", "--debug"],
        capture_output=True, text=True, timeout=180, env=os.environ.copy(),
    )
    assert dbg.returncode == 0, dbg.stderr[-2000:]
    shown = json.loads(dbg.stdout)
    urls = re.findall(r"Request URL: '([^']+)'", dbg.stderr)
    ws_urls = [u for u in urls if f"/{ML_NS}//workspaces/{name}?" in u]
    assert ws_urls, urls
    api_used = re.search(r"api-version=([^&]+)", ws_urls[0]).group(1)
    assert api_used in api_versions(az)
    assert shown["id"] == path
    assert shown["properties"]["workspaceId"] == workspace_id

    listed = az.json("resource", "list", "-g", rg, "--resource-type", WS_TYPE)
    assert [(r["name"], r["type"]) for r in listed] == [(name, WS_TYPE)]
    in_group = {r["type"].lower() for r in az.json("resource", "list", "-g", rg)}
    assert {WS_TYPE.lower(), "microsoft.storage/storageaccounts", "microsoft.keyvault/vaults", "microsoft.insights/components"} <= in_group

    # az rest: the same workspace by its canonical path, listKeys, resyncKeys.
    assert rest_json(az, "get", path)["properties"]["workspaceId"] == workspace_id
    keys = rest_json(az, "post", f"{path}/listKeys")
    assert keys["userStorageArmId"].lower() == props["storageAccount"]
    assert keys["containerRegistryCredentials"] is None
    resync = rest(az, "post", f"{path}/resyncKeys")
    assert resync.stdout.strip() == ""

    # az resource delete: a soft delete.
    az.run("resource", "delete", *common)
    p = az.run("resource", "show", *common, check=False)
    assert p.returncode != 0
    assert "ResourceNotFound" in p.stderr
    assert az.json("resource", "list", "-g", rg, "--resource-type", WS_TYPE) == []
    gone = deleted(az, sub, rg)
    assert set(gone) == {name}
    assert gone[name]["properties"]["workspaceId"] == workspace_id
    sub_wide = {w["name"] for w in rest_json(az, "get", deleted_path(sub))["value"]}
    assert name in sub_wide

    # Re-create is refused while the tombstone exists.
    p = rest(az, "put", path, {"location": "westeurope", "properties": {}}, check=False)
    assert p.returncode != 0
    assert SOFT_DELETE_MESSAGE in p.stderr
    assert "BadRequest" in p.stderr

    # Recover with az rest: same workspaceId, visible again.
    recovered = rest_json(
        az, "put", path, {"location": "westeurope", "properties": {"allowRecoverSoftDeletedWorkspace": "True"}}
    )
    assert recovered["properties"]["workspaceId"] == workspace_id
    assert recovered["properties"]["storageAccount"] == props["storageAccount"]
    assert az.json("resource", "show", *common)["properties"]["workspaceId"] == workspace_id
    assert deleted(az, sub, rg) == {}

    # Soft delete again with az rest, then purge the tombstone with forceToPurge=true.
    rest(az, "delete", path)
    assert set(deleted(az, sub, rg)) == {name}
    rest(az, "delete", path, query="&forceToPurge=true")
    assert deleted(az, sub, rg) == {}
    assert az.run("resource", "show", *common, check=False).returncode != 0

    # The name is free: a new workspace, a new workspaceId; purge it while live.
    again = az.json("resource", "create", *common, "-l", "westeurope", "--properties", "{}")
    assert again["properties"]["workspaceId"] != workspace_id
    rest(az, "delete", path, query="&forceToPurge=true")
    assert deleted(az, sub, rg) == {}
    assert az.json("resource", "list", "-g", rg, "--resource-type", WS_TYPE) == []


def test_az_resource_async_lro_mode(env, az, new_group, settings):
    """polls:2 for workspace writes: az polls the Azure-AsyncOperation URL (Retry-After: 1)
    and finishes quickly."""
    rg = new_group("mlcli")
    name = ws_name("cli")
    common = ["-g", rg, "-n", name, "--resource-type", WS_TYPE]
    settings({"lro": {"workspaces/*": "polls:2"}})

    t0 = time.monotonic()
    created = az.json("resource", "create", *common, "-l", "westeurope", "--properties", "{}")
    elapsed = time.monotonic() - t0
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert elapsed < 15, f"az resource create (polls:2) took {elapsed:.1f} s"

    t0 = time.monotonic()
    az.run("resource", "delete", *common)
    elapsed = time.monotonic() - t0
    assert elapsed < 15, f"az resource delete (polls:2) took {elapsed:.1f} s"
    assert set(deleted(az, env.subscription, rg)) == {name}
    rest(az, "delete", ws_path(env.subscription, rg, name), query="&forceToPurge=true")
    assert deleted(az, env.subscription, rg) == {}


def api_versions(az):
    """The provider's api-versions for `workspaces`; `az resource` picks one of these."""
    rt = az.json("provider", "show", "-n", ML_NS, "--query", "resourceTypes[?resourceType=='workspaces'] | [0]")
    assert "westeurope" in [loc.replace(" ", "").lower() for loc in rt["locations"]]
    return rt["apiVersions"]
