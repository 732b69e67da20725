// tests/core/graph/shape_values_test.cpp — inference of Shape, Size, Cast, CastLike, ConstantOfShape and Range.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Shape gives int64 dims and knows their values when the dims are known") {
  auto r = infer("Shape", {f32("2,3,4")});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_INT64);
  CHECK(r.shape() == "3");
  CHECK(*r.out().values == std::vector<int64_t>{2, 3, 4});
  auto dynamic = infer("Shape", {f32("batch,3,4")});
  REQUIRE_INFERRED(dynamic);
  CHECK_FALSE(dynamic.out().values);
}

TEST_CASE("Shape honours start and end, clamping them to the rank") {
  auto r = infer("Shape", {f32("batch,3,4,5")}, {attr_int("start", 1), attr_int("end", -1)});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{3, 4});
  auto clamped = infer("Shape", {f32("2,3")}, {attr_int("start", -10), attr_int("end", 10)});
  REQUIRE_INFERRED(clamped);
  CHECK(*clamped.out().values == std::vector<int64_t>{2, 3});
  auto empty = infer("Shape", {f32("2,3")}, {attr_int("start", 2), attr_int("end", 1)});
  REQUIRE_INFERRED(empty);
  CHECK(empty.shape() == "0");
}

TEST_CASE("Size is an int64 scalar holding the element count") {
  auto r = infer("Size", {f32("2,3,4")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "scalar");
  CHECK(*r.out().values == std::vector<int64_t>{24});
}

TEST_CASE("Cast reads 'to' as an ONNX data type code and keeps integer values") {
  auto r = infer("Cast", {i64_values({3, 300})}, {attr_int("to", 6)});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_INT32);
  CHECK(*r.out().values == std::vector<int64_t>{3, 300});
  auto to_bool = infer("Cast", {i64_values({0, 2})}, {attr_int("to", 9)});
  CHECK(*to_bool.out().values == std::vector<int64_t>{0, 1});
  auto to_float = infer("Cast", {i64_values({1})}, {attr_int("to", 1)});
  CHECK(to_float.out().dtype == MIRT_DTYPE_FLOAT32);
  CHECK_FALSE(to_float.out().values);
  auto half = infer("Cast", {f32("batch")}, {attr_int("to", 10)});
  CHECK(half.out().dtype == MIRT_DTYPE_FLOAT16);
  CHECK(same_dims(half.out().shape, "batch"));
}

TEST_CASE("Cast reports a data type code mirt has no dtype for and a missing 'to'") {
  auto r = infer("Cast", {f32("2")}, {attr_int("to", 8)}, 1, "to_string");
  CHECK_FAILS_WITH(r, MIRT_STATUS_UNSUPPORTED, "Cast 'to_string': attribute 'to' is 8");
  auto missing = infer("Cast", {f32("2")});
  CHECK_FAILS_WITH(missing, MIRT_STATUS_INVALID_GRAPH, "missing required attribute 'to'");
}

TEST_CASE("CastLike takes the dtype of its second input") {
  auto r = infer("CastLike", {f32("batch,2"), typed(MIRT_DTYPE_FLOAT16, "")});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_FLOAT16);
  CHECK(same_dims(r.out().shape, "batch,2"));
}

TEST_CASE("ConstantOfShape builds its shape from the input values and its dtype from 'dtype'") {
  auto r = infer("ConstantOfShape", {i64_values({2, 3})}, {attr_float("value", 1.0f), attr_int("dtype", 7)});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_INT64);
  CHECK(r.shape() == "2x3");
  CHECK(*r.out().values == std::vector<int64_t>(6, 1));
  auto fallback = infer("ConstantOfShape", {i64_values({4})});
  REQUIRE_INFERRED(fallback);
  CHECK(fallback.out().dtype == MIRT_DTYPE_FLOAT32);
  CHECK_FALSE(fallback.out().values);
  auto unknown = infer("ConstantOfShape", {typed(MIRT_DTYPE_INT64, "2")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?x?");
}

TEST_CASE("ConstantOfShape refuses 'value' as an int attribute: the parser passes it as float") {
  auto r = infer("ConstantOfShape", {i64_values({2})}, {attr_int("value", 1)});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_GRAPH, "attribute 'value' is int, expected float");
}

TEST_CASE("Range computes its length and values from known scalars") {
  auto r = infer("Range", {i64_scalar(0), i64_scalar(10), i64_scalar(3)});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "4");
  CHECK(*r.out().values == std::vector<int64_t>{0, 3, 6, 9});
  auto down = infer("Range", {i64_scalar(5), i64_scalar(1), i64_scalar(-2)});
  CHECK(*down.out().values == std::vector<int64_t>{5, 3});
  auto empty = infer("Range", {i64_scalar(5), i64_scalar(1), i64_scalar(1)});
  CHECK(empty.shape() == "0");
  auto unknown = infer("Range", {f32(""), f32(""), f32("")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?");
}

TEST_CASE("Range reports a zero delta and a non-scalar bound") {
  auto zero = infer("Range", {i64_scalar(0), i64_scalar(4), i64_scalar(0)});
  CHECK_FAILS_WITH(zero, MIRT_STATUS_INVALID_SHAPE, "input 2 (delta) is 0");
  auto vector = infer("Range", {i64_scalar(0), i64_values({4, 5}), i64_scalar(1)});
  CHECK_FAILS_WITH(vector, MIRT_STATUS_INVALID_SHAPE, "input 1 (limit) has shape 2, expected a scalar");
}

}  // TEST_SUITE
