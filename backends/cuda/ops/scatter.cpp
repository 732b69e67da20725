// backends/cuda/ops/scatter.cpp — GatherND (batch_dims), ScatterND and ScatterElements (reduction
// none on any dtype; add, mul, max, min on int32/int64, max and min on float32: the atomics that
// give the same result in any order). int32 or int64 indices.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/index_ops.hpp"
#include "backends/cuda/ops/index_check.hpp"

namespace mirt::cuda {
namespace {

scatter_reduction parse_reduction(const node_view& node) {
  const std::string r = node.attr_string("reduction", "none");
  if (r == "none") return scatter_reduction::none;
  if (r == "add") return scatter_reduction::add;
  if (r == "mul") return scatter_reduction::mul;
  if (r == "max") return scatter_reduction::max;
  if (r == "min") return scatter_reduction::min;
  fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'reduction' is '", r, "', expected none, add, mul, max or min");
}

// Fails naming the out-of-range index at flat position `at` of idx (tuples of k), which indexes
// data dims from `first` on, when a checked call found one (at >= 0).
void fail_if_bad_tuple(int64_t at, const dtensor& idx, const dtensor& data, size_t first, int64_t k, cudaStream_t stream) {
  if (at < 0) return;
  const size_t axis = first + size_t(at % k);
  fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", index_value_at(idx, at, stream), " at position ", at, " (tuple ", at / k, ", entry ",
       at % k, ") is out of range for axis ", axis, " of extent ", data.shape[axis]);
}

// The extents and strides of data dims [first, first + k) into p's arrays.
template <class P>
void indexed_dims(P& p, const dims& shape, size_t first, int64_t k) {
  if (k < 0 || first + size_t(k) > shape.size())
    fail(MIRT_STATUS_INVALID_SHAPE, "index tuples of length ", k, " do not fit data ", dims_string(shape));
  const dims strides = dense_strides(shape);
  for (int64_t j = 0; j < k; ++j) p.extent[j] = shape[first + size_t(j)], p.stride[j] = strides[first + size_t(j)];
}

class gather_nd_kernel final : public kernel {
 public:
  explicit gather_nd_kernel(int64_t batch_dims) : batch_(batch_dims), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const size_t b = size_t(batch_);
    if (idx.rank() < 1 || b >= idx.rank() || b >= data.rank())
      fail(MIRT_STATUS_INVALID_SHAPE, "batch_dims ", batch_, " with data ", dims_string(data.shape), " and indices ", dims_string(idx.shape));
    for (size_t d = 0; d < b; ++d)
      if (idx.shape[d] != data.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "indices ", dims_string(idx.shape), " differ from data ", dims_string(data.shape), " in the batch dims");
    gather_nd_params p;
    p.k = idx.shape.back();
    indexed_dims(p, data.shape, b, p.k);
    p.data = data.data;
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.out = out.data;
    p.element_size = dtype_size(data.dtype);
    p.batches = product(data.shape, 0, b);
    p.tuples_per_batch = product(idx.shape, b, idx.rank() - 1);
    p.slice = product(data.shape, b + size_t(p.k));
    p.data_batch = product(data.shape, b);
    if (out.numel() != p.batches * p.tuples_per_batch * p.slice)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), " does not hold the gathered slices");
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_gather_nd(p, args.stream));
    fail_if_bad_tuple(check.first_bad(), idx, data, b, p.k, args.stream);
  }

 private:
  int64_t batch_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

class scatter_nd_kernel final : public kernel {
 public:
  explicit scatter_nd_kernel(scatter_reduction r) : red_(r), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &data = args.in.at(0), &idx = args.in.at(1), &upd = args.in.at(2), &out = args.out.at(0);
    if (out.shape != data.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), ", expected ", dims_string(data.shape));
    if (idx.rank() < 1) fail(MIRT_STATUS_INVALID_SHAPE, "indices are a scalar");
    scatter_nd_params p;
    p.k = idx.shape.back();
    indexed_dims(p, data.shape, 0, p.k);
    p.dtype = data.dtype;
    p.element_size = dtype_size(data.dtype);
    p.data = data.data;
    p.out = out.data;
    p.data_n = data.numel();
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.updates = upd.data;
    p.tuples = product(idx.shape, 0, idx.rank() - 1);
    p.slice = product(data.shape, size_t(p.k));
    p.reduction = red_;
    if (upd.numel() != p.tuples * p.slice)
      fail(MIRT_STATUS_INVALID_SHAPE, "updates have ", upd.numel(), " elements, expected ", p.tuples * p.slice);
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_scatter_nd(p, args.stream));
    fail_if_bad_tuple(check.first_bad(), idx, data, 0, p.k, args.stream);
  }

 private:
  scatter_reduction red_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

class scatter_elements_kernel final : public kernel {
 public:
  scatter_elements_kernel(int64_t axis, scatter_reduction r) : axis_(axis), red_(r), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &data = args.in.at(0), &idx = args.in.at(1), &upd = args.in.at(2), &out = args.out.at(0);
    const size_t r = data.rank();
    if (out.shape != data.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), ", expected ", dims_string(data.shape));
    if (upd.shape != idx.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "updates have shape ", dims_string(upd.shape), ", indices ", dims_string(idx.shape));
    if (idx.rank() != r) fail(MIRT_STATUS_INVALID_SHAPE, "indices rank ", idx.rank(), ", expected ", r);
    if (r > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "rank ", r, " exceeds ", k_max_rank);
    scatter_elements_params p;
    p.axis = int(normalize_axis(axis_, r, "attribute 'axis'"));
    for (size_t d = 0; d < r; ++d)
      if (int(d) != p.axis && idx.shape[d] > data.shape[d])
        fail(MIRT_STATUS_INVALID_SHAPE, "indices have shape ", dims_string(idx.shape), ", beyond the data's ", dims_string(data.shape));
    p.dtype = data.dtype;
    p.element_size = dtype_size(data.dtype);
    p.data = data.data;
    p.out = out.data;
    p.data_n = data.numel();
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.updates = upd.data;
    p.rank = int(r);
    p.n = idx.numel();
    p.extent = data.shape[size_t(p.axis)];
    const dims strides = dense_strides(data.shape);
    for (size_t d = 0; d < r; ++d) p.shape[d] = idx.shape[d], p.data_strides[d] = strides[d];
    p.reduction = red_;
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_scatter_elements(p, args.stream));
    if (const int64_t at = check.first_bad(); at >= 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", index_value_at(idx, at, args.stream), " at position ", at, " is out of range for axis ",
           p.axis, " of extent ", p.extent);
  }

 private:
  int64_t axis_;
  scatter_reduction red_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

bool gather_nd_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  if (node.attr_int("batch_dims", 0) < 0) {
    why = "a negative batch_dims";
    return false;
  }
  return input_dtype_in(node, 1, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why);
}

bool scatter_supports(const node_view& node, std::string& why) {
  if (!gather_nd_supports(node, why) || !input_dtype_in(node, 2, {node.input_dtype(0)}, why)) return false;
  const std::string r = node.attr_string("reduction", "none");
  const mirt_dtype t = node.input_dtype(0);
  if (r == "none" || t == MIRT_DTYPE_INT32 || t == MIRT_DTYPE_INT64) return true;
  if (t == MIRT_DTYPE_FLOAT32 && (r == "max" || r == "min")) return true;
  why = cat("reduction '", r, "' on ", dtype_name(t), " data: parallel float sums and products depend on the order of duplicate "
            "indices (cuda takes add/mul on int32/int64, max/min on int32/int64/float32)");
  return false;
}

}  // namespace

void add_scatter_ops(std::vector<op_entry>& t) {
  t.push_back({"GatherND", "cuda_gather_nd", gather_nd_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_nd_kernel>(node.attr_int("batch_dims", 0));
               }});
  t.push_back({"ScatterND", "cuda_scatter_nd", scatter_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<scatter_nd_kernel>(parse_reduction(node));
               }});
  t.push_back({"ScatterElements", "cuda_scatter_elements", scatter_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<scatter_elements_kernel>(node.attr_int("axis", 0), parse_reduction(node));
               }});
}

}  // namespace mirt::cuda
