// backends/cpu/ops/transpose.cpp — Transpose (perm; default reverses the dims), any dtype.
#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class transpose_kernel final : public kernel {
 public:
  explicit transpose_kernel(std::optional<dims> perm) : perm_(std::move(perm)) {}
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    if (out.numel() == 0) return;
    const size_t r = in.rank();
    dims perm(r);
    for (size_t i = 0; i < r; ++i) perm[i] = perm_ ? normalize_axis((*perm_)[i], r, "perm entry") : int64_t(r - 1 - i);
    if (perm_ && perm_->size() != r) fail(MIRT_STATUS_INVALID_GRAPH, "perm has ", perm_->size(), " entries for rank ", r);
    // Output dim i walks input dim perm[i].
    const dims in_strides = dense_strides(in.shape);
    dims shape(r), strides(r);
    for (size_t i = 0; i < r; ++i) {
      shape[i] = in.shape[size_t(perm[i])];
      strides[i] = in_strides[size_t(perm[i])];
    }
    if (shape != out.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), ", expected ", dims_string(shape));
    strided_copy(in.data, out.data, dtype_size(in.dtype), shape, strides);
  }

 private:
  std::optional<dims> perm_;
};

bool any_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

}  // namespace

void add_transpose_ops(std::vector<op_entry>& t) {
  t.push_back({"Transpose", "ref_transpose", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<transpose_kernel>(node.attr_ints("perm"));
               }});
}

}  // namespace mirt::cpu
