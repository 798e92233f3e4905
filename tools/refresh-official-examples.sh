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
#
# It then re-extracts the OpenAPI files fixtures/official/specs/MANIFEST.tsv lists (the
# definitions conformance/src/schema.rs validates every answer of the suites against): each
# service file keeps the paths of the operations its row names and every definition their
# responses reach; each common-types file keeps the definitions the service files reach;
# descriptions, examples and parameters are dropped. The first extracts were written by hand
# from the files at the listed commits (the machine they were made on had no route to GitHub),
# so the first refresh may reorder keys; it must not change what the schema suite finds.
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

# --- OpenAPI definitions (fixtures/official/specs/) ---
specs=fixtures/official/specs
raw=$(mktemp -d)
trap 'rm -rf "$tmp" "$raw"' EXIT
while IFS=$'\t' read -r file commit _ops; do
  case "$file" in ''|'#'*) continue ;; esac
  mkdir -p "$raw/$(dirname "$file")"
  curl -fsSL --retry 3 -o "$raw/$file" "$base/${REF:-$commit}/$file"
done < "$specs/MANIFEST.tsv"
python3 - "$raw" "$specs" <<'PY'
import json, os, posixpath, sys
raw, out = sys.argv[1], sys.argv[2]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "MANIFEST.tsv")) if l.strip() and not l.startswith("#")]
docs = {r[0]: json.load(open(os.path.join(raw, r[0]), encoding="utf-8-sig")) for r in rows}
DROP = {"description", "title", "x-ms-examples", "parameters", "summary", "tags", "example", "consumes", "produces", "headers"}
keep = {f: set() for f in docs}  # file -> definition names reached

MAPS = {"properties", "definitions", "paths", "responses"}  # name -> schema maps: keys are names

def strip(v, names=False):
    if isinstance(v, dict):
        if names:
            return {k: strip(x) for k, x in v.items()}
        return {k: strip(x, k in MAPS) for k, x in v.items() if k not in DROP}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v

def reach(file, v):
    if isinstance(v, dict):
        r = v.get("$ref")
        if isinstance(r, str):
            f, _, ptr = r.partition("#")
            f = posixpath.normpath(posixpath.join(posixpath.dirname(file), f)) if f else file
            name = ptr.rsplit("/", 1)[-1]
            if name not in keep[f]:
                keep[f].add(name)
                reach(f, docs[f]["definitions"][name])
        for x in v.values():
            reach(file, x)
    elif isinstance(v, list):
        for x in v:
            reach(file, x)

for file, _commit, ops in rows:
    d = docs[file]
    wanted = set(filter(None, ops.split(",")))
    paths = {}
    for p, item in d.get("paths", {}).items():
        for m, op in item.items():
            if isinstance(op, dict) and op.get("operationId") in wanted:
                paths.setdefault(p, {})[m] = {k: op[k] for k in ("operationId", "x-ms-long-running-operation", "x-ms-pageable", "responses") if k in op}
                reach(file, op["responses"])
    d["_paths"] = paths
    if not wanted:  # common-types: only what the service files reach
        continue
# Subtypes of a reached discriminated base (allOf naming it) are reached too.
changed = True
while changed:
    changed = False
    for f, d in docs.items():
        for n, v in d.get("definitions", {}).items():
            if n in keep[f]:
                continue
            for a in v.get("allOf", []):
                base = a.get("$ref", "").rsplit("/", 1)[-1]
                if base in keep[f] and "discriminator" in docs[f]["definitions"].get(base, {}):
                    keep[f].add(n); reach(f, v); changed = True
for file, commit, _ops in rows:
    d = docs[file]
    info = {"title": d["info"].get("title"), "version": d["info"].get("version"),
            "x-vendored-extract": "Extracted by tools/refresh-official-examples.sh from the file at commit %s." % commit}
    res = {"swagger": "2.0", "info": info, "paths": strip(d.get("_paths", {})),
           "definitions": {n: strip(v) for n, v in d.get("definitions", {}).items() if n in keep[file]}}
    os.makedirs(os.path.dirname(os.path.join(out, file)), exist_ok=True)
    with open(os.path.join(out, file), "w", encoding="utf-8") as f:
        f.write(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
print("re-extracted %d OpenAPI files" % len(rows))
PY
