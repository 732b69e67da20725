// tests/parsers/onnx/external_data_test.cpp — initializers whose bytes live in files beside the model.
#include <doctest/doctest.h>

#include <cstring>

#include "test_support.hpp"

using namespace onnx_test;

namespace {

void set_external(::onnx::TensorProto* t, const std::string& location, int64_t offset, int64_t length) {
  t->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto add = [&](const char* key, const std::string& value) {
    auto* e = t->add_external_data();
    e->set_key(key);
    e->set_value(value);
  };
  add("location", location);
  if (offset >= 0) add("offset", std::to_string(offset));
  if (length >= 0) add("length", std::to_string(length));
}

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// y = x + w, with w [2, 3] float (external) and a second initializer s [2] int64 (external).
::onnx::ModelProto model_with_external(const std::string& location, int64_t w_offset, int64_t s_offset) {
  auto m = make_model(17);
  add_input(m, "x", ::onnx::TensorProto::FLOAT, {2, 3});
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  w->add_dims(2);
  w->add_dims(3);
  set_external(w, location, w_offset, 24);
  auto* s = m.mutable_graph()->add_initializer();
  s->set_name("s");
  s->set_data_type(::onnx::TensorProto::INT64);
  s->add_dims(2);
  set_external(s, location, s_offset, -1);  // no length: to the end of the file
  add_node(m, "Add", {"x", "w"}, {"y"}, "add");
  add_output(m, "y", ::onnx::TensorProto::FLOAT, {2, 3});
  return m;
}

}  // namespace

TEST_SUITE("onnx parser external data") {

TEST_CASE("initializers with external data are read from the file beside the model") {
  temp_dir dir;
  std::vector<float> w = {1.5f, -2.f, 3.f, 4.25f, 5.f, -6.f};
  std::vector<int64_t> s = {7, -8};
  std::string bin = std::string(16, '\xAB') + bytes_of(w) + std::string(8, '\xCD') + bytes_of(s);
  write_file(dir.path / "weights.bin", bin);
  write_file(dir.path / "model.onnx", serialize(model_with_external("weights.bin", 16, 48)));

  parse_result r = parse_file(dir.path / "model.onnx");
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.dims_of("w") == std::vector<int64_t>{2, 3});
  CHECK(r.constants.at("w").values<float>() == w);
  CHECK(r.constants.at("s").values<int64_t>() == s);
  CHECK(mirt_network_num_layers(r.network) == 1);
}

TEST_CASE("external data in a subfolder is found relative to the model's folder") {
  temp_dir dir;
  std::filesystem::create_directories(dir.path / "data");
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> s = {1, 2};
  write_file(dir.path / "data" / "w.bin", bytes_of(w) + bytes_of(s));
  write_file(dir.path / "model.onnx", serialize(model_with_external("data/w.bin", 0, 24)));
  parse_result r = parse_file(dir.path / "model.onnx");
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.constants.at("w").values<float>() == w);
}

TEST_CASE("a missing external data file gives IO_ERROR naming the file and the full path searched") {
  temp_dir dir;
  write_file(dir.path / "model.onnx", serialize(model_with_external("missing.bin", 0, 24)));
  parse_result r = parse_file(dir.path / "model.onnx");
  CHECK(r.code() == MIRT_STATUS_IO_ERROR);
  CHECK(r.message().find("initializer 'w'") != std::string::npos);
  CHECK(r.message().find("'missing.bin'") != std::string::npos);
  CHECK(r.message().find((dir.path / "missing.bin").string()) != std::string::npos);
}

TEST_CASE("external data past the end of its file gives CORRUPT_DATA with the file size and range") {
  temp_dir dir;
  write_file(dir.path / "short.bin", std::string(20, '\0'));
  write_file(dir.path / "model.onnx", serialize(model_with_external("short.bin", 0, 24)));
  parse_result r = parse_file(dir.path / "model.onnx");
  CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.message().find("initializer 'w'") != std::string::npos);
  CHECK(r.message().find("is 20 bytes") != std::string::npos);
  CHECK(r.message().find("[0, 24)") != std::string::npos);
}

TEST_CASE("an external data location that leaves the model's folder is refused") {
  temp_dir dir;
  write_file(dir.path / "model.onnx", serialize(model_with_external("../secret.bin", 0, 24)));
  parse_result r = parse_file(dir.path / "model.onnx");
  CHECK(r.code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.message().find("'../secret.bin'") != std::string::npos);
}

}  // TEST_SUITE
