// backends/cpu/ops/softmax.cpp — Softmax and LogSoftmax along one axis (opset 13 semantics) on oneDNN.
//
// Along the innermost axis (contiguous rows), a vector loop (vector_math.hpp), rows split over the
// pool's threads when many (parallel.hpp). Otherwise the input is seen as [outer, n, inner] and
// reduced along n by oneDNN softmax_forward / logsoftmax_forward, one primitive per shape.
#include <cmath>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

namespace mirt::cpu {
namespace {

using dnnl::memory;

struct softmax_entry {
  dnnl::primitive prim;
  // shared_ptr: made from a unique_ptr to the concrete desc, it deletes through the right type
  // (primitive_desc_base has no virtual destructor).
  std::shared_ptr<dnnl::primitive_desc_base> pd;
  memory::desc md;
  size_t workspace = 0;
};

class softmax_kernel final : public kernel {
 public:
  softmax_kernel(int64_t axis, bool log) : axis_(axis), log_(log) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    (void)out;
    if (in.empty() || product(in[0]) == 0 || in[0].empty() || innermost(in[0])) return 0;
    return entry(in[0]).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    if (innermost(x.shape)) {
      const int64_t n = x.shape[size_t(normalize_axis(axis_, x.rank()))];
      const float* px = x.as<const float>();
      float* py = y.as<float>();
      return parallel_for(x.numel() / n, rows_grain(n, k_grain_costly), [&](int64_t begin, int64_t end) {
        softmax_rows(px + begin * n, py + begin * n, end - begin, n, log_);
      });
    }
    try {
      const softmax_entry& e = entry(x.shape);
      scratch ws(args, e.workspace);
      const auto& eng = onednn_engine();
      onednn_execute(e.prim, *e.pd, ws, {{DNNL_ARG_SRC, memory(e.md, eng, x.data)}, {DNNL_ARG_DST, memory(e.md, eng, y.data)}});
    } catch (const dnnl::error& err) {
      onednn_fail(err, log_ ? "running a log-softmax" : "running a softmax");
    }
  }

 private:
  // Whether the axis is the last one with an extent above 1 (rows are contiguous).
  bool innermost(const dims& x) const {
    const size_t axis = size_t(normalize_axis(axis_, x.size()));
    return product(x, axis + 1) == 1;
  }

  const softmax_entry& entry(const dims& x) const {
    shape_key key;
    key.add(x);
    return cache_.get(key, [&] { return build(x); });
  }

  std::unique_ptr<softmax_entry> build(const dims& x) const {
    const size_t axis = size_t(normalize_axis(axis_, x.size()));
    const int64_t outer = product(x, 0, axis), n = x[axis], inner = product(x, axis + 1);
    auto e = std::make_unique<softmax_entry>();
    e->md = inner == 1 ? plain_desc({outer, n}) : plain_desc({outer, n, inner});
    const auto& eng = onednn_engine();
    const dnnl::primitive_attr attr = base_attr();
    if (log_) {
      auto pd = std::make_unique<dnnl::logsoftmax_forward::primitive_desc>(
          dnnl::logsoftmax_forward::desc(dnnl::prop_kind::forward_inference, e->md, 1), attr, eng);
      e->prim = dnnl::logsoftmax_forward(*pd);
      e->pd = std::move(pd);
    } else {
      auto pd = std::make_unique<dnnl::softmax_forward::primitive_desc>(
          dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, e->md, 1), attr, eng);
      e->prim = dnnl::softmax_forward(*pd);
      e->pd = std::move(pd);
    }
    e->workspace = scratchpad_bytes(*e->pd);
    return e;
  }

  int64_t axis_;
  bool log_;
  shape_cache<softmax_entry> cache_;
};

bool float_input(const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why); }

// Softmax and LogSoftmax in float64, float16 and bfloat16 (float32 has the paths above): a plain
// loop over [outer, n, inner] that subtracts the max first, so exp cannot overflow, and sums in double.
class ref_softmax_kernel final : public kernel {
 public:
  ref_softmax_kernel(int64_t axis, bool log) : axis_(axis), log_(log) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      parallel_for(outer, rows_grain(n * inner, k_grain_costly), [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const int64_t base = o * n * inner + i;
            double m = -INFINITY, sum = 0;
            for (int64_t k = 0; k < n; ++k) m = std::max(m, double(load(px[base + k * inner])));
            for (int64_t k = 0; k < n; ++k) sum += std::exp(double(load(px[base + k * inner])) - m);
            const double log_sum = std::log(sum);
            for (int64_t k = 0; k < n; ++k) {
              const double d = double(load(px[base + k * inner])) - m;
              py[base + k * inner] = store<T>(compute_type<T>(log_ ? d - log_sum : std::exp(d) / sum));
            }
          }
      });
    });
  }

 private:
  int64_t axis_;
  bool log_;
};

bool other_float_input(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

}  // namespace

void add_softmax_ops(std::vector<op_entry>& t) {
  t.push_back({"Softmax", "vector_softmax", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), false);
               }});
  t.push_back({"LogSoftmax", "vector_softmax", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<softmax_kernel>(node.attr_int("axis", -1), true);
               }});
  for (const char* op : {"Softmax", "LogSoftmax"})
    t.push_back({op, "ref_softmax", other_float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                   return std::make_unique<ref_softmax_kernel>(node.attr_int("axis", -1), node.op_type() == "LogSoftmax");
                 }});
}

}  // namespace mirt::cpu
