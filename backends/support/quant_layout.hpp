// backends/support/quant_layout.hpp — where QuantizeLinear's and DequantizeLinear's scale and zero
// point apply (per-tensor, per-axis or blocked), shared by every backend.
#pragma once

#include "backends/support/shape.hpp"

namespace mirt::support {

// x viewed as [outer, extent, inner] around the quantization axis; the parameter (scale, zero
// point) of element (o, d, i) is at o * so + (d / block) * sd + i * si.
struct quant_layout {
  int64_t outer = 1, extent = 1, inner = 1, block = 1;
  int64_t so = 0, sd = 0, si = 0;
  int64_t at(int64_t o, int64_t d, int64_t i) const { return o * so + (d / block) * sd + i * si; }
};

// Per-tensor (scale has one element), per-axis (1-D of x's extent along axis) or blocked
// (block_size > 0: x's rank, ceil(extent / block) along axis). `what` names the scale input in the
// shape errors.
quant_layout plan_quant_layout(const dims& x, const dims& scale, int64_t axis, int64_t block_size, const char* what);

}  // namespace mirt::support
