// backends/cuda/ops/normalization.cpp — Softmax/LogSoftmax, LayerNormalization,
// mirt::SkipLayerNormalization, BatchNormalization.
// Softmax and LayerNormalization also in float16/bfloat16, computed in float32; SkipLayerNormalization
// from float16/bfloat16 also into float32 (the builder's fold of the Cast after it).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/normalization.hpp"

namespace mirt::cuda {
namespace {

class softmax_kernel final : public kernel {
 public:
  softmax_kernel(int64_t axis, bool log) : axis_(axis), log_(log) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    softmax_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.outer = product(x.shape, 0, axis);
    p.n = x.shape[axis];
    p.inner = product(x.shape, axis + 1);
    p.log = log_;
    throw_if_failed(launch_softmax(p, args.stream));
  }

 private:
  int64_t axis_;
  bool log_;
};

// The elements of a Scale/B operand repeat with period numel over the normalized block when its
// shape (leading ones dropped) is a suffix of the block's shape.
int64_t period_of(const dtensor& t, const dims& block) {
  dims s = t.shape;
  while (!s.empty() && s.front() == 1) s.erase(s.begin());
  if (s.size() > block.size() || !std::equal(s.begin(), s.end(), block.end() - long(s.size())))
    fail(MIRT_STATUS_UNSUPPORTED, "scale/bias shape ", dims_string(t.shape), " broadcasts onto the normalized block ",
         dims_string(block), " in a way this kernel does not handle (only a trailing-dims match)");
  return product(s);
}

class layer_norm_kernel final : public kernel {
 public:
  layer_norm_kernel(int64_t axis, float epsilon) : axis_(axis), eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const dims block(x.shape.begin() + long(axis), x.shape.end());
    layer_norm_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.rows = product(x.shape, 0, axis);
    p.cols = product(x.shape, axis);
    p.epsilon = eps_;
    if (args.input(1).present()) p.scale = args.in[1].data, p.scale_n = period_of(args.in[1], block);
    if (args.input(2).present()) p.bias = args.in[2].data, p.bias_n = period_of(args.in[2], block);
    if (args.out.size() > 1 && args.out[1].data) p.mean = args.out[1].as<float>();
    if (args.out.size() > 2 && args.out[2].data) p.inv_std = args.out[2].as<float>();
    throw_if_failed(launch_layer_norm(p, args.stream));
  }

 private:
  int64_t axis_;
  float eps_;
};

// mirt::SkipLayerNormalization: the register kernel with the residual added as it loads the row.
class skip_layer_norm_kernel final : public kernel {
 public:
  skip_layer_norm_kernel(int64_t axis, float epsilon) : axis_(axis), eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &skip = args.in.at(1), &y = args.out.at(0);
    if (skip.shape != x.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "Skip ", dims_string(skip.shape), " differs from X ", dims_string(x.shape));
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    layer_norm_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.skip = skip.data;
    if (y.dtype == x.dtype) {
      p.y = y.data;
    } else {  // Y in float32 from halves (a folded Cast); the halves too where output 1 asks for them
      p.y_float = y.as<float>();
      if (args.out.size() > 1) p.y = args.out[1].data;
    }
    p.rows = product(x.shape, 0, axis);
    p.cols = product(x.shape, axis);
    p.epsilon = eps_;
    if (args.input(2).present()) p.scale = args.in[2].data, p.scale_n = args.in[2].numel();
    if (args.input(3).present()) p.bias = args.in[3].data, p.bias_n = args.in[3].numel();
    throw_if_failed(launch_layer_norm(p, args.stream));
  }

 private:
  int64_t axis_;
  float eps_;
};

class batch_norm_kernel final : public kernel {
 public:
  explicit batch_norm_kernel(float epsilon) : eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    batch_norm_params p;
    p.x = x.as<const float>();
    p.y = y.as<float>();
    p.n = x.shape.at(0);
    p.c = x.rank() > 1 ? x.shape[1] : 1;
    p.inner = product(x.shape, 2);
    for (const size_t i : {1, 2, 3, 4})
      if (args.in.at(i).numel() != p.c)
        fail(MIRT_STATUS_INVALID_SHAPE, "input ", i, " has ", args.in[i].numel(), " values, expected ", p.c, " (channels)");
    p.scale = args.in[1].as<const float>();
    p.bias = args.in[2].as<const float>();
    p.mean = args.in[3].as<const float>();
    p.var = args.in[4].as<const float>();
    p.epsilon = eps_;
    throw_if_failed(launch_batch_norm(p, args.stream));
  }

 private:
  float eps_;
};

// float32, float16 or bfloat16, every present input of input 0's dtype.
bool same_float_inputs(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

// Whether the register kernel takes the node's rows: dims [axis, rank) of input 0 make rows of at
// most 1024 values (known, a multiple of 4), and the scale and bias (inputs first_param and the next)
// hold one row each.
bool register_rows_fit(const node_view& node, size_t first_param) {
  const dims x = to_dims(node.input(0));
  const int64_t r = int64_t(x.size());
  int64_t axis = node.attr_int("axis", -1);
  if (axis < 0) axis += r;
  int64_t cols = 1;
  for (int64_t d = axis; d >= 0 && d < r; ++d) cols = x[size_t(d)] < 0 || cols < 0 ? -1 : cols * x[size_t(d)];
  bool fits = axis >= 0 && axis < r && cols > 0 && cols % 4 == 0 && cols <= 1024;
  for (size_t i = first_param; fits && i < first_param + 2; ++i)
    if (node.has_input(i)) fits = product(to_dims(node.input(i))) == cols;
  return fits;
}

// Halves take the register kernel only: rows of <= 1024 values, a multiple of 4, scale and bias of
// one row each, no Mean/InvStdDev outputs (the statistics stay float32 inside the kernel).
bool layer_norm_supports(const node_view& node, std::string& why) {
  if (!same_float_inputs(node, why)) return false;
  if (node.input_dtype(0) == MIRT_DTYPE_FLOAT32) return true;
  bool fits = register_rows_fit(node, 1);
  for (size_t o = 1; fits && o < node.num_outputs(); ++o) fits = node.output_dtype(o) == MIRT_DTYPE_UNDEFINED;
  if (!fits) why = "float16/bfloat16 LayerNormalization needs rows of at most 1024 values (a multiple of 4), scale and bias "
                   "of one row and no Mean/InvStdDev outputs";
  return fits;
}

// The register kernel's shapes in any float dtype: rows of <= 1024 values (a multiple of 4), Scale
// and B of one row each. Y in the inputs' type or, from halves, in float32 (a Cast the builder
// folded in), then optionally also in the inputs' type as output 1.
bool skip_layer_norm_supports(const node_view& node, std::string& why) {
  if (!same_float_inputs(node, why)) return false;
  const mirt_dtype t = node.input_dtype(0);
  const bool widened = t != MIRT_DTYPE_FLOAT32 && node.output_dtype(0) == MIRT_DTYPE_FLOAT32;
  if ((node.output_dtype(0) != t && !widened) || (node.num_outputs() > 1 && (!widened || node.output_dtype(1) != t))) {
    why = "SkipLayerNormalization writes Y in its inputs' type, or in float32 from float16/bfloat16 (with an optional "
          "second output in the inputs' type)";
    return false;
  }
  const bool fits = register_rows_fit(node, 2);
  if (!fits) why = "SkipLayerNormalization needs rows of at most 1024 values (a multiple of 4) and Scale/B of one row";
  return fits;
}

bool batch_norm_supports(const node_view& node, std::string& why) {
  if (node.attr_int("training_mode", 0) != 0) {
    why = "training_mode=1 (only inference is supported)";
    return false;
  }
  return float_inputs(node, why);
}

}  // namespace

void add_normalization_ops(std::vector<op_entry>& t) {
  t.push_back({"Softmax", "cuda_softmax", same_float_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), false);
               }});
  t.push_back({"LogSoftmax", "cuda_softmax", same_float_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), true);
               }});
  t.push_back({"LayerNormalization", "cuda_layernorm_warp_per_row", layer_norm_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<layer_norm_kernel>(node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"SkipLayerNormalization", "cuda_layernorm_warp_regs_skip", skip_layer_norm_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<skip_layer_norm_kernel>(node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"BatchNormalization", "cuda_batch_norm", batch_norm_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<batch_norm_kernel>(node.attr_float("epsilon", 1e-5f));
               }});
}

}  // namespace mirt::cuda
