// backends/cpu/ops/recurrent.cpp — RNN, GRU and LSTM as ONNX defines them: forward, reverse or
// bidirectional, per-batch sequence_lens (steps past a sequence's end give zeros in Y, its last
// state is the one at its end), initial states, LSTM peepholes and input_forget, GRU's
// linear_before_reset, clip on the gates' pre-activations, and layout 0 (time-major) or 1
// (batch-major). Computed in float (double for float64), the projections through oneDNN's sgemm.
#include <dnnl.h>

#include <algorithm>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/recurrent_activation.hpp"

namespace mirt::cpu {
namespace {

using support::recurrent_activation;
using support::recurrent_cell;
using support::recurrent_config;
using support::gates_of;

// One input tensor in the compute type: the input's own data when it already is (float32, float64),
// else a converted copy (float16, bfloat16). data is NULL when the input is absent.
template <class T>
struct compute_view {
  using C = compute_type<T>;
  const C* data = nullptr;
  std::vector<C> copy;

  explicit compute_view(const tensor& t) {
    if (!t.present()) return;
    if constexpr (std::is_same_v<T, C>) {
      data = t.as<const T>();
    } else {
      const T* p = t.as<const T>();
      copy.resize(size_t(t.numel()));
      for (size_t i = 0; i < copy.size(); ++i) copy[i] = load(p[i]);
      data = copy.data();
    }
  }
};

// Row-major out[m, n] = a[m, k] . b[n, k]^T: oneDNN's sgemm for float, a plain loop for double.
void gemm_nt(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* out) {
  if (m == 0 || n == 0) return;
  if (k == 0) return std::fill(out, out + m * n, 0.0f);
  const dnnl_status_t s = dnnl_sgemm('N', 'T', m, n, k, 1.0f, a, k, b, k, 0.0f, out, n);
  if (s != dnnl_success) fail(MIRT_STATUS_INTERNAL, "oneDNN sgemm (", m, "x", n, "x", k, ") failed with status ", int(s));
}
void gemm_nt(int64_t m, int64_t n, int64_t k, const double* a, const double* b, double* out) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t q = 0; q < k; ++q) sum += a[i * k + q] * b[j * k + q];
      out[i * n + j] = sum;
    }
}

// Adds bias[cols] to each of the rows of m.
template <class C>
void add_rows(C* m, int64_t rows, int64_t cols, const C* bias) {
  if (!bias) return;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) m[i * cols + j] += bias[j];
}

class recurrent_kernel final : public kernel {
 public:
  explicit recurrent_kernel(recurrent_config config) : c_(std::move(config)) {}

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto tag) { run<typename decltype(tag)::type>(args); });
  }

 private:
  // Per direction: the input projections of every step at once (one GEMM), then per step the
  // recurrent projections of the whole batch (one GEMM) and the gate arithmetic per sequence.
  template <class T>
  void run(const exec_args& args) const {
    using C = compute_type<T>;
    const tensor& x = args.in.at(0);
    if (x.rank() != 3) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 (X) has shape ", dims_string(x.shape), ", expected rank 3");
    const int64_t steps = x.shape[c_.layout == 0 ? 0 : 1], batch = x.shape[c_.layout == 0 ? 1 : 0], in = x.shape[2];
    const int64_t H = c_.hidden, G = gates_of(c_.cell), D = c_.directions;
    expect_shape(args.in.at(1), {D, G * H, in}, "W");
    expect_shape(args.in.at(2), {D, G * H, H}, "R");
    const dims state_shape = c_.layout == 0 ? dims{D, batch, H} : dims{batch, D, H};
    const tensor &b_in = args.input(3), &lens_in = args.input(4), &h0_in = args.input(5), &c0_in = args.input(6),
                 &p_in = args.input(7);
    if (b_in.present()) expect_shape(b_in, {D, 2 * G * H}, "B");
    if (h0_in.present()) expect_shape(h0_in, state_shape, "initial_h");
    if (c0_in.present()) expect_shape(c0_in, state_shape, "initial_c");
    if (p_in.present()) expect_shape(p_in, {D, 3 * H}, "P");
    std::vector<int64_t> lens(size_t(batch), steps);
    if (lens_in.present()) {
      lens = read_int_tensor(lens_in, "sequence_lens");
      if (int64_t(lens.size()) != batch)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "sequence_lens has ", lens.size(), " entries, the batch size is ", batch);
      for (size_t b = 0; b < lens.size(); ++b)
        if (lens[b] < 0 || lens[b] > steps)
          fail(MIRT_STATUS_INVALID_ARGUMENT, "sequence_lens[", b, "] is ", lens[b], ", expected 0 to ", steps, " (the sequence length)");
    }
    const compute_view<T> xs(x), w(args.in.at(1)), r(args.in.at(2)), bias(b_in), h0(h0_in), c0(c0_in), peep(p_in);
    // Omitted outputs have no dtype.
    const auto output = [&](size_t i) { return i < args.out.size() && args.out[i].present() ? args.out[i].as<T>() : nullptr; };
    T *y = output(0), *yh = output(1), *yc = output(2);
    if (y) std::fill(y, y + args.out[0].numel(), store<T>(0));

    // X's rows in memory order: (t, b) for layout 0, (b, t) for layout 1.
    const auto x_row = [&](int64_t t, int64_t b) { return c_.layout == 0 ? t * batch + b : b * steps + t; };
    const auto y_offset = [&](int64_t t, int64_t d, int64_t b) {
      return size_t((c_.layout == 0 ? (t * D + d) * batch + b : (b * steps + t) * D + d) * H);
    };
    const auto state_offset = [&](int64_t d, int64_t b) {
      return size_t((c_.layout == 0 ? d * batch + b : b * D + d) * H);
    };
    const int64_t GH = G * H, longest = lens.empty() ? 0 : *std::max_element(lens.begin(), lens.end());

    std::vector<C> xw(size_t(steps * batch * GH)), hr(size_t(batch * GH)), h(size_t(batch * H)), cs(size_t(batch * H)),
        tmp(size_t(5 * H));
    for (int64_t d = 0; d < D; ++d) {
      const bool backwards = d == 1 || c_.reverse_only;
      const C* wd = w.data + d * GH * in;
      const C* rd = r.data + d * GH * H;
      const C* wb = bias.data ? bias.data + d * 2 * GH : nullptr;
      const C* rb = wb ? wb + GH : nullptr;
      const C* pd = peep.data ? peep.data + d * 3 * H : nullptr;
      const std::vector<recurrent_activation>& act = c_.activations[size_t(d)];
      // xw = X W^T + Wb for every step; hr = H R^T + Rb per step (GRU's hidden gate is redone when needed).
      gemm_nt(steps * batch, GH, in, xs.data, wd, xw.data());
      add_rows(xw.data(), steps * batch, GH, wb);
      for (int64_t b = 0; b < batch; ++b) {
        const size_t so = state_offset(d, b);
        for (int64_t k = 0; k < H; ++k) {
          h[size_t(b * H + k)] = h0.data ? h0.data[so + size_t(k)] : C(0);
          cs[size_t(b * H + k)] = c0.data ? c0.data[so + size_t(k)] : C(0);
        }
      }
      for (int64_t s = 0; s < longest; ++s) {
        gemm_nt(batch, GH, H, h.data(), rd, hr.data());
        add_rows(hr.data(), batch, GH, rb);
        for (int64_t b = 0; b < batch; ++b) {
          const int64_t len = lens[size_t(b)];
          if (s >= len) continue;  // this sequence has ended; its state stays
          const int64_t t = backwards ? len - 1 - s : s;
          C* hb = &h[size_t(b * H)];
          step(act, &xw[size_t(x_row(t, b) * GH)], &hr[size_t(b * GH)], rd, rb, pd, hb, &cs[size_t(b * H)], tmp.data());
          if (y) {
            T* out = y + y_offset(t, d, b);
            for (int64_t k = 0; k < H; ++k) out[k] = store<T>(hb[k]);
          }
        }
      }
      for (int64_t b = 0; b < batch; ++b) {
        const size_t so = state_offset(d, b);
        for (int64_t k = 0; k < H; ++k) {
          if (yh) yh[so + size_t(k)] = store<T>(h[size_t(b * H + k)]);
          if (yc) yc[so + size_t(k)] = store<T>(cs[size_t(b * H + k)]);
        }
      }
    }
  }

  // Clips the n pre-activations (when a clip is set), then applies a, in place.
  template <class C>
  void activate(const recurrent_activation& a, C* v, int64_t n) const {
    if (c_.clip > 0)
      for (int64_t k = 0; k < n; ++k) v[k] = std::clamp(v[k], C(-c_.clip), C(c_.clip));
    apply_activation(a, v, n);
  }

  // One time step of one sequence: updates h (and the cell state cs for LSTM) in place. xw and hr
  // hold the step's G*H input and recurrent projections; tmp has room for 5*H values. Each gate's
  // pre-activations are gathered first so that its function runs over the whole row at once.
  template <class C>
  void step(const std::vector<recurrent_activation>& act, const C* xw, const C* hr, const C* rd, const C* rb,
            const C* peep, C* h, C* cs, C* tmp) const {
    const int64_t H = c_.hidden;
    switch (c_.cell) {
      case recurrent_cell::rnn:
        for (int64_t k = 0; k < H; ++k) h[k] = xw[k] + hr[k];
        activate(act[0], h, H);
        return;
      case recurrent_cell::gru: {
        // Gate blocks z, r, h; tmp holds z, r (then r (.) h) and the candidate state.
        C *z = tmp, *r = tmp + H, *candidate = tmp + 2 * H;
        for (int64_t k = 0; k < 2 * H; ++k) tmp[k] = xw[k] + hr[k];
        activate(act[0], tmp, 2 * H);
        if (c_.linear_before_reset) {
          for (int64_t k = 0; k < H; ++k) candidate[k] = xw[2 * H + k] + r[k] * hr[2 * H + k];
        } else {
          for (int64_t k = 0; k < H; ++k) r[k] *= h[k];
          for (int64_t k = 0; k < H; ++k) {
            C s = rb ? rb[2 * H + k] : C(0);
            const C* row = rd + (2 * H + k) * H;
            for (int64_t j = 0; j < H; ++j) s += row[j] * r[j];
            candidate[k] = xw[2 * H + k] + s;
          }
        }
        activate(act[1], candidate, H);
        for (int64_t k = 0; k < H; ++k) h[k] = (1 - z[k]) * candidate[k] + z[k] * h[k];
        return;
      }
      case recurrent_cell::lstm: {
        // Gate blocks i, o, f, c as in W and R; peepholes P = [Pi, Po, Pf]. tmp[4H, 5H): h(c).
        C *i = tmp, *o = tmp + H, *f = tmp + 2 * H, *c = tmp + 3 * H, *hc = tmp + 4 * H;
        for (int64_t k = 0; k < 4 * H; ++k) tmp[k] = xw[k] + hr[k];
        if (peep)
          for (int64_t k = 0; k < H; ++k) i[k] += peep[k] * cs[k], f[k] += peep[2 * H + k] * cs[k];
        activate(act[0], i, H);
        if (c_.input_forget) {
          for (int64_t k = 0; k < H; ++k) f[k] = 1 - i[k];
        } else {
          activate(act[0], f, H);
        }
        activate(act[1], c, H);
        for (int64_t k = 0; k < H; ++k) cs[k] = f[k] * cs[k] + i[k] * c[k];
        if (peep)
          for (int64_t k = 0; k < H; ++k) o[k] += peep[H + k] * cs[k];
        activate(act[0], o, H);
        std::copy(cs, cs + H, hc);
        apply_activation(act[2], hc, H);  // the output function takes the cell state unclipped
        for (int64_t k = 0; k < H; ++k) h[k] = o[k] * hc[k];
        return;
      }
    }
  }

  static void expect_shape(const tensor& t, const dims& want, const char* name) {
    if (t.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", name, " has shape ", dims_string(t.shape), ", expected ", dims_string(want));
  }

  recurrent_config c_;
};

template <recurrent_cell Cell>
std::unique_ptr<kernel> create_recurrent(const node_view& node) {
  return std::make_unique<recurrent_kernel>(support::read_recurrent_config(node, Cell));
}

bool recurrent_supports(const node_view& node, std::string& why) {
  if (!float_input_at(node, 0, why)) return false;
  for (size_t i : {1, 2, 3, 5, 6, 7})
    if (node.has_input(i) && node.input_dtype(i) != node.input_dtype(0)) {
      why = cat("input ", i, " is ", dtype_name(node.input_dtype(i)), ", X is ", dtype_name(node.input_dtype(0)));
      return false;
    }
  return !node.has_input(4) || input_dtype_in(node, 4, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_recurrent_ops(std::vector<op_entry>& t) {
  t.push_back({"RNN", "ref_rnn", recurrent_supports, create_recurrent<recurrent_cell::rnn>});
  t.push_back({"GRU", "ref_gru", recurrent_supports, create_recurrent<recurrent_cell::gru>});
  t.push_back({"LSTM", "ref_lstm", recurrent_supports, create_recurrent<recurrent_cell::lstm>});
}

}  // namespace mirt::cpu
