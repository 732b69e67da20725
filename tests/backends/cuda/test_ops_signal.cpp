// tests/backends/cuda/test_ops_signal.cpp — DFT and STFT (cuFFT) against the cpu backend:
// forward and inverse, complex and real signals, onesided, the inverse onesided DFT to a real
// signal, dft_length shorter and longer than the axis, other axes, computed scalar inputs, and
// STFT with a window, a frame_length alone or both, onesided and full. Tolerances relative to
// max(1, |cpu|): float32 1e-4 (both compute in float32, by different FFTs), float64 1e-9 (the cpu
// backend sums directly in double), float16 2e-3 and bfloat16 1.6e-2 (one rounding of the output;
// the inputs are rounded the same for both). Each case skips itself when the machine has no GPU.
#include <doctest/doctest.h>

#include "tests/backends/cuda/harness.hpp"
#include "tests/backends/cuda/typed_compare.hpp"

using namespace cuda_test;

namespace {
constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16, F64 = MIRT_DTYPE_FLOAT64;

// A DFT node: dft_length and axis constant unless `computed` (then read back from the device);
// a negative dft_length omits it.
op_call dft(tensor_data x, int64_t dft_length, int64_t axis, shape_t out, bool inverse, bool onesided, bool computed = false) {
  op_call call{"DFT", {std::move(x), dft_length < 0 ? omitted() : i64({}, {dft_length}, !computed), i64({}, {axis}, !computed)},
               {{F32, std::move(out)}}};
  call.attrs = {attr_i("inverse", inverse), attr_i("onesided", onesided)};
  return call;
}

void compare_all_dtypes(const op_call& call) {
  compare_with_cpu(call);
  compare_typed(call, F64, 1e-9);
  compare_typed(call, F16, 2e-3);
  compare_typed(call, BF16, 1.6e-2);
}
}  // namespace

TEST_SUITE("cuda") {

TEST_CASE("DFT forward and inverse of complex and real signals along any axis matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // x [3, 8, 5, parts]: the signal axis 1 (8 entries, between two others) or 2 (5: a prime length).
  for (int64_t parts : {2, 1})
    for (int64_t inverse : {0, 1}) {
      CAPTURE(parts);
      CAPTURE(inverse);
      compare_all_dtypes(dft(rand_f32({3, 8, 5, parts}, 11), -1, 1, {3, 8, 5, 2}, inverse, false));
      compare_all_dtypes(dft(rand_f32({3, 8, 5, parts}, 12), -1, -2, {3, 8, 5, 2}, inverse, false));
      compare_all_dtypes(dft(rand_f32({3, 8, 5, parts}, 13), -1, 0, {3, 8, 5, 2}, inverse, false));
    }
  // Axis omitted: -2, the last signal axis.
  op_call no_axis{"DFT", {rand_f32({4, 12, 2}, 14)}, {{F32, {4, 12, 2}}}};
  compare_with_cpu(no_axis);
}

TEST_CASE("DFT with dft_length shorter and longer than the axis (truncated, zero-padded) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  for (int64_t n : {5, 12, 97})
    for (int64_t inverse : {0, 1}) {
      CAPTURE(n);
      CAPTURE(inverse);
      compare_all_dtypes(dft(rand_f32({2, 8, 3, 2}, 21), n, 1, {2, n, 3, 2}, inverse, false));
    }
  // A long line through cuFFT's mixed radices (2^4 3^2 5) and a long prime (Bluestein on cuFFT).
  compare_with_cpu(dft(rand_f32({2, 720, 1}, 22), -1, 1, {2, 720, 2}, false, false));
  compare_with_cpu(dft(rand_f32({1, 1009, 2}, 23), -1, 1, {1, 1009, 2}, true, false));
}

TEST_CASE("onesided DFT of a real signal and the inverse onesided DFT back to a real signal match the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // Forward onesided: n / 2 + 1 bins, for even and odd lengths (and a padded one).
  compare_all_dtypes(dft(rand_f32({3, 10, 1}, 31), -1, 1, {3, 6, 2}, false, true));
  compare_all_dtypes(dft(rand_f32({3, 9, 1}, 32), -1, 1, {3, 5, 2}, false, true));
  compare_all_dtypes(dft(rand_f32({3, 9, 1}, 33), 16, 1, {3, 9, 2}, false, true));
  // Inverse onesided: a half spectrum of 6 bins to 10 real samples (the default), 11 (odd), 7 (truncated).
  compare_all_dtypes(dft(rand_f32({3, 6, 2}, 34), -1, 1, {3, 10, 1}, true, true));
  compare_all_dtypes(dft(rand_f32({3, 6, 2}, 35), 11, 1, {3, 11, 1}, true, true));
  compare_all_dtypes(dft(rand_f32({6, 4, 2}, 36), 7, 0, {7, 4, 1}, true, true));
}

TEST_CASE("DFT with a computed dft_length and axis (read back from the device) matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  compare_with_cpu(dft(rand_f32({2, 8, 3, 2}, 41), 12, 1, {2, 12, 3, 2}, false, false, true));
  compare_with_cpu(dft(rand_f32({2, 8, 3, 2}, 42), 6, 2, {2, 8, 6, 2}, true, false, true));
  compare_typed(dft(rand_f32({2, 6, 2}, 43), 9, 1, {2, 9, 1}, true, true, true), F64, 1e-9);
  // Two computed lengths of one input shape.
  for (int64_t n : {16, 24}) {
    CAPTURE(n);
    compare_with_cpu(dft(rand_f32({4, 16, 1}, 44), n, 1, {4, n / 2 + 1, 2}, false, true, true));
  }
}

TEST_CASE("a DFT whose output shape does not match its dft_length is refused with the expected shape") {
  CUDA_TEST_REQUIRE_GPU();
  const op_result r = run_cuda(dft(rand_f32({2, 8, 2}, 51), 6, 1, {2, 8, 2}, false, false, true));
  CHECK(r.code == MIRT_STATUS_INVALID_SHAPE);
  CHECK(r.message.find("[2,6,2]") != std::string::npos);
}

TEST_CASE("STFT with a window, with frame_length only, onesided and full, real and complex, matches the cpu backend") {
  CUDA_TEST_REQUIRE_GPU();
  // x [2, 64, parts], frames of 16 every 6 samples: (64 - 16) / 6 + 1 = 9 frames.
  const tensor_data window = rand_f32({16}, 61, 0, 1);
  for (int64_t parts : {1, 2})
    for (int64_t onesided : {1, 0}) {
      if (parts == 2 && onesided) continue;  // a complex signal has no onesided STFT (shape inference refuses it)
      CAPTURE(parts);
      CAPTURE(onesided);
      const int64_t bins = onesided ? 9 : 16;
      const shape_t out{2, 9, bins, 2};
      const std::vector<attr> flags = {attr_i("onesided", onesided)};
      // Window only; frame_length only (a rectangular window); both; frame_step computed.
      compare_all_dtypes({"STFT", {rand_f32({2, 64, parts}, 62), i64({}, {6}, true), window}, {{F32, out}}, flags});
      compare_all_dtypes({"STFT", {rand_f32({2, 64, parts}, 63), i64({}, {6}, true), omitted(), i64({}, {16}, true)}, {{F32, out}}, flags});
      compare_with_cpu({"STFT", {rand_f32({2, 64, parts}, 64), i64({}, {6}), window, i64({}, {16})}, {{F32, out}}, flags});
    }
  // An odd frame (15 samples: 8 onesided bins) that leaves a tail unused: (50 - 15) / 7 + 1 = 6 frames.
  compare_all_dtypes({"STFT", {rand_f32({3, 50, 1}, 65), i64({}, {7}, true), rand_f32({15}, 66, 0, 1)}, {{F32, {3, 6, 8, 2}}}});
}

TEST_CASE("STFT with a frame_length that differs from the window's is refused naming both") {
  CUDA_TEST_REQUIRE_GPU();
  const op_result r = run_cuda({"STFT", {rand_f32({1, 64, 1}, 71), i64({}, {8}), rand_f32({16}, 72), i64({}, {12})}, {{F32, {1, 7, 9, 2}}}});
  CHECK(r.code == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(r.message.find("frame_length is 12") != std::string::npos);
}

}  // TEST_SUITE
