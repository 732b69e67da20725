// backends/cuda/ops/select.cpp — ArgMax, ArgMin, TopK (any axis, sorted; K read off the output
// shape) and GatherElements.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/indexing.hpp"
#include "backends/cuda/ops/index_check.hpp"

namespace mirt::cuda {
namespace {

struct axis_view {
  int64_t outer, n, inner;
};

axis_view split_at(const dims& shape, int64_t axis_attr) {
  const size_t axis = size_t(normalize_axis(axis_attr, shape.size(), "attribute 'axis'"));
  return {product(shape, 0, axis), shape[axis], product(shape, axis + 1)};
}

class arg_kernel final : public kernel {
 public:
  arg_kernel(bool is_max, int64_t axis, bool last) : max_(is_max), axis_(axis), last_(last) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const axis_view v = split_at(x.shape, axis_);
    if (v.outer * v.inner != y.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold the reduction of ", dims_string(x.shape));
    if (v.n == 0 && y.numel() > 0) fail(MIRT_STATUS_INVALID_SHAPE, "cannot take an arg-extremum over an empty axis");
    arg_reduce_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.out = y.as<int64_t>();
    p.outer = v.outer;
    p.n = v.n;
    p.inner = v.inner;
    p.max = max_;
    p.select_last = last_;
    throw_if_failed(launch_arg_reduce(p, args.stream));
  }

 private:
  bool max_;
  int64_t axis_;
  bool last_;
};

class topk_kernel final : public kernel {
 public:
  topk_kernel(int64_t axis, bool largest) : axis_(axis), largest_(largest) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &values = args.out.at(0);
    const axis_view v = split_at(x.shape, axis_);
    const size_t axis = size_t(normalize_axis(axis_, x.rank(), "attribute 'axis'"));
    if (values.rank() != x.rank()) fail(MIRT_STATUS_INVALID_SHAPE, "output 0 rank ", values.rank(), ", expected ", x.rank());
    topk_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.values = values.data;
    p.indices = args.out.size() > 1 && args.out[1].data != nullptr ? args.out[1].as<int64_t>() : nullptr;
    p.outer = v.outer;
    p.n = v.n;
    p.inner = v.inner;
    p.k = values.shape[axis];
    p.largest = largest_;
    if (p.k > p.n) fail(MIRT_STATUS_INVALID_ARGUMENT, "K is ", p.k, ", the axis has ", p.n, " values");
    throw_if_failed(launch_topk(p, args.stream));
  }

 private:
  int64_t axis_;
  bool largest_;
};

class gather_elements_kernel final : public kernel {
 public:
  explicit gather_elements_kernel(int64_t axis) : axis_(axis), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const size_t r = data.rank();
    if (idx.rank() != r) fail(MIRT_STATUS_INVALID_SHAPE, "indices rank ", idx.rank(), ", expected ", r);
    if (r > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "rank ", r, " exceeds ", k_max_rank);
    if (out.shape != idx.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), ", expected ", dims_string(idx.shape));
    gather_elements_params p;
    p.axis = int(normalize_axis(axis_, r, "attribute 'axis'"));
    p.data = data.data;
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.out = out.data;
    p.element_size = dtype_size(data.dtype);
    p.rank = int(r);
    p.n = out.numel();
    p.extent = data.shape[size_t(p.axis)];
    const dims strides = dense_strides(data.shape);
    for (size_t d = 0; d < r; ++d) {
      p.shape[d] = idx.shape[d];
      p.data_strides[d] = strides[d];
    }
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_gather_elements(p, args.stream));
    if (const int64_t at = check.first_bad(); at >= 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", index_value_at(idx, at, args.stream), " at position ", at, " is out of range for axis ",
           p.axis, " of extent ", p.extent);
  }

 private:
  int64_t axis_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

bool ordered(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0,
                        {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64},
                        why);
}

bool topk_supports(const node_view& node, std::string& why) {
  if (!ordered(node, why)) return false;
  // sorted=0 allows any order; the sorted one is a valid answer, so it is not refused.
  return !node.has_input(1) || input_dtype_in(node, 1, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

bool gather_elements_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

}  // namespace

void add_select_ops(std::vector<op_entry>& t) {
  for (const char* op : {"ArgMax", "ArgMin"})
    t.push_back({op, "cuda_arg_reduce", ordered, [](const node_view& node) -> std::unique_ptr<kernel> {
                   return std::make_unique<arg_kernel>(node.op_type() == "ArgMax", node.attr_int("axis", 0),
                                                       node.attr_int("select_last_index", 0) != 0);
                 }});
  t.push_back({"TopK", "cuda_topk_rank", topk_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<topk_kernel>(node.attr_int("axis", -1), node.attr_int("largest", 1) != 0);
               }});
  t.push_back({"GatherElements", "cuda_gather_elements", gather_elements_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_elements_kernel>(node.attr_int("axis", 0));
               }});
}

}  // namespace mirt::cuda
