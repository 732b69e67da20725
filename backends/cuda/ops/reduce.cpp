// backends/cuda/ops/reduce.cpp — Reduce* with axes as attribute or (constant or device) input,
// keepdims and noop_with_empty_axes.
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/reduce.hpp"

namespace mirt::cuda {
namespace {

reduce_op op_of(const std::string& op) {
  if (op == "ReduceSum") return reduce_op::sum;
  if (op == "ReduceMean") return reduce_op::mean;
  if (op == "ReduceMax") return reduce_op::max;
  if (op == "ReduceMin") return reduce_op::min;
  if (op == "ReduceProd") return reduce_op::prod;
  if (op == "ReduceL1") return reduce_op::l1;
  if (op == "ReduceL2") return reduce_op::l2;
  if (op == "ReduceLogSum") return reduce_op::log_sum;
  if (op == "ReduceLogSumExp") return reduce_op::log_sum_exp;
  return reduce_op::sum_square;
}

class reduce_kernel final : public kernel {
 public:
  explicit reduce_kernel(const node_view& node)
      : op_(op_of(node.op_type())),
        noop_(node.attr_int("noop_with_empty_axes", 0) != 0),
        attr_axes_(node.attr_ints("axes")),
        const_axes_(node.constant_ints(1)) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    dims axes = args.input(1).present() || const_axes_ ? read_int_input(args, 1, const_axes_ ? &*const_axes_ : nullptr, "axes")
                                                       : attr_axes_.value_or(dims{});
    std::vector<bool> reduced(x.rank(), false);
    if (axes.empty() && !noop_) reduced.assign(x.rank(), true);
    for (int64_t a : axes) reduced[size_t(normalize_axis(a, x.rank(), "axes entry"))] = true;
    const dims strides = dense_strides(x.shape);
    dims kept_shape, kept_strides, red_shape, red_strides;
    for (size_t d = 0; d < x.rank(); ++d) {
      (reduced[d] ? red_shape : kept_shape).push_back(x.shape[d]);
      (reduced[d] ? red_strides : kept_strides).push_back(strides[d]);
    }
    reduce_params p;
    p.op = op_;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.outputs = product(kept_shape);
    p.count = product(red_shape);
    if (p.outputs != y.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not match the reduction of ", dims_string(x.shape));
    p.kept = make_map<1>(kept_shape, {kept_strides});
    p.reduced = make_map<1>(red_shape, {red_strides});
    throw_if_failed(launch_reduce(p, args.stream));
  }

 private:
  reduce_op op_;
  bool noop_;
  std::optional<dims> attr_axes_;
  std::optional<std::vector<int64_t>> const_axes_;
};

bool numeric(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}
bool float_only(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64}, why);
}

}  // namespace

void add_reduce_ops(std::vector<op_entry>& t) {
  auto create = [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<reduce_kernel>(node); };
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceSumSquare"})
    t.push_back({op, "cuda_reduce_warp_per_output", numeric, create});
  for (const char* op : {"ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}) t.push_back({op, "cuda_reduce_warp_per_output", float_only, create});
}

}  // namespace mirt::cuda
