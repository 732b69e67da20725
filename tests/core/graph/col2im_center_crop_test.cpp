// tests/core/graph/col2im_center_crop_test.cpp — inference of Col2Im and CenterCropPad: output
// extents from known image_shape/block_shape/shape values, and the errors for inconsistent ones.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Col2Im: [N, C * prod(block), L] -> [N, C, *image_shape], L checked against the blocks") {
  auto r = infer("Col2Im", {f32("n,10,12"), i64_values({3, 4, 5}), i64_values({1, 1, 5})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "n,2,3,4,5"));
  auto strided = infer("Col2Im", {f32("1,9,4"), i64_values({5, 5}), i64_values({3, 3})}, {attr_ints("strides", {2, 2})});
  REQUIRE_INFERRED(strided);
  CHECK(strided.shape() == "1x1x5x5");
  auto unknown = infer("Col2Im", {f32("1,9,4"), typed(MIRT_DTYPE_INT64, "2"), typed(MIRT_DTYPE_INT64, "2")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "1x?x?x?");
  auto columns = infer("Col2Im", {f32("1,9,5"), i64_values({5, 5}), i64_values({3, 3})}, {attr_ints("strides", {2, 2})});
  CHECK_FAILS_WITH(columns, MIRT_STATUS_INVALID_SHAPE, "has 5 columns, the image and block shapes give 4 blocks");
  auto rows = infer("Col2Im", {f32("1,10,4"), i64_values({5, 5}), i64_values({3, 3})});
  CHECK_FAILS_WITH(rows, MIRT_STATUS_INVALID_SHAPE, "not a multiple of prod(block_shape) = 9");
  auto counts = infer("Col2Im", {f32("1,9,4"), i64_values({5, 5, 5}), i64_values({3, 3})});
  CHECK_FAILS_WITH(counts, MIRT_STATUS_INVALID_SHAPE, "image_shape has 3 entries, block_shape 2");
  auto pads = infer("Col2Im", {f32("1,9,4"), i64_values({5, 5}), i64_values({3, 3})}, {attr_ints("pads", {1, 1})});
  CHECK_FAILS_WITH(pads, MIRT_STATUS_INVALID_SHAPE, "attribute 'pads'");
}

TEST_CASE("CenterCropPad sets the listed axes (negative ones too) to the shape's values") {
  auto all = infer("CenterCropPad", {f32("20,8,3"), i64_values({10, 10, 3})});
  REQUIRE_INFERRED(all);
  CHECK(all.shape() == "10x10x3");
  auto hwc = infer("CenterCropPad", {f32("b,20,8,3"), i64_values({10, 9})}, {attr_ints("axes", {-3, -2})});
  REQUIRE_INFERRED(hwc);
  CHECK(same_dims(hwc.out().shape, "b,10,9,3"));
  auto unknown = infer("CenterCropPad", {f32("20,8,3"), typed(MIRT_DTYPE_INT64, "2")}, {attr_ints("axes", {0, 1})});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?x?x3");
  auto count = infer("CenterCropPad", {f32("20,8,3"), i64_values({10, 9})});
  CHECK_FAILS_WITH(count, MIRT_STATUS_INVALID_SHAPE, "has 2 entries for 3 axes");
  auto axis = infer("CenterCropPad", {f32("20,8,3"), i64_values({10})}, {attr_ints("axes", {3})});
  CHECK_FALSE(axis.ok());
}

}  // TEST_SUITE
