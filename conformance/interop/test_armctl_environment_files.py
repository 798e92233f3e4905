"""`armctl ml environment scaffold` writes what azureml-core reads: the directory it makes is
loaded by `Environment.load_from_directory` (v1_driver.py env-load, in the v1 venv) into exactly
the definition `Environment(name)` has, and the two files are byte for byte what
`Environment(name).save_to_directory` writes.

armctl is the binary next to ARMEMU_BINARY (`make test` builds both into one target directory),
or ARMEMU_ARMCTL. It finds the emulator through ARMEMU_ENDPOINT/ARMEMU_CA (`armemu env`).
"""

import os
import subprocess

import pytest

from test_ml_v1 import run_driver, v1_python  # noqa: F401 - the fixture is used by name


@pytest.fixture(scope="module")
def armctl():
    exe = os.environ.get("ARMEMU_ARMCTL") or os.path.join(
        os.path.dirname(os.environ.get("ARMEMU_BINARY", "")), "armctl"
    )
    if not os.access(exe, os.X_OK):
        pytest.fail(
            f"no armctl binary at {exe!r}: build it into the armemu binary's target directory "
            "(cargo build -p armctl) or set ARMEMU_ARMCTL",
            pytrace=False,
        )
    return exe


def run_armctl(exe, pristine_env, home, *args):
    env = dict(pristine_env)
    env["HOME"] = str(home)
    env["ARMCTL_CONFIG_DIR"] = str(home / "armctl")
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120, env=env, cwd=str(home))
    assert p.returncode == 0, f"armctl {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def test_scaffold_is_what_azureml_core_loads(armctl, v1_python, pristine_env, tmp_path, new_group):  # noqa: F811
    rg = new_group("envfiles")
    run_armctl(armctl, pristine_env, tmp_path, "ml", "workspace", "create", "-w", "wsfiles", "-g", rg)
    target = tmp_path / "myenvdir"
    out = run_armctl(armctl, pristine_env, tmp_path, "ml", "environment", "scaffold", "-n", "myenv",
                     "-d", str(target), "-w", "wsfiles", "-g", rg)
    assert out.stdout == ""

    result = run_driver(v1_python, pristine_env, tmp_path, "env-load", str(target), "myenv")
    assert result["loaded"] == result["fresh"]

    # Byte for byte: the SDK's own save_to_directory of the same environment.
    sdk_dir = tmp_path / "sdk"
    code = ("import sys; from azureml.core import Environment; "
            "Environment(sys.argv[1]).save_to_directory(sys.argv[2])")
    subprocess.run([v1_python, "-c", code, "myenv", str(sdk_dir)], check=True, timeout=120,
                   env={**pristine_env, "HOME": str(tmp_path)})
    for name in ("azureml_environment.json", "conda_dependencies.yml"):
        assert (target / name).read_bytes() == (sdk_dir / name).read_bytes(), name
    assert sorted(os.listdir(target)) == sorted(os.listdir(sdk_dir))
