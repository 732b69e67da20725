// backends/cpu/ops/slice.cpp — Slice with starts/ends/axes/steps inputs (negative steps, clamping).
#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class slice_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    std::optional<std::vector<int64_t>> axes, steps;
    if (args.input(3).present()) axes = read_int_tensor(args.in[3], "axes");
    if (args.input(4).present()) steps = read_int_tensor(args.in[4], "steps");
    const slice_window w = plan_slice(in.shape, out.shape, read_int_tensor(args.in.at(1), "starts"),
                                      read_int_tensor(args.in.at(2), "ends"), std::move(axes), std::move(steps));
    if (out.numel() == 0) return;
    const size_t es = dtype_size(in.dtype);
    strided_copy(static_cast<const uint8_t*>(in.data) + w.offset * int64_t(es), out.data, es, out.shape, w.strides);
  }
};

bool slice_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

}  // namespace

void add_slice_ops(std::vector<op_entry>& t) {
  t.push_back({"Slice", "ref_slice", slice_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<slice_kernel>();
               }});
}

}  // namespace mirt::cpu
