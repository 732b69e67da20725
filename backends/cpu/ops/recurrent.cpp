// backends/cpu/ops/recurrent.cpp — RNN, GRU and LSTM as ONNX defines them: forward, reverse or
// bidirectional, per-batch sequence_lens (steps past a sequence's end give zeros in Y, its last
// state is the one at its end), initial states, LSTM peepholes and input_forget, GRU's
// linear_before_reset, clip on the gates' pre-activations, and layout 0 (time-major) or 1
// (batch-major). Reference loops in double over any float storage type.
#include <algorithm>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/recurrent_activation.hpp"

namespace mirt::cpu {
namespace {

enum class cell { rnn, gru, lstm };

struct recurrent_config {
  cell kind = cell::rnn;
  int64_t hidden = 0;
  int64_t directions = 1;
  bool reverse_only = false;  // direction "reverse": the one direction runs backwards
  int64_t layout = 0;
  double clip = 0;            // 0: none
  bool linear_before_reset = false;
  bool input_forget = false;
  // per_direction functions for each direction, forward first.
  std::vector<std::vector<recurrent_activation>> activations;
};

int64_t gates_of(cell kind) { return kind == cell::rnn ? 1 : kind == cell::gru ? 3 : 4; }

// One input tensor read as double (empty when absent).
template <class T>
std::vector<double> read_all(const tensor& t) {
  std::vector<double> v;
  if (!t.present()) return v;
  v.resize(size_t(t.numel()));
  const T* p = t.as<const T>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = double(load(p[i]));
  return v;
}

class recurrent_kernel final : public kernel {
 public:
  explicit recurrent_kernel(recurrent_config config) : c_(std::move(config)) {}

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto tag) { run<typename decltype(tag)::type>(args); });
  }

 private:
  template <class T>
  void run(const exec_args& args) const {
    const tensor& x = args.in.at(0);
    if (x.rank() != 3) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 (X) has shape ", dims_string(x.shape), ", expected rank 3");
    const int64_t steps = x.shape[c_.layout == 0 ? 0 : 1], batch = x.shape[c_.layout == 0 ? 1 : 0], in = x.shape[2];
    const int64_t H = c_.hidden, G = gates_of(c_.kind), D = c_.directions;
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
    const std::vector<double> xs = read_all<T>(x), w = read_all<T>(args.in.at(1)), r = read_all<T>(args.in.at(2)),
                              bias = read_all<T>(b_in), h0 = read_all<T>(h0_in), c0 = read_all<T>(c0_in),
                              peep = read_all<T>(p_in);
    T* y = args.out.size() > 0 ? args.out[0].as<T>() : nullptr;
    T* yh = args.out.size() > 1 ? args.out[1].as<T>() : nullptr;
    T* yc = args.out.size() > 2 ? args.out[2].as<T>() : nullptr;
    if (y) std::fill(y, y + args.out[0].numel(), store<T>(0));

    const auto x_at = [&](int64_t t, int64_t b) {
      return &xs[size_t(((c_.layout == 0 ? t * batch + b : b * steps + t)) * in)];
    };
    const auto y_offset = [&](int64_t t, int64_t d, int64_t b) {
      return size_t((c_.layout == 0 ? (t * D + d) * batch + b : (b * steps + t) * D + d) * H);
    };
    const auto state_offset = [&](int64_t d, int64_t b) {
      return size_t((c_.layout == 0 ? d * batch + b : b * D + d) * H);
    };

    const size_t n = size_t(H), gn = size_t(G * H);
    std::vector<double> h(n), cs(n), xw(gn), hr(gn), tmp(2 * n);
    for (int64_t d = 0; d < D; ++d) {
      const bool backwards = d == 1 || c_.reverse_only;
      const double* wd = &w[size_t(d * G * H * in)];
      const double* rd = &r[size_t(d * G * H * H)];
      const double* wb = bias.empty() ? nullptr : &bias[size_t(d * 2 * G * H)];
      const double* rb = wb ? wb + G * H : nullptr;
      const double* pd = peep.empty() ? nullptr : &peep[size_t(d * 3 * H)];
      const std::vector<recurrent_activation>& act = c_.activations[size_t(d)];
      for (int64_t b = 0; b < batch; ++b) {
        const size_t so = state_offset(d, b);
        for (int64_t k = 0; k < H; ++k) {
          h[size_t(k)] = h0.empty() ? 0 : h0[so + size_t(k)];
          cs[size_t(k)] = c0.empty() ? 0 : c0[so + size_t(k)];
        }
        const int64_t len = lens[size_t(b)];
        for (int64_t s = 0; s < len; ++s) {
          const int64_t t = backwards ? len - 1 - s : s;
          // xw = W x_t + Wb; hr = R h + Rb (GRU's hidden gate is redone below when needed).
          matvec(wd, x_at(t, b), G * H, in, wb, xw.data());
          matvec(rd, h.data(), G * H, H, rb, hr.data());
          step(act, xw, hr, rd, rb, pd, h, cs, tmp);
          if (y) {
            T* out = y + y_offset(t, d, b);
            for (int64_t k = 0; k < H; ++k) out[k] = store<T>(compute_type<T>(h[size_t(k)]));
          }
        }
        for (int64_t k = 0; k < H; ++k) {
          if (yh) yh[so + size_t(k)] = store<T>(compute_type<T>(h[size_t(k)]));
          if (yc) yc[so + size_t(k)] = store<T>(compute_type<T>(cs[size_t(k)]));
        }
      }
    }
  }

  // out[rows] = m[rows, cols] v[cols] (+ bias[rows]).
  static void matvec(const double* m, const double* v, int64_t rows, int64_t cols, const double* bias, double* out) {
    for (int64_t i = 0; i < rows; ++i) {
      double s = bias ? bias[i] : 0;
      const double* row = m + i * cols;
      for (int64_t j = 0; j < cols; ++j) s += row[j] * v[j];
      out[i] = s;
    }
  }

  double clipped(double v) const { return c_.clip > 0 ? std::clamp(v, -c_.clip, c_.clip) : v; }

  // One time step of one sequence: updates h (and the cell state cs for LSTM) in place.
  void step(const std::vector<recurrent_activation>& act, const std::vector<double>& xw, const std::vector<double>& hr,
            const double* rd, const double* rb, const double* peep, std::vector<double>& h, std::vector<double>& cs,
            std::vector<double>& tmp) const {
    const int64_t H = c_.hidden;
    switch (c_.kind) {
      case cell::rnn:
        for (int64_t k = 0; k < H; ++k) h[size_t(k)] = act[0](clipped(xw[size_t(k)] + hr[size_t(k)]));
        return;
      case cell::gru: {
        // Gate blocks z, r, h. tmp[0, H) holds the candidate state.
        const auto f = act[0], g = act[1];
        if (c_.linear_before_reset) {
          for (int64_t k = 0; k < H; ++k) {
            const double rt = f(clipped(xw[size_t(H + k)] + hr[size_t(H + k)]));
            tmp[size_t(k)] = g(clipped(xw[size_t(2 * H + k)] + rt * hr[size_t(2 * H + k)]));
          }
        } else {
          double* rh = tmp.data() + H;  // r (.) h
          for (int64_t k = 0; k < H; ++k) rh[k] = f(clipped(xw[size_t(H + k)] + hr[size_t(H + k)])) * h[size_t(k)];
          for (int64_t k = 0; k < H; ++k) {
            double s = rb ? rb[2 * H + k] : 0;
            const double* row = rd + (2 * H + k) * H;
            for (int64_t j = 0; j < H; ++j) s += row[j] * rh[j];
            tmp[size_t(k)] = g(clipped(xw[size_t(2 * H + k)] + s));
          }
        }
        for (int64_t k = 0; k < H; ++k) {
          const double z = f(clipped(xw[size_t(k)] + hr[size_t(k)]));
          h[size_t(k)] = (1 - z) * tmp[size_t(k)] + z * h[size_t(k)];
        }
        return;
      }
      case cell::lstm: {
        // Gate blocks i, o, f, c; peepholes P = [Pi, Po, Pf].
        const auto f = act[0], g = act[1], hact = act[2];
        for (int64_t k = 0; k < H; ++k) {
          const size_t q = size_t(k);
          const double c_prev = cs[q];
          const double it = f(clipped(xw[q] + hr[q] + (peep ? peep[k] * c_prev : 0)));
          const double ft = c_.input_forget ? 1 - it
                                            : f(clipped(xw[size_t(2 * H + k)] + hr[size_t(2 * H + k)] +
                                                        (peep ? peep[2 * H + k] * c_prev : 0)));
          const double ct = g(clipped(xw[size_t(3 * H + k)] + hr[size_t(3 * H + k)]));
          cs[q] = ft * c_prev + it * ct;
          const double ot = f(clipped(xw[size_t(H + k)] + hr[size_t(H + k)] + (peep ? peep[H + k] * cs[q] : 0)));
          h[q] = ot * hact(cs[q]);
        }
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

std::vector<std::string> attr_strings(const node_view& node, std::string_view name) {
  std::vector<std::string> out;
  if (const mirt_attribute* a = node.find(name); a && a->strings)
    for (size_t i = 0; i < a->count; ++i) out.emplace_back(view_of(a->strings[i]));
  return out;
}

std::vector<float> attr_floats(const node_view& node, std::string_view name) {
  if (const mirt_attribute* a = node.find(name); a && a->floats) return std::vector<float>(a->floats, a->floats + a->count);
  return {};
}

template <cell Kind>
std::unique_ptr<kernel> create_recurrent(const node_view& node) {
  recurrent_config c;
  c.kind = Kind;
  const std::string direction = node.attr_string("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is '", direction, "', expected forward, reverse or bidirectional");
  c.directions = direction == "bidirectional" ? 2 : 1;
  c.reverse_only = direction == "reverse";
  c.layout = node.attr_int("layout", 0);
  c.clip = node.has_attr("clip") ? node.attr_float("clip", 0) : 0;
  c.linear_before_reset = node.attr_int("linear_before_reset", 0) != 0;
  c.input_forget = node.attr_int("input_forget", 0) != 0;
  const mirt_tensor_desc& r = node.input(2);
  c.hidden = node.attr_int("hidden_size", r.rank == 3 ? r.dims[2] : -1);
  if (c.hidden <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "hidden_size is not known (no attribute, and R's shape is dynamic)");

  std::vector<std::string> names = attr_strings(node, "activations");
  const size_t per_direction = Kind == cell::rnn ? 1 : Kind == cell::gru ? 2 : 3;
  if (names.empty()) {
    names = Kind == cell::rnn ? std::vector<std::string>{"Tanh"}
            : Kind == cell::gru ? std::vector<std::string>{"Sigmoid", "Tanh"}
                                : std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  }
  // One direction's list serves both directions of a bidirectional layer.
  if (names.size() == per_direction && c.directions == 2) {
    const std::vector<std::string> one = names;
    names.insert(names.end(), one.begin(), one.end());
  }
  if (names.size() != per_direction * size_t(c.directions))
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'activations' has ", names.size(), " entries, expected ", per_direction,
         " per direction");
  const std::vector<recurrent_activation> all =
      parse_recurrent_activations(names, attr_floats(node, "activation_alpha"), attr_floats(node, "activation_beta"));
  for (int64_t d = 0; d < c.directions; ++d)
    c.activations.emplace_back(all.begin() + d * int64_t(per_direction), all.begin() + (d + 1) * int64_t(per_direction));
  return std::make_unique<recurrent_kernel>(std::move(c));
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
  t.push_back({"RNN", "ref_rnn", recurrent_supports, create_recurrent<cell::rnn>});
  t.push_back({"GRU", "ref_gru", recurrent_supports, create_recurrent<cell::gru>});
  t.push_back({"LSTM", "ref_lstm", recurrent_supports, create_recurrent<cell::lstm>});
}

}  // namespace mirt::cpu
