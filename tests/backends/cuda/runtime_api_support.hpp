// tests/backends/cuda/runtime_api_support.hpp — what the end-to-end tests of test_cuda_runtime_api
// share beyond tests/core/test_support.hpp (REQUIRE_OK, sv, add_layer, the owners, running_plan):
// whether this machine has a GPU (SKIP_WITHOUT_GPU), a status's message and code, and building a
// network for a backend into a plan.
#pragma once

#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "mirt/mirt.h"
#include "tests/core/test_support.hpp"

namespace cuda_api_test {

using mirt_test::add_layer;
using mirt_test::config_owner;
using mirt_test::plan_owner;
using mirt_test::running_plan;
using mirt_test::sv;

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

// net (whose outputs are marked) built for backend with precision_flags, default options
// otherwise; the network is destroyed.
inline plan_owner build_plan(mirt_network* net, const char* backend, uint32_t precision_flags = 0) {
  mirt_test::network_owner network{net};
  mirt_builder_options o = MIRT_BUILDER_OPTIONS_INIT;
  o.backend = sv(backend);
  o.precision_flags = precision_flags;
  config_owner config;
  REQUIRE_OK(mirt_builder_config_create(&o, &config.p));
  plan_owner plan;
  REQUIRE_OK(mirt_builder_build(net, config.p, &plan.p));
  return plan;
}

}  // namespace cuda_api_test

// Ends the test case (passing) on a machine without a GPU, as in CI.
#define SKIP_WITHOUT_GPU()                 \
  do {                                     \
    if (!cuda_api_test::has_gpu()) {       \
      MESSAGE("skipped: needs a GPU");     \
      return;                              \
    }                                      \
  } while (0)
