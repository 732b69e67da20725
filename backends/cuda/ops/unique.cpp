// backends/cuda/ops/unique.cpp — Unique (sorted or in order of first occurrence, with or without
// axis, all four outputs), whose output extents are the number of distinct slices: found on the
// device, read back (the stream synchronizes), then each output is asked for at its shape.
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/unique.hpp"

namespace mirt::cuda {
namespace {

class unique_kernel final : public kernel {
 public:
  unique_kernel(std::optional<int64_t> axis, bool sorted) : axis_(axis), sorted_(sorted) {}

  void execute(const exec_args& args) const override {
    const dtensor& x = args.in.at(0);
    const size_t axis = axis_ ? size_t(normalize_axis(*axis_, x.rank())) : 0;
    const dims shape = axis_ ? x.shape : dims{x.numel()};
    unique_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.outer = product(shape, 0, axis), p.n = shape[axis], p.inner = product(shape, axis + 1);
    p.sorted = sorted_;
    auto wanted = [&](size_t i) { return args.out.size() > i && args.out[i].dtype != MIRT_DTYPE_UNDEFINED; };
    throw_if_failed(launch_unique(
        p,
        [&](int64_t count) {
          unique_outputs out;
          dims y_shape = shape;
          y_shape[axis] = count;
          out.y = args.output(0, y_shape).data;
          if (wanted(1)) out.indices = args.output(1, {count}).as<int64_t>();
          if (wanted(2)) out.inverse = args.output(2, {p.n}).as<int64_t>();
          if (wanted(3)) out.counts = args.output(3, {count}).as<int64_t>();
          return out;
        },
        args.stream));
  }

 private:
  std::optional<int64_t> axis_;
  bool sorted_;
};

bool known_dtype(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0,
                        {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT8,
                         MIRT_DTYPE_UINT8, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64, MIRT_DTYPE_BOOL},
                        why);
}

}  // namespace

void add_unique_ops(std::vector<op_entry>& t) {
  t.push_back({"Unique", "cuda_unique_sort_scan", known_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<unique_kernel>(
                     node.has_attr("axis") ? std::optional<int64_t>(node.attr_int("axis", 0)) : std::nullopt,
                     node.attr_int("sorted", 1) != 0);
               }});
}

}  // namespace mirt::cuda
