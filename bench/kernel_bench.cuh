// bench/kernel_bench.cuh — the stand-alone kernel benches' shared scaffolding (header only): a
// status check that returns from main, 48 calls captured in one CUDA graph timed between events
// (so the host's launch rate does not hide the kernels' time), and two float16 outputs compared.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

// Returns 1 from the calling function (main), printing where, when x (a CUDA, cuBLAS or mirt
// status) is not 0.
#define CK(x)                                                  \
  do {                                                         \
    auto st_ = (x);                                            \
    if (int(st_) != 0) {                                       \
      printf("fail %s:%d %d\n", __FILE__, __LINE__, int(st_)); \
      return 1;                                                \
    }                                                          \
  } while (0)

// Microseconds per run of launch(i), runs 0..47 captured in one graph, best of 5 replays; -1 when
// capture or a launch failed.
static double time_graph(cudaStream_t st, const std::function<void(int)>& launch) {
  const int runs = 48;
  launch(0);
  cudaStreamSynchronize(st);
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < runs; ++i) launch(i);
  cudaStreamEndCapture(st, &graph);
  if (cudaGetLastError() != cudaSuccess || cudaGraphInstantiate(&exec, graph, 0) != cudaSuccess) {
    cudaGetLastError();
    return -1;
  }
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  double best = 1e30;
  for (int rep = 0; rep < 6; ++rep) {
    cudaEventRecord(e0, st);
    cudaGraphLaunch(exec, st);
    cudaEventRecord(e1, st);
    cudaEventSynchronize(e1);
    float ms = 0;
    cudaEventElapsedTime(&ms, e0, e1);
    if (rep > 0 && ms * 1000.0 / runs < best) best = ms * 1000.0 / runs;
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  return cudaGetLastError() == cudaSuccess ? best : -1;
}

// Max relative difference (to max(1, |ref|)) between two device outputs of n float16 or bfloat16 values.
template <class T>
static double max_diff(const T* ref, const T* got, size_t n) {
  std::vector<T> h1(n), h2(n);
  cudaMemcpy(h1.data(), ref, n * 2, cudaMemcpyDeviceToHost);
  cudaMemcpy(h2.data(), got, n * 2, cudaMemcpyDeviceToHost);
  double diff = 0;
  for (size_t i = 0; i < n; ++i) {
    const double a = float(h1[i]), b = float(h2[i]);
    diff = std::isfinite(b) ? std::fmax(diff, std::fabs(a - b) / std::fmax(1.0, std::fabs(a))) : 1e30;
  }
  return diff;
}
