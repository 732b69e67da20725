// backends/cuda/ops/cumulative.cpp — CumSum and CumProd with ONNX's exclusive and reverse flags.
// The axis input must be a constant (exporters write one): it is read once, at kernel creation.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/cumulative.hpp"

namespace mirt::cuda {
namespace {

class cumulative_kernel final : public kernel {
 public:
  explicit cumulative_kernel(cumulative_params base, int64_t axis) : base_(base), axis_(axis) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    cumulative_params p = base_;
    p.dtype = x.dtype, p.x = x.data, p.y = y.data;
    p.outer = product(x.shape, 0, axis), p.n = x.shape[axis], p.inner = product(x.shape, axis + 1);
    throw_if_failed(launch_cumulative(p, args.stream));
  }

 private:
  cumulative_params base_;
  int64_t axis_;
};

bool cumulative_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64,
                                MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why))
    return false;
  const auto axis = node.constant_ints(1);
  if (!axis || axis->size() != 1) {
    why = "input 1 (axis) must be a constant holding one value";
    return false;
  }
  return true;
}

std::unique_ptr<kernel> make_cumulative(const node_view& node, bool product) {
  cumulative_params p;
  p.product = product;
  p.exclusive = node.attr_int("exclusive", 0) != 0;
  p.reverse = node.attr_int("reverse", 0) != 0;
  return std::make_unique<cumulative_kernel>(p, node.constant_ints(1)->at(0));
}

}  // namespace

void add_cumulative_ops(std::vector<op_entry>& t) {
  t.push_back({"CumSum", "cuda_scan_lines", cumulative_supports, [](const node_view& node) { return make_cumulative(node, false); }});
  t.push_back({"CumProd", "cuda_scan_lines", cumulative_supports, [](const node_view& node) { return make_cumulative(node, true); }});
}

}  // namespace mirt::cuda
