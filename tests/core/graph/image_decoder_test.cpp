// tests/core/graph/image_decoder_test.cpp — inference of ImageDecoder: uint8 [?, ?, 3] (or 1 for
// Grayscale) before any data is seen, and the errors for a wrong input or pixel_format.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("ImageDecoder leaves height and width unknown, knows the channels, and refuses bad inputs") {
  auto rgb = infer("ImageDecoder", {typed(MIRT_DTYPE_UINT8, "1234")});
  REQUIRE_INFERRED(rgb);
  CHECK(rgb.out().dtype == MIRT_DTYPE_UINT8);
  CHECK(same_dims(rgb.out().shape, "?,?,3"));
  auto gray = infer("ImageDecoder", {typed(MIRT_DTYPE_UINT8, "n")}, {attr_string("pixel_format", "Grayscale")});
  REQUIRE_INFERRED(gray);
  CHECK(same_dims(gray.out().shape, "?,?,1"));

  CHECK_FAILS_WITH(infer("ImageDecoder", {f32("16")}), MIRT_STATUS_INVALID_GRAPH, "input 0 (encoded_stream) is float32, expected uint8");
  CHECK_FAILS_WITH(infer("ImageDecoder", {typed(MIRT_DTYPE_UINT8, "4,4")}), MIRT_STATUS_INVALID_SHAPE, "encoded_stream");
  CHECK_FAILS_WITH(infer("ImageDecoder", {typed(MIRT_DTYPE_UINT8, "16")}, {attr_string("pixel_format", "RGBA")}),
                   MIRT_STATUS_INVALID_GRAPH, "attribute 'pixel_format' is 'RGBA', expected RGB, BGR or Grayscale");
}

}  // TEST_SUITE
