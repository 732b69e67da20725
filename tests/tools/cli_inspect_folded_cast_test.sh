#!/bin/sh
# tests/tools/cli_inspect_folded_cast_test.sh — `mirt inspect` of an FP16 plan where the builder
# folded the Cast to the float32 output into the last layer (x -> MatMul -> Tanh -> y, on the
# "halfbe" fixture backend, which claims every kernel): the Tanh computes in float16 and writes
# float32, as text and in --json's output_dtypes. Needs python3 with onnx.
# Usage: cli_inspect_folded_cast_test.sh MIRT HALF_BACKEND_DIR
set -u
mirt=$1
export MIRT_MODULE_PATH="${MIRT_MODULE_PATH:-}:$2"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 -c 'import onnx' || fail "python3 lacks onnx (pip install onnx)"

python3 - "$dir/pooler.onnx" <<'PY' || fail "cannot write the test model"
import sys, onnx
from onnx import TensorProto, helper
w = helper.make_tensor("w", TensorProto.FLOAT, [8, 8], [0.125 * (i % 7) for i in range(64)])
nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="dense"), helper.make_node("Tanh", ["h"], ["y"], name="pool")]
g = helper.make_graph(nodes, "pooler", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])], [w])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
PY
out=$("$mirt" exec --onnx "$dir/pooler.onnx" --backend halfbe --fp16 --builderOptimizationLevel 0 \
  --saveEngine "$dir/p.plan" --skipInference 2>&1) || fail "exec: $out"
out=$("$mirt" inspect "$dir/p.plan" 2>&1) || fail "inspect: $out"
echo "$out"
echo "$out" | grep -E '\] pool \(FusedElementwise\)' | grep -q ', float16 (writes float32)$' ||
  fail "the folded Tanh does not show float16 writing float32"
echo "$out" | grep -E '\] dense \(' | grep -q ', float16$' || fail "the MatMul is not plain float16"
json=$("$mirt" inspect "$dir/p.plan" --json 2>&1) || fail "inspect --json: $json"
echo "$json" | python3 -c '
import json, sys
layers = {l["name"]: l for l in json.load(sys.stdin)["layers"]}
assert layers["pool"]["precision"] == "float16", layers["pool"]
assert layers["pool"]["output_dtypes"] == ["float32"], layers["pool"]
assert layers["dense"]["output_dtypes"] == ["float16"], layers["dense"]
' || fail "--json: $json"
echo "cli_inspect_folded_cast_test passed"
