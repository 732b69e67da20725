// tests/core/runtime/attention_fusion_test.cpp — the builder's attention fusion pass on the cpu
// backend: exported multi-head attention (head Reshape/Transpose, Q K^T, scale, mask Add, Softmax,
// P V, heads back) becomes one mirt::FusedAttention layer, in both spellings exporters use for K^T
// and the scale, and computes what the layers define (a float64 reference here). A pattern with an
// intermediate that is also a graph output is left unfused and still correct. An additive mask made
// from an integer 0/1 padding mask ((1 - Cast(pm)) * c) is folded: the layer reads pm itself.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tests/core/runtime/attention_pattern.hpp"

using namespace mirt_test;
using namespace mirt_test::attention;

namespace {

struct recorded_layers {
  std::vector<std::string> ops;
};

void record(void* user_data, const char*, const char* op, const char*, float) {
  static_cast<recorded_layers*>(user_data)->ops.push_back(op);
}

// Builds for cpu, runs once, CHECKs y against the reference; returns the op of every layer that ran.
std::vector<std::string> run(const spelling& how) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  add_attention(net.p, how, input(net.p, "q", {B, S, E}), input(net.p, "k", {B, S, E}), input(net.p, "v", {B, S, E}));
  plan_owner plan = build_for_cpu(net.p);
  running_plan loaded(plan.p);
  mirt_context* context = loaded.context.p;
  std::vector<float> q = random_floats(B * S * E, 11), k = random_floats(B * S * E, 12), v = random_floats(B * S * E, 13);
  std::vector<float> m(B * S, 0.f), y(B * S * E, NAN), scores(B * H * S * S);
  m[S - 1] = m[S - 2] = -10000.f;  // batch 0: the last two keys masked out
  std::vector<int64_t> pm(B * S, 1);  // the same as a 0/1 padding mask
  std::vector<float> pm_float(B * S, 1.f);
  pm[S - 1] = pm[S - 2] = 0, pm_float[S - 1] = pm_float[S - 2] = 0.f;
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("q"), q.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("k"), k.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("v"), v.data()));
  if (how.padding_mask || how.negated_padding_mask) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("pm"), pm.data()));
  else if (how.float_padding_mask) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("pm"), pm_float.data()));
  else REQUIRE_OK(mirt_context_set_tensor_address(context, sv("m"), m.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), y.data()));
  if (how.scores_as_output) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("mask"), scores.data()));
  recorded_layers layers;
  REQUIRE_OK(mirt_context_set_profiler(context, record, &layers));
  REQUIRE_OK(mirt_context_enqueue(context, nullptr));
  CHECK(max_relative_error(y, reference(q, k, v, m)) < 1e-5);
  return layers.ops;
}

size_t count(const std::vector<std::string>& ops, const char* op) { return size_t(std::count(ops.begin(), ops.end(), op)); }

}  // namespace

TEST_CASE("cpu: exported attention runs as one FusedAttention layer and matches a float64 reference") {
  for (int variant = 0; variant < 5; ++variant) {
    CAPTURE(variant);
    spelling how;
    how.two_transposes_for_k = variant & 1 || variant == 4;
    how.mul_scale = variant & 2;
    how.mask_first = variant == 3;
    how.mask_sliced_by_key = variant == 4;
    const std::vector<std::string> ops = run(how);
    CHECK(count(ops, "FusedAttention") == 1);
    CHECK(count(ops, "Softmax") == 0);
    CHECK(count(ops, "Transpose") == 0);  // the head transposes live in the layer's strides
    CHECK(count(ops, "MatMul") == 0);
  }
}

TEST_CASE("cpu: attention whose scores are also a graph output stays unfused and correct") {
  spelling how;
  how.scores_as_output = true;
  const std::vector<std::string> ops = run(how);
  CHECK(count(ops, "FusedAttention") == 0);
  CHECK(count(ops, "Softmax") == 1);
}

TEST_CASE("cpu: an additive mask computed from an integer padding mask is folded into the FusedAttention layer") {
  spelling how;
  how.padding_mask = true;
  const std::vector<std::string> ops = run(how);
  CHECK(count(ops, "FusedAttention") == 1);
  for (const char* op : {"Cast", "Sub", "Mul", "FusedElementwise"}) CHECK_MESSAGE(count(ops, op) == 0, op);
  // Spelled with Neg: (Neg(Cast(pm)) + 1) * -10000.
  how = spelling{};
  how.negated_padding_mask = true;
  const std::vector<std::string> negated = run(how);
  CHECK(count(negated, "FusedAttention") == 1);
  for (const char* op : {"Cast", "Neg", "Add", "Mul", "FusedElementwise"}) CHECK_MESSAGE(count(negated, op) == 0, op);
  // The same map of a float mask is not folded (the layer reads float masks as they are).
  how = spelling{};
  how.float_padding_mask = true;
  const std::vector<std::string> kept = run(how);
  CHECK(count(kept, "FusedAttention") == 1);
  CHECK(count(kept, "FusedElementwise") + count(kept, "Mul") >= 1);
}
