// backends/cpu/ops/channel_norms.cpp — LpNormalization, MeanVarianceNormalization,
// GroupNormalization and LRN, float32/float64/float16 (16-bit types computed in float32);
// statistics accumulate in double.
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// Calls f(type_tag<T>{}) for the float storage type of t.
template <class F>
void for_float(const tensor& t, F&& f) {
  dispatch_float(t.dtype, [&](auto tag) { f(tag); });
}

// x / ||x||_p along one axis (0 where the norm is 0).
class lp_norm_kernel final : public kernel {
 public:
  lp_norm_kernel(int64_t axis, int64_t p) : axis_(axis), p_(p) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    for_float(x, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          double s = 0;
          for (int64_t j = 0; j < n; ++j) {
            const double v = std::fabs(double(load(px[(o * n + j) * inner + i])));
            s += p_ == 1 ? v : v * v;
          }
          const double norm = p_ == 1 ? s : std::sqrt(s);
          for (int64_t j = 0; j < n; ++j) {
            const int64_t at = (o * n + j) * inner + i;
            py[at] = store<T>(norm == 0 ? C(0) : C(double(load(px[at])) / norm));
          }
        }
    });
  }

 private:
  int64_t axis_, p_;
};

// Statistics over an arbitrary set of axes: each element's group is its index over the kept axes.
class mvn_kernel final : public kernel {
 public:
  explicit mvn_kernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t r = x.rank();
    std::vector<bool> reduced(r, false);
    for (int64_t a : axes_) reduced[size_t(normalize_axis(a, r, "attribute 'axes'"))] = true;
    // Group id of each element: its coordinates over the kept dims, row-major.
    const int64_t total = x.numel();
    std::vector<int64_t> group(static_cast<size_t>(total));
    int64_t groups = 1;
    for (size_t d = 0; d < r; ++d)
      if (!reduced[d]) groups *= x.shape[d];
    std::vector<int64_t> idx(r, 0);
    for (int64_t e = 0; e < total; ++e) {
      int64_t g = 0;
      for (size_t d = 0; d < r; ++d)
        if (!reduced[d]) g = g * x.shape[d] + idx[d];
      group[size_t(e)] = g;
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    std::vector<double> sum(static_cast<size_t>(groups), 0.0), sq(static_cast<size_t>(groups), 0.0),
        count(static_cast<size_t>(groups), 0.0);
    for_float(x, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* px = x.as<const T>();
      for (int64_t e = 0; e < total; ++e) {
        const double v = double(load(px[e]));
        sum[size_t(group[size_t(e)])] += v, sq[size_t(group[size_t(e)])] += v * v, count[size_t(group[size_t(e)])] += 1;
      }
      T* py = y.as<T>();
      for (int64_t e = 0; e < total; ++e) {
        const size_t g = size_t(group[size_t(e)]);
        const double mean = sum[g] / count[g], var = std::max(0.0, sq[g] / count[g] - mean * mean);
        py[e] = store<T>(C((double(load(px[e])) - mean) / (std::sqrt(var) + 1e-9)));
      }
    });
  }

 private:
  std::vector<int64_t> axes_;
};

// GroupNormalization: each (n, group) block normalized, then per-channel (or per-group) scale/bias.
class group_norm_kernel final : public kernel {
 public:
  group_norm_kernel(int64_t groups, float eps) : groups_(groups), eps_(eps) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &bias = args.in.at(2), &y = args.out.at(0);
    const int64_t n = x.shape[0], c = x.shape[1], spatial = product(x.shape, 2), per_group = c / groups_;
    const bool per_channel = scale.numel() == c;
    for_float(x, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T *px = x.as<const T>(), *ps = scale.as<const T>(), *pb = bias.as<const T>();
      T* py = y.as<T>();
      for (int64_t b = 0; b < n; ++b)
        for (int64_t g = 0; g < groups_; ++g) {
          const int64_t base = (b * c + g * per_group) * spatial, count = per_group * spatial;
          double s = 0, sq = 0;
          for (int64_t i = 0; i < count; ++i) s += double(load(px[base + i]));
          const double mean = s / double(count);
          for (int64_t i = 0; i < count; ++i) sq += (double(load(px[base + i])) - mean) * (double(load(px[base + i])) - mean);
          const double inv = 1 / std::sqrt(sq / double(count) + double(eps_));
          for (int64_t i = 0; i < count; ++i) {
            const int64_t ch = g * per_group + i / spatial, k = per_channel ? ch : g;
            py[base + i] = store<T>(C((double(load(px[base + i])) - mean) * inv * double(load(ps[k])) + double(load(pb[k]))));
          }
        }
    });
  }

 private:
  int64_t groups_;
  float eps_;
};

// LRN across channels: y = x / (bias + alpha/size * sum of x^2 over the channel window)^beta.
class lrn_kernel final : public kernel {
 public:
  lrn_kernel(float alpha, float beta, float bias, int64_t size) : alpha_(alpha), beta_(beta), bias_(bias), size_(size) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t n = x.shape[0], c = x.shape[1], spatial = product(x.shape, 2);
    const int64_t before = (size_ - 1) / 2, after = size_ / 2;  // floor and ceil of (size - 1) / 2
    for_float(x, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      for (int64_t b = 0; b < n; ++b)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t s = 0; s < spatial; ++s) {
            double sq = 0;
            for (int64_t k = std::max<int64_t>(0, ch - before); k <= std::min(c - 1, ch + after); ++k) {
              const double v = double(load(px[(b * c + k) * spatial + s]));
              sq += v * v;
            }
            const int64_t at = (b * c + ch) * spatial + s;
            py[at] = store<T>(C(double(load(px[at])) / std::pow(double(bias_) + double(alpha_) / double(size_) * sq, double(beta_))));
          }
    });
  }

 private:
  float alpha_, beta_, bias_;
  int64_t size_;
};

bool float_data(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return float_input_at(node, 0, why);
}

}  // namespace

void add_channel_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"LpNormalization", "ref_lp_norm", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t p = node.attr_int("p", 2);
                 if (p != 1 && p != 2) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'p' is ", p, ", expected 1 or 2");
                 return std::make_unique<lp_norm_kernel>(node.attr_int("axis", -1), p);
               }});
  t.push_back({"MeanVarianceNormalization", "ref_mvn", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<mvn_kernel>(node.attr_ints("axes", {0, 2, 3}));
               }});
  t.push_back({"GroupNormalization", "ref_group_norm", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<group_norm_kernel>(node.attr_int("num_groups", 1), node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"LRN", "ref_lrn", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t size = node.attr_int("size", 0);
                 if (size <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'size' is ", size, ", expected positive");
                 return std::make_unique<lrn_kernel>(node.attr_float("alpha", 1e-4f), node.attr_float("beta", 0.75f),
                                                     node.attr_float("bias", 1.0f), size);
               }});
}

}  // namespace mirt::cpu
