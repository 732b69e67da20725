// tests/parsers/onnx/output_check_test.cpp — the declared types and shapes of graph outputs against
// what mirt's network computes: another elem_type fails, naming the output and both types; other
// static dims warn (as ONNX Runtime does); right and symbolic declarations pass quietly.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace onnx_test;

namespace {

bool logged(const parse_result& r, const std::string& text) {
  for (const std::string& line : r.log_lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

// x (float [2, 3]) -> op -> y, with y declared as given.
::onnx::ModelProto one_node_model(const std::string& op, int32_t y_type, std::vector<int64_t> y_dims) {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2, 3});
  add_node(m, op, {"x"}, {"y"}, "the_" + op);
  add_output(m, "y", y_type, std::move(y_dims));
  return m;
}

}  // namespace

TEST_SUITE("onnx parser output declarations") {

TEST_CASE("a graph output declared with another elem_type is INVALID_GRAPH naming the output, the node and both types") {
  parse_result r = parse_bytes(serialize(one_node_model("Relu", ::onnx::TensorProto::INT64, {2, 3})));
  REQUIRE(!r.ok());
  CHECK(r.code() == MIRT_STATUS_INVALID_GRAPH);
  MESSAGE(r.message());
  CHECK(r.message().find("graph output 'y' is declared INT64 (int64)") != std::string::npos);
  CHECK(r.message().find("node 'the_Relu' (Relu) is float32") != std::string::npos);
}

TEST_CASE("the type a node computes is what is checked, not its input's") {
  // Shape gives int64 from a float input: declared INT64 is right, FLOAT is wrong.
  parse_result right = parse_bytes(serialize(one_node_model("Shape", ::onnx::TensorProto::INT64, {2})));
  CHECK_MESSAGE(right.ok(), right.message());
  parse_result wrong = parse_bytes(serialize(one_node_model("Shape", ::onnx::TensorProto::FLOAT, {2})));
  REQUIRE(!wrong.ok());
  CHECK(wrong.message().find("declared FLOAT (float32), but the output of node 'the_Shape' (Shape) is int64") !=
        std::string::npos);
}

TEST_CASE("a graph output that is a graph input is checked against the input's type") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  add_output(m, "x", ::onnx::TensorProto::INT32, {2});
  parse_result r = parse_bytes(serialize(m));
  REQUIRE(!r.ok());
  CHECK(r.message().find("graph output 'x' is declared INT32 (int32), but a graph input or initializer is float32") !=
        std::string::npos);
}

TEST_CASE("other static dims only warn, naming both shapes, and the network keeps its own shape") {
  parse_result r = parse_bytes(serialize(one_node_model("Transpose", ::onnx::TensorProto::FLOAT, {2, 3})));
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(logged(r, "graph output 'y' is declared with shape [2,3], but the output of node 'the_Transpose' (Transpose) "
                  "has shape [3,2]"));
  int64_t dims[MIRT_MAX_RANK] = {};
  REQUIRE(mirt_tensor_get_dims(mirt_network_get_output(r.network, 0), dims) == 2);
  CHECK(dims[0] == 3);
  CHECK(dims[1] == 2);
  parse_result rank = parse_bytes(serialize(one_node_model("Relu", ::onnx::TensorProto::FLOAT, {6})));
  REQUIRE(rank.ok());
  CHECK(logged(rank, "(rank 1 against 2"));
}

TEST_CASE("right, symbolic and absent declarations pass without a warning") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {-1, 3});  // dim 0 is "batch"
  add_node(m, "Relu", {"x"}, {"y"});
  add_node(m, "Transpose", {"x"}, {"t"});
  add_node(m, "Cast", {"x"}, {"c"});
  set_int(m.mutable_graph()->mutable_node(2), "to", ::onnx::TensorProto::INT32);
  add_output(m, "y", ::onnx::TensorProto::FLOAT, {-1, 3});
  add_output(m, "t", ::onnx::TensorProto::FLOAT, {3, 7});  // 7 against an unknown dim: not a mismatch
  add_output(m, "c", ::onnx::TensorProto::INT32, {-1, 3});
  m.mutable_graph()->mutable_output(1)->mutable_type()->mutable_tensor_type()->set_elem_type(0);  // undeclared
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(!logged(r, "is declared"));
  CHECK(mirt_tensor_get_dtype(mirt_network_get_output(r.network, 2)) == MIRT_DTYPE_INT32);
}

TEST_CASE("a network that does not infer yet is not checked here: the builder reports it") {
  // Add's inputs do not broadcast: inference fails, so the parse succeeds and says why it did not check.
  auto m = make_model(17);
  add_input(m, "a", ::onnx::TensorProto::FLOAT, {2, 3});
  add_input(m, "b", ::onnx::TensorProto::FLOAT, {4});
  add_node(m, "Add", {"a", "b"}, {"y"});
  add_output(m, "y", ::onnx::TensorProto::INT64, {2, 3});
  parse_result r = parse_bytes(serialize(m));
  CHECK_MESSAGE(r.ok(), r.message());
  CHECK(logged(r, "the declared output types are not checked: the network does not infer yet"));
  mirt_status null = mirt_network_infer_types(nullptr);
  CHECK(mirt_status_get_code(null) == MIRT_STATUS_INVALID_ARGUMENT);
  mirt_status_destroy(null);
}

}  // TEST_SUITE
