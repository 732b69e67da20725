// backends/cuda/ops/elementwise.cpp — unary activations, Clip, broadcast binary ops, comparisons,
// logic, the variadic Sum/Max/Min and Where.
#include <limits>
#include <map>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/elementwise.hpp"

namespace mirt::cuda {
namespace {

class unary_kernel final : public kernel {
 public:
  explicit unary_kernel(unary_params base) : base_(base) {}
  void execute(const exec_args& args) const override {
    unary_params p = base_;
    const dtensor& x = args.in.at(0);
    const dtensor& y = args.out.at(0);
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.n = y.numel();
    if (x.numel() != p.n) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " and output ", dims_string(y.shape), " differ");
    if (base_.op == unary_op::clip) {
      // A bound the graph gives must be a scalar; an empty one is no omitted one.
      const auto bound = [&](size_t i, const char* what) {
        if (args.in[i].numel() != 1)
          fail(MIRT_STATUS_INVALID_ARGUMENT, what, " has shape ", dims_string(args.in[i].shape), "; Clip's bounds are scalars");
        return args.in[i].data;
      };
      if (args.input(1).present()) p.clip_lo_ptr = bound(1, "input 1 (min)");
      if (args.input(2).present()) p.clip_hi_ptr = bound(2, "input 2 (max)");
    }
    throw_if_failed(launch_unary(p, args.stream));
  }

 private:
  unary_params base_;
};

const std::map<std::string, unary_op, std::less<>>& unary_ops() {
  static const std::map<std::string, unary_op, std::less<>> m = {
      {"Relu", unary_op::relu},       {"Sigmoid", unary_op::sigmoid},   {"Tanh", unary_op::tanh},
      {"Erf", unary_op::erf},         {"Gelu", unary_op::gelu},         {"Exp", unary_op::exp},
      {"Log", unary_op::log},         {"Sqrt", unary_op::sqrt},         {"Neg", unary_op::neg},
      {"Abs", unary_op::abs},         {"Reciprocal", unary_op::reciprocal}, {"LeakyRelu", unary_op::leaky_relu},
      {"Clip", unary_op::clip},       {"HardSigmoid", unary_op::hard_sigmoid}, {"HardSwish", unary_op::hard_swish},
      {"Floor", unary_op::floor},     {"Ceil", unary_op::ceil},         {"Sin", unary_op::sin},
      {"Cos", unary_op::cos},         {"Softplus", unary_op::softplus}, {"Elu", unary_op::elu},
      {"Sign", unary_op::sign},
      {"Acos", unary_op::acos},       {"Acosh", unary_op::acosh},       {"Asin", unary_op::asin},
      {"Asinh", unary_op::asinh},     {"Atan", unary_op::atan},         {"Atanh", unary_op::atanh},
      {"Cosh", unary_op::cosh},       {"Sinh", unary_op::sinh},         {"Tan", unary_op::tan},
      {"Round", unary_op::round},     {"Mish", unary_op::mish},         {"Selu", unary_op::selu},
      {"Celu", unary_op::celu},       {"Softsign", unary_op::softsign}, {"ThresholdedRelu", unary_op::thresholded_relu},
      {"Shrink", unary_op::shrink},   {"Swish", unary_op::swish},
      {"Not", unary_op::logical_not},
  };
  return m;
}

bool is_numeric_unary(std::string_view op) { return op == "Relu" || op == "Neg" || op == "Abs" || op == "Sign" || op == "Clip"; }

template <class T>
double lowest() { return double(std::numeric_limits<T>::lowest()); }
template <class T>
double highest() { return double(std::numeric_limits<T>::max()); }

std::unique_ptr<kernel> create_unary(const node_view& node) {
  const std::string op = node.op_type();
  unary_params p;
  p.op = unary_ops().at(op);
  if (op == "Gelu") {
    const std::string approx = node.attr_string("approximate", "none");
    if (approx == "tanh") p.op = unary_op::gelu_tanh;
    else if (approx != "none") fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'approximate' is '", approx, "', expected none or tanh");
  }
  if (op == "LeakyRelu") p.alpha = node.attr_float("alpha", 0.01f);
  if (op == "Elu" || op == "Celu" || op == "ThresholdedRelu") p.alpha = node.attr_float("alpha", 1.0f);
  if (op == "Selu") p.alpha = node.attr_float("alpha", 1.67326319217681884765625f), p.beta = node.attr_float("gamma", 1.05070102214813232421875f);
  if (op == "Celu" && p.alpha == 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'alpha' of Celu is 0 (it divides by alpha)");
  if (op == "Shrink") p.alpha = node.attr_float("lambd", 0.5f), p.beta = node.attr_float("bias", 0.0f);
  if (op == "Swish") p.alpha = node.attr_float("alpha", 1.0f);
  if (op == "HardSigmoid") p.alpha = node.attr_float("alpha", 0.2f), p.beta = node.attr_float("beta", 0.5f);
  if (op == "Clip") {
    const mirt_dtype dt = node.input_dtype(0);
    double lo = 0, hi = 0;
    switch (dt) {
      case MIRT_DTYPE_INT32: lo = lowest<int32_t>(), hi = highest<int32_t>(); break;
      case MIRT_DTYPE_INT64: lo = lowest<int64_t>(), hi = highest<int64_t>(); break;
      case MIRT_DTYPE_FLOAT64: lo = -std::numeric_limits<double>::infinity(), hi = -lo; break;
      default: lo = -std::numeric_limits<float>::infinity(), hi = -lo; break;
    }
    // The older attribute form (opset < 11); inputs override it per call.
    if (node.has_attr("min")) lo = node.attr_float("min", 0);
    if (node.has_attr("max")) hi = node.attr_float("max", 0);
    p.clip_lo = lo;
    p.clip_hi = hi;
  }
  return std::make_unique<unary_kernel>(p);
}

bool unary_supports(const node_view& node, std::string& why) {
  if (node.op_type() == "Not") return input_dtype_in(node, 0, {MIRT_DTYPE_BOOL}, why);
  if (is_numeric_unary(node.op_type()))
    return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_INT32,
                                    MIRT_DTYPE_INT64, MIRT_DTYPE_FLOAT64}, why);
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

// Identity as a device copy (or nothing when the output is the input's buffer).
class copy_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    if (in.bytes() != out.bytes())
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(in.shape), " and output ", dims_string(out.shape), " differ in size");
    if (out.data == in.data || out.bytes() == 0) return;
    cuda_check_copy(out.data, in.data, out.bytes(), args.stream);
  }
  static void cuda_check_copy(void* dst, const void* src, size_t bytes, cudaStream_t stream) {
    const cudaError_t e = cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream);
    if (e != cudaSuccess) fail(MIRT_STATUS_DEVICE_ERROR, "CUDA error (", cudaGetErrorString(e), ") copying ", bytes, " bytes");
  }
};

const std::map<std::string, binary_op, std::less<>>& binary_ops() {
  static const std::map<std::string, binary_op, std::less<>> m = {
      {"Add", binary_op::add},         {"Sum", binary_op::add},          {"Sub", binary_op::sub},
      {"Mul", binary_op::mul},         {"Div", binary_op::div},          {"Pow", binary_op::pow},
      {"Max", binary_op::max},         {"Min", binary_op::min},          {"PRelu", binary_op::prelu},
      {"Equal", binary_op::equal},     {"Less", binary_op::less},        {"LessOrEqual", binary_op::less_equal},
      {"Greater", binary_op::greater}, {"GreaterOrEqual", binary_op::greater_equal},
      {"And", binary_op::logical_and}, {"Or", binary_op::logical_or},    {"Xor", binary_op::logical_xor},
      {"Mod", binary_op::mod},         {"Mean", binary_op::add},
  };
  return m;
}

// Binary ops, and the variadic forms (Sum, Max, Min, Mean) folded left to right into the output
// (Mean then divided by the input count in place).
class binary_kernel final : public kernel {
 public:
  explicit binary_kernel(binary_op op, bool mean = false) : op_(op), mean_(mean) {}
  void execute(const exec_args& args) const override {
    const dtensor& out = args.out.at(0);
    if (out.numel() == 0) return;
    if (args.in.size() == 1) {
      if (out.data != args.in[0].data) copy_kernel::cuda_check_copy(out.data, args.in[0].data, out.bytes(), args.stream);
      return;
    }
    run(args.in[0], args.in[1], out, args.stream);
    for (size_t k = 2; k < args.in.size(); ++k) run(out, args.in[k], out, args.stream);
    if (mean_) {
      unary_params p;
      p.op = unary_op::divide;
      p.dtype = out.dtype;
      p.x = out.data;
      p.y = out.data;
      p.n = out.numel();
      p.alpha = float(args.in.size());
      throw_if_failed(launch_unary(p, args.stream));
    }
  }

 private:
  void run(const dtensor& a, const dtensor& b, const dtensor& out, cudaStream_t stream) const {
    binary_params p;
    p.op = op_;
    p.dtype = a.dtype;
    p.a = a.data;
    p.b = b.data;
    p.out = out.data;
    p.n = out.numel();
    p.map = make_map<3>(out.shape, {dense_strides(out.shape), broadcast_strides(a.shape, out.shape),
                                    broadcast_strides(b.shape, out.shape)});
    throw_if_failed(launch_binary(p, stream));
  }
  binary_op op_;
  bool mean_;
};

// All inputs share input 0's dtype, which is one of `allowed`.
bool same_dtypes(const node_view& node, std::initializer_list<mirt_dtype> allowed, std::string& why) {
  if (!input_dtype_in(node, 0, allowed, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.input_dtype(i) != node.input_dtype(0)) {
      why = cat("input ", i, " has dtype ", dtype_name(node.input_dtype(i)), ", expected ", dtype_name(node.input_dtype(0)));
      return false;
    }
  return true;
}

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16, F64 = MIRT_DTYPE_FLOAT64, I32 = MIRT_DTYPE_INT32,
                     I64 = MIRT_DTYPE_INT64, BOOL = MIRT_DTYPE_BOOL;

bool arithmetic_supports(const node_view& node, std::string& why) { return same_dtypes(node, {F32, F16, BF16, F64, I32, I64}, why); }
bool equal_supports(const node_view& node, std::string& why) { return same_dtypes(node, {F32, F16, BF16, F64, I32, I64, BOOL}, why); }
bool logic_supports(const node_view& node, std::string& why) { return same_dtypes(node, {BOOL}, why); }
bool float_arithmetic_supports(const node_view& node, std::string& why) { return same_dtypes(node, {F32, F16, BF16, F64}, why); }

class where_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &c = args.in.at(0), &x = args.in.at(1), &y = args.in.at(2), &out = args.out.at(0);
    where_params p;
    p.cond = c.as<const uint8_t>();
    p.x = x.data;
    p.y = y.data;
    p.out = out.data;
    p.element_size = dtype_size(out.dtype);
    p.n = out.numel();
    if (p.n == 0) return;
    p.map = make_map<4>(out.shape, {dense_strides(out.shape), broadcast_strides(c.shape, out.shape),
                                    broadcast_strides(x.shape, out.shape), broadcast_strides(y.shape, out.shape)});
    throw_if_failed(launch_where(p, args.stream));
  }
};

bool where_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {BOOL}, why)) return false;
  if (node.input_dtype(1) != node.input_dtype(2) || dtype_size(node.input_dtype(1)) == 0) {
    why = cat("X is ", dtype_name(node.input_dtype(1)), " and Y is ", dtype_name(node.input_dtype(2)));
    return false;
  }
  return true;
}

std::unique_ptr<kernel> create_binary(const node_view& node) {
  const std::string op = node.op_type();
  if (op == "Mod") {
    const int64_t fmod = node.attr_int("fmod", 0);
    if (fmod != 0 && fmod != 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'fmod' is ", fmod, ", expected 0 or 1");
    return std::make_unique<binary_kernel>(fmod ? binary_op::fmod : binary_op::mod);
  }
  return std::make_unique<binary_kernel>(binary_ops().at(op), op == "Mean");
}

}  // namespace

std::unique_ptr<kernel> make_copy_kernel() { return std::make_unique<copy_kernel>(); }

void add_elementwise_ops(std::vector<op_entry>& t) {
  for (const auto& [op, _] : unary_ops()) t.push_back({op, "cuda_unary", unary_supports, create_unary});
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Mod"})
    t.push_back({op, "cuda_broadcast_binary", arithmetic_supports, create_binary});
  for (const char* op : {"Sum", "Max", "Min"}) t.push_back({op, "cuda_broadcast_variadic", arithmetic_supports, create_binary});
  t.push_back({"Mean", "cuda_broadcast_variadic", float_arithmetic_supports, create_binary});
  t.push_back({"Equal", "cuda_broadcast_compare", equal_supports, create_binary});
  for (const char* op : {"Less", "LessOrEqual", "Greater", "GreaterOrEqual"})
    t.push_back({op, "cuda_broadcast_compare", arithmetic_supports, create_binary});
  for (const char* op : {"And", "Or", "Xor"}) t.push_back({op, "cuda_broadcast_logic", logic_supports, create_binary});
  t.push_back({"Where", "cuda_where", where_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<where_kernel>();
               }});
}

}  // namespace mirt::cuda
