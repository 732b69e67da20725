// backends/cuda/ops/decode_state.cpp — CausalConvWithState (depthwise causal Conv1d over
// [past_state | input], optional bias, activation none or silu/swish, the next state) on float
// types, and TensorScatter (axis, linear or circular; any dtype; write_indices int32 or int64).
#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/decode_state.hpp"

namespace mirt::cuda {
namespace {

class causal_conv_kernel final : public kernel {
 public:
  explicit causal_conv_kernel(bool silu) : silu_(silu) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &w = args.in.at(1), &bias = args.input(2), &past = args.input(3), &y = args.out.at(0);
    if (x.rank() != 3 || w.rank() != 3) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " or weight ", dims_string(w.shape), " is not 3-D");
    causal_conv_params p;
    p.batch = x.shape[0], p.channels = x.shape[1], p.length = x.shape[2], p.k = w.shape[2];
    if (w.shape != dims{p.channels, 1, p.k} || p.k < 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "weight has shape ", dims_string(w.shape), ", expected [", p.channels, ", 1, k]");
    if (past.present() && past.shape != dims{p.batch, p.channels, p.k - 1})
      fail(MIRT_STATUS_INVALID_SHAPE, "past_state has shape ", dims_string(past.shape), ", expected ", dims_string({p.batch, p.channels, p.k - 1}));
    if (bias.present() && bias.numel() != p.channels) fail(MIRT_STATUS_INVALID_SHAPE, "bias has ", bias.numel(), " values, expected ", p.channels);
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    p.dtype = x.dtype, p.x = x.data, p.w = w.data, p.y = y.data, p.silu = silu_;
    if (bias.present()) p.bias = bias.data;
    if (past.present()) p.past = past.data;
    if (args.out.size() > 1 && args.out[1].data) {
      if (args.out[1].numel() != p.batch * p.channels * (p.k - 1)) fail(MIRT_STATUS_INVALID_SHAPE, "output 1 (present_state) has the wrong size");
      p.state = args.out[1].data;
    }
    throw_if_failed(launch_causal_conv(p, args.stream));
  }

 private:
  bool silu_;
};

class tensor_scatter_kernel final : public kernel {
 public:
  tensor_scatter_kernel(int64_t axis, bool circular) : axis_(axis), circular_(circular) {}
  void execute(const exec_args& args) const override {
    const dtensor &cache = args.in.at(0), &update = args.in.at(1), &where = args.input(2), &y = args.out.at(0);
    if (cache.rank() < 2 || update.rank() != cache.rank())
      fail(MIRT_STATUS_INVALID_SHAPE, "past_cache ", dims_string(cache.shape), " and update ", dims_string(update.shape), " differ in rank");
    const size_t axis = size_t(normalize_axis(axis_, cache.rank()));
    for (size_t d = 0; d < cache.rank(); ++d)
      if (d != axis && update.shape[d] != cache.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "update ", dims_string(update.shape), " differs from past_cache ", dims_string(cache.shape), " off axis ", axis);
    if (y.shape != cache.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(cache.shape));
    tensor_scatter_params p;
    const int64_t batch = cache.shape[0];
    p.prefixes = product(cache.shape, 0, axis);
    p.per_batch = batch > 0 ? p.prefixes / batch : 1;
    p.max_len = cache.shape[axis], p.len = update.shape[axis], p.inner = product(cache.shape, axis + 1);
    if (where.present()) {
      if (where.numel() != batch) fail(MIRT_STATUS_INVALID_ARGUMENT, "write_indices has ", where.numel(), " entries, the batch is ", batch);
      p.where = where.data, p.where_int64 = where.dtype == MIRT_DTYPE_INT64;
    }
    if (y.data != cache.data && cache.bytes() > 0)
      cuda_check(cudaMemcpyAsync(y.data, cache.data, cache.bytes(), cudaMemcpyDeviceToDevice, args.stream), "copying the cache");
    p.update = update.data, p.y = y.data, p.circular = circular_, p.element_size = dtype_size(cache.dtype);
    throw_if_failed(launch_tensor_scatter(p, args.stream));
  }

 private:
  int64_t axis_;
  bool circular_;
};

}  // namespace

void add_decode_state_ops(std::vector<op_entry>& t) {
  t.push_back({"CausalConvWithState", "cuda_causal_conv_with_state",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why) &&
                        input_dtype_in(node, 1, {node.input_dtype(0)}, why) &&
                        (!node.has_input(2) || input_dtype_in(node, 2, {node.input_dtype(0)}, why)) &&
                        (!node.has_input(3) || input_dtype_in(node, 3, {node.input_dtype(0)}, why));
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string activation = node.attr_string("activation", "none");
                 return std::make_unique<causal_conv_kernel>(activation == "silu" || activation == "swish");
               }});
  t.push_back({"TensorScatter", "cuda_tensor_scatter",
               [](const node_view& node, std::string& why) {
                 const size_t es = dtype_size(node.input_dtype(0));
                 if (es != 1 && es != 2 && es != 4 && es != 8) {
                   why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return !node.has_input(2) || input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<tensor_scatter_kernel>(node.attr_int("axis", -2), node.attr_string("mode", "linear") == "circular");
               }});
}

}  // namespace mirt::cuda
