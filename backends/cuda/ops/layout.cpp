// backends/cuda/ops/layout.cpp — mirt::Reformat: a 4-D tensor's data moved between NCHW and
// channels-last (NHWC) memory, its logical shape [N,C,H,W] unchanged. The builder's layout pass
// puts these at the edges of NHWC convolution chains. Into NHWC it may also convert float32 to
// float16/bfloat16 (an image input's Cast folded in); few channels (an image's 3) take a kernel
// with one thread per pixel instead of the tiled transpose.
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/data_movement.hpp"
#include "backends/cuda/kernels/layout.hpp"

namespace mirt::cuda {
namespace {

class reformat_kernel final : public kernel {
 public:
  explicit reformat_kernel(bool to_nhwc) : to_nhwc_(to_nhwc) {}
  void execute(const exec_args& args) const override {
    const dtensor &in = args.in.at(0), &out = args.out.at(0);
    if (in.rank() != 4 || out.shape != in.shape)
      fail(MIRT_STATUS_INVALID_SHAPE, "input ", dims_string(in.shape), " and output ", dims_string(out.shape),
           " must be one 4-D shape");
    const int64_t channels = in.shape[1], pixels = in.shape[2] * in.shape[3];
    if (to_nhwc_ && (in.dtype != out.dtype || channels <= 8)) {
      to_channels_last_params p;
      p.in = in.data;
      p.out = out.data;
      p.from = in.dtype;
      p.to = out.dtype;
      p.batch = in.shape[0];
      p.channels = channels;
      p.pixels = pixels;
      throw_if_failed(launch_to_channels_last(p, args.stream));
      return;
    }
    batched_transpose_params p;
    p.in = in.data;
    p.out = out.data;
    p.element_size = dtype_size(in.dtype);
    p.batch = in.shape[0];
    p.rows = to_nhwc_ ? channels : pixels;  // NCHW is [N][C][HW], NHWC [N][HW][C]
    p.cols = to_nhwc_ ? pixels : channels;
    throw_if_failed(launch_batched_transpose(p, args.stream));
  }

 private:
  bool to_nhwc_;
};

bool is_real(mirt_dtype d) { return d == MIRT_DTYPE_FLOAT32 || d == MIRT_DTYPE_FLOAT16 || d == MIRT_DTYPE_BFLOAT16; }

bool reformat_supports(const node_view& node, std::string& why) {
  const std::string to = node.attr_string("to", "");
  if (to != "NHWC" && to != "NCHW") {
    why = cat("attribute 'to' is '", to, "', expected NHWC or NCHW");
    return false;
  }
  const mirt_dtype from = node.input_dtype(0), out = node.output_dtype(0);
  if (dtype_size(from) == 0) {
    why = cat("input 0 has dtype ", dtype_name(from));
    return false;
  }
  if (out != from && (to != "NHWC" || !is_real(from) || !is_real(out))) {
    why = cat("a Reformat that converts (", dtype_name(from), " to ", dtype_name(out),
              ") goes to NHWC between float32, float16 and bfloat16 only");
    return false;
  }
  return true;
}

}  // namespace

void add_layout_ops(std::vector<op_entry>& t) {
  t.push_back({"Reformat", "cuda_reformat_tiled", reformat_supports, [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<reformat_kernel>(node.attr_string("to", "") == "NHWC");
               }});
}

}  // namespace mirt::cuda
