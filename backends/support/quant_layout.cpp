// backends/support/quant_layout.cpp — see quant_layout.hpp.
#include "backends/support/quant_layout.hpp"

namespace mirt::support {

quant_layout plan_quant_layout(const dims& x, const dims& scale, int64_t axis, int64_t block_size, const char* what) {
  quant_layout p;
  p.inner = product(x);
  const int64_t n = product(scale);
  if (block_size <= 0 && n == 1 && scale.size() <= 1) return p;  // per-tensor
  const int64_t rank = int64_t(x.size());
  if (rank == 0) fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(scale), ", expected a scalar");
  if (axis < -rank || axis >= rank)
    fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'axis' is ", axis, ", expected in [", -rank, ", ", rank - 1, "]");
  if (axis < 0) axis += rank;
  p.outer = product(x, 0, size_t(axis));
  p.extent = x[size_t(axis)];
  p.inner = product(x, size_t(axis) + 1);
  if (block_size <= 0) {
    if (scale.size() != 1 || scale[0] != p.extent)
      fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(scale), ", expected a scalar or [", p.extent,
           "] (input 0's dim ", axis, ", the quantization axis)");
    p.sd = 1;
    return p;
  }
  const int64_t blocks = (p.extent + block_size - 1) / block_size;
  bool fits = int64_t(scale.size()) == rank;
  for (int64_t d = 0; fits && d < rank; ++d) fits = scale[size_t(d)] == (d == axis ? blocks : x[size_t(d)]);
  if (!fits)
    fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(scale), ", expected input 0's shape ",
         dims_string(x), " with ", blocks, " at dim ", axis, " (block_size ", block_size, ")");
  p.block = block_size;
  p.so = blocks * p.inner;
  p.sd = p.inner;
  p.si = 1;
  return p;
}

}  // namespace mirt::support
