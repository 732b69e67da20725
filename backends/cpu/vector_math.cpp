// backends/cpu/vector_math.cpp — vectorizable float loops for Erf and LayerNormalization.
//
// Written branch-free so that GCC/Clang vectorize them at -O2/-O3; on x86-64 each entry point is
// also cloned for AVX-512F and AVX2 and picked by CPU features at load time (ifunc; "arch=" clones
// would be picked by CPU model name and miss newer models), as the build targets the
// baseline ISA.
#include "backends/cpu/vector_math.hpp"

#include <cmath>
#include <limits>

#include "backends/cpu/vector_exp.hpp"

namespace mirt::cpu {
namespace {

__attribute__((always_inline)) inline float erf_one(float x) {
  const float a = std::fabs(x);
  // Small |x|: 2/sqrt(pi) * x * (1 - z/3 + z^2/10 - z^3/42 + z^4/216 - z^5/1320 + z^6/9360), z = x^2.
  const float z = x * x;
  float h = 1.0f / 9360;
  h = h * z - 1.0f / 1320;
  h = h * z + 1.0f / 216;
  h = h * z - 1.0f / 42;
  h = h * z + 1.0f / 10;
  h = h * z - 1.0f / 3;
  h = h * z + 1.0f;
  const float series = 1.12837916709551257f * x * h;
  // Large |x|: 1 - t*(a1 + t*(a2 + t*(a3 + t*(a4 + t*a5)))) * exp(-x^2), t = 1/(1 + p*|x|).
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float q = 1.061405429f;
  q = q * t - 1.453152027f;
  q = q * t + 1.421413741f;
  q = q * t - 0.284496736f;
  q = q * t + 0.254829592f;
  const float tail = 1.0f - t * q * exp_nonpositive(-z);
  const float large = std::copysign(tail, x);
  return a <= 0.5f ? series : large;
}

}  // namespace

MIRT_CPU_CLONES void erf_rows(const float* x, float* y, int64_t n) {
  if (x != y) {
    const float* __restrict src = x;
    float* __restrict dst = y;
    for (int64_t i = 0; i < n; ++i) dst[i] = erf_one(src[i]);
    return;
  }
  float tmp[256];  // in place: through a small buffer, so the loop above needs no alias checks
  for (int64_t i = 0; i < n; i += 256) {
    const int64_t m = n - i < 256 ? n - i : 256;
    for (int64_t j = 0; j < m; ++j) tmp[j] = erf_one(x[i + j]);
    std::memcpy(y + i, tmp, size_t(m) * sizeof(float));
  }
}

MIRT_CPU_CLONES void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t n, const float* scale,
                                     const float* bias, float eps, float* mean_out, float* inv_out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * n;
    float* dst = y + r * n;
    // Eight partial sums (a fixed order, so results do not depend on the ISA clone), which the
    // compiler keeps in vector registers.
    double part[8] = {};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) part[j] += double(src[i + j]);
    for (; i < n; ++i) part[0] += double(src[i]);
    const double sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const double mean = n > 0 ? sum / double(n) : 0;
    const float meanf = float(mean);
    double sqp[8] = {};
    for (i = 0; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) {
        const double d = double(src[i + j]) - mean;
        sqp[j] += d * d;
      }
    for (; i < n; ++i) {
      const double d = double(src[i]) - mean;
      sqp[0] += d * d;
    }
    const double sq = ((sqp[0] + sqp[1]) + (sqp[2] + sqp[3])) + ((sqp[4] + sqp[5]) + (sqp[6] + sqp[7]));
    const double var = n > 0 ? sq / double(n) : 0;
    const double invd = 1.0 / std::sqrt(var + double(eps));
    const float inv = float(invd);
    if (scale != nullptr && bias != nullptr) {
      for (i = 0; i < n; ++i) dst[i] = (src[i] - meanf) * inv * scale[i] + bias[i];
    } else if (scale != nullptr) {
      for (i = 0; i < n; ++i) dst[i] = (src[i] - meanf) * inv * scale[i];
    } else if (bias != nullptr) {
      for (i = 0; i < n; ++i) dst[i] = (src[i] - meanf) * inv + bias[i];
    } else {
      for (i = 0; i < n; ++i) dst[i] = (src[i] - meanf) * inv;
    }
    if (mean_out != nullptr) mean_out[r] = meanf;
    if (inv_out != nullptr) inv_out[r] = inv;
  }
}

namespace {

// 16 floats as one GCC/Clang vector (zmm in the AVX-512 clone, split into narrower registers in
// the others): explicit so that the max and sum reductions vectorize without -ffast-math.
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));

inline v16f load16(const float* p) {
  v16f v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void store16(float* p, v16f v) { std::memcpy(p, &v, sizeof(v)); }

// exp_nonpositive() on 16 lanes, the same operations lane by lane.
__attribute__((always_inline)) inline v16f exp_nonpositive16(v16f x) {
  const v16i underflow = x < -87.3f;
  x = underflow ? v16f{} - 87.0f : x;
  const float shifter = 12582912.0f;
  const v16f n = (x * 1.44269504088896341f + shifter) - shifter;
  const v16f r = (x - n * 0.693145751953125f) - n * 1.428606765330187045e-06f;
  v16f p = v16f{} + 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const v16i bits = (__builtin_convertvector(n, v16i) + 127) << 23;
  v16f scale;
  std::memcpy(&scale, &bits, sizeof(scale));  // the bits as floats (a reference cast would break aliasing)
  return underflow ? v16f{} : p * scale;
}

}  // namespace

MIRT_CPU_CLONES void softmax_rows(const float* x, float* y, int64_t rows, int64_t n, bool log) {
  constexpr int lanes = 16;
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * n;
    float* dst = y + r * n;
    v16f mv = v16f{} - std::numeric_limits<float>::infinity();
    int64_t i = 0;
    for (; i + lanes <= n; i += lanes) {
      const v16f v = load16(src + i);
      mv = mv < v ? v : mv;
    }
    float m = mv[0];
    for (int j = 1; j < lanes; ++j) m = m < mv[j] ? mv[j] : m;
    for (; i < n; ++i) m = m < src[i] ? src[i] : m;
    // As in the float64 definition, a row without a finite max gives NaN (inf - inf).
    const float shift = m;
    v16f sv{};
    float tail = 0;
    for (i = 0; i + lanes <= n; i += lanes) {
      const v16f e = exp_nonpositive16(load16(src + i) - shift);
      if (!log) store16(dst + i, e);
      sv += e;
    }
    for (; i < n; ++i) {
      const float e = exp_nonpositive(src[i] - shift);
      if (!log) dst[i] = e;
      tail += e;
    }
    float sum = tail;
    for (int j = 0; j < lanes; ++j) sum += sv[j];
    if (log) {
      const float sub = shift + std::log(sum);
      for (i = 0; i < n; ++i) dst[i] = src[i] - sub;
    } else {
      const float inv = 1.0f / sum;
      for (i = 0; i < n; ++i) dst[i] *= inv;
    }
  }
}

}  // namespace mirt::cpu
