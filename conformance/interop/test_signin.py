"""User sign-in (issue 12, item 3) seen by the unmodified az CLI: `az login --use-device-code`
against an armemu of the test's own in strict mode.

The emulator answers the device-code request with `interval: 1` and approves the code as its
default user after one pending poll, so MSAL prints its message, polls twice (sleeping one
second between them, as the interval says) and az signs the user in without a person. The
default user owns the default subscription, so az finds it, and its ARM calls are authorized
as the user.
"""

import json
import os
import shlex
import subprocess

USER = "user@armemu.onmicrosoft.com"
USER_OID = "8d2e3f40-5b6c-4d7e-9f80-1a2b3c4d5e01"


def test_az_login_with_a_device_code_signs_the_default_user_in(env, own_armemu, az, tmp_path):
    data = str(tmp_path / "data")
    own_armemu("--auth", "strict", "--data-dir", data)
    exe = os.environ["ARMEMU_BINARY"]
    # The cloud registration and az settings `armemu az-login` makes (it also signs the
    # built-in service principal in; the device-code login below replaces that account).
    subprocess.run([exe, "az-login", "--data-dir", data, "--az", az.exe], check=True, capture_output=True, timeout=180)
    exports = subprocess.run([exe, "env", "--data-dir", data], check=True, capture_output=True, text=True).stdout
    own = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in exports.splitlines() if line)
    run_env = {**os.environ, **own}
    subprocess.run([az.exe, "logout"], env=run_env, capture_output=True, timeout=120)

    def run_az(*args):
        p = subprocess.run(
            [az.exe, *args, "--only-show-errors", "--output", "json"],
            capture_output=True, text=True, timeout=180, env=run_env, stdin=subprocess.DEVNULL,
        )
        assert p.returncode == 0, f"az {' '.join(args)}: {p.stderr}"
        return p, (json.loads(p.stdout) if p.stdout.strip() else None)

    p, accounts = run_az("login", "--use-device-code")
    # MSAL shows the emulator's message (with the user code) on stderr.
    assert "The emulator approves it as its default user after 1 poll(s)" in p.stderr, p.stderr
    assert [(a["id"], a["user"]["name"], a["user"]["type"]) for a in accounts] == [
        (env.subscription, USER, "user")
    ]
    _, shown = run_az("account", "show")
    assert (shown["user"]["name"], shown["tenantId"]) == (USER, env.tenant)
    # The token az hands out is the user's, and ARM accepts it in strict mode.
    _, token = run_az("account", "get-access-token")
    import base64

    payload = token["accessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["upn"], claims["oid"], claims["tid"]) == (USER, USER_OID, env.tenant)
    _, group = run_az("group", "create", "--name", "by-user", "--location", "westeurope")
    assert group["name"] == "by-user"


def _own_az(own_armemu, az, tmp_path):
    """A strict armemu of the test's own with az signed in as its built-in principal (the
    subscription's owner); returns the instance and `run_az(*args, ok=True)`."""
    data = str(tmp_path / "data")
    inst = own_armemu("--auth", "strict", "--data-dir", data)
    exe = os.environ["ARMEMU_BINARY"]
    subprocess.run([exe, "az-login", "--data-dir", data, "--az", az.exe], check=True, capture_output=True, timeout=180)
    exports = subprocess.run([exe, "env", "--data-dir", data], check=True, capture_output=True, text=True).stdout
    own = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in exports.splitlines() if line)

    def run_az(*args, ok=True):
        p = subprocess.run(
            [az.exe, *args, "--output", "json"],
            capture_output=True, text=True, timeout=180, env={**os.environ, **own}, stdin=subprocess.DEVNULL,
        )
        if ok:
            assert p.returncode == 0, f"az {' '.join(args)}: {p.stderr}"
        return p

    return inst, run_az


def test_az_ad_sp_create_for_rbac_makes_a_principal_that_signs_in_and_is_held_to_its_scope(env, own_armemu, az, tmp_path):
    _, run_az = _own_az(own_armemu, az, tmp_path)
    scope = json.loads(run_az("group", "create", "--name", "rbac-scope", "--location", "westeurope").stdout)["id"]
    created = run_az("ad", "sp", "create-for-rbac", "--name", "ci-deployer", "--role", "Contributor", "--scopes", scope)
    sp = json.loads(created.stdout)
    assert (sp["displayName"], sp["tenant"]) == ("ci-deployer", env.tenant)
    # The application and its service principal are in Graph.
    app = json.loads(run_az("ad", "app", "show", "--id", sp["appId"]).stdout)
    assert (app["displayName"], len(app["passwordCredentials"])) == ("ci-deployer", 1)
    shown = json.loads(run_az("ad", "sp", "show", "--id", sp["appId"]).stdout)
    assert shown["servicePrincipalNames"] == [sp["appId"]]
    # The role assignment names it (az resolves principalName through getByIds).
    listed = json.loads(run_az("role", "assignment", "list", "--scope", scope).stdout)
    assert [(a["principalName"], a["roleDefinitionName"]) for a in listed] == [(sp["appId"], "Contributor")]

    run_az("login", "--service-principal", "-u", sp["appId"], "-p", sp["password"], "--tenant", sp["tenant"])
    account = json.loads(run_az("account", "show").stdout)
    assert (account["user"]["name"], account["user"]["type"]) == (sp["appId"], "servicePrincipal")
    tagged = json.loads(run_az("group", "update", "--name", "rbac-scope", "--tags", "by=sp").stdout)
    assert tagged["tags"] == {"by": "sp"}
    refused = run_az("group", "create", "--name", "outside", "--location", "westeurope", ok=False)
    assert refused.returncode != 0
    assert "AuthorizationFailed" in refused.stderr, refused.stderr
    assert (
        f"The client '{sp['appId']}' with object id '{shown['id']}' does not have authorization to perform action "
        "'Microsoft.Resources/subscriptions/resourceGroups/write'"
    ) in refused.stderr, refused.stderr


def test_az_role_assignment_create_resolves_a_user_by_upn_without_warnings(env, own_armemu, az, tmp_path):
    _, run_az = _own_az(own_armemu, az, tmp_path)
    scope = json.loads(run_az("group", "create", "--name", "user-scope", "--location", "westeurope").stdout)["id"]
    p = run_az("role", "assignment", "create", "--assignee", USER, "--role", "Reader", "--scope", scope)
    assert p.stderr.strip() == "", p.stderr
    made = json.loads(p.stdout)
    assert (made["principalId"], made["principalType"]) == (USER_OID, "User")
    listed = json.loads(run_az("role", "assignment", "list", "--scope", scope).stdout)
    assert [(a["principalName"], a["principalType"]) for a in listed] == [(USER, "User")]


class _StandInBrowser:
    """What a person's browser would do, for MSAL's loopback sign-in: open the authorize URL
    and submit the self-posting form it answers (MSAL asks for `response_mode=form_post`) to
    the loopback redirect URI. Runs in a thread: MSAL serves the redirect only after
    `webbrowser.open` returns."""

    def __init__(self, bundle):
        self.bundle = bundle
        self.opened = []
        self.errors = []

    def __call__(self, url):
        import threading

        self.opened.append(url)
        threading.Thread(target=self._follow, args=(url,), daemon=True).start()
        return True

    def _follow(self, url):
        import html
        import re

        import requests

        try:
            page = requests.get(url, verify=self.bundle, allow_redirects=False, timeout=30)
            assert page.status_code == 200, (page.status_code, page.text)
            action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))
            fields = {html.unescape(k): html.unescape(v)
                      for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
            requests.post(action, data=fields, timeout=30)
        except Exception as e:  # reported by the test
            self.errors.append(repr(e))


def test_interactive_browser_credential_signs_the_default_user_in_with_pkce(env, own_armemu, tmp_path, monkeypatch):
    import webbrowser

    from azure.identity import InteractiveBrowserCredential

    inst = own_armemu("--auth", "strict", "--data-dir", str(tmp_path / "data"))
    browser = _StandInBrowser(inst.bundle)

    # MSAL opens the page with `webbrowser.open` (no browser named); restored after the test.
    monkeypatch.setattr(webbrowser, "open", lambda url, *args, **kwargs: browser(url))
    cred = InteractiveBrowserCredential(
        tenant_id=env.tenant, authority=inst.https, disable_instance_discovery=True,
        connection_verify=inst.bundle, timeout=60,
    )
    token = cred.get_token("https://management.azure.com/.default")
    assert browser.errors == []
    (opened,) = browser.opened
    assert "code_challenge_method=S256" in opened and "response_mode=form_post" in opened, opened
    import base64

    payload = token.token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["upn"], claims["oid"], claims["aud"]) == (USER, USER_OID, "https://management.azure.com")
    # ARM takes it in strict mode: the default user owns the default subscription.
    from azure.mgmt.resource.resources import ResourceManagementClient

    rm = ResourceManagementClient(cred, env.subscription, base_url=inst.https, connection_verify=inst.bundle)
    assert rm.resource_groups.create_or_update("by-browser", {"location": "westeurope"}).name == "by-browser"
