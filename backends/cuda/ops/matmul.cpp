// backends/cuda/ops/matmul.cpp — MatMul (numpy semantics: batched, broadcast, 1-D operands) and
// Gemm (transA/transB, alpha, beta, C with a bias epilogue when C is a row vector), and
// mirt::FusedMatMul (a Linear layer: MatMul with 2-D B + bias [+ Relu/Gelu]), on cuBLASLt. A
// FusedMatMul of constant B also has tactics that keep B transposed ([N, K]), timed against the others.
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/elementwise.hpp"
#include "backends/cuda/ops/cublaslt_gemm.hpp"

namespace mirt::cuda {
namespace {

size_t bytes_of(const node_view& node, size_t i) { return size_t(product(to_dims(node.input(i)))) * dtype_size(node.input_dtype(i)); }

// A constant input with a fully known shape, copied to the device; else empty.
device_buffer upload_constant(const node_view& node, size_t i, const char* what) {
  const void* host = node.constant(i);
  if (host == nullptr) return {};
  for (int64_t d : to_dims(node.input(i)))
    if (d < 0) return {};
  return device_buffer(host, bytes_of(node, i), what);
}

// A constant 2-D input [K, N] copied to the device transposed, as [N, K] (K contiguous, the layout
// PyTorch keeps Linear weights in); empty where the input is not a constant of known shape.
device_buffer upload_transposed(const node_view& node, size_t i, const char* what) {
  const auto* host = static_cast<const uint8_t*>(node.constant(i));
  const dims shape = to_dims(node.input(i));
  if (host == nullptr || shape.size() != 2 || shape[0] < 0 || shape[1] < 0) return {};
  const size_t rows = size_t(shape[0]), cols = size_t(shape[1]), size = dtype_size(node.input_dtype(i));
  std::vector<uint8_t> t(rows * cols * size);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) std::memcpy(&t[(c * rows + r) * size], &host[(r * cols + c) * size], size);
  return device_buffer(t.data(), t.size(), what);
}

void zero_fill(void* p, size_t bytes, cudaStream_t stream) {
  if (bytes > 0) cuda_check(cudaMemsetAsync(p, 0, bytes, stream), "cudaMemsetAsync of ", bytes, " bytes");
}

class matmul_kernel final : public kernel {
 public:
  matmul_kernel(const node_view& node, int algo_rank)
      : lt_(node.allows(MIRT_PRECISION_FLAG_TF32), algo_rank), b_(upload_constant(node, 1, "MatMul's constant B")) {}

  size_t workspace_size(const std::vector<dims>&, const std::vector<dims>&) const override { return cublaslt_runner::k_workspace; }

  void execute(const exec_args& args) const override {
    const dtensor &at = args.in.at(0), &bt = args.in.at(1), &y = args.out.at(0);
    if (y.numel() == 0) return;
    dims a = at.shape, b = bt.shape;
    if (a.empty() || b.empty()) fail(MIRT_STATUS_INVALID_SHAPE, "MatMul operands must have rank >= 1");
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    const int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    if (b[b.size() - 2] != k) fail(MIRT_STATUS_INVALID_SHAPE, "MatMul inner dims differ: A ", dims_string(at.shape), ", B ", dims_string(bt.shape));
    if (k == 0) return zero_fill(y.data, y.bytes(), args.stream);
    const size_t rank = std::max(a.size(), b.size());
    a.insert(a.begin(), rank - a.size(), 1);
    b.insert(b.begin(), rank - b.size(), 1);
    dims batch(rank - 2);
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
        fail(MIRT_STATUS_INVALID_SHAPE, "MatMul batch dims do not broadcast: A ", dims_string(at.shape), ", B ", dims_string(bt.shape));
      batch[i] = std::max(a[i], b[i]);
    }
    const int64_t batches = product(batch);
    if (batches * m * n != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold the product");
    const dims a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
    const bool a_full = a_batch == batch, a_one = product(a_batch) == 1;
    const bool b_full = b_batch == batch, b_one = product(b_batch) == 1;

    row_major_gemm g;
    g.k = k;
    g.dtype = at.dtype;
    g.a = at.data;
    g.b = constant_or_input(b_, args, 1);
    g.y = y.data;
    if (b_one && (a_full || a_one)) {
      // B shared by every batch: the batches of A are more rows of one GEMM.
      // (Both operands unbatched means batches == 1.)
      g.m = m * batches;
      g.n = n;
      lt_.run(g, args.workspace, args.workspace_size, args.stream);
      return;
    }
    g.m = m;
    g.n = n;
    if ((a_full || a_one) && (b_full || b_one)) {
      g.batch = batches;
      g.stride_a = a_one ? 0 : m * k;
      g.stride_b = b_one ? 0 : k * n;
      g.stride_y = m * n;
      lt_.run(g, args.workspace, args.workspace_size, args.stream);
      return;
    }
    // General broadcast: one call per output batch.
    const dims as = broadcast_strides(a_batch, batch), bs = broadcast_strides(b_batch, batch);
    for (int64_t i = 0; i < batches; ++i) {
      int64_t oa = 0, ob = 0, rem = i;
      for (size_t d = batch.size(); d-- > 0;) {
        const int64_t idx = rem % batch[d];
        rem /= batch[d];
        oa += idx * as[d];
        ob += idx * bs[d];
      }
      const size_t es = dtype_size(g.dtype);
      row_major_gemm one = g;
      one.a = static_cast<const char*>(g.a) + oa * m * k * es;
      one.b = static_cast<const char*>(g.b) + ob * k * n * es;
      one.y = static_cast<char*>(g.y) + i * m * n * es;
      lt_.run(one, args.workspace, args.workspace_size, args.stream);
    }
  }

 private:
  cublaslt_runner lt_;
  device_buffer b_;
};

class gemm_kernel final : public kernel {
 public:
  explicit gemm_kernel(const node_view& node)
      : lt_(node.allows(MIRT_PRECISION_FLAG_TF32)),
        alpha_(node.attr_float("alpha", 1.f)),
        beta_(node.attr_float("beta", 1.f)),
        trans_a_(node.attr_int("transA", 0) != 0),
        trans_b_(node.attr_int("transB", 0) != 0),
        use_c_(node.has_input(2) && beta_ != 0.f),
        b_(upload_constant(node, 1, "Gemm's constant B")),
        c_(use_c_ ? upload_constant(node, 2, "Gemm's constant C") : device_buffer()) {}

  size_t workspace_size(const std::vector<dims>&, const std::vector<dims>&) const override { return cublaslt_runner::k_workspace; }

  void execute(const exec_args& args) const override {
    const dtensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.rank() != 2 || b.rank() != 2) fail(MIRT_STATUS_INVALID_SHAPE, "A ", dims_string(a.shape), " and B ", dims_string(b.shape), " must be 2-D");
    const int64_t m = trans_a_ ? a.shape[1] : a.shape[0], k = trans_a_ ? a.shape[0] : a.shape[1];
    const int64_t n = trans_b_ ? b.shape[0] : b.shape[1];
    if ((trans_b_ ? b.shape[1] : b.shape[0]) != k)
      fail(MIRT_STATUS_INVALID_SHAPE, "inner dims differ: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    if (m * n == 0) return;
    row_major_gemm g;
    g.m = m, g.n = n, g.k = k;
    g.trans_a = trans_a_, g.trans_b = trans_b_;
    g.dtype = a.dtype;
    g.a = a.data;
    g.b = constant_or_input(b_, args, 1);
    g.y = y.data;
    g.alpha = alpha_;
    if (use_c_) {
      const dtensor& c = args.in.at(2);
      const void* cp = constant_or_input(c_, args, 2);
      const bool row_vector = (c.rank() == 1 && c.shape[0] == n) || (c.rank() == 2 && c.shape[0] == 1 && c.shape[1] == n);
      if (row_vector && beta_ == 1.f && k > 0) {
        g.bias = cp;
      } else {
        // beta * C broadcast into Y first, then accumulated onto by the GEMM.
        strided_copy_params p;
        p.src = cp;
        p.dst = y.data;
        p.element_size = dtype_size(y.dtype);
        p.n = m * n;
        p.map = make_map<2>({m, n}, {dense_strides({m, n}), broadcast_strides(c.shape, {m, n})});
        throw_if_failed(launch_strided_copy(p, args.stream));
        g.beta = beta_;
        if (k == 0) {
          if (beta_ != 1.f) fail(MIRT_STATUS_UNSUPPORTED, "K = 0 with beta != 1");
          return;
        }
      }
    }
    if (k == 0) return zero_fill(y.data, y.bytes(), args.stream);
    lt_.run(g, args.workspace, args.workspace_size, args.stream);
  }

 private:
  cublaslt_runner lt_;
  float alpha_, beta_;
  bool trans_a_, trans_b_, use_c_;
  device_buffer b_, c_;
};

// activation(A B + bias) with B [K,N]: A's leading dims are rows of one GEMM, the bias and the
// activation run in cuBLASLt's epilogue. ONNX's Gelu (and the erf form the fusion pass matches) is
// exact, and cuBLASLt's GELU epilogue is the tanh form: in float32 Gelu runs as the erf kernel in
// place after the GEMM. In float16/bfloat16 it runs in the epilogue: the two forms differ by at
// most 4.8e-4 (at x = -2.70), the size of float16's rounding step of outputs from 0.5 to 1, and
// the separate pass over the [M, 4 H] activations cost BERT-base 9% of its batch-32 run.
class fused_matmul_kernel final : public kernel {
 public:
  // transposed_weights: B is a constant kept as [N, K] (for some shapes cuBLASLt has faster kernels
  // for that layout: BERT-base's FFN1 with GELU, 5.2 against 5.5 us at 128 rows).
  fused_matmul_kernel(const node_view& node, int algo_rank, bool transposed_weights = false)
      : lt_(node.allows(MIRT_PRECISION_FLAG_TF32), algo_rank),
        activation_(node.attr_string("activation", "")),
        has_bias_(node.has_input(2)),
        transposed_(transposed_weights),
        b_(transposed_weights ? upload_transposed(node, 1, "FusedMatMul's constant B, transposed")
                              : upload_constant(node, 1, "FusedMatMul's constant B")),
        bias_(node.has_input(2) ? upload_constant(node, 2, "FusedMatMul's constant bias") : device_buffer()) {
    if (activation_ != "" && activation_ != "Relu" && activation_ != "Gelu")
      fail(MIRT_STATUS_UNSUPPORTED, "FusedMatMul activation '", activation_, "': expected none, Relu or Gelu");
    if (transposed_ && !b_) fail(MIRT_STATUS_UNSUPPORTED, "FusedMatMul with transposed weights needs a constant B of known shape");
  }

  size_t workspace_size(const std::vector<dims>&, const std::vector<dims>&) const override { return cublaslt_runner::k_workspace; }

  void execute(const exec_args& args) const override {
    const dtensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.rank() < 1 || b.rank() != 2)
      fail(MIRT_STATUS_INVALID_SHAPE, "FusedMatMul takes A of rank >= 1 and a 2-D B, got A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    const int64_t k = a.shape.back(), n = b.shape[1];
    if (b.shape[0] != k) fail(MIRT_STATUS_INVALID_SHAPE, "FusedMatMul inner dims differ: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    if (has_bias_ && (args.input(2).rank() != 1 || args.input(2).shape[0] != n))
      fail(MIRT_STATUS_INVALID_SHAPE, "FusedMatMul's bias ", dims_string(args.input(2).shape), " is not a vector of ", n);
    if (y.numel() == 0) return;
    if (k == 0) fail(MIRT_STATUS_UNSUPPORTED, "FusedMatMul with K = 0 (A ", dims_string(a.shape), ")");
    row_major_gemm g;
    g.m = a.numel() / k;
    g.n = n;
    g.k = k;
    if (g.m * n != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold the product");
    g.dtype = a.dtype;
    g.a = a.data;
    g.b = constant_or_input(b_, args, 1);
    g.trans_b = transposed_;
    g.y = y.data;
    if (has_bias_) g.bias = constant_or_input(bias_, args, 2);
    g.relu = activation_ == "Relu";
    g.gelu_tanh = activation_ == "Gelu" && y.dtype != MIRT_DTYPE_FLOAT32;
    lt_.run(g, args.workspace, args.workspace_size, args.stream);
    if (activation_ == "Gelu" && !g.gelu_tanh) {
      unary_params p;
      p.op = unary_op::gelu;
      p.dtype = y.dtype;
      p.x = y.data;
      p.y = y.data;
      p.n = y.numel();
      throw_if_failed(launch_unary(p, args.stream));
    }
  }

 private:
  cublaslt_runner lt_;
  std::string activation_;
  bool has_bias_, transposed_;
  device_buffer b_, bias_;
};

// A and B (and Gemm's C) of one dtype: float32, float16 or bfloat16.
bool gemm_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < std::min<size_t>(node.num_inputs(), 3); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {node.input_dtype(0)}, why)) return false;
  return true;
}

// As gemm_supports, with a 2-D B and an activation the kernel has.
bool fused_matmul_supports(const node_view& node, std::string& why) {
  if (!gemm_supports(node, why)) return false;
  if (node.input(1).rank != 2) {
    why = cat("input 1 (B) has rank ", node.input(1).rank, ", expected 2");
    return false;
  }
  const std::string act = node.attr_string("activation", "");
  if (act != "" && act != "Relu" && act != "Gelu") {
    why = cat("activation '", act, "' is none of '', Relu, Gelu");
    return false;
  }
  return true;
}

// Products whose rows (all of A's dims but the last) are known at build also offer cuBLASLt's
// lower-ranked algorithms as tactics for the builder to time: at BERT-base's batch 32 (4096 rows)
// its FFN GEMM with the GELU epilogue ran 10% faster on the heuristic's seventh choice, and at
// batch 1 (128 rows) the heuristic's first choice for the QKV GEMM (2304 columns) took longer than
// the FFN GEMM of 3072 columns.
bool static_rows(const node_view& node) {
  const mirt_tensor_desc& a = node.input(0);
  if (a.rank < 2) return false;
  for (size_t d = 0; d + 1 < a.rank; ++d)
    if (a.dims[d] < 0) return false;  // dynamic: the heuristic's first choice only
  return true;
}

template <int Rank>
bool ranked_matmul_supports(const node_view& node, std::string& why) {
  if (!gemm_supports(node, why)) return false;
  if (Rank == 0 || static_rows(node)) return true;
  why = "rows not known at build: only the heuristic's first algorithm is offered";
  return false;
}

template <int Rank>
bool ranked_fused_matmul_supports(const node_view& node, std::string& why) {
  if (!fused_matmul_supports(node, why)) return false;
  if (Rank == 0 || static_rows(node)) return true;
  why = "rows not known at build: only the heuristic's first algorithm is offered";
  return false;
}

// The transposed-weight tactics: B a constant of known shape.
template <int Rank>
bool transposed_fused_matmul_supports(const node_view& node, std::string& why) {
  if (!ranked_fused_matmul_supports<Rank>(node, why)) return false;
  const dims b = to_dims(node.input(1));
  if (node.constant(1) != nullptr && std::all_of(b.begin(), b.end(), [](int64_t d) { return d >= 0; })) return true;
  why = "B is not a constant: it cannot be kept transposed";
  return false;
}

// Tactic names: rank 0 keeps the name plans and timing caches already use.
template <int Rank>
void add_ranked(std::vector<op_entry>& t) {
  static const std::string matmul = Rank == 0 ? "cublaslt_matmul" : cat("cublaslt_matmul_algo", Rank);
  static const std::string fused = Rank == 0 ? "cublaslt_matmul_bias_act" : cat("cublaslt_matmul_bias_act_algo", Rank);
  static const std::string fused_wt = Rank == 0 ? "cublaslt_matmul_bias_act_wt" : cat("cublaslt_matmul_bias_act_wt_algo", Rank);
  t.push_back({"MatMul", matmul.c_str(), ranked_matmul_supports<Rank>, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<matmul_kernel>(node, Rank);
               }});
  t.push_back({"FusedMatMul", fused.c_str(), ranked_fused_matmul_supports<Rank>, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<fused_matmul_kernel>(node, Rank);
               }});
  t.push_back({"FusedMatMul", fused_wt.c_str(), transposed_fused_matmul_supports<Rank>,
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<fused_matmul_kernel>(node, Rank, true); }});
}

template <int... Ranks>
void add_all_ranks(std::vector<op_entry>& t, std::integer_sequence<int, Ranks...>) {
  (add_ranked<Ranks>(t), ...);
}

}  // namespace

void add_matmul_ops(std::vector<op_entry>& t) {
  add_all_ranks(t, std::make_integer_sequence<int, cublaslt_runner::k_algo_ranks>());
  t.push_back({"Gemm", "cublaslt_gemm", gemm_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gemm_kernel>(node);
               }});
}

}  // namespace mirt::cuda
