// tests/backends/cuda/runtime_api_support.hpp — what the end-to-end tests of test_cuda_runtime_api
// share: whether this machine has a GPU, a status's message, REQUIRE_OK and string views.
#pragma once

#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <string>

#include "mirt/mirt.h"

namespace cuda_api_test {

// Whether the CUDA runtime sees a device (the cases skip themselves when it does not, as in CI).
inline bool has_gpu() {
  int n = 0;
  const bool ok = cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  (void)cudaGetLastError();
  return ok;
}

// The message of a failed call, or "" (and the status freed either way); code gets its code.
inline std::string message_of(mirt_status s, mirt_status_code* code = nullptr) {
  if (code) *code = mirt_status_get_code(s);
  if (!s) return "";
  std::string m = mirt_status_get_message(s);
  mirt_status_destroy(s);
  return m;
}

inline mirt_string_view sv(const char* s) { return mirt_string_view_of(s); }

}  // namespace cuda_api_test

#define REQUIRE_OK(expr)                                      \
  do {                                                        \
    const std::string m_ = cuda_api_test::message_of(expr);   \
    INFO("status: ", m_);                                     \
    REQUIRE(m_.empty());                                      \
  } while (0)
