#!/usr/bin/env bash
# Re-downloads the official REST API examples vendored under fixtures/official/ from
# Azure/azure-rest-api-specs, as fixtures/official/MANIFEST.tsv lists them (file, spec path,
# api-version, commit, operation id, method, path template, the emulator operation answering it).
#
# Runs on a developer's machine with network access; CI never runs it (the conformance suite
# `official_examples` reads only the vendored copies). Each file is fetched at the commit the
# manifest records, so a refresh is reproducible; `REF=main tools/refresh-official-examples.sh`
# fetches the newest text instead (then update the commit column by hand and re-run
# `cargo test -p conformance --test official_examples` to see what changed).
#
# The files are written re-indented with two spaces (python3's json module), which is how
# they are vendored, so a refresh at the same commit changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=fixtures/official/MANIFEST.tsv
base=${SPECS_RAW_BASE:-https://raw.githubusercontent.com/Azure/azure-rest-api-specs}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
n=0
while IFS=$'\t' read -r file spec_path _api commit _rest; do
  case "$file" in ''|'#'*) continue ;; esac
  ref=${REF:-$commit}
  curl -fsSL --retry 3 -o "$tmp" "$base/$ref/$spec_path"
  mkdir -p "fixtures/official/$(dirname "$file")"
  python3 - "$tmp" "fixtures/official/$file" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8-sig") as f:
    v = json.load(f)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(json.dumps(v, indent=2, ensure_ascii=False) + "\n")
PY
  n=$((n + 1))
done < "$manifest"
echo "refreshed $n examples from $base"
