// backends/cuda/kernels/recurrent.hpp — the per-step cell arithmetic of RNN, GRU and LSTM (float32),
// between the GEMMs that ops/recurrent.cpp runs on cuBLASLt: one thread per (sequence, hidden unit).
#pragma once

#include "backends/cuda/kernels/launch.hpp"
#include "backends/support/recurrent_activation.hpp"

namespace mirt::cuda {

struct recurrent_step_params {
  support::recurrent_cell cell = support::recurrent_cell::rnn;
  int64_t batch = 0, hidden = 0, steps = 0;
  int64_t layout = 0;                  // X/Y rows: 0 time-major, 1 batch-major
  int64_t directions = 1, direction = 0;
  bool backwards = false;              // this direction walks each sequence from its end
  float clip = 0;                      // 0: none
  bool linear_before_reset = false, input_forget = false;
  support::recurrent_activation f, g, h;  // the direction's functions (g, h unused by RNN)
  const float* xw = nullptr;  // [steps * batch rows in X's order][G * H]: X W^T, no bias
  const float* hr = nullptr;  // [batch][G * H]: H R^T of this step, no bias
  const float* hh = nullptr;  // GRU, linear_before_reset 0, phase 1: [batch][H] = (r . h) R_h^T
  const float* wb = nullptr;  // [G * H] or NULL
  const float* rb = nullptr;  // [G * H] or NULL
  const float* peep = nullptr;  // LSTM [3 * H] (i, o, f) or NULL
  const void* lens = nullptr;   // [batch] int32 or int64, or NULL: every sequence has `steps` steps
  bool lens_int64 = false;
  float* state_h = nullptr;  // [batch][H], updated in place
  float* state_c = nullptr;  // LSTM [batch][H], updated in place
  float* reset_h = nullptr;  // GRU, linear_before_reset 0: [batch][H], r . h written by phase 0
  float* y = nullptr;        // Y or NULL
  int64_t step = 0;
};

// One step. GRU with linear_before_reset 0 runs two phases around the caller's (r . h) R_h^T GEMM:
// phase 0 writes reset_h, phase 1 finishes; every other cell runs phase 1 only. Sequence lengths
// outside [0, steps] are clamped to it.
status launch_recurrent_step(const recurrent_step_params& p, int phase, cudaStream_t stream);

// state_h (and state_c) from initial_h/initial_c in their layout ([D, batch, H] or [batch, D, H]),
// or zeros when NULL.
struct recurrent_state_params {
  int64_t batch = 0, hidden = 0, layout = 0, directions = 1, direction = 0;
  float* state_h = nullptr;
  float* state_c = nullptr;
  const float* initial_h = nullptr;
  const float* initial_c = nullptr;
};
status launch_recurrent_load_state(const recurrent_state_params& p, cudaStream_t stream);

// Y_h and Y_c (when not NULL) from state_h and state_c.
status launch_recurrent_store_state(const recurrent_state_params& p, float* y_h, float* y_c, cudaStream_t stream);

}  // namespace mirt::cuda
