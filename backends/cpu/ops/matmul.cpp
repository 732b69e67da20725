// backends/cpu/ops/matmul.cpp — MatMul (numpy semantics: batched, broadcast, 1-D operands) on oneDNN.
//
// Operands are given to oneDNN at the output's rank, with unit batch dims where an operand
// broadcasts; oneDNN matmul broadcasts those itself. A constant B is reordered once per shape into
// the layout oneDNN prefers.
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/onednn.hpp"

namespace mirt::cpu {
namespace {

using dnnl::memory;

struct matmul_entry {
  dnnl::matmul prim;
  std::unique_ptr<dnnl::matmul::primitive_desc> pd;
  memory::desc a_md, b_md, c_md, user_b_md;
  memory b_mem;  // set for constant B
  std::vector<uint8_t> b_store;
  size_t workspace = 0;  // the scratchpad
};

void* align64(uint8_t* p) { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

class matmul_kernel final : public kernel {
 public:
  explicit matmul_kernel(const node_view& node) {
    if (const void* b = node.constant(1)) {
      const auto* p = static_cast<const float*>(b);
      const_b_.assign(p, p + product(to_dims(node.input(1))));
    }
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.size() < 2 || out.empty() || product(out[0]) == 0 || in[0].empty() || in[0].back() == 0) return 0;
    return entry(in[0], in[1]).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const int64_t k = a.shape.empty() ? 0 : a.shape.back();
    if (k == 0) {  // an empty sum: zeros
      std::fill(y.as<float>(), y.as<float>() + y.numel(), 0.f);
      return;
    }
    try {
      const matmul_entry& e = entry(a.shape, b.shape);
      const auto& eng = onednn_engine();
      const memory b_mem = e.b_mem ? e.b_mem : memory(e.b_md, eng, b.data);
      scratch ws(args, e.workspace);
      onednn_execute(e.prim, *e.pd, ws,
                     {{DNNL_ARG_SRC, memory(e.a_md, eng, a.data)}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, memory(e.c_md, eng, y.data)}});
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running a matmul");
    }
  }

 private:
  const matmul_entry& entry(const dims& a, const dims& b) const {
    shape_key key;
    key.add(a).add(b);
    return cache_.get(key, [&] { return build(a, b); });
  }

  std::unique_ptr<matmul_entry> build(dims a, dims b) const {
    // 1-D operands become matrices: A [K] -> [1, K], B [K] -> [K, 1] (the output shape drops them).
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    if (a.back() != b[b.size() - 2])
      fail(MIRT_STATUS_INVALID_SHAPE, "MatMul inner dims differ: A ", dims_string(a), ", B ", dims_string(b));
    const size_t rank = std::max(a.size(), b.size());
    a.insert(a.begin(), rank - a.size(), 1);
    b.insert(b.begin(), rank - b.size(), 1);
    dims c(rank);
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
        fail(MIRT_STATUS_INVALID_SHAPE, "MatMul batch dims do not broadcast: A ", dims_string(a), ", B ", dims_string(b));
      c[i] = std::max(a[i], b[i]);
    }
    c[rank - 2] = a[rank - 2];
    c[rank - 1] = b[rank - 1];
    auto e = std::make_unique<matmul_entry>();
    e->a_md = plain_desc(a);
    e->c_md = plain_desc(c);
    e->user_b_md = plain_desc(b);
    const bool prepack = !const_b_.empty();
    const memory::desc b_req = prepack ? memory::desc(memory::dims(b.begin(), b.end()), memory::data_type::f32, memory::format_tag::any)
                                       : e->user_b_md;
    const auto& eng = onednn_engine();
    e->pd = std::make_unique<dnnl::matmul::primitive_desc>(dnnl::matmul::desc(e->a_md, b_req, e->c_md), base_attr(), eng);
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

  std::vector<float> const_b_;
  shape_cache<matmul_entry> cache_;
};

bool matmul_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why) && input_dtype_in(node, 1, {MIRT_DTYPE_FLOAT32}, why);
}

// MatMul in float64, float16 and bfloat16 (float32 goes to oneDNN): a plain loop that computes
// float16/bfloat16 in float32 and float64 in float64, each output rounded once at the end.
class ref_matmul_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.dtype != b.dtype) fail(MIRT_STATUS_INVALID_ARGUMENT, "MatMul operands have different dtypes: ", dtype_name(a.dtype), " and ", dtype_name(b.dtype));
    dispatch_float(a.dtype, [&](auto tag) { run<typename decltype(tag)::type>(a, b, y); });
  }

 private:
  template <class T>
  static void run(const tensor& a, const tensor& b, const tensor& y) {
    dims sa = a.shape, sb = b.shape;
    if (sa.empty() || sb.empty()) fail(MIRT_STATUS_INVALID_SHAPE, "MatMul operands must have rank 1 or more");
    if (sa.size() == 1) sa.insert(sa.begin(), 1);
    if (sb.size() == 1) sb.push_back(1);
    if (sa.back() != sb[sb.size() - 2])
      fail(MIRT_STATUS_INVALID_SHAPE, "MatMul inner dims differ: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    const size_t rank = std::max(sa.size(), sb.size());
    sa.insert(sa.begin(), rank - sa.size(), 1);
    sb.insert(sb.begin(), rank - sb.size(), 1);
    const int64_t m = sa[rank - 2], k = sa[rank - 1], n = sb[rank - 1];
    dims batch(rank - 2);
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (sa[i] != sb[i] && sa[i] != 1 && sb[i] != 1)
        fail(MIRT_STATUS_INVALID_SHAPE, "MatMul batch dims do not broadcast: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
      batch[i] = std::max(sa[i], sb[i]);
    }
    const int64_t batches = product(batch);
    if (batches * m * n != y.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "MatMul output ", dims_string(y.shape), " does not match A ", dims_string(a.shape), " x B ", dims_string(b.shape));
    // Element strides of whole matrices per batch dim; 0 where the operand broadcasts.
    dims stride_a(batch.size(), 0), stride_b(batch.size(), 0);
    int64_t ea = m * k, eb = k * n;
    for (size_t i = batch.size(); i-- > 0;) {
      if (sa[i] != 1) stride_a[i] = ea;
      if (sb[i] != 1) stride_b[i] = eb;
      ea *= sa[i], eb *= sb[i];
    }
    using C = compute_type<T>;
    const T *pa = a.as<const T>(), *pb = b.as<const T>();
    T* py = y.as<T>();
    std::vector<C> row(static_cast<size_t>(n));
    for (int64_t bi = 0; bi < batches; ++bi) {
      int64_t oa = 0, ob = 0;
      for (size_t i = batch.size(), rest = size_t(bi); i-- > 0;) {
        const int64_t idx = int64_t(rest % size_t(batch[i]));
        rest /= size_t(batch[i]);
        oa += idx * stride_a[i], ob += idx * stride_b[i];
      }
      for (int64_t r = 0; r < m; ++r) {
        std::fill(row.begin(), row.end(), C(0));
        for (int64_t j = 0; j < k; ++j) {
          const C av = load(pa[oa + r * k + j]);
          const T* brow = pb + ob + j * n;
          for (int64_t c = 0; c < n; ++c) row[size_t(c)] += av * load(brow[c]);
        }
        for (int64_t c = 0; c < n; ++c) py[(bi * m + r) * n + c] = store<T>(row[size_t(c)]);
      }
    }
  }
};

bool ref_matmul_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why) &&
         input_dtype_in(node, 1, {MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

}  // namespace

void add_matmul_ops(std::vector<op_entry>& t) {
  t.push_back({"MatMul", "onednn_matmul", matmul_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<matmul_kernel>(node);
               }});
  t.push_back({"MatMul", "ref_matmul", ref_matmul_supports,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<ref_matmul_kernel>(); }});
}

}  // namespace mirt::cpu
