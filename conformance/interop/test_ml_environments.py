"""Azure ML environments as ARM resources through unmodified azure-ai-ml 1.35.2
(`MLClient.environments`, api 2023-04-01-preview): the calls of the environments how-to
(reference real-clients.md §4c).

* `create_or_update` without a version (the SDK GETs the container, PUTs `latestVersion`, and
  on 409 PUTs `nextVersion`): versions 1 and 2; an identical re-create keeps the version;
* `get` by version and with `label="latest"`; `list()` and `list(name=)`;
* `archive` and `restore` (of a version and of a whole environment): an archived one leaves
  `list()`;
* a curated environment's `get`; a name starting with `AzureML` refused by the service.

The MLClient is built from the environment `armemu env` exported (as test_deployments.py).
"""

import pytest
from azure.core.exceptions import HttpResponseError

from ml_helpers import modern_client, ws_name, ws_path

IMAGE = "docker.io/python:3.11-slim"


@pytest.fixture
def workspace(env, credential, new_group, pristine_env, monkeypatch):
    """`(ml, rg, name)`: a fresh workspace and an MLClient scoped to it."""
    from azure.ai.ml import MLClient
    from azure.ai.ml._restclient.arm_ml_service import models as M

    # Other tests build MLClients with `cloud=…`, which MLClient records in
    # AZUREML_CURRENT_CLOUD; put back what `armemu env` exported.
    monkeypatch.setenv("AZUREML_CURRENT_CLOUD", pristine_env["AZUREML_CURRENT_CLOUD"])
    rg = new_group("mlenv")
    name = ws_name("env")
    mlc = modern_client(env, credential)
    mlc.workspaces.begin_create_or_update(
        rg, name, M.Workspace(location="westeurope", properties=M.WorkspaceProperties())
    ).result()
    return MLClient(credential, env.subscription, rg, name, enable_telemetry=False), rg, name


def test_create_twice_without_a_version_gives_1_then_2(env, workspace):
    from azure.ai.ml.entities import Environment

    ml, rg, name = workspace
    first = ml.environments.create_or_update(Environment(name="myenv", image=IMAGE, description="first"))
    assert first.version == "1"
    assert first.image == IMAGE
    assert first.description == "first"
    assert first.id == f"{ws_path(env.subscription, rg, name)}/environments/myenv/versions/1"
    # Identical: the SDK PUTs latestVersion again, which answers 200 with the same version.
    same = ml.environments.create_or_update(Environment(name="myenv", image=IMAGE, description="first"))
    assert same.version == "1"
    # Changed image: 409 on version 1, then nextVersion.
    second = ml.environments.create_or_update(Environment(name="myenv", image=IMAGE + "-2", description="second"))
    assert second.version == "2"
    assert second.image == IMAGE + "-2"
    # A changed description only updates the latest version in place (the SDK's dedup).
    third = ml.environments.create_or_update(Environment(name="myenv", image=IMAGE + "-2", description="edited"))
    assert third.version == "2"
    assert ml.environments.get("myenv", version="2").description == "edited"

    got = ml.environments.get("myenv", version="1")
    assert (got.name, got.version, got.image) == ("myenv", "1", IMAGE)
    latest = ml.environments.get("myenv", label="latest")
    assert latest.version == "2"

    # A conda file travels with the definition.
    conda = {"name": "c", "channels": ["conda-forge"], "dependencies": ["python=3.10", {"pip": ["numpy"]}]}
    c = ml.environments.create_or_update(Environment(name="condaenv", image=IMAGE, conda_file=conda))
    assert c.version == "1"
    assert ml.environments.get("condaenv", version="1").conda_file == conda


def test_list_archive_and_restore(workspace):
    from azure.ai.ml.entities import Environment

    ml, _, _ = workspace
    for image in (IMAGE, IMAGE + "-2"):
        ml.environments.create_or_update(Environment(name="envA", image=image))
    ml.environments.create_or_update(Environment(name="envB", image=IMAGE))

    names = {e.name for e in ml.environments.list()}
    assert {"envA", "envB", "AzureML-Minimal", "AzureML-Tutorial"} <= names
    assert sorted(e.version for e in ml.environments.list(name="envA")) == ["1", "2"]

    # A version.
    ml.environments.archive("envA", version="1")
    assert [e.version for e in ml.environments.list(name="envA")] == ["2"]
    assert ml.environments.get("envA", version="1").version == "1"  # still readable
    ml.environments.restore("envA", version="1")
    assert sorted(e.version for e in ml.environments.list(name="envA")) == ["1", "2"]

    # A whole environment leaves list().
    ml.environments.archive("envB")
    assert "envB" not in {e.name for e in ml.environments.list()}
    from azure.ai.ml.constants import ListViewType

    archived = {e.name for e in ml.environments.list(list_view_type=ListViewType.ARCHIVED_ONLY)}
    assert archived == {"envB"}
    ml.environments.restore("envB")
    assert "envB" in {e.name for e in ml.environments.list()}


def test_curated_get_and_the_reserved_prefix(workspace):
    from azure.ai.ml.entities import Environment

    ml, _, _ = workspace
    minimal = ml.environments.get("AzureML-Minimal", label="latest")
    assert minimal.name == "AzureML-Minimal"
    assert minimal.image.startswith("mcr.microsoft.com/azureml/")
    assert minimal.conda_file is not None
    assert ml.environments.get("AzureML-Minimal", version=minimal.version).version == minimal.version

    with pytest.raises(HttpResponseError) as e:
        ml.environments.create_or_update(Environment(name="AzureML-mine", version="1", image=IMAGE))
    assert e.value.status_code == 400
    assert "reserved for curated environments" in str(e.value)
