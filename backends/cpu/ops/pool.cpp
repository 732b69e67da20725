// backends/cpu/ops/pool.cpp — MaxPool (with Indices), AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool.
//
// mirt::MaxPool with layout "NHWC" (the builder's layout pass: X and Y held channels-last) runs on
// oneDNN only, 2-D without dilations or Indices.
// MaxPool and AveragePool run on oneDNN pooling_forward (plain NC(D)HW in and out) for unit
// dilations and no Indices output; the shape's right pads are those that give the output extent
// the core inferred (ceil_mode included). Everything else, and any shape oneDNN refuses, runs the
// reference loops: 1D and 2D pools as 3D with leading unit dimensions. Windows follow ONNX exactly
// (dilations, explicit or automatic pads, ceil_mode via the output extent the core inferred, and
// count_include_pad counting the explicit pads but not the extra ceil_mode overhang). The reference
// and global pools split their planes over the pool's threads when large (parallel.hpp).
#include <array>
#include <cmath>
#include <limits>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"
#include "backends/cpu/parallel.hpp"

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
  // p > 0: LpPool, (sum over the window of |x|^p)^(1/p); padding reads as 0.
  pool_kernel(pool_attrs a, bool is_max, int64_t p = 0) : a_(std::move(a)), max_(is_max), p_(p) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 3 || x.rank() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.rank(), ", supported 3 to 5");
    if (y.numel() == 0) return;
    switch (x.dtype) {  // the integer types only for MaxPool (see the op table)
      case MIRT_DTYPE_UINT8: return run<uint8_t>(x, y, args);
      case MIRT_DTYPE_INT8: return run<int8_t>(x, y, args);
      default: return run<float>(x, y, args);
    }
  }

 private:
  template <class T>
  void run(const tensor& x, const tensor& y, const exec_args& args) const {
    const auto g = geometry(a_, x.shape, y.shape);
    const tensor* indices = args.out.size() > 1 && args.out[1].data != nullptr ? &args.out[1] : nullptr;
    const int64_t planes = x.shape[0] * x.shape[1];
    const int64_t in_plane = g[0].in * g[1].in * g[2].in, out_plane = g[0].out * g[1].out * g[2].out;
    const T* px = x.as<const T>();
    T* py = y.as<T>();
    const int64_t window = g[0].k * g[1].k * g[2].k;  // taps per output value, for the grain
    parallel_for(planes, rows_grain(out_plane * window, k_grain_costly), [&](int64_t p_begin, int64_t p_end) {
      for (int64_t p = p_begin; p < p_end; ++p) {
        const T* src = px + p * in_plane;
        T* dst = py + p * out_plane;
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
              T best = std::numeric_limits<T>::lowest();
              int64_t best_at = -1;
              double sum = 0;
              int64_t count = 0;
              for (int64_t kd = lo[0]; kd < hi[0]; ++kd)
                for (int64_t kh = lo[1]; kh < hi[1]; ++kh)
                  for (int64_t kw = lo[2]; kw < hi[2]; ++kw) {
                    const int64_t id = start[0] + kd * g[0].d, ih = start[1] + kh * g[1].d, iw = start[2] + kw * g[2].d;
                    const int64_t at = (id * g[1].in + ih) * g[2].in + iw;
                    const T v = src[at];
                    if (max_) {
                      if (v > best || best_at < 0) {
                        best = v;
                        best_at = at;
                      }
                    } else if (p_ > 0) {
                      sum += std::pow(std::fabs(double(v)), double(p_));
                    } else {
                      sum += v;
                      ++count;
                    }
                  }
              if (max_) {
                dst[o] = best;
                if (indices) indices->as<int64_t>()[p * out_plane + o] = index_of(p, best_at, g, in_plane);
              } else if (p_ > 0) {
                dst[o] = T(std::pow(sum, 1.0 / double(p_)));
              } else {
                const int64_t divisor = a_.count_include_pad ? padded_count : count;
                dst[o] = divisor > 0 ? T(sum / double(divisor)) : T(0);
              }
            }
      }
    });
  }

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
  int64_t p_;
};

struct onednn_pool_entry {
  bool use_ref = false;  // oneDNN cannot run this shape exactly as ONNX defines it
  dnnl::pooling_forward prim;
  std::unique_ptr<dnnl::pooling_forward::primitive_desc> pd;
  dnnl::memory::desc src_md, dst_md;
  size_t workspace = 0;
};

// oneDNN pooling for the shapes it matches exactly; the reference kernel for the rest.
class onednn_pool_kernel final : public kernel {
 public:
  onednn_pool_kernel(pool_attrs a, bool is_max, bool nhwc = false)
      : a_(a), max_(is_max), nhwc_(nhwc), ref_(std::move(a), is_max) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty() || in[0].size() < 3 || in[0].size() > 5 || product(out[0]) == 0) return 0;
    return entry(in[0], out[0]).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const bool indices = args.out.size() > 1 && args.out[1].data != nullptr;
    if (nhwc_ && (indices || x.rank() != 4)) fail(MIRT_STATUS_UNSUPPORTED, "an NHWC MaxPool is 2-D without Indices");
    if (indices || x.rank() < 3 || x.rank() > 5 || y.numel() == 0) return ref_.execute(args);
    const onednn_pool_entry& e = entry(x.shape, y.shape);
    if (e.use_ref && nhwc_)
      fail(MIRT_STATUS_UNSUPPORTED, "oneDNN takes no NHWC pooling of ", dims_string(x.shape), " to ", dims_string(y.shape),
           " with these attributes (the reference loop is NCHW only)");
    if (e.use_ref) return ref_.execute(args);
    try {
      scratch ws(args, e.workspace);
      const auto& eng = onednn_engine();
      onednn_execute(e.prim, *e.pd, ws,
                     {{DNNL_ARG_SRC, dnnl::memory(e.src_md, eng, x.data)}, {DNNL_ARG_DST, dnnl::memory(e.dst_md, eng, y.data)}});
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running a pooling");
    }
  }

 private:
  const onednn_pool_entry& entry(const dims& x, const dims& y) const {
    shape_key key;
    key.add(x).add(y);
    return cache_.get(key, [&] { return build(x, y); });
  }

  std::unique_ptr<onednn_pool_entry> build(const dims& x, const dims& y) const {
    auto e = std::make_unique<onednn_pool_entry>();
    e->use_ref = true;
    if (y.size() != x.size() || y[0] != x[0] || y[1] != x[1]) return e;
    const size_t sr = x.size() - 2;
    const auto g = geometry(a_, x, y);
    dnnl::memory::dims strides, kernel, pad_l, pad_r;
    for (size_t i = 3 - sr; i < 3; ++i) {
      const axis_geometry& ax = g[i];
      if (ax.d != 1 || ax.k < 1 || ax.s < 1 || ax.out < 1) return e;
      // The right pad that makes oneDNN's output extent the inferred one (ceil_mode's overhang too).
      const int64_t needed = (ax.out - 1) * ax.s + ax.k - ax.in - ax.pad_begin;
      const int64_t pr = std::max<int64_t>(0, needed);
      // ONNX's count_include_pad counts explicit pads only, oneDNN every pad it is given.
      if (!max_ && a_.count_include_pad && pr > ax.pad_end) return e;
      if (ax.pad_begin < 0 || ax.pad_begin >= ax.k || pr >= ax.k) return e;
      strides.push_back(ax.s);
      kernel.push_back(ax.k);
      pad_l.push_back(ax.pad_begin);
      pad_r.push_back(pr);
    }
    dims x2 = x, y2 = y;
    if (sr == 1) {  // 1D as 2D: a unit height
      x2.insert(x2.begin() + 2, 1);
      y2.insert(y2.begin() + 2, 1);
      strides.insert(strides.begin(), 1);
      kernel.insert(kernel.begin(), 1);
      pad_l.insert(pad_l.begin(), 0);
      pad_r.insert(pad_r.begin(), 0);
    }
    const dnnl::algorithm alg = max_ ? dnnl::algorithm::pooling_max
                                     : a_.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                                            : dnnl::algorithm::pooling_avg_exclude_padding;
    try {
      e->src_md = nhwc_ ? nhwc_desc(x2) : plain_desc(x2);
      e->dst_md = nhwc_ ? nhwc_desc(y2) : plain_desc(y2);
      const dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, e->src_md, e->dst_md, strides, kernel,
                                         pad_l, pad_r);
      e->pd = std::make_unique<dnnl::pooling_forward::primitive_desc>(d, base_attr(), onednn_engine());
      e->prim = dnnl::pooling_forward(*e->pd);
      e->workspace = scratchpad_bytes(*e->pd);
      e->use_ref = false;
    } catch (const dnnl::error&) {
      e->use_ref = true;  // a geometry this oneDNN does not take: the reference loop is exact
    }
    return e;
  }

  pool_attrs a_;
  bool max_;
  bool nhwc_;
  pool_kernel ref_;
  shape_cache<onednn_pool_entry> cache_;
};

pool_attrs read_pool_attrs(const node_view& node) {
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
  return a;
}

std::unique_ptr<kernel> create_pool(const node_view& node) {
  return std::make_unique<pool_kernel>(read_pool_attrs(node), node.op_type() == "MaxPool");
}

std::unique_ptr<kernel> create_onednn_pool(const node_view& node) {
  return std::make_unique<onednn_pool_kernel>(read_pool_attrs(node), node.op_type() == "MaxPool");
}

// Global pools: one mean or max per (n, c) plane, over contiguous planes (8 partial results, which
// the compiler keeps in vector registers).
float plane_max(const float* src, int64_t size) {
  float m[8];
  for (float& v : m) v = -std::numeric_limits<float>::infinity();
  int64_t i = 0;
  for (; i + 8 <= size; i += 8)
    for (int j = 0; j < 8; ++j) m[j] = m[j] < src[i + j] ? src[i + j] : m[j];
  for (; i < size; ++i) m[0] = m[0] < src[i] ? src[i] : m[0];
  float r = m[0];
  for (int j = 1; j < 8; ++j) r = r < m[j] ? m[j] : r;
  return r;
}

double plane_sum(const float* src, int64_t size) {
  double s[8] = {};
  int64_t i = 0;
  for (; i + 8 <= size; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += src[i + j];
  for (; i < size; ++i) s[0] += src[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

class global_pool_kernel final : public kernel {
 public:
  explicit global_pool_kernel(bool is_max) : max_(is_max) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input rank ", x.rank(), ", expected at least 2");
    const int64_t planes = x.shape[0] * x.shape[1], size = product(x.shape, 2);
    const float* px = x.as<const float>();
    float* py = y.as<float>();
    parallel_for(planes, rows_grain(size, k_grain_cheap), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const float* src = px + p * size;
        if (max_) py[p] = plane_max(src, size);
        else py[p] = size > 0 ? float(plane_sum(src, size) / double(size)) : 0.f;
      }
    });
  }

 private:
  bool max_;
};

// The layout attribute (mirt::MaxPool) as "NCHW" when absent.
std::string pool_layout(const node_view& node) {
  std::string layout = node.attr_string("layout", "");
  return layout.empty() ? "NCHW" : layout;
}

bool float_input(const node_view& node, std::string& why) {
  if (pool_layout(node) != "NCHW") {
    why = cat("layout '", pool_layout(node), "' (this tactic takes NCHW)");
    return false;
  }
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why);
}

bool nhwc_max_pool_supports(const node_view& node, std::string& why) {
  if (pool_layout(node) != "NHWC") {
    why = cat("layout '", pool_layout(node), "' (this tactic takes NHWC)");
    return false;
  }
  if (node.input(0).rank != 4 || node.num_outputs() > 1) {
    why = "an NHWC MaxPool is 2-D without Indices";
    return false;
  }
  for (int64_t d : node.attr_ints("dilations", {}))
    if (d != 1) {
      why = "an NHWC MaxPool has no dilations";
      return false;
    }
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why);
}

}  // namespace

void add_pool_ops(std::vector<op_entry>& t) {
  t.push_back({"MaxPool", "onednn_pool", float_input, create_onednn_pool});
  t.push_back({"MaxPool", "ref_pool", float_input, create_pool});
  t.push_back({"MaxPool", "ref_int_pool", [](const node_view& node, std::string& why) {
                 if (pool_layout(node) != "NCHW") {
                   why = "integer pools are NCHW only";
                   return false;
                 }
                 return input_dtype_in(node, 0, {MIRT_DTYPE_UINT8, MIRT_DTYPE_INT8}, why);
               }, create_pool});
  t.push_back({"MaxPool", "onednn_pool_nhwc", nhwc_max_pool_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<onednn_pool_kernel>(read_pool_attrs(node), true, true);
               }});
  t.push_back({"AveragePool", "onednn_pool", float_input, create_onednn_pool});
  t.push_back({"AveragePool", "ref_pool", float_input, create_pool});
  t.push_back({"LpPool", "ref_pool", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t p = node.attr_int("p", 2);
                 if (p <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'p' is ", p, ", expected a positive integer");
                 return std::make_unique<pool_kernel>(read_pool_attrs(node), false, p);
               }});
  t.push_back({"GlobalAveragePool", "ref_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(false);
               }});
  t.push_back({"GlobalMaxPool", "ref_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(true);
               }});
}

}  // namespace mirt::cpu
