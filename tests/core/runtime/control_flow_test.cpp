// tests/core/runtime/control_flow_test.cpp — If, Loop and Scan through the C ABI on the CPU backend:
// bodies with outer-scope values, conditions and trip counts read at run time, plans that round
// trip through bytes, nested control flow, and the errors for malformed layers.
#include <cstring>
#include <tuple>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct body_owner {
  mirt_network* p = nullptr;
  ~body_owner() { mirt_network_destroy(p); }
};

mirt_tensor* input(mirt_network* net, const char* name, mirt_dtype dtype, std::vector<int64_t> dims) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv(name), dtype, dims.size(), dims.data(), nullptr, &t));
  return t;
}

mirt_tensor* body_input(mirt_network* body, const char* name) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_body_input(body, sv(name), &t));
  return t;
}

mirt_tensor* bool_constant(mirt_network* net, const char* name, bool value) {
  const uint8_t v = value;
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), MIRT_DTYPE_BOOL, 0, nullptr, &v, 1, &t));
  return t;
}

mirt_tensor* float_constant(mirt_network* net, const char* name, std::vector<float> values) {
  const int64_t dims[] = {static_cast<int64_t>(values.size())};
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), MIRT_DTYPE_FLOAT32, 1, dims, values.data(), values.size() * 4, &t));
  return t;
}

// Adds a control-flow layer; returns the status (NULL on success) so error tests can read it.
mirt_status add_control_flow(mirt_network* net, const char* op, const char* name, std::vector<mirt_tensor*> inputs,
                             std::vector<mirt_body_attribute> bodies, size_t num_outputs, mirt_tensor** outputs,
                             std::vector<mirt_attribute> attrs = {}) {
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv(op);
  desc.name = sv(name);
  desc.num_inputs = inputs.size();
  desc.inputs = inputs.data();
  desc.num_attributes = attrs.size();
  desc.attributes = attrs.data();
  desc.num_outputs = num_outputs;
  desc.num_bodies = bodies.size();
  desc.bodies = bodies.data();
  return mirt_network_add_layer(net, &desc, outputs);
}

// A loaded network that can also fix shape-tensor value ranges at build time.
struct runner : loaded_network {
  // Builds for cpu; values: shape-tensor value ranges {name, lo, hi} (one element each).
  void build(mirt_network* net, std::vector<std::tuple<const char*, int64_t, int64_t>> values = {}) {
    config_owner config;
    mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
    options.backend = sv("cpu");
    REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
    if (!values.empty()) {
      size_t profile = 0;
      REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
      for (auto [name, lo, hi] : values) {
        const int64_t opt = lo;
        REQUIRE_OK(mirt_builder_config_set_profile_shape_values(config.p, profile, sv(name), 1, &lo, &opt, &hi));
      }
    }
    loaded_network::build(net, config.p);
  }
  std::vector<int64_t> shape(const char* name) {
    size_t rank = 0;
    int64_t dims[MIRT_MAX_RANK];
    REQUIRE_OK(mirt_context_get_tensor_shape(context.p, sv(name), &rank, dims));
    return {dims, dims + rank};
  }
  void bind(const char* name, const void* data) {
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv(name), const_cast<void*>(data)));
  }
};

// The two bodies of an If, created empty on net; the caller fills them.
struct if_branches {
  body_owner then_body, else_body;
  explicit if_branches(mirt_network* net) {
    REQUIRE_OK(mirt_network_create_body(net, sv("then_branch"), &then_body.p));
    REQUIRE_OK(mirt_network_create_body(net, sv("else_branch"), &else_body.p));
  }
  std::vector<mirt_body_attribute> attributes() const {
    return {{sv("then_branch"), then_body.p}, {sv("else_branch"), else_body.p}};
  }
};

// then: x + x; else: x * x (x read from the outer scope).
void add_if(mirt_network* net, mirt_tensor* cond, mirt_tensor* x, const char* name, mirt_tensor** out) {
  if_branches branches(net);
  REQUIRE_OK(mirt_network_mark_output(branches.then_body.p, add_layer(branches.then_body.p, "Add", "twice", {x, x})));
  REQUIRE_OK(mirt_network_mark_output(branches.else_body.p, add_layer(branches.else_body.p, "Mul", "square", {x, x})));
  REQUIRE_OK(add_control_flow(net, "If", name, {cond}, branches.attributes(), 1, out));
}

}  // namespace

TEST_CASE("an If with a run-time condition runs the branch the condition picks, reading outer values") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* cond = input(net.p, "cond", MIRT_DTYPE_BOOL, {});
  mirt_tensor* x = input(net.p, "x", MIRT_DTYPE_FLOAT32, {4});
  mirt_tensor* y = nullptr;
  add_if(net.p, cond, x, "pick", &y);
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  runner r;
  r.build(net.p);
  CHECK(r.shape("pick") == std::vector<int64_t>{4});
  const std::vector<float> xs = random_floats(4, 7);
  std::vector<float> out(4);
  r.bind("x", xs.data());
  r.bind("pick", out.data());
  for (uint8_t c : {1, 0, 1}) {
    r.bind("cond", &c);
    REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
    std::vector<double> want;
    for (float v : xs) want.push_back(c ? 2.0 * v : double(v) * v);
    CHECK(max_relative_error(out, want) < 1e-6);
  }
}

TEST_CASE("an If whose condition is a constant builds the taken branch only, even when branch shapes differ") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* x = input(net.p, "x", MIRT_DTYPE_FLOAT32, {2});
  if_branches branches(net.p);
  REQUIRE_OK(mirt_network_mark_output(branches.then_body.p, add_layer(branches.then_body.p, "Neg", "neg", {x})));
  REQUIRE_OK(mirt_network_mark_output(branches.else_body.p, float_constant(branches.else_body.p, "three", {1, 2, 3})));
  mirt_tensor* y = nullptr;
  REQUIRE_OK(add_control_flow(net.p, "If", "fixed", {bool_constant(net.p, "yes", true)}, branches.attributes(), 1, &y));
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  runner r;
  r.build(net.p);
  CHECK(r.shape("fixed") == std::vector<int64_t>{2});
  const float xs[] = {1.5f, -2.0f};
  float out[2] = {};
  r.bind("x", xs);
  r.bind("fixed", out);
  REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
  CHECK(out[0] == -1.5f);
  CHECK(out[1] == 2.0f);
}

// A while loop: i = 0; while (i < limit) i = i + step; the trip count is decided by data.
void while_network(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* limit = input(net.p, "limit", MIRT_DTYPE_FLOAT32, {1});
  mirt_tensor* step = input(net.p, "step", MIRT_DTYPE_FLOAT32, {1});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  body_input(body.p, "iteration");
  body_input(body.p, "cond_in");
  mirt_tensor* i = body_input(body.p, "i");
  mirt_tensor* next = add_layer(body.p, "Add", "next", {i, step});
  mirt_tensor* more = add_layer(body.p, "Less", "more", {next, limit});
  mirt_tensor* more_scalar = add_layer(body.p, "Squeeze", "more_scalar", {more});
  REQUIRE_OK(mirt_network_mark_output(body.p, more_scalar));
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  mirt_tensor* out = nullptr;
  REQUIRE_OK(add_control_flow(net.p, "Loop", "count", {nullptr, bool_constant(net.p, "go", true),
                                                      float_constant(net.p, "zero", {0})},
                              {{sv("body"), body.p}}, 1, &out));
  REQUIRE_OK(mirt_network_mark_output(net.p, out));
}

TEST_CASE("a while Loop runs until its body's condition turns false, and its plan round trips through bytes") {
  network_owner net;
  while_network(net);
  runner built;
  built.build(net.p);
  // The plan's bytes, loaded again: the body is a nested plan inside the outer one.
  runner r;
  REQUIRE_OK(mirt_plan_create_from_bytes(mirt_plan_data(built.plan.p), mirt_plan_size(built.plan.p), &r.plan.p));
  r.load();
  float result = 0;
  r.bind("count", &result);
  for (auto [limit, step] : {std::pair{10.0f, 3.0f}, std::pair{1.0f, 0.25f}, std::pair{-1.0f, 1.0f}}) {
    r.bind("limit", &limit);
    r.bind("step", &step);
    REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
    double i = 0;
    do i += step; while (i < limit);
    CHECK(result == doctest::Approx(i));
  }
}

TEST_CASE("a Loop whose trip count M is a shape tensor input stacks one scan slice per iteration") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* m = input(net.p, "M", MIRT_DTYPE_INT64, {});
  mirt_tensor* x = input(net.p, "x", MIRT_DTYPE_FLOAT32, {3});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  body_input(body.p, "iteration");
  mirt_tensor* cond_in = body_input(body.p, "cond_in");
  mirt_tensor* sum = body_input(body.p, "sum");
  mirt_tensor* next = add_layer(body.p, "Add", "next", {sum, x});  // x: an outer value
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Identity", "cond_out", {cond_in})));
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Neg", "slice", {next})));
  mirt_tensor* outs[2] = {};
  mirt_tensor* cond = nullptr;  // omitted, or a constant true as exporters write a for loop
  SUBCASE("cond omitted") {}
  SUBCASE("cond a constant true") { cond = bool_constant(net.p, "go", true); }
  REQUIRE_OK(add_control_flow(net.p, "Loop", "accumulate", {m, cond, float_constant(net.p, "zeros", {0, 0, 0})},
                              {{sv("body"), body.p}}, 2, outs));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[0]));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[1]));
  runner r;
  r.build(net.p, {{"M", 0, 8}});
  const std::vector<float> xs = random_floats(3, 11);
  r.bind("x", xs.data());
  for (int64_t trips : {int64_t{5}, int64_t{2}}) {
    r.bind("M", &trips);
    CHECK(r.shape("accumulate:1") == std::vector<int64_t>{trips, 3});
    std::vector<float> total(3), stacked(static_cast<size_t>(trips) * 3);
    r.bind("accumulate:0", total.data());
    r.bind("accumulate:1", stacked.data());
    REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
    std::vector<double> want_total(3, 0.0), want_stacked;
    for (int64_t i = 0; i < trips; ++i)
      for (size_t k = 0; k < 3; ++k) want_total[k] += xs[k], want_stacked.push_back(-want_total[k]);
    CHECK(max_relative_error(total, want_total) < 1e-6);
    CHECK(max_relative_error(stacked, want_stacked) < 1e-6);
  }
}

TEST_CASE("a Scan with an If in its body reads values from two scopes out") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* cond = input(net.p, "cond", MIRT_DTYPE_BOOL, {});
  mirt_tensor* bias = input(net.p, "bias", MIRT_DTYPE_FLOAT32, {2});
  mirt_tensor* xs = input(net.p, "xs", MIRT_DTYPE_FLOAT32, {3, 2});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  mirt_tensor* state = body_input(body.p, "state");
  mirt_tensor* row = body_input(body.p, "row");
  mirt_tensor* shifted = add_layer(body.p, "Add", "shifted", {row, bias});
  mirt_tensor* picked = nullptr;
  add_if(body.p, cond, shifted, "inner", &picked);  // cond is two scopes out
  mirt_tensor* next = add_layer(body.p, "Add", "next", {state, picked});
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Identity", "each", {picked})));
  mirt_tensor* outs[2] = {};
  const int64_t one = 1;
  REQUIRE_OK(add_control_flow(net.p, "Scan", "scan", {float_constant(net.p, "start", {0, 0}), xs},
                              {{sv("body"), body.p}}, 2, outs, {int_attr("num_scan_inputs", &one)}));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[0]));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[1]));
  runner r;
  r.build(net.p);
  const std::vector<float> x = random_floats(6, 3), b = random_floats(2, 4);
  std::vector<float> total(2), each(6);
  r.bind("xs", x.data());
  r.bind("bias", b.data());
  r.bind("scan:0", total.data());
  r.bind("scan:1", each.data());
  for (uint8_t c : {0, 1}) {
    r.bind("cond", &c);
    REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
    std::vector<double> want_total(2, 0.0), want_each;
    for (size_t t = 0; t < 3; ++t)
      for (size_t k = 0; k < 2; ++k) {
        const double s = double(x[t * 2 + k]) + b[k], v = c ? 2 * s : s * s;
        want_total[k] += v;
        want_each.push_back(v);
      }
    CHECK(max_relative_error(total, want_total) < 1e-5);
    CHECK(max_relative_error(each, want_each) < 1e-5);
  }
}

TEST_CASE("a Loop body that gives the wrong number of outputs is refused naming the layer and the counts") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  body_input(body.p, "iteration");
  mirt_tensor* cond_in = body_input(body.p, "cond_in");
  body_input(body.p, "v");
  REQUIRE_OK(mirt_network_mark_output(body.p, cond_in));  // the condition, but not the carried value
  mirt_tensor* out = nullptr;
  std::string message;
  EXPECT_FAILURE(add_control_flow(net.p, "Loop", "short", {nullptr, nullptr, float_constant(net.p, "v0", {1})},
                                  {{sv("body"), body.p}}, 1, &out),
                 MIRT_STATUS_INVALID_GRAPH, message);
  CHECK(message.find("Loop 'short'") != std::string::npos);
  CHECK(message.find("body gives 1 outputs") != std::string::npos);
  CHECK(message.find(": 2") != std::string::npos);
}

TEST_CASE("an If whose condition is not bool fails the build naming the layer and the dtype") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* cond = input(net.p, "cond", MIRT_DTYPE_FLOAT32, {});
  mirt_tensor* x = input(net.p, "x", MIRT_DTYPE_FLOAT32, {4});
  mirt_tensor* y = nullptr;
  add_if(net.p, cond, x, "floaty", &y);
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(nullptr, &config.p));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(net.p, config.p, &plan.p), MIRT_STATUS_INVALID_GRAPH, message);
  CHECK(message.find("If 'floaty'") != std::string::npos);
  CHECK(message.find("float32, expected bool") != std::string::npos);
}

TEST_CASE("If branches of different shapes under a run-time condition make a data-dependent output") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* cond = input(net.p, "cond", MIRT_DTYPE_BOOL, {});
  if_branches branches(net.p);
  REQUIRE_OK(mirt_network_mark_output(branches.then_body.p, float_constant(branches.then_body.p, "two", {1, 2})));
  REQUIRE_OK(mirt_network_mark_output(branches.else_body.p, float_constant(branches.else_body.p, "three", {1, 2, 3})));
  mirt_tensor* y = nullptr;
  REQUIRE_OK(add_control_flow(net.p, "If", "ragged", {cond}, branches.attributes(), 1, &y));
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  runner r;
  r.build(net.p);
  CHECK(r.shape("ragged") == std::vector<int64_t>{-1});  // depends on data
  uint8_t c = 1;
  r.bind("cond", &c);
  std::string message;
  EXPECT_FAILURE(mirt_context_enqueue(r.context.p, nullptr), MIRT_STATUS_FAILED_PRECONDITION, message);
  CHECK(message.find("'ragged'") != std::string::npos);
  CHECK(message.find("mirt_context_set_output_allocator") != std::string::npos);
  // With an output allocator each run takes the chosen branch's shape.
  recording_allocator out;
  const mirt_output_allocator table = out.table();
  REQUIRE_OK(mirt_context_set_output_allocator(r.context.p, sv("ragged"), &table));
  REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
  CHECK(out.shape == std::vector<int64_t>{2});
  CHECK(out.values<float>(2) == std::vector<float>{1, 2});
  c = 0;
  REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
  CHECK(out.shape == std::vector<int64_t>{3});
  CHECK(out.values<float>(3) == std::vector<float>{1, 2, 3});
}

TEST_CASE("a while Loop's scan output takes its length from the run through the output allocator") {
  // i = 0; while (i < limit) { i += step; emit i }: the number of slices depends on the data.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* limit = input(net.p, "limit", MIRT_DTYPE_FLOAT32, {1});
  mirt_tensor* step = input(net.p, "step", MIRT_DTYPE_FLOAT32, {1});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  body_input(body.p, "iteration");
  body_input(body.p, "cond_in");
  mirt_tensor* i = body_input(body.p, "i");
  mirt_tensor* next = add_layer(body.p, "Add", "next", {i, step});
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Squeeze", "more", {add_layer(body.p, "Less", "less", {next, limit})})));
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Identity", "emitted", {next})));
  mirt_tensor* outs[2] = {};
  REQUIRE_OK(add_control_flow(net.p, "Loop", "walk", {nullptr, bool_constant(net.p, "go", true), float_constant(net.p, "zero", {0})},
                              {{sv("body"), body.p}}, 2, outs));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[1]));
  runner r;
  r.build(net.p);
  CHECK(r.shape("walk:1") == std::vector<int64_t>{-1, 1});
  recording_allocator out;
  const mirt_output_allocator table = out.table();
  REQUIRE_OK(mirt_context_set_output_allocator(r.context.p, sv("walk:1"), &table));
  for (auto [lim, stp] : {std::pair{10.0f, 3.0f}, std::pair{1.0f, 0.25f}}) {
    r.bind("limit", &lim);
    r.bind("step", &stp);
    REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
    std::vector<double> want;
    double v = 0;
    do want.push_back(v += stp); while (v < lim);
    CHECK(out.shape == std::vector<int64_t>{static_cast<int64_t>(want.size()), 1});
    CHECK(max_relative_error(out.values<float>(want.size()), want) < 1e-6);
  }
}

TEST_CASE("a batched Scan (ONNX Scan-8) runs its body per batch element, here scanning in reverse") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t B = 3, T = 4, C = 2;
  mirt_tensor* start = input(net.p, "start", MIRT_DTYPE_FLOAT32, {B, C});
  mirt_tensor* xs = input(net.p, "xs", MIRT_DTYPE_FLOAT32, {B, T, C});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  mirt_tensor* state = body_input(body.p, "state");
  mirt_tensor* row = body_input(body.p, "row");
  // state' = state * row + row; each step also gives state'.
  mirt_tensor* next = add_layer(body.p, "Add", "next", {add_layer(body.p, "Mul", "scaled", {state, row}), row});
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  REQUIRE_OK(mirt_network_mark_output(body.p, add_layer(body.p, "Identity", "each", {next})));
  mirt_tensor* outs[2] = {};
  const int64_t one = 1;
  REQUIRE_OK(add_control_flow(net.p, "Scan", "scan", {start, xs}, {{sv("body"), body.p}}, 2, outs,
                              {int_attr("num_scan_inputs", &one), int_attr("batched", &one),
                               ints_attr("scan_input_directions", {1})}));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[0]));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[1]));
  runner r;
  r.build(net.p);
  CHECK(r.shape("scan:0") == std::vector<int64_t>{B, C});
  CHECK(r.shape("scan:1") == std::vector<int64_t>{B, T, C});
  const std::vector<float> s0 = random_floats(B * C, 5), x = random_floats(B * T * C, 6);
  std::vector<float> last(B * C), each(B * T * C);
  r.bind("start", s0.data());
  r.bind("xs", x.data());
  r.bind("scan:0", last.data());
  r.bind("scan:1", each.data());
  REQUIRE_OK(mirt_context_enqueue(r.context.p, nullptr));
  std::vector<double> want_last, want_each(size_t(B * T * C));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c) {
      double s = s0[size_t(b * C + c)];
      for (int64_t t = 0; t < T; ++t) {
        const double v = x[size_t((b * T + (T - 1 - t)) * C + c)];  // reverse: the last row first
        s = s * v + v;
        want_each[size_t((b * T + t) * C + c)] = s;
      }
      want_last.push_back(s);
    }
  CHECK(max_relative_error(last, want_last) < 1e-5);
  CHECK(max_relative_error(each, want_each) < 1e-5);
}

TEST_CASE("a batched Scan whose inputs disagree on the batch is refused naming the layer") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  mirt_tensor* start = input(net.p, "start", MIRT_DTYPE_FLOAT32, {3, 2});
  mirt_tensor* xs = input(net.p, "xs", MIRT_DTYPE_FLOAT32, {2, 4, 2});
  body_owner body;
  REQUIRE_OK(mirt_network_create_body(net.p, sv("body"), &body.p));
  mirt_tensor* next = add_layer(body.p, "Add", "next", {body_input(body.p, "state"), body_input(body.p, "row")});
  REQUIRE_OK(mirt_network_mark_output(body.p, next));
  mirt_tensor* outs[1] = {};
  const int64_t one = 1;
  REQUIRE_OK(add_control_flow(net.p, "Scan", "scan", {start, xs}, {{sv("body"), body.p}}, 1, outs,
                              {int_attr("num_scan_inputs", &one), int_attr("batched", &one)}));
  REQUIRE_OK(mirt_network_mark_output(net.p, outs[0]));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(mirt_builder_build(net.p, config.p, &plan.p), MIRT_STATUS_INVALID_SHAPE, message);
  CHECK(message.find("Scan 'scan'") != std::string::npos);
  CHECK(message.find("input 1 has batch 2, input 0 has 3") != std::string::npos);
}
