// backends/cuda/ops/conv.cpp — Conv (1D as 2D with a unit height, 2D, 3D) and mirt::FusedConv
// (Conv + bias [+ residual Z] [+ Relu], made by the builder's fusion pass) on cuDNN. float32 (TF32
// when allowed), float16 and bfloat16 data; the halves accumulate in float32 on tensor cores.
//
// On cuDNN's graph API (cudnn_graph.hpp): per kernel and input shape an execution plan is built
// once, so that a call only fills a variant pack and calls cudnnBackendExecute. (cuDNN 9's legacy
// calls build a graph and an engine configuration on every call: ResNet-50 took 6.3 ms of host
// time per run for 0.33 ms of kernels, bench/GPU.md.) Tactics, each a rank of cuDNN's heuristic
// list (0 and 1 of the whole layer, 0 of the split), timed by the builder:
//   cudnn_graph_conv[_bias_act]_rN        the whole layer on one graph: conv + Z + bias + Relu
//                                          (runtime-fusion engines compile with NVRTC at build
//                                          time), else, at rank 0, split;
//   cudnn_graph_split_conv[_bias_act]_rN  the graph convolves alone, conv_epilogue.cu adds bias
//                                          and Z and applies Relu in one elementwise kernel.
// Rank 0 falls back to the legacy calls where the graph API offers no engine at a shape (and for
// a call whose pointers lack 16-byte alignment); a later rank cuDNN does not offer reports
// UNSUPPORTED, and the builder skips it. MIRT_CUDNN_CONV=legacy offers the legacy tactics only:
// cudnnConvolutionBiasActivationForward (Relu fused, or without activation on
// IMPLICIT_PRECOMP_GEMM) / cudnnConvolutionForward + cudnnAddTensor, with the heuristic's
// algorithm, precomputed implicit GEMM or Winograd.
//
// A FusedConv with layout "NHWC" (made by the builder's layout pass) reads X and Z and writes Y
// channels-last: 4-D only, its constant weights reordered once to KRSC here (an image stem's
// 1 to 3 input channels padded to 4).
//
// cuDNN handles are not thread-safe: one per kernel, and a mutex around cudnnSetStream and the
// calls that use it. Pads must be symmetric (cuDNN's legacy API takes one pad per axis).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/conv_epilogue.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/ops/cudnn_conv.hpp"
#include "backends/cuda/ops/cudnn_graph.hpp"

namespace mirt::cuda {
namespace {

// Descriptors and the algorithm for one concrete input shape.
struct conv_plan : cudnn_conv_descriptors {
  cudnnActivationDescriptor_t act = nullptr;  // FusedConv only
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace = 0;
  bool heuristic_found = false;  // cuDNN's heuristics offered an algorithm for this shape
  size_t pad_bytes = 0;          // workspace bytes for X with padded channels, before cuDNN's
  // The graph API's plan, or null: the legacy calls (or `unsupported`).
  std::unique_ptr<conv_graph_plan> graph;
  bool epilogue = false;     // the graph convolves alone; conv_epilogue adds bias and Z, applies Relu
  size_t scratch_bytes = 0;  // the convolution's output in the workspace (after the padded X)
  std::string unsupported;   // why a ranked tactic has no engine configuration at this shape
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

// How a tactic runs the convolution: the legacy calls, or a graph-API plan of the whole layer
// (fused), or of the convolution alone with conv_epilogue after it (split).
enum class graph_kind { none, fused, split };

// MIRT_CUDNN_CONV=legacy: the table offers the legacy tactics only (read once).
bool legacy_tactics() {
  static const bool legacy = [] {
    const char* v = std::getenv("MIRT_CUDNN_CONV");
    return v != nullptr && std::string(v) == "legacy";
  }();
  return legacy;
}

class conv_kernel final : public kernel {
 public:
  conv_kernel(const node_view& node, int forced_algo, int graph_rank, graph_kind kind)
      : tf32_(node.allows(MIRT_PRECISION_FLAG_TF32)), dtype_(node.input_dtype(0)), fused_(node.op_type() == "FusedConv"),
        forced_algo_(forced_algo), graph_rank_(graph_rank), graph_kind_(kind) {
    has_bias_ = node.has_input(2);
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
    return p.pad_bytes + p.scratch_bytes + p.workspace;
  }

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const void* w = constant_or_input(w_, args, 1);
    const void* b = args.input(2).present() ? constant_or_input(b_, args, 2) : (fused_ ? b_.get() : nullptr);
    const float one = 1.f;
    std::lock_guard<std::mutex> lock(mutex_);
    const conv_plan& p = plan_for(x.shape, y.shape);
    if (!p.unsupported.empty()) fail(MIRT_STATUS_UNSUPPORTED, p.unsupported);
    const size_t needed = p.pad_bytes + p.scratch_bytes + p.workspace;
    if (needed > 0 && (args.workspace == nullptr || args.workspace_size < needed))
      fail(MIRT_STATUS_FAILED_PRECONDITION, p.graph ? p.graph->description : cat("cuDNN algorithm ", int(p.algo)), " needs ", needed,
           " bytes of workspace, the call has ", args.workspace_size);
    uint8_t* const base = static_cast<uint8_t*>(args.workspace);
    void* workspace = p.workspace > 0 ? base + p.pad_bytes + p.scratch_bytes : nullptr;
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
    if (p.graph && run_graph(p, args, xd, w, workspace)) return;
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
  // The graph plan's call, then the split epilogue. Z may be y itself (the memory planner may run
  // the residual in place): the split convolution then writes the workspace's scratch.
  // False, enqueuing nothing, when a pointer lacks the plan's alignment: the legacy call runs it.
  bool run_graph(const conv_plan& p, const exec_args& args, const void* x, const void* w, void* workspace) const {
    const dtensor& y = args.out.at(0);
    const void* b = has_bias_ ? constant_or_input(b_, args, 2) : nullptr;
    const void* z = residual_ ? args.in.at(3).data : nullptr;
    if (!conv_graph_aligned(x, w, b, z, y.data)) return false;
    if (!p.epilogue) return run_conv_graph(handle_, *p.graph, x, w, b, z, y.data, workspace);
    void* conv = p.scratch_bytes > 0 ? static_cast<uint8_t*>(args.workspace) + p.pad_bytes : y.data;
    run_conv_graph(handle_, *p.graph, x, w, nullptr, nullptr, conv, workspace);
    if (b == nullptr && z == nullptr && !relu_) return true;
    conv_epilogue_params e;
    e.dtype = dtype_;
    e.conv = conv;
    e.bias = b;
    e.z = z;
    e.y = y.data;
    e.n = y.numel();
    e.channels = y.shape[1];
    e.inner = nhwc_ ? 1 : std::max<int64_t>(1, product(dims(y.shape.begin() + 2, y.shape.end())));
    e.relu = relu_;
    throw_if_failed(launch_conv_epilogue(e, args.stream));
    return true;
  }

  // Under mutex_.
  const conv_plan& plan_for(const dims& x_in, const dims& y_in) const {
    const std::string key = dims_string(x_in) + dims_string(y_in);
    auto it = plans_.find(key);
    if (it != plans_.end()) return *it->second;
    std::unique_ptr<conv_plan> p = build(x_in, y_in);
    if (const mirt_host_api* host = host_api(); host && host->log)
      host->log(MIRT_LOG_LEVEL_VERBOSE, "cuda",
                cat(fused_ ? "FusedConv" : "Conv", " x ", dims_string(x_in), ": ",
                    p->graph ? p->graph->description + (p->epilogue ? " + conv_epilogue" : "")
                             : p->unsupported.empty() ? cat("legacy cuDNN call, algorithm ", int(p->algo)) : p->unsupported)
                    .c_str());
    return *(plans_[key] = std::move(p));
  }

  // The graph API's plan for g at rank graph_rank_: the whole layer (fused kind) where cuDNN
  // offers an engine, else (rank 0 only) the convolution alone with the epilogue kernel.
  void build_graph(conv_plan& p, const cudnn_conv_geometry& g) const {
    conv_graph_request req;
    req.geometry = &g;
    req.tf32 = tf32_;
    req.rank = graph_rank_;
    req.first_that_finalizes = graph_rank_ == 0;
    req.max_workspace = k_max_workspace;
    std::string why;
    if (graph_kind_ != graph_kind::split) {
      req.bias = has_bias_;
      req.residual = residual_;
      req.relu = relu_;
      req.runtime_compiled = true;
      p.graph = build_conv_graph(handle_, req, why);
      if (p.graph) return;
      if (graph_rank_ > 0) {
        p.unsupported = why;
        return;
      }
    }
    req.bias = req.residual = req.relu = req.runtime_compiled = false;
    p.graph = build_conv_graph(handle_, req, why);
    if (!p.graph) {
      if (graph_rank_ > 0) p.unsupported = why;
      return;
    }
    p.epilogue = has_bias_ || residual_ || relu_;
    if (residual_) p.scratch_bytes = align256(size_t(product(g.y)) * dtype_size(dtype_));
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
    if (graph_rank_ >= 0) build_graph(*p, g);  // the legacy call's set-up stays, for unaligned calls
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
    if (p->graph) p->workspace = std::max(p->workspace, p->graph->workspace);
    return p;
  }

  static constexpr size_t k_max_workspace = size_t(256) << 20;

  bool tf32_;
  mirt_dtype dtype_;  // x, W, B, Z and y
  bool fused_, relu_ = false, residual_ = false, nhwc_ = false;
  int forced_algo_;  // a cudnnConvolutionFwdAlgo_t, or -1 for the heuristic's
  int graph_rank_;   // the graph API's heuristic rank, or -1: the legacy calls
  graph_kind graph_kind_;
  bool has_bias_ = false;
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
        offered = known && conv_kernel(node, -1, -1, graph_kind::none).heuristic_found(xp, yp);
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

template <int Algo, int Rank = -1, graph_kind Kind = graph_kind::none>
std::unique_ptr<kernel> make_conv(const node_view& node) {
  return std::make_unique<conv_kernel>(node, Algo, Rank, Kind);
}

template <graph_kind Kind>
void add_ranks(std::vector<op_entry>& t, int ranks, const char* const conv_names[], const char* const fused_names[]) {
  const create_fn makers[2] = {make_conv<-1, 0, Kind>, make_conv<-1, 1, Kind>};
  for (int r = 0; r < ranks; ++r) t.push_back({"Conv", conv_names[r], conv_supports, makers[r]});
  for (int r = 0; r < ranks; ++r) t.push_back({"FusedConv", fused_names[r], conv_supports, makers[r]});
}

void add_conv_ops(std::vector<op_entry>& t) {
  if (!legacy_tactics()) {
    // The whole layer on one graph first (rank 0 is the untimed default), then the split rank 0.
    // Ranks 2 and 3, and the split's later ranks, never won on ResNet-50 FP16 at bs 1 or 128 and
    // cost 21 of the bs 128 build's 29 s (runtime-compiled engines; bench/GPU.md).
    static const char* const fused_conv[] = {"cudnn_graph_conv_r0", "cudnn_graph_conv_r1"};
    static const char* const fused_layer[] = {"cudnn_graph_conv_bias_act_r0", "cudnn_graph_conv_bias_act_r1"};
    static const char* const split_conv[] = {"cudnn_graph_split_conv_r0"};
    static const char* const split_layer[] = {"cudnn_graph_split_conv_bias_act_r0"};
    add_ranks<graph_kind::fused>(t, 2, fused_conv, fused_layer);
    add_ranks<graph_kind::split>(t, 1, split_conv, split_layer);
    return;
  }
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
