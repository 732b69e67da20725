// backends/cpu/ops/cumulative.cpp — CumSum and CumProd along one axis (given as an input), with
// ONNX's exclusive and reverse flags. The input is seen as [outer, n, inner]; the inner loop runs
// over contiguous elements, so it vectorizes. float16/bfloat16 accumulate in float32.
#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

template <class T>
using accum_type = std::conditional_t<std::is_integral_v<T> || std::is_same_v<T, double>, T, float>;

// a op b, wrapping on integer overflow (through the unsigned type) instead of undefined behaviour.
template <class A>
A combine(bool multiply, A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    using U = std::make_unsigned_t<A>;
    return A(multiply ? U(U(a) * U(b)) : U(U(a) + U(b)));
  } else {
    return multiply ? a * b : a + b;
  }
}

class cumulative_kernel final : public kernel {
 public:
  cumulative_kernel(bool product, bool exclusive, bool reverse) : product_(product), exclusive_(exclusive), reverse_(reverse) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const std::vector<int64_t> axis_value = read_int_tensor(args.in.at(1), "input 1 (axis)");
    if (axis_value.size() != 1)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (axis) has ", axis_value.size(), " values, expected 1");
    const size_t axis = size_t(normalize_axis(axis_value[0], x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    dispatch_any(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool_t>) fail(MIRT_STATUS_UNSUPPORTED, "bool input");
      else run<T>(x.as<const T>(), y.as<T>(), outer, n, inner);
    });
  }

 private:
  template <class T>
  void run(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) const {
    using A = accum_type<T>;
    std::vector<A> acc(static_cast<size_t>(inner));
    for (int64_t o = 0; o < outer; ++o) {
      std::fill(acc.begin(), acc.end(), product_ ? A(1) : A(0));
      for (int64_t s = 0; s < n; ++s) {
        const int64_t j = reverse_ ? n - 1 - s : s;
        const T* xs = x + (o * n + j) * inner;
        T* ys = y + (o * n + j) * inner;
        // exclusive: write the running value before taking this step's element.
        for (int64_t i = 0; i < inner; ++i) {
          const A v = A(widen(xs[i]));
          const A before = acc[size_t(i)];
          const A after = combine(product_, before, v);
          acc[size_t(i)] = after;
          ys[i] = convert<T>(exclusive_ ? before : after);
        }
      }
    }
  }

  bool product_, exclusive_, reverse_;
};

bool cumulative_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0,
                      {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_INT32,
                       MIRT_DTYPE_INT64, MIRT_DTYPE_INT8, MIRT_DTYPE_UINT8},
                      why))
    return false;
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

std::unique_ptr<kernel> make_cumulative(const node_view& node, bool product) {
  return std::make_unique<cumulative_kernel>(product, node.attr_int("exclusive", 0) != 0, node.attr_int("reverse", 0) != 0);
}

}  // namespace

void add_cumulative_ops(std::vector<op_entry>& t) {
  t.push_back({"CumSum", "ref_cumsum", cumulative_supports, [](const node_view& node) { return make_cumulative(node, false); }});
  t.push_back({"CumProd", "ref_cumprod", cumulative_supports, [](const node_view& node) { return make_cumulative(node, true); }});
}

}  // namespace mirt::cpu
