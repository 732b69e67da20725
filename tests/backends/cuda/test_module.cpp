// tests/backends/cuda/test_module.cpp — the module's descriptor and its behaviour on the machine at
// hand. Runs everywhere (CI has no GPU): each case checks what this machine should give.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

TEST_SUITE("cuda_module") {

TEST_CASE("the cuda module describes itself as backend cuda 0.1.0 of the current ABI with device I/O") {
  const mirt_module_desc& d = cuda_module();
  CHECK(d.abi_version == MIRT_ABI_VERSION);
  CHECK(std::string(d.name) == "cuda");
  CHECK(std::string(d.version) == "0.1.0");
  CHECK(d.kind == MIRT_MODULE_KIND_BACKEND);
  const mirt_backend_vtable& vt = cuda_backend();
  CHECK(vt.struct_size == sizeof(mirt_backend_vtable));
  CHECK(vt.io_location == MIRT_TENSOR_LOCATION_DEVICE);
  CHECK(bool(vt.kernel_workspace_size));
  CHECK(bool(vt.stream_synchronize));
}

TEST_CASE("score and device signature match whether this machine has a GPU") {
  const mirt_module_desc& d = cuda_module();
  REQUIRE(bool(d.score));
  const std::string sig = cuda_backend().device_signature();
  if (gpu_present()) {
    CHECK(d.score() == 100);
    CHECK(sig.rfind("sm_", 0) == 0);
    MESSAGE("GPU present: score 100, signature ", sig);
  } else {
    CHECK(d.score() == 0);
    CHECK(sig == "no-gpu");
  }
}

TEST_CASE("without a GPU, get_tactics is UNSUPPORTED naming the layer, the missing device and the cpu backend") {
  if (gpu_present()) {
    MESSAGE("skipped: this machine has a GPU");
    return;
  }
  op_call c{"Relu", {f32({4}, {1, -1, 2, -2})}, {{MIRT_DTYPE_FLOAT32, {4}}}};
  c.name = "stem/relu";
  const op_result r = run_cuda(c);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("stem/relu") != std::string::npos);
  CHECK(r.message.find("no CUDA device/driver: ") != std::string::npos);
  CHECK(r.message.find("the CPU backend (--backend cpu) runs without one") != std::string::npos);
  void* p = nullptr;
  std::string msg;
  CHECK(consume(cuda_backend().memory_alloc(64, &p), &msg) == MIRT_STATUS_UNSUPPORTED);
  CHECK(p == nullptr);
  CHECK(msg.find("no CUDA device/driver") != std::string::npos);
}

TEST_CASE("an unknown op is UNSUPPORTED naming the layer and the op") {
  if (!gpu_present()) {
    MESSAGE("skipped: needs a GPU (without one every op reports the missing device)");
    return;
  }
  op_call c{"NoSuchOp", {f32({1}, {1})}, {{MIRT_DTYPE_FLOAT32, {1}}}};
  c.name = "mystery";
  const op_result r = run_cuda(c);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("mystery") != std::string::npos);
  CHECK(r.message.find("NoSuchOp") != std::string::npos);
}

TEST_CASE("memory_copy refuses a host pointer where a device pointer is needed") {
  if (!gpu_present()) {
    MESSAGE("skipped: needs a GPU");
    return;
  }
  const mirt_backend_vtable& vt = cuda_backend();
  float host[4] = {1, 2, 3, 4}, other[4] = {};
  std::string msg;
  CHECK(consume(vt.memory_copy(other, host, sizeof(host), MIRT_COPY_KIND_HOST_TO_DEVICE, nullptr), &msg) == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(msg.find("not device memory") != std::string::npos);
}

TEST_CASE("an allocation larger than the device gives OUT_OF_MEMORY saying how much was asked and is free") {
  if (!gpu_present()) {
    MESSAGE("skipped: needs a GPU");
    return;
  }
  void* p = nullptr;
  std::string msg;
  const size_t huge = size_t(1) << 50;
  CHECK(consume(cuda_backend().memory_alloc(huge, &p), &msg) == MIRT_STATUS_OUT_OF_MEMORY);
  CHECK(msg.find(std::to_string(huge)) != std::string::npos);
  CHECK(msg.find("MiB free") != std::string::npos);
  MESSAGE(msg);
}

}  // TEST_SUITE
