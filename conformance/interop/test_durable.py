"""Durable state (`armemu --state-dir`) seen by unmodified azure-mgmt-resource: writes
acknowledged by an emulator that is then killed with SIGKILL are all there after a restart
from the same directory, deletes included, and a write made after the restart survives the
next kill too.

Each test starts its own `armemu` (ARMEMU_BINARY, exported by run.sh) on free ports with its
own data and state directories, so killing it touches nothing the other tests use.
"""

import pytest
from azure.core.exceptions import ResourceNotFoundError


@pytest.fixture
def instance(own_armemu, tmp_path):
    """`instance()` starts an armemu on the same data and state directories each time."""
    return lambda: own_armemu("--data-dir", str(tmp_path / "data"), "--state-dir", str(tmp_path / "state"))


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
