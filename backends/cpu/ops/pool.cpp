// backends/cpu/ops/pool.cpp — MaxPool (with Indices), AveragePool, GlobalAveragePool, GlobalMaxPool.
//
// Direct loops: 1D and 2D pools run as 3D with leading unit dimensions. Windows follow ONNX exactly
// (dilations, explicit or automatic pads, ceil_mode via the output extent the core inferred, and
// count_include_pad counting the explicit pads but not the extra ceil_mode overhang).
#include <array>
#include <cmath>
#include <limits>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

struct pool_attrs {
  dims kernel, strides, dilations, pads;
  std::string auto_pad;
  bool count_include_pad = false;
  int64_t storage_order = 0;
};

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

// One spatial dimension's window geometry, for a concrete input and output extent.
struct axis_geometry {
  int64_t in = 1, out = 1, k = 1, s = 1, d = 1, pad_begin = 0, pad_end = 0;
};

std::array<axis_geometry, 3> geometry(const pool_attrs& a, const dims& x, const dims& y) {
  const size_t sr = x.size() - 2, lead = 3 - sr;
  std::array<axis_geometry, 3> g{};
  for (size_t i = 0; i < sr; ++i) {
    axis_geometry& ax = g[lead + i];
    ax.in = x[2 + i];
    ax.out = y[2 + i];
    ax.k = at_or(a.kernel, i, 1);
    ax.s = at_or(a.strides, i, 1);
    ax.d = at_or(a.dilations, i, 1);
    const int64_t span = (ax.k - 1) * ax.d + 1;
    if (a.auto_pad == "NOTSET") {
      ax.pad_begin = at_or(a.pads, i, 0);
      ax.pad_end = at_or(a.pads, sr + i, 0);
    } else if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(0, (ax.out - 1) * ax.s + span - ax.in);
      ax.pad_begin = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      ax.pad_end = total - ax.pad_begin;
    }
  }
  return g;
}

class pool_kernel final : public kernel {
 public:
  pool_kernel(pool_attrs a, bool is_max) : a_(std::move(a)), max_(is_max) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 3 || x.rank() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.rank(), ", supported 3 to 5");
    if (y.numel() == 0) return;
    const auto g = geometry(a_, x.shape, y.shape);
    const tensor* indices = args.out.size() > 1 && args.out[1].data != nullptr ? &args.out[1] : nullptr;
    const int64_t planes = x.shape[0] * x.shape[1];
    const int64_t in_plane = g[0].in * g[1].in * g[2].in, out_plane = g[0].out * g[1].out * g[2].out;
    const float* px = x.as<const float>();
    float* py = y.as<float>();
    for (int64_t p = 0; p < planes; ++p) {
      const float* src = px + p * in_plane;
      float* dst = py + p * out_plane;
      int64_t o = 0;
      for (int64_t od = 0; od < g[0].out; ++od)
        for (int64_t oh = 0; oh < g[1].out; ++oh)
          for (int64_t ow = 0; ow < g[2].out; ++ow, ++o) {
            const int64_t pos[3] = {od, oh, ow};
            int64_t lo[3], hi[3], start[3];
            int64_t padded_count = 1;
            for (int i = 0; i < 3; ++i) {
              const axis_geometry& ax = g[size_t(i)];
              start[i] = pos[i] * ax.s - ax.pad_begin;
              // Valid kernel taps: start + k*d inside [0, in).
              lo[i] = start[i] >= 0 ? 0 : (-start[i] + ax.d - 1) / ax.d;
              hi[i] = std::min(ax.k, start[i] >= ax.in ? 0 : (ax.in - 1 - start[i]) / ax.d + 1);
              // Taps inside the explicitly padded extent [-pad_begin, in + pad_end).
              int64_t taps = 0;
              for (int64_t k = 0; k < ax.k; ++k) {
                const int64_t q = start[i] + k * ax.d;
                taps += q >= -ax.pad_begin && q < ax.in + ax.pad_end;
              }
              padded_count *= taps;
            }
            float best = -std::numeric_limits<float>::infinity();
            int64_t best_at = -1;
            double sum = 0;
            int64_t count = 0;
            for (int64_t kd = lo[0]; kd < hi[0]; ++kd)
              for (int64_t kh = lo[1]; kh < hi[1]; ++kh)
                for (int64_t kw = lo[2]; kw < hi[2]; ++kw) {
                  const int64_t id = start[0] + kd * g[0].d, ih = start[1] + kh * g[1].d, iw = start[2] + kw * g[2].d;
                  const int64_t at = (id * g[1].in + ih) * g[2].in + iw;
                  const float v = src[at];
                  if (max_) {
                    if (v > best || best_at < 0) {
                      best = v;
                      best_at = at;
                    }
                  } else {
                    sum += v;
                    ++count;
                  }
                }
            if (max_) {
              dst[o] = best;
              if (indices) indices->as<int64_t>()[p * out_plane + o] = index_of(p, best_at, g, in_plane);
            } else {
              const int64_t divisor = a_.count_include_pad ? padded_count : count;
              dst[o] = divisor > 0 ? float(sum / double(divisor)) : 0.f;
            }
          }
    }
  }

 private:
  // ONNX Indices: flat index into the input, spatial part row-major (storage_order 0) or
  // column-major (1), plane part always row-major.
  int64_t index_of(int64_t plane, int64_t at, const std::array<axis_geometry, 3>& g, int64_t in_plane) const {
    if (at < 0) return -1;
    if (a_.storage_order == 0) return plane * in_plane + at;
    const int64_t id = at / (g[1].in * g[2].in), ih = (at / g[2].in) % g[1].in, iw = at % g[2].in;
    // Column-major over the real spatial dims (unit leading dims contribute 0).
    return plane * in_plane + iw * g[1].in * g[0].in + ih * g[0].in + id;
  }

  pool_attrs a_;
  bool max_;
};

std::unique_ptr<kernel> create_pool(const node_view& node) {
  pool_attrs a;
  const auto kernel_shape = node.attr_ints("kernel_shape");
  if (!kernel_shape) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'kernel_shape' is required");
  a.kernel = *kernel_shape;
  a.strides = node.attr_ints("strides", {});
  a.dilations = node.attr_ints("dilations", {});
  a.pads = node.attr_ints("pads", {});
  a.auto_pad = node.attr_string("auto_pad", "NOTSET");
  a.count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  a.storage_order = node.attr_int("storage_order", 0);
  return std::make_unique<pool_kernel>(std::move(a), node.op_type() == "MaxPool");
}

// Global pools: one mean or max per (n, c) plane.
class global_pool_kernel final : public kernel {
 public:
  explicit global_pool_kernel(bool is_max) : max_(is_max) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input rank ", x.rank(), ", expected at least 2");
    const int64_t planes = x.shape[0] * x.shape[1], size = product(x.shape, 2);
    const float* px = x.as<const float>();
    for (int64_t p = 0; p < planes; ++p) {
      const float* src = px + p * size;
      if (max_) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < size; ++i) m = std::max(m, src[i]);
        y.as<float>()[p] = m;
      } else {
        double s = 0;
        for (int64_t i = 0; i < size; ++i) s += src[i];
        y.as<float>()[p] = size > 0 ? float(s / double(size)) : 0.f;
      }
    }
  }

 private:
  bool max_;
};

bool float_input(const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why); }

}  // namespace

void add_pool_ops(std::vector<op_entry>& t) {
  t.push_back({"MaxPool", "ref_pool", float_input, create_pool});
  t.push_back({"AveragePool", "ref_pool", float_input, create_pool});
  t.push_back({"GlobalAveragePool", "ref_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(false);
               }});
  t.push_back({"GlobalMaxPool", "ref_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(true);
               }});
}

}  // namespace mirt::cpu
