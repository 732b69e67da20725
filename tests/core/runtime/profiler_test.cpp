// tests/core/runtime/profiler_test.cpp — the context's per-layer profiler (mirt_context_set_profiler)
// on the CPU backend: one call per layer per enqueue, in execution order, with the layer's op and
// tactic; none once it is removed.
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct recorded {
  std::string layer, op, tactic;
  float ms;
};

void record(void* user_data, const char* layer, const char* op, const char* tactic, float ms) {
  static_cast<std::vector<recorded>*>(user_data)->push_back({layer, op, tactic, ms});
}

}  // namespace

TEST_CASE("the profiler reports every layer of each enqueue in order, and nothing once removed") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 4, 5, 5}, w_dims[] = {4, 4, 3, 3};
  const std::vector<float> weights = random_floats(4 * 4 * 9, 7);
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, weights.data(), weights.size() * 4, &w));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  mirt_tensor* c = add_layer(net.p, "Conv", "conv", {x, w}, {ints_attr("pads", pads)});
  // Abs: an op the builder does not fuse into the Conv (cpu runs Conv + Sigmoid as one FusedConv).
  mirt_tensor* s = add_layer(net.p, "Abs", "sig", {c}, {});
  // Softmax: not elementwise, so Abs stays a layer of its own (Abs + Neg would become one FusedElementwise).
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Softmax", "y", {s}, {})));
  plan_owner plan = build_for_cpu(net.p);
  running_plan session(plan.p);
  mirt_context* context = session.context.p;
  std::vector<float> xs = random_floats(100, 8), ys(100);
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), xs.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), ys.data()));

  std::vector<recorded> calls;
  REQUIRE_OK(mirt_context_set_profiler(context, record, &calls));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  REQUIRE(calls.size() == 6);
  const char* layers[] = {"conv", "sig", "y"};
  const char* ops[] = {"Conv", "Abs", "Softmax"};
  for (size_t i = 0; i < calls.size(); ++i) {
    CAPTURE(i);
    CHECK(calls[i].layer == layers[i % 3]);
    CHECK(calls[i].op == ops[i % 3]);
    CHECK(!calls[i].tactic.empty());
    CHECK(calls[i].ms >= 0.f);
  }
  CHECK(calls[0].tactic.find("onednn_conv") == 0);

  REQUIRE_OK(mirt_context_set_profiler(context, nullptr, nullptr));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  CHECK(calls.size() == 6);

  std::string message;
  EXPECT_FAILURE(mirt_context_set_profiler(nullptr, record, &calls), MIRT_STATUS_INVALID_ARGUMENT, message);
  CHECK(message.find("context is NULL") != std::string::npos);
}
