// backends/cpu/ops/grid_sample.cpp — GridSample (opsets 16 to 22, any number of spatial dims):
// Y[n, c, p] interpolates X[n, c] at the grid point p (normalized to [-1, 1], innermost spatial dim
// first). Per output point the taps (flat offset, weight) are built once, then applied to every
// channel. Coordinates are computed in X's compute type (float32 for float16), as the ONNX
// reference does.
#include <algorithm>
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/support/grid_taps.hpp"

namespace mirt::cpu {
namespace {

using support::grid_mode;
using support::grid_padding;

class grid_sample_kernel final : public kernel {
 public:
  grid_sample_kernel(grid_mode mode, grid_padding padding, bool align_corners)
      : mode_(mode), padding_(padding), align_(align_corners) {}

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto xt) {
      dispatch_float(args.in.at(1).dtype, [&](auto gt) {
        run<typename decltype(xt)::type, typename decltype(gt)::type>(args);
      });
    });
  }

 private:
  template <class T, class G>
  void run(const exec_args& args) const {
    using C = compute_type<T>;
    const tensor &x = args.in.at(0), &grid = args.in.at(1), &y = args.out.at(0);
    const size_t r = x.rank() - 2;
    const int64_t n = x.shape[0], channels = x.shape[1], in_plane = product(x.shape, 2);
    const int64_t points = product(grid.shape, 1, grid.rank() - 1);
    const dims in_dims(x.shape.begin() + 2, x.shape.end());
    const dims in_strides = dense_strides(in_dims);
    const T* px = x.as<const T>();
    const G* pg = grid.as<const G>();
    T* py = y.as<T>();
    // Per dim: up to 4 (index, weight) taps; index -1 reads as 0 (zeros padding).
    std::vector<std::vector<std::pair<int64_t, C>>> taps(r);
    std::vector<std::pair<int64_t, C>> combos;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t p = 0; p < points; ++p) {
        const G* g = pg + (b * points + p) * int64_t(r);
        for (size_t d = 0; d < r; ++d) taps[d] = dim_taps<C>(C(load(g[r - 1 - d])), in_dims[d]);
        // Every combination of the per-dim taps: flat offset and the product of the weights.
        combos.assign(1, {0, C(1)});
        for (size_t d = 0; d < r; ++d) {
          std::vector<std::pair<int64_t, C>> next;
          next.reserve(combos.size() * taps[d].size());
          for (const auto& [off, w] : combos)
            for (const auto& [idx, tw] : taps[d])
              next.push_back({off < 0 || idx < 0 ? -1 : off + idx * in_strides[d], w * tw});
          combos.swap(next);
        }
        for (int64_t c = 0; c < channels; ++c) {
          const T* plane = px + (b * channels + c) * in_plane;
          C sum = 0;
          for (const auto& [off, w] : combos)
            if (off >= 0) sum += w * C(load(plane[off]));
          py[(b * channels + c) * points + p] = store<T>(sum);
        }
      }
  }

  // The taps along one dim of extent `size` for normalized coordinate g (backends/support/grid_taps.hpp).
  template <class C>
  std::vector<std::pair<int64_t, C>> dim_taps(C g, int64_t size) const {
    const support::grid_taps<C> t = support::taps_along<C>(mode_, padding_, align_, g, size);
    std::vector<std::pair<int64_t, C>> out;
    for (int k = 0; k < t.count; ++k) out.push_back({t.index[k], t.weight[k]});
    return out;
  }

  grid_mode mode_;
  grid_padding padding_;
  bool align_;
};

std::unique_ptr<kernel> make_grid_sample(const node_view& node) {
  const support::grid_sample_options o = support::read_grid_sample_options(node);
  return std::make_unique<grid_sample_kernel>(o.mode, o.padding, o.align_corners);
}

}  // namespace

void add_grid_sample_ops(std::vector<op_entry>& t) {
  t.push_back({"GridSample", "ref_grid_sample",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why) && float_input_at(node, 1, why); },
               make_grid_sample});
}

}  // namespace mirt::cpu
