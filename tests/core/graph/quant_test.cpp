// tests/core/graph/quant_test.cpp — inference of the quantization ops: output types (zero point,
// output_dtype), and errors naming the op, the layer and the bad tensor or attribute.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("QuantizeLinear takes its type from the zero point, else output_dtype, else uint8") {
  auto from_zp = infer("QuantizeLinear", {f32("2,3"), f32(""), typed(MIRT_DTYPE_INT8, "")});
  REQUIRE_INFERRED(from_zp);
  CHECK(from_zp.out().dtype == MIRT_DTYPE_INT8);
  auto from_attr = infer("QuantizeLinear", {f32("2,3"), f32("")}, {attr_int("output_dtype", 3)});
  REQUIRE_INFERRED(from_attr);
  CHECK(from_attr.out().dtype == MIRT_DTYPE_INT8);
  auto fallback = infer("QuantizeLinear", {f32("2,3"), f32("")});
  REQUIRE_INFERRED(fallback);
  CHECK(fallback.out().dtype == MIRT_DTYPE_UINT8);
  auto clash = infer("QuantizeLinear", {f32("2,3"), f32(""), typed(MIRT_DTYPE_UINT8, "")}, {attr_int("output_dtype", 3)});
  CHECK_FAILS_WITH(clash, MIRT_STATUS_INVALID_GRAPH, "input 2 (y_zero_point) is uint8");
  auto int4 = infer("QuantizeLinear", {f32("2,3"), f32("")}, {attr_int("output_dtype", 22)});
  CHECK_FAILS_WITH(int4, MIRT_STATUS_UNSUPPORTED, "'output_dtype' is ONNX type 22");
}

TEST_CASE("QuantizeLinear checks per-axis and blocked scale shapes against the axis") {
  auto per_axis = infer("QuantizeLinear", {f32("2,3,4"), f32("3"), typed(MIRT_DTYPE_UINT8, "3")}, {attr_int("axis", -2)});
  REQUIRE_INFERRED(per_axis);
  auto wrong = infer("QuantizeLinear", {f32("2,3,4"), f32("4")}, {attr_int("axis", 1)}, 1, "q1");
  CHECK_FAILS_WITH(wrong, MIRT_STATUS_INVALID_SHAPE, "QuantizeLinear 'q1': input 1 (y_scale) has 4 elements, expected 3");
  auto axis = infer("QuantizeLinear", {f32("2,3,4"), f32("3")}, {attr_int("axis", 5)});
  CHECK_FALSE(axis.ok());
  CHECK(axis.message().find("axis") != std::string::npos);
  auto zp = infer("QuantizeLinear", {f32("2,3,4"), f32("3"), typed(MIRT_DTYPE_UINT8, "2")});
  CHECK_FAILS_WITH(zp, MIRT_STATUS_INVALID_SHAPE, "input 2 (y_zero_point) has shape");
  auto blocked = infer("QuantizeLinear", {f32("2,5,4"), f32("2,3,4")}, {attr_int("axis", 1), attr_int("block_size", 2)});
  REQUIRE_INFERRED(blocked);
  auto bad_block = infer("QuantizeLinear", {f32("2,5,4"), f32("2,2,4")}, {attr_int("axis", 1), attr_int("block_size", 2)});
  CHECK_FAILS_WITH(bad_block, MIRT_STATUS_INVALID_SHAPE, "has 2 blocks along axis 1, expected 3");
}

TEST_CASE("DequantizeLinear outputs the scale's type or output_dtype, and wants a matching zero point") {
  auto half = infer("DequantizeLinear", {typed(MIRT_DTYPE_INT8, "4"), typed(MIRT_DTYPE_FLOAT16, "")});
  REQUIRE_INFERRED(half);
  CHECK(half.out().dtype == MIRT_DTYPE_FLOAT16);
  auto attr = infer("DequantizeLinear", {typed(MIRT_DTYPE_UINT8, "4"), f32("")}, {attr_int("output_dtype", 16)});
  REQUIRE_INFERRED(attr);
  CHECK(attr.out().dtype == MIRT_DTYPE_BFLOAT16);
  auto mixed = infer("DequantizeLinear", {typed(MIRT_DTYPE_UINT8, "4"), f32(""), typed(MIRT_DTYPE_INT8, "")});
  CHECK_FAILS_WITH(mixed, MIRT_STATUS_INVALID_GRAPH, "input 2 (x_zero_point) is int8");
  auto floats = infer("DequantizeLinear", {f32("4"), f32("")});
  CHECK_FAILS_WITH(floats, MIRT_STATUS_INVALID_GRAPH, "input 0 is float32");
}

TEST_CASE("DynamicQuantizeLinear gives uint8 data, a float scale and a uint8 zero point") {
  auto r = infer("DynamicQuantizeLinear", {f32("2,batch")}, {}, 3);
  REQUIRE_INFERRED(r);
  CHECK(r.out(0).dtype == MIRT_DTYPE_UINT8);
  CHECK(same_dims(r.out(0).shape, "2,batch"));
  CHECK(r.out(1).dtype == MIRT_DTYPE_FLOAT32);
  CHECK(r.out(1).shape.empty());
  CHECK(r.out(2).dtype == MIRT_DTYPE_UINT8);
}

}  // TEST_SUITE
