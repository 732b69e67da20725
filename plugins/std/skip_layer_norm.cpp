// plugins/std/skip_layer_norm.cpp — com.microsoft::SkipLayerNormalization (ONNX Runtime's contrib op
// that its transformer optimizer fuses for every residual + LayerNorm of BERT-like models):
//   s = input + skip (+ bias);  output = (s - mean(s)) / sqrt(var(s) + epsilon) * gamma (+ beta)
// over the last axis (hidden size H). Inputs: input [..., H], skip (input's shape, or a suffix of it
// repeated over the leading dims), gamma [H], beta [H] (optional), bias [H] (optional). Field
// epsilon (float, default 1e-12). One output (ORT's optional mean/inv_std/sum outputs are not
// produced). float32 or float16 (every input alike). The CPU kernel sums in double; the CUDA kernel
// (skip_layer_norm.cu, where built) in float.
#include <cmath>

#include "plugins/std/cuda_kernels.hpp"
#include "plugins/std/plugins.hpp"
#include "plugins/std/tensor_util.hpp"

namespace mirt_std_plugins {

namespace {

class skip_layer_norm_kernel final : public mp::kernel {
 public:
  explicit skip_layer_norm_kernel(float epsilon) : epsilon_(epsilon) {}
  void execute(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc& x = io.inputs[0];
    const size_t hidden = static_cast<size_t>(x.dims[x.rank - 1]);
    const size_t total = element_count(x);
    const size_t skip_total = element_count(io.inputs[1]);
    const bool half = x.dtype == MIRT_DTYPE_FLOAT16;
    const void *in = io.input_data[0], *skip = io.input_data[1], *gamma = io.input_data[2];
    const void* beta = io.num_inputs > 3 ? io.input_data[3] : nullptr;
    const void* bias = io.num_inputs > 4 ? io.input_data[4] : nullptr;
    auto sum_at = [&](size_t i, size_t h) {
      return double(load_float(in, half, i)) + load_float(skip, half, i % skip_total) +
             (bias ? load_float(bias, half, h) : 0.0f);
    };
    for (size_t row = 0; row * hidden < total; ++row) {
      const size_t base = row * hidden;
      double sum = 0, squares = 0;
      for (size_t h = 0; h < hidden; ++h) {
        const double s = sum_at(base + h, h);
        sum += s;
        squares += s * s;
      }
      const double mean = sum / double(hidden);
      const double inv_std = 1.0 / std::sqrt(std::max(squares / double(hidden) - mean * mean, 0.0) + epsilon_);
      for (size_t h = 0; h < hidden; ++h)
        store_float(io.output_data[0], half, base + h,
                    static_cast<float>((sum_at(base + h, h) - mean) * inv_std * load_float(gamma, half, h) +
                                       (beta ? load_float(beta, half, h) : 0.0f)));
    }
  }

 private:
  float epsilon_;
};

#ifdef MIRT_STD_PLUGINS_CUDA
class skip_layer_norm_cuda_kernel final : public mp::kernel {
 public:
  explicit skip_layer_norm_cuda_kernel(float epsilon) : epsilon_(epsilon) {}
  void execute(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc& x = io.inputs[0];
    cuda::skip_layer_norm_args a{};
    a.input = io.input_data[0], a.skip = io.input_data[1], a.gamma = io.input_data[2];
    a.beta = io.num_inputs > 3 ? io.input_data[3] : nullptr;
    a.bias = io.num_inputs > 4 ? io.input_data[4] : nullptr;
    a.output = io.output_data[0];
    a.hidden = static_cast<size_t>(x.dims[x.rank - 1]);
    a.rows = a.hidden ? element_count(x) / a.hidden : 0;
    a.skip_size = element_count(io.inputs[1]);
    a.epsilon = epsilon_;
    a.float16 = x.dtype == MIRT_DTYPE_FLOAT16;
    check_launch(cuda::launch_skip_layer_norm(a, io.stream), "SkipLayerNormalization");
  }

 private:
  float epsilon_;
};
#endif

class skip_layer_norm final : public mp::layer {
 public:
  explicit skip_layer_norm(const mp::fields& f) : epsilon_(f.get_float("epsilon", 1e-12f)) {
    if (!(epsilon_ >= 0)) throw mp::error("SkipLayerNormalization: epsilon must not be negative");
  }
  std::unique_ptr<mp::layer> clone() const override { return std::make_unique<skip_layer_norm>(*this); }
  void output_shapes(const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out, size_t num_out) const override {
    if (num_in < 3 || num_in > 5 || !present(in, num_in, 0) || !present(in, num_in, 1) || !present(in, num_in, 2))
      throw mp::error("SkipLayerNormalization takes input, skip, gamma and optional beta and bias");
    const mirt_tensor_desc& x = in[0];
    if (x.rank == 0) throw mp::error("SkipLayerNormalization: input must have rank >= 1", MIRT_STATUS_INVALID_SHAPE);
    const int64_t hidden = x.dims[x.rank - 1];
    for (size_t i = 2; i < num_in; ++i) {
      if (!present(in, num_in, i)) continue;
      if (in[i].rank != 1 || (hidden >= 0 && in[i].dims[0] >= 0 && in[i].dims[0] != hidden))
        throw mp::error("SkipLayerNormalization: input " + std::to_string(i) + " must be 1-D of the hidden size " +
                            std::to_string(hidden),
                        MIRT_STATUS_INVALID_SHAPE);
    }
    const mirt_tensor_desc& s = in[1];
    if (s.rank == 0 || s.rank > x.rank)
      throw mp::error("SkipLayerNormalization: skip's rank must be 1 to input's rank", MIRT_STATUS_INVALID_SHAPE);
    for (uint32_t d = 0; d < s.rank; ++d) {
      const int64_t a = s.dims[s.rank - 1 - d], b = x.dims[x.rank - 1 - d];
      if (a >= 0 && b >= 0 && a != b)
        throw mp::error("SkipLayerNormalization: skip's shape must be a suffix of input's", MIRT_STATUS_INVALID_SHAPE);
    }
    mp::layer::output_shapes(in, 1, out, num_out);
  }
  bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype* out, size_t) const override {
    return one_float_dtype(in, num_in, out);
  }
  std::vector<std::string> tactics(std::string_view backend, const mirt_node_info&) const override {
    return tactics_on(backend, "std_skip_layer_norm");
  }
  std::unique_ptr<mp::kernel> create_kernel(std::string_view backend, const mirt_node_info&,
                                            std::string_view) const override {
#ifdef MIRT_STD_PLUGINS_CUDA
    if (backend == "cuda") return std::make_unique<skip_layer_norm_cuda_kernel>(epsilon_);
#endif
    (void)backend;
    return std::make_unique<skip_layer_norm_kernel>(epsilon_);
  }
  std::vector<mp::field> serialize() const override { return {mp::field::of_float("epsilon", epsilon_)}; }

 private:
  float epsilon_;
};

const mirt_plugin_field_spec skip_layer_norm_fields[] = {{"epsilon", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 0}};

}  // namespace

const mirt_plugin_creator skip_layer_norm_creator = mp::creator_of<skip_layer_norm>(
    "SkipLayerNormalization", "1", "com.microsoft", "LayerNorm(input + skip + bias) * gamma + beta over the last axis",
    skip_layer_norm_fields, 1);

}  // namespace mirt_std_plugins
