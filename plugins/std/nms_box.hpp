// plugins/std/nms_box.hpp — EfficientNMS's parameters and box arithmetic, shared by its CPU kernel
// and its CUDA kernel so that both decide every IoU comparison with the same float operations.
#pragma once

#include <cstddef>
#include <cstdint>

#ifdef __CUDACC__
#define MIRT_STD_HD __host__ __device__
#else
#define MIRT_STD_HD
#endif

namespace mirt_std_plugins {

struct nms_params {
  float score_threshold = 0.0f, iou_threshold = 0.5f;
  int64_t max_output_boxes = 100, background_class = -1, box_coding = 0, class_agnostic = 0;
};

struct nms_box {
  float x1, y1, x2, y2;
};

MIRT_STD_HD inline float nms_min(float a, float b) { return a < b ? a : b; }
MIRT_STD_HD inline float nms_max(float a, float b) { return a < b ? b : a; }

// Corners of box b (coding 0: any two opposite corners; 1: centre, width, height).
MIRT_STD_HD inline nms_box nms_corners(const float* b, int64_t coding) {
  if (coding == 1) return {b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2};
  return {nms_min(b[0], b[2]), nms_min(b[1], b[3]), nms_max(b[0], b[2]), nms_max(b[1], b[3])};
}

MIRT_STD_HD inline float nms_iou(const nms_box& a, const nms_box& b) {
  const float w = nms_max(0.0f, nms_min(a.x2, b.x2) - nms_max(a.x1, b.x1));
  const float h = nms_max(0.0f, nms_min(a.y2, b.y2) - nms_max(a.y1, b.y1));
  const float inter = w * h;
  const float uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

// Bytes of the CUDA kernel's workspace: a score and a key per (box, class) candidate.
inline size_t nms_cuda_workspace(int64_t batch, int64_t n, int64_t classes) {
  if (batch < 0 || n < 0 || classes < 0) return 0;
  return size_t(batch) * size_t(n) * size_t(classes) * 8;
}

}  // namespace mirt_std_plugins
