"""Pointing clients at the emulator with the environment alone (`eval "$(armemu env)"`).

The emulator's cloud metadata names its own cloud (`ArmEmu`), and `armemu env` exports
`AZUREML_CURRENT_CLOUD=ArmEmu` with `ARM_CLOUD_METADATA_URL`: azure-ai-ml then takes every
endpoint from the emulator's metadata. (Under the name `AzureCloud` it would use its built-in
entry, management.azure.com, and the az CLI would force the public login endpoint.)

The MLClient runs in a fresh interpreter whose environment is exactly what run.sh exported, so
nothing registered by other tests in this process (clouds, AZUREML_CURRENT_CLOUD) helps it.
"""

import json
import subprocess
import sys
import textwrap

from ml_helpers import modern_client, ws_name, ws_path

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from azure.ai.ml import MLClient
    from azure.core.exceptions import ResourceNotFoundError
    from azure.identity import DefaultAzureCredential

    rg, name = sys.argv[1], sys.argv[2]
    # Tenant, client id, secret and authority host all come from the environment.
    cred = DefaultAzureCredential(disable_instance_discovery=True)
    ml = MLClient(cred, os.environ["AZURE_SUBSCRIPTION_ID"], rg, name, enable_telemetry=False)
    ws = ml.workspaces.get(name)
    try:
        ml.workspaces.get("nosuchws")
        missing = None
    except ResourceNotFoundError as e:
        missing = e.status_code
    print(json.dumps({
        "base_url": ml._base_url,
        "cloud": os.environ.get("AZUREML_CURRENT_CLOUD"),
        "id": ws.id,
        "description": ws.description,
        "listed": sorted(w.name for w in ml.workspaces.list()),
        "missing": missing,
    }))
    """
)


def test_mlclient_without_cloud_arguments_reaches_the_emulator(env, credential, new_group, pristine_env):
    assert pristine_env["AZUREML_CURRENT_CLOUD"] == "ArmEmu"
    assert pristine_env["ARM_CLOUD_METADATA_URL"].startswith(env.endpoint + "/metadata/endpoints")

    rg = new_group("envonly")
    name = ws_name("env")
    from azure.ai.ml._restclient.arm_ml_service import models as M

    mlc = modern_client(env, credential)
    mlc.workspaces.begin_create_or_update(
        rg, name, M.Workspace(location="westeurope", properties=M.WorkspaceProperties(description="env only"))
    ).result()

    p = subprocess.run(
        [sys.executable, "-c", SCRIPT, rg, name],
        capture_output=True,
        text=True,
        timeout=120,
        env=pristine_env,
    )
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["base_url"] == env.endpoint
    assert got["cloud"] == "ArmEmu"
    assert got["id"] == ws_path(env.subscription, rg, name)
    assert got["description"] == "env only"
    assert got["listed"] == [name]
    assert got["missing"] == 404
    mlc.workspaces.begin_delete(rg, name, force_to_purge=True).result()


def test_cloud_metadata_names_the_emulator_cloud(env, emulator):
    """The document both ARM_CLOUD_METADATA_URL consumers (array form) and `az cloud register`
    (object form) read names `ArmEmu` and points every endpoint at the emulator."""
    for version, pick in (("2019-05-01", lambda d: d[0]), ("2022-09-01", lambda d: d)):
        r = emulator.session.get(f"{env.endpoint}/metadata/endpoints", params={"api-version": version}, timeout=30)
        assert r.status_code == 200
        doc = pick(r.json())
        assert doc["name"] == "ArmEmu"
        assert doc["resourceManager"] == env.endpoint + "/"
        assert doc["authentication"]["loginEndpoint"] == env.endpoint + "/"
