// tests/core/graph/slicing_test.cpp — inference of Concat, Split, Slice, Pad, Gather and GatherElements.
#include <limits>

#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Concat sums the axis and merges the other dims") {
  auto r = infer("Concat", {f32("batch,3,?"), f32("?,5,8")}, {attr_int("axis", 1)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,8,8"));
  auto values = infer("Concat", {i64_values({2}), i64_values({-1, 4})}, {attr_int("axis", 0)});
  REQUIRE_INFERRED(values);
  CHECK(*values.out().values == std::vector<int64_t>{2, -1, 4});
}

TEST_CASE("Concat reports a mismatch off the axis and a rank mismatch") {
  auto dims_off = infer("Concat", {f32("2,3"), f32("4,3")}, {attr_int("axis", 1)}, 1, "cat");
  CHECK_FAILS_WITH(dims_off, MIRT_STATUS_INVALID_SHAPE, "Concat 'cat': input 1 has 4 at dim 0, expected 2");
  auto rank = infer("Concat", {f32("2,3"), f32("3")}, {attr_int("axis", 0)});
  CHECK_FAILS_WITH(rank, MIRT_STATUS_INVALID_SHAPE, "input 1 has rank 1, expected 2");
  auto missing_axis = infer("Concat", {f32("2,3"), f32("2,3")});
  CHECK_FAILS_WITH(missing_axis, MIRT_STATUS_INVALID_GRAPH, "missing required attribute 'axis'");
}

TEST_CASE("Split takes sizes from the split input") {
  auto r = infer("Split", {f32("batch,10"), i64_values({3, 7})}, {attr_int("axis", 1)}, 2);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "batch,3"));
  CHECK(same_dims(r.out(1).shape, "batch,7"));
  auto bad = infer("Split", {f32("2,10"), i64_values({3, 6})}, {attr_int("axis", 1)}, 2);
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 (split) 3x6 sums to 9, expected 10");
}

TEST_CASE("Split without sizes splits evenly, or by num_outputs with a smaller last chunk") {
  auto even = infer("Split", {f32("6,4")}, {}, 3);
  REQUIRE_INFERRED(even);
  CHECK(even.shape(2) == "2x4");
  auto chunks = infer("Split", {f32("7")}, {attr_int("num_outputs", 3)}, 3);
  REQUIRE_INFERRED(chunks);
  CHECK(chunks.shape(0) == "3");
  CHECK(chunks.shape(2) == "1");
  auto uneven = infer("Split", {f32("7")}, {}, 3);
  CHECK_FAILS_WITH(uneven, MIRT_STATUS_INVALID_SHAPE, "do not split evenly into 3 outputs");
  auto count = infer("Split", {f32("8")}, {attr_int("num_outputs", 4)}, 2);
  CHECK_FAILS_WITH(count, MIRT_STATUS_INVALID_GRAPH, "attribute 'num_outputs' is 4, but the layer has 2 outputs");
}

TEST_CASE("Split carries known 1-D values into each output") {
  auto r = infer("Split", {i64_values({1, 2, 3, 4})}, {}, 2);
  REQUIRE_INFERRED(r);
  CHECK(*r.out(1).values == std::vector<int64_t>{3, 4});
}

TEST_CASE("Slice clamps starts and ends and honours negative steps") {
  const int64_t big = std::numeric_limits<int64_t>::max();
  auto r = infer("Slice", {f32("batch,10,20"), i64_values({1, -5}), i64_values({big, big}), i64_values({1, 2})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,9,5"));
  auto stepped = infer("Slice", {f32("10"), i64_values({-1}), i64_values({std::numeric_limits<int64_t>::min()}),
                                 i64_values({0}), i64_values({-3})});
  REQUIRE_INFERRED(stepped);
  CHECK(stepped.shape() == "4");
  auto whole = infer("Slice", {f32("batch,4"), i64_values({0}), i64_values({big}), i64_values({0})});
  REQUIRE_INFERRED(whole);
  CHECK(same_dims(whole.out().shape, "batch,4"));
}

TEST_CASE("Slice with unknown starts leaves the sliced axes unknown and keeps the others") {
  auto r = infer("Slice", {f32("batch,10,20"), typed(MIRT_DTYPE_INT64, "1"), i64_values({5}), i64_values({2})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,10,?"));
  auto zero = infer("Slice", {f32("4"), i64_values({0}), i64_values({4}), i64_values({0}), i64_values({0})});
  CHECK_FAILS_WITH(zero, MIRT_STATUS_INVALID_SHAPE, "input 4 (steps) has a 0 step");
  auto lengths = infer("Slice", {f32("4,4"), i64_values({0, 0}), i64_values({4})});
  CHECK_FAILS_WITH(lengths, MIRT_STATUS_INVALID_SHAPE, "input 2 (ends) has 1 entries, expected 2");
}

TEST_CASE("Slice slices known 1-D values") {
  auto r = infer("Slice", {i64_values({2, 3, 4, 5}), i64_values({1}), i64_values({-1})});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{3, 4});
  auto reversed = infer("Slice", {i64_values({2, 3, 4}), i64_values({-1}), i64_values({-100}), i64_values({0}),
                                  i64_values({-1})});
  CHECK(*reversed.out().values == std::vector<int64_t>{4, 3, 2});
}

TEST_CASE("Pad adds begin and end pads, accepts negative pads and names a wrong pads length") {
  auto r = infer("Pad", {f32("batch,3,8,8"), i64_values({0, 0, 1, 2, 0, 0, 1, -2})});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,3,10,8"));
  auto axes = infer("Pad", {f32("2,3,8"), i64_values({1, 1}), omitted(), i64_values({-1})}, {attr_string("mode", "reflect")});
  REQUIRE_INFERRED(axes);
  CHECK(axes.shape() == "2x3x10");
  auto bad = infer("Pad", {f32("2,3"), i64_values({1, 1})}, {}, 1, "pad0");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "Pad 'pad0': input 1 (pads) has 2 entries, expected 4");
  auto mode = infer("Pad", {f32("2,3"), i64_values({0, 0, 0, 0})}, {attr_string("mode", "mirror")});
  CHECK_FAILS_WITH(mode, MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is 'mirror'");
}

TEST_CASE("Pad with unknown pads keeps the rank with unknown dims") {
  auto r = infer("Pad", {f32("2,3"), typed(MIRT_DTYPE_INT64, "4")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "?x?");
}

TEST_CASE("Gather puts the indices' shape in place of the axis") {
  auto r = infer("Gather", {f32("vocab,768"), typed(MIRT_DTYPE_INT64, "batch,seq")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,seq,768"));
  auto axis1 = infer("Gather", {f32("2,5,7"), i64_scalar(-1)}, {attr_int("axis", 1)});
  REQUIRE_INFERRED(axis1);
  CHECK(axis1.shape() == "2x7");
}

TEST_CASE("Gather picks known values and reports an index out of range") {
  auto r = infer("Gather", {i64_values({8, 3, 224, 224}), i64_values({0, -1})});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{8, 224});
  auto bad = infer("Gather", {i64_values({8, 3}), i64_scalar(2)}, {}, 1, "pick");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "Gather 'pick': input 1 (indices) holds 2, out of range for axis 0 of extent 2");
  auto dtype = infer("Gather", {f32("4"), f32("1")});
  CHECK_FAILS_WITH(dtype, MIRT_STATUS_INVALID_GRAPH, "input 1 (indices) is float32, expected int64");
}

TEST_CASE("GatherElements takes the indices' shape and needs equal ranks") {
  auto r = infer("GatherElements", {f32("batch,5"), typed(MIRT_DTYPE_INT64, "batch,2")}, {attr_int("axis", 1)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,2"));
  auto bad = infer("GatherElements", {f32("3,5"), typed(MIRT_DTYPE_INT64, "3")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 (indices) has rank 1, expected 2");
}

}  // TEST_SUITE
