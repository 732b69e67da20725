// backends/cpu/ops/bitwise_predicates.cpp — IsInf, IsNaN (any float dtype, bool out), the Bitwise*
// ops on integers and BitShift on uint8 (the only unsigned dtype mirt has).
#include <cmath>

#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class float_predicate_kernel final : public kernel {
 public:
  // IsNaN when nan; else IsInf counting the infinities of the signs asked for.
  float_predicate_kernel(bool nan, bool negative, bool positive) : nan_(nan), neg_(negative), pos_(positive) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      uint8_t* py = y.as<uint8_t>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) {
        const auto v = load(px[i]);
        py[i] = nan_ ? std::isnan(v) : std::isinf(v) && ((v > 0 && pos_) || (v < 0 && neg_));
      }
    });
  }

 private:
  bool nan_, neg_, pos_;
};

// out = op(a, b) with numpy broadcasting over integers of type T.
template <class T, class Op>
void integer_binary(const tensor& a, const tensor& b, const tensor& out, Op op) {
  const auto loop = make_loop<3>(out.shape, {dense_strides(out.shape), broadcast_strides(a.shape, out.shape),
                                             broadcast_strides(b.shape, out.shape)});
  T* po = out.as<T>();
  const T *pa = a.as<const T>(), *pb = b.as<const T>();
  for_each_row(loop, [&](const auto& off, const auto& st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) po[off[0] + i] = T(op(pa[off[1] + i * st[1]], pb[off[2] + i * st[2]]));
  });
}

template <class F>
decltype(auto) dispatch_integer(mirt_dtype dtype, F&& f) {
  switch (dtype) {
    case MIRT_DTYPE_INT8: return f(type_tag<int8_t>{});
    case MIRT_DTYPE_UINT8: return f(type_tag<uint8_t>{});
    case MIRT_DTYPE_INT32: return f(type_tag<int32_t>{});
    case MIRT_DTYPE_INT64: return f(type_tag<int64_t>{});
    default: fail(MIRT_STATUS_UNSUPPORTED, "dtype ", dtype_name(dtype), " is not an integer type");
  }
}

class bitwise_kernel final : public kernel {
 public:
  explicit bitwise_kernel(std::string op) : op_(std::move(op)) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    if (out.numel() == 0) return;
    dispatch_integer(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using U = std::make_unsigned_t<T>;
      if (op_ == "BitwiseNot") {
        const T* x = args.in.at(0).as<const T>();
        T* y = out.as<T>();
        for (int64_t i = 0, n = out.numel(); i < n; ++i) y[i] = T(~U(x[i]));
        return;
      }
      const tensor &a = args.in.at(0), &b = args.in.at(1);
      if (op_ == "BitwiseAnd") integer_binary<T>(a, b, out, [](T x, T y) { return U(x) & U(y); });
      else if (op_ == "BitwiseOr") integer_binary<T>(a, b, out, [](T x, T y) { return U(x) | U(y); });
      else if (op_ == "BitwiseXor") integer_binary<T>(a, b, out, [](T x, T y) { return U(x) ^ U(y); });
      // BitShift: shifting by the type's width or more gives 0 (C++ leaves it undefined).
      else if (op_ == "BitShift<") integer_binary<T>(a, b, out, [](T x, T y) { return U(y) >= sizeof(T) * 8 ? U(0) : U(U(x) << U(y)); });
      else integer_binary<T>(a, b, out, [](T x, T y) { return U(y) >= sizeof(T) * 8 ? U(0) : U(U(x) >> U(y)); });
    });
  }

 private:
  std::string op_;
};

bool integer_inputs(const node_view& node, std::string& why) {
  for (size_t i = 0; i < node.num_inputs(); ++i)
    if (!input_dtype_in(node, i, {node.op_type() == "BitShift" ? MIRT_DTYPE_UINT8 : node.input_dtype(0)}, why)) return false;
  return input_dtype_in(node, 0, {MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_bitwise_predicate_ops(std::vector<op_entry>& t) {
  t.push_back({"IsNaN", "ref_float_predicate", [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<float_predicate_kernel>(true, false, false); }});
  t.push_back({"IsInf", "ref_float_predicate", [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<float_predicate_kernel>(false, node.attr_int("detect_negative", 1) != 0,
                                                                 node.attr_int("detect_positive", 1) != 0);
               }});
  for (const char* op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot"})
    t.push_back({op, "ref_bitwise", integer_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                   return std::make_unique<bitwise_kernel>(node.op_type());
                 }});
  t.push_back({"BitShift", "ref_bitwise", integer_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string dir = node.attr_string("direction", "");
                 if (dir != "LEFT" && dir != "RIGHT")
                   fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'direction' is '", dir, "', expected LEFT or RIGHT");
                 return std::make_unique<bitwise_kernel>(dir == "LEFT" ? "BitShift<" : "BitShift>");
               }});
}

}  // namespace mirt::cpu
