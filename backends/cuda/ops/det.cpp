// backends/cuda/ops/det.cpp — Det on float32, float64, float16 and bfloat16 (LU in double, the
// matrices copied into the workspace).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/det.hpp"

namespace mirt::cuda {
namespace {

class det_kernel final : public kernel {
 public:
  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    return in.empty() ? 0 : size_t(product(in[0])) * sizeof(double);
  }
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2 || x.shape[x.rank() - 1] != x.shape[x.rank() - 2])
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected square matrices in its last two dims");
    det_params p;
    p.n = x.shape[x.rank() - 1];
    p.mats = product(x.shape, 0, x.rank() - 2);
    if (p.mats != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not match input ", dims_string(x.shape));
    const size_t need = size_t(x.numel()) * sizeof(double);
    if (need > 0 && (args.workspace == nullptr || args.workspace_size < need))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "Det needs ", need, " bytes of workspace, the call has ", args.workspace_size);
    p.dtype = x.dtype, p.x = x.data, p.y = y.data, p.work = static_cast<double*>(args.workspace);
    throw_if_failed(launch_det(p, args.stream));
  }
};

}  // namespace

void add_det_ops(std::vector<op_entry>& t) {
  t.push_back({"Det", "cuda_det",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<det_kernel>(); }});
}

}  // namespace mirt::cuda
