// backends/cpu/ops/reverse_sequence.cpp — ReverseSequence: for each batch entry b, the first
// sequence_lens[b] steps along the time axis are reversed, the rest copied. Any dtype (moves bytes).
#include <cstring>

#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class reverse_sequence_kernel final : public kernel {
 public:
  reverse_sequence_kernel(int64_t batch_axis, int64_t time_axis) : batch_axis_(batch_axis), time_axis_(time_axis) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has rank ", x.rank(), ", expected at least 2");
    const std::vector<int64_t> lens = read_int_tensor(args.in.at(1), "sequence_lens");
    const int64_t batch = x.shape[size_t(batch_axis_)], steps = x.shape[size_t(time_axis_)];
    if (int64_t(lens.size()) != batch)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "sequence_lens has ", lens.size(), " entries, the batch dim is ", batch);
    // The two leading axes are batch and time (in either order); each (batch, step) owns a
    // contiguous block of the remaining dims.
    const size_t block = size_t(product(x.shape, 2)) * dtype_size(x.dtype);
    const auto offset = [&](int64_t b, int64_t t) {
      return size_t(time_axis_ == 0 ? t * batch + b : b * steps + t) * block;
    };
    const auto* src = x.as<const uint8_t>();
    auto* dst = y.as<uint8_t>();
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[size_t(b)];
      if (len < 0 || len > steps)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "sequence_lens[", b, "] is ", len, ", expected 0 to ", steps, " (the time dim)");
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t from = t < len ? len - 1 - t : t;
        if (block > 0) std::memcpy(dst + offset(b, t), src + offset(b, from), block);
      }
    }
  }

 private:
  int64_t batch_axis_, time_axis_;
};

bool reverse_sequence_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
}

}  // namespace

void add_reverse_sequence_ops(std::vector<op_entry>& t) {
  t.push_back({"ReverseSequence", "ref_reverse_sequence", reverse_sequence_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t batch_axis = node.attr_int("batch_axis", 1), time_axis = node.attr_int("time_axis", 0);
                 if ((batch_axis != 0 && batch_axis != 1) || (time_axis != 0 && time_axis != 1) || batch_axis == time_axis)
                   fail(MIRT_STATUS_INVALID_GRAPH, "batch_axis ", batch_axis, " and time_axis ", time_axis, " must be 0 and 1, one each");
                 return std::make_unique<reverse_sequence_kernel>(batch_axis, time_axis);
               }});
}

}  // namespace mirt::cpu
