// tests/backends/cuda/harness.hpp — runs one node on the cuda and the cpu backend modules (both
// loaded with dlopen, each given a test host) and compares the results.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mirt/backend.h"

namespace cuda_test {

using shape_t = std::vector<int64_t>;
int64_t numel(const shape_t& s);

struct tensor_data {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;  // UNDEFINED marks an omitted optional input
  shape_t shape;
  std::vector<uint8_t> bytes;
  bool constant = false;  // handed to kernel_create as constant_data

  template <class T>
  static tensor_data of(mirt_dtype dtype, shape_t shape, const std::vector<T>& values, bool constant = false) {
    tensor_data t{dtype, std::move(shape), std::vector<uint8_t>(values.size() * sizeof(T)), constant};
    if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
  }
  template <class T>
  std::vector<T> values() const {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
};

// Random float32 values in [lo, hi), reproducible per seed.
tensor_data rand_f32(shape_t shape, uint32_t seed, float lo = -1, float hi = 1, bool constant = false);
tensor_data f32(shape_t shape, const std::vector<float>& v, bool constant = false);
tensor_data i64(shape_t shape, const std::vector<int64_t>& v, bool constant = false);
tensor_data i32(shape_t shape, const std::vector<int32_t>& v, bool constant = false);
tensor_data boolean(shape_t shape, const std::vector<uint8_t>& v);
tensor_data omitted();

struct attr {
  std::string name;
  mirt_attribute_type type;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};
attr attr_i(const std::string& name, int64_t v);
attr attr_f(const std::string& name, float v);
attr attr_s(const std::string& name, const std::string& v);
attr attr_ints(const std::string& name, std::vector<int64_t> v);

struct out_spec {
  mirt_dtype dtype;
  shape_t shape;
};

struct op_call {
  std::string op;
  std::vector<tensor_data> inputs;
  std::vector<out_spec> outputs;
  std::vector<attr> attrs;
  std::string name = "test/layer";
  uint32_t precision_flags = 0;
  std::string tactic;  // a cuda tactic name; empty: the first (the cpu backend always runs its first)
};

struct op_result {
  mirt_status_code code = MIRT_STATUS_OK;
  std::string message;
  std::string tactic;
  std::vector<tensor_data> outputs;
};

// The backend vtables (REQUIRE that the module loads) and their descriptors.
const mirt_module_desc& cuda_module();
const mirt_module_desc& cpu_module();
const mirt_backend_vtable& cuda_backend();
const mirt_backend_vtable& cpu_backend();

// Whether this machine has a CUDA device and driver (asked of the CUDA runtime, not the module).
bool gpu_present();

// Runs the node on the cpu backend (host buffers) or the cuda backend (device buffers, default stream).
op_result run_cpu(const op_call& call);
op_result run_cuda(const op_call& call);

// The messages the modules logged (every level) since the last call, oldest first; clears them.
std::vector<std::string> take_log_lines();

// Runs on both, REQUIREs success, and CHECKs every output: float32 within rel_tol (relative to
// max(1, |cpu|)), other dtypes bit-exact.
void compare_with_cpu(const op_call& call, double rel_tol = 1e-4);

// Status helpers for the no-GPU tests.
mirt_status_code consume(mirt_status st, std::string* message);

}  // namespace cuda_test

// Skips the calling test case (with a MESSAGE) when no GPU is present.
#define CUDA_TEST_REQUIRE_GPU()                                                          \
  do {                                                                                   \
    if (!cuda_test::gpu_present()) {                                                     \
      MESSAGE("skipped: no CUDA device/driver on this machine (runs in tests/gpu/run.sh)"); \
      return;                                                                            \
    }                                                                                    \
  } while (0)
