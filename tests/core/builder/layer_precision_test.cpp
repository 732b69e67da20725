// tests/core/builder/layer_precision_test.cpp — per-layer precision constraints
// (mirt_builder_config_set_layer_precision) on the CPU backend, which has float16 MatMul and
// elementwise kernels: a layer constrained to float32 keeps float32 inside an FP16 build, one
// constrained to float16 runs in float16 without the flag, and unknown names or dtypes are refused.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/plan/plan_reader.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

constexpr int64_t k_n = 4, k_k = 16;
const std::vector<float> k_w1 = random_floats(k_k * k_k, 11), k_w2 = random_floats(k_k * k_k, 12),
                         k_bias = random_floats(k_k, 15);

// x [4,16] -> MatMul "mm1" (W1) -> Add "act" (bias) -> MatMul "y" (W2) -> y.
void two_matmuls(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {k_n, k_k}, w_dims[] = {k_k, k_k}, b_dims[] = {k_k};
  mirt_tensor *x, *w1, *w2, *bias;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w1"), MIRT_DTYPE_FLOAT32, 2, w_dims, k_w1.data(), k_w1.size() * 4, &w1));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w2"), MIRT_DTYPE_FLOAT32, 2, w_dims, k_w2.data(), k_w2.size() * 4, &w2));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("bias"), MIRT_DTYPE_FLOAT32, 1, b_dims, k_bias.data(), k_bias.size() * 4, &bias));
  mirt_tensor* h = add_layer(net.p, "MatMul", "mm1", {x, w1});
  mirt_tensor* r = add_layer(net.p, "Add", "act", {h, bias});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "MatMul", "y", {r, w2})));
}

mirt_status build(mirt_network* net, uint32_t flags, const std::vector<std::pair<const char*, mirt_dtype>>& constraints,
                  plan_owner& plan) {
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  options.precision_flags = flags;
  options.optimization_level = 0;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  for (const auto& [name, dtype] : constraints)
    REQUIRE_OK(mirt_builder_config_set_layer_precision(config.p, sv(name), dtype));
  return mirt_builder_build(net, config.p, &plan.p);
}

mirt::plan_model read(const plan_owner& plan) {
  const size_t size = mirt_plan_size(plan.p);
  std::shared_ptr<std::byte[]> bytes(new std::byte[size]);
  std::memcpy(bytes.get(), mirt_plan_data(plan.p), size);
  mirt::result<mirt::plan_model> model = mirt::read_plan(bytes, size);
  REQUIRE(model.ok());
  return std::move(*model);
}

// The dtype of the (first) output of the layer called name, and of its first input.
struct layer_types {
  mirt_dtype in = MIRT_DTYPE_UNDEFINED, out = MIRT_DTYPE_UNDEFINED;
};
layer_types types_of(const mirt::plan_model& m, const std::string& name) {
  for (const mirt::node& n : m.network.nodes)
    if (n.name == name) return {m.network.tensors[n.inputs[0]].dtype, m.network.tensors[n.outputs[0]].dtype};
  FAIL("no layer ", name);
  return {};
}

// y = (x W1 + bias) W2 in float64.
std::vector<double> reference(const std::vector<float>& x) {
  std::vector<double> h(k_n * k_k), y(k_n * k_k);
  for (int64_t i = 0; i < k_n; ++i)
    for (int64_t j = 0; j < k_k; ++j) {
      double s = 0;
      for (int64_t k = 0; k < k_k; ++k) s += double(x[i * k_k + k]) * k_w1[k * k_k + j];
      h[i * k_k + j] = s + k_bias[j];
    }
  for (int64_t i = 0; i < k_n; ++i)
    for (int64_t j = 0; j < k_k; ++j) {
      double s = 0;
      for (int64_t k = 0; k < k_k; ++k) s += h[i * k_k + k] * k_w2[k * k_k + j];
      y[i * k_k + j] = s;
    }
  return y;
}

// max|y - ref| / max|ref|: float16 layers keep it near their 2^-11 rounding.
double run(const plan_owner& plan, const std::vector<float>& x) {
  running_plan session(plan.p);
  std::vector<float> in = x, y(k_n * k_k);
  bind_and_run(session.context.p, {{"x", in.data()}, {"y", y.data()}});
  const std::vector<double> ref = reference(x);
  double diff = 0, scale = 0;
  for (size_t i = 0; i < y.size(); ++i) diff = std::max(diff, std::abs(y[i] - ref[i])), scale = std::max(scale, std::abs(ref[i]));
  return diff / scale;
}

}  // namespace

TEST_CASE("in an FP16 build, a layer constrained to float32 keeps float32 while the others run in float16") {
  network_owner net;
  two_matmuls(net);
  const std::vector<float> x = random_floats(k_n * k_k, 13);

  plan_owner free_plan;
  REQUIRE_OK(build(net.p, MIRT_PRECISION_FLAG_FP16, {}, free_plan));
  const mirt::plan_model unconstrained = read(free_plan);
  REQUIRE(types_of(unconstrained, "y").in == MIRT_DTYPE_FLOAT16);  // the CPU backend's float16 MatMul ran it

  plan_owner plan;
  REQUIRE_OK(build(net.p, MIRT_PRECISION_FLAG_FP16, {{"y", MIRT_DTYPE_FLOAT32}}, plan));
  const mirt::plan_model m = read(plan);
  CHECK(types_of(m, "mm1").out == MIRT_DTYPE_FLOAT16);
  CHECK(types_of(m, "act").out == MIRT_DTYPE_FLOAT16);
  CHECK(types_of(m, "y").in == MIRT_DTYPE_FLOAT32);  // a Cast back to float32 in front of it
  CHECK(types_of(m, "y").out == MIRT_DTYPE_FLOAT32);
  int casts = 0;
  for (const mirt::node& n : m.network.nodes) casts += n.op_type == "Cast";
  CHECK(casts == 2);  // x to float16, act's output back to float32
  // Against float64: float16 layers within 1e-2 of the largest output (|x| and weights are below 1).
  CHECK(run(plan, x) < 1e-2);
}

TEST_CASE("a layer constrained to float16 runs in float16 in a build without the FP16 flag") {
  network_owner net;
  two_matmuls(net);
  plan_owner plan;
  REQUIRE_OK(build(net.p, 0, {{"mm1", MIRT_DTYPE_FLOAT16}}, plan));
  const mirt::plan_model m = read(plan);
  CHECK(types_of(m, "mm1").in == MIRT_DTYPE_FLOAT16);
  CHECK(types_of(m, "mm1").out == MIRT_DTYPE_FLOAT16);
  CHECK(types_of(m, "act").out == MIRT_DTYPE_FLOAT32);  // no flag: the region does not spread
  CHECK(types_of(m, "y").out == MIRT_DTYPE_FLOAT32);
  CHECK(run(plan, random_floats(k_n * k_k, 14)) < 1e-2);
}

TEST_CASE("a constraint naming no layer, or a dtype other than float32/float16/bfloat16, is refused naming it") {
  network_owner net;
  two_matmuls(net);
  plan_owner plan;
  mirt_status st = build(net.p, MIRT_PRECISION_FLAG_FP16, {{"mm9", MIRT_DTYPE_FLOAT32}}, plan);
  std::string message;
  EXPECT_FAILURE(st, MIRT_STATUS_NOT_FOUND, message);
  CHECK(message.find("'mm9'") != std::string::npos);
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &config.p));
  EXPECT_FAILURE(mirt_builder_config_set_layer_precision(config.p, sv("mm1"), MIRT_DTYPE_INT8),
                 MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("'mm1'") != std::string::npos);
  CHECK(message.find("int8") != std::string::npos);
}
