// backends/cpu/ops/random.cpp — RandomUniform, RandomNormal, their *Like forms, Bernoulli and
// Multinomial. Each
// kernel owns one generator (std::mt19937_64), seeded from the 'seed' attribute when given (the same
// seed gives the same sequence of runs) or from std::random_device; every run draws the next values.
// The generator is shared by the contexts running the kernel, so draws are serialized by a mutex.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/support/multinomial.hpp"

namespace mirt::cpu {
namespace {

enum class distribution { uniform, normal, bernoulli };

class random_kernel final : public kernel {
 public:
  random_kernel(distribution kind, double a, double b, std::optional<float> seed)
      : kind_(kind), a_(a), b_(b), generator_(seed ? uint64_t(int64_t(*seed)) : std::random_device{}()) {}

  void execute(const exec_args& args) const override {
    const tensor& y = args.out.at(0);
    const int64_t n = y.numel();
    std::lock_guard lock(mutex_);
    if (kind_ == distribution::bernoulli) {
      const tensor& p = args.in.at(0);
      dispatch_float(p.dtype, [&](auto in_tag) {
        using P = typename decltype(in_tag)::type;
        dispatch_any(y.dtype, [&](auto out_tag) {
          using T = typename decltype(out_tag)::type;
          std::uniform_real_distribution<double> draw(0.0, 1.0);
          const P* probability = p.as<const P>();
          T* out = y.as<T>();
          for (int64_t i = 0; i < n; ++i) out[i] = convert<T>(draw(generator_) < double(load(probability[i])) ? 1.0 : 0.0);
        });
      });
      return;
    }
    dispatch_float(y.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y.as<T>();
      if (kind_ == distribution::uniform) {
        std::uniform_real_distribution<double> draw(a_, b_);
        for (int64_t i = 0; i < n; ++i) out[i] = store<T>(compute_type<T>(draw(generator_)));
      } else {
        std::normal_distribution<double> draw(a_, b_);
        for (int64_t i = 0; i < n; ++i) out[i] = store<T>(compute_type<T>(draw(generator_)));
      }
    });
  }

 private:
  distribution kind_;
  double a_, b_;  // low and high, or mean and scale
  mutable std::mutex mutex_;
  mutable std::mt19937_64 generator_;
};

// Multinomial: per row of [batch, classes] log-probabilities, sample_size class indices drawn from
// softmax(row): the row's weights exp(x - max) summed in double, a uniform draw in [0, total) found
// in the running sums. A row with NaN or no finite value has no distribution and fails.
class multinomial_kernel final : public kernel {
 public:
  explicit multinomial_kernel(std::optional<float> seed) : generator_(seed ? uint64_t(int64_t(*seed)) : std::random_device{}()) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const int64_t batch = x.shape.at(0), classes = x.shape.at(1), samples = y.shape.at(1);
    if (batch > 0 && classes < 1) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has 0 classes: there is nothing to draw");
    std::vector<double> running(size_t(std::max<int64_t>(classes, 0)));
    std::lock_guard lock(mutex_);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      for (int64_t b = 0; b < batch; ++b) {
        row_sums(px + b * classes, classes, b, running);
        std::uniform_real_distribution<double> draw(0.0, running.back());
        for (int64_t s = 0; s < samples; ++s) {
          // upper_bound skips classes of weight 0; the clamp guards a draw rounded up to the total.
          const auto at = std::upper_bound(running.begin(), running.end(), draw(generator_)) - running.begin();
          const int64_t index = std::min<int64_t>(at, classes - 1), o = b * samples + s;
          if (y.dtype == MIRT_DTYPE_INT64) y.as<int64_t>()[o] = index;
          else y.as<int32_t>()[o] = int32_t(index);
        }
      }
    });
  }

 private:
  // Running sums of the row's softmax weights (unnormalized); +inf entries share all the mass.
  template <class T>
  static void row_sums(const T* row, int64_t classes, int64_t b, std::vector<double>& running) {
    double top = -INFINITY;
    for (int64_t c = 0; c < classes; ++c) {
      const double v = double(load(row[c]));
      if (std::isnan(v)) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 0 row ", b, " class ", c, " is NaN");
      top = std::max(top, v);
    }
    if (top == -INFINITY) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 0 row ", b, " is -inf everywhere: no class can be drawn");
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const double v = double(load(row[c]));
      total += top == INFINITY ? (v == INFINITY ? 1.0 : 0.0) : std::exp(v - top);
      running[size_t(c)] = total;
    }
  }

  mutable std::mutex mutex_;
  mutable std::mt19937_64 generator_;
};

std::optional<float> seed_of(const node_view& node) {
  return node.has_attr("seed") ? std::optional<float>(node.attr_float("seed", 0)) : std::nullopt;
}

std::unique_ptr<kernel> make_uniform(const node_view& node) {
  const double low = node.attr_float("low", 0), high = node.attr_float("high", 1);
  if (!(low < high)) fail(MIRT_STATUS_INVALID_GRAPH, "attributes low (", low, ") and high (", high, ") need low < high");
  return std::make_unique<random_kernel>(distribution::uniform, low, high, seed_of(node));
}

std::unique_ptr<kernel> make_normal(const node_view& node) {
  const double mean = node.attr_float("mean", 0), scale = node.attr_float("scale", 1);
  if (!(scale > 0)) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'scale' is ", scale, ", expected > 0");
  return std::make_unique<random_kernel>(distribution::normal, mean, scale, seed_of(node));
}

bool float_output(const node_view& node, std::string& why) {
  const mirt_dtype d = node.output_dtype(0);
  if (d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT64 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16) return true;
  why = cat("output 0 is ", dtype_name(d), ", expected a float type");
  return false;
}

bool bernoulli_supports(const node_view& node, std::string& why) { return float_input_at(node, 0, why); }

bool multinomial_supports(const node_view& node, std::string& why) {
  if (!float_input_at(node, 0, why)) return false;
  return support::multinomial_output_supported(node, why);
}

std::unique_ptr<kernel> make_multinomial(const node_view& node) {
  support::check_multinomial(node);
  return std::make_unique<multinomial_kernel>(seed_of(node));
}

}  // namespace

void add_random_ops(std::vector<op_entry>& t) {
  t.push_back({"RandomUniform", "ref_random", float_output, make_uniform});
  t.push_back({"RandomUniformLike", "ref_random", float_output, make_uniform});
  t.push_back({"RandomNormal", "ref_random", float_output, make_normal});
  t.push_back({"RandomNormalLike", "ref_random", float_output, make_normal});
  t.push_back({"Bernoulli", "ref_random", bernoulli_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<random_kernel>(distribution::bernoulli, 0, 0, seed_of(node));
               }});
  t.push_back({"Multinomial", "ref_random", multinomial_supports, make_multinomial});
}

}  // namespace mirt::cpu
