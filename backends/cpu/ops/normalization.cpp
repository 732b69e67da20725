// backends/cpu/ops/normalization.cpp — BatchNormalization (inference and training mode), InstanceNormalization,
// LayerNormalization, RMSNormalization, mirt::SkipLayerNormalization. Statistics accumulate in double for float32 inputs.
// Channels, planes or rows (each normalized on its own) split over the pool's threads when large (parallel.hpp).
#include <cmath>

#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

namespace mirt::cpu {
namespace {

// y = scale * (x - mean) / sqrt(var + eps) + B per channel (dim 1), folded into y = a*x + b. In
// training mode mean and var are the batch's (the population variance, over all dims but the
// channel's), and outputs 1 and 2, when asked for, are the running statistics:
// input_mean * momentum + mean * (1 - momentum), and the same for the variance.
class batch_norm_kernel final : public kernel {
 public:
  batch_norm_kernel(float epsilon, bool training, float momentum) : eps_(epsilon), training_(training), momentum_(momentum) {}
  void execute(const exec_args& args) const override {
    const tensor& x = args.in.at(0);
    const tensor& y = args.out.at(0);
    const int64_t n = x.shape.at(0), c = x.rank() > 1 ? x.shape[1] : 1, inner = product(x.shape, 2);
    const float *scale = args.in.at(1).as<const float>(), *bias = args.in.at(2).as<const float>(),
                *mean = args.in.at(3).as<const float>(), *var = args.in.at(4).as<const float>();
    for (const size_t i : {1, 2, 3, 4})
      if (args.in[i].numel() != c)
        fail(MIRT_STATUS_INVALID_SHAPE, "input ", i, " has ", args.in[i].numel(), " values, expected ", c, " (channels)");
    const float* px = x.as<const float>();
    float* py = y.as<float>();
    float* running[2] = {nullptr, nullptr};
    for (size_t o = 1; o < 3 && training_; ++o)
      if (o < args.out.size() && args.out[o].data != nullptr) {
        if (args.out[o].numel() != c) fail(MIRT_STATUS_INVALID_SHAPE, "output ", o, " has ", args.out[o].numel(), " values, expected ", c, " (channels)");
        running[o - 1] = args.out[o].as<float>();
      }
    parallel_for(c, rows_grain(n * inner, k_grain_cheap), [&](int64_t c_begin, int64_t c_end) {
      for (int64_t ch = c_begin; ch < c_end; ++ch) {
        double m = mean[ch], v = var[ch];
        if (training_) {  // the batch's statistics, read before this channel of y (maybe x itself) is written
          double sum = 0, sq = 0;
          for (int64_t b0 = 0; b0 < n; ++b0)
            for (int64_t i = 0; i < inner; ++i) sum += px[(b0 * c + ch) * inner + i];
          const double count = double(n * inner);
          m = count > 0 ? sum / count : 0;
          for (int64_t b0 = 0; b0 < n; ++b0)
            for (int64_t i = 0; i < inner; ++i) sq += (px[(b0 * c + ch) * inner + i] - m) * (px[(b0 * c + ch) * inner + i] - m);
          v = count > 0 ? sq / count : 0;
          if (running[0]) running[0][ch] = float(double(mean[ch]) * momentum_ + m * (1 - double(momentum_)));
          if (running[1]) running[1][ch] = float(double(var[ch]) * momentum_ + v * (1 - double(momentum_)));
        }
        const float a = float(double(scale[ch]) / std::sqrt(v + eps_));
        const float b = float(double(bias[ch]) - m * a);
        for (int64_t b0 = 0; b0 < n; ++b0) {
          const int64_t off = (b0 * c + ch) * inner;
          for (int64_t i = 0; i < inner; ++i) py[off + i] = a * px[off + i] + b;
        }
      }
    });
  }

 private:
  float eps_;
  bool training_;
  float momentum_;
};

// Mean and 1/sqrt(var + eps) of `count` values.
template <class T>
std::pair<double, double> moments(const T* x, int64_t count, double eps) {
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < count; ++i) sum += x[i];
  const double mean = count > 0 ? sum / double(count) : 0;
  for (int64_t i = 0; i < count; ++i) sq += (x[i] - mean) * (x[i] - mean);
  const double var = count > 0 ? sq / double(count) : 0;
  return {mean, 1.0 / std::sqrt(var + eps)};
}

class instance_norm_kernel final : public kernel {
 public:
  explicit instance_norm_kernel(float epsilon) : eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t n = x.shape.at(0), c = x.shape.at(1), inner = product(x.shape, 2);
    const float *scale = args.in.at(1).as<const float>(), *bias = args.in.at(2).as<const float>();
    parallel_for(n * c, rows_grain(inner, k_grain_cheap), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const float* src = x.as<const float>() + p * inner;
        float* dst = y.as<float>() + p * inner;
        const auto [mean, inv] = moments(src, inner, eps_);
        const double a = scale[p % c] * inv, b = bias[p % c] - mean * a;
        for (int64_t i = 0; i < inner; ++i) dst[i] = float(a * src[i] + b);
      }
    });
  }

 private:
  float eps_;
};

// LayerNormalization over dims [axis, rank); Scale and B broadcast onto X's trailing dims.
// Optional outputs 1 (Mean) and 2 (InvStdDev) are written when requested.
class layer_norm_kernel final : public kernel {
 public:
  layer_norm_kernel(int64_t axis, float epsilon) : axis_(axis), eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), inner = product(x.shape, axis);
    const tensor& scale = args.input(1);
    const tensor& bias = args.input(2);
    // Scale and B index the normalized block only: their strides over X's trailing dims.
    const dims block(x.shape.begin() + long(axis), x.shape.end());
    const dims s_strides = scale.present() ? broadcast_strides(scale.shape, block) : dims();
    const dims b_strides = bias.present() ? broadcast_strides(bias.shape, block) : dims();
    const tensor* mean_out = args.out.size() > 1 && args.out[1].data ? &args.out[1] : nullptr;
    const tensor* inv_out = args.out.size() > 2 && args.out[2].data ? &args.out[2] : nullptr;
    // Common case: Scale and B absent or as large as the block (dense over it): the vector loop.
    // Rows take a sum and a sum of squares in double, then a scaled pass: about 1 ns per element on
    // one core, costly enough to split by k_grain_costly (a BERT-base row block of 128 x 768 on 16
    // threads, not 3).
    const int64_t grain = rows_grain(inner, k_grain_costly);
    if ((!scale.present() || scale.numel() == inner) && (!bias.present() || bias.numel() == inner)) {
      parallel_for(outer, grain, [&](int64_t begin, int64_t end) {
        layer_norm_rows(x.as<const float>() + begin * inner, y.as<float>() + begin * inner, end - begin, inner,
                        scale.present() ? scale.as<const float>() : nullptr, bias.present() ? bias.as<const float>() : nullptr,
                        eps_, mean_out ? mean_out->as<float>() + begin : nullptr, inv_out ? inv_out->as<float>() + begin : nullptr);
      });
      return;
    }
    std::vector<int64_t> s_off(static_cast<size_t>(inner)), b_off(static_cast<size_t>(inner));
    for (int64_t i = 0; i < inner; ++i) {
      int64_t rem = i, so = 0, bo = 0;
      for (size_t d = block.size(); d-- > 0;) {
        const int64_t idx = rem % block[d];
        rem /= block[d];
        if (!s_strides.empty()) so += idx * s_strides[d];
        if (!b_strides.empty()) bo += idx * b_strides[d];
      }
      s_off[size_t(i)] = so;
      b_off[size_t(i)] = bo;
    }
    parallel_for(outer, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const float* src = x.as<const float>() + o * inner;
        float* dst = y.as<float>() + o * inner;
        const auto [mean, inv] = moments(src, inner, eps_);
        for (int64_t i = 0; i < inner; ++i) {
          double v = (src[i] - mean) * inv;
          if (scale.present()) v *= scale.as<const float>()[s_off[size_t(i)]];
          if (bias.present()) v += bias.as<const float>()[b_off[size_t(i)]];
          dst[i] = float(v);
        }
        if (mean_out) mean_out->as<float>()[o] = float(mean);
        if (inv_out) inv_out->as<float>()[o] = float(inv);
      }
    });
  }

 private:
  int64_t axis_;
  float eps_;
};

// RMSNormalization over dims [axis, rank): y = x / sqrt(mean(x^2) + eps) * scale, Scale
// broadcast onto the normalized block. Any float dtype; the statistic accumulates in double.
class rms_norm_kernel final : public kernel {
 public:
  rms_norm_kernel(int64_t axis, float epsilon) : axis_(axis), eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &scale = args.in.at(1), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), inner = product(x.shape, axis);
    const dims block(x.shape.begin() + long(axis), x.shape.end());
    // The scale's element for each position of the block (dense when it has the block's size).
    std::vector<int64_t> s_off(static_cast<size_t>(inner));
    const dims s_strides = broadcast_strides(scale.shape, block);
    for (int64_t i = 0; i < inner; ++i) {
      int64_t rem = i, off = 0;
      for (size_t d = block.size(); d-- > 0;) off += (rem % block[d]) * s_strides[d], rem /= block[d];
      s_off[size_t(i)] = off;
    }
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T *px = x.as<const T>(), *ps = scale.as<const T>();
      T* py = y.as<T>();
      parallel_for(outer, rows_grain(inner, k_grain_costly), [&](int64_t begin, int64_t end) {
        for (int64_t o = begin; o < end; ++o) {
          const T* src = px + o * inner;
          double sq = 0;
          for (int64_t i = 0; i < inner; ++i) sq += double(load(src[i])) * double(load(src[i]));
          const C inv = C(1.0 / std::sqrt(sq / double(inner) + double(eps_)));
          for (int64_t i = 0; i < inner; ++i) py[o * inner + i] = store<T>(load(src[i]) * inv * load(ps[s_off[size_t(i)]]));
        }
      });
    });
  }

 private:
  int64_t axis_;
  float eps_;
};

// mirt::SkipLayerNormalization: LayerNormalization(X + Skip) over dims [axis, rank), Scale and B
// dense over the normalized block (as the fusion pass makes it from BERT-style residual blocks).
class skip_layer_norm_kernel final : public kernel {
 public:
  skip_layer_norm_kernel(int64_t axis, float epsilon) : axis_(axis), eps_(epsilon) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &skip = args.in.at(1), &y = args.out.at(0);
    if (skip.shape != x.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "Skip ", dims_string(skip.shape), " differs from X ", dims_string(x.shape));
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), inner = product(x.shape, axis);
    const tensor &scale = args.input(2), &bias = args.input(3);
    if ((scale.present() && scale.numel() != inner) || (bias.present() && bias.numel() != inner))
      fail(MIRT_STATUS_UNSUPPORTED, "Scale and B must hold one value per normalized element (", inner, ")");
    const float *a = x.as<const float>(), *b = skip.as<const float>();
    float* out = y.as<float>();
    parallel_for(outer, rows_grain(inner, k_grain_costly), [&](int64_t begin, int64_t end) {  // as LayerNormalization
      for (int64_t i = begin * inner; i < end * inner; ++i) out[i] = a[i] + b[i];
      layer_norm_rows(out + begin * inner, out + begin * inner, end - begin, inner,
                      scale.present() ? scale.as<const float>() : nullptr, bias.present() ? bias.as<const float>() : nullptr,
                      eps_, nullptr, nullptr);
    });
  }

 private:
  int64_t axis_;
  float eps_;
};

bool float_inputs(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32}, why)) return false;
  return true;
}

bool batch_norm_supports(const node_view& node, std::string& why) { return float_inputs(node, why); }

// float32 in and out, one output (no output_dtype other than float32, no second copy of Y).
bool skip_layer_norm_supports(const node_view& node, std::string& why) {
  if (!float_inputs(node, why)) return false;
  if (node.num_outputs() == 1 && node.output_dtype(0) == MIRT_DTYPE_FLOAT32) return true;
  why = "the cpu SkipLayerNormalization writes one float32 output";
  return false;
}

}  // namespace

void add_normalization_ops(std::vector<op_entry>& t) {
  t.push_back({"BatchNormalization", "ref_batch_norm", batch_norm_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<batch_norm_kernel>(node.attr_float("epsilon", 1e-5f), node.attr_int("training_mode", 0) != 0,
                                                            node.attr_float("momentum", 0.9f));
               }});
  t.push_back({"InstanceNormalization", "ref_instance_norm", float_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<instance_norm_kernel>(node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"RMSNormalization", "ref_rms_norm",
               [](const node_view& node, std::string& why) {
                 return float_input_at(node, 0, why) && input_dtype_in(node, 1, {node.input_dtype(0)}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<rms_norm_kernel>(node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"LayerNormalization", "ref_layer_norm", float_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<layer_norm_kernel>(node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
               }});
  t.push_back({"SkipLayerNormalization", "cpu_skip_layer_norm", skip_layer_norm_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<skip_layer_norm_kernel>(node.attr_int("axis", -1), node.attr_float("epsilon", 1e-5f));
               }});
}

}  // namespace mirt::cpu
