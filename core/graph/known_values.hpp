// core/graph/known_values.hpp — a small tensor's data as the values shape inference tracks: read
// from a constant at build time, or from a buffer the runtime copied back to the host.
#pragma once

#include "core/graph/op_schema.hpp"

namespace mirt {

// Known values are tracked only for tensors this small (shape tensors and their arithmetic).
constexpr int64_t max_tracked_elements = 64;

// Whether every dim of t is known (and its rank).
inline bool shape_known(const tensor_type& t) { return t.rank_known && element_count(t.shape) >= 0; }

// Whether every operand of node n has a known shape in types (a data-dependent one has none).
bool operands_known(const node& n, const std::vector<tensor_type>& types);

// Whether t's values can be tracked: known shape of at most max_tracked_elements elements, and a
// dtype that decodes (integers, bool, float32/16, bfloat16, float64).
bool can_track_values(const tensor_type& t);

// Sets t.values (integer and bool dtypes) or t.float_values (float dtypes) from element_count(t.shape)
// elements of t.dtype at data (host memory, row-major). Does nothing unless can_track_values(t).
void set_known_values(tensor_type& t, const void* data);

// The data of a small float constant (float32, float16, bfloat16, float64), else nullopt.
std::optional<std::vector<double>> constant_float_values(const graph& g, const tensor& t);

}  // namespace mirt
