// backends/cuda/kernels/loss.hpp — NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class loss_reduction { none, sum, mean };

// x [n, classes, d] (log-probabilities, or scores whose log-softmax along classes is taken when
// softmax), target [n, d] (int32 or int64), weight [classes] or NULL. Each target's loss is
// -weight[t] * logp[t]; a target equal to ignore_index (when has_ignore), or outside [0, classes)
// (the device cannot report it), contributes 0 with weight 0. none: y [n, d]; sum: y [] the
// total; mean: the total over the sum of the weights (0/0 gives NaN). log_prob (NULL: not wanted)
// receives the log-softmax. Sums in double; float32, float64, float16, bfloat16. work holds
// loss_workspace(...) bytes, 8-byte aligned.
struct loss_params {
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;
  const void* x = nullptr;
  const void* target = nullptr;
  bool target_int64 = true;
  const void* weight = nullptr;
  void* y = nullptr;
  void* log_prob = nullptr;
  double* work = nullptr;
  int64_t n = 0, classes = 0, d = 0;
  loss_reduction reduction = loss_reduction::mean;
  bool softmax = false, has_ignore = false;
  int64_t ignore_index = 0;
};
size_t loss_workspace(int64_t n, int64_t classes, int64_t d, bool softmax);
status launch_loss(const loss_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
