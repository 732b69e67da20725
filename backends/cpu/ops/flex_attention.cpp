// backends/cpu/ops/flex_attention.cpp — FlexAttention (ai.onnx.preview) without score or
// probability modifiers: Y = softmax(Q K^T * scale) V per batch and query head, where query head h
// reads key/value head h / (Hq / Hkv). float64 computes in double, the other float types in float32
// (softmax_precision 11 asks for double); scores, softmax and the weighted sum stay in that type.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class flex_attention_kernel final : public kernel {
 public:
  explicit flex_attention_kernel(const node_view& node)
      : scale_(node.has_attr("scale") ? double(node.attr_float("scale", 1.0f)) : -1.0),
        double_softmax_(node.attr_int("softmax_precision", 1) == 11) {}

  void execute(const exec_args& args) const override {
    const tensor &q = args.in.at(0), &k = args.in.at(1), &v = args.in.at(2);
    dispatch_float(q.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if (double_softmax_ || std::is_same_v<T, double>)
        run<T, double>(q, k, v, args.out.at(0));
      else
        run<T, float>(q, k, v, args.out.at(0));
    });
  }

 private:
  template <class T, class C>
  void run(const tensor& q, const tensor& k, const tensor& v, const tensor& y) const {
    const int64_t batch = q.shape[0], heads = q.shape[1], length = q.shape[2], size = q.shape[3];
    const int64_t kv_heads = k.shape[1], steps = k.shape[2], v_size = v.shape[3], group = heads / kv_heads;
    // The default scale is 1/sqrt(head size), taken in float32 as the ONNX reference does.
    const C scale = scale_ >= 0 ? C(scale_) : C(1.0f / std::sqrt(float(size)));
    const T *pq = q.as<const T>(), *pk = k.as<const T>(), *pv = v.as<const T>();
    T* py = y.as<T>();
    std::vector<C> scores(static_cast<size_t>(steps)), acc(static_cast<size_t>(v_size));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < heads; ++h) {
        const T* keys = pk + (b * kv_heads + h / group) * steps * size;
        const T* values = pv + (b * kv_heads + h / group) * steps * v_size;
        for (int64_t l = 0; l < length; ++l) {
          const T* query = pq + ((b * heads + h) * length + l) * size;
          C top = -std::numeric_limits<C>::infinity();
          for (int64_t s = 0; s < steps; ++s) {
            C dot = 0;
            for (int64_t e = 0; e < size; ++e) dot += C(load(query[e])) * C(load(keys[s * size + e]));
            scores[size_t(s)] = dot * scale;
            top = std::max(top, scores[size_t(s)]);
          }
          C sum = 0;
          for (C& s : scores) s = std::exp(s - top), sum += s;
          std::fill(acc.begin(), acc.end(), C(0));
          for (int64_t s = 0; s < steps; ++s) {
            const C p = scores[size_t(s)] / sum;
            for (int64_t e = 0; e < v_size; ++e) acc[size_t(e)] += p * C(load(values[s * v_size + e]));
          }
          T* out = py + ((b * heads + h) * length + l) * v_size;
          for (int64_t e = 0; e < v_size; ++e) out[e] = store<T>(compute_type<T>(acc[size_t(e)]));
        }
      }
  }

  double scale_;  // < 0: the default
  bool double_softmax_;
};

}  // namespace

void add_flex_attention_ops(std::vector<op_entry>& t) {
  t.push_back({"FlexAttention", "ref_flex_attention",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<flex_attention_kernel>(node); }});
}

}  // namespace mirt::cpu
