// core/plugin/dim_expr.hpp — the dim expressions of mirt/plugin.h: the arena behind the
// mirt_dim_expr_builder of one get_output_shape_exprs call, and the evaluation of an expression
// over the layer's input shapes: a value where the input dims it uses are known, else a symbol
// spelled from the input dims' names, so that equal expressions give equal symbolic dims.
#pragma once

#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/base/status.hpp"
#include "core/graph/graph.hpp"
#include "mirt/plugin.h"

// The C ABI's opaque type: one node of an expression.
struct mirt_dim_expr {
  enum class kind { constant, input_dim, operation } what = kind::constant;
  int64_t value = 0;             // constant
  uint32_t input = 0, axis = 0;  // input_dim
  mirt_dim_op op = MIRT_DIM_OP_SUM;
  const mirt_dim_expr* a = nullptr;  // operation
  const mirt_dim_expr* b = nullptr;
};

namespace mirt {

class dim_expr_arena {
 public:
  // ranks: each input's rank, -1 for an omitted input or an unknown rank.
  explicit dim_expr_arena(std::vector<int> ranks);
  dim_expr_arena(const dim_expr_arena&) = delete;
  dim_expr_arena& operator=(const dim_expr_arena&) = delete;

  mirt_dim_expr_builder* builder() { return &builder_; }
  // Why the first refused call was refused; "" when none was.
  const std::string& first_error() const { return first_error_; }
  bool owns(const mirt_dim_expr* e) const { return made_.count(e) > 0; }

 private:
  static const mirt_dim_expr* constant(void* self, int64_t value);
  static const mirt_dim_expr* input_dim(void* self, uint32_t input, uint32_t axis);
  static const mirt_dim_expr* operation(void* self, mirt_dim_op op, const mirt_dim_expr* a, const mirt_dim_expr* b);
  const mirt_dim_expr* add(const mirt_dim_expr& e);
  const mirt_dim_expr* refuse(std::string why);

  std::vector<int> ranks_;
  std::deque<mirt_dim_expr> nodes_;
  std::unordered_set<const mirt_dim_expr*> made_;
  std::string first_error_;
  mirt_dim_expr_builder builder_{};
};

// e over the inputs' shapes (one per layer input; nullptr for an omitted one). INVALID_SHAPE when it
// divides by zero, overflows, or comes out negative where the dims it uses are known.
result<dim> evaluate_dim_expr(const mirt_dim_expr& e, const std::vector<const dims*>& inputs);

// e spelled with input dims as "in0.d1": what error messages show.
std::string describe_dim_expr(const mirt_dim_expr& e);

}  // namespace mirt
