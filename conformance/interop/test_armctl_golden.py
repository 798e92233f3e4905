"""The golden test of issue 13: every command armctl shares with az 2.91, run through both
against ONE emulator, compared on exit code, stdout and the first `ERROR:` line of stderr, in
`-o json`, `-o tsv`, `-o table` and with `--query`, error cases included (not found 3, usage 2,
everything else 1).

Read-only commands run on one shared state (a group with tags, a storage account, a key
vault, a registry, a deployment, a role assignment) that the module fixture makes first.
State-changing commands run each tool on its own copy: az makes `<x>az<hex>`, armctl
`<x>ct<hex>`, and armctl's output is compared after exactly these normalisations, and only
where a case asks for them:

* `names`: armctl's names of its copies are replaced by az's (always, for every case);
* `guids`: identifiers the server or the client generates (deployment correlation ids, role
  assignment names) become `<guid>`, except the subscription and tenant;
* `times`: ISO timestamps (creation and deployment times) and a deployment's `PT…S` duration
  become `<time>`;
* az calls itself `az` in an argparse "not a valid value" error where armctl says `armctl`.

Not compared, on purpose (each case names its DIFFERENCES.md entry, "armctl vs az"):
`version` (different programs), `account get-access-token`'s token and expiry (a new token
per call), `ml ...` (az's ml extension cannot be installed offline, so az has no `ml`
commands here), `monitor app-insights` (an az extension too), `login`/`logout`, `emulator`,
`extension`, `completion` (armctl's own or printed differently by design).

armctl is the binary next to ARMEMU_BINARY, or ARMEMU_ARMCTL (see
test_armctl_environment_files.py); it is signed in (`armctl login`) in a HOME of its own, as
`armemu az-login` signed az in. Cases run four at a time; every mismatch is collected and
reported together.
"""

import json
import os
import re
import shutil
import subprocess
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from test_armctl_environment_files import armctl  # noqa: F401 - the fixture is used by name

HERE = os.path.dirname(os.path.abspath(__file__))
FORMATS = ((), ("-o", "tsv"), ("-o", "table"))
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?|\bPT\d+(\.\d+)?S\b")
# Cases not compared: what differs and why is in DIFFERENCES.md under "armctl vs az".
KNOWN = {
    "group-update-remove": "DIFFERENCES.md, armctl vs az: `group update --remove` (az 2.91 fails every "
    "--remove with \"Unexpected 'properties_to_remove' was not empty.\"; armctl removes)",
}


class Case:
    def __init__(self, args, ct_args=None, names=None, guids=False, times=False, known=None, az_env=None, ct_env=None):
        self.args = list(args)
        self.ct_args = list(ct_args) if ct_args is not None else self.args
        self.names = names or {}
        self.guids = guids
        self.times = times
        self.known = known
        self.az_env = az_env or {}
        self.ct_env = ct_env or {}


class Golden:
    """Runs a case through both tools and says how they differ."""

    def __init__(self, az_exe, ct_exe, pristine_env, home, keep):
        self.az_exe = az_exe
        self.ct_exe = ct_exe
        self.az_base = os.environ.copy()
        self.ct_base = dict(pristine_env)
        self.ct_base["HOME"] = str(home)
        self.ct_base["ARMCTL_CONFIG_DIR"] = str(home / "armctl")
        self.home = str(home)
        self.keep = keep  # GUIDs that are the same for both tools (subscription, tenant)
        self.compared = 0
        self.matrix = {}  # format (+query, fails) -> cases compared, printed by each test
        self.commands = set()
        self.skipped = []  # the KNOWN cases met, printed by each test
        self.lock = threading.Lock()

    def az(self, *args, env=None, check=True):
        p = subprocess.run([self.az_exe, *args], capture_output=True, text=True, timeout=180,
                           env={**self.az_base, **(env or {})})
        if check and p.returncode != 0:
            pytest.fail(f"az {' '.join(args)} exited {p.returncode}:\n{p.stderr}", pytrace=False)
        return p

    def ct(self, *args, env=None, check=True):
        p = subprocess.run([self.ct_exe, *args], capture_output=True, text=True, timeout=180,
                           env={**self.ct_base, **(env or {})}, cwd=self.home)
        if check and p.returncode != 0:
            pytest.fail(f"armctl {' '.join(args)} exited {p.returncode}:\n{p.stderr}", pytrace=False)
        return p

    def normalise(self, case, text, mine):
        if mine:
            for ct_name, az_name in case.names.items():
                text = text.replace(ct_name, az_name)
            text = text.replace("ERROR: armctl ", "ERROR: az ")
        if case.guids:
            text = GUID.sub(lambda m: m.group(0) if m.group(0).lower() in self.keep else "<guid>", text)
        if case.times:
            text = TIME.sub("<time>", text)
        return text

    def check(self, case):
        """None when both agree, else a description of the difference."""
        if case.known:
            with self.lock:
                self.skipped.append(f"{' '.join(case.args)}: {case.known}")
            return None
        want = self.az(*case.args, env=case.az_env, check=False)
        got = self.ct(*case.ct_args, env=case.ct_env, check=False)
        args = case.args
        fmt = args[args.index("-o") + 1] if "-o" in args else "json"
        kind = f"{fmt}{'+query' if '--query' in args else ''}{' (fails)' if want.returncode else ''}"
        words = []
        for a in args:
            if not re.fullmatch(r"[a-z][a-z-]*", a) or a in ("nope", "extra"):
                break
            words.append(a)
        with self.lock:
            self.compared += 1
            self.matrix[kind] = self.matrix.get(kind, 0) + 1
            self.commands.add(" ".join(words))
        first_error = lambda s: next((line for line in s.splitlines() if line.startswith("ERROR: ")), None)  # noqa: E731
        w_out, g_out = self.normalise(case, want.stdout, False), self.normalise(case, got.stdout, True)
        w_err = self.normalise(case, first_error(want.stderr) or "", False)
        g_err = self.normalise(case, first_error(got.stderr) or "", True)
        if (want.returncode, w_out, w_err) == (got.returncode, g_out, g_err):
            return None
        return (f"`{' '.join(case.args)}`\n  az ({want.returncode}): {w_out!r} {w_err!r}\n"
                f"  armctl ({got.returncode}): {g_out!r} {g_err!r}\n  az stderr: {want.stderr[-400:]!r}")

    def check_all(self, cases, parallel=True):
        if not parallel:
            return [d for d in map(self.check, cases) if d]
        with ThreadPoolExecutor(max_workers=4) as pool:
            return [d for d in pool.map(self.check, cases) if d]


def formats(*args, query=None):
    """The command in json, tsv and table, and with `query` when given."""
    out = [Case([*args, *f]) for f in FORMATS]
    if query:
        out.append(Case([*args, "--query", query]))
    return out


@pytest.fixture(scope="module")
def golden(az, armctl, pristine_env, env, tmp_path_factory):  # noqa: F811
    home = tmp_path_factory.mktemp("golden-home")
    g = Golden(az.exe, armctl, pristine_env, home, {env.subscription.lower(), env.tenant.lower()})
    g.ct("login", "-o", "none")
    return g


@pytest.fixture(scope="module")
def world(golden, env, tmp_path_factory):
    """The shared state of the read-only cases, made through az (armctl where az cannot)."""
    tag = uuid.uuid4().hex[:6]
    w = {"rg": f"gold{tag}", "st": f"goldst{tag}", "kv": f"goldkv{tag}", "acr": f"goldacr{tag}",
         "dep": "gd1", "tag": tag, "sub": env.subscription, "dir": tmp_path_factory.mktemp("golden-files")}
    tpl = w["dir"] / "tpl.json"
    tpl.write_text(json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string"}, "count": {"type": "int", "defaultValue": 1}},
        "resources": [{
            "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
            "name": "[concat(parameters('prefix'), 'st', copyIndex())]",
            "location": "[resourceGroup().location]", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2",
            "copy": {"name": "loop", "count": "[parameters('count')]"},
        }],
        "outputs": {"first": {"type": "string", "value": "[concat(parameters('prefix'), 'st0')]"}},
    }))
    w["tpl"] = str(tpl)
    bad = w["dir"] / "bad.json"
    bad.write_text('{"a":')
    w["bad_tpl"] = str(bad)
    w["sub_tpl"] = os.path.join(HERE, "templates", "sub.json")
    rg = w["rg"]
    golden.az("group", "create", "-n", rg, "-l", "westeurope", "--tags", "zeta=1", "alpha=2", "-o", "none")
    golden.ct("storage", "account", "create", "-n", w["st"], "-g", rg, "-o", "none")
    golden.az("keyvault", "create", "-n", w["kv"], "-g", rg, "-o", "none")
    golden.az("acr", "create", "-n", w["acr"], "-g", rg, "--sku", "Basic", "-o", "none")
    golden.az("deployment", "group", "create", "-g", rg, "-n", w["dep"], "--template-file", w["tpl"],
              "-p", f"prefix=gd{tag}", "-o", "none")
    golden.az("role", "assignment", "create", "--assignee-object-id", "11111111-1111-1111-1111-111111111111",
              "--assignee-principal-type", "ServicePrincipal", "--role", "Reader",
              "--scope", f"/subscriptions/{env.subscription}/resourceGroups/{rg}", "-o", "none")
    yield w
    golden.az("group", "delete", "-n", rg, "--yes", "--no-wait", check=False)


def test_read_commands_match_az(golden, world):
    rg, sub, w = world["rg"], world["sub"], world
    mine = f"[?name=='{rg}']"
    uri = f"/subscriptions/{sub}/resourcegroups/{rg}?api-version=2021-04-01"
    cases = [
        *formats("account", "list", query="[].{n:name, d:isDefault, c:cloudName}"),
        *formats("account", "show", query="environmentName"),
        Case(["account", "show", "-s", "nope"]),
        Case(["account", "set", "-s", "nope"]),
        Case(["account", "list", "--query", "[].id", "-o", "tsv"]),
        # The token and its expiry differ on every call; the rest is compared.
        Case(["account", "get-access-token", "--query", "[tokenType, subscription, tenant]"]),
        Case(["account", "get-access-token", "--query", "keys(@)"]),
        Case(["account", "get-access-token", "--query", "{t: tokenType, s: subscription}", "-o", "table"]),
        Case(["account", "get-access-token", "--query", "tenant", "-o", "tsv"]),
        *formats("group", "show", "-n", rg, query="tags"),
        *formats("group", "list", "--query", mine),
        Case(["group", "list", "--query", f"{mine}.{{n: name, t: tags.zeta}}", "-o", "table"]),
        Case(["group", "list", "--query", f"length({mine})"]),
        *formats("group", "exists", "-n", rg),
        Case(["group", "exists", "-n", "nope"]),
        Case(["group", "show", "-n", "nope"]),
        Case(["group", "show"]),
        Case(["group", "bogus"]),
        Case(["group", "show", "-n", rg, "--bogus", "x"]),
        Case(["group", "show", "-n", rg, "extra"]),
        Case(["group", "show", "-n", rg, "-o", "bogus"]),
        Case(["group", "show", "-n", rg, "--query", "["]),
        Case(["group", "list", "--subscription", "nope"]),
        *formats("provider", "show", "-n", "Microsoft.Storage", query="registrationState"),
        *formats("provider", "list", query="[?namespace=='Microsoft.KeyVault'].resourceTypes[].resourceType"),
        Case(["provider", "show", "-n", "Microsoft.Nope"]),
        *formats("storage", "account", "show", "-n", w["st"], "-g", rg, query="primaryEndpoints.blob"),
        *formats("storage", "account", "show", "-n", w["st"], query="[name, resourceGroup, kind]"),
        *formats("storage", "account", "list", "-g", rg, query="[].name"),
        Case(["storage", "account", "show", "-n", "nope", "-g", rg]),
        Case(["storage", "account", "show", "-n", "nope"]),
        Case(["storage", "account", "list", "-g", "nope"]),
        *formats("keyvault", "show", "-n", w["kv"], query="properties.vaultUri"),
        *formats("keyvault", "show", "-n", w["kv"], "-g", rg),
        *formats("keyvault", "list", "-g", rg, query="[].name"),
        Case(["keyvault", "list", "--query", f"[?name=='{w['kv']}'].{{n: name, g: resourceGroup}}"]),
        Case(["keyvault", "show", "-n", "nope"]),
        Case(["keyvault", "show", "-n", "nope", "-g", rg]),
        Case(["keyvault", "list", "-g", "nope"]),
        *formats("acr", "show", "-n", w["acr"], query="loginServer"),
        *formats("acr", "show", "-n", w["acr"], "-g", rg),
        *formats("acr", "list", "-g", rg, query="[].loginServer"),
        Case(["acr", "show", "-n", "nope"]),
        Case(["acr", "show", "-n", "nopexx"]),
        Case(["acr", "show", "-n", "nopexx", "-g", rg]),
        Case(["acr", "list", "-g", "nope"]),
        *formats("resource", "list", "-g", rg, query="[].{n: name, t: type}"),
        *formats("resource", "show", "-g", rg, "-n", w["acr"], "--resource-type",
                 "Microsoft.ContainerRegistry/registries", query="properties.loginServer"),
        *formats("resource", "show", "--ids",
                 f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{w['kv']}"),
        Case(["resource", "show", "-g", rg, "-n", "nope", "--resource-type", "Microsoft.KeyVault/vaults"]),
        Case(["resource", "list", "-g", "nope"]),
        *formats("deployment", "group", "show", "-g", rg, "-n", w["dep"], query="properties.outputs"),
        *formats("deployment", "group", "list", "-g", rg, query="[].name"),
        *formats("deployment", "operation", "group", "list", "-g", rg, "-n", w["dep"],
                 query="[].properties.targetResource.resourceName"),
        Case(["deployment", "group", "show", "-g", rg, "-n", "nope"]),
        Case(["deployment", "group", "list"]),
        Case(["deployment", "sub", "show", "-n", "nope"]),
        Case(["deployment", "sub", "list", "--query", "[?name=='nope']", "-o", "table"]),
        *formats("deployment", "sub", "list", query="[].name"),
        *[Case(c.args, guids=True, times=True) for c in formats(
            "deployment", "sub", "validate", "-l", "westeurope", "--template-file", w["sub_tpl"],
            "-p", f"groupName={rg}", "storageName=gsv", query="properties.provisioningState")],
        *formats("deployment", "sub", "what-if", "-l", "westeurope", "--template-file", w["sub_tpl"],
                 "-p", f"groupName={rg}", "storageName=gsw", "--no-pretty-print", query="changes[].changeType"),
        Case(["deployment", "sub", "what-if", "-l", "westeurope", "--template-file", w["sub_tpl"],
              "-p", f"groupName={rg}", "storageName=gsw"]),
        Case(["deployment", "sub", "validate", "--template-file", w["sub_tpl"], "-p", f"groupName={rg}",
              "storageName=gsv"]),
        *formats("group", "list"),
        *[Case(c.args, guids=True, times=True) for c in formats(
            "deployment", "group", "validate", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=gv",
            query="properties.validatedResources[].id")],
        Case(["deployment", "group", "validate", "-g", rg, "--template-file", w["tpl"]]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["tpl"]]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["tpl"], "-p", "nope=1"]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["tpl"], "-p", "justaword"]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=x", "count=abc"]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=x",
              "--mode", "Sometimes"]),
        Case(["deployment", "group", "what-if", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=x",
              "--mode", "Sometimes"]),
        Case(["deployment", "group", "create", "-g", rg, "-p", "prefix=x"]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", str(w["dir"] / "none.json")]),
        Case(["deployment", "group", "create", "-g", rg, "--template-file", w["bad_tpl"]]),
        Case(["deployment", "group", "create", "--template-file", w["tpl"]]),
        Case(["deployment", "sub", "create", "--template-file", w["sub_tpl"]]),
        *formats("deployment", "group", "what-if", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=gw",
                 "--no-pretty-print", query="changes[].changeType"),
        Case(["deployment", "group", "what-if", "-g", rg, "--template-file", w["tpl"], "-p", "prefix=gw"]),
        Case(["deployment", "group", "what-if", "-g", rg, "--template-file", w["tpl"], "-p", f"prefix=gd{w['tag']}",
              "--no-pretty-print", "--query", "changes[].changeType"]),
        *formats("role", "assignment", "list", "-g", rg, query="[].roleDefinitionName"),
        *formats("role", "assignment", "list", "--scope", f"/subscriptions/{sub}/resourceGroups/{rg}",
                 query="[].principalId"),
        *formats("rest", "--uri", uri, query="properties"),
        Case(["rest", "--uri", f"/subscriptions/{sub}/resourcegroups/nope?api-version=2021-04-01"]),
        Case(["rest", "--method", "post", "--uri", uri]),
        # Subscription-wide listings, narrowed to this state by the query; other formats.
        Case(["storage", "account", "list", "--query", f"[?resourceGroup=='{rg}'].[name, sku.name]", "-o", "tsv"]),
        Case(["acr", "list", "--query", f"[?resourceGroup=='{rg}'].{{n: name, s: sku.name}}", "-o", "table"]),
        Case(["resource", "list", "--resource-type", "Microsoft.KeyVault/vaults", "--query",
              f"[?resourceGroup=='{rg}'].name"]),
        Case(["role", "assignment", "list", "--all", "--query",
              f"[?resourceGroup=='{rg}'].{{r: roleDefinitionName, p: principalType}}", "-o", "table"]),
        Case(["role", "assignment", "list", "--assignee", "11111111-1111-1111-1111-111111111111", "--all",
              "--query", "[].scope"]),
        Case(["group", "show", "-n", rg, "-o", "yaml"]),
        Case(["group", "show", "-n", rg, "-o", "jsonc"]),
        Case(["group", "show", "-n", rg, "-o", "none"]),
        Case(["acr", "show", "-n", w["acr"], "-o", "yaml"]),
        Case(["storage", "account", "show", "-n", w["st"], "-o", "yaml"]),
        Case(["deployment", "group", "show", "-g", rg, "-n", w["dep"], "-o", "yaml"]),
    ]
    diffs = golden.check_all(cases)
    print(f"golden so far: {golden.compared} cases, {sorted(golden.matrix.items())}")
    assert not diffs, f"{len(diffs)} of {len(cases)} cases differ:\n" + "\n".join(diffs)


def copies(prefix):
    """A name for az's copy and one for armctl's."""
    tag = uuid.uuid4().hex[:6]
    return f"{prefix}az{tag}", f"{prefix}ct{tag}"


def test_state_changing_commands_match_az(golden, world):
    rg, sub, w = world["rg"], world["sub"], world
    g, k, r, d, sd, x, st = (copies(p) for p in ("gg", "kv", "acr", "dd", "sd", "gx", "st"))
    names = {c: a for a, c in (g, k, r, d, sd, x, st)}

    def pair(copy, args_for, **kw):
        """The same command on each tool's own copy."""
        return Case(args_for(copy[0]), ct_args=args_for(copy[1]), names=names, **kw)

    ra = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults"
    rest_uri = lambda n: f"/subscriptions/{sub}/resourcegroups/{n}?api-version=2021-04-01"  # noqa: E731
    registry = ("--resource-type", "Microsoft.ContainerRegistry/registries")
    steps = [
        [pair(g, lambda n: ["group", "create", "-n", n, "-l", "westeurope", "--tags", "k=v"]),
         pair(k, lambda n: ["keyvault", "create", "-n", n, "-g", rg], times=True),
         pair(r, lambda n: ["acr", "create", "-n", n, "-g", rg, "--sku", "Basic", "-o", "table"], times=True),
         pair(d, lambda n: ["deployment", "group", "create", "-g", rg, "-n", n, "--template-file", w["tpl"],
                            "-p", f"prefix={n}"], guids=True, times=True),
         pair(sd, lambda n: ["deployment", "sub", "create", "-l", "westeurope", "-n", n, "--template-file",
                             w["sub_tpl"], "-p", f"groupName={n}", f"storageName={n}"], guids=True, times=True),
         pair(x, lambda n: ["rest", "--method", "put", "--uri", rest_uri(n),
                            "--body", '{"location": "westeurope", "tags": {"by": "rest"}}']),
         # az checks the name first (POST .../checkNameAvailability); the request bodies differ
         # (az sends its defaults), so the fields both decide are compared.
         pair(st, lambda n: ["storage", "account", "create", "-n", n, "-g", rg, "--sku", "Standard_LRS", "--query",
                             "[name, kind, sku.name, provisioningState, primaryEndpoints.blob, resourceGroup]"])],
        [pair(g, lambda n: ["group", "update", "-n", n, "--set", "tags.x=y"]),
         pair(k, lambda n: ["keyvault", "show", "-n", n, "-o", "tsv"]),
         pair(k, lambda n: ["keyvault", "list", "-g", rg, "--query", f"[?name=='{n}']", "-o", "table"]),
         pair(r, lambda n: ["acr", "show", "-n", n, "--query", "[name, loginServer, adminUserEnabled]"]),
         pair(d, lambda n: ["deployment", "group", "show", "-g", rg, "-n", n, "-o", "table"], times=True),
         pair(d, lambda n: ["deployment", "operation", "group", "list", "-g", rg, "-n", n, "--query",
                            "[].properties.{s: provisioningState, t: targetResource.resourceType}", "-o", "table"]),
         pair(sd, lambda n: ["deployment", "sub", "show", "-n", n, "--query", "properties.outputs"]),
         pair(sd, lambda n: ["deployment", "sub", "list", "--query", f"[?name=='{n}'].name", "-o", "tsv"]),
         pair(sd, lambda n: ["deployment", "operation", "sub", "list", "-n", n, "--query",
                             "[].properties.targetResource.resourceType", "-o", "tsv"]),
         pair(x, lambda n: ["rest", "--uri", rest_uri(n), "--query", "tags"])],
        [pair(g, lambda n: ["group", "update", "-n", n, "--tags", "a=b", "-o", "table"]),
         pair(k, lambda n: ["resource", "delete", "--ids", f"{ra}/{n}"]),
         pair(r, lambda n: ["resource", "delete", "-g", rg, "-n", n, *registry]),
         pair(d, lambda n: ["deployment", "group", "delete", "-g", rg, "-n", n]),
         pair(sd, lambda n: ["deployment", "sub", "delete", "-n", n]),
         pair(x, lambda n: ["rest", "--method", "delete", "--uri", rest_uri(n)])],
        [pair(g, lambda n: ["group", "update", "-n", n, "--set", "tags.y=z", "-o", "tsv"]),
         Case(["group", "update", "-n", rg, "--remove", "tags.nothing"], known=KNOWN["group-update-remove"]),
         pair(k, lambda n: ["keyvault", "show", "-n", n, "-g", rg]),
         pair(r, lambda n: ["acr", "show", "-n", n, "-g", rg]),
         pair(r, lambda n: ["resource", "show", "-g", rg, "-n", n, *registry]),
         pair(d, lambda n: ["deployment", "group", "show", "-g", rg, "-n", n]),
         pair(sd, lambda n: ["deployment", "sub", "show", "-n", n]),
         pair(x, lambda n: ["group", "exists", "-n", n])],
        [pair(g, lambda n: ["group", "delete", "-n", n, "--yes"])],
        [pair(g, lambda n: ["group", "exists", "-n", n]),
         pair(g, lambda n: ["group", "show", "-n", n]),
         pair(g, lambda n: ["group", "delete", "-n", n, "--yes"]),
         pair(g, lambda n: ["group", "update", "-n", n, "--tags", "a=b"])],
    ]
    diffs = []
    for step in steps:
        # Within a step the two tools' copies are independent: run them together.
        diffs += golden.check_all(step)
    for n in sd:  # the groups the subscription deployments made
        golden.az("group", "delete", "-n", n, "--yes", "--no-wait", check=False)
    print(f"golden so far: {golden.compared} cases, {sorted(golden.matrix.items())}")
    assert not diffs, f"{len(diffs)} cases differ:\n" + "\n".join(diffs)


def test_settings_providers_and_role_assignments_match_az(golden, world, env, tmp_path):
    rg, sub = world["rg"], world["sub"]
    # Settings: az on a copy of its signed-in configuration, armctl in a configuration
    # directory of its own (not signed in: it finds the emulator through ARMEMU_ENDPOINT).
    az_cfg = tmp_path / "az-config"
    shutil.copytree(env.config_dir, az_cfg, ignore=shutil.ignore_patterns("commands", "*.log"))
    ct_cfg = tmp_path / "ct-config"
    ct_cfg.mkdir()

    def setting(args, **kw):
        # `source` in what `config get` and `configure --list-defaults` print: the two files.
        return Case(args, az_env={"AZURE_CONFIG_DIR": str(az_cfg)}, ct_env={"ARMCTL_CONFIG_DIR": str(ct_cfg)},
                    names={str(ct_cfg): str(az_cfg)}, **kw)

    settings = [
        [setting(["configure", "--defaults", f"group={rg}", "location=westeurope"])],
        [*(setting(["configure", "--list-defaults", *f]) for f in FORMATS),
         setting(["configure", "--list-defaults", "--query", "[].name"]),
         setting(["config", "get", "defaults.group"]),
         setting(["config", "get", "defaults"]),
         setting(["group", "show", "--query", "name"]),
         setting(["storage", "account", "list", "--query", "[].name"]),
         setting(["keyvault", "list", "--query", "[].name"]),
         setting(["acr", "list", "-o", "table"]),
         setting(["config", "get", "core.nothing"])],
        [setting(["config", "set", "core.output=tsv"])],
        [setting(["group", "show", "-n", rg]),
         setting(["config", "get", "core.output", "-o", "json"])],
        [setting(["config", "unset", "core.output", "defaults.location"])],
        [setting(["config", "get", "defaults", "--query", "[].name"]),
         setting(["configure", "--defaults", "group="])],
        [setting(["configure", "--list-defaults"]),
         setting(["group", "show"])],
    ]
    # Subscriptions: both signed in (az on its copy).
    accounts = [
        [Case(["account", "set", "-s", sub], az_env={"AZURE_CONFIG_DIR": str(az_cfg)})],
        [Case(["account", "show", "--query", "[name, isDefault]"], az_env={"AZURE_CONFIG_DIR": str(az_cfg)}),
         Case(["account", "set", "-s", "nope"], az_env={"AZURE_CONFIG_DIR": str(az_cfg)}),
         Case(["account", "set"], az_env={"AZURE_CONFIG_DIR": str(az_cfg)})],
    ]
    # Providers: on the shared state, one tool after the other (registering twice is allowed).
    providers = [
        [Case(["provider", "register", "-n", "Microsoft.Search"])],
        [Case(["provider", "show", "-n", "Microsoft.Search", "--query", "registrationState"])],
        [Case(["provider", "register", "-n", "Microsoft.Nope"]),
         Case(["provider", "unregister", "-n", "Microsoft.Nope"]),
         Case(["provider", "register"])],
        [Case(["provider", "unregister", "-n", "Microsoft.Search"])],
        [Case(["provider", "show", "-n", "Microsoft.Search", "-o", "table"])],
    ]
    # Role assignments: each tool on a group of its own.
    ga, gc = copies("ra")
    for n in (ga, gc):
        golden.az("group", "create", "-n", n, "-l", "westeurope", "-o", "none")
    scope = lambda n: f"/subscriptions/{sub}/resourceGroups/{n}"  # noqa: E731
    principal = "22222222-2222-2222-2222-222222222222"
    names = {gc: ga}

    def pair(args_for, **kw):
        return Case(args_for(ga), ct_args=args_for(gc), names=names, **kw)

    roles = [
        [pair(lambda n: ["role", "assignment", "create", "--assignee-object-id", principal,
                         "--assignee-principal-type", "ServicePrincipal", "--role", "Reader", "--scope", scope(n)],
              guids=True, times=True),
         Case(["role", "assignment", "create", "--assignee-object-id", principal, "--role", "Nope",
               "--scope", scope(rg)]),
         Case(["role", "assignment", "create", "--assignee-object-id", principal, "--role", "Reader"]),
         Case(["group", "create", "-n", "x"]),
         Case(["group", "create"])],
        [pair(lambda n: ["role", "assignment", "create", "--assignee-object-id", principal,
                         "--assignee-principal-type", "ServicePrincipal", "--role", "Reader", "--scope", scope(n),
                         "--query", "[principalId, principalType, roleDefinitionName, scope]"]),
         *(pair(lambda n, f=f: ["role", "assignment", "list", "--scope", scope(n), *f], guids=True, times=True)
           for f in FORMATS),
         pair(lambda n: ["role", "assignment", "list", "-g", n, "--query", "[].roleDefinitionName", "-o", "tsv"])],
        [pair(lambda n: ["role", "assignment", "delete", "--scope", scope(n), "--role", "Reader",
                         "--assignee-object-id", principal], guids=True, times=True)],
        [pair(lambda n: ["role", "assignment", "list", "--scope", scope(n)]),
         pair(lambda n: ["role", "assignment", "delete", "--scope", scope(n), "--role", "Reader"])],
    ]
    diffs = []
    for step in [*settings, *accounts]:
        diffs += golden.check_all(step, parallel=False)
    for step in providers:
        diffs += golden.check_all(step, parallel=False)
    for step in roles:
        diffs += golden.check_all(step)
    for n in (ga, gc):
        golden.az("group", "delete", "-n", n, "--yes", "--no-wait", check=False)
    print(f"golden so far: {golden.compared} cases, {sorted(golden.matrix.items())}")
    print("golden commands:", sorted(golden.commands))
    print("golden cases not compared:", *golden.skipped, sep="\n  ")
    assert not diffs, f"{len(diffs)} cases differ:\n" + "\n".join(diffs)
