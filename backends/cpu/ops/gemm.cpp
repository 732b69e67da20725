// backends/cpu/ops/gemm.cpp — Gemm: Y = alpha * A' B' + beta * C on oneDNN matmul.
//
// Transposes are strides on the operand descs. beta * C is broadcast into Y first and added by a
// sum post-op, and alpha is the output scale, which oneDNN applies before post-ops.
#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"

namespace mirt::cpu {
namespace {

using dnnl::memory;

struct gemm_entry {
  dnnl::matmul prim;
  std::unique_ptr<dnnl::matmul::primitive_desc> pd;
  memory::desc a_md, b_md, y_md, user_b_md;
  memory b_mem;
  std::vector<uint8_t> b_store;
  size_t workspace = 0;  // the scratchpad
};

void* align64(uint8_t* p) { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

class gemm_kernel final : public kernel {
 public:
  explicit gemm_kernel(const node_view& node)
      : alpha_(node.attr_float("alpha", 1.f)),
        beta_(node.attr_float("beta", 1.f)),
        trans_a_(node.attr_int("transA", 0) != 0),
        trans_b_(node.attr_int("transB", 0) != 0),
        use_c_(node.has_input(2) && beta_ != 0.f) {
    if (const void* b = node.constant(1)) {
      const auto* p = static_cast<const float*>(b);
      const_b_.assign(p, p + product(to_dims(node.input(1))));
    }
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    (void)out;
    if (in.size() < 2 || in[0].size() != 2 || in[1].size() != 2) return 0;
    const int64_t m = trans_a_ ? in[0][1] : in[0][0], k = trans_a_ ? in[0][0] : in[0][1];
    const int64_t n = trans_b_ ? in[1][0] : in[1][1];
    if (m * n == 0 || k == 0) return 0;
    return entry(m, k, n).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.rank() != 2 || b.rank() != 2) fail(MIRT_STATUS_INVALID_SHAPE, "A ", dims_string(a.shape), " and B ", dims_string(b.shape), " must be 2-D");
    const int64_t m = trans_a_ ? a.shape[1] : a.shape[0], k = trans_a_ ? a.shape[0] : a.shape[1];
    const int64_t n = trans_b_ ? b.shape[0] : b.shape[1];
    if ((trans_b_ ? b.shape[1] : b.shape[0]) != k)
      fail(MIRT_STATUS_INVALID_SHAPE, "inner dims differ: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    if (m * n == 0) return;
    if (use_c_) fill_beta_c(args.in.at(2), y, m, n);
    if (k == 0) {
      if (!use_c_) std::fill(y.as<float>(), y.as<float>() + m * n, 0.f);
      return;
    }
    try {
      const gemm_entry& e = entry(m, k, n);
      const auto& eng = onednn_engine();
      memory b_mem = e.b_mem ? e.b_mem : memory(e.b_md, eng, b.data);
      scratch ws(args, e.workspace);
      onednn_execute(e.prim, *e.pd, ws,
                     {{DNNL_ARG_SRC, memory(e.a_md, eng, a.data)}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, memory(e.y_md, eng, y.data)}});
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running a gemm");
    }
  }

 private:
  void fill_beta_c(const tensor& c, const tensor& y, int64_t m, int64_t n) const {
    const dims shape = {m, n};
    const auto loop = make_loop<2>(shape, {dense_strides(shape), broadcast_strides(c.shape, shape)});
    float* o = y.as<float>();
    const float* pc = c.as<const float>();
    for_each_row(loop, [&](const auto& off, const auto& st, int64_t len) {
      for (int64_t i = 0; i < len; ++i) o[off[0] + i] = beta_ * pc[off[1] + i * st[1]];
    });
  }

  const gemm_entry& entry(int64_t m, int64_t k, int64_t n) const {
    shape_key key;
    key.add(m).add(k).add(n);
    return cache_.get(key, [&] { return build(m, k, n); });
  }

  std::unique_ptr<gemm_entry> build(int64_t m, int64_t k, int64_t n) const {
    auto e = std::make_unique<gemm_entry>();
    const auto f32 = memory::data_type::f32;
    e->a_md = memory::desc({m, k}, f32, trans_a_ ? memory::dims{1, m} : memory::dims{k, 1});
    e->user_b_md = memory::desc({k, n}, f32, trans_b_ ? memory::dims{1, k} : memory::dims{n, 1});
    e->y_md = memory::desc({m, n}, f32, memory::dims{n, 1});
    const bool prepack = !const_b_.empty();
    const memory::desc b_req = prepack ? memory::desc({k, n}, f32, memory::format_tag::any) : e->user_b_md;
    dnnl::primitive_attr attr = base_attr();
    if (alpha_ != 1.f) attr.set_output_scales(0, {alpha_});
    if (use_c_) {
      dnnl::post_ops ops;
      ops.append_sum(1.f);
      attr.set_post_ops(ops);
    }
    const auto& eng = onednn_engine();
    e->pd = std::make_unique<dnnl::matmul::primitive_desc>(dnnl::matmul::desc(e->a_md, b_req, e->y_md), attr, eng);
    e->prim = dnnl::matmul(*e->pd);
    e->b_md = e->pd->weights_desc();
    e->workspace = scratchpad_bytes(*e->pd);
    if (prepack) {
      e->b_store.resize(e->b_md.get_size() + 64);
      e->b_mem = memory(e->b_md, eng, align64(e->b_store.data()));
      memory user(e->user_b_md, eng, const_cast<float*>(const_b_.data()));
      dnnl::stream& s = onednn_stream();
      dnnl::reorder(user, e->b_mem).execute(s, user, e->b_mem);
      s.wait();
    }
    return e;
  }

  float alpha_, beta_;
  bool trans_a_, trans_b_, use_c_;
  std::vector<float> const_b_;
  shape_cache<gemm_entry> cache_;
};

bool gemm_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < std::min<size_t>(node.num_inputs(), 3); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  return true;
}

}  // namespace

void add_gemm_ops(std::vector<op_entry>& t) {
  t.push_back({"Gemm", "onednn_gemm", gemm_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gemm_kernel>(node);
               }});
}

}  // namespace mirt::cpu
