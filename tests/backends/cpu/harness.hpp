// tests/backends/cpu/harness.hpp — runs one node through the cpu backend's vtable, and reference helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "mirt/backend.h"

namespace cpu_test {

// Takes a status made by the harness's host apart into code and message, and frees it.
mirt_status_code free_status(mirt_status st, std::string* message);

using shape_t = std::vector<int64_t>;

int64_t numel(const shape_t& s);

// A tensor with its bytes; dtype UNDEFINED marks an omitted optional input.
struct tensor_data {
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
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

tensor_data f32(shape_t shape, const std::vector<float>& v, bool constant = false);
tensor_data i64(shape_t shape, const std::vector<int64_t>& v, bool constant = false);
tensor_data i32(shape_t shape, const std::vector<int32_t>& v, bool constant = false);
tensor_data boolean(shape_t shape, const std::vector<uint8_t>& v);
tensor_data omitted();
// v rounded to float16 and back (the values a float16 tensor of v holds).
std::vector<float> round_to_half(std::vector<float> v);
// A float16 tensor of v, each value rounded to nearest even.
tensor_data f16(shape_t shape, const std::vector<float>& v, bool constant = false);
// A float16 tensor's values as floats.
std::vector<float> half_values(const tensor_data& t);

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
  bool dynamic_build = false;  // describe every input and output dim as -1 at kernel_create time
  bool in_place = false;       // output 0 is written into input 0's buffer
  int threads = 1;             // run kernel_execute concurrently from this many threads
  int repeat = 1;              // run kernel_execute this many times in a row (reuses the kernel's caches)
  bool workspace = true;       // size a workspace with kernel_workspace_size and pass it, as a context does
  std::string tactic;          // the tactic to create, by name (NOT_FOUND when not offered); empty: the first
};

struct op_result {
  mirt_status_code code = MIRT_STATUS_OK;
  std::string message;
  std::string tactic;
  std::vector<tensor_data> outputs;
};

const mirt_backend_vtable& backend();
// get_tactics -> kernel_create (first tactic) -> kernel_execute -> kernel_destroy.
op_result run(const op_call& call);
// Like run() but REQUIREs success, and returns output `index` as float32 values.
std::vector<float> run_f32(const op_call& call, size_t index = 0);

// Random values in [lo, hi), reproducible per seed.
std::vector<float> random_floats(int64_t n, float lo = -1, float hi = 1, uint32_t seed = 7);

// Checks max |a-b| / max(1, |b|) <= tol elementwise (NaN must match NaN), with a message naming the index.
void check_close(const std::vector<float>& actual, const std::vector<double>& expected, double tol = 1e-5);

// Row-major index helpers for reference loops.
std::vector<int64_t> strides_of(const shape_t& s);
// Numpy broadcast of two shapes, and the flat index into `in` for multi-index `idx` of `out`.
shape_t broadcast(const shape_t& a, const shape_t& b);
int64_t broadcast_index(const shape_t& in, const shape_t& out, int64_t flat_out);
std::vector<int64_t> unravel(int64_t flat, const shape_t& s);

}  // namespace cpu_test
