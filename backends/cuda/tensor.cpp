// backends/cuda/tensor.cpp — shape helpers and reading small integer inputs back from the device.
#include "backends/cuda/tensor.hpp"

#include "backends/cuda/check.hpp"

namespace mirt::cuda {

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
