// tests/core/graph/validate_test.cpp — validate_node against the standard schemas, and the op set's coverage.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

namespace {

mirt::status validate(const std::string& op, size_t inputs, size_t outputs, std::vector<attribute> attrs,
                      const std::string& name = "layer") {
  return mirt::validate_node(schema_of(op), make_node(op, inputs, outputs, std::move(attrs), name));
}

}  // namespace

TEST_SUITE("schemas") {

TEST_CASE("validate_node names the layer and lists the known attributes for an unknown attribute") {
  mirt::status s = validate("Conv", 2, 1, {attr_int("padding", 1)}, "stem/conv1");
  CHECK(s.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(s.message().find("Conv 'stem/conv1': unknown attribute 'padding'") != std::string::npos);
  CHECK(s.message().find("pads") != std::string::npos);
}

TEST_CASE("validate_node reports an attribute of the wrong type") {
  mirt::status s = validate("Conv", 2, 1, {attr_int("strides", 2)});
  CHECK(s.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(s.message().find("attribute 'strides' is int, expected ints") != std::string::npos);
  mirt::status f = validate("Gemm", 2, 1, {attr_int("alpha", 1)});
  CHECK(f.message().find("attribute 'alpha' is int, expected float") != std::string::npos);
}

TEST_CASE("validate_node reports a missing required attribute") {
  mirt::status s = validate("MaxPool", 1, 1, {});
  CHECK(s.code() == MIRT_STATUS_INVALID_GRAPH);
  CHECK(s.message().find("missing required attribute 'kernel_shape'") != std::string::npos);
  CHECK(validate("Concat", 2, 1, {}).message().find("missing required attribute 'axis'") != std::string::npos);
}

TEST_CASE("validate_node reports wrong input and output counts") {
  mirt::status inputs = validate("Conv", 4, 1, {});
  CHECK(inputs.message().find("has 4 inputs, expected 2 to 3") != std::string::npos);
  mirt::status outputs = validate("Relu", 1, 2, {});
  CHECK(outputs.message().find("has 2 outputs, expected 1 to 1") != std::string::npos);
  mirt::status exact = validate("MatMul", 1, 1, {});
  CHECK(exact.message().find("has 1 inputs, expected 2") != std::string::npos);
}

TEST_CASE("every op of the standard set has a schema with an inference function") {
  for (const char* op :
       {"Conv", "ConvTranspose", "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Pow", "Relu", "Sigmoid", "Clip",
        "Where", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization",
        "InstanceNormalization", "LayerNormalization", "Softmax", "LogSoftmax", "Reshape", "Flatten", "Squeeze",
        "Unsqueeze", "Transpose", "Concat", "Slice", "Gather", "GatherElements", "Split", "Expand", "Shape", "Size",
        "Tile", "Cast", "CastLike", "ConstantOfShape", "Range", "Pad", "ReduceSum", "ReduceMean", "ReduceMax",
        "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp", "ArgMax", "ArgMin",
        "Dropout", "Identity"}) {
    CAPTURE(op);
    const mirt::op_schema* s = mirt::schema_table::standard().find("", op);
    REQUIRE(s != nullptr);
    CHECK(static_cast<bool>(s->infer));
    CHECK(s->min_inputs <= s->max_inputs);
    CHECK(s->min_outputs <= s->max_outputs);
    CHECK(mirt::schema_table::standard().find("ai.onnx", op) == s);
  }
  CHECK(mirt::schema_table::standard().find("", "Constant") == nullptr);
}

TEST_CASE("every schema declares each attribute once with a defined type") {
  for (const mirt::op_schema* s : mirt::schema_table::standard().all()) {
    CAPTURE(s->op_type);
    for (size_t i = 0; i < s->attributes.size(); ++i) {
      CHECK(s->attributes[i].type != MIRT_ATTRIBUTE_TYPE_UNDEFINED);
      for (size_t j = i + 1; j < s->attributes.size(); ++j) CHECK(s->attributes[i].name != s->attributes[j].name);
    }
  }
}

}  // TEST_SUITE
