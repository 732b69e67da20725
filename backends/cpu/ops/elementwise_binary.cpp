// backends/cpu/ops/elementwise_binary.cpp — broadcast binary, comparison, logic, variadic ops and Where.
// Large outputs split into element ranges over the pool's threads (broadcast.hpp: parallel_rows).
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// out = op(a, b) with numpy broadcasting; out may alias a (same shape then).
template <class TA, class TB, class TO, class Op>
void apply_binary(const tensor& a, const tensor& b, const tensor& out, Op op) {
  const auto loop = make_loop<3>(out.shape, {dense_strides(out.shape), broadcast_strides(a.shape, out.shape),
                                             broadcast_strides(b.shape, out.shape)});
  TO* po = out.as<TO>();
  const TA* pa = a.as<const TA>();
  const TB* pb = b.as<const TB>();
  parallel_rows(loop, k_grain_cheap, [&](const auto& off, const auto& st, int64_t n) {
    TO* o = po + off[0];
    const TA* x = pa + off[1];
    const TB* y = pb + off[2];
    // Specialized rows let the compiler vectorize the common cases.
    if (st[1] == 1 && st[2] == 1) {
      for (int64_t i = 0; i < n; ++i) o[i] = TO(op(x[i], y[i]));
    } else if (st[1] == 1 && st[2] == 0) {
      const TB yv = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = TO(op(x[i], yv));
    } else if (st[1] == 0 && st[2] == 1) {
      const TA xv = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = TO(op(xv, y[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) o[i] = TO(op(x[i * st[1]], y[i * st[2]]));
    }
  });
}

struct add_op { template <class T> T operator()(T a, T b) const { return a + b; } };
struct sub_op { template <class T> T operator()(T a, T b) const { return a - b; } };
struct mul_op { template <class T> T operator()(T a, T b) const { return a * b; } };
struct div_op {
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      // Integer division by zero (or MIN / -1) would trap; ONNX leaves it undefined, we give 0.
      if (b == 0 || (b == -1 && a == std::numeric_limits<T>::min())) return 0;
    }
    return a / b;
  }
};
// Mod with fmod=0: the result takes the divisor's sign (Python); fmod=1: the dividend's (C fmod).
template <bool CStyle>
struct mod_op {
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0 || (b == -1 && a == std::numeric_limits<T>::min())) return 0;
      T r = T(a % b);
      if constexpr (std::is_signed_v<T>)
        if (!CStyle && r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
      return r;
    } else {
      T r = std::fmod(a, b);
      if (!CStyle && r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    }
  }
};
// Max and Min propagate NaN, as numpy.maximum does.
struct max_op {
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    return a < b ? b : a;
  }
};
struct min_op {
  template <class T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    return b < a ? b : a;
  }
};
struct prelu_op { template <class T> T operator()(T x, T slope) const { return x < T(0) ? slope * x : x; } };
struct equal_op { template <class T> bool operator()(T a, T b) const { return a == b; } };
struct less_op { template <class T> bool operator()(T a, T b) const { return a < b; } };
struct less_equal_op { template <class T> bool operator()(T a, T b) const { return a <= b; } };
struct greater_op { template <class T> bool operator()(T a, T b) const { return a > b; } };
struct greater_equal_op { template <class T> bool operator()(T a, T b) const { return a >= b; } };
struct and_op { bool operator()(uint8_t a, uint8_t b) const { return a != 0 && b != 0; } };
struct or_op { bool operator()(uint8_t a, uint8_t b) const { return a != 0 || b != 0; } };
struct xor_op { bool operator()(uint8_t a, uint8_t b) const { return (a != 0) != (b != 0); } };

// Op on float16/bfloat16 storage, computed in float32 and rounded back (predicates stay bool).
template <class Op, class S>
struct via_float {
  auto operator()(S a, S b) const {
    const auto r = Op{}(widen(a), widen(b));
    if constexpr (std::is_same_v<std::remove_const_t<decltype(r)>, bool>) return r;
    else return convert<S>(r);
  }
};

using binary_fn = void (*)(const tensor& a, const tensor& b, const tensor& out);

template <class Op, class T, class R>
void run_binary(const tensor& a, const tensor& b, const tensor& out) {
  apply_binary<T, T, R>(a, b, out, Op{});
}

// Instantiates Op for the dtype of the node's first input; R is the result type (void: same as T).
template <class Op, class R = void>
binary_fn pick(mirt_dtype dtype) {
  if (dtype == MIRT_DTYPE_BOOL) return &run_binary<Op, uint8_t, std::conditional_t<std::is_void_v<R>, uint8_t, R>>;
  if (dtype == MIRT_DTYPE_INT8) return &run_binary<Op, int8_t, std::conditional_t<std::is_void_v<R>, int8_t, R>>;
  if (dtype == MIRT_DTYPE_UINT8) return &run_binary<Op, uint8_t, std::conditional_t<std::is_void_v<R>, uint8_t, R>>;
  if (dtype == MIRT_DTYPE_FLOAT16)
    return &run_binary<via_float<Op, half_t>, half_t, std::conditional_t<std::is_void_v<R>, half_t, R>>;
  if (dtype == MIRT_DTYPE_BFLOAT16)
    return &run_binary<via_float<Op, bfloat16_t>, bfloat16_t, std::conditional_t<std::is_void_v<R>, bfloat16_t, R>>;
  return dispatch_numeric(dtype, [](auto tag) -> binary_fn {
    using T = typename decltype(tag)::type;
    return &run_binary<Op, T, std::conditional_t<std::is_void_v<R>, T, R>>;
  });
}

binary_fn pick_by_op(const node_view& node) {
  const std::string op = node.op_type();
  const mirt_dtype dt = node.input_dtype(0);
  if (op == "Add" || op == "Sum" || op == "Mean") return pick<add_op>(dt);
  if (op == "Sub") return pick<sub_op>(dt);
  if (op == "Mul") return pick<mul_op>(dt);
  if (op == "Div") return pick<div_op>(dt);
  if (op == "Mod") return node.attr_int("fmod", 0) != 0 ? pick<mod_op<true>>(dt) : pick<mod_op<false>>(dt);
  if (op == "Max") return pick<max_op>(dt);
  if (op == "Min") return pick<min_op>(dt);
  if (op == "PRelu") return pick<prelu_op>(dt);
  if (op == "Equal") return pick<equal_op, uint8_t>(dt);
  if (op == "Less") return pick<less_op, uint8_t>(dt);
  if (op == "LessOrEqual") return pick<less_equal_op, uint8_t>(dt);
  if (op == "Greater") return pick<greater_op, uint8_t>(dt);
  if (op == "GreaterOrEqual") return pick<greater_equal_op, uint8_t>(dt);
  if (op == "And") return &run_binary<and_op, uint8_t, uint8_t>;
  if (op == "Or") return &run_binary<or_op, uint8_t, uint8_t>;
  if (op == "Xor") return &run_binary<xor_op, uint8_t, uint8_t>;
  fail(MIRT_STATUS_INTERNAL, "no binary functor for op ", op);
}

// Pow(X, Y) with Y of its own numeric dtype (ONNX's T and T1); float32^float32 in float, the rest
// through double, rounded back to X's dtype.
template <class TA, class TB>
void run_pow(const tensor& a, const tensor& b, const tensor& out) {
  apply_binary<TA, TB, TA>(a, b, out, [](TA x, TB y) {
    if constexpr (std::is_same_v<TA, float> && std::is_same_v<TB, float>) return std::pow(x, y);
    else return convert<TA>(std::pow(double(x), double(y)));
  });
}

std::unique_ptr<kernel> create_pow(const node_view& node);

template <class T>
void divide_in_place(const tensor& t, double n) {
  T* p = t.as<T>();
  parallel_for(t.numel(), k_grain_cheap, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) p[i] = T(p[i] / n);
  });
}

// Binary ops, and the variadic forms (Sum, Max, Min, Mean) folded left to right into the output.
class binary_kernel final : public kernel {
 public:
  binary_kernel(binary_fn fn, bool mean) : fn_(fn), mean_(mean) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    if (out.numel() == 0) return;
    if (args.in.size() == 1) {
      // One operand: a copy (Sum/Max/Min/Mean of one tensor). The shapes agree by inference.
      if (out.data != args.in[0].data) std::memmove(out.data, args.in[0].data, out.bytes());
      return;
    }
    fn_(args.in[0], args.in[1], out);
    for (size_t k = 2; k < args.in.size(); ++k) fn_(out, args.in[k], out);
    if (mean_)
      dispatch_numeric(out.dtype, [&](auto tag) { divide_in_place<typename decltype(tag)::type>(out, double(args.in.size())); });
  }

 private:
  binary_fn fn_;
  bool mean_;
};

std::unique_ptr<kernel> create_binary(const node_view& node) {
  return std::make_unique<binary_kernel>(pick_by_op(node), node.op_type() == "Mean");
}

std::unique_ptr<kernel> create_pow(const node_view& node) {
  const binary_fn fn = dispatch_numeric(node.input_dtype(0), [&](auto base) -> binary_fn {
    return dispatch_numeric(node.input_dtype(1), [](auto exponent) -> binary_fn {
      return &run_pow<typename decltype(base)::type, typename decltype(exponent)::type>;
    });
  });
  return std::make_unique<binary_kernel>(fn, false);
}

// All inputs share input 0's dtype, which is one of `allowed`.
template <mirt_dtype... Allowed>
bool same_dtypes(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0, {Allowed...}, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.input_dtype(i) != node.input_dtype(0)) {
      why = cat("input ", i, " has dtype ", dtype_name(node.input_dtype(i)), ", expected ", dtype_name(node.input_dtype(0)));
      return false;
    }
  return true;
}

constexpr mirt_dtype F32 = MIRT_DTYPE_FLOAT32, F64 = MIRT_DTYPE_FLOAT64, I32 = MIRT_DTYPE_INT32,
                     I64 = MIRT_DTYPE_INT64, BOOL = MIRT_DTYPE_BOOL, I8 = MIRT_DTYPE_INT8, U8 = MIRT_DTYPE_UINT8,
                     F16 = MIRT_DTYPE_FLOAT16, BF16 = MIRT_DTYPE_BFLOAT16;

bool pow_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {F32, F64, I32, I64}, why) && input_dtype_in(node, 1, {F32, F64, I32, I64}, why);
}

// Where(condition, X, Y): elementwise select with three-way broadcasting; X and Y of any dtype.
class where_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &c = args.in.at(0), &x = args.in.at(1), &y = args.in.at(2), &out = args.out.at(0);
    if (out.numel() == 0) return;
    const auto loop = make_loop<4>(out.shape, {dense_strides(out.shape), broadcast_strides(c.shape, out.shape),
                                               broadcast_strides(x.shape, out.shape), broadcast_strides(y.shape, out.shape)});
    dispatch_by_size(dtype_size(out.dtype), [&](auto tag) {
      using U = typename decltype(tag)::type;
      U* po = out.as<U>();
      const uint8_t* pc = c.as<const uint8_t>();
      const U *px = x.as<const U>(), *py = y.as<const U>();
      parallel_rows(loop, k_grain_cheap, [&](const auto& off, const auto& st, int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          po[off[0] + i] = pc[off[1] + i * st[1]] ? px[off[2] + i * st[2]] : py[off[3] + i * st[3]];
      });
    });
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

}  // namespace

void add_elementwise_binary_ops(std::vector<op_entry>& t) {
  // float16/bfloat16 compute in float32; int8/uint8 wrap as C++ does.
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Mod", "PRelu"})
    t.push_back({op, "ref_broadcast_binary", same_dtypes<F32, F64, I32, I64, I8, U8, F16, BF16>, create_binary});
  t.push_back({"Pow", "ref_broadcast_pow", pow_supports, create_pow});
  for (const char* op : {"Sum", "Max", "Min"})
    t.push_back({op, "ref_broadcast_variadic", same_dtypes<F32, F64, I32, I64, I8, U8, F16, BF16>, create_binary});
  t.push_back({"Mean", "ref_broadcast_variadic", same_dtypes<F32, F64, I32, I64>, create_binary});
  t.push_back({"Equal", "ref_broadcast_compare", same_dtypes<F32, F64, I32, I64, I8, U8, F16, BF16, BOOL>, create_binary});
  for (const char* op : {"Less", "LessOrEqual", "Greater", "GreaterOrEqual"})
    t.push_back({op, "ref_broadcast_compare", same_dtypes<F32, F64, I32, I64, I8, U8, F16, BF16>, create_binary});
  for (const char* op : {"And", "Or", "Xor"}) t.push_back({op, "ref_broadcast_logic", same_dtypes<BOOL>, create_binary});
  t.push_back({"Where", "ref_where", where_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<where_kernel>();
               }});
}

}  // namespace mirt::cpu
