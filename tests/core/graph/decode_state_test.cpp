// tests/core/graph/decode_state_test.cpp — inference of CausalConvWithState and TensorScatter:
// the state and cache shapes, and the errors for mismatched weights, states and updates.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("CausalConvWithState: output like the input, present_state [batch, channels, k - 1]") {
  auto r = infer("CausalConvWithState", {f32("b,4,l"), f32("4,1,5")}, {}, 2);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "b,4,l"));
  CHECK(same_dims(r.out(1).shape, "b,4,4"));
  auto past = infer("CausalConvWithState", {f32("2,4,1"), f32("4,1,5"), omitted(), f32("2,4,3")}, {}, 2);
  CHECK_FAILS_WITH(past, MIRT_STATUS_INVALID_SHAPE, "input 3 (past_state) has shape 2x4x3, expected [batch, channels, k - 1] = 2x4x4");
  auto weight = infer("CausalConvWithState", {f32("2,4,8"), f32("4,2,3")}, {}, 2);
  CHECK_FAILS_WITH(weight, MIRT_STATUS_INVALID_SHAPE, "(depthwise)");
  auto channels = infer("CausalConvWithState", {f32("2,4,8"), f32("3,1,3")}, {}, 2);
  CHECK_FAILS_WITH(channels, MIRT_STATUS_INVALID_SHAPE, "expected 4 channels");
  auto act = infer("CausalConvWithState", {f32("2,4,8"), f32("4,1,3")}, {attr_string("activation", "gelu")}, 2);
  CHECK_FAILS_WITH(act, MIRT_STATUS_INVALID_GRAPH, "attribute 'activation' is 'gelu'");
}

TEST_CASE("TensorScatter keeps the cache's shape; the update may be shorter only along axis") {
  auto r = infer("TensorScatter", {f32("2,3,16,8"), f32("2,3,1,8"), typed(MIRT_DTYPE_INT64, "2")});
  REQUIRE_INFERRED(r);
  CHECK(r.shape() == "2x3x16x8");
  auto longer = infer("TensorScatter", {f32("2,3,4,8"), f32("2,3,5,8")});
  CHECK_FAILS_WITH(longer, MIRT_STATUS_INVALID_SHAPE, "except along axis 2");
  auto other = infer("TensorScatter", {f32("2,3,4,8"), f32("2,3,4,8")}, {attr_int("axis", 1)});
  REQUIRE_INFERRED(other);
  auto batch_axis = infer("TensorScatter", {f32("2,3,4,8"), f32("2,3,4,8")}, {attr_int("axis", 0)});
  CHECK_FAILS_WITH(batch_axis, MIRT_STATUS_INVALID_SHAPE, "the batch axis");
  auto mode = infer("TensorScatter", {f32("2,4,8"), f32("2,1,8")}, {attr_string("mode", "ring")});
  CHECK_FAILS_WITH(mode, MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is 'ring'");
}

}  // TEST_SUITE
