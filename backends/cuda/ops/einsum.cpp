// backends/cuda/ops/einsum.cpp — Einsum for two operands as one batched GEMM on cuBLASLt: every
// label is a batch label (in both inputs and the output), an M label (A and output), an N label
// (B and output) or a contracted K label (A and B only). A is brought to (batch, M, K) or read
// transposed as (batch, K, M), B likewise, by a strided copy into the workspace when its labels are
// in another order; the product lands in the output directly or goes through the workspace when
// the output orders its labels otherwise. Refused at tactic lookup, with the reason: other operand
// counts, "...", a label repeated within a term (diagonals) and a label summed within one operand.
#include <algorithm>
#include <cctype>
#include <utility>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/ops/cublaslt_gemm.hpp"

namespace mirt::cuda {
namespace {

// The parsed equation: each term's labels, and the output's (explicit, or implicit: the labels
// that appear once, alphabetically).
struct einsum_terms {
  std::string a, b, out;
};

bool refuse(std::string& why, std::string reason) {
  why = std::move(reason);
  return false;
}

// Parses a two-operand equation of plain labels, or says why the kernel does not take it.
bool parse(const std::string& equation, einsum_terms& t, std::string& why) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  if (eq.find('.') != std::string::npos) return refuse(why, "an equation with '...' (broadcast dims)");
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  const size_t comma = lhs.find(',');
  if (comma == std::string::npos || lhs.find(',', comma + 1) != std::string::npos)
    return refuse(why, cat("equation '", equation, "' has other than two operands"));
  t.a = lhs.substr(0, comma);
  t.b = lhs.substr(comma + 1);
  for (const std::string* s : {&t.a, &t.b})
    for (char c : *s) {
      if (!std::isalpha(static_cast<unsigned char>(c))) return refuse(why, cat("equation '", equation, "' has label '", c, "'"));
      if (std::count(s->begin(), s->end(), c) != 1) return refuse(why, cat("label '", c, "' repeats within a term (a diagonal)"));
    }
  if (arrow == std::string::npos) {
    std::string all = t.a + t.b;
    std::sort(all.begin(), all.end());
    for (char c : all)
      if (std::count(all.begin(), all.end(), c) == 1) t.out += c;
  } else {
    t.out = eq.substr(arrow + 2);
  }
  for (char c : t.out) {
    const bool in_a = t.a.find(c) != std::string::npos, in_b = t.b.find(c) != std::string::npos;
    if (!in_a && !in_b) return refuse(why, cat("output label '", c, "' is in no input"));
    if (std::count(t.out.begin(), t.out.end(), c) != 1) return refuse(why, cat("output label '", c, "' repeats"));
  }
  for (const std::string* s : {&t.a, &t.b})
    for (char c : *s) {
      const std::string& other = s == &t.a ? t.b : t.a;
      if (t.out.find(c) == std::string::npos && other.find(c) == std::string::npos)
        return refuse(why, cat("label '", c, "' is summed within one operand"));
    }
  return true;
}

size_t align256(size_t bytes) { return (bytes + 255) / 256 * 256; }

class einsum_kernel final : public kernel {
 public:
  einsum_kernel(const node_view& node, einsum_terms t) : lt_(node.allows(MIRT_PRECISION_FLAG_TF32)), t_(std::move(t)) {
    // Groups of labels in the order the GEMM walks them: batch and M and N as in the output, K as in A.
    for (char c : t_.out) {
      const bool in_a = t_.a.find(c) != std::string::npos, in_b = t_.b.find(c) != std::string::npos;
      (in_a && in_b ? batch_ : in_a ? m_ : n_) += c;
    }
    for (char c : t_.a)
      if (t_.out.find(c) == std::string::npos) k_ += c;
  }

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    size_t bytes = cublaslt_runner::k_workspace;
    for (const dims& d : {in.at(0), in.at(1), out.at(0)}) bytes += align256(size_t(std::max<int64_t>(product(d), 0)) * 8);
    return bytes;
  }

  void execute(const exec_args& args) const override {
    const dtensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.rank() != t_.a.size() || b.rank() != t_.b.size() || y.rank() != t_.out.size())
      fail(MIRT_STATUS_INVALID_SHAPE, "inputs ", dims_string(a.shape), " and ", dims_string(b.shape), " do not match the equation's terms '",
           t_.a, "', '", t_.b, "'");
    int64_t extent[128] = {};
    for (const auto& [term, shape] : {std::pair{&t_.a, &a.shape}, std::pair{&t_.b, &b.shape}})
      for (size_t d = 0; d < term->size(); ++d) {
        int64_t& e = extent[size_t((*term)[d])];
        if (e != 0 && e != (*shape)[d])
          fail(MIRT_STATUS_INVALID_SHAPE, "label '", (*term)[d], "' has extents ", e, " and ", (*shape)[d], " (no broadcast)");
        e = (*shape)[d];
      }
    for (size_t d = 0; d < t_.out.size(); ++d)
      if (y.shape[d] != extent[size_t(t_.out[d])])
        fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not match label '", t_.out[d], "'");
    const auto size_of = [&](const std::string& labels) {
      int64_t n = 1;
      for (char c : labels) n *= extent[size_t(c)];
      return n;
    };
    row_major_gemm g;
    g.dtype = a.dtype;
    g.batch = size_of(batch_);
    g.m = size_of(m_);
    g.n = size_of(n_);
    g.k = size_of(k_);
    if (y.numel() == 0) return;
    const size_t es = dtype_size(a.dtype);
    char* scratch = static_cast<char*>(args.workspace) + cublaslt_runner::k_workspace;
    if (g.k == 0) {
      cuda_check(cudaMemsetAsync(y.data, 0, y.bytes(), args.stream), "zeroing Einsum's output");
      return;
    }
    // A as (batch, M, K) or (batch, K, M); B as (batch, K, N) or (batch, N, K); else a permuted copy.
    g.a = arranged(a, t_.a, batch_ + m_ + k_, batch_ + k_ + m_, g.trans_a, scratch, es, args.stream);
    scratch += align256(size_t(a.numel()) * es);
    g.b = arranged(b, t_.b, batch_ + k_ + n_, batch_ + n_ + k_, g.trans_b, scratch, es, args.stream);
    scratch += align256(size_t(b.numel()) * es);
    const std::string product_order = batch_ + m_ + n_;
    const bool direct = product_order == t_.out;
    g.y = direct ? y.data : scratch;
    g.stride_a = g.m * g.k;
    g.stride_b = g.k * g.n;
    g.stride_y = g.m * g.n;
    lt_.run(g, args.workspace, cublaslt_runner::k_workspace, args.stream);
    if (!direct) permute_copy(scratch, product_order, y.data, t_.out, extent, es, args.stream);
  }

 private:
  // The operand's data when its labels read as `plain` or `transposed` (setting trans), else a
  // copy in `plain` order at scratch.
  static const void* arranged(const dtensor& x, const std::string& labels, const std::string& plain, const std::string& transposed,
                              bool& trans, void* scratch, size_t es, cudaStream_t stream) {
    trans = false;
    if (labels == plain) return x.data;
    if (labels == transposed) {
      trans = true;
      return x.data;
    }
    int64_t extent[128] = {};
    for (size_t d = 0; d < labels.size(); ++d) extent[size_t(labels[d])] = x.shape[d];
    permute_copy(x.data, labels, scratch, plain, extent, es, stream);
    return scratch;
  }

  // dst (labels dst_labels, dense) = src (labels src_labels, dense).
  static void permute_copy(const void* src, const std::string& src_labels, void* dst, const std::string& dst_labels,
                           const int64_t* extent, size_t es, cudaStream_t stream) {
    dims src_shape, dst_shape, src_perm;
    for (char c : src_labels) src_shape.push_back(extent[size_t(c)]);
    for (char c : dst_labels) dst_shape.push_back(extent[size_t(c)]);
    const dims src_dense = dense_strides(src_shape);
    for (char c : dst_labels) src_perm.push_back(src_dense[src_labels.find(c)]);
    strided_copy_params p;
    p.src = src;
    p.dst = dst;
    p.element_size = es;
    p.n = product(dst_shape);
    if (p.n == 0) return;
    p.map = make_map<2>(dst_shape, {dense_strides(dst_shape), src_perm});
    throw_if_failed(launch_strided_copy(p, stream));
  }

  cublaslt_runner lt_;
  einsum_terms t_;
  std::string batch_, m_, n_, k_;
};

bool einsum_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (!input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  einsum_terms t;
  return parse(node.attr_string("equation", ""), t, why);
}

}  // namespace

void add_einsum_ops(std::vector<op_entry>& t) {
  t.push_back({"Einsum", "cuda_einsum_cublaslt", einsum_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 einsum_terms terms;
                 std::string why;
                 if (!parse(node.attr_string("equation", ""), terms, why)) fail(MIRT_STATUS_UNSUPPORTED, why);
                 return std::make_unique<einsum_kernel>(node, std::move(terms));
               }});
}

}  // namespace mirt::cuda
