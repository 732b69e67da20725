// backends/cuda/ops/conv_transpose.cpp — ConvTranspose (1D as 2D with a unit height, 2D, 3D) as
// cuDNN's convolution backward-data: X plays the forward convolution's dy, W (C_in, C_out/group,
// k...) its filter, Y its dx; the bias is added by cudnnAddTensor. float32 (TF32 when allowed),
// float16 and bfloat16 (float32 accumulation). groups, dilations, output_padding, auto_pad and
// output_shape are all expressed by the output extent and the begin pad.
//
// cuDNN pads both ends by the begin pad; the end pad then only has to truncate, which cuDNN takes
// when 0 <= output_padding + pad_begin - pad_end < stride on every axis (always true for symmetric
// pads and output_padding < stride). Other combinations are refused at tactic lookup.
//
// cuDNN handles are not thread-safe: one per kernel and a mutex around the calls that use it.
#include <map>
#include <mutex>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/ops/cudnn_conv.hpp"

namespace mirt::cuda {
namespace {

struct attrs {
  int64_t group = 1;
  std::string auto_pad;
  dims strides, dilations, pads, output_padding;
};

attrs read_attrs(const node_view& node) {
  attrs a;
  a.group = node.attr_int("group", 1);
  a.auto_pad = node.attr_string("auto_pad", "NOTSET");
  a.strides = node.attr_ints("strides", {});
  a.dilations = node.attr_ints("dilations", {});
  a.pads = node.attr_ints("pads", {});
  a.output_padding = node.attr_ints("output_padding", {});
  return a;
}

// The begin pad of spatial axis i (0-based among sr) for these extents, and whether cuDNN can
// compute it (see the file comment); why says what does not fit.
bool begin_pad(const attrs& a, size_t i, int64_t in, int64_t out, int64_t k, int64_t& pl, std::string& why) {
  const int64_t s = at_or(a.strides, i, 1), d = at_or(a.dilations, i, 1), op = at_or(a.output_padding, i, 0);
  const int64_t span = (k - 1) * d + 1;
  if (s < 1 || d < 1 || op < 0) {
    why = cat("stride ", s, ", dilation ", d, " and output_padding ", op, " on spatial axis ", i);
    return false;
  }
  const int64_t total = s * (in - 1) + op + span - out;  // pad_begin + pad_end
  if (a.auto_pad == "NOTSET") pl = at_or(a.pads, i, 0);
  else if (a.auto_pad == "VALID") pl = 0;
  else pl = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
  const int64_t slack = out + 2 * pl - span - s * (in - 1);
  if (pl < 0 || slack < 0 || slack >= s) {
    why = cat("pads ", pl, " and ", total - pl, " with output_padding ", op, " and stride ", s, " on spatial axis ", i,
              " (cuDNN pads both ends equally)");
    return false;
  }
  return true;
}

// X plays the forward convolution's y and Y its x: the descriptors x and y name the layer's own.
struct plan : cudnn_conv_descriptors {
  cudnnConvolutionBwdDataAlgo_t algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
  size_t workspace = 0;
};

class conv_transpose_kernel final : public kernel {
 public:
  explicit conv_transpose_kernel(const node_view& node)
      : tf32_(node.allows(MIRT_PRECISION_FLAG_TF32)), dtype_(node.input_dtype(0)), a_(read_attrs(node)) {
    if (a_.group < 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'group' is ", a_.group, ", expected >= 1");
    if (a_.auto_pad != "NOTSET" && a_.auto_pad != "VALID" && a_.auto_pad != "SAME_UPPER" && a_.auto_pad != "SAME_LOWER")
      fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", a_.auto_pad, "'");
    w_shape_ = to_dims(node.input(1));
    for (int64_t d : w_shape_)
      if (d < 0) fail(MIRT_STATUS_UNSUPPORTED, "the weights' shape ", dims_string(w_shape_), " must be known at build time");
    const size_t es = dtype_size(dtype_);
    if (const void* w = node.constant(1)) w_ = device_buffer(w, size_t(product(w_shape_)) * es, "ConvTranspose's weights");
    if (node.has_input(2))
      if (const void* b = node.constant(2)) b_ = device_buffer(b, size_t(product(to_dims(node.input(2)))) * es, "ConvTranspose's bias");
    cudnn_check(cudnnCreate(&handle_), "cudnnCreate");
  }
  ~conv_transpose_kernel() override {
    if (handle_) cudnnDestroy(handle_);
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty()) return 0;
    std::lock_guard<std::mutex> lock(mutex_);
    return plan_for(in[0], out[0]).workspace;
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const void* w = constant_or_input(w_, args, 1);
    const void* b = args.input(2).present() ? constant_or_input(b_, args, 2) : nullptr;
    const float one = 1.f, zero = 0.f;
    std::lock_guard<std::mutex> lock(mutex_);
    const plan& p = plan_for(x.shape, y.shape);
    if (p.workspace > 0 && (args.workspace == nullptr || args.workspace_size < p.workspace))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "cuDNN backward-data algorithm ", int(p.algo), " needs ", p.workspace,
           " bytes of workspace, the call has ", args.workspace_size);
    cudnn_check(cudnnSetStream(handle_, args.stream), "cudnnSetStream");
    cudnn_check(cudnnConvolutionBackwardData(handle_, &one, p.w, w, p.x, x.data, p.conv, p.algo, args.workspace, p.workspace, &zero,
                                             p.y, y.data),
                "cudnnConvolutionBackwardData on input ", dims_string(x.shape), " (algorithm ", int(p.algo), ")");
    if (b != nullptr) cudnn_check(cudnnAddTensor(handle_, &one, p.bias, b, &one, p.y, y.data), "cudnnAddTensor (bias)");
  }

 private:
  const plan& plan_for(const dims& x, const dims& y) const {
    const std::string key = dims_string(x) + dims_string(y);
    auto it = plans_.find(key);
    if (it != plans_.end()) return *it->second;
    return *(plans_[key] = build(x, y));
  }

  std::unique_ptr<plan> build(const dims& x_in, const dims& y_in) const {
    cudnn_conv_geometry g;
    g.x = x_in;
    g.y = y_in;
    g.w = w_shape_;
    g.group = a_.group;
    g.dtype = dtype_;
    g.math = conv_math(tf32_, dtype_);
    const dims &x = g.x, &y = g.y, &w = g.w;
    if (x.size() < 3 || x.size() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.size(), ", supported 3 to 5");
    if (y.size() != x.size() || w.size() != x.size())
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x), ", weights ", dims_string(w), " and output ", dims_string(y), " differ in rank");
    if (x[1] != w[0] || y[1] != w[1] * a_.group)
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x), " and output ", dims_string(y), " do not fit weights ", dims_string(w),
           " with group ", a_.group);
    const size_t sr = x.size() - 2;
    for (size_t i = 0; i < sr; ++i) {
      int64_t pl = 0;
      std::string why;
      if (!begin_pad(a_, i, x[2 + i], y[2 + i], w[2 + i], pl, why)) fail(MIRT_STATUS_UNSUPPORTED, why);
      g.pads.push_back(int(pl));
      g.strides.push_back(int(at_or(a_.strides, i, 1)));
      g.dilations.push_back(int(at_or(a_.dilations, i, 1)));
    }
    auto p = std::make_unique<plan>();
    set_conv_descriptors(*p, g);  // lifts a 1-D x, y and w to 2-D
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    int returned = 0;
    cudnn_check(cudnnGetConvolutionBackwardDataAlgorithm_v7(handle_, p->w, p->x, p->conv, p->y, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                                                            &returned, perf),
                "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    cudnnMathType_t chosen_math = g.math;
    if (!pick_heuristic(perf, returned, tf32_, dtype_, k_max_workspace, p->algo, chosen_math)) p->algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    cudnn_check(cudnnSetConvolutionMathType(p->conv, chosen_math), "cudnnSetConvolutionMathType");
    cudnn_check(cudnnGetConvolutionBackwardDataWorkspaceSize(handle_, p->w, p->x, p->conv, p->y, p->algo, &p->workspace),
                "cudnnGetConvolutionBackwardDataWorkspaceSize");
    return p;
  }

  static constexpr size_t k_max_workspace = size_t(256) << 20;

  bool tf32_;
  mirt_dtype dtype_;
  attrs a_;
  dims w_shape_;
  device_buffer w_, b_;
  cudnnHandle_t handle_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::unique_ptr<plan>> plans_;
};

bool conv_transpose_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  const dims x = to_dims(node.input(0)), w = to_dims(node.input(1)), y = to_dims(node.output(0));
  if (x.size() < 3 || x.size() > 5) {
    why = cat("input rank ", x.size(), " (cuDNN takes 3 to 5)");
    return false;
  }
  const attrs a = read_attrs(node);
  if (a.group < 1) return true;  // kernel creation names the bad attribute
  // Whether cuDNN's equal pads can express the layer, per spatial axis: from the attributes where
  // they decide it, else from the static extents; unknown extents are checked when the plan is made.
  for (size_t i = 0; i + 2 < x.size(); ++i) {
    const int64_t in = x[2 + i], out = y.size() == x.size() ? y[2 + i] : -1, k = w.size() == x.size() ? w[2 + i] : -1;
    int64_t pl = 0;
    if (in >= 0 && out >= 0 && k >= 0) {
      if (!begin_pad(a, i, in, out, k, pl, why)) return false;
    } else if (a.auto_pad == "NOTSET" && !node.has_attr("output_shape")) {
      const int64_t s = at_or(a.strides, i, 1), slack = at_or(a.output_padding, i, 0) + at_or(a.pads, i, 0) - at_or(a.pads, x.size() - 2 + i, 0);
      if (slack < 0 || slack >= s) {
        why = cat("pads ", at_or(a.pads, i, 0), " and ", at_or(a.pads, x.size() - 2 + i, 0), " with output_padding ",
                  at_or(a.output_padding, i, 0), " on spatial axis ", i, " (cuDNN pads both ends equally)");
        return false;
      }
    }
  }
  return true;
}

}  // namespace

void add_conv_transpose_ops(std::vector<op_entry>& t) {
  t.push_back({"ConvTranspose", "cudnn_conv_bwd_data", conv_transpose_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<conv_transpose_kernel>(node);
               }});
}

}  // namespace mirt::cuda
