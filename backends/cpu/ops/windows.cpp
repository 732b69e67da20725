// backends/cpu/ops/windows.cpp — the window generators HannWindow, HammingWindow, BlackmanWindow
// (periodic or symmetric) and MelWeightMatrix (triangular mel filters over DFT bins, as ONNX's
// reference computes them), written in any numeric output_datatype.
#include <cmath>
#include <numbers>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

int64_t scalar_of(const tensor& t, const char* what) {
  const std::vector<int64_t> v = read_int_tensor(t, what);
  if (v.size() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has ", v.size(), " values, expected one");
  return v[0];
}

// Writes values (double) to y in y's dtype.
void write_values(const tensor& y, const std::vector<double>& values) {
  if (int64_t(values.size()) != y.numel())
    fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not hold ", values.size(), " values");
  dispatch_any(y.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = y.as<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = convert<T>(values[i]);
  });
}

enum class window_kind { hann, hamming, blackman };

class window_kernel final : public kernel {
 public:
  window_kernel(window_kind kind, bool periodic) : kind_(kind), periodic_(periodic) {}

  void execute(const exec_args& args) const override {
    const int64_t size = scalar_of(args.in.at(0), "size");
    if (size < 0) fail(MIRT_STATUS_INVALID_ARGUMENT, "size is ", size, ", expected 0 or more");
    // The cosines' period: size for a periodic window, size - 1 for a symmetric one.
    const double period = double(periodic_ ? size : size - 1);
    std::vector<double> w(static_cast<size_t>(size));
    for (int64_t n = 0; n < size; ++n) {
      const double x = period > 0 ? 2 * std::numbers::pi * double(n) / period : 0;
      switch (kind_) {
        case window_kind::hann: w[size_t(n)] = 0.5 - 0.5 * std::cos(x); break;
        case window_kind::hamming: w[size_t(n)] = 25.0 / 46.0 - (21.0 / 46.0) * std::cos(x); break;
        case window_kind::blackman: w[size_t(n)] = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x); break;
      }
    }
    write_values(args.out.at(0), w);
  }

 private:
  window_kind kind_;
  bool periodic_;
};

class mel_weight_matrix_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const int64_t mel_bins = scalar_of(args.in.at(0), "num_mel_bins"), dft_length = scalar_of(args.in.at(1), "dft_length"),
                  sample_rate = scalar_of(args.in.at(2), "sample_rate");
    const double lower = read_scalar(args.in.at(3)), upper = read_scalar(args.in.at(4));
    if (mel_bins < 1 || dft_length < 1 || sample_rate < 1)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "num_mel_bins ", mel_bins, ", dft_length ", dft_length, " and sample_rate ",
           sample_rate, " must be positive");
    if (!(lower >= 0 && lower <= upper))
      fail(MIRT_STATUS_INVALID_ARGUMENT, "lower_edge_hertz ", lower, " and upper_edge_hertz ", upper,
           " must satisfy 0 <= lower <= upper");
    const int64_t spectrogram_bins = dft_length / 2 + 1;
    const auto to_mel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
    // mel_bins + 2 edges spaced evenly in mel; the step divides by the edge count, as ONNX's
    // reference implementation does. Each edge maps to the DFT bin floor((dft_length + 1) f / rate).
    const double low_mel = to_mel(lower), step = (to_mel(upper) - low_mel) / double(mel_bins + 2);
    std::vector<int64_t> edge(static_cast<size_t>(mel_bins + 2));
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double hz = 700 * (std::pow(10.0, (double(i) * step + low_mel) / 2595) - 1);
      edge[size_t(i)] = int64_t(std::floor(double(dft_length + 1) * hz / double(sample_rate)));
    }
    std::vector<double> m(size_t(spectrogram_bins * mel_bins), 0.0);
    const auto set = [&](int64_t bin, int64_t mel, double v) {
      if (bin >= 0 && bin < spectrogram_bins) m[size_t(bin * mel_bins + mel)] = v;
    };
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t left = edge[size_t(i)], center = edge[size_t(i + 1)], right = edge[size_t(i + 2)];
      if (center == left) set(center, i, 1);
      else
        for (int64_t j = left; j <= center; ++j) set(j, i, double(j - left) / double(center - left));
      if (right > center)
        for (int64_t j = center; j < right; ++j) set(j, i, double(right - j) / double(right - center));
    }
    write_values(args.out.at(0), m);
  }
};

bool int_inputs(const node_view& node, std::initializer_list<size_t> inputs, std::string& why) {
  for (size_t i : inputs)
    if (!input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

template <window_kind Kind>
std::unique_ptr<kernel> create_window(const node_view& node) {
  return std::make_unique<window_kernel>(Kind, node.attr_int("periodic", 1) != 0);
}

}  // namespace

void add_window_ops(std::vector<op_entry>& t) {
  const supports_fn window_supports = [](const node_view& node, std::string& why) { return int_inputs(node, {0}, why); };
  t.push_back({"HannWindow", "ref_hann_window", window_supports, create_window<window_kind::hann>});
  t.push_back({"HammingWindow", "ref_hamming_window", window_supports, create_window<window_kind::hamming>});
  t.push_back({"BlackmanWindow", "ref_blackman_window", window_supports, create_window<window_kind::blackman>});
  t.push_back({"MelWeightMatrix", "ref_mel_weight_matrix",
               [](const node_view& node, std::string& why) {
                 return int_inputs(node, {0, 1, 2}, why) &&
                        input_dtype_in(node, 3, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64}, why) &&
                        input_dtype_in(node, 4, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64}, why);
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<mel_weight_matrix_kernel>(); }});
}

}  // namespace mirt::cpu
