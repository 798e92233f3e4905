#!/usr/bin/env bash
# The real-client interop suite: unmodified azure-identity / azure-mgmt-resource / az CLI
# against a freshly started armemu.
#
#   conformance/interop/run.sh path/to/armemu [extra pytest args, e.g. test_cli.py -k group]
#
# 1. setup.sh makes sure .cache/venv-sdk, .cache/venv-cli and .cache/venv-v1 exist (fast
#    when they do).
# 2. armemu starts on free ports with a fresh temporary data directory; its ready line is
#    read from a fifo (no polling). A trap SIGTERMs it and removes the directory on any exit.
# 3. `armemu env` is evaluated and `armemu az-login` signs the venv's az in (isolated
#    AZURE_CONFIG_DIR inside the temporary directory).
# 4. One pytest run in the SDK venv runs every test; the CLI tests call the CLI venv's `az`
#    (ARMEMU_AZ) as a subprocess, the azureml-core tests run v1_driver.py with the v1 venv's
#    python (ARMEMU_V1_PYTHON).
# 5. armschema validates the answers the journal kept against the vendored OpenAPI
#    definitions. The exit status is pytest's, else armschema's.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 ARMEMU_BINARY [pytest args...]" >&2
    exit 2
fi
ARMEMU="$(realpath "$1")"
shift
[[ -x "$ARMEMU" ]] || { echo "run.sh: $ARMEMU is not an executable" >&2; exit 2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$HERE/setup.sh"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/armemu-interop.XXXXXX")"
PID=""
PYTEST=""
cleanup() {
    local rc=$?
    if [[ -n "$PYTEST" ]] && kill -0 "$PYTEST" 2>/dev/null; then
        # pytest leads its own process group (setsid below): stop it and any az it runs.
        kill -TERM -- "-$PYTEST" 2>/dev/null || true
        wait "$PYTEST" 2>/dev/null || true
    fi
    if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    exec 3<&- 2>/dev/null || true
    if [[ $rc -ne 0 && -s "$TMP/armemu.log" ]]; then
        echo "--- armemu stderr (last 40 lines) ---" >&2
        tail -n 40 "$TMP/armemu.log" >&2
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkfifo "$TMP/stdout"
# The journal keeps every request of the run (armschema below validates the answers it kept).
"$ARMEMU" --data-dir "$TMP/data" --http-port 0 --https-port 0 --journal-size 200000 >"$TMP/stdout" 2>"$TMP/armemu.log" &
PID=$!
# Opening the fifo meets armemu's end of it; fd 3 stays open until exit, so later writes
# by armemu (none are expected) cannot hit SIGPIPE.
exec 3<"$TMP/stdout"
READY=""
if ! IFS= read -r -t 120 READY <&3 || [[ "$READY" != *'"event":"ready"'* ]]; then
    echo "run.sh: armemu did not print its ready line (got: '${READY}')" >&2
    exit 1
fi
echo "armemu: $READY"

eval "$("$ARMEMU" env --data-dir "$TMP/data")"
export ARMEMU_AZ="$ROOT/.cache/venv-cli/bin/az"
export ARMEMU_V1_PYTHON="$ROOT/.cache/venv-v1/bin/python"
export ARMEMU_DATA_DIR="$TMP/data"
# Tests that start an instance of their own (test_durable.py) start this binary.
export ARMEMU_BINARY="$ARMEMU"

t0=$SECONDS
"$ARMEMU" az-login --data-dir "$TMP/data" --az "$ARMEMU_AZ"
echo "az-login took $((SECONDS - t0)) s"

# Nothing may be written into the tree: no .pytest_cache, no __pycache__.
export PYTHONDONTWRITEBYTECODE=1
# In the background plus `wait`, so a SIGTERM/SIGINT to this script is handled at once
# (the trap stops pytest, its az subprocesses and armemu) instead of after pytest finishes.
# setsid gives pytest its own process group (it execs in place: a background job is not a
# group leader), so the trap can signal the whole group.
cd "$HERE"
setsid "$ROOT/.cache/venv-sdk/bin/python" -m pytest -p no:cacheprovider -c "$HERE/pytest.ini" --rootdir "$HERE" "$@" </dev/null &
PYTEST=$!
set +e
wait "$PYTEST"
rc=$?
set -e
PYTEST=""
# 5. The answers the real clients received (writes and failures: the ones the journal keeps a
#    body of) are validated against the vendored OpenAPI definitions, as the Rust suites'
#    answers are (conformance/src/schema.rs). armschema is built next to armemu (make interop).
SCHEMA="$(dirname "$ARMEMU")/armschema"
if [[ -x "$SCHEMA" ]]; then
    HTTP_URL="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["http"])' "$READY")"
    set +e
    "$SCHEMA" "$HTTP_URL"
    src=$?
    set -e
    [[ $rc -ne 0 ]] || rc=$src
else
    echo "run.sh: $SCHEMA not built; the interop answers were not schema-validated (make interop builds it)" >&2
fi
exit $rc
