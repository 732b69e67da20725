// backends/cpu/ops/image_png_jpeg.cpp — PNG through libpng's simplified API (no setjmp here) and
// JPEG through libjpeg(-turbo), whose fatal errors longjmp back to decode_jpeg instead of exit().
// Both yield 8-bit RGB as PIL's convert("RGB") does: 16-bit samples keep their high byte, palettes
// and gray expand, alpha is dropped (not composited).
#include <png.h>

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs FILE and size_t declared before it.
#include <jerror.h>
#include <jpeglib.h>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu::image {

void check_size(const char* format, int64_t width, int64_t height) {
  if (width <= 0 || height <= 0) fail(MIRT_STATUS_CORRUPT_DATA, format, " image has size ", width, "x", height);
  if (uint64_t(width) * uint64_t(height) * 3 > max_image_bytes)
    fail(MIRT_STATUS_UNSUPPORTED, format, " image of ", width, "x", height, " pixels is over the ", max_image_bytes >> 20,
         " MiB limit");
}

rgb_image decode_png(std::span<const uint8_t> bytes) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  // png_image_free releases libpng's state on every path (it is a no-op once finish_read ran).
  struct releaser {
    png_image& p;
    ~releaser() { png_image_free(&p); }
  } release{png};
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    fail(MIRT_STATUS_CORRUPT_DATA, "PNG: ", png.message);
  check_size("PNG", png.width, png.height);
  // RGBA, not RGB: libpng would composite alpha onto a background; PIL drops it.
  png.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> rgba(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, rgba.data(), 0, nullptr)) fail(MIRT_STATUS_CORRUPT_DATA, "PNG: ", png.message);
  rgb_image out{png.height, png.width, std::vector<uint8_t>(size_t(png.width) * png.height * 3)};
  for (size_t p = 0, n = size_t(png.width) * png.height; p < n; ++p)
    for (size_t c = 0; c < 3; ++c) out.pixels[p * 3 + c] = rgba[p * 4 + c];
  return out;
}

namespace {

// libjpeg's error manager, extended with where to jump on a fatal error and the message it gave.
struct jpeg_failure {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_error_exit(j_common_ptr info) {
  auto* failure = reinterpret_cast<jpeg_failure*>(info->err);
  info->err->format_message(info, failure->message);
  std::longjmp(failure->jump, 1);
}

// Warnings are ignored (as PIL does) except premature end of data, which libjpeg would fill with
// gray: a truncated file is an error, as it is in PIL.
void jpeg_emit_message(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) jpeg_error_exit(info);
}

void jpeg_no_output(j_common_ptr) {}

// Everything between setjmp and the last libjpeg call lives here, with only trivially destructible
// locals, so that a longjmp skips no destructor (a C++ failure may still throw through it). Returns false with failure.message set on error.
bool run_jpeg(jpeg_decompress_struct& info, jpeg_failure& failure, std::span<const uint8_t> bytes, rgb_image& out) {
  if (setjmp(failure.jump)) return false;
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;  // gray and YCbCr (and CMYK, refused below) to RGB
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK)
    fail(MIRT_STATUS_UNSUPPORTED, "JPEG: CMYK color is not supported");
  jpeg_start_decompress(&info);
  check_size("JPEG", info.output_width, info.output_height);  // throws only before any row is read
  out.height = info.output_height;
  out.width = info.output_width;
  out.pixels.resize(size_t(info.output_width) * info.output_height * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out.pixels.data() + size_t(info.output_scanline) * info.output_width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  return true;
}

}  // namespace

rgb_image decode_jpeg(std::span<const uint8_t> bytes) {
  jpeg_decompress_struct info{};
  jpeg_failure failure{};
  info.err = jpeg_std_error(&failure.manager);
  failure.manager.error_exit = jpeg_error_exit;
  failure.manager.emit_message = jpeg_emit_message;
  failure.manager.output_message = jpeg_no_output;
  rgb_image out;
  bool ok = false;
  try {
    ok = run_jpeg(info, failure, bytes, out);
  } catch (...) {
    jpeg_destroy_decompress(&info);
    throw;
  }
  jpeg_destroy_decompress(&info);
  if (!ok) fail(MIRT_STATUS_CORRUPT_DATA, "JPEG: ", failure.message);
  return out;
}

}  // namespace mirt::cpu::image
