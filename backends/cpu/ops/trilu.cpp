// backends/cpu/ops/trilu.cpp — Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle
// of each trailing [rows, cols] matrix and zeroes the rest. Any dtype (moves bytes).
#include <algorithm>
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class trilu_kernel final : public kernel {
 public:
  explicit trilu_kernel(bool upper) : upper_(upper) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    int64_t k = 0;
    if (args.input(1).present()) {
      const std::vector<int64_t> kv = read_int_tensor(args.in[1], "input 1 (k)");
      if (kv.size() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (k) has ", kv.size(), " values, expected 1");
      k = kv[0];
    }
    const size_t rank = x.rank();
    const int64_t rows = x.shape[rank - 2], cols = x.shape[rank - 1], mats = product(x.shape, 0, rank - 2);
    const size_t es = dtype_size(x.dtype);
    const auto* src = x.as<const uint8_t>();
    auto* dst = y.as<uint8_t>();
    for (int64_t m = 0; m < mats; ++m)
      for (int64_t i = 0; i < rows; ++i) {
        // Kept columns of row i: [i + k, cols) for upper, [0, i + k] for lower.
        const int64_t lo = upper_ ? std::clamp<int64_t>(i + k, 0, cols) : 0;
        const int64_t hi = upper_ ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
        const size_t row = size_t((m * rows + i) * cols) * es;
        if (hi <= lo) {
          std::memset(dst + row, 0, size_t(cols) * es);
          continue;
        }
        std::memmove(dst + row + size_t(lo) * es, src + row + size_t(lo) * es, size_t(hi - lo) * es);
        std::memset(dst + row, 0, size_t(lo) * es);
        std::memset(dst + row + size_t(hi) * es, 0, size_t(cols - hi) * es);
      }
  }

 private:
  bool upper_;
};

bool trilu_supports(const node_view& node, std::string& why) {
  return !node.has_input(1) || input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_trilu_ops(std::vector<op_entry>& t) {
  t.push_back({"Trilu", "ref_trilu", trilu_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<trilu_kernel>(node.attr_int("upper", 1) != 0);
               }});
}

}  // namespace mirt::cpu
