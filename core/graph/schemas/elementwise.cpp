// core/graph/schemas/elementwise.cpp — schemas of broadcast binary ops and unary activations.
// Integer arithmetic and comparisons also fold known values, so shape arithmetic such as
// Mul(Gather(Shape(x), 1), 4) stays known.
#include <algorithm>
#include <cstdlib>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// op(a, b) on known integer values; nullopt where the op is not folded (or divides by zero). fmod:
// Mod's attribute (the remainder takes the dividend's sign; else the divisor's, as Python's %).
std::optional<int64_t> fold(std::string_view op, int64_t a, int64_t b, bool fmod) {
  if (op == "Add" || op == "Sum") return a + b;
  if (op == "Sub") return a - b;
  if (op == "Mul") return a * b;
  if (op == "Div") return b == 0 ? std::nullopt : std::optional<int64_t>(a / b);
  if (op == "Mod") {
    if (b == 0) return std::nullopt;
    const int64_t r = a % b;
    return fmod || r == 0 || (r < 0) == (b < 0) ? r : r + b;
  }
  if (op == "Equal") return a == b;
  if (op == "Less") return a < b;
  if (op == "LessOrEqual") return a <= b;
  if (op == "Greater") return a > b;
  if (op == "GreaterOrEqual") return a >= b;
  if (op == "Max") return std::max(a, b);
  if (op == "Min") return std::min(a, b);
  return std::nullopt;
}

// Sets output 0's values from inputs 0 and 1 when both are known integer (or bool) tensors.
void fold_binary_values(infer_context& ctx) {
  const std::vector<int64_t>* a = known_values(ctx, 0);
  const std::vector<int64_t>* b = known_values(ctx, 1);
  mirt_dtype dtype = ctx.input(0).dtype;
  if (!a || !b || !(is_integer_dtype(dtype) || dtype == MIRT_DTYPE_BOOL)) return;
  tensor_type& out = ctx.output(0);
  auto wide_a = broadcast_values(ctx.input(0).shape, *a, out.shape);
  auto wide_b = broadcast_values(ctx.input(1).shape, *b, out.shape);
  if (!wide_a || !wide_b) return;
  std::vector<int64_t> values(wide_a->size());
  const bool fmod = ctx.attrs().get_int("fmod", 0) != 0;
  for (size_t i = 0; i < values.size(); ++i) {
    std::optional<int64_t> v = fold(ctx.layer().op_type, (*wide_a)[i], (*wide_b)[i], fmod);
    if (!v) return;
    values[i] = *v;
  }
  set_values(out, std::move(values));
}

// Binary ops whose output has the inputs' dtype and their broadcast shape.
status infer_broadcast_binary(infer_context& ctx) {
  const tensor_type& a = ctx.input(0);
  const tensor_type& b = ctx.input(1);
  if (a.dtype != b.dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "inputs have different dtypes (", mirt_dtype_name(a.dtype),
                          " and ", mirt_dtype_name(b.dtype), ")");
  MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, a.shape, b.shape));
  ctx.output(0) = tensor_type{a.dtype, std::move(shape), true, std::nullopt};
  fold_binary_values(ctx);
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
  if (ctx.num_inputs() == 2) fold_binary_values(ctx);
  return {};
}

status infer_unary(infer_context& ctx) {
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

// Identity, Neg and Abs keep known values (negated or made positive).
status infer_unary_with_values(infer_context& ctx) {
  ctx.output(0) = same_as(ctx.input(0));
  if (const std::vector<int64_t>* v = known_values(ctx, 0)) {
    std::vector<int64_t> values = *v;
    const std::string& op = ctx.layer().op_type;
    for (int64_t& x : values) x = op == "Neg" ? -x : op == "Abs" ? std::abs(x) : x;
    set_values(ctx.output(0), std::move(values));
  }
  return {};
}

// PRelu: the slope broadcasts one way, to X's shape.
status infer_prelu(infer_context& ctx) {
  MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 1, 0));
  MIRT_RETURN_IF_ERROR(require_broadcastable_to(ctx, 1, ctx.input(0).shape, "input 0's shape"));
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

// Clip: min and max are optional scalars of the input's dtype.
status infer_clip(infer_context& ctx) {
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has_input(i)) continue;
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, i, 0));
    // One value: an empty bound is no omitted one (ONNX leaves a side open only when it is omitted).
    const int64_t n = element_count(ctx.input(i).shape);
    if (n >= 0 && n != 1)
      return ctx.error("input ", i, i == 1 ? " (min)" : " (max)", " has shape ", to_string(ctx.input(i).shape),
                       ", expected a scalar");
  }
  ctx.output(0) = same_as(ctx.input(0));
  return {};
}

status infer_where(infer_context& ctx) {
  if (ctx.input(0).dtype != MIRT_DTYPE_BOOL)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (condition) is ", mirt_dtype_name(ctx.input(0).dtype),
                          ", expected bool");
  if (ctx.input(1).dtype != ctx.input(2).dtype)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "inputs 1 and 2 have different dtypes (",
                          mirt_dtype_name(ctx.input(1).dtype), " and ", mirt_dtype_name(ctx.input(2).dtype), ")");
  MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, ctx.input(0).shape, ctx.input(1).shape));
  MIRT_ASSIGN_OR_RETURN(shape, broadcast_shapes(ctx, shape, ctx.input(2).shape));
  ctx.output(0) = tensor_type{ctx.input(1).dtype, std::move(shape), true, std::nullopt};
  // Known condition and branches (shape arithmetic such as Where(Equal(s, -1), 1, s)) fold.
  std::optional<std::vector<int64_t>> wide[3];
  for (size_t i = 0; i < 3; ++i) {
    const std::vector<int64_t>* v = known_values(ctx, i);
    if (!v) return {};
    wide[i] = broadcast_values(ctx.input(i).shape, *v, ctx.output(0).shape);
    if (!wide[i]) return {};
  }
  std::vector<int64_t> values(wide[0]->size());
  for (size_t i = 0; i < values.size(); ++i) values[i] = (*wide[0])[i] ? (*wide[1])[i] : (*wide[2])[i];
  set_values(ctx.output(0), std::move(values));
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
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) table.add(binary(op, infer_broadcast_binary, true));
  {
    // Pow's exponent may have another dtype than its base (e.g. float x, int64 2).
    op_schema pow = binary("Pow", nullptr, true);
    pow.infer = [](infer_context& ctx) -> status {
      MIRT_ASSIGN_OR_RETURN(dims shape, broadcast_shapes(ctx, ctx.input(0).shape, ctx.input(1).shape));
      ctx.output(0) = tensor_type{ctx.input(0).dtype, std::move(shape), true, std::nullopt};
      return {};
    };
    table.add(pow);
  }
  table.add(binary("PRelu", infer_prelu, true));
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
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt", "Reciprocal",
                         "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Softplus", "Softsign", "Not",
                         "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Mish"})
    table.add(unary(op));
  for (const char* op : {"Identity", "Neg", "Abs"}) {
    op_schema s = unary(op);
    s.infer = infer_unary_with_values;
    table.add(s);
  }
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
    clip.infer = infer_clip;
    table.add(clip);
  }
  table.add(unary("Shrink", {{"bias", MIRT_ATTRIBUTE_TYPE_FLOAT}, {"lambd", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("Swish", {{"alpha", MIRT_ATTRIBUTE_TYPE_FLOAT}}));
  table.add(unary("BitwiseNot"));
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"}) table.add(binary(op, infer_broadcast_binary, true));
  {
    op_schema shift = binary("BitShift", infer_broadcast_binary, true);
    shift.attributes = {{"direction", MIRT_ATTRIBUTE_TYPE_STRING, true}};
    table.add(shift);
  }
  // IsInf and IsNaN: a bool per element.
  for (const char* op : {"IsInf", "IsNaN"}) {
    op_schema s = unary(op);
    if (std::string_view(op) == "IsInf")
      s.attributes = {{"detect_negative", MIRT_ATTRIBUTE_TYPE_INT}, {"detect_positive", MIRT_ATTRIBUTE_TYPE_INT}};
    s.may_run_in_place = false;
    s.infer = [](infer_context& ctx) -> status {
      if (!is_float_dtype(ctx.input(0).dtype))
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(ctx.input(0).dtype),
                              ", expected a float type");
      ctx.output(0) = tensor_type{MIRT_DTYPE_BOOL, ctx.input(0).shape, true, std::nullopt};
      return {};
    };
    table.add(s);
  }
  {
    op_schema where;
    where.op_type = "Where";
    where.min_inputs = where.max_inputs = 3;
    where.infer = infer_where;
    table.add(where);
  }
}

}  // namespace mirt
