// backends/cpu/op_table.cpp — op type → kernel factories, in one explicit registration list.
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {

const std::vector<op_entry>& op_table() {
  // Built on first use; function-local statics initialize thread-safely.
  static const std::vector<op_entry> table = [] {
    std::vector<op_entry> t;
    add_elementwise_binary_ops(t);
    add_elementwise_unary_ops(t);
    add_conv_ops(t);
    add_matmul_ops(t);
    add_gemm_ops(t);
    add_pool_ops(t);
    add_normalization_ops(t);
    add_softmax_ops(t);
    add_shape_ops(t);
    add_gather_ops(t);
    add_slice_ops(t);
    add_concat_split_ops(t);
    add_transpose_ops(t);
    add_reduce_ops(t);
    add_cast_ops(t);
    add_pad_ops(t);
    return t;
  }();
  return table;
}

std::vector<const op_entry*> find_ops(std::string_view op_type) {
  std::vector<const op_entry*> found;
  for (const op_entry& e : op_table())
    if (e.op_type == op_type) found.push_back(&e);
  return found;
}

uint64_t tactic_id(const char* tactic_name) {
  uint64_t h = 1469598103934665603ull;
  for (const char* p = tactic_name; *p; ++p) h = (h ^ uint8_t(*p)) * 1099511628211ull;
  return h;
}

bool input_dtype_in(const node_view& node, size_t i, std::initializer_list<mirt_dtype> allowed, std::string& why) {
  const mirt_dtype dt = node.input_dtype(i);
  for (mirt_dtype a : allowed)
    if (a == dt) return true;
  why = cat("input ", i, " has dtype ", dtype_name(dt), ", supported: ");
  bool first = true;
  for (mirt_dtype a : allowed) {
    why += (first ? "" : ", ");
    why += dtype_name(a);
    first = false;
  }
  return false;
}

}  // namespace mirt::cpu
