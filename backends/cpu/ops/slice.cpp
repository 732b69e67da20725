// backends/cpu/ops/slice.cpp — Slice with starts/ends/axes/steps inputs (negative steps, clamping).
#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class slice_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    const size_t r = in.rank();
    const std::vector<int64_t> starts = read_int_tensor(args.in.at(1), "starts");
    const std::vector<int64_t> ends = read_int_tensor(args.in.at(2), "ends");
    std::vector<int64_t> axes, steps;
    if (args.input(3).present()) axes = read_int_tensor(args.in[3], "axes");
    else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (args.input(4).present()) steps = read_int_tensor(args.in[4], "steps");
    else steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      fail(MIRT_STATUS_INVALID_ARGUMENT, "starts, ends, axes and steps have ", starts.size(), ", ", ends.size(), ", ",
           axes.size(), " and ", steps.size(), " entries; they must agree");

    // Per dim: first element and step; untouched dims take everything.
    dims first(r, 0), step(r, 1);
    for (size_t i = 0; i < starts.size(); ++i) {
      const size_t a = size_t(normalize_axis(axes[i], r, "axes entry"));
      const int64_t dim = in.shape[a], s = steps[i];
      if (s == 0) fail(MIRT_STATUS_INVALID_ARGUMENT, "steps entry ", i, " is 0");
      int64_t b = starts[i] < 0 ? starts[i] + dim : starts[i];
      b = s > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, 0, dim - 1);
      first[a] = b;
      step[a] = s;
    }
    if (out.numel() == 0) return;
    const dims in_strides = dense_strides(in.shape);
    int64_t offset = 0;
    dims strides(r);
    for (size_t d = 0; d < r; ++d) {
      // The core inferred the extents; check the last element read stays inside the input.
      const int64_t last = first[d] + (out.shape[d] - 1) * step[d];
      if (last < 0 || last >= in.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "output extent ", out.shape[d], " on dim ", d, " reads outside input ", dims_string(in.shape));
      offset += first[d] * in_strides[d];
      strides[d] = step[d] * in_strides[d];
    }
    const size_t es = dtype_size(in.dtype);
    strided_copy(static_cast<const uint8_t*>(in.data) + offset * int64_t(es), out.data, es, out.shape, strides);
  }
};

bool slice_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

}  // namespace

void add_slice_ops(std::vector<op_entry>& t) {
  t.push_back({"Slice", "ref_slice", slice_supports, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<slice_kernel>();
               }});
}

}  // namespace mirt::cpu
