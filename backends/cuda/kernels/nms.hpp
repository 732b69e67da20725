// backends/cuda/kernels/nms.hpp — NonMaxSuppression's per-(batch, class) greedy selection.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// boxes [B, N, 4], scores [B, C, N] (float32, float64, float16 or bfloat16 each, read as double).
// Per (batch, class) one block ranks the boxes above min_score (when has_score) by descending score,
// equal scores by index, then keeps them greedily, dropping a box whose IoU with a kept one exceeds
// iou, up to max_out. kept [B * C, max_out] receives the kept box indices in order and counts
// [B * C] their number; order [B * C, N] is scratch.
struct nms_params {
  mirt_dtype box_dtype = MIRT_DTYPE_FLOAT32, score_dtype = MIRT_DTYPE_FLOAT32;
  const void* boxes = nullptr;
  const void* scores = nullptr;
  int64_t batches = 0, n = 0, classes = 0, max_out = 0;
  bool center = false, has_score = false;
  double iou = 0, min_score = 0;
  int32_t* order = nullptr;
  int32_t* kept = nullptr;
  int32_t* counts = nullptr;
};
status launch_nms(const nms_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
