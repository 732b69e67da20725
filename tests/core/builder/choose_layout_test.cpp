// tests/core/builder/choose_layout_test.cpp — the builder's layout pass (core/builder/passes/
// choose_layout.cpp) on the "halfbe" fixture backend, which claims every kernel: which layers run
// channels-last, where the Reformat layers go, and that it stays off at optimization level 0, in
// float32 and for convolutions whose channel counts tensor cores do not tile.
#include <cstring>
#include <string>
#include <vector>

#include "core/plan/plan_reader.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct layout_plan {
  mirt::plan_model model;
  int count(const std::string& op, const std::string& layout_attr = "", const std::string& value = "") const {
    int c = 0;
    for (const mirt::node& n : model.network.nodes)
      c += n.op_type == op && (layout_attr.empty() || n.attributes.get_string(layout_attr, "") == value);
    return c;
  }
  const mirt::node& producer_of(int t) const {
    for (const mirt::node& n : model.network.nodes)
      for (int o : n.outputs)
        if (o == t) return n;
    FAIL("tensor ", t, " has no producer");
    return model.network.nodes.front();
  }
  const mirt::node& named(const std::string& name) const {
    for (const mirt::node& n : model.network.nodes)
      if (n.name == name) return n;
    FAIL("no layer ", name);
    return model.network.nodes.front();
  }
};

layout_plan build(mirt_network* net, uint32_t flags, int level) {
  static const bool added = [] {
    REQUIRE_OK(mirt_registry_add_search_path(sv(HALF_BACKEND_DIR)));
    return true;
  }();
  (void)added;
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("halfbe");
  options.precision_flags = flags;
  options.optimization_level = level;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  if (mirt_status st = mirt_builder_build(net, config.p, &plan.p)) {
    const std::string message = mirt_status_get_message(st);
    mirt_status_destroy(st);
    FAIL("build failed: ", message);
  }
  const size_t size = mirt_plan_size(plan.p);
  std::shared_ptr<std::byte[]> bytes(new std::byte[size]);
  std::memcpy(bytes.get(), mirt_plan_data(plan.p), size);
  mirt::result<mirt::plan_model> model = mirt::read_plan(bytes, size);
  REQUIRE(model.ok());
  return {std::move(*model)};
}

// x [2,3,8,8] -> stem Conv (3 -> 16) + Relu -> MaxPool 2x2/2 -> Conv "a" (16 -> 32) + Relu -> "a"
// (an output too) -> Conv "b" (32 -> 32) + Add(a) + Relu -> GlobalAveragePool -> "y"; and
// x -> Conv "c" (3 -> 12 channels: not a tensor-core tile) -> "c".
void residual_cnn(network_owner& net) {
  static const std::vector<float> ws = random_floats(16 * 3 * 9, 1), wa = random_floats(32 * 16 * 9, 2),
                                  wb = random_floats(32 * 32 * 9, 3), wc = random_floats(12 * 3 * 9, 4);
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 8, 8}, ws_dims[] = {16, 3, 3, 3}, wa_dims[] = {32, 16, 3, 3}, wb_dims[] = {32, 32, 3, 3},
                wc_dims[] = {12, 3, 3, 3};
  mirt_tensor *x, *w_s, *w_a, *w_b, *w_c;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("ws"), MIRT_DTYPE_FLOAT32, 4, ws_dims, ws.data(), ws.size() * 4, &w_s));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("wa"), MIRT_DTYPE_FLOAT32, 4, wa_dims, wa.data(), wa.size() * 4, &w_a));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("wb"), MIRT_DTYPE_FLOAT32, 4, wb_dims, wb.data(), wb.size() * 4, &w_b));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("wc"), MIRT_DTYPE_FLOAT32, 4, wc_dims, wc.data(), wc.size() * 4, &w_c));
  const std::vector<int64_t> pads = {1, 1, 1, 1}, two = {2, 2};
  mirt_tensor* s = add_layer(net.p, "Relu", "s", {add_layer(net.p, "Conv", "stem", {x, w_s}, {ints_attr("pads", pads)})});
  mirt_tensor* pooled = add_layer(net.p, "MaxPool", "pool", {s}, {ints_attr("kernel_shape", two), ints_attr("strides", two)});
  mirt_tensor* a = add_layer(net.p, "Relu", "a", {add_layer(net.p, "Conv", "conv_a", {pooled, w_a}, {ints_attr("pads", pads)})});
  mirt_tensor* b = add_layer(net.p, "Conv", "conv_b", {a, w_b}, {ints_attr("pads", pads)});
  mirt_tensor* z = add_layer(net.p, "Relu", "z", {add_layer(net.p, "Add", "sum", {b, a})});
  REQUIRE_OK(mirt_network_mark_output(net.p, a));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "GlobalAveragePool", "y", {z})));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Conv", "c", {x, w_c}, {ints_attr("pads", pads)})));
}

}  // namespace

TEST_CASE("layout pass: half convolutions with output channels in multiples of 8 run NHWC between Reformat layers") {
  network_owner net;
  residual_cnn(net);
  const layout_plan p = build(net.p, MIRT_PRECISION_FLAG_FP16, 1);
  CHECK(p.count("FusedConv", "layout", "NHWC") == 3);  // stem, conv_a and conv_b
  CHECK(p.named("c").op_type == "Conv");                // 12 output channels: stays NCHW, unfused
  const mirt::node& stem = p.named("stem");
  const mirt::node& pool = p.named("pool");
  const mirt::node& a = p.named("conv_a");
  const mirt::node& b = p.named("conv_b");
  // The region: stem -> MaxPool (channels-last) -> conv_a -> conv_b, reading each other's outputs.
  CHECK(pool.domain == "mirt");
  CHECK(pool.attributes.get_string("layout", "") == "NHWC");
  CHECK(pool.inputs[0] == stem.outputs[0]);
  CHECK(a.inputs[0] == pool.outputs[0]);
  REQUIRE(b.inputs.size() == 4);
  CHECK(b.inputs[0] == a.outputs[0]);
  CHECK(b.inputs[3] == a.outputs[0]);
  // x enters through one Reformat to NHWC (of its float16 Cast), which Conv "c" does not read.
  const mirt::node& in = p.producer_of(stem.inputs[0]);
  CHECK(in.op_type == "Reformat");
  CHECK(in.attributes.get_string("to", "") == "NHWC");
  CHECK(p.producer_of(in.inputs[0]).op_type == "Cast");
  CHECK(p.named("c").inputs[0] == in.inputs[0]);
  // GlobalAveragePool and the graph output "a" read NCHW tensors made by Reformat layers.
  const mirt::node& back = p.producer_of(p.named("y").inputs[0]);
  CHECK(back.op_type == "Reformat");
  CHECK(back.attributes.get_string("to", "") == "NCHW");
  CHECK(back.inputs[0] == b.outputs[0]);
  const int out_a = p.model.network.find_tensor("a");
  REQUIRE(out_a >= 0);
  CHECK(p.producer_of(out_a).op_type == "Reformat");
  CHECK(p.model.network.tensors[out_a].dtype == MIRT_DTYPE_FLOAT32);
  CHECK(p.count("Reformat", "to", "NHWC") == 1);
  CHECK(p.count("Reformat", "to", "NCHW") == 2);
}

TEST_CASE("layout pass: off at optimization level 0 and in float32") {
  network_owner net;
  residual_cnn(net);
  for (const auto& [flags, level] : {std::pair<uint32_t, int>{MIRT_PRECISION_FLAG_FP16, 0}, {0u, 1}}) {
    CAPTURE(level);
    const layout_plan p = build(net.p, flags, level);
    CHECK(p.count("Reformat") == 0);
    CHECK(p.count("FusedConv", "layout", "NHWC") == 0);
  }
}

TEST_CASE("layout pass: the float16 Cast of an image input that only the region reads folds into its Reformat") {
  // x [2,3,8,8] -> stem Conv (3 -> 16) + Relu -> GlobalAveragePool -> y: x's float16 Cast feeds
  // nothing but the Reformat into the region.
  static const std::vector<float> ws = random_floats(16 * 3 * 9, 5);
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 3, 8, 8}, ws_dims[] = {16, 3, 3, 3};
  mirt_tensor *x, *w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("ws"), MIRT_DTYPE_FLOAT32, 4, ws_dims, ws.data(), ws.size() * 4, &w));
  mirt_tensor* s = add_layer(net.p, "Relu", "s", {add_layer(net.p, "Conv", "stem", {x, w}, {ints_attr("pads", {1, 1, 1, 1})})});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "GlobalAveragePool", "y", {s})));
  for (const auto& [flag, dtype] : {std::pair<uint32_t, mirt_dtype>{MIRT_PRECISION_FLAG_FP16, MIRT_DTYPE_FLOAT16},
                                    {MIRT_PRECISION_FLAG_BF16, MIRT_DTYPE_BFLOAT16}}) {
    CAPTURE(flag);
    const layout_plan p = build(net.p, flag, 1);
    const mirt::node& stem = p.named("stem");
    CHECK(stem.attributes.get_string("layout", "") == "NHWC");
    const mirt::node& in = p.producer_of(stem.inputs[0]);
    CHECK(in.op_type == "Reformat");
    CHECK(in.attributes.get_string("to", "") == "NHWC");
    const int x_index = p.model.network.find_tensor("x");
    CHECK(in.inputs[0] == x_index);  // reads the float32 input itself
    CHECK(p.model.network.tensors[stem.inputs[0]].dtype == dtype);
    for (const mirt::node& n : p.model.network.nodes)
      if (n.op_type == "Cast") CHECK(n.inputs[0] != x_index);  // only the output's Cast back to float32 is left
  }
}
