// backends/cpu/ops/image_decoder.cpp — ImageDecoder (opset 20): a 1-D uint8 tensor of encoded
// bytes to uint8 [height, width, channels] pixels in RGB, BGR or Grayscale. The format is found from
// the data's first bytes; the height and width only from decoding (a data-dependent shape).
#include <algorithm>
#include <cstdio>
#include <span>
#include <string_view>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu {
namespace {

enum class pixel_format { rgb, bgr, grayscale };

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin() + at, [](char m, uint8_t b) { return uint8_t(m) == b; });
}

image::rgb_image decode(std::span<const uint8_t> bytes) {
  using namespace std::string_view_literals;
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return image::decode_png(bytes);
  if (starts_with(bytes, "\xff\xd8\xff")) return image::decode_jpeg(bytes);
  if (starts_with(bytes, "BM")) return image::decode_bmp(bytes);
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7') return image::decode_pnm(bytes);
  if (starts_with(bytes, "II*\0"sv) || starts_with(bytes, "MM\0*"sv)) return image::decode_tiff(bytes);
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return image::decode_webp(bytes);
  if (starts_with(bytes, "\0\0\0\x0cjP  "sv) || starts_with(bytes, "\xff\x4f\xff\x51")) return image::decode_jpeg2000(bytes);
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return image::decode_gif(bytes);
  std::string head;
  for (size_t i = 0; i < std::min<size_t>(bytes.size(), 8); ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x ", bytes[i]);
    head += hex;
  }
  fail(MIRT_STATUS_INVALID_ARGUMENT, "the ", bytes.size(), " bytes of encoded_stream are not an image in a known format (they start ",
       head.empty() ? "with nothing" : head.substr(0, head.size() - 1), "); PNG, JPEG, BMP, PNM, TIFF, WebP, GIF and JPEG 2000 are decoded");
}

class image_decoder_kernel final : public kernel {
 public:
  explicit image_decoder_kernel(pixel_format format) : format_(format) {}

  void execute(const exec_args& args) const override {
    const tensor& encoded = args.in.at(0);
    if (encoded.rank() != 1) fail(MIRT_STATUS_INVALID_SHAPE, "encoded_stream has shape ", dims_string(encoded.shape), ", expected 1-D");
    const image::rgb_image img = decode({encoded.as<const uint8_t>(), size_t(encoded.numel())});
    const int64_t channels = format_ == pixel_format::grayscale ? 1 : 3, count = img.height * img.width;
    const tensor y = args.output(0, {img.height, img.width, channels});
    uint8_t* dst = y.as<uint8_t>();
    const uint8_t* src = img.pixels.data();
    for (int64_t p = 0; p < count; ++p, src += 3) {
      if (format_ == pixel_format::rgb) {
        dst[p * 3] = src[0], dst[p * 3 + 1] = src[1], dst[p * 3 + 2] = src[2];
      } else if (format_ == pixel_format::bgr) {
        dst[p * 3] = src[2], dst[p * 3 + 1] = src[1], dst[p * 3 + 2] = src[0];
      } else {  // PIL's convert("L"): ITU-R 601-2 luma in 16-bit fixed point, rounded
        dst[p] = uint8_t((src[0] * 19595u + src[1] * 38470u + src[2] * 7471u + 0x8000u) >> 16);
      }
    }
  }

 private:
  pixel_format format_;
};

bool encoded_is_uint8(const node_view& node, std::string& why) {
  return input_dtype_in(node, 0, {MIRT_DTYPE_UINT8}, why);
}

}  // namespace

void add_image_decoder_ops(std::vector<op_entry>& t) {
  t.push_back({"ImageDecoder", "ref_image_decoder", encoded_is_uint8, [](const node_view& node) -> std::unique_ptr<kernel> {
                 const std::string format = node.attr_string("pixel_format", "RGB");
                 if (format == "RGB") return std::make_unique<image_decoder_kernel>(pixel_format::rgb);
                 if (format == "BGR") return std::make_unique<image_decoder_kernel>(pixel_format::bgr);
                 if (format == "Grayscale") return std::make_unique<image_decoder_kernel>(pixel_format::grayscale);
                 fail(MIRT_STATUS_INVALID_GRAPH, "attribute 'pixel_format' is '", format, "', expected RGB, BGR or Grayscale");
               }});
}

}  // namespace mirt::cpu
