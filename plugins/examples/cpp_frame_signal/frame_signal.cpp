// plugins/examples/cpp_frame_signal/frame_signal.cpp — a C++ layer plugin whose output shape is an
// expression over its input dims (mirt/plugin.h's dim expressions): op `FrameSignal` in
// namespace `com.example`, version 1, the framing step of a spectrogram (torch's Tensor.unfold):
//
//     x [..., samples] -> y [..., (samples - frame_length) / frame_step + 1, frame_length]
//     y[..., f, j] = x[..., f * frame_step + j]          (float32, "/" rounding down)
//
// The frame count is answered once as an expression, not as a number per shape: mirt evaluates it
// symbolically at build time (a dynamic `samples` gives the dim "(((samples-400)/160)+1)"), at each
// profile point, and with the actual dims at each run; a profile whose min samples is too short for
// one frame is refused naming the expression.
// Build: c++ -std=c++17 -shared -fPIC $(pkg-config --cflags mirt) frame_signal.cpp -o libframe_signal.so
#include <cstring>

#include "mirt/plugin.hpp"

namespace {

namespace mp = mirt::plugin;

class frame_signal_kernel final : public mp::kernel {
 public:
  explicit frame_signal_kernel(int64_t step) : step_(step) {}
  void execute(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc &x = io.inputs[0], &y = io.outputs[0];
    const size_t samples = size_t(x.dims[x.rank - 1]), frames = size_t(y.dims[y.rank - 2]);
    const size_t length = size_t(y.dims[y.rank - 1]);
    size_t rows = 1;
    for (uint32_t d = 0; d + 1 < x.rank; ++d) rows *= size_t(x.dims[d]);
    const auto* in = static_cast<const float*>(io.input_data[0]);
    auto* out = static_cast<float*>(io.output_data[0]);
    for (size_t r = 0; r < rows; ++r)
      for (size_t f = 0; f < frames; ++f)
        std::memcpy(out + (r * frames + f) * length, in + r * samples + f * size_t(step_), length * sizeof(float));
  }

 private:
  int64_t step_;
};

class frame_signal final : public mp::layer {
 public:
  explicit frame_signal(const mp::fields& f)
      : length_(f.get_int("frame_length", 0)), step_(f.get_int("frame_step", 0)) {
    if (length_ <= 0 || step_ <= 0) throw mp::error("FrameSignal: frame_length and frame_step must be positive");
  }
  std::unique_ptr<mp::layer> clone() const override { return std::make_unique<frame_signal>(*this); }

  bool uses_shape_exprs() const override { return true; }
  void output_shape_exprs(const mirt_tensor_desc* in, size_t num_in, const mp::dim_exprs& x) const override {
    if (num_in != 1 || in[0].rank == 0) throw mp::error("FrameSignal takes one input of rank >= 1");
    const uint32_t last = in[0].rank - 1;
    std::vector<mp::dim_expr> shape;
    for (uint32_t d = 0; d < last; ++d) shape.push_back(x.dim(0, d));
    shape.push_back(floordiv(x.dim(0, last) - length_, step_) + 1);
    shape.push_back(x.constant(length_));
    x.set_output(0, shape);
  }
  bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype* out, size_t) const override {
    return num_in == 1 && in[0] == MIRT_DTYPE_FLOAT32 && out[0] == MIRT_DTYPE_FLOAT32;
  }
  std::vector<std::string> tactics(std::string_view backend, const mirt_node_info&) const override {
    if (backend == "cpu") return {"cpp_frame_signal_copy"};
    return {};
  }
  std::unique_ptr<mp::kernel> create_kernel(std::string_view, const mirt_node_info&, std::string_view) const override {
    return std::make_unique<frame_signal_kernel>(step_);
  }
  std::vector<mp::field> serialize() const override {
    return {mp::field::of_int("frame_length", length_), mp::field::of_int("frame_step", step_)};
  }

 private:
  int64_t length_, step_;
};

const mirt_plugin_field_spec frame_signal_fields[] = {
    {"frame_length", MIRT_ATTRIBUTE_TYPE_INT, 0, 1},
    {"frame_step", MIRT_ATTRIBUTE_TYPE_INT, 0, 1},
};
const mirt_plugin_creator frame_signal_creator =
    mp::creator_of<frame_signal>("FrameSignal", "1", "com.example", "overlapping frames of the last axis (unfold)",
                                 frame_signal_fields, 2);

}  // namespace

MIRT_PLUGIN_LIBRARY("example_frame_signal", "1.0.0", "the C++ example of output shapes as expressions",
                    &frame_signal_creator)
