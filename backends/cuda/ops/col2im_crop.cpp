// backends/cuda/ops/col2im_crop.cpp — Col2Im (dilations, pads, strides; any number of spatial dims
// up to 6; float types) and CenterCropPad (axes; any dtype). Image and output extents come from the
// output's shape; Col2Im's block_shape is read at kernel creation when constant, else from the
// device (the stream waits for it).
#include "backends/cuda/kernel.hpp"
#include "backends/cuda/kernels/col2im_crop.hpp"

namespace mirt::cuda {
namespace {

class col2im_kernel final : public kernel {
 public:
  col2im_kernel(dims dilations, dims pads, dims strides, std::optional<std::vector<int64_t>> block)
      : dilations_(std::move(dilations)), pads_(std::move(pads)), strides_(std::move(strides)), block_(std::move(block)) {}

  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    const std::vector<int64_t> block = read_int_input(args, 2, block_ ? &*block_ : nullptr, "block_shape");
    const size_t spatial = block.size();
    if (spatial == 0 || spatial > size_t(k_col2im_max_dims) || y.rank() != spatial + 2 || x.rank() != 3)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), ", output ", dims_string(y.shape), " and a block_shape of ",
           spatial, " dims do not fit (1 to ", k_col2im_max_dims, " spatial dims)");
    const dims dil = dilations_.empty() ? dims(spatial, 1) : dilations_, str = strides_.empty() ? dims(spatial, 1) : strides_;
    const dims pad = pads_.empty() ? dims(2 * spatial, 0) : pads_;
    if (dil.size() != spatial || str.size() != spatial || pad.size() != 2 * spatial)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "dilations, strides and pads do not match ", spatial, " spatial dims");
    col2im_params p;
    p.spatial = int(spatial);
    int64_t block_size = 1, columns = 1;
    for (size_t d = 0; d < spatial; ++d) {
      p.image[d] = y.shape[d + 2], p.block[d] = block[d], p.dilation[d] = dil[d], p.stride[d] = str[d], p.pad_begin[d] = pad[d];
      const int64_t span = dil[d] * (block[d] - 1) + 1, padded = p.image[d] + pad[d] + pad[d + spatial];
      if (block[d] < 1 || str[d] < 1 || padded < span)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "block_shape ", block[d], " does not fit image dim ", d, " (", p.image[d], ")");
      p.blocks[d] = (padded - span) / str[d] + 1;
      block_size *= block[d];
      columns *= p.blocks[d];
    }
    p.batch = x.shape[0];
    p.channels = x.shape[1] / block_size;
    if (x.shape[1] % block_size != 0 || x.shape[2] != columns || y.shape[0] != p.batch || y.shape[1] != p.channels)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected [N, C * ", block_size, ", ", columns,
           "] for the output ", dims_string(y.shape));
    p.dtype = x.dtype, p.x = x.data, p.y = y.data;
    throw_if_failed(launch_col2im(p, args.stream));
  }

 private:
  dims dilations_, pads_, strides_;
  std::optional<std::vector<int64_t>> block_;
};

class center_crop_kernel final : public kernel {
 public:
  void execute(const exec_args& args) const override {
    const dtensor &x = args.in.at(0), &y = args.out.at(0);
    if (x.rank() != y.rank() || x.rank() > size_t(k_max_rank))
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 ", dims_string(x.shape), " and output ", dims_string(y.shape), " differ in rank");
    center_crop_params p;
    p.rank = int(x.rank());
    for (size_t d = 0; d < x.rank(); ++d) {
      p.in[d] = x.shape[d], p.out[d] = y.shape[d];
      // A crop shifts by floor((in - out) / 2), a pad by -floor((out - in) / 2).
      p.shift[d] = p.in[d] >= p.out[d] ? (p.in[d] - p.out[d]) / 2 : -((p.out[d] - p.in[d]) / 2);
    }
    p.x = x.data, p.y = y.data, p.element_size = dtype_size(x.dtype);
    throw_if_failed(launch_center_crop(p, args.stream));
  }
};

bool sized_1248(const node_view& node, std::string& why) {
  const size_t es = dtype_size(node.input_dtype(0));
  if (es == 1 || es == 2 || es == 4 || es == 8) return true;
  why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
  return false;
}

}  // namespace

void add_col2im_crop_ops(std::vector<op_entry>& t) {
  t.push_back({"Col2Im", "cuda_col2im",
               [](const node_view& node, std::string& why) {
                 return input_dtype_in(node, 0, {MIRT_DTYPE_FLOAT32, MIRT_DTYPE_FLOAT64, MIRT_DTYPE_FLOAT16, MIRT_DTYPE_BFLOAT16}, why) &&
                        input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why) &&
                        input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<col2im_kernel>(node.attr_ints("dilations", {}), node.attr_ints("pads", {}),
                                                        node.attr_ints("strides", {}), node.constant_ints(2));
               }});
  t.push_back({"CenterCropPad", "cuda_center_crop_pad",
               [](const node_view& node, std::string& why) {
                 return sized_1248(node, why) && input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view&) -> std::unique_ptr<kernel> { return std::make_unique<center_crop_kernel>(); }});
}

}  // namespace mirt::cuda
