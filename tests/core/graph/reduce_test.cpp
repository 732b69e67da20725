// tests/core/graph/reduce_test.cpp — inference of the Reduce* ops and ArgMax/ArgMin.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("ReduceMean keeps reduced dims as 1 by default and drops them with keepdims 0") {
  auto keep = infer("ReduceMean", {f32("batch,seq,768"), i64_values({-1})});
  REQUIRE_INFERRED(keep);
  CHECK(same_dims(keep.out().shape, "batch,seq,1"));
  auto drop = infer("ReduceMean", {f32("batch,3,8,8"), i64_values({2, 3})}, {attr_int("keepdims", 0)});
  REQUIRE_INFERRED(drop);
  CHECK(same_dims(drop.out().shape, "batch,3"));
}

TEST_CASE("every Reduce op reduces all dims without axes, unless noop_with_empty_axes is set") {
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                         "ReduceSumSquare", "ReduceLogSumExp"}) {
    CAPTURE(op);
    auto all = infer(op, {f32("2,3,4")}, {attr_int("keepdims", 0)});
    REQUIRE_INFERRED(all);
    CHECK(all.shape() == "scalar");
  }
  auto noop = infer("ReduceSum", {f32("2,3"), i64_values({})}, {attr_int("noop_with_empty_axes", 1)});
  REQUIRE_INFERRED(noop);
  CHECK(noop.shape() == "2x3");
}

TEST_CASE("Reduce with unknown axes keeps the rank when keepdims is set and needs their count otherwise") {
  auto keep = infer("ReduceSum", {f32("2,3,4"), typed(MIRT_DTYPE_INT64, "?")});
  REQUIRE_INFERRED(keep);
  CHECK(keep.shape() == "?x?x?");
  auto counted = infer("ReduceSum", {f32("2,3,4"), typed(MIRT_DTYPE_INT64, "2")}, {attr_int("keepdims", 0)});
  REQUIRE_INFERRED(counted);
  CHECK(counted.shape() == "?");
  auto fail = infer("ReduceMax", {f32("2,3,4"), typed(MIRT_DTYPE_INT64, "n")}, {attr_int("keepdims", 0)}, 1, "rmax");
  CHECK_FAILS_WITH(fail, MIRT_STATUS_UNSUPPORTED, "ReduceMax 'rmax': input 1 (axes) must be a constant");
}

TEST_CASE("Reduce reports an axis out of range") {
  auto r = infer("ReduceL2", {f32("2,3"), i64_values({2})});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "input 1 (axes) holds axis 2, out of range for rank 2");
}

TEST_CASE("ReduceProd folds known values into the element count") {
  auto r = infer("ReduceProd", {i64_values({2, 3, 4})}, {attr_int("keepdims", 0)});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{24});
  auto kept = infer("ReduceProd", {i64_values({2, 3, 4})});
  CHECK(kept.shape() == "1");
  CHECK(*kept.out().values == std::vector<int64_t>{24});
  CHECK_FALSE(infer("ReduceMean", {i64_values({2, 4})}).out().values);
}

TEST_CASE("ArgMax gives int64 with the axis kept as 1 or dropped") {
  auto r = infer("ArgMax", {f32("batch,seq,vocab")}, {attr_int("axis", -1)});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_INT64);
  CHECK(same_dims(r.out().shape, "batch,seq,1"));
  auto drop = infer("ArgMin", {f32("4,5")}, {attr_int("axis", 0), attr_int("keepdims", 0)});
  REQUIRE_INFERRED(drop);
  CHECK(drop.shape() == "5");
  auto bad = infer("ArgMax", {f32("4,5")}, {attr_int("axis", 5)}, 1, "am");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "ArgMax 'am': axis 5 is out of range for rank 2");
}

}  // TEST_SUITE
