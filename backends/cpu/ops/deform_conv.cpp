// backends/cpu/ops/deform_conv.cpp — DeformConv (2-D): each kernel tap samples X bilinearly at its
// regular position plus a learned offset (corners outside X count as 0), optionally scaled by a
// mask; the sampled columns then go through a grouped convolution's matrix product. Offsets and
// masks are shared by the channels of an offset group. float16/bfloat16 compute in float32.
#include <cmath>
#include <vector>

#include "backends/cpu/float_types.hpp"
#include "backends/cpu/kernel.hpp"

namespace mirt::cpu {
namespace {

class deform_conv_kernel final : public kernel {
 public:
  explicit deform_conv_kernel(const node_view& node)
      : group_(node.attr_int("group", 1)),
        offset_group_(node.attr_int("offset_group", 1)),
        strides_(node.attr_ints("strides", {1, 1})),
        dilations_(node.attr_ints("dilations", {1, 1})),
        pads_(node.attr_ints("pads", {0, 0, 0, 0})) {}

  void execute(const exec_args& args) const override {
    const tensor &x = args.in.at(0), &w = args.in.at(1), &offset = args.in.at(2);
    const tensor &bias = args.input(3), &mask = args.input(4);
    const tensor& y = args.out.at(0);
    const int64_t n = x.shape[0], channels = x.shape[1], height = x.shape[2], width = x.shape[3];
    const int64_t out_channels = w.shape[0], kh = w.shape[2], kw = w.shape[3], taps = kh * kw;
    const int64_t oh = y.shape[2], ow = y.shape[3], positions = oh * ow;
    const int64_t group_in = channels / group_, group_out = out_channels / group_, per_offset_group = channels / offset_group_;
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using C = compute_type<T>;
      const T *px = x.as<const T>(), *pw = w.as<const T>(), *po = offset.as<const T>();
      const T* pm = mask.present() ? mask.as<const T>() : nullptr;
      const T* pb = bias.present() ? bias.as<const T>() : nullptr;
      T* py = y.as<T>();
      // columns[c][tap][position]: the masked samples of one image.
      std::vector<C> columns(size_t(channels * taps * positions));
      std::vector<C> weights(size_t(w.numel()));
      for (size_t i = 0; i < weights.size(); ++i) weights[i] = load(pw[i]);
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t g = c / per_offset_group;
          const T* image = px + (b * channels + c) * height * width;
          const T* offsets = po + (b * offset_group_ + g) * 2 * taps * positions;  // [tap][2][position]
          const T* scales = pm ? pm + (b * offset_group_ + g) * taps * positions : nullptr;  // [tap][position]
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t tap = i * kw + j;
              C* col = columns.data() + (c * taps + tap) * positions;
              for (int64_t r = 0; r < oh; ++r)
                for (int64_t s = 0; s < ow; ++s) {
                  const int64_t p = r * ow + s;
                  const C sy = C(r * strides_[0] - pads_[0] + i * dilations_[0]) + load(offsets[(2 * tap) * positions + p]);
                  const C sx = C(s * strides_[1] - pads_[1] + j * dilations_[1]) + load(offsets[(2 * tap + 1) * positions + p]);
                  C v = sample(image, height, width, sy, sx);
                  if (scales) v *= load(scales[tap * positions + p]);
                  col[p] = v;
                }
            }
        }
        std::vector<C> acc(static_cast<size_t>(positions));
        for (int64_t oc = 0; oc < out_channels; ++oc) {
          const int64_t g = oc / group_out;
          std::fill(acc.begin(), acc.end(), pb ? load(pb[oc]) : C(0));
          for (int64_t k = 0; k < group_in * taps; ++k) {
            const C wk = weights[size_t(oc * group_in * taps + k)];
            const C* col = columns.data() + (g * group_in * taps + k) * positions;
            for (int64_t p = 0; p < positions; ++p) acc[size_t(p)] += wk * col[p];
          }
          T* out = py + (b * out_channels + oc) * positions;
          for (int64_t p = 0; p < positions; ++p) out[p] = store<T>(acc[size_t(p)]);
        }
      }
    });
  }

 private:
  // Bilinear sample of image at (y, x) in pixel coordinates; corners outside the image are 0.
  template <class T, class C>
  static C sample(const T* image, int64_t height, int64_t width, C y, C x) {
    if (!(y > C(-1) && y < C(height) && x > C(-1) && x < C(width))) return C(0);  // also NaN
    const C fy = std::floor(y), fx = std::floor(x);
    const int64_t y0 = int64_t(fy), x0 = int64_t(fx);
    const C ly = y - fy, lx = x - fx;
    auto at = [&](int64_t yy, int64_t xx) {
      return yy >= 0 && yy < height && xx >= 0 && xx < width ? load(image[yy * width + xx]) : C(0);
    };
    return (C(1) - ly) * ((C(1) - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) +
           ly * ((C(1) - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1));
  }

  int64_t group_, offset_group_;
  std::vector<int64_t> strides_, dilations_, pads_;
};

}  // namespace

void add_deform_conv_ops(std::vector<op_entry>& t) {
  t.push_back({"DeformConv", "ref_deform_conv",
               [](const node_view& node, std::string& why) { return float_input_at(node, 0, why); },
               [](const node_view& node) -> std::unique_ptr<kernel> { return std::make_unique<deform_conv_kernel>(node); }});
}

}  // namespace mirt::cpu
