// tests/backends/cuda/test_folded_casts.cpp — layers into which the builder folds the Cast to float32
// after them (core/builder/passes/fold_casts.cpp): mirt::SkipLayerNormalization and
// mirt::FusedElementwise on float16/bfloat16 inputs writing float32 (output_dtype = 1), and
// SkipLayerNormalization writing both float32 and the inputs' type. Against the cpu backend's
// float32 result on the same rounded inputs: the float32 output carries no rounding to the reduced
// type (relative 1e-5 for the normalization, 1e-4 for programs, as in float32), the reduced one
// its one rounding (float16 4e-3, bfloat16 2e-2, as test_precision.cpp's SkipLayerNormalization).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;

// The cpu backend's output 0 for call (float32) with its float inputs rounded through `reduced`.
std::vector<double> cpu_on_rounded(const op_call& call, mirt_dtype reduced) {
  const op_call rounded = as_dtype(call, reduced);
  op_call cpu = call;
  for (size_t i = 0; i < call.inputs.size(); ++i) {
    const std::vector<double> v = as_doubles(rounded.inputs[i]);
    cpu.inputs[i] = tensor_data::of(F32, call.inputs[i].shape, std::vector<float>(v.begin(), v.end()), call.inputs[i].constant);
  }
  const op_result r = run_cpu(cpu);
  INFO("cpu backend: ", r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  return as_doubles(r.outputs.at(0));
}

void check_close(const tensor_data& got, mirt_dtype dtype, const std::vector<double>& want, double rel_tol) {
  CHECK(got.dtype == dtype);
  const std::vector<double> g = as_doubles(got);
  REQUIRE(g.size() == want.size());
  double worst = 0;
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::fabs(g[i] - want[i]) / std::max(1.0, std::fabs(want[i])));
  INFO("worst relative error ", worst);
  CHECK(worst <= rel_tol);
}

// call's inputs in `reduced`, output 0 in float32 (output_dtype = 1), and with `both` a second
// output in `reduced`.
op_call widened(const op_call& call, mirt_dtype reduced, bool both) {
  op_call c = as_dtype(call, reduced);
  c.outputs[0].dtype = F32;
  if (both) c.outputs.push_back({reduced, call.outputs[0].shape});
  c.attrs.push_back(attr_i("output_dtype", 1));
  return c;
}

}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("SkipLayerNormalization on float16/bfloat16 inputs writes float32, alone or besides its own type") {
  CUDA_TEST_REQUIRE_GPU();
  for (const int64_t cols : {768, 64, 1020}) {  // 1020: halves in 4-value vectors
    CAPTURE(cols);
    const op_call call{"SkipLayerNormalization",
                       {rand_f32({3, 7, cols}, 190, -3, 3), rand_f32({3, 7, cols}, 191, -3, 3), rand_f32({cols}, 192, -1, 1, true),
                        rand_f32({cols}, 193, -1, 1, true)},
                       {{F32, {3, 7, cols}}},
                       {attr_f("epsilon", 1e-12f)}};
    for (const mirt_dtype reduced : {F16, BF16}) {
      CAPTURE(int(reduced));
      const std::vector<double> want = cpu_on_rounded(call, reduced);
      for (const bool both : {false, true}) {
        CAPTURE(both);
        const op_result gpu = run_cuda(widened(call, reduced, both));
        INFO("cuda backend: ", gpu.message);
        REQUIRE(gpu.code == MIRT_STATUS_OK);
        REQUIRE(gpu.outputs.size() == (both ? 2u : 1u));
        check_close(gpu.outputs[0], F32, want, 1e-5);
        if (both) check_close(gpu.outputs[1], reduced, want, reduced == F16 ? 4e-3 : 2e-2);
      }
    }
  }
  // Float32 from float32 inputs besides Y, or float16 from float32, is no folded Cast: refused.
  const op_call f32{"SkipLayerNormalization", {rand_f32({2, 64}, 194), rand_f32({2, 64}, 195), rand_f32({64}, 196)}, {{F32, {2, 64}}, {F32, {2, 64}}}};
  CHECK(run_cuda(f32).code != MIRT_STATUS_OK);
  op_call narrowing = f32;
  narrowing.outputs = {{F16, {2, 64}}};
  CHECK(run_cuda(narrowing).code != MIRT_STATUS_OK);
}

TEST_CASE("FusedElementwise on float16/bfloat16 inputs writes float32 (a lone Tanh and GELU spelled out)") {
  CUDA_TEST_REQUIRE_GPU();
  auto program = [](std::vector<std::string> ops, std::vector<int64_t> operands, std::vector<float> constants) {
    op_call call{"FusedElementwise", {rand_f32({5, 333}, 197, -3, 3)}, {{F32, {5, 333}}}};
    call.attrs = {attr{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(ops)},
                  attr{"operands", MIRT_ATTRIBUTE_TYPE_INTS, std::move(operands), {}, {}},
                  attr{"constants", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(constants), {}}};
    return call;
  };
  const op_call tanh = program({"Tanh"}, {0, 0}, {});
  const op_call gelu = program({"Div", "Erf", "Add", "Mul", "Mul"}, {0, -1, 1, 0, 2, -2, 0, 3, 4, -3}, {1.41421356f, 1.0f, 0.5f});
  for (const op_call* call : {&tanh, &gelu})
    for (const mirt_dtype reduced : {F16, BF16}) {
      CAPTURE(int(reduced));
      const op_result gpu = run_cuda(widened(*call, reduced, false));
      INFO("cuda backend: ", gpu.message);
      REQUIRE(gpu.code == MIRT_STATUS_OK);
      check_close(gpu.outputs.at(0), F32, cpu_on_rounded(*call, reduced), 1e-4);
    }
  // float32 into float16 is no folded Cast: refused.
  op_call narrowing = tanh;
  narrowing.outputs[0].dtype = F16;
  narrowing.attrs.push_back(attr_i("output_dtype", 10));
  CHECK(run_cuda(narrowing).code != MIRT_STATUS_OK);
}

}  // TEST_SUITE
