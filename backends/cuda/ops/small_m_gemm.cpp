// backends/cuda/ops/small_m_gemm.cpp — mirt::FusedMatMul and MatMul with a 2-D B on the kernel of
// kernels/small_m_gemm.cu, tactics "mirt_small_m_gemm" (blocks of 64 columns of Y),
// "mirt_small_m_gemm_n32" and "mirt_small_m_gemm_n128": offered where the rows (all of A's dims
// but the last) are known at build and at most 128, beside cuBLASLt's tactics; the builder times
// them all and keeps the fastest (BERT-base at batch 1: 128 rows, where cuBLASLt leaves SMs idle).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/small_m_gemm.hpp"

namespace mirt::cuda {
namespace {

// A constant input with a known shape copied to the device; else empty (read from the call).
device_buffer upload_if_constant(const node_view& node, size_t i, const char* what) {
  const void* host = node.constant(i);
  if (host == nullptr) return {};
  const dims shape = to_dims(node.input(i));
  for (int64_t d : shape)
    if (d < 0) return {};
  return device_buffer(host, size_t(product(shape)) * dtype_size(node.input_dtype(i)), what);
}

class small_m_gemm_kernel final : public kernel {
 public:
  small_m_gemm_kernel(const node_view& node, int tile_n)
      : tile_n_(tile_n),
        activation_(node.attr_string("activation", "")),
        has_bias_(node.op_type() == "FusedMatMul" && node.has_input(2)),
        b_(upload_if_constant(node, 1, "the constant B of a small-M GEMM")),
        bias_(has_bias_ ? upload_if_constant(node, 2, "the constant bias of a small-M GEMM") : device_buffer()) {}

  void execute(const exec_args& args) const override {
    const dtensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    if (a.rank() < 2 || b.rank() != 2)
      fail(MIRT_STATUS_INVALID_SHAPE, "mirt_small_m_gemm takes A of rank >= 2 and a 2-D B, got A ", dims_string(a.shape), ", B ",
           dims_string(b.shape));
    const int64_t k = a.shape.back(), n = b.shape[1];
    if (b.shape[0] != k) fail(MIRT_STATUS_INVALID_SHAPE, "inner dims differ: A ", dims_string(a.shape), ", B ", dims_string(b.shape));
    if (has_bias_ && (args.input(2).rank() != 1 || args.input(2).shape[0] != n))
      fail(MIRT_STATUS_INVALID_SHAPE, "the bias ", dims_string(args.input(2).shape), " is not a vector of ", n);
    if (y.numel() == 0) return;
    small_m_gemm_params p;
    p.dtype = y.dtype;
    p.m = a.numel() / k;
    p.n = n;
    p.k = k;
    p.tile_n = tile_n_;
    if (p.m * n != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold the product");
    p.x = a.data;
    p.w = constant_or_input(b_, args, 1);
    p.y = y.data;
    if (has_bias_) p.bias = constant_or_input(bias_, args, 2);
    // cuBLASLt's GELU epilogue, the other tactics' choice in float16/bfloat16, is the tanh form too.
    p.activation = activation_ == "Relu" ? small_m_activation::relu : activation_ == "Gelu" ? small_m_activation::gelu_tanh : small_m_activation::none;
    throw_if_failed(launch_small_m_gemm(p, args.stream));
  }

 private:
  int tile_n_;
  std::string activation_;
  bool has_bias_;
  device_buffer b_, bias_;
};

// float16/bfloat16 operands of one dtype, B 2-D of N and K the kernel takes, A's rows known at build
// and at most 128, an activation the kernel has.
template <int TileN>
bool small_m_gemm_supports(const node_view& node, std::string& why) {
  const mirt_dtype t = node.input_dtype(0);
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  for (size_t i = 1; i < std::min<size_t>(node.num_inputs(), 3); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {t}, why)) return false;
  if (node.output_dtype(0) != t) {
    why = "the output's dtype differs from the operands'";
    return false;
  }
  const mirt_tensor_desc &a = node.input(0), &b = node.input(1);
  if (a.rank < 2 || b.rank != 2) {
    why = cat("A has rank ", a.rank, " and B rank ", b.rank, ": expected A of rank >= 2 and a 2-D B");
    return false;
  }
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < a.rank; ++d) {
    if (a.dims[d] < 0) {
      why = "A's rows are not known at build";
      return false;
    }
    rows *= a.dims[d];
  }
  if (rows > k_small_m_max_rows) {
    why = cat("A has ", rows, " rows, more than ", k_small_m_max_rows);
    return false;
  }
  if (b.dims[0] < 0 || b.dims[1] < 0 || (a.dims[a.rank - 1] >= 0 && a.dims[a.rank - 1] != b.dims[0])) {
    why = "B's dims are not known at build or do not match A's";
    return false;
  }
  if (!small_m_gemm_fits(b.dims[1], b.dims[0], TileN, &why)) return false;
  const std::string act = node.attr_string("activation", "");
  if (act != "" && act != "Relu" && act != "Gelu") {
    why = cat("activation '", act, "' is none of '', Relu, Gelu");
    return false;
  }
  if (node.op_type() == "FusedMatMul" && node.has_input(2) && (node.input(2).rank != 1 || node.input(2).dims[0] != b.dims[1])) {
    why = "the bias is not a vector of N";
    return false;
  }
  return true;
}

template <int TileN>
std::unique_ptr<kernel> make_small_m_gemm(const node_view& node) {
  return std::make_unique<small_m_gemm_kernel>(node, TileN);
}

template <int TileN>
void add_tile(std::vector<op_entry>& t, const char* name) {
  t.push_back({"FusedMatMul", name, small_m_gemm_supports<TileN>, make_small_m_gemm<TileN>});
  t.push_back({"MatMul", name, small_m_gemm_supports<TileN>, make_small_m_gemm<TileN>});
}

}  // namespace

// One tactic per tile width (the K split is the kernel's choice): which is fastest depends on the
// shape more than a model of it tells.
void add_small_m_gemm_ops(std::vector<op_entry>& t) {
  add_tile<64>(t, "mirt_small_m_gemm");
  add_tile<32>(t, "mirt_small_m_gemm_n32");
  add_tile<128>(t, "mirt_small_m_gemm_n128");
}

}  // namespace mirt::cuda
