// tests/core/builder/fold_constants_test.cpp — the builder's constant folding (core/builder/passes/
// fold_constants.cpp) on the cpu backend: a constant it computes on the CPU makes later shapes known,
// and the shape arithmetic after it folds in the next sweep.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/plan/plan_reader.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

mirt::plan_model read_back(const mirt_plan* plan) {
  const size_t size = mirt_plan_size(plan);
  std::shared_ptr<std::byte[]> bytes(new std::byte[size]);
  std::memcpy(bytes.get(), mirt_plan_data(plan), size);
  mirt::result<mirt::plan_model> model = mirt::read_plan(bytes, size);
  REQUIRE(model.ok());
  return std::move(*model);
}

int count(const mirt::plan_model& model, const std::string& op) {
  int c = 0;
  for (const mirt::node& n : model.network.nodes) c += n.op_type == op;
  return c;
}

}  // namespace

TEST_CASE("shape arithmetic after a constant computed on the CPU folds too (Pad with cast pads -> Shape -> Reshape)") {
  // pads come from a float constant through Cast: inference knows no values for them, so Pad's
  // output shape is unknown until the Cast runs at build time. Shape(Pad) must fold after that.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 2, 3, 3}, pad_dims[] = {8};
  const float pad_values[] = {0, 0, 1, 0, 0, 0, 0, 2};
  mirt_tensor *x, *pads_f;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("pads_f"), MIRT_DTYPE_FLOAT32, 1, pad_dims, pad_values, sizeof(pad_values), &pads_f));
  const int64_t to_int64 = 7;  // ONNX's INT64
  mirt_tensor* pads = add_layer(net.p, "Cast", "pads", {pads_f}, {int_attr("to", &to_int64)});
  mirt_tensor* padded = add_layer(net.p, "Pad", "padded", {x, pads});
  mirt_tensor* shape = add_layer(net.p, "Shape", "shape", {padded});
  mirt_tensor* y = add_layer(net.p, "Reshape", "y", {add_layer(net.p, "Relu", "relu", {padded}), shape});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  loaded_network run;
  run.build(net.p);
  const mirt::plan_model model = read_back(run.plan.p);
  CHECK(count(model, "Cast") == 0);
  CHECK(count(model, "Shape") == 0);
  CHECK(count(model, "Pad") == 1);
  // And the result is the padded input: [1, 2, 4, 5], one row above the original and two columns after.
  const std::vector<float> xs = random_floats(18, 5);
  std::vector<float> out(1 * 2 * 4 * 5, -1.0f);
  bind_and_run(run.context.p, {{"x", const_cast<float*>(xs.data())}, {"y", out.data()}});
  for (int c = 0; c < 2; ++c)
    for (int h = 0; h < 4; ++h)
      for (int w = 0; w < 5; ++w) {
        const float want = h >= 1 && w < 3 ? std::max(xs[size_t((c * 3 + h - 1) * 3 + w)], 0.0f) : 0.0f;
        CHECK(out[size_t((c * 4 + h) * 5 + w)] == want);
      }
}

TEST_CASE("a random op is never folded, though it has no inputs: each run draws again") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const std::vector<int64_t> shape = {64};
  mirt_tensor* noise = add_layer(net.p, "RandomUniform", "noise", {}, {ints_attr("shape", shape)});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {noise})));
  loaded_network run;
  run.build(net.p);
  CHECK(count(read_back(run.plan.p), "RandomUniform") == 1);
  std::vector<float> first(64), second(64);
  bind_and_run(run.context.p, {{"y", first.data()}});
  bind_and_run(run.context.p, {{"y", second.data()}});
  CHECK(first != second);
  CHECK(*std::min_element(first.begin(), first.end()) >= 0.0f);
  CHECK(*std::max_element(first.begin(), first.end()) < 1.0f);
}
