"""Azure ML workspaces (`Microsoft.MachineLearningServices/workspaces`) through unmodified
Python clients over HTTPS with a real ClientSecretCredential:

* the modern ARM client vendored in azure-ai-ml 1.35.2
  (`azure.ai.ml._restclient.arm_ml_service`, api 2025-12-01),
* the GA `azure-mgmt-machinelearningservices` 1.0.1 (api 2020-08-01),
* `azure.ai.ml.MLClient.workspaces` get/list/begin_delete (api 2024-10-01-preview),
* azure-mgmt-core's MissingSubscriptionRegistration auto-registration round trip.

Workspaces are created by the mgmt clients here; MLClient's `begin_create` (an ARM template
deployment) is in test_deployments.py.
"""

import time

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from ml_helpers import (
    DEPENDENT_API,
    ML_NS,
    SOFT_DELETE_MESSAGE,
    WS_TYPE,
    deleted_names,
    dependent_type,
    ga_client,
    modern_client,
    ws_name,
    ws_path,
)


@pytest.fixture(scope="module")
def mlc(env, credential):
    return modern_client(env, credential)


@pytest.fixture(scope="module")
def ga(env, credential):
    return ga_client(env, credential)


def modern_workspace(**props):
    from azure.ai.ml._restclient.arm_ml_service import models as M

    tags = props.pop("tags", None)
    return M.Workspace(location="westeurope", tags=tags, properties=M.WorkspaceProperties(**props))


def assert_dependents_exist(rm, ws_props):
    """The automatic dependents: lower-cased ids, reachable by generic id with the old
    api-versions azure-ai-ml uses."""
    for key in ("storageAccount", "keyVault", "applicationInsights"):
        rid = ws_props[key]
        assert rid == rid.lower(), f"{key} id is not lower-cased: {rid}"
        got = rm.resources.get_by_id(rid, api_version=DEPENDENT_API[dependent_type(rid)])
        assert got.id.lower() == rid
    assert ws_props.get("containerRegistry") is None  # created lazily, not at creation


# ---------- the modern vendored client (2025-12-01) ----------


def test_modern_client_full_lifecycle_sync(env, mlc, rm, new_group, recorder):
    from azure.ai.ml._restclient.arm_ml_service import models as M

    rg = new_group("mlws")
    name = ws_name()
    sub = env.subscription

    created = mlc.workspaces.begin_create_or_update(
        rg, name, modern_workspace(description="first", friendly_name="First WS", tags={"team": "ml"}),
        raw_response_hook=recorder,
    ).result()
    # Sync mode: one PUT answered 200 with a terminal state, no polling.
    assert [(c[0], c[2]) for c in recorder.calls] == [("PUT", 200)]
    assert created.id == ws_path(sub, rg, name)
    assert created.name == name
    assert created.type == WS_TYPE
    assert created.location == "westeurope"
    assert created.tags == {"team": "ml"}
    assert created.kind == "Default"
    assert created.sku.name == "Basic"
    assert created.identity.type == "SystemAssigned"
    assert created.system_data.created_at is not None
    p = created.properties
    assert p.provisioning_state == "Succeeded"
    assert p.description == "first"
    assert p.friendly_name == "First WS"
    assert p.public_network_access == "Enabled"
    assert p.hbi_workspace is False
    assert len(p.workspace_id) == 36
    assert p.ml_flow_tracking_uri.startswith("azureml://")
    assert p.discovery_url.startswith(env.endpoint)
    assert_dependents_exist(rm, created.as_dict()["properties"])
    workspace_id = p.workspace_id

    got = mlc.workspaces.get(rg, name)
    assert got.as_dict() == created.as_dict()

    assert [w.name for w in mlc.workspaces.list_by_resource_group(rg)] == [name]
    assert created.id in {w.id for w in mlc.workspaces.list_by_subscription()}

    recorder.calls.clear()
    updated = mlc.workspaces.begin_update(
        rg,
        name,
        M.WorkspaceUpdateParameters(
            tags={"team": "ml", "stage": "dev"},
            properties=M.WorkspacePropertiesUpdateParameters(description="second", public_network_access="Disabled"),
        ),
        raw_response_hook=recorder,
    ).result()
    assert [(c[0], c[2]) for c in recorder.calls] == [("PATCH", 200)]
    assert updated.tags == {"team": "ml", "stage": "dev"}
    assert updated.properties.description == "second"
    assert updated.properties.public_network_access == "Disabled"
    assert updated.properties.friendly_name == "First WS"  # untouched
    assert updated.properties.workspace_id == workspace_id
    assert mlc.workspaces.get(rg, name).properties.public_network_access == "Disabled"

    keys = mlc.workspaces.list_keys(rg, name)
    assert keys.user_storage_arm_id.lower() == created.properties.storage_account
    assert keys.container_registry_credentials is None  # no registry yet

    recorder.calls.clear()
    assert mlc.workspaces.begin_resync_keys(rg, name, raw_response_hook=recorder).result() is None
    assert [(c[0], c[2]) for c in recorder.calls] == [("POST", 200)]

    # Soft delete: invisible to GET and lists, listed in deletedWorkspaces, dependents kept.
    mlc.workspaces.begin_delete(rg, name).result()
    with pytest.raises(ResourceNotFoundError) as e:
        mlc.workspaces.get(rg, name)
    assert e.value.status_code == 404
    assert e.value.error.code == "ResourceNotFound"
    assert list(mlc.workspaces.list_by_resource_group(rg)) == []
    assert created.id not in {w.id for w in mlc.workspaces.list_by_subscription()}
    deleted = deleted_names(mlc, sub, rg)
    assert set(deleted) == {name}
    assert deleted[name]["properties"]["workspaceId"] == workspace_id
    assert name in deleted_names(mlc, sub)
    assert_dependents_exist(rm, created.as_dict()["properties"])

    # The name stays reserved: a plain re-create is refused with the soft-delete message.
    with pytest.raises(HttpResponseError) as e:
        mlc.workspaces.begin_create_or_update(rg, name, modern_workspace(description="again")).result()
    assert e.value.status_code == 400
    assert e.value.error.code == "BadRequest"
    assert e.value.error.message == SOFT_DELETE_MESSAGE

    # Recovery: the same PUT carrying allowRecoverSoftDeletedWorkspace (not in the 2025-12-01
    # model, so set through the model's mapping interface; the client stays unmodified).
    body = modern_workspace(description="again")
    body["properties"]["allowRecoverSoftDeletedWorkspace"] = "True"
    recovered = mlc.workspaces.begin_create_or_update(rg, name, body).result()
    assert recovered.properties.workspace_id == workspace_id
    assert recovered.properties.storage_account == created.properties.storage_account
    assert recovered.properties.key_vault == created.properties.key_vault
    assert mlc.workspaces.get(rg, name).properties.workspace_id == workspace_id
    assert [w.name for w in mlc.workspaces.list_by_resource_group(rg)] == [name]
    assert deleted_names(mlc, sub, rg) == {}

    # Purge a live workspace: gone everywhere, the name is free again.
    recorder.calls.clear()
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True, raw_response_hook=recorder).result()
    assert recorder.calls[0][0] == "DELETE" and "forceToPurge=true" in recorder.calls[0][1]
    with pytest.raises(ResourceNotFoundError):
        mlc.workspaces.get(rg, name)
    assert deleted_names(mlc, sub, rg) == {}
    fresh = mlc.workspaces.begin_create_or_update(rg, name, modern_workspace()).result()
    assert fresh.properties.workspace_id != workspace_id
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()


def test_modern_client_purges_a_soft_deleted_workspace(env, mlc, new_group):
    rg = new_group("mlws")
    name = ws_name()
    mlc.workspaces.begin_create_or_update(rg, name, modern_workspace()).result()
    mlc.workspaces.begin_delete(rg, name).result()
    assert set(deleted_names(mlc, env.subscription, rg)) == {name}
    # DELETE ?forceToPurge=true on the tombstone (GET cannot see it) purges it.
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()
    assert deleted_names(mlc, env.subscription, rg) == {}
    mlc.workspaces.begin_create_or_update(rg, name, modern_workspace()).result()  # name is free
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()


def test_modern_client_async_lro_mode(env, mlc, new_group, settings, recorder):
    """polls:2 — PUT/PATCH/DELETE/resyncKeys answer with LRO headers and Retry-After: 1, so
    ARMPolling finishes in seconds (not its 30 s default)."""
    from azure.ai.ml._restclient.arm_ml_service import models as M

    rg = new_group("mlws")
    name = ws_name()
    settings({"lro": {"workspaces/*": "polls:2"}})

    t0 = time.monotonic()
    created = mlc.workspaces.begin_create_or_update(
        rg, name, modern_workspace(description="async"), raw_response_hook=recorder
    ).result()
    elapsed = time.monotonic() - t0
    assert elapsed < 10, f"async create took {elapsed:.1f} s"
    first = recorder.calls[0]
    assert (first[0], first[2]) == ("PUT", 200)
    assert first[3]["Retry-After"] == "1"
    status_url = first[3]["Azure-AsyncOperation"]
    assert f"/providers/{ML_NS}/locations/westeurope/workspaceOperationsStatus/" in status_url
    polls = [c for c in recorder.calls[1:] if c[1].split("?")[0] == status_url.split("?")[0]]
    assert len(polls) >= 2
    # ARMPolling ends with a GET of the original URI.
    assert recorder.calls[-1][0] == "GET" and recorder.calls[-1][1].split("?")[0].endswith(f"/workspaces/{name}")
    assert created.properties.provisioning_state == "Succeeded"
    assert created.properties.description == "async"

    recorder.calls.clear()
    t0 = time.monotonic()
    updated = mlc.workspaces.begin_update(
        rg, name, M.WorkspaceUpdateParameters(properties=M.WorkspacePropertiesUpdateParameters(description="patched")),
        raw_response_hook=recorder,
    ).result()
    assert time.monotonic() - t0 < 10
    assert recorder.calls[0][0] == "PATCH"
    assert "Azure-AsyncOperation" in recorder.calls[0][3]
    assert updated.properties.description == "patched"
    assert updated.properties.provisioning_state == "Succeeded"

    recorder.calls.clear()
    t0 = time.monotonic()
    assert mlc.workspaces.begin_resync_keys(rg, name, raw_response_hook=recorder).result() is None
    assert time.monotonic() - t0 < 10
    assert (recorder.calls[0][0], recorder.calls[0][2]) == ("POST", 202)
    assert "Location" in recorder.calls[0][3]

    recorder.calls.clear()
    t0 = time.monotonic()
    mlc.workspaces.begin_delete(rg, name, raw_response_hook=recorder).result()
    assert time.monotonic() - t0 < 10
    assert (recorder.calls[0][0], recorder.calls[0][2]) == ("DELETE", 202)
    with pytest.raises(ResourceNotFoundError):
        mlc.workspaces.get(rg, name)
    assert set(deleted_names(mlc, env.subscription, rg)) == {name}

    t0 = time.monotonic()
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()
    assert time.monotonic() - t0 < 10
    assert deleted_names(mlc, env.subscription, rg) == {}


# ---------- the GA client (1.0.1, api 2020-08-01) ----------


def test_ga_client_lifecycle(env, ga, mlc, rm, new_group, recorder):
    from azure.mgmt.machinelearningservices import models as GM

    rg = new_group("mlga")
    name = ws_name("ga")
    created = ga.workspaces.begin_create_or_update(
        rg, name, GM.Workspace(location="westeurope", description="ga", friendly_name="GA", tags={"k": "v"}),
        raw_response_hook=recorder,
    ).result()
    assert recorder.calls[0][0] == "PUT"
    assert "api-version=2020-08-01" in recorder.calls[0][1]
    assert recorder.calls[0][2] == 200
    assert created.id == ws_path(env.subscription, rg, name)
    assert created.name == name
    assert created.location == "westeurope"
    assert created.tags == {"k": "v"}
    assert created.description == "ga"
    assert created.friendly_name == "GA"
    assert created.provisioning_state == "Succeeded"
    assert created.identity.type == "SystemAssigned"
    assert created.sku.name == "Basic"
    assert created.storage_account == created.storage_account.lower()

    got = ga.workspaces.get(rg, name)
    assert got.workspace_id == created.workspace_id
    assert got.key_vault == created.key_vault
    assert [w.name for w in ga.workspaces.list_by_resource_group(rg)] == [name]
    assert created.id in {w.id for w in ga.workspaces.list_by_subscription()}

    updated = ga.workspaces.update(rg, name, GM.WorkspaceUpdateParameters(description="ga2", tags={"k": "w"}))
    assert updated.description == "ga2"
    assert updated.tags == {"k": "w"}
    assert updated.friendly_name == "GA"
    assert ga.workspaces.get(rg, name).description == "ga2"

    keys = ga.workspaces.list_keys(rg, name)
    assert keys.user_storage_resource_id.lower() == created.storage_account
    assert keys.container_registry_credentials is None

    recorder.calls.clear()
    assert ga.workspaces.resync_keys(rg, name, raw_response_hook=recorder) is None
    assert [(c[0], c[2]) for c in recorder.calls] == [("POST", 200)]

    # The 2020-08-01 client has no forceToPurge: its DELETE soft-deletes.
    ga.workspaces.begin_delete(rg, name).result()
    with pytest.raises(ResourceNotFoundError):
        ga.workspaces.get(rg, name)
    assert list(ga.workspaces.list_by_resource_group(rg)) == []
    assert set(deleted_names(mlc, env.subscription, rg)) == {name}
    with pytest.raises(HttpResponseError) as e:
        ga.workspaces.begin_create_or_update(rg, name, GM.Workspace(location="westeurope")).result()
    assert e.value.status_code == 400
    assert e.value.error.message == SOFT_DELETE_MESSAGE
    # Deleting the group removes everything, the tombstone included.
    rm.resource_groups.begin_delete(rg).result()
    assert name not in deleted_names(mlc, env.subscription)


# ---------- MLClient (azure-ai-ml 1.35.2) ----------

CLOUD = "ArmEmuInterop"


@pytest.fixture(scope="module")
def ml_factory(env, credential):
    """MLClient, Recipe A of real-clients.md §4c: a custom cloud whose endpoints are the
    emulator's (registered once per process: MLClient refuses to overwrite a known cloud)."""
    from azure.ai.ml import MLClient

    endpoint = env.endpoint + "/"
    first = [True]

    def make(rg, workspace=None):
        kwargs = {"cloud": CLOUD, "enable_telemetry": False}
        if first[0]:
            kwargs["cloud_metadata"] = {
                "azure_portal": "https://portal.emu.local/",
                "resource_manager": endpoint,
                "active_directory": endpoint,
                "aml_resource_id": "https://ml.emu.local/",
                "storage_endpoint": "core.windows.net",
                "registry_discovery_endpoint": endpoint,
            }
            first[0] = False
        return MLClient(credential, env.subscription, rg, workspace, **kwargs)

    return make


def test_mlclient_get_and_list(env, mlc, ml_factory, new_group):
    rg = new_group("mlcl")
    other = new_group("mlcl")
    names = sorted(ws_name("mc") for _ in range(2))
    for n in names:
        mlc.workspaces.begin_create_or_update(rg, n, modern_workspace(description=f"d-{n}", tags={"t": n})).result()
    elsewhere = ws_name("mc")
    mlc.workspaces.begin_create_or_update(other, elsewhere, modern_workspace()).result()

    ml = ml_factory(rg)
    ws = ml.workspaces.get(names[0])
    assert ws.name == names[0]
    assert ws.id == ws_path(env.subscription, rg, names[0])
    assert ws.location == "westeurope"
    assert ws.description == f"d-{names[0]}"
    assert ws.tags == {"t": names[0]}
    assert ws.resource_group == rg
    assert ws.storage_account.startswith(f"/subscriptions/{env.subscription}/resourcegroups/{rg}/")
    assert ws.mlflow_tracking_uri.startswith("azureml://")

    assert sorted(w.name for w in ml.workspaces.list()) == names
    in_sub = {w.name for w in ml.workspaces.list(scope="subscription")}
    assert set(names) | {elsewhere} <= in_sub

    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get("nosuchws")


def test_mlclient_soft_delete_and_permanent_delete(env, mlc, rm, ml_factory, new_group):
    rg = new_group("mlcl")
    soft, hard = ws_name("soft"), ws_name("hard")
    made = {n: mlc.workspaces.begin_create_or_update(rg, n, modern_workspace()).result() for n in (soft, hard)}
    ml = ml_factory(rg)

    assert ml.workspaces.begin_delete(soft, delete_dependent_resources=False, permanently_delete=False).result() is None
    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get(soft)
    deleted = deleted_names(mlc, env.subscription, rg)
    assert set(deleted) == {soft}
    assert deleted[soft]["properties"]["workspaceId"] == made[soft].properties.workspace_id
    assert_dependents_exist(rm, made[soft].as_dict()["properties"])

    ml.workspaces.begin_delete(hard, delete_dependent_resources=False, permanently_delete=True).result()
    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get(hard)
    assert set(deleted_names(mlc, env.subscription, rg)) == {soft}
    assert_dependents_exist(rm, made[hard].as_dict()["properties"])
    assert [w.name for w in ml.workspaces.list()] == []


def test_mlclient_delete_with_dependent_resources(env, mlc, rm, ml_factory, new_group):
    """delete_dependent_resources=True GETs the app insights by generic id (2015-05-01), then
    deletes app insights, storage (2019-06-01) and key vault (2019-09-01) by id, then purges."""
    rg = new_group("mlcl")
    name = ws_name("deps")
    made = mlc.workspaces.begin_create_or_update(rg, name, modern_workspace()).result()
    props = made.as_dict()["properties"]
    ml = ml_factory(rg)
    ml.workspaces.begin_delete(name, delete_dependent_resources=True, permanently_delete=True).result()
    with pytest.raises(ResourceNotFoundError):
        ml.workspaces.get(name)
    assert deleted_names(mlc, env.subscription, rg) == {}
    for key in ("storageAccount", "keyVault", "applicationInsights"):
        rid = props[key]
        with pytest.raises(ResourceNotFoundError):
            rm.resources.get_by_id(rid, api_version=DEPENDENT_API[dependent_type(rid)])
    assert list(rm.resources.list_by_resource_group(rg)) == []


# ---------- MissingSubscriptionRegistration auto-registration ----------


def test_missing_registration_round_trip_for_workspace_write(env, rm, mlc, ga, new_group, recorder):
    """With Microsoft.MachineLearningServices unregistered (plain ARM unregister), a workspace
    write answers 409 MissingSubscriptionRegistration; azure-mgmt-core registers the namespace
    (POST .../register), sleeps its fixed 10 s, sees `Registered` and retries the write.

    The policy reads the 409 body with `http_response.text()`. The 2025-12-01 and 2020-08-01
    clients send their LRO initial requests (PUT/DELETE) with stream=True, so the body is not
    loaded there and the policy gives up (the 409 reaches the caller; asserted below). Their
    non-LRO writes are not streamed: the round trip is exercised with the GA client's PATCH
    (`update`), a sync workspace write."""
    from azure.mgmt.machinelearningservices import models as GM

    rg = new_group("mlreg")
    name = ws_name("reg")
    mlc.workspaces.begin_create_or_update(rg, name, modern_workspace(description="before")).result()
    try:
        assert rm.providers.unregister(ML_NS).registration_state == "NotRegistered"

        # Streamed LRO initial PUT: the 409 surfaces as is, nothing is registered.
        with pytest.raises(HttpResponseError) as e:
            mlc.workspaces.begin_create_or_update(rg, ws_name("reg"), modern_workspace()).result()
        assert e.value.status_code == 409
        assert e.value.error.code == "MissingSubscriptionRegistration"
        assert e.value.error.message == (
            f"The subscription is not registered to use namespace '{ML_NS}'. "
            "See https://aka.ms/rps-not-found for how to register subscriptions."
        )
        assert rm.providers.get(ML_NS).registration_state == "NotRegistered"

        t0 = time.monotonic()
        updated = ga.workspaces.update(
            rg, name, GM.WorkspaceUpdateParameters(description="after"), raw_response_hook=recorder
        )
        elapsed = time.monotonic() - t0
        # The hook sees the first PATCH and its retry (the policy's own POST/GET bypass it).
        assert [(c[0], c[2]) for c in recorder.calls] == [("PATCH", 409), ("PATCH", 200)]
        assert 9 < elapsed < 19, f"auto-registration took {elapsed:.1f} s"
        assert updated.description == "after"
        assert rm.providers.get(ML_NS).registration_state == "Registered"
        assert mlc.workspaces.get(rg, name).properties.description == "after"
    finally:
        if rm.providers.get(ML_NS).registration_state != "Registered":
            rm.providers.register(ML_NS)
        assert rm.providers.get(ML_NS).registration_state == "Registered"
        mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()
