// backends/cuda/ops/cudnn_graph.hpp — convolution through cuDNN 9's graph (backend) API: an
// operation graph conv(x, w) + bias [+ z] [+ relu] -> y, an engine configuration from cuDNN's
// heuristics finalized into an execution plan once per kernel and shape, and per call only a
// variant pack (the data pointers and the workspace) and cudnnBackendExecute.
//
// Why: cuDNN 9's legacy calls (cudnnConvolutionBiasActivationForward, cudnnConvolutionForward)
// build and finalize an operation graph and an engine configuration on every call, milliseconds
// of host time per network run without a CUDA graph.
#pragma once

#include <cudnn.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/ops/cudnn_conv.hpp"

namespace mirt::cuda {

// One cuDNN backend descriptor, destroyed with it.
class backend_descriptor {
 public:
  explicit backend_descriptor(cudnnBackendDescriptorType_t type);
  ~backend_descriptor();
  backend_descriptor(backend_descriptor&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  backend_descriptor& operator=(backend_descriptor&& o) noexcept;
  backend_descriptor(const backend_descriptor&) = delete;
  backend_descriptor& operator=(const backend_descriptor&) = delete;
  cudnnBackendDescriptor_t get() const { return d_; }

  // Sets an attribute; a failure names `what` and cuDNN's message.
  void set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count, const void* values,
           const char* what);
  void set(cudnnBackendAttributeName_t name, const backend_descriptor& value, const char* what) {
    cudnnBackendDescriptor_t d = value.get();
    set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &d, what);
  }
  void finalize(const char* what);

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

// What the graph computes: conv(x, w) [+ z] + bias [+ relu] -> y, at g's concrete shapes (after
// the 1-D lift and any channel padding). NHWC: x, z and y channels-last, w KRSC.
struct conv_graph_request {
  const cudnn_conv_geometry* geometry = nullptr;
  bool bias = false, residual = false, relu = false;
  bool tf32 = false;  // float32 may run on TF32 tensor cores
  // The usable engine configuration of this rank (cuDNN's heuristics list, mode A then FALLBACK,
  // less the configurations the precision forbids or that need more than max_workspace); with
  // first_that_finalizes, the first at or after it that finalizes.
  int rank = 0;
  bool first_that_finalizes = false;
  bool runtime_compiled = false;  // engines that compile kernels (NVRTC) on finalize
  size_t max_workspace = size_t(256) << 20;
};

// Tensor ids in the variant pack.
enum conv_graph_uid : int64_t { k_uid_x = 1, k_uid_w, k_uid_bias, k_uid_z, k_uid_y };

// A finalized execution plan and the variant pack of its last call (reused while the pointers
// stay the same). Not thread-safe: the kernel's mutex guards it.
// Members in destruction order reversed: the pack, then the plan, then what it was made of.
struct conv_graph_plan {
  std::vector<backend_descriptor> parts;  // the graph's descriptors, alive as long as the plan
  backend_descriptor plan{CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR};
  size_t workspace = 0;
  std::string description;  // "cuDNN graph engine 27 (rank 0 of 9 usable configurations)"
  std::array<void*, 6> last{};  // x, w, bias, z, y, workspace of the cached pack
  std::unique_ptr<backend_descriptor> pack;
};

// The plan for req on handle, or nullptr with `why` set when cuDNN offers no usable engine
// configuration of that rank (NOT_SUPPORTED and the like). Other failures throw, naming cuDNN's
// message.
std::unique_ptr<conv_graph_plan> build_conv_graph(cudnnHandle_t handle, const conv_graph_request& req, std::string& why);

// Whether every pointer (nullptr for an absent tensor) has the 16-byte alignment plans assume.
bool conv_graph_aligned(const void* x, const void* w, const void* bias, const void* z, const void* y);

// Enqueues the plan on handle's stream; bias and z are nullptr when the graph has none. False,
// enqueuing nothing, when a pointer is not 16-byte aligned (a user's offset buffer).
bool run_conv_graph(cudnnHandle_t handle, conv_graph_plan& plan, const void* x, const void* w, const void* bias,
                    const void* z, void* y, void* workspace);

}  // namespace mirt::cuda
