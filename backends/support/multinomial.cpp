// backends/support/multinomial.cpp — Multinomial's node checks (multinomial.hpp).
#include "backends/support/multinomial.hpp"

#include "backends/support/host.hpp"
#include "backends/support/shape.hpp"

namespace mirt::support {

bool multinomial_output_supported(const node_view& node, std::string& why) {
  const mirt_dtype d = node.output_dtype(0);
  if (d == MIRT_DTYPE_INT32 || d == MIRT_DTYPE_INT64) return true;
  why = cat("output 0 is ", dtype_name(d), ", expected int32 or int64");
  return false;
}

void check_multinomial(const node_view& node) {
  if (node.input(0).rank != 2) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has rank ", node.input(0).rank, ", expected 2 ([batch, classes])");
  const int64_t samples = node.attr_int("sample_size", 1);
  if (samples < 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'sample_size' is ", samples, ", expected >= 1");
}

}  // namespace mirt::support
