// kernels.hpp — the example backend's kernels and its tactic table.
//
// Only the installed public header mirt/backend.h is used: a backend outside the mirt tree sees a
// node as a mirt_node_info at build time and gets concrete shapes and buffers in a mirt_kernel_io
// at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <mirt/backend.h>

namespace example {

// A failure inside the backend. Kernels throw it; the vtable edge (module.cpp) turns it into a
// mirt_status, since no exception may cross a table call.
class backend_error : public std::runtime_error {
 public:
  backend_error(mirt_status_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  mirt_status_code code() const { return code_; }

 private:
  mirt_status_code code_;
};

// A node prepared for running. run() may be called from several contexts at once, so it changes
// no member and takes its scratch memory from io.workspace only.
class kernel {
 public:
  virtual ~kernel() = default;
  virtual void run(const mirt_kernel_io& io) const = 0;
  // Workspace bytes run() needs at these concrete shapes. Default: none.
  virtual size_t workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc* outputs) const {
    (void)inputs;
    (void)outputs;
    return 0;
  }
};

// One way (tactic) to run one op.
struct tactic {
  const char* op_type;
  uint64_t id;       // stable across versions of this backend: plans and timing caches store it
  const char* name;  // shown by `mirt inspect`
  // Empty when this tactic can run the node, else why it cannot (build time: dims may be -1).
  std::string (*check)(const mirt_node_info& node);
  // Copies what it needs from node: the node info is valid during the call only.
  std::unique_ptr<kernel> (*create)(const mirt_node_info& node);
};

// Every tactic of every op, best guess first within an op (optimization level 0 takes the first).
const std::vector<tactic>& all_tactics();

// Helpers shared by the kernel files.
std::string text(mirt_string_view s);
int64_t element_count(const mirt_tensor_desc& t);
// The attribute called name, or NULL.
const mirt_attribute* find_attribute(const mirt_node_info& node, const char* name);
int64_t int_attribute(const mirt_node_info& node, const char* name, int64_t fallback);
float float_attribute(const mirt_node_info& node, const char* name, float fallback);
// "" when every present input and every output is float32, else which one is not.
std::string float32_only(const mirt_node_info& node);

// The op families (ops_elementwise.cpp, ops_matmul.cpp).
std::string check_binary(const mirt_node_info& node);
std::unique_ptr<kernel> create_add(const mirt_node_info& node);
std::unique_ptr<kernel> create_mul(const mirt_node_info& node);
std::string check_unary(const mirt_node_info& node);
std::unique_ptr<kernel> create_relu(const mirt_node_info& node);
std::string check_softmax(const mirt_node_info& node);
std::unique_ptr<kernel> create_softmax(const mirt_node_info& node);
std::string check_matmul(const mirt_node_info& node);
std::unique_ptr<kernel> create_matmul_rowwise(const mirt_node_info& node);
std::unique_ptr<kernel> create_matmul_packed(const mirt_node_info& node);
std::string check_gemm(const mirt_node_info& node);
std::unique_ptr<kernel> create_gemm(const mirt_node_info& node);

}  // namespace example
