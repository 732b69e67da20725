#!/bin/sh
# tests/tools/cli_exec_profile_cache_test.sh — `mirt exec` flags of the builder and runtime work on
# the cpu backend: --dumpProfile/--exportProfile (one JSON entry per layer, in plan order, with
# tactics and shares that sum to 100%), --timingCacheFile (written by the first build, the same
# tactics from a second build that times nothing; a damaged file fails naming the file) and
# --useCudaGraph refused without the cuda backend. Needs python3 (json only).
# Usage: cli_exec_profile_cache_test.sh MIRT SAMPLES_DIR
set -u
mirt=$1
cnn=$2/sample_cnn.onnx
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
exec_cnn() { "$mirt" exec --onnx "$cnn" --backend cpu --shapes input:2x3x32x32 --warmUp 0 --duration 0 --iterations 3 "$@" 2>&1; }

# 1. The profile: as many entries as the plan has layers, named and ordered as in the plan.
out=$(exec_cnn --dumpProfile --exportProfile "$dir/profile.json" --saveEngine "$dir/a.mirt") || fail "profile run: $out"
echo "$out" | grep -q "=== Profile (3 iterations" || fail "no profile table: $out"
echo "$out" | grep -q "conv1 \[" || fail "the table lacks conv1: $out"
"$mirt" inspect --json "$dir/a.mirt" > "$dir/a.json" || fail "inspect a.mirt"
python3 - "$dir/profile.json" "$dir/a.json" <<'PY' || fail "profile JSON"
import json, sys
profile = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
assert profile[0] == {"count": 3}, profile[0]
layers = [l["name"] for l in plan["layers"]]
assert [p["name"] for p in profile[1:]] == layers, ([p["name"] for p in profile[1:]], layers)
assert all(p["tactic"] == l["tactic"]["name"] for p, l in zip(profile[1:], plan["layers"]))
assert all(p["averageMs"] >= 0 and p["timeMs"] >= p["averageMs"] for p in profile[1:])
assert abs(sum(p["percentage"] for p in profile[1:]) - 100) < 1e-6
PY

# 2. The timing cache: written once, then the same tactics without timing.
exec_cnn --timingCacheFile "$dir/cache" --saveEngine "$dir/b.mirt" > "$dir/b.log" || fail "first cached build: $(cat "$dir/b.log")"
head -n 1 "$dir/cache" | grep -qx "mirt timing cache 1" || fail "no timing cache header"
[ "$(grep -c Conv "$dir/cache")" -eq 2 ] || fail "expected the two Convs in the cache: $(cat "$dir/cache")"
cp "$dir/cache" "$dir/cache.first"
exec_cnn --timingCacheFile "$dir/cache" --saveEngine "$dir/c.mirt" > "$dir/c.log" || fail "second cached build"
cmp -s "$dir/cache" "$dir/cache.first" || fail "a build served from the cache changed it"
"$mirt" inspect --json "$dir/b.mirt" > "$dir/b.json" && "$mirt" inspect --json "$dir/c.mirt" > "$dir/c.json" || fail "inspect"
python3 - "$dir/b.json" "$dir/c.json" <<'PY' || fail "the cached build chose other tactics"
import json, sys
b, c = (json.load(open(p)) for p in sys.argv[1:3])
tactics = lambda plan: [(l["name"], l["tactic"]["name"]) for l in plan["layers"]]
assert tactics(b) == tactics(c), (tactics(b), tactics(c))
PY
printf 'not a cache\n' > "$dir/bad"
out=$(exec_cnn --timingCacheFile "$dir/bad") && fail "a damaged cache was accepted"
echo "$out" | grep -q "timing cache '$dir/bad' line 1" || fail "the error does not name the file and line: $out"

# 3. --useCudaGraph needs the cuda backend.
out=$(exec_cnn --useCudaGraph) && fail "--useCudaGraph ran on the cpu backend"
echo "$out" | grep -q "needs the cuda backend" || fail "unclear --useCudaGraph error: $out"
echo "cli_exec_profile_cache_test: all checks passed"
