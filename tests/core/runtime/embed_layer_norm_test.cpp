// tests/core/runtime/embed_layer_norm_test.cpp — the builder's fuse_embed_layer_norm pass on the
// cpu backend: BERT's embedding region (a Gather of the word table, token type and position rows
// added, as Gathers of constant tables by constant indices that fold to constants, then a
// LayerNormalization) builds into one mirt::EmbedLayerNormalization layer that computes what the
// layers define (a float64 reference). Where an intermediate Add is also a graph output or an addend
// is not constant, the layers stay and compute the same. An out-of-range index is a clear error.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

constexpr int64_t S = 5, H = 16, V = 11, P = 8;  // sequence, hidden, vocabulary, positions
constexpr float k_epsilon = 1e-12f;

struct layout {
  int64_t batch = 2;  // at 1 the last Add's operands have one shape (a SkipLayerNormalization pattern too)
  bool int32_ids = false;
  bool sum_also_output = false;  // the first Add is a graph output too: no fusion
  bool input_positions = false;  // the position rows are an input, not a constant: no fusion
};

struct weights {
  std::vector<float> words = random_floats(V * H, 31), types = random_floats(2 * H, 32), positions = random_floats(P * H, 33),
                     gamma = random_floats(H, 34), beta = random_floats(H, 35);
};

void record(void* user_data, const char*, const char* op, const char*, float) {
  static_cast<std::vector<std::string>*>(user_data)->push_back(op);
}

mirt_tensor* constant(mirt_network* net, const char* name, mirt_dtype dtype, std::vector<int64_t> dims, const void* data, size_t bytes) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), dtype, dims.size(), dims.data(), data, bytes, &t));
  return t;
}

// rows [1, S, H] of table (n rows of H) at the given positions, as exporters write them: a Gather
// of a constant table by constant indices (fold_constants makes it a constant).
mirt_tensor* constant_rows(mirt_network* net, const char* name, const std::vector<float>& table, int64_t n, const std::vector<int64_t>& at) {
  mirt_tensor* t = constant(net, (std::string(name) + "_table").c_str(), MIRT_DTYPE_FLOAT32, {n, H}, table.data(), table.size() * 4);
  mirt_tensor* i = constant(net, (std::string(name) + "_ids").c_str(), MIRT_DTYPE_INT64, {1, S}, at.data(), at.size() * 8);
  return add_layer(net, "Gather", name, {t, i});
}

std::vector<int64_t> type_ids() { return {0, 0, 1, 1, 0}; }
std::vector<int64_t> position_ids() { return {0, 1, 2, 3, 4}; }

// LayerNorm(words[ids] + types[type_ids] + positions[pos]) per row, in float64.
std::vector<double> reference(const weights& w, const std::vector<int64_t>& ids, const std::vector<float>* input_positions) {
  std::vector<double> y(ids.size() * H);
  for (int64_t r = 0; r < int64_t(ids.size()); ++r) {
    const int64_t s = r % S, k = ids[size_t(r)] < 0 ? ids[size_t(r)] + V : ids[size_t(r)];
    std::vector<double> v(H);
    double mean = 0, var = 0;
    for (int64_t h = 0; h < H; ++h) {
      const double p = input_positions ? (*input_positions)[size_t(r * H + h)] : w.positions[size_t(position_ids()[size_t(s)] * H + h)];
      v[h] = double(w.words[size_t(k * H + h)]) + w.types[size_t(type_ids()[size_t(s)] * H + h)] + p;
      mean += v[h] / H;
    }
    for (int64_t h = 0; h < H; ++h) var += (v[h] - mean) * (v[h] - mean) / H;
    for (int64_t h = 0; h < H; ++h) y[size_t(r * H + h)] = (v[h] - mean) / std::sqrt(var + k_epsilon) * w.gamma[h] + w.beta[h];
  }
  return y;
}

// Largest |a - b| / max(|b|, 1): LayerNorm outputs near 0 carry the float32 sums' absolute error.
double worst_error(const std::vector<float>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double e = std::abs(actual[i] - expected[i]) / std::max(std::abs(expected[i]), 1.0);
    if (!(e <= worst)) worst = e;  // a NaN counts as the worst
  }
  return worst;
}

struct outcome {
  std::vector<std::string> ops;  // the op of every layer that ran
  std::string error;             // the enqueue's status message, empty when it ran
};

// Builds for cpu and runs once with the given ids; CHECKs y (and the first sum, when an output)
// against the float64 reference when the run succeeds.
outcome run(const layout& how, std::vector<int64_t> ids) {
  const weights w;
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t B = how.batch;
  ids.resize(size_t(B * S));
  const int64_t id_dims[2] = {B, S}, x_dims[3] = {B, S, H};
  mirt_tensor *input_ids = nullptr, *positions = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("ids"), how.int32_ids ? MIRT_DTYPE_INT32 : MIRT_DTYPE_INT64, 2, id_dims, nullptr, &input_ids));
  mirt_tensor* words = constant(net.p, "words", MIRT_DTYPE_FLOAT32, {V, H}, w.words.data(), w.words.size() * 4);
  mirt_tensor* sum = add_layer(net.p, "Add", "sum", {add_layer(net.p, "Gather", "embed", {words, input_ids}),
                                                    constant_rows(net.p, "token_types", w.types, 2, type_ids())});
  if (how.sum_also_output) REQUIRE_OK(mirt_network_mark_output(net.p, sum));
  if (how.input_positions) REQUIRE_OK(mirt_network_add_input(net.p, sv("p"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &positions));
  else positions = constant_rows(net.p, "positions", w.positions, P, position_ids());
  const int64_t axis = -1;
  const mirt_attribute attrs[2] = {int_attr("axis", &axis), mirt_attribute{sv("epsilon"), MIRT_ATTRIBUTE_TYPE_FLOAT, 1, nullptr, &k_epsilon, nullptr}};
  mirt_tensor* y = add_layer(net.p, "LayerNormalization", "y",
                             {add_layer(net.p, "Add", "sum2", {sum, positions}),
                              constant(net.p, "gamma", MIRT_DTYPE_FLOAT32, {H}, w.gamma.data(), H * 4),
                              constant(net.p, "beta", MIRT_DTYPE_FLOAT32, {H}, w.beta.data(), H * 4)},
                             {attrs[0], attrs[1]});
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  plan_owner plan = build_for_cpu(net.p);
  running_plan loaded(plan.p);
  mirt_context* context = loaded.context.p;

  std::vector<int32_t> ids32(ids.begin(), ids.end());
  const std::vector<float> ps = random_floats(B * S * H, 36);
  std::vector<float> ys(size_t(B * S * H), NAN), sums(size_t(B * S * H), NAN);
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("ids"), how.int32_ids ? static_cast<void*>(ids32.data()) : ids.data()));
  if (how.input_positions) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("p"), const_cast<float*>(ps.data())));
  REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), ys.data()));
  if (how.sum_also_output) REQUIRE_OK(mirt_context_set_tensor_address(context, sv("sum"), sums.data()));
  outcome result;
  REQUIRE_OK(mirt_context_set_profiler(context, record, &result.ops));
  result.error = take(mirt_context_enqueue(context, nullptr));
  if (!result.error.empty()) return result;
  CHECK(worst_error(ys, reference(w, ids, how.input_positions ? &ps : nullptr)) < 1e-5);
  if (how.sum_also_output)
    for (int64_t r = 0; r < B * S; ++r)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t k = ids[size_t(r)] < 0 ? ids[size_t(r)] + V : ids[size_t(r)];
        CHECK(sums[size_t(r * H + h)] == w.words[size_t(k * H + h)] + w.types[size_t(type_ids()[size_t(r % S)] * H + h)]);
      }
  return result;
}

size_t count(const std::vector<std::string>& ops, const char* op) { return size_t(std::count(ops.begin(), ops.end(), op)); }

const std::vector<int64_t> k_ids = {3, 0, 10, -1, 7, 2, 2, -11, 5, 9};  // -1 and -11 count from the end

}  // namespace

TEST_CASE("cpu: an embedding Gather, its constant token type and position Adds and LayerNorm run as one EmbedLayerNormalization") {
  const outcome int64_ids = run(layout{}, k_ids);
  REQUIRE(int64_ids.error.empty());
  CHECK(int64_ids.ops == std::vector<std::string>{"EmbedLayerNormalization"});
  layout how;
  how.int32_ids = true;
  const outcome int32_ids = run(how, k_ids);
  REQUIRE(int32_ids.error.empty());
  CHECK(int32_ids.ops == std::vector<std::string>{"EmbedLayerNormalization"});
  // Batch 1: the position Add's operands are both [1, S, H], so the residual pattern of
  // SkipLayerNormalization matches it too; the embedding fusion comes first (BERT at batch 1).
  how = layout{};
  how.batch = 1;
  const outcome one = run(how, k_ids);
  REQUIRE(one.error.empty());
  CHECK(one.ops == std::vector<std::string>{"EmbedLayerNormalization"});
}

TEST_CASE("cpu: the embedding layers stay apart when a sum is also an output or an addend is not constant") {
  layout how;
  how.sum_also_output = true;
  outcome r = run(how, k_ids);
  REQUIRE(r.error.empty());
  CHECK(count(r.ops, "EmbedLayerNormalization") == 0);
  CHECK(count(r.ops, "Gather") == 1);
  how = layout{};
  how.input_positions = true;
  r = run(how, k_ids);
  REQUIRE(r.error.empty());
  CHECK(count(r.ops, "EmbedLayerNormalization") == 0);
  CHECK(count(r.ops, "Gather") == 1);
}

TEST_CASE("cpu: an out-of-range index of EmbedLayerNormalization fails naming the index and its position") {
  std::vector<int64_t> ids = k_ids;
  ids[6] = V;  // one past the last row
  const outcome r = run(layout{}, ids);
  INFO(r.error);
  CHECK(r.error.find("index 11 at position 6 is out of range") != std::string::npos);
  ids[6] = -V - 1;
  CHECK(run(layout{}, ids).error.find("index -12 at position 6 is out of range") != std::string::npos);
}
