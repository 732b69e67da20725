// ops_elementwise.cpp — Add and Mul (with numpy broadcasting), Relu, and Softmax along one axis.
#include <cmath>
#include <string>

#include "kernels.hpp"

namespace example {
namespace {

// Strides of `in` walked along the dims of `out` (numpy broadcasting: dims aligned on the right, a
// dim of 1 repeats), 0 where `in` is repeated.
void broadcast_strides(const mirt_tensor_desc& in, const mirt_tensor_desc& out, int64_t* strides) {
  if (in.rank > out.rank) throw backend_error(MIRT_STATUS_INVALID_SHAPE, "an input has a higher rank than the output");
  int64_t stride = 1;
  for (int d = int(out.rank) - 1; d >= 0; --d) {
    const int in_d = d - int(out.rank - in.rank);
    if (in_d < 0) {
      strides[d] = 0;
      continue;
    }
    const int64_t extent = in.dims[in_d];
    if (extent != out.dims[d] && extent != 1)
      throw backend_error(MIRT_STATUS_INVALID_SHAPE, "input dim " + std::to_string(extent) +
                                                         " does not broadcast to output dim " + std::to_string(out.dims[d]));
    strides[d] = extent == 1 ? 0 : stride;
    stride *= extent;
  }
}

template <class Op>
class binary_kernel final : public kernel {
 public:
  void run(const mirt_kernel_io& io) const override {
    const auto* a = static_cast<const float*>(io.input_data[0]);
    const auto* b = static_cast<const float*>(io.input_data[1]);
    auto* y = static_cast<float*>(io.output_data[0]);
    const mirt_tensor_desc& out = io.outputs[0];
    int64_t sa[MIRT_MAX_RANK], sb[MIRT_MAX_RANK], index[MIRT_MAX_RANK] = {0};
    broadcast_strides(io.inputs[0], out, sa);
    broadcast_strides(io.inputs[1], out, sb);
    const int64_t n = element_count(out);
    // y may be a (in place): element i of a is read before y[i] is written.
    int64_t ia = 0, ib = 0;
    for (int64_t i = 0; i < n; ++i) {
      y[i] = Op()(a[ia], b[ib]);
      for (int d = int(out.rank) - 1; d >= 0; --d) {  // next index, last dim fastest
        ia += sa[d];
        ib += sb[d];
        if (++index[d] < out.dims[d]) break;
        ia -= sa[d] * out.dims[d];
        ib -= sb[d] * out.dims[d];
        index[d] = 0;
      }
    }
  }
};

struct add_op {
  float operator()(float a, float b) const { return a + b; }
};
struct mul_op {
  float operator()(float a, float b) const { return a * b; }
};

class relu_kernel final : public kernel {
 public:
  void run(const mirt_kernel_io& io) const override {
    const auto* x = static_cast<const float*>(io.input_data[0]);
    auto* y = static_cast<float*>(io.output_data[0]);
    const int64_t n = element_count(io.outputs[0]);
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];  // NaN stays NaN
  }
};

// Softmax (opset 13): exp(x - max) / sum along one axis, seen as [outer, n, inner].
class softmax_kernel final : public kernel {
 public:
  explicit softmax_kernel(int64_t axis) : axis_(axis) {}

  void run(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc& shape = io.inputs[0];
    const int64_t rank = shape.rank;
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank)
      throw backend_error(MIRT_STATUS_INVALID_ARGUMENT, "axis " + std::to_string(axis_) + " is out of range for rank " +
                                                            std::to_string(rank));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape.dims[d];
    for (int64_t d = axis + 1; d < rank; ++d) inner *= shape.dims[d];
    const int64_t n = shape.dims[axis];
    const auto* x = static_cast<const float*>(io.input_data[0]);
    auto* y = static_cast<float*>(io.output_data[0]);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const float* xs = x + o * n * inner + i;
        float* ys = y + o * n * inner + i;
        float top = -INFINITY;
        for (int64_t k = 0; k < n; ++k) top = std::fmax(top, xs[k * inner]);
        double sum = 0;
        for (int64_t k = 0; k < n; ++k) sum += ys[k * inner] = std::exp(xs[k * inner] - top);
        const float scale = float(1.0 / sum);
        for (int64_t k = 0; k < n; ++k) ys[k * inner] *= scale;
      }
    }
  }

 private:
  int64_t axis_;
};

}  // namespace

std::string check_binary(const mirt_node_info& node) {
  if (node.num_inputs != 2 || node.num_outputs != 1) return "needs two inputs and one output";
  return float32_only(node);
}

std::unique_ptr<kernel> create_add(const mirt_node_info&) { return std::make_unique<binary_kernel<add_op>>(); }
std::unique_ptr<kernel> create_mul(const mirt_node_info&) { return std::make_unique<binary_kernel<mul_op>>(); }

std::string check_unary(const mirt_node_info& node) {
  if (node.num_inputs != 1 || node.num_outputs != 1) return "needs one input and one output";
  return float32_only(node);
}

std::unique_ptr<kernel> create_relu(const mirt_node_info&) { return std::make_unique<relu_kernel>(); }

std::string check_softmax(const mirt_node_info& node) {
  if (node.num_inputs != 1 || node.num_outputs != 1) return "needs one input and one output";
  if (node.inputs[0].rank == 0) return "needs an input of rank 1 or more";
  return float32_only(node);
}

std::unique_ptr<kernel> create_softmax(const mirt_node_info& node) {
  return std::make_unique<softmax_kernel>(int_attribute(node, "axis", -1));
}

}  // namespace example
