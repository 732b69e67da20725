// core/graph/schemas/tree_ensemble.cpp — schema of the ONNX-ML TreeEnsemble (opset 5): checks that
// the node, leaf and tree lists agree, so that a kernel can walk the trees without further checks.
#include <cmath>

#include "core/graph/schemas/schema_helpers.hpp"
#include "core/graph/schemas/schemas.hpp"

namespace mirt {

namespace {

using namespace schemas;

constexpr int64_t branch_member = 6;  // nodes_modes: 0 LEQ, 1 LT, 2 GTE, 3 GT, 4 EQ, 5 NEQ, 6 MEMBER

// Checks the node and leaf lists; every child index must name an existing node or leaf.
status check_tree_lists(const infer_context& ctx) {
  const attribute_map& a = ctx.attrs();
  const std::vector<int64_t> features = a.get_ints("nodes_featureids"), modes = a.get_ints("nodes_modes");
  const size_t nodes = features.size(), leaves = a.get_ints("leaf_targetids").size();
  if (nodes == 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'nodes_featureids' is empty; a tree needs a node");
  for (const char* name : {"nodes_modes", "nodes_truenodeids", "nodes_falsenodeids", "nodes_trueleafs", "nodes_falseleafs"})
    if (a.get_ints(name).size() != nodes)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute '", name, "' has ", a.get_ints(name).size(),
                            " values, expected ", nodes, " (one per node, as nodes_featureids)");
  if (a.get_floats("nodes_splits").size() != nodes)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'nodes_splits' has ", a.get_floats("nodes_splits").size(),
                          " values, expected ", nodes, " (one per node)");
  const std::vector<int64_t> missing = a.get_ints("nodes_missing_value_tracks_true");
  if (!missing.empty() && missing.size() != nodes)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'nodes_missing_value_tracks_true' has ", missing.size(),
                          " values, expected ", nodes);
  if (a.get_floats("leaf_weights").size() != leaves)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'leaf_weights' has ", a.get_floats("leaf_weights").size(),
                          " values, expected ", leaves, " (one per leaf, as leaf_targetids)");
  const int64_t targets = a.get_int("n_targets", 1);
  if (targets < 1) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'n_targets' is ", targets, ", expected at least 1");
  for (int64_t t : a.get_ints("leaf_targetids"))
    if (t < 0 || t >= targets)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "leaf_targetids holds ", t, ", outside [0, n_targets = ", targets, ")");
  int64_t members = 0;
  for (size_t i = 0; i < nodes; ++i) {
    if (modes[i] < 0 || modes[i] > branch_member)
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "nodes_modes[", i, "] is ", modes[i], ", expected 0 (LEQ) to 6 (MEMBER)");
    members += modes[i] == branch_member;
    if (features[i] < 0) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "nodes_featureids[", i, "] is negative");
    for (bool side : {true, false}) {
      const int64_t child = a.get_ints(side ? "nodes_truenodeids" : "nodes_falsenodeids")[i];
      const bool leaf = a.get_ints(side ? "nodes_trueleafs" : "nodes_falseleafs")[i] != 0;
      if (child < 0 || child >= int64_t(leaf ? leaves : nodes))
        return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, side ? "nodes_truenodeids[" : "nodes_falsenodeids[", i, "] is ", child,
                              ", outside the ", leaf ? leaves : nodes, leaf ? " leaves" : " nodes");
    }
  }
  int64_t separators = 0;
  for (float v : a.get_floats("membership_values")) separators += std::isnan(v);
  if (separators != members)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "membership_values holds ", separators, " NaN-terminated sets, expected ",
                          members, " (one per MEMBER node)");
  for (int64_t root : a.get_ints("tree_roots"))
    if (root < 0 || root >= int64_t(nodes))
      return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "tree_roots holds ", root, ", outside the ", nodes, " nodes");
  if (a.get_ints("tree_roots").empty()) return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'tree_roots' is empty");
  const int64_t aggregate = a.get_int("aggregate_function", 1), post = a.get_int("post_transform", 0);
  if (aggregate < 0 || aggregate > 3)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'aggregate_function' is ", aggregate,
                          ", expected 0 (AVERAGE), 1 (SUM), 2 (MIN) or 3 (MAX)");
  if (post < 0 || post > 4)
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "attribute 'post_transform' is ", post,
                          ", expected 0 (NONE) to 4 (PROBIT)");
  return {};
}

// X [N, F] -> Y [N, n_targets] of X's dtype.
status infer_tree_ensemble(infer_context& ctx) {
  const tensor_type& x = ctx.input(0);
  if (!is_float_dtype(x.dtype))
    return ctx.error_code(MIRT_STATUS_INVALID_GRAPH, "input 0 (X) is ", mirt_dtype_name(x.dtype), ", expected a float type");
  if (x.rank() != 2) return ctx.error("input 0 (X) has rank ", x.rank(), ", expected 2 ([N, features])");
  MIRT_RETURN_IF_ERROR(check_tree_lists(ctx));
  int64_t widest = 0;
  for (int64_t f : ctx.attrs().get_ints("nodes_featureids")) widest = std::max(widest, f + 1);
  if (x.shape[1].known() && x.shape[1].value < widest)
    return ctx.error("input 0 (X) has ", x.shape[1].value, " features, but the trees read feature ", widest - 1);
  ctx.output(0) = tensor_type{x.dtype, dims{x.shape[0], extent(ctx.attrs().get_int("n_targets", 1))}, true, std::nullopt};
  return {};
}

}  // namespace

void add_tree_ensemble_schemas(schema_table& table) {
  const mirt_attribute_type ints = MIRT_ATTRIBUTE_TYPE_INTS, floats = MIRT_ATTRIBUTE_TYPE_FLOATS;
  op_schema tree = make_schema("TreeEnsemble", 1, 1, 1, 1,
                               {{"aggregate_function", MIRT_ATTRIBUTE_TYPE_INT},
                                {"leaf_targetids", ints, true},
                                {"leaf_weights", floats, true},
                                {"membership_values", floats},
                                {"n_targets", MIRT_ATTRIBUTE_TYPE_INT},
                                {"nodes_falseleafs", ints, true},
                                {"nodes_falsenodeids", ints, true},
                                {"nodes_featureids", ints, true},
                                {"nodes_hitrates", floats},
                                {"nodes_missing_value_tracks_true", ints},
                                {"nodes_modes", ints, true},
                                {"nodes_splits", floats, true},
                                {"nodes_trueleafs", ints, true},
                                {"nodes_truenodeids", ints, true},
                                {"post_transform", MIRT_ATTRIBUTE_TYPE_INT},
                                {"tree_roots", ints, true}},
                               infer_tree_ensemble);
  tree.domain = "ai.onnx.ml";
  table.add(std::move(tree));
}

}  // namespace mirt
