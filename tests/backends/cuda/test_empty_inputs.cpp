// tests/backends/cuda/test_empty_inputs.cpp — on the cuda backend too, an input with no elements is
// present, not omitted (backends/support/backend_glue.hpp): Pad of an empty tensor, empty pads and
// axes, and Clip's refusal of an empty bound, as the cpu backend does (tests/backends/cpu/
// test_empty_inputs.cpp).
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32;
}  // namespace

TEST_CASE("cuda Pad of an empty input fills the output with the constant; empty pads and axes pad nothing") {
  CUDA_TEST_REQUIRE_GPU();
  for (const bool constant_pads : {true, false}) {
    CAPTURE(constant_pads);
    const op_call c{"Pad", {f32({0, 3}, {}), i64({4}, {1, 0, 1, 0}, constant_pads), f32({}, {5})}, {{F32, {2, 3}}},
                    {attr_s("mode", "constant")}};
    const op_result r = run_cuda(c);
    REQUIRE(r.code == MIRT_STATUS_OK);
    CHECK(r.outputs[0].values<float>() == std::vector<float>(6, 5.0f));
    compare_with_cpu(c);
  }
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const op_result same = run_cuda({"Pad", {f32({2, 3}, x), i64({0}, {}), omitted(), i64({0}, {})}, {{F32, {2, 3}}}});
  REQUIRE(same.code == MIRT_STATUS_OK);
  CHECK(same.outputs[0].values<float>() == x);
}

TEST_CASE("cuda Clip refuses an empty min or max, naming it; an omitted one leaves that side open") {
  CUDA_TEST_REQUIRE_GPU();
  const tensor_data x = f32({3}, {-2, 0, 2});
  op_result r = run_cuda({"Clip", {x, f32({0}, {}), f32({}, {1})}, {{F32, {3}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("input 1 (min)") != std::string::npos);
  r = run_cuda({"Clip", {x, omitted(), f32({}, {1})}, {{F32, {3}}}});
  REQUIRE(r.code == MIRT_STATUS_OK);
  CHECK(r.outputs[0].values<float>() == std::vector<float>{-2, 0, 1});
}
