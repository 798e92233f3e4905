"""ARM template deployments (`Microsoft.Resources/deployments`) through unmodified clients:

* azure-ai-ml 1.35.2: `MLClient.workspaces.begin_create`, which deploys the SDK's own 42 KB
  workspace template (storage, key vault, Log Analytics, Application Insights, the workspace,
  and conditional extras) through its `ArmDeploymentExecutor`, then `get` and `begin_delete`
  with the dependent resources. The MLClient is built from the environment alone (no `cloud=`
  arguments), as `eval "$(armemu env)"` leaves it.
* the az CLI 2.91 (`az deployment group|sub …`, `az deployment operation …`) with the
  hand-written templates in templates/.
"""

import json
import logging
import os
import re
import time
import uuid

import pytest
from azure.core.exceptions import ResourceNotFoundError

from ml_helpers import DEPENDENT_API, dependent_type, ws_name, ws_path

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")
DEPLOYMENTS = "Microsoft.Resources/deployments"
# A value that must never come back from the service (secureString parameter).
SECRET = "S3cret-" + uuid.uuid4().hex


def template(name):
    return os.path.join(TEMPLATES, name)


def lower_ids(ids):
    return {i.lower() for i in ids}


def group_id(env, rg):
    return f"/subscriptions/{env.subscription}/resourceGroups/{rg}"


def res_id(env, rg, rtype, name):
    return f"{group_id(env, rg)}/providers/{rtype}/{name}"


def dep_id(env, rg, name):
    return res_id(env, rg, DEPLOYMENTS, name)


# ---------- azure-ai-ml: MLClient.workspaces.begin_create (a template deployment) ----------


@pytest.fixture
def env_mlclient(env, credential, pristine_env, monkeypatch):
    """`make(rg)`: an MLClient from the environment alone, as `armemu env` left it.

    Other tests in this process build MLClients with `cloud=…`, and MLClient writes the cloud it
    used into AZUREML_CURRENT_CLOUD; the value `armemu env` exported is put back first."""
    from azure.ai.ml import MLClient

    monkeypatch.setenv("AZUREML_CURRENT_CLOUD", pristine_env["AZUREML_CURRENT_CLOUD"])

    def make(rg, workspace=None):
        return MLClient(credential, env.subscription, rg, workspace, enable_telemetry=False)

    return make


def assert_template_workspace(env, rm, rg, name, ws, description):
    """What the SDK's workspace template makes: the workspace with the template's properties,
    and its storage account, key vault, Log Analytics workspace and Application Insights."""
    assert ws.name == name
    assert ws.id == ws_path(env.subscription, rg, name)
    assert ws.location == "westeurope"
    assert ws.description == description
    assert ws.display_name == name  # friendlyName defaults to the name
    assert ws.tags == {"createdByToolkit": "sdk-v2-1.35.2", "team": "ml"}
    assert ws.resource_group == rg
    assert ws.identity is not None and ws.identity.type.lower() == "system_assigned"
    assert ws.public_network_access == "Enabled"
    assert ws.hbi_workspace is False
    assert ws.container_registry is None  # containerRegistryOption "none"
    deps = {"storageAccount": ws.storage_account, "keyVault": ws.key_vault, "applicationInsights": ws.application_insights}
    for key, rid in deps.items():
        assert rid, f"{key} missing on the workspace"
        assert rid.lower().startswith(f"/subscriptions/{env.subscription}/resourcegroups/{rg.lower()}/providers/"), rid
        got = rm.resources.get_by_id(rid, api_version=DEPENDENT_API[dependent_type(rid)])
        assert got.id.lower() == rid.lower()
        assert got.location == "westeurope"
    insights = rm.resources.get_by_id(ws.application_insights, api_version="2020-02-02")
    logs = [r for r in rm.resources.list_by_resource_group(rg) if r.type.lower() == "microsoft.operationalinsights/workspaces"]
    assert len(logs) == 1
    assert insights.properties["WorkspaceResourceId"].lower() == logs[0].id.lower()
    types = sorted(r.type.lower() for r in rm.resources.list_by_resource_group(rg))
    assert types == [
        "microsoft.insights/components",
        "microsoft.keyvault/vaults",
        "microsoft.machinelearningservices/workspaces",
        "microsoft.operationalinsights/workspaces",
        "microsoft.storage/storageaccounts",
    ]
    return deps


def assert_deleted_with_dependents(rm, rg, deps):
    for key, rid in deps.items():
        with pytest.raises(ResourceNotFoundError):
            rm.resources.get_by_id(rid, api_version=DEPENDENT_API[dependent_type(rid)])
    # The Log Analytics workspace goes too: azure-ai-ml deletes the one named by the
    # Application Insights component's WorkspaceResourceId (which the template set).
    assert list(rm.resources.list_by_resource_group(rg)) == []


def requested_urls(caplog):
    """The request URLs azure-core's HTTP logging policy logged (the executor builds its own
    client, so a raw_response_hook cannot reach it; the log can)."""
    prefix = "Request URL: '"
    return [
        r.getMessage()[len(prefix):].rstrip("'")
        for r in caplog.records
        if r.name == "azure.core.pipeline.policies.http_logging_policy" and r.getMessage().startswith(prefix)
    ]


def workspace_deployments(arm, rg, name):
    return [d for d in arm.deployments.list_by_resource_group(rg) if d.name.startswith(f"{name}-")]


def test_mlclient_begin_create_sync(env, rm, arm, new_group, env_mlclient, caplog):
    from azure.ai.ml.entities import Workspace

    rg = new_group("mldep")
    name = ws_name("dep")
    ml = env_mlclient(rg)
    assert ml._base_url == env.endpoint  # the environment alone pointed it at the emulator

    caplog.set_level(logging.INFO, logger="azure.core.pipeline.policies.http_logging_policy")
    t0 = time.monotonic()
    created = ml.workspaces.begin_create(
        Workspace(name=name, location="westeurope", description="from a template", tags={"team": "ml"})
    ).result()
    elapsed = time.monotonic() - t0
    # Sync mode: the deployment PUT answers Succeeded, the executor never sleeps its 5 s.
    assert elapsed < 5, f"begin_create took {elapsed:.1f} s in sync mode"
    assert created.name == name
    urls = [u for u in requested_urls(caplog) if "/metadata/endpoints" not in u and "/oauth2/" not in u]
    puts = [u for u in urls if "/providers/Microsoft.Resources/deployments/" in u and "operation" not in u]
    assert puts and puts[0].startswith(f"{env.endpoint}/subscriptions/{env.subscription}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}-")
    assert not [u for u in urls if "/operationStatuses/" in u]  # sync: nothing to poll

    ws = ml.workspaces.get(name)
    deps = assert_template_workspace(env, rm, rg, name, ws, "from a template")

    # The executor's deployment stays, Succeeded, named {ws}-{digits}.
    [dep] = workspace_deployments(arm, rg, name)
    assert re.fullmatch(rf"{re.escape(name)}-\d+", dep.name), dep.name
    assert dep.properties.provisioning_state == "Succeeded"
    assert dep.properties.mode == "Incremental"
    assert dep.properties.duration.startswith("PT")
    targets = lower_ids(
        o.properties.target_resource.id
        for o in arm.deployment_operations.list(rg, dep.name)
        if o.properties.target_resource is not None
    )
    assert ws.id.lower() in targets
    assert lower_ids(deps.values()) <= targets

    assert ml.workspaces.begin_delete(name, delete_dependent_resources=True, permanently_delete=True).result() is None
    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get(name)
    assert_deleted_with_dependents(rm, rg, deps)


def test_mlclient_begin_create_async_lro(env, rm, arm, new_group, env_mlclient, settings, caplog):
    """The deployment answers 201 Accepted with Azure-AsyncOperation; the executor's poller
    reads the operation status (Succeeded at the first poll in polls:1), then the deployment,
    then its operations on the legacy path (no providers/Microsoft.Resources)."""
    from azure.ai.ml.entities import Workspace

    rg = new_group("mldep")
    name = ws_name("adep")
    ml = env_mlclient(rg)
    settings({"lro": {"deployments/*": "polls:1"}})
    caplog.set_level(logging.INFO, logger="azure.core.pipeline.policies.http_logging_policy")

    t0 = time.monotonic()
    ml.workspaces.begin_create(
        Workspace(name=name, location="westeurope", description="async", tags={"team": "ml"})
    ).result()
    elapsed = time.monotonic() - t0
    assert elapsed < 20, f"begin_create took {elapsed:.1f} s in polls:1 mode"
    urls = requested_urls(caplog)
    base = f"{env.endpoint}/subscriptions/{env.subscription}"
    polls = [u for u in urls if "/operationStatuses/" in u]
    assert polls, urls
    assert polls[0].startswith(f"{base}/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/{name}-"), polls
    assert any(u.startswith(f"{base}/resourcegroups/{rg}/deployments/{name}-") and "/operations?" in u for u in urls), urls

    ws = ml.workspaces.get(name)
    deps = assert_template_workspace(env, rm, rg, name, ws, "async")
    [dep] = workspace_deployments(arm, rg, name)
    assert dep.properties.provisioning_state == "Succeeded"

    ml.workspaces.begin_delete(name, delete_dependent_resources=True, permanently_delete=True).result()
    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get(name)
    assert_deleted_with_dependents(rm, rg, deps)


# ---------- the az CLI: az deployment group|sub|operation ----------


def prefix():
    return "i" + uuid.uuid4().hex[:7]


def expected_ids(env, rg, other, p, count, vault=True):
    """Every resource templates/group.json names, by id."""
    ids = {res_id(env, rg, "Microsoft.Storage/storageAccounts", f"{p}st{i}") for i in range(count)}
    ids |= {
        res_id(env, rg, "Microsoft.OperationalInsights/workspaces", f"{p}-logs"),
        res_id(env, rg, "Microsoft.Insights/components", f"{p}-ai"),
    }
    if vault:
        ids.add(res_id(env, rg, "Microsoft.KeyVault/vaults", f"{p}-kv"))
    return ids, {res_id(env, other, "Microsoft.ContainerRegistry/registries", f"{p}acr")}


def listed_ids(az, rg):
    return lower_ids(r["id"] for r in az.json("resource", "list", "-g", rg))


def assert_group_outputs(env, rg, other, p, count, outputs, vault=True):
    values = {k: v["value"] for k, v in outputs.items()}
    types = {k: v["type"] for k, v in outputs.items()}
    assert values["storageNames"] == [f"{p}st{i}" for i in range(count)]
    assert values["firstBlobEndpoint"] == f"https://{p}st0.blob.core.windows.net/"
    if vault:
        assert values["vaultUri"] == f"https://{p}-kv.vault.azure.net/"
    else:
        assert "vaultUri" not in values  # the output's condition is false
    assert re.fullmatch(r"[0-9a-f-]{36}", values["logCustomerId"]), values["logCustomerId"]
    assert values["insightsWorkspace"].lower() == res_id(env, rg, "Microsoft.OperationalInsights/workspaces", f"{p}-logs").lower()
    assert values["registryLoginServer"] == f"{p}acr.azurecr.io"
    assert values["registryGroup"] == other
    assert values["secretLength"] == len(SECRET)
    assert re.fullmatch(r"[a-z0-9]{13}", values["suffix"]), values["suffix"]
    assert values["vaultCreated"] is vault
    assert types == {
        "storageNames": "Array",
        "firstBlobEndpoint": "String",
        **({"vaultUri": "String"} if vault else {}),
        "logCustomerId": "String",
        "insightsWorkspace": "String",
        "registryLoginServer": "String",
        "registryGroup": "String",
        "secretLength": "Int",
        "suffix": "String",
        "tags": "Object",
        "vaultCreated": "Bool",
    }
    return values


def test_az_group_deployment_lifecycle(env, az, rm, new_group):
    rg = new_group("azdep")
    other = new_group("azdep2")
    p = prefix()
    name = "main"
    params = ["--parameters", f"prefix={p}", f"adminSecret={SECRET}", f"otherGroup={other}", "storageCount=2"]
    tfile = ["--template-file", template("group.json")]

    # what-if before anything exists: every resource (the nested one included) is a Create.
    w = az.run("deployment", "group", "what-if", "-g", rg, "-n", name, *tfile, *params, "--no-pretty-print", "--output", "json")
    assert SECRET not in w.stdout
    what_if = json.loads(w.stdout)
    assert what_if["status"] == "Succeeded"
    mine, nested = expected_ids(env, rg, other, p, 2)
    changes = {c["resourceId"].lower(): c["changeType"] for c in what_if["changes"]}
    assert changes == {i.lower(): "Create" for i in mine | nested}
    assert listed_ids(az, rg) == set()  # what-if deploys nothing

    # validate: preflight only.
    v = az.json("deployment", "group", "validate", "-g", rg, "-n", name, *tfile, *params)
    assert v["properties"]["provisioningState"] == "Succeeded"
    assert v.get("error") is None
    assert listed_ids(az, rg) == set()

    # create, k=v parameters.
    created = az.run("deployment", "group", "create", "-g", rg, "-n", name, *tfile, *params, "--output", "json")
    assert SECRET not in created.stdout
    d = json.loads(created.stdout)
    assert d["id"] == dep_id(env, rg, name)
    assert d["name"] == name
    assert d["resourceGroup"] == rg
    props = d["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["mode"] == "Incremental"
    assert props["parameters"]["adminSecret"] == {"type": "SecureString"}
    assert props["parameters"]["prefix"] == {"type": "String", "value": p}
    assert props["parameters"]["storageCount"] == {"type": "Int", "value": 2}
    assert props["parameters"]["location"] == {"type": "String", "value": "westeurope"}
    outputs = assert_group_outputs(env, rg, other, p, 2, props["outputs"])
    assert outputs["tags"] == {"stage": "dev", "deployedBy": "interop"}
    assert lower_ids(r["id"] for r in props["outputResources"]) >= lower_ids(mine)

    # Every resource the template names exists, in the right groups, with the template's values.
    assert listed_ids(az, rg) == lower_ids(mine)
    assert listed_ids(az, other) == lower_ids(nested)
    for i in range(2):
        sa = az.json("resource", "show", "-g", rg, "-n", f"{p}st{i}", "--resource-type", "Microsoft.Storage/storageAccounts")
        assert sa["location"] == "westeurope"
        assert sa["tags"] == {"stage": "dev", "deployedBy": "interop"}
        assert sa["sku"]["name"] == "Standard_LRS"
        assert sa["kind"] == "StorageV2"
    kv = az.json("resource", "show", "-g", rg, "-n", f"{p}-kv", "--resource-type", "Microsoft.KeyVault/vaults")
    assert kv["properties"]["tenantId"] == env.tenant
    ai = az.json("resource", "show", "-g", rg, "-n", f"{p}-ai", "--resource-type", "Microsoft.Insights/components")
    assert ai["properties"]["WorkspaceResourceId"].lower() == res_id(env, rg, "Microsoft.OperationalInsights/workspaces", f"{p}-logs").lower()
    acr = az.json("resource", "show", "-g", other, "-n", f"{p}acr", "--resource-type", "Microsoft.ContainerRegistry/registries")
    assert acr["location"] == "westeurope"
    assert acr["sku"]["name"] == "Basic"

    # show: the same record; the secure value is never returned.
    shown = az.run("deployment", "group", "show", "-g", rg, "-n", name, "--output", "json")
    assert SECRET not in shown.stdout
    s = json.loads(shown.stdout)
    assert s["properties"]["provisioningState"] == "Succeeded"
    assert s["properties"]["outputs"] == props["outputs"]
    assert s["properties"]["parameters"]["adminSecret"] == {"type": "SecureString"}

    # list: the group holds its deployment; the nested one lives in the other group.
    listed = az.run("deployment", "group", "list", "-g", rg, "--output", "json")
    assert SECRET not in listed.stdout
    assert [x["name"] for x in json.loads(listed.stdout)] == [name]
    inner = az.json("deployment", "group", "list", "-g", other)
    assert [x["name"] for x in inner] == ["registry"]
    assert inner[0]["properties"]["provisioningState"] == "Succeeded"
    assert inner[0]["properties"]["outputs"]["loginServer"]["value"] == f"{p}acr.azurecr.io"

    # operations: one per resource (the nested deployment is one), each Succeeded.
    ops_run = az.run("deployment", "operation", "group", "list", "-g", rg, "-n", name, "--output", "json")
    assert SECRET not in ops_run.stdout
    ops = json.loads(ops_run.stdout)
    targets = {o["properties"]["targetResource"]["id"].lower(): o for o in ops if o["properties"].get("targetResource")}
    assert set(targets) == lower_ids(mine) | {dep_id(env, other, "registry").lower()}
    for o in targets.values():
        assert o["properties"]["provisioningOperation"] == "Create"
        assert o["properties"]["provisioningState"] == "Succeeded"

    # export: the template as sent.
    exported = az.json("deployment", "group", "export", "-g", rg, "-n", name)
    with open(template("group.json")) as f:
        assert exported == json.load(f)

    # what-if after the deployment with one more storage account: only that one is created,
    # nothing is deleted.
    more = [a if a != "storageCount=2" else "storageCount=3" for a in params]
    w = az.json("deployment", "group", "what-if", "-g", rg, "-n", name, *tfile, *more, "--no-pretty-print")
    changes = {c["resourceId"].lower(): c["changeType"] for c in w["changes"]}
    new_sa = res_id(env, rg, "Microsoft.Storage/storageAccounts", f"{p}st2").lower()
    assert changes.pop(new_sa) == "Create"
    assert set(changes) == lower_ids(mine | nested)
    assert set(changes.values()) <= {"NoChange", "Modify", "Ignore"}, changes
    assert listed_ids(az, rg) == lower_ids(mine)

    # delete the deployment: its record goes, what it deployed stays.
    az.run("deployment", "group", "delete", "-g", rg, "-n", name)
    gone = az.run("deployment", "group", "show", "-g", rg, "-n", name, check=False)
    assert gone.returncode != 0
    assert "DeploymentNotFound" in gone.stderr
    assert az.json("deployment", "group", "list", "-g", rg) == []
    assert listed_ids(az, rg) == lower_ids(mine)


def test_az_group_deployment_with_parameters_file(env, az, new_group):
    """`--parameters @params.json` (storageCount 3, createVault false, stage prod) plus k=v."""
    rg = new_group("azdep")
    other = new_group("azdep2")
    p = prefix()
    run = az.run(
        "deployment", "group", "create", "-g", rg, "-n", "fromfile", "--template-file", template("group.json"),
        "--parameters", "@" + template("params.json"),
        "--parameters", f"prefix={p}", f"adminSecret={SECRET}", f"otherGroup={other}",
        "--output", "json",
    )
    assert SECRET not in run.stdout
    d = json.loads(run.stdout)
    assert d["properties"]["provisioningState"] == "Succeeded"
    params = d["properties"]["parameters"]
    assert params["storageCount"]["value"] == 3
    assert params["createVault"]["value"] is False
    assert params["stage"]["value"] == "prod"
    outputs = assert_group_outputs(env, rg, other, p, 3, d["properties"]["outputs"], vault=False)
    assert outputs["tags"] == {"stage": "prod", "deployedBy": "interop"}
    mine, nested = expected_ids(env, rg, other, p, 3, vault=False)
    assert listed_ids(az, rg) == lower_ids(mine)  # no key vault: its condition is false
    assert listed_ids(az, other) == lower_ids(nested)
    missing = az.run("resource", "show", "-g", rg, "-n", f"{p}-kv", "--resource-type", "Microsoft.KeyVault/vaults", check=False)
    assert missing.returncode != 0
    assert "ResourceNotFound" in missing.stderr


def test_az_subscription_deployment_creates_a_group(env, az, rm):
    name = f"sub-{uuid.uuid4().hex[:8]}"
    rg = f"azsub-{uuid.uuid4().hex[:8]}"
    sa = "isub" + uuid.uuid4().hex[:8]
    try:
        d = az.json(
            "deployment", "sub", "create", "-n", name, "--location", "westeurope",
            "--template-file", template("sub.json"), "--parameters", f"groupName={rg}", f"storageName={sa}",
        )
        assert d["id"] == f"/subscriptions/{env.subscription}/providers/{DEPLOYMENTS}/{name}"
        assert d["location"] == "westeurope"
        assert d["properties"]["provisioningState"] == "Succeeded"
        outputs = {k: v["value"] for k, v in d["properties"]["outputs"].items()}
        assert outputs["groupId"] == group_id(env, rg)
        assert outputs["groupLocation"] == "westeurope"
        assert outputs["storageId"].lower() == res_id(env, rg, "Microsoft.Storage/storageAccounts", sa).lower()
        assert outputs["location"] == "westeurope"

        g = az.json("group", "show", "-n", rg)
        assert g["location"] == "westeurope"
        assert g["tags"] == {"createdBy": "sub-template"}
        assert listed_ids(az, rg) == {res_id(env, rg, "Microsoft.Storage/storageAccounts", sa).lower()}

        assert az.json("deployment", "sub", "show", "-n", name)["properties"]["outputs"] == d["properties"]["outputs"]
        assert name in {x["name"] for x in az.json("deployment", "sub", "list")}
        ops = az.json("deployment", "operation", "sub", "list", "-n", name)
        targets = {o["properties"]["targetResource"]["id"].lower() for o in ops if o["properties"].get("targetResource")}
        assert targets == {group_id(env, rg).lower(), dep_id(env, rg, "storage").lower()}

        az.run("deployment", "sub", "delete", "-n", name)
        gone = az.run("deployment", "sub", "show", "-n", name, check=False)
        assert gone.returncode != 0 and "DeploymentNotFound" in gone.stderr
        assert az.tsv("group", "exists", "-n", rg) == "true"  # deleting the record leaves the group
    finally:
        if rm.resource_groups.check_existence(rg):
            rm.resource_groups.begin_delete(rg).result()


@pytest.mark.parametrize("tfile", ["cycle.json", "unknown-function.json"])
def test_az_invalid_template_fails(env, az, new_group, tfile):
    rg = new_group("azbad")
    p = az.run("deployment", "group", "create", "-g", rg, "-n", "bad", "--template-file", template(tfile), check=False)
    assert p.returncode != 0
    assert "InvalidTemplate" in p.stderr, p.stderr
    # A template that does not validate leaves nothing behind: no record, no resource.
    gone = az.run("deployment", "group", "show", "-g", rg, "-n", "bad", check=False)
    assert gone.returncode != 0 and "DeploymentNotFound" in gone.stderr
    assert listed_ids(az, rg) == set()
    v = az.run("deployment", "group", "validate", "-g", rg, "--template-file", template(tfile), check=False)
    assert v.returncode != 0
    assert "InvalidTemplate" in v.stderr


def test_az_failing_resource_is_deployment_failed(env, az, new_group):
    """A resource that fails while the deployment runs (its properties `reference()` a Log
    Analytics workspace that does not exist, which preflight validation cannot see) fails the
    deployment with DeploymentFailed: what was created before it stays, what depends on it is
    not attempted."""
    rg = new_group("azfail")
    good, failing, after = "igood" + uuid.uuid4().hex[:6], "ifail-ai", "iafter" + uuid.uuid4().hex[:6]
    p = az.run(
        "deployment", "group", "create", "-g", rg, "-n", "failing", "--template-file", template("failing-resource.json"),
        "--parameters", f"goodName={good}", f"failingName={failing}", f"afterName={after}", "missingWorkspace=nosuchlogs",
        check=False,
    )
    assert p.returncode != 0
    assert "DeploymentFailed" in p.stderr, p.stderr
    assert "nosuchlogs" in p.stderr, p.stderr  # the inner error names what was missing
    d = az.json("deployment", "group", "show", "-g", rg, "-n", "failing")
    assert d["properties"]["provisioningState"] == "Failed"
    assert d["properties"]["error"]["code"] == "DeploymentFailed"
    assert listed_ids(az, rg) == {res_id(env, rg, "Microsoft.Storage/storageAccounts", good).lower()}
    ops = az.json("deployment", "operation", "group", "list", "-g", rg, "-n", "failing")
    states = {o["properties"]["targetResource"]["resourceName"]: o["properties"]["provisioningState"]
              for o in ops if o["properties"].get("targetResource")}
    assert states[good] == "Succeeded"
    assert states.get(failing, "Failed") == "Failed"
    assert after not in states  # never attempted
