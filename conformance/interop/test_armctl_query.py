"""armctl's `--query` next to az's, on the same emulator state: for each command, query and
output format, the same exit code, and the same stdout (or, for a failing query, the same
`ERROR:` lines). az evaluates with Python jmespath; armctl with its own evaluator
(client/src/cli/jmespath), which must agree with it: the legacy backtick literal,
case-sensitive keys, the SDK model's key order (`keys(@)`, `to_string(@)`, a table of `@`),
the query's column order in tables and TSV, integers, and which failures are argparse's
(exit 2) and which happen while the query runs (exit 1).

armctl is the binary next to ARMEMU_BINARY, or ARMEMU_ARMCTL (see
test_armctl_environment_files.py).
"""

import subprocess

from test_armctl_environment_files import armctl  # noqa: F401 - the fixture is used by name


def run_armctl(exe, env, home, *args):
    env = dict(env)
    env["HOME"] = str(home)
    env["ARMCTL_CONFIG_DIR"] = str(home / "armctl")
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=180, env=env, cwd=str(home))


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("ERROR: ")]


def test_query_output_is_azs(az, armctl, pristine_env, tmp_path, new_group):  # noqa: F811
    rg1 = new_group("qa", tags={"zeta": "1", "alpha": "2"})
    rg2 = new_group("qb")
    both = f"sort_by([?name=='{rg1}' || name=='{rg2}'], &name)"
    show = ("group", "show", "-n", rg1, "--query")
    cases = [
        ("group", "list", "--query", f"[?location==`westeurope` && (name=='{rg1}' || name=='{rg2}')].name"),
        ("group", "list", "--query", f"{both}[].{{Name:name, Loc:location}}", "-o", "table"),
        ("group", "list", "--query", f"{both}[].{{Name:name, Loc:location}}", "-o", "tsv"),
        ("group", "list", "--query", f"{both}[].{{Name:name, Loc:location}}"),
        ("group", "list", "--query", f"{both}[].{{Name:name, Loc:location}}", "-o", "yaml"),
        ("group", "list", "--query", f"{both}[?tags.zeta=='1'].[name, location]", "-o", "tsv"),
        ("group", "list", "--query", f"length({both})"),
        (*show, "ID"),
        (*show, "keys(@)"),
        (*show, "values(@)[0:3]"),
        (*show, "keys(tags)"),
        (*show, "tags.*", "-o", "tsv"),
        (*show, "@", "-o", "tsv"),
        (*show, "@", "-o", "table"),
        (*show, "{b: name, a: location, t: tags}", "-o", "table"),
        (*show, "to_string(@)", "-o", "tsv"),
        ("group", "exists", "-n", rg1, "--query", "@", "-o", "tsv"),
        (*show, "nope(@)"),
        (*show, "sum(name)"),
        (*show, "length(@, @)"),
        (*show, "name < `1`"),
        (*show, "[?"),
        (*show, "[?name=='x'"),
    ]
    for case in cases:
        want = az.run(*case, check=False)
        got = run_armctl(armctl, pristine_env, tmp_path, *case)
        what = f"`{' '.join(case)}`\naz ({want.returncode}):\n{want.stdout}{want.stderr}\narmctl ({got.returncode}):\n{got.stdout}{got.stderr}"
        assert got.returncode == want.returncode, what
        if want.returncode == 0:
            assert got.stdout == want.stdout, what
        else:
            assert error_lines(got.stderr) == error_lines(want.stderr), what
