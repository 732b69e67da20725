// tests/tools/cpp_api_test.cpp — the C++ API (mirt.hpp) builds, saves, loads and runs tiny networks.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "mirt/mirt.hpp"

namespace {

// x (?x3) -> Relu -> "relu_out"; relu_out + c (3, broadcast over rows) -> "sum".
mirt::network make_relu_add_network(const std::vector<int64_t>& input_dims) {
  mirt::network net("relu_add");
  mirt::tensor x = net.add_input("x", MIRT_DTYPE_FLOAT32, input_dims);
  mirt::layer_options relu_opts;
  relu_opts.name = "relu";
  relu_opts.output_names = {"relu_out"};
  std::vector<mirt::tensor> relu = net.add_layer("Relu", {x}, {}, relu_opts);
  REQUIRE(relu.size() == 1);
  const std::vector<float> c = {10, 20, 30};
  mirt::tensor ct = net.add_constant("c", MIRT_DTYPE_FLOAT32, {3}, c);
  mirt::layer_options add_opts;
  add_opts.name = "add";
  add_opts.output_names = {"sum"};
  std::vector<mirt::tensor> sum = net.add_layer("Add", {relu[0], ct}, {}, add_opts);
  REQUIRE(sum.size() == 1);
  net.mark_output(relu[0]);
  net.mark_output(sum[0]);
  return net;
}

void run_and_check(mirt::engine& engine, const std::vector<int64_t>& shape) {
  mirt::context ctx(engine);
  ctx.set_input_shape("x", shape);
  CHECK(ctx.tensor_shape("sum") == std::vector<int64_t>{2, 3});
  std::vector<float> x = {-1, 2, -3, 4, -5, 6};
  std::vector<float> relu(6, -99), sum(6, -99);
  ctx.set_tensor_address("x", x.data());
  ctx.set_tensor_address("relu_out", relu.data());
  ctx.set_tensor_address("sum", sum.data());
  ctx.enqueue();
  CHECK(relu == std::vector<float>{0, 2, 0, 4, 0, 6});
  CHECK(sum == std::vector<float>{10, 22, 30, 14, 20, 36});
}

}  // namespace

TEST_CASE("mirt.hpp builds and runs Input -> Relu -> output and an Add with a constant") {
  mirt::network net = make_relu_add_network({2, 3});
  CHECK(net.num_inputs() == 1);
  CHECK(net.num_outputs() == 2);
  CHECK(net.num_layers() == 2);
  CHECK(net.input(0).name() == "x");
  CHECK(net.input(0).dims() == std::vector<int64_t>{2, 3});
  CHECK(net.find_tensor("sum").name() == "sum");

  mirt::builder_config config;
  mirt::plan plan = mirt::build(net, config);
  CHECK(plan.size() > 8);
  CHECK(std::string(static_cast<const char*>(plan.data()), 8) == "MIRTPLAN");
  CHECK_FALSE(plan.describe_json().empty());

  mirt::engine engine(plan);
  CHECK(engine.num_io_tensors() == 3);
  const mirt::io_tensor_info x = engine.find_io_tensor("x");
  CHECK(x.is_input);
  CHECK(x.dtype == MIRT_DTYPE_FLOAT32);
  CHECK(x.dims == std::vector<int64_t>{2, 3});
  CHECK_FALSE(engine.backend_name().empty());
  run_and_check(engine, {2, 3});
}

TEST_CASE("mirt.hpp plans survive save, load and a copy of their bytes") {
  mirt::network net = make_relu_add_network({2, 3});
  mirt::plan plan = mirt::build(net, mirt::builder_config());
  const std::string path = "cpp_api_test.plan";
  plan.save(path);
  mirt::plan loaded = mirt::plan::load(path);
  CHECK(loaded.bytes() == plan.bytes());
  const std::vector<uint8_t> bytes = plan.bytes();
  mirt::plan copied = mirt::plan::from_bytes(bytes.data(), bytes.size());
  mirt::engine engine(copied);
  run_and_check(engine, {2, 3});
  std::remove(path.c_str());
}

TEST_CASE("mirt.hpp dynamic inputs take a profile") {
  mirt::network net = make_relu_add_network({-1, 3});
  mirt_builder_options options = MIRT_BUILDER_OPTIONS_INIT;
  options.backend = mirt::to_c("cpu");
  mirt::builder_config config(options);
  const size_t profile = config.add_profile();
  config.set_profile_shape(profile, "x", {1, 3}, {2, 3}, {4, 3});
  mirt::plan plan = mirt::build(net, config);
  mirt::engine engine(plan);
  CHECK(engine.num_profiles() == 1);
  CHECK(engine.profile_shape(0, "x", MIRT_PROFILE_SELECTOR_MAX) == std::vector<int64_t>{4, 3});
  CHECK(engine.find_io_tensor("x").dims == std::vector<int64_t>{-1, 3});
  run_and_check(engine, {2, 3});
}

TEST_CASE("mirt.hpp turns failures into mirt::error with the code and message") {
  mirt::network net("errors");
  net.add_input("x", MIRT_DTYPE_FLOAT32, {2, 3});
  try {
    net.add_input("x", MIRT_DTYPE_FLOAT32, {2, 3});
    FAIL("a taken name was accepted");
  } catch (const mirt::error& e) {
    CHECK(e.code() == MIRT_STATUS_ALREADY_EXISTS);
    CHECK(std::string(e.code_name()) == "ALREADY_EXISTS");
    CHECK(std::string(e.what()).find("'x'") != std::string::npos);
  }
  CHECK_THROWS_AS(net.find_tensor("nope"), mirt::error);
  try {
    mirt::plan::load("/nonexistent/dir/x.plan");
    FAIL("a missing plan loaded");
  } catch (const mirt::error& e) {
    CHECK(e.code() == MIRT_STATUS_IO_ERROR);
    CHECK(std::string(e.what()).find("/nonexistent/dir/x.plan") != std::string::npos);
  }
  const std::vector<uint8_t> junk(64, 0x5A);
  mirt::plan bad = mirt::plan::from_bytes(junk.data(), junk.size());
  CHECK_THROWS_AS(mirt::engine{bad}, mirt::error);
}

TEST_CASE("mirt.hpp owners are move-only and release their handle") {
  mirt::network a("moved");
  mirt_network* raw = a.get();
  mirt::network b(std::move(a));
  CHECK(b.get() == raw);
  CHECK_FALSE(a);  // NOLINT(bugprone-use-after-move): a moved-from owner is empty
  mirt::attribute axis = mirt::attribute::make_int("axis", 1);
  const mirt_attribute c = axis.c_attribute();
  CHECK(c.type == MIRT_ATTRIBUTE_TYPE_INT);
  CHECK(c.count == 1);
  CHECK(c.ints[0] == 1);
  mirt::attribute modes = mirt::attribute::make_strings("modes", {"a", "bb"});
  const mirt_attribute s = modes.c_attribute();
  CHECK(s.count == 2);
  CHECK(mirt::to_cpp(s.strings[1]) == "bb");
}

TEST_CASE("mirt.hpp lists the registry's modules") {
  const std::vector<mirt::module_info> list = mirt::modules();
  bool cpu = false;
  for (const mirt::module_info& m : list) cpu = cpu || (m.name == "cpu" && m.kind == MIRT_MODULE_KIND_BACKEND);
  CHECK(cpu);
  CHECK_FALSE(mirt::search_paths().empty());
}

TEST_CASE("engine::alloc_device_memory gives a move-only buffer that copy_memory fills and reads back") {
  mirt::network net = make_relu_add_network({2, 3});
  mirt::builder_config config;
  mirt::engine engine(mirt::build(net, config));

  mirt::device_buffer empty;
  CHECK_FALSE(empty);
  CHECK(empty.size() == 0);

  const std::vector<float> x = {-1, 2, -3, 4, -5, 6};
  const size_t bytes = x.size() * sizeof(float);
  mirt::device_buffer a = engine.alloc_device_memory(bytes);
  REQUIRE(a);
  CHECK(a.size() == bytes);
  CHECK(reinterpret_cast<uintptr_t>(a.get()) % 64 == 0);

  SUBCASE("host -> device -> device -> host round trip") {
    mirt::device_buffer b = engine.alloc_device_memory(bytes);
    engine.copy_memory(a.get(), x.data(), bytes, MIRT_COPY_KIND_HOST_TO_DEVICE);
    engine.copy_memory(b.get(), a.get(), bytes, MIRT_COPY_KIND_DEVICE_TO_DEVICE);
    std::vector<float> back(x.size(), 0);
    engine.copy_memory(back.data(), b.get(), bytes, MIRT_COPY_KIND_DEVICE_TO_HOST);
    engine.synchronize();
    CHECK(back == x);
  }
  SUBCASE("moving hands the memory over and empties the source") {
    void* p = a.get();
    mirt::device_buffer moved(std::move(a));
    CHECK(moved.get() == p);
    CHECK_FALSE(a);
    mirt::device_buffer assigned = engine.alloc_device_memory(16);
    assigned = std::move(moved);  // frees its own 16 bytes first
    CHECK(assigned.get() == p);
    CHECK(assigned.size() == bytes);
    assigned.reset();
    CHECK_FALSE(assigned);
  }
  SUBCASE("a context runs on buffers from alloc_device_memory") {
    mirt::context ctx(engine);
    ctx.set_input_shape("x", {2, 3});
    mirt::device_buffer relu = engine.alloc_device_memory(bytes), sum = engine.alloc_device_memory(bytes);
    engine.copy_memory(a.get(), x.data(), bytes, MIRT_COPY_KIND_HOST_TO_DEVICE);
    ctx.set_tensor_address("x", a.get());
    ctx.set_tensor_address("relu_out", relu.get());
    ctx.set_tensor_address("sum", sum.get());
    ctx.enqueue();
    engine.synchronize();
    std::vector<float> out(6, -99);
    engine.copy_memory(out.data(), sum.get(), bytes, MIRT_COPY_KIND_DEVICE_TO_HOST);
    engine.synchronize();
    CHECK(out == std::vector<float>{10, 22, 30, 14, 20, 36});
  }
  SUBCASE("a copy with an undefined kind fails with INVALID_ARGUMENT naming the kind") {
    float y[6] = {};
    try {
      engine.copy_memory(y, a.get(), bytes, MIRT_COPY_KIND_UNDEFINED);
      FAIL("copy_memory with MIRT_COPY_KIND_UNDEFINED did not throw");
    } catch (const mirt::error& e) {
      CHECK(e.code() == MIRT_STATUS_INVALID_ARGUMENT);
      CHECK(std::string(e.what()).find("kind 0") != std::string::npos);
    }
  }
}
