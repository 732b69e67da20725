// backends/cuda/ops/random.cpp — RandomUniform, RandomNormal, their *Like forms, Bernoulli and
// Multinomial. Each kernel keeps its seed (the 'seed' attribute, else one from std::random_device)
// and counts its runs: run r draws Philox blocks (seed, r, element pair), so the same seed repeats
// the same sequence of runs, and every run draws anew. Contexts running the kernel concurrently
// each take their own run number (an atomic), so no draw is shared; under CUDA graph capture the
// kernels refuse to run. The draws differ from the cpu backend's (another generator) but follow
// the same distributions; the tests check moments, not values.
#include <atomic>
#include <optional>
#include <random>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/random.hpp"
#include "backends/support/multinomial.hpp"

namespace mirt::cuda {
namespace {

// Each run draws anew (its run number is counted on the host), which a captured CUDA graph would
// replay unchanged: refused under capture (mirt_context_set_graph_replay then runs plainly).
void require_not_captured(cudaStream_t stream) {
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  cuda_check(cudaStreamIsCapturing(stream, &capture), "querying the stream's capture status");
  if (capture != cudaStreamCaptureStatusNone)
    fail(MIRT_STATUS_UNSUPPORTED, "a random layer draws new numbers every run, which a CUDA graph would replay unchanged: "
                                  "run it without graph capture");
}

class random_kernel final : public kernel {
 public:
  random_kernel(random_kind kind, double a, double b, std::optional<float> seed)
      : kind_(kind), a_(a), b_(b), seed_(seed ? uint64_t(int64_t(*seed)) : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}()) {}

  void execute(const exec_args& args) const override {
    const dtensor& y = args.out.at(0);
    random_params p;
    p.kind = kind_;
    p.dtype = y.dtype;
    p.y = y.data;
    p.n = y.numel();
    p.a = a_, p.b = b_;
    if (kind_ == random_kind::bernoulli) {
      const dtensor& probability = args.in.at(0);
      p.probability = probability.data;
      p.probability_dtype = probability.dtype;
    }
    require_not_captured(args.stream);
    p.seed = seed_;
    p.run = runs_.fetch_add(1);
    throw_if_failed(launch_random(p, args.stream));
  }

 private:
  random_kind kind_;
  double a_, b_;  // low and high, or mean and scale
  uint64_t seed_;
  mutable std::atomic<uint64_t> runs_{0};
};

// Multinomial: class indices drawn from softmax of each row, one Philox draw per sample.
class multinomial_kernel final : public kernel {
 public:
  explicit multinomial_kernel(std::optional<float> seed)
      : seed_(seed ? uint64_t(int64_t(*seed)) : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}()) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() != 2 || y.rank() != 2 || y.shape[0] != x.shape[0])
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " and output ", dims_string(y.shape),
           " are not [batch, classes] and [batch, sample_size]");
    multinomial_params p;
    p.x = x.data, p.x_dtype = x.dtype;
    p.y = y.data, p.y_dtype = y.dtype;
    p.batch = x.shape[0], p.classes = x.shape[1], p.samples = y.shape[1];
    require_not_captured(args.stream);
    p.seed = seed_;
    p.run = runs_.fetch_add(1);
    throw_if_failed(launch_multinomial(p, args.stream));
  }

 private:
  uint64_t seed_;
  mutable std::atomic<uint64_t> runs_{0};
};

std::optional<float> seed_of(const node_view& node) {
  return node.has_attr("seed") ? std::optional<float>(node.attr_float("seed", 0)) : std::nullopt;
}

bool is_float(mirt_dtype d) {
  return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT64 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16;
}

bool float_output(const node_view& node, std::string& why) {
  if (is_float(node.output_dtype(0))) return true;
  why = cat("output 0 is ", dtype_name(node.output_dtype(0)), ", expected a float type");
  return false;
}

bool bernoulli_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  switch (node.output_dtype(0)) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_FLOAT64: case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: case MIRT_DTYPE_BOOL:
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_INT32: case MIRT_DTYPE_INT64: return true;
    default: why = cat("output 0 is ", dtype_name(node.output_dtype(0))); return false;
  }
}

bool multinomial_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why)) return false;
  return support::multinomial_output_supported(node, why);
}

std::unique_ptr<kernel> make_multinomial(const node_view& node) {
  support::check_multinomial(node);
  return std::make_unique<multinomial_kernel>(seed_of(node));
}

std::unique_ptr<kernel> make_uniform(const node_view& node) {
  const double low = node.attr_float("low", 0), high = node.attr_float("high", 1);
  if (!(low < high)) fail(MIRT_STATUS_INVALID_GRAPH, "attributes low (", low, ") and high (", high, ") need low < high");
  return std::make_unique<random_kernel>(random_kind::uniform, low, high, seed_of(node));
}

std::unique_ptr<kernel> make_normal(const node_view& node) {
  const double mean = node.attr_float("mean", 0), scale = node.attr_float("scale", 1);
  if (!(scale > 0)) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'scale' is ", scale, ", expected > 0");
  return std::make_unique<random_kernel>(random_kind::normal, mean, scale, seed_of(node));
}

}  // namespace

void add_random_ops(std::vector<op_entry>& t) {
  t.push_back({"RandomUniform", "cuda_philox", float_output, make_uniform});
  t.push_back({"RandomUniformLike", "cuda_philox", float_output, make_uniform});
  t.push_back({"RandomNormal", "cuda_philox", float_output, make_normal});
  t.push_back({"RandomNormalLike", "cuda_philox", float_output, make_normal});
  t.push_back({"Bernoulli", "cuda_philox", bernoulli_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<random_kernel>(random_kind::bernoulli, 0, 0, seed_of(node));
               }});
  t.push_back({"Multinomial", "cuda_philox", multinomial_supports, make_multinomial});
}

}  // namespace mirt::cuda
