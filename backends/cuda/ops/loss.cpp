// backends/cuda/ops/loss.cpp — NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 13:
// reduction none, sum or mean; weight; ignore_index; SoftmaxCrossEntropyLoss's log_prob output)
// on float32, float64, float16 and bfloat16; targets int32 or int64.
#include <cstdint>
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/loss.hpp"

namespace mirt::cuda {
namespace {

class loss_kernel final : public kernel {
 public:
  loss_kernel(loss_reduction r, std::optional<int64_t> ignore, bool softmax) : reduction_(r), ignore_(ignore), softmax_(softmax) {}

  // The double buffers, plus room to align them (the workspace promises no alignment).
  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    if (in.empty() || in[0].size() < 2) return 0;
    return loss_workspace(in[0][0], in[0][1], product(in[0], 2), softmax_) + alignof(double);
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &target = args.in.at(1), &weight = args.input(2), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), " has no class dim");
    loss_params p;
    p.n = x.shape[0], p.classes = x.shape[1], p.d = product(x.shape, 2);
    if (target.numel() != p.n * p.d) fail(MIRT_STATUS_INVALID_SHAPE, "input 1 (target) has ", target.numel(), " values, expected ", p.n * p.d);
    if (weight.present() && weight.numel() != p.classes)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 2 (weight) has ", weight.numel(), " values, expected ", p.classes);
    if (y.numel() != (reduction_ == loss_reduction::none ? p.n * p.d : 1))
      fail(MIRT_STATUS_INVALID_SHAPE, "output 0 ", dims_string(y.shape), " does not fit reduction");
    const size_t need = loss_workspace(p.n, p.classes, p.d, softmax_);
    const uintptr_t base = reinterpret_cast<uintptr_t>(args.workspace), aligned = (base + alignof(double) - 1) / alignof(double) * alignof(double);
    if (args.workspace == nullptr || args.workspace_size < need + (aligned - base))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "the loss needs ", need + alignof(double), " bytes of workspace, the call has ", args.workspace_size);
    p.dtype = x.dtype, p.x = x.data, p.target = target.data, p.target_int64 = target.dtype == MIRT_DTYPE_INT64, p.y = y.data;
    if (weight.present()) p.weight = weight.data;
    if (softmax_ && args.out.size() > 1 && args.out[1].data) {
      if (args.out[1].numel() != x.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output 1 (log_prob) ", dims_string(args.out[1].shape), ", expected ", dims_string(x.shape));
      p.log_prob = args.out[1].data;
    }
    p.work = reinterpret_cast<double*>(aligned);
    p.reduction = reduction_, p.softmax = softmax_;
    p.has_ignore = ignore_.has_value(), p.ignore_index = ignore_.value_or(0);
    throw_if_failed(launch_loss(p, args.stream));
  }

 private:
  loss_reduction reduction_;
  std::optional<int64_t> ignore_;
  bool softmax_;
};

bool loss_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  if (!input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return !node.has_input(2) || input_dtype_in(node, 2, {node.input_dtype(0)}, why);
}

std::unique_ptr<kernel> make_loss(const node_view& node, bool softmax) {
  const std::string r = node.attr_string("reduction", "mean");
  loss_reduction red;
  if (r == "none") red = loss_reduction::none;
  else if (r == "sum") red = loss_reduction::sum;
  else if (r == "mean") red = loss_reduction::mean;
  else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", r, "', expected 'none', 'sum' or 'mean'");
  std::optional<int64_t> ignore;
  if (node.has_attr("ignore_index")) ignore = node.attr_int("ignore_index", 0);
  return std::make_unique<loss_kernel>(red, ignore, softmax);
}

}  // namespace

void add_loss_ops(std::vector<op_entry>& t) {
  t.push_back({"NegativeLogLikelihoodLoss", "cuda_nll_loss", loss_supports, [](const node_view& node) { return make_loss(node, false); }});
  t.push_back({"SoftmaxCrossEntropyLoss", "cuda_softmax_cross_entropy", loss_supports,
               [](const node_view& node) { return make_loss(node, true); }});
}

}  // namespace mirt::cuda
