"""Durable state (`armemu --state-dir`) seen by unmodified azure-mgmt-resource: writes
acknowledged by an emulator that is then killed with SIGKILL are all there after a restart
from the same directory, deletes included, and a write made after the restart survives the
next kill too.

Each test starts its own `armemu` (ARMEMU_BINARY, exported by run.sh) on free ports with its
own data and state directories, so killing it touches nothing the other tests use.
"""

import json
import os
import signal
import subprocess

import pytest
from azure.core.exceptions import ResourceNotFoundError


class Instance:
    def __init__(self, exe, data, state):
        self.proc = subprocess.Popen(
            [exe, "--http-port", "0", "--https-port", "0", "--data-dir", data, "--state-dir", state],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if '"ready"' not in line:
            self.proc.kill()
            pytest.fail(f"armemu --state-dir did not start: {line!r} {self.proc.stderr.read()}")
        ready = json.loads(line)
        self.https = ready["https"]
        self.bundle = ready["bundle"]

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def instance(tmp_path):
    exe = os.environ.get("ARMEMU_BINARY")
    if not exe:
        pytest.fail("ARMEMU_BINARY is not set: run the suite through conformance/interop/run.sh", pytrace=False)
    started = []

    def start():
        i = Instance(exe, str(tmp_path / "data"), str(tmp_path / "state"))
        started.append(i)
        return i

    yield start
    for i in started:
        if i.proc.poll() is None:
            i.kill9()


def client(env, credential, inst):
    from azure.mgmt.resource.resources import ResourceManagementClient

    return ResourceManagementClient(credential, env.subscription, base_url=inst.https, connection_verify=inst.bundle)


def test_acknowledged_writes_survive_sigkill(env, credential, instance):
    first = instance()
    rm = client(env, credential, first)
    rm.resource_groups.create_or_update("durable-kept", {"location": "westeurope", "tags": {"n": "1"}})
    rm.resource_groups.create_or_update("durable-kept", {"location": "westeurope", "tags": {"n": "2"}})
    rm.resource_groups.create_or_update("durable-gone", {"location": "westeurope"})
    rm.resource_groups.begin_delete("durable-gone").result()
    first.kill9()

    second = instance()
    rm = client(env, credential, second)
    kept = rm.resource_groups.get("durable-kept")
    assert kept.tags == {"n": "2"}
    assert kept.location == "westeurope"
    with pytest.raises(ResourceNotFoundError):
        rm.resource_groups.get("durable-gone")
    rm.resource_groups.create_or_update("durable-after", {"location": "northeurope"})
    second.kill9()

    third = instance()
    rm = client(env, credential, third)
    names = {g.name for g in rm.resource_groups.list()}
    assert {"durable-kept", "durable-after"} <= names
    assert "durable-gone" not in names
