// tests/core/graph/signal_test.cpp — inference of DFT, STFT, the windows and MelWeightMatrix: output
// extents from known integer scalars (dft_length, frame_step, sizes), unknown ones otherwise.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("DFT: full, onesided and inverse onesided lengths along the axis; dft_length overrides") {
  auto full = infer("DFT", {f32("b,10,7,1"), omitted(), i64_scalar(1)});
  REQUIRE_INFERRED(full);
  CHECK(same_dims(full.out().shape, "b,10,7,2"));
  auto rfft = infer("DFT", {f32("b,10,7,1"), omitted(), i64_scalar(-2)}, {attr_int("onesided", 1)});
  REQUIRE_INFERRED(rfft);
  CHECK(same_dims(rfft.out().shape, "b,10,4,2"));
  auto irfft = infer("DFT", {f32("1,6,3,2"), omitted(), i64_scalar(1)}, {attr_int("onesided", 1), attr_int("inverse", 1)});
  REQUIRE_INFERRED(irfft);
  CHECK(irfft.shape() == "1x10x3x1");
  auto padded = infer("DFT", {f32("2,10,2"), i64_scalar(16)});  // default axis -2
  REQUIRE_INFERRED(padded);
  CHECK(padded.shape() == "2x16x2");
  auto unknown_length = infer("DFT", {f32("2,10,2"), typed(MIRT_DTYPE_INT64, "")});
  REQUIRE_INFERRED(unknown_length);
  CHECK(unknown_length.shape() == "2x?x2");
}

TEST_CASE("DFT refuses the last axis, a bad last dim and a onesided complex input") {
  auto axis = infer("DFT", {f32("2,10,1"), omitted(), i64_scalar(2)});
  CHECK_FAILS_WITH(axis, MIRT_STATUS_INVALID_SHAPE, "axis 2 is out of range");
  auto parts = infer("DFT", {f32("2,10,3")});
  CHECK_FAILS_WITH(parts, MIRT_STATUS_INVALID_SHAPE, "its last dim is 3, expected 1 (real) or 2 (complex)");
  auto complex = infer("DFT", {f32("2,10,2")}, {attr_int("onesided", 1)});
  CHECK_FAILS_WITH(complex, MIRT_STATUS_INVALID_SHAPE, "onesided is set for a complex input");
  auto length = infer("DFT", {f32("2,10,2"), i64_scalar(0)});
  CHECK_FAILS_WITH(length, MIRT_STATUS_INVALID_SHAPE, "dft_length) is 0");
}

TEST_CASE("STFT frames the signal by frame_step and the window's length") {
  auto r = infer("STFT", {f32("b,128,1"), i64_scalar(8), f32("16")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "b,15,9,2"));
  auto full = infer("STFT", {f32("1,100,2"), i64_scalar(10), omitted(), i64_scalar(20)}, {attr_int("onesided", 0)});
  REQUIRE_INFERRED(full);
  CHECK(full.shape() == "1x9x20x2");
  auto mismatch = infer("STFT", {f32("1,100,1"), i64_scalar(10), f32("16"), i64_scalar(20)});
  CHECK_FAILS_WITH(mismatch, MIRT_STATUS_INVALID_SHAPE, "frame_length) is 20, the window has 16 entries");
  auto neither = infer("STFT", {f32("1,100,1"), i64_scalar(10)});
  CHECK_FAILS_WITH(neither, MIRT_STATUS_INVALID_SHAPE, "neither a window");
  auto longer = infer("STFT", {f32("1,10,1"), i64_scalar(1), f32("16")});
  CHECK_FAILS_WITH(longer, MIRT_STATUS_INVALID_SHAPE, "longer than the signal");
}

TEST_CASE("windows and MelWeightMatrix take their extents from integer inputs and their dtype from output_datatype") {
  auto hann = infer("HannWindow", {i64_scalar(10)}, {attr_int("output_datatype", 11)});
  REQUIRE_INFERRED(hann);
  CHECK(hann.shape() == "10");
  CHECK(hann.out().dtype == MIRT_DTYPE_FLOAT64);
  auto unknown = infer("BlackmanWindow", {typed(MIRT_DTYPE_INT32, "")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?");
  auto bad_type = infer("HammingWindow", {i64_scalar(4)}, {attr_int("output_datatype", 8)});
  CHECK_FAILS_WITH(bad_type, MIRT_STATUS_UNSUPPORTED, "output_datatype' is 8");
  auto mel = infer("MelWeightMatrix", {i64_scalar(8), i64_scalar(16), i64_scalar(8192), f32(""), f32("")});
  REQUIRE_INFERRED(mel);
  CHECK(mel.shape() == "9x8");
  auto negative = infer("HannWindow", {i64_scalar(-1)});
  CHECK_FAILS_WITH(negative, MIRT_STATUS_INVALID_SHAPE, "size) is -1");
}

}  // TEST_SUITE
