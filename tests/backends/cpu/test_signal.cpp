// tests/backends/cpu/test_signal.cpp — DFT, STFT, the windows and MelWeightMatrix on what the ONNX
// node tests leave out (complex inputs, dft_length padding and truncation, an odd irfft length,
// full-spectrum STFT of a complex signal, float64 outputs, long and prime lengths through the FFT,
// one kernel run by several threads at several lengths), against float64 sums written here.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <thread>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

using cplx = std::complex<double>;

// Direct DFT of `in` at length n (zero-padded or truncated), bins [0, bins).
std::vector<cplx> reference_dft(const std::vector<cplx>& in, int64_t n, int64_t bins, bool inverse) {
  std::vector<cplx> out(static_cast<size_t>(bins));
  for (int64_t k = 0; k < bins; ++k)
    for (int64_t j = 0; j < std::min<int64_t>(n, int64_t(in.size())); ++j)
      out[size_t(k)] += in[size_t(j)] * std::polar(1.0, (inverse ? 2 : -2) * std::numbers::pi * double(j * k) / double(n));
  if (inverse)
    for (cplx& v : out) v /= double(n);
  return out;
}

tensor_data f64(shape_t s, const std::vector<double>& v) { return tensor_data::of<double>(MIRT_DTYPE_FLOAT64, std::move(s), v); }

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("DFT of a complex signal along axis 0, padded and truncated by dft_length") {
  // x [5, 3, 2]: 3 complex signals of length 5 along axis 0.
  const auto x = random_floats(5 * 3 * 2, -1, 1, 21);
  for (int64_t n : {8, 3}) {
    op_call call{"DFT", {f32({5, 3, 2}, x), i64({}, {n}), i64({}, {0})}, {{MIRT_DTYPE_FLOAT32, {n, 3, 2}}}};
    std::vector<double> want(size_t(n * 3 * 2));
    for (int64_t s = 0; s < 3; ++s) {
      std::vector<cplx> in(5);
      for (int64_t j = 0; j < 5; ++j) in[size_t(j)] = cplx(x[size_t((j * 3 + s) * 2)], x[size_t((j * 3 + s) * 2 + 1)]);
      const std::vector<cplx> out = reference_dft(in, n, n, false);
      for (int64_t k = 0; k < n; ++k) {
        want[size_t((k * 3 + s) * 2)] = out[size_t(k)].real();
        want[size_t((k * 3 + s) * 2 + 1)] = out[size_t(k)].imag();
      }
    }
    CAPTURE(n);
    check_close(run_f32(call), want);
  }
}

TEST_CASE("float32 DFT through the FFT: long, prime and mixed-radix lengths, forward and inverse, match float64 sums") {
  // 1024 (radix 4), 997 (a prime: KISS FFT's generic butterfly) and 600 (2^3 3 5^2), one real signal each.
  for (int64_t n : {1024, 997, 600}) {
    const auto x = random_floats(n, -1, 1, uint32_t(n));
    std::vector<cplx> in(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) in[size_t(j)] = cplx(x[size_t(j)], 0);
    for (int64_t inverse : {0, 1}) {
      op_call call{"DFT", {f32({1, n, 1}, x)}, {{MIRT_DTYPE_FLOAT32, {1, n, 2}}}, {attr_i("inverse", inverse)}};
      const std::vector<cplx> out = reference_dft(in, n, n, inverse != 0);
      std::vector<double> want;
      for (const cplx& v : out) want.push_back(v.real()), want.push_back(v.imag());
      CAPTURE(n);
      CAPTURE(inverse);
      check_close(run_f32(call), want, 1e-4);  // float butterflies: about 2e-5 absolute on bins up to ~30
    }
  }
}

TEST_CASE("DFT inverse onesided of odd length rebuilds the spectrum by conjugate symmetry, in float64") {
  // X [1, 4, 2]: half spectrum of 4 bins; dft_length 7 -> 7 real samples (bins 4..6 mirror 3..1).
  const auto xf = random_floats(4 * 2, -1, 1, 22);
  const std::vector<double> x(xf.begin(), xf.end());
  op_call call{"DFT", {f64({1, 4, 2}, x), i64({}, {7})}, {{MIRT_DTYPE_FLOAT64, {1, 7, 1}}},
               {attr_i("inverse", 1), attr_i("onesided", 1)}};
  std::vector<cplx> full(7);
  for (int64_t k = 0; k < 7; ++k) {
    const int64_t h = k <= 3 ? k : 7 - k;
    const cplx v(x[size_t(2 * h)], x[size_t(2 * h + 1)]);
    full[size_t(k)] = k <= 3 ? v : std::conj(v);
  }
  const std::vector<cplx> want = reference_dft(full, 7, 7, true);
  op_result r = run(call);
  REQUIRE(r.code == MIRT_STATUS_OK);
  const std::vector<double> got = r.outputs[0].values<double>();
  REQUIRE(got.size() == 7);
  for (size_t i = 0; i < 7; ++i) CHECK(got[i] == doctest::Approx(want[i].real()).epsilon(1e-12));
}

TEST_CASE("STFT of a complex signal, full spectrum, with a window; a frame longer than the signal fails") {
  const int64_t length = 20, frame = 6, step = 4, frames = (length - frame) / step + 1;
  const auto x = random_floats(2 * length * 2, -1, 1, 23);
  const auto w = random_floats(frame, 0, 1, 24);
  op_call call{"STFT", {f32({2, length, 2}, x), i64({}, {step}), f32({frame}, w)},
               {{MIRT_DTYPE_FLOAT32, {2, frames, frame, 2}}}, {attr_i("onesided", 0)}};
  std::vector<double> want;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      std::vector<cplx> in(static_cast<size_t>(frame));
      for (int64_t j = 0; j < frame; ++j) {
        const size_t at = size_t((b * length + f * step + j) * 2);
        in[size_t(j)] = double(w[size_t(j)]) * cplx(x[at], x[at + 1]);
      }
      for (const cplx& v : reference_dft(in, frame, frame, false)) {
        want.push_back(v.real());
        want.push_back(v.imag());
      }
    }
  check_close(run_f32(call), want);
  op_result r = run({"STFT", {f32({1, 4, 1}, {1, 2, 3, 4}), i64({}, {1}), omitted(), i64({}, {5})}, {{MIRT_DTYPE_FLOAT32, {1, 1, 3, 2}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("do not fit a signal of length 4") != std::string::npos);
}

TEST_CASE("Hann, Hamming and Blackman windows, periodic and symmetric, in float64") {
  const int64_t n = 7;
  for (int periodic : {1, 0}) {
    const double period = periodic ? n : n - 1;
    for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"}) {
      op_result r = run({op, {i32({}, {int32_t(n)})}, {{MIRT_DTYPE_FLOAT64, {n}}},
                         {attr_i("periodic", periodic), attr_i("output_datatype", 11)}});
      REQUIRE(r.code == MIRT_STATUS_OK);
      const std::vector<double> got = r.outputs[0].values<double>();
      for (int64_t i = 0; i < n; ++i) {
        const double c = std::cos(2 * std::numbers::pi * double(i) / period);
        const double want = std::string(op) == "HannWindow"      ? 0.5 * (1 - c)
                            : std::string(op) == "HammingWindow" ? 25.0 / 46 - 21.0 / 46 * c
                                                                 : 0.42 - 0.5 * c + 0.08 * (2 * c * c - 1);
        CAPTURE(op);
        CAPTURE(periodic);
        CHECK(got[size_t(i)] == doctest::Approx(want).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("MelWeightMatrix: triangular filters between mel-spaced DFT bins") {
  const int64_t mels = 5, dft = 64, rate = 16000;
  const double lo = 100, hi = 7000;
  op_call call{"MelWeightMatrix", {i64({}, {mels}), i64({}, {dft}), i64({}, {rate}), f32({}, {float(lo)}), f32({}, {float(hi)})},
               {{MIRT_DTYPE_FLOAT32, {dft / 2 + 1, mels}}}};
  // ONNX's reference: mels + 2 edges, mel step (high - low) / (mels + 2), bin = floor((dft + 1) hz / rate).
  auto mel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
  std::vector<int64_t> edge;
  for (int64_t i = 0; i < mels + 2; ++i) {
    const double m = mel(lo) + double(i) * (mel(hi) - mel(lo)) / double(mels + 2);
    edge.push_back(int64_t(std::floor(double(dft + 1) * 700 * (std::pow(10, m / 2595) - 1) / rate)));
  }
  std::vector<double> want(size_t((dft / 2 + 1) * mels));
  for (int64_t i = 0; i < mels; ++i) {
    for (int64_t j = edge[size_t(i)]; j <= edge[size_t(i + 1)]; ++j)
      want[size_t(j * mels + i)] = edge[size_t(i + 1)] == edge[size_t(i)] ? 1 : double(j - edge[size_t(i)]) / double(edge[size_t(i + 1)] - edge[size_t(i)]);
    for (int64_t j = edge[size_t(i + 1)]; j < edge[size_t(i + 2)]; ++j)
      want[size_t(j * mels + i)] = double(edge[size_t(i + 2)] - j) / double(edge[size_t(i + 2)] - edge[size_t(i + 1)]);
  }
  check_close(run_f32(call), want);
}

TEST_CASE("one float32 DFT kernel run by 4 threads at once, each cycling through 4 lengths, matches float64 sums") {
  // As several execution contexts of one engine with a dynamic signal length: one kernel, created
  // with the length unknown, shares its cached FFT plans between the threads.
  const mirt_backend_vtable& vt = backend();
  mirt_tensor_desc in_desc{}, out_desc{};
  in_desc.dtype = out_desc.dtype = MIRT_DTYPE_FLOAT32;
  in_desc.rank = out_desc.rank = 3;
  const int64_t build_in[3] = {1, -1, 1}, build_out[3] = {1, -1, 2};
  for (int d = 0; d < 3; ++d) in_desc.dims[d] = build_in[d], out_desc.dims[d] = build_out[d];
  const void* no_constant = nullptr;
  const std::string op = "DFT", name = "test/dft";
  mirt_node_info node{};
  node.struct_size = sizeof(node);
  node.name = {name.data(), name.size()};
  node.op_type = {op.data(), op.size()};
  node.num_inputs = 1;
  node.inputs = &in_desc;
  node.constant_data = &no_constant;
  node.num_outputs = 1;
  node.outputs = &out_desc;
  mirt_tactic_info tactics[8];
  uint32_t count = 0;
  REQUIRE(free_status(vt.get_tactics(&node, tactics, 8, &count), nullptr) == MIRT_STATUS_OK);
  REQUIRE(count > 0);
  mirt_kernel* kernel = nullptr;
  REQUIRE(free_status(vt.kernel_create(&node, tactics[0].id, &kernel), nullptr) == MIRT_STATUS_OK);

  const std::vector<int64_t> lengths = {1024, 997, 600, 256};
  std::vector<std::vector<float>> signals;
  std::vector<std::vector<double>> wants;
  for (int64_t n : lengths) {
    signals.push_back(random_floats(n, -1, 1, uint32_t(n + 1)));
    std::vector<cplx> in(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) in[size_t(j)] = cplx(signals.back()[size_t(j)], 0);
    std::vector<double> want;
    for (const cplx& v : reference_dft(in, n, n, false)) want.push_back(v.real()), want.push_back(v.imag());
    wants.push_back(std::move(want));
  }
  constexpr int k_threads = 4, k_rounds = 12;
  std::vector<double> worst(k_threads, 0.0);
  std::vector<std::string> errors(k_threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < k_threads; ++t)
    pool.emplace_back([&, t] {
      for (int round = 0; round < k_rounds && errors[size_t(t)].empty(); ++round) {
        const size_t which = size_t(t + round) % lengths.size();
        const int64_t n = lengths[which];
        mirt_tensor_desc x = in_desc, y = out_desc;
        x.dims[1] = y.dims[1] = n;
        std::vector<float> out(size_t(2 * n), -1.f);
        const void* in_ptr = signals[which].data();
        void* out_ptr = out.data();
        mirt_kernel_io io{};
        io.struct_size = sizeof(io);
        io.num_inputs = 1;
        io.inputs = &x;
        io.input_data = &in_ptr;
        io.num_outputs = 1;
        io.outputs = &y;
        io.output_data = &out_ptr;
        if (free_status(vt.kernel_execute(kernel, &io), &errors[size_t(t)]) != MIRT_STATUS_OK) return;
        for (size_t i = 0; i < out.size(); ++i) {
          const double want = wants[which][i];
          worst[size_t(t)] = std::max(worst[size_t(t)], std::fabs(double(out[i]) - want) / std::max(1.0, std::fabs(want)));
        }
      }
    });
  for (std::thread& th : pool) th.join();
  vt.kernel_destroy(kernel);
  for (int t = 0; t < k_threads; ++t) {
    CAPTURE(t);
    CHECK(errors[size_t(t)] == "");
    CHECK(worst[size_t(t)] <= 1e-4);  // float butterflies, as the single-thread test above
  }
}

}  // TEST_SUITE
