// backends/cuda/ops/recurrent.cpp — RNN, GRU and LSTM (float32) as ONNX defines them, every
// attribute the cpu backend takes (backends/support/recurrent.hpp reads them for both). Per
// direction: the input projections of every step in one cuBLASLt GEMM, then per step the batch's
// recurrent projections in one GEMM and the cell arithmetic in one kernel (kernels/recurrent.cu).
// Nothing is read back to the host, so a CUDA graph can capture it.
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernels/recurrent.hpp"
#include "backends/cuda/ops/cublaslt_gemm.hpp"
#include "backends/support/recurrent.hpp"

namespace mirt::cuda {
namespace {

using support::gates_of;
using support::recurrent_cell;
using support::recurrent_config;

constexpr size_t k_align = 256;
size_t aligned(size_t bytes) { return (bytes + k_align - 1) / k_align * k_align; }

// The float scratch of one run, carved from the call's workspace after cuBLASLt's part.
struct scratch_layout {
  size_t xw = 0, hr = 0, state = 0, total = 0;  // bytes of each piece (state: one [batch, H] buffer)
  scratch_layout(int64_t steps, int64_t batch, int64_t gates_hidden, int64_t hidden) {
    xw = aligned(size_t(steps * batch * gates_hidden) * sizeof(float));
    hr = aligned(size_t(batch * gates_hidden) * sizeof(float));
    state = aligned(size_t(batch * hidden) * sizeof(float));
    total = cublaslt_runner::k_workspace + xw + hr + 4 * state;  // h, c, r . h, (r . h) R_h^T
  }
};

class recurrent_kernel final : public kernel {
 public:
  recurrent_kernel(recurrent_config config, bool allow_tf32) : c_(std::move(config)), lt_(allow_tf32) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    if (in.empty() || in[0].size() != 3) return 0;
    const int64_t steps = in[0][c_.layout == 0 ? 0 : 1], batch = in[0][c_.layout == 0 ? 1 : 0];
    return scratch_layout(steps, batch, gates_of(c_.cell) * c_.hidden, c_.hidden).total;
  }

  void execute(const exec_args& args) const override {
    const dtensor& x = args.in.at(0);
    if (x.rank() != 3) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 (X) has shape ", dims_string(x.shape), ", expected rank 3");
    const int64_t steps = x.shape[c_.layout == 0 ? 0 : 1], batch = x.shape[c_.layout == 0 ? 1 : 0], in = x.shape[2];
    const int64_t H = c_.hidden, G = gates_of(c_.cell), D = c_.directions, GH = G * H;
    expect_shape(args.in.at(1), {D, GH, in}, "W");
    expect_shape(args.in.at(2), {D, GH, H}, "R");
    const dims state_shape = c_.layout == 0 ? dims{D, batch, H} : dims{batch, D, H};
    const dtensor &b_in = args.input(3), &lens = args.input(4), &h0 = args.input(5), &c0 = args.input(6), &p_in = args.input(7);
    if (b_in.present()) expect_shape(b_in, {D, 2 * GH}, "B");
    if (lens.present()) expect_shape(lens, {batch}, "sequence_lens");
    if (h0.present()) expect_shape(h0, state_shape, "initial_h");
    if (c0.present()) expect_shape(c0, state_shape, "initial_c");
    if (p_in.present()) expect_shape(p_in, {D, 3 * H}, "P");
    // Omitted outputs have no dtype.
    const auto output = [&](size_t i) { return i < args.out.size() && args.out[i].present() ? args.out[i].as<float>() : nullptr; };
    float *y = output(0), *y_h = output(1), *y_c = output(2);
    if (y) cuda_check(cudaMemsetAsync(y, 0, args.out[0].bytes(), args.stream), "clearing Y");  // steps past a sequence's end
    if (x.numel() == 0 && y == nullptr && y_h == nullptr && y_c == nullptr) return;

    const scratch_layout s(steps, batch, GH, H);
    if (args.workspace == nullptr || args.workspace_size < s.total)
      fail(MIRT_STATUS_INTERNAL, "the layer needs ", s.total, " bytes of workspace, the call has ", args.workspace_size);
    auto* base = static_cast<uint8_t*>(args.workspace) + cublaslt_runner::k_workspace;
    float* xw = reinterpret_cast<float*>(base);
    float* hr = reinterpret_cast<float*>(base + s.xw);
    float* state[4];
    for (int q = 0; q < 4; ++q) state[q] = reinterpret_cast<float*>(base + s.xw + s.hr + size_t(q) * s.state);

    for (int64_t d = 0; d < D; ++d) {
      const float* w = args.in[1].as<const float>() + d * GH * in;
      const float* r = args.in[2].as<const float>() + d * GH * H;
      recurrent_state_params sp;
      sp.batch = batch, sp.hidden = H, sp.layout = c_.layout, sp.directions = D, sp.direction = d;
      sp.state_h = state[0];
      sp.state_c = c_.cell == recurrent_cell::lstm ? state[1] : nullptr;
      sp.initial_h = h0.present() ? h0.as<const float>() : nullptr;
      sp.initial_c = c0.present() ? c0.as<const float>() : nullptr;
      throw_if_failed(launch_recurrent_load_state(sp, args.stream));

      recurrent_step_params p;
      p.cell = c_.cell, p.batch = batch, p.hidden = H, p.steps = steps, p.layout = c_.layout;
      p.directions = D, p.direction = d, p.backwards = d == 1 || c_.reverse_only;
      p.clip = c_.clip, p.linear_before_reset = c_.linear_before_reset, p.input_forget = c_.input_forget;
      const auto& act = c_.activations[size_t(d)];
      p.f = act[0];
      if (act.size() > 1) p.g = act[1];
      if (act.size() > 2) p.h = act[2];
      p.xw = xw, p.hr = hr, p.hh = state[3];
      p.wb = b_in.present() ? b_in.as<const float>() + d * 2 * GH : nullptr;
      p.rb = p.wb ? p.wb + GH : nullptr;
      p.peep = p_in.present() ? p_in.as<const float>() + d * 3 * H : nullptr;
      p.lens = lens.present() ? lens.data : nullptr;
      p.lens_int64 = lens.dtype == MIRT_DTYPE_INT64;
      p.state_h = sp.state_h, p.state_c = sp.state_c, p.reset_h = state[2], p.y = y;

      gemm(steps * batch, GH, in, x.as<const float>(), w, xw, args);  // X W^T for every step
      const bool two_phases = c_.cell == recurrent_cell::gru && !c_.linear_before_reset;
      for (int64_t step = 0; step < steps; ++step) {
        p.step = step;
        gemm(batch, GH, H, p.state_h, r, hr, args);
        if (two_phases) {
          throw_if_failed(launch_recurrent_step(p, 0, args.stream));
          gemm(batch, H, H, p.reset_h, r + 2 * H * H, state[3], args);  // (r . h) R_h^T
        }
        throw_if_failed(launch_recurrent_step(p, 1, args.stream));
      }
      throw_if_failed(launch_recurrent_store_state(sp, y_h, y_c, args.stream));
    }
  }

 private:
  // out[m, n] = a[m, k] b[n, k]^T, row-major float32.
  void gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* out, const exec_args& args) const {
    if (m == 0 || n == 0) return;
    if (k == 0) {
      cuda_check(cudaMemsetAsync(out, 0, size_t(m * n) * sizeof(float), args.stream), "clearing a projection");
      return;
    }
    row_major_gemm g;
    g.m = m, g.n = n, g.k = k, g.trans_b = true, g.a = a, g.b = b, g.y = out;
    lt_.run(g, args.workspace, cublaslt_runner::k_workspace, args.stream);
  }

  static void expect_shape(const dtensor& t, const dims& want, const char* name) {
    if (t.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", name, " has shape ", dims_string(t.shape), ", expected ", dims_string(want));
  }

  recurrent_config c_;
  cublaslt_runner lt_;
};

bool recurrent_supports(const node_view& node, std::string& why) {
  for (size_t i : {0, 1, 2, 3, 5, 6, 7})
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  return !node.has_input(4) || input_dtype_in(node, 4, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

template <recurrent_cell Cell>
std::unique_ptr<kernel> create_recurrent(const node_view& node) {
  return std::make_unique<recurrent_kernel>(support::read_recurrent_config(node, Cell), node.allows(MIRT_PRECISION_FLAG_TF32));
}

}  // namespace

void add_recurrent_ops(std::vector<op_entry>& t) {
  t.push_back({"RNN", "cuda_rnn_cublaslt", recurrent_supports, create_recurrent<recurrent_cell::rnn>});
  t.push_back({"GRU", "cuda_gru_cublaslt", recurrent_supports, create_recurrent<recurrent_cell::gru>});
  t.push_back({"LSTM", "cuda_lstm_cublaslt", recurrent_supports, create_recurrent<recurrent_cell::lstm>});
}

}  // namespace mirt::cuda
