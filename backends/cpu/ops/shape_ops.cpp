// backends/cpu/ops/shape_ops.cpp — ops that only move or generate data: Reshape and friends, Expand,
// Tile, Shape, Size, ConstantOfShape, Range. Output shapes are the core's; kernels trust them.
#include <algorithm>
#include <cstring>

#include "backends/cpu/broadcast.hpp"
#include "backends/cpu/convert.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// Reshape, Flatten, Squeeze, Unsqueeze, Identity: the bytes are unchanged, only the shape differs.
class copy_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& in = args.in.at(0);
    const tensor& out = args.out.at(0);
    if (in.bytes() != out.bytes())
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(in.shape), " and output ", dims_string(out.shape),
           " differ in size");
    if (out.data != in.data && out.bytes() > 0) std::memmove(out.data, in.data, out.bytes());
  }
};

// Dropout at inference: the identity; the optional mask output is all true.
class dropout_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    if (out.data != in.data && out.bytes() > 0) std::memmove(out.data, in.data, out.bytes());
    if (args.out.size() > 1 && args.out[1].data != nullptr) std::memset(args.out[1].data, 1, args.out[1].bytes());
  }
};

class expand_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    if (out.numel() == 0) return;
    strided_copy(in.data, out.data, dtype_size(out.dtype), out.shape, broadcast_strides(in.shape, out.shape));
  }
};

// Tile is a broadcast over interleaved (repeat, extent) dimensions: out viewed as [r0,d0,r1,d1,...].
class tile_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    if (out.numel() == 0) return;
    const dims in_strides = dense_strides(in.shape);
    dims shape, strides;
    for (size_t d = 0; d < in.rank(); ++d) {
      const int64_t extent = in.shape[d];
      if (extent == 0 || out.shape[d] % extent != 0)
        fail(MIRT_STATUS_INVALID_SHAPE, "output dim ", d, " (", out.shape[d], ") is not a multiple of input dim ", extent);
      shape.insert(shape.end(), {out.shape[d] / extent, extent});
      strides.insert(strides.end(), {0, in_strides[d]});
    }
    strided_copy(in.data, out.data, dtype_size(out.dtype), shape, strides);
  }
};

class shape_kernel final : public kernel {
 public:
  explicit shape_kernel(int64_t start) : start_(start) {}
  void execute(const exec_args& args) const override {
    const tensor &in = args.in.at(0), &out = args.out.at(0);
    const int64_t r = int64_t(in.rank());
    const int64_t start = std::clamp(start_ < 0 ? start_ + r : start_, int64_t(0), r);
    const int64_t n = out.numel();
    if (start + n > r) fail(MIRT_STATUS_INVALID_SHAPE, "output holds ", n, " dims from ", start, " of rank ", r);
    for (int64_t i = 0; i < n; ++i) out.as<int64_t>()[i] = in.shape[size_t(start + i)];
  }

 private:
  int64_t start_;
};

class size_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override { *args.out.at(0).as<int64_t>() = args.in.at(0).numel(); }
};

// Fills the output with the 'value' attribute (absent: 0.0f), converted to the output dtype.
class constant_of_shape_kernel final : public kernel {
 public:
  constant_of_shape_kernel(double fvalue, int64_t ivalue, bool is_int) : f_(fvalue), i_(ivalue), is_int_(is_int) {}
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    dispatch_any(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T v = is_int_ ? convert<T>(i_) : convert<T>(f_);
      T* o = out.as<T>();
      std::fill(o, o + out.numel(), v);
    });
  }

 private:
  double f_;
  int64_t i_;
  bool is_int_;
};

std::unique_ptr<kernel> create_constant_of_shape(const node_view& node) {
  const mirt_attribute* a = node.find("value");
  const bool is_int = a != nullptr && (a->type == MIRT_ATTRIBUTE_TYPE_INT || a->type == MIRT_ATTRIBUTE_TYPE_INTS);
  return std::make_unique<constant_of_shape_kernel>(is_int || a == nullptr ? 0.0 : double(node.attr_float("value", 0)),
                                                    is_int ? node.attr_int("value", 0) : 0, is_int);
}

// Range(start, limit, delta): out[i] = start + i * delta for the output's (inferred) length.
class range_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const tensor& out = args.out.at(0);
    if (out.dtype == MIRT_DTYPE_FLOAT16 || out.dtype == MIRT_DTYPE_BFLOAT16) {  // computed in float32, each value rounded once
      const auto load16 = [&](size_t i) {
        const uint16_t bits = args.in.at(i).as<const uint16_t>()[0];
        return out.dtype == MIRT_DTYPE_FLOAT16 ? half_to_float(bits) : bfloat16_to_float(bits);
      };
      const float start = load16(0), delta = load16(2);
      uint16_t* o = out.as<uint16_t>();
      for (int64_t i = 0, n = out.numel(); i < n; ++i) {
        const float v = start + float(i) * delta;
        o[i] = out.dtype == MIRT_DTYPE_FLOAT16 ? float_to_half(v) : float_to_bfloat16(v);
      }
      return;
    }
    dispatch_numeric(out.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = args.in.at(0).as<const T>()[0], delta = args.in.at(2).as<const T>()[0];
      T* o = out.as<T>();
      for (int64_t i = 0, n = out.numel(); i < n; ++i) o[i] = T(start + T(i) * delta);
    });
  }
};

bool any_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) != 0) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}
bool any_output_dtype(const node_view& node, std::string& why) {
  if (dtype_size(node.output_dtype(0)) != 0) return true;
  why = cat("output 0 has dtype ", dtype_name(node.output_dtype(0)));
  return false;
}
bool range_dtypes(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_INT32, MIRT_DTYPE_INT64,
                                  MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why);
}

template <class K>
std::unique_ptr<kernel> make(const node_view&) {
  return std::make_unique<K>();
}

}  // namespace

void add_shape_ops(std::vector<op_entry>& t) {
  for (const char* op : {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"})
    t.push_back({op, "ref_copy", any_dtype, make<copy_kernel>});
  t.push_back({"Dropout", "ref_copy", any_dtype, make<dropout_kernel>});
  t.push_back({"Expand", "ref_expand", any_dtype, make<expand_kernel>});
  t.push_back({"Tile", "ref_tile", any_dtype, make<tile_kernel>});
  t.push_back({"Shape", "ref_shape", [](const node_view&, std::string&) { return true; },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<shape_kernel>(node.attr_int("start", 0));
               }});
  t.push_back({"Size", "ref_size", [](const node_view&, std::string&) { return true; }, make<size_kernel>});
  t.push_back({"ConstantOfShape", "ref_fill", any_output_dtype, create_constant_of_shape});
  t.push_back({"Range", "ref_range", range_dtypes, make<range_kernel>});
}

}  // namespace mirt::cpu
