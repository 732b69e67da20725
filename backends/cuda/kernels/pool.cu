// backends/cuda/kernels/pool.cu — MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool.
//
// Kernels:
//   pool_direct         one output per thread; walks its window's valid taps (dilations, explicit or
//                       automatic pads; count_include_pad counts taps inside the explicit pads).
//   max_pool_2d         the common 2-D MaxPool (no dilations, no Indices), 32-bit indexing.
//   max_pool_2d_nhwc    channels-last 2-D MaxPool (mirt::MaxPool, layout NHWC), 16 bytes of
//                       channels per thread.
//   global_pool_warp    one warp per (n, c) plane.
// Reference: backends/cpu/ops/pool.cpp (same window rules, same Indices convention).
#include <cuda_runtime.h>

#include <cfloat>
#include <cstdint>
#include <tuple>

#include "backends/cuda/kernels/half.hpp"
#include "backends/cuda/kernels/pool.hpp"

namespace mirt::cuda {
namespace {

// x: (planes, in0, in1, in2); y, indices: (planes, out0, out1, out2); T float, half or bfloat16
template <class T>
__global__ void pool_direct(pool_params p) {
  const int64_t out_plane = p.out[0] * p.out[1] * p.out[2], in_plane = p.in[0] * p.in[1] * p.in[2];
  const int64_t total = p.planes * out_plane;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t plane = t / out_plane;
    int64_t rem = t % out_plane;
    int64_t pos[3];
    pos[2] = rem % p.out[2];
    rem /= p.out[2];
    pos[1] = rem % p.out[1];
    pos[0] = rem / p.out[1];
    int64_t lo[3], hi[3], start[3], padded_count = 1;
    for (int i = 0; i < 3; ++i) {
      start[i] = pos[i] * p.s[i] - p.pad_begin[i];
      lo[i] = start[i] >= 0 ? 0 : (-start[i] + p.d[i] - 1) / p.d[i];
      const int64_t last = start[i] >= p.in[i] ? 0 : (p.in[i] - 1 - start[i]) / p.d[i] + 1;
      hi[i] = last < p.k[i] ? last : p.k[i];
      int64_t taps = 0;
      for (int64_t k = 0; k < p.k[i]; ++k) {
        const int64_t q = start[i] + k * p.d[i];
        taps += (q >= -p.pad_begin[i] && q < p.in[i] + p.pad_end[i]) ? 1 : 0;
      }
      padded_count *= taps;
    }
    const T* src = static_cast<const T*>(p.x) + plane * in_plane;
    T* y = static_cast<T*>(p.y);
    float best = -FLT_MAX;
    int64_t best_at = -1, count = 0;
    float sum = 0.f;
    double lp_sum = 0;
    for (int64_t kd = lo[0]; kd < hi[0]; ++kd)
      for (int64_t kh = lo[1]; kh < hi[1]; ++kh)
        for (int64_t kw = lo[2]; kw < hi[2]; ++kw) {
          const int64_t id = start[0] + kd * p.d[0], ih = start[1] + kh * p.d[1], iw = start[2] + kw * p.d[2];
          const int64_t at = (id * p.in[1] + ih) * p.in[2] + iw;
          const float v = float(src[at]);
          if (p.is_max) {
            if (v > best || best_at < 0) best = v, best_at = at;
          } else if (p.lp > 0) {
            lp_sum += pow(fabs(double(v)), double(p.lp));
          } else {
            sum += v;
            ++count;
          }
        }
    if (p.is_max) {
      y[t] = T(best_at < 0 ? -INFINITY : best);
      if (p.indices) {
        int64_t idx = -1;
        if (best_at >= 0) {
          if (!p.column_major_indices) {
            idx = plane * in_plane + best_at;
          } else {
            const int64_t id = best_at / (p.in[1] * p.in[2]), ih = (best_at / p.in[2]) % p.in[1], iw = best_at % p.in[2];
            idx = plane * in_plane + iw * p.in[1] * p.in[0] + ih * p.in[0] + id;
          }
        }
        p.indices[t] = idx;
      }
    } else if (p.lp > 0) {
      y[t] = T(float(pow(lp_sum, 1.0 / double(p.lp))));
    } else {
      const int64_t divisor = p.count_include_pad ? padded_count : count;
      y[t] = T(divisor > 0 ? sum / float(divisor) : 0.f);
    }
  }
}

// A 2-D MaxPool without dilations or Indices (ResNet's stem pool): 32-bit index arithmetic and no
// per-axis tap counting, so the kernel runs at memory speed. Same window and NaN rules as
// pool_direct: the first valid tap starts the max, later taps replace it only when greater.
// x: (planes, in_h, in_w); y: (planes, out_h, out_w)
template <class T>
__global__ void max_pool_2d(const T* x, T* y, int total, int out_h, int out_w, int in_h, int in_w, int kh, int kw, int sh, int sw,
                            int ph, int pw) {
  for (int t = int(blockIdx.x * blockDim.x + threadIdx.x); t < total; t += int(gridDim.x * blockDim.x)) {
    const int ow = t % out_w, rest = t / out_w, oh = rest % out_h, plane = rest / out_h;
    const int h0 = oh * sh - ph, w0 = ow * sw - pw;
    const int hs = h0 > 0 ? h0 : 0, ws = w0 > 0 ? w0 : 0;
    const int he = h0 + kh < in_h ? h0 + kh : in_h, we = w0 + kw < in_w ? w0 + kw : in_w;
    const T* src = x + int64_t(plane) * in_h * in_w;
    float best = -INFINITY;
    bool first = true;
    for (int h = hs; h < he; ++h)
      for (int w = ws; w < we; ++w) {
        const float v = float(src[h * in_w + w]);
        if (first || v > best) best = v, first = false;
      }
    y[t] = T(best);
  }
}

// Channels-last 2-D MaxPool: each thread one output pixel's run of 16 bytes of channels (or one
// channel when C does not fill 16-byte runs), so a warp reads contiguous channels. Same window and
// NaN rules as pool_direct, per channel.
// x: (n, in_h, in_w, c); y: (n, out_h, out_w, c); U = pack16<T> or T, V elements of T in a U
template <class T, class U, int V>
__global__ void max_pool_2d_nhwc(const U* x, U* y, int64_t total, int c_units, int out_h, int out_w, int in_h, int in_w, int kh,
                                 int kw, int sh, int sw, int ph, int pw) {
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int cu = int(t % c_units);
    int64_t rest = t / c_units;
    const int ow = int(rest % out_w);
    rest /= out_w;
    const int oh = int(rest % out_h);
    const int64_t n = rest / out_h;
    const int h0 = oh * sh - ph, w0 = ow * sw - pw;
    const int hs = h0 > 0 ? h0 : 0, ws = w0 > 0 ? w0 : 0;
    const int he = h0 + kh < in_h ? h0 + kh : in_h, we = w0 + kw < in_w ? w0 + kw : in_w;
    float best[V];
    bool first = true;
    for (int h = hs; h < he; ++h)
      for (int w = ws; w < we; ++w) {
        const U u = x[((n * in_h + h) * in_w + w) * c_units + cu];
        const T* v = reinterpret_cast<const T*>(&u);
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const float f = float(v[k]);
          if (first || f > best[k]) best[k] = f;
        }
        first = false;
      }
    U out;
    T* o = reinterpret_cast<T*>(&out);
#pragma unroll
    for (int k = 0; k < V; ++k) o[k] = T(first ? -INFINITY : best[k]);
    y[t] = out;
  }
}

template <class T>
status launch_nhwc(const pool_params& p, cudaStream_t stream) {
  const int64_t batch = p.planes / p.channels;
  constexpr int per = int(16 / sizeof(T));
  const auto args = [&](int64_t c_units) {
    return std::make_tuple(batch * p.out[1] * p.out[2] * c_units, int(c_units), int(p.out[1]), int(p.out[2]), int(p.in[1]), int(p.in[2]),
                           int(p.k[1]), int(p.k[2]), int(p.s[1]), int(p.s[2]), int(p.pad_begin[1]), int(p.pad_begin[2]));
  };
  const bool wide = p.channels % per == 0 && (reinterpret_cast<uintptr_t>(p.x) | reinterpret_cast<uintptr_t>(p.y)) % 16 == 0;
  if (wide) {
    const auto a = args(p.channels / per);
    std::apply([&](auto... v) {
      max_pool_2d_nhwc<T, pack16<T>, per><<<grid_for(std::get<0>(a)), k_block, 0, stream>>>(
          static_cast<const pack16<T>*>(p.x), static_cast<pack16<T>*>(p.y), v...);
    }, a);
  } else {
    const auto a = args(p.channels);
    std::apply([&](auto... v) {
      max_pool_2d_nhwc<T, T, 1><<<grid_for(std::get<0>(a)), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y), v...);
    }, a);
  }
  return check_launch("max_pool_2d_nhwc");
}

__device__ inline float warp_reduce(float v, bool is_max) {
  for (int o = 16; o > 0; o >>= 1) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = is_max ? fmaxf(v, w) : v + w;
  }
  return v;
}

// x: (planes, size); y: (planes); 8 warps per block, grid-stride over planes
template <class T>
__global__ void global_pool_warp(global_pool_params p) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t plane = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; plane < p.planes; plane += warps) {
    const T* src = static_cast<const T*>(p.x) + plane * p.size;
    float acc = p.is_max ? -INFINITY : 0.f;
    for (int64_t i = lane; i < p.size; i += 32) {
      const float v = float(src[i]);
      acc = p.is_max ? fmaxf(acc, v) : acc + v;
    }
    acc = warp_reduce(acc, p.is_max);
    if (lane == 0) static_cast<T*>(p.y)[plane] = T(p.is_max ? acc : (p.size > 0 ? acc / float(p.size) : 0.f));
  }
}

}  // namespace

status launch_pool(const pool_params& p, cudaStream_t stream) {
  for (int i = 0; i < 3; ++i)
    if (p.k[i] < 1 || p.s[i] < 1 || p.d[i] < 1)
      return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pool: kernel, strides and dilations must be >= 1");
  const int64_t total = p.planes * p.out[0] * p.out[1] * p.out[2];
  if (total <= 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "pool: NULL buffer");
  if (p.channels_last) {
    if (!p.is_max || p.indices || p.in[0] != 1 || p.k[0] != 1 || p.d[1] != 1 || p.d[2] != 1 || p.channels <= 0 ||
        p.planes % p.channels != 0)
      return make_error(MIRT_STATUS_UNSUPPORTED, "pool: channels-last is a 2-D MaxPool without dilations or Indices");
    return dispatch_real(p.dtype, "pool", [&](auto tag) { return launch_nhwc<typename decltype(tag)::type>(p, stream); });
  }
  const bool plain_2d = p.is_max && p.indices == nullptr && p.in[0] == 1 && p.out[0] == 1 && p.k[0] == 1 && p.d[1] == 1 &&
                        p.d[2] == 1 && total < (int64_t(1) << 31) && p.in[1] * p.in[2] < (int64_t(1) << 31);
  if (plain_2d)
    return dispatch_real(p.dtype, "pool", [&](auto tag) {
      using T = typename decltype(tag)::type;
      max_pool_2d<T><<<grid_for(total), k_block, 0, stream>>>(static_cast<const T*>(p.x), static_cast<T*>(p.y), int(total), int(p.out[1]),
                                                             int(p.out[2]), int(p.in[1]), int(p.in[2]), int(p.k[1]), int(p.k[2]),
                                                             int(p.s[1]), int(p.s[2]), int(p.pad_begin[1]), int(p.pad_begin[2]));
      return check_launch("max_pool_2d");
    });
  return dispatch_real(p.dtype, "pool", [&](auto tag) {
    pool_direct<typename decltype(tag)::type><<<grid_for(total), k_block, 0, stream>>>(p);
    return check_launch("pool_direct");
  });
}

status launch_global_pool(const global_pool_params& p, cudaStream_t stream) {
  if (p.planes <= 0) return {};
  if (!p.x || !p.y) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "global pool: NULL buffer");
  constexpr int warps_per_block = 8;
  return dispatch_real(p.dtype, "global pool", [&](auto tag) {
    global_pool_warp<typename decltype(tag)::type><<<grid_for(p.planes, warps_per_block), 32 * warps_per_block, 0, stream>>>(p);
    return check_launch("global_pool_warp");
  });
}

}  // namespace mirt::cuda
