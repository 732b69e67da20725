// backends/cpu/ops/random.cpp — RandomUniform, RandomNormal, their *Like forms and Bernoulli. Each
// kernel owns one generator (std::mt19937_64), seeded from the 'seed' attribute when given (the same
// seed gives the same sequence of runs) or from std::random_device; every run draws the next values.
// The generator is shared by the contexts running the kernel, so draws are serialized by a mutex.
#include <mutex>
#include <random>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

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

}  // namespace

void add_random_ops(std::vector<op_entry>& t) {
  t.push_back({"RandomUniform", "ref_random", float_output, make_uniform});
  t.push_back({"RandomUniformLike", "ref_random", float_output, make_uniform});
  t.push_back({"RandomNormal", "ref_random", float_output, make_normal});
  t.push_back({"RandomNormalLike", "ref_random", float_output, make_normal});
  t.push_back({"Bernoulli", "ref_random", bernoulli_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<random_kernel>(distribution::bernoulli, 0, 0, seed_of(node));
               }});
}

}  // namespace mirt::cpu
