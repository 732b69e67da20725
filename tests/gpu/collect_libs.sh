#!/bin/sh
# tests/gpu/collect_libs.sh BUILD OUTDIR — copies the shared libraries that mirt's binaries in BUILD
# link but that the GPU machine may lack (Debian packages: oneDNN, xxHash, FlatBuffers, protobuf,
# onnx, ...) into OUTDIR, so that carrying the build folder (with OUTDIR inside it) brings them.
# Builds nothing. Leaves out libc/libstdc++ and the CUDA libraries (cudart, cuBLAS, cuFFT, cuDNN), which
# the GPU machine has, and mirt's own libraries (found in BUILD through LD_LIBRARY_PATH).
set -eu
build=${1:?usage: collect_libs.sh BUILD OUTDIR}
out=${2:?usage: collect_libs.sh BUILD OUTDIR}
mkdir -p "$out"

is_system() {
  case "$1" in
    linux-vdso*|ld-linux*|libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|libstdc++.so*|libgcc_s.so*) return 0 ;;
    libcuda.so*|libcudart.so*|libcublas*|libcufft*|libcudnn*|libnvrtc*|libnvJitLink*) return 0 ;;
    libmirt*) return 0 ;;
  esac
  return 1
}

find "$build" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) ! -path "$out/*" ! -path '*/meson-*' 2>/dev/null |
while read -r f; do
  file "$f" 2>/dev/null | grep -q 'ELF' || continue
  ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
  is_system "$name" && continue
  [ -e "$out/$name" ] || cp -L "$path" "$out/$name"
done
du -sh "$out"
ls "$out"
