#!/bin/bash
# tests/gpu/plugins_std_cuda.sh BUILD — the standard plugin library's CUDA kernels (plugins/std/*.cu)
# against its CPU kernels on the GPU machine: FastGelu and SkipLayerNormalization in float32 and
# float16, EfficientNMS bit for bit (tests/plugins/std_plugins_cuda_test.cpp). BUILD is a build
# folder or a staged one (tests/gpu/stage.sh copies the plugin library and the test). Exit status:
# the test's.
set -u
build=${1:?usage: tests/gpu/plugins_std_cuda.sh BUILD}
export LD_LIBRARY_PATH="$build/core:$build/device-libs:/usr/local/cuda/lib64:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
export MIRT_MODULE_PATH="$build/backends/cpu:$build/backends/cuda:$build/plugins/std"
exec "$build/tests/plugins/plugins_std_cuda_test" --duration=true
