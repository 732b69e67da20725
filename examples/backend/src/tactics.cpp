// tactics.cpp — the tactic table (what this backend can run) and helpers for reading node infos.
#include <cstring>

#include "kernels.hpp"

namespace example {

const std::vector<tactic>& all_tactics() {
  // Ids are fixed numbers, never reused: a plan built by an older version of this backend must
  // find its kernels again, or fail with "rebuild the plan".
  static const std::vector<tactic> table = {
      {"Add", 1, "add_broadcast", check_binary, create_add},
      {"Mul", 2, "mul_broadcast", check_binary, create_mul},
      {"Relu", 3, "relu", check_unary, create_relu},
      {"MatMul", 4, "matmul_rowwise", check_matmul, create_matmul_rowwise},
      {"MatMul", 5, "matmul_packed", check_matmul, create_matmul_packed},
      {"Gemm", 6, "gemm", check_gemm, create_gemm},
      {"Softmax", 7, "softmax", check_softmax, create_softmax},
  };
  return table;
}

std::string text(mirt_string_view s) { return s.data != nullptr ? std::string(s.data, s.length) : std::string(); }

int64_t element_count(const mirt_tensor_desc& t) {
  int64_t n = 1;
  for (uint32_t d = 0; d < t.rank; ++d) n *= t.dims[d];
  return n;
}

const mirt_attribute* find_attribute(const mirt_node_info& node, const char* name) {
  for (size_t i = 0; i < node.num_attributes; ++i) {
    const mirt_string_view n = node.attributes[i].name;
    if (n.length == std::strlen(name) && std::memcmp(n.data, name, n.length) == 0) return &node.attributes[i];
  }
  return nullptr;
}

int64_t int_attribute(const mirt_node_info& node, const char* name, int64_t fallback) {
  const mirt_attribute* a = find_attribute(node, name);
  return a != nullptr && a->type == MIRT_ATTRIBUTE_TYPE_INT && a->count > 0 ? a->ints[0] : fallback;
}

float float_attribute(const mirt_node_info& node, const char* name, float fallback) {
  const mirt_attribute* a = find_attribute(node, name);
  return a != nullptr && a->type == MIRT_ATTRIBUTE_TYPE_FLOAT && a->count > 0 ? a->floats[0] : fallback;
}

namespace {
const char* dtype_text(mirt_dtype t) {
  switch (t) {
    case MIRT_DTYPE_FLOAT32: return "float32";
    case MIRT_DTYPE_FLOAT16: return "float16";
    case MIRT_DTYPE_BFLOAT16: return "bfloat16";
    case MIRT_DTYPE_FLOAT64: return "float64";
    case MIRT_DTYPE_INT8: return "int8";
    case MIRT_DTYPE_UINT8: return "uint8";
    case MIRT_DTYPE_INT32: return "int32";
    case MIRT_DTYPE_INT64: return "int64";
    case MIRT_DTYPE_BOOL: return "bool";
    default: return "an unknown dtype";
  }
}
}  // namespace

std::string float32_only(const mirt_node_info& node) {
  for (size_t i = 0; i < node.num_inputs; ++i) {
    const mirt_dtype t = node.inputs[i].dtype;
    if (t != MIRT_DTYPE_FLOAT32 && t != MIRT_DTYPE_UNDEFINED)  // UNDEFINED: an omitted optional input
      return "this backend supports only float32, but input " + std::to_string(i) + " is " + dtype_text(t);
  }
  for (size_t o = 0; o < node.num_outputs; ++o)
    if (node.outputs[o].dtype != MIRT_DTYPE_FLOAT32)
      return "this backend supports only float32, but output " + std::to_string(o) + " is " + dtype_text(node.outputs[o].dtype);
  return "";
}

}  // namespace example
