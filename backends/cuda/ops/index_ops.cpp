// backends/cuda/ops/index_ops.cpp — DepthToSpace (DCR, CRD) and SpaceToDepth as one strided copy
// (a 6-D transpose of the input seen through a reshape), Trilu and OneHot. Any dtype.
#include <array>
#include <optional>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/index_ops.hpp"

namespace mirt::cuda {
namespace {

class depth_space_kernel final : public kernel {
 public:
  depth_space_kernel(bool to_space, bool crd, int64_t block) : to_space_(to_space), crd_(crd), b_(block) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() != 4) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " is not 4-D (N, C, H, W)");
    const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], b = b_;
    // view: the input as 6-D; perm: output dim i is view dim perm[i].
    std::array<int64_t, 6> view;
    std::array<int, 6> perm;
    dims want;
    if (to_space_) {
      if (c % (b * b) != 0) fail(MIRT_STATUS_INVALID_SHAPE, "channels ", c, " are not a multiple of blocksize^2 = ", b * b);
      if (crd_) view = {n, c / (b * b), b, b, h, w}, perm = {0, 1, 4, 2, 5, 3};
      else view = {n, b, b, c / (b * b), h, w}, perm = {0, 3, 4, 1, 5, 2};
      want = {n, c / (b * b), h * b, w * b};
    } else {
      if (h % b != 0 || w % b != 0) fail(MIRT_STATUS_INVALID_SHAPE, "height ", h, " and width ", w, " are not multiples of blocksize ", b);
      view = {n, c, h / b, b, w / b, b}, perm = {0, 3, 5, 1, 2, 4};
      want = {n, c * b * b, h / b, w / b};
    }
    if (y.shape != want) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(want));
    dims vstride(6), out_dims(6), src_stride(6);
    vstride[5] = 1;
    for (int d = 4; d >= 0; --d) vstride[size_t(d)] = vstride[size_t(d) + 1] * view[size_t(d) + 1];
    for (size_t i = 0; i < 6; ++i) out_dims[i] = view[size_t(perm[i])], src_stride[i] = vstride[size_t(perm[i])];
    strided_copy_params p;
    p.src = x.data;
    p.dst = y.data;
    p.element_size = dtype_size(x.dtype);
    p.n = product(out_dims);
    if (p.n == 0) return;
    p.map = make_map<2>(out_dims, {dense_strides(out_dims), src_stride});
    throw_if_failed(launch_strided_copy(p, args.stream));
  }

 private:
  bool to_space_, crd_;
  int64_t b_;
};

class trilu_kernel final : public kernel {
 public:
  trilu_kernel(bool upper, std::optional<std::vector<int64_t>> k) : upper_(upper), k_(std::move(k)) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(x.shape), " has rank < 2");
    if (y.shape != x.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected ", dims_string(x.shape));
    trilu_params p;
    if (args.input(1).present() || k_) {
      const std::vector<int64_t> k = read_int_input(args, 1, k_ ? &*k_ : nullptr, "input 1 (k)");
      if (k.size() != 1) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 1 (k) has ", k.size(), " values, expected 1");
      p.k = k[0];
    }
    p.x = x.data;
    p.y = y.data;
    p.element_size = dtype_size(x.dtype);
    p.rows = x.shape[x.rank() - 2];
    p.cols = x.shape[x.rank() - 1];
    p.mats = product(x.shape, 0, x.rank() - 2);
    p.upper = upper_;
    throw_if_failed(launch_trilu(p, args.stream));
  }

 private:
  bool upper_;
  std::optional<std::vector<int64_t>> k_;
};

// The depth is read off the output shape (the core computed it from input 1), so the call never
// waits for the device.
class one_hot_kernel final : public kernel {
 public:
  explicit one_hot_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const dtensor &idx = args.in.at(0), &values = args.in.at(2), &y = args.out.at(0);
    if (values.numel() != 2) fail(MIRT_STATUS_INVALID_ARGUMENT, "input 2 (values) has ", values.numel(), " values, expected 2 (off, on)");
    const size_t axis = size_t(normalize_axis(axis_, idx.rank() + 1, "attribute 'axis'"));
    if (y.rank() != idx.rank() + 1) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " for indices ", dims_string(idx.shape));
    dims want = idx.shape;
    want.insert(want.begin() + std::ptrdiff_t(axis), y.shape[axis]);
    if (want != y.shape || y.shape[axis] < 1)
      fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " does not hold indices ", dims_string(idx.shape), " at axis ", axis);
    one_hot_params p;
    p.indices = idx.data;
    p.index_dtype = idx.dtype;
    p.values = values.data;
    p.out = y.data;
    p.element_size = dtype_size(y.dtype);
    p.outer = product(idx.shape, 0, axis);
    p.depth = y.shape[axis];
    p.inner = product(idx.shape, axis);
    throw_if_failed(launch_one_hot(p, args.stream));
  }

 private:
  int64_t axis_;
};

bool sized(const node_view& node, size_t i, std::string& why) {
  if (dtype_size(node.input_dtype(i)) != 0) return true;
  why = cat("input ", i, " has dtype ", dtype_name(node.input_dtype(i)));
  return false;
}

bool depth_space_supports(const node_view& node, std::string& why) { return sized(node, 0, why); }

bool trilu_supports(const node_view& node, std::string& why) {
  return sized(node, 0, why) && (!node.has_input(1) || input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why));
}

bool one_hot_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32, MIRT_DTYPE_FLOAT32}, why) && sized(node, 2, why);
}

int64_t blocksize_of(const node_view& node) {
  const int64_t b = node.attr_int("blocksize", 0);
  if (b < 1) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'blocksize' is ", b, ", expected positive");
  return b;
}

}  // namespace

void add_index_ops(std::vector<op_entry>& t) {
  t.push_back({"DepthToSpace", "cuda_depth_space_strided", depth_space_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string mode = node.attr_string("mode", "DCR");
                 if (mode != "DCR" && mode != "CRD") fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected DCR or CRD");
                 return std::make_unique<depth_space_kernel>(true, mode == "CRD", blocksize_of(node));
               }});
  t.push_back({"SpaceToDepth", "cuda_depth_space_strided", depth_space_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<depth_space_kernel>(false, false, blocksize_of(node));
               }});
  t.push_back({"Trilu", "cuda_trilu", trilu_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<trilu_kernel>(node.attr_int("upper", 1) != 0, node.constant_ints(1));
               }});
  t.push_back({"OneHot", "cuda_one_hot", one_hot_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<one_hot_kernel>(node.attr_int("axis", -1));
               }});
}

}  // namespace mirt::cuda
