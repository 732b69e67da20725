// plugins/std/fast_gelu.cpp — com.microsoft::FastGelu (ONNX Runtime's contrib op, emitted by its
// transformer optimizer for BERT/GPT-2 models): y = 0.5 * v * (1 + tanh(sqrt(2/pi) * (v + 0.044715 v^3)))
// with v = x + bias (bias optional, broadcast along the last axis). float32 or float16 (computing in
// float), on the CPU and, where built, on CUDA (fast_gelu.cu).
#include <cmath>

#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/plugins.hpp"
#include "plugins/std/tensor_util.hpp"

namespace mirt_std_plugins {

namespace {

class fast_gelu_kernel final : public mp::kernel {
 public:
  void execute(const mirt_kernel_io& io) const override {
    const void* x = io.input_data[0];
    const void* bias = io.num_inputs > 1 ? io.input_data[1] : nullptr;
    const size_t bias_size = bias ? element_count(io.inputs[1]) : 0;
    const bool half = io.inputs[0].dtype == MIRT_DTYPE_FLOAT16;
    const size_t n = element_count(io.inputs[0]);
    constexpr float k = 0.7978845608028654f;  // sqrt(2 / pi)
    for (size_t i = 0; i < n; ++i) {
      const float xi = load_float(x, half, i);
      const float v = bias ? xi + load_float(bias, half, i % bias_size) : xi;
      // 0.5 * (1 + tanh(u)) = 1 / (1 + exp(-2u)): no cancellation where tanh(u) is near -1.
      store_float(io.output_data[0], half, i, v / (1.0f + std::exp(-2.0f * k * (v + 0.044715f * v * v * v))));
    }
  }
};

#ifdef MIRT_STD_PLUGINS_CUDA
class fast_gelu_cuda_kernel final : public mp::kernel {
 public:
  void execute(const mirt_kernel_io& io) const override {
    const void* bias = io.num_inputs > 1 ? io.input_data[1] : nullptr;
    check_launch(cuda::launch_fast_gelu(io.input_data[0], bias, io.output_data[0], element_count(io.inputs[0]),
                                        bias ? element_count(io.inputs[1]) : 0,
                                        io.inputs[0].dtype == MIRT_DTYPE_FLOAT16, io.stream),
                 "FastGelu");
  }
};
#endif

class fast_gelu final : public mp::layer {
 public:
  explicit fast_gelu(const mp::fields&) {}
  std::unique_ptr<mp::layer> clone() const override { return std::make_unique<fast_gelu>(*this); }
  void output_shapes(const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out, size_t num_out) const override {
    if (num_in < 1 || num_in > 2) throw mp::error("FastGelu takes X and an optional bias");
    if (present(in, num_in, 1)) {
      const mirt_tensor_desc& b = in[1];
      const int64_t last = in[0].rank ? in[0].dims[in[0].rank - 1] : 1;
      if (b.rank != 1 || (b.dims[0] >= 0 && last >= 0 && b.dims[0] != last))
        throw mp::error("FastGelu: bias must be 1-D with the size of X's last axis (" + std::to_string(last) + ")",
                        MIRT_STATUS_INVALID_SHAPE);
    }
    mp::layer::output_shapes(in, 1, out, num_out);
  }
  bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype* out, size_t) const override {
    return one_float_dtype(in, num_in, out);
  }
  std::vector<std::string> tactics(std::string_view backend, const mirt_node_info&) const override {
    return tactics_on(backend, "std_fast_gelu");
  }
  std::unique_ptr<mp::kernel> create_kernel(std::string_view backend, const mirt_node_info&,
                                            std::string_view) const override {
#ifdef MIRT_STD_PLUGINS_CUDA
    if (backend == "cuda") return std::make_unique<fast_gelu_cuda_kernel>();
#endif
    (void)backend;
    return std::make_unique<fast_gelu_kernel>();
  }
  std::vector<mp::field> serialize() const override { return {}; }
};

}  // namespace

const mirt_plugin_creator fast_gelu_creator = mp::creator_of<fast_gelu>(
    "FastGelu", "1", "com.microsoft", "tanh-approximated GELU of X (+ bias), as ONNX Runtime's contrib op", nullptr, 0);

}  // namespace mirt_std_plugins
