// backends/support/recurrent.hpp — RNN, GRU and LSTM as their attributes describe them, read once
// for every backend: the cell, direction, layout, clip and flags, and each direction's activation
// functions with their alpha and beta. The functions' arithmetic is here too, host and device code,
// so that the cpu and cuda kernels compute the same thing.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/support/node_view.hpp"

#ifdef __CUDACC__
#define MIRT_RECURRENT_FN __host__ __device__ inline
#else
#define MIRT_RECURRENT_FN inline
#endif

namespace mirt::support {

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
      case tanh_: return std::tanh(x);
      case sigmoid: return 1 / (1 + std::exp(-x));
      case affine: return a * x + b;
      case leaky_relu: return x >= 0 ? x : a * x;
      case thresholded_relu: return x > a ? x : C(0);
      case scaled_tanh: return a * std::tanh(b * x);
      case hard_sigmoid: {
        const C v = a * x + b;
        return v < 0 ? C(0) : v > 1 ? C(1) : v;
      }
      case elu: return x >= 0 ? x : a * (std::exp(x) - 1);
      case softsign: return x / (1 + std::fabs(x));
      case softplus: return std::log1p(std::exp(x));
    }
    return x;
  }
};

struct recurrent_config {
  recurrent_cell cell = recurrent_cell::rnn;
  int64_t hidden = 0;
  int64_t directions = 1;
  bool reverse_only = false;  // direction "reverse": the one direction runs backwards
  int64_t layout = 0;         // 0: [steps, batch, ...]; 1: [batch, steps, ...]
  float clip = 0;             // 0: none
  bool linear_before_reset = false;
  bool input_forget = false;
  // Per direction, forward first: f (RNN); f, g (GRU); f, g, h (LSTM).
  std::vector<std::vector<recurrent_activation>> activations;
};

// The node's attributes read and checked (INVALID_GRAPH naming the attribute when wrong).
recurrent_config read_recurrent_config(const node_view& node, recurrent_cell cell);

}  // namespace mirt::support
