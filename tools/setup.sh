#!/usr/bin/env bash
# tools/setup.sh — installs everything mirt needs to build and test on Debian 12.
#
# The CUDA toolkit (nvcc, cuBLAS, cuDNN 9) is expected to be installed already when the CUDA backend
# should build; without it meson skips that module. Safe to run again.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(
  g++ meson ninja-build pkg-config python3 python3-pip
  libboost-dev                              # Boost.DLL (header-only) for loading modules
  libflatbuffers-dev flatbuffers-compiler   # plan metadata
  libxxhash-dev                             # plan checksum
  nlohmann-json3-dev                        # manifests, plan descriptions
  doctest-dev libcli11-dev                  # tests, the mirt CLI
  zlib1g-dev                                # .npz files of mirt run (crc32, inflate)
  libdnnl-dev                               # oneDNN: the CPU backend's Conv/MatMul
  libpng-dev libjpeg-dev libwebp-dev libtiff-dev libopenjp2-7-dev libgif-dev  # ImageDecoder: PNG, JPEG, WebP, TIFF, JPEG 2000, GIF
  libkissfft-dev                            # DFT and STFT
  libprotobuf-dev libonnx-dev               # the ONNX parser module
  libonnx-testdata                          # ONNX node tests (second conformance set)
  rustc                                     # examples/rust (Debian's 1.63; no cargo, no crates)
)
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"

# Python packages for the tests that compare against ONNX Runtime, for bench/, and for the Python
# package's tests (pytest; ml_dtypes gives numpy a bfloat16). Meson from PyPI as well: Debian 12's
# 1.0 writes no header dependencies for .cu files (meson issue 11969, fixed in 1.4), so an edited
# kernel header would leave stale CUDA objects in an incremental build; Debian's meson stays as the
# fallback.
python_packages=(numpy onnx onnxruntime==1.30.0 pytest ml_dtypes "meson>=1.4,<1.6")
if ! python3 -m pip install --quiet "${python_packages[@]}" 2>/dev/null; then
  # Debian's own python3 is "externally managed" (PEP 668); these are test tools, not system parts.
  python3 -m pip install --quiet --break-system-packages "${python_packages[@]}"
fi
echo "mirt setup: done"
