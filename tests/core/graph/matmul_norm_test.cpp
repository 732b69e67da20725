// tests/core/graph/matmul_norm_test.cpp — inference of MatMul, Gemm, the normalizations, Softmax and Dropout.
#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

TEST_SUITE("schemas") {

TEST_CASE("MatMul broadcasts batch dims and keeps symbols") {
  auto r = infer("MatMul", {f32("batch,1,seq,64"), f32("12,64,seq2")});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,12,seq,seq2"));
}

TEST_CASE("MatMul drops the dims added for 1-D operands") {
  auto vm = infer("MatMul", {f32("4"), f32("2,4,5")});
  REQUIRE_INFERRED(vm);
  CHECK(vm.shape() == "2x5");
  auto mv = infer("MatMul", {f32("3,4"), f32("4")});
  REQUIRE_INFERRED(mv);
  CHECK(mv.shape() == "3");
  auto vv = infer("MatMul", {f32("4"), f32("4")});
  REQUIRE_INFERRED(vv);
  CHECK(vv.shape() == "scalar");
}

TEST_CASE("MatMul reports differing inner dims and unbroadcastable batches") {
  auto inner = infer("MatMul", {f32("2,3,4"), f32("5,6")}, {}, 1, "proj");
  CHECK_FAILS_WITH(inner, MIRT_STATUS_INVALID_SHAPE, "MatMul 'proj': inner dims differ: input 0's last dim is 4");
  auto batch = infer("MatMul", {f32("2,3,4"), f32("3,4,6")});
  CHECK_FAILS_WITH(batch, MIRT_STATUS_INVALID_SHAPE, "cannot broadcast shapes 2 and 3");
}

TEST_CASE("Gemm honours transA and transB and checks C broadcasts to M x N") {
  auto r = infer("Gemm", {f32("64,batch"), f32("1000,64"), f32("1000")},
                 {attr_int("transA", 1), attr_int("transB", 1), attr_float("alpha", 1.0f)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,1000"));
  auto bad_c = infer("Gemm", {f32("8,64"), f32("64,10"), f32("8")});
  CHECK_FAILS_WITH(bad_c, MIRT_STATUS_INVALID_SHAPE, "input 2 has shape 8, which does not broadcast to the output 8x10");
  auto rank = infer("Gemm", {f32("8,64,1"), f32("64,10")}, {}, 1, "fc");
  CHECK_FAILS_WITH(rank, MIRT_STATUS_INVALID_SHAPE, "Gemm 'fc': input 0 has rank 3, expected 2");
}

TEST_CASE("BatchNormalization checks per-channel parameters") {
  auto r = infer("BatchNormalization", {f32("batch,16,8,8"), f32("16"), f32("16"), f32("16"), f32("16")},
                 {attr_float("epsilon", 1e-5f)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,16,8,8"));
  auto bad = infer("BatchNormalization", {f32("1,16,8,8"), f32("16"), f32("16"), f32("8"), f32("16")}, {}, 1, "bn1");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "BatchNormalization 'bn1': input 3 (input_mean) has 8 elements, expected 16");
}

TEST_CASE("InstanceNormalization needs rank 3 or more") {
  auto ok = infer("InstanceNormalization", {f32("2,4,10"), f32("4"), f32("4")});
  REQUIRE_INFERRED(ok);
  CHECK(ok.shape() == "2x4x10");
  auto bad = infer("InstanceNormalization", {f32("2,4"), f32("4"), f32("4")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 0 has rank 2, expected at least 3");
}

TEST_CASE("LayerNormalization gives Mean and InvStdDev with the normalized dims set to 1") {
  auto r = infer("LayerNormalization", {f32("batch,seq,768"), f32("768"), f32("768")}, {attr_int("axis", -1)}, 3);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "batch,seq,768"));
  CHECK(same_dims(r.out(1).shape, "batch,seq,1"));
  CHECK(r.out(2).dtype == MIRT_DTYPE_FLOAT32);
  auto bad = infer("LayerNormalization", {f32("2,5,768"), f32("512")});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "input 1 has shape 512, which does not broadcast to the normalized dims 768");
}

TEST_CASE("mirt::SkipLayerNormalization and FusedElementwise write the type output_dtype names; SkipLayerNormalization also its own") {
  const tensor_type h = typed(MIRT_DTYPE_FLOAT16, "1,128,768"), g = typed(MIRT_DTYPE_FLOAT16, "768");
  const mirt::op_schema* skip_ln = mirt::schema_table::standard().find("mirt", "SkipLayerNormalization");
  REQUIRE(skip_ln != nullptr);
  mirt::node n = make_node("SkipLayerNormalization", 4, 2, {attr_int("output_dtype", 1)});
  n.domain = "mirt";
  auto both = infer_node(*skip_ln, n, {h, h, g, g}, 2);
  REQUIRE_INFERRED(both);
  CHECK(both.out(0).dtype == MIRT_DTYPE_FLOAT32);
  CHECK(both.out(1).dtype == MIRT_DTYPE_FLOAT16);
  CHECK(same_dims(both.out(1).shape, "1,128,768"));
  auto own = infer_in("mirt", "SkipLayerNormalization", {h, h, g, g});
  REQUIRE_INFERRED(own);
  CHECK(own.out().dtype == MIRT_DTYPE_FLOAT16);
  const attribute tanh{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {"Tanh"}};
  auto wide = infer_in("mirt", "FusedElementwise", {h}, {tanh, attr_ints("operands", {0, 0}), attr_int("output_dtype", 1)});
  REQUIRE_INFERRED(wide);
  CHECK(wide.out().dtype == MIRT_DTYPE_FLOAT32);
  auto bad = infer_in("mirt", "FusedElementwise", {h}, {tanh, attr_ints("operands", {0, 0}), attr_int("output_dtype", 7)});
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_GRAPH, "attribute 'output_dtype' is 7, expected 1 (float32), 10 (float16) or 16 (bfloat16)");
}

TEST_CASE("Softmax keeps the shape and rejects an axis out of range") {
  auto r = infer("Softmax", {f32("batch,12,seq,seq")}, {attr_int("axis", -1)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,12,seq,seq"));
  auto bad = infer("LogSoftmax", {f32("2,3")}, {attr_int("axis", 2)}, 1, "logits");
  CHECK_FAILS_WITH(bad, MIRT_STATUS_INVALID_SHAPE, "LogSoftmax 'logits': axis 2 is out of range for rank 2");
}

TEST_CASE("Dropout is the identity at inference and its mask is bool") {
  auto r = infer("Dropout", {f32("batch,128"), typed(MIRT_DTYPE_FLOAT32, "")}, {}, 2);
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out(0).shape, "batch,128"));
  CHECK(r.out(1).dtype == MIRT_DTYPE_BOOL);
  CHECK(same_dims(r.out(1).shape, "batch,128"));
}

TEST_CASE("Ops that may run in place are the elementwise and normalization ones") {
  CHECK(schema_of("Relu").may_run_in_place);
  CHECK(schema_of("BatchNormalization").may_run_in_place);
  CHECK(schema_of("Softmax").may_run_in_place);
  CHECK_FALSE(schema_of("Conv").may_run_in_place);
  CHECK_FALSE(schema_of("MatMul").may_run_in_place);
  CHECK_FALSE(schema_of("Equal").may_run_in_place);
  // mirt::FusedConv's output may take its residual's buffer (input 3), never X's.
  const mirt::op_schema* fused = mirt::schema_table::standard().find("mirt", "FusedConv");
  REQUIRE(fused != nullptr);
  CHECK(fused->may_run_in_place);
  CHECK(fused->in_place_input == 3);
}

}  // TEST_SUITE

TEST_SUITE("schemas") {

TEST_CASE("mirt::EmbedLayerNormalization gives Indices.shape + [H] in Table's dtype and names wrong operands") {
  const tensor_type ids = typed(MIRT_DTYPE_INT64, "batch,128"), table = f32("30522,768"), row = f32("768");
  auto r = infer_in("mirt", "EmbedLayerNormalization", {ids, table, f32("1,128,768"), row, row}, {attr_float("epsilon", 1e-12f)});
  REQUIRE_INFERRED(r);
  CHECK(same_dims(r.out().shape, "batch,128,768"));
  CHECK(r.out().dtype == MIRT_DTYPE_FLOAT32);
  // A row period of [S, H] or [H], no Addend, no B.
  CHECK(infer_in("mirt", "EmbedLayerNormalization", {typed(MIRT_DTYPE_INT32, "2,128"), table, f32("128,768"), row}).ok());
  CHECK(infer_in("mirt", "EmbedLayerNormalization", {ids, table, f32("768"), row}).ok());
  CHECK(infer_in("mirt", "EmbedLayerNormalization", {ids, table, omitted(), row}).ok());
  auto float_ids = infer_in("mirt", "EmbedLayerNormalization", {f32("2,128"), table, omitted(), row});
  CHECK_FAILS_WITH(float_ids, MIRT_STATUS_INVALID_GRAPH, "input 0 (Indices) is float32, expected int32 or int64");
  auto flat_table = infer_in("mirt", "EmbedLayerNormalization", {ids, f32("768"), omitted(), row});
  CHECK_FAILS_WITH(flat_table, MIRT_STATUS_INVALID_GRAPH, "input 1 (Table) has rank 1, expected 2");
  auto not_rows = infer_in("mirt", "EmbedLayerNormalization", {ids, table, f32("128,1,768"), row});
  CHECK_FAILS_WITH(not_rows, MIRT_STATUS_INVALID_GRAPH, "input 2 (Addend) has shape 128x1x768");
  auto wide_scale = infer_in("mirt", "EmbedLayerNormalization", {ids, table, omitted(), f32("1024")});
  CHECK_FAILS_WITH(wide_scale, MIRT_STATUS_INVALID_GRAPH, "input 3 (Scale) has shape 1024, expected [768]");
  auto half_bias = infer_in("mirt", "EmbedLayerNormalization", {ids, table, omitted(), row, typed(MIRT_DTYPE_FLOAT16, "768")});
  CHECK_FAILS_WITH(half_bias, MIRT_STATUS_INVALID_GRAPH, "input 4 is float16, expected float32");
}

}  // TEST_SUITE
