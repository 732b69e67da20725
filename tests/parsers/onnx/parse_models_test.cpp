// tests/parsers/onnx/parse_models_test.cpp — whole models: the samples and hand-built graphs.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace onnx_test;

namespace {
const std::filesystem::path samples = MIRT_SAMPLES_DIR;

std::string name_of(mirt_tensor* t) {
  mirt_string_view v = mirt_tensor_get_name(t);
  return std::string(v.data, v.length);
}
}  // namespace

TEST_SUITE("onnx parser models") {

TEST_CASE("the sample CNN parses with a symbolic batch, one output and ten layers") {
  parse_result r = parse_file(samples / "sample_cnn.onnx");
  REQUIRE_MESSAGE(r.ok(), r.message());
  REQUIRE(mirt_network_num_inputs(r.network) == 1);
  mirt_tensor* input = mirt_network_get_input(r.network, 0);
  CHECK(name_of(input) == "input");
  CHECK(mirt_tensor_get_dtype(input) == MIRT_DTYPE_FLOAT32);
  CHECK(r.dims_of("input") == std::vector<int64_t>{MIRT_DYNAMIC_DIM, 3, 32, 32});

  REQUIRE(mirt_network_num_outputs(r.network) == 1);
  CHECK(name_of(mirt_network_get_output(r.network, 0)) == "probs");
  CHECK(mirt_network_num_layers(r.network) == 10);
  CHECK(r.dims_of("conv1.weight") == std::vector<int64_t>{16, 3, 3, 3});
  CHECK(r.dims_of("fc.weight") == std::vector<int64_t>{10, 32});
  CHECK(r.constants.size() == 10);

  std::vector<std::string> ops;
  for (const recorded_layer& l : r.layers) ops.push_back(l.op_type);
  CHECK(ops == std::vector<std::string>{"Conv", "Relu", "MaxPool", "Conv", "BatchNormalization", "Relu",
                                        "GlobalAveragePool", "Flatten", "Gemm", "Softmax"});
  const recorded_layer* conv = r.layer("Conv");
  REQUIRE(conv != nullptr);
  CHECK(conv->name == "conv1");
  CHECK(conv->inputs == std::vector<std::string>{"input", "conv1.weight", "conv1.bias"});
  CHECK(conv->attributes.at("pads").ints == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(conv->attributes.at("kernel_shape").type == MIRT_ATTRIBUTE_TYPE_INTS);
  CHECK(r.layer("BatchNormalization")->attributes.at("epsilon").floats.at(0) == doctest::Approx(1e-5));
  CHECK(r.layer("Gemm")->attributes.at("transB").ints == std::vector<int64_t>{1});
  for (const recorded_layer& l : r.layers)
    if (l.without_schema) MESSAGE("the core has no schema for ", l.op_type, " yet; added without checks");
}

TEST_CASE("the sample transformer block parses with dynamic batch and sequence") {
  parse_result r = parse_file(samples / "sample_transformer_block.onnx");
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.dims_of("x") == std::vector<int64_t>{MIRT_DYNAMIC_DIM, MIRT_DYNAMIC_DIM, 64});
  CHECK(mirt_network_num_outputs(r.network) == 1);
  CHECK(name_of(mirt_network_get_output(r.network, 0)) == "y");
  CHECK(mirt_network_num_layers(r.network) == 33);
  CHECK(r.layer("LayerNormalization") != nullptr);
  CHECK(r.layer("Erf") != nullptr);
  CHECK(r.layer("Softmax")->attributes.at("axis").ints == std::vector<int64_t>{-1});
  CHECK(r.layer("Transpose")->attributes.at("perm").ints == std::vector<int64_t>{0, 2, 1, 3});
  CHECK(r.constants.at("heads_shape").values<int64_t>() == std::vector<int64_t>{0, 0, 4, 16});
  CHECK(r.constants.at("attn_scale").dims.empty());
}

TEST_CASE("typed-field initializers, Constant nodes and graph outputs map onto the network") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {-1, 4});
  add_float_initializer(m, "w", {4}, {1, 2, 3, 4});
  auto* i64 = m.mutable_graph()->add_initializer();
  i64->set_name("shape");
  i64->set_data_type(::onnx::TensorProto::INT64);
  i64->add_dims(2);
  i64->add_int64_data(-1);
  i64->add_int64_data(2);
  auto* half = m.mutable_graph()->add_initializer();
  half->set_name("half");
  half->set_data_type(::onnx::TensorProto::FLOAT16);
  half->add_int32_data(0x3C00);  // 1.0 in float16
  auto* c = add_node(m, "Constant", {}, {"two"});
  auto* a = c->add_attribute();
  a->set_name("value_float");
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(2.0f);
  auto* ci = add_node(m, "Constant", {}, {"axes"});
  a = ci->add_attribute();
  a->set_name("value_ints");
  a->set_type(::onnx::AttributeProto::INTS);
  a->add_ints(0);
  a->add_ints(1);
  add_node(m, "Mul", {"x", "w"}, {"xw"});
  add_node(m, "Mul", {"xw", "two"}, {"y"});
  add_output(m, "y", ::onnx::TensorProto::FLOAT, {-1, 4});

  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.constants.at("w").values<float>() == std::vector<float>{1, 2, 3, 4});
  CHECK(r.constants.at("shape").values<int64_t>() == std::vector<int64_t>{-1, 2});
  CHECK(r.constants.at("half").dtype == MIRT_DTYPE_FLOAT16);
  CHECK(r.constants.at("half").values<uint16_t>() == std::vector<uint16_t>{0x3C00});
  CHECK(r.constants.at("two").values<float>() == std::vector<float>{2.0f});
  CHECK(r.constants.at("two").dims.empty());
  CHECK(r.constants.at("axes").values<int64_t>() == std::vector<int64_t>{0, 1});
  CHECK(mirt_network_num_layers(r.network) == 2);  // Constant nodes are constants, not layers
  CHECK(name_of(mirt_network_get_output(r.network, 0)) == "y");
}

TEST_CASE("an initializer listed as a graph input stays a constant") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  add_input(m, "w", ::onnx::TensorProto::FLOAT, {2});
  add_float_initializer(m, "w", {2}, {5, 6});
  add_node(m, "Add", {"x", "w"}, {"y"});
  add_output(m, "y", ::onnx::TensorProto::FLOAT, {2});
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(mirt_network_num_inputs(r.network) == 1);
  CHECK(r.constants.count("w") == 1);
}

TEST_CASE("every supported element type maps to its mirt dtype") {
  const std::pair<int32_t, mirt_dtype> types[] = {
      {::onnx::TensorProto::FLOAT, MIRT_DTYPE_FLOAT32},   {::onnx::TensorProto::FLOAT16, MIRT_DTYPE_FLOAT16},
      {::onnx::TensorProto::BFLOAT16, MIRT_DTYPE_BFLOAT16}, {::onnx::TensorProto::INT8, MIRT_DTYPE_INT8},
      {::onnx::TensorProto::UINT8, MIRT_DTYPE_UINT8},     {::onnx::TensorProto::INT32, MIRT_DTYPE_INT32},
      {::onnx::TensorProto::INT64, MIRT_DTYPE_INT64},     {::onnx::TensorProto::BOOL, MIRT_DTYPE_BOOL},
      {::onnx::TensorProto::DOUBLE, MIRT_DTYPE_FLOAT64}};
  for (auto [onnx_type, dtype] : types) {
    CAPTURE(onnx_type);
    auto m = make_model(17);
    add_input(m, "x", onnx_type, {1, -1});
    add_node(m, "Identity", {"x"}, {"y"});
    add_output(m, "y", onnx_type, {1, -1});
    parse_result r = parse_bytes(serialize(m));
    REQUIRE_MESSAGE(r.ok(), r.message());
    CHECK(mirt_tensor_get_dtype(mirt_network_get_input(r.network, 0)) == dtype);
  }
  SUBCASE("a string input is refused with its name and type") {
    auto m = make_model(17);
    add_input(m, "text", ::onnx::TensorProto::STRING, {1});
    parse_result r = parse_bytes(serialize(m));
    CHECK(r.code() == MIRT_STATUS_UNSUPPORTED);
    CHECK(r.message().find("graph input 'text'") != std::string::npos);
    CHECK(r.message().find("STRING") != std::string::npos);
  }
}

}  // TEST_SUITE
