// plugins/examples/cpp_l2_norm/l2_norm.cpp — a layer plugin in C++ over the public headers only
// (mirt/plugin.hpp wraps mirt/plugin.h): op `L2NormLastAxis` in namespace `com.example`, version 1,
//
//     y[..., 0] = sqrt(sum_k x[..., k]^2 + eps)      (float32; keepdims=0 drops the last axis)
//
// Unlike an elementwise op it changes the shape, so it answers output_shapes itself; mirt asks it
// for every shape it needs (declared, each profile's min/opt/max, and at run time).
// Build: c++ -std=c++17 -shared -fPIC $(pkg-config --cflags mirt) l2_norm.cpp -o libl2_norm.so
#include <cmath>

#include "mirt/plugin.hpp"

namespace {

namespace mp = mirt::plugin;

class l2_norm_kernel final : public mp::kernel {
 public:
  explicit l2_norm_kernel(float eps) : eps_(eps) {}
  void execute(const mirt_kernel_io& io) const override {
    const mirt_tensor_desc& x = io.inputs[0];
    if (x.rank == 0) throw mp::error("L2NormLastAxis needs an input of rank >= 1");
    const size_t inner = static_cast<size_t>(x.dims[x.rank - 1]);
    size_t outer = 1;
    for (uint32_t d = 0; d + 1 < x.rank; ++d) outer *= static_cast<size_t>(x.dims[d]);
    const auto* in = static_cast<const float*>(io.input_data[0]);
    auto* out = static_cast<float*>(io.output_data[0]);
    for (size_t r = 0; r < outer; ++r) {
      double sum = 0;  // accumulate in double: long rows stay accurate
      for (size_t k = 0; k < inner; ++k) sum += double(in[r * inner + k]) * in[r * inner + k];
      out[r] = static_cast<float>(std::sqrt(sum + eps_));
    }
  }

 private:
  float eps_;
};

class l2_norm final : public mp::layer {
 public:
  explicit l2_norm(const mp::fields& f) : keepdims_(f.get_int("keepdims", 1)), eps_(f.get_float("eps", 0.0f)) {
    if (keepdims_ != 0 && keepdims_ != 1) throw mp::error("keepdims must be 0 or 1, got " + std::to_string(keepdims_));
    if (eps_ < 0) throw mp::error("eps must not be negative");
  }
  std::unique_ptr<mp::layer> clone() const override { return std::make_unique<l2_norm>(*this); }

  void output_shapes(const mirt_tensor_desc* in, size_t num_in, mirt_tensor_desc* out, size_t) const override {
    if (num_in != 1 || in[0].rank == 0) throw mp::error("L2NormLastAxis takes one input of rank >= 1");
    out[0].rank = keepdims_ ? in[0].rank : in[0].rank - 1;
    for (uint32_t d = 0; d + 1 < in[0].rank; ++d) out[0].dims[d] = in[0].dims[d];
    if (keepdims_) out[0].dims[in[0].rank - 1] = 1;
  }
  bool supports(const mirt_dtype* in, size_t num_in, const mirt_dtype* out, size_t) const override {
    return num_in == 1 && in[0] == MIRT_DTYPE_FLOAT32 && out[0] == MIRT_DTYPE_FLOAT32;
  }
  std::vector<std::string> tactics(std::string_view backend, const mirt_node_info&) const override {
    if (backend == "cpu") return {"cpp_l2_norm_rows"};
    return {};
  }
  std::unique_ptr<mp::kernel> create_kernel(std::string_view, const mirt_node_info&, std::string_view) const override {
    return std::make_unique<l2_norm_kernel>(eps_);
  }
  std::vector<mp::field> serialize() const override {
    return {mp::field::of_int("keepdims", keepdims_), mp::field::of_float("eps", eps_)};
  }

 private:
  int64_t keepdims_;
  float eps_;
};

const mirt_plugin_field_spec l2_norm_fields[] = {
    {"keepdims", MIRT_ATTRIBUTE_TYPE_INT, 0, 0},
    {"eps", MIRT_ATTRIBUTE_TYPE_FLOAT, 0, 0},
};
const mirt_plugin_creator l2_norm_creator =
    mp::creator_of<l2_norm>("L2NormLastAxis", "1", "com.example", "sqrt(sum of squares + eps) over the last axis",
                            l2_norm_fields, 2);

}  // namespace

MIRT_PLUGIN_LIBRARY("example_cpp_plugins", "1.0.0", "the C++ example plugin library", &l2_norm_creator)
