// tests/core/graph/tree_ensemble_test.cpp — inference of the ONNX-ML TreeEnsemble: [N, n_targets]
// of X's dtype, and refusals (naming the attribute) of node, leaf and tree lists that disagree.
#include <functional>

#include "tests/core/graph/infer_support.hpp"

using namespace graph_test;

namespace {

attribute floats(const char* name, std::vector<float> v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(v), {}}; }

// One tree: node 0 (feature 1 <= 0.5) to leaves 0 (true) and 1 (false); `change` edits the list.
std::vector<attribute> tree(const std::function<void(std::vector<attribute>&)>& change = {}) {
  std::vector<attribute> a = {attr_ints("nodes_featureids", {1}), attr_ints("nodes_modes", {0}), floats("nodes_splits", {0.5f}),
                              attr_ints("nodes_truenodeids", {0}), attr_ints("nodes_falsenodeids", {1}),
                              attr_ints("nodes_trueleafs", {1}), attr_ints("nodes_falseleafs", {1}),
                              attr_ints("leaf_targetids", {0, 2}), floats("leaf_weights", {1, 2}),
                              attr_ints("tree_roots", {0}), attr_int("n_targets", 3)};
  if (change) change(a);
  return a;
}

void set(std::vector<attribute>& list, attribute a) {
  for (attribute& old : list)
    if (old.name == a.name) old = a;
}


}  // namespace

TEST_SUITE("schemas") {

TEST_CASE("TreeEnsemble infers [N, n_targets] and refuses lists that disagree") {
  auto ok = infer_in("ai.onnx.ml", "TreeEnsemble", {typed(MIRT_DTYPE_FLOAT64, "n,4")}, tree());
  REQUIRE_INFERRED(ok);
  CHECK(ok.out().dtype == MIRT_DTYPE_FLOAT64);
  CHECK(same_dims(ok.out().shape, "n,3"));
  auto lengths = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_ints("nodes_modes", {0, 1})); }));
  CHECK_FAILS_WITH(lengths, MIRT_STATUS_INVALID_GRAPH, "attribute 'nodes_modes' has 2 values, expected 1");
  auto child = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_ints("nodes_falsenodeids", {2})); }));
  CHECK_FAILS_WITH(child, MIRT_STATUS_INVALID_GRAPH, "nodes_falsenodeids[0] is 2, outside the 2 leaves");
  auto target = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_int("n_targets", 2)); }));
  CHECK_FAILS_WITH(target, MIRT_STATUS_INVALID_GRAPH, "leaf_targetids holds 2, outside [0, n_targets = 2)");
  auto members = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_ints("nodes_modes", {6})); }));
  CHECK_FAILS_WITH(members, MIRT_STATUS_INVALID_GRAPH, "membership_values holds 0 NaN-terminated sets, expected 1");
  auto mode = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_ints("nodes_modes", {7})); }));
  CHECK_FAILS_WITH(mode, MIRT_STATUS_INVALID_GRAPH, "nodes_modes[0] is 7");
  auto root = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, tree([](auto& a) { set(a, attr_ints("tree_roots", {1})); }));
  CHECK_FAILS_WITH(root, MIRT_STATUS_INVALID_GRAPH, "tree_roots holds 1, outside the 1 nodes");
  auto narrow = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,1")}, tree());
  CHECK_FAILS_WITH(narrow, MIRT_STATUS_INVALID_SHAPE, "has 1 features, but the trees read feature 1");
  auto missing = infer_in("ai.onnx.ml", "TreeEnsemble", {f32("2,4")}, {attr_ints("nodes_featureids", {1})});
  CHECK_FALSE(missing.ok());
  CHECK(missing.message().find("TreeEnsemble 'layer'") != std::string::npos);
}

}  // TEST_SUITE
