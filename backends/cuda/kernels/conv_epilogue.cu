// backends/cuda/kernels/conv_epilogue.cu — y = act(conv + bias[c] [+ z]) after a cuDNN graph
// convolution (see conv_epilogue.hpp).
//
// Kernels:
//   conv_epilogue<T, V>  V elements per thread (16 bytes: 8 halves or 4 floats) when a run of V
//                        elements has consecutive channels (channels-last, channels % V == 0) or
//                        one channel (inner % V == 0); else V = 1. Grid-stride over the runs.
#include "backends/cuda/kernels/conv_epilogue.hpp"
#include "backends/cuda/kernels/half.hpp"

namespace mirt::cuda {
namespace {

template <class T, int V>
struct alignas(sizeof(T) * V) run_of {
  T v[V];
};

template <class T, int V>
__global__ void conv_epilogue(const T* conv, const T* bias, const T* z, T* y, int64_t runs, int64_t channels, int64_t inner,
                              bool relu) {
  using R = run_of<T, V>;
  for (int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; r < runs; r += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = r * V;
    const int64_t c = (i / inner) % channels;  // the run's first channel
    const R a = reinterpret_cast<const R*>(conv)[r];
    R zr{}, out;
    if (z) zr = reinterpret_cast<const R*>(z)[r];
#pragma unroll
    for (int k = 0; k < V; ++k) {
      float v = float(a.v[k]);
      if (bias) v += float(bias[inner == 1 ? c + k : c]);
      if (z) v += float(zr.v[k]);
      if (relu) v = fmaxf(v, 0.f);
      out.v[k] = T(v);
    }
    reinterpret_cast<R*>(y)[r] = out;
  }
}

template <class T, int V>
status launch_with(const conv_epilogue_params& p, cudaStream_t stream) {
  const int64_t runs = p.n / V;
  conv_epilogue<T, V><<<grid_for(runs), k_block, 0, stream>>>(static_cast<const T*>(p.conv), static_cast<const T*>(p.bias),
                                                              static_cast<const T*>(p.z), static_cast<T*>(p.y), runs, p.channels,
                                                              p.inner, p.relu);
  return check_launch("conv_epilogue");
}

bool aligned16(const void* ptr) { return reinterpret_cast<uintptr_t>(ptr) % 16 == 0; }

}  // namespace

status launch_conv_epilogue(const conv_epilogue_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (p.channels < 1 || p.inner < 1) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "conv epilogue: channels and inner must be >= 1");
  return dispatch_real(p.dtype, "conv epilogue", [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr int V = int(16 / sizeof(T));
    const bool runs_fit = p.inner == 1 ? p.channels % V == 0 : p.inner % V == 0;
    if (runs_fit && p.n % V == 0 && aligned16(p.conv) && aligned16(p.y) && (!p.z || aligned16(p.z))) return launch_with<T, V>(p, stream);
    return launch_with<T, 1>(p, stream);
  });
}

}  // namespace mirt::cuda
