// plugins/std/efficient_nms.cu — mirt.plugins::EfficientNMS on the GPU, one block per batch item:
// the candidates above the score threshold are gathered into the workspace, then the block picks
// the best live candidate (highest score; on ties the lowest box * classes + class, the CPU
// kernel's stable order) up to max_output_boxes times, and every pick kills the live candidates it
// suppresses. That keeps exactly what the CPU kernel's sort-then-scan keeps, in the same order.
#include <cstdint>

#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/cuda_util.cuh"

namespace mirt_std_plugins::cuda {

namespace {

constexpr unsigned threads = 512;

struct pick {
  float score;
  int32_t key;   // box * classes + class; -1 when no candidate
  int32_t slot;  // index in the candidate list
};

__device__ inline bool better(const pick& a, const pick& b) {
  if (a.key < 0) return false;
  if (b.key < 0) return true;
  return a.score > b.score || (a.score == b.score && a.key < b.key);
}

__device__ inline pick shuffle_down(const pick& p, int offset) {
  return {__shfl_down_sync(0xffffffffu, p.score, offset), __shfl_down_sync(0xffffffffu, p.key, offset),
          __shfl_down_sync(0xffffffffu, p.slot, offset)};
}

// The best pick of the block, given to every thread.
__device__ pick block_best(pick p) {
  __shared__ pick partial[threads / 32];
  __shared__ pick best;
  for (int offset = 16; offset > 0; offset /= 2) {
    const pick other = shuffle_down(p, offset);
    if (better(other, p)) p = other;
  }
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();
  if (lane == 0) partial[warp] = p;
  __syncthreads();
  if (warp == 0) {
    p = lane < int(threads / 32) ? partial[lane] : pick{0.0f, -1, -1};
    for (int offset = 16; offset > 0; offset /= 2) {
      const pick other = shuffle_down(p, offset);
      if (better(other, p)) p = other;
    }
    if (lane == 0) best = p;
  }
  __syncthreads();
  return best;
}

__global__ void efficient_nms_kernel(efficient_nms_args a) {
  const int64_t b = blockIdx.x, n = a.n, classes = a.classes, k = a.params.max_output_boxes;
  const int64_t m = n * classes;
  auto* cand_score = static_cast<float*>(a.workspace) + b * m * 2;
  auto* cand_key = reinterpret_cast<int32_t*>(cand_score + m);
  const float* boxes = a.boxes + b * n * 4;
  const float* scores = a.scores + b * m;
  __shared__ int count;
  __shared__ nms_box kept_box;
  __shared__ int32_t kept_class;
  if (threadIdx.x == 0) count = 0;
  for (int64_t j = threadIdx.x; j < k; j += blockDim.x) {
    a.out_scores[b * k + j] = 0;
    a.out_classes[b * k + j] = 0;
    for (int q = 0; q < 4; ++q) a.out_boxes[(b * k + j) * 4 + q] = 0;
  }
  __syncthreads();
  for (int64_t i = threadIdx.x; i < m; i += blockDim.x) {
    const float s = scores[i];
    if (i % classes != a.params.background_class && s > a.params.score_threshold) {
      const int slot = atomicAdd(&count, 1);
      cand_score[slot] = s;
      cand_key[slot] = int32_t(i);
    }
  }
  __syncthreads();
  const int total = count;
  int64_t kept = 0;
  for (; kept < k; ++kept) {
    // Kill what the previous pick suppresses while looking for the next one.
    pick mine{0.0f, -1, -1};
    for (int j = threadIdx.x; j < total; j += blockDim.x) {
      const int32_t key = cand_key[j];
      if (key < 0) continue;
      if (kept > 0 && (a.params.class_agnostic || key % classes == kept_class) &&
          nms_iou(kept_box, nms_corners(boxes + (key / classes) * 4, a.params.box_coding)) > a.params.iou_threshold) {
        cand_key[j] = -1;
        continue;
      }
      const pick p{cand_score[j], key, j};
      if (better(p, mine)) mine = p;
    }
    const pick best = block_best(mine);
    if (best.key < 0) break;
    if (threadIdx.x == 0) {
      const nms_box box = nms_corners(boxes + (best.key / classes) * 4, a.params.box_coding);
      float* o = a.out_boxes + (b * k + kept) * 4;
      o[0] = box.x1, o[1] = box.y1, o[2] = box.x2, o[3] = box.y2;
      a.out_scores[b * k + kept] = best.score;
      a.out_classes[b * k + kept] = best.key % classes;
      cand_key[best.slot] = -1;
      kept_box = box;
      kept_class = best.key % classes;
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) a.num_detections[b] = int32_t(kept);
}

}  // namespace

const char* launch_efficient_nms(const efficient_nms_args& a, void* stream) {
  if (a.batch == 0) return nullptr;
  if (a.n * a.classes > 0x7FFFFFFF) return "boxes * classes must stay below 2^31";
  if (a.batch > 0x7FFFFFFF) return "the batch is too large for one grid";
  efficient_nms_kernel<<<unsigned(a.batch), threads, 0, static_cast<cudaStream_t>(stream)>>>(a);
  return launch_error();
}

}  // namespace mirt_std_plugins::cuda
