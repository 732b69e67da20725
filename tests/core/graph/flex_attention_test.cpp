// tests/core/graph/flex_attention_test.cpp — inference of FlexAttention (ai.onnx.preview): Y takes
// Q's batch, heads and length and V's head size; mismatched heads, sizes and ranks are refused.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("FlexAttention infers [B, Hq, L, Ev] and refuses heads, sizes and ranks that do not fit") {
  auto ok = infer_in("ai.onnx.preview", "FlexAttention", {f32("b,8,4,16"), f32("b,2,6,16"), f32("b,2,6,32")});
  REQUIRE_INFERRED(ok);
  CHECK(same_dims(ok.out().shape, "b,8,4,32"));
  auto heads = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,6,4,16"), f32("2,4,6,16"), f32("2,4,6,16")});
  CHECK_FAILS_WITH(heads, MIRT_STATUS_INVALID_SHAPE, "Q has 6 heads, not a multiple of K's 4");
  auto size = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,4,4,8"), f32("2,4,6,16"), f32("2,4,6,16")});
  CHECK_FAILS_WITH(size, MIRT_STATUS_INVALID_SHAPE, "differ in head size");
  auto steps = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,4,4,16"), f32("2,4,6,16"), f32("2,4,5,16")});
  CHECK_FAILS_WITH(steps, MIRT_STATUS_INVALID_SHAPE, "differ in heads or sequence length");
  auto rank = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,4,16"), f32("2,4,6,16"), f32("2,4,6,16")});
  CHECK_FAILS_WITH(rank, MIRT_STATUS_INVALID_SHAPE, "input 0 (Q) has rank 3, expected 4");
  auto precision = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,4,4,16"), f32("2,4,6,16"), f32("2,4,6,16")}, {attr_int("softmax_precision", 7)});
  CHECK_FAILS_WITH(precision, MIRT_STATUS_INVALID_GRAPH, "attribute 'softmax_precision' is 7");
  auto dtype = infer_in("ai.onnx.preview", "FlexAttention", {f32("2,4,4,16"), typed(MIRT_DTYPE_FLOAT16, "2,4,6,16"), f32("2,4,6,16")});
  CHECK_FALSE(dtype.ok());
  CHECK(dtype.message().find("FlexAttention 'layer'") != std::string::npos);
}

}  // TEST_SUITE
