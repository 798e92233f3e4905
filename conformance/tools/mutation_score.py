#!/usr/bin/env python3
"""Prints the mutation score of cargo-mutants runs: caught / viable mutants (viable: the
mutant builds), with the survivors listed. Usage: mutation_score.py DIR [DIR...] where each
DIR is a cargo-mutants `mutants.out` directory. Exits 1 below 90 %."""
import json
import os
import sys

caught = missed = timeout = unviable = 0
survivors = []
for d in sys.argv[1:]:
    path = os.path.join(d, "outcomes.json")
    if not os.path.exists(path):
        print(f"mutation score: {path} is missing (did cargo-mutants run?)")
        sys.exit(1)
    with open(path) as f:
        o = json.load(f)
    caught += o.get("caught", 0)
    missed += o.get("missed", 0)
    timeout += o.get("timeout", 0)
    unviable += o.get("unviable", 0)
    for out in o.get("outcomes", []):
        if out.get("summary") == "MissedMutant":
            sc = out.get("scenario", {})
            m = sc.get("Mutant", sc) if isinstance(sc, dict) else {}
            survivors.append(m.get("name") or str(m))
viable = caught + missed + timeout
score = 100.0 * (caught + timeout) / viable if viable else 0.0
print(f"mutation score: {caught + timeout} of {viable} viable mutants killed = {score:.1f} % "
      f"({caught} caught by a test, {timeout} by a timeout, {missed} missed; {unviable} did not build)")
for s in survivors:
    print(f"  survived: {s}")
sys.exit(0 if score >= 90.0 else 1)
