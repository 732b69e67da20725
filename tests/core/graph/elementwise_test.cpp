// tests/core/graph/elementwise_test.cpp — inference of broadcast binary ops, unary ops, Clip and Where.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("Add broadcasts numpy-style and keeps symbols") {
  auto r = infer("Add", {f32("batch,1,64"), f32("seq,1")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,seq,64"));
}

TEST_CASE("Mul reports shapes that do not broadcast, naming the layer") {
  auto r = infer("Mul", {f32("2,3"), f32("4,3")}, {}, 1, "scale");
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_SHAPE, "Mul 'scale': cannot broadcast shapes 2x3 and 4x3");
}

TEST_CASE("Sub reports operands of different dtypes") {
  auto r = infer("Sub", {f32("2"), typed(MIRT_DTYPE_INT64, "2")});
  CHECK_FAILS_WITH(r, MIRT_STATUS_INVALID_GRAPH, "inputs have different dtypes (float32 and int64)");
}

TEST_CASE("comparisons give bool and fold known integer values") {
  auto r = infer("Equal", {i64_values({3, -1, 5}), i64_scalar(-1)});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_BOOL);
  REQUIRE(r.out().values);
  CHECK(*r.out().values == std::vector<int64_t>{0, 1, 0});
}

TEST_CASE("integer Add, Sub, Mul and Div fold known values with broadcasting") {
  CHECK(*infer("Add", {i64_values({1, 2}), i64_scalar(10)}).out().values == std::vector<int64_t>{11, 12});
  CHECK(*infer("Sub", {i64_values({1, 2}), i64_values({1, 1})}).out().values == std::vector<int64_t>{0, 1});
  CHECK(*infer("Mul", {i64_scalar(3), i64_values({4, 5})}).out().values == std::vector<int64_t>{12, 15});
  CHECK(*infer("Div", {i64_values({12, 7}), i64_scalar(2)}).out().values == std::vector<int64_t>{6, 3});
  CHECK_FALSE(infer("Div", {i64_values({12}), i64_scalar(0)}).out().values);
}

TEST_CASE("integer Mod folds known values with the divisor's sign, or the dividend's with fmod") {
  // What exporters compute slice ends from (vit_b_16 through the TorchScript exporter: Mod(2, 3)).
  CHECK(*infer("Mod", {i64_values({2, 7, -7, 7, -7}), i64_values({3, 3, 3, -3, -3})}).out().values ==
        std::vector<int64_t>{2, 1, 2, -2, -1});
  CHECK(*infer("Mod", {i64_values({7, -7, 7}), i64_values({3, 3, -3})}, {attr_int("fmod", 1)}).out().values ==
        std::vector<int64_t>{1, -1, 1});
  CHECK_FALSE(infer("Mod", {i64_values({5}), i64_scalar(0)}).out().values);
}

TEST_CASE("float arithmetic does not invent values") {
  tensor_type a = f32("2");
  a.values = std::vector<int64_t>{1, 2};
  auto r = infer("Add", {a, a});
  REQUIRE_INFERRED(r);
  CHECK_FALSE(r.out().values);
}

TEST_CASE("Identity, Neg and Abs carry known values") {
  CHECK(*infer("Identity", {i64_values({4, 5})}).out().values == std::vector<int64_t>{4, 5});
  CHECK(*infer("Neg", {i64_values({4, -5})}).out().values == std::vector<int64_t>{-4, 5});
  CHECK(*infer("Abs", {i64_values({4, -5})}).out().values == std::vector<int64_t>{4, 5});
  CHECK_FALSE(infer("Relu", {i64_values({4, -5})}).out().values);
}

TEST_CASE("variadic Max broadcasts all inputs and reports a dtype mismatch") {
  auto r = infer("Max", {f32("4,1"), f32("1,5"), f32("5")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "4x5");
  auto bad = infer("Sum", {f32("4"), typed(MIRT_DTYPE_FLOAT16, "4")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_GRAPH, "input 1 is float16, expected float32");
}

TEST_CASE("PRelu broadcasts its slope to X only") {
  auto r = infer("PRelu", {f32("batch,16,8,8"), f32("16,1,1")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,16,8,8"));
  auto bad = infer("PRelu", {f32("1,16"), f32("2,16")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 has shape 2x16, which does not broadcast to input 0's shape 1x16");
}

TEST_CASE("Pow accepts an exponent of another dtype") {
  auto r = infer("Pow", {f32("2,3"), typed(MIRT_DTYPE_INT64, "")});
  REQUIRE_INFERRED(r);
  CHECK(r.out().dtype == MIRT_DTYPE_FLOAT32);
  CHECK(r.shape() == "2x3");
}

TEST_CASE("Clip takes optional scalar bounds and rejects a vector or empty bound") {
  auto r = infer("Clip", {f32("batch,8"), omitted(), f32("")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,8"));
  auto bad = infer("Clip", {f32("2,8"), f32("8")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 (min) has shape 8, expected a scalar");
  auto empty = infer("Clip", {f32("2,8"), omitted(), f32("0")});
  CHECK_FAILS_WITH(empty, MIRT_STATUS_INVALID_SHAPE, "input 2 (max) has shape 0, expected a scalar");
  auto one = infer("Clip", {f32("2,8"), f32("1"), f32("n")});  // one value, or unknown until run time
  REQUIRE_INFERRED(one);
}

TEST_CASE("Where broadcasts three inputs and folds known values") {
  tensor_type cond{MIRT_DTYPE_BOOL, shape("3"), true, std::vector<int64_t>{1, 0, 1}};
  auto r = infer("Where", {cond, i64_values({7, 8, 9}), i64_scalar(0)});
  REQUIRE_INFERRED(r);
  CHECK(*r.out().values == std::vector<int64_t>{7, 0, 9});
  auto bad = infer("Where", {f32("3"), f32("3"), f32("3")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_GRAPH, "input 0 (condition) is float32, expected bool");
}

}  // TEST_SUITE
