// tests/backends/cuda/runtime_api_support.hpp — what the end-to-end tests of test_cuda_runtime_api
// share: whether this machine has a GPU (SKIP_WITHOUT_GPU), a status's message, REQUIRE_OK, string
// views and building a network into a plan.
#pragma once

#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <cstdint>
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

// Ends the test case (passing) on a machine without a GPU, as in CI.
#define SKIP_WITHOUT_GPU()                 \
  do {                                     \
    if (!cuda_api_test::has_gpu()) {       \
      MESSAGE("skipped: needs a GPU");     \
      return;                              \
    }                                      \
  } while (0)

namespace cuda_api_test {

// net (whose outputs are marked) built for backend with precision_flags, default options otherwise;
// the network and the config are destroyed, the plan is the caller's.
inline mirt_plan* build_plan(mirt_network* net, const char* backend, uint32_t precision_flags = 0) {
  mirt_builder_options o = MIRT_BUILDER_OPTIONS_INIT;
  o.backend = sv(backend);
  o.precision_flags = precision_flags;
  mirt_builder_config* config = nullptr;
  REQUIRE_OK(mirt_builder_config_create(&o, &config));
  mirt_plan* plan = nullptr;
  REQUIRE_OK(mirt_builder_build(net, config, &plan));
  mirt_builder_config_destroy(config);
  mirt_network_destroy(net);
  return plan;
}

}  // namespace cuda_api_test
