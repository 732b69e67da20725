// tests/backends/cuda/test_small_m_gemm.cpp — the "mirt_small_m_gemm" tactics of FusedMatMul and
// MatMul (few rows, K split across a thread block cluster; blocks of 64, 32 or 128 columns) against
// the cpu backend's float32
// result on the same float16/bfloat16-rounded values, at BERT-base's four GEMM shapes and at row
// counts that leave the 128-row tile partly empty; shapes it does not take are refused.
//
// Tolerances relative to max(1, |cpu|): the output's rounding (float16 2^-11, bfloat16 2^-8)
// plus the float32 sums' order and the tanh form of GELU (within 4.8e-4 of the exact one), as
// test_precision.cpp's GEMM tolerances: float16 3e-3, bfloat16 1.6e-2.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;
constexpr double k_f16_tol = 3e-3, k_bf16_tol = 1.6e-2;
const char* const k_tactics[] = {"mirt_small_m_gemm", "mirt_small_m_gemm_n32", "mirt_small_m_gemm_n128"};

// The cpu backend on float32 inputs rounded through `reduced`, the cuda backend's `tactic` on those
// inputs and outputs in `reduced`, at the GEMM tolerances.
void compare(const op_call& call, mirt_dtype reduced, const char* tactic) {
  CAPTURE(tactic);
  op_call named = call;
  named.tactic = tactic;
  compare_rounded_with_cpu(named, reduced, reduced == F16 ? k_f16_tol : k_bf16_tol);
}

// FusedMatMul of A [rows_outer, rows_inner, K] by a constant B [K, N] (+ a constant bias).
op_call fused(int64_t outer, int64_t inner, int64_t k, int64_t n, bool bias, const char* activation, uint32_t seed) {
  op_call c{"FusedMatMul", {rand_f32({outer, inner, k}, seed), rand_f32({k, n}, seed + 1, -1, 1, true)}, {{F32, {outer, inner, n}}},
            {attr_s("activation", activation)}};
  if (bias) c.inputs.push_back(rand_f32({n}, seed + 2, -1, 1, true));
  return c;
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("mirt_small_m_gemm matches the cpu backend at BERT-base's GEMM shapes (128 rows) in float16 and bfloat16") {
  CUDA_TEST_REQUIRE_GPU();
  struct shape {
    int64_t k, n;
    const char* activation;
  };
  // QKV, attention output, FFN1 with GELU, FFN2: each split of K and tile width the plan picks.
  for (const shape& s : {shape{768, 2304, ""}, shape{768, 768, ""}, shape{768, 3072, "Gelu"}, shape{3072, 768, ""}}) {
    CAPTURE(s.k);
    CAPTURE(s.n);
    const op_call call = fused(1, 128, s.k, s.n, true, s.activation, 100);
    for (const char* tactic : k_tactics) {
      compare(call, F16, tactic);
      compare(call, BF16, tactic);
    }
  }
}

TEST_CASE("mirt_small_m_gemm matches the cpu backend at 1, 37 and 100 rows, with and without bias, GELU and Relu") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t rows : {1, 37, 100}) {
    CAPTURE(rows);
    for (const char* activation : {"", "Relu", "Gelu"}) {
      CAPTURE(activation);
      for (bool bias : {false, true}) {
        CAPTURE(bias);
        const op_call call = fused(1, rows, 768, 768, bias, activation, uint32_t(200 + rows));
        for (const char* tactic : k_tactics) {
          compare(call, F16, tactic);
          compare(call, BF16, tactic);
        }
      }
    }
  }
  // Rows from two dims of A; a small K (one 64-wide slab pair) and the widest K of the plans.
  compare(fused(2, 50, 64, 192, true, "Relu", 300), F16, "mirt_small_m_gemm");
  compare(fused(2, 50, 64, 192, true, "Relu", 300), BF16, "mirt_small_m_gemm_n32");
  for (const char* tactic : k_tactics) compare(fused(1, 128, 4096, 128, true, "Gelu", 310), BF16, tactic);
  // MatMul takes the tactic too (no bias, no activation), B as a constant or as an input.
  op_call matmul{"MatMul", {rand_f32({3, 20, 256}, 320), rand_f32({256, 320}, 321, -1, 1, true)}, {{F32, {3, 20, 320}}}};
  compare(matmul, F16, "mirt_small_m_gemm");
  matmul.inputs[1].constant = false;
  compare(matmul, BF16, "mirt_small_m_gemm_n32");
}

TEST_CASE("mirt_small_m_gemm refuses shapes its kernel does not take, so the layer keeps cuBLASLt") {
  CUDA_TEST_REQUIRE_GPU();
  const auto refused = [](const op_call& call, const char* tactic = "mirt_small_m_gemm") {
    op_call c = as_dtype(call, F16);
    c.tactic = tactic;
    const op_result r = run_cuda(c);
    INFO(r.message);
    CHECK(r.code != MIRT_STATUS_OK);
  };
  refused(fused(1, 128, 96, 768, true, "", 400));   // K not a multiple of 64
  refused(fused(1, 128, 768, 40, true, "", 410));   // N not a multiple of 64
  refused(fused(1, 200, 768, 768, true, "", 420));  // 200 rows
  refused(fused(1, 128, 768, 768, true, "Tanh", 430));  // an activation it lacks
  refused(fused(1, 64, 768, 192, true, "", 435), "mirt_small_m_gemm_n128");  // N not a multiple of its 128
  op_call f32_call = fused(1, 16, 64, 64, false, "", 440);
  f32_call.tactic = "mirt_small_m_gemm";
  const op_result r = run_cuda(f32_call);  // float32: not taken
  CHECK(r.code != MIRT_STATUS_OK);
}

}  // TEST_SUITE
