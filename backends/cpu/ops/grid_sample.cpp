// backends/cpu/ops/grid_sample.cpp — GridSample (opsets 16 to 22, any number of spatial dims):
// Y[n, c, p] interpolates X[n, c] at the grid point p (normalized to [-1, 1], innermost spatial dim
// first). Per output point the taps (flat offset, weight) are built once, then applied to every
// channel. Coordinates are computed in X's compute type (float32 for float16), as the ONNX
// reference does.
#include <algorithm>
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class sample_mode { nearest, linear, cubic };
enum class padding_mode { zeros, border, reflection };

// Reflects x into [lo, hi] by bouncing off the borders.
template <class C>
C reflect(C x, C lo, C hi) {
  const C range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const C dx = lo - x;
    const int64_t n = int64_t(dx / range);
    const C r = dx - C(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const C dx = x - hi;
    const int64_t n = int64_t(dx / range);
    const C r = dx - C(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

template <class C>
void cubic_coeffs(C t, C* w) {
  const C a = C(-0.75);
  const C x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  w[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
  w[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
  w[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
  w[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

class grid_sample_kernel final : public kernel {
 public:
  grid_sample_kernel(sample_mode mode, padding_mode padding, bool align_corners)
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

  // The taps along one dim of extent `size` for normalized coordinate g.
  template <class C>
  std::vector<std::pair<int64_t, C>> dim_taps(C g, int64_t size) const {
    C xc = align_ ? (g + 1) / 2 * C(size - 1) : ((g + 1) * C(size) - 1) / 2;
    if (mode_ == sample_mode::nearest) xc = std::nearbyint(xc);  // ties to even, as numpy.rint
    const C lo = align_ ? C(0) : C(-0.5), hi = align_ ? C(size - 1) : C(size) - C(0.5);
    if (xc < lo || xc > hi) {
      if (padding_ == padding_mode::border) xc = std::clamp(xc, C(0), C(size - 1));
      else if (padding_ == padding_mode::reflection) xc = reflect(xc, lo, hi);
    }
    // A tap index as the padding mode reads it (-1: a zero).
    auto at = [&](int64_t i) -> int64_t {
      if (i >= 0 && i < size) return i;
      if (padding_ == padding_mode::zeros) return -1;
      if (padding_ == padding_mode::border) return std::clamp<int64_t>(i, 0, size - 1);
      return std::clamp<int64_t>(int64_t(reflect(C(i), lo, hi)), 0, size - 1);
    };
    std::vector<std::pair<int64_t, C>> t;
    if (mode_ == sample_mode::nearest) {
      t.push_back({at(int64_t(xc)), C(1)});
      return t;
    }
    const int64_t x0 = int64_t(std::floor(xc));
    const C frac = xc - C(x0);
    if (mode_ == sample_mode::linear) {
      t.push_back({at(x0), 1 - frac});
      t.push_back({at(x0 + 1), frac});
      return t;
    }
    C w[4];
    cubic_coeffs(frac, w);
    for (int k = 0; k < 4; ++k) t.push_back({at(x0 - 1 + k), w[k]});
    return t;
  }

  sample_mode mode_;
  padding_mode padding_;
  bool align_;
};

std::unique_ptr<kernel> make_grid_sample(const node_view& node) {
  const std::string mode = node.attr_string("mode", "linear"), padding = node.attr_string("padding_mode", "zeros");
  sample_mode m;
  if (mode == "nearest") m = sample_mode::nearest;
  else if (mode == "linear" || mode == "bilinear") m = sample_mode::linear;
  else if (mode == "cubic" || mode == "bicubic") m = sample_mode::cubic;
  else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected nearest, linear or cubic");
  padding_mode p;
  if (padding == "zeros") p = padding_mode::zeros;
  else if (padding == "border") p = padding_mode::border;
  else if (padding == "reflection") p = padding_mode::reflection;
  else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'padding_mode' is '", padding, "', expected zeros, border or reflection");
  return std::make_unique<grid_sample_kernel>(m, p, node.attr_int("align_corners", 0) != 0);
}

}  // namespace

void add_grid_sample_ops(std::vector<op_entry>& t) {
  t.push_back({"GridSample", "ref_grid_sample",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why) && float_input_at(node, 1, why); },
               make_grid_sample});
}

}  // namespace mirt::cpu
