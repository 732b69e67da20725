// tests/backends/cuda/test_bert_tail.cpp — BERT's last layer and pooler built in FP16 for the cuda
// backend, end to end through libmirt, against the cpu backend in float32: the Casts to the two
// float32 outputs fold into the layers before them (core/builder/passes/fold_casts.cpp: the
// SkipLayerNormalization writes "h" in float32 and its float16 copy for the pooler, the Tanh
// writes "p"), and the residual reads the input through a Reshape that shares the input's buffer
// (memory_plan::input_aliases). Without a GPU the case skips itself.
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mirt/mirt.h"
#include "tests/backends/cuda/runtime_api_support.hpp"

using namespace cuda_api_test;

namespace {

constexpr int64_t B = 2, S = 8, H = 64;

std::vector<float> values(size_t n, unsigned seed, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(float(i * 7 + seed * 13) * 0.37f);
  return v;
}

mirt_tensor* constant(mirt_network* net, const char* name, std::vector<int64_t> dims, const std::vector<float>& v) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(), v.data(), v.size() * 4, &t));
  return t;
}

// x [B, S, H] -> MatMul + bias -> + Reshape(x) (the residual) -> LayerNormalization -> "h";
// h[:, 0] (Gather) -> Gemm (transB) -> Tanh -> "p".
plan_owner build(const char* backend, uint32_t flags) {
  static const std::vector<float> w = values(H * H, 1, 0.1f), b = values(H, 2, 0.1f), g = values(H, 3, 1.f),
                                  beta = values(H, 4, 0.1f), w2 = values(H * H, 5, 0.1f), b2 = values(H, 6, 0.1f);
  static const int64_t zero = 0, axis = 1, trans = 1;
  static const std::vector<int64_t> shape = {B, S, H};
  mirt_network* net = nullptr;
  REQUIRE_OK(mirt_network_create(nullptr, &net));
  const int64_t x_dims[] = {B, S, H}, shape_dims[] = {3};
  mirt_tensor *x, *shape_t, *index;
  REQUIRE_OK(mirt_network_add_input(net, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net, sv("shape"), MIRT_DTYPE_INT64, 1, shape_dims, shape.data(), 24, &shape_t));
  REQUIRE_OK(mirt_network_add_constant(net, sv("first"), MIRT_DTYPE_INT64, 0, nullptr, &zero, 8, &index));
  mirt_tensor* mm = add_layer(net, "MatMul", "dense", {x, constant(net, "w", {H, H}, w)});
  mirt_tensor* biased = add_layer(net, "Add", "bias", {mm, constant(net, "b", {H}, b)});
  mirt_tensor* sum = add_layer(net, "Add", "residual", {biased, add_layer(net, "Reshape", "x_view", {x, shape_t})});
  mirt_tensor* h = add_layer(net, "LayerNormalization", "h", {sum, constant(net, "g", {H}, g), constant(net, "beta", {H}, beta)});
  REQUIRE_OK(mirt_network_mark_output(net, h));
  mirt_attribute gather_axis{sv("axis"), MIRT_ATTRIBUTE_TYPE_INT, 1, &axis};
  mirt_tensor* cls = add_layer(net, "Gather", "cls", {h, index}, {gather_axis});
  mirt_attribute trans_b{sv("transB"), MIRT_ATTRIBUTE_TYPE_INT, 1, &trans};
  mirt_tensor* pooled = add_layer(net, "Gemm", "pool", {cls, constant(net, "w2", {H, H}, w2), constant(net, "b2", {H}, b2)}, {trans_b});
  REQUIRE_OK(mirt_network_mark_output(net, add_layer(net, "Tanh", "p", {pooled})));
  return build_plan(net, backend, flags);
}

// Runs plan on x; device: the cuda backend (device buffers), else host buffers. Returns {h, p}.
std::vector<std::vector<float>> run(const plan_owner& plan, const std::vector<float>& x, bool device) {
  running_plan running(plan.p);
  mirt_context* context = running.context.p;
  std::vector<std::vector<float>> out = {std::vector<float>(B * S * H), std::vector<float>(B * H)};
  std::vector<float> host_x = x;
  void *dx = host_x.data(), *dh = out[0].data(), *dp = out[1].data();
  if (device) {
    REQUIRE(cudaMalloc(&dx, x.size() * 4) == cudaSuccess);
    REQUIRE(cudaMalloc(&dh, out[0].size() * 4) == cudaSuccess);
    REQUIRE(cudaMalloc(&dp, out[1].size() * 4) == cudaSuccess);
    REQUIRE(cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice) == cudaSuccess);
  }
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), dx));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("h"), dh));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("p"), dp));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  if (device) {
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    REQUIRE(cudaMemcpy(out[0].data(), dh, out[0].size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    REQUIRE(cudaMemcpy(out[1].data(), dp, out[1].size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    std::vector<float> x_after(x.size());
    REQUIRE(cudaMemcpy(x_after.data(), dx, x.size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(x_after == x);  // nothing wrote into the input through its view
    for (void* p : {dx, dh, dp}) cudaFree(p);
  }
  return out;
}

// The plan's description without white space.
std::string describe(const plan_owner& plan) {
  std::string text = mirt_test::describe_plan(plan.p);
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n'; }), text.end());
  return text;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("cuda FP16: BERT's last layer and pooler write their float32 outputs without Cast layers and match the cpu backend") {
  SKIP_WITHOUT_GPU();
  const plan_owner gpu_plan = build("cuda", MIRT_PRECISION_FLAG_FP16);
  const plan_owner cpu_plan = build("cpu", 0);
  const std::string plan = describe(gpu_plan);
  INFO(plan);
  // Only x's two Casts to float16 (for the MatMul, and of its view for the residual) are left.
  CHECK(count(plan, "\"op\":\"Cast\"") == 2);
  CHECK(count(plan, "\"op\":\"SkipLayerNormalization\"") == 1);
  CHECK(count(plan, "\"output_dtype\":1") == 2);
  CHECK(count(plan, "{\"tensor\":\"x_view\",\"input\":\"x\"}") == 1);
  const std::vector<float> x = values(B * S * H, 7, 2.f);
  const auto gpu = run(gpu_plan, x, true);
  const auto cpu = run(cpu_plan, x, false);
  for (size_t o = 0; o < 2; ++o) {
    CAPTURE(o);
    float worst = 0, largest = 0;
    for (size_t i = 0; i < cpu[o].size(); ++i) {
      worst = std::max(worst, std::fabs(gpu[o][i] - cpu[o][i]));
      largest = std::max(largest, std::fabs(cpu[o][i]));
    }
    CHECK(worst <= 2e-2f * largest);  // float16 layers: as tests/gpu/run.sh's FP16 sample models
  }
}
