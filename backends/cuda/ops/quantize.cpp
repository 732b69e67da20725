// backends/cuda/ops/quantize.cpp — QuantizeLinear and DequantizeLinear (per-tensor, per-axis and
// blocked with block_size; the dtypes of the cpu backend) and DynamicQuantizeLinear (float32 to uint8).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/quantize.hpp"
#include "backends/support/quant_layout.hpp"

namespace mirt::cuda {
namespace {

// The kernel's view of where the scale applies (support::plan_quant_layout).
void plan_params(quantize_params& p, const dims& x, const dims& scale, int64_t axis, int64_t block_size, const char* what) {
  const support::quant_layout l = support::plan_quant_layout(x, scale, axis, block_size, what);
  p.outer = l.outer, p.extent = l.extent, p.inner = l.inner, p.block = l.block;
  p.so = l.so, p.sd = l.sd, p.si = l.si;
}

class quantize_kernel final : public kernel {
 public:
  quantize_kernel(bool dequantize, int64_t axis, int64_t block) : dequantize_(dequantize), axis_(axis), block_(block) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &scale = args.in.at(1), &zp = args.input(2), &y = args.out.at(0);
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    const char* prefix = dequantize_ ? "x" : "y";
    quantize_params p;
    plan_params(p, x.shape, scale.shape, axis_, block_, dequantize_ ? "input 1 (x_scale)" : "input 1 (y_scale)");
    if (zp.present() && zp.shape != scale.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 2 (", prefix, "_zero_point) has shape ", dims_string(zp.shape), ", expected ",
           prefix, "_scale's shape ", dims_string(scale.shape));
    p.dequantize = dequantize_;
    p.x_dtype = x.dtype, p.y_dtype = y.dtype, p.scale_dtype = scale.dtype;
    p.x = x.data, p.y = y.data, p.scale = scale.data;
    if (zp.present()) p.zero = zp.data, p.zero_dtype = zp.dtype;
    throw_if_failed(launch_quantize(p, args.stream));
  }

 private:
  bool dequantize_;
  int64_t axis_, block_;
};

class dynamic_quantize_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    if (args.out.size() < 3) fail(MIRT_STATUS_INVALID_ARGUMENT, "DynamicQuantizeLinear has ", args.out.size(), " outputs, expected 3");
    const dtensor &x = args.in.at(0), &y = args.out[0], &scale = args.out[1], &zp = args.out[2];
    if (y.numel() != x.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    if (scale.numel() != 1 || zp.numel() != 1) fail(MIRT_STATUS_INVALID_SHAPE, "y_scale and y_zero_point must be scalars");
    dynamic_quantize_params p;
    p.x = x.as<const float>(), p.y = y.as<uint8_t>(), p.scale = scale.as<float>(), p.zero_point = zp.as<uint8_t>();
    p.n = x.numel();
    throw_if_failed(launch_dynamic_quantize(p, args.stream));
  }
};

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16, I32 = MIRT_DTYPE_INT32,
                     I8 = MIRT_DTYPE_INT8, U8 = MIRT_DTYPE_UINT8;

bool zero_point_fits(const node_view& node, std::initializer_list<mirt_dtype> allowed, std::string& why) {
  return !node.has_input(2) || input_dtype_in(node, 2, allowed, why);
}

bool quantize_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {F32, F16, BF16, I32}, why) || !input_dtype_in(node, 1, {F32, F16, BF16, I32}, why)) return false;
  const mirt_dtype y = node.output_dtype(0);
  if (y != I8 && y != U8) {
    why = cat("output is ", dtype_name(y), " (supported: int8, uint8)");
    return false;
  }
  return zero_point_fits(node, {I8, U8, I32}, why);
}

bool dequantize_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {I8, U8, I32}, why) || !input_dtype_in(node, 1, {F32, F16, BF16}, why)) return false;
  const mirt_dtype y = node.output_dtype(0);
  if (y != F32 && y != F16 && y != BF16) {
    why = cat("output is ", dtype_name(y), " (supported: float32, float16, bfloat16)");
    return false;
  }
  return zero_point_fits(node, {I8, U8, I32}, why);
}

}  // namespace

void add_quantize_ops(std::vector<op_entry>& t) {
  t.push_back({"QuantizeLinear", "cuda_quantize_linear", quantize_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<quantize_kernel>(false, node.attr_int("axis", 1), node.attr_int("block_size", 0));
               }});
  t.push_back({"DequantizeLinear", "cuda_dequantize_linear", dequantize_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<quantize_kernel>(true, node.attr_int("axis", 1), node.attr_int("block_size", 0));
               }});
  t.push_back({"DynamicQuantizeLinear", "cuda_dynamic_quantize_linear",
               [](const node_view& node, std::string& why) { return input_dtype_in(node, 0, {F32}, why); },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<dynamic_quantize_kernel>(); }});
}

}  // namespace mirt::cuda
