// backends/cpu/ops/unique.cpp — Unique: the distinct elements of the flattened input, or the
// distinct slices along `axis`, sorted ascending (lexicographically for slices) or in order of first
// occurrence, with each one's first index, every element's (slice's) index into the result, and
// the counts. How many there are is known only from the data (a data-dependent shape).
#include <algorithm>
#include <cstring>
#include <numeric>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class unique_kernel final : public kernel {
 public:
  unique_kernel(std::optional<int64_t> axis, bool sorted) : axis_(axis), sorted_(sorted) {}

  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const size_t axis = axis_ ? size_t(normalize_axis(*axis_, x.rank())) : 0;
    const dims shape = axis_ ? x.shape : dims{x.numel()};
    const int64_t n = shape[axis], outer = product(shape, 0, axis), inner = product(shape, axis + 1);

    // Slice k holds elements (o, k, i) in (o, i) row-major order; slices compare lexicographically.
    // Sorting indices stably puts equal slices together, lowest index (first occurrence) first.
    std::vector<int64_t> order(static_cast<size_t>(n), 0);
    std::iota(order.begin(), order.end(), 0);
    std::vector<std::vector<int64_t>> groups;  // members of each distinct slice, ascending
    dispatch_any(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* p = x.as<const T>();
      auto compare = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const auto va = widen(p[(o * n + a) * inner + i]), vb = widen(p[(o * n + b) * inner + i]);
            if (va < vb) return -1;
            if (vb < va) return 1;
          }
        return 0;
      };
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
      for (size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || compare(order[k - 1], order[k]) != 0) groups.emplace_back();
        groups.back().push_back(order[k]);
      }
    });
    if (!sorted_)  // order of first occurrence
      std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });

    const int64_t count = int64_t(groups.size());
    dims y_shape = shape;
    y_shape[axis] = count;
    const tensor y = args.output(0, y_shape);
    const size_t row = size_t(inner) * dtype_size(x.dtype);
    const auto* src = static_cast<const std::byte*>(x.data);
    auto* dst = static_cast<std::byte*>(y.data);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t u = 0; u < count; ++u)
        std::memcpy(dst + size_t(o * count + u) * row, src + size_t(o * n + groups[size_t(u)].front()) * row, row);
    if (args.out.size() > 1 && args.out[1].dtype != MIRT_DTYPE_UNDEFINED) {
      const tensor indices = args.output(1, {count});
      for (int64_t u = 0; u < count; ++u) indices.as<int64_t>()[u] = groups[size_t(u)].front();
    }
    if (args.out.size() > 2 && args.out[2].dtype != MIRT_DTYPE_UNDEFINED) {
      const tensor inverse = args.output(2, {n});
      for (int64_t u = 0; u < count; ++u)
        for (int64_t k : groups[size_t(u)]) inverse.as<int64_t>()[k] = u;
    }
    if (args.out.size() > 3 && args.out[3].dtype != MIRT_DTYPE_UNDEFINED) {
      const tensor counts = args.output(3, {count});
      for (int64_t u = 0; u < count; ++u) counts.as<int64_t>()[u] = int64_t(groups[size_t(u)].size());
    }
  }

 private:
  std::optional<int64_t> axis_;
  bool sorted_;
};

bool any_dtype(const node_view&, std::string&) { return true; }

}  // namespace

void add_unique_ops(std::vector<op_entry>& t) {
  t.push_back({"Unique", "ref_unique", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<unique_kernel>(
                     node.has_attr("axis") ? std::optional<int64_t>(node.attr_int("axis", 0)) : std::nullopt,
                     node.attr_int("sorted", 1) != 0);
               }});
}

}  // namespace mirt::cpu
