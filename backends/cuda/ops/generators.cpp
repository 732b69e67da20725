// backends/cuda/ops/generators.cpp — EyeLike (k; output_dtype as the core inferred it) and the
// window generators HannWindow, HammingWindow, BlackmanWindow (periodic or symmetric), whose
// length is the output's (the core inferred it from `size`), in any numeric output dtype.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/generators.hpp"

namespace mirt::cuda {
namespace {

class generator_kernel final : public kernel {
 public:
  generator_kernel(generator_kind kind, int64_t k, bool periodic) : kind_(kind), k_(k), periodic_(periodic) {}
  void execute(const exec_args& args) const override {
    const dtensor& y = args.out.at(0);
    generator_params p;
    p.kind = kind_;
    p.dtype = y.dtype;
    p.y = y.data;
    p.n = y.numel();
    if (kind_ == generator_kind::eye) {
      if (y.rank() != 2) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " is not 2-D");
      p.rows = y.shape[0], p.cols = y.shape[1], p.k = k_;
    } else {
      if (y.rank() != 1) fail(MIRT_STATUS_INVALID_SHAPE, "output ", dims_string(y.shape), " is not 1-D");
      p.period = double(periodic_ ? p.n : p.n - 1);
    }
    throw_if_failed(launch_generator(p, args.stream));
  }

 private:
  generator_kind kind_;
  int64_t k_;
  bool periodic_;
};

bool output_numeric(const node_view& node, std::string& why) {
  switch (node.output_dtype(0)) {
    case MIRT_DTYPE_FLOAT32: case MIRT_DTYPE_FLOAT64: case MIRT_DTYPE_FLOAT16: case MIRT_DTYPE_BFLOAT16: case MIRT_DTYPE_BOOL:
    case MIRT_DTYPE_INT8: case MIRT_DTYPE_UINT8: case MIRT_DTYPE_INT32: case MIRT_DTYPE_INT64: return true;
    default: why = cat("output dtype ", dtype_name(node.output_dtype(0))); return false;
  }
}

bool eye_supports(const node_view& node, std::string& why) {
  if (dtype_size(node.input_dtype(0)) == 0) {
    why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
    return false;
  }
  return output_numeric(node, why);
}

bool window_supports(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why) && output_numeric(node, why);
}

template <generator_kind Kind>
std::unique_ptr<kernel> create_window(const node_view& node) {
  return std::make_unique<generator_kernel>(Kind, 0, node.attr_int("periodic", 1) != 0);
}

}  // namespace

void add_generator_ops(std::vector<op_entry>& t) {
  t.push_back({"EyeLike", "cuda_eye_like", eye_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<generator_kernel>(generator_kind::eye, node.attr_int("k", 0), false);
               }});
  t.push_back({"HannWindow", "cuda_window", window_supports, create_window<generator_kind::hann>});
  t.push_back({"HammingWindow", "cuda_window", window_supports, create_window<generator_kind::hamming>});
  t.push_back({"BlackmanWindow", "cuda_window", window_supports, create_window<generator_kind::blackman>});
}

}  // namespace mirt::cuda
