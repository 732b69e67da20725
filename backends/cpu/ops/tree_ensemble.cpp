// backends/cpu/ops/tree_ensemble.cpp — the ONNX-ML TreeEnsemble (opset 5): each row walks every
// tree from its root to a leaf, and the leaves' weights are aggregated per target (average, sum,
// min, max), then post-transformed (none, softmax, logistic, softmax-zero, probit). Splits and set
// members arrive as float32 attributes (the parser rounds float64 tensors), so features are
// compared in float32; sums are kept in double. The schema has checked every index.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class mode : int64_t { leq, lt, gte, gt, eq, neq, member };
enum class aggregate : int64_t { average, sum, min, max };
enum class post : int64_t { none, softmax, logistic, softmax_zero, probit };

struct tree_node {
  int64_t feature = 0;
  mode how = mode::leq;
  float split = 0;
  bool missing_true = false;
  int64_t child[2] = {0, 0};  // [false, true]: a node index, or ~leaf for a leaf
  size_t members_begin = 0, members_end = 0;
};

std::vector<float> floats_of(const node_view& node, const char* name) {
  const mirt_attribute* a = node.find(name);
  return a && a->floats ? std::vector<float>(a->floats, a->floats + a->count) : std::vector<float>{};
}

// The inverse of the standard normal CDF, by Newton steps on erf (for PROBIT); NaN outside [0, 1].
double probit(double p) {
  if (!(p >= 0 && p <= 1)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  double z = 0;
  for (int i = 0; i < 60; ++i) {
    const double err = 0.5 * std::erfc(-z / std::sqrt(2.0)) - p, slope = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    const double step = err / slope;
    z -= step;
    if (std::abs(step) < 1e-14 * std::max(1.0, std::abs(z))) break;
  }
  return z;
}

template <class T>
double largest() {
  if constexpr (std::is_same_v<T, double>) return std::numeric_limits<double>::max();
  else if constexpr (std::is_same_v<T, half_t>) return 65504.0;
  else if constexpr (std::is_same_v<T, bfloat16_t>) return 3.3895313892515355e38;
  else return std::numeric_limits<float>::max();
}

class tree_ensemble_kernel final : public kernel {
 public:
  explicit tree_ensemble_kernel(const node_view& node)
      : targets_(node.attr_int("n_targets", 1)),
        aggregate_(aggregate(node.attr_int("aggregate_function", 1))),
        post_(post(node.attr_int("post_transform", 0))),
        roots_(node.attr_ints("tree_roots", {})),
        leaf_targets_(node.attr_ints("leaf_targetids", {})),
        leaf_weights_(floats_of(node, "leaf_weights")) {
    const std::vector<int64_t> features = node.attr_ints("nodes_featureids", {}), modes = node.attr_ints("nodes_modes", {});
    const std::vector<int64_t> true_ids = node.attr_ints("nodes_truenodeids", {}), false_ids = node.attr_ints("nodes_falsenodeids", {});
    const std::vector<int64_t> true_leaf = node.attr_ints("nodes_trueleafs", {}), false_leaf = node.attr_ints("nodes_falseleafs", {});
    const std::vector<int64_t> missing = node.attr_ints("nodes_missing_value_tracks_true", {});
    const std::vector<float> splits = floats_of(node, "nodes_splits"), members = floats_of(node, "membership_values");
    size_t next_member = 0;
    for (size_t i = 0; i < features.size(); ++i) {
      tree_node n;
      n.feature = features[i], n.how = mode(modes[i]), n.split = splits[i], n.missing_true = !missing.empty() && missing[i] != 0;
      n.child[1] = true_leaf[i] ? ~true_ids[i] : true_ids[i];
      n.child[0] = false_leaf[i] ? ~false_ids[i] : false_ids[i];
      if (n.how == mode::member) {  // the next NaN-terminated run of membership_values
        n.members_begin = members_.size();
        while (next_member < members.size() && !std::isnan(members[next_member])) members_.push_back(members[next_member++]);
        ++next_member;  // past the NaN
        n.members_end = members_.size();
      }
      nodes_.push_back(n);
    }
    // A root whose both branches are the same leaf is itself that leaf (the ONNX reference's rule).
    for (int64_t& r : roots_) {
      const tree_node& n = nodes_[size_t(r)];
      if (n.child[0] < 0 && n.child[0] == n.child[1]) r = ~r;
    }
  }

  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const int64_t rows = x.shape[0], features = x.shape[1];
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      T* py = args.out.at(0).as<T>();
      std::vector<double> acc(static_cast<size_t>(targets_));
      for (int64_t r = 0; r < rows; ++r) {
        // MIN and MAX start at the extremes of X's dtype (a target no leaf reaches keeps it).
        const double start = aggregate_ == aggregate::min ? largest<T>() : aggregate_ == aggregate::max ? -largest<T>() : 0.0;
        std::fill(acc.begin(), acc.end(), start);
        for (int64_t root : roots_) {
          const int64_t leaf = walk(root, [&](int64_t f) { return float(load(px[r * features + f])); });
          const double w = leaf_weights_[size_t(leaf)];
          double& a = acc[size_t(leaf_targets_[size_t(leaf)])];
          if (aggregate_ == aggregate::min) a = std::min(a, w);
          else if (aggregate_ == aggregate::max) a = std::max(a, w);
          else a += aggregate_ == aggregate::average ? w / double(roots_.size()) : w;
        }
        transform(acc);
        for (int64_t t = 0; t < targets_; ++t) py[r * targets_ + t] = store<T>(compute_type<T>(acc[size_t(t)]));
      }
    });
  }

 private:
  // The leaf a row reaches from root (a node index, or ~leaf for a one-leaf tree).
  template <class Feature>
  int64_t walk(int64_t at, const Feature& feature) const {
    for (size_t steps = 0; at >= 0; ++steps) {
      if (steps > nodes_.size()) fail(MIRT_STATUS_INVALID_ARGUMENT, "the trees hold a cycle through node ", at);
      const tree_node& n = nodes_[size_t(at)];
      const float v = feature(n.feature);
      bool go = std::isnan(v) && n.missing_true;
      if (!go) switch (n.how) {
          case mode::leq: go = v <= n.split; break;
          case mode::lt: go = v < n.split; break;
          case mode::gte: go = v >= n.split; break;
          case mode::gt: go = v > n.split; break;
          case mode::eq: go = v == n.split; break;
          case mode::neq: go = v != n.split; break;
          case mode::member: go = std::find(members_.begin() + long(n.members_begin), members_.begin() + long(n.members_end), v) !=
                                  members_.begin() + long(n.members_end); break;
        }
      at = n.child[go ? 1 : 0];
    }
    return ~at;
  }

  void transform(std::vector<double>& v) const {
    if (post_ == post::logistic)
      for (double& s : v) s = 1 / (1 + std::exp(-s));
    else if (post_ == post::probit)
      for (double& s : v) s = probit(s);
    else if (post_ == post::softmax || post_ == post::softmax_zero) {
      // SOFTMAX_ZERO leaves zeros at zero and normalises the rest.
      double top = std::numeric_limits<double>::lowest(), sum = 0;
      for (double s : v) top = std::max(top, s);
      for (double& s : v) s = post_ == post::softmax_zero && s == 0 ? 0 : std::exp(s - top), sum += s;
      for (double& s : v) s = sum > 0 ? s / sum : 0;
    }
  }

  int64_t targets_;
  aggregate aggregate_;
  post post_;
  std::vector<int64_t> roots_, leaf_targets_;
  std::vector<float> leaf_weights_, members_;
  std::vector<tree_node> nodes_;
};

}  // namespace

void add_tree_ensemble_ops(std::vector<op_entry>& t) {
  t.push_back({"TreeEnsemble", "ref_tree_ensemble",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<tree_ensemble_kernel>(node); }});
}

}  // namespace mirt::cpu
