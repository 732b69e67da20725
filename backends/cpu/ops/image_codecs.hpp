// backends/cpu/ops/image_codecs.hpp — the image formats ImageDecoder reads, each to 8-bit RGB.
// PNG, JPEG, WebP, TIFF, GIF (first frame) and JPEG 2000 go through libpng, libjpeg(-turbo), libwebp,
// libtiff, giflib and OpenJPEG; BMP and PNM are simple enough to read here.
// Each decoder fails (mirt::support::fail, CORRUPT_DATA or UNSUPPORTED) naming the format and the
// problem; the kernel adds the layer name.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mirt::cpu::image {

// Row-major [height, width, 3] pixels in R, G, B order.
struct rgb_image {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;
};

// The largest image accepted (height * width * 3 bytes): a damaged header must not ask for terabytes.
constexpr uint64_t max_image_bytes = uint64_t(1) << 31;
// Fails unless width and height are positive and the image fits max_image_bytes.
void check_size(const char* format, int64_t width, int64_t height);

rgb_image decode_png(std::span<const uint8_t> bytes);   // image_png_jpeg.cpp
rgb_image decode_jpeg(std::span<const uint8_t> bytes);  // image_png_jpeg.cpp
rgb_image decode_bmp(std::span<const uint8_t> bytes);   // image_bmp_pnm.cpp
rgb_image decode_pnm(std::span<const uint8_t> bytes);   // image_bmp_pnm.cpp
rgb_image decode_webp(std::span<const uint8_t> bytes);  // image_webp_tiff.cpp
rgb_image decode_tiff(std::span<const uint8_t> bytes);  // image_webp_tiff.cpp
rgb_image decode_jpeg2000(std::span<const uint8_t> bytes);  // image_jpeg2000.cpp
rgb_image decode_gif(std::span<const uint8_t> bytes);   // image_gif.cpp (the first frame)

}  // namespace mirt::cpu::image
