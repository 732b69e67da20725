// backends/cuda/ops/group_norm.cpp — GroupNormalization (opset 18: scale and bias per group; opset
// 21: per channel), InstanceNormalization (the same kernel with a group per channel) and
// RMSNormalization (opset 23), float32/float16/bfloat16 with scale and bias in the input's dtype.
#include <algorithm>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/group_norm.hpp"

namespace mirt::cuda {
namespace {

// The launch parameters for x (n, c, ...) into y, scale and bias not yet set.
group_norm_params params_of(const exec_args& args, int64_t groups, float epsilon) {
  const dtensor &x = args.in.at(0), &y = args.out.at(0);
  if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " has no channel dim");
  if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
  group_norm_params p;
  p.dtype = x.dtype;
  p.x = x.data;
  p.y = y.data;
  p.n = x.shape[0];
  p.c = x.shape[1];
  p.inner = product(x.shape, 2);
  p.groups = groups > 0 ? groups : std::max<int64_t>(p.c, 1);  // 0: a group per channel
  p.epsilon = epsilon;
  return p;
}

class group_norm_kernel final : public kernel {
 public:
  group_norm_kernel(int64_t groups, float epsilon) : groups_(groups), epsilon_(epsilon) {}
  void execute(const exec_args& args) const override {
    group_norm_params p = params_of(args, groups_, epsilon_);
    if (p.c % groups_ != 0) fail(MIRT_STATUS_INVALID_SHAPE, p.c, " channels do not split into num_groups ", groups_);
    const int64_t scale_n = args.in.at(1).numel();
    if (scale_n != p.c && scale_n != groups_)
      fail(MIRT_STATUS_INVALID_SHAPE, "scale has ", scale_n, " values, expected ", p.c, " (channels) or ", groups_, " (groups)");
    if (args.in.at(2).numel() != scale_n)
      fail(MIRT_STATUS_INVALID_SHAPE, "bias has ", args.in[2].numel(), " values, scale ", scale_n);
    p.per_channel = scale_n == p.c;
    p.scale = args.in[1].data;
    p.bias = args.in[2].data;
    throw_if_failed(launch_group_norm(p, args.stream));
  }

 private:
  int64_t groups_;
  float epsilon_;
};

// InstanceNormalization: GroupNormalization with a group per channel, scale and bias per channel.
class instance_norm_kernel final : public kernel {
 public:
  explicit instance_norm_kernel(float epsilon) : epsilon_(epsilon) {}
  void execute(const exec_args& args) const override {
    group_norm_params p = params_of(args, 0, epsilon_);
    for (size_t i : {size_t(1), size_t(2)})
      if (args.in.at(i).numel() != p.c)
        fail(MIRT_STATUS_INVALID_SHAPE, "input ", i, " has ", args.in[i].numel(), " values, expected ", p.c, " (channels)");
    p.per_channel = true;
    p.scale = args.in[1].data;
    p.bias = args.in[2].data;
    throw_if_failed(launch_group_norm(p, args.stream));
  }

 private:
  float epsilon_;
};

class rms_norm_kernel final : public kernel {
 public:
  rms_norm_kernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &scale = args.in.at(1), &y = args.out.at(0);
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    const size_t axis = size_t(normalize_axis(axis_, x.rank(), "attribute 'axis'"));
    // The scale must repeat along the row as a whole suffix of the normalized dims (leading 1s dropped).
    size_t first = 0;
    while (first < scale.rank() && scale.shape[first] == 1) ++first;
    const size_t kept = scale.rank() - first, block = x.rank() - axis;
    bool suffix = kept <= block;
    for (size_t d = 0; suffix && d < kept; ++d) suffix = scale.shape[first + d] == x.shape[x.rank() - kept + d];
    if (!suffix || scale.rank() > block)
      fail(MIRT_STATUS_UNSUPPORTED, "scale ", dims_string(scale.shape), " does not broadcast onto the normalized dims of ",
           dims_string(x.shape), " as a suffix");
    rms_norm_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.scale = scale.data;
    p.rows = product(x.shape, 0, axis);
    p.cols = product(x.shape, axis);
    p.scale_n = scale.numel();
    p.epsilon = epsilon_;
    throw_if_failed(launch_rms_norm(p, args.stream));
  }

 private:
  int64_t axis_;
  float epsilon_;
};

// Input 0 float32, float16 or bfloat16; every other present input the same.
bool real_inputs_alike(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

float epsilon_of(const node_view& node) {
  const float eps = node.attr_float("epsilon", 1e-5f);
  if (!(eps >= 0)) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'epsilon' is ", eps, ", expected >= 0");
  return eps;
}

}  // namespace

void add_instance_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"InstanceNormalization", "cuda_instance_norm_block_per_plane", real_inputs_alike,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<instance_norm_kernel>(epsilon_of(node)); }});
}

void add_group_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"GroupNormalization", "cuda_group_norm_block_per_group", real_inputs_alike,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t groups = node.attr_int("num_groups", 0);
                 if (groups <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'num_groups' is ", groups, ", expected positive");
                 return std::make_unique<group_norm_kernel>(groups, epsilon_of(node));
               }});
  t.push_back({"RMSNormalization", "cuda_rms_norm_block_per_row", real_inputs_alike,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<rms_norm_kernel>(node.attr_int("axis", -1), epsilon_of(node));
               }});
}

}  // namespace mirt::cuda
