// backends/cuda/ops/reverse_sequence.cpp — ReverseSequence (batch_axis and time_axis 0 and 1, one
// each) on any dtype; sequence_lens int32 or int64, read on the device.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/reverse_sequence.hpp"

namespace mirt::cuda {
namespace {

class reverse_sequence_kernel final : public kernel {
 public:
  explicit reverse_sequence_kernel(bool time_major) : time_major_(time_major) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &lens = args.in.at(1), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has rank ", x.rank(), ", expected at least 2");
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    reverse_sequence_params p;
    p.time_major = time_major_;
    p.steps = x.shape[time_major_ ? 0 : 1];
    p.batch = x.shape[time_major_ ? 1 : 0];
    p.inner = product(x.shape, 2);
    if (lens.numel() != p.batch)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "sequence_lens has ", lens.numel(), " entries, the batch dim is ", p.batch);
    p.x = x.data, p.y = y.data, p.lens = lens.data;
    p.lens_int64 = lens.dtype == MIRT_DTYPE_INT64;
    p.element_size = dtype_size(x.dtype);
    throw_if_failed(launch_reverse_sequence(p, args.stream));
  }

 private:
  bool time_major_;
};

bool reverse_sequence_supports(const node_view& node, std::string& why) {
  const size_t es = dtype_size(node.input_dtype(0));
  if (es != 1 && es != 2 && es != 4 && es != 8) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_reverse_sequence_ops(std::vector<op_entry>& t) {
  t.push_back({"ReverseSequence", "cuda_reverse_sequence", reverse_sequence_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t batch_axis = node.attr_int("batch_axis", 1), time_axis = node.attr_int("time_axis", 0);
                 if ((batch_axis != 0 && batch_axis != 1) || (time_axis != 0 && time_axis != 1) || batch_axis == time_axis)
                   fail(MIRT_STATUS_INVALID_GRAPH, "batch_axis ", batch_axis, " and time_axis ", time_axis, " must be 0 and 1, one each");
                 return std::make_unique<reverse_sequence_kernel>(time_axis == 0);
               }});
}

}  // namespace mirt::cuda
