// backends/cpu/ops/quant_matmul.cpp — MatMulInteger (int32 out) and QLinearMatMul (requantized
// int8/uint8 out): numpy batching and 1-D operands as MatMul; zero points and scales per tensor,
// per row of A or per column of B. Operands are shifted by their zero points into int16 and
// multiplied with int32 accumulation (gemm_s16); the requantization follows ONNX's reference:
// round_half_even(acc * (a_scale * b_scale / y_scale)) + y_zero_point, saturated.
#include <algorithm>

#include "backends/cpu/ops/quant_common.hpp"

namespace mirt::cpu {
namespace {

using namespace quant;

// Batches of y and where each batch's A and B matrices start (numpy broadcasting of batch dims).
struct batched_matmul {
  int64_t m = 1, n = 1, k = 1;
  std::vector<int64_t> a_offset, b_offset;  // element offsets, one per batch of y
};

batched_matmul plan_batches(const dims& a_shape, const dims& b_shape) {
  dims a = a_shape, b = b_shape;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  batched_matmul p;
  p.m = a[a.size() - 2];
  p.k = a.back();
  p.n = b.back();
  if (b[b.size() - 2] != p.k)
    fail(MIRT_STATUS_INVALID_SHAPE, "inner dims differ: A ", dims_string(a_shape), ", B ", dims_string(b_shape));
  const size_t rank = std::max(a.size(), b.size()) - 2;
  dims ab(rank, 1), bb(rank, 1), out(rank, 1);
  std::copy(a.begin(), a.end() - 2, ab.begin() + long(rank - (a.size() - 2)));
  std::copy(b.begin(), b.end() - 2, bb.begin() + long(rank - (b.size() - 2)));
  for (size_t d = 0; d < rank; ++d) {
    if (ab[d] != bb[d] && ab[d] != 1 && bb[d] != 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "batch dims do not broadcast: A ", dims_string(a_shape), ", B ", dims_string(b_shape));
    out[d] = ab[d] == 1 ? bb[d] : ab[d];
  }
  const int64_t batches = product(out);
  for (int64_t flat = 0; flat < batches; ++flat) {
    int64_t rest = flat, ao = 0, bo = 0, as = p.m * p.k, bs = p.k * p.n;
    for (size_t d = rank; d-- > 0;) {
      const int64_t i = rest % out[d];
      rest /= out[d];
      if (ab[d] != 1) ao += i * as;
      if (bb[d] != 1) bo += i * bs;
      as *= ab[d];
      bs *= bb[d];
    }
    p.a_offset.push_back(ao);
    p.b_offset.push_back(bo);
  }
  return p;
}

// acc[batch][m x n] = (A - a_zp) x (B - b_zp) for every batch of y, in int32.
void integer_matmul(const tensor& a, const tensor& b, const tensor& a_zp, const tensor& b_zp, const batched_matmul& p,
                    int32_t* acc) {
  check_param_count(a_zp, p.m, "the zero point of A", "row of A");
  check_param_count(b_zp, p.n, "the zero point of B", "column of B");
  const std::vector<int32_t> za = zero_points_of(a_zp), zb = zero_points_of(b_zp);
  std::vector<int16_t> a16(size_t(p.m * p.k)), b16(size_t(p.k * p.n));
  int64_t last_a = -1, last_b = -1;
  for (size_t batch = 0; batch < p.a_offset.size(); ++batch) {
    // A broadcast batch (the same offset again) is shifted once.
    if (p.a_offset[batch] != last_a) {
      last_a = p.a_offset[batch];
      dispatch_quantized(a.dtype, [&](auto tag) {
        using Q = typename decltype(tag)::type;
        const Q* src = a.as<const Q>() + last_a;
        for (int64_t i = 0; i < p.m; ++i)
          shift_into(src + i * p.k, p.k, za.size() > 1 ? za[size_t(i)] : za[0], a16.data() + i * p.k);
      });
    }
    if (p.b_offset[batch] != last_b) {
      last_b = p.b_offset[batch];
      dispatch_quantized(b.dtype, [&](auto tag) {
        using Q = typename decltype(tag)::type;
        const Q* src = b.as<const Q>() + last_b;
        for (int64_t r = 0; r < p.k; ++r)
          for (int64_t j = 0; j < p.n; ++j)
            b16[size_t(r * p.n + j)] = int16_t(int32_t(src[r * p.n + j]) - (zb.size() > 1 ? zb[size_t(j)] : zb[0]));
      });
    }
    gemm_s16(p.m, p.n, p.k, a16.data(), b16.data(), acc + int64_t(batch) * p.m * p.n);
  }
}

class matmul_integer_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &b = args.in.at(1), &y = args.out.at(0);
    const batched_matmul p = plan_batches(a.shape, b.shape);
    if (y.numel() != int64_t(p.a_offset.size()) * p.m * p.n)
      fail(MIRT_STATUS_INVALID_SHAPE, "output has shape ", dims_string(y.shape), ", expected ", p.a_offset.size(),
           " batches of ", p.m, " x ", p.n);
    integer_matmul(a, b, args.input(2), args.input(3), p, y.as<int32_t>());
  }
};

class qlinear_matmul_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &a = args.in.at(0), &b = args.in.at(3), &y = args.out.at(0);
    const batched_matmul p = plan_batches(a.shape, b.shape);
    const int64_t per_batch = p.m * p.n;
    if (y.numel() != int64_t(p.a_offset.size()) * per_batch)
      fail(MIRT_STATUS_INVALID_SHAPE, "output has shape ", dims_string(y.shape), ", expected ", p.a_offset.size(),
           " batches of ", p.m, " x ", p.n);
    const tensor &a_scale = args.in.at(1), &b_scale = args.in.at(4), &y_scale = args.in.at(6);
    check_param_count(a_scale, p.m, "input 1 (a_scale)", "row of a");
    check_param_count(b_scale, p.n, "input 4 (b_scale)", "column of b");
    check_param_count(y_scale, 1, "input 6 (y_scale)", "tensor");
    check_param_count(args.input(7), 1, "input 7 (y_zero_point)", "tensor");
    const std::vector<float> sa = params_of(a_scale), sb = params_of(b_scale);
    const float sy = param_at(y_scale, 0);
    const double zy = param_at(args.input(7), 0);
    std::vector<int32_t> acc(size_t(y.numel()));
    integer_matmul(a, b, args.input(2), args.input(5), p, acc.data());
    // One multiplier per (row, column), computed as the reference does, in the scales' type.
    std::vector<double> mult(static_cast<size_t>(per_batch));
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j)
        mult[size_t(i * p.n + j)] =
            scale_ratio(sa.size() > 1 ? sa[size_t(i)] : sa[0], sb.size() > 1 ? sb[size_t(j)] : sb[0], sy, a_scale.dtype);
    dispatch_quantized(y.dtype, [&](auto tag) {
      using Q = typename decltype(tag)::type;
      Q* dst = y.as<Q>();
      for (int64_t e = 0; e < y.numel(); ++e) dst[e] = saturate_round<Q>(double(acc[size_t(e)]) * mult[size_t(e % per_batch)], zy);
    });
  }
};

bool quantized_at(const node_view& node, size_t i, std::string& why) {
  return !node.has_input(i) || input_dtype_in(node, i, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8}, why);
}

bool matmul_integer_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < 4; ++i)
    if (!quantized_at(node, i, why)) return false;
  return true;
}

bool qlinear_matmul_supports(const node_view& node, std::string& why) {
  for (size_t i : {0, 2, 3, 5, 7})
    if (!quantized_at(node, i, why)) return false;
  for (size_t i : {1, 4, 6})
    if (!input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  return true;
}

}  // namespace

void add_quant_matmul_ops(std::vector<op_entry>& t) {
  t.push_back({"MatMulInteger", "ref_matmul_integer", matmul_integer_supports,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<matmul_integer_kernel>(); }});
  t.push_back({"QLinearMatMul", "ref_qlinear_matmul", qlinear_matmul_supports,
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<qlinear_matmul_kernel>(); }});
}

}  // namespace mirt::cpu
