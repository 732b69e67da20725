// core/graph/schemas/matmul.cpp — schemas of MatMul (numpy batching, 1-D operands), Gemm and Det.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Fails when two contraction extents are both known and differ.
status check_inner(const infer_context& ctx, const dim& a, const dim& b, const char* a_name, const char* b_name) {
  if (a.known() && b.known() && a.value != b.value)
    return ctx.error("inner dims differ: ", a_name, " is ", a.value, ", ", b_name, " is ", b.value);
  return {};
}

status infer_matmul(infer_context& ctx) {
  const tensor_type& a = ctx.input(0);
  const tensor_type& b = ctx.input(1);
  if (a.rank() == 0) return ctx.error("input 0 is a scalar, expected rank 1 or more");
  if (b.rank() == 0) return ctx.error("input 1 is a scalar, expected rank 1 or more");
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  // A 1-D operand is promoted to a matrix (1 x K for a, K x 1 for b); the added dim is dropped after.
  dims sa = a.shape;
  dims sb = b.shape;
  if (a.rank() == 1) sa.insert(sa.begin(), dim{1, {}});
  if (b.rank() == 1) sb.push_back(dim{1, {}});
  MIRT_RETURN_IF_ERROR(check_inner(ctx, sa.back(), sb[sb.size() - 2], "input 0's last dim", "input 1's dim -2"));
  const dims batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, batch_a, batch_b));
  if (a.rank() != 1) shape.push_back(sa[sa.size() - 2]);
  if (b.rank() != 1) shape.push_back(sb.back());
  ctx.output(0) = tensor_type{a.dtype, std::move(shape), true, std::nullopt};
  return {};
}

status infer_gemm(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(ctx.require_rank(0, 2));
  MIRT_RETURN_IF_ERROR(ctx.require_rank(1, 2));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
  const bool trans_a = ctx.attrs().get_int("transA", 0) != 0;
  const bool trans_b = ctx.attrs().get_int("transB", 0) != 0;
  const dims& a = ctx.input(0).shape;
  const dims& b = ctx.input(1).shape;
  const dim& m = a[trans_a ? 1 : 0];
  const dim& n = b[trans_b ? 0 : 1];
  MIRT_RETURN_IF_ERROR(check_inner(ctx, a[trans_a ? 0 : 1], b[trans_b ? 1 : 0],
                                   trans_a ? "input 0's dim 0 (transA)" : "input 0's dim 1",
                                   trans_b ? "input 1's dim 1 (transB)" : "input 1's dim 0"));
  if (ctx.has_input(2)) {  // C broadcasts one way, to M x N.
    MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, 2, dims{m, n}, "the output"));
  }
  ctx.output(0) = tensor_type{ctx.input(0).dtype, dims{m, n}, true, std::nullopt};
  return {};
}

// Det of [..., M, M]: one value per matrix, shape [...].
status infer_det(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (x.rank() < 2) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 2");
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  const dim &rows = x.shape[x.rank() - 2], &cols = x.shape[x.rank() - 1];
  if (rows.known() && cols.known() && rows.value != cols.value)
    return ctx.error("input 0 has shape ", to_string(x.shape), ", expected square matrices in its last two dims");
  ctx.output(0) = tensor_type{x.dtype, dims(x.shape.begin(), x.shape.end() - 2), true, std::nullopt};
  return {};
}

// mirt::FusedMatMul = activation(MatMul(A, B) + bias): what the builder's fusion pass makes of a
// MatMul with a 2-D B, its bias Add (bias of shape [N]) and an optional activation, for backends
// that run it in one kernel. activation: "" (none), Relu or Gelu (the erf form).
status infer_fused_matmul(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(infer_matmul(ctx));
  if (ctx.input(1).rank() != 2) return ctx.error("input 1 has rank ", ctx.input(1).rank(), ", expected 2");
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
    MIRT_RETURN_IF_ERROR(ctx.require_rank(2, 1));
    const dim &bias = ctx.input(2).shape[0], &n = ctx.input(1).shape[1];
    if (bias.known() && n.known() && bias.value != n.value)
      return ctx.error("input 2 (bias) has ", bias.value, " values, expected input 1's ", n.value, " columns");
  }
  return {};
}

}  // namespace

void add_matmul_schemas(schema_table& table) {
  op_schema fused_matmul = make_schema("FusedMatMul", 2, 3, 1, 1, {{"activation", MIRT_ATTRIBUTE_TYPE_STRING}},
                                       infer_fused_matmul);
  fused_matmul.domain = "mirt";
  table.add(std::move(fused_matmul));
  table.add(make_schema("MatMul", 2, 2, 1, 1, {}, infer_matmul));
  table.add(make_schema("Gemm", 2, 3, 1, 1,
                        {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"beta", MIRT_ATTRIBUTE_TYPE_FLOAT},
                         {"transA", MIRT_ATTRIBUTE_TYPE_INT},
                         {"transB", MIRT_ATTRIBUTE_TYPE_INT}},
                        infer_gemm));
  table.add(make_schema("Det", 1, 1, 1, 1, {}, infer_det));
}

}  // namespace mirt
