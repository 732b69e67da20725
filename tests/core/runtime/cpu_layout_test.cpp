// tests/core/runtime/cpu_layout_test.cpp — the builder's layout pass on the cpu backend (float32
// channels-last regions, core/builder/passes/choose_layout.cpp): which layers run NHWC and where
// the Reformat layers go, that the plan computes what the plain (level 0) plan computes, and that
// the pass stays off where it should: level 0, a lone convolution, 1-D convolutions, weights that
// are not constant; that a FusedElementwise layer stays inside a region. And the residual of a
// FusedConv, whose buffer the output may take over (the memory planner runs it in place), against
// float64 loops.
#include <algorithm>
#include <string>
#include <vector>

#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct layer_run {
  std::string op, tactic;
};

void record(void* user_data, const char*, const char* op, const char* tactic, float) {
  static_cast<std::vector<layer_run>*>(user_data)->push_back({op, tactic});
}

struct outcome {
  std::vector<float> y, a;  // the outputs "y" and (when the network has it) "a"
  std::vector<layer_run> layers;
  int count(const std::string& op) const {
    return int(std::count_if(layers.begin(), layers.end(), [&](const layer_run& l) { return l.op == op; }));
  }
  int nhwc_convs() const {
    return int(std::count_if(layers.begin(), layers.end(), [](const layer_run& l) {
      return l.op == "FusedConv" && l.tactic.find("nhwc") != std::string::npos;
    }));
  }
};

mirt_tensor* constant(mirt_network* net, const char* name, std::vector<int64_t> dims, const std::vector<float>& values) {
  mirt_tensor* t = nullptr;
  REQUIRE_OK(mirt_network_add_constant(net, sv(name), MIRT_DTYPE_FLOAT32, dims.size(), dims.data(), values.data(),
                                       values.size() * sizeof(float), &t));
  return t;
}

// Builds at `level`, runs once with the inputs named in `feeds`, returns outputs "y" (y_size) and
// "a" (a_size, when not 0) and the layers that ran.
outcome build_and_run(mirt_network* net, int level, std::vector<std::pair<const char*, std::vector<float>>> feeds,
                      size_t y_size, size_t a_size = 0) {
  plan_owner plan = build_for_cpu(net, level);
  running_plan run(plan.p);
  outcome o;
  o.y.resize(y_size);
  o.a.resize(a_size);
  for (auto& [name, values] : feeds) REQUIRE_OK(mirt_context_set_tensor_address(run.context.p, sv(name), values.data()));
  REQUIRE_OK(mirt_context_set_tensor_address(run.context.p, sv("y"), o.y.data()));
  if (a_size > 0) REQUIRE_OK(mirt_context_set_tensor_address(run.context.p, sv("a"), o.a.data()));
  REQUIRE_OK(mirt_context_set_profiler(run.context.p, record, &o.layers));
  REQUIRE_OK(mirt_context_enqueue(run.context.p, nullptr));
  return o;
}

std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// x [2,3,12,12] -> stem Conv 3->16 + Relu -> MaxPool 2x2/2 -> "p" [2,16,6,6]
// -> Conv 1x1 16->32 + Clip(0,6) -> depthwise Conv 3x3 (group 32) + Clip(0,6) -> "a" (an output too)
// -> Conv 1x1 32->16 + Add(p) -> Relu -> GlobalAveragePool -> "y" [2,16,1,1]: MobileNetV2's block.
void inverted_residual(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 12, 12};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  const std::vector<int64_t> pads = {1, 1, 1, 1}, two = {2, 2};
  const int64_t depthwise = 32;
  mirt_tensor* lo = constant(net.p, "lo", {}, {0.f});
  mirt_tensor* hi = constant(net.p, "hi", {}, {6.f});
  mirt_tensor* stem = add_layer(net.p, "Conv", "stem", {x, constant(net.p, "ws", {16, 3, 3, 3}, random_floats(16 * 27, 1)),
                                                        constant(net.p, "bs", {16}, random_floats(16, 2))},
                                {ints_attr("pads", pads)});
  mirt_tensor* p = add_layer(net.p, "MaxPool", "p", {add_layer(net.p, "Relu", "stem_relu", {stem})},
                             {ints_attr("kernel_shape", two), ints_attr("strides", two)});
  mirt_tensor* e = add_layer(net.p, "Conv", "expand", {p, constant(net.p, "we", {32, 16, 1, 1}, random_floats(32 * 16, 3))});
  e = add_layer(net.p, "Clip", "expand_clip", {e, lo, hi});
  mirt_tensor* d = add_layer(net.p, "Conv", "depthwise", {e, constant(net.p, "wd", {32, 1, 3, 3}, random_floats(32 * 9, 4))},
                             {ints_attr("pads", pads), int_attr("group", &depthwise)});
  mirt_tensor* a = add_layer(net.p, "Clip", "a", {d, lo, hi});
  mirt_tensor* j = add_layer(net.p, "Conv", "project", {a, constant(net.p, "wp", {16, 32, 1, 1}, random_floats(16 * 32, 5))});
  mirt_tensor* r = add_layer(net.p, "Relu", "out_relu", {add_layer(net.p, "Add", "residual", {j, p})});
  REQUIRE_OK(mirt_network_mark_output(net.p, a));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "GlobalAveragePool", "y", {r})));
}

// x [1,8,6(,6)] -> Conv 3 (pad 1) 8->8 with weights w1 -> Relu -> Conv 3 8->8 -> "y". w1 is an input
// of the network (fed like x) when weights_as_input.
void two_convs(network_owner& net, int spatial_rank, bool weights_as_input) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  std::vector<int64_t> x_dims = {1, 8}, w_dims = {8, 8};
  for (int i = 0; i < spatial_rank; ++i) x_dims.push_back(6), w_dims.push_back(3);
  mirt_tensor *x = nullptr, *w1 = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, x_dims.size(), x_dims.data(), nullptr, &x));
  if (weights_as_input) REQUIRE_OK(mirt_network_add_input(net.p, sv("w1"), MIRT_DTYPE_FLOAT32, 4, w_dims.data(), nullptr, &w1));
  else w1 = constant(net.p, "w1", w_dims, random_floats(size_t(8 * 8 * (spatial_rank == 2 ? 9 : 3)), 21));
  const std::vector<int64_t> pads(size_t(2 * spatial_rank), 1);
  mirt_tensor* c = add_layer(net.p, "Relu", "relu", {add_layer(net.p, "Conv", "c1", {x, w1}, {ints_attr("pads", pads)})});
  const std::vector<float> w2 = random_floats(size_t(8 * 8 * (spatial_rank == 2 ? 9 : 3)), 22);
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Conv", "y", {c, constant(net.p, "w2", w_dims, w2)},
                                                       {ints_attr("pads", pads)})));
}

}  // namespace

TEST_CASE("cpu layout: a chain of float32 convolutions runs channels-last and computes what the plain plan does") {
  network_owner net;
  inverted_residual(net);
  std::vector<float> x = random_floats(2 * 3 * 12 * 12, 9);
  for (float& v : x) v *= 4;  // both bounds of the Clips are reached
  const outcome plain = build_and_run(net.p, 0, {{"x", x}}, 2 * 16, 2 * 32 * 36);
  CHECK(plain.count("Reformat") == 0);
  CHECK(plain.nhwc_convs() == 0);
  for (int level : {1, 3}) {
    CAPTURE(level);
    const outcome nhwc = build_and_run(net.p, level, {{"x", x}}, 2 * 16, 2 * 32 * 36);
    // All four convolutions (the depthwise one included) and the MaxPool run NHWC; x enters through
    // one Reformat, and "a" (a graph output) and the GlobalAveragePool's input leave through two.
    CHECK(nhwc.nhwc_convs() == 4);
    CHECK(nhwc.count("FusedConv") == 4);
    CHECK(nhwc.count("Reformat") == 3);
    CHECK(std::any_of(nhwc.layers.begin(), nhwc.layers.end(),
                      [](const layer_run& l) { return l.op == "MaxPool" && l.tactic == "onednn_pool_nhwc"; }));
    CHECK(max_relative_error(nhwc.y, widen(plain.y)) < 1e-5);
    CHECK(max_relative_error(nhwc.a, widen(plain.a)) < 1e-5);
  }
}

TEST_CASE("cpu layout: no region for a lone convolution, 1-D convolutions or weights that are not constant") {
  SUBCASE("the same two 2-D convolutions do form one (the control)") {
    network_owner net;
    two_convs(net, 2, false);
    const outcome o = build_and_run(net.p, 1, {{"x", random_floats(8 * 36, 23)}}, 8 * 36);
    CHECK(o.nhwc_convs() == 2);
    CHECK(o.count("Reformat") == 2);
  }
  SUBCASE("a lone Conv keeps its own timed NCHW tactics") {
    network_owner net;
    REQUIRE_OK(mirt_network_create(nullptr, &net.p));
    add_conv3x3_layer(net.p, 8, random_floats(16 * 16 * 9, 11));
    const outcome o = build_and_run(net.p, 1, {{"x", random_floats(16 * 64, 12)}}, 16 * 64);
    CHECK(o.layers.size() == 1);
    CHECK(o.count("Reformat") == 0);
    CHECK(o.nhwc_convs() == 0);
  }
  SUBCASE("1-D convolutions") {
    network_owner net;
    two_convs(net, 1, false);
    const outcome o = build_and_run(net.p, 1, {{"x", random_floats(8 * 6, 24)}}, 8 * 6);
    CHECK(o.count("Reformat") == 0);
    CHECK(o.nhwc_convs() == 0);
  }
  SUBCASE("the first convolution's weights are an input, so the second is alone") {
    network_owner net;
    two_convs(net, 2, true);
    const outcome o = build_and_run(net.p, 1, {{"x", random_floats(8 * 36, 25)}, {"w1", random_floats(8 * 8 * 9, 26)}}, 8 * 36);
    CHECK(o.count("Reformat") == 0);
    CHECK(o.nhwc_convs() == 0);
  }
}

TEST_CASE("cpu layout: a FusedElementwise layer (SiLU spelled out) between two convolutions stays in their region") {
  // x [1,8,6,6] -> Conv 3x3 -> c -> c * Sigmoid(c) (fused into one mirt::FusedElementwise) -> Conv 3x3 -> "y".
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 8, 6, 6};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  mirt_tensor* c = add_layer(net.p, "Conv", "c1", {x, constant(net.p, "w1", {8, 8, 3, 3}, random_floats(8 * 8 * 9, 41))},
                             {ints_attr("pads", pads)});
  mirt_tensor* silu = add_layer(net.p, "Mul", "silu", {c, add_layer(net.p, "Sigmoid", "sigmoid", {c})});
  REQUIRE_OK(mirt_network_mark_output(
      net.p, add_layer(net.p, "Conv", "y", {silu, constant(net.p, "w2", {8, 8, 3, 3}, random_floats(8 * 8 * 9, 42))},
                       {ints_attr("pads", pads)})));
  const std::vector<float> xs = random_floats(8 * 36, 43);
  const outcome plain = build_and_run(net.p, 0, {{"x", xs}}, 8 * 36);
  const outcome o = build_and_run(net.p, 1, {{"x", xs}}, 8 * 36);
  CHECK(o.count("FusedElementwise") == 1);
  CHECK(o.nhwc_convs() == 2);
  CHECK(o.count("Reformat") == 2);  // x in, y out: none around the fused layer
  CHECK(max_relative_error(o.y, widen(plain.y)) < 1e-5);
}

TEST_CASE("cpu: a residual that dies at its FusedConv is added right when the output takes its buffer") {
  // x [1,8,5,5] -> Conv 1x1 (w1) -> t -> Conv 1x1 (w2) + t -> Relu -> "y": t is an intermediate
  // tensor whose last reader is the second convolution, so y's buffer may be t's.
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t c = 8, pixels = 25, x_dims[] = {1, c, 5, 5};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  const std::vector<float> w1 = random_floats(c * c, 31), w2 = random_floats(c * c, 32), xs = random_floats(c * pixels, 33);
  mirt_tensor* t = add_layer(net.p, "Conv", "c1", {x, constant(net.p, "w1", {c, c, 1, 1}, w1)});
  mirt_tensor* u = add_layer(net.p, "Conv", "c2", {t, constant(net.p, "w2", {c, c, 1, 1}, w2)});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "y", {add_layer(net.p, "Add", "sum", {u, t})})));
  std::vector<double> ts(size_t(c * pixels), 0.0), expected(size_t(c * pixels), 0.0);
  for (int64_t o = 0; o < c; ++o)
    for (int64_t i = 0; i < c; ++i)
      for (int64_t p = 0; p < pixels; ++p) ts[size_t(o * pixels + p)] += double(w1[size_t(o * c + i)]) * xs[size_t(i * pixels + p)];
  for (int64_t o = 0; o < c; ++o)
    for (int64_t p = 0; p < pixels; ++p) {
      double v = ts[size_t(o * pixels + p)];
      for (int64_t i = 0; i < c; ++i) v += double(w2[size_t(o * c + i)]) * ts[size_t(i * pixels + p)];
      expected[size_t(o * pixels + p)] = std::max(v, 0.0);
    }
  for (int level : {0, 1}) {
    CAPTURE(level);
    const outcome o = build_and_run(net.p, level, {{"x", xs}}, size_t(c * pixels));
    CHECK(o.count("FusedConv") >= 1);
    CHECK(max_relative_error(o.y, expected) < 1e-5);
  }
}
