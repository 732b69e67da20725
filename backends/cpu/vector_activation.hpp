// backends/cpu/vector_activation.hpp — Sigmoid and Tanh over float arrays in vectorized loops, for
// kernels that apply them to short rows many times (the gates of RNN, GRU and LSTM), where a
// oneDNN primitive per call would cost more than the arithmetic.
#pragma once

#include <cstdint>

namespace mirt::cpu {

// y[i] = 1 / (1 + exp(-x[i])); relative error below 3e-7. y may equal x, otherwise they must not
// overlap.
void sigmoid_rows(const float* x, float* y, int64_t n);

// y[i] = tanh(x[i]); relative error below 3e-7 (an odd series near 0, where 1 - exp(-2|x|) would
// cancel). y may equal x, otherwise they must not overlap.
void tanh_rows(const float* x, float* y, int64_t n);

}  // namespace mirt::cpu
