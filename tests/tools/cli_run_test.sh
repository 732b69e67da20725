#!/bin/sh
# tests/tools/cli_run_test.sh — `mirt run` end to end: a passing mirt-vs-ONNX Runtime comparison, a
# forced failure (a perturbed reference) that must say FAILED, .npz round trips (files mirt writes
# and numpy reads, numpy's compressed files mirt reads) and bad inputs that must fail with a clear
# message. Needs python3 with numpy and onnxruntime; fails (never skips) without them.
# Usage: cli_run_test.sh MIRT SAMPLES_DIR
set -u
mirt=$1
samples=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cnn=$samples/sample_cnn.onnx
tfm=$samples/sample_transformer_block.onnx
python3 -c 'import numpy, onnxruntime' || fail "python3 lacks numpy/onnxruntime (pip install numpy onnxruntime)"

# 1. mirt and ONNX Runtime agree on both samples; the report has the error figures and PASSED.
out=$("$mirt" run "$cnn" --mirt --onnxrt --backend cpu --input-shapes 'input:[2,3,32,32]' \
  --save-inputs "$dir/in.npz" --save-outputs "$dir/out.npz" 2>&1) || fail "cnn comparison failed: $out"
echo "$out"
echo "$out" | grep -q "Absolute difference | max=" || fail "no max abs error"
echo "$out" | grep -q "Relative difference | max=" || fail "no max rel error"
echo "$out" | grep -q "PASSED | output 'probs'" || fail "no per-output PASSED"
echo "$out" | grep -q "PASSED | all 1 output(s) matched" || fail "no overall PASSED"
out=$("$mirt" run "$tfm" --mirt --onnxrt --backend cpu --input-shapes x:3x17x64 --atol 1e-5 --rtol 1e-4 2>&1) ||
  fail "transformer comparison failed: $out"
echo "$out" | grep -q "x: float32 3x17x64 (generated" || fail "the input shape was not used: $out"

# 2. A reference off by 0.05 in one element must fail, naming the output, with exit code 1.
out=$(MIRT_ONNXRT_RUNNER="$here/perturbing_onnxrt_runner.py" REAL_ONNXRT_RUNNER="$(dirname "$mirt")/onnxrt_runner.py" \
  "$mirt" run "$cnn" --mirt --onnxrt --backend cpu 2>&1)
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "a perturbed reference gave exit code $rc, not 1"
echo "$out" | grep -q "FAILED | output 'probs' | 1 of 10 elements are outside tolerance" || fail "no per-output FAILED"
echo "$out" | grep -q "FAILED | mismatched outputs: 'probs'" || fail "no overall FAILED"
# The same with a tolerance wide enough passes: the failure came from the tolerance check.
MIRT_ONNXRT_RUNNER="$here/perturbing_onnxrt_runner.py" REAL_ONNXRT_RUNNER="$(dirname "$mirt")/onnxrt_runner.py" \
  "$mirt" run "$cnn" --mirt --onnxrt --backend cpu --atol 0.1 >/dev/null 2>&1 || fail "atol 0.1 did not absorb the 0.05 offset"

# 3. .npz round trip: the saved inputs load back and give the same outputs; numpy reads mirt's files,
# mirt reads numpy's (np.savez_compressed, float64 inputs cast to the model's float32).
"$mirt" run "$cnn" --mirt --backend cpu --load-inputs "$dir/in.npz" --save-outputs "$dir/out2.npz" >/dev/null 2>&1 ||
  fail "run with --load-inputs failed"
python3 - "$dir" <<'PY' || fail "npz round trip"
import sys, numpy as np
d = sys.argv[1]
a, b, i = np.load(d + "/out.npz"), np.load(d + "/out2.npz"), np.load(d + "/in.npz")
assert a.files == ["probs"] and a["probs"].shape == (2, 10) and a["probs"].dtype == np.float32, (a.files, a["probs"].shape)
# Not bit-equal: each build times its tactics afresh and may pick another kernel (rounding ~1e-8).
assert np.allclose(a["probs"], b["probs"], rtol=1e-5, atol=1e-6), "outputs differ after reloading the inputs"
assert i["input"].shape == (2, 3, 32, 32) and i["input"].dtype == np.float32
assert -1 <= i["input"].min() < i["input"].max() <= 1
rng = np.random.default_rng(3)
np.savez_compressed(d + "/np.npz", input=rng.uniform(-1, 1, (4, 3, 32, 32)))
PY
out=$("$mirt" run "$cnn" --mirt --onnxrt --backend cpu --load-inputs "$dir/np.npz" 2>&1) || fail "numpy's npz: $out"
echo "$out" | grep -q "input: float64 4x3x32x32 (from" || fail "numpy's npz was not used: $out"

# ONNX Runtime alone runs a model mirt cannot import (SequenceConstruct: mirt has dense tensors only, no
# sequences) and keeps its outputs; mirt says why not.
python3 - "$dir/unique.onnx" <<'PY' || fail "cannot write unique.onnx"
import sys, onnx
from onnx import TensorProto, helper
g = helper.make_graph([helper.make_node("SequenceConstruct", ["x", "x"], ["s"]),
                       helper.make_node("ConcatFromSequence", ["s"], ["d"], axis=1)], "unique",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
                      [helper.make_tensor_value_info("d", TensorProto.FLOAT, ["n", 6])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.save(m, sys.argv[1])
PY
out=$("$mirt" run "$dir/unique.onnx" --onnxrt --input-shapes x:4x3 --save-outputs "$dir/unique_out.npz" 2>&1) ||
  fail "--onnxrt alone on a model mirt cannot import: $out"
python3 -c "import numpy as np; assert np.load('$dir/unique_out.npz')['d'].shape == (4, 6)" || fail "ONNX Runtime's outputs not saved"
out=$("$mirt" run "$dir/unique.onnx" --mirt 2>&1) && fail "mirt ran SequenceConstruct?"
echo "$out" | grep -q "unknown op 'SequenceConstruct'" || fail "mirt's failure does not name SequenceConstruct: $out"

# 4. Bad inputs fail with exit code 1 and a message naming the culprit.
expect_error() {  # expect_error PATTERN ARGS...
  pattern=$1
  shift
  out=$("$mirt" run "$@" 2>&1) && fail "'mirt run $*' passed"
  echo "$out" | grep -q -- "$pattern" || fail "'mirt run $*' does not say '$pattern': $out"
}
expect_error "which is not an input of the model (inputs: 'input')" "$cnn" --mirt --input-shapes nope:1x3x32x32
expect_error "gives shape 1x4x32x32, but the model declares ?x3x32x32" "$cnn" --mirt --input-shapes input:1x4x32x32
expect_error "bad dimension 'y'" "$cnn" --mirt --input-shapes input:1xy
echo "not a zip" > "$dir/bad.npz"
expect_error "is not an .npz file" "$cnn" --mirt --load-inputs "$dir/bad.npz"
head -c 300 "$dir/in.npz" > "$dir/truncated.npz"
expect_error "truncated.npz" "$cnn" --mirt --load-inputs "$dir/truncated.npz"
python3 -c "import numpy as np; np.savez('$dir/other.npz', image=np.zeros((1, 3, 32, 32), np.float32))"
expect_error "holds 'image', which is not an input" "$cnn" --mirt --load-inputs "$dir/other.npz"
python3 -c "import numpy as np; np.savez('$dir/str.npz', input=np.array(['a']))"
expect_error "numpy dtype '<U1' is not supported" "$cnn" --mirt --load-inputs "$dir/str.npz"
expect_error "cannot start '/nonexistent/python3'" "$cnn" --onnxrt --python /nonexistent/python3
expect_error "choose what to run" "$cnn"
# A python3 whose onnxruntime cannot be imported (a stub module that fails on import).
mkdir "$dir/no_ort"
echo 'raise ModuleNotFoundError("No module named onnxruntime (test stub)", name="onnxruntime")' > "$dir/no_ort/onnxruntime.py"
export PYTHONPATH="$dir/no_ort"
expect_error "ONNX Runtime is not available to 'python3'" "$cnn" --onnxrt
unset PYTHONPATH
echo "cli_run_test passed"
