// backends/cpu/ops/linear.cpp — MatMul with a constant 2-D B, and mirt::FusedMatMul (MatMul + bias
// [+ Relu or Gelu], made by the builder's fusion pass), as one oneDNN inner product.
//
// A's leading dims fold into the rows (B does not batch), so [1, 128, 768] x [768, 3072] runs as one
// 128 x 768 x 3072 product: oneDNN 2.6's matmul keeps a 3-D B in plain layout, which measured
// 2.3x slower than this inner product on packed weights (bench/README.md). B is reordered once per
// shape into the layout the primitive chose; bias and activation run in the primitive's epilogue.
#include <algorithm>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"

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

class linear_kernel final : public kernel {
 public:
  explicit linear_kernel(const node_view& node) {
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

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    if (in.empty() || out.empty() || product(out[0]) == 0) return 0;
    return entry(product(in[0]) / k_).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &y = args.out.at(0);
    if (y.numel() == 0) return;
    if (a.shape.empty() || a.shape.back() != k_)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(a.shape), ", expected a last dim of ", k_);
    const int64_t rows = a.numel() / k_;
    if (y.numel() != rows * n_)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold ", rows, " x ", n_, " values");
    try {
      const linear_entry& e = entry(rows);
      const auto& eng = onednn_engine();
      scratch ws(args, e.workspace);
      std::unordered_map<int, memory> io = {{DNNL_ARG_SRC, memory(e.src_md, eng, a.data)},
                                            {DNNL_ARG_WEIGHTS, e.weights},
                                            {DNNL_ARG_DST, memory(e.dst_md, eng, y.data)}};
      if (has_bias_) {
        const tensor& bias = args.in.at(2);
        if (const_bias_.empty() && bias.numel() != n_)
          fail(MIRT_STATUS_INVALID_SHAPE, "bias has shape ", dims_string(bias.shape), ", expected [", n_, "]");
        void* p = const_bias_.empty() ? bias.data : const_cast<float*>(const_bias_.data());
        io[DNNL_ARG_BIAS] = memory(e.bias_md, eng, p);
      }
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
    e->src_md = plain_desc({rows, k_});
    e->dst_md = plain_desc({rows, n_});
    e->bias_md = memory::desc({n_}, memory::data_type::f32, memory::format_tag::a);
    const memory::desc any_weights({n_, k_}, memory::data_type::f32, memory::format_tag::any);
    dnnl::primitive_attr attr = base_attr();
    if (!activation_.empty()) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, activation_ == "Relu" ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_gelu_erf,
                         0.f, 0.f);
      attr.set_post_ops(ops);
    }
    const auto& eng = onednn_engine();
    const auto d = has_bias_ ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, e->src_md,
                                                                 any_weights, e->bias_md, e->dst_md)
                             : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, e->src_md,
                                                                 any_weights, e->dst_md);
    e->pd = std::make_unique<dnnl::inner_product_forward::primitive_desc>(d, attr, eng);
    e->prim = dnnl::inner_product_forward(*e->pd);
    e->workspace = scratchpad_bytes(*e->pd);
    // B [K, N] row-major is the inner product's weights [N, K] with strides {1, N}.
    const memory::desc user_md({n_, k_}, memory::data_type::f32, memory::dims{1, n_});
    const memory::desc packed_md = e->pd->weights_desc();
    e->weights_store.resize(packed_md.get_size() + 64);
    e->weights = memory(packed_md, eng, align64(e->weights_store.data()));
    memory user(user_md, eng, const_cast<float*>(b_.data()));
    dnnl::stream& s = onednn_stream();
    dnnl::reorder(user, e->weights).execute(s, user, e->weights);
    s.wait();
    return e;
  }

  int64_t k_ = 0, n_ = 0;
  bool has_bias_ = false;
  std::string activation_;
  std::vector<float> b_, const_bias_;
  shape_cache<linear_entry> cache_;
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

}  // namespace

void add_linear_ops(std::vector<op_entry>& t) {
  t.push_back({"MatMul", "onednn_inner_product", linear_supports, make_linear});
  t.push_back({"FusedMatMul", "onednn_inner_product", linear_supports, make_linear});
}

}  // namespace mirt::cpu
