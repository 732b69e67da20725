// backends/cuda/ops/axis_norms.cpp — Hardmax (axis), LpNormalization (axis, p 1 or 2), LRN (size,
// alpha, beta, bias) and MeanVarianceNormalization (axes) on float32, float64, float16, bfloat16.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/axis_norms.hpp"

namespace mirt::cuda {
namespace {

void check_same_shape(const dtensor& x, const dtensor& y) {
  if (x.shape != y.shape) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), ", expected input 0's ", dims_string(x.shape));
}

class axis_norm_kernel final : public kernel {
 public:
  axis_norm_kernel(axis_norm_kind kind, int64_t axis, int p) : kind_(kind), axis_(axis), p_(p) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    check_same_shape(x, y);
    if (x.rank() == 0) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 is a scalar; the op needs an axis");
    const size_t axis = size_t(normalize_axis(axis_, x.rank()));
    axis_norm_params p;
    p.kind = kind_, p.dtype = x.dtype, p.x = x.data, p.y = y.data, p.p = p_;
    p.outer = product(x.shape, 0, axis), p.n = x.shape[axis], p.inner = product(x.shape, axis + 1);
    throw_if_failed(launch_axis_norm(p, args.stream));
  }

 private:
  axis_norm_kind kind_;
  int64_t axis_;
  int p_;
};

class lrn_kernel final : public kernel {
 public:
  explicit lrn_kernel(lrn_params base) : base_(base) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    check_same_shape(x, y);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), " has no channel dim");
    lrn_params p = base_;
    p.dtype = x.dtype, p.x = x.data, p.y = y.data;
    p.batch = x.shape[0], p.channels = x.shape[1], p.spatial = product(x.shape, 2);
    throw_if_failed(launch_lrn(p, args.stream));
  }

 private:
  lrn_params base_;
};

class mvn_kernel final : public kernel {
 public:
  explicit mvn_kernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    check_same_shape(x, y);
    const size_t r = x.rank();
    if (r > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "rank ", r, " exceeds ", k_max_rank);
    std::vector<bool> reduced(r, false);
    for (int64_t a : axes_) reduced[size_t(normalize_axis(a, r, "attribute 'axes'"))] = true;
    const dims strides = dense_strides(x.shape);
    mvn_params p;
    p.dtype = x.dtype, p.x = x.data, p.y = y.data;
    p.groups = 1, p.count = 1;
    for (size_t d = 0; d < r; ++d) {
      strided_map<1>& m = reduced[d] ? p.reduced : p.kept;
      m.shape[m.rank] = x.shape[d];
      m.strides[0][m.rank] = strides[d];
      ++m.rank;
      (reduced[d] ? p.count : p.groups) *= x.shape[d];
    }
    throw_if_failed(launch_mvn(p, args.stream));
  }

 private:
  std::vector<int64_t> axes_;
};

bool float_data(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

}  // namespace

void add_axis_norm_ops(std::vector<op_entry>& t) {
  t.push_back({"Hardmax", "cuda_hardmax", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<axis_norm_kernel>(axis_norm_kind::hardmax, node.attr_int("axis", -1), 0);
               }});
  t.push_back({"LpNormalization", "cuda_lp_norm", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t p = node.attr_int("p", 2);
                 if (p != 1 && p != 2) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'p' is ", p, ", expected 1 or 2");
                 return std::make_unique<axis_norm_kernel>(axis_norm_kind::lp, node.attr_int("axis", -1), int(p));
               }});
  t.push_back({"LRN", "cuda_lrn", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 lrn_params p;
                 p.size = node.attr_int("size", 0);
                 if (p.size <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'size' is ", p.size, ", expected positive");
                 p.alpha = node.attr_float("alpha", 1e-4f), p.beta = node.attr_float("beta", 0.75f), p.bias = node.attr_float("bias", 1.0f);
                 return std::make_unique<lrn_kernel>(p);
               }});
  t.push_back({"MeanVarianceNormalization", "cuda_mvn", float_data, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<mvn_kernel>(node.attr_ints("axes", {0, 2, 3}));
               }});
}

}  // namespace mirt::cuda
