// tests/core/runtime/qkv_packing_test.cpp — the builder's pack_attention_inputs pass on the cpu
// backend: attention whose Q, K and V are three Linear layers (MatMul + bias Add) over one input
// runs as one FusedMatMul of three times the width and a FusedAttention reading the packed QKV,
// and still computes what the layers define (a float64 reference). Where one projection has
// another reader, or the three read different inputs, they stay apart and the result is the same.
// The plan keeps only the packed weights, and a batch dim that is symbolic in the network but fixed
// by the profile does not stop the packing (BERT's first layer, where it did).
#include <string>
#include <vector>

#include "tests/core/runtime/attention_pattern.hpp"

using namespace mirt_test;
using namespace mirt_test::attention;

namespace {

constexpr int64_t C = 7;  // input features

struct linear_weights {
  std::vector<float> w, b;  // [C, E], [E]
};

struct layout {
  bool k_also_output = false;  // K's projection is a graph output too: no packing
  bool v_from_other = false;   // V projects a second input: no packing
  bool symbolic_batch = false;  // x [batch, S, C] with a profile of batch B, the head Reshapes to B
};

void record(void* user_data, const char*, const char* op, const char*, float) {
  static_cast<std::vector<std::string>*>(user_data)->push_back(op);
}

mirt_tensor* add_linear(mirt_network* net, const std::string& name, mirt_tensor* x, const linear_weights& l) {
  mirt_tensor* w = constant(net, (name + "_w").c_str(), MIRT_DTYPE_FLOAT32, {C, E}, l.w.data(), l.w.size() * 4);
  mirt_tensor* b = constant(net, (name + "_b").c_str(), MIRT_DTYPE_FLOAT32, {E}, l.b.data(), l.b.size() * 4);
  return add_layer(net, "Add", (name + "_proj").c_str(), {add_layer(net, "MatMul", (name + "_mm").c_str(), {x, w}), b});
}

// x [B, S, C] times w [C, E] plus b, in float64, rounded to float.
std::vector<float> project(const std::vector<float>& x, const linear_weights& l) {
  std::vector<float> y(size_t(B * S * E));
  for (int64_t r = 0; r < B * S; ++r)
    for (int64_t e = 0; e < E; ++e) {
      double acc = l.b[e];
      for (int64_t c = 0; c < C; ++c) acc += double(x[r * C + c]) * l.w[c * E + e];
      y[r * E + e] = float(acc);
    }
  return y;
}

// Builds for cpu, runs once, CHECKs y against the reference; returns the op of every layer that ran.
std::vector<std::string> run(const layout& how, std::string* description = nullptr) {
  const linear_weights q{random_floats(C * E, 21), random_floats(E, 22)}, k{random_floats(C * E, 23), random_floats(E, 24)},
      v{random_floats(C * E, 25), random_floats(E, 26)};
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* x = nullptr;
  if (how.symbolic_batch) {
    const int64_t dims[3] = {-1, S, C};
    const mirt_string_view names[3] = {sv("batch"), sv(""), sv("")};
    REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, dims, names, &x));
  } else {
    x = input(net.p, "x", {B, S, C});
  }
  mirt_tensor* x2 = how.v_from_other ? input(net.p, "x2", {B, S, C}) : x;
  mirt_tensor* k_proj = add_linear(net.p, "k", x, k);
  if (how.k_also_output) REQUIRE_OK(mirt_network_mark_output(net.p, k_proj));
  add_attention(net.p, spelling{}, add_linear(net.p, "q", x, q), k_proj, add_linear(net.p, "v", x2, v));
  // With a symbolic batch, the build's one profile fixes it to B.
  plan_owner plan = how.symbolic_batch ? build_for_cpu_with_profile(net.p, {{"x", {B, S, C}, {B, S, C}, {B, S, C}}}) : build_for_cpu(net.p);
  if (description) *description = describe_plan(plan.p);
  running_plan loaded(plan.p);
  mirt_context* context = loaded.context.p;
  std::vector<float> xs = random_floats(B * S * C, 27), x2s = random_floats(B * S * C, 28);
  std::vector<float> m(B * S, 0.f), y(B * S * E, NAN), k_out(B * S * E, NAN);
  m[S - 1] = -10000.f;  // batch 0: the last key masked out
  if (how.symbolic_batch) {
    const int64_t shape[3] = {B, S, C};
    REQUIRE_OK(mirt_context_set_input_shape(context, sv("x"), 3, shape));
  }
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), xs.data()));
  if (how.v_from_other) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x2"), x2s.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("m"), m.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), y.data()));
  if (how.k_also_output) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("k_proj"), k_out.data()));
  std::vector<std::string> ops;
  REQUIRE_OK(mirt_context_set_profiler(context, record, &ops));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  const std::vector<float> kp = project(xs, k);
  CHECK(max_relative_error(y, reference(project(xs, q), kp, project(how.v_from_other ? x2s : xs, v), m)) < 1e-5);
  if (how.k_also_output) CHECK(max_relative_error(k_out, std::vector<double>(kp.begin(), kp.end())) < 1e-5);
  return ops;
}

size_t count(const std::vector<std::string>& ops, const char* op) { return size_t(std::count(ops.begin(), ops.end(), op)); }

}  // namespace

TEST_CASE("cpu: Q, K and V Linear layers over one input run as one packed FusedMatMul feeding FusedAttention") {
  std::string description;
  const std::vector<std::string> ops = run(layout{}, &description);
  CHECK(count(ops, "FusedAttention") == 1);
  CHECK(count(ops, "FusedMatMul") == 1);
  CHECK(count(ops, "MatMul") == 0);
  CHECK(count(ops, "Add") == 0);
  // The three weight matrices the packed one replaced are not carried in the plan.
  for (const char* name : {"\"q_w\"", "\"k_w\"", "\"v_w\"", "\"q_b\""}) CHECK_MESSAGE(description.find(name) == std::string::npos, name);
  CHECK(description.find("qkv_weights") != std::string::npos);
}

TEST_CASE("cpu: Q, K and V are packed when the input's batch dim is symbolic and the profile fixes it") {
  layout how;
  how.symbolic_batch = true;
  const std::vector<std::string> ops = run(how);
  CHECK(count(ops, "FusedMatMul") == 1);
}

TEST_CASE("cpu: Q, K and V projections stay apart when one has another reader or they read different inputs") {
  layout how;
  how.k_also_output = true;
  CHECK(count(run(how), "FusedMatMul") == 3);
  how = layout{};
  how.v_from_other = true;
  CHECK(count(run(how), "FusedMatMul") == 3);
}
