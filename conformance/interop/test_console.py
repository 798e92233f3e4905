"""The web console (`/_emulator/ui`) in a real browser: Debian's headless Chromium driven by
Playwright (`playwright` from PyPI, launched with the system's /usr/bin/chromium; no browser
is downloaded). What is created, deleted and called goes through unmodified Azure clients
(the ARM client vendored in azure-ai-ml, azure-mgmt-resource); what the console shows and
does is checked in the browser and then through those clients again.

The tests share one armemu of their own with a frozen clock (`--clock manual=…`), so moving
its clock from the console touches nothing the other interop tests use. Every page is saved
as a screenshot under $ARMEMU_ARTIFACTS (default target/artifacts/console/).
"""

import json
import os
import pathlib
import uuid

import pytest
from azure.core.exceptions import HttpResponseError

from conftest import start_own_armemu
from ml_helpers import deleted_names

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = pathlib.Path(os.environ.get("ARMEMU_ARTIFACTS") or ROOT / "target" / "artifacts" / "console")
CHROMIUM = os.environ.get("ARMEMU_CHROMIUM", "/usr/bin/chromium")
# Chromium on a machine without a network: no background calls to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START = "2026-03-01T00:00:00Z"


@pytest.fixture(scope="module")
def inst(tmp_path_factory):
    i = start_own_armemu("--data-dir", str(tmp_path_factory.mktemp("console")), "--clock", f"manual={START}")
    yield i
    if i.proc.poll() is None:
        i.kill9()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: conformance/interop/setup.sh installs Debian's chromium", pytrace=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, inst):
    context = browser.new_context(base_url=inst.http, viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    # The console asks before destroying anything; the tests say yes.
    pg.on("dialog", lambda d: d.accept())
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"the console's script failed: {errors}"


def shot(pg, name):
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def expect_status(pg, text):
    """Waits for the status line the console shows after an action (kept across its reload)."""
    from playwright.sync_api import expect

    expect(pg.locator("#status")).to_contain_text(text)
    assert "failed" not in (pg.locator("#status").get_attribute("class") or ""), pg.locator("#status").inner_text()


@pytest.fixture(scope="module")
def clients(env, credential, inst):
    from azure.ai.ml._restclient.arm_ml_service import MachineLearningServicesMgmtClient
    from azure.ai.ml._vendor.azure_resources._resource_management_client import ResourceManagementClient as Deployer
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    kw = {"base_url": inst.https, "connection_verify": inst.bundle}

    class Clients:
        ml = MachineLearningServicesMgmtClient(credential, env.subscription, **kw)
        rm = ResourceManagementClient(credential, env.subscription, **kw)
        # No retries: a 429 a fault rule answers must reach the test.
        rm_once = ResourceManagementClient(credential, env.subscription, retry_total=0, **kw)
        deployer = Deployer(credential, env.subscription, **kw)
        auth = AuthorizationManagementClient(credential, env.subscription, **kw)

    return Clients


def new_group(c, prefix):
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    c.rm.resource_groups.create_or_update(name, {"location": "westeurope", "tags": {"made-by": "test_console"}})
    return name


def workspace():
    from azure.ai.ml._restclient.arm_ml_service import models as M

    return M.Workspace(location="westeurope", properties=M.WorkspaceProperties(description="seen in the console"))


def test_browse_soft_delete_recover_from_the_button_and_purge_by_moving_the_clock(env, clients, page):
    from playwright.sync_api import expect

    rg = new_group(clients, "ui")
    name = f"ws-{uuid.uuid4().hex[:8]}"
    clients.ml.workspaces.begin_create_or_update(rg, name, workspace()).result()

    page.goto("/_emulator/ui")
    expect(page.get_by_role("link", name="Resources")).to_have_attribute("aria-current", "page")
    page.get_by_role("cell", name=env.subscription).wait_for()
    shot(page, "01-overview")
    # A role assignment made by azure-mgmt-authorization shows on the subscription's page.
    reader = f"/subscriptions/{env.subscription}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    principal = str(uuid.uuid4())
    clients.auth.role_assignments.create(
        f"/subscriptions/{env.subscription}/resourceGroups/{rg}",
        str(uuid.uuid4()),
        {"role_definition_id": reader, "principal_id": principal, "principal_type": "ServicePrincipal"},
    )
    page.locator("td a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Subscription")
    assignment = page.locator("tr", has=page.get_by_role("cell", name=principal))
    expect(assignment).to_contain_text("Reader")
    expect(assignment).to_contain_text(f"/resourceGroups/{rg}")
    expect(page.locator("tr", has_text="Microsoft.MachineLearningServices").first).to_contain_text("Registered")
    shot(page, "01b-subscription")
    page.get_by_role("link", name=rg).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Resource group {rg}")
    ws = page.locator("details", has=page.locator("span.name", has_text=name))
    ws.locator("summary").click()
    expect(ws.locator("pre.json")).to_contain_text('"description": "seen in the console"')
    shot(page, "02-resource-group")

    clients.ml.workspaces.begin_delete(rg, name).result()
    page.get_by_role("link", name="Deleted").click()
    row = page.locator("tr", has=page.get_by_role("cell", name=name, exact=True))
    expect(row).to_contain_text("2026-03-01 00:00:00 UTC")  # deleted at the frozen clock
    expect(row).to_contain_text("2026-03-15 00:00:00 UTC")  # purged 14 days later
    shot(page, "03-deleted")

    row.get_by_role("button", name="Recover").click()
    expect_status(page, f"Recovered {name}")
    expect(page.get_by_role("cell", name=name, exact=True)).to_have_count(0)
    got = clients.ml.workspaces.get(rg, name)
    assert got.properties.provisioning_state == "Succeeded"
    assert got.properties.description == "seen in the console"

    # Deleted again, then purged because the clock passed the purge date (moved in the console).
    clients.ml.workspaces.begin_delete(rg, name).result()
    assert name in deleted_names(clients.ml, env.subscription, rg)
    page.get_by_role("link", name="Controls").click()
    page.get_by_label("Advance by").fill("15")
    page.get_by_label("Unit").select_option("days")
    page.get_by_role("button", name="Advance").click()
    expect_status(page, "The clock is now 2026-03-16T00:00:00")
    expect(page.locator("header .clock")).to_contain_text("2026-03-16 00:00:00 UTC")
    page.get_by_role("link", name="Deleted").click()
    expect(page.get_by_role("cell", name=name, exact=True)).to_have_count(0)
    assert name not in deleted_names(clients.ml, env.subscription, rg)
    # The name is free again: a create is a new workspace, not a recovery.
    clients.ml.workspaces.begin_create_or_update(rg, name, workspace()).result()


def test_a_fault_added_in_the_console_is_hit_by_a_client_and_shows_in_the_live_journal(env, clients, page):
    from playwright.sync_api import expect

    rg = new_group(clients, "uif")
    page.goto("/_emulator/ui/controls")
    form = page.locator("form[data-form=fault]")
    form.get_by_label("Method").select_option("GET")
    form.get_by_label("Path prefix").fill(f"/subscriptions/{env.subscription}/resourceGroups/{rg}")
    form.get_by_label("Status").fill("429")
    form.get_by_label("Error code").fill("TooManyRequests")
    form.get_by_label("Message").fill("Slow down (console test).")
    form.get_by_label("Retry-After (s)").fill("7")
    form.get_by_label("Only the first").fill("1")
    form.get_by_role("button", name="Add rule").click()
    expect_status(page, "Added fault rule")
    rule_id = page.locator("#status").inner_text().rsplit(" ", 1)[1].rstrip(".")
    rule = page.locator(f"tr[data-fault='{rule_id}']")
    expect(rule.locator("td.hits")).to_have_text("0")

    # The journal page, live: the client's call appears without a reload.
    page.get_by_role("link", name="Journal").click()
    expect(page.locator("table#journal")).to_have_attribute("data-live", "open")
    with pytest.raises(HttpResponseError) as err:
        clients.rm_once.resource_groups.get(rg)
    assert err.value.status_code == 429
    assert err.value.error.code == "TooManyRequests"
    assert err.value.response.headers["Retry-After"] == "7"
    hit = page.locator("table#journal tbody tr", has_text="TooManyRequests")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("ResourceGroups_Get")
    expect(hit).to_contain_text("429")
    shot(page, "05-journal")
    # The rule fired once: the same call now succeeds, and the journal shows that too.
    assert clients.rm_once.resource_groups.get(rg).name == rg
    gets = page.locator("table#journal tbody tr", has_text=f"/resourceGroups/{rg}").filter(has_text="ResourceGroups_Get")
    expect(gets).to_have_count(2)
    expect(gets.first).to_contain_text("200")  # newest first

    hit.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journal entry")
    expect(page.locator("section[aria-labelledby=response]")).to_contain_text("Slow down (console test).")
    expect(page.locator("section[aria-labelledby=response]").locator("table.headers")).to_contain_text("retry-after")
    expect(page.locator("section[aria-labelledby=request]").locator("table.headers")).to_contain_text("Bearer …(")
    shot(page, "06-journal-entry")

    page.get_by_role("link", name="Controls").click()
    expect(page.locator(f"tr[data-fault='{rule_id}'] td.hits")).to_have_text("1")
    # Filtering the journal by status, from the form.
    page.goto("/_emulator/ui/journal")
    page.get_by_label("Status (404 or 4xx)").fill("429")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table#journal tbody tr")).to_have_count(1)


def test_deployments_show_operations_in_order_and_errors(env, clients, page):
    from playwright.sync_api import expect

    rg = new_group(clients, "uid")
    template = json.loads((pathlib.Path(__file__).parent / "templates" / "failing-resource.json").read_text())
    good = "uigood" + uuid.uuid4().hex[:6]
    params = {
        "goodName": {"value": good},
        "failingName": {"value": "uifail-ai"},
        "afterName": {"value": "uiafter" + uuid.uuid4().hex[:6]},
        "missingWorkspace": {"value": "nosuchlogs"},
    }
    poller = clients.deployer.deployments.begin_create_or_update(
        rg, "console-failing", {"properties": {"mode": "Incremental", "template": template, "parameters": params}}
    )
    with pytest.raises(HttpResponseError):
        poller.result()

    page.goto("/_emulator/ui/deployments")
    d = page.locator("section.deployment", has=page.get_by_role("heading", name="console-failing"))
    expect(d.get_by_role("heading")).to_contain_text("Failed")
    expect(d.locator(".error")).to_contain_text("DeploymentFailed")
    rows = d.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text(good)
    expect(rows.nth(0)).to_contain_text("Succeeded")
    expect(rows.nth(1)).to_contain_text("uifail-ai")
    expect(rows.nth(1)).to_contain_text("Failed")
    shot(page, "04-deployments")


def test_settings_export_reset_and_import_from_the_controls(env, clients, page, inst, tmp_path):
    from playwright.sync_api import expect

    import requests

    rg = new_group(clients, "uis")
    page.goto("/_emulator/ui/controls")
    lro = page.locator("form[data-form=lro]")
    lro.get_by_label("Kind").fill("workspaces/delete")
    lro.get_by_label("Mode").fill("polls:2")
    lro.get_by_role("button", name="Set mode").click()
    expect_status(page, "LRO mode of workspaces/delete set to polls:2")
    settings = requests.get(f"{inst.http}/_emulator/settings", timeout=30).json()
    assert settings["lro"]["workspaces/delete"] == "polls:2"
    shot(page, "07-controls")
    page.locator("tr", has_text="workspaces/delete").get_by_role("button", name="Remove").click()
    expect_status(page, "Removed the LRO mode of workspaces/delete")
    assert "workspaces/delete" not in requests.get(f"{inst.http}/_emulator/settings", timeout=30).json()["lro"]

    with page.expect_download() as dl:
        page.get_by_role("link", name="Export the state").click()
    exported = tmp_path / "state.json"
    dl.value.save_as(exported)
    assert any(g["name"] == rg for g in json.loads(exported.read_text())["resourceGroups"])

    page.get_by_role("button", name="Reset to the start state").click()
    expect_status(page, "Reset to the start state")
    assert not clients.rm.resource_groups.check_existence(rg)

    page.get_by_label("Import a state document").set_input_files(str(exported))
    page.get_by_role("button", name="Import", exact=True).click()
    expect_status(page, "Imported")
    assert clients.rm.resource_groups.get(rg).tags == {"made-by": "test_console"}
