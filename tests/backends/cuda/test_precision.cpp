// tests/backends/cuda/test_precision.cpp — the float16 and bfloat16 kernels of the cuda backend
// against the cpu backend's float32 result on the same values.
//
// The inputs are rounded to the reduced type first and the cpu backend gets those rounded values
// in float32, so the comparison measures the kernel (float accumulation, one rounding of the
// output), not the input rounding. Errors are relative to max(1, |cpu|). Tolerances per op family,
// from the output's rounding (float16: 2^-11 = 4.9e-4, bfloat16: 2^-8 = 3.9e-3) plus headroom
// for the order of float32 sums:
//   elementwise, activations, pooling, data movement: float16 1e-3, bfloat16 8e-3
//   Conv, MatMul, Gemm (K <= 288, operands in [-1, 1]): float16 3e-3, bfloat16 1.6e-2
//   FusedAttention (head size 32 to 128, operands in [-1, 1]; the probabilities are rounded to the
//   reduced type before P V, as in any flash attention): float16 3e-3, bfloat16 1.6e-2
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;

// The cpu backend on float32 inputs rounded through float16 (bfloat16), the cuda backend on those
// inputs in float16 (bfloat16) with its outputs in that type: within f16_tol (bf16_tol).
void both(const op_call& call, double f16_tol, double bf16_tol) {
  compare_rounded_with_cpu(call, F16, f16_tol);
  compare_rounded_with_cpu(call, BF16, bf16_tol);
}

constexpr double k_elementwise_f16 = 1e-3, k_elementwise_bf16 = 8e-3, k_gemm_f16 = 3e-3, k_gemm_bf16 = 1.6e-2;

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("float16 and bfloat16 activations match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Erf", "Gelu", "Neg", "Abs", "HardSwish", "Identity", "Softplus"}) {
    const shape_t s = {3, 1001};  // odd: 8-wide vector body plus a scalar tail
    both({op, {rand_f32(s, 11, -3, 3)}, {{F32, s}}}, k_elementwise_f16, k_elementwise_bf16);
  }
  both({"LeakyRelu", {rand_f32({257}, 12, -3, 3)}, {{F32, {257}}}, {attr_f("alpha", 0.2f)}}, k_elementwise_f16, k_elementwise_bf16);
  both({"Clip", {rand_f32({5, 33}, 1, -3, 3), f32({}, {-0.5f}), f32({}, {1.25f})}, {{F32, {5, 33}}}}, k_elementwise_f16,
       k_elementwise_bf16);
}

TEST_CASE("float16 and bfloat16 broadcast arithmetic matches the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"Add", "Sub", "Mul", "Max", "Min"}) {
    both({op, {rand_f32({4, 264}, 3), rand_f32({4, 264}, 4)}, {{F32, {4, 264}}}}, k_elementwise_f16, k_elementwise_bf16);
    both({op, {rand_f32({2, 3, 4, 5}, 5), rand_f32({3, 1, 5}, 6)}, {{F32, {2, 3, 4, 5}}}}, k_elementwise_f16, k_elementwise_bf16);
  }
  both({"Div", {rand_f32({6, 50}, 9), rand_f32({50}, 10, 0.5f, 2)}, {{F32, {6, 50}}}}, k_elementwise_f16, k_elementwise_bf16);
}

TEST_CASE("float16 and bfloat16 pooling matches the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = rand_f32({2, 8, 17, 17}, 40);
  both({"MaxPool", {x}, {{F32, {2, 8, 8, 8}}}, {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2})}},
       k_elementwise_f16, k_elementwise_bf16);
  both({"AveragePool", {x}, {{F32, {2, 8, 9, 9}}},
        {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1})}},
       k_elementwise_f16, k_elementwise_bf16);
  both({"GlobalAveragePool", {x}, {{F32, {2, 8, 1, 1}}}}, k_elementwise_f16, k_elementwise_bf16);
}

TEST_CASE("float16 and bfloat16 Conv, MatMul and Gemm on tensor cores match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  both({"Conv", {rand_f32({2, 32, 14, 14}, 41), rand_f32({64, 32, 3, 3}, 42, -1, 1, true), rand_f32({64}, 43, -1, 1, true)},
        {{F32, {2, 64, 14, 14}}}, {attr_ints("pads", {1, 1, 1, 1})}},
       k_gemm_f16, k_gemm_bf16);
  both({"Conv", {rand_f32({1, 16, 9, 9}, 44), rand_f32({32, 16, 1, 1}, 45, -1, 1, true)}, {{F32, {1, 32, 5, 5}}},
        {attr_ints("strides", {2, 2})}},
       k_gemm_f16, k_gemm_bf16);
  both({"MatMul", {rand_f32({64, 128}, 46), rand_f32({128, 48}, 47)}, {{F32, {64, 48}}}}, k_gemm_f16, k_gemm_bf16);
  both({"MatMul", {rand_f32({3, 17, 40}, 48), rand_f32({40, 24}, 49, -1, 1, true)}, {{F32, {3, 17, 24}}}}, k_gemm_f16, k_gemm_bf16);
  both({"Gemm", {rand_f32({32, 256}, 50), rand_f32({128, 256}, 51, -1, 1, true), rand_f32({128}, 52, -1, 1, true)},
        {{F32, {32, 128}}}, {attr_i("transB", 1)}},
       k_gemm_f16, k_gemm_bf16);
}

// FusedConv's reference: Conv on the cpu backend, then + Z and Relu in double on the host.
std::vector<double> fused_reference(const op_call& conv, const std::vector<float>& z, bool relu) {
  const op_result cpu = run_cpu(conv);
  REQUIRE(cpu.code == MIRT_STATUS_OK);
  const std::vector<float> y = cpu.outputs[0].values<float>();
  std::vector<double> expected(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    const double v = double(y[i]) + (z.empty() ? 0.0 : double(z[i]));
    expected[i] = relu && v < 0 ? 0.0 : v;
  }
  return expected;
}

TEST_CASE("FusedConv (bias, residual, Relu) in float32 and float16 matches Conv + Add + Relu on the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const shape_t ys = {2, 16, 10, 10};
  const tensor_data x = rand_f32({2, 8, 10, 10}, 60), w = rand_f32({16, 8, 3, 3}, 61, -1, 1, true),
                    b = rand_f32({16}, 62, -1, 1, true), z = rand_f32(ys, 63, -2, 2);
  const std::vector<attr> conv_attrs = {attr_ints("pads", {1, 1, 1, 1})};
  for (const bool residual : {false, true})
    for (const bool relu : {false, true}) {
      if (!residual && !relu) continue;
      CAPTURE(residual);
      CAPTURE(relu);
      // float16 operands rounded once, so both sides see the same values.
      op_call reference{"Conv", {x, w, b}, {{F32, ys}}, conv_attrs};
      op_call fused{"FusedConv", {x, w, b}, {{F32, ys}}, conv_attrs};
      if (residual) fused.inputs.push_back(z);
      if (relu) fused.attrs.push_back(attr_s("activation", "Relu"));
      const std::vector<double> expected = fused_reference(reference, residual ? z.values<float>() : std::vector<float>{}, relu);
      const op_result gpu = run_cuda(fused);
      INFO("cuda: ", gpu.message);
      REQUIRE(gpu.code == MIRT_STATUS_OK);
      CHECK(gpu.tactic == "cudnn_graph_conv_bias_act_r0");
      const std::vector<float> got = gpu.outputs[0].values<float>();
      double worst = 0;
      for (size_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, std::fabs(got[i] - expected[i]) / std::max(1.0, std::fabs(expected[i])));
      CHECK(worst <= 1e-4);  // float32, TF32 off
    }
  // float16: the same layer with every operand in float16 (Z too), against the rounded operands.
  op_call fused{"FusedConv", {x, w, b, z}, {{F32, ys}}, {attr_ints("pads", {1, 1, 1, 1}), attr_s("activation", "Relu")}};
  op_call half = as_dtype(fused, F16), rounded = fused;
  for (size_t i = 0; i < rounded.inputs.size(); ++i) {
    const std::vector<double> v = as_doubles(half.inputs[i]);
    rounded.inputs[i] = tensor_data::of(F32, rounded.inputs[i].shape, std::vector<float>(v.begin(), v.end()), rounded.inputs[i].constant);
  }
  const std::vector<double> expected =
      fused_reference({"Conv", {rounded.inputs[0], rounded.inputs[1], rounded.inputs[2]}, {{F32, ys}}, conv_attrs},
                      rounded.inputs[3].values<float>(), true);
  const op_result gpu = run_cuda(half);
  INFO("cuda float16: ", gpu.message);
  REQUIRE(gpu.code == MIRT_STATUS_OK);
  const std::vector<double> got = as_doubles(gpu.outputs[0]);
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - expected[i]) / std::max(1.0, std::fabs(expected[i])));
  CHECK(worst <= k_gemm_f16);
}

TEST_CASE("float16 and bfloat16 Softmax and LayerNormalization (float32 inside) match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // Outputs in [0, 1] (Softmax) or about unit scale (LayerNorm): one rounding of the output dominates.
  both({"Softmax", {rand_f32({2, 12, 128}, 20, -6, 6)}, {{F32, {2, 12, 128}}}}, k_elementwise_f16, k_elementwise_bf16);
  both({"Softmax", {rand_f32({3, 40, 5}, 21, -6, 6)}, {{F32, {3, 40, 5}}}, {attr_i("axis", 1)}}, k_elementwise_f16, k_elementwise_bf16);
  // Rows of 8-value vectors (768, 1024, 40), of 4-value ones (772), and enough rows (2200) for the
  // kernel without the scale/bias prefetch.
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{{4, 9, 768}, {3, 1024}, {5, 40}, {3, 5, 772}, {2200, 768}}) {
    CAPTURE(shape.back());
    const int64_t cols = shape.back();
    both({"LayerNormalization", {rand_f32(shape, 22, -3, 3), rand_f32({cols}, 23, -1, 1, true), rand_f32({cols}, 24, -1, 1, true)},
          {{F32, shape}}},
         4e-3, 2e-2);  // the normalized value carries the input's rounding (x - mean) / std
  }
  // Rows the half kernel does not take are refused by name, so the builder keeps them float32.
  op_call odd{"LayerNormalization", {rand_f32({2, 770}, 25), rand_f32({770}, 26)}, {{F16, {2, 770}}}};
  odd = as_dtype(odd, F16);
  const op_result refused = run_cuda(odd);
  CHECK(refused.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(refused.message.find("at most 1024 values") != std::string::npos);
}

TEST_CASE("float16 and bfloat16 Resize, Pad, InstanceNormalization, ConvTranspose and the newer elementwise ops match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data no_roi = omitted(), scales = f32({4}, {1, 1, 2, 2}, true);
  for (const char* mode : {"nearest", "linear", "cubic"})
    both({"Resize", {rand_f32({2, 3, 7, 5}, 30), no_roi, scales}, {{F32, {2, 3, 14, 10}}}, {attr_s("mode", mode)}}, k_elementwise_f16,
         k_elementwise_bf16);
  for (const char* mode : {"linear", "cubic"})  // antialiased downscaling
    both({"Resize", {rand_f32({2, 3, 21, 16}, 42), no_roi, omitted(), i64({4}, {2, 3, 6, 5}, true)}, {{F32, {2, 3, 6, 5}}},
          {attr_s("mode", mode), attr_i("antialias", 1)}},
         k_elementwise_f16, k_elementwise_bf16);
  both({"Pad", {rand_f32({2, 3, 4, 5}, 31), i64({8}, {0, 1, 2, 3, 0, 2, 1, 0}, true)}, {{F32, {2, 6, 7, 8}}}, {attr_s("mode", "reflect")}},
       k_elementwise_f16, k_elementwise_bf16);
  both({"InstanceNormalization", {rand_f32({2, 3, 9, 11}, 32), rand_f32({3}, 33), rand_f32({3}, 34)}, {{F32, {2, 3, 9, 11}}}},
       k_elementwise_f16, k_elementwise_bf16);
  both({"ConvTranspose", {rand_f32({1, 8, 6, 6}, 35), rand_f32({8, 4, 3, 3}, 36, -1, 1, true), rand_f32({4}, 37, -1, 1, true)},
        {{F32, {1, 4, 12, 12}}}, {attr_ints("strides", {2, 2}), attr_ints("pads", {1, 1, 1, 1}), attr_ints("output_padding", {1, 1})}},
       k_gemm_f16, k_gemm_bf16);
  for (const char* op : {"Mish", "Selu", "Softsign", "Atan", "Tan", "Round"})
    both({op, {rand_f32({3, 1001}, 38, -1.5f, 1.5f)}, {{F32, {3, 1001}}}}, k_elementwise_f16, k_elementwise_bf16);
  both({"Mean", {rand_f32({3, 4}, 39), rand_f32({4}, 40), rand_f32({3, 1}, 41)}, {{F32, {3, 4}}}}, k_elementwise_f16, k_elementwise_bf16);
  both({"Mod", {rand_f32({4, 33}, 42, -5, 5), rand_f32({33}, 43, 0.5f, 2)}, {{F32, {4, 33}}}, {attr_i("fmod", 1)}}, k_elementwise_f16,
       k_elementwise_bf16);
  // Selections copy input values: exact, and their int64 indices equal the cpu backend's.
  both({"TopK", {rand_f32({4, 50}, 44), i64({1}, {5}, true)}, {{F32, {4, 5}}, {MIRT_DTYPE_INT64, {4, 5}}}}, 0, 0);
  both({"ArgMax", {rand_f32({3, 5, 7}, 45)}, {{MIRT_DTYPE_INT64, {3, 1, 7}}}, {attr_i("axis", 1)}}, 0, 0);
}

TEST_CASE("Cast converts float32 to float16 and bfloat16 and back like the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = f32({6}, {0.f, -1.5f, 1e-8f, 65504.f, 1e5f, 0.1f});
  compare_with_cpu({"Cast", {x}, {{F16, {6}}}, {attr_i("to", 10)}});
  compare_with_cpu({"Cast", {x}, {{BF16, {6}}}, {attr_i("to", 16)}});
}

}  // TEST_SUITE

TEST_SUITE("cuda") {

TEST_CASE("FusedMatMul (bias, Relu, Gelu in cuBLASLt's epilogue) matches the cpu backend in float32, float16 and bfloat16") {
  CUDA_TEST_REQUIRE_GPU();
  // A of rank 3 (rows folded), constant B and bias as the fusion pass makes them; K = 96, N = 40
  // (not a multiple of 16 bytes in every dtype: the epilogue's bias alignment varies).
  const tensor_data a = rand_f32({3, 17, 96}, 70, -1, 1), b = rand_f32({96, 40}, 71, -1, 1, true), bias = rand_f32({40}, 72, -1, 1, true);
  for (const char* activation : {"", "Relu", "Gelu"}) {
    CAPTURE(activation);
    const op_call call{"FusedMatMul", {a, b, bias}, {{F32, {3, 17, 40}}}, {attr_s("activation", activation)}};
    compare_with_cpu(call);  // float32, TF32 off
    both(call, k_gemm_f16, k_gemm_bf16);
  }
  both({"FusedMatMul", {rand_f32({5, 64}, 73), rand_f32({64, 768}, 74, -1, 1, true), rand_f32({768}, 75, -1, 1, true)},
        {{F32, {5, 768}}}, {attr_s("activation", "Gelu")}},
       k_gemm_f16, k_gemm_bf16);
  // An activation the kernel lacks is refused, not run as something else.
  const op_result tanh = run_cuda({"FusedMatMul", {a, b, bias}, {{F32, {3, 17, 40}}}, {attr_s("activation", "Tanh")}});
  CHECK(tanh.code != MIRT_STATUS_OK);
}

TEST_CASE("FusedMatMul and MatMul with rows known at build offer cuBLASLt's ranked algorithms as tactics, each matching the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // The builder times these; here every rank runs once against the cpu backend (float32 with TF32
  // off, and float16/bfloat16). A rank past what the heuristic offers takes its last algorithm.
  const tensor_data a = rand_f32({4, 300, 128}, 76, -1, 1), b = rand_f32({128, 96}, 77, -1, 1, true), bias = rand_f32({96}, 78, -1, 1, true);
  for (int rank = 0; rank < 8; ++rank) {
    CAPTURE(rank);
    op_call fused{"FusedMatMul", {a, b, bias}, {{F32, {4, 300, 96}}}, {attr_s("activation", "Gelu")}};
    fused.tactic = rank == 0 ? "cublaslt_matmul_bias_act" : "cublaslt_matmul_bias_act_algo" + std::to_string(rank);
    compare_with_cpu(fused);
    both(fused, k_gemm_f16, k_gemm_bf16);
    op_call plain{"MatMul", {a, b}, {{F32, {4, 300, 96}}}};
    plain.tactic = rank == 0 ? "cublaslt_matmul" : "cublaslt_matmul_algo" + std::to_string(rank);
    compare_with_cpu(plain);
  }
  // Small products too (BERT at batch 1: 128 rows).
  for (int rank = 1; rank < 8; ++rank) {
    CAPTURE(rank);
    op_call small{"FusedMatMul", {rand_f32({3, 17, 96}, 79), rand_f32({96, 40}, 71, -1, 1, true), rand_f32({40}, 72, -1, 1, true)},
                  {{F32, {3, 17, 40}}}};
    small.tactic = "cublaslt_matmul_bias_act_algo" + std::to_string(rank);
    compare_with_cpu(small);
    both(small, k_gemm_f16, k_gemm_bf16);
  }
}

TEST_CASE("FusedMatMul with its constant weights kept transposed matches the cpu backend at every rank; a computed B is not offered it") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data a = rand_f32({2, 128, 96}, 81, -1, 1), b = rand_f32({96, 160}, 82, -1, 1, true), bias = rand_f32({160}, 83, -1, 1, true);
  for (int rank = 0; rank < 8; ++rank)
    for (const char* activation : {"", "Gelu"}) {
      CAPTURE(rank);
      CAPTURE(activation);
      op_call fused{"FusedMatMul", {a, b, bias}, {{F32, {2, 128, 160}}}, {attr_s("activation", activation)}};
      fused.tactic = rank == 0 ? "cublaslt_matmul_bias_act_wt" : "cublaslt_matmul_bias_act_wt_algo" + std::to_string(rank);
      compare_with_cpu(fused);
      both(fused, k_gemm_f16, k_gemm_bf16);
    }
  tensor_data computed = b;
  computed.constant = false;
  op_call refused{"FusedMatMul", {a, computed, bias}, {{F32, {2, 128, 160}}}};
  refused.tactic = "cublaslt_matmul_bias_act_wt";
  const op_result r = run_cuda(refused);  // not offered: the harness finds no such tactic
  CHECK(r.code == MIRT_STATUS_NOT_FOUND);
  refused.tactic.clear();
  CHECK(run_cuda(refused).code == MIRT_STATUS_OK);  // the other tactics still take it (the cpu backend does not)
}

TEST_CASE("float16 and bfloat16 FusedElementwise (GELU spelled out) matches the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  op_call gelu{"FusedElementwise", {rand_f32({5, 333}, 60, -3, 3)}, {{F32, {5, 333}}}};
  gelu.attrs = {attr{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {"Div", "Erf", "Add", "Mul", "Mul"}},
                attr{"operands", MIRT_ATTRIBUTE_TYPE_INTS, {0, -1, 1, 0, 2, -2, 0, 3, 4, -3}, {}, {}},
                attr{"constants", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, {1.41421356f, 1.0f, 0.5f}, {}}};
  both(gelu, k_elementwise_f16, k_elementwise_bf16);
}

// mask [B, 1, 1, Skv]: 0 for kept keys, -10000 (BERT's value) or -inf for masked ones; batch 0 keeps all.
tensor_data padding_mask(int64_t b_n, int64_t skv, int64_t kept) {
  std::vector<float> m(size_t(b_n * skv), 0.f);
  for (int64_t b = 1; b < b_n; ++b)
    for (int64_t j = kept; j < skv; ++j) m[size_t(b * skv + j)] = (j % 2) ? -10000.f : -INFINITY;
  return f32({b_n, 1, 1, skv}, m);
}

TEST_CASE("FusedAttention on tensor cores matches the float32 cpu backend in float16/bfloat16; float32 and other head sizes are refused") {
  CUDA_TEST_REQUIRE_GPU();
  // Head sizes of the tensor-core kernel (32, 64, 128) with sequence lengths that are no multiple of
  // its 64-row tiles, a padding mask, and Sq != Skv (cross attention, a 2-D mask [Sq, Skv]).
  for (const int64_t d : {64, 32, 128}) {
    CAPTURE(d);
    const int64_t b = 2, s = 77, h = 3;
    const op_call call{"FusedAttention",
                       {rand_f32({b, s, h, d}, 80), rand_f32({b, s, h, d}, 81), rand_f32({b, s, h, d}, 82), padding_mask(b, s, 50)},
                       {{F32, {b, s, h, d}}},
                       {attr_f("scale", 1.f / std::sqrt(float(d)))}};
    CHECK(run_cuda(call).code != MIRT_STATUS_OK);  // float32: the builder keeps cuBLASLt's layers
    both(call, k_gemm_f16, k_gemm_bf16);
  }
  const op_call cross{"FusedAttention",
                      {rand_f32({1, 20, 2, 64}, 83), rand_f32({1, 130, 2, 64}, 84), rand_f32({1, 130, 2, 64}, 85),
                       rand_f32({20, 130}, 86, -2, 0)},
                      {{F32, {1, 20, 2, 64}}},
                      {attr_f("scale", 0.125f)}};
  both(cross, k_gemm_f16, k_gemm_bf16);
  // Head sizes the tensor cores do not take (Dk 40, Dv 24) are refused, so the layers stay unfused.
  op_call odd{"FusedAttention", {rand_f32({1, 33, 2, 40}, 87), rand_f32({1, 33, 2, 40}, 88), rand_f32({1, 33, 2, 24}, 89)},
              {{F16, {1, 33, 2, 24}}},
              {attr_f("scale", 0.3f)}};
  odd = as_dtype(odd, F16);
  const op_result refused = run_cuda(odd);
  CHECK(refused.code != MIRT_STATUS_OK);
  CHECK(refused.message.find("head sizes") != std::string::npos);
}

TEST_CASE("FusedAttention's blocks of 4 and 2 warps (enough heads x query rows to fill the GPU) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // The kernel takes 64 query rows a block where that gives a block per multiprocessor (132 on
  // H100/H200), 32 where that does, else 16 (the cases above). 3 x 16 heads of 200 queries: 4 x 48
  // blocks of 64 rows (8 in the last); 1 x 16 heads of 300: 80 blocks of 64, 160 of 32.
  const op_call four{"FusedAttention",
                     {rand_f32({3, 200, 16, 64}, 100), rand_f32({3, 200, 16, 64}, 101), rand_f32({3, 200, 16, 64}, 102),
                      padding_mask(3, 200, 130)},
                     {{F32, {3, 200, 16, 64}}},
                     {attr_f("scale", 0.125f)}};
  both(four, k_gemm_f16, k_gemm_bf16);
  const op_call two{"FusedAttention",
                    {rand_f32({1, 300, 16, 128}, 103), rand_f32({1, 300, 16, 128}, 104), rand_f32({1, 300, 16, 128}, 105)},
                    {{F32, {1, 300, 16, 128}}},
                    {attr_f("scale", 1.f / std::sqrt(128.f))}};
  both(two, k_gemm_f16, k_gemm_bf16);
}

TEST_CASE("FusedAttention's blocks of 8 warps (128 query rows, enough of them to fill the GPU) match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // 12 x 6 heads of 150 queries: 144 blocks of 128 rows (the second of a head 22 rows), at least
  // one a multiprocessor (132 on H100/H200). Head size 64 reads Q from shared memory per tile of
  // 32 keys (the last tile of 22); head size 32 keeps it in registers. The packed-QKV case below
  // runs them without a mask.
  for (const int64_t d : {64, 32}) {
    CAPTURE(d);
    const int64_t b = 12, s = 150, h = 6;
    const op_call masked{"FusedAttention",
                         {rand_f32({b, s, h, d}, 130), rand_f32({b, s, h, d}, 131), rand_f32({b, s, h, d}, 132),
                          padding_mask(b, s, 97)},
                         {{F32, {b, s, h, d}}},
                         {attr_f("scale", 1.f / std::sqrt(float(d)))}};
    both(masked, k_gemm_f16, k_gemm_bf16);
  }
}

TEST_CASE("FusedAttention on a packed QKV [B, S, 3, H, D] (one Linear layer's output) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // Q, K and V of a position side by side in one row of 3 H D values, as pack_attention_inputs
  // makes them: the kernel reads them at that row stride. BERT's head size, 3 sizes of block (the
  // last one, of 8 warps, without a mask).
  struct size {
    int64_t batch, s, h;
  };
  for (const size z : {size{2, 77, 3}, size{24, 77, 3}, size{12, 150, 6}}) {
    CAPTURE(z.batch);
    const int64_t d = 64;
    std::vector<tensor_data> inputs = {rand_f32({z.batch, z.s, 3, z.h, d}, 106), omitted(), omitted()};
    if (z.s == 77) inputs.push_back(padding_mask(z.batch, z.s, 50));
    both({"FusedAttention", inputs, {{F32, {z.batch, z.s, z.h, d}}}, {attr_f("scale", 0.125f)}}, k_gemm_f16, k_gemm_bf16);
  }
}

TEST_CASE("FusedAttention's two tactics (wgmma on sm_90, mma.sync) match the cpu backend at 65 to 128 keys of head size 64") {
  CUDA_TEST_REQUIRE_GPU();
  // BERT-base's shape (packed QKV, 128 keys, an int64 padding mask); 100 queries and keys (a partial
  // block of queries, keys zero-filled past 100), no mask; 40 queries against 70 keys with a float
  // mask whose second batch masks every key with -10000 (BERT's value: every key weighs the same),
  // its first every third key with -inf. Each on both tactics; the wgmma one exists on sm_90 only.
  int major = 0, minor = 0, device = 0;
  REQUIRE(cudaGetDevice(&device) == cudaSuccess);
  REQUIRE(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess);
  REQUIRE(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess);
  const bool sm90 = major == 9 && minor == 0;
  const int64_t b = 4, s = 128, h = 12, d = 64;
  std::vector<int64_t> keep(size_t(b * s), 1);
  for (int64_t i = 1; i < b; ++i)
    for (int64_t j = 128 - 30 * i; j < s; ++j) keep[size_t(i * s + j)] = 0;
  const float min_float = -3.4028234663852886e38f;
  std::vector<float> mask(size_t(2 * 70), 0.f);
  for (int64_t j = 0; j < 70; ++j) mask[size_t(70 + j)] = -10000.f;
  for (int64_t j = 0; j < 70; j += 3) mask[size_t(j)] = -INFINITY;
  const std::vector<op_call> calls = {
      {"FusedAttention",
       {rand_f32({b, s, 3, h, d}, 140), omitted(), omitted(), i64({b, 1, 1, s}, keep)},
       {{F32, {b, s, h, d}}},
       {attr_f("scale", 0.125f), attr_f("mask_scale", -min_float), attr_f("mask_shift", min_float)}},
      {"FusedAttention",
       {rand_f32({3, 100, 5, d}, 141), rand_f32({3, 100, 5, d}, 142), rand_f32({3, 100, 5, d}, 143)},
       {{F32, {3, 100, 5, d}}},
       {attr_f("scale", 0.125f)}},
      {"FusedAttention",
       {rand_f32({2, 40, 3, d}, 144), rand_f32({2, 70, 3, d}, 145), rand_f32({2, 70, 3, d}, 146), f32({2, 1, 1, 70}, mask)},
       {{F32, {2, 40, 3, d}}},
       {attr_f("scale", 0.125f)}}};
  for (size_t i = 0; i < calls.size(); ++i)
    for (const char* tactic : {"cuda_fused_attention_wgmma", "cuda_fused_attention"}) {
      CAPTURE(i);
      CAPTURE(tactic);
      op_call call = calls[i];
      call.tactic = tactic;
      if (!sm90 && std::string(tactic) == "cuda_fused_attention_wgmma") {
        CHECK(run_cuda(as_dtype(call, F16)).code != MIRT_STATUS_OK);  // no such tactic off sm_90
        continue;
      }
      both(call, k_gemm_f16, k_gemm_bf16);
    }
  // Where the mma.sync kernel is faster (64 keys or fewer, 32 queries or fewer) or the wgmma kernel
  // cannot go (more than 128 keys, head size 32, a mask row per query), only the mma.sync tactic is offered.
  const op_call refused[] = {
      {"FusedAttention", {rand_f32({2, 64, 3, d}, 147), rand_f32({2, 64, 3, d}, 148), rand_f32({2, 64, 3, d}, 149)}, {{F32, {2, 64, 3, d}}}},
      {"FusedAttention", {rand_f32({2, 32, 3, d}, 150), rand_f32({2, 128, 3, d}, 151), rand_f32({2, 128, 3, d}, 152)}, {{F32, {2, 32, 3, d}}}},
      {"FusedAttention", {rand_f32({2, 129, 3, d}, 153), rand_f32({2, 129, 3, d}, 154), rand_f32({2, 129, 3, d}, 155)}, {{F32, {2, 129, 3, d}}}},
      {"FusedAttention", {rand_f32({2, 100, 3, 32}, 156), rand_f32({2, 100, 3, 32}, 157), rand_f32({2, 100, 3, 32}, 158)}, {{F32, {2, 100, 3, 32}}}},
      {"FusedAttention",
       {rand_f32({1, 100, 3, d}, 159), rand_f32({1, 100, 3, d}, 160), rand_f32({1, 100, 3, d}, 161), rand_f32({100, 100}, 162, -2, 0)},
       {{F32, {1, 100, 3, d}}}}};
  for (const op_call& c : refused) {
    CAPTURE(c.outputs[0].shape[1]);
    op_call wgmma = as_dtype(c, F16);
    wgmma.tactic = "cuda_fused_attention_wgmma";
    const op_result r = run_cuda(wgmma);
    CHECK(r.code != MIRT_STATUS_OK);
    CHECK(r.message.find("no tactic named") != std::string::npos);
    op_call mma = as_dtype(c, F16);
    mma.tactic = "cuda_fused_attention";
    CHECK(run_cuda(mma).code == MIRT_STATUS_OK);
  }
}

TEST_CASE("FusedAttention reads an int64 or int32 padding mask through mask_shift + mask_scale * mask, as the cpu backend does") {
  CUDA_TEST_REQUIRE_GPU();
  // What fold_attention_mask makes of BERT's (1 - Cast(mask)) * min_float: 0/1 int64 [B, 1, 1, S],
  // shift min_float and scale -min_float, on a packed QKV; int32 with (1 - mask) * -10000 on
  // separate Q, K and V.
  const int64_t b = 3, s = 77, h = 2, d = 64;
  std::vector<int64_t> keep64(size_t(b * s), 1);
  std::vector<int32_t> keep32(size_t(b * s), 1);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 40 + 10 * i; j < s; ++j) keep64[size_t(i * s + j)] = keep32[size_t(i * s + j)] = 0;
  const float min_float = -3.4028234663852886e38f;
  const op_call bert{"FusedAttention",
                     {rand_f32({b, s, 3, h, d}, 120), omitted(), omitted(), i64({b, 1, 1, s}, keep64)},
                     {{F32, {b, s, h, d}}},
                     {attr_f("scale", 0.125f), attr_f("mask_scale", -min_float), attr_f("mask_shift", min_float)}};
  both(bert, k_gemm_f16, k_gemm_bf16);
  const op_call int32{"FusedAttention",
                      {rand_f32({b, s, h, d}, 121), rand_f32({b, s, h, d}, 122), rand_f32({b, s, h, d}, 123), i32({b, 1, 1, s}, keep32)},
                      {{F32, {b, s, h, d}}},
                      {attr_f("scale", 0.125f), attr_f("mask_scale", 10000.f), attr_f("mask_shift", -10000.f)}};
  both(int32, k_gemm_f16, k_gemm_bf16);
  // A mask that differs per query must be of the attention's dtype: an int64 [Sq, Skv] one is refused
  // (so the builder keeps the layers that make it additive).
  std::vector<int64_t> causal(size_t(s * s));
  for (int64_t i = 0; i < s; ++i)
    for (int64_t j = 0; j < s; ++j) causal[size_t(i * s + j)] = j <= i;
  op_call rows{"FusedAttention",
               {rand_f32({b, s, h, d}, 124), rand_f32({b, s, h, d}, 125), rand_f32({b, s, h, d}, 126), i64({s, s}, causal)},
               {{F16, {b, s, h, d}}},
               {attr_f("scale", 0.125f), attr_f("mask_scale", 10000.f), attr_f("mask_shift", -10000.f)}};
  const op_result refused = run_cuda(as_dtype(rows, F16));
  CHECK(refused.code != MIRT_STATUS_OK);
  CHECK(refused.message.find("same for every query") != std::string::npos);
}

TEST_CASE("SkipLayerNormalization (residual Add + LayerNorm in one kernel) matches the cpu backend in float32, float16 and bfloat16") {
  CUDA_TEST_REQUIRE_GPU();
  // 1020 columns: halves in 4-value vectors. 2 x 1100 rows: past 2048, the kernel that reads with
  // L2 eviction hints.
  for (const shape_t& shape : std::vector<shape_t>{{3, 7, 768}, {3, 7, 64}, {3, 7, 1020}, {2, 1100, 768}}) {
    const int64_t cols = shape.back();
    CAPTURE(shape[1]);
    CAPTURE(cols);
    const op_call call{"SkipLayerNormalization",
                       {rand_f32(shape, 90, -3, 3), rand_f32(shape, 91, -3, 3), rand_f32({cols}, 92, -1, 1, true),
                        rand_f32({cols}, 93, -1, 1, true)},
                       {{F32, shape}},
                       {attr_f("epsilon", 1e-12f)}};
    compare_with_cpu(call, 1e-5);
    both(call, 4e-3, 2e-2);  // as LayerNormalization: (x + skip - mean) / std carries the inputs' rounding
  }
  // Rows the register kernel does not take are refused, not run without the Add.
  const op_result refused = run_cuda({"SkipLayerNormalization", {rand_f32({2, 1030}, 94), rand_f32({2, 1030}, 95), rand_f32({1030}, 96)},
                                      {{F32, {2, 1030}}}});
  CHECK(refused.code != MIRT_STATUS_OK);
}

TEST_CASE("float16 and bfloat16 GroupNormalization, RMSNormalization, DepthToSpace and ScatterND match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // Statistics in double, one rounding of the output: the elementwise tolerances.
  both({"GroupNormalization", {rand_f32({2, 8, 6, 5}, 50), rand_f32({8}, 51), rand_f32({8}, 52)}, {{F32, {2, 8, 6, 5}}}, {attr_i("num_groups", 4)}},
       k_elementwise_f16, k_elementwise_bf16);
  both({"RMSNormalization", {rand_f32({3, 7, 96}, 53), rand_f32({96}, 54)}, {{F32, {3, 7, 96}}}}, k_elementwise_f16, k_elementwise_bf16);
  // Data movement copies the rounded values: exact.
  both({"DepthToSpace", {rand_f32({1, 8, 3, 3}, 55)}, {{F32, {1, 2, 6, 6}}}, {attr_i("blocksize", 2), attr_s("mode", "CRD")}}, 0, 0);
  both({"ScatterND", {rand_f32({4, 3}, 56), i64({2, 1}, {2, 0}), rand_f32({2, 3}, 57)}, {{F32, {4, 3}}}}, 0, 0);
}

TEST_CASE("float16 and bfloat16 Einsum and RotaryEmbedding match the float32 cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  both({"Einsum", {rand_f32({2, 3, 6, 64}, 60), rand_f32({2, 3, 5, 64}, 61)}, {{F32, {2, 3, 6, 5}}}, {attr_s("equation", "bhid,bhjd->bhij")}},
       k_gemm_f16, k_gemm_bf16);
  both({"Einsum", {rand_f32({7, 2, 5}, 62), rand_f32({2, 7, 3}, 63)}, {{F32, {2, 3, 5}}}, {attr_s("equation", "jbi,bjk->bki")}}, k_gemm_f16,
       k_gemm_bf16);
  both({"RotaryEmbedding", {rand_f32({2, 4, 6, 32}, 64), rand_f32({8, 16}, 65), rand_f32({8, 16}, 66), i64({2, 6}, {0, 1, 2, 3, 4, 5, 7, 6, 5, 4, 3, 2})},
        {{F32, {2, 4, 6, 32}}}},
       k_elementwise_f16, k_elementwise_bf16);
}

}  // TEST_SUITE
