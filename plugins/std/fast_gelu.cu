// plugins/std/fast_gelu.cu — com.microsoft::FastGelu on the GPU: one element per thread,
// grid-stride, float32 or float16 storage computing in float (the formula of fast_gelu.cpp).
#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/cuda_util.cuh"

namespace mirt_std_plugins::cuda {

namespace {

template <class T>
__global__ void fast_gelu_kernel(const T* x, const T* bias, T* y, size_t count, size_t bias_size) {
  constexpr float k = 0.7978845608028654f;  // sqrt(2 / pi)
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x) {
    const float v = bias ? load(x, i) + load(bias, i % bias_size) : load(x, i);
    store(y, i, v / (1.0f + expf(-2.0f * k * (v + 0.044715f * v * v * v))));
  }
}

}  // namespace

const char* launch_fast_gelu(const void* x, const void* bias, void* y, size_t count, size_t bias_size, bool float16,
                             void* stream) {
  if (count == 0) return nullptr;
  constexpr unsigned threads = 256;
  const unsigned blocks = unsigned(count / threads + 1 < 4096 ? count / threads + 1 : 4096);
  auto s = static_cast<cudaStream_t>(stream);
  if (float16)
    fast_gelu_kernel<<<blocks, threads, 0, s>>>(static_cast<const __half*>(x), static_cast<const __half*>(bias),
                                                static_cast<__half*>(y), count, bias_size);
  else
    fast_gelu_kernel<<<blocks, threads, 0, s>>>(static_cast<const float*>(x), static_cast<const float*>(bias),
                                                static_cast<float*>(y), count, bias_size);
  return launch_error();
}

}  // namespace mirt_std_plugins::cuda
