// backends/cuda/kernels/rotary.cu — RotaryEmbedding.
//
// Kernels:
//   rotary_apply  one output element per thread: its pair's two inputs and the position's
//                 (cos, sin), or a copy past the rotary dims. Reference: backends/cpu/ops/rotary.cpp.
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/rotary.hpp"

namespace mirt::cuda {
namespace {

template <class T, class P>
__global__ void rotary_apply(rotary_params p, const P* positions) {
  const T* x = static_cast<const T*>(p.x);
  T* y = static_cast<T*>(p.y);
  const T* cos = static_cast<const T*>(p.cos);
  const T* sin = static_cast<const T*>(p.sin);
  const int64_t n = p.batch * p.heads * p.seq * p.head, half = p.rot / 2;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t j = e % p.head, r = e / p.head;
    int64_t b, s;
    if (p.four_d) s = r % p.seq, b = r / (p.seq * p.heads);  // r = (b * heads + h) * seq + s
    else s = (r / p.heads) % p.seq, b = r / (p.heads * p.seq);  // r = (b * seq + s) * heads + h
    if (j >= p.rot) {
      y[e] = x[e];
      continue;
    }
    const int64_t i = p.interleaved ? j / 2 : j % half;
    const bool first = p.interleaved ? j % 2 == 0 : j < half;
    const int64_t j1 = first ? j : (p.interleaved ? j - 1 : j - half), j2 = p.interleaved ? j1 + 1 : j1 + half;
    const int64_t row = positions ? int64_t(positions[b * p.seq + s]) : b * p.seq + s;
    float c = 0.f, sn = 0.f;
    if (row >= 0 && row < p.cache_rows) c = float(cos[row * half + i]), sn = float(sin[row * half + i]);
    const int64_t base = e - j;
    const float x1 = float(x[base + j1]), x2 = float(x[base + j2]);
    y[e] = T(first ? c * x1 - sn * x2 : sn * x1 + c * x2);
  }
}

}  // namespace

status launch_rotary(const rotary_params& p, cudaStream_t stream) {
  const int64_t n = p.batch * p.heads * p.seq * p.head;
  if (n == 0) return {};
  if (!p.x || !p.y || !p.cos || !p.sin) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "rotary: NULL buffer");
  if (p.rot % 2 != 0 || p.rot > p.head) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "rotary: rotary dims odd or beyond the head");
  if (p.x == p.y) return make_error(MIRT_STATUS_UNSUPPORTED, "rotary: in place (each element reads its pair)");
  return dispatch_real(p.dtype, "rotary", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (!p.positions) rotary_apply<T, int64_t><<<grid_for(n), k_block, 0, stream>>>(p, nullptr);
    else if (p.positions_int64) rotary_apply<T, int64_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int64_t*>(p.positions));
    else rotary_apply<T, int32_t><<<grid_for(n), k_block, 0, stream>>>(p, static_cast<const int32_t*>(p.positions));
    return check_launch("rotary_apply");
  });
}

}  // namespace mirt::cuda
