// tests/parsers/onnx/corrupt_input_test.cpp — bytes that are not (whole) ONNX models, and bad graphs.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace onnx_test;

TEST_SUITE("onnx parser corrupt input") {

TEST_CASE("a truncated model gives CORRUPT_DATA naming the field and byte offset") {
  std::string bytes = read_file(std::filesystem::path(MIRT_SAMPLES_DIR) / "sample_cnn.onnx");
  for (size_t keep : {bytes.size() / 2, bytes.size() - 100, size_t{40}}) {
    CAPTURE(keep);
    parse_result r = parse_bytes(bytes.substr(0, keep));
    CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
    CHECK(r.message().find("truncated") != std::string::npos);
    CHECK(r.message().find("ModelProto.graph (field 7) at byte") != std::string::npos);
    if (keep == 40) MESSAGE(r.message());
    CHECK(mirt_network_num_layers(r.network) == 0);
  }
}

TEST_CASE("a file that is not ONNX gives CORRUPT_DATA") {
  SUBCASE("text") {
    parse_result r = parse_bytes("name,value\nthis is a csv file, not a model\n");
    CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
    MESSAGE(r.message());
    CHECK(r.message().find("not") != std::string::npos);
  }
  SUBCASE("a PNG header") {
    parse_result r = parse_bytes(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
    MESSAGE(r.message());
  }
  SUBCASE("valid protobuf of another message") {
    ::onnx::TensorProto t;
    t.set_name("just a tensor");
    t.add_dims(3);
    parse_result r = parse_bytes(t.SerializeAsString());
    CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
    MESSAGE(r.message());
    CHECK(r.message().find("ONNX model") != std::string::npos);
  }
  SUBCASE("no bytes") {
    parse_result r = parse_bytes("");
    CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
    CHECK(r.message().find("empty") != std::string::npos);
  }
}

TEST_CASE("raw_data of the wrong size gives CORRUPT_DATA naming the initializer and both sizes") {
  auto m = make_model(17);
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_raw_data(std::string(12, '\0'));
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.message().find("initializer 'w': raw_data holds 12 bytes, expected 16") != std::string::npos);
}

TEST_CASE("a node reading an unknown tensor names the node, op, domain and opset") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  add_node(m, "Add", {"x", "nowhere"}, {"y"}, "adder");
  add_output(m, "y", ::onnx::TensorProto::FLOAT, {2});
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message().find("ONNX node 'adder' (#0) (Add, domain '', opset 13)") != std::string::npos);
  CHECK(r.message().find("input 1 'nowhere'") != std::string::npos);
}

TEST_CASE("a graph output nothing produces gives INVALID_GRAPH naming it") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  add_output(m, "ghost", ::onnx::TensorProto::FLOAT, {2});
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message().find("graph output 'ghost'") != std::string::npos);
}

TEST_CASE("a model without a default-domain opset import is refused at its first standard node") {
  auto m = make_model(13);
  m.clear_opset_import();
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  add_node(m, "Relu", {"x"}, {"y"}, "relu");
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.message().find("'relu'") != std::string::npos);
  CHECK(r.message().find("opset_import") != std::string::npos);
}

TEST_CASE("an input without a shape is refused with a hint") {
  auto m = make_model(13);
  auto* v = m.mutable_graph()->add_input();
  v->set_name("x");
  v->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message().find("graph input 'x': has no shape") != std::string::npos);
}

TEST_CASE("an If without its else_branch gives INVALID_GRAPH naming the layer and the missing body") {
  auto m = make_model(13);
  add_input(m, "c", ::onnx::TensorProto::BOOL, {});
  auto* n = add_node(m, "If", {"c"}, {"y"}, "branch");
  auto* a = n->add_attribute();
  a->set_name("then_branch");
  a->set_type(::onnx::AttributeProto::GRAPH);
  a->mutable_g()->set_name("then");
  a->mutable_g()->add_output()->set_name("c");  // an outer value passed through
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(r.message().find("'branch'") != std::string::npos);
  CHECK(r.message().find("If") != std::string::npos);
  CHECK(r.message().find("'else_branch'") != std::string::npos);
}

TEST_CASE("a subgraph attribute of an op other than If, Loop and Scan gives UNSUPPORTED naming it") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  auto* n = add_node(m, "Relu", {"x"}, {"y"}, "odd");
  auto* a = n->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message().find("'odd'") != std::string::npos);
  CHECK(r.message().find("'body'") != std::string::npos);
}

}  // TEST_SUITE
