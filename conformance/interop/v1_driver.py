"""Runs azureml-core (the Azure ML v1 SDK) against the emulator; started by test_ml_v1.py with
.cache/venv-v1's python (azureml-core's pins conflict with the SDK venv's). Not a test module.

    v1_driver.py create NAME RESOURCE_GROUP
    v1_driver.py environments NAME RESOURCE_GROUP   (the environments how-to's snippets)
    v1_driver.py env-load DIRECTORY NAME   (offline: load_from_directory, and Environment(NAME))

Everything comes from the environment `armemu env` exported: ARM_CLOUD_METADATA_URL and
AZUREML_CURRENT_CLOUD choose the cloud, MSI_ENDPOINT gives the default authentication (no
`auth=`), REQUESTS_CA_BUNDLE/SSL_CERT_FILE trust the emulator. The last line on stdout is
`RESULT {json}` with what the SDK returned; any exception is printed and exits 1.
"""

import json
import os
import sys
import time
import traceback

DETAIL_KEYS = (
    "id", "name", "location", "type", "workspaceid", "description", "friendlyName",
    "storageAccount", "keyVault", "applicationInsights", "containerRegistry", "identity",
    "hbiWorkspace", "sku", "tags", "provisioningState", "discoveryUrl", "systemDatastoresAuthMode",
)


def details(ws):
    d = ws.get_details()
    return {k: d.get(k) for k in DETAIL_KEYS}


def create(name, rg):
    from azureml.core import Workspace
    from azureml.core.authentication import ServicePrincipalAuthentication

    sub = os.environ["AZURE_SUBSCRIPTION_ID"]
    out = {}
    t0 = time.monotonic()
    # Default authentication: MSI_ENDPOINT (azureml-v1-sdk.md §2.3).
    ws = Workspace.create(
        name,
        subscription_id=sub,
        resource_group=rg,
        location="eastus",
        create_resource_group=True,
        show_output=False,
    )
    out["create_seconds"] = round(time.monotonic() - t0, 2)
    out["created_object"] = {"name": ws.name, "resource_group": ws.resource_group,
                             "subscription_id": ws.subscription_id, "location": ws.location}
    out["created"] = details(ws)

    t0 = time.monotonic()
    got = Workspace.get(name, subscription_id=sub, resource_group=rg)
    out["get_seconds"] = round(time.monotonic() - t0, 2)
    out["get"] = details(got)

    # A service principal in the `adfs` tenant form (MSAL skips instance discovery for it).
    sp = ServicePrincipalAuthentication(
        tenant_id="adfs",
        service_principal_id=os.environ["AZURE_CLIENT_ID"],
        service_principal_password=os.environ["AZURE_CLIENT_SECRET"],
    )
    out["sp_cloud"] = sp._get_cloud_type().name
    out["get_sp"] = details(Workspace.get(name, subscription_id=sub, resource_group=rg, auth=sp))
    return out


def environments(name, rg):
    """The environments how-to (seed 003), snippet by snippet, in the current directory."""
    from azureml.core import Environment, Workspace
    from azureml.core.conda_dependencies import CondaDependencies

    sub = os.environ["AZURE_SUBSCRIPTION_ID"]
    ws = Workspace.create(name, subscription_id=sub, resource_group=rg, location="eastus",
                          create_resource_group=True, show_output=False)
    out = {"workspace_id": ws.get_details()["id"]}

    env = Environment.get(workspace=ws, name="AzureML-Minimal")
    out["minimal"] = {"name": env.name, "version": env.version,
                      "conda": env.python.conda_dependencies.serialize_to_string()}

    envs = Environment.list(workspace=ws)
    curated = {}
    for env in envs:
        if env.startswith("AzureML"):
            print("Name", env)
            print("packages", envs[env].python.conda_dependencies.serialize_to_string())
            curated[env] = envs[env].python.conda_dependencies.serialize_to_string()
    out["curated"] = curated

    myenv = Environment(name="myenv")
    conda_dep = CondaDependencies()
    conda_dep.add_conda_package("scikit-learn==0.21.3")
    conda_dep.add_pip_package("pillow")
    myenv.python.conda_dependencies = conda_dep
    out["registered"] = myenv.register(workspace=ws).version
    out["unchanged"] = myenv.register(workspace=ws).version
    myenv.python.conda_dependencies.add_pip_package("numpy")
    changed = myenv.register(workspace=ws)
    out["changed"] = changed.version

    got = Environment.get(workspace=ws, name="myenv", version="1")
    out["get_v1"] = {"name": got.name, "version": got.version,
                     "conda": got.python.conda_dependencies.serialize_to_string(),
                     "base_image": got.docker.base_image}

    with open("env.yml", "w") as f:
        f.write("name: fromconda\nchannels:\n- conda-forge\ndependencies:\n- python=3.10\n- pip:\n  - requests\n")
    with open("requirements.txt", "w") as f:
        f.write("pandas==2.2.2\n")
    out["from_conda"] = Environment.from_conda_specification(name="condaenv", file_path="env.yml").register(ws).version
    out["from_pip"] = Environment.from_pip_requirements(name="pipenv", file_path="requirements.txt").register(ws).version

    got.save_to_directory(path="saved_env", overwrite=True)
    loaded = Environment.load_from_directory(path="saved_env")
    out["round_trip"] = {"name": loaded.name, "version": loaded.version,
                         "same_conda": loaded.python.conda_dependencies.serialize_to_string()
                         == got.python.conda_dependencies.serialize_to_string()}
    out["reregistered_loaded"] = loaded.register(ws).version

    build = changed.build(ws)
    build.wait_for_completion(show_output=True)
    out["build_status"] = build.status
    details = changed.get_image_details(ws)
    out["image"] = {"exists": details.image_exist, "image": details.image}

    # What the emulator does not model must fail clearly.
    with open("private-1.0-py3-none-any.whl", "wb") as f:
        f.write(b"PK")
    try:
        Environment.add_private_pip_wheel(workspace=ws, file_path="private-1.0-py3-none-any.whl")
        out["private_wheel"] = "no error"
    except Exception as e:  # noqa: BLE001 - the message is what is checked
        out["private_wheel"] = repr(e)[:3000]
    return out


def env_load(directory, name):
    """`Environment.load_from_directory(directory)` and a fresh `Environment(name)`, both as
    `_serialize_to_dict` (what `armctl ml environment scaffold` must reproduce)."""
    from azureml.core import Environment

    loaded = Environment.load_from_directory(directory)
    return {"loaded": Environment._serialize_to_dict(loaded),
            "fresh": Environment._serialize_to_dict(Environment(name))}


COMMANDS = {"create": create, "environments": environments, "env-load": env_load}


def main(argv):
    if len(argv) != 4 or argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = COMMANDS[argv[1]](argv[2], argv[3])
    except Exception:  # noqa: BLE001 - reported to the test as is
        traceback.print_exc()
        return 1
    sys.stdout.flush()
    print("RESULT " + json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
