// backends/cpu/ops/nonzero_compress.cpp — NonZero and Compress: outputs whose extent is the number
// of selected elements, known only from the data. Each kernel counts first, then asks for its
// output at that shape (exec_args::output: a data-dependent output gets its buffer there).
#include <cstring>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// Whether element i of x is non-zero (NaN counts as non-zero, as numpy's nonzero has it).
bool nonzero_at(const tensor& x, int64_t i) {
  return dispatch_any(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const auto v = widen(x.as<const T>()[i]);
    return v != decltype(v)(0);
  });
}

// NonZero: int64 [rank, count], row d holding the d-th coordinate of each non-zero element in
// row-major order (numpy.nonzero).
class non_zero_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    std::vector<int64_t> positions;
    for (int64_t i = 0; i < x.numel(); ++i)
      if (nonzero_at(x, i)) positions.push_back(i);
    const int64_t count = int64_t(positions.size()), rank = int64_t(x.rank());
    const tensor y = args.output(0, {rank, count});
    int64_t* out = y.as<int64_t>();
    for (int64_t k = 0; k < count; ++k) {
      int64_t rest = positions[size_t(k)];
      for (int64_t d = rank; d-- > 0;) {
        out[d * count + k] = rest % x.shape[size_t(d)];
        rest /= x.shape[size_t(d)];
      }
    }
  }
};

// Compress: the slices of x along axis (or the elements of the flattened x) where condition is true;
// condition entries past the selected extent are ignored when false and refused when true.
class compress_kernel final : public kernel {
 public:
  explicit compress_kernel(std::optional<int64_t> axis) : axis_(axis) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &condition = args.in.at(1);
    const size_t axis = axis_ ? size_t(normalize_axis(*axis_, x.rank())) : 0;
    const dims shape = axis_ ? x.shape : dims{x.numel()};
    const int64_t extent = shape[axis], outer = product(shape, 0, axis), inner = product(shape, axis + 1);
    const uint8_t* keep = condition.as<const uint8_t>();
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < condition.numel(); ++i) {
      if (!keep[i]) continue;
      if (i >= extent)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (condition) selects entry ", i, " but the ",
             axis_ ? "axis" : "flattened input", " has ", extent);
      kept.push_back(i);
    }
    dims out_shape = shape;
    out_shape[axis] = int64_t(kept.size());
    const tensor y = args.output(0, out_shape);
    const size_t row = size_t(inner) * dtype_size(x.dtype);
    const auto* src = static_cast<const std::byte*>(x.data);
    auto* dst = static_cast<std::byte*>(y.data);
    for (int64_t o = 0; o < outer; ++o)
      for (size_t k = 0; k < kept.size(); ++k)
        std::memcpy(dst + (size_t(o) * kept.size() + k) * row, src + size_t(o * extent + kept[k]) * row, row);
  }

 private:
  std::optional<int64_t> axis_;
};

bool any_dtype(const node_view&, std::string&) { return true; }

}  // namespace

void add_nonzero_compress_ops(std::vector<op_entry>& t) {
  t.push_back({"NonZero", "ref_nonzero", any_dtype,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<non_zero_kernel>(); }});
  t.push_back({"Compress", "ref_compress", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<compress_kernel>(node.has_attr("axis") ? std::optional<int64_t>(node.attr_int("axis", 0))
                                                                                : std::nullopt);
               }});
}

}  // namespace mirt::cpu
