// tests/core/graph/new_ops_test.cpp — inference of Resize, Attention, the losses, GridSample,
// GatherND, ScatterND and Multinomial: output shapes and the errors for bad inputs and attributes.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

namespace {

// A 1-D float32 constant whose values inference can read (Resize's scales).
tensor_type f32_values(std::vector<double> v) {
  tensor_type t = f32(std::to_string(v.size()));
  t.float_values = std::move(v);
  return t;
}

}  // namespace

TEST_SUITE("schemas") {

TEST_CASE("Resize sizes its output from constant scales (floor) or sizes, and leaves resized dims unknown otherwise") {
  auto scaled = infer("Resize", {f32("batch,3,5,7"), omitted(), f32_values({1, 1, 2, 0.5})});
  REQUIRE_INFERRED(scaled);
  CHECK(same_dims(scaled.out().shape, "batch,3,10,3"));
  auto sized = infer("Resize", {f32("1,3,4,8"), omitted(), omitted(), i64_values({6, 6})},
                     {attr_ints("axes", {2, 3}), attr_string("keep_aspect_ratio_policy", "not_larger")});
  REQUIRE_INFERRED(sized);
  CHECK(sized.shape() == "1x3x3x6");  // scale min(6/4, 6/8) = 0.75
  auto unknown = infer("Resize", {f32("1,3,4,8"), omitted(), f32("4")});
  REQUIRE_INFERRED(unknown);
  CHECK(unknown.shape() == "?x?x?x?");
}

TEST_CASE("Resize refuses both or neither of scales and sizes, and unknown modes") {
  auto both = infer("Resize", {f32("1,1,2,2"), omitted(), f32_values({1, 1, 2, 2}), i64_values({1, 1, 4, 4})});
  CHECK_FAILS_WITH(both, MIRT_STATUS_INVALID_GRAPH, "both scales and sizes");
  auto neither = infer("Resize", {f32("1,1,2,2")});
  CHECK_FAILS_WITH(neither, MIRT_STATUS_INVALID_GRAPH, "neither scales nor sizes");
  auto mode = infer("Resize", {f32("1,1,2,2"), omitted(), f32_values({1, 1, 2, 2})}, {attr_string("mode", "area")});
  CHECK_FAILS_WITH(mode, MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is 'area'");
  auto count = infer("Resize", {f32("1,1,2,2"), omitted(), f32_values({2, 2})});
  CHECK_FAILS_WITH(count, MIRT_STATUS_INVALID_SHAPE, "has 2 entries, expected 4");
}

TEST_CASE("Attention infers 3-D and 4-D outputs, the present cache and qk_matmul_output") {
  // Q: 6 heads of 8; K: 3 heads of 8; V: 3 heads of 10 -> Y: 6 heads of 10 packed.
  auto flat = infer("Attention", {f32("2,5,48"), f32("2,7,24"), f32("2,7,30")},
                    {attr_int("q_num_heads", 6), attr_int("kv_num_heads", 3)});
  REQUIRE_INFERRED(flat);
  CHECK(flat.shape() == "2x5x60");
  auto four = infer("Attention", {f32("2,6,5,8"), f32("2,3,7,8"), f32("2,3,7,10")});
  REQUIRE_INFERRED(four);
  CHECK(four.shape() == "2x6x5x10");
}

TEST_CASE("Attention with a cache: present key/value grow by the past length") {
  auto r = infer("Attention",
                 {f32("b,8,4,16"), f32("b,2,4,16"), f32("b,2,4,32"), f32("4,10"), f32("b,2,6,16"), f32("b,2,6,32")}, {}, 4);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "b,8,4,32"));
  CHECK(same_dims(r.out(1).shape, "b,2,10,16"));
  CHECK(same_dims(r.out(2).shape, "b,2,10,32"));
  CHECK(same_dims(r.out(3).shape, "b,8,4,10"));
}

TEST_CASE("Attention refuses heads that do not group, and 3-D inputs without head counts") {
  auto groups = infer("Attention", {f32("1,6,4,8"), f32("1,4,4,8"), f32("1,4,4,8")}, {}, 1, "attn");
  CHECK_FAILS_WITH(groups, MIRT_STATUS_INVALID_SHAPE, "Attention 'attn': Q has 6 heads, not a multiple of K/V's 4");
  auto flat = infer("Attention", {f32("1,4,8"), f32("1,4,8"), f32("1,4,8")});
  CHECK_FAILS_WITH(flat, MIRT_STATUS_INVALID_GRAPH, "q_num_heads and kv_num_heads");
}

TEST_CASE("the losses give a scalar, or the target's shape with reduction none") {
  auto mean = infer("SoftmaxCrossEntropyLoss", {f32("n,5,3"), typed(MIRT_DTYPE_INT64, "n,3")}, {}, 2);
  REQUIRE_INFERRED(mean);
  CHECK(mean.shape(0) == "scalar");
  CHECK(same_dims(mean.out(1).shape, "n,5,3"));
  auto none = infer("NegativeLogLikelihoodLoss", {f32("n,5,3"), typed(MIRT_DTYPE_INT64, "n,3")},
                    {attr_string("reduction", "none")});
  REQUIRE_INFERRED(none);
  CHECK(same_dims(none.out().shape, "n,3"));
  auto bad = infer("NegativeLogLikelihoodLoss", {f32("2,5,3"), typed(MIRT_DTYPE_INT64, "2,4")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 (target) has shape 2x4");
}

TEST_CASE("GridSample, GatherND and ScatterND shapes") {
  auto gs = infer("GridSample", {f32("2,3,8,8"), f32("2,5,6,2")});
  REQUIRE_INFERRED(gs);
  CHECK(gs.shape() == "2x3x5x6");
  auto wrong = infer("GridSample", {f32("2,3,8,8"), f32("2,5,6,3")});
  CHECK_FAILS_WITH(wrong, MIRT_STATUS_INVALID_SHAPE, "3 coordinates per point, expected 2");
  auto gnd = infer("GatherND", {f32("2,3,4,5"), typed(MIRT_DTYPE_INT64, "2,7,2")}, {attr_int("batch_dims", 1)});
  REQUIRE_INFERRED(gnd);
  CHECK(gnd.shape() == "2x7x5");
  auto snd = infer("ScatterND", {f32("4,5"), typed(MIRT_DTYPE_INT64, "3,1"), f32("3")});
  CHECK_FAILS_WITH(snd, MIRT_STATUS_INVALID_SHAPE, "input 2 (updates) has rank 1, expected 2");
}

}  // TEST_SUITE

TEST_SUITE("schemas") {

TEST_CASE("DepthToSpace and SpaceToDepth move channels into space and back, and check divisibility") {
  auto d2s = infer("DepthToSpace", {f32("n,8,3,5")}, {attr_int("blocksize", 2), attr_string("mode", "CRD")});
  REQUIRE_INFERRED(d2s);
  CHECK(same_dims(d2s.out().shape, "n,2,6,10"));
  auto s2d = infer("SpaceToDepth", {f32("1,3,4,7")}, {attr_int("blocksize", 2)});
  CHECK_FAILS_WITH(s2d, MIRT_STATUS_INVALID_SHAPE, "extent 7 in dim 3, not a multiple of blocksize 2");
}

TEST_CASE("GroupNormalization needs channels divisible by num_groups; IsNaN gives bool") {
  auto bad = infer("GroupNormalization", {f32("1,6,4"), f32("6"), f32("6")}, {attr_int("num_groups", 4)});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "6 channels, not a multiple of num_groups 4");
  auto nan = infer("IsNaN", {f32("2,3")});
  REQUIRE_INFERRED(nan);
  CHECK(nan.out().dtype == MIRT_DTYPE_BOOL);
}

}  // TEST_SUITE

TEST_SUITE("schemas") {

TEST_CASE("Einsum infers explicit and implicit outputs and names a label of two extents") {
  auto mm = infer("Einsum", {f32("b,3,4"), f32("b,4,5")}, {attr_string("equation", "bij,bjk->bik")});
  REQUIRE_INFERRED(mm);
  CHECK(same_dims(mm.out().shape, "b,3,5"));
  auto implicit = infer("Einsum", {f32("2,7,3,3")}, {attr_string("equation", "...ii")});
  REQUIRE_INFERRED(implicit);
  CHECK(implicit.shape() == "2x7");
  auto bad = infer("Einsum", {f32("3,4"), f32("5,6")}, {attr_string("equation", "ij,jk")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "label 'j' has extents 4 and 5");
}

TEST_CASE("TopK takes K's value when constant; BitCast needs equal element sizes") {
  auto topk = infer("TopK", {f32("n,10"), i64_values({4})}, {}, 2);
  REQUIRE_INFERRED(topk);
  CHECK(same_dims(topk.out(0).shape, "n,4"));
  CHECK(topk.out(1).dtype == MIRT_DTYPE_INT64);
  auto cast = infer("BitCast", {f32("3")}, {attr_int("to", 7)});
  CHECK_FAILS_WITH(cast, MIRT_STATUS_INVALID_GRAPH, "the element sizes differ");
}

}  // TEST_SUITE

TEST_SUITE("schemas") {

TEST_CASE("QuantizeLinear takes the zero point's dtype and checks blocked scales") {
  auto q = infer("QuantizeLinear", {f32("2,8"), f32(""), typed(MIRT_DTYPE_INT8, "")});
  REQUIRE_INFERRED(q);
  CHECK(q.out().dtype == MIRT_DTYPE_INT8);
  auto blocked = infer("QuantizeLinear", {f32("2,8"), f32("2,3")}, {attr_int("axis", 1), attr_int("block_size", 3)});
  REQUIRE_INFERRED(blocked);
  CHECK(blocked.out().dtype == MIRT_DTYPE_UINT8);
  auto bad = infer("QuantizeLinear", {f32("2,8"), f32("2,2")}, {attr_int("axis", 1), attr_int("block_size", 3)});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "has 2 blocks along axis 1, expected 3");
}

}  // TEST_SUITE

TEST_SUITE("schemas") {

TEST_CASE("Multinomial gives [batch, sample_size] of int32 or the asked int64, and refuses rank != 2 and sample_size < 1") {
  auto r = infer("Multinomial", {f32("batch,10")}, {attr_int("sample_size", 4)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,4"));
  CHECK(r.out().dtype == MIRT_DTYPE_INT32);
  auto wide = infer("Multinomial", {f32("3,10")}, {attr_int("dtype", 7)});
  REQUIRE_INFERRED(wide);
  CHECK(wide.shape() == "3x1");
  CHECK(wide.out().dtype == MIRT_DTYPE_INT64);
  CHECK_FAILS_WITH(infer("Multinomial", {f32("3")}), MIRT_STATUS_INVALID_SHAPE, "input 0 has rank 1, expected 2");
  CHECK_FAILS_WITH(infer("Multinomial", {f32("3,10")}, {attr_int("sample_size", 0)}), MIRT_STATUS_INVALID_GRAPH,
                   "attribute 'sample_size' is 0, expected >= 1");
  CHECK_FAILS_WITH(infer("Multinomial", {f32("3,10")}, {attr_int("dtype", 1)}), MIRT_STATUS_INVALID_GRAPH,
                   "expected int32 or int64");
}

}  // TEST_SUITE
