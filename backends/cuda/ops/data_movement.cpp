// backends/cuda/ops/data_movement.cpp — Reshape and friends, Transpose, Slice, Concat, Expand,
// Gather, Cast and Shape. Output shapes are the core's; kernels trust them.
#include <algorithm>
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/ops/index_check.hpp"

namespace mirt::cuda {
namespace {

void copy_strided(const void* src, void* dst, size_t es, const dims& shape, const dims& dst_strides,
                  const dims& src_strides, cudaStream_t stream) {
  strided_copy_params p;
  p.src = src;
  p.dst = dst;
  p.element_size = es;
  p.n = product(shape);
  if (p.n == 0) return;
  p.map = make_map<2>(shape, {dst_strides, src_strides});
  throw_if_failed(launch_strided_copy(p, stream));
}

class transpose_kernel final : public kernel {
 public:
  explicit transpose_kernel(std::optional<dims> perm) : perm_(std::move(perm)) {}
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    const size_t r = in.rank();
    if (perm_ && perm_->size() != r) fail(MIRT_STATUS_INVALID_GRAPH, "perm has ", perm_->size(), " entries for rank ", r);
    const dims in_strides = dense_strides(in.shape);
    dims shape(r), strides(r);
    for (size_t i = 0; i < r; ++i) {
      const size_t src = size_t(perm_ ? normalize_axis((*perm_)[i], r, "perm entry") : int64_t(r - 1 - i));
      shape[i] = in.shape[src];
      strides[i] = in_strides[src];
    }
    if (shape != out.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), ", expected ", dims_string(shape));
    copy_strided(in.data, out.data, dtype_size(in.dtype), shape, dense_strides(shape), strides, args.stream);
  }

 private:
  std::optional<dims> perm_;
};

class expand_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    copy_strided(in.data, out.data, dtype_size(out.dtype), out.shape, dense_strides(out.shape),
                 broadcast_strides(in.shape, out.shape), args.stream);
  }
};

// Slice: starts/ends/axes/steps from constants captured at creation, else read from the device.
class slice_kernel final : public kernel {
 public:
  explicit slice_kernel(const node_view& node) {
    for (size_t i = 1; i < 5; ++i) constants_[i - 1] = node.constant_ints(i);
  }
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    auto read = [&](size_t i, const char* what) { return read_int_input(args, i, constants_[i - 1] ? &*constants_[i - 1] : nullptr, what); };
    std::optional<std::vector<int64_t>> axes, steps;
    if (args.input(3).present() || constants_[2]) axes = read(3, "axes");
    if (args.input(4).present() || constants_[3]) steps = read(4, "steps");
    const slice_window w = plan_slice(in.shape, out.shape, read(1, "starts"), read(2, "ends"), std::move(axes),
                                      std::move(steps));
    if (out.numel() == 0) return;
    const size_t es = dtype_size(in.dtype);
    copy_strided(static_cast<const uint8_t*>(in.data) + w.offset * int64_t(es), out.data, es, out.shape,
                 dense_strides(out.shape), w.strides, args.stream);
  }

 private:
  std::optional<std::vector<int64_t>> constants_[4];
};

class concat_kernel final : public kernel {
 public:
  explicit concat_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const dtensor& out = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, out.rank()));
    const size_t es = dtype_size(out.dtype);
    const dims out_strides = dense_strides(out.shape);
    int64_t at = 0;
    for (const dtensor& in : args.in) {
      if (in.rank() != out.rank()) fail(MIRT_STATUS_INVALID_SHAPE, "input rank ", in.rank(), ", expected ", out.rank());
      if (at + in.shape[axis] > out.shape[axis]) fail(MIRT_STATUS_INVALID_SHAPE, "inputs exceed the output extent on axis ", axis);
      if (in.numel() > 0)
        copy_strided(in.data, static_cast<uint8_t*>(out.data) + size_t(at * out_strides[axis]) * es, es, in.shape, out_strides,
                     dense_strides(in.shape), args.stream);
      at += in.shape[axis];
    }
  }

 private:
  int64_t axis_;
};

class gather_kernel final : public kernel {
 public:
  explicit gather_kernel(int64_t axis) : axis_(axis), check_indices_(index_checks_requested()) {}
  void execute(const exec_args& args) const override {
    const dtensor &data = args.in.at(0), &idx = args.in.at(1), &out = args.out.at(0);
    const size_t axis = size_t(normalize_axis(axis_, data.rank()));
    gather_params p;
    p.data = data.data;
    p.indices = idx.data;
    p.indices_int64 = idx.dtype == MIRT_DTYPE_INT64;
    p.out = out.data;
    p.element_size = dtype_size(data.dtype);
    p.outer = product(data.shape, 0, axis);
    p.extent = data.shape[axis];
    p.inner = product(data.shape, axis + 1);
    p.count = idx.numel();
    if (p.outer * p.count * p.inner != out.numel())
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(out.shape), " does not hold the gathered values");
    index_check check(check_indices_, args.stream);
    p.first_bad = check.flag();
    throw_if_failed(launch_gather(p, args.stream));
    if (const int64_t at = check.first_bad(); at >= 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "index ", index_value_at(idx, at, args.stream), " at position ", at, " is out of range for axis ",
           axis, " of extent ", p.extent);
  }

 private:
  int64_t axis_;
  bool check_indices_;  // MIRT_CUDA_CHECK_INDICES (ops/index_check.hpp)
};

class cast_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    if (in.dtype == out.dtype) return make_copy_kernel()->execute(args);
    cast_params p;
    p.in = in.data;
    p.out = out.data;
    p.from = in.dtype;
    p.to = out.dtype;
    p.n = out.numel();
    throw_if_failed(launch_cast(p, args.stream));
  }
};

class shape_kernel final : public kernel {
 public:
  explicit shape_kernel(int64_t start) : start_(start) {}
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    const int64_t r = int64_t(in.rank());
    const int64_t start = std::clamp(start_ < 0 ? start_ + r : start_, int64_t(0), r);
    const int64_t n = out.numel();
    if (start + n > r) fail(MIRT_STATUS_INVALID_SHAPE, "output holds ", n, " dims from ", start, " of rank ", r);
    fill_int64_params p;
    p.out = out.as<int64_t>();
    p.count = int(n);
    for (int64_t i = 0; i < n; ++i) p.values[i] = in.shape[size_t(start + i)];
    throw_if_failed(launch_fill_int64(p, args.stream));
  }

 private:
  int64_t start_;
};

bool any_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

bool index_inputs(const node_view& node, std::string& why) {
  if (!any_dtype(node, why)) return false;
  for (size_t i = 1; i < node.num_inputs(); ++i)
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

bool cast_supports(const node_view& node, std::string& why) {
  for (const mirt_dtype dt : {node.input_dtype(0), node.output_dtype(0)})
    if (dtype_size(dt) == 0) {
      why = cat("dtype ", dtype_name(dt), " cannot be cast");
      return false;
    }
  return true;
}

template <class K>
std::unique_ptr<kernel> make(const node_view&) {
  return std::make_unique<K>();
}

}  // namespace

void add_data_movement_ops(std::vector<op_entry>& t) {
  for (const char* op : {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"})
    t.push_back({op, "cuda_copy", any_dtype, [](const node_view&) { return make_copy_kernel(); }});
  t.push_back({"Transpose", "cuda_transpose_strided", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<transpose_kernel>(node.attr_ints("perm"));
               }});
  t.push_back({"Expand", "cuda_expand", any_dtype, make<expand_kernel>});
  t.push_back({"Slice", "cuda_slice", index_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<slice_kernel>(node);
               }});
  t.push_back({"Concat", "cuda_concat", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<concat_kernel>(node.attr_int("axis", 0));
               }});
  t.push_back({"Gather", "cuda_gather", index_inputs, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<gather_kernel>(node.attr_int("axis", 0));
               }});
  t.push_back({"Cast", "cuda_cast", cast_supports, make<cast_kernel>});
  t.push_back({"CastLike", "cuda_cast", cast_supports, make<cast_kernel>});
  // BitCast: the bytes as they are (the core checked that the element sizes agree).
  t.push_back({"BitCast", "cuda_copy", cast_supports, [](const node_view&) { return make_copy_kernel(); }});
  t.push_back({"Shape", "cuda_shape", [](const node_view&, std::string&) { return true; },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<shape_kernel>(node.attr_int("start", 0));
               }});
}

}  // namespace mirt::cuda
