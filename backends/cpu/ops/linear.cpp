// backends/cpu/ops/linear.cpp — MatMul with a constant 2-D B, and mirt::FusedMatMul (MatMul + bias
// [+ Relu or Gelu], made by the builder's fusion pass), as one oneDNN inner product.
//
// A's leading dims fold into the rows (B does not batch), so [1, 128, 768] x [768, 3072] runs as one
// 128 x 768 x 3072 product: oneDNN 2.6's matmul keeps a 3-D B in plain layout, which measured
// 2.3x slower than this inner product on packed weights (bench/README.md). B is reordered once per
// shape into the layout the primitive chose; bias and activation run in the primitive's epilogue.
//
// A second tactic, onednn_inner_product_tiles, splits the product into a grid of row x column
// tiles, one per pool thread, each a single-threaded inner product on its own packed column block,
// all in one parallel region. At batch 1 a transformer's products are short (128 rows) and oneDNN's
// own split of one inner product over 16 threads left cores idle: 768 x 768 at 16 threads on the
// GPU host, 0.119 ms one primitive, 0.089 ms as 8 x 2 tiles (FFN's 768 x 3072 lost: 0.450 against
// 0.474). The builder times both tactics per layer and keeps the faster.
#include <algorithm>
#include <exception>
#include <thread>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"
#include "backends/cpu/parallel.hpp"

namespace mirt::cpu {
namespace {

using dnnl::memory;

struct linear_entry {
  dnnl::inner_product_forward prim;
  std::unique_ptr<dnnl::inner_product_forward::primitive_desc> pd;
  memory::desc src_md, dst_md, bias_md;
  memory weights;
  std::vector<uint8_t> weights_store;
  size_t workspace = 0;  // the scratchpad
};

void* align64(uint8_t* p) { return reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

// B's extents [K, N] when it is a constant with all leading dims 1, else {0, 0}.
std::pair<int64_t, int64_t> constant_matrix(const node_view& node) {
  const mirt_tensor_desc& b = node.input(1);
  if (node.constant(1) == nullptr || b.rank < 2) return {0, 0};
  for (size_t i = 0; i + 2 < b.rank; ++i)
    if (b.dims[i] != 1) return {0, 0};
  return {b.dims[b.rank - 2], b.dims[b.rank - 1]};
}

// What both tactics take from the node: B (as [K, N]), the bias and the activation.
class linear_base : public kernel {
 public:
  explicit linear_base(const node_view& node) {
    std::tie(k_, n_) = constant_matrix(node);
    const auto* b = static_cast<const float*>(node.constant(1));
    b_.assign(b, b + k_ * n_);
    if (node.op_type() == "FusedMatMul") {
      has_bias_ = node.has_input(2);
      if (const void* c = node.constant(2)) {
        const auto* p = static_cast<const float*>(c);
        const_bias_.assign(p, p + n_);
      }
      activation_ = node.attr_string("activation", "");
    }
  }

 protected:
  // Checks A against B and the output against both; returns A's row count (leading dims folded).
  int64_t rows_of(const tensor& a, const tensor& y) const {
    if (a.shape.empty() || a.shape.back() != k_)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(a.shape), ", expected a last dim of ", k_);
    const int64_t rows = a.numel() / k_;
    if (y.numel() != rows * n_)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold ", rows, " x ", n_, " values");
    return rows;
  }

  // The bias to add (nullptr without one): the constant, else input 2 after a size check.
  const float* bias_of(const exec_args& args) const {
    if (!has_bias_) return nullptr;
    if (!const_bias_.empty()) return const_bias_.data();
    const tensor& bias = args.in.at(2);
    if (bias.numel() != n_) fail(MIRT_STATUS_INVALID_SHAPE, "bias has shape ", dims_string(bias.shape), ", expected [", n_, "]");
    return bias.as<const float>();
  }

  // An inner product of `rows` x K by columns [n0, n0 + n) of B into a dense [rows, n] output.
  std::unique_ptr<dnnl::inner_product_forward::primitive_desc> make_pd(int64_t rows, int64_t n) const {
    const memory::desc src_md = plain_desc({rows, k_}), dst_md = plain_desc({rows, n});
    const memory::desc bias_md({n}, memory::data_type::f32, memory::format_tag::a);
    const memory::desc any_weights({n, k_}, memory::data_type::f32, memory::format_tag::any);
    dnnl::primitive_attr attr = base_attr();
    if (!activation_.empty()) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, activation_ == "Relu" ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_gelu_erf,
                         0.f, 0.f);
      attr.set_post_ops(ops);
    }
    const auto d = has_bias_ ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_md, any_weights,
                                                                 bias_md, dst_md)
                             : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src_md, any_weights, dst_md);
    return std::make_unique<dnnl::inner_product_forward::primitive_desc>(d, attr, onednn_engine());
  }

  // Columns [n0, n0 + packed's N) of B reordered into `packed` (the layout a primitive chose).
  void pack_weights(int64_t n0, const memory& packed) const {
    const int64_t n = packed.get_desc().dims()[0];
    // B [K, N] row-major is the inner product's weights [N, K] with strides {1, N}.
    const memory::desc user_md({n, k_}, memory::data_type::f32, memory::dims{1, n_});
    memory user(user_md, onednn_engine(), const_cast<float*>(b_.data() + n0));
    dnnl::stream& s = onednn_stream();
    dnnl::reorder(user, packed).execute(s, user, const_cast<memory&>(packed));
    s.wait();
  }

  int64_t k_ = 0, n_ = 0;
  bool has_bias_ = false;
  std::string activation_;
  std::vector<float> b_, const_bias_;
};

class linear_kernel final : public linear_base {
 public:
  using linear_base::linear_base;

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty() || product(out[0]) == 0) return 0;
    return entry(product(in[0]) / k_).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const int64_t rows = rows_of(a, y);
    try {
      const linear_entry& e = entry(rows);
      const auto& eng = onednn_engine();
      scratch ws(args, e.workspace);
      std::unordered_map<int, memory> io = {{DNNL_ARG_SRC, memory(e.src_md, eng, a.data)},
                                            {DNNL_ARG_WEIGHTS, e.weights},
                                            {DNNL_ARG_DST, memory(e.dst_md, eng, y.data)}};
      if (const float* bias = bias_of(args)) io[DNNL_ARG_BIAS] = memory(e.bias_md, eng, const_cast<float*>(bias));
      onednn_execute(e.prim, *e.pd, ws, std::move(io));
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running an inner product");
    }
  }

 private:
  const linear_entry& entry(int64_t rows) const {
    shape_key key;
    key.add(rows);
    return cache_.get(key, [&] { return build(rows); });
  }

  std::unique_ptr<linear_entry> build(int64_t rows) const {
    auto e = std::make_unique<linear_entry>();
    e->pd = make_pd(rows, n_);
    e->src_md = e->pd->src_desc();
    e->dst_md = e->pd->dst_desc();
    e->bias_md = memory::desc({n_}, memory::data_type::f32, memory::format_tag::a);
    e->prim = dnnl::inner_product_forward(*e->pd);
    e->workspace = scratchpad_bytes(*e->pd);
    const memory::desc packed_md = e->pd->weights_desc();
    e->weights_store.resize(packed_md.get_size() + 64);
    e->weights = memory(packed_md, onednn_engine(), align64(e->weights_store.data()));
    pack_weights(0, e->weights);
    return e;
  }

  shape_cache<linear_entry> cache_;
};

// One tile of onednn_inner_product_tiles: rows [m0, m0 + m) by columns [n0, n0 + n), a
// single-threaded inner product on column block `block`'s packed weights. A tile of whole rows
// writes into Y; a column block writes into its piece of the workspace, copied into Y after.
struct linear_tile {
  int64_t m0 = 0, m = 0, n0 = 0, n = 0;
  std::unique_ptr<dnnl::inner_product_forward::primitive_desc> pd;
  dnnl::inner_product_forward prim;
  size_t block = 0;
  size_t scratch_at = 0, scratch_bytes = 0, out_at = 0;
  bool whole_rows = false;
};

struct tiles_entry {
  std::vector<linear_tile> tiles;
  std::vector<memory> packed;  // column blocks, each in the layout its tiles' primitives chose
  std::vector<std::vector<uint8_t>> packed_store;
  std::vector<int64_t> block_n0;  // each packed block's first column
  size_t workspace = 0;
};

// Runs f on a thread of its own whose OpenMP pool is one thread, and waits: oneDNN sizes a
// primitive's work split by the pool when the primitive is made, and a tile's primitive runs on one
// thread of our region. A thread of its own because libgomp allocates a thread's own settings on
// its first omp_set_num_threads and frees them only when the thread ends.
template <class F>
void with_one_thread_pool(F&& f) {
  std::exception_ptr error;
  std::thread t([&] {
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
}

class linear_tiles_kernel final : public linear_base {
 public:
  using linear_base::linear_base;

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty() || product(out[0]) == 0) return 0;
    return entry(product(in[0]) / k_).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    const int64_t rows = rows_of(a, y);
    const float* bias = bias_of(args);
    try {
      const tiles_entry& e = entry(rows);
      scratch ws(args, e.workspace);
      auto* base = static_cast<uint8_t*>(ws.take(e.workspace));
      const auto* ap = a.as<const float>();
      float* yp = y.as<float>();
      parallel_for(int64_t(e.tiles.size()), 1, [&](int64_t first, int64_t last) {
        for (int64_t i = first; i < last; ++i) run_tile(e, e.tiles[size_t(i)], ap, bias, yp, base);
      });
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running a tiled inner product");
    }
  }

 private:
  void run_tile(const tiles_entry& e, const linear_tile& t, const float* a, const float* bias, float* y, uint8_t* base) const {
    const auto& eng = onednn_engine();
    float* out = t.whole_rows ? y + t.m0 * n_ : reinterpret_cast<float*>(base + t.out_at);
    std::unordered_map<int, memory> io = {{DNNL_ARG_SRC, memory(t.pd->src_desc(), eng, const_cast<float*>(a + t.m0 * k_))},
                                          {DNNL_ARG_WEIGHTS, e.packed[t.block]},
                                          {DNNL_ARG_DST, memory(t.pd->dst_desc(), eng, out)}};
    if (bias != nullptr) io[DNNL_ARG_BIAS] = memory(t.pd->bias_desc(), eng, const_cast<float*>(bias + t.n0));
    if (t.scratch_bytes > 0) io[DNNL_ARG_SCRATCHPAD] = memory(t.pd->scratchpad_desc(), eng, base + t.scratch_at);
    dnnl::stream& s = onednn_stream();
    t.prim.execute(s, io);
    s.wait();
    if (!t.whole_rows)
      for (int64_t r = 0; r < t.m; ++r) std::copy(out + r * t.n, out + (r + 1) * t.n, y + (t.m0 + r) * n_ + t.n0);
  }

  const tiles_entry& entry(int64_t rows) const {
    const int threads = pool_threads();
    shape_key key;
    key.add(rows).add(threads);
    return cache_.get(key, [&] { return build(rows, threads); });
  }

  // The grid: two column blocks (multiples of 16 columns, oneDNN's weight block) when there are
  // threads for both and N is wide, and as many row blocks as the other threads allow, 8 rows or
  // more each. On the GPU host, 8 x 2 tiles of BERT-base's 128-row products at 16 threads were
  // the best or near it among 1 x 16, 2 x 8, 4 x 4 and 8 x 2 for all three shapes.
  std::unique_ptr<tiles_entry> build(int64_t rows, int threads) const {
    const int64_t tn = threads >= 2 && n_ >= 128 ? 2 : 1;
    const int64_t tm = std::clamp<int64_t>(threads / tn, 1, std::max<int64_t>(1, rows / 8));
    const int64_t mc = (rows + tm - 1) / tm, nc = tn == 1 ? n_ : (n_ / tn + 15) / 16 * 16;
    auto e = std::make_unique<tiles_entry>();
    for (int64_t m0 = 0; m0 < rows; m0 += mc)
      for (int64_t n0 = 0; n0 < n_; n0 += nc) {
        linear_tile t;
        t.m0 = m0, t.m = std::min(mc, rows - m0), t.n0 = n0, t.n = std::min(nc, n_ - n0);
        t.whole_rows = t.n == n_;
        e->tiles.push_back(std::move(t));
      }
    with_one_thread_pool([&] {
      for (linear_tile& t : e->tiles) {
        t.pd = make_pd(t.m, t.n);
        t.prim = dnnl::inner_product_forward(*t.pd);
      }
    });
    size_t at = 0;
    for (linear_tile& t : e->tiles) {
      // Tiles of one column block share its packed weights when their primitives chose one layout.
      const memory::desc w_md = t.pd->weights_desc();
      t.block = e->packed.size();
      for (size_t b = 0; b < e->packed.size(); ++b)
        if (e->block_n0[b] == t.n0 && e->packed[b].get_desc() == w_md) t.block = b;
      if (t.block == e->packed.size()) {
        e->packed_store.emplace_back(w_md.get_size() + 64);
        e->packed.emplace_back(w_md, onednn_engine(), align64(e->packed_store.back().data()));
        e->block_n0.push_back(t.n0);
        pack_weights(t.n0, e->packed.back());
      }
      t.scratch_bytes = scratchpad_bytes(*t.pd);
      t.scratch_at = at;
      at += t.scratch_bytes;
      t.out_at = at;
      if (!t.whole_rows) at += scratch_round(size_t(t.m * t.n) * sizeof(float));
    }
    e->workspace = at;
    return e;
  }

  shape_cache<tiles_entry> cache_;
};

// float32 throughout, B a constant with all leading dims 1 and no empty extent.
bool linear_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < std::min<size_t>(node.num_inputs(), 3); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  const auto [k, n] = constant_matrix(node);
  if (k <= 0 || n <= 0) {
    why = "B is not a constant non-empty matrix (leading dims 1)";
    return false;
  }
  if (node.input(0).rank < 1) {
    why = "input 0 is a scalar";
    return false;
  }
  if (node.op_type() == "FusedMatMul") {
    const std::string act = node.attr_string("activation", "");
    if (act != "" && act != "Relu" && act != "Gelu") {
      why = "activation '" + act + "' (supported: none, Relu, Gelu)";
      return false;
    }
    if (node.has_input(2) && (node.input(2).rank != 1 || node.input(2).dims[0] != n)) {
      why = "the bias is not a vector of B's column count";
      return false;
    }
  }
  return true;
}

std::unique_ptr<kernel> make_linear(const node_view& node) { return std::make_unique<linear_kernel>(node); }
std::unique_ptr<kernel> make_linear_tiles(const node_view& node) { return std::make_unique<linear_tiles_kernel>(node); }

}  // namespace

void add_linear_ops(std::vector<op_entry>& t) {
  t.push_back({"MatMul", "onednn_inner_product", linear_supports, make_linear});
  t.push_back({"FusedMatMul", "onednn_inner_product", linear_supports, make_linear});
  t.push_back({"MatMul", "onednn_inner_product_tiles", linear_supports, make_linear_tiles});
  t.push_back({"FusedMatMul", "onednn_inner_product_tiles", linear_supports, make_linear_tiles});
}

}  // namespace mirt::cpu
