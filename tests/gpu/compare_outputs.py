#!/usr/bin/env python3
"""tests/gpu/compare_outputs.py REFERENCE.json CANDIDATE.json TOLERANCE — compares two
`mirt exec --exportOutput` files output by output: same names, dims and dtypes, and
max|candidate - reference| / max(1e-6, max|reference|) <= TOLERANCE. Exit 1 (naming the output
and its error) otherwise. Used by tests/gpu/run.sh for the FP16/BF16 whole-model checks."""
import json
import math
import sys


def main():
    ref_path, cand_path, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(ref_path) as f:
        ref = {o["name"]: o for o in json.load(f)}
    with open(cand_path) as f:
        cand = {o["name"]: o for o in json.load(f)}
    failed = False
    if sorted(ref) != sorted(cand):
        print(f"outputs differ: {sorted(ref)} vs {sorted(cand)}")
        return 1
    for name, r in ref.items():
        c = cand[name]
        if r["dimensions"] != c["dimensions"] or r["dtype"] != c["dtype"]:
            print(f"{name}: {r['dtype']}{r['dimensions']} vs {c['dtype']}{c['dimensions']}")
            failed = True
            continue
        scale = max([abs(v) for v in r["values"]] + [1e-6])
        worst = max([abs(a - b) if not (math.isnan(a) or math.isnan(b)) else math.inf
                     for a, b in zip(r["values"], c["values"])] + [0.0])
        ok = worst / scale <= tol
        print(f"{name}: max|d| / max|ref| = {worst / scale:.3g} (tolerance {tol}) {'ok' if ok else 'FAILED'}")
        failed = failed or not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
