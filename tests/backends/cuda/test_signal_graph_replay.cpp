// tests/backends/cuda/test_signal_graph_replay.cpp — DFT's cuFFT plans under CUDA graph capture,
// end to end through libmirt: graph replay records a DFT layer after its plain first run made the
// plan and replays it with the plain run's results (new input data included); a stream captured
// by the caller before any plain run fails with a clear message instead of planning under capture.
// Without a GPU (CI) the cases skip themselves.
#include <cuda_runtime.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "mirt/mirt.h"
#include "tests/backends/cuda/runtime_api_support.hpp"

using namespace cuda_api_test;

namespace {

constexpr int64_t k_lines = 8, k_length = 256, k_bins = k_length / 2 + 1;

// x [8, 256, 1] -> DFT (onesided, along axis 1) -> y [8, 129, 2], built for the cuda backend.
plan_owner build_dft_plan() {
  mirt_network* net = nullptr;
  REQUIRE_OK(mirt_network_create(nullptr, &net));
  const int64_t dims[] = {k_lines, k_length, 1};
  mirt_tensor* x = nullptr;
  REQUIRE_OK(mirt_network_add_input(net, sv("x"), MIRT_DTYPE_FLOAT32, 3, dims, nullptr, &x));
  const int64_t one = 1;
  REQUIRE_OK(mirt_network_mark_output(net, add_layer(net, "DFT", "y", {x}, {mirt_test::int_attr("onesided", &one)})));
  return build_plan(net, "cuda");
}

// An engine and context for the DFT plan with device buffers for x and y.
struct dft_run {
  plan_owner plan = build_dft_plan();
  running_plan running{plan.p};
  mirt_context* context = running.context.p;
  float *x = nullptr, *y = nullptr;
  std::vector<float> host_x = std::vector<float>(size_t(k_lines * k_length));
  dft_run() {
    REQUIRE(cudaMalloc(&x, host_x.size() * 4) == cudaSuccess);
    REQUIRE(cudaMalloc(&y, size_t(k_lines * k_bins * 2) * 4) == cudaSuccess);
    fill(1);
    REQUIRE_OK(mirt_context_set_tensor_address(context, sv("x"), x));
    REQUIRE_OK(mirt_context_set_tensor_address(context, sv("y"), y));
  }
  ~dft_run() {
    cudaFree(x);
    cudaFree(y);
  }
  void fill(int seed) {
    for (size_t i = 0; i < host_x.size(); ++i) host_x[i] = float((int(i) * 7 + seed * 13) % 23 - 11) / 8.0f;
    REQUIRE(cudaMemcpy(x, host_x.data(), host_x.size() * 4, cudaMemcpyHostToDevice) == cudaSuccess);
  }
  // Largest |y - the direct DFT in double| relative to max(1, |reference|), after a synchronize.
  double error() const {
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    std::vector<float> out(size_t(k_lines * k_bins * 2));
    REQUIRE(cudaMemcpy(out.data(), y, out.size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess);
    double worst = 0;
    for (int64_t l = 0; l < k_lines; ++l)
      for (int64_t k = 0; k < k_bins; ++k) {
        std::complex<double> want = 0;
        for (int64_t j = 0; j < k_length; ++j)
          want += double(host_x[size_t(l * k_length + j)]) * std::polar(1.0, -2 * std::numbers::pi * double(j * k % k_length) / k_length);
        const std::complex<double> got(out[size_t((l * k_bins + k) * 2)], out[size_t((l * k_bins + k) * 2 + 1)]);
        worst = std::max(worst, std::abs(got - want) / std::max(1.0, std::abs(want)));
      }
    return worst;
  }
};

}  // namespace

TEST_CASE("graph replay records a DFT layer after its first plain run made the cuFFT plan, and replays it") {
  SKIP_WITHOUT_GPU();
  dft_run r;
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  REQUIRE_OK(mirt_context_set_graph_replay(r.context, 1));
  for (int run = 0; run < 3; ++run) {  // plain, recorded, launched
    CAPTURE(run);
    REQUIRE(cudaMemset(r.y, 0, size_t(k_lines * k_bins * 2) * 4) == cudaSuccess);
    REQUIRE_OK(mirt_context_enqueue(r.context, stream));
    CHECK(r.error() < 1e-4);
  }
  r.fill(2);  // new data in the same buffer: the graph reads it
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  CHECK(r.error() < 1e-4);
  cudaStreamDestroy(stream);
}

TEST_CASE("a DFT enqueued into the caller's CUDA graph capture before any plain run fails naming cuFFT's planning") {
  SKIP_WITHOUT_GPU();
  dft_run r;
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  REQUIRE(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) == cudaSuccess);
  const std::string m = message_of(mirt_context_enqueue(r.context, stream));
  cudaGraph_t graph = nullptr;
  (void)cudaStreamEndCapture(stream, &graph);
  if (graph) cudaGraphDestroy(graph);
  (void)cudaGetLastError();
  MESSAGE(m);
  CHECK(m.find("cuFFT cannot plan while the stream is captured") != std::string::npos);
  // Plainly, the same context runs and plans.
  REQUIRE_OK(mirt_context_enqueue(r.context, stream));
  CHECK(r.error() < 1e-4);
  cudaStreamDestroy(stream);
}
