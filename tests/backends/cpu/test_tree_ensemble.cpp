// tests/backends/cpu/test_tree_ensemble.cpp — the ONNX-ML TreeEnsemble against a reference written
// here: a forest of three two-level trees using every node mode (set membership included) and
// missing-value tracking, each aggregate function and post transform, computed in double.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

attr floats(const std::string& name, std::vector<float> v) { return {name, MIRT_ATTRIBUTE_TYPE_FLOATS, {}, std::move(v), {}}; }

// Tree t: node 3t branches to nodes 3t+1 (true) and 3t+2 (false), which branch to leaves 4t..4t+3.
struct forest {
  static constexpr int64_t trees = 3, nodes = 9, leaves = 12, features = 3, targets = 2;
  std::vector<int64_t> feature, mode, true_ids, false_ids, true_leaf, false_leaf, missing, leaf_target;
  std::vector<float> split, weight, members = {0.25f, -0.5f, NAN, 0.75f, NAN};  // sets of the two MEMBER nodes
  std::vector<std::vector<float>> sets = {{0.25f, -0.5f}, {0.75f}};

  forest() {
    for (int64_t n = 0; n < nodes; ++n) {
      const int64_t t = n / 3, k = n % 3;
      feature.push_back(n % features);
      mode.push_back(n == 4 || n == 8 ? 6 : n % 6);  // LEQ, LT, GTE, GT, EQ, NEQ, and two MEMBER nodes
      split.push_back(k == 0 ? 0.0f : 0.25f * float(k) - 0.5f);
      missing.push_back(n % 2);
      true_ids.push_back(k == 0 ? 3 * t + 1 : 4 * t + 2 * (k - 1));
      false_ids.push_back(k == 0 ? 3 * t + 2 : 4 * t + 2 * (k - 1) + 1);
      true_leaf.push_back(k != 0), false_leaf.push_back(k != 0);
    }
    for (int64_t l = 0; l < leaves; ++l) leaf_target.push_back(l % 3 == 0 ? 1 : 0), weight.push_back(0.5f * float(l) - 2.25f);
  }

  std::vector<attr> attrs(int64_t aggregate, int64_t post) const {
    return {attr_ints("nodes_featureids", feature), attr_ints("nodes_modes", mode), floats("nodes_splits", split),
            attr_ints("nodes_truenodeids", true_ids), attr_ints("nodes_falsenodeids", false_ids),
            attr_ints("nodes_trueleafs", true_leaf), attr_ints("nodes_falseleafs", false_leaf),
            attr_ints("nodes_missing_value_tracks_true", missing), floats("membership_values", members),
            attr_ints("leaf_targetids", leaf_target), floats("leaf_weights", weight), attr_ints("tree_roots", {0, 3, 6}),
            attr_i("n_targets", targets), attr_i("aggregate_function", aggregate), attr_i("post_transform", post)};
  }

  bool branch(int64_t n, double v) const {
    if (std::isnan(v) && missing[size_t(n)]) return true;
    const double s = split[size_t(n)];
    switch (mode[size_t(n)]) {
      case 0: return v <= s;
      case 1: return v < s;
      case 2: return v >= s;
      case 3: return v > s;
      case 4: return v == s;
      case 5: return v != s;
      default: {
        const auto& set = sets[n == 4 ? 0 : 1];
        return std::find(set.begin(), set.end(), float(v)) != set.end();
      }
    }
  }

  int64_t leaf_of(int64_t t, const float* row) const {
    const int64_t root = 3 * t, mid = branch(root, row[feature[size_t(root)]]) ? true_ids[size_t(root)] : false_ids[size_t(root)];
    return branch(mid, row[feature[size_t(mid)]]) ? true_ids[size_t(mid)] : false_ids[size_t(mid)];
  }
};

// Bisection, independent of the kernel's Newton steps; NaN outside [0, 1], infinite at its ends.
double inverse_normal_cdf(double p) {
  if (!(p >= 0 && p <= 1)) return NAN;
  if (p == 0 || p == 1) return p == 0 ? -INFINITY : INFINITY;
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("TreeEnsemble: every node mode, missing values, each aggregate function and post transform") {
  const forest f;
  const int64_t rows = 16;
  auto x = random_floats(rows * forest::features, -1, 1, 101);
  int64_t finite_probits = 0;
  x[0] = NAN, x[4] = NAN, x[8] = 0.25f, x[9] = -0.5f, x[10] = 0.75f, x[13] = 0.0f, x[14] = -0.25f;  // missing, members, on splits
  for (int64_t aggregate = 0; aggregate < 4; ++aggregate)
    for (int64_t post = 0; post < 5; ++post) {
      CAPTURE(aggregate);
      CAPTURE(post);
      std::vector<double> want;
      for (int64_t r = 0; r < rows; ++r) {
        std::vector<double> acc(forest::targets, aggregate == 2 ? double(std::numeric_limits<float>::max())
                                                  : aggregate == 3 ? -double(std::numeric_limits<float>::max()) : 0.0);
        for (int64_t t = 0; t < forest::trees; ++t) {
          const int64_t leaf = f.leaf_of(t, x.data() + r * forest::features);
          double& a = acc[size_t(f.leaf_target[size_t(leaf)])];
          const double w = f.weight[size_t(leaf)];
          a = aggregate == 2 ? std::min(a, w) : aggregate == 3 ? std::max(a, w) : a + (aggregate == 0 ? w / 3 : w);
        }
        if (post == 1 || post == 3) {
          double top = std::max(acc[0], acc[1]), sum = 0;
          for (double& v : acc) v = post == 3 && v == 0 ? 0 : std::exp(v - top), sum += v;
          for (double& v : acc) v /= sum;
        }
        for (double v : acc) want.push_back(post == 2 ? 1 / (1 + std::exp(-v)) : post == 4 ? inverse_normal_cdf(v) : v);
      }
      const auto got = run_f32({"TreeEnsemble", {f32({rows, forest::features}, x)}, {{MIRT_DTYPE_FLOAT32, {rows, forest::targets}}}, f.attrs(aggregate, post)});
      if (post != 4) {
        check_close(got, want, 1e-5);
        continue;
      }
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        CAPTURE(i);
        finite_probits += std::isfinite(want[i]);
        if (std::isfinite(want[i])) CHECK(std::abs(got[i] - want[i]) <= 1e-4 * std::max(1.0, std::abs(want[i])));
        else if (std::isnan(want[i])) CHECK(std::isnan(got[i]));
        else CHECK(got[i] == float(want[i]));
      }
    }
  CHECK(finite_probits > 10);  // sums inside (0, 1) exercise the probit's arithmetic, not only its ends
}

TEST_CASE("TreeEnsemble on float64 input compares features in float32, as its splits are carried") {
  const forest f;
  const std::vector<double> x = {0.1, -0.3, 0.25, -0.5, 0.75, 0.9};
  std::vector<double> want(4, 0.0);
  for (int64_t r = 0; r < 2; ++r) {
    const float row[3] = {float(x[size_t(r * 3)]), float(x[size_t(r * 3 + 1)]), float(x[size_t(r * 3 + 2)])};
    for (int64_t t = 0; t < forest::trees; ++t) {
      const int64_t leaf = f.leaf_of(t, row);
      want[size_t(r * 2 + f.leaf_target[size_t(leaf)])] += f.weight[size_t(leaf)];
    }
  }
  op_result r = run({"TreeEnsemble", {tensor_data::of<double>(MIRT_DTYPE_FLOAT64, {2, 3}, x)}, {{MIRT_DTYPE_FLOAT64, {2, 2}}}, f.attrs(1, 0)});
  REQUIRE(r.code == MIRT_STATUS_OK);
  const auto got = r.outputs[0].values<double>();
  for (size_t i = 0; i < 4; ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
}

}  // TEST_SUITE
