// backends/cuda/kernels/embed_layer_norm.hpp — mirt::EmbedLayerNormalization: each output row is
// LayerNorm(table[indices[row]] + addend[row % addend_rows]) over `hidden` values.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

// Table, addend, scale, bias and y in `dtype` (float32, float16 or bfloat16; statistics in
// float32). Rows of a multiple of 8 values, at most 1024, every buffer 16-byte aligned: one warp a
// row with 16-byte loads. A negative index counts from the end; one still out of range reads a row
// of zeros and, when first_bad is set, records its position there (kernels/index_check.cuh).
struct embed_layer_norm_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* indices = nullptr;  // (rows) int32 or int64
  bool indices_int64 = false;
  const void* table = nullptr;    // (vocabulary, hidden)
  const void* addend = nullptr;   // (addend_rows, hidden) or NULL
  const void* scale = nullptr;    // (hidden)
  const void* bias = nullptr;     // (hidden) or NULL
  void* y = nullptr;              // (rows, hidden)
  int64_t rows = 0, hidden = 0, vocabulary = 0, addend_rows = 0;
  float epsilon = 1e-5f;
  unsigned long long* first_bad = nullptr;
};
status launch_embed_layer_norm(const embed_layer_norm_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
