// backends/cpu/ops/col2im_center_crop.cpp — Col2Im (each column's block summed back into the image
// at its sliding-window position, any number of spatial dims; float types, sums in the compute
// type) and CenterCropPad (any dtype: a centered window copied, zeros where the output pads).
#include <algorithm>
#include <cstring>
#include <optional>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

// Advances a multi-index over extents (last dim fastest); false after the last one.
bool next_index(std::vector<int64_t>& idx, const std::vector<int64_t>& extents) {
  for (size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < extents[d]) return true;
    idx[d] = 0;
  }
  return false;
}

class col2im_kernel final : public kernel {
 public:
  col2im_kernel(std::vector<int64_t> dilations, std::vector<int64_t> pads, std::vector<int64_t> strides)
      : dilations_(std::move(dilations)), pads_(std::move(pads)), strides_(std::move(strides)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const std::vector<int64_t> image = read_int_tensor(args.in.at(1), "image_shape");
    const std::vector<int64_t> block = read_int_tensor(args.in.at(2), "block_shape");
    const size_t spatial = image.size();
    if (block.size() != spatial || spatial == 0)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "image_shape has ", spatial, " entries and block_shape ", block.size(), ", expected the same positive count");
    const std::vector<int64_t> dil = dilations_.empty() ? std::vector<int64_t>(spatial, 1) : dilations_;
    const std::vector<int64_t> str = strides_.empty() ? std::vector<int64_t>(spatial, 1) : strides_;
    const std::vector<int64_t> pad = pads_.empty() ? std::vector<int64_t>(2 * spatial, 0) : pads_;
    if (dil.size() != spatial || str.size() != spatial || pad.size() != 2 * spatial)
      fail(MIRT_STATUS_INVALID_ARGUMENT, "dilations, strides and pads do not match ", spatial, " spatial dims");
    // Blocks along each dim, and the check that the columns are exactly those blocks.
    std::vector<int64_t> blocks(spatial);
    int64_t block_size = 1, columns = 1;
    for (size_t d = 0; d < spatial; ++d) {
      const int64_t span = dil[d] * (block[d] - 1) + 1, padded = image[d] + pad[d] + pad[d + spatial];
      if (block[d] < 1 || padded < span)
        fail(MIRT_STATUS_INVALID_ARGUMENT, "block_shape ", block[d], " does not fit image dim ", d, " (", image[d], ")");
      blocks[d] = (padded - span) / str[d] + 1;
      block_size *= block[d];
      columns *= blocks[d];
    }
    const int64_t batch = x.shape[0], channels = x.shape[1] / block_size;
    if (x.shape[1] % block_size != 0 || x.shape[2] != columns)
      fail(MIRT_STATUS_INVALID_SHAPE, "input 0 has shape ", dims_string(x.shape), ", expected [N, C * ", block_size, ", ", columns, "]");
    const int64_t plane = product(image);
    if (y.numel() != batch * channels * plane)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match [", batch, ", ", channels, ", image_shape]");
    const std::vector<int64_t> image_strides = dense_strides(image);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T* px = x.as<const T>();
      std::vector<C> acc(static_cast<size_t>(batch * channels * plane), C(0));
      std::vector<int64_t> kb(spatial, 0), col(spatial, 0);
      for (int64_t nc = 0; nc < batch * channels; ++nc) {
        C* out = acc.data() + nc * plane;
        int64_t row = (nc % channels) * block_size;
        std::fill(kb.begin(), kb.end(), 0);
        do {
          const T* in = px + ((nc / channels) * x.shape[1] + row) * columns;
          std::fill(col.begin(), col.end(), 0);
          int64_t c = 0;
          do {
            int64_t at = 0;
            bool inside = true;
            for (size_t d = 0; d < spatial && inside; ++d) {
              const int64_t p = col[d] * str[d] - pad[d] + kb[d] * dil[d];
              inside = p >= 0 && p < image[d];
              at += p * image_strides[d];
            }
            if (inside) out[at] += load(in[c]);
            ++c;
          } while (next_index(col, blocks));
          ++row;
        } while (next_index(kb, block));
      }
      T* py = y.as<T>();
      for (size_t i = 0; i < acc.size(); ++i) py[i] = store<T>(acc[i]);
    });
  }

 private:
  std::vector<int64_t> dilations_, pads_, strides_;
};

class center_crop_pad_kernel final : public kernel {
 public:
  explicit center_crop_pad_kernel(std::optional<std::vector<int64_t>> axes) : axes_(std::move(axes)) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &y = args.out.at(0);
    const std::vector<int64_t> extents = read_int_tensor(args.in.at(1), "shape");
    std::vector<int64_t> axes;
    if (axes_) {
      for (int64_t a : *axes_) axes.push_back(normalize_axis(a, x.rank(), "axes"));
    } else {
      for (size_t d = 0; d < x.rank(); ++d) axes.push_back(int64_t(d));
    }
    if (extents.size() != axes.size())
      fail(MIRT_STATUS_INVALID_ARGUMENT, "shape has ", extents.size(), " entries for ", axes.size(), " axes");
    dims want = x.shape;
    for (size_t i = 0; i < axes.size(); ++i) want[size_t(axes[i])] = extents[i];
    if (y.shape != want)
      fail(MIRT_STATUS_INVALID_SHAPE, "output shape ", dims_string(y.shape), " does not match ", dims_string(want));
    // Output coordinate o reads input coordinate o + shift; a crop shifts by floor((in - out) / 2),
    // a pad by -floor((out - in) / 2).
    std::vector<int64_t> shift(x.rank(), 0);
    for (size_t d = 0; d < x.rank(); ++d) {
      const int64_t in = x.shape[d], out = y.shape[d];
      shift[d] = in >= out ? (in - out) / 2 : -((out - in) / 2);
    }
    const size_t esize = dtype_size(x.dtype);
    auto* dst = y.as<uint8_t>();
    const auto* src = x.as<const uint8_t>();
    std::memset(dst, 0, y.bytes());
    if (y.numel() == 0 || x.numel() == 0) return;
    if (x.rank() == 0) {
      std::memcpy(dst, src, esize);
      return;
    }
    const dims in_strides = dense_strides(x.shape);
    // Rows along the last dim are copied whole: the in-range span of each output row.
    const size_t last = x.rank() - 1;
    const int64_t row_out = y.shape[last], lo = std::max<int64_t>(0, -shift[last]),
                  hi = std::min<int64_t>(row_out, x.shape[last] - shift[last]);
    std::vector<int64_t> idx(last, 0), outer(y.shape.begin(), y.shape.end() - 1);
    int64_t out_row = 0;
    do {
      int64_t at = 0;
      bool inside = true;
      for (size_t d = 0; d < last && inside; ++d) {
        const int64_t i = idx[d] + shift[d];
        inside = i >= 0 && i < x.shape[d];
        at += i * in_strides[d];
      }
      if (inside && hi > lo)
        std::memcpy(dst + size_t(out_row * row_out + lo) * esize, src + size_t(at + lo + shift[last]) * esize, size_t(hi - lo) * esize);
      ++out_row;
    } while (next_index(idx, outer));
  }

 private:
  std::optional<std::vector<int64_t>> axes_;
};

}  // namespace

void add_col2im_center_crop_ops(std::vector<op_entry>& t) {
  t.push_back({"Col2Im", "ref_col2im",
               [](const node_view& node, std::string& why) {
                 return float_input_at(node, 0, why) && input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why) &&
                        input_dtype_in(node, 2, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<col2im_kernel>(node.attr_ints("dilations", {}), node.attr_ints("pads", {}),
                                                        node.attr_ints("strides", {}));
               }});
  t.push_back({"CenterCropPad", "ref_center_crop_pad",
               [](const node_view& node, std::string& why) {
                 if (dtype_size(node.input_dtype(0)) == 0) {
                   why = cat("input 0 has dtype ", dtype_name(node.input_dtype(0)));
                   return false;
                 }
                 return input_dtype_in(node, 1, {MIRT_DTYPE_INT32, MIRT_DTYPE_INT64}, why);
               },
               [](const node_view& node) -> std::unique_ptr<kernel> {
                 return std::make_unique<center_crop_pad_kernel>(node.attr_ints("axes"));
               }});
}

}  // namespace mirt::cpu
