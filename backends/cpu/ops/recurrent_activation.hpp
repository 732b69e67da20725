// backends/cpu/ops/recurrent_activation.hpp — the activation functions RNN, GRU and LSTM name in
// their `activations` attribute, with the alpha/beta each takes from activation_alpha/_beta.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/vector_activation.hpp"

namespace mirt::cpu {

struct recurrent_activation {
  enum kind_t { relu, tanh_, sigmoid, affine, leaky_relu, thresholded_relu, scaled_tanh, hard_sigmoid, elu, softsign, softplus };
  kind_t kind = tanh_;
  double alpha = 0, beta = 0;

  // C: float, or double for float64 tensors.
  template <class C>
  C operator()(C x) const {
    const C a = C(alpha), b = C(beta);
    switch (kind) {
      case relu: return x > 0 ? x : C(0);
      case tanh_: return std::tanh(x);
      case sigmoid: return 1 / (1 + std::exp(-x));
      case affine: return a * x + b;
      case leaky_relu: return x >= 0 ? x : a * x;
      case thresholded_relu: return x > a ? x : C(0);
      case scaled_tanh: return a * std::tanh(b * x);
      case hard_sigmoid: return std::clamp(a * x + b, C(0), C(1));
      case elu: return x >= 0 ? x : a * (std::exp(x) - 1);
      case softsign: return x / (1 + std::fabs(x));
      case softplus: return std::log1p(std::exp(x));
    }
    return x;
  }

  // The function over n values in place; float Sigmoid and Tanh run in vectorized loops.
  template <class C>
  void apply(C* v, int64_t n) const {
    if constexpr (std::is_same_v<C, float>) {
      if (kind == sigmoid) return sigmoid_rows(v, v, n);
      if (kind == tanh_) return tanh_rows(v, v, n);
    }
    for (int64_t i = 0; i < n; ++i) v[i] = (*this)(v[i]);
  }
};

// The functions of `names` (case-insensitive) in order; functions that take an alpha (beta) take
// the next unused entry of alphas (betas), or their ONNX default when the list is used up.
inline std::vector<recurrent_activation> parse_recurrent_activations(const std::vector<std::string>& names,
                                                                     const std::vector<float>& alphas,
                                                                     const std::vector<float>& betas) {
  struct entry {
    const char* name;
    recurrent_activation::kind_t kind;
    bool has_alpha, has_beta;
    double alpha, beta;  // defaults
  };
  static const entry table[] = {
      {"relu", recurrent_activation::relu, false, false, 0, 0},
      {"tanh", recurrent_activation::tanh_, false, false, 0, 0},
      {"sigmoid", recurrent_activation::sigmoid, false, false, 0, 0},
      {"affine", recurrent_activation::affine, true, true, 1, 0},
      {"leakyrelu", recurrent_activation::leaky_relu, true, false, 0.01, 0},
      {"thresholdedrelu", recurrent_activation::thresholded_relu, true, false, 1, 0},
      {"scaledtanh", recurrent_activation::scaled_tanh, true, true, 1, 1},
      {"hardsigmoid", recurrent_activation::hard_sigmoid, true, true, 0.2, 0.5},
      {"elu", recurrent_activation::elu, true, false, 1, 0},
      {"softsign", recurrent_activation::softsign, false, false, 0, 0},
      {"softplus", recurrent_activation::softplus, false, false, 0, 0},
  };
  std::vector<recurrent_activation> out;
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const entry* e = nullptr;
    for (const entry& candidate : table)
      if (lower == candidate.name) e = &candidate;
    if (!e) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' names '", name, "', which is not an RNN activation");
    recurrent_activation a{e->kind, e->alpha, e->beta};
    if (e->has_alpha && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (e->has_beta && next_beta < betas.size()) a.beta = betas[next_beta++];
    out.push_back(a);
  }
  return out;
}

}  // namespace mirt::cpu
