// backends/cuda/kernels/nms.cu — NonMaxSuppression, one block per (batch, class): each candidate's
// rank by an O(N^2) count (a stable descending order), then the greedy pass in rank order, the
// block's threads testing the candidate against the kept boxes together. Reference:
// backends/cpu/ops/non_max_suppression.cpp (the same double arithmetic, one rounding per step).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "backends/cuda/kernels/nms.hpp"

namespace mirt::cuda {
namespace {

constexpr int k_nms_threads = 256;

__device__ inline double value_at(const void* p, mirt_dtype dtype, int64_t i) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT64: return static_cast<const double*>(p)[i];
    case MIRT_DTYPE_FLOAT16: return __half2float(static_cast<const __half*>(p)[i]);
    case MIRT_DTYPE_BFLOAT16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}

struct corners {
  double y_min, x_min, y_max, x_max;
  __device__ double area() const { return __dmul_rn(__dsub_rn(y_max, y_min), __dsub_rn(x_max, x_min)); }
};

__device__ inline corners corners_of(const nms_params& p, int64_t b, int64_t i) {
  const int64_t at = (b * p.n + i) * 4;
  const double v0 = value_at(p.boxes, p.box_dtype, at), v1 = value_at(p.boxes, p.box_dtype, at + 1);
  const double v2 = value_at(p.boxes, p.box_dtype, at + 2), v3 = value_at(p.boxes, p.box_dtype, at + 3);
  if (p.center) {
    const double h = v3 / 2, w = v2 / 2;
    return {__dsub_rn(v1, h), __dsub_rn(v0, w), __dadd_rn(v1, h), __dadd_rn(v0, w)};
  }
  return {fmin(v0, v2), fmin(v1, v3), fmax(v0, v2), fmax(v1, v3)};
}

__device__ inline bool overlaps(const corners& a, const corners& b, double threshold) {
  const double h = __dsub_rn(fmin(a.y_max, b.y_max), fmax(a.y_min, b.y_min));
  const double w = __dsub_rn(fmin(a.x_max, b.x_max), fmax(a.x_min, b.x_min));
  if (h <= 0 || w <= 0) return false;
  const double inter = __dmul_rn(h, w), uni = __dsub_rn(__dadd_rn(a.area(), b.area()), inter);
  if (a.area() <= 0 || b.area() <= 0 || uni <= 0) return false;
  return inter / uni > threshold;
}

__global__ void __launch_bounds__(k_nms_threads) nms_classes(nms_params p) {
  const int64_t bc = blockIdx.x, b = bc / p.classes, n = p.n;
  const int64_t score_base = bc * n;  // scores [B, C, N]
  int32_t* order = p.order + bc * n;
  int32_t* kept = p.kept + bc * p.max_out;
  __shared__ int candidates, kept_count;
  if (threadIdx.x == 0) candidates = 0, kept_count = 0;
  __syncthreads();
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const double s = value_at(p.scores, p.score_dtype, score_base + i);
    if (p.has_score && !(s > p.min_score)) continue;
    int64_t rank = 0;
    for (int64_t j = 0; j < n; ++j) {
      const double t = value_at(p.scores, p.score_dtype, score_base + j);
      if (p.has_score && !(t > p.min_score)) continue;
      rank += t > s || (t == s && j < i);
    }
    order[rank] = int32_t(i);
    atomicAdd(&candidates, 1);
  }
  __syncthreads();
  const int m = candidates;
  for (int r = 0; r < m && kept_count < p.max_out; ++r) {
    const corners box = corners_of(p, b, order[r]);
    int hit = 0;
    for (int k = threadIdx.x; k < kept_count; k += blockDim.x) hit |= overlaps(corners_of(p, b, kept[k]), box, p.iou);
    hit = __syncthreads_or(hit);
    if (!hit && threadIdx.x == 0) kept[kept_count] = order[r], kept_count = kept_count + 1;
    __syncthreads();
  }
  if (threadIdx.x == 0) p.counts[bc] = kept_count;
}

}  // namespace

status launch_nms(const nms_params& p, cudaStream_t stream) {
  const int64_t blocks = p.batches * p.classes;
  if (blocks == 0) return {};
  if (!p.boxes || !p.scores || !p.order || !p.kept || !p.counts) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "NonMaxSuppression: NULL buffer");
  if (p.n > 2147483647 || blocks > 2147483647) return make_error(MIRT_STATUS_UNSUPPORTED, "NonMaxSuppression: more than 2^31 boxes or classes");
  nms_classes<<<unsigned(blocks), k_nms_threads, 0, stream>>>(p);
  return check_launch("nms_classes");
}

}  // namespace mirt::cuda
