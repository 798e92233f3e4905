"""Shared helpers for the Azure ML workspace interop tests (test_ml_workspaces.py, test_ml_cli.py).

Only plumbing lives here: building the unmodified clients and raw ARM calls through them.
"""

import uuid

ML_NS = "Microsoft.MachineLearningServices"
WS_TYPE = f"{ML_NS}/workspaces"
SOFT_DELETE_MESSAGE = "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete"
# Old api-versions azure-ai-ml uses to reach the dependents by generic id.
DEPENDENT_API = {
    "microsoft.storage/storageaccounts": "2019-06-01",
    "microsoft.keyvault/vaults": "2019-09-01",
    "microsoft.insights/components": "2015-05-01",
}


def ws_name(prefix="ws"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ws_path(sub, rg, name):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{ML_NS}/workspaces/{name}"


def deleted_path(sub, rg=None):
    group = f"/resourceGroups/{rg}" if rg else ""
    return f"/subscriptions/{sub}{group}/providers/{ML_NS}/deletedWorkspaces"


def dependent_type(rid):
    """'microsoft.storage/storageaccounts' for a (lower-cased) dependent id."""
    parts = rid.lower().split("/")
    i = parts.index("providers")
    return f"{parts[i + 1]}/{parts[i + 2]}"


def modern_client(env, credential, **kwargs):
    """The 2025-12-01 client vendored in azure-ai-ml 1.35.2, unmodified."""
    from azure.ai.ml._restclient.arm_ml_service import MachineLearningServicesMgmtClient

    return MachineLearningServicesMgmtClient(credential, env.subscription, base_url=env.endpoint, **kwargs)


def ga_client(env, credential):
    """azure-mgmt-machinelearningservices 1.0.1 (api 2020-08-01), unmodified."""
    from azure.mgmt.machinelearningservices import MachineLearningServicesMgmtClient

    return MachineLearningServicesMgmtClient(credential, env.subscription, base_url=env.endpoint)


def raw(client, method, path, api_version, json=None, params=None):
    """A raw ARM call through a generated client's own pipeline (auth, retries, TLS):
    `client.send_request`, the public escape hatch of every generated client."""
    from azure.core.rest import HttpRequest

    query = {"api-version": api_version, **(params or {})}
    req = HttpRequest(method, path, params=query, json=json)
    resp = client.send_request(req)
    resp.read()
    return resp


def deleted_names(client, sub, rg=None, api_version="2025-12-01"):
    resp = raw(client, "GET", deleted_path(sub, rg), api_version)
    assert resp.status_code == 200, resp.text()
    return {w["name"]: w for w in resp.json()["value"]}
