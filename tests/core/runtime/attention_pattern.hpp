// tests/core/runtime/attention_pattern.hpp — multi-head attention as exporters write it (head
// Reshape/Transpose, Q K^T, scale, mask Add, Softmax, P V, heads back), in the spellings the
// builder's attention fusion matches, and its float64 reference; shared by the fusion tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

namespace mirt_test::attention {

constexpr int64_t B = 2, S = 5, H = 3, D = 4, E = H * D;

inline mirt_tensor* constant(mirt_network* net, const char* name, mirt_dtype dtype, std::vector<int64_t> dims, const void* data,
                      size_t bytes) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), dtype, dims.size(), dims.data(), data, bytes, &t));
  return t;
}

inline mirt_tensor* input(mirt_network* net, const char* name, std::vector<int64_t> dims) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(), nullptr, &t));
  return t;
}

struct spelling {
  bool two_transposes_for_k = false;  // Transpose(0 2 1 3) then (0 1 3 2), as Hugging Face's key.transpose(2, 3)
  bool mul_scale = false;             // Mul by 1/sqrt(D) instead of Div by sqrt(D)
  bool mask_first = false;            // Add(mask, scores)
  bool scores_as_output = false;      // the masked scores are a graph output too: no fusion
  bool mask_sliced_by_key = false;    // mask[..., :key.shape[-2]], as Hugging Face slices it (Shape of K's heads)
  bool padding_mask = false;          // mask = (1 - Cast(pm)) * -10000 of an int64 input pm [B, 1, 1, S] of 0/1
  bool float_padding_mask = false;    // the same map of a float32 input pm: stays a layer
  bool negated_padding_mask = false;  // the same map spelled (Neg(Cast(pm)) + 1) * -10000
};

// (1 - pm) * -10000 of input pm [B, 1, 1, S] (int64, or float32), as BERT's exporters write the mask.
inline mirt_tensor* additive_padding_mask(mirt_network* net, bool integer, bool negated = false) {
  static const float one = 1.f, big = -10000.f;
  const int64_t dims[4] = {B, 1, 1, S}, to_float = 1;
  mirt_tensor* pm = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv("pm"), integer ? MIRT_DTYPE_INT64 : MIRT_DTYPE_FLOAT32, 4, dims, nullptr, &pm));
  mirt_tensor* x = integer ? add_layer(net, "Cast", "pm_float", {pm}, {int_attr("to", &to_float)}) : pm;
  mirt_tensor* one_t = constant(net, "pm_one", MIRT_DTYPE_FLOAT32, {}, &one, 4);
  mirt_tensor* flipped = negated ? add_layer(net, "Add", "pm_flip", {add_layer(net, "Neg", "pm_neg", {x}), one_t})
                                 : add_layer(net, "Sub", "pm_flip", {one_t, x});
  return add_layer(net, "Mul", "pm_additive", {flipped, constant(net, "pm_big", MIRT_DTYPE_FLOAT32, {}, &big, 4)});
}

// y [B, S, E] = attention of q, k, v [B, S, E] (H heads of D) with additive mask m [B, 1, 1, S], an input.
inline void add_attention(mirt_network* net, const spelling& how, mirt_tensor* q_in, mirt_tensor* k_in, mirt_tensor* v_in) {
  static const std::vector<int64_t> heads_shape = {B, S, H, D}, merged_shape = {B, S, E};
  static const float sqrt_d = std::sqrt(float(D)), inv_sqrt_d = 1.f / std::sqrt(float(D));
  mirt_tensor* shape4 = constant(net, "heads_shape", MIRT_DTYPE_INT64, {4}, heads_shape.data(), 32);
  mirt_tensor* shape3 = constant(net, "merged_shape", MIRT_DTYPE_INT64, {3}, merged_shape.data(), 24);
  auto heads = [&](const char* name, mirt_tensor* x, std::vector<int64_t> perm) {
    mirt_tensor* r = add_layer(net, "Reshape", (std::string(name) + "_reshape").c_str(), {x, shape4});
    return add_layer(net, "Transpose", (std::string(name) + "_heads").c_str(), {r}, {ints_attr("perm", perm)});
  };
  mirt_tensor* q = heads("q", q_in, {0, 2, 1, 3});
  mirt_tensor* kin = k_in;
  mirt_tensor* k_heads = how.two_transposes_for_k ? heads("k", kin, {0, 2, 1, 3}) : nullptr;
  mirt_tensor* kt = how.two_transposes_for_k ? add_layer(net, "Transpose", "k_t", {k_heads}, {ints_attr("perm", {0, 1, 3, 2})})
                                             : heads("k", kin, {0, 2, 3, 1});
  mirt_tensor* v = heads("v", v_in, {0, 2, 1, 3});
  mirt_tensor* mask = how.padding_mask || how.float_padding_mask || how.negated_padding_mask
                          ? additive_padding_mask(net, !how.float_padding_mask, how.negated_padding_mask)
                          : input(net, "m", {B, 1, 1, S});
  if (how.mask_sliced_by_key) {
    static const int64_t zero = 0, three = 3, at = 2;
    mirt_tensor* keys = add_layer(net, "Gather", "key_len", {add_layer(net, "Shape", "key_shape", {k_heads}),
                                                             constant(net, "at", MIRT_DTYPE_INT64, {1}, &at, 8)});
    mask = add_layer(net, "Slice", "mask_slice",
                     {mask, constant(net, "zero", MIRT_DTYPE_INT64, {1}, &zero, 8), keys,
                      constant(net, "three", MIRT_DTYPE_INT64, {1}, &three, 8)});
  }
  mirt_tensor* s = add_layer(net, "MatMul", "qk", {q, kt});
  s = how.mul_scale ? add_layer(net, "Mul", "scale", {s, constant(net, "inv_sqrt_d", MIRT_DTYPE_FLOAT32, {}, &inv_sqrt_d, 4)})
                    : add_layer(net, "Div", "scale", {s, constant(net, "sqrt_d", MIRT_DTYPE_FLOAT32, {}, &sqrt_d, 4)});
  s = add_layer(net, "Add", "mask", how.mask_first ? std::vector<mirt_tensor*>{mask, s} : std::vector<mirt_tensor*>{s, mask});
  if (how.scores_as_output) REQUIRE_OK(mirt_network_mark_output(net, s));
  const int64_t axis = -1;
  mirt_tensor* p = add_layer(net, "Softmax", "softmax", {s}, {int_attr("axis", &axis)});
  mirt_tensor* o = add_layer(net, "Transpose", "o_heads", {add_layer(net, "MatMul", "pv", {p, v})}, {ints_attr("perm", {0, 2, 1, 3})});
  REQUIRE_OK(mirt_network_mark_output(net, add_layer(net, "Reshape", "y", {o, shape3})));
}

// softmax(Q K^T / sqrt(D) + mask) V per (batch, head), in float64, as [B, S, E].
inline std::vector<double> reference(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                              const std::vector<float>& m) {
  std::vector<double> y(size_t(B * S * E));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < S; ++i) {
        std::vector<double> s(S);
        double top = -INFINITY, sum = 0;
        for (int64_t j = 0; j < S; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += double(q[(b * S + i) * E + h * D + d]) * k[(b * S + j) * E + h * D + d];
          s[j] = dot / std::sqrt(double(D)) + m[b * S + j];
          top = std::max(top, s[j]);
        }
        for (double& x : s) sum += x = std::exp(x - top);
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j) acc += s[j] / sum * v[(b * S + j) * E + h * D + d];
          y[(b * S + i) * E + h * D + d] = acc;
        }
      }
  return y;
}

}  // namespace mirt_test::attention
