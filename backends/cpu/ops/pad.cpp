// backends/cpu/ops/pad.cpp — Pad (pads, constant_value and axes inputs; constant, reflect, edge and
// wrap modes; negative pads crop), any dtype.
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class pad_kernel final : public kernel {
 public:
  explicit pad_kernel(std::string mode) : mode_(std::move(mode)) {}
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    const size_t r = in.rank();
    const std::vector<int64_t> pads = read_int_tensor(args.in.at(1), "pads");
    std::vector<int64_t> axes;
    if (args.input(3).present()) axes = read_int_tensor(args.in[3], "axes");
    else for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
    if (pads.size() != 2 * axes.size())
      fail(MIRT_STATUS_INVALID_ARGUMENT, "pads has ", pads.size(), " entries for ", axes.size(), " axes; expected twice as many");
    dims begin(r, 0);
    for (size_t i = 0; i < axes.size(); ++i) begin[size_t(normalize_axis(axes[i], r, "axes entry"))] = pads[i];
    if (out.numel() == 0) return;

    // Per dim: the input coordinate each output coordinate reads, or -1 for the constant.
    std::vector<std::vector<int64_t>> source(r);
    for (size_t d = 0; d < r; ++d) {
      const int64_t n = in.shape[d];
      for (int64_t o = 0; o < out.shape[d]; ++o) source[d].push_back(map(o - begin[d], n));
    }
    const size_t es = dtype_size(in.dtype);
    std::vector<uint8_t> fill(es, 0);
    if (args.input(2).present() && args.in[2].numel() > 0) std::memcpy(fill.data(), args.in[2].data, es);
    const dims in_strides = dense_strides(in.shape);
    const auto* src = static_cast<const uint8_t*>(in.data);
    auto* dst = static_cast<uint8_t*>(out.data);
    std::vector<int64_t> idx(r, 0);
    for (int64_t i = 0, n = out.numel(); i < n; ++i) {
      int64_t at = 0;
      bool inside = true;
      for (size_t d = 0; d < r && inside; ++d) {
        const int64_t s = source[d][size_t(idx[d])];
        inside = s >= 0;
        at += s * in_strides[d];
      }
      std::memcpy(dst + size_t(i) * es, inside ? src + size_t(at) * es : fill.data(), es);
      for (size_t d = r; d-- > 0;) {  // odometer over the output
        if (++idx[d] < out.shape[d]) break;
        idx[d] = 0;
      }
    }
  }

 private:
  int64_t map(int64_t i, int64_t n) const {
    if (i >= 0 && i < n) return i;
    if (mode_ == "constant" || n == 0) return -1;
    if (mode_ == "edge") return i < 0 ? 0 : n - 1;
    if (mode_ == "wrap") return ((i % n) + n) % n;
    // reflect: mirror about the edge elements (period 2(n-1)).
    if (n == 1) return 0;
    const int64_t period = 2 * (n - 1);
    int64_t m = ((i % period) + period) % period;
    return m < n ? m : period - m;
  }

  std::string mode_;
};

bool pad_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  const std::string mode = node.attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    why = cat("mode '", mode, "'");
    return false;
  }
  return true;
}

}  // namespace

void add_pad_ops(std::vector<op_entry>& t) {
  t.push_back({"Pad", "ref_pad", pad_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<pad_kernel>(node.attr_string("mode", "constant"));
               }});
}

}  // namespace mirt::cpu
