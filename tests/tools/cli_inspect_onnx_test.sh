#!/bin/sh
# tests/tools/cli_inspect_onnx_test.sh — `mirt inspect model.onnx`: I/O with symbolic dims, opsets,
# op counts (checked against the onnx package's own reading of the file) and the ops mirt cannot
# run (a standard op mirt lacks, a custom-domain op), as text and as --json; a file that is not
# ONNX and a missing backend are errors. Needs python3 with onnx. Usage: cli_inspect_onnx_test.sh MIRT SAMPLES_DIR
set -u
mirt=$1
samples=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 -c 'import onnx' || fail "python3 lacks onnx (pip install onnx)"
tfm=$samples/sample_transformer_block.onnx

out=$("$mirt" inspect "$tfm" 2>&1) || fail "inspect: $out"
echo "$out"
echo "$out" | grep -q "^  ai.onnx: 17$" || fail "no opset line"
echo "$out" | grep -q "^  x: float32 \[batch, seq, 64\]$" || fail "input with symbolic dims"
echo "$out" | grep -q "^  y: float32 \[batch, seq, 64\]$" || fail "output"
echo "$out" | grep -q "^Whole model: builds on backend 'cpu'" || fail "the sample does not build"
echo "$out" | grep -q "unsupported" && fail "the sample has an op called unsupported"
# Every op type with the count the onnx package finds, and 'supported'.
python3 - "$tfm" <<'PY' > "$dir/counts.txt" || fail "onnx cannot read the sample"
import collections, sys, onnx
for op, n in collections.Counter(n.op_type for n in onnx.load(sys.argv[1]).graph.node).items():
    print(op, n)
PY
[ -s "$dir/counts.txt" ] || fail "no op counts"
while read -r op n; do
  echo "$out" | grep -Eq "^  $op +$n  supported$" || fail "op $op: count $n / supported not shown"
done < "$dir/counts.txt"

# A model with an op mirt lacks (SequenceConstruct: no sequences in mirt), a custom-domain op
# (com.example::MyOp) and two it has.
python3 - "$dir/unsupported.onnx" <<'PY' || fail "cannot write the test model"
import sys, onnx
from onnx import TensorProto, helper
nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("SequenceConstruct", ["r"], ["d"]),
         helper.make_node("MyOp", ["r"], ["c"], domain="com.example"), helper.make_node("Add", ["d", "d"], ["y"])]
g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 3])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"]),
                       helper.make_tensor_value_info("c", TensorProto.FLOAT, None)])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)]), sys.argv[1])
PY
out=$("$mirt" inspect "$dir/unsupported.onnx" --backend cpu 2>&1) || fail "inspect unsupported: $out"
echo "$out"
echo "$out" | grep -q "^  com.example: 1$" || fail "custom opset"
echo "$out" | grep -Eq "^  SequenceConstruct +1  unsupported" || fail "SequenceConstruct not reported unsupported"
echo "$out" | grep -Eq "^  com.example::MyOp +1  unsupported" || fail "MyOp not reported unsupported"
echo "$out" | grep -Eq "^  Relu +1  supported$" || fail "Relu not supported"
echo "$out" | grep -q "Unsupported by mirt (2 op type(s)); a plugin library can supply them" || fail "no plugin hint"
echo "$out" | grep -q "^  SequenceConstruct: .*'SequenceConstruct'" || fail "no message for SequenceConstruct"
echo "$out" | grep -q "^Whole model: does not build" || fail "the whole model builds?"
"$mirt" inspect "$dir/unsupported.onnx" --json > "$dir/out.json" || fail "inspect --json"
python3 - "$dir/out.json" <<'PY' || fail "inspect --json content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["opsets"] == {"ai.onnx": 17, "com.example": 1}, j["opsets"]
assert j["inputs"] == [{"name": "x", "dtype": "float32", "dims": ["n", 3, 3]}], j["inputs"]
ops = {(o["domain"], o["op_type"]): o for o in j["ops"]}
assert ops[("ai.onnx", "Relu")]["support"] == "supported" and ops[("ai.onnx", "Relu")]["count"] == 1
assert ops[("ai.onnx", "SequenceConstruct")]["support"].startswith("unsupported") and "SequenceConstruct" in ops[("ai.onnx", "SequenceConstruct")]["message"]
assert ops[("com.example", "MyOp")]["support"].startswith("unsupported")
assert j["whole_model"]["builds"] is False and "SequenceConstruct" in j["whole_model"]["error"]
PY

# Errors: not an ONNX file; a backend that is not installed.
echo "hello" > "$dir/not.onnx"
out=$("$mirt" inspect "$dir/not.onnx" 2>&1) && fail "a text file passed"
echo "$out" | grep -q "is not an ONNX model" || fail "no clear error for a non-ONNX file: $out"
out=$("$mirt" inspect "$tfm" --backend nope 2>&1) && fail "a missing backend passed"
echo "$out" | grep -q "backend 'nope' is not installed" || fail "no clear error for a missing backend: $out"
echo "cli_inspect_onnx_test passed"
