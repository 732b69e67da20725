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

TEST_CASE("MatMulInteger and QLinearMatMul infer batched shapes and check zero points per row or column") {
  auto mm = infer("MatMulInteger", {typed(MIRT_DTYPE_UINT8, "batch,3,5"), typed(MIRT_DTYPE_INT8, "5,4"),
                                    typed(MIRT_DTYPE_UINT8, "3"), typed(MIRT_DTYPE_INT8, "4")});
  REQUIRE_INFERRED(mm);
  CHECK(mm.out().dtype == MIRT_DTYPE_INT32);
  CHECK(same_dims(mm.out().shape, "batch,3,4"));
  auto zp = infer("MatMulInteger", {typed(MIRT_DTYPE_UINT8, "3,5"), typed(MIRT_DTYPE_INT8, "5,4"), omitted(),
                                    typed(MIRT_DTYPE_INT8, "3")}, {}, 1, "mm");
  CHECK_FAILS_WITH(zp, MIRT_STATUS_INVALID_SHAPE, "MatMulInteger 'mm': input 3 (b_zero_point) has shape");
  auto type = infer("MatMulInteger", {typed(MIRT_DTYPE_UINT8, "3,5"), typed(MIRT_DTYPE_INT8, "5,4"),
                                      typed(MIRT_DTYPE_INT8, "")});
  CHECK_FAILS_WITH(type, MIRT_STATUS_INVALID_GRAPH, "input 2 (a_zero_point) is int8");
  auto q = infer("QLinearMatMul", {typed(MIRT_DTYPE_INT8, "2,3"), f32(""), typed(MIRT_DTYPE_INT8, ""),
                                   typed(MIRT_DTYPE_INT8, "3,6"), f32("6"), typed(MIRT_DTYPE_INT8, "6"), f32(""),
                                   typed(MIRT_DTYPE_UINT8, "")});
  REQUIRE_INFERRED(q);
  CHECK(q.out().dtype == MIRT_DTYPE_UINT8);
  CHECK(q.shape() == "2x6");
  auto y_scale = infer("QLinearMatMul", {typed(MIRT_DTYPE_INT8, "2,3"), f32(""), typed(MIRT_DTYPE_INT8, ""),
                                         typed(MIRT_DTYPE_INT8, "3,6"), f32(""), typed(MIRT_DTYPE_INT8, ""), f32("2"),
                                         typed(MIRT_DTYPE_UINT8, "")});
  CHECK_FAILS_WITH(y_scale, MIRT_STATUS_INVALID_SHAPE, "input 6 (y_scale)");
}

TEST_CASE("ConvInteger and QLinearConv infer Conv's shape and check zero points, scales and bias") {
  auto conv = infer("ConvInteger", {typed(MIRT_DTYPE_UINT8, "1,4,7,6"), typed(MIRT_DTYPE_INT8, "6,2,3,2")},
                    {attr_int("group", 2), attr_ints("strides", {2, 2}), attr_string("auto_pad", "SAME_UPPER")});
  REQUIRE_INFERRED(conv);
  CHECK(conv.out().dtype == MIRT_DTYPE_INT32);
  CHECK(conv.shape() == "1x6x4x3");
  auto x_zp = infer("ConvInteger", {typed(MIRT_DTYPE_UINT8, "1,2,5,5"), typed(MIRT_DTYPE_INT8, "3,2,3,3"),
                                    typed(MIRT_DTYPE_UINT8, "2")});
  CHECK_FAILS_WITH(x_zp, MIRT_STATUS_INVALID_SHAPE, "input 2 (x_zero_point) has shape");
  auto w_zp = infer("ConvInteger", {typed(MIRT_DTYPE_UINT8, "1,2,5,5"), typed(MIRT_DTYPE_INT8, "3,2,3,3"), omitted(),
                                    typed(MIRT_DTYPE_INT8, "2")});
  CHECK_FAILS_WITH(w_zp, MIRT_STATUS_INVALID_SHAPE, "input 3 (w_zero_point) has shape 2, expected a scalar or 3");
  std::vector<tensor_type> q = {typed(MIRT_DTYPE_UINT8, "1,2,5,5"), f32(""), typed(MIRT_DTYPE_UINT8, ""),
                                typed(MIRT_DTYPE_INT8, "3,2,3,3"), f32("3"), typed(MIRT_DTYPE_INT8, "3"), f32(""),
                                typed(MIRT_DTYPE_UINT8, ""), typed(MIRT_DTYPE_INT32, "3")};
  auto ok = infer("QLinearConv", q, {attr_ints("pads", {1, 1, 1, 1})});
  REQUIRE_INFERRED(ok);
  CHECK(ok.shape() == "1x3x5x5");
  CHECK(ok.out().dtype == MIRT_DTYPE_UINT8);
  q[8] = f32("3");
  auto bias = infer("QLinearConv", q);
  CHECK_FAILS_WITH(bias, MIRT_STATUS_INVALID_GRAPH, "input 8 (B) is float32, expected int32");
}

}  // TEST_SUITE
