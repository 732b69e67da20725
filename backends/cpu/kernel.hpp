// backends/cpu/kernel.hpp — the kernel base class and the op table entry every op family fills.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "backends/cpu/attributes.hpp"
#include "backends/cpu/tensor.hpp"

namespace mirt::cpu {

// A prepared node. execute() may run concurrently from several threads: it must not mutate
// state without a lock, and takes scratch from the workspace (see onednn.hpp `scratch`).
class kernel {
 public:
  virtual ~kernel() = default;
  virtual void execute(const exec_args& args) const = 0;
  // Workspace bytes execute() wants at these concrete shapes (inputs absent: empty dims). A kernel
  // may prepare its primitives for the shapes here. Default: none.
  virtual size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const {
    (void)in;
    (void)out;
    return 0;
  }
};

// Whether a node's dtypes (and other static facts) fit a kernel; on false, `why` says what does not.
using supports_fn = bool (*)(const node_view& node, std::string& why);
using create_fn = std::unique_ptr<kernel> (*)(const node_view& node);

struct op_entry {
  std::string_view op_type;
  const char* tactic;  // e.g. "ref_broadcast_binary"; its hash is the tactic id
  supports_fn supports;
  create_fn create;
};

// Each op family appends its entries; op_table.cpp calls them in order (no static registration).
void add_elementwise_binary_ops(std::vector<op_entry>& table);
void add_elementwise_unary_ops(std::vector<op_entry>& table);
void add_conv_ops(std::vector<op_entry>& table);
void add_matmul_ops(std::vector<op_entry>& table);
void add_gemm_ops(std::vector<op_entry>& table);
void add_pool_ops(std::vector<op_entry>& table);
void add_normalization_ops(std::vector<op_entry>& table);
void add_softmax_ops(std::vector<op_entry>& table);
void add_shape_ops(std::vector<op_entry>& table);
void add_gather_ops(std::vector<op_entry>& table);
void add_slice_ops(std::vector<op_entry>& table);
void add_concat_split_ops(std::vector<op_entry>& table);
void add_transpose_ops(std::vector<op_entry>& table);
void add_reduce_ops(std::vector<op_entry>& table);
void add_cast_ops(std::vector<op_entry>& table);
void add_pad_ops(std::vector<op_entry>& table);

// All entries, built once.
const std::vector<op_entry>& op_table();
// Entries for op_type (possibly several tactics), best first.
std::vector<const op_entry*> find_ops(std::string_view op_type);
// Stable tactic id: FNV-1a of the tactic name.
uint64_t tactic_id(const char* tactic_name);

// Helpers for supports_fn: input i's dtype is one of the listed ones.
bool input_dtype_in(const node_view& node, size_t i, std::initializer_list<mirt_dtype> allowed, std::string& why);

}  // namespace mirt::cpu
