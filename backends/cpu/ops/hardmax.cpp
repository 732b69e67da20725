// backends/cpu/ops/hardmax.cpp — Hardmax (opset 13): 1 at the first maximum along `axis`, 0
// elsewhere. The input is seen as [outer, n, inner]; NaN never counts as a maximum.
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class hardmax_kernel final : public kernel {
 public:
  explicit hardmax_kernel(int64_t axis) : axis_(axis) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      std::vector<C> best(static_cast<size_t>(inner));
      std::vector<int64_t> at(static_cast<size_t>(inner));
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t base = o * n * inner;
        std::fill(best.begin(), best.end(), -std::numeric_limits<C>::infinity());
        std::fill(at.begin(), at.end(), 0);
        for (int64_t j = 0; j < n; ++j)
          for (int64_t i = 0; i < inner; ++i) {
            const C v = load(px[base + j * inner + i]);
            if (v > best[size_t(i)]) best[size_t(i)] = v, at[size_t(i)] = j;
          }
        for (int64_t j = 0; j < n; ++j)
          for (int64_t i = 0; i < inner; ++i) py[base + j * inner + i] = store<T>(C(at[size_t(i)] == j ? 1 : 0));
      }
    });
  }

 private:
  int64_t axis_;
};

}  // namespace

void add_hardmax_ops(std::vector<op_entry>& t) {
  t.push_back({"Hardmax", "ref_hardmax", [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<hardmax_kernel>(node.attr_int("axis", -1));
               }});
}

}  // namespace mirt::cpu
