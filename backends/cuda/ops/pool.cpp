// backends/cuda/ops/pool.cpp — MaxPool (with Indices), AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool.
#include <algorithm>

#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/pool.hpp"

namespace mirt::cuda {
namespace {

int64_t at_or(const dims& v, size_t i, int64_t fallback) { return i < v.size() ? v[i] : fallback; }

class pool_kernel final : public kernel {
 public:
  pool_kernel(const node_view& node, bool is_max, int64_t lp = 0) : is_max_(is_max), lp_(lp) {
    const auto kernel_shape = node.attr_ints("kernel_shape");
    if (!kernel_shape) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'kernel_shape' is required");
    kernel_ = *kernel_shape;
    strides_ = node.attr_ints("strides", {});
    dilations_ = node.attr_ints("dilations", {});
    pads_ = node.attr_ints("pads", {});
    auto_pad_ = node.attr_string("auto_pad", "NOTSET");
    count_include_pad_ = node.attr_int("count_include_pad", 0) != 0;
    storage_order_ = node.attr_int("storage_order", 0);
    nhwc_ = node.attr_string("layout", "") == "NHWC";
  }
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 3 || x.rank() > 5) fail(MIRT_STATUS_UNSUPPORTED, "input rank ", x.rank(), ", supported 3 to 5");
    const size_t sr = x.rank() - 2, lead = 3 - sr;
    pool_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.indices = args.out.size() > 1 && args.out[1].data ? args.out[1].as<int64_t>() : nullptr;
    p.planes = x.shape[0] * x.shape[1];
    p.is_max = is_max_;
    p.count_include_pad = count_include_pad_;
    p.lp = lp_;
    p.column_major_indices = storage_order_ != 0;
    if (nhwc_) {
      if (x.rank() != 4) fail(MIRT_STATUS_UNSUPPORTED, "an NHWC MaxPool needs a 4-D input, got ", dims_string(x.shape));
      p.channels_last = true;
      p.channels = x.shape[1];
    }
    for (size_t i = 0; i < sr; ++i) {
      const size_t a = lead + i;
      p.in[a] = x.shape[2 + i];
      p.out[a] = y.shape[2 + i];
      p.k[a] = at_or(kernel_, i, 1);
      p.s[a] = at_or(strides_, i, 1);
      p.d[a] = at_or(dilations_, i, 1);
      const int64_t span = (p.k[a] - 1) * p.d[a] + 1;
      if (auto_pad_ == "NOTSET") {
        p.pad_begin[a] = at_or(pads_, i, 0);
        p.pad_end[a] = at_or(pads_, sr + i, 0);
      } else if (auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER") {
        const int64_t total = std::max<int64_t>(0, (p.out[a] - 1) * p.s[a] + span - p.in[a]);
        p.pad_begin[a] = auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
        p.pad_end[a] = total - p.pad_begin[a];
      }
    }
    throw_if_failed(launch_pool(p, args.stream));
  }

 private:
  bool is_max_;
  int64_t lp_;
  dims kernel_, strides_, dilations_, pads_;
  std::string auto_pad_;
  bool count_include_pad_ = false;
  int64_t storage_order_ = 0;
  bool nhwc_ = false;
};

class global_pool_kernel final : public kernel {
 public:
  explicit global_pool_kernel(bool is_max) : is_max_(is_max) {}
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() < 2) fail(MIRT_STATUS_INVALID_SHAPE, "input rank ", x.rank(), ", expected at least 2");
    global_pool_params p;
    p.dtype = x.dtype;
    p.x = x.data;
    p.y = y.data;
    p.planes = x.shape[0] * x.shape[1];
    p.size = product(x.shape, 2);
    p.is_max = is_max_;
    throw_if_failed(launch_global_pool(p, args.stream));
  }

 private:
  bool is_max_;
};

bool float_input(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

// mirt::MaxPool with layout NHWC: 2-D, no dilations, no Indices.
bool max_pool_supports(const node_view& node, std::string& why) {
  if (!float_input(node, why)) return false;
  const std::string layout = node.attr_string("layout", "");
  if (layout.empty()) return true;
  if (layout != "NHWC") {
    why = "layout '" + layout + "' is not NHWC";
    return false;
  }
  const std::vector<int64_t> dil = node.attr_ints("dilations", {});
  const bool unit_dilations = std::all_of(dil.begin(), dil.end(), [](int64_t d) { return d == 1; });
  if (to_dims(node.input(0)).size() != 4 || node.num_outputs() != 1 || !unit_dilations) {
    why = "an NHWC MaxPool is 2-D, without dilations or Indices";
    return false;
  }
  return true;
}

}  // namespace

void add_pool_ops(std::vector<op_entry>& t) {
  t.push_back({"MaxPool", "cuda_pool_direct", max_pool_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<pool_kernel>(node, true);
               }});
  t.push_back({"AveragePool", "cuda_pool_direct", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<pool_kernel>(node, false);
               }});
  t.push_back({"LpPool", "cuda_pool_direct", float_input, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const int64_t p = node.attr_int("p", 2);
                 if (p <= 0) fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'p' is ", p, ", expected a positive integer");
                 return std::make_unique<pool_kernel>(node, false, p);
               }});
  t.push_back({"GlobalAveragePool", "cuda_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(false);
               }});
  t.push_back({"GlobalMaxPool", "cuda_global_pool", float_input, [](const node_view&) -> std::unique_ptr<kernel> {
                 return std::make_unique<global_pool_kernel>(true);
               }});
}

}  // namespace mirt::cuda
