// tests/core/graph/deform_conv_test.cpp — inference of DeformConv: the output extents of a padded,
// strided window, and refusals of offsets, masks, groups and ranks that do not fit.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("DeformConv infers [N, oC, oH, oW] and names the input that does not fit") {
  const auto window = std::vector<attribute>{attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 1})};
  auto ok = infer("DeformConv", {f32("2,4,7,6"), f32("6,2,3,3"), f32("2,36,4,6")},
                  {attr_ints("pads", {1, 1, 1, 1}), attr_ints("strides", {2, 1}), attr_int("group", 2), attr_int("offset_group", 2)});
  REQUIRE_INFERRED(ok);
  CHECK(ok.shape() == "2x6x4x6");
  auto offsets = infer("DeformConv", {f32("2,4,7,6"), f32("6,4,3,3"), f32("2,16,4,6")}, window);
  CHECK_FAILS_WITH(offsets, MIRT_STATUS_INVALID_SHAPE, "input 2 (offset) has shape 2x16x4x6, expected 2x18x4x6");
  auto mask = infer("DeformConv", {f32("2,4,7,6"), f32("6,4,3,3"), f32("2,18,4,6"), omitted(), f32("2,18,4,6")}, window);
  CHECK_FAILS_WITH(mask, MIRT_STATUS_INVALID_SHAPE, "input 4 (mask) has shape 2x18x4x6, expected 2x9x4x6");
  auto groups = infer("DeformConv", {f32("2,4,7,6"), f32("6,4,3,3"), f32("2,18,4,6")}, {attr_int("group", 2)});
  CHECK_FAILS_WITH(groups, MIRT_STATUS_INVALID_SHAPE, "input 0 (X) has 4 channels, but input 1 (W) expects 8");
  auto offset_group = infer("DeformConv", {f32("2,4,7,6"), f32("6,4,3,3"), f32("2,54,5,4")}, {attr_int("offset_group", 3)});
  CHECK_FAILS_WITH(offset_group, MIRT_STATUS_INVALID_SHAPE, "not divisible by offset_group 3");
  auto rank = infer("DeformConv", {f32("2,4,7,6,5"), f32("6,4,3,3,3"), f32("2,54,5,4,3")});
  CHECK_FAILS_WITH(rank, MIRT_STATUS_INVALID_SHAPE, "mirt runs 2-D DeformConv");
  auto bias = infer("DeformConv", {f32("2,4,7,6"), f32("6,4,3,3"), f32("2,18,5,4"), f32("5")});
  CHECK_FAILS_WITH(bias, MIRT_STATUS_INVALID_SHAPE, "input 3 (B) has shape 5");
}

}  // TEST_SUITE
