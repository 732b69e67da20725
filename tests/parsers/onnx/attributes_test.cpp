// tests/parsers/onnx/attributes_test.cpp — attribute kinds, tensor attributes, domains, omitted inputs.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace onnx_test;

TEST_SUITE("onnx parser attributes") {

TEST_CASE("a node in a custom domain passes with its domain and every attribute kind") {
  auto m = make_model(17);
  auto* o = m.add_opset_import();
  o->set_domain("com.example");
  o->set_version(3);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {-1, 8});
  auto* n = add_node(m, "FancyOp", {"x"}, {"y", "z"}, "fancy");
  n->set_domain("com.example");
  set_int(n, "i", -3);
  set_float(n, "f", 0.25f);
  set_ints(n, "is", {1, 2, 3});
  auto* a = n->add_attribute();
  a->set_name("s");
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s("hello");
  a = n->add_attribute();
  a->set_name("fs");
  a->set_type(::onnx::AttributeProto::FLOATS);
  a->add_floats(1.5f);
  a->add_floats(-2.5f);
  a = n->add_attribute();
  a->set_name("ss");
  a->set_type(::onnx::AttributeProto::STRINGS);
  a->add_strings(std::string("a"));
  a->add_strings(std::string("bc"));
  add_output(m, "z", ::onnx::TensorProto::FLOAT, {-1, 8});

  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* l = r.layer("FancyOp");
  REQUIRE(l != nullptr);
  CHECK(l->domain == "com.example");
  CHECK(!l->without_schema);  // the core accepts unknown ops of non-standard domains itself
  CHECK(l->outputs == std::vector<std::string>{"y", "z"});
  CHECK(l->attributes.at("i").type == MIRT_ATTRIBUTE_TYPE_INT);
  CHECK(l->attributes.at("i").ints == std::vector<int64_t>{-3});
  CHECK(l->attributes.at("f").floats == std::vector<float>{0.25f});
  CHECK(l->attributes.at("is").type == MIRT_ATTRIBUTE_TYPE_INTS);
  CHECK(l->attributes.at("s").strings == std::vector<std::string>{"hello"});
  CHECK(l->attributes.at("fs").floats == std::vector<float>{1.5f, -2.5f});
  CHECK(l->attributes.at("ss").type == MIRT_ATTRIBUTE_TYPE_STRINGS);
  CHECK(l->attributes.at("ss").strings == std::vector<std::string>{"a", "bc"});
  CHECK(mirt_network_num_outputs(r.network) == 1);
}

TEST_CASE("ConstantOfShape's tensor value becomes a float value plus its ONNX dtype code") {
  for (int32_t type : {::onnx::TensorProto::FLOAT, ::onnx::TensorProto::INT64, ::onnx::TensorProto::FLOAT16}) {
    CAPTURE(type);
    auto m = make_model(17);
    auto* shape = m.mutable_graph()->add_initializer();
    shape->set_name("shape");
    shape->set_data_type(::onnx::TensorProto::INT64);
    shape->add_dims(1);
    shape->add_int64_data(3);
    auto* n = add_node(m, "ConstantOfShape", {"shape"}, {"y"}, "fill");
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(::onnx::AttributeProto::TENSOR);
    ::onnx::TensorProto* t = a->mutable_t();
    t->set_data_type(type);
    t->add_dims(1);
    if (type == ::onnx::TensorProto::FLOAT) t->add_float_data(0.5f);
    if (type == ::onnx::TensorProto::INT64) t->add_int64_data(-7);
    if (type == ::onnx::TensorProto::FLOAT16) t->add_int32_data(0xC000);  // -2.0
    parse_result r = parse_bytes(serialize(m));
    REQUIRE_MESSAGE(r.ok(), r.message());
    const recorded_layer* l = r.layer("ConstantOfShape");
    const recorded_attribute& v = l->attributes.at("value");
    CHECK(v.type == MIRT_ATTRIBUTE_TYPE_FLOAT);
    CHECK(v.floats.at(0) == (type == ::onnx::TensorProto::FLOAT ? 0.5f : type == ::onnx::TensorProto::INT64 ? -7.f : -2.f));
    CHECK(l->attributes.at("dtype").ints == std::vector<int64_t>{type});
  }
}

TEST_CASE("a one-element tensor attribute of another op becomes an int for integer tensors") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  auto* n = add_node(m, "Custom", {"x"}, {"y"}, "custom");
  n->set_domain("com.example");
  auto* a = n->add_attribute();
  a->set_name("fill");
  a->set_type(::onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(::onnx::TensorProto::INT64);
  a->mutable_t()->add_int64_data(1LL << 40);  // rank 0: one element
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_attribute& v = r.layer("Custom")->attributes.at("fill");
  CHECK(v.type == MIRT_ATTRIBUTE_TYPE_INT);
  CHECK(v.ints == std::vector<int64_t>{1LL << 40});
}

TEST_CASE("a tensor attribute of several elements is refused naming the node and attribute") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::INT64, {1});
  auto* n = add_node(m, "ConstantOfShape", {"x"}, {"y"}, "fill");
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(::onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(2);
  a->mutable_t()->add_float_data(1);
  a->mutable_t()->add_float_data(2);
  parse_result r = parse_bytes(serialize(m));
  CHECK(r.code() == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message().find("ONNX node 'fill'") != std::string::npos);
  CHECK(r.message().find("tensor attribute 'value'") != std::string::npos);
}

TEST_CASE("inputs with empty names are omitted optional inputs, and trailing ones are dropped") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {4});
  add_float_initializer(m, "hi", {}, {6});
  add_node(m, "Clip", {"x", "", "hi"}, {"a"}, "clip_max");
  add_node(m, "Clip", {"x", "", ""}, {"b"}, "clip_none");
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  REQUIRE(r.layers.size() == 2);
  CHECK(r.layers[0].inputs == std::vector<std::string>{"x", "", "hi"});
  CHECK(r.layers[1].inputs == std::vector<std::string>{"x"});
}

TEST_CASE("unnamed nodes stay unnamed and duplicate node names are made unique") {
  auto m = make_model(13);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {4});
  add_node(m, "Relu", {"x"}, {"a"});
  add_node(m, "Relu", {"a"}, {"b"}, "same");
  add_node(m, "Relu", {"b"}, {"c"}, "same");
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  REQUIRE(r.layers.size() == 3);
  CHECK(r.layers[0].name.empty());
  CHECK(r.layers[1].name == "same");
  CHECK(r.layers[2].name == "same_2");
  CHECK(mirt_network_num_layers(r.network) == 3);
}

}  // TEST_SUITE

TEST_CASE("tensor attributes of an ONNX-ML node become lists: floats (float64 rounded) and ints (uint8)") {
  auto m = make_model(17);
  auto* ml = m.add_opset_import();
  ml->set_domain("ai.onnx.ml");
  ml->set_version(5);
  add_input(m, "x", ::onnx::TensorProto::DOUBLE, {2, 1});
  auto* n = add_node(m, "TreeEnsemble", {"x"}, {"y"}, "forest");
  n->set_domain("ai.onnx.ml");
  auto tensor_attribute = [&](const char* name, int32_t type) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(type);
    return a->mutable_t();
  };
  auto ints_attribute = [&](const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t i : v) a->add_ints(i);
  };
  // One node (x[0] <= 0.1) with two leaves.
  ::onnx::TensorProto* splits = tensor_attribute("nodes_splits", ::onnx::TensorProto::DOUBLE);
  splits->add_dims(1);
  splits->add_double_data(0.1);  // one element, still a list for an ONNX-ML op
  ::onnx::TensorProto* modes = tensor_attribute("nodes_modes", ::onnx::TensorProto::UINT8);
  modes->add_dims(1);
  modes->add_int32_data(0);
  ::onnx::TensorProto* weights = tensor_attribute("leaf_weights", ::onnx::TensorProto::DOUBLE);
  weights->add_dims(2);
  weights->add_double_data(0.5);
  weights->add_double_data(1.0 / 3);
  ints_attribute("nodes_featureids", {0});
  ints_attribute("nodes_truenodeids", {0});
  ints_attribute("nodes_falsenodeids", {1});
  ints_attribute("nodes_trueleafs", {1});
  ints_attribute("nodes_falseleafs", {1});
  ints_attribute("leaf_targetids", {0, 0});
  ints_attribute("tree_roots", {0});
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_layer* l = r.layer("TreeEnsemble");
  CHECK(l->attributes.at("nodes_splits").type == MIRT_ATTRIBUTE_TYPE_FLOATS);
  CHECK(l->attributes.at("nodes_splits").floats == std::vector<float>{0.1f});
  CHECK(l->attributes.at("leaf_weights").floats == std::vector<float>{0.5f, float(1.0 / 3)});
  CHECK(l->attributes.at("nodes_modes").type == MIRT_ATTRIBUTE_TYPE_INTS);
  CHECK(l->attributes.at("nodes_modes").ints == std::vector<int64_t>{0});
}

TEST_CASE("a tensor attribute of several elements of another op becomes a list") {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2});
  auto* n = add_node(m, "Custom", {"x"}, {"y"}, "custom");
  n->set_domain("com.example");
  auto* a = n->add_attribute();
  a->set_name("table");
  a->set_type(::onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(3);
  for (float v : {1.5f, -2.0f, 4.0f}) a->mutable_t()->add_float_data(v);
  parse_result r = parse_bytes(serialize(m));
  REQUIRE_MESSAGE(r.ok(), r.message());
  const recorded_attribute& v = r.layer("Custom")->attributes.at("table");
  CHECK(v.type == MIRT_ATTRIBUTE_TYPE_FLOATS);
  CHECK(v.floats == std::vector<float>{1.5f, -2.0f, 4.0f});
}
