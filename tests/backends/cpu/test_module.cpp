// tests/backends/cpu/test_module.cpp — the module descriptor, tactics, errors and memory calls.
#include <doctest/doctest.h>

#include <cstring>

#include "tests/backends/cpu/harness.hpp"

extern "C" const mirt_module_desc* mirt_module_entry(uint32_t host_abi_version, const mirt_host_api* host);

using namespace cpu_test;

TEST_SUITE("cpu") {

TEST_CASE("the cpu module describes itself as backend cpu 0.1.0 of the current ABI") {
  (void)backend();  // hands the host over
  const mirt_module_desc* desc = mirt_module_entry(MIRT_ABI_VERSION, nullptr);
  CHECK(desc == nullptr);  // no host, no statuses: the module refuses to serve
  const mirt_backend_vtable& vt = backend();
  CHECK(vt.struct_size == sizeof(mirt_backend_vtable));
  CHECK(vt.io_location == MIRT_TENSOR_LOCATION_HOST);
  CHECK(std::strlen(vt.device_signature()) > 0);
  CHECK(mirt_module_entry(MIRT_ABI_VERSION + 1, nullptr) == nullptr);
}

TEST_CASE("memory_alloc returns 64-byte aligned host memory that memory_copy fills") {
  const mirt_backend_vtable& vt = backend();
  void* a = nullptr;
  void* b = nullptr;
  REQUIRE(vt.memory_alloc(100, &a) == nullptr);
  REQUIRE(vt.memory_alloc(100, &b) == nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % 64 == 0);
  std::memset(a, 7, 100);
  CHECK(vt.memory_copy(b, a, 100, MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr) == nullptr);
  CHECK(static_cast<unsigned char*>(b)[99] == 7);
  vt.memory_free(a);
  vt.memory_free(b);
  vt.memory_free(nullptr);
}

TEST_CASE("an unsupported dtype gives UNSUPPORTED naming the layer, the op and the dtype") {
  op_call c{"Sigmoid", {i32({2}, {1, 2})}, {{MIRT_DTYPE_INT32, {2}}}};
  c.name = "block3/act";
  const op_result r = run(c);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("block3/act") != std::string::npos);
  CHECK(r.message.find("Sigmoid") != std::string::npos);
  CHECK(r.message.find("int32") != std::string::npos);
}

TEST_CASE("an unknown op gives UNSUPPORTED naming the layer and the op") {
  op_call c{"NoSuchOp", {f32({1}, {1})}, {{MIRT_DTYPE_FLOAT32, {1}}}};
  c.name = "mystery";
  const op_result r = run(c);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("mystery") != std::string::npos);
  CHECK(r.message.find("NoSuchOp") != std::string::npos);
}

TEST_CASE("kernel_create refuses a tactic id that get_tactics never returned") {
  const mirt_backend_vtable& vt = backend();
  mirt_tensor_desc d{MIRT_DTYPE_FLOAT32, 1, {4}};
  const void* constants[1] = {nullptr};
  mirt_node_info node{};
  node.struct_size = sizeof(node);
  node.name = mirt_string_view{"r", 1};
  node.op_type = mirt_string_view{"Relu", 4};
  node.num_inputs = 1;
  node.inputs = &d;
  node.constant_data = constants;
  node.num_outputs = 1;
  node.outputs = &d;
  mirt_kernel* k = nullptr;
  mirt_status st = vt.kernel_create(&node, 12345, &k);
  REQUIRE(st != nullptr);
  CHECK(k == nullptr);
  std::string message;
  free_status(st, &message);
  CHECK(message.find("12345") != std::string::npos);
}

TEST_CASE("get_tactics reports the count even when capacity is zero") {
  const mirt_backend_vtable& vt = backend();
  mirt_tensor_desc d{MIRT_DTYPE_FLOAT32, 1, {4}};
  mirt_tensor_desc ins[2] = {d, d};
  const void* constants[2] = {nullptr, nullptr};
  mirt_node_info node{};
  node.struct_size = sizeof(node);
  node.name = mirt_string_view{"a", 1};
  node.op_type = mirt_string_view{"Add", 3};
  node.num_inputs = 2;
  node.inputs = ins;
  node.constant_data = constants;
  node.num_outputs = 1;
  node.outputs = &d;
  uint32_t count = 0;
  CHECK(vt.get_tactics(&node, nullptr, 0, &count) == nullptr);
  CHECK(count >= 1);
}

}  // TEST_SUITE
