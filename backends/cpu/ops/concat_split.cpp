// backends/cpu/ops/concat_split.cpp — Concat and Split along an axis, any dtype. Split takes its
// piece sizes from the output shapes the core inferred (from the split input or num_outputs).
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class concat_kernel final : public kernel {
 public:
  explicit concat_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, out.rank()));
    const int64_t outer = product(out.shape, 0, axis);
    const size_t es = dtype_size(out.dtype), inner = size_t(product(out.shape, axis + 1)) * es;
    const size_t out_row = size_t(out.shape[axis]) * inner;
    size_t at = 0;
    for (const tensor& in : args.in) {
      if (in.rank() != out.rank()) fail(MIRT_STATUS_INVALID_SHAPE, "input rank ", in.rank(), ", expected ", out.rank());
      const size_t row = size_t(in.shape[axis]) * inner;
      if (at + row > out_row) fail(MIRT_STATUS_INVALID_SHAPE, "inputs exceed the output extent on axis ", axis);
      for (int64_t o = 0; o < outer && row > 0; ++o)
        std::memcpy(static_cast<uint8_t*>(out.data) + size_t(o) * out_row + at, static_cast<const uint8_t*>(in.data) + size_t(o) * row, row);
      at += row;
    }
  }

 private:
  int64_t axis_;
};

class split_kernel final : public kernel {
 public:
  explicit split_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const tensor& in = args.in.at(0);
    const size_t axis = size_t(normalize_axis(axis_, in.rank()));
    const int64_t outer = product(in.shape, 0, axis);
    const size_t es = dtype_size(in.dtype), inner = size_t(product(in.shape, axis + 1)) * es;
    const size_t in_row = size_t(in.shape[axis]) * inner;
    size_t at = 0;
    for (const tensor& out : args.out) {
      const size_t row = size_t(out.shape.at(axis)) * inner;
      if (at + row > in_row) fail(MIRT_STATUS_INVALID_SHAPE, "outputs exceed the input extent on axis ", axis);
      for (int64_t o = 0; o < outer && row > 0; ++o)
        std::memcpy(static_cast<uint8_t*>(out.data) + size_t(o) * row, static_cast<const uint8_t*>(in.data) + size_t(o) * in_row + at, row);
      at += row;
    }
  }

 private:
  int64_t axis_;
};

bool any_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

}  // namespace

void add_concat_split_ops(std::vector<op_entry>& t) {
  t.push_back({"Concat", "ref_concat", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<concat_kernel>(node.attr_int("axis", 0));
               }});
  t.push_back({"Split", "ref_split", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<split_kernel>(node.attr_int("axis", 0));
               }});
}

}  // namespace mirt::cpu
