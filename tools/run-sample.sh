#!/usr/bin/env bash
# tools/run-sample.sh — builds mirt and runs `mirt exec` on the bundled sample CNN: builds a plan,
# saves it, and prints build time, throughput and latency percentiles (as trtexec does).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MIRT_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release
ninja -C "$build"
mkdir -p "$build/sample"
# meson devenv puts the in-tree modules on MIRT_MODULE_PATH.
meson devenv -C "$build" mirt exec --onnx "$PWD/samples/sample_cnn.onnx" --shapes input:8x3x32x32 \
  --saveEngine "$PWD/$build/sample/sample_cnn.mirt" --exportTimes "$PWD/$build/sample/times.json" "$@"
meson devenv -C "$build" mirt inspect "$PWD/$build/sample/sample_cnn.mirt"
