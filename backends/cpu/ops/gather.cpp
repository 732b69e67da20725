// backends/cpu/ops/gather.cpp — Gather and GatherElements (axis, negative indices, int32/int64
// indices), any data dtype.
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class gather_kernel final : public kernel {
 public:
  explicit gather_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const tensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, data.rank()));
    const int64_t outer = product(data.shape, 0, axis), extent = data.shape[axis];
    const size_t block = size_t(product(data.shape, axis + 1)) * dtype_size(data.dtype);
    const std::vector<int64_t> indices = read_int_tensor(idx, "indices");
    if (out.numel() == 0) return;
    const auto* src = static_cast<const uint8_t*>(data.data);
    auto* dst = static_cast<uint8_t*>(out.data);
    for (int64_t o = 0; o < outer; ++o)
      for (size_t j = 0; j < indices.size(); ++j) {
        int64_t i = indices[j];
        if (i < -extent || i >= extent)
          fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", i, " at position ", j, " is out of range for axis ", axis,
               " of extent ", extent);
        if (i < 0) i += extent;
        std::memcpy(dst + (size_t(o) * indices.size() + j) * block, src + (size_t(o * extent + i)) * block, block);
      }
  }

 private:
  int64_t axis_;
};

// GatherElements: out[i] = data[i with its axis coordinate replaced by indices[i]].
class gather_elements_kernel final : public kernel {
 public:
  explicit gather_elements_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const tensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const size_t r = data.rank();
    const size_t axis = size_t(normalize_axis(axis_, r));
    if (idx.rank() != r) fail(MIRT_STATUS_INVALID_SHAPE, "indices rank ", idx.rank(), ", expected ", r);
    const std::vector<int64_t> indices = read_int_tensor(idx, "indices");
    const dims data_strides = dense_strides(data.shape);
    const size_t es = dtype_size(data.dtype);
    const int64_t extent = data.shape[axis];
    std::vector<int64_t> pos(r, 0);
    for (size_t i = 0; i < indices.size(); ++i) {
      int64_t k = indices[i];
      if (k < -extent || k >= extent)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", k, " at position ", i, " is out of range for axis ", axis, " of extent ", extent);
      if (k < 0) k += extent;
      int64_t at = 0;
      for (size_t d = 0; d < r; ++d) at += (d == axis ? k : pos[d]) * data_strides[d];
      std::memcpy(static_cast<uint8_t*>(out.data) + i * es, static_cast<const uint8_t*>(data.data) + size_t(at) * es, es);
      for (size_t d = r; d-- > 0;) {
        if (++pos[d] < idx.shape[d]) break;
        pos[d] = 0;
      }
    }
  }

 private:
  int64_t axis_;
};

bool gather_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_gather_ops(std::vector<op_entry>& t) {
  t.push_back({"Gather", "ref_gather", gather_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_kernel>(node.attr_int("axis", 0));
               }});
  t.push_back({"GatherElements", "ref_gather_elements", gather_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_elements_kernel>(node.attr_int("axis", 0));
               }});
}

}  // namespace mirt::cpu
