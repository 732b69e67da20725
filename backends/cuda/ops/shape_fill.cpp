// backends/cuda/ops/shape_fill.cpp — Split, Pad, Tile, Dropout (inference: the identity), Size,
// ConstantOfShape and Range. Output shapes are the core's; kernels trust them (Split's extents and
// Tile's repeats are read off the outputs).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstring>
#include <optional>

#include "backends/cuda/check.hpp"
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/indexing.hpp"

namespace mirt::cuda {
namespace {

class split_kernel final : public kernel {
 public:
  explicit split_kernel(int64_t axis) : axis_(axis) {}
  void execute(const exec_args& args) const override {
    const dtensor& in = args.in.at(0);
    const size_t axis = size_t(normalize_axis(axis_, in.rank()));
    const size_t outer = size_t(product(in.shape, 0, axis));
    const size_t es = dtype_size(in.dtype), inner = size_t(product(in.shape, axis + 1)) * es;
    const size_t in_row = size_t(in.shape[axis]) * inner;
    size_t at = 0;
    for (const dtensor& out : args.out) {
      if (out.rank() != in.rank()) fail(MIRT_STATUS_INVALID_SHAPE, "output rank ", out.rank(), ", expected ", in.rank());
      const size_t row = size_t(out.shape[axis]) * inner;
      if (at + row > in_row) fail(MIRT_STATUS_INVALID_SHAPE, "outputs exceed the input extent on axis ", axis);
      if (row > 0 && outer > 0 && out.data != nullptr)
        cuda_check(cudaMemcpy2DAsync(out.data, row, static_cast<const uint8_t*>(in.data) + at, in_row, row, outer,
                                     cudaMemcpyDeviceToDevice, args.stream),
                   "copying split output of ", dims_string(out.shape));
      at += row;
    }
  }

 private:
  int64_t axis_;
};

// Pad (pads from input 1, or the attribute of opsets before 11) and Tile (wrap from 0).
class pad_kernel final : public kernel {
 public:
  pad_kernel(const node_view& node, bool tile) : tile_(tile) {
    if (tile) {
      mode_ = pad_mode::wrap;
      return;
    }
    const std::string mode = node.attr_string("mode", "constant");
    if (mode == "constant") mode_ = pad_mode::constant;
    else if (mode == "reflect") mode_ = pad_mode::reflect;
    else if (mode == "edge") mode_ = pad_mode::edge;
    else if (mode == "wrap") mode_ = pad_mode::wrap;
    else fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'mode' is '", mode, "', expected constant, reflect, edge or wrap");
    pads_ = node.constant_ints(1);
    if (!node.has_input(1)) attr_pads_ = node.attr_ints("pads");
    axes_ = node.constant_ints(3);
    if (node.has_attr("value") && node.input_dtype(0) == MIRT_DTYPE_FLOAT32) {
      const float v = node.attr_float("value", 0);
      attr_fill_ = device_buffer(&v, sizeof v, "Pad's value");
    }
  }

  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    const size_t r = in.rank();
    if (out.rank() != r) fail(MIRT_STATUS_INVALID_SHAPE, "output rank ", out.rank(), ", expected ", r);
    if (r > size_t(k_max_rank)) fail(MIRT_STATUS_UNSUPPORTED, "rank ", r, " exceeds ", k_max_rank);
    pad_params p;
    if (!tile_) {
      const std::vector<int64_t> pads = attr_pads_ ? *attr_pads_ : read_int_input(args, 1, pads_ ? &*pads_ : nullptr, "pads");
      std::vector<int64_t> axes;
      if (args.input(3).present() || axes_) axes = read_int_input(args, 3, axes_ ? &*axes_ : nullptr, "axes");
      else
        for (size_t i = 0; i < r; ++i) axes.push_back(int64_t(i));
      if (pads.size() != 2 * axes.size())
        fail(MIRT_STATUS_INVALID_ARGUMENT, "pads has ", pads.size(), " entries for ", axes.size(), " axes; expected twice as many");
      for (size_t i = 0; i < axes.size(); ++i) p.begin[normalize_axis(axes[i], r, "axes entry")] = pads[i];
      if (args.input(2).present() && args.in[2].numel() > 0) p.fill = args.in[2].data;
      else if (attr_fill_) p.fill = attr_fill_.get();
    }
    const dims strides = dense_strides(in.shape);
    for (size_t d = 0; d < r; ++d) {
      p.out_shape[d] = out.shape[d];
      p.in_shape[d] = in.shape[d];
      p.in_strides[d] = strides[d];
    }
    p.in = in.data;
    p.out = out.data;
    p.element_size = dtype_size(in.dtype);
    p.mode = mode_;
    p.rank = int(r);
    p.n = out.numel();
    if (p.n == 0) return;
    if (in.numel() == 0 && mode_ != pad_mode::constant) fail(MIRT_STATUS_INVALID_SHAPE, "cannot ", tile_ ? "tile" : "pad", " an empty input");
    throw_if_failed(launch_pad(p, args.stream));
  }

 private:
  bool tile_;
  pad_mode mode_ = pad_mode::constant;
  std::optional<std::vector<int64_t>> pads_, attr_pads_, axes_;
  device_buffer attr_fill_;
};

class dropout_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    make_copy_kernel()->execute(args);
    if (args.out.size() > 1 && args.out[1].data != nullptr && args.out[1].bytes() > 0)
      cuda_check(cudaMemsetAsync(args.out[1].data, 1, args.out[1].bytes(), args.stream), "filling Dropout's mask");
  }
};

class fill_kernel final : public kernel {
 public:
  explicit fill_kernel(fill_params p) : base_(p) {}
  void execute(const exec_args& args) const override {
    const dtensor& out = args.out.at(0);
    fill_params p = base_;
    p.out = out.data;
    p.n = out.numel();
    throw_if_failed(launch_fill(p, args.stream));
  }

 private:
  fill_params base_;
};

// ConstantOfShape's value (absent: 0.0f) converted to the output dtype, as element bytes.
std::unique_ptr<kernel> create_constant_of_shape(const node_view& node) {
  const mirt_attribute* a = node.find("value");
  const bool is_int = a != nullptr && (a->type == MIRT_ATTRIBUTE_TYPE_INT || a->type == MIRT_ATTRIBUTE_TYPE_INTS);
  const double f = is_int ? double(node.attr_int("value", 0)) : a == nullptr ? 0.0 : double(node.attr_float("value", 0));
  const int64_t i = is_int ? node.attr_int("value", 0) : int64_t(f);
  fill_params p;
  const mirt_dtype dt = node.output_dtype(0);
  p.element_size = dtype_size(dt);
  auto put = [&](auto v) { std::memcpy(&p.pattern, &v, sizeof v); };
  switch (dt) {
    case MIRT_DTYPE_FLOAT32: put(float(f)); break;
    case MIRT_DTYPE_FLOAT64: put(f); break;
    case MIRT_DTYPE_FLOAT16: put(static_cast<__half_raw>(__float2half_rn(float(f))).x); break;
    case MIRT_DTYPE_BFLOAT16: put(static_cast<__nv_bfloat16_raw>(__float2bfloat16_rn(float(f))).x); break;
    case MIRT_DTYPE_BOOL: put(uint8_t(f != 0)); break;
    case MIRT_DTYPE_INT8: put(int8_t(i)); break;
    case MIRT_DTYPE_UINT8: put(uint8_t(i)); break;
    case MIRT_DTYPE_INT32: put(int32_t(i)); break;
    case MIRT_DTYPE_INT64: put(i); break;
    default: fail(MIRT_STATUS_UNSUPPORTED, "output dtype ", dtype_name(dt));
  }
  return std::make_unique<fill_kernel>(p);
}

class size_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    fill_int64_params p;
    p.out = args.out.at(0).as<int64_t>();
    p.count = 1;
    p.values[0] = args.in.at(0).numel();
    throw_if_failed(launch_fill_int64(p, args.stream));
  }
};

class range_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor& out = args.out.at(0);
    range_params p;
    p.dtype = out.dtype;
    p.start = args.in.at(0).data;
    p.delta = args.in.at(2).data;
    p.out = out.data;
    p.n = out.numel();
    throw_if_failed(launch_range(p, args.stream));
  }
};

bool any_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

bool pad_supports(const node_view& node, std::string& why) {
  if (!any_dtype(node, why)) return false;
  const std::string mode = node.attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    why = cat("mode '", mode, "'");
    return false;
  }
  if (node.has_attr("value") && node.input_dtype(0) != MIRT_DTYPE_FLOAT32 && !node.has_input(1)) {
    why = "the 'value' attribute (opset < 11) on a non-float32 input";
    return false;
  }
  for (size_t i : {size_t(1), size_t(3)})
    if (node.has_input(i) && !input_dtype_in(node, i, {MIRT_DTYPE_INT64, MIRT_DTYPE_INT32}, why)) return false;
  return !node.has_input(2) || input_dtype_in(node, 2, {node.input_dtype(0)}, why);
}

bool constant_of_shape_supports(const node_view& node, std::string& why) {
  switch (node.output_dtype(0)) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_FLOAT64: case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: case MIRT_DTYPE_BOOL:
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_INT32: case MIRT_DTYPE_INT64: return true;
    default: why = cat("output dtype ", dtype_name(node.output_dtype(0))); return false;
  }
}

bool range_supports(const node_view& node, std::string& why) {
  for (size_t i = 0; i < 3; ++i)
    if (!input_dtype_in(node, i, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why)) return false;
  return true;
}

bool dropout_supports(const node_view& node, std::string& why) {
  if (!any_dtype(node, why)) return false;
  // training_mode given as a constant true would need random masks: refused, not ignored.
  if (const void* t = node.constant(2); t != nullptr && node.input_dtype(2) == MIRT_DTYPE_BOOL && *static_cast<const uint8_t*>(t) != 0) {
    why = "training_mode is true (inference only)";
    return false;
  }
  return true;
}

template <class K>
std::unique_ptr<kernel> make(const node_view&) {
  return std::make_unique<K>();
}

}  // namespace

void add_shape_fill_ops(std::vector<op_entry>& t) {
  t.push_back({"Split", "cuda_split_copy2d", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<split_kernel>(node.attr_int("axis", 0));
               }});
  t.push_back({"Pad", "cuda_pad", pad_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<pad_kernel>(node, false);
               }});
  t.push_back({"Tile", "cuda_tile", any_dtype, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<pad_kernel>(node, true);
               }});
  t.push_back({"Dropout", "cuda_copy", dropout_supports, make<dropout_kernel>});
  t.push_back({"Size", "cuda_size", [](const node_view&, std::string&) { return true; }, make<size_kernel>});
  t.push_back({"ConstantOfShape", "cuda_fill", constant_of_shape_supports, create_constant_of_shape});
  t.push_back({"Range", "cuda_range", range_supports, make<range_kernel>});
}

}  // namespace mirt::cuda
