// backends/cuda/tensor.cpp — shape helpers and reading small integer inputs back from the device.
#include "backends/cuda/tensor.hpp"

#include "backends/cuda/check.hpp"

namespace mirt::cuda {

std::string dims_string(const dims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

size_t dtype_size(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_INT32: return 4;
    case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: return 2;
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_BOOL: return 1;
    case MIRT_DTYPE_INT64: case MIRT_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

const char* dtype_name(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    case MIRT_DTYPE_FLOAT64: return "float64";
    default: return "undefined";
  }
}

int64_t normalize_axis(int64_t axis, size_t rank, const char* what) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " ", axis, " is out of range for rank ", r);
  return axis < 0 ? axis + r : axis;
}

dims broadcast_strides(const dims& in, const dims& out) {
  if (in.size() > out.size())
    fail(MIRT_STATUS_INVALID_SHAPE, "shape ", dims_string(in), " does not broadcast to ", dims_string(out));
  dims s(out.size(), 0);
  const dims dense = dense_strides(in);
  const size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == out[lead + i]) s[lead + i] = in[i] == 1 ? 0 : dense[i];
    else if (in[i] == 1) s[lead + i] = 0;
    else fail(MIRT_STATUS_INVALID_SHAPE, "shape ", dims_string(in), " does not broadcast to ", dims_string(out));
  }
  return s;
}

std::vector<int64_t> read_int_input(const exec_args& args, size_t i, const std::vector<int64_t>* constant,
                                    const char* what) {
  if (constant != nullptr) return *constant;
  const dtensor& t = args.input(i);
  if (!t.present()) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " (input ", i, ") is missing");
  const int64_t n = t.numel();
  std::vector<int64_t> v(static_cast<size_t>(n));
  if (n == 0) return v;
  if (t.dtype == MIRT_DTYPE_INT64) {
    cuda_check(cudaMemcpyAsync(v.data(), t.data, size_t(n) * 8, cudaMemcpyDeviceToHost, args.stream), "reading ", what);
  } else if (t.dtype == MIRT_DTYPE_INT32) {
    std::vector<int32_t> w(static_cast<size_t>(n));
    cuda_check(cudaMemcpyAsync(w.data(), t.data, size_t(n) * 4, cudaMemcpyDeviceToHost, args.stream), "reading ", what);
    cuda_check(cudaStreamSynchronize(args.stream), "reading ", what);
    for (int64_t k = 0; k < n; ++k) v[size_t(k)] = w[size_t(k)];
    return v;
  } else {
    fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has dtype ", dtype_name(t.dtype), ", expected int32 or int64");
  }
  cuda_check(cudaStreamSynchronize(args.stream), "reading ", what);
  return v;
}

void throw_if_failed(const status& s) {
  if (!s.ok()) throw error(s.code, s.message);
}

}  // namespace mirt::cuda
