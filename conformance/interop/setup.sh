#!/usr/bin/env bash
# Create or update the three virtualenvs the interop suite uses:
#   .cache/venv-sdk  <- conformance/interop/requirements-sdk.txt  (azure SDKs + pytest)
#   .cache/venv-cli  <- conformance/interop/requirements-cli.txt  (azure-cli)
#   .cache/venv-v1   <- conformance/interop/requirements-v1.txt   (azureml-core, the v1 SDK)
# They are separate because azure-cli and azure-mgmt-authorization 4.0.0 conflict, and
# azureml-core pins older azure-mgmt-* packages than the SDK venv's.
#
# Idempotent: each venv keeps a stamp file with the sha256 of its requirements file; when it
# matches (and the venv's python still runs) pip is not called at all.
# Paths are relative to the repository root, so this works from any directory.
# Needs python3.11 (or $PYTHON) and PyPI (or a configured pip index).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="$ROOT/.cache"

if [[ -n "${PYTHON:-}" ]]; then
    py="$PYTHON"
elif command -v python3.11 >/dev/null 2>&1; then
    py=python3.11
else
    py=python3
fi

sha256() { sha256sum "$1" | cut -d' ' -f1; }

ensure_venv() {
    local name="$1" req="$2"
    local venv="$CACHE/$name" stamp="$CACHE/$name/.requirements.sha256"
    local want
    want="$(sha256 "$req")"
    if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' >/dev/null 2>&1 \
        && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$want" ]]; then
        echo "setup: $name is up to date (${req#"$ROOT"/})"
        return 0
    fi
    if ! [[ -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
        echo "setup: creating $name with $("$py" --version 2>&1)"
        rm -rf "$venv"
        mkdir -p "$CACHE"
        "$py" -m venv "$venv"
    fi
    echo "setup: pip install -r ${req#"$ROOT"/} into $name (log: .cache/pip-$name.log)"
    local t0=$SECONDS
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check -r "$req" >"$CACHE/pip-$name.log" 2>&1; then
        tail -n 30 "$CACHE/pip-$name.log" >&2
        echo "setup: pip install for $name failed; see .cache/pip-$name.log" >&2
        return 1
    fi
    echo "$want" >"$stamp"
    echo "setup: $name ready in $((SECONDS - t0)) s"
}

ensure_venv venv-sdk "$HERE/requirements-sdk.txt"
ensure_venv venv-cli "$HERE/requirements-cli.txt"
ensure_venv venv-v1 "$HERE/requirements-v1.txt"
