// tests/backends/cpu/test_deform_conv.cpp — DeformConv against a float64 reference written here:
// every tap of every output position samples its input channel bilinearly at the tap's position
// plus its offset (zero outside the image), times the mask, times the weight.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/backends/cpu/harness.hpp"

using namespace cpu_test;

namespace {

struct deform_case {
  int64_t n = 1, c = 2, h = 5, w = 6, oc = 2, kh = 2, kw = 2;
  int64_t group = 1, offset_group = 1;
  std::vector<int64_t> strides = {1, 1}, dilations = {1, 1}, pads = {0, 0, 0, 0};
  bool bias = false, mask = false, float16 = false;
};

double bilinear(const std::vector<float>& x, int64_t base, int64_t h, int64_t w, double y, double xs) {
  const double fy = std::floor(y), fx = std::floor(xs);
  double sum = 0;
  for (int64_t dy = 0; dy < 2; ++dy)
    for (int64_t dx = 0; dx < 2; ++dx) {
      const int64_t yy = int64_t(fy) + dy, xx = int64_t(fx) + dx;
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      const double wy = dy ? y - fy : 1 - (y - fy), wx = dx ? xs - fx : 1 - (xs - fx);
      sum += wy * wx * double(x[size_t(base + yy * w + xx)]);
    }
  return sum;
}

tensor_data operand(bool float16, shape_t shape, const std::vector<float>& v) {
  return float16 ? f16(std::move(shape), v) : f32(std::move(shape), v);
}

void check_deform_conv(const deform_case& d) {
  const int64_t oh = (d.h + d.pads[0] + d.pads[2] - ((d.kh - 1) * d.dilations[0] + 1)) / d.strides[0] + 1;
  const int64_t ow = (d.w + d.pads[1] + d.pads[3] - ((d.kw - 1) * d.dilations[1] + 1)) / d.strides[1] + 1;
  const int64_t taps = d.kh * d.kw, cg = d.c / d.group, og = d.oc / d.group;
  auto x = random_floats(d.n * d.c * d.h * d.w, -1, 1, 91), w = random_floats(d.oc * cg * taps, -1, 1, 92);
  // Offsets up to 2.5 pixels move taps across pixels and past the border.
  auto offset = random_floats(d.n * d.offset_group * 2 * taps * oh * ow, -2.5f, 2.5f, 93);
  auto mask = random_floats(d.n * d.offset_group * taps * oh * ow, 0, 1, 94), b = random_floats(d.oc, -1, 1, 95);
  if (d.float16) x = round_to_half(x), w = round_to_half(w), offset = round_to_half(offset), mask = round_to_half(mask), b = round_to_half(b);
  std::vector<double> want;
  for (int64_t n = 0; n < d.n; ++n)
    for (int64_t o = 0; o < d.oc; ++o)
      for (int64_t r = 0; r < oh; ++r)
        for (int64_t s = 0; s < ow; ++s) {
          double acc = d.bias ? double(b[size_t(o)]) : 0.0;
          for (int64_t ci = 0; ci < cg; ++ci) {
            const int64_t c = (o / og) * cg + ci, g = c / (d.c / d.offset_group);
            for (int64_t i = 0; i < d.kh; ++i)
              for (int64_t j = 0; j < d.kw; ++j) {
                const int64_t tap = i * d.kw + j;
                auto off = [&](int64_t k) { return double(offset[size_t((((n * d.offset_group + g) * taps + tap) * 2 + k) * oh * ow + r * ow + s)]); };
                const double y = double(r * d.strides[0] - d.pads[0] + i * d.dilations[0]) + off(0);
                const double xs = double(s * d.strides[1] - d.pads[1] + j * d.dilations[1]) + off(1);
                double v = bilinear(x, (n * d.c + c) * d.h * d.w, d.h, d.w, y, xs);
                if (d.mask) v *= double(mask[size_t(((n * d.offset_group + g) * taps + tap) * oh * ow + r * ow + s)]);
                acc += v * double(w[size_t(((o * cg + ci) * d.kh + i) * d.kw + j)]);
              }
          }
          want.push_back(acc);
        }
  op_call call{"DeformConv",
               {operand(d.float16, {d.n, d.c, d.h, d.w}, x), operand(d.float16, {d.oc, cg, d.kh, d.kw}, w),
                operand(d.float16, {d.n, d.offset_group * 2 * taps, oh, ow}, offset)},
               {{d.float16 ? MIRT_DTYPE_FLOAT16 : MIRT_DTYPE_FLOAT32, {d.n, d.oc, oh, ow}}},
               {attr_i("group", d.group), attr_i("offset_group", d.offset_group), attr_ints("strides", d.strides),
                attr_ints("dilations", d.dilations), attr_ints("pads", d.pads), attr_ints("kernel_shape", {d.kh, d.kw})}};
  call.inputs.push_back(d.bias ? operand(d.float16, {d.oc}, b) : omitted());
  if (d.mask) call.inputs.push_back(operand(d.float16, {d.n, d.offset_group * taps, oh, ow}, mask));
  op_result r = run(call);
  INFO(r.message);
  REQUIRE(r.code == MIRT_STATUS_OK);
  if (!d.float16) return check_close(r.outputs[0].values<float>(), want, 1e-5);
  const std::vector<float> got = half_values(r.outputs[0]);
  check_close(got, want, 4e-3);  // float16 output rounding on sums of a few units
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("DeformConv: plain, padded, strided and dilated, with bias and mask, against a float64 reference") {
  deform_case d;
  SUBCASE("plain") {}
  SUBCASE("padded, bias") { d.pads = {1, 2, 1, 0}, d.bias = true; }
  SUBCASE("strided, dilated, mask") { d.h = 7, d.w = 8, d.kh = 3, d.strides = {2, 1}, d.dilations = {1, 2}, d.mask = true; }
  SUBCASE("two images, bias and mask") { d.n = 2, d.bias = true, d.mask = true, d.pads = {1, 1, 1, 1}; }
  check_deform_conv(d);
}

TEST_CASE("DeformConv: groups and offset groups, float32 and float16") {
  deform_case d;
  d.c = 4, d.oc = 6, d.bias = true, d.mask = true;
  SUBCASE("two groups") { d.group = 2; }
  SUBCASE("two offset groups") { d.offset_group = 2; }
  SUBCASE("two groups, four offset groups") { d.group = 2, d.offset_group = 4, d.pads = {1, 1, 0, 0}; }
  SUBCASE("float16, two groups, two offset groups") { d.group = 2, d.offset_group = 2, d.float16 = true; }
  check_deform_conv(d);
}

}  // TEST_SUITE
