// backends/cpu/ops/dft.cpp — DFT (forward, inverse, onesided real-to-complex, onesided inverse
// complex-to-real; dft_length pads or truncates) and STFT (framed, windowed onesided or full DFTs).
// float32, float16 and bfloat16 signals go through KISS FFT (mixed radix, O(N log N) for lengths
// with small factors); float64 keeps direct sums in double with an exact twiddle table, as accurate
// as a float64 reference (KISS FFT as packaged computes in float).
//
// Each kernel keeps its KISS FFT plans per (length, direction) across runs: planning costs about as
// much as a short transform. kiss_fft only reads a plan (its scratch is per call), so the contexts
// that run one engine concurrently share them; the cache itself is behind a mutex.
#include <kissfft/kiss_fft.h>

#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <utility>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

using cplx = std::complex<double>;

// e^{-2 pi i m / n} for m in [0, n) (conjugated for the inverse).
std::vector<cplx> twiddles(int64_t n, bool inverse) {
  std::vector<cplx> t(static_cast<size_t>(n));
  for (int64_t m = 0; m < n; ++m) {
    const double angle = 2 * std::numbers::pi * double(m) / double(n);
    t[size_t(m)] = cplx(std::cos(angle), inverse ? std::sin(angle) : -std::sin(angle));
  }
  return t;
}

// out[k] = sum_{j < min(in.size(), n)} in[j] tw[(j k) mod n], for k in [0, out.size()).
void dft_sum(const std::vector<cplx>& in, const std::vector<cplx>& tw, std::vector<cplx>& out) {
  const int64_t n = int64_t(tw.size()), used = std::min<int64_t>(int64_t(in.size()), n);
  for (size_t k = 0; k < out.size(); ++k) {
    cplx s = 0;
    for (int64_t j = 0; j < used; ++j) s += in[size_t(j)] * tw[size_t((j * int64_t(k)) % n)];
    out[k] = s;
  }
}

// A KISS FFT plan of one length and direction; read-only once made.
class fft_plan {
 public:
  fft_plan(int64_t n, bool inverse) : cfg_(kiss_fft_alloc(int(n), inverse ? 1 : 0, nullptr, nullptr)) {
    if (!cfg_) fail(MIRT_STATUS_OUT_OF_MEMORY, "cannot plan an FFT of length ", n);
  }
  ~fft_plan() { kiss_fft_free(cfg_); }
  fft_plan(const fft_plan&) = delete;
  fft_plan& operator=(const fft_plan&) = delete;
  // out = FFT(in), both of the plan's length and distinct buffers (kiss_fft then writes only out).
  void run(const kiss_fft_cpx* in, kiss_fft_cpx* out) const { kiss_fft(cfg_, in, out); }

 private:
  kiss_fft_cfg cfg_;
};

// A kernel's plans by (length, inverse), shared by the threads that run it. Lengths come from the
// run's shapes (dft_length may be an input), so the cache is bounded: past k_max_plans distinct
// plans it starts over (plans still in use live on through their shared_ptr).
class fft_plan_cache {
 public:
  std::shared_ptr<const fft_plan> get(int64_t n, bool inverse) {
    const std::pair<int64_t, bool> key{n, inverse};
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = plans_.find(key); it != plans_.end()) return it->second;
    if (plans_.size() >= k_max_plans) plans_.clear();
    auto plan = std::make_shared<const fft_plan>(n, inverse);
    plans_.emplace(key, plan);
    return plan;
  }

 private:
  static constexpr size_t k_max_plans = 16;
  std::mutex mutex_;
  std::map<std::pair<int64_t, bool>, std::shared_ptr<const fft_plan>> plans_;
};

// One length-n transform of lines: a cached KISS FFT plan (fast) or the twiddle table of the direct
// sum. Owns its line buffers: one per run and thread.
class line_transform {
 public:
  line_transform(int64_t n, bool inverse, bool fast, fft_plan_cache& cache) : n_(n) {
    if (fast) {
      plan_ = cache.get(n, inverse);
      in_.resize(size_t(n));
      out_.resize(size_t(n));
    } else {
      twiddles_ = twiddles(n, inverse);
    }
  }

  // out[k] = sum_{j < min(in.size(), n)} in[j] e^{-+2 pi i j k / n}, for k in [0, out.size()).
  void operator()(const std::vector<cplx>& in, std::vector<cplx>& out) {
    if (!plan_) return dft_sum(in, twiddles_, out);
    for (int64_t j = 0; j < n_; ++j) {
      const cplx v = j < int64_t(in.size()) ? in[size_t(j)] : cplx(0);
      in_[size_t(j)] = kiss_fft_cpx{float(v.real()), float(v.imag())};
    }
    plan_->run(in_.data(), out_.data());
    for (size_t k = 0; k < out.size(); ++k) out[k] = cplx(out_[k].r, out_[k].i);
  }

 private:
  int64_t n_;
  std::shared_ptr<const fft_plan> plan_;
  std::vector<kiss_fft_cpx> in_, out_;
  std::vector<cplx> twiddles_;
};

int64_t scalar_input(const tensor& t, const char* what) {
  const std::vector<int64_t> v = read_int_tensor(t, what);
  if (v.size() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has ", v.size(), " values, expected one");
  return v[0];
}

class dft_kernel final : public kernel {
 public:
  dft_kernel(bool inverse, bool onesided) : inverse_(inverse), onesided_(onesided) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t rank = int64_t(x.rank());
    int64_t axis = args.input(2).present() ? scalar_input(args.input(2), "axis") : -2;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank - 2)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "axis ", axis, " is out of range for input 0 of shape ", dims_string(x.shape));
    const int64_t in_len = x.shape[size_t(axis)], parts = x.shape.back();
    const bool to_real = inverse_ && onesided_;
    int64_t n = to_real ? 2 * (in_len - 1) : in_len;
    if (args.input(1).present()) n = scalar_input(args.input(1), "dft_length");
    if (n < 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "the DFT length is ", n, ", expected at least 1");
    const int64_t out_len = onesided_ && !inverse_ ? n / 2 + 1 : n;
    dims want = x.shape;
    want[size_t(axis)] = out_len;
    want.back() = to_real ? 1 : 2;
    if (y.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    const int64_t outer = product(x.shape, 0, size_t(axis)), inner = product(x.shape, size_t(axis) + 1, x.rank() - 1);
    const double scale = inverse_ ? 1.0 / double(n) : 1.0;
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      line_transform transform(n, inverse_, !std::is_same_v<T, double>, plans_);
      const T* px = x.as<const T>();
      T* py = y.as<T>();
      // to_real rebuilds the full spectrum from the onesided half by conjugate symmetry.
      std::vector<cplx> line(static_cast<size_t>(to_real ? n : in_len)), out(static_cast<size_t>(out_len));
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const auto at = [&](int64_t j) { return size_t(((o * in_len + j) * inner + i) * parts); };
          const auto sample = [&](int64_t j) {
            return cplx(double(load(px[at(j)])), parts == 2 ? double(load(px[at(j) + 1])) : 0.0);
          };
          if (to_real) {
            for (int64_t k = 0; k < n; ++k) {
              const int64_t half = k <= n / 2 ? k : n - k;
              const cplx v = half < in_len ? sample(half) : cplx(0);
              line[size_t(k)] = k <= n / 2 ? v : std::conj(v);
            }
          } else {
            for (int64_t j = 0; j < in_len; ++j) line[size_t(j)] = sample(j);
          }
          transform(line, out);
          for (int64_t k = 0; k < out_len; ++k) {
            const size_t dst = size_t(((o * out_len + k) * inner + i) * (to_real ? 1 : 2));
            py[dst] = store<T>(compute_type<T>(out[size_t(k)].real() * scale));
            if (!to_real) py[dst + 1] = store<T>(compute_type<T>(out[size_t(k)].imag() * scale));
          }
        }
    });
  }

 private:
  bool inverse_, onesided_;
  mutable fft_plan_cache plans_;
};

class stft_kernel final : public kernel {
 public:
  explicit stft_kernel(bool onesided) : onesided_(onesided) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &window = args.input(2), &y = args.out.at(0);
    const int64_t batch = x.shape[0], length = x.shape[1], parts = x.shape[2];
    const int64_t step = scalar_input(args.in.at(1), "frame_step");
    int64_t frame = window.present() ? window.shape[0] : -1;
    if (args.input(3).present()) {
      const int64_t given = scalar_input(args.input(3), "frame_length");
      if (frame >= 0 && given != frame)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "frame_length is ", given, ", the window has ", frame, " entries");
      frame = given;
    }
    if (step < 1 || frame < 1 || frame > length)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "frame_step ", step, " and frame length ", frame,
           " do not fit a signal of length ", length);
    const int64_t frames = (length - frame) / step + 1, bins = onesided_ ? frame / 2 + 1 : frame;
    const dims want{batch, frames, bins, 2};
    if (y.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      line_transform transform(frame, false, !std::is_same_v<T, double>, plans_);
      const T *px = x.as<const T>(), *pw = window.present() ? window.as<const T>() : nullptr;
      T* py = y.as<T>();
      std::vector<cplx> line(static_cast<size_t>(frame)), out(static_cast<size_t>(bins));
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t f = 0; f < frames; ++f) {
          for (int64_t j = 0; j < frame; ++j) {
            const size_t at = size_t((b * length + f * step + j) * parts);
            const double w = pw ? double(load(pw[j])) : 1.0;
            line[size_t(j)] = w * cplx(double(load(px[at])), parts == 2 ? double(load(px[at + 1])) : 0.0);
          }
          transform(line, out);
          T* dst = py + ((b * frames + f) * bins) * 2;
          for (int64_t k = 0; k < bins; ++k) {
            dst[2 * k] = store<T>(compute_type<T>(out[size_t(k)].real()));
            dst[2 * k + 1] = store<T>(compute_type<T>(out[size_t(k)].imag()));
          }
        }
    });
  }

 private:
  bool onesided_;
  mutable fft_plan_cache plans_;
};

bool signal_supports(const node_view& node, std::string& why, std::initializer_list<size_t> int_inputs) {
  if (!float_input_at(node, 0, why)) return false;
  for (size_t i : int_inputs)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

}  // namespace

void add_dft_ops(std::vector<op_entry>& t) {
  t.push_back({"DFT", "ref_dft", [](const node_view& node, std::string& why) { return signal_supports(node, why, {1, 2}); },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<dft_kernel>(node.attr_int("inverse", 0) != 0, node.attr_int("onesided", 0) != 0);
               }});
  t.push_back({"STFT", "ref_stft",
               [](const node_view& node, std::string& why) {
                 if (node.has_input(2) && node.input_dtype(2) != node.input_dtype(0)) {
                   why = cat("the window is ", dtype_name(node.input_dtype(2)), ", the signal ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return signal_supports(node, why, {1, 3});
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<stft_kernel>(node.attr_int("onesided", 1) != 0);
               }});
}

}  // namespace mirt::cpu
