#!/usr/bin/env bash
# tools/test.sh — the whole test suite, as CI runs it:
#   1. a release build (with the CUDA backend when nvcc is present: it must compile and link) and
#      every test that needs no GPU;
#   2. a debug build with AddressSanitizer and UndefinedBehaviorSanitizer (leaks included) running
#      the same C/C++ tests, so memory errors fail from day one.
# Ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0

# Adds the results of one meson test log to the totals.
count_results() {
  local log=$1/meson-logs/testlog.json
  if [ ! -f "$log" ]; then failed=$((failed + 1)); return; fi
  read -r p f s < <(python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
)
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# run_suite BUILD_DIR [meson options...]
run_suite() {
  local build=$1; shift
  echo "=== $build: meson setup $* ==="
  if [ -f "$build/build.ninja" ]; then meson setup --reconfigure "$build" "$@" >/dev/null
  else meson setup "$build" "$@" >/dev/null; fi || { failed=$((failed + 1)); return; }
  if ! ninja -C "$build"; then echo "build failed: $build"; failed=$((failed + 1)); return; fi
  rm -f "$build/meson-logs/testlog.json"
  meson test -C "$build" --no-rebuild --print-errorlogs --no-suite gpu
  count_results "$build"
}

run_suite build --buildtype=release

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
# LeakSanitizer's exit-time scan crashes while libgomp's idle worker threads (oneDNN's) are alive;
# one OpenMP thread means no workers. The release build above runs multi-threaded.
export OMP_NUM_THREADS=1
run_suite build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dcuda=disabled

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
