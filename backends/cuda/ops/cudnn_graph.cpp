// backends/cuda/ops/cudnn_graph.cpp — convolution execution plans on cuDNN's graph API (see
// cudnn_graph.hpp).
#include "backends/cuda/ops/cudnn_graph.hpp"

#include <algorithm>
#include <deque>
#include <vector>

#include "backends/cuda/check.hpp"

namespace mirt::cuda {

backend_descriptor::backend_descriptor(cudnnBackendDescriptorType_t type) {
  cudnn_check(cudnnBackendCreateDescriptor(type, &d_), "cudnnBackendCreateDescriptor (type ", int(type), ")");
}

backend_descriptor::~backend_descriptor() {
  if (d_) cudnnBackendDestroyDescriptor(d_);
}

backend_descriptor& backend_descriptor::operator=(backend_descriptor&& o) noexcept {
  if (this != &o) {
    if (d_) cudnnBackendDestroyDescriptor(d_);
    d_ = o.d_;
    o.d_ = nullptr;
  }
  return *this;
}

void backend_descriptor::set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count,
                             const void* values, const char* what) {
  cudnn_check(cudnnBackendSetAttribute(d_, name, type, count, values), "cuDNN graph: setting ", what);
}

void backend_descriptor::finalize(const char* what) { cudnn_check(cudnnBackendFinalize(d_), "cuDNN graph: finalizing ", what); }

namespace {

// Strides of a dense tensor, channels (axis 1) innermost when channels_last.
dims strides_for(const dims& s, bool channels_last) {
  if (!channels_last) return dense_strides(s);
  dims st(s.size());
  int64_t step = s[1];
  st[1] = 1;
  for (size_t i = s.size() - 1; i >= 2; --i) {
    st[i] = step;
    step *= s[i];
  }
  st[0] = step;
  return st;
}

backend_descriptor make_tensor(int64_t uid, const dims& shape, bool channels_last, cudnnDataType_t type, bool is_virtual) {
  backend_descriptor t(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
  const dims strides = strides_for(shape, channels_last);
  const int64_t alignment = 16;  // mirt's device buffers are 256-byte aligned; conv_graph_aligned checks
  t.set(CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type, "a tensor's data type");
  t.set(CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, int64_t(shape.size()), shape.data(), "a tensor's dimensions");
  t.set(CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, int64_t(strides.size()), strides.data(), "a tensor's strides");
  t.set(CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid, "a tensor's id");
  t.set(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment, "a tensor's alignment");
  t.set(CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &is_virtual, "a tensor's virtual flag");
  t.finalize(cat("tensor ", uid, " ", dims_string(shape)).c_str());
  return t;
}

// A pointwise operation out = mode(in [, other]) in float32 math; descriptors it refers to go to keep.
backend_descriptor make_pointwise(cudnnPointwiseMode_t mode, const backend_descriptor& in, const backend_descriptor* other,
                                  const backend_descriptor& out, std::deque<backend_descriptor>& keep) {
  backend_descriptor pw(CUDNN_BACKEND_POINTWISE_DESCRIPTOR);
  const cudnnDataType_t math = CUDNN_DATA_FLOAT;
  pw.set(CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode, "the pointwise mode");
  pw.set(CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &math, "the pointwise math precision");
  pw.finalize("a pointwise descriptor");
  backend_descriptor op(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR);
  op.set(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw, "the pointwise operation's mode");
  op.set(CUDNN_ATTR_OPERATION_POINTWISE_XDESC, in, "the pointwise operation's input");
  if (other) op.set(CUDNN_ATTR_OPERATION_POINTWISE_BDESC, *other, "the pointwise operation's second input");
  op.set(CUDNN_ATTR_OPERATION_POINTWISE_YDESC, out, "the pointwise operation's output");
  op.finalize(mode == CUDNN_POINTWISE_RELU_FWD ? "the Relu operation" : "an Add operation");
  keep.push_back(std::move(pw));
  return op;
}

// One engine configuration of the heuristics' list and what its engine says of itself.
struct candidate {
  backend_descriptor config{CUDNN_BACKEND_ENGINECFG_DESCRIPTOR};
  int64_t engine = -1;
  bool tensor_core = false, down_convert = false, reduced_reduction = false, runtime_compiled = false;
  int64_t workspace = 0;
};

void describe(candidate& c) {
  backend_descriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  cudnnBackendDescriptor_t e = engine.get();
  int64_t n = 0;
  if (cudnnBackendGetAttribute(c.config.get(), CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &n, &e) != CUDNN_STATUS_SUCCESS)
    return;
  cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n, &c.engine);
  cudnnBackendNumericalNote_t notes[CUDNN_NUMERICAL_NOTE_TYPE_COUNT];
  if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE, CUDNN_NUMERICAL_NOTE_TYPE_COUNT, &n, notes) ==
      CUDNN_STATUS_SUCCESS)
    for (int64_t i = 0; i < n && i < CUDNN_NUMERICAL_NOTE_TYPE_COUNT; ++i) {
      c.tensor_core |= notes[i] == CUDNN_NUMERICAL_NOTE_TENSOR_CORE;
      c.down_convert |= notes[i] == CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS;
      c.reduced_reduction |= notes[i] == CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION;
    }
  cudnnBackendBehaviorNote_t behavior[CUDNN_BEHAVIOR_NOTE_TYPE_COUNT];
  if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE, CUDNN_BEHAVIOR_NOTE_TYPE_COUNT, &n, behavior) ==
      CUDNN_STATUS_SUCCESS)
    for (int64_t i = 0; i < n && i < CUDNN_BEHAVIOR_NOTE_TYPE_COUNT; ++i)
      c.runtime_compiled |= behavior[i] == CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION;
  if (cudnnBackendGetAttribute(c.config.get(), CUDNN_ATTR_ENGINECFG_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &n, &c.workspace) !=
      CUDNN_STATUS_SUCCESS)
    c.workspace = 0;
}

// The configurations the heuristics offer for graph in mode, in their order.
std::vector<candidate> heuristics(const backend_descriptor& graph, cudnnBackendHeurMode_t mode) {
  std::vector<candidate> found;
  backend_descriptor heur(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
  heur.set(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph, "the heuristics' operation graph");
  heur.set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode, "the heuristics' mode");
  if (cudnnBackendFinalize(heur.get()) != CUDNN_STATUS_SUCCESS) return found;
  int64_t count = 0;
  if (cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, nullptr) !=
          CUDNN_STATUS_SUCCESS ||
      count <= 0)
    return found;
  found.resize(size_t(count));
  std::vector<cudnnBackendDescriptor_t> raw;
  for (candidate& c : found) raw.push_back(c.config.get());
  if (cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &count,
                               raw.data()) != CUDNN_STATUS_SUCCESS)
    return {};
  found.resize(size_t(std::max<int64_t>(0, std::min<int64_t>(count, int64_t(found.size())))));
  for (candidate& c : found) describe(c);
  return found;
}

}  // namespace

std::unique_ptr<conv_graph_plan> build_conv_graph(cudnnHandle_t handle, const conv_graph_request& req, std::string& why) {
  const cudnn_conv_geometry& g = *req.geometry;
  const bool nhwc = g.nhwc;
  const cudnnDataType_t io = cudnn_type(g.dtype), fp32 = CUDNN_DATA_FLOAT;
  auto plan = std::make_unique<conv_graph_plan>();
  // Every descriptor the graph refers to; the plan keeps them (a deque: references stay valid).
  std::deque<backend_descriptor> keep;
  const bool z_add = req.residual;
  const bool epilogue = req.bias || z_add || req.relu;
  keep.push_back(make_tensor(k_uid_x, g.x, nhwc, io, false));
  keep.push_back(make_tensor(k_uid_w, g.w, nhwc, io, false));
  const size_t x_at = 0, w_at = 1;
  keep.push_back(make_tensor(k_uid_y, g.y, nhwc, io, false));
  const size_t y_at = 2;
  int64_t next_virtual = 100;
  // Each step writes a virtual float32 tensor, the last one writes y. (A half-typed convolution
  // output, as the legacy call's own graph has it, made cuDNN pick runtime-compiled engines:
  // ResNet-50's build took 88 s instead of 4, and its kernels ran 8% slower.)
  auto step_out = [&](bool last) -> size_t {
    if (last) return y_at;
    keep.push_back(make_tensor(next_virtual++, g.y, nhwc, fp32, true));
    return keep.size() - 1;
  };

  backend_descriptor conv(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const int64_t spatial = int64_t(g.pads.size());
  const dims pads(g.pads.begin(), g.pads.end()), strides(g.strides.begin(), g.strides.end()),
      dilations(g.dilations.begin(), g.dilations.end());
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  conv.set(CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &fp32, "the convolution's compute type");
  conv.set(CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode, "the convolution's mode");
  conv.set(CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &spatial, "the convolution's spatial rank");
  conv.set(CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, spatial, dilations.data(), "the dilations");
  conv.set(CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, spatial, strides.data(), "the strides");
  conv.set(CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, spatial, pads.data(), "the begin pads");
  conv.set(CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, spatial, pads.data(), "the end pads");
  conv.finalize("the convolution descriptor");

  std::deque<backend_descriptor> ops;
  size_t current = step_out(!epilogue);
  {
    backend_descriptor op(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
    const float alpha = 1.f, beta = 0.f;
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, keep[x_at], "the convolution's input");
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, keep[w_at], "the convolution's weights");
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, keep[current], "the convolution's output");
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv, "the convolution descriptor");
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha, "the convolution's alpha");
    op.set(CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &beta, "the convolution's beta");
    op.finalize(cat("the convolution of x ", dims_string(g.x), " and w ", dims_string(g.w), " into ", dims_string(g.y)).c_str());
    ops.push_back(std::move(op));
  }
  if (z_add) {
    keep.push_back(make_tensor(k_uid_z, g.y, nhwc, io, false));
    const size_t z_at = keep.size() - 1, out = step_out(!req.bias && !req.relu);
    ops.push_back(make_pointwise(CUDNN_POINTWISE_ADD, keep[current], &keep[z_at], keep[out], keep));
    current = out;
  }
  if (req.bias) {  // dense [1, K, 1, 1] strides, as cuDNN's own graph has them
    dims bias_shape(g.y.size(), 1);
    bias_shape[1] = g.y[1];
    keep.push_back(make_tensor(k_uid_bias, bias_shape, false, io, false));
    const size_t bias_at = keep.size() - 1, out = step_out(!req.relu);
    ops.push_back(make_pointwise(CUDNN_POINTWISE_ADD, keep[current], &keep[bias_at], keep[out], keep));
    current = out;
  }
  if (req.relu) ops.push_back(make_pointwise(CUDNN_POINTWISE_RELU_FWD, keep[current], nullptr, keep[y_at], keep));

  backend_descriptor graph(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  std::vector<cudnnBackendDescriptor_t> raw_ops;
  for (const backend_descriptor& op : ops) raw_ops.push_back(op.get());
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle, "the operation graph's handle");
  graph.set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, int64_t(raw_ops.size()), raw_ops.data(),
            "the operation graph's operations");
  if (const cudnnStatus_t s = cudnnBackendFinalize(graph.get()); s != CUDNN_STATUS_SUCCESS) {
    if (s / 1000 != CUDNN_STATUS_NOT_SUPPORTED / 1000) cudnn_check(s, "cuDNN graph: finalizing the operation graph");
    why = cat("cuDNN's graph API does not take this operation graph (", cudnnGetErrorString(s), ")");
    return nullptr;
  }

  // Mode A's list, then (when A's is too short) FALLBACK's engines that A did not offer; less what
  // the precision forbids: float32 without TF32 takes no tensor-core or down-converting engine, no
  // engine reduces in reduced precision (the legacy calls accumulated halves in float32 too).
  const bool strict_fp32 = g.dtype == MIRT_DTYPE_FLOAT32 && !req.tf32;
  std::vector<candidate> usable;
  int64_t offered = 0;
  for (const cudnnBackendHeurMode_t m : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    if (m == CUDNN_HEUR_MODE_FALLBACK && usable.size() > size_t(req.rank)) break;
    for (candidate& c : heuristics(graph, m)) {
      ++offered;
      const bool seen = std::any_of(usable.begin(), usable.end(), [&](const candidate& u) { return u.engine == c.engine; });
      if (seen || c.reduced_reduction || (strict_fp32 && (c.tensor_core || c.down_convert)) ||
          (c.runtime_compiled && !req.runtime_compiled) || size_t(c.workspace) > req.max_workspace)
        continue;
      usable.push_back(std::move(c));
    }
  }
  if (size_t(req.rank) >= usable.size()) {
    why = cat("cuDNN's heuristics offer ", usable.size(), " usable engine configurations (of ", offered, "), no rank ", req.rank);
    return nullptr;
  }
  const size_t last = req.first_that_finalizes ? usable.size() : size_t(req.rank) + 1;
  for (size_t r = size_t(req.rank); r < last; ++r) {
    backend_descriptor p(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    cudnnBackendDescriptor_t config = usable[r].config.get();
    p.set(CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &handle, "the execution plan's handle");
    p.set(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &config, "the execution plan's engine configuration");
    const cudnnStatus_t s = cudnnBackendFinalize(p.get());
    if (s != CUDNN_STATUS_SUCCESS) {
      why = cat("cuDNN graph engine ", usable[r].engine, " (rank ", r, ") does not finalize: ", cudnnGetErrorString(s));
      continue;
    }
    int64_t workspace = 0, n = 0;
    cudnn_check(cudnnBackendGetAttribute(p.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &n, &workspace),
                "cuDNN graph: the execution plan's workspace size");
    if (size_t(workspace) > req.max_workspace) {
      why = cat("cuDNN graph engine ", usable[r].engine, " needs ", workspace, " bytes of workspace");
      continue;
    }
    plan->plan = std::move(p);
    for (std::deque<backend_descriptor>* part : {&keep, &ops})
      for (backend_descriptor& d : *part) plan->parts.push_back(std::move(d));
    plan->parts.push_back(std::move(conv));
    plan->parts.push_back(std::move(graph));
    plan->parts.push_back(std::move(usable[r].config));
    plan->workspace = size_t(workspace);
    plan->description = cat("cuDNN graph engine ", usable[r].engine, usable[r].runtime_compiled ? " (runtime compiled)" : "", " (rank ", r,
                            " of ", usable.size(), " usable configurations)");
    return plan;
  }
  return nullptr;
}

bool run_conv_graph(cudnnHandle_t handle, conv_graph_plan& plan, const void* x, const void* w, const void* bias, const void* z,
                    void* y, void* workspace) {
  const std::array<void*, 6> now = {const_cast<void*>(x), const_cast<void*>(w), const_cast<void*>(bias),
                                    const_cast<void*>(z), y, workspace};
  if (!plan.pack || now != plan.last) {
    std::vector<int64_t> uids = {k_uid_x, k_uid_w, k_uid_y};
    std::vector<void*> pointers = {now[0], now[1], now[4]};
    if (bias) uids.push_back(k_uid_bias), pointers.push_back(now[2]);
    if (z) uids.push_back(k_uid_z), pointers.push_back(now[3]);
    if (!conv_graph_aligned(x, w, bias, z, y)) return false;
    auto pack = std::make_unique<backend_descriptor>(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
    pack->set(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, int64_t(uids.size()), uids.data(), "the variant pack's ids");
    pack->set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, int64_t(pointers.size()), pointers.data(),
              "the variant pack's pointers");
    pack->set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace, "the variant pack's workspace");
    pack->finalize("the variant pack");
    plan.pack = std::move(pack);
    plan.last = now;
  }
  cudnn_check(cudnnBackendExecute(handle, plan.plan.get(), plan.pack->get()), "cudnnBackendExecute (", plan.description, ")");
  return true;
}

bool conv_graph_aligned(const void* x, const void* w, const void* bias, const void* z, const void* y) {
  for (const void* p : {x, w, bias, z, y})
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) return false;
  return true;
}

}  // namespace mirt::cuda
