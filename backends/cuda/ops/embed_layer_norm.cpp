// backends/cuda/ops/embed_layer_norm.cpp — mirt::EmbedLayerNormalization (the builder's fusion of
// BERT's embedding Gather, its constant Adds and LayerNorm) in float32, float16 and bfloat16.
// Shapes the warp kernel does not take are refused at build, so the builder keeps the layers.
#include <algorithm>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/embed_layer_norm.hpp"
#include "backends/cuda/ops/index_check.hpp"

namespace mirt::cuda {
namespace {

constexpr int64_t k_max_hidden = 1024;

// The rows an Addend holds, when its shape without leading 1s matches y's last dims.
int64_t addend_rows(const dtensor& addend, const dtensor& y, int64_t hidden) {
  dims a = addend.shape;
  while (!a.empty() && a.front() == 1) a.erase(a.begin());
  if (a.empty() || a.size() > y.shape.size() || !std::equal(a.begin(), a.end(), y.shape.end() - long(a.size())))
    fail(MIRT_STATUS_INVALID_SHAPE, "Addend ", dims_string(addend.shape), " does not repeat by whole rows over the output ",
         dims_string(y.shape));
  return product(a) / hidden;
}

class embed_layer_norm_kernel final : public kernel {
 public:
  explicit embed_layer_norm_kernel(float epsilon) : eps_(epsilon), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &idx = args.in.at(0), &table = args.in.at(1), &addend = args.input(2), &scale = args.in.at(3),
                  &bias = args.input(4), &y = args.out.at(0);
    embed_layer_norm_params p;
    p.dtype = table.dtype;
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.table = table.data;
    p.vocabulary = table.shape.at(0);
    p.hidden = table.shape.at(1);
    p.rows = idx.numel();
    if (y.numel() != p.rows * p.hidden)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold ", p.rows, " rows of ", p.hidden);
    if (scale.numel() != p.hidden || (bias.present() && bias.numel() != p.hidden))
      fail(MIRT_STATUS_INVALID_SHAPE, "Scale and B must hold one value per column of Table (", p.hidden, ")");
    if (y.numel() == 0) return;
    if (addend.present()) p.addend = addend.data, p.addend_rows = addend_rows(addend, y, p.hidden);
    p.scale = scale.data;
    p.bias = bias.present() ? bias.data : nullptr;
    p.y = y.data;
    p.epsilon = eps_;
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_embed_layer_norm(p, args.stream));
    if (const int64_t at = check.first_bad(); at >= 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", index_value_at(idx, at, args.stream), " at position ", at,
           " is out of range for axis 0 of extent ", p.vocabulary);
  }

 private:
  float eps_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

// Indices int32/int64; Table, Addend, Scale and B of one float dtype; rows (Table's dim 1) of a
// multiple of 8 values, at most 1024 (the warp kernel's 16-byte loads), Scale and B one row each,
// an Addend of whole rows.
bool embed_layer_norm_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  if (!input_dtype_in(node, 1, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 2; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(1)}, why)) return false;
  const dims table = to_dims(node.input(1));
  const int64_t hidden = table.size() == 2 ? table[1] : -1;
  bool fits = hidden > 0 && hidden % 8 == 0 && hidden <= k_max_hidden;
  for (size_t i = 3; fits && i < 5; ++i)
    if (node.has_input(i)) fits = product(to_dims(node.input(i))) == hidden;
  if (fits && node.has_input(2)) {
    const dims a = to_dims(node.input(2));
    fits = !a.empty() && a.back() == hidden;
  }
  if (!fits) why = "EmbedLayerNormalization needs Table rows of a multiple of 8 values, at most 1024, Scale and B of one row";
  return fits;
}

}  // namespace

void add_embed_layer_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"EmbedLayerNormalization", "cuda_embed_layer_norm_warp", embed_layer_norm_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<embed_layer_norm_kernel>(node.attr_float("epsilon", 1e-5f));
               }});
}

}  // namespace mirt::cuda
