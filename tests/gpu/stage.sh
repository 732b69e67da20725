#!/bin/sh
# tests/gpu/stage.sh BUILD DEST — copies what tests/gpu/run.sh needs from a build folder into DEST
# (same layout: core/, backends/, parsers/, tools/, plus device-libs/ from collect_libs.sh), so that
# it fits the GPU machine's transfer limit without object files. Builds nothing.
set -eu
build=${1:?usage: stage.sh BUILD DEST}
dest=${2:?usage: stage.sh BUILD DEST}
here=$(dirname "$0")
rm -rf "$dest"
for f in core/libmirt.so* backends/cpu/libmirt_backend_cpu.so backends/cpu/*.mirt-module.json \
         backends/cuda/libmirt_backend_cuda.so backends/cuda/*.mirt-module.json \
         tests/backends/cuda/test_cuda_module tests/backends/cuda/test_cuda_backend tests/backends/cuda/test_cuda_runtime_api \
         parsers/onnx/libmirt_parser_onnx.so parsers/onnx/*.mirt-module.json tools/mirt/mirt tools/mirt/onnxrt_runner.py \
         plugins/std/libmirt_plugins_std.so plugins/std/*.mirt-module.json tests/plugins/plugins_std_cuda_test; do
  for g in "$build"/$f; do
    [ -e "$g" ] && [ ! -d "$g" ] || continue
    mkdir -p "$dest/$(dirname "${g#"$build"/}")"
    cp -P "$g" "$dest/${g#"$build"/}"
  done
done
# Symbols are not needed there, and the transfer has a size limit.
find "$dest" -type f ! -name '*.json' -exec strip --strip-unneeded {} + 2>/dev/null || true
"$here/collect_libs.sh" "$build" "$dest/device-libs"
strip --strip-unneeded "$dest"/device-libs/* 2>/dev/null || true
du -sh "$dest"
