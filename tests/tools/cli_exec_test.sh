#!/bin/sh
# tests/tools/cli_exec_test.sh — runs `mirt exec` and `mirt inspect` on a tiny plan (and an ONNX
# model when the shared node tests are there). Usage: cli_exec_test.sh MIRT MAKE_TEST_PLAN [ONNX]
set -u
mirt=$1
make_plan=$2
onnx=${3:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$make_plan" "$dir/t.plan" || fail "make_test_plan"

out=$("$mirt" exec --loadEngine "$dir/t.plan" --shapes x:3x4 --warmUp 0 --iterations 5 --duration 0 \
  --exportTimes "$dir/times.json" --exportOutput "$dir/out.json" 2>&1)
echo "$out"
echo "$out" | grep -q '&&&& PASSED' || fail "exec did not pass"
echo "$out" | grep -q '=== Performance summary ===' || fail "no performance summary"
echo "$out" | grep -q 'percentile(99%)' || fail "no p99"
echo "$out" | grep -q '^Enqueue Time: min = ' || fail "no Enqueue Time"
# Host I/O (cpu): no copies, so no transfer or GPU lines.
echo "$out" | grep -q 'H2D Latency\|D2H Latency\|GPU Compute Time' && fail "host I/O reports device timings"
grep -q '"latencyMs"' "$dir/times.json" || fail "times.json lacks latencyMs"
grep -q '"enqueueMs"' "$dir/times.json" || fail "times.json lacks enqueueMs"
grep -q '"sum"' "$dir/out.json" || fail "out.json lacks the output"
tr -d ' \n' < "$dir/out.json" | grep -q '"dimensions":\[3,4\]' || fail "out.json has the wrong shape"

# --noDataTransfers changes nothing for host I/O.
out=$("$mirt" exec --loadEngine "$dir/t.plan" --shapes x:3x4 --warmUp 0 --iterations 2 --duration 0 --noDataTransfers \
  --exportOutput "$dir/out2.json" 2>&1)
echo "$out" | grep -q '&&&& PASSED' || fail "exec --noDataTransfers did not pass: $out"
cmp -s "$dir/out.json" "$dir/out2.json" || fail "outputs differ with --noDataTransfers"

# Bad shape specs fail and name the token.
out=$("$mirt" exec --loadEngine "$dir/t.plan" --shapes x:3xZ 2>&1) && fail "a bad --shapes passed"
echo "$out" | grep -q "'Z'" || fail "the error does not name the bad token: $out"
echo "$out" | grep -q '&&&& FAILED' || fail "no FAILED line"
# A shape outside the profile fails with the core's message.
"$mirt" exec --loadEngine "$dir/t.plan" --shapes x:9x4 --warmUp 0 --iterations 1 --duration 0 >/dev/null 2>&1 &&
  fail "a shape outside the profile passed"

out=$("$mirt" inspect "$dir/t.plan" 2>&1) || fail "inspect plan: $out"
echo "$out"
echo "$out" | grep -q "Relu" || fail "inspect does not list the Relu layer"
"$mirt" inspect --json "$dir/t.plan" | grep -q '{' || fail "inspect --json"

if [ -n "$onnx" ] && [ -f "$onnx" ]; then
  out=$("$mirt" inspect "$onnx" 2>&1) || fail "inspect onnx: $out"
  echo "$out"
  echo "$out" | grep -Eq "^  Relu +1  supported$|^Layers: 1$" || fail "inspect onnx: Relu and its count"
  out=$("$mirt" exec --onnx "$onnx" --saveEngine "$dir/relu.plan" --warmUp 0 --iterations 3 --duration 0 2>&1)
  echo "$out"
  echo "$out" | grep -q 'Engine built in' || fail "no build time"
  echo "$out" | grep -q '&&&& PASSED' || fail "exec --onnx did not pass"
  [ -s "$dir/relu.plan" ] || fail "no saved plan"
fi
echo "cli_exec_test passed"
