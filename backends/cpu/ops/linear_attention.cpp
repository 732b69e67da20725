// backends/cpu/ops/linear_attention.cpp — LinearAttention: a recurrent state S [dk, dv] per batch
// entry and kv head, updated at each step t by the update rule, then read by the query heads that
// share the kv head (grouped-query attention):
//   gated:  S = diag(exp(decay_t)) S          (decay per key row, or one per head)
//   delta:  w = beta_t (v_t - S^T k_t), else w = v_t
//   S = S + k_t w^T;  output_t = scale q_t^T S (scale defaults to 1/sqrt(dk))
// State and sums are kept in double; outputs are rounded to the input type.
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class linear_attention_kernel final : public kernel {
 public:
  explicit linear_attention_kernel(const node_view& node)
      : hq_(node.attr_int("q_num_heads", 1)),
        hkv_(node.attr_int("kv_num_heads", 1)),
        has_scale_(node.has_attr("scale")),
        scale_(node.attr_float("scale", 1)) {
    const std::string rule = node.attr_string("update_rule", "gated_delta");
    gated_ = rule == "gated" || rule == "gated_delta";
    delta_ = rule == "delta" || rule == "gated_delta";
  }

  void execute(const exec_args& args) const override {
    const tensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2), &past = args.input(3);
    const tensor &decay = args.input(4), &beta = args.input(5);
    const int64_t batch = q.shape[0], steps = q.shape[1], dk = q.shape[2] / hq_, dv = v.shape[2] / hkv_, group = hq_ / hkv_;
    const int64_t decay_per_head = gated_ ? decay.shape[2] / hkv_ : 0;
    if (gated_ && decay.shape[2] != hkv_ && decay.shape[2] != hkv_ * dk)
      fail(MIRT_STATUS_INVALID_SHAPE, "decay has shape ", dims_string(decay.shape), ", expected last dim kv_num_heads (",
           hkv_, ") or kv_num_heads * dk (", hkv_ * dk, ")");
    if (delta_ && beta.shape[2] != hkv_ && beta.shape[2] != 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "beta has shape ", dims_string(beta.shape), ", expected last dim kv_num_heads (",
           hkv_, ") or 1");
    const double scale = has_scale_ ? double(scale_) : 1.0 / std::sqrt(double(dk));
    dispatch_float(q.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      auto at = [](const tensor& x, int64_t b, int64_t t, int64_t i) {
        return double(load(x.as<const T>()[(b * x.shape[1] + t) * x.shape[2] + i]));
      };
      T* out = args.out.at(0).as<T>();
      T* present = args.out.size() > 1 ? args.out[1].as<T>() : nullptr;
      std::vector<double> s(static_cast<size_t>(dk * dv)), w(static_cast<size_t>(dv));
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t h = 0; h < hkv_; ++h) {
          const int64_t bh = (b * hkv_ + h) * dk * dv;
          for (int64_t i = 0; i < dk * dv; ++i) s[size_t(i)] = past.present() ? double(load(past.as<const T>()[bh + i])) : 0.0;
          for (int64_t t = 0; t < steps; ++t) {
            if (gated_)
              for (int64_t i = 0; i < dk; ++i) {
                const double g = std::exp(at(decay, b, t, h * decay_per_head + (decay_per_head == 1 ? 0 : i)));
                for (int64_t j = 0; j < dv; ++j) s[size_t(i * dv + j)] *= g;
              }
            const double bt = delta_ ? at(beta, b, t, beta.shape[2] == 1 ? 0 : h) : 1.0;
            for (int64_t j = 0; j < dv; ++j) {
              double read = 0;
              if (delta_)
                for (int64_t i = 0; i < dk; ++i) read += s[size_t(i * dv + j)] * at(k, b, t, h * dk + i);
              w[size_t(j)] = bt * (at(v, b, t, h * dv + j) - read);
            }
            for (int64_t i = 0; i < dk; ++i) {
              const double ki = at(k, b, t, h * dk + i);
              for (int64_t j = 0; j < dv; ++j) s[size_t(i * dv + j)] += ki * w[size_t(j)];
            }
            for (int64_t g = h * group; g < (h + 1) * group; ++g)
              for (int64_t j = 0; j < dv; ++j) {
                double sum = 0;
                for (int64_t i = 0; i < dk; ++i) sum += at(q, b, t, g * dk + i) * s[size_t(i * dv + j)];
                out[(b * steps + t) * hq_ * dv + g * dv + j] = store<T>(compute_type<T>(scale * sum));
              }
          }
          if (present)
            for (int64_t i = 0; i < dk * dv; ++i) present[bh + i] = store<T>(compute_type<T>(s[size_t(i)]));
        }
    });
  }

 private:
  int64_t hq_, hkv_;
  bool has_scale_;
  float scale_;
  bool gated_ = true, delta_ = true;
};

}  // namespace

void add_linear_attention_ops(std::vector<op_entry>& t) {
  t.push_back({"LinearAttention", "ref_linear_attention",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<linear_attention_kernel>(node); }});
}

}  // namespace mirt::cpu
