// core/plugin/dim_expr.cpp — making and evaluating the dim expressions plugins answer output
// shapes with.
#include "core/plugin/dim_expr.hpp"

#include <algorithm>
#include <cstdint>

namespace mirt {

namespace {

const char* op_name(mirt_dim_op op) {
  switch (op) {
    case MIRT_DIM_OP_SUM: return "+";
    case MIRT_DIM_OP_SUB: return "-";
    case MIRT_DIM_OP_PROD: return "*";
    case MIRT_DIM_OP_FLOOR_DIV: return "/";
    case MIRT_DIM_OP_CEIL_DIV: return "ceil";
    case MIRT_DIM_OP_MAX: return "max";
    case MIRT_DIM_OP_MIN: return "min";
    default: return nullptr;
  }
}

// a op b spelled as symbols and messages show it.
std::string spell(mirt_dim_op op, const std::string& a, const std::string& b) {
  switch (op) {
    case MIRT_DIM_OP_CEIL_DIV: return cat("ceil(", a, "/", b, ")");
    case MIRT_DIM_OP_MAX:
    case MIRT_DIM_OP_MIN: return cat(op_name(op), "(", a, ",", b, ")");
    default: return cat("(", a, op_name(op), b, ")");
  }
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The value of a op b; false when it divides by zero or overflows.
bool apply(mirt_dim_op op, int64_t a, int64_t b, int64_t& out) {
  switch (op) {
    case MIRT_DIM_OP_SUM: return !__builtin_add_overflow(a, b, &out);
    case MIRT_DIM_OP_SUB: return !__builtin_sub_overflow(a, b, &out);
    case MIRT_DIM_OP_PROD: return !__builtin_mul_overflow(a, b, &out);
    case MIRT_DIM_OP_FLOOR_DIV:
    case MIRT_DIM_OP_CEIL_DIV:
      if (b == 0 || a == INT64_MIN) return false;  // INT64_MIN: -a and a / -1 overflow
      out = op == MIRT_DIM_OP_FLOOR_DIV ? floor_div(a, b) : -floor_div(-a, b);
      return true;
    case MIRT_DIM_OP_MAX: out = std::max(a, b); return true;
    case MIRT_DIM_OP_MIN: out = std::min(a, b); return true;
    default: return false;
  }
}

// An expression's value where known, else its symbol ("" when it uses a dynamic dim without a name).
struct partial {
  bool known = false;
  int64_t value = 0;
  std::string symbol;
};

result<partial> eval(const mirt_dim_expr& e, const std::vector<const dims*>& inputs) {
  switch (e.what) {
    case mirt_dim_expr::kind::constant: return partial{true, e.value, {}};
    case mirt_dim_expr::kind::input_dim: {
      const dim& d = (*inputs[e.input])[e.axis];  // the arena checked input and axis
      return d.known() ? partial{true, d.value, {}} : partial{false, 0, d.symbol};
    }
    case mirt_dim_expr::kind::operation: break;
  }
  MIRT_ASSIGN_OR_RETURN(partial a, eval(*e.a, inputs));
  MIRT_ASSIGN_OR_RETURN(partial b, eval(*e.b, inputs));
  if (a.known && b.known) {
    partial out{true, 0, {}};
    if (!apply(e.op, a.value, b.value, out.value))
      return make_error(MIRT_STATUS_INVALID_SHAPE, describe_dim_expr(e), " with ", a.value, " and ", b.value,
                        e.op == MIRT_DIM_OP_FLOOR_DIV || e.op == MIRT_DIM_OP_CEIL_DIV ? " divides by zero"
                                                                                      : " overflows int64");
    return out;
  }
  // Identities keep an input's symbol as it is (x*1 is x), so that equal dims stay equal.
  const bool b_is = b.known, a_is = a.known;
  if (b_is && b.value == 0 && (e.op == MIRT_DIM_OP_SUM || e.op == MIRT_DIM_OP_SUB)) return a;
  if (a_is && a.value == 0 && e.op == MIRT_DIM_OP_SUM) return b;
  if (b_is && b.value == 1 && (e.op == MIRT_DIM_OP_PROD || e.op == MIRT_DIM_OP_FLOOR_DIV || e.op == MIRT_DIM_OP_CEIL_DIV))
    return a;
  if (a_is && a.value == 1 && e.op == MIRT_DIM_OP_PROD) return b;
  if ((a_is && a.value == 0) || (b_is && b.value == 0)) {
    if (e.op == MIRT_DIM_OP_PROD) return partial{true, 0, {}};
  }
  partial out;
  const std::string sa = a.known ? std::to_string(a.value) : a.symbol;
  const std::string sb = b.known ? std::to_string(b.value) : b.symbol;
  if (!sa.empty() && !sb.empty()) out.symbol = spell(e.op, sa, sb);
  return out;
}

}  // namespace

dim_expr_arena::dim_expr_arena(std::vector<int> ranks) : ranks_(std::move(ranks)) {
  builder_.struct_size = sizeof(builder_);
  builder_.self = this;
  builder_.constant = constant;
  builder_.input_dim = input_dim;
  builder_.operation = operation;
}

const mirt_dim_expr* dim_expr_arena::add(const mirt_dim_expr& e) {
  try {
    const mirt_dim_expr* p = &nodes_.emplace_back(e);
    made_.insert(p);
    return p;
  } catch (...) {
    return refuse("out of memory");
  }
}

const mirt_dim_expr* dim_expr_arena::refuse(std::string why) {
  if (first_error_.empty()) first_error_ = std::move(why);
  return nullptr;
}

const mirt_dim_expr* dim_expr_arena::constant(void* self, int64_t value) {
  mirt_dim_expr e;
  e.value = value;
  return static_cast<dim_expr_arena*>(self)->add(e);
}

const mirt_dim_expr* dim_expr_arena::input_dim(void* self, uint32_t input, uint32_t axis) {
  auto* arena = static_cast<dim_expr_arena*>(self);
  const auto& ranks = arena->ranks_;
  if (input >= ranks.size())
    return arena->refuse(cat("input_dim(", input, ", ", axis, ") refers to input ", input, ", but the layer has ",
                             ranks.size(), ranks.size() == 1 ? " input" : " inputs"));
  if (ranks[input] < 0)
    return arena->refuse(cat("input_dim(", input, ", ", axis, ") refers to input ", input,
                             ", which is omitted or of unknown rank"));
  if (axis >= uint32_t(ranks[input]))
    return arena->refuse(cat("input_dim(", input, ", ", axis, ") refers to axis ", axis, " of input ", input,
                             ", which has rank ", ranks[input]));
  mirt_dim_expr e;
  e.what = mirt_dim_expr::kind::input_dim;
  e.input = input;
  e.axis = axis;
  return arena->add(e);
}

const mirt_dim_expr* dim_expr_arena::operation(void* self, mirt_dim_op op, const mirt_dim_expr* a,
                                               const mirt_dim_expr* b) {
  auto* arena = static_cast<dim_expr_arena*>(self);
  if (!op_name(op)) return arena->refuse(cat("operation(", static_cast<int>(op), ", ...) is no mirt_dim_op"));
  if (!a || !b) return arena->refuse(cat("operation '", op_name(op), "' was given a NULL operand"));
  if (!arena->owns(a) || !arena->owns(b))
    return arena->refuse(cat("operation '", op_name(op), "' was given an expression this builder did not make"));
  mirt_dim_expr e;
  e.what = mirt_dim_expr::kind::operation;
  e.op = op;
  e.a = a;
  e.b = b;
  return arena->add(e);
}

std::string describe_dim_expr(const mirt_dim_expr& e) {
  switch (e.what) {
    case mirt_dim_expr::kind::constant: return std::to_string(e.value);
    case mirt_dim_expr::kind::input_dim: return cat("in", e.input, ".d", e.axis);
    case mirt_dim_expr::kind::operation: break;
  }
  return spell(e.op, describe_dim_expr(*e.a), describe_dim_expr(*e.b));
}

result<dim> evaluate_dim_expr(const mirt_dim_expr& e, const std::vector<const dims*>& inputs) {
  MIRT_ASSIGN_OR_RETURN(partial p, eval(e, inputs));
  if (p.known && p.value < 0)
    return make_error(MIRT_STATUS_INVALID_SHAPE, describe_dim_expr(e), " is ", p.value, ", a negative dim");
  return p.known ? dim{p.value, {}} : dim{MIRT_DYNAMIC_DIM, p.symbol};
}

}  // namespace mirt
