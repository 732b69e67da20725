#!/bin/sh
# tests/tools/cli_layer_precision_test.sh — `mirt exec --fp16 --layerPrecisions` on the CPU backend:
# the constrained layer stays float32 in `mirt inspect` while an unconstrained Conv runs in float16,
# and an unknown layer name fails naming it. Usage: cli_layer_precision_test.sh MIRT SAMPLES_DIR
set -u
mirt=$1
samples=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$mirt" exec --onnx "$samples/sample_cnn.onnx" --backend cpu --fp16 --shapes input:1x3x32x32 \
  --layerPrecisions=conv2:fp32 --saveEngine "$dir/p.plan" --skipInference 2>&1) || fail "exec: $out"
out=$("$mirt" inspect "$dir/p.plan" 2>&1) || fail "inspect: $out"
echo "$out"
echo "$out" | grep -E '\] conv2 \(' | grep -q ', float32$' || fail "conv2 is not float32"
echo "$out" | grep -E '\] conv1 \(' | grep -q ', float16$' || fail "conv1 is not float16"

out=$("$mirt" exec --onnx "$samples/sample_cnn.onnx" --backend cpu --fp16 --shapes input:1x3x32x32 \
  --layerPrecisions=conv9:fp32 --skipInference 2>&1) && fail "an unknown layer passed"
echo "$out" | grep -q "'conv9'" || fail "the error does not name the layer: $out"
out=$("$mirt" exec --onnx "$samples/sample_cnn.onnx" --backend cpu --layerPrecisions=conv1:fp8 --skipInference 2>&1) &&
  fail "an unknown precision passed"
echo "$out" | grep -q "'fp8'" || fail "the error does not name the precision: $out"
echo "cli_layer_precision_test passed"
