// tests/plugins/plugin_shape_expr_test.cpp — output shapes as expressions over input dims
// (mirt/plugin.h's dim expressions): the FrameSignal example through a dynamic-shape model run at
// two shapes, every mirt_dim_op through a plugin written here against the C ABI, symbolic dims in
// the plan, and the errors for expressions that contradict the graph.
#include <cstring>

#include "tests/plugins/plugin_test_support.hpp"

using namespace plugin_test;

namespace {

// ---- A C-level plugin whose one output has one dim per mirt_dim_op (or a bad expression) ----------

enum class mode { all_ops, missing_input, missing_axis, divide, dips };
const char* const mode_names[] = {"ExprOps", "ExprMissingInput", "ExprMissingAxis", "ExprDivide", "ExprDips"};

const char* op_name(const void* self) { return mode_names[int(*static_cast<const mode*>(self))]; }
const char* op_version(const void*) { return "1"; }
const char* op_namespace(const void*) { return "test.expr"; }
mirt_status op_clone(const void* self, mirt_plugin* out);
void op_destroy(void*) {}
size_t op_num_outputs(const void*) { return 1; }
mirt_status op_dtypes(const void*, const mirt_dtype*, size_t, mirt_dtype* out, size_t) {
  out[0] = MIRT_DTYPE_FLOAT32;
  return nullptr;
}
// Inputs a [A, B] and b [C, 6]: out = [A*b.d1, B+4, B-1, B/3, ceil(B/3), max(A,C), min(A,C)].
mirt_status op_exprs(const void* self, const mirt_tensor_desc*, size_t, mirt_dim_expr_builder* x,
                     mirt_output_shape_expr* out, size_t) {
  auto dim = [&](uint32_t i, uint32_t d) { return x->input_dim(x->self, i, d); };
  auto op = [&](mirt_dim_op o, const mirt_dim_expr* a, const mirt_dim_expr* b) { return x->operation(x->self, o, a, b); };
  auto c = [&](int64_t v) { return x->constant(x->self, v); };
  switch (*static_cast<const mode*>(self)) {
    case mode::all_ops: {
      out[0].rank = 7;
      const mirt_dim_expr* dims[] = {op(MIRT_DIM_OP_PROD, dim(0, 0), dim(1, 1)), op(MIRT_DIM_OP_SUM, dim(0, 1), c(4)),
                                     op(MIRT_DIM_OP_SUB, dim(0, 1), c(1)), op(MIRT_DIM_OP_FLOOR_DIV, dim(0, 1), c(3)),
                                     op(MIRT_DIM_OP_CEIL_DIV, dim(0, 1), c(3)), op(MIRT_DIM_OP_MAX, dim(0, 0), dim(1, 0)),
                                     op(MIRT_DIM_OP_MIN, dim(0, 0), dim(1, 0))};
      std::memcpy(out[0].dims, dims, sizeof(dims));
      return nullptr;
    }
    case mode::missing_input:
      out[0].rank = 1, out[0].dims[0] = op(MIRT_DIM_OP_SUM, dim(2, 0), c(1));
      return nullptr;
    case mode::missing_axis:
      out[0].rank = 1, out[0].dims[0] = dim(0, 5);
      return nullptr;
    case mode::divide:  // B / (B - 2): zero at B = 2
      out[0].rank = 1, out[0].dims[0] = op(MIRT_DIM_OP_FLOOR_DIV, dim(0, 1), op(MIRT_DIM_OP_SUB, dim(0, 1), c(2)));
      return nullptr;
    case mode::dips:  // (B - 2) * (B - 6) + 3: negative for B in 3..5 only
      out[0].rank = 1;
      out[0].dims[0] = op(MIRT_DIM_OP_SUM, op(MIRT_DIM_OP_PROD, op(MIRT_DIM_OP_SUB, dim(0, 1), c(2)),
                                              op(MIRT_DIM_OP_SUB, dim(0, 1), c(6))), c(3));
      return nullptr;
  }
  return nullptr;
}
mirt_status op_tactics(const void*, mirt_string_view backend, const mirt_node_info*, mirt_tactic_info* out,
                       uint32_t capacity, uint32_t* count) {
  *count = std::string_view(backend.data, backend.length) == "cpu" ? 1 : 0;
  if (*count && capacity) {
    out[0].id = 1;
    std::strcpy(out[0].name, "expr_ops_nothing");
  }
  return nullptr;
}
int kernel_token;
mirt_status op_kernel_create(const void*, mirt_string_view, const mirt_node_info*, uint64_t, mirt_kernel** k) {
  *k = reinterpret_cast<mirt_kernel*>(&kernel_token);
  return nullptr;
}
mirt_status op_execute(const mirt_kernel*, const mirt_kernel_io*) { return nullptr; }  // shapes are the point
void op_kernel_destroy(mirt_kernel*) {}
mirt_status op_serialize(const void*, const mirt_attribute** out, size_t* count) {
  *out = nullptr;
  *count = 0;
  return nullptr;
}

const mirt_plugin_core_vtable op_core = {sizeof(mirt_plugin_core_vtable), op_name, op_version, op_namespace, op_clone,
                                         op_destroy};
mirt_plugin_build_vtable make_build_table() {
  mirt_plugin_build_vtable b{};
  b.struct_size = sizeof(b);
  b.num_outputs = op_num_outputs;
  b.get_output_dtypes = op_dtypes;
  b.get_output_shape_exprs = op_exprs;  // and no get_output_shapes
  return b;
}
const mirt_plugin_build_vtable op_build = make_build_table();
const mirt_plugin_runtime_vtable op_runtime = {sizeof(mirt_plugin_runtime_vtable), op_tactics, op_kernel_create,
                                               nullptr, op_execute, op_kernel_destroy, op_serialize};

mirt_status op_clone(const void* self, mirt_plugin* out) {
  out->self = const_cast<void*>(self);
  out->core = &op_core, out->build = &op_build, out->runtime = &op_runtime;
  return nullptr;
}
mirt_status op_create(const mirt_plugin_creator* creator, const mirt_attribute*, size_t, mirt_plugin* out) {
  return op_clone(creator->user_data, out);
}

const mode modes[] = {mode::all_ops, mode::missing_input, mode::missing_axis, mode::divide, mode::dips};
const mirt_plugin_creator creators[] = {
    {sizeof(mirt_plugin_creator), "ExprOps", "1", "test.expr", "", 0, nullptr, op_create, (void*)&modes[0]},
    {sizeof(mirt_plugin_creator), "ExprMissingInput", "1", "test.expr", "", 0, nullptr, op_create, (void*)&modes[1]},
    {sizeof(mirt_plugin_creator), "ExprMissingAxis", "1", "test.expr", "", 0, nullptr, op_create, (void*)&modes[2]},
    {sizeof(mirt_plugin_creator), "ExprDivide", "1", "test.expr", "", 0, nullptr, op_create, (void*)&modes[3]},
    {sizeof(mirt_plugin_creator), "ExprDips", "1", "test.expr", "", 0, nullptr, op_create, (void*)&modes[4]},
};

void register_creators() {
  static bool once = [] {
    for (const mirt_plugin_creator& c : creators) REQUIRE_OK(mirt_registry_register_plugin_creator(&c));
    return true;
  }();
  (void)once;
}

// ---- Networks -------------------------------------------------------------------------------------

struct input_spec {
  const char* name;
  std::vector<int64_t> dims;  // -1 where dynamic
  std::vector<const char*> names;
  std::vector<int64_t> min, opt, max;
};

// One plugin layer "layer" over the inputs, built for cpu with one profile; returns the status.
mirt_status build(const char* op, const char* ns, const std::vector<input_spec>& inputs, std::vector<mirt_attribute> fields,
                  plan_owner& plan) {
  network_owner net;
  REQUIRE_OK(mirt_network_create(nullptr, &net.p));
  std::vector<mirt_tensor*> tensors;
  for (const input_spec& in : inputs) {
    std::vector<mirt_string_view> names;
    for (const char* n : in.names) names.push_back(sv(n));
    mirt_tensor* t = nullptr;
    REQUIRE_OK(mirt_network_add_input(net.p, sv(in.name), MIRT_DTYPE_FLOAT32, in.dims.size(), in.dims.data(),
                                      names.empty() ? nullptr : names.data(), &t));
    tensors.push_back(t);
  }
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = sv(op);
  desc.domain = sv(ns);
  desc.name = sv("layer");
  desc.num_inputs = tensors.size();
  desc.inputs = tensors.data();
  desc.num_attributes = fields.size();
  desc.attributes = fields.data();
  mirt_tensor* y = nullptr;
  REQUIRE_OK(mirt_network_add_layer(net.p, &desc, &y));
  REQUIRE_OK(mirt_network_mark_output(net.p, y));
  config_owner config;
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = sv("cpu");
  REQUIRE_OK(mirt_builder_config_create(&options, &config.p));
  size_t profile = 0;
  REQUIRE_OK(mirt_builder_config_add_profile(config.p, &profile));
  for (const input_spec& in : inputs)
    REQUIRE_OK(mirt_builder_config_set_profile_shape(config.p, profile, sv(in.name), in.dims.size(), in.min.data(),
                                                     in.opt.data(), in.max.data()));
  return mirt_builder_build(net.p, config.p, &plan.p);
}

// The plan's JSON description without white space.
std::string describe(const plan_owner& plan) {
  char* json = nullptr;
  REQUIRE_OK(mirt_plan_describe_json(plan.p, &json));
  std::string out;
  for (const char* c = json; *c; ++c)
    if (*c != ' ' && *c != '\n') out += *c;
  mirt_string_free(json);
  return out;
}

// The output shape "layer" has after setting the inputs' shapes.
std::vector<int64_t> output_shape(mirt_context* context, const std::vector<std::pair<const char*, std::vector<int64_t>>>& shapes) {
  for (const auto& [name, dims] : shapes)
    REQUIRE_OK(mirt_context_set_input_shape(context, sv(name), dims.size(), dims.data()));
  size_t rank = 0;
  int64_t dims[MIRT_MAX_RANK];
  REQUIRE_OK(mirt_context_get_tensor_shape(context, sv("layer"), &rank, dims));
  return std::vector<int64_t>(dims, dims + rank);
}

mirt_attribute int_field(const char* name, const int64_t* value) { return int_attr(name, value); }

}  // namespace

TEST_CASE("FrameSignal's frame count is an expression: symbolic in the plan, evaluated at each run's shapes") {
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_FRAME_SIGNAL_PLUGIN)));
  const int64_t length = 8, step = 4;
  plan_owner plan;
  REQUIRE_OK(build("FrameSignal", "com.example", {{"x", {-1, -1}, {"batch", "samples"}, {1, 8}, {2, 40}, {4, 100}}},
                   {int_field("frame_length", &length), int_field("frame_step", &step)}, plan));
  const std::string described = describe(plan);
  INFO(described);
  CHECK(contains(described, "\"shape\":[\"batch\",\"(((samples-8)/4)+1)\",8]"));
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  for (auto [batch, samples] : {std::pair<int64_t, int64_t>{2, 40}, {3, 27}}) {
    const int64_t frames = (samples - length) / step + 1;
    context_owner context;
    REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
    CHECK(output_shape(context.p, {{"x", {batch, samples}}}) == std::vector<int64_t>{batch, frames, length});
    std::vector<float> x = random_floats(size_t(batch * samples), uint32_t(samples));
    std::vector<float> y(size_t(batch * frames * length), -1.0f);
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("x"), x.data()));
    REQUIRE_OK(mirt_context_set_tensor_address(context.p, sv("layer"), y.data()));
    REQUIRE_OK(mirt_context_enqueue(context.p, nullptr));
    size_t wrong = 0;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t f = 0; f < frames; ++f)
        for (int64_t j = 0; j < length; ++j)
          wrong += y[size_t((b * frames + f) * length + j)] != x[size_t(b * samples + f * step + j)];
    CHECK(wrong == 0);
  }
}

TEST_CASE("a profile too short for one frame is refused, naming the layer, the output dim and the expression") {
  REQUIRE_OK(mirt_registry_load_library(sv(EXAMPLE_FRAME_SIGNAL_PLUGIN)));
  const int64_t length = 8, step = 4;
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(build("FrameSignal", "com.example", {{"x", {-1, -1}, {}, {1, 2}, {2, 40}, {4, 100}}},
                       {int_field("frame_length", &length), int_field("frame_step", &step)}, plan),
                 MIRT_STATUS_INVALID_SHAPE, message);
  INFO(message);
  CHECK(contains(message, "layer 'layer' (plugin com.example::FrameSignal version 1)"));
  CHECK(contains(message, "output 0 dim 1 = (((in0.d1-8)/4)+1) is -1, a negative dim"));
  CHECK(contains(message, "in0: 1x2"));
}

TEST_CASE("every dim operation through the C ABI: values at two shapes, symbols at build time") {
  register_creators();
  plan_owner plan;
  REQUIRE_OK(build("ExprOps", "test.expr",
                   {{"a", {-1, -1}, {"A", "B"}, {1, 1}, {2, 7}, {4, 9}}, {"b", {-1, 6}, {"C", ""}, {1, 6}, {5, 6}, {5, 6}}},
                   {}, plan));
  const std::string described = describe(plan);
  INFO(described);
  CHECK(contains(described, "\"shape\":[\"(A*6)\",\"(B+4)\",\"(B-1)\",\"(B/3)\",\"ceil(B/3)\",\"max(A,C)\",\"min(A,C)\"]"));
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  CHECK(output_shape(context.p, {{"a", {2, 7}}, {"b", {5, 6}}}) == std::vector<int64_t>{12, 11, 6, 2, 3, 5, 2});
  CHECK(output_shape(context.p, {{"a", {3, 9}}, {"b", {1, 6}}}) == std::vector<int64_t>{18, 13, 8, 3, 3, 3, 1});
}

TEST_CASE("expressions that contradict the graph fail the build, naming the layer and what is wrong") {
  register_creators();
  const input_spec a{"a", {-1, -1}, {}, {1, 1}, {2, 3}, {4, 9}};
  struct expected_failure {
    const char* op;
    mirt_status_code code;
    const char* text;
  };
  for (const expected_failure& f :
       {expected_failure{"ExprMissingInput", MIRT_STATUS_INVALID_GRAPH, "input_dim(2, 0) refers to input 2, but the layer has 1 input"},
        expected_failure{"ExprMissingAxis", MIRT_STATUS_INVALID_GRAPH, "input_dim(0, 5) refers to axis 5 of input 0, which has rank 2"}}) {
    plan_owner plan;
    std::string message;
    EXPECT_FAILURE(build(f.op, "test.expr", {a}, {}, plan), f.code, message);
    INFO(message);
    CHECK(contains(message, std::string("plugin test.expr::") + f.op));
    CHECK(contains(message, f.text));
  }
  // B / (B - 2) divides by zero where the profile lets B be 2.
  plan_owner plan;
  std::string message;
  EXPECT_FAILURE(build("ExprDivide", "test.expr", {{"a", {-1, -1}, {}, {1, 2}, {2, 3}, {4, 9}}}, {}, plan),
                 MIRT_STATUS_INVALID_SHAPE, message);
  INFO(message);
  CHECK(contains(message, "output 0 dim 0 = (in0.d1/(in0.d1-2)) with 2 and 0 divides by zero"));
  // A profile that keeps B above 2 builds, and the expression is evaluated at run time.
  plan_owner good;
  std::string good_message = take(build("ExprDivide", "test.expr", {{"a", {-1, -1}, {}, {1, 3}, {2, 4}, {4, 9}}}, {}, good));
  INFO(good_message);
  REQUIRE(good_message.empty());
  engine_owner engine = make_engine(mirt_plan_data(good.p), mirt_plan_size(good.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  CHECK(output_shape(context.p, {{"a", {2, 6}}}) == std::vector<int64_t>{1});
}

TEST_CASE("an expression that is negative at a run's shapes (inside the profile) fails that run, naming it") {
  register_creators();
  plan_owner plan;
  // Fine at the profile points (B = 1 and 9); (4-2)*(4-6)+3 = -1 at B = 4.
  REQUIRE_OK(build("ExprDips", "test.expr", {{"a", {-1, -1}, {}, {1, 1}, {2, 9}, {4, 9}}}, {}, plan));
  engine_owner engine = make_engine(mirt_plan_data(plan.p), mirt_plan_size(plan.p));
  context_owner context;
  REQUIRE_OK(mirt_context_create(engine.p, nullptr, &context.p));
  CHECK(output_shape(context.p, {{"a", {2, 7}}}) == std::vector<int64_t>{8});
  const int64_t dims[] = {2, 4};
  mirt_status s = mirt_context_set_input_shape(context.p, sv("a"), 2, dims);
  if (!s) {  // inference may wait for the first query
    size_t rank = 0;
    int64_t out[MIRT_MAX_RANK];
    s = mirt_context_get_tensor_shape(context.p, sv("layer"), &rank, out);
  }
  REQUIRE(s != nullptr);
  CHECK(mirt_status_get_code(s) == MIRT_STATUS_INVALID_SHAPE);
  const std::string message = take(s);
  INFO(message);
  CHECK(contains(message, "plugin test.expr::ExprDips"));
  CHECK(contains(message, "output 0 dim 0 = (((in0.d1-2)*(in0.d1-6))+3) is -1, a negative dim"));
  CHECK(contains(message, "in0: 2x4"));
}
