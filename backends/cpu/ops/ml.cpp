// backends/cpu/ops/ml.cpp — the ONNX-ML ops: Binarizer (1 where X > threshold, else 0) and
// ArrayFeatureExtractor (elements of X's last axis picked by an index list).
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class binarizer_kernel final : public kernel {
 public:
  explicit binarizer_kernel(float threshold) : threshold_(threshold) {}
  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    dispatch_numeric(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      T* py = args.out.at(0).as<T>();
      for (int64_t i = 0; i < x.numel(); ++i) py[i] = double(px[i]) > double(threshold_) ? T(1) : T(0);
    });
  }

 private:
  float threshold_;
};

class array_feature_extractor_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const std::vector<int64_t> picks = read_int_tensor(args.in.at(1), "Y");
    const int64_t last = x.shape.back(), rows = x.numel() / std::max<int64_t>(last, 1), size = int64_t(dtype_size(x.dtype));
    for (int64_t p : picks)
      if (p < 0 || p >= last) fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", p, " is outside X's last axis of ", last);
    const auto* src = x.as<const uint8_t>();
    auto* dst = args.out.at(0).as<uint8_t>();
    for (int64_t r = 0; r < rows; ++r)
      for (size_t k = 0; k < picks.size(); ++k)
        std::memcpy(dst + (r * int64_t(picks.size()) + int64_t(k)) * size, src + (r * last + picks[k]) * size, size_t(size));
  }
};

}  // namespace

void add_ml_ops(std::vector<op_entry>& t) {
  t.push_back({"Binarizer", "ref_binarizer",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<binarizer_kernel>(node.attr_float("threshold", 0.0f));
               }});
  t.push_back({"ArrayFeatureExtractor", "ref_array_feature_extractor",
               [](const node_view& node, std::string& why) {
                 return dtype_size(node.input_dtype(0)) > 0 && input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<array_feature_extractor_kernel>(); }});
}

}  // namespace mirt::cpu
