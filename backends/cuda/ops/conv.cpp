// backends/cuda/ops/conv.cpp — Conv (1D as 2D with a unit height, 2D, 3D) on cuDNN's convolution
// forward, algorithm chosen by cuDNN's heuristics per input shape, bias added by cudnnAddTensor.
// float32 (TF32 when allowed), float16 and bfloat16 data; the halves accumulate in float32 on
// tensor cores (cuDNN's pseudo-half configurations).
//
// mirt::FusedConv (Conv + bias [+ residual Z] [+ Relu], made by the builder's fusion pass) runs as
// one cudnnConvolutionBiasActivationForward: y = act(conv(x, W) + Z + B). cuDNN fuses Relu only;
// without an activation it needs the IMPLICIT_PRECOMP_GEMM algorithm.
//
// cuDNN handles are not thread-safe: one per kernel, and a mutex around cudnnSetStream and the
// calls that use it. Pads must be symmetric (cuDNN's legacy API takes one pad per axis).
#include <map>
#include <mutex>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"

namespace mirt::cuda {
namespace {

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

// Descriptors and the algorithm for one concrete input shape.
struct conv_plan {
  cudnnActivationDescriptor_t act = nullptr;  // FusedConv only
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace = 0;
  ~conv_plan() {
    if (act) cudnnDestroyActivationDescriptor(act);
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (bias) cudnnDestroyTensorDescriptor(bias);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
  }
};

std::vector<int> to_int(const dims& d) { return std::vector<int>(d.begin(), d.end()); }

cudnnDataType_t cudnn_type(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT16: return CUDNN_DATA_HALF;
    case MIRT_DTYPE_BFLOAT16: return CUDNN_DATA_BFLOAT16;
    default: return CUDNN_DATA_FLOAT;
  }
}

void set_tensor(cudnnTensorDescriptor_t t, const dims& shape, mirt_dtype dtype) {
  const dims st = dense_strides(shape);
  cudnn_check(cudnnSetTensorNdDescriptor(t, cudnn_type(dtype), int(shape.size()), to_int(shape).data(), to_int(st).data()),
              "cudnnSetTensorNdDescriptor ", dims_string(shape));
}

class conv_kernel final : public kernel {
 public:
  explicit conv_kernel(const node_view& node)
      : tf32_(node.allows(MIRT_PRECISION_FLAG_TF32)), dtype_(node.input_dtype(0)), fused_(node.op_type() == "FusedConv") {
    if (fused_) {
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
    if (const void* w = node.constant(1)) w_ = device_buffer(w, size_t(product(w_shape_)) * element, "Conv's weights");
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

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty()) return 0;
    std::lock_guard<std::mutex> lock(mutex_);
    return plan_for(in[0], out[0]).workspace;
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const void* w = constant_or_input(w_, args, 1);
    const void* b = args.input(2).present() ? constant_or_input(b_, args, 2) : (fused_ ? b_.get() : nullptr);
    const float one = 1.f, zero = 0.f;
    std::lock_guard<std::mutex> lock(mutex_);
    const conv_plan& p = plan_for(x.shape, y.shape);
    if (p.workspace > 0 && (args.workspace == nullptr || args.workspace_size < p.workspace))
      fail(MIRT_STATUS_FAILED_PRECONDITION, "cuDNN algorithm ", int(p.algo), " needs ", p.workspace, " bytes of workspace, the call has ",
           args.workspace_size);
    cudnn_check(cudnnSetStream(handle_, args.stream), "cudnnSetStream");
    if (fused_) {
      // Z may be y itself (the memory planner may run the residual in place); alpha2 0 ignores it.
      const void* z = residual_ ? args.in.at(3).data : y.data;
      const float alpha2 = residual_ ? 1.f : 0.f;
      cudnn_check(cudnnConvolutionBiasActivationForward(handle_, &one, p.x, x.data, p.w, w, p.conv, p.algo, args.workspace,
                                                        p.workspace, &alpha2, p.y, z, p.bias, b, p.act, p.y, y.data),
                  "cudnnConvolutionBiasActivationForward on input ", dims_string(x.shape), " (algorithm ", int(p.algo), ")");
      return;
    }
    cudnn_check(cudnnConvolutionForward(handle_, &one, p.x, x.data, p.w, w, p.conv, p.algo, args.workspace, p.workspace, &zero, p.y, y.data),
                "cudnnConvolutionForward on input ", dims_string(x.shape), " (algorithm ", int(p.algo), ")");
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

  std::unique_ptr<conv_plan> build(dims x, dims y) const {
    if (x.size() < 3 || x.size() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.size(), ", supported 3 to 5");
    if (y.size() != x.size()) fail(MIRT_STATUS_INVALID_SHAPE, "output rank ", y.size(), " differs from the input's ", x.size());
    const size_t sr = x.size() - 2;
    dims w = w_shape_;
    if (w.size() != x.size()) fail(MIRT_STATUS_INVALID_SHAPE, "weights ", dims_string(w), " do not fit input ", dims_string(x));
    std::vector<int> pads, strides, dil;
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
      pads.push_back(int(pl));
      strides.push_back(int(s));
      dil.push_back(int(d));
    }
    if (sr == 1) {  // 1D as 2D: a unit height
      for (dims* v : {&x, &y, &w}) v->insert(v->begin() + 2, 1);
      pads.insert(pads.begin(), 0);
      strides.insert(strides.begin(), 1);
      dil.insert(dil.begin(), 1);
    }
    auto p = std::make_unique<conv_plan>();
    cudnn_check(cudnnCreateTensorDescriptor(&p->x), "cudnnCreateTensorDescriptor");
    cudnn_check(cudnnCreateTensorDescriptor(&p->y), "cudnnCreateTensorDescriptor");
    cudnn_check(cudnnCreateTensorDescriptor(&p->bias), "cudnnCreateTensorDescriptor");
    cudnn_check(cudnnCreateFilterDescriptor(&p->w), "cudnnCreateFilterDescriptor");
    cudnn_check(cudnnCreateConvolutionDescriptor(&p->conv), "cudnnCreateConvolutionDescriptor");
    set_tensor(p->x, x, dtype_);
    set_tensor(p->y, y, dtype_);
    dims bias_shape(x.size(), 1);
    bias_shape[1] = y[1];
    set_tensor(p->bias, bias_shape, dtype_);
    cudnn_check(cudnnSetFilterNdDescriptor(p->w, cudnn_type(dtype_), CUDNN_TENSOR_NCHW, int(w.size()), to_int(w).data()),
                "cudnnSetFilterNdDescriptor ", dims_string(w));
    cudnn_check(cudnnSetConvolutionNdDescriptor(p->conv, int(pads.size()), pads.data(), strides.data(), dil.data(),
                                                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                "cudnnSetConvolutionNdDescriptor");
    cudnn_check(cudnnSetConvolutionGroupCount(p->conv, int(group_)), "cudnnSetConvolutionGroupCount ", group_);
    const bool half = dtype_ != MIRT_DTYPE_FLOAT32;
    const cudnnMathType_t math = tf32_ || half ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
    cudnn_check(cudnnSetConvolutionMathType(p->conv, math), "cudnnSetConvolutionMathType");
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
    bool chosen = false;
    for (int i = 0; i < returned && !chosen; ++i) {
      if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > k_max_workspace) continue;
      // DEFAULT and TENSOR_OP math may compute fp32 in TF32 on Ampere and later.
      if (!tf32_ && !half && perf[i].mathType != CUDNN_FMA_MATH) continue;
      p->algo = perf[i].algo;
      cudnn_check(cudnnSetConvolutionMathType(p->conv, perf[i].mathType), "cudnnSetConvolutionMathType");
      chosen = true;
    }
    if (!chosen) {
      p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
      cudnn_check(cudnnSetConvolutionMathType(p->conv, math), "cudnnSetConvolutionMathType");
    }
    if (fused_) {
      cudnn_check(cudnnCreateActivationDescriptor(&p->act), "cudnnCreateActivationDescriptor");
      cudnn_check(cudnnSetActivationDescriptor(p->act, relu_ ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                               CUDNN_NOT_PROPAGATE_NAN, 0.0),
                  "cudnnSetActivationDescriptor");
      if (!relu_) p->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
    }
    cudnn_check(cudnnGetConvolutionForwardWorkspaceSize(handle_, p->x, p->w, p->conv, p->y, p->algo, &p->workspace),
                "cudnnGetConvolutionForwardWorkspaceSize");
    return p;
  }

  static constexpr size_t k_max_workspace = size_t(256) << 20;

  bool tf32_;
  mirt_dtype dtype_;  // x, W, B, Z and y
  bool fused_, relu_ = false, residual_ = false;
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
  }
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

}  // namespace

void add_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"Conv", "cudnn_conv_fwd", conv_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<conv_kernel>(node);
               }});
  t.push_back({"FusedConv", "cudnn_conv_bias_act_fwd", conv_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<conv_kernel>(node);
               }});
}

}  // namespace mirt::cuda
