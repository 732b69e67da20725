// backends/cpu/ops/det.cpp — Det: the determinant of each trailing [M, M] matrix, by LU
// decomposition with partial pivoting in double (float16/bfloat16/float32/float64 storage).
#include <cmath>
#include <utility>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// Determinant of the n x n row-major matrix a (destroyed).
double lu_determinant(std::vector<double>& a, int64_t n) {
  double det = 1;
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::fabs(a[size_t(r * n + c)]) > std::fabs(a[size_t(pivot * n + c)])) pivot = r;
    const double p = a[size_t(pivot * n + c)];
    if (p == 0) return 0;  // singular
    if (pivot != c) {
      for (int64_t k = 0; k < n; ++k) std::swap(a[size_t(c * n + k)], a[size_t(pivot * n + k)]);
      det = -det;
    }
    det *= p;
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = a[size_t(r * n + c)] / p;
      for (int64_t k = c + 1; k < n; ++k) a[size_t(r * n + k)] -= f * a[size_t(c * n + k)];
    }
  }
  return det;
}

class det_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2 || x.shape[x.rank() - 1] != x.shape[x.rank() - 2])
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected square matrices in its last two dims");
    const int64_t n = x.shape[x.rank() - 1], mats = product(x.shape, 0, x.rank() - 2);
    if (mats != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not match input ", dims_string(x.shape));
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      std::vector<double> a(size_t(n * n));
      for (int64_t m = 0; m < mats; ++m) {
        for (size_t i = 0; i < a.size(); ++i) a[i] = double(load(px[size_t(m * n * n) + i]));
        py[m] = store<T>(compute_type<T>(lu_determinant(a, n)));
      }
    });
  }
};

}  // namespace

void add_det_ops(std::vector<op_entry>& t) {
  t.push_back({"Det", "ref_det", [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<det_kernel>(); }});
}

}  // namespace mirt::cpu
