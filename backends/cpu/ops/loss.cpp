// backends/cpu/ops/loss.cpp — NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opset 13).
//
// Inputs are seen as [N, C, D] (D the product of the dims after C) and targets as [N, D]. A
// target equal to ignore_index contributes 0 with weight 0; "mean" divides the weighted sum by
// the sum of the weights taken, as ONNX defines it. Sums accumulate in double.
#include <cmath>
#include <memory>
#include <optional>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class reduction { none, sum, mean };

reduction parse_reduction(const node_view& node) {
  const std::string r = node.attr_string("reduction", "mean");
  if (r == "none") return reduction::none;
  if (r == "sum") return reduction::sum;
  if (r == "mean") return reduction::mean;
  fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", r, "', expected 'none', 'sum' or 'mean'");
}

class loss_kernel final : public kernel {
 public:
  loss_kernel(reduction r, std::optional<int64_t> ignore_index, bool softmax)
      : reduction_(r), ignore_(ignore_index), softmax_(softmax) {}

  // Log-softmax keeps a [N, C, D] buffer of doubles; the workspace carries no alignment promise,
  // so it asks for room to align the buffer itself.
  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>&) const override {
    return softmax_ ? size_t(product(in.at(0))) * sizeof(double) + alignof(double) : 0;
  }

  void execute(const exec_args& args) const override {
    dispatch_float(args.in.at(0).dtype, [&](auto tag) { run<typename decltype(tag)::type>(args); });
  }

 private:
  template <class T>
  void run(const exec_args& args) const {
    using C = compute_type<T>;
    const tensor &x = args.in.at(0), &target = args.in.at(1), &weight = args.input(2);
    const int64_t n = x.shape[0], classes = x.shape[1], d = product(x.shape, 2);
    const std::vector<int64_t> labels = read_int_tensor(target, "input 1 (target)");
    if (int64_t(labels.size()) != n * d)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 1 (target) has ", labels.size(), " values, expected ", n * d);
    if (weight.present() && weight.numel() != classes)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 2 (weight) has ", weight.numel(), " values, expected ", classes);

    // Log-probabilities: the input itself (NLL) or its log-softmax along C (SCE).
    const T* px = x.as<const T>();
    std::vector<double> owned;
    const double* logp = nullptr;
    if (softmax_) {
      const bool to_output = args.out.size() > 1 && args.out[1].data;
      const size_t bytes = size_t(n * classes * d) * sizeof(double);
      void* ws = args.workspace;
      size_t ws_size = args.workspace_size;
      double* lp = ws ? static_cast<double*>(std::align(alignof(double), bytes, ws, ws_size)) : nullptr;
      if (!lp) lp = (owned.resize(size_t(n * classes * d)), owned.data());
      log_softmax(px, lp, n, classes, d);
      if (to_output) {
        T* out = args.out[1].as<T>();
        for (int64_t i = 0; i < n * classes * d; ++i) out[i] = store<T>(C(lp[i]));
      }
      logp = lp;
    }

    T* y = args.out.at(0).as<T>();
    double total = 0, weight_sum = 0;
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < d; ++i) {
        const int64_t t = labels[size_t(b * d + i)];
        double loss = 0, w = 0;
        if (!ignore_ || t != *ignore_) {
          if (t < 0 || t >= classes)
            fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (target) holds ", t, " at index ", b * d + i,
                 ", outside [0, ", classes, ") and not ignore_index");
          w = weight.present() ? double(load(weight.as<const T>()[t])) : 1.0;
          const int64_t at = (b * classes + t) * d + i;
          loss = -w * (logp ? logp[at] : double(load(px[at])));
        }
        if (reduction_ == reduction::none) y[b * d + i] = store<T>(C(loss));
        total += loss;
        weight_sum += w;
      }
    if (reduction_ == reduction::sum) y[0] = store<T>(C(total));
    // 0/0 (every target ignored) gives NaN, as the ONNX reference does.
    if (reduction_ == reduction::mean) y[0] = store<T>(C(total / weight_sum));
  }

  // log-softmax along C of x seen as [n, classes, d], in double.
  template <class T>
  static void log_softmax(const T* x, double* out, int64_t n, int64_t classes, int64_t d) {
    std::vector<double> mx(static_cast<size_t>(d)), sum(static_cast<size_t>(d));
    for (int64_t b = 0; b < n; ++b) {
      const T* xb = x + b * classes * d;
      double* ob = out + b * classes * d;
      std::fill(mx.begin(), mx.end(), -INFINITY);
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t c = 0; c < classes; ++c)
        for (int64_t i = 0; i < d; ++i) mx[size_t(i)] = std::max(mx[size_t(i)], double(load(xb[c * d + i])));
      for (int64_t c = 0; c < classes; ++c)
        for (int64_t i = 0; i < d; ++i) {
          ob[c * d + i] = double(load(xb[c * d + i])) - mx[size_t(i)];
          sum[size_t(i)] += std::exp(ob[c * d + i]);
        }
      for (int64_t i = 0; i < d; ++i) sum[size_t(i)] = std::log(sum[size_t(i)]);
      for (int64_t c = 0; c < classes; ++c)
        for (int64_t i = 0; i < d; ++i) ob[c * d + i] -= sum[size_t(i)];
    }
  }

  reduction reduction_;
  std::optional<int64_t> ignore_;
  bool softmax_;
};

bool loss_supports(const node_view& node, std::string& why) {
  if (!float_input_at(node, 0, why)) return false;
  if (!input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return !node.has_input(2) || input_dtype_in(node, 2, {node.input_dtype(0)}, why);
}

std::unique_ptr<kernel> make_loss(const node_view& node, bool softmax) {
  std::optional<int64_t> ignore;
  if (node.has_attr("ignore_index")) ignore = node.attr_int("ignore_index", 0);
  return std::make_unique<loss_kernel>(parse_reduction(node), ignore, softmax);
}

}  // namespace

void add_loss_ops(std::vector<op_entry>& t) {
  t.push_back({"NegativeLogLikelihoodLoss", "ref_nll_loss", loss_supports,
               [](const node_view& node) { return make_loss(node, false); }});
  t.push_back({"SoftmaxCrossEntropyLoss", "ref_softmax_cross_entropy", loss_supports,
               [](const node_view& node) { return make_loss(node, true); }});
}

}  // namespace mirt::cpu
