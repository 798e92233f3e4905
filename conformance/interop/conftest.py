"""Fixtures for the real-client interop suite.

Everything comes from the environment that `run.sh` sets up (`eval "$(armemu env ...)"`
plus ARMEMU_AZ, the CLI venv's `az`). Nothing is skipped: a missing variable fails the
test that needs it with a message saying how to run the suite.
"""

import json
import os
import signal
import subprocess
import uuid

import pytest
import requests

# The environment as run.sh left it (`armemu env`), before any test runs: MLClient writes the
# cloud it was built for into AZUREML_CURRENT_CLOUD, so later tests that need the exported
# value (or a clean child environment) take it from here.
PRISTINE_ENV = dict(os.environ)

REQUIRED = (
    "ARMEMU_ENDPOINT",
    "ARMEMU_CA",
    "REQUESTS_CA_BUNDLE",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_SUBSCRIPTION_ID",
    "MSI_ENDPOINT",
    "AZURE_CONFIG_DIR",
)


class Env:
    """The emulator's coordinates, read from the environment."""

    def __init__(self):
        missing = [k for k in REQUIRED if not os.environ.get(k)]
        if missing:
            pytest.fail(
                "interop environment missing: "
                + ", ".join(missing)
                + ". Run the suite through conformance/interop/run.sh ARMEMU_BINARY, "
                "which starts armemu and exports `armemu env`.",
                pytrace=False,
            )
        self.endpoint = os.environ["ARMEMU_ENDPOINT"].rstrip("/")
        self.ca = os.environ["ARMEMU_CA"]
        self.bundle = os.environ["REQUESTS_CA_BUNDLE"]
        self.tenant = os.environ["AZURE_TENANT_ID"]
        self.client_id = os.environ["AZURE_CLIENT_ID"]
        self.client_secret = os.environ["AZURE_CLIENT_SECRET"]
        self.subscription = os.environ["AZURE_SUBSCRIPTION_ID"]
        self.msi_endpoint = os.environ["MSI_ENDPOINT"]
        self.config_dir = os.environ["AZURE_CONFIG_DIR"]


@pytest.fixture(scope="session")
def env():
    return Env()


@pytest.fixture(scope="session")
def pristine_env():
    """A copy of the environment `armemu env` exported, as it was before any test ran."""
    return dict(PRISTINE_ENV)


class Emulator:
    """The emulator's test-control API (`/_emulator/*`, no authentication)."""

    def __init__(self, env):
        self.base = env.endpoint
        self.session = requests.Session()
        self.session.verify = env.bundle

    def settings(self):
        r = self.session.get(f"{self.base}/_emulator/settings", timeout=30)
        r.raise_for_status()
        return r.json()

    def patch_settings(self, body):
        r = self.session.patch(f"{self.base}/_emulator/settings", json=body, timeout=30)
        assert r.status_code == 200, f"PATCH /_emulator/settings {body}: {r.status_code} {r.text}"
        return r.json()


@pytest.fixture(scope="session")
def emulator(env):
    return Emulator(env)


@pytest.fixture
def settings(emulator):
    """`settings({...})` PATCHes /_emulator/settings; the previous values come back afterwards."""
    before = emulator.settings()
    touched_lro = set()

    def apply(body):
        touched_lro.update((body.get("lro") or {}).keys())
        return emulator.patch_settings(body)

    yield apply
    restore = {"registrationDelay": before["registrationDelay"], "pageSize": before["pageSize"]}
    if touched_lro:
        restore["lro"] = {k: before["lro"].get(k) for k in touched_lro}
    emulator.patch_settings(restore)


@pytest.fixture(scope="session")
def credential(env):
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        env.tenant,
        env.client_id,
        env.client_secret,
        authority=env.endpoint,
        disable_instance_discovery=True,
    )


class Instance:
    """An armemu of a test's own (ARMEMU_BINARY, exported by run.sh) on free ports, started
    with extra arguments; its ready line gives the endpoints."""

    def __init__(self, exe, args):
        self.proc = subprocess.Popen(
            [exe, "--http-port", "0", "--https-port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if '"ready"' not in line:
            self.proc.kill()
            pytest.fail(f"armemu {' '.join(args)} did not start: {line!r} {self.proc.stderr.read()}")
        ready = json.loads(line)
        self.http = ready["http"]
        self.https = ready["https"]
        self.bundle = ready["bundle"]

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


def start_own_armemu(*args):
    exe = os.environ.get("ARMEMU_BINARY")
    if not exe:
        pytest.fail("ARMEMU_BINARY is not set: run the suite through conformance/interop/run.sh", pytrace=False)
    return Instance(exe, args)


@pytest.fixture
def own_armemu():
    """`own_armemu(*args)` starts an armemu of the test's own, so what the test does to it
    (kill -9, moving its clock) touches nothing the other tests use; each is killed after
    the test."""
    started = []

    def start(*args):
        i = start_own_armemu(*args)
        started.append(i)
        return i

    yield start
    for i in started:
        if i.proc.poll() is None:
            i.kill9()


@pytest.fixture(scope="session")
def rm(env, credential):
    """azure-mgmt-resource 26 over HTTPS; TLS trust comes from REQUESTS_CA_BUNDLE."""
    from azure.mgmt.resource.resources import ResourceManagementClient

    return ResourceManagementClient(credential, env.subscription, base_url=env.endpoint)


@pytest.fixture(scope="session")
def arm(env, credential):
    """Template deployments and their operations, read through the ResourceManagementClient
    vendored in azure-ai-ml 1.35.2 (the one its deployment executor uses; azure-mgmt-resource 26
    no longer has deployments)."""
    from azure.ai.ml._vendor.azure_resources._resource_management_client import ResourceManagementClient

    return ResourceManagementClient(credential, env.subscription, base_url=env.endpoint)


@pytest.fixture
def new_group(rm):
    """`new_group(**tags)` creates a uniquely named resource group in westeurope; every group
    made this way is deleted after the test (if the test has not already deleted it)."""
    made = []

    def make(prefix="interop", tags=None):
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        rm.resource_groups.create_or_update(name, {"location": "westeurope", "tags": tags or {}})
        made.append(name)
        return name

    yield make
    for name in made:
        if rm.resource_groups.check_existence(name):
            rm.resource_groups.begin_delete(name).result()


class Recorder:
    """A `raw_response_hook`: records (method, url, status) of every response it sees."""

    def __init__(self):
        self.calls = []

    def __call__(self, pipeline_response):
        req, resp = pipeline_response.http_request, pipeline_response.http_response
        self.calls.append((req.method, req.url, resp.status_code, resp.headers))  # case-insensitive

    @property
    def statuses(self):
        return [c[2] for c in self.calls]


@pytest.fixture
def recorder():
    return Recorder()


class Az:
    """Runs the real az CLI (the CLI venv's) with the environment from `armemu env`."""

    def __init__(self, exe):
        self.exe = exe

    def run(self, *args, check=True):
        p = subprocess.run(
            [self.exe, *args, "--only-show-errors"],
            capture_output=True,
            text=True,
            timeout=180,
            env=os.environ.copy(),
        )
        if check and p.returncode != 0:
            pytest.fail(f"az {' '.join(args)} exited {p.returncode}:\n{p.stderr}", pytrace=False)
        return p

    def json(self, *args):
        p = self.run(*args, "--output", "json")
        return json.loads(p.stdout)

    def tsv(self, *args):
        return self.run(*args, "--output", "tsv").stdout.strip()


@pytest.fixture(scope="session")
def az(env):
    exe = os.environ.get("ARMEMU_AZ")
    if not exe or not os.access(exe, os.X_OK):
        pytest.fail(
            f"ARMEMU_AZ={exe!r} is not an executable az; run.sh sets it to .cache/venv-cli/bin/az "
            "after `armemu az-login`.",
            pytrace=False,
        )
    return Az(exe)
