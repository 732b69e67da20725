// core/graph/schemas/fused_elementwise.cpp — mirt::FusedElementwise: a small program of unary and
// binary elementwise float ops over one input, which the builder's fusion pass makes of a group of
// elementwise layers (GELU, SiLU, activation chains) so that a backend runs them in one pass.
//
// The program: `ops` (STRINGS) names one op per step; `operands` (INTS) gives two per step. Operand
// v >= 0 reads register v: register 0 is the input, register k the result of step k - 1; v < 0
// reads constants[-v - 1] (`constants`, FLOATS). A unary op's second operand is ignored. The output
// is the last step's register. Backends check the op names (docs/ops.md lists them). The output
// has the input's type, or the float type `output_dtype` names (an ONNX type code): the builder
// folds a Cast after the program so (core/builder/passes/fold_casts.cpp).
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

using namespace schemas;

namespace {

status infer_fused_elementwise(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  const attribute* ops = ctx.attrs().find("ops");
  const std::vector<int64_t> operands = ctx.attrs().get_ints("operands");
  const size_t constants = ctx.attrs().get_floats("constants").size();
  const size_t steps = ops != nullptr ? ops->strings.size() : 0;
  if (steps == 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'ops' names no step");
  if (operands.size() != 2 * steps)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'operands' has ", operands.size(), " values, expected 2 per op (",
                          2 * steps, ")");
  for (size_t s = 0; s < steps; ++s)
    for (size_t k = 0; k < 2; ++k) {
      const int64_t v = operands[2 * s + k];
      if (v > int64_t(s) || (v < 0 && size_t(-v - 1) >= constants))
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "step ", s, " (", ops->strings[s], ") operand ", k, " is ", v,
                              ": it may read registers 0..", s, " or constants -1..-", constants);
    }
  MIRT_ASSIGN_OR_RETURN(const mirt_dtype out, float_output_dtype(ctx, x.dtype));
  ctx.output(0) = tensor_type{out, x.shape, true, std::nullopt};
  return {};
}

}  // namespace

void add_fused_elementwise_schemas(schema_table& table) {
  op_schema fused = make_schema("FusedElementwise", 1, 1, 1, 1,
                                {{"ops", MIRT_ATTRIBUTE_TYPE_STRINGS, true},
                                 {"operands", MIRT_ATTRIBUTE_TYPE_INTS, true},
                                 {"constants", MIRT_ATTRIBUTE_TYPE_FLOATS},
                                 {"output_dtype", MIRT_ATTRIBUTE_TYPE_INT}},
                                infer_fused_elementwise, /*may_run_in_place=*/true);
  fused.domain = "mirt";
  table.add(std::move(fused));
}

}  // namespace mirt
