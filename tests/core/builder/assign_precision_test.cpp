// tests/core/builder/assign_precision_test.cpp — the builder's mixed-precision and conv-fusion passes
// on the "halfbe" fixture backend (tests/core/fixtures/half_backend: every kernel in every dtype but
// Softmax in halves, FusedConv with Relu): which layers run reduced, where the Cast layers go, how
// constants are converted, and that graph inputs and outputs keep float32.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/plan/plan_describe.hpp"
#include "core/plan/plan_reader.hpp"
#include "tests/core/test_support.hpp"

using namespace mirt_test;

namespace {

struct built {
  mirt::plan_model model;
  const mirt::node* find(const std::string& op) const {
    for (const mirt::node& n : model.network.nodes)
      if (n.op_type == op) return &n;
    return nullptr;
  }
  int count(const std::string& op) const {
    int c = 0;
    for (const mirt::node& n : model.network.nodes) c += n.op_type == op;
    return c;
  }
  mirt_dtype dtype(int t) const { return model.network.tensors[t].dtype; }
};

built read(const plan_owner& plan) {
  const size_t size = mirt_plan_size(plan.p);
  std::shared_ptr<std::byte[]> bytes(new std::byte[size]);
  std::memcpy(bytes.get(), mirt_plan_data(plan.p), size);
  mirt::result<mirt::plan_model> model = mirt::read_plan(bytes, size);
  REQUIRE(model.ok());
  return {std::move(*model)};
}

void use_fixture_backend() {
  static const bool added = [] {
    REQUIRE_OK(mirt_registry_add_search_path(sv(HALF_BACKEND_DIR)));
    return true;
  }();
  (void)added;
}

plan_owner build(mirt_network* net, uint32_t flags) {
  use_fixture_backend();
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("halfbe");
  options.precision_flags = flags;
  options.optimization_level = 0;
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  plan_owner plan;
  mirt_status st = mirt_builder_build(net, config.p, &plan.p);
  if (st) {
    const char* m = mirt_status_get_message(st);
    MESSAGE("build failed: code ", int(mirt_status_get_code(st)), " ", std::string(m ? m : "(null)"));
    mirt_status_destroy(st);
  }
  REQUIRE(plan.p != nullptr);
  return plan;
}

// x [1,4,6,6] -> Conv (W, B) -> Relu -> "r" (an output) -> Softmax -> "y" (an output).
const std::vector<float> k_weights = random_floats(8 * 4 * 9, 3), k_bias = random_floats(8, 4);

void conv_relu_softmax(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 4, 6, 6}, w_dims[] = {8, 4, 3, 3}, b_dims[] = {8};
  mirt_tensor *x, *w, *b;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 4, w_dims, k_weights.data(), k_weights.size() * 4, &w));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("b"), MIRT_DTYPE_FLOAT32, 1, b_dims, k_bias.data(), k_bias.size() * 4, &b));
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  mirt_tensor* c = add_layer(net.p, "Conv", "conv", {x, w, b}, {ints_attr("pads", pads)});
  mirt_tensor* r = add_layer(net.p, "Relu", "r", {c});
  REQUIRE_OK(mirt_network_mark_output(net.p, r));
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Softmax", "y", {r})));
}

float half_to_float(uint16_t h) {
  const int exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  const float sign = (h & 0x8000) ? -1.f : 1.f;
  if (exponent == 0) return sign * std::ldexp(float(mantissa), -24);
  return sign * std::ldexp(float(mantissa | 0x400), exponent - 25);
}

float bfloat16_to_float(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void check_reduced(mirt_dtype reduced, uint32_t flag) {
  network_owner net;
  conv_relu_softmax(net);
  const built b = read(build(net.p, flag));
  const mirt::graph& g = b.model.network;
  // Conv + Relu fused, and the fused layer runs reduced on reduced constants.
  const mirt::node* conv = b.find("FusedConv");
  REQUIRE(conv != nullptr);
  for (int t : conv->inputs) CHECK(b.dtype(t) == reduced);
  CHECK(b.dtype(conv->outputs[0]) == reduced);
  const mirt::tensor& w = g.tensors[conv->inputs[1]];
  REQUIRE(w.constant >= 0);
  const auto* bits = static_cast<const uint16_t*>(g.constants[w.constant].data());
  double worst = 0;
  for (size_t i = 0; i < k_weights.size(); ++i) {
    const float v = reduced == MIRT_DTYPE_FLOAT16 ? half_to_float(bits[i]) : bfloat16_to_float(bits[i]);
    worst = std::max(worst, std::fabs(double(v) - k_weights[i]) / std::max(std::fabs(double(k_weights[i])), 1e-3));
  }
  CHECK(worst <= (reduced == MIRT_DTYPE_FLOAT16 ? 1.0 / 2048 : 1.0 / 256));  // one rounding to nearest
  // Softmax has no reduced kernel: it reads the float32 output "r", which a Cast writes.
  const mirt::node* softmax = b.find("Softmax");
  REQUIRE(softmax != nullptr);
  CHECK(b.dtype(softmax->inputs[0]) == MIRT_DTYPE_FLOAT32);
  CHECK(g.tensors[softmax->inputs[0]].name == "r");
  // Two Casts: x to reduced at the input, the fused layer's output back to float32 for "r".
  CHECK(b.count("Cast") == 2);
  for (int t : g.inputs) CHECK(b.dtype(t) == MIRT_DTYPE_FLOAT32);
  for (int t : g.outputs) CHECK(b.dtype(t) == MIRT_DTYPE_FLOAT32);
}

}  // namespace

TEST_CASE("FP16 and BF16 flags run the conv region reduced with Casts at its edges; Softmax stays float32") {
  check_reduced(MIRT_DTYPE_FLOAT16, MIRT_PRECISION_FLAG_FP16);
  check_reduced(MIRT_DTYPE_BFLOAT16, MIRT_PRECISION_FLAG_BF16);
}

TEST_CASE("without a reduced-precision flag every layer stays float32 and no Cast is added") {
  network_owner net;
  conv_relu_softmax(net);
  const built b = read(build(net.p, MIRT_PRECISION_FLAG_TF32));
  CHECK(b.count("Cast") == 0);
  for (const mirt::tensor& t : b.model.network.tensors)
    if (t.dtype != MIRT_DTYPE_UNDEFINED) CHECK(t.dtype == MIRT_DTYPE_FLOAT32);
}

TEST_CASE("a residual Add of two Convs is fused into one of them, which reads the other's output") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 4, 6, 6}, w_dims[] = {4, 4, 1, 1};
  const std::vector<float> wa = random_floats(16, 5), wb = random_floats(16, 6);
  mirt_tensor *x, *a_w, *b_w;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 4, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("wa"), MIRT_DTYPE_FLOAT32, 4, w_dims, wa.data(), 64, &a_w));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("wb"), MIRT_DTYPE_FLOAT32, 4, w_dims, wb.data(), 64, &b_w));
  mirt_tensor* a = add_layer(net.p, "Conv", "a", {x, a_w});
  mirt_tensor* b = add_layer(net.p, "Conv", "b", {x, b_w});
  mirt_tensor* sum = add_layer(net.p, "Add", "sum", {a, b});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Relu", "z", {sum})));
  const built m = read(build(net.p, 0));  // built before the fix: both Convs took the Add
  REQUIRE(m.count("FusedConv") == 1);
  CHECK(m.count("Conv") == 1);
  CHECK(m.count("Add") == 0);
  CHECK(m.count("Relu") == 0);
  const mirt::node* fused = m.find("FusedConv");
  const mirt::node* plain = m.find("Conv");
  REQUIRE(fused->inputs.size() == 4);
  CHECK(fused->inputs[3] == plain->outputs[0]);
  CHECK(m.model.network.tensors[fused->outputs[0]].name == "z");
}

// q, k, v [1, 4, 8] (2 heads of 4) -> attention with mask m [1, 1, 1, 4] -> Reshape -> "a";
// x [1, 4, 8] -> MatMul -> residual Add with x -> LayerNormalization -> "y".
void attention_and_residual_norm(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t seq_dims[] = {1, 4, 8}, mask_dims[] = {1, 1, 1, 4}, w_dims[] = {8, 8}, g_dims[] = {8}, four[] = {4}, three[] = {3};
  static const std::vector<int64_t> heads = {1, 4, 2, 4}, merged = {1, 4, 8};
  static const float two = 2.f;
  static const std::vector<float> w = random_floats(64, 5), g = random_floats(8, 6);
  mirt_tensor *q, *k, *v, *m, *x, *hs, *ms, *sc, *wt, *gt;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("q"), MIRT_DTYPE_FLOAT32, 3, seq_dims, nullptr, &q));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("k"), MIRT_DTYPE_FLOAT32, 3, seq_dims, nullptr, &k));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("v"), MIRT_DTYPE_FLOAT32, 3, seq_dims, nullptr, &v));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("m"), MIRT_DTYPE_FLOAT32, 4, mask_dims, nullptr, &m));
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, seq_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("heads"), MIRT_DTYPE_INT64, 1, four, heads.data(), 32, &hs));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("merged"), MIRT_DTYPE_INT64, 1, three, merged.data(), 24, &ms));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("two"), MIRT_DTYPE_FLOAT32, 0, nullptr, &two, 4, &sc));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 2, w_dims, w.data(), 256, &wt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("g"), MIRT_DTYPE_FLOAT32, 1, g_dims, g.data(), 32, &gt));
  auto split = [&](const char* name, mirt_tensor* t, std::vector<int64_t> perm) {
    return add_layer(net.p, "Transpose", name, {add_layer(net.p, "Reshape", (std::string(name) + "_r").c_str(), {t, hs})},
                     {ints_attr("perm", perm)});
  };
  mirt_tensor* s = add_layer(net.p, "MatMul", "qk", {split("qh", q, {0, 2, 1, 3}), split("kh", k, {0, 2, 3, 1})});
  s = add_layer(net.p, "Add", "masked", {add_layer(net.p, "Div", "scaled", {s, sc}), m});
  mirt_tensor* p = add_layer(net.p, "Softmax", "probs", {s});
  mirt_tensor* o = add_layer(net.p, "MatMul", "pv", {p, split("vh", v, {0, 2, 1, 3})});
  o = add_layer(net.p, "Transpose", "merge", {o}, {ints_attr("perm", {0, 2, 1, 3})});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Reshape", "a", {o, ms})));
  mirt_tensor* sum = add_layer(net.p, "Add", "residual", {add_layer(net.p, "MatMul", "mm", {x, wt}), x});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "LayerNormalization", "y", {sum, gt})));
}

TEST_CASE("with FP16 the fused attention anchors a float16 region and SkipLayerNormalization follows the MatMul's") {
  network_owner net;
  attention_and_residual_norm(net);
  const plan_owner plan = build(net.p, MIRT_PRECISION_FLAG_FP16);
  const built b = read(plan);
  CHECK(b.count("Softmax") == 0);
  CHECK(b.count("Transpose") == 0);
  const mirt::node* attention = b.find("FusedAttention");
  REQUIRE(attention != nullptr);
  for (int t : attention->inputs) CHECK(b.dtype(t) == MIRT_DTYPE_FLOAT16);  // the mask too, through a Cast
  CHECK(b.dtype(attention->outputs[0]) == MIRT_DTYPE_FLOAT16);
  const mirt::node* norm = b.find("SkipLayerNormalization");
  REQUIRE(norm != nullptr);
  CHECK(b.count("LayerNormalization") == 0);
  CHECK(b.dtype(norm->inputs[0]) == MIRT_DTYPE_FLOAT16);
  // Its float16 result fed only the Cast to the output "y": the layer writes y in float32 itself.
  CHECK(b.model.network.tensors[norm->outputs[0]].name == "y");
  CHECK(b.dtype(norm->outputs[0]) == MIRT_DTYPE_FLOAT32);
}

// x [1, 4, 8] -> MatMul -> residual Add with x -> LayerNormalization -> "h" (an output), and
// h[:, 0] (Gather) -> MatMul -> Tanh -> "p": BERT's last layer and its pooler.
void bert_tail(network_owner& net) {
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {1, 4, 8}, w_dims[] = {8, 8}, g_dims[] = {8};
  static const std::vector<float> w = random_floats(64, 8), w2 = random_floats(64, 9), g = random_floats(8, 10);
  static const int64_t first = 0, axis = 1;
  mirt_tensor *x, *wt, *w2t, *gt, *idx;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 3, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 2, w_dims, w.data(), 256, &wt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w2"), MIRT_DTYPE_FLOAT32, 2, w_dims, w2.data(), 256, &w2t));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("g"), MIRT_DTYPE_FLOAT32, 1, g_dims, g.data(), 32, &gt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("first"), MIRT_DTYPE_INT64, 0, nullptr, &first, 8, &idx));
  mirt_tensor* sum = add_layer(net.p, "Add", "residual", {add_layer(net.p, "MatMul", "mm", {x, wt}), x});
  mirt_tensor* h = add_layer(net.p, "LayerNormalization", "h", {sum, gt});
  REQUIRE_OK(mirt_network_mark_output(net.p, h));
  mirt_tensor* cls = add_layer(net.p, "Gather", "cls", {h, idx}, {int_attr("axis", &axis)});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Tanh", "p", {add_layer(net.p, "MatMul", "dense", {cls, w2t})})));
}

TEST_CASE("with FP16 the Casts to the float32 outputs fold into SkipLayerNormalization and the lone Tanh before them") {
  network_owner net;
  bert_tail(net);
  const built b = read(build(net.p, MIRT_PRECISION_FLAG_FP16));
  const mirt::graph& g16 = b.model.network;
  for (const mirt::node& n : g16.nodes)
    if (n.op_type == "Cast") CHECK_FALSE(g16.tensors[n.outputs[0]].is_output);  // x's Cast to float16 only
  // SkipLayerNormalization writes "h" in float32 and, for the Gather, its float16 copy.
  const mirt::node* norm = b.find("SkipLayerNormalization");
  REQUIRE(norm != nullptr);
  REQUIRE(norm->outputs.size() == 2);
  CHECK(g16.tensors[norm->outputs[0]].name == "h");
  CHECK(b.dtype(norm->outputs[0]) == MIRT_DTYPE_FLOAT32);
  CHECK(b.dtype(norm->outputs[1]) == MIRT_DTYPE_FLOAT16);
  CHECK(norm->attributes.get_int("output_dtype", 0) == 1);
  const mirt::node* gather = b.find("Gather");
  REQUIRE(gather != nullptr);
  CHECK(gather->inputs[0] == norm->outputs[1]);
  // The Tanh is a one-step program from float16 to the float32 output "p".
  const mirt::node* tanh = b.find("FusedElementwise");
  REQUIRE(tanh != nullptr);
  CHECK(b.count("Tanh") == 0);
  const mirt::attribute* ops = tanh->attributes.find("ops");
  REQUIRE(ops != nullptr);
  CHECK(ops->strings == std::vector<std::string>{"Tanh"});
  CHECK(b.dtype(tanh->inputs[0]) == MIRT_DTYPE_FLOAT16);
  CHECK(g16.tensors[tanh->outputs[0]].name == "p");
  CHECK(b.dtype(tanh->outputs[0]) == MIRT_DTYPE_FLOAT32);
}

TEST_CASE("inspect's JSON shows a layer with a folded Cast computing in float16 and writing float32") {
  network_owner net;
  bert_tail(net);
  const built b = read(build(net.p, MIRT_PRECISION_FLAG_FP16));
  const nlohmann::json doc = nlohmann::json::parse(mirt::describe_plan_json(b.model, 0));
  auto layer = [&](const std::string& op) {
    for (const nlohmann::json& l : doc.at("layers"))
      if (l.at("op") == op) return l;
    FAIL("no ", op, " layer");
    return nlohmann::json();
  };
  const nlohmann::json norm = layer("SkipLayerNormalization"), tanh = layer("FusedElementwise"), mm = layer("MatMul");
  CHECK(norm.at("precision") == "float16");
  CHECK(norm.at("output_dtypes") == nlohmann::json::array({"float32", "float16"}));  // "h", and the Gather's copy
  CHECK(tanh.at("precision") == "float16");
  CHECK(tanh.at("output_dtypes") == nlohmann::json::array({"float32"}));
  CHECK(mm.at("precision") == "float16");  // no Cast folded: precision and outputs agree
  CHECK(mm.at("output_dtypes") == nlohmann::json::array({"float16"}));
}

// x [2, 8] -> MatMul -> Mul 0.5 -> Tanh -> Add 1 -> "y" (one FusedElementwise of follower steps);
// x -> MatMul -> Mul 0.5 -> Exp -> Add 1 -> "z" (Exp's range needs float32).
TEST_CASE("with FP16 a FusedElementwise of follower steps joins the MatMul's region, one with Exp stays float32") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t x_dims[] = {2, 8}, w_dims[] = {8, 8};
  static const float half = 0.5f, one = 1.f;
  static const std::vector<float> w = random_floats(64, 7);
  mirt_tensor *x, *wt, *h, *o;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("x"), MIRT_DTYPE_FLOAT32, 2, x_dims, nullptr, &x));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("w"), MIRT_DTYPE_FLOAT32, 2, w_dims, w.data(), 256, &wt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("half"), MIRT_DTYPE_FLOAT32, 0, nullptr, &half, 4, &h));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("one"), MIRT_DTYPE_FLOAT32, 0, nullptr, &one, 4, &o));
  auto branch = [&](const char* unary, const char* out) {
    const std::string u(unary);
    mirt_tensor* m = add_layer(net.p, "MatMul", (u + "_mm").c_str(), {x, wt});
    mirt_tensor* a = add_layer(net.p, unary, (u + "_act").c_str(), {add_layer(net.p, "Mul", (u + "_scale").c_str(), {m, h})});
    REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "Add", out, {a, o})));
  };
  branch("Tanh", "y");
  branch("Exp", "z");
  const built b = read(build(net.p, MIRT_PRECISION_FLAG_FP16));
  const mirt::graph& g = b.model.network;
  REQUIRE(b.count("FusedElementwise") == 2);
  int reduced = 0;
  for (const mirt::node& n : g.nodes) {
    if (n.op_type != "FusedElementwise") continue;
    const mirt::attribute* ops = n.attributes.find("ops");
    REQUIRE(ops != nullptr);
    const bool has_exp = std::find(ops->strings.begin(), ops->strings.end(), "Exp") != ops->strings.end();
    CHECK(b.dtype(n.inputs[0]) == (has_exp ? MIRT_DTYPE_FLOAT32 : MIRT_DTYPE_FLOAT16));
    // The float16 program writes the float32 output "y" itself (its Cast folded in).
    CHECK(b.dtype(n.outputs[0]) == MIRT_DTYPE_FLOAT32);
    CHECK(n.attributes.get_int("output_dtype", 0) == (has_exp ? 0 : 1));
    reduced += !has_exp;
  }
  CHECK(reduced == 1);
}

// ids [2, 4] -> Gather(table [10, 8]) + constant rows [1, 4, 8] + constant rows [4, 8] -> LayerNorm
// -> "y": BERT's embeddings, which the builder fuses into one EmbedLayerNormalization.
TEST_CASE("with FP16 EmbedLayerNormalization anchors a float16 region: its table, addend and scale become float16 constants") {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  const int64_t id_dims[] = {2, 4}, table_dims[] = {10, 8}, rows_dims[] = {1, 4, 8}, period_dims[] = {4, 8}, g_dims[] = {8};
  static const std::vector<float> table = random_floats(80, 41), rows = random_floats(32, 42), period = random_floats(32, 43),
                                  gamma = random_floats(8, 44);
  mirt_tensor *ids, *tt, *rt, *pt, *gt;
  REQUIRE_OK(mirt_network_add_input(net.p, sv("ids"), MIRT_DTYPE_INT64, 2, id_dims, nullptr, &ids));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("table"), MIRT_DTYPE_FLOAT32, 2, table_dims, table.data(), 320, &tt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("rows"), MIRT_DTYPE_FLOAT32, 3, rows_dims, rows.data(), 128, &rt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("period"), MIRT_DTYPE_FLOAT32, 2, period_dims, period.data(), 128, &pt));
  REQUIRE_OK(mirt_network_add_constant(net.p, sv("gamma"), MIRT_DTYPE_FLOAT32, 1, g_dims, gamma.data(), 32, &gt));
  mirt_tensor* sum = add_layer(net.p, "Add", "sum", {add_layer(net.p, "Gather", "embed", {tt, ids}), rt});
  sum = add_layer(net.p, "Add", "sum2", {pt, sum});
  REQUIRE_OK(mirt_network_mark_output(net.p, add_layer(net.p, "LayerNormalization", "y", {sum, gt})));
  const built b = read(build(net.p, MIRT_PRECISION_FLAG_FP16));
  const mirt::graph& g = b.model.network;
  CHECK(b.count("Gather") == 0);
  CHECK(b.count("Add") == 0);
  CHECK(b.count("LayerNormalization") == 0);
  const mirt::node* embed = b.find("EmbedLayerNormalization");
  REQUIRE(embed != nullptr);
  REQUIRE(embed->inputs.size() == 4);
  CHECK(b.dtype(embed->inputs[0]) == MIRT_DTYPE_INT64);
  for (size_t i = 1; i < 4; ++i) {
    CAPTURE(i);
    CHECK(b.dtype(embed->inputs[i]) == MIRT_DTYPE_FLOAT16);
    CHECK(g.tensors[embed->inputs[i]].constant >= 0);
  }
  CHECK(b.dtype(embed->outputs[0]) == MIRT_DTYPE_FLOAT16);
  CHECK(b.count("Cast") == 1);  // the output back to float32
  // The addend is the two constants' sum, [1, 4, 8], rounded to float16 once.
  const mirt::tensor& addend = g.tensors[embed->inputs[2]];
  REQUIRE(addend.shape.size() == 3);
  const auto* bits = static_cast<const uint16_t*>(g.constants[addend.constant].data());
  for (size_t i = 0; i < 32; ++i) {
    const uint16_t h = bits[i];
    const float widened = std::ldexp(float((h & 0x3FF) | 0x400), int((h >> 10) & 0x1F) - 25) * ((h & 0x8000) ? -1.f : 1.f);
    CHECK(std::abs(widened - (rows[i] + period[i])) <= 1e-3f * std::max(1.f, std::abs(rows[i] + period[i])));
  }
  // No float32 copy of the table is left in the plan.
  for (const mirt::tensor& t : g.tensors) CHECK_FALSE((t.name == "table" && t.constant >= 0 && t.dtype == MIRT_DTYPE_FLOAT32));
}
