// tests/backends/cpu/test_recurrent.cpp — RNN, GRU and LSTM on what the ONNX node tests leave out
// (bidirectional, reverse, sequence_lens, initial states with peepholes, clip, named activations
// with alphas, GRU's linear_before_reset, LSTM's input_forget, batch-major layout, float64),
// against a float64 reference written gate by gate here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

using fn = std::function<double(double)>;
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

struct rnn_case {
  std::string op;
  int64_t steps = 3, batch = 2, input = 3, hidden = 4, dirs = 1;
  bool reverse = false;  // direction "reverse" (one direction)
  std::vector<int32_t> lens;  // empty: no sequence_lens input
  bool bias = false, initial = false, peepholes = false, lbr = false, input_forget = false;
  double clip = 0;
  std::vector<fn> acts;  // per direction f[, g[, h]], repeated per direction
  std::vector<attr> attrs;

  int64_t gates() const { return op == "RNN" ? 1 : op == "GRU" ? 3 : 4; }
};

struct tensors {
  std::vector<float> x, w, r, b, h0, c0, p;
};

tensors make_inputs(const rnn_case& c) {
  const int64_t G = c.gates(), H = c.hidden;
  return {random_floats(c.steps * c.batch * c.input, -1, 1, 1), random_floats(c.dirs * G * H * c.input, -0.8f, 0.8f, 2),
          random_floats(c.dirs * G * H * H, -0.8f, 0.8f, 3),   random_floats(c.dirs * 2 * G * H, -0.5f, 0.5f, 4),
          random_floats(c.dirs * c.batch * H, -1, 1, 5),       random_floats(c.dirs * c.batch * H, -1, 1, 6),
          random_floats(c.dirs * 3 * H, -0.5f, 0.5f, 7)};
}

// Time-major reference: Y [steps, dirs, batch, H], Y_h and Y_c [dirs, batch, H].
struct outputs {
  std::vector<double> y, yh, yc;
};

outputs reference(const rnn_case& c, const tensors& t) {
  const int64_t S = c.steps, B = c.batch, I = c.input, H = c.hidden, G = c.gates(), D = c.dirs;
  outputs o{std::vector<double>(size_t(S * D * B * H)), std::vector<double>(size_t(D * B * H)),
            std::vector<double>(size_t(D * B * H))};
  const size_t per_dir = c.acts.size() / size_t(D);
  auto clipped = [&](double v) { return c.clip > 0 ? std::clamp(v, -c.clip, c.clip) : v; };
  for (int64_t d = 0; d < D; ++d) {
    const fn& f = c.acts[size_t(d) * per_dir];
    const fn& g = per_dir > 1 ? c.acts[size_t(d) * per_dir + 1] : f;
    const fn& hf = per_dir > 2 ? c.acts[size_t(d) * per_dir + 2] : f;
    // gate q of hidden unit k: W row (q*H + k) . x + Wb + Rb, and the R row for a given h.
    auto wx = [&](int64_t q, int64_t k, int64_t step, int64_t b) {
      double s = c.bias ? t.b[size_t(d * 2 * G * H + q * H + k)] : 0;
      for (int64_t i = 0; i < I; ++i) s += double(t.w[size_t((d * G * H + q * H + k) * I + i)]) * t.x[size_t((step * B + b) * I + i)];
      return s;
    };
    auto rh = [&](int64_t q, int64_t k, const std::vector<double>& h) {
      double s = c.bias ? t.b[size_t(d * 2 * G * H + G * H + q * H + k)] : 0;
      for (int64_t j = 0; j < H; ++j) s += double(t.r[size_t((d * G * H + q * H + k) * H + j)]) * h[size_t(j)];
      return s;
    };
    for (int64_t b = 0; b < B; ++b) {
      const size_t n = size_t(H);
      std::vector<double> h(n), cell(n);
      for (int64_t k = 0; k < H; ++k) {
        h[size_t(k)] = c.initial ? t.h0[size_t((d * B + b) * H + k)] : 0;
        cell[size_t(k)] = c.initial && c.op == "LSTM" ? t.c0[size_t((d * B + b) * H + k)] : 0;
      }
      const int64_t len = c.lens.empty() ? S : c.lens[size_t(b)];
      const bool back = d == 1 || c.reverse;
      for (int64_t s = 0; s < len; ++s) {
        const int64_t step = back ? len - 1 - s : s;
        std::vector<double> next(n), next_cell = cell;
        for (int64_t k = 0; k < H; ++k) {
          if (c.op == "RNN") {
            next[size_t(k)] = f(clipped(wx(0, k, step, b) + rh(0, k, h)));
          } else if (c.op == "GRU") {
            const double z = f(clipped(wx(0, k, step, b) + rh(0, k, h)));
            double cand;
            if (c.lbr) {
              const double r = f(clipped(wx(1, k, step, b) + rh(1, k, h)));
              cand = g(clipped(wx(2, k, step, b) + r * rh(2, k, h)));
            } else {
              std::vector<double> rhv(n);
              for (int64_t j = 0; j < H; ++j) rhv[size_t(j)] = f(clipped(wx(1, j, step, b) + rh(1, j, h))) * h[size_t(j)];
              cand = g(clipped(wx(2, k, step, b) + rh(2, k, rhv)));
            }
            next[size_t(k)] = (1 - z) * cand + z * h[size_t(k)];
          } else {
            auto peep = [&](int64_t q) { return c.peepholes ? double(t.p[size_t(d * 3 * H + q * H + k)]) : 0.0; };
            const double i = f(clipped(wx(0, k, step, b) + rh(0, k, h) + peep(0) * cell[size_t(k)]));
            const double fg = c.input_forget ? 1 - i : f(clipped(wx(2, k, step, b) + rh(2, k, h) + peep(2) * cell[size_t(k)]));
            const double cc = g(clipped(wx(3, k, step, b) + rh(3, k, h)));
            next_cell[size_t(k)] = fg * cell[size_t(k)] + i * cc;
            const double og = f(clipped(wx(1, k, step, b) + rh(1, k, h) + peep(1) * next_cell[size_t(k)]));
            next[size_t(k)] = og * hf(next_cell[size_t(k)]);
          }
        }
        h = next;
        cell = next_cell;
        for (int64_t k = 0; k < H; ++k) o.y[size_t(((step * D + d) * B + b) * H + k)] = h[size_t(k)];
      }
      for (int64_t k = 0; k < H; ++k) {
        o.yh[size_t((d * B + b) * H + k)] = h[size_t(k)];
        o.yc[size_t((d * B + b) * H + k)] = cell[size_t(k)];
      }
    }
  }
  return o;
}

op_call make_call(const rnn_case& c, const tensors& t) {
  const int64_t G = c.gates(), H = c.hidden, D = c.dirs;
  op_call call{c.op, {f32({c.steps, c.batch, c.input}, t.x), f32({D, G * H, c.input}, t.w), f32({D, G * H, H}, t.r)}, {}, c.attrs};
  call.inputs.push_back(c.bias ? f32({D, 2 * G * H}, t.b) : omitted());
  call.inputs.push_back(c.lens.empty() ? omitted() : i32({c.batch}, c.lens));
  call.inputs.push_back(c.initial ? f32({D, c.batch, H}, t.h0) : omitted());
  if (c.op == "LSTM") {
    call.inputs.push_back(c.initial ? f32({D, c.batch, H}, t.c0) : omitted());
    call.inputs.push_back(c.peepholes ? f32({D, 3 * H}, t.p) : omitted());
  }
  call.outputs = {{MIRT_DTYPE_FLOAT32, {c.steps, D, c.batch, H}}, {MIRT_DTYPE_FLOAT32, {D, c.batch, H}}};
  if (c.op == "LSTM") call.outputs.push_back({MIRT_DTYPE_FLOAT32, {D, c.batch, H}});
  call.attrs.push_back(attr_i("hidden_size", H));
  return call;
}

void check_case(const rnn_case& c) {
  const tensors t = make_inputs(c);
  const outputs want = reference(c, t);
  op_result r = run(make_call(c, t));
  INFO(c.op, ": ", r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  check_close(r.outputs[0].values<float>(), want.y);
  check_close(r.outputs[1].values<float>(), want.yh);
  if (c.op == "LSTM") check_close(r.outputs[2].values<float>(), want.yc);
}

attr strings(const std::string& name, std::vector<std::string> v) { return {name, MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(v)}; }
attr floats(const std::string& name, std::vector<float> v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(v), {}}; }

const fn tanh_fn = [](double x) { return std::tanh(x); };

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("LSTM bidirectional with sequence_lens, initial states, peepholes, clip and per-direction activations") {
  rnn_case c{"LSTM"};
  c.steps = 4, c.batch = 3, c.dirs = 2, c.lens = {4, 1, 3};
  c.bias = c.initial = c.peepholes = true;
  c.clip = 1.5;
  // Forward: the defaults; reverse: HardSigmoid(0.3, 0.4), ScaledTanh(0.9, 1.1), LeakyRelu(0.2).
  c.acts = {sigmoid, tanh_fn, tanh_fn, [](double x) { return std::clamp(0.3 * x + 0.4, 0.0, 1.0); },
            [](double x) { return 0.9 * std::tanh(1.1 * x); }, [](double x) { return x >= 0 ? x : 0.2 * x; }};
  c.attrs = {attr_s("direction", "bidirectional"),
             strings("activations", {"Sigmoid", "Tanh", "Tanh", "HardSigmoid", "ScaledTanh", "LeakyRelu"}),
             floats("activation_alpha", {0.3f, 0.9f, 0.2f}), floats("activation_beta", {0.4f, 1.1f}), attr_f("clip", 1.5f)};
  check_case(c);
}

TEST_CASE("LSTM with input_forget couples the forget gate to 1 - input gate") {
  rnn_case c{"LSTM"};
  c.input_forget = c.bias = true;
  c.acts = {sigmoid, tanh_fn, tanh_fn};
  c.attrs = {attr_i("input_forget", 1)};
  check_case(c);
}

TEST_CASE("GRU reverse with linear_before_reset 0 and 1, and sequence_lens") {
  for (int64_t lbr : {0, 1}) {
    rnn_case c{"GRU"};
    c.reverse = true, c.lbr = lbr == 1, c.bias = c.initial = true, c.lens = {2, 3};
    c.acts = {sigmoid, tanh_fn};
    c.attrs = {attr_s("direction", "reverse"), attr_i("linear_before_reset", lbr)};
    CAPTURE(lbr);
    check_case(c);
  }
}

TEST_CASE("RNN bidirectional: one direction's activation list serves both") {
  rnn_case c{"RNN"};
  c.dirs = 2, c.bias = c.initial = true;
  c.acts = {[](double x) { return x > 0 ? x : 0; }, [](double x) { return x > 0 ? x : 0; }};
  c.attrs = {attr_s("direction", "bidirectional"), strings("activations", {"Relu"})};
  check_case(c);
}

TEST_CASE("GRU in layout 1 (batch-major) equals layout 0 transposed") {
  rnn_case c{"GRU"};
  c.bias = c.initial = true;
  c.acts = {sigmoid, tanh_fn};
  const tensors t = make_inputs(c);
  const outputs want = reference(c, t);  // time-major
  const int64_t S = c.steps, B = c.batch, I = c.input, H = c.hidden;
  std::vector<float> xb(t.x.size());
  for (int64_t s = 0; s < S; ++s)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < I; ++i) xb[size_t((b * S + s) * I + i)] = t.x[size_t((s * B + b) * I + i)];
  op_call call{"GRU",
               {f32({B, S, I}, xb), f32({1, 3 * H, I}, t.w), f32({1, 3 * H, H}, t.r), f32({1, 6 * H}, t.b), omitted(),
                f32({B, 1, H}, t.h0)},  // one direction: [batch, 1, H] holds the same values as [1, batch, H]
               {{MIRT_DTYPE_FLOAT32, {B, S, 1, H}}, {MIRT_DTYPE_FLOAT32, {B, 1, H}}},
               {attr_i("hidden_size", H), attr_i("layout", 1)}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  std::vector<double> y_batch_major(want.y.size());
  for (int64_t s = 0; s < S; ++s)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) y_batch_major[size_t((b * S + s) * H + k)] = want.y[size_t((s * B + b) * H + k)];
  check_close(r.outputs[0].values<float>(), y_batch_major);
  check_close(r.outputs[1].values<float>(), want.yh);
}

TEST_CASE("RNN in float64 and a sequence length past the sequence") {
  rnn_case c{"RNN"};
  c.acts = {tanh_fn};
  const tensors t = make_inputs(c);
  const outputs want = reference(c, t);
  auto f64 = [](shape_t s, const std::vector<float>& v) {
    return tensor_data::of<double>(MIRT_DTYPE_FLOAT64, std::move(s), std::vector<double>(v.begin(), v.end()));
  };
  op_call call{"RNN", {f64({3, 2, 3}, t.x), f64({1, 4, 3}, t.w), f64({1, 4, 4}, t.r)},
               {{MIRT_DTYPE_FLOAT64, {3, 1, 2, 4}}, {MIRT_DTYPE_FLOAT64, {1, 2, 4}}}, {attr_i("hidden_size", 4)}};
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<double> y = r.outputs[0].values<double>();
  REQUIRE(y.size() == want.y.size());
  for (size_t i = 0; i < y.size(); ++i) CHECK(y[i] == doctest::Approx(want.y[i]).epsilon(1e-12));
  call.inputs.push_back(omitted());
  call.inputs.push_back(i32({2}, {3, 4}));
  r = run(call);
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("sequence_lens[1] is 4, expected 0 to 3") != std::string::npos);
}

}  // TEST_SUITE
