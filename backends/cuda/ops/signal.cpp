// backends/cuda/ops/signal.cpp — DFT and STFT on cuFFT, with the cpu backend's semantics
// (backends/cpu/ops/dft.cpp): each signal line is packed into a plan's complex buffer (padded or
// truncated to the DFT length; an inverse onesided DFT's half spectrum mirrored to the full one;
// STFT frames windowed), transformed in place by one batched C2C (Z2Z for float64) cuFFT call,
// and its bins written in the output's dtype and layout (scaled by 1 / n for the inverse).
// float16 and bfloat16 compute in float32. The scalar inputs (axis, dft_length, frame_step,
// frame_length) are read at kernel creation when constant, else read back on each run (the stream
// synchronizes).
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/signal.hpp"
#include "backends/cuda/ops/cufft_plan.hpp"

namespace mirt::cuda {
namespace {

using constant_ints = std::optional<std::vector<int64_t>>;

int64_t scalar_input(const exec_args& args, size_t i, const constant_ints& constant, const char* what) {
  const std::vector<int64_t> v = read_int_input(args, i, constant ? &*constant : nullptr, what);
  if (v.size() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has ", v.size(), " values, expected one");
  return v[0];
}

// Packs lines of x into the plan, transforms them and writes `bins` bins of each into y.
void transform_lines(fft_plan_cache& plans, const exec_args& args, signal_gather_params gather, signal_scatter_params scatter,
                     bool inverse) {
  if (gather.lines == 0) return;
  const std::shared_ptr<fft_plan> plan = plans.get(gather.n, gather.lines, gather.dtype == MIRT_DTYPE_FLOAT64, args.stream);
  std::lock_guard<std::mutex> hold(plan->lock());
  gather.work = plan->lines();
  throw_if_failed(launch_signal_gather(gather, args.stream));
  plan->execute(inverse);
  scatter.work = plan->lines();
  throw_if_failed(launch_signal_scatter(scatter, args.stream));
}

class dft_kernel final : public kernel {
 public:
  dft_kernel(bool inverse, bool onesided, constant_ints length, constant_ints axis)
      : inverse_(inverse), onesided_(onesided), length_(std::move(length)), axis_(std::move(axis)) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t rank = int64_t(x.rank());
    const int64_t parts = rank > 0 ? x.shape.back() : 0;
    if (rank < 2 || (parts != 1 && parts != 2))
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected a last dim of 1 (real) or 2 (complex)");
    int64_t axis = args.input(2).present() ? scalar_input(args, 2, axis_, "axis") : -2;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank - 2)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "axis ", axis, " is out of range for input 0 of shape ", dims_string(x.shape));
    const int64_t in_len = x.shape[size_t(axis)];
    const bool to_real = inverse_ && onesided_;
    int64_t n = to_real ? 2 * (in_len - 1) : in_len;
    if (args.input(1).present()) n = scalar_input(args, 1, length_, "dft_length");
    if (n < 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "the DFT length is ", n, ", expected at least 1");
    const int64_t out_len = onesided_ && !inverse_ ? n / 2 + 1 : n, out_parts = to_real ? 1 : 2;
    dims want = x.shape;
    want[size_t(axis)] = out_len;
    want.back() = out_parts;
    if (y.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    if (y.dtype != x.dtype) fail(MIRT_STATUS_INVALID_ARGUMENT, "output 0 is ", dtype_name(y.dtype), ", input 0 ", dtype_name(x.dtype));
    const int64_t outer = product(x.shape, 0, size_t(axis)), inner = product(x.shape, size_t(axis) + 1, x.rank() - 1);
    signal_gather_params g;
    g.dtype = x.dtype, g.x = x.data, g.parts = parts, g.avail = in_len, g.mirror = to_real;
    g.layout = {inner, in_len * inner * parts, parts, inner * parts};
    g.lines = outer * inner, g.n = n;
    signal_scatter_params s;
    s.dtype = y.dtype, s.y = y.data, s.parts = out_parts, s.scale = inverse_ ? 1.0 / double(n) : 1.0;
    s.layout = {inner, out_len * inner * out_parts, out_parts, inner * out_parts};
    s.lines = g.lines, s.n = n, s.bins = out_len;
    transform_lines(plans_, args, g, s, inverse_);
  }

 private:
  bool inverse_, onesided_;
  constant_ints length_, axis_;
  mutable fft_plan_cache plans_;
};

class stft_kernel final : public kernel {
 public:
  stft_kernel(bool onesided, constant_ints step, constant_ints frame_length)
      : onesided_(onesided), step_(std::move(step)), frame_length_(std::move(frame_length)) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &window = args.input(2), &y = args.out.at(0);
    if (x.rank() != 3 || (x.shape[2] != 1 && x.shape[2] != 2))
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected [batch, length, 1 or 2]");
    const int64_t batch = x.shape[0], length = x.shape[1], parts = x.shape[2];
    const int64_t step = scalar_input(args, 1, step_, "frame_step");
    if (window.present() && window.rank() != 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "the window has shape ", dims_string(window.shape), ", expected one dim");
    int64_t frame = window.present() ? window.shape[0] : -1;
    if (args.input(3).present()) {
      const int64_t given = scalar_input(args, 3, frame_length_, "frame_length");
      if (frame >= 0 && given != frame)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "frame_length is ", given, ", the window has ", frame, " entries");
      frame = given;
    }
    if (step < 1 || frame < 1 || frame > length)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "frame_step ", step, " and frame length ", frame, " do not fit a signal of length ", length);
    const int64_t frames = (length - frame) / step + 1, bins = onesided_ ? frame / 2 + 1 : frame;
    const dims want{batch, frames, bins, 2};
    if (y.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    if (y.dtype != x.dtype) fail(MIRT_STATUS_INVALID_ARGUMENT, "output 0 is ", dtype_name(y.dtype), ", input 0 ", dtype_name(x.dtype));
    // Line (b, f) is frame f of signal b: it starts f * step samples into the signal.
    signal_gather_params g;
    g.dtype = x.dtype, g.x = x.data, g.window = window.present() ? window.data : nullptr, g.parts = parts, g.avail = frame;
    g.layout = {frames, length * parts, step * parts, parts};
    g.lines = batch * frames, g.n = frame;
    signal_scatter_params s;
    s.dtype = y.dtype, s.y = y.data, s.parts = 2;
    s.layout = {frames, frames * bins * 2, bins * 2, 2};
    s.lines = g.lines, s.n = frame, s.bins = bins;
    transform_lines(plans_, args, g, s, false);
  }

 private:
  bool onesided_;
  constant_ints step_, frame_length_;
  mutable fft_plan_cache plans_;
};

bool signal_supports(const node_view& node, std::string& why, std::initializer_list<size_t> int_inputs) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64}, why)) return false;
  for (size_t i : int_inputs)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

}  // namespace

void add_signal_ops(std::vector<op_entry>& t) {
  t.push_back({"DFT", "cuda_cufft_dft", [](const node_view& node, std::string& why) { return signal_supports(node, why, {1, 2}); },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<dft_kernel>(node.attr_int("inverse", 0) != 0, node.attr_int("onesided", 0) != 0,
                                                     node.constant_ints(1), node.constant_ints(2));
               }});
  t.push_back({"STFT", "cuda_cufft_stft",
               [](const node_view& node, std::string& why) {
                 if (node.has_input(2) && node.input_dtype(2) != node.input_dtype(0)) {
                   why = cat("the window is ", dtype_name(node.input_dtype(2)), ", the signal ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return signal_supports(node, why, {1, 3});
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<stft_kernel>(node.attr_int("onesided", 1) != 0, node.constant_ints(1), node.constant_ints(3));
               }});
}

}  // namespace mirt::cuda
