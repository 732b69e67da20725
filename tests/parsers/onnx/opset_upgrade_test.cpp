// tests/parsers/onnx/opset_upgrade_test.cpp — older opsets' attribute forms arrive in the latest form.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace onnx_test;

TEST_SUITE("onnx parser opset upgrades") {

TEST_CASE("opset-11 Split and Squeeze attributes become constant inputs") {
  auto m = make_model(11);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {6, 4});
  auto* split = add_node(m, "Split", {"x"}, {"a", "b"}, "split");
  set_int(split, "axis", 0);
  set_ints(split, "split", {1, 5});
  set_ints(add_node(m, "Squeeze", {"a"}, {"c"}, "squeeze"), "axes", {0});
  set_ints(add_node(m, "Unsqueeze", {"c"}, {"d"}, "unsqueeze"), "axes", {0, 2});
  add_output(m, "d", ::onnx::TensorProto::FLOAT, {1, 4, 1});
  add_output(m, "b", ::onnx::TensorProto::FLOAT, {5, 4});

  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  REQUIRE(r.layers.size() == 3);

  const recorded_layer& s = r.layers[0];
  CHECK(s.op_type == "Split");
  REQUIRE(s.inputs.size() == 2);
  CHECK(s.inputs[0] == "x");
  CHECK(s.attributes.count("split") == 0);
  CHECK(s.attributes.count("num_outputs") == 0);  // the split input says it
  CHECK(s.attributes.at("axis").ints == std::vector<int64_t>{0});
  CHECK(s.outputs == std::vector<std::string>{"a", "b"});
  const recorded_constant& sizes = r.constants.at(s.inputs[1]);
  CHECK(sizes.dtype == MIRT_DTYPE_INT64);
  CHECK(sizes.dims == std::vector<int64_t>{2});
  CHECK(sizes.values<int64_t>() == std::vector<int64_t>{1, 5});

  const recorded_layer& q = r.layers[1];
  CHECK(q.op_type == "Squeeze");
  REQUIRE(q.inputs.size() == 2);
  CHECK(q.attributes.empty());
  CHECK(r.constants.at(q.inputs[1]).values<int64_t>() == std::vector<int64_t>{0});

  const recorded_layer& u = r.layers[2];
  REQUIRE(u.inputs.size() == 2);
  CHECK(r.constants.at(u.inputs[1]).values<int64_t>() == std::vector<int64_t>{0, 2});
  CHECK(u.inputs[1] != q.inputs[1]);  // each node gets its own constant
}

TEST_CASE("Split without sizes before opset 18 gets num_outputs from its output count") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {6});
  add_node(m, "Split", {"x"}, {"a", "b", "c"}, "split3");
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* s = r.layer("Split");
  REQUIRE(s != nullptr);
  CHECK(s->inputs.size() == 1);
  CHECK(s->attributes.at("num_outputs").ints == std::vector<int64_t>{3});
}

TEST_CASE("opset-9 Slice, Pad, Clip and ReduceMean attributes become inputs") {
  auto m = make_model(9);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {4, 8});
  auto* slice = add_node(m, "Slice", {"x"}, {"s"}, "slice");
  set_ints(slice, "starts", {1});
  set_ints(slice, "ends", {3});
  set_ints(slice, "axes", {0});
  auto* pad = add_node(m, "Pad", {"s"}, {"p"}, "pad");
  set_ints(pad, "pads", {0, 1, 0, 1});
  set_float(pad, "value", 0.5f);
  auto* clip = add_node(m, "Clip", {"x"}, {"c"}, "clip");
  set_float(clip, "max", 6.0f);
  auto* mean = add_node(m, "ReduceMean", {"x"}, {"r"}, "mean");
  set_ints(mean, "axes", {1});
  set_int(mean, "keepdims", 0);
  auto* drop = add_node(m, "Dropout", {"x"}, {"d"}, "drop");
  set_float(drop, "ratio", 0.25f);
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());

  const recorded_layer* s = r.layer("Slice");
  REQUIRE(s->inputs.size() == 4);
  CHECK(s->attributes.empty());
  CHECK(r.constants.at(s->inputs[1]).values<int64_t>() == std::vector<int64_t>{1});
  CHECK(r.constants.at(s->inputs[2]).values<int64_t>() == std::vector<int64_t>{3});
  CHECK(r.constants.at(s->inputs[3]).values<int64_t>() == std::vector<int64_t>{0});

  const recorded_layer* p = r.layer("Pad");
  REQUIRE(p->inputs.size() == 3);
  CHECK(r.constants.at(p->inputs[1]).values<int64_t>() == std::vector<int64_t>{0, 1, 0, 1});
  CHECK(r.constants.at(p->inputs[2]).values<float>() == std::vector<float>{0.5f});
  CHECK(r.constants.at(p->inputs[2]).dims.empty());

  const recorded_layer* c = r.layer("Clip");
  REQUIRE(c->inputs.size() == 3);
  CHECK(c->inputs[1].empty());  // no min: omitted
  CHECK(r.constants.at(c->inputs[2]).dtype == MIRT_DTYPE_FLOAT32);  // the dtype of x
  CHECK(r.constants.at(c->inputs[2]).values<float>() == std::vector<float>{6.0f});

  const recorded_layer* rm = r.layer("ReduceMean");
  REQUIRE(rm->inputs.size() == 2);
  CHECK(rm->attributes.count("axes") == 0);
  CHECK(rm->attributes.at("keepdims").ints == std::vector<int64_t>{0});
  CHECK(r.constants.at(rm->inputs[1]).values<int64_t>() == std::vector<int64_t>{1});

  const recorded_layer* d = r.layer("Dropout");
  REQUIRE(d->inputs.size() == 2);
  CHECK(r.constants.at(d->inputs[1]).values<float>() == std::vector<float>{0.25f});
}

TEST_CASE("Clip of a float16 input before opset 11 gets float16 bounds") {
  auto m = make_model(6);
  add_input(m, "x", ::onnx::TensorProto::FLOAT16, {4});
  auto* clip = add_node(m, "Clip", {"x"}, {"c"}, "clip");
  set_float(clip, "min", 0.0f);
  set_float(clip, "max", 6.0f);
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* c = r.layer("Clip");
  REQUIRE(c->inputs.size() == 3);
  CHECK(r.constants.at(c->inputs[1]).dtype == MIRT_DTYPE_FLOAT16);
  CHECK(r.constants.at(c->inputs[1]).values<uint16_t>() == std::vector<uint16_t>{0x0000});
  CHECK(r.constants.at(c->inputs[2]).values<uint16_t>() == std::vector<uint16_t>{0x4600});  // 6.0
}

TEST_CASE("nodes of the latest opsets pass through unchanged") {
  auto m = make_model(18);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {6, 4});
  auto* i64 = m.mutable_graph()->add_initializer();
  i64->set_name("axes");
  i64->set_data_type(::onnx::TensorProto::INT64);
  i64->add_dims(1);
  i64->add_int64_data(1);
  add_node(m, "ReduceMean", {"x", "axes"}, {"r"}, "mean");
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.layer("ReduceMean")->inputs == std::vector<std::string>{"x", "axes"});
  CHECK(r.constants.size() == 1);
}

TEST_CASE("opset-9 Upsample becomes Resize with asymmetric nearest sampling") {
  auto m = make_model(8);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {1, 1, 2, 2});
  auto* up = add_node(m, "Upsample", {"x"}, {"y"}, "up");
  auto* a = up->add_attribute();
  a->set_name("scales");
  a->set_type(::onnx::AttributeProto::FLOATS);
  for (float s : {1.f, 1.f, 2.f, 2.f}) a->add_floats(s);
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* rs = r.layer("Resize");
  REQUIRE(rs != nullptr);
  REQUIRE(rs->inputs.size() == 3);
  CHECK(rs->inputs[1].empty());
  CHECK(r.constants.at(rs->inputs[2]).values<float>() == std::vector<float>{1, 1, 2, 2});
  CHECK(rs->attributes.at("mode").strings == std::vector<std::string>{"nearest"});
  CHECK(rs->attributes.at("coordinate_transformation_mode").strings == std::vector<std::string>{"asymmetric"});
  CHECK(rs->attributes.at("nearest_mode").strings == std::vector<std::string>{"floor"});
}

TEST_CASE("opset-1 LSTM drops output_sequence and keeps its activations, alphas and direction") {
  auto m = make_model(1);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {5, 2, 3});
  add_input(m, "w", ::onnx::TensorProto::FLOAT, {2, 16, 3});
  add_input(m, "r", ::onnx::TensorProto::FLOAT, {2, 16, 4});
  auto* lstm = add_node(m, "LSTM", {"x", "w", "r"}, {"y", "y_h"}, "lstm");
  set_int(lstm, "output_sequence", 1);
  set_int(lstm, "hidden_size", 4);
  auto* direction = lstm->add_attribute();
  direction->set_name("direction");
  direction->set_type(::onnx::AttributeProto::STRING);
  direction->set_s("bidirectional");
  auto* acts = lstm->add_attribute();
  acts->set_name("activations");
  acts->set_type(::onnx::AttributeProto::STRINGS);
  for (const char* a : {"HardSigmoid", "Tanh", "Tanh"}) acts->add_strings(a);
  auto* alpha = lstm->add_attribute();
  alpha->set_name("activation_alpha");
  alpha->set_type(::onnx::AttributeProto::FLOATS);
  alpha->add_floats(0.25f);
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* l = r.layer("LSTM");
  REQUIRE(l != nullptr);
  CHECK(l->attributes.count("output_sequence") == 0);
  CHECK(l->attributes.at("hidden_size").ints == std::vector<int64_t>{4});
  CHECK(l->attributes.at("direction").strings == std::vector<std::string>{"bidirectional"});
  CHECK(l->attributes.at("activations").strings == std::vector<std::string>{"HardSigmoid", "Tanh", "Tanh"});
  CHECK(l->attributes.at("activation_alpha").floats == std::vector<float>{0.25f});
  CHECK(l->outputs == std::vector<std::string>{"y", "y_h"});
}

TEST_CASE("opset-19 DFT's axis attribute becomes input 2, with opset 17's default 1 when absent") {
  auto m = make_model(19);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {1, 10, 10, 1});
  set_int(add_node(m, "DFT", {"x"}, {"y"}, "dft_axis2"), "axis", 2);
  add_node(m, "DFT", {"x"}, {"z"}, "dft_default");
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  REQUIRE(r.layers.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const recorded_layer& d = r.layers[i];
    REQUIRE(d.inputs.size() == 3);
    CHECK(d.inputs[1].empty());  // no dft_length
    CHECK(d.attributes.count("axis") == 0);
    const recorded_constant& axis = r.constants.at(d.inputs[2]);
    CHECK(axis.dims.empty());
    CHECK(axis.values<int64_t>() == std::vector<int64_t>{i == 0 ? 2 : 1});
  }
}

}  // TEST_SUITE

TEST_SUITE("onnx parser opset upgrades") {

// An opset-8 Scan summing rows: state [B, 2], xs [B, 3, 2]; seq_lens names input 0 ("" for none).
::onnx::ModelProto scan8_model(const std::string& seq_lens) {
  auto m = make_model(8);
  add_input(m, "s0", ::onnx::TensorProto::FLOAT, {2, 2});
  add_input(m, "xs", ::onnx::TensorProto::FLOAT, {2, 3, 2});
  if (!seq_lens.empty()) add_input(m, seq_lens, ::onnx::TensorProto::INT32, {2});
  auto* scan = add_node(m, "Scan", {seq_lens, "s0", "xs"}, {"total", "each"}, "scan8");
  set_int(scan, "num_scan_inputs", 1);
  set_ints(scan, "directions", {1});
  auto* a = scan->add_attribute();
  a->set_name("body");
  a->set_type(::onnx::AttributeProto::GRAPH);
  ::onnx::GraphProto* body = a->mutable_g();
  body->set_name("body");
  for (const char* name : {"state", "row", "next", "out"}) {
    ::onnx::ValueInfoProto* v = std::string(name) == "state" || std::string(name) == "row" ? body->add_input() : body->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
    v->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
  }
  auto* add = body->add_node();
  add->set_op_type("Add"), add->add_input("state"), add->add_input("row"), add->add_output("next");
  auto* copy = body->add_node();
  copy->set_op_type("Identity"), copy->add_input("next"), copy->add_output("out");
  add_output(m, "total", ::onnx::TensorProto::FLOAT, {2, 2});
  add_output(m, "each", ::onnx::TensorProto::FLOAT, {2, 3, 2});
  return m;
}

TEST_CASE("opset-8 Scan drops its omitted sequence_lens and becomes a batched Scan; given lengths are refused") {
  parse_result r = parse_bytes(serialize(scan8_model("")));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* scan = r.layer("Scan");
  REQUIRE(scan != nullptr);
  CHECK(scan->inputs.at(0) == "s0");
  CHECK(scan->inputs.at(1) == "xs");
  CHECK(scan->attributes.at("batched").ints == std::vector<int64_t>{1});
  CHECK(scan->attributes.at("scan_input_directions").ints == std::vector<int64_t>{1});
  CHECK(scan->attributes.count("directions") == 0);

  parse_result lens = parse_bytes(serialize(scan8_model("lens")));
  CHECK(lens.code() == MIRT_STATUS_UNSUPPORTED);
  CHECK(lens.message().find("'scan8'") != std::string::npos);
  CHECK(lens.message().find("sequence_lens") != std::string::npos);
}

}  // TEST_SUITE
