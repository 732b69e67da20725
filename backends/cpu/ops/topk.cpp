// backends/cpu/ops/topk.cpp — TopK (opset 11 form): the K largest (or smallest) values along an
// axis and their int64 indices, always sorted; equal values keep the lower index first, as ONNX
// requires. Each slice is selected with a partial sort (O(n log K)).
#include <algorithm>
#include <numeric>

#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class topk_kernel final : public kernel {
 public:
  topk_kernel(int64_t axis, bool largest) : axis_(axis), largest_(largest) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &values = args.out.at(0);
    const tensor* indices = args.out.size() > 1 && args.out[1].data ? &args.out[1] : nullptr;
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    const std::vector<int64_t> kv = read_int_tensor(args.in.at(1), "input 1 (K)");
    const int64_t n = x.shape[axis], k = kv.empty() ? -1 : kv[0];
    if (k < 0 || k > n) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (K) is ", k, ", expected 0 to ", n);
    if (values.shape[axis] != k)
      fail(MIRT_STATUS_INVALID_SHAPE, "output 0 has ", values.shape[axis], " values along axis ", axis, ", K is ", k);
    const int64_t outer = product(x.shape, 0, axis), inner = product(x.shape, axis + 1);
    dispatch_any(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool_t>) fail(MIRT_STATUS_UNSUPPORTED, "bool input");
      else {
        const T* px = x.as<const T>();
        T* pv = values.as<T>();
        std::vector<int64_t> order(static_cast<size_t>(n));
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            auto at = [&](int64_t j) { return widen(px[(o * n + j) * inner + i]); };
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
              const auto va = at(a), vb = at(b);
              if (va != vb) return largest_ ? va > vb : va < vb;
              return a < b;
            });
            for (int64_t j = 0; j < k; ++j) {
              const int64_t dst = (o * k + j) * inner + i;
              pv[dst] = px[(o * n + order[size_t(j)]) * inner + i];
              if (indices) indices->as<int64_t>()[dst] = order[size_t(j)];
            }
          }
      }
    });
  }

 private:
  int64_t axis_;
  bool largest_;
};

bool topk_supports(const node_view& node, std::string& why) {
  if (!input_dtype_in(node, 0,
                      {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_INT8,
                       MIRT_DTYPE_UINT8, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64},
                      why))
    return false;
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_topk_ops(std::vector<op_entry>& t) {
  t.push_back({"TopK", "ref_topk", topk_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<topk_kernel>(node.attr_int("axis", -1), node.attr_int("largest", 1) != 0);
               }});
}

}  // namespace mirt::cpu
