#!/usr/bin/env bash
# Install Debian's Chromium when missing (the console's browser suite), and create or update
# the three virtualenvs the interop suite uses:
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

# The console's browser suite (test_console.py) drives Debian's Chromium through Playwright.
# Installed with apt-get when missing (as root, else through sudo); $ARMEMU_CHROMIUM names
# another build to use instead.
ensure_chromium() {
    local want="${ARMEMU_CHROMIUM:-/usr/bin/chromium}"
    if [[ -x "$want" ]]; then
        echo "setup: chromium is installed ($want)"
        return 0
    fi
    if [[ -n "${ARMEMU_CHROMIUM:-}" ]]; then
        echo "setup: ARMEMU_CHROMIUM=$ARMEMU_CHROMIUM is not an executable" >&2
        return 1
    fi
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { echo "setup: installing chromium needs root or sudo" >&2; return 1; }
        sudo=(sudo)
    fi
    echo "setup: apt-get install chromium (log: .cache/apt-chromium.log)"
    mkdir -p "$CACHE"
    local t0=$SECONDS
    if ! { "${sudo[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium; } \
        >"$CACHE/apt-chromium.log" 2>&1; then
        tail -n 30 "$CACHE/apt-chromium.log" >&2
        echo "setup: installing chromium failed; see .cache/apt-chromium.log" >&2
        return 1
    fi
    echo "setup: chromium ready in $((SECONDS - t0)) s"
}

ensure_chromium
ensure_venv venv-sdk "$HERE/requirements-sdk.txt"
ensure_venv venv-cli "$HERE/requirements-cli.txt"
ensure_venv venv-v1 "$HERE/requirements-v1.txt"
