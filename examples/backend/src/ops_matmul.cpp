// ops_matmul.cpp — MatMul in two tactics, and Gemm.
//
// MatMul: A (..., M, K) x B (..., K, N) -> Y (..., M, N), the leading (batch) dims broadcast.
//   matmul_rowwise  Y row i += A[i, k] * B row k: streams rows of B, needs no workspace.
//   matmul_packed   copies B transposed into the workspace once per batch, then each Y[i, j] is a
//                   dot product of two contiguous rows.
// Which is faster depends on the shapes; the builder times both (optimization level > 0).
#include <cstring>
#include <string>

#include "kernels.hpp"

namespace example {
namespace {

struct matmul_shape {
  int64_t batch = 1, m = 0, k = 0, n = 0;
  int64_t a_batch_stride[MIRT_MAX_RANK], b_batch_stride[MIRT_MAX_RANK];  // per batch dim of Y, 0 where repeated
};

// The batch walk of Y over A and B: dims of Y except the last two, with A's and B's matrix strides.
matmul_shape shape_of(const mirt_tensor_desc& a, const mirt_tensor_desc& b, const mirt_tensor_desc& y) {
  if (a.rank < 2 || b.rank < 2 || y.rank < 2) throw backend_error(MIRT_STATUS_INVALID_SHAPE, "operands need rank 2 or more");
  matmul_shape s;
  s.m = a.dims[a.rank - 2];
  s.k = a.dims[a.rank - 1];
  s.n = b.dims[b.rank - 1];
  if (b.dims[b.rank - 2] != s.k)
    throw backend_error(MIRT_STATUS_INVALID_SHAPE, "A has " + std::to_string(s.k) + " columns but B has " +
                                                       std::to_string(b.dims[b.rank - 2]) + " rows");
  const int batch_rank = int(y.rank) - 2;
  int64_t a_stride = s.m * s.k, b_stride = s.k * s.n;
  for (int d = batch_rank - 1; d >= 0; --d) {
    const int ad = d - (batch_rank - int(a.rank - 2)), bd = d - (batch_rank - int(b.rank - 2));
    const int64_t a_extent = ad >= 0 ? a.dims[ad] : 1, b_extent = bd >= 0 ? b.dims[bd] : 1;
    s.a_batch_stride[d] = a_extent == 1 ? 0 : a_stride;
    s.b_batch_stride[d] = b_extent == 1 ? 0 : b_stride;
    a_stride *= a_extent;
    b_stride *= b_extent;
    s.batch *= y.dims[d];
  }
  return s;
}

// Calls body(a_offset, b_offset, y_offset) for each matrix of the batch.
template <class Body>
void for_each_matrix(const matmul_shape& s, const mirt_tensor_desc& y, Body body) {
  const int batch_rank = int(y.rank) - 2;
  int64_t index[MIRT_MAX_RANK] = {0}, a = 0, b = 0;
  for (int64_t i = 0; i < s.batch; ++i) {
    body(a, b, i * s.m * s.n);
    for (int d = batch_rank - 1; d >= 0; --d) {
      a += s.a_batch_stride[d];
      b += s.b_batch_stride[d];
      if (++index[d] < y.dims[d]) break;
      a -= s.a_batch_stride[d] * y.dims[d];
      b -= s.b_batch_stride[d] * y.dims[d];
      index[d] = 0;
    }
  }
}

class matmul_rowwise final : public kernel {
 public:
  void run(const mirt_kernel_io& io) const override {
    const matmul_shape s = shape_of(io.inputs[0], io.inputs[1], io.outputs[0]);
    const auto* a = static_cast<const float*>(io.input_data[0]);
    const auto* b = static_cast<const float*>(io.input_data[1]);
    auto* y = static_cast<float*>(io.output_data[0]);
    for_each_matrix(s, io.outputs[0], [&](int64_t ao, int64_t bo, int64_t yo) {
      for (int64_t i = 0; i < s.m; ++i) {
        float* row = y + yo + i * s.n;
        for (int64_t j = 0; j < s.n; ++j) row[j] = 0.0f;
        for (int64_t k = 0; k < s.k; ++k) {
          const float aik = a[ao + i * s.k + k];
          const float* b_row = b + bo + k * s.n;
          for (int64_t j = 0; j < s.n; ++j) row[j] += aik * b_row[j];
        }
      }
    });
  }
};

class matmul_packed final : public kernel {
 public:
  size_t workspace_size(const mirt_tensor_desc* inputs, const mirt_tensor_desc*) const override {
    const mirt_tensor_desc& b = inputs[1];
    if (b.rank < 2 || b.dims[b.rank - 1] < 0 || b.dims[b.rank - 2] < 0) return 0;
    return size_t(b.dims[b.rank - 1] * b.dims[b.rank - 2]) * sizeof(float);
  }

  void run(const mirt_kernel_io& io) const override {
    const matmul_shape s = shape_of(io.inputs[0], io.inputs[1], io.outputs[0]);
    const size_t needed = size_t(s.k * s.n) * sizeof(float);
    if (io.workspace_size < needed || (needed > 0 && io.workspace == nullptr))
      throw backend_error(MIRT_STATUS_INVALID_ARGUMENT, "matmul_packed needs a workspace of " + std::to_string(needed) +
                                                            " bytes, got " + std::to_string(io.workspace_size));
    const auto* a = static_cast<const float*>(io.input_data[0]);
    const auto* b = static_cast<const float*>(io.input_data[1]);
    auto* y = static_cast<float*>(io.output_data[0]);
    auto* bt = static_cast<float*>(io.workspace);  // (N, K): B transposed
    for_each_matrix(s, io.outputs[0], [&](int64_t ao, int64_t bo, int64_t yo) {
      for (int64_t k = 0; k < s.k; ++k)
        for (int64_t j = 0; j < s.n; ++j) bt[j * s.k + k] = b[bo + k * s.n + j];
      for (int64_t i = 0; i < s.m; ++i) {
        const float* a_row = a + ao + i * s.k;
        for (int64_t j = 0; j < s.n; ++j) {
          const float* bt_row = bt + j * s.k;
          float sum = 0.0f;
          for (int64_t k = 0; k < s.k; ++k) sum += a_row[k] * bt_row[k];
          y[yo + i * s.n + j] = sum;
        }
      }
    });
  }
};

// Gemm: Y (M, N) = alpha * A' B' + beta * C, A' = A or A transposed (transA), B' likewise; C
// (optional) broadcasts to (M, N).
class gemm_kernel final : public kernel {
 public:
  gemm_kernel(float alpha, float beta, bool trans_a, bool trans_b)
      : alpha_(alpha), beta_(beta), trans_a_(trans_a), trans_b_(trans_b) {}

  void run(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc &a = io.inputs[0], &y = io.outputs[0];
    const int64_t m = y.dims[0], n = y.dims[1], k = trans_a_ ? a.dims[0] : a.dims[1];
    const auto* pa = static_cast<const float*>(io.input_data[0]);
    const auto* pb = static_cast<const float*>(io.input_data[1]);
    const float* pc = io.num_inputs > 2 ? static_cast<const float*>(io.input_data[2]) : nullptr;
    auto* py = static_cast<float*>(io.output_data[0]);
    int64_t c_row = 0, c_col = 0;  // strides of C over (M, N); 0 where it repeats
    if (pc != nullptr) {
      const mirt_tensor_desc& c = io.inputs[2];
      const int64_t rows = c.rank == 2 ? c.dims[0] : 1, cols = c.rank >= 1 ? c.dims[c.rank - 1] : 1;
      if ((rows != 1 && rows != m) || (cols != 1 && cols != n))
        throw backend_error(MIRT_STATUS_INVALID_SHAPE, "C does not broadcast to (" + std::to_string(m) + ", " +
                                                           std::to_string(n) + ")");
      c_row = rows == 1 ? 0 : cols;
      c_col = cols == 1 ? 0 : 1;
    }
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float sum = 0.0f;
        for (int64_t p = 0; p < k; ++p) {
          const float av = trans_a_ ? pa[p * m + i] : pa[i * k + p];
          const float bv = trans_b_ ? pb[j * k + p] : pb[p * n + j];
          sum += av * bv;
        }
        py[i * n + j] = alpha_ * sum + (pc != nullptr ? beta_ * pc[i * c_row + j * c_col] : 0.0f);
      }
    }
  }

 private:
  float alpha_, beta_;
  bool trans_a_, trans_b_;
};

}  // namespace

std::string check_matmul(const mirt_node_info& node) {
  if (node.num_inputs != 2 || node.num_outputs != 1) return "needs two inputs and one output";
  if (node.inputs[0].rank < 2 || node.inputs[1].rank < 2)
    return "this backend's MatMul takes operands of rank 2 or more (a 1-D operand is refused)";
  return float32_only(node);
}

std::unique_ptr<kernel> create_matmul_rowwise(const mirt_node_info&) { return std::make_unique<matmul_rowwise>(); }
std::unique_ptr<kernel> create_matmul_packed(const mirt_node_info&) { return std::make_unique<matmul_packed>(); }

std::string check_gemm(const mirt_node_info& node) {
  if (node.num_inputs < 2 || node.num_outputs != 1) return "needs A, B (and optional C) and one output";
  if (node.inputs[0].rank != 2 || node.inputs[1].rank != 2) return "A and B must be matrices";
  if (node.num_inputs > 2 && node.inputs[2].dtype != MIRT_DTYPE_UNDEFINED && node.inputs[2].rank > 2)
    return "C must have rank 2 or less";
  return float32_only(node);
}

std::unique_ptr<kernel> create_gemm(const mirt_node_info& node) {
  return std::make_unique<gemm_kernel>(float_attribute(node, "alpha", 1.0f), float_attribute(node, "beta", 1.0f),
                                       int_attribute(node, "transA", 0) != 0, int_attribute(node, "transB", 0) != 0);
}

}  // namespace example
