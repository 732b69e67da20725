// backends/cpu/ops/one_hot.cpp — OneHot: out[..., j, ...] (j at axis) is values[1] where j equals
// the index (negative indices count from depth; float indices truncate), else values[0]. An index
// outside [-depth, depth) gives a row of values[0], as ONNX says. Output any dtype (moves bytes).
#include <cmath>
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class one_hot_kernel final : public kernel {
 public:
  explicit one_hot_kernel(int64_t axis) : axis_(axis) {}

  void execute(const exec_args& args) const override {
    const tensor &indices = args.in.at(0), &depth_t = args.in.at(1), &values = args.in.at(2), &y = args.out.at(0);
    if (depth_t.numel() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (depth) has ", depth_t.numel(), " values, expected 1");
    if (values.numel() != 2) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 2 (values) has ", values.numel(), " values, expected 2 (off, on)");
    const double depth_value = read_scalar(depth_t);
    const int64_t depth = std::isfinite(depth_value) ? int64_t(depth_value) : 0;
    const size_t axis = size_t(normalize_axis(axis_, indices.rank() + 1));
    dims want = indices.shape;
    want.insert(want.begin() + std::ptrdiff_t(axis), depth);
    if (depth < 1 || want != y.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "depth ", depth_value, " and indices ", dims_string(indices.shape), " give ", dims_string(want),
           ", the output is ", dims_string(y.shape));
    const int64_t outer = product(indices.shape, 0, axis), inner = product(indices.shape, axis);
    const size_t es = dtype_size(y.dtype);
    const auto* off = values.as<const uint8_t>();
    const uint8_t* on = off + es;
    auto* dst = y.as<uint8_t>();
    for (int64_t i = 0, n = y.numel(); i < n; ++i) std::memcpy(dst + size_t(i) * es, off, es);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        const double v = read_scalar(indices, o * inner + k);
        if (!std::isfinite(v)) continue;
        int64_t j = int64_t(v);
        if (j < 0) j += depth;
        if (j < 0 || j >= depth) continue;
        std::memcpy(dst + size_t((o * depth + j) * inner + k) * es, on, es);
      }
  }

 private:
  int64_t axis_;
};

bool one_hot_supports(const node_view& node, std::string& why) {
  const std::initializer_list<mirt_dtype> numeric = {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32,
                                                     MIRT_DTYPE_INT64, MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8};
  if (!input_dtype_in(node, 0, numeric, why) || !input_dtype_in(node, 1, numeric, why)) return false;
  if (dtype_size(node.input_dtype(2)) == 0) {
    why = cat("input 2 has dtype ", dtype_name(node.input_dtype(2)));
    return false;
  }
  return true;
}

}  // namespace

void add_one_hot_ops(std::vector<op_entry>& t) {
  t.push_back({"OneHot", "ref_one_hot", one_hot_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<one_hot_kernel>(node.attr_int("axis", -1));
               }});
}

}  // namespace mirt::cpu
