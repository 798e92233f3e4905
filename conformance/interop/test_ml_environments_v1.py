"""azureml-core 1.61 environments (seed 003, the environments how-to) against the emulator's
environment service: every snippet the emulator models, run unmodified by v1_driver.py in the
v1 venv, then checked here through ARM (the workspace's registry, the v2 view of a v1
registration)."""

import uuid

from test_ml_v1 import run_driver, v1_python  # noqa: F401 - the fixture is used by name

ML = "Microsoft.MachineLearningServices"


def test_v1_environments_how_to(env, rm, v1_python, pristine_env, tmp_path):  # noqa: F811
    rg = f"v1env-{uuid.uuid4().hex[:8]}"
    name = f"v1env{uuid.uuid4().hex[:6]}"
    try:
        out = run_driver(v1_python, pristine_env, tmp_path, "environments", name, rg)
        assert out["minimal"]["name"] == "AzureML-Minimal"
        assert out["minimal"]["version"] == "48"
        assert "azureml-defaults" in out["minimal"]["conda"]
        assert "AzureML-Minimal" in out["curated"] and len(out["curated"]) >= 5
        assert all("dependencies:" in c for c in out["curated"].values()), out["curated"]

        assert (out["registered"], out["unchanged"], out["changed"]) == ("1", "1", "2")
        got = out["get_v1"]
        assert (got["name"], got["version"]) == ("myenv", "1")
        assert "scikit-learn==0.21.3" in got["conda"] and "pillow" in got["conda"] and "numpy" not in got["conda"]
        assert got["base_image"].startswith("mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04")
        assert (out["from_conda"], out["from_pip"]) == ("1", "1")
        assert out["round_trip"] == {"name": "myenv", "version": "1", "same_conda": True}
        # A downloaded (versioned) directory registers to its own version, unchanged.
        assert out["reregistered_loaded"] == "1"

        assert out["build_status"] == "Succeeded"
        ws = rm.resources.get_by_id(out["workspace_id"], api_version="2024-04-01")
        acr_id = ws.properties["containerRegistry"]
        assert acr_id and "/providers/Microsoft.ContainerRegistry/registries/" in acr_id, ws.properties
        acr = rm.resources.get_by_id(acr_id, api_version="2023-07-01")
        assert out["image"]["exists"] is True
        assert out["image"]["image"].startswith(acr.properties["loginServer"] + "/azureml/azureml_")

        # The v1 registration is a v2 version.
        v = rm.resources.get_by_id(f"{out['workspace_id']}/environments/myenv/versions/2", api_version="2024-10-01")
        assert v.properties["image"].startswith("mcr.microsoft.com/azureml/")
        assert "numpy" in v.properties["condaFile"]

        # Not emulated: a clear error naming it, never an api-version complaint.
        wheel = out["private_wheel"]
        assert "does not emulate" in wheel and "add_private_pip_wheel" in wheel, wheel
        assert "api-version" not in wheel
    finally:
        if rm.resource_groups.check_existence(rg):
            rm.resource_groups.begin_delete(rg).result()
