// backends/cuda/kernels/random.cu — the random generators: one thread per pair of elements, each
// pair from one Philox4x32-10 block (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011) keyed by the seed, its counter (pair index, run number); the block's four 32-bit words
// make two uniform doubles in [0, 1) of 53 bits. Uniform scales them to [low, high) (a value the
// output dtype rounds up to high steps down to the one below it); Normal takes the Box-Muller
// pair; Bernoulli compares each with its probability. Multinomial draws one uniform per sample
// (launch_multinomial). Reference: backends/cpu/ops/random.cpp.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "backends/cuda/kernels/random.hpp"

namespace mirt::cuda {
namespace {

__device__ inline uint4 philox4x32_10(uint4 c, uint2 k) {
  for (int round = 0; round < 10; ++round) {
    const uint32_t hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
    const uint32_t hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
    c = make_uint4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k.x += 0x9E3779B9u, k.y += 0xBB67AE85u;
  }
  return c;
}

__device__ inline double unit(uint32_t hi, uint32_t lo) { return double(((uint64_t(hi) << 32) | lo) >> 11) * 0x1p-53; }

template <class T>
__device__ inline T store(double v) {
  if constexpr (std::is_same_v<T, __half>) return __float2half_rn(float(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return __float2bfloat16_rn(float(v));
  else return T(v);
}
template <class T>
__device__ inline double load(T v) {
  if constexpr (std::is_same_v<T, __half>) return double(__half2float(v));
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return double(__bfloat162float(v));
  else return double(v);
}

// The next representable value below v (v finite).
template <class T>
__device__ inline T step_down(T v) {
  if constexpr (std::is_same_v<T, float>) return nextafterf(v, -INFINITY);
  else if constexpr (std::is_same_v<T, double>) return nextafter(v, -INFINITY);
  else {  // 16-bit floats: sign-magnitude bits
    uint16_t bits;
    memcpy(&bits, &v, 2);
    bits = (bits & 0x8000u) ? uint16_t(bits + 1) : (bits == 0 ? uint16_t(0x8001u) : uint16_t(bits - 1));
    T out;
    memcpy(&out, &bits, 2);
    return out;
  }
}

__device__ inline double probability_at(const random_params& p, int64_t e) {
  switch (p.probability_dtype) {
    case MIRT_DTYPE_FLOAT64: return static_cast<const double*>(p.probability)[e];
    case MIRT_DTYPE_FLOAT16: return load(static_cast<const __half*>(p.probability)[e]);
    case MIRT_DTYPE_BFLOAT16: return load(static_cast<const __nv_bfloat16*>(p.probability)[e]);
    default: return static_cast<const float*>(p.probability)[e];
  }
}

template <class T>
__device__ inline T value(const random_params& p, double u, int64_t e) {
  if (p.kind == random_kind::bernoulli) return store<T>(u < probability_at(p, e) ? 1.0 : 0.0);
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) {
    T y = store<T>(p.a + (p.b - p.a) * u);
    while (load(y) >= p.b) y = step_down(y);
    return y;
  } else {
    return T(0);  // not reached: uniform and normal write float types only
  }
}

template <class T>
__global__ void draw(random_params p) {
  const int64_t pairs = (p.n + 1) / 2;
  const uint2 key = make_uint2(uint32_t(p.seed), uint32_t(p.seed >> 32));
  T* y = static_cast<T*>(p.y);
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < pairs; t += int64_t(gridDim.x) * blockDim.x) {
    const uint4 r = philox4x32_10(make_uint4(uint32_t(t), uint32_t(uint64_t(t) >> 32), uint32_t(p.run), uint32_t(p.run >> 32)), key);
    double u0 = unit(r.x, r.y), u1 = unit(r.z, r.w);
    const int64_t e = 2 * t;
    if (p.kind == random_kind::normal) {
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>) {
        double s, c;
        sincospi(2 * u1, &s, &c);
        const double radius = sqrt(-2 * log(1 - u0));  // 1 - u0 is in (0, 1]
        y[e] = store<T>(p.a + p.b * radius * c);
        if (e + 1 < p.n) y[e + 1] = store<T>(p.a + p.b * radius * s);
      }
      continue;
    }
    y[e] = value<T>(p, u0, e);
    if (e + 1 < p.n) y[e + 1] = value<T>(p, u1, e + 1);
  }
}

template <class T>
status run(const random_params& p, cudaStream_t stream) {
  draw<T><<<grid_for((p.n + 1) / 2), k_block, 0, stream>>>(p);
  return check_launch(p.kind == random_kind::uniform ? "RandomUniform" : p.kind == random_kind::normal ? "RandomNormal" : "Bernoulli");
}

// A class's unnormalized weight given the row's largest value: +inf classes share all the mass.
__device__ inline double class_weight(double v, double top) { return top == INFINITY ? (v == INFINITY ? 1.0 : 0.0) : exp(v - top); }

template <class T>
__device__ inline double logit(const multinomial_params& p, int64_t i) {
  return load(static_cast<const T*>(p.x)[i]);
}

// One thread per (row, sample): the row's largest value and total weight, a uniform draw in [0,
// total), and the first class whose running weight exceeds it (classes of weight 0 are skipped).
template <class T, class I>
__global__ void multinomial_draw(multinomial_params p) {
  const uint2 key = make_uint2(uint32_t(p.seed), uint32_t(p.seed >> 32));
  I* y = static_cast<I*>(p.y);
  const int64_t total_draws = p.batch * p.samples;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total_draws; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = (t / p.samples) * p.classes;
    double top = -INFINITY;
    bool nan = false;
    for (int64_t c = 0; c < p.classes; ++c) {
      const double v = logit<T>(p, row + c);
      nan = nan || isnan(v);
      top = fmax(top, v);
    }
    if (nan || top == -INFINITY) {
      y[t] = I(-1);
      continue;
    }
    double total = 0;
    for (int64_t c = 0; c < p.classes; ++c) total += class_weight(logit<T>(p, row + c), top);
    const uint4 r = philox4x32_10(make_uint4(uint32_t(t), uint32_t(uint64_t(t) >> 32), uint32_t(p.run), uint32_t(p.run >> 32)), key);
    const double target = unit(r.x, r.y) * total;
    double running = 0;
    int64_t k = p.classes - 1;  // a draw rounded up to the total
    for (int64_t c = 0; c < p.classes; ++c) {
      running += class_weight(logit<T>(p, row + c), top);
      if (running > target) {
        k = c;
        break;
      }
    }
    y[t] = I(k);
  }
}

template <class T>
status run_multinomial(const multinomial_params& p, cudaStream_t stream) {
  const unsigned grid = grid_for(p.batch * p.samples);
  if (p.y_dtype == MIRT_DTYPE_INT64) multinomial_draw<T, int64_t><<<grid, k_block, 0, stream>>>(p);
  else multinomial_draw<T, int32_t><<<grid, k_block, 0, stream>>>(p);
  return check_launch("Multinomial");
}

}  // namespace

status launch_multinomial(const multinomial_params& p, cudaStream_t stream) {
  if (p.batch * p.samples == 0) return {};
  if (p.classes < 1) return make_error(MIRT_STATUS_INVALID_SHAPE, "Multinomial: 0 classes, there is nothing to draw");
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "Multinomial: NULL buffer");
  if (p.y_dtype != MIRT_DTYPE_INT32 && p.y_dtype != MIRT_DTYPE_INT64)
    return make_error(MIRT_STATUS_UNSUPPORTED, "Multinomial: output dtype is not int32 or int64");
  switch (p.x_dtype) {
    case MIRT_DTYPE_FLOAT32: return run_multinomial<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run_multinomial<double>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run_multinomial<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run_multinomial<__nv_bfloat16>(p, stream);
    default: return make_error(MIRT_STATUS_UNSUPPORTED, "Multinomial: input dtype is not a float type");
  }
}

status launch_random(const random_params& p, cudaStream_t stream) {
  if (p.n == 0) return {};
  if (!p.y || (p.kind == random_kind::bernoulli && !p.probability)) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "random: NULL buffer");
  const bool any = p.kind == random_kind::bernoulli;
  switch (p.dtype) {
    case MIRT_DTYPE_FLOAT32: return run<float>(p, stream);
    case MIRT_DTYPE_FLOAT64: return run<double>(p, stream);
    case MIRT_DTYPE_FLOAT16: return run<__half>(p, stream);
    case MIRT_DTYPE_BFLOAT16: return run<__nv_bfloat16>(p, stream);
    case MIRT_DTYPE_INT8: if (any) return run<int8_t>(p, stream); break;
    case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: if (any) return run<uint8_t>(p, stream); break;
    case MIRT_DTYPE_INT32: if (any) return run<int32_t>(p, stream); break;
    case MIRT_DTYPE_INT64: if (any) return run<int64_t>(p, stream); break;
    default: break;
  }
  return make_error(MIRT_STATUS_UNSUPPORTED, "random: output dtype not supported");
}

}  // namespace mirt::cuda
