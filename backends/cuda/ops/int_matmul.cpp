// backends/cuda/ops/int_matmul.cpp — MatMulInteger and QLinearMatMul: numpy batching and 1-D
// operands as MatMul; zero points and scales per tensor, per row of A or per column of B; int8 and
// uint8 operands, as the cpu backend.
#include <algorithm>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/int_matmul.hpp"

namespace mirt::cuda {
namespace {

// m, n, k and the batch map of A x B (1-D operands promoted as MatMul does).
void plan_batches(int_matmul_params& p, const dims& a_shape, const dims& b_shape) {
  dims a = a_shape, b = b_shape;
  if (a.empty() || b.empty()) fail(MIRT_STATUS_INVALID_SHAPE, "A ", dims_string(a_shape), " or B ", dims_string(b_shape), " is a scalar");
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  p.m = a[a.size() - 2], p.k = a.back(), p.n = b.back();
  if (b[b.size() - 2] != p.k) fail(MIRT_STATUS_INVALID_SHAPE, "inner dims differ: A ", dims_string(a_shape), ", B ", dims_string(b_shape));
  const size_t rank = std::max(a.size(), b.size()) - 2;
  dims ab(rank, 1), bb(rank, 1), out(rank, 1), as(rank, 0), bs(rank, 0);
  std::copy(a.begin(), a.end() - 2, ab.begin() + long(rank - (a.size() - 2)));
  std::copy(b.begin(), b.end() - 2, bb.begin() + long(rank - (b.size() - 2)));
  int64_t sa = p.m * p.k, sb = p.k * p.n;
  for (size_t d = rank; d-- > 0;) {
    if (ab[d] != bb[d] && ab[d] != 1 && bb[d] != 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "batch dims do not broadcast: A ", dims_string(a_shape), ", B ", dims_string(b_shape));
    out[d] = ab[d] == 1 ? bb[d] : ab[d];
    as[d] = ab[d] == 1 ? 0 : sa;
    bs[d] = bb[d] == 1 ? 0 : sb;
    sa *= ab[d], sb *= bb[d];
  }
  p.batches = product(out);
  p.batch_map = make_map<2>(out, {as, bs});
}

// A per-tensor parameter (one element) or one per `count` (row of A, column of B); true when per-row/column.
bool per_entry(const dtensor& t, int64_t count, const char* what) {
  if (!t.present() || t.numel() == 1) return false;
  if (t.numel() != count) fail(MIRT_STATUS_INVALID_SHAPE, what, " has shape ", dims_string(t.shape), ", expected a scalar or ", count, " elements");
  return true;
}

class int_matmul_kernel final : public kernel {
 public:
  explicit int_matmul_kernel(bool qlinear) : qlinear_(qlinear) {}
  void execute(const exec_args& args) const override {
    // MatMulInteger: A, B, a_zp, b_zp. QLinearMatMul: A, a_scale, a_zp, B, b_scale, b_zp, y_scale, y_zp.
    const size_t ia = 0, ib = qlinear_ ? 3 : 1, iza = qlinear_ ? 2 : 2, izb = qlinear_ ? 5 : 3;
    const dtensor &a = args.in.at(ia), &b = args.in.at(ib), &za = args.input(iza), &zb = args.input(izb), &y = args.out.at(0);
    int_matmul_params p;
    plan_batches(p, a.shape, b.shape);
    if (y.numel() != p.batches * p.m * p.n)
      fail(MIRT_STATUS_INVALID_SHAPE, "output has shape ", dims_string(y.shape), ", expected ", p.batches, " batches of ", p.m, " x ", p.n);
    p.a_dtype = a.dtype, p.b_dtype = b.dtype, p.y_dtype = y.dtype, p.a = a.data, p.b = b.data, p.y = y.data;
    if (za.present()) p.a_zero = za.data, p.a_zero_dtype = za.dtype, p.a_zero_per_row = per_entry(za, p.m, "the zero point of A");
    if (zb.present()) p.b_zero = zb.data, p.b_zero_dtype = zb.dtype, p.b_zero_per_col = per_entry(zb, p.n, "the zero point of B");
    if (qlinear_) {
      const dtensor &sa = args.in.at(1), &sb = args.in.at(4), &sy = args.in.at(6), &zy = args.input(7);
      p.a_scale = sa.data, p.b_scale = sb.data, p.y_scale = sy.data;
      p.scale_dtype = sa.dtype, p.b_scale_dtype = sb.dtype, p.y_scale_dtype = sy.dtype;
      p.a_scale_per_row = per_entry(sa, p.m, "input 1 (a_scale)");
      p.b_scale_per_col = per_entry(sb, p.n, "input 4 (b_scale)");
      if (sy.numel() != 1) fail(MIRT_STATUS_INVALID_SHAPE, "input 6 (y_scale) has shape ", dims_string(sy.shape), ", expected a scalar");
      if (zy.present()) {
        if (zy.numel() != 1) fail(MIRT_STATUS_INVALID_SHAPE, "input 7 (y_zero_point) has shape ", dims_string(zy.shape), ", expected a scalar");
        p.y_zero = zy.data, p.y_zero_dtype = zy.dtype;
      }
    }
    throw_if_failed(launch_int_matmul(p, args.stream));
  }

 private:
  bool qlinear_;
};

bool quantized_at(const node_view& node, size_t i, std::string& why) {
  return !node.has_input(i) || input_dtype_in(node, i, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8}, why);
}

}  // namespace

void add_int_matmul_ops(std::vector<op_entry>& t) {
  t.push_back({"MatMulInteger", "cuda_matmul_integer",
               [](const node_view& node, std::string& why) {
                 for (size_t i = 0; i < 4; ++i)
                   if (!quantized_at(node, i, why)) return false;
                 return true;
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<int_matmul_kernel>(false); }});
  t.push_back({"QLinearMatMul", "cuda_qlinear_matmul",
               [](const node_view& node, std::string& why) {
                 for (size_t i : {0, 2, 3, 5, 7})
                   if (!quantized_at(node, i, why)) return false;
                 for (size_t i : {1, 4, 6})
                   if (!input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
                 return true;
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<int_matmul_kernel>(true); }});
}

}  // namespace mirt::cuda
