// tests/backends/cuda/test_recurrent.cpp — RNN, GRU and LSTM on the cuda backend against the cpu
// backend: every cell with bias, initial states and both directions; sequence_lens with reverse
// directions; GRU's two linear_before_reset forms; LSTM peepholes, input_forget and clip; named
// activations with alphas; batch-major layout; omitted outputs.
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"

using namespace cuda_test;

namespace {

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32;

struct rnn_spec {
  const char* op;
  int64_t steps = 5, batch = 3, input = 7, hidden = 16, dirs = 1;
  int64_t layout = 0;
  bool bias = true, initial = true, peepholes = false, lens = false;
  std::vector<attr> attrs;
};

int64_t gates(const char* op) { return std::string(op) == "RNN" ? 1 : std::string(op) == "GRU" ? 3 : 4; }

op_call make_call(const rnn_spec& s) {
  const int64_t G = gates(s.op), H = s.hidden, D = s.dirs;
  const bool lstm = std::string(s.op) == "LSTM";
  const shape_t x_shape = s.layout == 0 ? shape_t{s.steps, s.batch, s.input} : shape_t{s.batch, s.steps, s.input};
  const shape_t state = s.layout == 0 ? shape_t{D, s.batch, H} : shape_t{s.batch, D, H};
  op_call call{s.op, {rand_f32(x_shape, 1), rand_f32({D, G * H, s.input}, 2, -0.5f, 0.5f, true),
                      rand_f32({D, G * H, H}, 3, -0.5f, 0.5f, true)}, {}, s.attrs};
  call.inputs.push_back(s.bias ? rand_f32({D, 2 * G * H}, 4, -0.3f, 0.3f, true) : omitted());
  std::vector<int32_t> lens;
  for (int64_t b = 0; b < s.batch; ++b) lens.push_back(int32_t((b * 2 + 1) % (s.steps + 1)));  // 1, 3, 5, 0, ...
  call.inputs.push_back(s.lens ? i32({s.batch}, lens) : omitted());
  call.inputs.push_back(s.initial ? rand_f32(state, 5) : omitted());
  if (lstm) {
    call.inputs.push_back(s.initial ? rand_f32(state, 6) : omitted());
    call.inputs.push_back(s.peepholes ? rand_f32({D, 3 * H}, 7, -0.3f, 0.3f, true) : omitted());
  }
  const shape_t y = s.layout == 0 ? shape_t{s.steps, D, s.batch, H} : shape_t{s.batch, s.steps, D, H};
  call.outputs = {{F32, y}, {F32, state}};
  if (lstm) call.outputs.push_back({F32, state});
  call.attrs.push_back(attr_i("hidden_size", H));
  if (s.layout != 0) call.attrs.push_back(attr_i("layout", s.layout));
  if (D == 2) call.attrs.push_back(attr_s("direction", "bidirectional"));
  return call;
}

attr strings(const std::string& name, std::vector<std::string> v) { return {name, MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, std::move(v)}; }
attr floats(const std::string& name, std::vector<float> v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(v), {}}; }

}  // namespace

TEST_CASE("RNN, GRU and LSTM, forward and bidirectional, match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"RNN", "GRU", "LSTM"})
    for (int64_t dirs : {1, 2}) {
      CAPTURE(op);
      CAPTURE(dirs);
      rnn_spec s{op};
      s.dirs = dirs;
      compare_with_cpu(make_call(s));
    }
}

TEST_CASE("sequence_lens with reverse directions, batch-major layout and no bias match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    CAPTURE(op);
    rnn_spec s{op};
    s.dirs = 2, s.lens = true, s.batch = 5;
    compare_with_cpu(make_call(s));
    rnn_spec reverse{op};
    reverse.layout = 1, reverse.bias = false, reverse.initial = false, reverse.lens = true;
    reverse.attrs = {attr_s("direction", "reverse")};
    compare_with_cpu(make_call(reverse));
  }
}

TEST_CASE("GRU with linear_before_reset 0 and 1, and LSTM with peepholes, input_forget and clip") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t lbr : {0, 1}) {
    CAPTURE(lbr);
    rnn_spec s{"GRU"};
    s.attrs = {attr_i("linear_before_reset", lbr)};
    compare_with_cpu(make_call(s));
  }
  rnn_spec lstm{"LSTM"};
  lstm.peepholes = true, lstm.dirs = 2, lstm.lens = true;
  lstm.attrs = {attr_f("clip", 0.7f)};
  compare_with_cpu(make_call(lstm));
  rnn_spec coupled{"LSTM"};
  coupled.peepholes = true;
  coupled.attrs = {attr_i("input_forget", 1)};
  compare_with_cpu(make_call(coupled));
}

TEST_CASE("named activations with alphas and betas match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  rnn_spec lstm{"LSTM"};
  lstm.attrs = {strings("activations", {"HardSigmoid", "ScaledTanh", "Softsign"}), floats("activation_alpha", {0.3f, 0.9f}),
                floats("activation_beta", {0.4f, 1.1f})};
  compare_with_cpu(make_call(lstm));
  rnn_spec gru{"GRU"};
  gru.dirs = 2;
  gru.attrs = {strings("activations", {"Sigmoid", "Tanh", "Affine", "LeakyRelu"}), floats("activation_alpha", {0.5f, 0.2f}),
               floats("activation_beta", {0.1f})};
  compare_with_cpu(make_call(gru));
  rnn_spec rnn{"RNN"};
  rnn.attrs = {strings("activations", {"Elu"}), floats("activation_alpha", {0.8f})};
  compare_with_cpu(make_call(rnn));
}

TEST_CASE("an LSTM with only Y_h asked for, and a float16 one refused with the reason") {
  CUDA_TEST_REQUIRE_GPU();
  rnn_spec s{"LSTM"};
  op_call call = make_call(s);
  call.outputs[0].dtype = MIRT_DTYPE_UNDEFINED;  // Y omitted
  call.outputs.pop_back();                        // Y_c omitted
  compare_with_cpu(call);
  op_call half = make_call(s);
  half.inputs[0].dtype = MIRT_DTYPE_FLOAT16;
  const op_result r = run_cuda(half);
  CHECK(r.code == MIRT_STATUS_UNSUPPORTED);
  CHECK(r.message.find("float16") != std::string::npos);
}
