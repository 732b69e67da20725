// backends/cpu/vector_math.hpp — float loops the compiler vectorizes (with AVX-512 / AVX2 clones on
// x86-64), for ops that oneDNN has no primitive for.
#pragma once

#include <cstdint>

namespace mirt::cpu {

// y[i] = erf(x[i]); y may equal x (then it is overwritten in place), otherwise they must not overlap.
// Odd Taylor series up to |x| 0.5, Abramowitz-Stegun 7.1.26 beyond: absolute error below 2e-7.
void erf_rows(const float* x, float* y, int64_t n);

// Layer normalization of `rows` rows of `n` contiguous values: y = (x - mean) * inv * scale + bias
// with inv = 1/sqrt(var + eps); scale and bias are dense [n] or NULL (1 and 0). mean/inv, when
// not NULL, receive one value per row. Statistics accumulate in double. y may equal x.
void layer_norm_rows(const float* x, float* y, int64_t rows, int64_t n, const float* scale, const float* bias,
                     float eps, float* mean, float* inv);

// Softmax (or log-softmax) of `rows` contiguous rows of `n` values: exp(x - max) / sum, or
// x - max - log(sum). The sum accumulates in float over 16 lanes; y may equal x.
void softmax_rows(const float* x, float* y, int64_t rows, int64_t n, bool log);

}  // namespace mirt::cpu
