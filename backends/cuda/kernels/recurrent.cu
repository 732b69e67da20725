// backends/cuda/kernels/recurrent.cu — RNN, GRU and LSTM cell steps (float32), one thread per
// (sequence, hidden unit). A thread reads and writes only its own unit's state, and the step's
// recurrent projections were computed before the launch, so the state is updated in place.
#include "backends/cuda/kernels/recurrent.hpp"

namespace mirt::cuda {
namespace {

using support::recurrent_cell;

__device__ float clipped(float v, float clip) { return clip > 0 ? fminf(fmaxf(v, -clip), clip) : v; }

__device__ int64_t length_of(const recurrent_step_params& p, int64_t b) {
  if (!p.lens) return p.steps;
  const int64_t len = p.lens_int64 ? static_cast<const int64_t*>(p.lens)[b] : static_cast<const int32_t*>(p.lens)[b];
  return len < 0 ? 0 : len > p.steps ? p.steps : len;
}

// Offset of unit 0 of (direction, sequence) in initial_h/Y_h-shaped tensors.
__host__ __device__ int64_t state_offset(int64_t layout, int64_t directions, int64_t direction, int64_t batch, int64_t b,
                                         int64_t hidden) {
  return (layout == 0 ? direction * batch + b : b * directions + direction) * hidden;
}

__global__ void step_kernel(recurrent_step_params p, int phase) {
  const int64_t H = p.hidden, GH = support::gates_of(p.cell) * H;
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.batch * H) return;
  const int64_t b = i / H, k = i - b * H;
  const int64_t len = length_of(p, b);
  if (p.step >= len) {
    if (phase == 0) p.reset_h[i] = 0;  // the GEMM reads every row
    return;
  }
  const int64_t t = p.backwards ? len - 1 - p.step : p.step;
  const float* x = p.xw + (p.layout == 0 ? t * p.batch + b : b * p.steps + t) * GH;
  const float* r = p.hr + b * GH;
  // Pre-activation of gate block q: input and recurrent projections plus both biases.
  const auto pre = [&](int64_t q) {
    const int64_t j = q * H + k;
    return x[j] + r[j] + (p.wb ? p.wb[j] : 0.0f) + (p.rb ? p.rb[j] : 0.0f);
  };
  float& h = p.state_h[i];
  switch (p.cell) {
    case recurrent_cell::rnn:
      h = p.f(clipped(pre(0), p.clip));
      break;
    case recurrent_cell::gru: {
      const int64_t jh = 2 * H + k;
      const float wbh = p.wb ? p.wb[jh] : 0.0f, rbh = p.rb ? p.rb[jh] : 0.0f;
      const float reset = p.f(clipped(pre(1), p.clip));
      if (phase == 0) {
        p.reset_h[i] = reset * h;
        return;
      }
      const float recurrent = p.linear_before_reset ? reset * (r[jh] + rbh) : p.hh[i] + rbh;
      const float candidate = p.g(clipped(x[jh] + wbh + recurrent, p.clip));
      const float z = p.f(clipped(pre(0), p.clip));
      h = (1 - z) * candidate + z * h;
      break;
    }
    case recurrent_cell::lstm: {
      // Gate blocks i, o, f, c; peepholes (i, o, f).
      float& c = p.state_c[i];
      const float pi = p.peep ? p.peep[k] : 0.0f, po = p.peep ? p.peep[H + k] : 0.0f, pf = p.peep ? p.peep[2 * H + k] : 0.0f;
      const float in_gate = p.f(clipped(pre(0) + pi * c, p.clip));
      const float forget = p.input_forget ? 1 - in_gate : p.f(clipped(pre(2) + pf * c, p.clip));
      const float cell_in = p.g(clipped(pre(3), p.clip));
      c = forget * c + in_gate * cell_in;
      const float out_gate = p.f(clipped(pre(1) + po * c, p.clip));
      h = out_gate * p.h(c);  // the output function takes the cell state unclipped
      break;
    }
  }
  if (p.y) {
    const int64_t row = p.layout == 0 ? (t * p.directions + p.direction) * p.batch + b : (b * p.steps + t) * p.directions + p.direction;
    p.y[row * H + k] = h;
  }
}

__global__ void load_state_kernel(recurrent_state_params p) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.batch * p.hidden) return;
  const int64_t b = i / p.hidden, k = i - b * p.hidden;
  const int64_t at = state_offset(p.layout, p.directions, p.direction, p.batch, b, p.hidden) + k;
  p.state_h[i] = p.initial_h ? p.initial_h[at] : 0.0f;
  if (p.state_c) p.state_c[i] = p.initial_c ? p.initial_c[at] : 0.0f;
}

__global__ void store_state_kernel(recurrent_state_params p, float* y_h, float* y_c) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.batch * p.hidden) return;
  const int64_t b = i / p.hidden, k = i - b * p.hidden;
  const int64_t at = state_offset(p.layout, p.directions, p.direction, p.batch, b, p.hidden) + k;
  if (y_h) y_h[at] = p.state_h[i];
  if (y_c && p.state_c) y_c[at] = p.state_c[i];
}

unsigned blocks_for(int64_t n) { return unsigned(ceil_div(n, k_block)); }

}  // namespace

status launch_recurrent_step(const recurrent_step_params& p, int phase, cudaStream_t stream) {
  const int64_t n = p.batch * p.hidden;
  if (n == 0) return {};
  if (!p.xw || !p.hr || !p.state_h) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "recurrent step: NULL buffer");
  if (p.cell == recurrent_cell::lstm && !p.state_c) return make_error(MIRT_STATUS_INVALID_ARGUMENT, "recurrent step: LSTM without a cell state");
  const bool two_phases = p.cell == recurrent_cell::gru && !p.linear_before_reset;
  if (phase == 0 ? !two_phases || !p.reset_h : two_phases && !p.hh)
    return make_error(MIRT_STATUS_INVALID_ARGUMENT, "recurrent step: phase and buffers do not match the cell");
  step_kernel<<<blocks_for(n), k_block, 0, stream>>>(p, phase);
  return check_launch("recurrent step");
}

status launch_recurrent_load_state(const recurrent_state_params& p, cudaStream_t stream) {
  const int64_t n = p.batch * p.hidden;
  if (n == 0) return {};
  load_state_kernel<<<blocks_for(n), k_block, 0, stream>>>(p);
  return check_launch("recurrent load state");
}

status launch_recurrent_store_state(const recurrent_state_params& p, float* y_h, float* y_c, cudaStream_t stream) {
  const int64_t n = p.batch * p.hidden;
  if (n == 0 || (!y_h && !y_c)) return {};
  store_state_kernel<<<blocks_for(n), k_block, 0, stream>>>(p, y_h, y_c);
  return check_launch("recurrent store state");
}

}  // namespace mirt::cuda
