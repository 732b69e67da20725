#!/bin/bash
# tests/gpu/run.sh BUILD — runs the GPU-side tests from an existing build folder (builds nothing):
# the cuda backend doctest suites, then `mirt exec` on the sample models with --backend cuda (and
# cpu, for comparison), then the Python package with torch CUDA tensors (python_dlpack_test.py),
# two contexts in two threads (two_contexts_test.py), compute-sanitizer memcheck of the op tests and
# racecheck of the kernels that share data through shared memory.
# Logs go to $OUT (when set) or BUILD/gpu-logs, and to the terminal.
# Run from the repository root. Exit status: 0 when every step passed.
# To get a build there: tests/gpu/stage.sh build-cuda build-cuda-dev (no object files, plus the
# Debian libraries the GPU machine lacks), packed with `tar cJf build-cuda-pack/dev.tar.xz
# build-cuda-dev` to fit the transfer limit, unpacked there, then tests/gpu/run.sh build-cuda-dev.
set -u
build=${1:?usage: tests/gpu/run.sh BUILD}
logs=${OUT:-$build/gpu-logs}
mkdir -p "$logs"
export LD_LIBRARY_PATH="$build/core:$build/device-libs:/usr/local/cuda/lib64:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
export MIRT_MODULE_PATH="$build/backends/cpu:$build/backends/cuda:$build/parsers/onnx"
mirt="$build/tools/mirt/mirt"
failed=()

step() {  # step NAME COMMAND...: runs it, tees its log, records a failure
  local name=$1
  shift
  echo "=== $name: $*" | tee "$logs/$name.log"
  local start=$SECONDS
  "$@" 2>&1 | tee -a "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc after $((SECONDS - start)) s" | tee -a "$logs/$name.log"
  [ "$rc" -eq 0 ] || failed+=("$name")
}

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true; } 2>&1 | tee "$logs/gpu.txt"

step cuda_module "$build/tests/backends/cuda/test_cuda_module"
step cuda_ops "$build/tests/backends/cuda/test_cuda_backend" --duration=true
step cuda_runtime_api "$build/tests/backends/cuda/test_cuda_runtime_api"
step modules "$mirt" modules

for model in sample_cnn:input:4x3x32x32 sample_transformer_block:x:2x16x64; do
  IFS=: read -r name input dims <<<"$model"
  for backend in cpu cuda; do
    step "exec_${name}_${backend}" "$mirt" exec --onnx "samples/$name.onnx" --backend "$backend" --shapes "$input:$dims" \
      --iterations 20 --exportOutput "$logs/${name}_${backend}_out.json"
  done
  # Mixed precision on the GPU against the cpu backend's float32 outputs. Tolerances on
  # max|d| / max|ref|: float16 2e-2, bfloat16 8e-2 (a few layers of 11- and 8-bit mantissas).
  for precision in fp16:2e-2 bf16:8e-2; do
    IFS=: read -r flag tolerance <<<"$precision"
    step "exec_${name}_cuda_${flag}" "$mirt" exec --onnx "samples/$name.onnx" --backend cuda --"$flag" --shapes "$input:$dims" \
      --iterations 20 --exportOutput "$logs/${name}_cuda_${flag}_out.json"
    step "compare_${name}_cuda_${flag}" python3 "$(dirname "$0")/compare_outputs.py" "$logs/${name}_cpu_out.json" \
      "$logs/${name}_cuda_${flag}_out.json" "$tolerance"
  done
done

step plugins_std_cuda "$(dirname "$0")/plugins_std_cuda.sh" "$build"

# The Python package with torch CUDA tensors through DLPack, against torch's own result.
step python_dlpack python3 tests/gpu/python_dlpack_test.py "$build"

# FP16 with a CUDA graph replaying the enqueue, the per-layer profile and a timing cache, against
# the cpu backend's float32 outputs (same tolerance as above); a second build with the cache.
for round in 1 2; do
  step "exec_sample_cnn_cuda_graph_$round" "$mirt" exec --onnx samples/sample_cnn.onnx --backend cuda --fp16 --useCudaGraph \
    --shapes input:4x3x32x32 --iterations 20 --dumpProfile --exportProfile "$logs/sample_cnn_profile.json" \
    --timingCacheFile "$logs/sample_cnn.timing-cache" --exportOutput "$logs/sample_cnn_cuda_graph_out.json"
done
step compare_sample_cnn_cuda_graph python3 "$(dirname "$0")/compare_outputs.py" "$logs/sample_cnn_cpu_out.json" \
  "$logs/sample_cnn_cuda_graph_out.json" 2e-2

# NonZero and Compress on the device: outputs sized by output allocators, layers after them re-inferred.
step data_dependent python3 tests/gpu/data_dependent_test.py "$build"

# The sample CNN (dynamic batch) in FP16: its stem, MaxPool and second conv run channels-last, and
# the float32 input enters through one converting Reformat (the layout pass's work, by the plan).
step "plan_sample_cnn_fp16" "$mirt" exec --onnx samples/sample_cnn.onnx --backend cuda --fp16 --shapes input:4x3x32x32 \
  --iterations 1 --saveEngine "$logs/sample_cnn_fp16.mirt"
"$mirt" inspect --json "$logs/sample_cnn_fp16.mirt" >"$logs/sample_cnn_fp16.json"
step channels_last_sample_cnn python3 "$(dirname "$0")/check_channels_last.py" "$logs/sample_cnn_fp16.json" input

# Two contexts on one engine, enqueued from two threads on two streams, equal their lone runs.
step two_contexts python3 tests/gpu/two_contexts_test.py "$build"

# compute-sanitizer memcheck over the cuda op tests: no out-of-bounds, misaligned or uninitialized-
# pointer device accesses (API errors the libraries provoke on purpose are not counted).
# MIRT_MEMCHECK_FILTER (a doctest --test-case pattern) narrows it; MIRT_MEMCHECK_TIMEOUT bounds it (s).
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ -x "$sanitizer" ]; then
  step cuda_ops_memcheck timeout "${MIRT_MEMCHECK_TIMEOUT:-900}" "$sanitizer" --tool memcheck --error-exitcode 1 \
    --report-api-errors no "$build/tests/backends/cuda/test_cuda_backend" --test-case="${MIRT_MEMCHECK_FILTER:-*}"
  # racecheck over the kernels that share data through shared memory between barriers (attention's
  # K/V tiles and Q, LayerNorm's block sums, the small-M GEMM's tiles and partial sums): no
  # read/write hazard between threads. MIRT_RACECHECK_FILTER widens or narrows it.
  step cuda_ops_racecheck timeout "${MIRT_MEMCHECK_TIMEOUT:-900}" "$sanitizer" --tool racecheck --error-exitcode 1 \
    "$build/tests/backends/cuda/test_cuda_backend" \
    --test-case="${MIRT_RACECHECK_FILTER:-*FusedAttention*,*LayerNorm*,*small_m_gemm*}"
else
  echo "=== cuda_ops_memcheck: SKIPPED: compute-sanitizer is not on PATH nor in /usr/local/cuda/bin" | tee "$logs/cuda_ops_memcheck.log"
fi

if [ ${#failed[@]} -eq 0 ]; then
  echo "tests/gpu/run.sh: all steps passed" | tee "$logs/summary.txt"
else
  echo "tests/gpu/run.sh: failed steps: ${failed[*]}" | tee "$logs/summary.txt"
  exit 1
fi
