// backends/cpu/ops/reduce.cpp — Reduce* (axes as optional input, keepdims, noop_with_empty_axes)
// and ArgMax/ArgMin. Float sums accumulate in double.
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

enum class reduce_kind { sum, mean, prod, max, min, l1, l2, sum_square, log_sum, log_sum_exp };

reduce_kind kind_of(const std::string& op) {
  if (op == "ReduceSum") return reduce_kind::sum;
  if (op == "ReduceMean") return reduce_kind::mean;
  if (op == "ReduceProd") return reduce_kind::prod;
  if (op == "ReduceMax") return reduce_kind::max;
  if (op == "ReduceMin") return reduce_kind::min;
  if (op == "ReduceL1") return reduce_kind::l1;
  if (op == "ReduceL2") return reduce_kind::l2;
  if (op == "ReduceSumSquare") return reduce_kind::sum_square;
  if (op == "ReduceLogSum") return reduce_kind::log_sum;
  return reduce_kind::log_sum_exp;
}

// acc[o] = combine(acc[o], x) over every input element, o its output index.
template <class T, class A, class F>
void accumulate(const tensor& x, const dims& out_strides, std::vector<A>& acc, F combine) {
  const auto loop = make_loop<2>(x.shape, {out_strides, dense_strides(x.shape)});
  const T* px = x.as<const T>();
  for_each_row(loop, [&](const auto& off, const auto& st, int64_t n) {
    A* a = acc.data() + off[0];
    const T* p = px + off[1];
    if (st[0] == 0) {
      A v = *a;
      for (int64_t i = 0; i < n; ++i) v = combine(v, p[i * st[1]]);
      *a = v;
    } else {
      for (int64_t i = 0; i < n; ++i) a[i * st[0]] = combine(a[i * st[0]], p[i * st[1]]);
    }
  });
}

class reduce_kernel final : public kernel {
 public:
  reduce_kernel(reduce_kind kind, bool keepdims, bool noop, std::optional<dims> attr_axes)
      : kind_(kind), keepdims_(keepdims), noop_(noop), attr_axes_(std::move(attr_axes)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    dims axes = args.input(1).present() ? read_int_tensor(args.in[1], "axes") : attr_axes_.value_or(dims{});
    std::vector<bool> reduced(x.rank(), false);
    // No axes: reduce everything, or nothing with noop_with_empty_axes (then f is applied per element).
    if (axes.empty() && !noop_) reduced.assign(x.rank(), true);
    for (int64_t a : axes) reduced[size_t(normalize_axis(a, x.rank(), "axes entry"))] = true;
    dims out_strides(x.rank(), 0);
    int64_t stride = 1, count = 1;
    for (size_t d = x.rank(); d-- > 0;) {
      if (reduced[d]) {
        count *= x.shape[d];
        continue;
      }
      out_strides[d] = stride;
      stride *= x.shape[d];
    }
    if (stride != y.numel()) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not match the reduction of ", dims_string(x.shape));
    (void)keepdims_;  // the output shape (with or without kept dims) has the same element order
    if (x.dtype == MIRT_DTYPE_BOOL) {  // max is any, min is all: the same over 0/1 bytes
      if (kind_ != reduce_kind::max && kind_ != reduce_kind::min) fail(MIRT_STATUS_UNSUPPORTED, "only ReduceMax and ReduceMin take bool");
      run<uint8_t>(x, y, out_strides, count);
      uint8_t* py = y.as<uint8_t>();
      for (int64_t o = 0; o < y.numel(); ++o) py[o] = py[o] != 0;  // min over nothing gave 255: true
      return;
    }
    dispatch_numeric(x.dtype, [&](auto tag) { run<typename decltype(tag)::type>(x, y, out_strides, count); });
  }

 private:
  template <class T>
  void run(const tensor& x, const tensor& y, const dims& out_strides, int64_t count) const {
    using A = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    const size_t n = size_t(y.numel());
    std::vector<A> acc(n);
    auto fill = [&](A v) { std::fill(acc.begin(), acc.end(), v); };
    switch (kind_) {
      case reduce_kind::sum: case reduce_kind::mean: case reduce_kind::log_sum:
        fill(0), accumulate<T>(x, out_strides, acc, [](A a, T v) { return a + A(v); });
        break;
      case reduce_kind::prod: fill(1), accumulate<T>(x, out_strides, acc, [](A a, T v) { return a * A(v); }); break;
      case reduce_kind::l1:
        fill(0), accumulate<T>(x, out_strides, acc, [](A a, T v) { return a + (v < T(0) ? -A(v) : A(v)); });
        break;
      case reduce_kind::l2: case reduce_kind::sum_square:
        fill(0), accumulate<T>(x, out_strides, acc, [](A a, T v) { return a + A(v) * A(v); });
        break;
      case reduce_kind::max: case reduce_kind::log_sum_exp:
        fill(std::is_floating_point_v<T> ? -std::numeric_limits<A>::infinity() : A(std::numeric_limits<T>::lowest()));
        accumulate<T>(x, out_strides, acc, [](A a, T v) { return A(v) > a ? A(v) : a; });
        break;
      case reduce_kind::min:
        fill(std::is_floating_point_v<T> ? std::numeric_limits<A>::infinity() : A(std::numeric_limits<T>::max()));
        accumulate<T>(x, out_strides, acc, [](A a, T v) { return A(v) < a ? A(v) : a; });
        break;
    }
    if (kind_ == reduce_kind::log_sum_exp) {
      // log(sum(exp(x - m))) + m, with m the per-output max, so exp cannot overflow.
      std::vector<double> shift(acc.begin(), acc.end()), sum(n, 0.0);
      for (double& s : shift) if (!std::isfinite(s)) s = 0;
      const auto loop = make_loop<2>(x.shape, {out_strides, dense_strides(x.shape)});
      const T* px = x.as<const T>();
      for_each_row(loop, [&](const auto& off, const auto& st, int64_t len) {
        for (int64_t i = 0; i < len; ++i) sum[size_t(off[0] + i * st[0])] += std::exp(double(px[off[1] + i * st[1]]) - shift[size_t(off[0] + i * st[0])]);
      });
      for (size_t o = 0; o < n; ++o) acc[o] = A(std::log(sum[o]) + shift[o]);
    }
    T* py = y.as<T>();
    for (size_t o = 0; o < n; ++o) {
      A v = acc[o];
      if (kind_ == reduce_kind::mean) v = count > 0 ? A(v / A(count)) : A(std::is_floating_point_v<T> ? NAN : 0);
      if (kind_ == reduce_kind::l2) v = A(std::sqrt(double(v)));
      if (kind_ == reduce_kind::log_sum) v = A(std::log(double(v)));
      py[o] = T(v);
    }
  }

  reduce_kind kind_;
  bool keepdims_, noop_;
  std::optional<dims> attr_axes_;
};

// ArgMax / ArgMin along one axis; ties resolve to the first index, or the last with select_last_index.
class arg_kernel final : public kernel {
 public:
  arg_kernel(bool is_max, int64_t axis, bool last) : max_(is_max), axis_(axis), last_(last) {}
  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const int64_t outer = product(x.shape, 0, axis), n = x.shape[axis], inner = product(x.shape, axis + 1);
    if (n == 0 && y.numel() > 0) fail(MIRT_STATUS_INVALID_SHAPE, "cannot take an arg-extremum over an empty axis");
    dispatch_numeric(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* px = x.as<const T>();
      int64_t* py = y.as<int64_t>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const T* p = px + o * n * inner + i;
          int64_t best = 0;
          for (int64_t k = 1; k < n; ++k) {
            const T v = p[k * inner], b = p[best * inner];
            const bool better = max_ ? (last_ ? v >= b : v > b) : (last_ ? v <= b : v < b);
            if (better) best = k;
          }
          py[o * inner + i] = best;
        }
    });
  }

 private:
  bool max_;
  int64_t axis_;
  bool last_;
};

bool numeric(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}
bool numeric_or_bool(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64, MIRT_DTYPE_BOOL}, why);
}
bool float_only(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64}, why);
}

std::unique_ptr<kernel> create_reduce(const node_view& node) {
  return std::make_unique<reduce_kernel>(kind_of(node.op_type()), node.attr_int("keepdims", 1) != 0,
                                         node.attr_int("noop_with_empty_axes", 0) != 0, node.attr_ints("axes"));
}

}  // namespace

void add_reduce_ops(std::vector<op_entry>& t) {
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceProd", "ReduceL1", "ReduceSumSquare"})
    t.push_back({op, "ref_reduce", numeric, create_reduce});
  for (const char* op : {"ReduceMax", "ReduceMin"}) t.push_back({op, "ref_reduce", numeric_or_bool, create_reduce});
  for (const char* op : {"ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}) t.push_back({op, "ref_reduce", float_only, create_reduce});
  for (const char* op : {"ArgMax", "ArgMin"})
    t.push_back({op, "ref_arg_reduce", numeric, [](const node_view& node) -> std::unique_ptr<kernel> {
                   return std::make_unique<arg_kernel>(node.op_type() == "ArgMax", node.attr_int("axis", 0),
                                                       node.attr_int("select_last_index", 0) != 0);
                 }});
}

}  // namespace mirt::cpu
