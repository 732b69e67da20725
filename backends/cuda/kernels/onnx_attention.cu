// backends/cuda/kernels/onnx_attention.cu — ONNX Attention's general path.
//
// Kernels:
//   attention_present  present_key / present_value: the cache followed by the new keys or values.
//   attention_row      one block per query row (batch, query head, query): the row's scores into
//                      the workspace (threads over keys, Q's row in shared memory), a block-wide
//                      max, exp and sum, the probabilities back into the workspace, then Y with
//                      threads over its dims. Reference: backends/cpu/ops/attention.cpp (the same
//                      order of the dot products' sums).
// The tensor-core kernel (kernels/attention.cu) serves the attributes that fit it; see
// ops/onnx_attention.cpp.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/onnx_attention.hpp"

namespace mirt::cuda {
namespace {

constexpr int k_row_threads = 128;

template <class T>
__device__ inline const T* key_row(const onnx_attention_params& p, const T* past, const T* fresh, const bhs_strides& st,
                                   int64_t d, int64_t b, int64_t h, int64_t j) {
  if (j < p.past) return past + ((b * p.hkv + h) * p.past + j) * d;
  return fresh + b * st.b + h * st.h + (j - p.past) * st.s;
}

template <class T>
__global__ void attention_present(onnx_attention_params p, bool values) {
  const T* past = static_cast<const T*>(values ? p.past_v : p.past_k);
  const T* fresh = static_cast<const T*>(values ? p.v : p.k);
  T* out = static_cast<T*>(values ? p.present_v : p.present_k);
  const int64_t d = values ? p.dv : p.dh, total = p.past + p.skv, n = p.batch * p.hkv * total * d;
  const bhs_strides st = values ? p.vs : p.ks;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = e % d, j = (e / d) % total, bh = e / (d * total);
    out[e] = key_row(p, past, fresh, st, d, bh / p.hkv, bh % p.hkv, j)[c];
  }
}


template <class C>
__device__ inline C block_max(C v, C* slots) {
  for (int o = 16; o > 0; o /= 2) {
    const C w = __shfl_xor_sync(0xffffffffu, v, o);
    v = w > v ? w : v;
  }
  if (threadIdx.x % 32 == 0) slots[threadIdx.x / 32] = v;
  __syncthreads();
  v = slots[0];
  for (int w = 1; w < k_row_threads / 32; ++w) v = slots[w] > v ? slots[w] : v;
  __syncthreads();
  return v;
}

template <class C>
__device__ inline C block_sum(C v, C* slots) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  if (threadIdx.x % 32 == 0) slots[threadIdx.x / 32] = v;
  __syncthreads();
  v = 0;
  for (int w = 0; w < k_row_threads / 32; ++w) v += slots[w];
  __syncthreads();
  return v;
}

template <class T, class C>
__device__ inline C bias_at(const onnx_attention_params& p, int64_t b, int64_t h, int64_t i, int64_t j) {
  C bias = 0;
  if (p.mask != nullptr) {
    if (j >= p.mask_keys) {
      bias = C(-INFINITY);
    } else {
      const int64_t at = b * p.mask_strides[0] + h * p.mask_strides[1] + i * p.mask_strides[2] + j * p.mask_strides[3];
      if (p.mask_bool) bias = static_cast<const uint8_t*>(p.mask)[at] ? C(0) : C(-INFINITY);
      else bias = widen_to<C>(static_cast<const T*>(p.mask)[at]);
    }
  }
  const int64_t valid = p.nonpad != nullptr ? p.nonpad[b] : 0;
  const int64_t offset = p.past_k != nullptr ? p.past : (p.nonpad != nullptr ? valid - p.sq : 0);
  if (p.causal && j > i + offset) bias = C(-INFINITY);
  if (p.nonpad != nullptr && j >= valid) bias = C(-INFINITY);
  return bias;
}

// C: the compute type (float, or double for float64 and double_compute).
template <class T, class C>
__global__ void __launch_bounds__(k_row_threads) attention_row(onnx_attention_params p) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];
  C* q_row = reinterpret_cast<C*>(shared_bytes);
  __shared__ C slots[k_row_threads / 32];
  const T *q = static_cast<const T*>(p.q), *k = static_cast<const T*>(p.k), *v = static_cast<const T*>(p.v);
  const T *past_k = static_cast<const T*>(p.past_k), *past_v = static_cast<const T*>(p.past_v);
  const int64_t total = p.past + p.skv, rows = p.batch * p.hq * p.sq;
  T* qk = static_cast<T*>(p.qk);
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t i = row % p.sq, h = (row / p.sq) % p.hq, b = row / (p.sq * p.hq), kvh = h / (p.hq / p.hkv);
    C* score = static_cast<C*>(p.workspace) + row * total;
    const T* qi = q + b * p.qs.b + h * p.qs.h + i * p.qs.s;
    for (int64_t c = threadIdx.x; c < p.dh; c += blockDim.x) q_row[c] = widen_to<C>(qi[c]);
    __syncthreads();
    C best = C(-INFINITY);
    int masked = 1;
    for (int64_t j = threadIdx.x; j < total; j += blockDim.x) {
      const T* kj = key_row(p, past_k, k, p.ks, p.dh, b, kvh, j);
      C dot = 0;
      for (int64_t c = 0; c < p.dh; ++c) dot += q_row[c] * widen_to<C>(kj[c]);
      C s = dot * C(p.scale);
      if (p.softcap > 0) s = C(p.softcap) * tanh(s / C(p.softcap));
      const C bias = bias_at<T, C>(p, b, h, i, j), biased = s + bias;
      if (qk && p.mode <= 2) qk[row * total + j] = narrow_to<T>(p.mode == 2 ? biased : s);
      score[j] = biased;
      best = biased > best ? biased : best;
      masked = masked && isinf(bias) && bias < 0;
    }
    best = block_max(best, slots);
    const bool all_masked = __syncthreads_and(masked) != 0;
    C sum = 0;
    for (int64_t j = threadIdx.x; j < total; j += blockDim.x) {
      const C e = isinf(best) && best < 0 ? C(0) : exp(score[j] - best);
      score[j] = e;
      sum += e;
    }
    sum = block_sum(sum, slots);
    const C inv = all_masked || sum == 0 ? C(0) : C(1) / sum;
    for (int64_t j = threadIdx.x; j < total; j += blockDim.x) {
      const C prob = score[j] * inv;
      score[j] = prob;
      if (qk && p.mode == 3) qk[row * total + j] = narrow_to<T>(prob);
    }
    __syncthreads();
    T* yi = static_cast<T*>(p.y) + b * p.ys.b + h * p.ys.h + i * p.ys.s;
    for (int64_t c = threadIdx.x; c < p.dv; c += blockDim.x) {
      C acc = 0;
      for (int64_t j = 0; j < total; ++j) {
        const C prob = score[j];
        if (prob == C(0)) continue;
        acc += prob * widen_to<C>(key_row(p, past_v, v, p.vs, p.dv, b, kvh, j)[c]);
      }
      yi[c] = narrow_to<T>(acc);
    }
    __syncthreads();  // q_row and the scores are reused by the block's next row
  }
}

template <class T>
status run(const onnx_attention_params& p, cudaStream_t stream) {
  const int64_t total = p.past + p.skv;
  for (bool values : {false, true}) {
    if ((values ? p.present_v : p.present_k) == nullptr) continue;
    const int64_t n = p.batch * p.hkv * total * (values ? p.dv : p.dh);
    if (n == 0) continue;
    attention_present<T><<<grid_for(n), k_block, 0, stream>>>(p, values);
    if (status s = check_launch("attention_present"); !s.ok()) return s;
  }
  const int64_t rows = p.batch * p.hq * p.sq;
  if (rows == 0) return {};
  if (p.double_compute || std::is_same_v<T, double>) {
    attention_row<T, double><<<grid_for(rows, 1), k_row_threads, size_t(p.dh) * sizeof(double), stream>>>(p);
  } else {
    attention_row<T, float><<<grid_for(rows, 1), k_row_threads, size_t(p.dh) * sizeof(float), stream>>>(p);
  }
  return check_launch("attention_row");
}

}  // namespace

size_t onnx_attention_workspace(bool double_scores, int64_t batch, int64_t hq, int64_t sq, int64_t total_keys) {
  return size_t(batch * hq * sq * total_keys) * (double_scores ? 8 : 4);
}

status launch_onnx_attention(const onnx_attention_params& p, cudaStream_t stream) {
  if (!p.q || !p.k || !p.v || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Attention: NULL buffer");
  if (p.hkv <= 0 || p.hq % p.hkv != 0) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Attention: query heads are not a multiple of key/value heads");
  if (p.batch * p.hq * p.sq * (p.past + p.skv) > 0 && !p.workspace)
    return make_error(MIRT_STATUS_FAILED_PRECONDITION, "Attention: no workspace for the scores");
  if (size_t(p.dh) * 8 > 48 * 1024) return make_error(MIRT_STATUS_UNSUPPORTED, "Attention: head size above 6144");
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<double>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run<__nv_bfloat16>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "Attention: dtype is not float32, float64, float16 or bfloat16");
  }
}

}  // namespace mirt::cuda
