// core/graph/schemas/elementwise.cpp — schemas of broadcast binary ops and unary activations.
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

// Binary ops whose output has the inputs' dtype and their broadcast shape.
status infer_broadcast_binary(infer_context& ctx) {
  const tensor_type& a = ctx.input(0);
  const tensor_type& b = ctx.input(1);
  if (a.dtype != b.dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "inputs have different dtypes (", mirt_dtype_name(a.dtype),
                          " and ", mirt_dtype_name(b.dtype), ")");
  MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, a.shape, b.shape));
  ctx.output(0) = tensor_type{a.dtype, std::move(shape), true, std::nullopt};
  return {};
}

// Comparison and logic ops: broadcast shape, bool output.
status infer_broadcast_predicate(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(infer_broadcast_binary(ctx));
  ctx.output(0).dtype = MIRT_DTYPE_BOOL;
  return {};
}

// Variadic ops (Sum, Max, Min, Mean): broadcast over all inputs.
status infer_broadcast_variadic(infer_context& ctx) {
  tensor_type out = same_as(ctx.input(0));
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    if (ctx.input(i).dtype != out.dtype)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input ", i, " is ", mirt_dtype_name(ctx.input(i).dtype),
                            ", expected ", mirt_dtype_name(out.dtype));
    MIRT_ASSIGN_OR_RETURN(out.shape, broadcast_shapes(ctx, out.shape, ctx.input(i).shape));
  }
  ctx.output(0) = std::move(out);
  return {};
}

status infer_unary(infer_context& ctx) {
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

op_schema binary(const char* op, infer_fn infer, bool in_place) {
  op_schema s;
  s.op_type = op;
  s.min_inputs = s.max_inputs = 2;
  s.may_run_in_place = in_place;
  s.infer = std::move(infer);
  return s;
}

op_schema unary(const char* op, std::vector<attribute_spec> attributes = {}) {
  op_schema s;
  s.op_type = op;
  s.attributes = std::move(attributes);
  s.may_run_in_place = true;
  s.infer = infer_unary;
  return s;
}

}  // namespace

void add_elementwise_schemas(schema_table& table) {
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu"})
    table.add(binary(op, infer_broadcast_binary, true));
  {
    op_schema mod = binary("Mod", infer_broadcast_binary, true);
    mod.attributes = {{"fmod", MIRT_ATTRIBUTE_TYPE_INT}};
    table.add(mod);
  }
  for (const char* op : {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor"})
    table.add(binary(op, infer_broadcast_predicate, false));
  for (const char* op : {"Sum", "Max", "Min", "Mean"}) {
    op_schema s;
    s.op_type = op;
    s.min_inputs = 1;
    s.max_inputs = 64;
    s.may_run_in_place = true;
    s.infer = infer_broadcast_variadic;
    table.add(s);
  }
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs",
                         "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Identity", "Softplus", "Softsign", "Not",
                         "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Mish"})
    table.add(unary(op));
  table.add(unary("Gelu", {{"approximate", MIRT_ATTRIBUTE_TYPE_STRING}}));
  table.add(unary("LeakyRelu", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("Elu", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("Celu", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("Selu", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}, {"gamma", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("HardSigmoid", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}, {"beta", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("HardSwish"));
  table.add(unary("ThresholdedRelu", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  {
    op_schema clip = unary("Clip");
    clip.max_inputs = 3;  // min, max as optional scalar inputs (opset 11+)
    table.add(clip);
  }
  {
    op_schema where;
    where.op_type = "Where";
    where.min_inputs = where.max_inputs = 3;
    where.infer = [](infer_context& ctx) -> status {
      if (ctx.input(0).dtype != MIRT_DTYPE_BOOL)
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "condition (input 0) is ",
                              mirt_dtype_name(ctx.input(0).dtype), ", expected bool");
      if (ctx.input(1).dtype != ctx.input(2).dtype)
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "inputs 1 and 2 have different dtypes");
      MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, ctx.input(0).shape, ctx.input(1).shape));
      MIRT_ASSIGN_OR_RETURN(shape, broadcast_shapes(ctx, shape, ctx.input(2).shape));
      ctx.output(0) = tensor_type{ctx.input(1).dtype, std::move(shape), true, std::nullopt};
      return {};
    };
    table.add(where);
  }
}

}  // namespace mirt
