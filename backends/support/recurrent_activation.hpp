// backends/support/recurrent_activation.hpp — the RNN cells and the activation functions an
// RNN, GRU or LSTM names in its `activations` attribute: one definition of their arithmetic, host
// and device code, so that the cpu and cuda kernels compute the same thing. Standalone (no host
// headers) so that .cu files include it.
#pragma once

#include <math.h>

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define MIRT_RECURRENT_FN __host__ __device__ inline
#else
#define MIRT_RECURRENT_FN inline
#endif

namespace mirt::support {

// float and double overloads under one name each: the C functions exist in host and device code
// alike, where std:: overloads may not.
MIRT_RECURRENT_FN float real_exp(float x) { return expf(x); }
MIRT_RECURRENT_FN double real_exp(double x) { return exp(x); }
MIRT_RECURRENT_FN float real_tanh(float x) { return tanhf(x); }
MIRT_RECURRENT_FN double real_tanh(double x) { return tanh(x); }
MIRT_RECURRENT_FN float real_log1p(float x) { return log1pf(x); }
MIRT_RECURRENT_FN double real_log1p(double x) { return log1p(x); }
MIRT_RECURRENT_FN float real_abs(float x) { return fabsf(x); }
MIRT_RECURRENT_FN double real_abs(double x) { return fabs(x); }

enum class recurrent_cell : int32_t { rnn, gru, lstm };

// Gate blocks per hidden unit: 1 (RNN), 3 (GRU: z, r, h), 4 (LSTM: i, o, f, c).
constexpr int64_t gates_of(recurrent_cell cell) { return cell == recurrent_cell::rnn ? 1 : cell == recurrent_cell::gru ? 3 : 4; }

// One function of an `activations` attribute. Trivially copyable: kernels take it by value.
struct recurrent_activation {
  enum kind_t : int32_t { relu, tanh_, sigmoid, affine, leaky_relu, thresholded_relu, scaled_tanh, hard_sigmoid, elu, softsign, softplus };
  kind_t kind = tanh_;
  float alpha = 0, beta = 0;

  // C: float, or double for float64 tensors.
  template <class C>
  MIRT_RECURRENT_FN C operator()(C x) const {
    const C a = C(alpha), b = C(beta);
    switch (kind) {
      case relu: return x > 0 ? x : C(0);
      case tanh_: return real_tanh(x);
      case sigmoid: return 1 / (1 + real_exp(-x));
      case affine: return a * x + b;
      case leaky_relu: return x >= 0 ? x : a * x;
      case thresholded_relu: return x > a ? x : C(0);
      case scaled_tanh: return a * real_tanh(b * x);
      case hard_sigmoid: {
        const C v = a * x + b;
        return v < 0 ? C(0) : v > 1 ? C(1) : v;
      }
      case elu: return x >= 0 ? x : a * (real_exp(x) - 1);
      case softsign: return x / (1 + real_abs(x));
      case softplus: return real_log1p(real_exp(x));
    }
    return x;
  }
};

}  // namespace mirt::support
