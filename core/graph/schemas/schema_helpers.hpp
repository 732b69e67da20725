// core/graph/schemas/schema_helpers.hpp — small helpers shared by the op family schema files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/graph/op_schema.hpp"

namespace mirt::schemas {

// Known values are tracked only for tensors this small (shape tensors and their arithmetic).
constexpr int64_t max_value_elements = 64;

// An op schema with its arity, attributes and inference in one call.
op_schema make_schema(const char* op_type, int min_inputs, int max_inputs, int min_outputs, int max_outputs,
                      std::vector<attribute_spec> attributes, infer_fn infer, bool may_run_in_place = false);

bool is_integer_dtype(mirt_dtype dtype);  // int8/uint8/int32/int64
bool is_float_dtype(mirt_dtype dtype);    // float16/bfloat16/float32/float64

// The mirt dtype for an ONNX TensorProto.DataType code (Cast 'to', ConstantOfShape 'dtype'), or
// UNDEFINED for a code mirt has no dtype for.
mirt_dtype dtype_from_onnx(int64_t onnx_code);

// The float type an optional 'output_dtype' attribute (an ONNX type code: 1 float32, 10 float16,
// 16 bfloat16) gives a layer's output; `own` (the layer's input type) when the attribute is absent.
result<mirt_dtype> float_output_dtype(const infer_context& ctx, mirt_dtype own);

// Fails unless input i is present and int32 or int64 ("input 1 (shape) is float32, expected int64").
status require_index_input(const infer_context& ctx, size_t i, const char* what);
// Fails unless input i is present and a 1-D tensor, or also a scalar when allow_scalar.
status require_vector_input(const infer_context& ctx, size_t i, const char* what, bool allow_scalar = false);
// Fails unless input i is present and has input 0's dtype.
status require_same_dtype(const infer_context& ctx, size_t i, size_t as);

// Fails unless input i broadcasts one way to target (rank no higher, each dim 1 or equal).
status require_broadcastable_to(const infer_context& ctx, size_t i, const dims& target, const char* target_name);

// The data of a small float32/float64 constant tensor (at most max_value_elements), else nullopt.
std::optional<std::vector<double>> small_float_values(const graph& g, const tensor& t);

// Input i's known values, or nullptr.
const std::vector<int64_t>* known_values(const infer_context& ctx, size_t i);
// Sets t.values when the element count of t.shape is known, small and matches values.size().
void set_values(tensor_type& t, std::vector<int64_t> values);
// values (of a tensor shaped `from`) repeated to the shape `to` by numpy broadcasting; nullopt when
// either shape has an unknown dim or `to` is larger than max_value_elements.
std::optional<std::vector<int64_t>> broadcast_values(const dims& from, const std::vector<int64_t>& values,
                                                     const dims& to);
// Product of shape[begin, end): the dim itself when the range holds one dim (its symbol kept), the
// product when all are known, else unknown.
dim product_dim(const dims& shape, size_t begin, size_t end);
// Number of elements of a 1-D (or scalar) input when its shape says so, else -1.
int64_t vector_length(const tensor_type& t);

// An INT or INTS attribute, or fallback. For INTS, fails unless it has `count` entries (count 0: any).
result<std::vector<int64_t>> ints_attribute(const infer_context& ctx, const char* name, size_t count,
                                            std::vector<int64_t> fallback);

// Normalizes each axis into [0, rank) and rejects duplicates; errors name the input or attribute.
result<std::vector<int64_t>> normalize_axes(const infer_context& ctx, const std::vector<int64_t>& axes, size_t rank,
                                            std::string_view what);

// The dim an extent gives: known when e >= 0, else unknown without a symbol.
inline dim extent(int64_t e) { return e >= 0 ? dim{e, {}} : dim{}; }

// ---- Sliding windows (Conv, ConvTranspose, pools) ----

struct window {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  // begins then ends, 2 * spatial entries
  std::string auto_pad;       // NOTSET, SAME_UPPER, SAME_LOWER or VALID
};

// Reads kernel_shape (or takes `kernel` when given, e.g. from Conv's weights), strides, dilations,
// pads and auto_pad for `spatial` dims, checking lengths and values.
result<window> read_window(const infer_context& ctx, size_t spatial, std::optional<std::vector<int64_t>> kernel);

// Output extent of a window over in along spatial dim i:
// floor((in + pad_begin + pad_end - dilation*(k-1) - 1)/stride) + 1, ceil with ceil_mode, and the
// auto_pad rules (SAME_*: ceil(in/stride), VALID: no pads). Unknown in gives an unknown dim.
result<dim> window_output(const infer_context& ctx, const dim& in, const window& w, size_t i, bool ceil_mode);

}  // namespace mirt::schemas
