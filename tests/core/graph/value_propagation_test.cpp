// tests/core/graph/value_propagation_test.cpp — known values flowing through ONNX-style shape subgraphs
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), over a whole graph and through the C network API.
#include <cstring>

#include "core/abi/handles.hpp"
#include "core/graph/shape_inference.hpp"
#include "mirt/mirt.h"
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

namespace {

// Builds graphs tensor by tensor; every helper returns the new tensor's index.
struct graph_builder {
  mirt::graph g;

  int input(const std::string& name, mirt_dtype dtype, const std::string& dims_text) {
    mirt::tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = shape(dims_text);
    t.rank_known = true;
    t.is_input = true;
    int index = g.add_tensor(std::move(t));
    g.inputs.push_back(index);
    return index;
  }

  int constant(const std::string& name, std::vector<int64_t> values, bool scalar = false) {
    mirt::tensor t;
    t.name = name;
    t.dtype = MIRT_DTYPE_INT64;
    t.shape = scalar ? mirt::dims{} : mirt::dims{dim{static_cast<int64_t>(values.size()), {}}};
    t.rank_known = true;
    t.constant = static_cast<int>(g.constants.size());
    g.constants.push_back(mirt::constant_buffer::copy_of(values.data(), values.size() * sizeof(int64_t)));
    return g.add_tensor(std::move(t));
  }

  int layer(const std::string& op, std::vector<int> inputs, std::vector<attribute> attrs = {}) {
    mirt::node n;
    n.name = op + "_" + std::to_string(g.nodes.size());
    n.op_type = op;
    n.inputs = std::move(inputs);
    for (attribute& a : attrs) n.attributes.set(std::move(a));
    mirt::tensor t;
    t.name = n.name + ":0";
    t.producer = static_cast<int>(g.nodes.size());
    int out = g.add_tensor(std::move(t));
    n.outputs = {out};
    REQUIRE(mirt::validate_node(schema_of(op), n).ok());
    g.nodes.push_back(std::move(n));
    return out;
  }

  mirt::result<std::vector<tensor_type>> infer(const std::unordered_map<int, std::vector<int64_t>>& shapes = {},
                                               const mirt::value_map& values = {}) {
    auto order = mirt::topological_order(g);
    REQUIRE(order.ok());
    return mirt::infer_types(g, *order, shapes, values);
  }
};

}  // namespace

TEST_SUITE("schemas") {

TEST_CASE("Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) resolves once the batch is known") {
  graph_builder b;
  int x = b.input("x", MIRT_DTYPE_FLOAT32, "batch,3,4,5");
  int s = b.layer("Shape", {x});
  int n = b.layer("Gather", {s, b.constant("zero", {0}, true)});
  int n1 = b.layer("Unsqueeze", {n, b.constant("axes", {0})});
  int target = b.layer("Concat", {n1, b.constant("minus_one", {-1})}, {attr_int("axis", 0)});
  int y = b.layer("Reshape", {x, target});

  auto concrete = b.infer({{x, {2, 3, 4, 5}}});
  REQUIRE_MESSAGE(concrete.ok(), concrete.error().message());
  CHECK(*(*concrete)[n].values == std::vector<int64_t>{2});
  CHECK(*(*concrete)[target].values == std::vector<int64_t>{2, -1});
  CHECK(mirt::to_string((*concrete)[y].shape) == "2x60");

  // With the batch still symbolic the target's values are unknown, but its length gives the rank.
  auto symbolic = b.infer();
  REQUIRE_MESSAGE(symbolic.ok(), symbolic.error().message());
  CHECK_FALSE((*symbolic)[target].values);
  CHECK(mirt::to_string((*symbolic)[y].shape) == "?x?");
}

TEST_CASE("a flatten written as Slice, ReduceProd, Mul and Cast of a Shape resolves to known dims") {
  graph_builder b;
  int x = b.input("x", MIRT_DTYPE_FLOAT32, "2,3,4,5");
  int s = b.layer("Shape", {x});
  int tail = b.layer("Slice", {s, b.constant("starts", {1}), b.constant("ends", {100})});
  int prod = b.layer("ReduceProd", {tail}, {attr_int("keepdims", 1)});
  int doubled = b.layer("Mul", {prod, b.constant("two", {2}, true)});
  int half = b.layer("Div", {b.layer("Gather", {s, b.constant("zero", {0})}), b.constant("two_b", {2}, true)});
  int as32 = b.layer("Cast", {b.layer("Concat", {half, doubled}, {attr_int("axis", 0)})}, {attr_int("to", 6)});
  int back = b.layer("Cast", {as32}, {attr_int("to", 7)});
  int y = b.layer("Reshape", {x, back});
  int z = b.layer("ConstantOfShape", {b.layer("Shape", {y})}, {attr_float("value", 1.0f), attr_int("dtype", 7)});
  int r = b.layer("Range", {b.constant("r0", {0}, true), b.layer("Size", {y}), b.constant("r1", {40}, true)});

  auto types = b.infer();
  REQUIRE_MESSAGE(types.ok(), types.error().message());
  CHECK(*(*types)[back].values == std::vector<int64_t>{1, 120});
  CHECK(mirt::to_string((*types)[y].shape) == "1x120");
  CHECK(mirt::to_string((*types)[z].shape) == "1x120");
  CHECK((*types)[z].dtype == MIRT_DTYPE_INT64);
  CHECK(*(*types)[r].values == std::vector<int64_t>{0, 40, 80});
}

TEST_CASE("a shape tensor input's values flow through shape arithmetic into Reshape and Tile") {
  graph_builder b;
  int x = b.input("x", MIRT_DTYPE_FLOAT32, "2,3,4");
  int target = b.input("target", MIRT_DTYPE_INT64, "2");
  int repeats = b.input("repeats", MIRT_DTYPE_INT64, "2");
  int doubled = b.layer("Mul", {repeats, b.constant("two", {2, 2})});
  int y = b.layer("Reshape", {x, target});
  int z = b.layer("Tile", {y, doubled});

  auto unknown = b.infer();
  REQUIRE_MESSAGE(unknown.ok(), unknown.error().message());
  CHECK(mirt::to_string((*unknown)[z].shape) == "?x?");

  auto known = b.infer({}, {{target, {6, -1}}, {repeats, {1, 3}}});
  REQUIRE_MESSAGE(known.ok(), known.error().message());
  CHECK(mirt::to_string((*known)[y].shape) == "6x4");
  CHECK(mirt::to_string((*known)[z].shape) == "12x24");

  // Values that do not match the input's element count are not used.
  auto wrong = b.infer({}, {{target, {6, -1, 1}}});
  REQUIRE_MESSAGE(wrong.ok(), wrong.error().message());
  CHECK(mirt::to_string((*wrong)[y].shape) == "?x?");
}

TEST_CASE("a shape tensor input cast to float sizes a float Range (window functions' expansion)") {
  graph_builder b;
  int size = b.input("size", MIRT_DTYPE_INT64, "");
  auto real = [&](const std::string& name, float v) {
    mirt::tensor t;
    t.name = name;
    t.dtype = MIRT_DTYPE_FLOAT32;
    t.rank_known = true;
    t.constant = static_cast<int>(b.g.constants.size());
    b.g.constants.push_back(mirt::constant_buffer::copy_of(&v, sizeof v));
    return b.g.add_tensor(std::move(t));
  };
  int size_fp = b.layer("Cast", {size}, {attr_int("to", 1)});
  int range = b.layer("Range", {real("zero", 0.0f), size_fp, real("half", 0.5f)});

  auto unknown = b.infer();
  REQUIRE_MESSAGE(unknown.ok(), unknown.error().message());
  CHECK(mirt::to_string((*unknown)[range].shape) == "?");
  auto known = b.infer({}, {{size, {5}}});
  REQUIRE_MESSAGE(known.ok(), known.error().message());
  CHECK(*(*known)[size_fp].float_values == std::vector<double>{5.0});
  CHECK(mirt::to_string((*known)[range].shape) == "10");
}

TEST_CASE("a shape error inside a graph names the layer that failed") {
  graph_builder b;
  int x = b.input("x", MIRT_DTYPE_FLOAT32, "1,3,8,8");
  int w = b.input("w", MIRT_DTYPE_FLOAT32, "4,3,3");
  b.layer("Conv", {x, w});
  auto types = b.infer();
  REQUIRE_FALSE(types.ok());
  CHECK(types.error().code() == MIRT_STATUS_INVALID_SHAPE);
  CHECK(types.error().message().find("Conv 'Conv_0': input 1 has rank 3, expected 4") != std::string::npos);
}

TEST_CASE("layers added through the C network API infer through the same schemas") {
  mirt_network* network = nullptr;
  REQUIRE(mirt_network_create(nullptr, &network) == nullptr);
  const int64_t x_dims[] = {2, 6};
  mirt_tensor* x = nullptr;
  REQUIRE(mirt_network_add_input(network, {"x", 1}, MIRT_DTYPE_FLOAT32, 2, x_dims, nullptr, &x) == nullptr);
  const int64_t target_values[] = {3, -1};
  const int64_t target_dims[] = {2};
  mirt_tensor* target = nullptr;
  REQUIRE(mirt_network_add_constant(network, {"target", 6}, MIRT_DTYPE_INT64, 1, target_dims, target_values,
                                    sizeof(target_values), &target) == nullptr);
  mirt_tensor* inputs[] = {x, target};
  mirt_layer_desc desc = MIRT_LAYER_DESC_INIT;
  desc.op_type = {"Reshape", 7};
  desc.name = {"reshape1", 8};
  desc.num_inputs = 2;
  desc.inputs = inputs;
  mirt_tensor* y = nullptr;
  REQUIRE(mirt_network_add_layer(network, &desc, &y) == nullptr);

  // An unknown attribute is refused when the layer is added, naming it.
  const int64_t one = 1;
  mirt_attribute bad = {{"padding", 7}, MIRT_ATTRIBUTE_TYPE_INT, 1, &one, nullptr, nullptr};
  desc.name = {"reshape2", 8};
  desc.num_attributes = 1;
  desc.attributes = &bad;
  mirt_status refused = mirt_network_add_layer(network, &desc, nullptr);
  REQUIRE(refused != nullptr);
  CHECK(mirt_status_get_code(refused) == MIRT_STATUS_INVALID_GRAPH);
  CHECK(std::strstr(mirt_status_get_message(refused), "Reshape 'reshape2': unknown attribute 'padding'") != nullptr);
  mirt_status_destroy(refused);

  const mirt::graph& g = network->graph;
  auto order = mirt::topological_order(g);
  REQUIRE(order.ok());
  auto types = mirt::infer_types(g, *order);
  REQUIRE_MESSAGE(types.ok(), types.error().message());
  CHECK(mirt::to_string((*types)[y->index].shape) == "3x4");
  mirt_network_destroy(network);
}

}  // TEST_SUITE
