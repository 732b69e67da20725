// plugins/std/skip_layer_norm.cu — com.microsoft::SkipLayerNormalization on the GPU: one block per
// row; the mean, then the variance around it (two passes in float, as accurate as the CPU kernel's
// double sums for hidden sizes of transformers), then the normalized row. float32 or float16
// storage, computing in float.
#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/cuda_util.cuh"

namespace mirt_std_plugins::cuda {

namespace {

template <class T>
__global__ void skip_layer_norm_kernel(skip_layer_norm_args a) {
  const auto* in = static_cast<const T*>(a.input);
  const auto* skip = static_cast<const T*>(a.skip);
  const auto* gamma = static_cast<const T*>(a.gamma);
  const auto* beta = static_cast<const T*>(a.beta);
  const auto* bias = static_cast<const T*>(a.bias);
  auto* out = static_cast<T*>(a.output);
  const size_t base = blockIdx.x * a.hidden;
  auto sum_at = [&](size_t h) {
    return load(in, base + h) + load(skip, (base + h) % a.skip_size) + (bias ? load(bias, h) : 0.0f);
  };
  float sum = 0;
  for (size_t h = threadIdx.x; h < a.hidden; h += blockDim.x) sum += sum_at(h);
  const float mean = block_sum(sum) / float(a.hidden);
  float squares = 0;
  for (size_t h = threadIdx.x; h < a.hidden; h += blockDim.x) {
    const float d = sum_at(h) - mean;
    squares += d * d;
  }
  const float inv_std = rsqrtf(block_sum(squares) / float(a.hidden) + a.epsilon);
  for (size_t h = threadIdx.x; h < a.hidden; h += blockDim.x)
    store(out, base + h, (sum_at(h) - mean) * inv_std * load(gamma, h) + (beta ? load(beta, h) : 0.0f));
}

}  // namespace

const char* launch_skip_layer_norm(const skip_layer_norm_args& a, void* stream) {
  if (a.rows == 0 || a.hidden == 0) return nullptr;
  if (a.rows > 0x7FFFFFFFu) return "too many rows for one grid";
  const unsigned threads = a.hidden >= 512 ? 512 : a.hidden >= 128 ? 128 : 32;
  auto s = static_cast<cudaStream_t>(stream);
  if (a.float16)
    skip_layer_norm_kernel<__half><<<unsigned(a.rows), threads, 0, s>>>(a);
  else
    skip_layer_norm_kernel<float><<<unsigned(a.rows), threads, 0, s>>>(a);
  return launch_error();
}

}  // namespace mirt_std_plugins::cuda
