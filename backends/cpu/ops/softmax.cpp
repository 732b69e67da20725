// backends/cpu/ops/softmax.cpp — Softmax and LogSoftmax along one axis (opset 13 semantics).
#include <cmath>
#include <limits>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class softmax_kernel final : public kernel {
 public:
  softmax_kernel(int64_t axis, bool log) : axis_(axis), log_(log) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    const float* px = x.as<const float>();
    float* py = y.as<float>();
    // Strided along the axis; the max is subtracted first so exp never overflows.
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const float* src = px + o * n * inner + i;
        float* dst = py + o * n * inner + i;
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t k = 0; k < n; ++k) m = std::max(m, src[k * inner]);
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += std::exp(double(src[k * inner] - m));
        if (log_) {
          const double lse = std::log(sum);
          for (int64_t k = 0; k < n; ++k) dst[k * inner] = float(double(src[k * inner] - m) - lse);
        } else {
          const double inv = 1.0 / sum;
          for (int64_t k = 0; k < n; ++k) dst[k * inner] = float(std::exp(double(src[k * inner] - m)) * inv);
        }
      }
  }

 private:
  int64_t axis_;
  bool log_;
};

bool float_input(const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why); }

}  // namespace

void add_softmax_ops(std::vector<op_entry>& t) {
  t.push_back({"Softmax", "ref_softmax", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), false);
               }});
  t.push_back({"LogSoftmax", "ref_softmax", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), true);
               }});
}

}  // namespace mirt::cpu
