// backends/cuda/ops/ml_ops.cpp — the ONNX-ML ops Binarizer (threshold; float32, float64, int32,
// int64) and ArrayFeatureExtractor (any dtype; indices int32 or int64), as the cpu backend.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/ml_ops.hpp"

namespace mirt::cuda {
namespace {

class binarizer_kernel final : public kernel {
 public:
  explicit binarizer_kernel(float threshold) : threshold_(threshold) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() != x.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    binarizer_params p;
    p.dtype = x.dtype, p.x = x.data, p.y = y.data, p.n = x.numel(), p.threshold = double(threshold_);
    throw_if_failed(launch_binarizer(p, args.stream));
  }

 private:
  float threshold_;
};

class feature_extract_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &picks = args.in.at(1), &y = args.out.at(0);
    if (x.rank() == 0) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 is a scalar; it needs a last axis");
    feature_extract_params p;
    p.last = x.shape.back();
    p.rows = p.last > 0 ? x.numel() / p.last : 0;
    p.count = picks.numel();
    if (y.numel() != p.rows * p.count)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold ", p.rows, " rows of ", p.count, " picks");
    p.x = x.data, p.picks = picks.data, p.y = y.data;
    p.picks_int64 = picks.dtype == MIRT_DTYPE_INT64;
    p.element_size = dtype_size(x.dtype);
    throw_if_failed(launch_feature_extract(p, args.stream));
  }
};

}  // namespace

void add_ml_ops(std::vector<op_entry>& t) {
  t.push_back({"Binarizer", "cuda_binarizer",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<binarizer_kernel>(node.attr_float("threshold", 0.0f));
               }});
  t.push_back({"ArrayFeatureExtractor", "cuda_array_feature_extractor",
               [](const node_view& node, std::string& why) {
                 const size_t es = dtype_size(node.input_dtype(0));
                 if (es != 1 && es != 2 && es != 4 && es != 8) {
                   why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<feature_extract_kernel>(); }});
}

}  // namespace mirt::cuda
