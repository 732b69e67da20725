// backends/cpu/ops/embed_layer_norm.cpp — mirt::EmbedLayerNormalization: Y = LayerNorm(Table[Indices]
// + Addend) over the last axis, in float32 (statistics in double, as LayerNormalization). The
// Addend repeats by whole rows: output row r adds Addend row r % (Addend's rows). Negative indices
// count from the end; an out-of-range one fails naming it and its position, as Gather does.
#include <algorithm>
#include <cstring>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

namespace mirt::cpu {
namespace {

// The rows an Addend holds, when its shape without leading 1s matches y's last dims.
int64_t addend_rows(const tensor& addend, const tensor& y, int64_t hidden) {
  dims a = addend.shape;
  while (!a.empty() && a.front() == 1) a.erase(a.begin());
  if ((a.empty() && hidden != 1) || a.size() > y.shape.size() || !std::equal(a.begin(), a.end(), y.shape.end() - long(a.size())))
    fail(MIRT_STATUS_INVALID_SHAPE, "Addend ", dims_string(addend.shape), " does not repeat by whole rows over the output ",
         dims_string(y.shape));
  return product(a) / hidden;
}

class embed_layer_norm_kernel final : public kernel {
 public:
  explicit embed_layer_norm_kernel(float epsilon) : eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const tensor &idx = args.in.at(0), &table = args.in.at(1), &addend = args.input(2), &scale = args.in.at(3),
                 &bias = args.input(4), &y = args.out.at(0);
    if (table.rank() != 2) fail(MIRT_STATUS_INVALID_SHAPE, "Table ", dims_string(table.shape), " is not [V, H]");
    const int64_t vocabulary = table.shape[0], hidden = table.shape[1];
    if (scale.numel() != hidden || (bias.present() && bias.numel() != hidden))
      fail(MIRT_STATUS_INVALID_SHAPE, "Scale and B must hold one value per column of Table (", hidden, ")");
    const std::vector<int64_t> indices = read_int_tensor(idx, "indices");
    if (y.numel() != int64_t(indices.size()) * hidden)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold ", indices.size(), " rows of ", hidden);
    if (y.numel() == 0) return;
    const int64_t period = addend.present() ? addend_rows(addend, y, hidden) : 0;
    for (size_t j = 0; j < indices.size(); ++j)
      if (indices[j] < -vocabulary || indices[j] >= vocabulary)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", indices[j], " at position ", j, " is out of range for axis 0 of extent ", vocabulary);
    const float *rows = table.as<const float>(), *add = addend.present() ? addend.as<const float>() : nullptr;
    float* out = y.as<float>();
    parallel_for(int64_t(indices.size()), rows_grain(hidden, k_grain_costly), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t k = indices[size_t(r)] < 0 ? indices[size_t(r)] + vocabulary : indices[size_t(r)];
        const float* src = rows + k * hidden;
        float* dst = out + r * hidden;
        if (add == nullptr) {
          std::memcpy(dst, src, size_t(hidden) * sizeof(float));
        } else {
          const float* a = add + (r % period) * hidden;
          for (int64_t i = 0; i < hidden; ++i) dst[i] = src[i] + a[i];
        }
      }
      layer_norm_rows(out + begin * hidden, out + begin * hidden, end - begin, hidden, scale.as<const float>(),
                      bias.present() ? bias.as<const float>() : nullptr, eps_, nullptr, nullptr);
    });
  }

 private:
  float eps_;
};

bool embed_layer_norm_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  return true;
}

}  // namespace

void add_embed_layer_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"EmbedLayerNormalization", "cpu_embed_layer_norm", embed_layer_norm_supports,
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<embed_layer_norm_kernel>(node.attr_float("epsilon", 1e-5f));
               }});
}

}  // namespace mirt::cpu
