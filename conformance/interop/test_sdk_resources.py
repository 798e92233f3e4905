"""azure-mgmt-resource 26 (ResourceManagementClient, api-version 2025-04-01) over HTTPS with a
real ClientSecretCredential against the emulator's token endpoint."""

import time
import uuid

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.mgmt.resource.resources.models import GenericResource, ResourceGroupPatchable


def test_create_new_then_existing_group(env, rm, recorder):
    name = f"interop-{uuid.uuid4().hex[:10]}"
    try:
        assert rm.resource_groups.check_existence(name) is False
        created = rm.resource_groups.create_or_update(
            name, {"location": "westeurope", "tags": {"env": "test"}}, raw_response_hook=recorder
        )
        assert recorder.statuses == [201]
        assert created.name == name
        assert created.location == "westeurope"
        assert created.tags == {"env": "test"}
        assert created.type == "Microsoft.Resources/resourceGroups"
        assert created.id == f"/subscriptions/{env.subscription}/resourceGroups/{name}"
        assert created.properties.provisioning_state == "Succeeded"

        # PUT on an existing group answers 200 and replaces the tags.
        again = rm.resource_groups.create_or_update(
            name, {"location": "westeurope", "tags": {"env": "prod", "team": "ml"}}, raw_response_hook=recorder
        )
        assert recorder.statuses == [201, 200]
        assert again.id == created.id
        assert again.tags == {"env": "prod", "team": "ml"}
    finally:
        if rm.resource_groups.check_existence(name):
            rm.resource_groups.begin_delete(name).result()


def test_get_and_check_existence(rm, new_group):
    name = new_group(tags={"k": "v"})
    got = rm.resource_groups.get(name)
    assert got.name == name
    assert got.location == "westeurope"
    assert got.tags == {"k": "v"}
    assert got.properties.provisioning_state == "Succeeded"
    assert rm.resource_groups.check_existence(name) is True
    assert rm.resource_groups.check_existence(name + "-nope") is False


def test_list_follows_next_links_with_small_pages(env, rm, new_group, settings, recorder):
    run = uuid.uuid4().hex[:8]
    names = {new_group(tags={"interoprun": run}) for _ in range(5)}
    settings({"pageSize": 2})
    got = [
        g.name
        for g in rm.resource_groups.list(
            filter=f"tagName eq 'interoprun' and tagValue eq '{run}'", raw_response_hook=recorder
        )
    ]
    assert sorted(got) == sorted(names)
    # 5 groups in pages of 2: three GETs, the later ones from the absolute nextLink.
    assert recorder.statuses == [200, 200, 200]
    assert all(c[1].startswith(env.endpoint) for c in recorder.calls)
    # Without the filter every group of the subscription comes back, still paged.
    everything = {g.name for g in rm.resource_groups.list()}
    assert names <= everything


def test_list_with_top(rm, new_group, recorder):
    for _ in range(3):
        new_group()
    groups = list(rm.resource_groups.list(top=2, raw_response_hook=recorder))
    total = len(groups)
    assert total >= 3
    assert len({g.id for g in groups}) == total
    # $top=2 pages the answer: one GET per page of two.
    assert len(recorder.calls) == (total + 1) // 2
    assert all("%24top=2" in c[1] or "$top=2" in c[1] for c in recorder.calls)


def test_update_tags_with_patch(rm, new_group):
    name = new_group(tags={"a": "1"})
    updated = rm.resource_groups.update(name, ResourceGroupPatchable(tags={"b": "2", "c": "3"}))
    assert updated.tags == {"b": "2", "c": "3"}
    assert updated.location == "westeurope"
    assert rm.resource_groups.get(name).tags == {"b": "2", "c": "3"}


def test_delete_sync_mode(rm, new_group, recorder):
    name = new_group()
    t0 = time.monotonic()
    rm.resource_groups.begin_delete(name, raw_response_hook=recorder).result()
    elapsed = time.monotonic() - t0
    # Default LRO mode `sync`: one DELETE answered 200, no polling.
    assert [(m, s) for m, _, s, _ in recorder.calls] == [("DELETE", 200)]
    assert elapsed < 5
    assert rm.resource_groups.check_existence(name) is False


def test_delete_async_polls(rm, new_group, settings, recorder):
    name = new_group()
    settings({"lro": {"resourceGroups/delete": "polls:2"}})
    t0 = time.monotonic()
    poller = rm.resource_groups.begin_delete(name, raw_response_hook=recorder)
    poller.result()
    elapsed = time.monotonic() - t0
    assert poller.status() == "Succeeded"
    # DELETE -> 202 + Location + Retry-After: 1, then the Location URL: 202, 200.
    methods = [(m, s) for m, _, s, _ in recorder.calls]
    assert methods == [("DELETE", 202), ("GET", 202), ("GET", 200)], methods
    headers = recorder.calls[0][3]
    assert headers.get("Retry-After") == "1"
    assert "/operationresults/" in headers["Location"]
    assert recorder.calls[1][1] == headers["Location"] or recorder.calls[1][1].endswith(headers["Location"])
    # Retry-After: 1 is honoured (no 30 s default polling interval).
    assert elapsed < 10, f"async delete took {elapsed:.1f} s"
    assert rm.resource_groups.check_existence(name) is False


def test_get_deleted_group_is_resource_group_not_found(rm, new_group):
    name = new_group()
    rm.resource_groups.begin_delete(name).result()
    with pytest.raises(ResourceNotFoundError) as e:
        rm.resource_groups.get(name)
    assert e.value.status_code == 404
    assert e.value.error.code == "ResourceGroupNotFound"
    assert e.value.error.message == f"Resource group '{name}' could not be found."


def test_providers_unregister_register_get_list(env, rm):
    ns = "Microsoft.Search"
    p = rm.providers.unregister(ns)
    assert p.namespace == ns
    assert p.registration_state == "NotRegistered"
    assert rm.providers.get(ns).registration_state == "NotRegistered"

    p = rm.providers.register(ns)
    assert p.namespace == ns
    assert p.registration_state == "Registered"
    got = rm.providers.get(ns)
    assert got.registration_state == "Registered"
    assert got.id == f"/subscriptions/{env.subscription}/providers/{ns}"
    types = {t.resource_type: t for t in got.resource_types}
    assert "searchServices" in types
    assert types["searchServices"].api_versions

    listed = {p.namespace: p.registration_state for p in rm.providers.list()}
    assert listed[ns] == "Registered"
    assert listed["Microsoft.Resources"] == "Registered"
    assert "Microsoft.DocumentDB" in listed


def test_provider_registration_with_delay(rm, settings):
    ns = "Microsoft.ContainerService"
    rm.providers.unregister(ns)
    settings({"registrationDelay": "polls:1"})
    assert rm.providers.register(ns).registration_state == "Registering"
    # The next read is the poll that settles it.
    assert rm.providers.get(ns).registration_state == "Registered"


def cosmos_id(env, group):
    return (
        f"/subscriptions/{env.subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.DocumentDB/databaseAccounts/cosmos{uuid.uuid4().hex[:8]}"
    )


COSMOS_BODY = {
    "location": "westeurope",
    "kind": "GlobalDocumentDB",
    "properties": {"databaseAccountOfferType": "Standard", "locations": [{"locationName": "westeurope"}]},
}


def test_missing_subscription_registration_sdk26_lro_put(env, rm, new_group, recorder):
    """azure-mgmt-resource 26 streams the initial response of its LROs (`_stream = True` in
    `_create_or_update_by_id_initial`), so azure-mgmt-core 1.6's auto-registration policy cannot
    read the 409 body and never fires: the caller gets the 409 itself. This pins that client
    behaviour and the error the emulator answers."""
    ns = "Microsoft.DocumentDB"
    assert rm.providers.unregister(ns).registration_state == "NotRegistered"
    rid = cosmos_id(env, new_group())
    with pytest.raises(ResourceExistsError) as e:
        rm.resources.begin_create_or_update_by_id(
            rid, GenericResource(COSMOS_BODY), api_version="2024-11-15", raw_response_hook=recorder
        )
    assert e.value.status_code == 409
    assert e.value.error.code == "MissingSubscriptionRegistration"
    assert e.value.error.message.startswith(f"The subscription is not registered to use namespace '{ns}'.")
    assert [(m, s) for m, _, s, _ in recorder.calls] == [("PUT", 409)]
    assert rm.providers.get(ns).registration_state == "NotRegistered"
    with pytest.raises(ResourceNotFoundError):
        rm.resources.get_by_id(rid, api_version="2024-11-15")


def test_missing_subscription_registration_is_auto_registered(env, credential, rm, new_group, settings, recorder):
    """The auto-registration round trip with a client whose LRO initial call is not streamed:
    the ARM resources client vendored in azure-ai-ml 1.35.2 (api 2020-06-01; MLClient uses it
    for workspace deployments). azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy
    sees the 409 MissingSubscriptionRegistration, POSTs .../register (answered `Registering`),
    sleeps its hard-coded 10 s, GETs the provider (`Registered`) and retries the PUT."""
    from azure.ai.ml._vendor.azure_resources import ResourceManagementClient as VendoredRM
    from azure.ai.ml._vendor.azure_resources.models import GenericResource as VendoredGenericResource

    ns = "Microsoft.DocumentDB"
    assert rm.providers.unregister(ns).registration_state == "NotRegistered"
    settings({"registrationDelay": "polls:1"})
    rid = cosmos_id(env, new_group())
    vendored = VendoredRM(credential, env.subscription, base_url=env.endpoint)
    t0 = time.monotonic()
    res = vendored.resources.begin_create_or_update_by_id(
        rid, "2024-11-15", VendoredGenericResource(**COSMOS_BODY), raw_response_hook=recorder
    ).result()
    elapsed = time.monotonic() - t0

    # The hook sees the first PUT and its retry (the policy's own POST/GET bypass it).
    assert [(m, s) for m, _, s, _ in recorder.calls][0] == ("PUT", 409)
    assert recorder.calls[-1][0] == "PUT" and recorder.calls[-1][2] in (200, 201)
    # One 10 s client sleep, not two: the first GET after the POST already says Registered.
    assert 9 < elapsed < 19, f"auto-registration took {elapsed:.1f} s"

    assert res.id.lower() == rid.lower()
    assert res.type == f"{ns}/databaseAccounts"
    assert res.location == "westeurope"
    got = rm.resources.get_by_id(rid, api_version="2024-11-15")
    assert got.name == rid.rsplit("/", 1)[1]
    assert got.kind == "GlobalDocumentDB"
    assert got.properties["provisioningState"] == "Succeeded"
    assert rm.providers.get(ns).registration_state == "Registered"
    listed = [r.id.lower() for r in rm.resources.list_by_resource_group(rid.split("/")[4])]
    assert listed == [rid.lower()]
