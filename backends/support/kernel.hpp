// backends/support/kernel.hpp — the kernel base class and op-table entries every backend builds on.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/support/node_view.hpp"

namespace mirt::support {

// A prepared node. execute() may run concurrently from several threads on one kernel: it must not
// mutate state without a lock, and takes scratch only from the workspace. ExecArgs is the
// backend's view of one execution (tensors, workspace, and for device backends the stream).
template <class ExecArgs>
class kernel_base {
 public:
  virtual ~kernel_base() = default;
  virtual void execute(const ExecArgs& args) const = 0;
  // Workspace bytes execute() wants at these concrete shapes (absent inputs: empty dims). A kernel
  // may prepare its primitives for the shapes here. Default: none.
  virtual size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const {
    (void)in;
    (void)out;
    return 0;
  }
};

// One tactic of one op: whether a node's dtypes (and other static facts) fit it (on false, `why`
// says what does not), and how to create its kernel.
template <class Kernel>
struct op_entry {
  using supports_fn = bool (*)(const node_view& node, std::string& why);
  using create_fn = std::unique_ptr<Kernel> (*)(const node_view& node);

  std::string_view op_type;
  const char* tactic;  // e.g. "ref_broadcast_binary"; its hash is the tactic id
  supports_fn supports;
  create_fn create;
};

// Entries of table for op_type (possibly several tactics), best first.
template <class Kernel>
std::vector<const op_entry<Kernel>*> find_ops(const std::vector<op_entry<Kernel>>& table, std::string_view op_type) {
  std::vector<const op_entry<Kernel>*> found;
  for (const op_entry<Kernel>& e : table)
    if (e.op_type == op_type) found.push_back(&e);
  return found;
}

// Stable tactic id: FNV-1a of the tactic name.
uint64_t tactic_id(const char* tactic_name);

}  // namespace mirt::support
