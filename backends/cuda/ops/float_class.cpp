// backends/cuda/ops/float_class.cpp — IsNaN and IsInf (detect_negative, detect_positive): the
// masks exporters put around softmax and attention to zero NaN rows.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/float_class.hpp"

namespace mirt::cuda {
namespace {

class float_class_kernel final : public kernel {
 public:
  explicit float_class_kernel(float_class_params base) : base_(base) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.numel() != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " and output ", dims_string(y.shape), " differ");
    float_class_params p = base_;
    p.dtype = x.dtype, p.x = x.data, p.y = y.as<uint8_t>(), p.n = y.numel();
    throw_if_failed(launch_float_class(p, args.stream));
  }

 private:
  float_class_params base_;
};

bool float_class_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64}, why);
}

}  // namespace

void add_float_class_ops(std::vector<op_entry>& t) {
  t.push_back({"IsNaN", "cuda_float_class", float_class_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 float_class_params p;
                 p.nan = true;
                 return std::make_unique<float_class_kernel>(p);
               }});
  t.push_back({"IsInf", "cuda_float_class", float_class_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 float_class_params p;
                 p.negative_inf = node.attr_int("detect_negative", 1) != 0;
                 p.positive_inf = node.attr_int("detect_positive", 1) != 0;
                 return std::make_unique<float_class_kernel>(p);
               }});
}

}  // namespace mirt::cuda
