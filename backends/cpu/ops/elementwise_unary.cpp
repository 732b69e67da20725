// backends/cpu/ops/elementwise_unary.cpp — elementwise activations and math functions (may run in place).
//
// Transcendental float functions that oneDNN has (Sigmoid, Tanh, Gelu, Exp, Log, Sqrt, Elu, Mish,
// HardSwish) run on its JIT eltwise primitive, one per element count, from k_onednn_min_elements
// up; smaller tensors, and every other function, run scalar loops (Erf a vector loop), split into
// element ranges over the pool's threads when large (parallel.hpp; the grain by the function's cost).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"
#include "backends/cpu/onednn.hpp"
#include "backends/cpu/parallel.hpp"
#include "backends/cpu/vector_math.hpp"

namespace mirt::cpu {
namespace {

// y = f(x) elementwise; y may alias x, each element is read before it is written. `grain`:
// elements per thread (parallel.hpp), by f's cost.
template <class T, class F>
class unary_kernel final : public kernel {
 public:
  unary_kernel(F f, int64_t grain) : f_(f), grain_(grain) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    const T* x = args.in.at(0).as<const T>();
    T* y = out.as<T>();
    parallel_for(out.numel(), grain_, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) y[i] = f_(x[i]);
    });
  }

 private:
  F f_;
  int64_t grain_;
};

// A transcendental function (the default) or, with k_grain_cheap, a few arithmetic operations.
template <class T, class F>
std::unique_ptr<kernel> make_unary(F f, int64_t grain = k_grain_costly) {
  return std::make_unique<unary_kernel<T, F>>(f, grain);
}

// Below this many elements a primitive's launch costs more than the scalar loop.
constexpr int64_t k_onednn_min_elements = 512;

struct eltwise_entry {
  dnnl::eltwise_forward prim;
  std::unique_ptr<dnnl::eltwise_forward::primitive_desc> pd;
  dnnl::memory::desc md;
  size_t workspace = 0;
};

// oneDNN eltwise over the flattened tensor; the scalar kernel `small` for tiny tensors.
class onednn_unary_kernel final : public kernel {
 public:
  onednn_unary_kernel(dnnl::algorithm alg, float alpha, float beta, std::unique_ptr<kernel> small)
      : alg_(alg), alpha_(alpha), beta_(beta), small_(std::move(small)) {}

  size_t workspace_size(const std::vector<dims>& in, const std::vector<dims>& out) const override {
    (void)in;
    if (out.empty() || product(out[0]) < k_onednn_min_elements) return 0;
    return entry(product(out[0])).workspace;
  }

  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    const int64_t n = out.numel();
    if (n < k_onednn_min_elements) return small_->execute(args);
    try {
      const eltwise_entry& e = entry(n);
      scratch ws(args, e.workspace);
      const auto& eng = onednn_engine();
      onednn_execute(e.prim, *e.pd, ws,
                     {{DNNL_ARG_SRC, dnnl::memory(e.md, eng, args.in.at(0).data)}, {DNNL_ARG_DST, dnnl::memory(e.md, eng, out.data)}});
    } catch (const dnnl::error& err) {
      onednn_fail(err, "running an eltwise");
    }
  }

 private:
  const eltwise_entry& entry(int64_t n) const {
    shape_key key;
    key.add(n);
    return cache_.get(key, [&] {
      auto e = std::make_unique<eltwise_entry>();
      e->md = plain_desc({n});
      e->pd = std::make_unique<dnnl::eltwise_forward::primitive_desc>(
          dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg_, e->md, alpha_, beta_), base_attr(),
          onednn_engine());
      e->prim = dnnl::eltwise_forward(*e->pd);
      e->workspace = scratchpad_bytes(*e->pd);
      return e;
    });
  }

  dnnl::algorithm alg_;
  float alpha_, beta_;
  std::unique_ptr<kernel> small_;
  shape_cache<eltwise_entry> cache_;
};

std::unique_ptr<kernel> with_onednn(dnnl::algorithm alg, std::unique_ptr<kernel> small, float alpha = 0, float beta = 0) {
  return std::make_unique<onednn_unary_kernel>(alg, alpha, beta, std::move(small));
}

// Erf: a vector loop (oneDNN has no erf eltwise).
class erf_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    const float* x = args.in.at(0).as<const float>();
    float* y = out.as<float>();
    parallel_for(
        out.numel(), k_grain_costly, [&](int64_t begin, int64_t end) { erf_rows(x + begin, y + begin, end - begin); },
        k_vector_align);
  }
};

constexpr float k_sqrt1_2 = 0.70710678118654752440f;
constexpr float k_sqrt2_pi = 0.79788456080286535588f;

float softplus(float x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// Float-only functions; parameters come from the node's attributes with ONNX defaults.
std::unique_ptr<kernel> create_float_unary(const node_view& node) {
  const std::string op = node.op_type();
  using T = float;
  using alg = dnnl::algorithm;
  if (op == "Sigmoid")
    return with_onednn(alg::eltwise_logistic, make_unary<T>([](T x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }));
  if (op == "Tanh") return with_onednn(alg::eltwise_tanh, make_unary<T>([](T x) { return std::tanh(x); }));
  if (op == "Erf") return std::make_unique<erf_kernel>();
  if (op == "Gelu") {
    const std::string approx = node.attr_string("approximate", "none");
    if (approx == "tanh")
      return with_onednn(alg::eltwise_gelu_tanh, make_unary<T>([](T x) {
                           return 0.5f * x * (1 + std::tanh(k_sqrt2_pi * (x + 0.044715f * x * x * x)));
                         }));
    if (approx != "none") fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'approximate' is '", approx, "', expected none or tanh");
    return with_onednn(alg::eltwise_gelu_erf, make_unary<T>([](T x) { return 0.5f * x * (1 + std::erf(x * k_sqrt1_2)); }));
  }
  if (op == "Exp") return with_onednn(alg::eltwise_exp, make_unary<T>([](T x) { return std::exp(x); }));
  if (op == "Log") return with_onednn(alg::eltwise_log, make_unary<T>([](T x) { return std::log(x); }));
  if (op == "Sqrt") return with_onednn(alg::eltwise_sqrt, make_unary<T>([](T x) { return std::sqrt(x); }));
  if (op == "Reciprocal") return make_unary<T>([](T x) { return 1 / x; }, k_grain_cheap);
  if (op == "Floor") return make_unary<T>([](T x) { return std::floor(x); }, k_grain_cheap);
  if (op == "Ceil") return make_unary<T>([](T x) { return std::ceil(x); }, k_grain_cheap);
  // ONNX Round breaks ties to even, which is nearbyint in the default rounding mode.
  if (op == "Round") return make_unary<T>([](T x) { return std::nearbyint(x); });
  if (op == "Sin") return make_unary<T>([](T x) { return std::sin(x); });
  if (op == "Cos") return make_unary<T>([](T x) { return std::cos(x); });
  if (op == "Tan") return make_unary<T>([](T x) { return std::tan(x); });
  if (op == "Asin") return make_unary<T>([](T x) { return std::asin(x); });
  if (op == "Acos") return make_unary<T>([](T x) { return std::acos(x); });
  if (op == "Atan") return make_unary<T>([](T x) { return std::atan(x); });
  if (op == "Sinh") return make_unary<T>([](T x) { return std::sinh(x); });
  if (op == "Cosh") return make_unary<T>([](T x) { return std::cosh(x); });
  if (op == "Asinh") return make_unary<T>([](T x) { return std::asinh(x); });
  if (op == "Acosh") return make_unary<T>([](T x) { return std::acosh(x); });
  if (op == "Atanh") return make_unary<T>([](T x) { return std::atanh(x); });
  if (op == "Softplus") return make_unary<T>([](T x) { return softplus(x); });
  if (op == "Softsign") return make_unary<T>([](T x) { return x / (1 + std::fabs(x)); });
  if (op == "Mish") return with_onednn(alg::eltwise_mish, make_unary<T>([](T x) { return x * std::tanh(softplus(x)); }));
  if (op == "HardSwish")
    return with_onednn(alg::eltwise_hardswish, make_unary<T>([](T x) { return x * std::clamp(x / 6 + 0.5f, 0.f, 1.f); }));
  if (op == "LeakyRelu") {
    const float alpha = node.attr_float("alpha", 0.01f);
    return make_unary<T>([alpha](T x) { return x < 0 ? alpha * x : x; }, k_grain_cheap);
  }
  if (op == "Elu") {
    const float alpha = node.attr_float("alpha", 1.0f);
    return with_onednn(alg::eltwise_elu, make_unary<T>([alpha](T x) { return x < 0 ? alpha * std::expm1(x) : x; }), alpha);
  }
  if (op == "Selu") {
    const float alpha = node.attr_float("alpha", 1.67326319217681884765625f);
    const float gamma = node.attr_float("gamma", 1.05070102214813232421875f);
    return make_unary<T>([alpha, gamma](T x) { return x > 0 ? gamma * x : gamma * alpha * std::expm1(x); });
  }
  if (op == "HardSigmoid") {
    const float alpha = node.attr_float("alpha", 0.2f), beta = node.attr_float("beta", 0.5f);
    return make_unary<T>([alpha, beta](T x) { return std::clamp(alpha * x + beta, 0.f, 1.f); }, k_grain_cheap);
  }
  if (op == "Celu") {
    const float alpha = node.attr_float("alpha", 1.0f);
    return make_unary<T>([alpha](T x) { return std::max(0.f, x) + std::min(0.f, alpha * std::expm1(x / alpha)); });
  }
  if (op == "Shrink") {
    const float bias = node.attr_float("bias", 0.0f), lambd = node.attr_float("lambd", 0.5f);
    return make_unary<T>([bias, lambd](T x) { return x < -lambd ? x + bias : x > lambd ? x - bias : 0.f; }, k_grain_cheap);
  }
  if (op == "Swish") {
    const float alpha = node.attr_float("alpha", 1.0f);
    return make_unary<T>([alpha](T x) { return x / (1 + std::exp(-alpha * x)); });
  }
  if (op == "ThresholdedRelu") {
    const float alpha = node.attr_float("alpha", 1.0f);
    return make_unary<T>([alpha](T x) { return x > alpha ? x : 0.f; }, k_grain_cheap);
  }
  fail(MIRT_STATUS_INTERNAL, "no float unary function for op ", op);
}

// float64, float16 and bfloat16 forms of the parameterless float functions: float64 in double,
// the 16-bit types in float32, rounded back.
class wide_float_unary_kernel final : public kernel {
 public:
  explicit wide_float_unary_kernel(double (*f)(double)) : f_(f) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    dispatch_float(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* x = args.in.at(0).as<const T>();
      T* y = out.as<T>();
      parallel_for(out.numel(), k_grain_costly, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) y[i] = store<T>(C(f_(double(load(x[i])))));
      });
    });
  }

 private:
  double (*f_)(double);
};

// The function for op, or nullptr when op has no float64/float16 form here.
double (*wide_function(const std::string& op))(double) {
  static const std::pair<const char*, double (*)(double)> table[] = {
      {"Exp", [](double x) { return std::exp(x); }},
      {"Log", [](double x) { return std::log(x); }},
      {"Sqrt", [](double x) { return std::sqrt(x); }},
      {"Tanh", [](double x) { return std::tanh(x); }},
      {"Sigmoid", [](double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }},
      {"Erf", [](double x) { return std::erf(x); }},
      {"Reciprocal", [](double x) { return 1 / x; }},
      {"Floor", [](double x) { return std::floor(x); }},
      {"Ceil", [](double x) { return std::ceil(x); }},
      {"Round", [](double x) { return std::nearbyint(x); }},
      {"Sin", [](double x) { return std::sin(x); }},
      {"Cos", [](double x) { return std::cos(x); }},
      {"Tan", [](double x) { return std::tan(x); }},
      {"Asin", [](double x) { return std::asin(x); }},
      {"Acos", [](double x) { return std::acos(x); }},
      {"Atan", [](double x) { return std::atan(x); }},
      {"Sinh", [](double x) { return std::sinh(x); }},
      {"Cosh", [](double x) { return std::cosh(x); }},
      {"Asinh", [](double x) { return std::asinh(x); }},
      {"Acosh", [](double x) { return std::acosh(x); }},
      {"Atanh", [](double x) { return std::atanh(x); }},
      {"Softsign", [](double x) { return x / (1 + std::fabs(x)); }},
      {"Softplus", [](double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }},
  };
  for (const auto& [name, f] : table)
    if (op == name) return f;
  return nullptr;
}

bool wide_float_supports(const node_view& node, std::string& why) {
  if (!wide_function(node.op_type())) {
    why = "only float32 is supported for this op";
    return false;
  }
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

// Calls f(type_tag<T>{}) for the numeric dtypes the integer-capable unary ops take.
template <class F>
decltype(auto) dispatch_signed_numeric(mirt_dtype dtype, F&& f) {
  if (dtype == MIRT_DTYPE_INT8) return f(type_tag<int8_t>{});
  if (dtype == MIRT_DTYPE_UINT8) return f(type_tag<uint8_t>{});
  return dispatch_numeric(dtype, std::forward<F>(f));
}

// Functions defined for every numeric dtype.
std::unique_ptr<kernel> create_numeric_unary(const node_view& node) {
  const std::string op = node.op_type();
  return dispatch_signed_numeric(node.input_dtype(0), [&](auto tag) -> std::unique_ptr<kernel> {
    using T = typename decltype(tag)::type;
    if (op == "Relu") return make_unary<T>([](T x) { return x < T(0) ? T(0) : x; }, k_grain_cheap);
    if (op == "Neg") return make_unary<T>([](T x) { return T(-x); }, k_grain_cheap);
    if (op == "Abs") return make_unary<T>([](T x) { return x < T(0) ? T(-x) : x; }, k_grain_cheap);
    if (op == "Sign") return make_unary<T>([](T x) { return T(x > T(0) ? 1 : x < T(0) ? -1 : 0); }, k_grain_cheap);
    fail(MIRT_STATUS_INTERNAL, "no numeric unary function for op ", op);
  });
}

std::unique_ptr<kernel> create_not(const node_view&) {
  return make_unary<uint8_t>([](uint8_t x) { return uint8_t(x == 0); }, k_grain_cheap);
}

// Clip(x, min?, max?): bounds are optional scalar inputs read per call; the older attribute form
// (min/max floats) is honoured when no input is given.
template <class T>
class clip_kernel final : public kernel {
 public:
  clip_kernel(double lo, double hi) : lo_(lo), hi_(hi) {}
  void execute(const exec_args& args) const override {
    T lo = bound(lo_, std::numeric_limits<T>::lowest()), hi = bound(hi_, std::numeric_limits<T>::max());
    if (args.input(1).present()) lo = T(read_bound(args.input(1), "input 1 (min)"));
    if (args.input(2).present()) hi = T(read_bound(args.input(2), "input 2 (max)"));
    const tensor& out = args.out.at(0);
    const T* x = args.in.at(0).as<const T>();
    T* y = out.as<T>();
    // std::min(max(x, lo), hi) as ONNX defines it: when lo > hi every value becomes hi.
    parallel_for(out.numel(), k_grain_cheap, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) y[i] = std::min(std::max(x[i], lo), hi);
    });
  }

 private:
  static T bound(double v, T fallback) { return std::isnan(v) ? fallback : T(v); }
  // A bound the graph gives must be a scalar; an empty one is no omitted one.
  static double read_bound(const tensor& t, const char* what) {
    if (t.numel() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has shape ", dims_string(t.shape), "; Clip's bounds are scalars");
    return read_scalar(t);
  }
  double lo_, hi_;
};

std::unique_ptr<kernel> create_clip(const node_view& node) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double lo = node.has_attr("min") ? node.attr_float("min", 0) : nan;
  const double hi = node.has_attr("max") ? node.attr_float("max", 0) : nan;
  return dispatch_signed_numeric(node.input_dtype(0), [&](auto tag) -> std::unique_ptr<kernel> {
    return std::make_unique<clip_kernel<typename decltype(tag)::type>>(lo, hi);
  });
}

bool float_only(const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32}, why); }
bool numeric(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0,
                        {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64, MIRT_DTYPE_INT8,
                         MIRT_DTYPE_UINT8},
                        why);
}
bool bool_only(const node_view& node, std::string& why) { return input_dtype_in(node, 0, {MIRT_DTYPE_BOOL}, why); }

}  // namespace

void add_elementwise_unary_ops(std::vector<op_entry>& t) {
  for (const char* op : {"Sigmoid", "Tanh", "Erf", "Gelu", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil",
                         "Round", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
                         "Atanh", "Softplus", "Softsign", "Mish", "HardSwish", "LeakyRelu", "Elu", "Selu",
                         "HardSigmoid", "Celu", "ThresholdedRelu", "Shrink", "Swish"})
    t.push_back({op, "ref_unary", float_only, create_float_unary});
  for (const char* op : {"Exp", "Log", "Sqrt", "Tanh", "Sigmoid", "Erf", "Reciprocal", "Floor", "Ceil", "Round", "Sin",
                         "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Softsign",
                         "Softplus"})
    t.push_back({op, "ref_unary_wide", wide_float_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                   return std::make_unique<wide_float_unary_kernel>(wide_function(node.op_type()));
                 }});
  for (const char* op : {"Relu", "Neg", "Abs", "Sign"}) t.push_back({op, "ref_unary", numeric, create_numeric_unary});
  t.push_back({"Clip", "ref_clip", numeric, create_clip});
  t.push_back({"Not", "ref_unary", bool_only, create_not});
}

}  // namespace mirt::cpu
