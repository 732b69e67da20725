// tests/backends/cuda/test_ops_attention.cpp — ONNX Attention (opset 23/24) on the cuda backend
// against the cpu backend: the general path (4-D and 3-D inputs, grouped-query heads, masks,
// causal, KV cache with present outputs, softcap, nonpad_kv_seqlen, qk_matmul_output modes) in
// float32 (relative tolerance 1e-4), float64 (1e-9), float16 (2e-3) and bfloat16 (1.6e-2), and the
// fused tactic on the FusedAttention kernel (float32 1e-4; float16 3e-3 and bfloat16 1.6e-2, as
// test_precision.cpp states for its rounded probabilities), and FlexAttention on the general path.
// Each case skips itself without a GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16,
                     BOOL = MIRT_DTYPE_BOOL;

op_call attention(std::vector<tensor_data> in, std::vector<out_spec> out, std::vector<attr> attrs = {}) {
  op_call c{"Attention", std::move(in), std::move(out), std::move(attrs)};
  c.tactic = "cuda_attention";
  return c;
}

std::vector<uint8_t> bool_pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t((i * 2654435761u + seed) % 5 != 0);
  return v;
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("Attention general path: 4-D and 3-D grouped-query inputs, scale, softcap") {
  CUDA_TEST_REQUIRE_GPU();
  compare_float_dtypes(attention({rand_f32({2, 4, 5, 16}, 1), rand_f32({2, 4, 7, 16}, 2), rand_f32({2, 4, 7, 8}, 3)}, {{F32, {2, 4, 5, 8}}}));
  compare_float_dtypes(attention({rand_f32({2, 5, 64}, 4), rand_f32({2, 6, 32}, 5), rand_f32({2, 6, 16}, 6)}, {{F32, {2, 5, 32}}},
                               {attr_i("q_num_heads", 4), attr_i("kv_num_heads", 2)}));
  compare_float_dtypes(attention({rand_f32({1, 6, 3, 40}, 7, -3, 3), rand_f32({1, 2, 300, 40}, 8, -3, 3), rand_f32({1, 2, 300, 24}, 9)},
                               {{F32, {1, 6, 3, 24}}}, {attr_f("scale", 0.4f), attr_f("softcap", 2.5f)}));
}

TEST_CASE("Attention general path: float and bool masks (broadcast, shorter than the keys), causal, all-masked rows") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data q = rand_f32({2, 3, 5, 16}, 10), k = rand_f32({2, 3, 7, 16}, 11), v = rand_f32({2, 3, 7, 16}, 12);
  const std::vector<out_spec> y = {{F32, {2, 3, 5, 16}}};
  compare_float_dtypes(attention({q, k, v, rand_f32({5, 7}, 13, -2, 1)}, y));
  compare_float_dtypes(attention({q, k, v, boolean({2, 1, 5, 7}, bool_pattern(70, 1))}, y));
  compare_float_dtypes(attention({q, k, v, boolean({5, 4}, bool_pattern(20, 2))}, y));  // keys 4 to 6 masked
  compare_float_dtypes(attention({q, k, v}, y, {attr_i("is_causal", 1)}));
  compare_float_dtypes(attention({q, k, v, rand_f32({2, 3, 5, 7}, 14)}, y, {attr_i("is_causal", 1)}));
  std::vector<uint8_t> rows(5 * 7, 1);
  for (size_t j = 0; j < 7; ++j) rows[2 * 7 + j] = 0;  // query 2 attends to nothing: Y = 0
  compare_float_dtypes(attention({q, k, v, boolean({5, 7}, rows)}, y));
}

TEST_CASE("Attention general path: KV cache with present outputs, nonpad_kv_seqlen, qk_matmul_output modes") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data q = rand_f32({2, 4, 3, 16}, 20), k = rand_f32({2, 2, 3, 16}, 21), v = rand_f32({2, 2, 3, 8}, 22);
  const tensor_data pk = rand_f32({2, 2, 5, 16}, 23), pv = rand_f32({2, 2, 5, 8}, 24);
  const std::vector<out_spec> with_present = {{F32, {2, 4, 3, 8}}, {F32, {2, 2, 8, 16}}, {F32, {2, 2, 8, 8}}};
  compare_float_dtypes(attention({q, k, v, omitted(), pk, pv}, with_present));
  compare_float_dtypes(attention({q, k, v, omitted(), pk, pv}, with_present, {attr_i("is_causal", 1)}));
  compare_float_dtypes(attention({q, k, v, boolean({3, 8}, bool_pattern(24, 3)), pk, pv}, with_present));
  const tensor_data q4 = rand_f32({2, 2, 4, 16}, 25), k6 = rand_f32({2, 2, 6, 16}, 26), v6 = rand_f32({2, 2, 6, 16}, 27);
  compare_float_dtypes(attention({q4, k6, v6, omitted(), omitted(), omitted(), i64({2}, {4, 6})}, {{F32, {2, 2, 4, 16}}}));
  compare_float_dtypes(attention({q4, k6, v6, omitted(), omitted(), omitted(), i64({2}, {5, 3})}, {{F32, {2, 2, 4, 16}}},
                               {attr_i("is_causal", 1)}));
  for (int64_t mode : {0, 1, 2, 3}) {
    CAPTURE(mode);
    compare_float_dtypes(attention({q, k, v, rand_f32({3, 8}, 28), pk, pv},
                                 {{F32, {2, 4, 3, 8}}, {F32, {2, 2, 8, 16}}, {F32, {2, 2, 8, 8}}, {F32, {2, 4, 3, 8}}},
                                 {attr_i("qk_matmul_output_mode", mode), attr_f("softcap", 3.f)}));
  }
}

TEST_CASE("Attention fused tactic: plain 3-D attention on the FusedAttention kernel") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t d : {32, 64, 128}) {
    CAPTURE(d);
    op_call c{"Attention", {rand_f32({2, 37, 4 * d}, 30), rand_f32({2, 45, 4 * d}, 31), rand_f32({2, 45, 4 * d}, 32)},
              {{F32, {2, 37, 4 * d}}}, {attr_i("q_num_heads", 4), attr_i("kv_num_heads", 4)}};
    c.tactic = "cuda_attention_fused";
    compare_typed(c, F32, 1e-4);
    compare_typed(c, F16, 3e-3);
    compare_typed(c, BF16, 1.6e-2);
    c.inputs.push_back(rand_f32({2, 1, 37, 45}, 33, -2, 0));
    c.attrs.push_back(attr_f("scale", 0.3f));
    compare_typed(c, F32, 1e-4);
    compare_typed(c, F16, 3e-3);
  }
  // A head size the tensor cores do not take (40) runs the warp-per-query kernel; above 256, the general path.
  for (int64_t d : {40, 300}) {
    CAPTURE(d);
    op_call c{"Attention", {rand_f32({1, 9, 2 * d}, 34), rand_f32({1, 11, 2 * d}, 35), rand_f32({1, 11, 2 * d}, 36)},
              {{F32, {1, 9, 2 * d}}}, {attr_i("q_num_heads", 2), attr_i("kv_num_heads", 2)}};
    c.tactic = "cuda_attention_fused";
    compare_typed(c, F32, 1e-4);
    compare_typed(c, F16, 3e-3);
  }
}

TEST_CASE("Attention tactics: the fused tactic refuses what its kernel cannot compute, naming it") {
  CUDA_TEST_REQUIRE_GPU();
  op_call c = attention({rand_f32({1, 2, 3, 8}, 40), rand_f32({1, 2, 3, 8}, 41), rand_f32({1, 2, 3, 8}, 42)}, {{F32, {1, 2, 3, 8}}});
  c.tactic = "cuda_attention_fused";
  const op_result r = run_cuda(c);
  CHECK(r.code == MIRT_STATUS_NOT_FOUND);  // 4-D inputs: only the general tactic is offered
  c.tactic.clear();
  const op_result g = run_cuda(c);
  CHECK(g.code == MIRT_STATUS_OK);
  CHECK(g.tactic == "cuda_attention");
}

TEST_CASE("FlexAttention (grouped-query heads, scale, softmax_precision 11) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data q = rand_f32({2, 4, 5, 16}, 50), k = rand_f32({2, 2, 7, 16}, 51), v = rand_f32({2, 2, 7, 8}, 52);
  compare_float_dtypes({"FlexAttention", {q, k, v}, {{F32, {2, 4, 5, 8}}}});
  compare_float_dtypes({"FlexAttention", {q, k, v}, {{F32, {2, 4, 5, 8}}}, {attr_f("scale", 0.7f)}});
  compare_float_dtypes({"FlexAttention", {q, k, v}, {{F32, {2, 4, 5, 8}}}, {attr_i("softmax_precision", 11)}});
}

}  // TEST_SUITE

