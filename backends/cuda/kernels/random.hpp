// backends/cuda/kernels/random.hpp — RandomUniform, RandomNormal (and their *Like forms), Bernoulli
// and Multinomial on the device, drawn from Philox4x32-10 (a counter-based generator written here): the
// value at element e of run r with seed s is a function of (s, r, e) alone, so a seed gives the
// same draws for the same sequence of runs on any grid. The draws differ from the cpu backend's
// (std::mt19937_64) but follow the same distributions.
#pragma once

#include "backends/cuda/kernels/launch.hpp"

namespace mirt::cuda {

enum class random_kind { uniform, normal, bernoulli };

struct random_params {
  random_kind kind = random_kind::uniform;
  mirt_dtype dtype = MIRT_DTYPE_FLOAT32;  // y: float types; bernoulli: any dtype (0 or 1)
  void* y = nullptr;
  int64_t n = 0;
  double a = 0, b = 1;  // uniform: [low, high); normal: mean, scale
  const void* probability = nullptr;  // bernoulli: n probabilities of dtype probability_dtype (a float type)
  mirt_dtype probability_dtype = MIRT_DTYPE_FLOAT32;
  uint64_t seed = 0, run = 0;  // the generator's key, and this run's number (part of its counter)
};
status launch_random(const random_params& p, cudaStream_t stream);

// Multinomial: for each row of x [batch, classes] (unnormalized log-probabilities, a float dtype),
// `samples` class indices drawn from softmax(row) into y [batch, samples] (int32 or int64). Draw s of
// row b in run r is a function of (seed, r, b * samples + s) alone. A row with a NaN, or -inf
// everywhere, has no distribution: its samples are -1 (the cpu backend refuses such a row).
struct multinomial_params {
  const void* x = nullptr;
  mirt_dtype x_dtype = MIRT_DTYPE_FLOAT32;
  void* y = nullptr;
  mirt_dtype y_dtype = MIRT_DTYPE_INT32;
  int64_t batch = 0, classes = 0, samples = 0;
  uint64_t seed = 0, run = 0;
};
status launch_multinomial(const multinomial_params& p, cudaStream_t stream);

}  // namespace mirt::cuda
