// tests/core/graph/layout_test.cpp — inference of Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Reshape copies dims for 0 and solves -1") {
  auto r = infer("Reshape", {f32("batch,3,4,5"), i64_values({0, -1})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,60"));
  auto known = infer("Reshape", {f32("2,3,4"), i64_values({-1, 4})});
  REQUIRE_INFERRED(known);
  CHECK(known.shape() == "6x4");
}

TEST_CASE("Reshape cancels matching symbols when solving -1") {
  auto r = infer("Reshape", {f32("batch,seq,768"), i64_values({0, 0, 12, -1})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,seq,12,64"));
  auto unknown = infer("Reshape", {f32("batch,seq,768"), i64_values({-1, 768})});
  REQUIRE_INFERRED(unknown);
  CHECK(same_dims(unknown.out().shape, "?,768"));
}

TEST_CASE("Reshape with allowzero keeps 0 as an extent") {
  auto r = infer("Reshape", {f32("0,4"), i64_values({0, 4})}, {attr_int("allowzero", 1)});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "0x4");
}

TEST_CASE("Reshape reports a different element count, two -1 and a 0 past the input rank") {
  auto count = infer("Reshape", {f32("2,3"), i64_values({4, 2})}, {}, 1, "flat");
  CHECK_FAILS_WITH(count, MIRT_STATUS_INVALID_SHAPE, "Reshape 'flat': cannot reshape 2x3 (6 elements) into 4x2 (8 elements)");
  auto twice = infer("Reshape", {f32("2,3"), i64_values({-1, -1})});
  CHECK_FAILS_WITH(twice, MIRT_STATUS_INVALID_SHAPE, "more than one -1");
  auto zero = infer("Reshape", {f32("6"), i64_values({2, 0})});
  CHECK_FAILS_WITH(zero, MIRT_STATUS_INVALID_SHAPE, "input 1 (shape) has 0 at index 1");
  auto divide = infer("Reshape", {f32("2,3"), i64_values({4, -1})});
  CHECK_FAILS_WITH(divide, MIRT_STATUS_INVALID_SHAPE, "do not divide");
}

TEST_CASE("Reshape with an unknown shape of known length gives unknown dims of that rank") {
  auto r = infer("Reshape", {f32("2,3"), typed(MIRT_DTYPE_INT64, "3")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "?x?x?");
  auto fail = infer("Reshape", {f32("2,3"), typed(MIRT_DTYPE_INT64, "n")});
  CHECK_FAILS_WITH(fail, MIRT_STATUS_UNSUPPORTED, "input 1 (shape) must be a constant");
  auto dtype = infer("Reshape", {f32("2,3"), f32("2")});
  CHECK_FAILS_WITH(dtype, MIRT_STATUS_INVALID_GRAPH, "input 1 (shape) is float32, expected int64");
}

TEST_CASE("Reshape carries known values unchanged") {
  tensor_type v{MIRT_DTYPE_INT64, shape("2,2"), true, std::vector<int64_t>{1, 2, 3, 4}};
  auto r = infer("Reshape", {v, i64_values({4})});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("Flatten multiplies the dims on each side of axis") {
  auto r = infer("Flatten", {f32("batch,512,1,1")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,512"));
  auto zero = infer("Flatten", {f32("2,3,4")}, {attr_int("axis", 0)});
  REQUIRE_INFERRED(zero);
  CHECK(zero.shape() == "1x24");
  auto neg = infer("Flatten", {f32("2,3,4")}, {attr_int("axis", -1)});
  REQUIRE_INFERRED(neg);
  CHECK(neg.shape() == "6x4");
  auto bad = infer("Flatten", {f32("2,3")}, {attr_int("axis", 3)});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "attribute 'axis' is 3, expected -2 to 2");
}

TEST_CASE("Squeeze removes the named axes or every 1") {
  auto named = infer("Squeeze", {f32("batch,1,7,1"), i64_values({-1})});
  REQUIRE_INFERRED(named);
  CHECK(same_dims(named.out().shape, "batch,1,7"));
  auto all = infer("Squeeze", {f32("1,3,1,2")});
  REQUIRE_INFERRED(all);
  CHECK(all.shape() == "3x2");
  auto scalar = infer("Squeeze", {i64_values({9})}, {});
  REQUIRE_INFERRED(scalar);
  CHECK(scalar.shape() == "scalar");
  CHECK(*scalar.out().values == std::vector<int64_t>{9});
}

TEST_CASE("Squeeze reports an axis that is not 1 and unknown dims without axes") {
  auto not_one = infer("Squeeze", {f32("2,3"), i64_values({1})}, {}, 1, "sq");
  CHECK_FAILS_WITH(not_one, MIRT_STATUS_INVALID_SHAPE, "Squeeze 'sq': input 1 (axes) names axis 1, but input 0 (2x3) has 3 there");
  auto unknown = infer("Squeeze", {f32("batch,1")});
  CHECK_FAILS_WITH(unknown, MIRT_STATUS_UNSUPPORTED, "give input 1 (axes) as a constant");
  auto range = infer("Squeeze", {f32("1,3"), i64_values({2})});
  CHECK_FAILS_WITH(range, MIRT_STATUS_INVALID_SHAPE, "input 1 (axes) holds axis 2, out of range for rank 2");
}

TEST_CASE("Unsqueeze inserts 1s at axes of the output rank") {
  auto r = infer("Unsqueeze", {f32("batch,seq"), i64_values({1, -1})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,1,seq,1"));
  auto scalar = infer("Unsqueeze", {i64_scalar(5), i64_values({0})});
  REQUIRE_INFERRED(scalar);
  CHECK(scalar.shape() == "1");
  CHECK(*scalar.out().values == std::vector<int64_t>{5});
  auto twice = infer("Unsqueeze", {f32("3"), i64_values({0, 0})});
  CHECK_FAILS_WITH(twice, MIRT_STATUS_INVALID_SHAPE, "names axis 0 twice");
}

TEST_CASE("Transpose permutes dims, reverses them by default and checks perm") {
  auto r = infer("Transpose", {f32("batch,seq,12,64")}, {attr_ints("perm", {0, 2, 1, 3})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,12,seq,64"));
  auto reversed = infer("Transpose", {f32("2,3,4")});
  REQUIRE_INFERRED(reversed);
  CHECK(reversed.shape() == "4x3x2");
  auto bad = infer("Transpose", {f32("2,3,4")}, {attr_ints("perm", {0, 0, 1})}, 1, "t");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "Transpose 't': attribute 'perm' 0x0x1 is not a permutation");
  auto length = infer("Transpose", {f32("2,3,4")}, {attr_ints("perm", {1, 0})});
  CHECK_FAILS_WITH(length, MIRT_STATUS_INVALID_SHAPE, "has 2 entries, expected 3");
}

TEST_CASE("Expand broadcasts the input with the shape values both ways") {
  auto r = infer("Expand", {f32("batch,1,4"), i64_values({3, 1})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,3,4"));
  auto bigger = infer("Expand", {f32("3,1"), i64_values({2, 1, 6})});
  REQUIRE_INFERRED(bigger);
  CHECK(bigger.shape() == "2x3x6");
  auto bad = infer("Expand", {f32("3,2"), i64_values({3, 4})});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "cannot broadcast shapes 3x2 and 3x4");
}

TEST_CASE("Expand with unknown shape values keeps only input dims that cannot change") {
  auto r = infer("Expand", {f32("1,5"), typed(MIRT_DTYPE_INT64, "3")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "?x?x5");
}

TEST_CASE("Expand broadcasts known values") {
  auto r = infer("Expand", {i64_scalar(7), i64_values({3})});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{7, 7, 7});
}

TEST_CASE("Tile multiplies each dim by its repeat count") {
  auto r = infer("Tile", {f32("batch,2,3"), i64_values({1, 2, 3})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,4,9"));
  auto bad = infer("Tile", {f32("2,3"), i64_values({2})});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 (repeats) has 1 entries, expected 2");
  auto unknown = infer("Tile", {f32("2,3"), typed(MIRT_DTYPE_INT64, "2")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?x?");
}

}  // TEST_SUITE
