// backends/cuda/ops/conv.cpp — Conv (1D as 2D with a unit height, 2D, 3D) on cuDNN's convolution
// forward, algorithm chosen by cuDNN's heuristics per input shape, bias added by cudnnAddTensor.
// float32 (TF32 when allowed), float16 and bfloat16 data; the halves accumulate in float32 on
// tensor cores (cuDNN's pseudo-half configurations).
//
// mirt::FusedConv (Conv + bias [+ residual Z] [+ Relu], made by the builder's fusion pass) runs as
// one cudnnConvolutionBiasActivationForward: y = act(conv(x, W) + Z + B). cuDNN fuses Relu only;
// without an activation it needs the IMPLICIT_PRECOMP_GEMM algorithm.
//
// Tactics: cuDNN's heuristic choice (first: the untimed default), and each tensor-core algorithm
// forced (precomputed implicit GEMM, Winograd), which the builder times. A forced
// algorithm cuDNN cannot run at some shape falls back to the heuristic's.
//
// A FusedConv with layout "NHWC" (made by the builder's layout pass) reads X and Z and writes Y
// channels-last: 4-D only, its constant weights reordered once to KRSC here (an image stem's
// 1 to 3 input channels padded to 4).
//
// cuDNN handles are not thread-safe: one per kernel, and a mutex around cudnnSetStream and the
// calls that use it. Pads must be symmetric (cuDNN's legacy API takes one pad per axis).
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/ops/cudnn_conv.hpp"

namespace mirt::cuda {
namespace {

// Descriptors and the algorithm for one concrete input shape.
struct conv_plan : cudnn_conv_descriptors {
  cudnnActivationDescriptor_t act = nullptr;  // FusedConv only
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace = 0;
  bool heuristic_found = false;  // cuDNN's heuristics offered an algorithm for this shape
  size_t pad_bytes = 0;          // workspace bytes for X with padded channels, before cuDNN's
  ~conv_plan() {
    if (act) cudnnDestroyActivationDescriptor(act);
  }
};

// KCRS weights (ONNX order) to KRSC (channels last) with cp >= C channels (zeros past C), by
// element size.
std::vector<uint8_t> to_krsc(const void* src, const dims& w, size_t es, int64_t cp) {
  const int64_t k = w[0], c = w[1], rs = w[2] * w[3];
  std::vector<uint8_t> out(size_t(k * cp * rs) * es, 0);
  const auto* in = static_cast<const uint8_t*>(src);
  for (int64_t ki = 0; ki < k; ++ki)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t p = 0; p < rs; ++p)
        std::memcpy(&out[size_t((ki * rs + p) * cp + ci) * es], &in[size_t((ki * c + ci) * rs + p) * es], es);
  return out;
}

constexpr size_t align256(size_t n) { return (n + 255) / 256 * 256; }

class conv_kernel final : public kernel {
 public:
  conv_kernel(const node_view& node, int forced_algo)
      : tf32_(node.allows(MIRT_PRECISION_FLAG_TF32)), dtype_(node.input_dtype(0)), fused_(node.op_type() == "FusedConv"),
        forced_algo_(forced_algo) {
    if (fused_) {
      nhwc_ = node.attr_string("layout", "") == "NHWC";
      const std::string act = node.attr_string("activation", "");
      if (act != "" && act != "Relu") fail(MIRT_STATUS_UNSUPPORTED, "FusedConv activation '", act, "': cuDNN fuses Relu only");
      relu_ = act == "Relu";
      residual_ = node.num_inputs() > 3 && node.has_input(3);
    }
    group_ = node.attr_int("group", 1);
    auto_pad_ = node.attr_string("auto_pad", "NOTSET");
    strides_ = node.attr_ints("strides", {});
    dilations_ = node.attr_ints("dilations", {});
    pads_ = node.attr_ints("pads", {});
    if (group_ < 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'group' is ", group_, ", expected >= 1");
    w_shape_ = to_dims(node.input(1));
    for (int64_t d : w_shape_)
      if (d < 0) fail(MIRT_STATUS_UNSUPPORTED, "the weights' shape ", dims_string(w_shape_), " must be known at build time");
    const size_t element = dtype_size(dtype_);
    if (nhwc_) {
      const void* w = node.constant(1);
      if (w == nullptr || w_shape_.size() != 4)
        fail(MIRT_STATUS_UNSUPPORTED, "an NHWC convolution needs constant 4-D weights, got ", dims_string(w_shape_));
      // An image stem's 1 to 3 input channels are padded to 4 (zeros in the weights and, per call,
      // in a copy of X in the workspace): cuDNN's channels-last first-layer kernels tile C by 4.
      if (w_shape_[1] < 4 && group_ == 1) padded_c_ = 4;
      const std::vector<uint8_t> krsc = to_krsc(w, w_shape_, element, std::max(padded_c_, w_shape_[1]));
      w_ = device_buffer(krsc.data(), krsc.size(), "Conv's weights (KRSC)");
    } else if (const void* w = node.constant(1)) {
      w_ = device_buffer(w, size_t(product(w_shape_)) * element, "Conv's weights");
    }
    if (node.has_input(2)) {
      if (const void* b = node.constant(2))
        b_ = device_buffer(b, size_t(product(to_dims(node.input(2)))) * element, "Conv's bias");
    } else if (fused_) {
      // cuDNN's fused call always adds a bias: zeros when the layer has none.
      const std::vector<uint8_t> zeros(size_t(w_shape_.at(0)) * element, 0);
      b_ = device_buffer(zeros.data(), zeros.size(), "FusedConv's zero bias");
    }
    cudnn_check(cudnnCreate(&handle_), "cudnnCreate");
  }
  ~conv_kernel() override {
    if (handle_) cudnnDestroy(handle_);
  }

  // Whether cuDNN's heuristics offer an algorithm at these shapes (the layout pass's probe).
  bool heuristic_found(const dims& x, const dims& y) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return plan_for(x, y).heuristic_found;
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty()) return 0;
    std::lock_guard<std::mutex> lock(mutex_);
    const conv_plan& p = plan_for(in[0], out[0]);
    return p.pad_bytes + p.workspace;
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const void* w = constant_or_input(w_, args, 1);
    const void* b = args.input(2).present() ? constant_or_input(b_, args, 2) : (fused_ ? b_.get() : nullptr);
    const float one = 1.f;
    std::lock_guard<std::mutex> lock(mutex_);
    const conv_plan& p = plan_for(x.shape, y.shape);
    if (p.pad_bytes + p.workspace > 0 && (args.workspace == nullptr || args.workspace_size < p.pad_bytes + p.workspace))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "cuDNN algorithm ", int(p.algo), " needs ", p.pad_bytes + p.workspace,
           " bytes of workspace, the call has ", args.workspace_size);
    void* workspace = static_cast<uint8_t*>(args.workspace) + p.pad_bytes;
    const void* xd = x.data;
    if (p.pad_bytes > 0) {  // X with its channels padded to padded_c_ (zeros)
      pad_channels_params pc;
      pc.in = x.data;
      pc.out = args.workspace;
      pc.element_size = dtype_size(dtype_);
      pc.pixels = x.shape[0] * x.shape[2] * x.shape[3];
      pc.channels = x.shape[1];
      pc.padded = padded_c_;
      throw_if_failed(launch_pad_channels(pc, args.stream));
      xd = args.workspace;
    }
    cudnn_check(cudnnSetStream(handle_, args.stream), "cudnnSetStream");
    if (fused_ && (relu_ || p.algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM)) {
      // Z may be y itself (the memory planner may run the residual in place); alpha2 0 ignores it.
      const void* z = residual_ ? args.in.at(3).data : y.data;
      const float alpha2 = residual_ ? 1.f : 0.f;
      cudnn_check(cudnnConvolutionBiasActivationForward(handle_, &one, p.x, xd, p.w, w, p.conv, p.algo, workspace, p.workspace, &alpha2, p.y, z, p.bias, b, p.act, p.y, y.data),
                  "cudnnConvolutionBiasActivationForward on input ", dims_string(x.shape), " (algorithm ", int(p.algo), ")");
      return;
    }
    // Unfused (a FusedConv without activation on another algorithm): conv, + Z, + bias. A Z that
    // is y itself (run in place) is added by the convolution's beta.
    const void* z = residual_ ? args.in.at(3).data : nullptr;
    const float beta = z != nullptr && z == y.data ? 1.f : 0.f;
    cudnn_check(cudnnConvolutionForward(handle_, &one, p.x, xd, p.w, w, p.conv, p.algo, workspace, p.workspace, &beta, p.y, y.data),
                "cudnnConvolutionForward on input ", dims_string(x.shape), " (algorithm ", int(p.algo), ")");
    if (z != nullptr && z != y.data) cudnn_check(cudnnAddTensor(handle_, &one, p.y, z, &one, p.y, y.data), "cudnnAddTensor (residual)");
    if (b != nullptr) cudnn_check(cudnnAddTensor(handle_, &one, p.bias, b, &one, p.y, y.data), "cudnnAddTensor (bias)");
  }

 private:
  // Under mutex_.
  const conv_plan& plan_for(const dims& x_in, const dims& y_in) const {
    const std::string key = dims_string(x_in) + dims_string(y_in);
    auto it = plans_.find(key);
    if (it != plans_.end()) return *it->second;
    return *(plans_[key] = build(x_in, y_in));
  }

  std::unique_ptr<conv_plan> build(const dims& x_in, const dims& y_in) const {
    cudnn_conv_geometry g;
    g.x = x_in;
    g.y = y_in;
    g.w = w_shape_;
    g.group = group_;
    g.dtype = dtype_;
    g.nhwc = nhwc_;
    g.math = conv_math(tf32_, dtype_);
    dims &x = g.x, &y = g.y, &w = g.w;
    if (x.size() < 3 || x.size() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.size(), ", supported 3 to 5");
    if (y.size() != x.size()) fail(MIRT_STATUS_INVALID_SHAPE, "output rank ", y.size(), " differs from the input's ", x.size());
    const size_t sr = x.size() - 2;
    if (w.size() != x.size()) fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w), " do not fit input ", dims_string(x));
    for (size_t i = 0; i < sr; ++i) {
      const int64_t s = at_or(strides_, i, 1), d = at_or(dilations_, i, 1), k = w[2 + i];
      const int64_t in = x[2 + i], out = y[2 + i], span = (k - 1) * d + 1;
      int64_t pl = 0, pr = 0;
      if (auto_pad_ == "NOTSET") {
        pl = at_or(pads_, i, 0);
        pr = at_or(pads_, sr + i, 0);
      } else if (auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER") {
        const int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
        pl = auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
        pr = total - pl;
      } else if (auto_pad_ != "VALID") {
        fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'auto_pad' is '", auto_pad_, "'");
      }
      // cuDNN pads both ends equally; an end pad that no output reaches does not matter.
      const int64_t needed_end = std::max<int64_t>(0, (out - 1) * s + span - in - pl);
      if (pr != pl && needed_end != pl)
        fail(MIRT_STATUS_UNSUPPORTED, "asymmetric pads (", pl, " and ", pr, " on spatial axis ", i,
             ") are not supported by the cuDNN convolution yet");
      g.pads.push_back(int(pl));
      g.strides.push_back(int(s));
      g.dilations.push_back(int(d));
    }
    if (nhwc_ && sr != 2) fail(MIRT_STATUS_UNSUPPORTED, "NHWC layout needs a 2-D convolution, the input is ", dims_string(x));
    size_t pad_bytes = 0;
    if (padded_c_ > 0) {
      if (x[1] != w[1]) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x), " does not have the weights' ", w[1], " channels");
      x[1] = w[1] = padded_c_;
      pad_bytes = align256(size_t(product(x)) * dtype_size(dtype_));
    }
    auto p = std::make_unique<conv_plan>();
    p->pad_bytes = pad_bytes;
    set_conv_descriptors(*p, g);  // lifts a 1-D x, y and w to 2-D
    const cudnnMathType_t math = g.math;
    // The output shape cuDNN derives must be the core's.
    std::vector<int> derived(x.size());
    cudnn_check(cudnnGetConvolutionNdForwardOutputDim(p->conv, p->x, p->w, int(x.size()), derived.data()),
                "cudnnGetConvolutionNdForwardOutputDim");
    if (dims(derived.begin(), derived.end()) != y)
      fail(MIRT_STATUS_INVALID_SHAPE, "cuDNN derives output ", dims_string(dims(derived.begin(), derived.end())), ", the graph says ",
           dims_string(y));
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    cudnn_check(cudnnGetConvolutionForwardAlgorithm_v7(handle_, p->x, p->w, p->conv, p->y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf),
                "cudnnGetConvolutionForwardAlgorithm_v7");
    cudnnMathType_t chosen_math = math;
    p->heuristic_found = pick_heuristic(perf, returned, tf32_, dtype_, k_max_workspace, p->algo, chosen_math);
    if (!p->heuristic_found) p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
    cudnn_check(cudnnSetConvolutionMathType(p->conv, chosen_math), "cudnnSetConvolutionMathType");
    if (fused_) {
      cudnn_check(cudnnCreateActivationDescriptor(&p->act), "cudnnCreateActivationDescriptor");
      cudnn_check(cudnnSetActivationDescriptor(p->act, relu_ ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                               CUDNN_NOT_PROPAGATE_NAN, 0.0),
                  "cudnnSetActivationDescriptor");
      // The heuristic's FusedConv without activation takes the one algorithm cuDNN fuses it with.
      if (!relu_ && forced_algo_ < 0) p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
    }
    if (forced_algo_ >= 0) {
      // A forced algorithm on tensor cores (FMA for float32 without TF32), when cuDNN takes it here.
      const auto algo = static_cast<cudnnConvolutionFwdAlgo_t>(forced_algo_);
      size_t bytes = 0;
      if (cudnnSetConvolutionMathType(p->conv, math) == CUDNN_STATUS_SUCCESS &&
          cudnnGetConvolutionForwardWorkspaceSize(handle_, p->x, p->w, p->conv, p->y, algo, &bytes) == CUDNN_STATUS_SUCCESS &&
          bytes <= k_max_workspace) {
        p->algo = algo;
        p->workspace = bytes;
        return p;
      }
      cudnn_check(cudnnSetConvolutionMathType(p->conv, chosen_math), "cudnnSetConvolutionMathType");
    }
    cudnn_check(cudnnGetConvolutionForwardWorkspaceSize(handle_, p->x, p->w, p->conv, p->y, p->algo, &p->workspace),
                "cudnnGetConvolutionForwardWorkspaceSize");
    return p;
  }

  static constexpr size_t k_max_workspace = size_t(256) << 20;

  bool tf32_;
  mirt_dtype dtype_;  // x, W, B, Z and y
  bool fused_, relu_ = false, residual_ = false, nhwc_ = false;
  int forced_algo_;  // a cudnnConvolutionFwdAlgo_t, or -1 for the heuristic's
  int64_t padded_c_ = 0;  // NHWC input channels padded to this many (0: none)
  int64_t group_ = 1;
  std::string auto_pad_;
  dims strides_, dilations_, pads_, w_shape_;
  device_buffer w_, b_;
  cudnnHandle_t handle_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::unique_ptr<conv_plan>> plans_;
};

// Every present input has input 0's dtype: float32, float16 or bfloat16. A FusedConv's activation
// is Relu or none.
bool conv_supports(const node_view& node, std::string& why) {
  if (node.op_type() == "FusedConv") {
    const std::string act = node.attr_string("activation", "");
    if (act != "" && act != "Relu") {
      why = "cuDNN fuses Relu only, not " + act;
      return false;
    }
    const std::string layout = node.attr_string("layout", "");
    if (layout != "" && layout != "NHWC") {
      why = "layout '" + layout + "' is not NHWC";
      return false;
    }
    const dims x = to_dims(node.input(0)), y = to_dims(node.output(0));
    if (layout == "NHWC" && (x.size() != 4 || y.size() != 4 || node.constant(1) == nullptr)) {
      why = "an NHWC convolution needs a 4-D input and constant weights";
      return false;
    }
    // cuDNN tiles channels-last halves by 8 channels; for other counts (an image stem's 3) its
    // heuristics decide at the node's shape. A dynamic batch is probed at 1: cuDNN's choice of
    // kernel family does not depend on it, and the layout pass sees ONNX models' symbolic batch.
    if (layout == "NHWC" && x[1] % 8 != 0) {
      dims xp = x, yp = y;
      if (xp[0] < 0 && yp[0] < 0) xp[0] = yp[0] = 1;
      const bool known = std::all_of(xp.begin(), xp.end(), [](int64_t d) { return d >= 0; }) &&
                         std::all_of(yp.begin(), yp.end(), [](int64_t d) { return d >= 0; });
      bool offered = false;
      try {
        offered = known && conv_kernel(node, -1).heuristic_found(xp, yp);
      } catch (const std::exception&) {
        offered = false;
      }
      if (!offered) {
        why = cat("cuDNN offers no NHWC algorithm for ", x[1], " input channels at this shape");
        return false;
      }
    }
  }
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

}  // namespace

template <int Algo>
std::unique_ptr<kernel> make_conv(const node_view& node) {
  return std::make_unique<conv_kernel>(node, Algo);
}

void add_conv_ops(std::vector<op_entry>& t) {
  // Not IMPLICIT_GEMM: in halves it is cuDNN's legacy non-tensor-core kernel, several times slower,
  // which the builder's host-clock timing could not tell apart at batch 1.
  constexpr int precomp = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, winograd = CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
  // The heuristic's first: it is the untimed default.
  t.push_back({"Conv", "cudnn_conv_fwd", conv_supports, make_conv<-1>});
  t.push_back({"Conv", "cudnn_conv_fwd_precomp_gemm", conv_supports, make_conv<precomp>});
  t.push_back({"Conv", "cudnn_conv_fwd_winograd_nonfused", conv_supports, make_conv<winograd>});
  t.push_back({"FusedConv", "cudnn_conv_bias_act_fwd", conv_supports, make_conv<-1>});
  t.push_back({"FusedConv", "cudnn_conv_bias_act_precomp_gemm", conv_supports, make_conv<precomp>});
  t.push_back({"FusedConv", "cudnn_conv_bias_act_winograd_nonfused", conv_supports, make_conv<winograd>});
}

}  // namespace mirt::cuda
