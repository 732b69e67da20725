// core/graph/schemas/loss.cpp — schemas of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

// Both losses take scores/log-probabilities (N, C, d1..dk), targets (N, d1..dk) and optional
// per-class weights (C); the loss is (N, d1..dk) for reduction "none", else a scalar.
status infer_loss(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  const tensor_type& target = ctx.input(1);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() < 2) return ctx.error("input 0 has rank ", x.rank(), ", expected at least 2 (N x C x ...)");
  MIRT_RETURN_IF_ERROR(require_index_input(ctx, 1, "target"));
  if (target.rank() + 1 != x.rank())
    return ctx.error("input 1 (target) has rank ", target.rank(), ", expected ", x.rank() - 1,
                     " (input 0's shape without the class dim)");
  for (size_t d = 0; d < target.rank(); ++d) {
    const dim& want = x.shape[d == 0 ? 0 : d + 1];
    if (target.shape[d].known() && want.known() && target.shape[d].value != want.value)
      return ctx.error("input 1 (target) has shape ", to_string(target.shape), ", expected input 0's shape ",
                       to_string(x.shape), " without dim 1");
  }
  if (ctx.has_input(2)) {
    MIRT_RETURN_IF_ERROR(require_same_dtype(ctx, 2, 0));
    const tensor_type& w = ctx.input(2);
    if (w.rank() != 1) return ctx.error("input 2 (weight) has rank ", w.rank(), ", expected 1 (one per class)");
    if (w.shape[0].known() && x.shape[1].known() && w.shape[0].value != x.shape[1].value)
      return ctx.error("input 2 (weight) has ", w.shape[0].value, " entries, expected ", x.shape[1].value,
                       " (the classes, dim 1 of input 0)");
  }
  const std::string reduction = ctx.attrs().get_string("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", reduction,
                          "', expected 'none', 'sum' or 'mean'");
  ctx.output(0) = tensor_type{x.dtype, reduction == "none" ? target.shape : dims{}, true, std::nullopt};
  // SoftmaxCrossEntropyLoss's optional log_prob has the scores' shape.
  if (ctx.num_outputs() > 1) ctx.output(1) = same_as(x);
  return {};
}

}  // namespace

void add_loss_schemas(schema_table& table) {
  for (const char* op : {"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"})
    table.add(make_schema(op, 2, 3, 1, std::string_view(op) == "SoftmaxCrossEntropyLoss" ? 2 : 1,
                          {{"reduction", MIRT_ATTRIBUTE_TYPE_STRING}, {"ignore_index", MIRT_ATTRIBUTE_TYPE_INT}},
                          infer_loss));
}

}  // namespace mirt
