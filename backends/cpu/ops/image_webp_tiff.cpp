// backends/cpu/ops/image_webp_tiff.cpp — WebP through libwebp's simple decoding API and TIFF through
// libtiff read from memory (client procedures over the byte span), both to 8-bit RGB as PIL's
// convert("RGB") gives: alpha is dropped, not composited. libtiff reports errors through a handler
// that is per TIFF handle (TIFFOpenOptions), so concurrent decodes keep their own messages.
#include <tiffio.h>
#include <webp/decode.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu::image {

rgb_image decode_webp(std::span<const uint8_t> bytes) {
  int width = 0, height = 0;
  if (!WebPGetInfo(bytes.data(), bytes.size(), &width, &height)) fail(MIRT_STATUS_CORRUPT_DATA, "WebP: the header is damaged");
  check_size("WebP", width, height);
  rgb_image out{height, width, std::vector<uint8_t>(size_t(width) * size_t(height) * 3)};
  const int stride = width * 3;
  if (!WebPDecodeRGBInto(bytes.data(), bytes.size(), out.pixels.data(), out.pixels.size(), stride))
    fail(MIRT_STATUS_CORRUPT_DATA, "WebP: the image data is damaged or truncated");
  return out;
}

namespace {

// The byte span libtiff reads, with its read position.
struct memory_file {
  std::span<const uint8_t> bytes;
  uint64_t at = 0;
  std::string error;  // libtiff's first error message
};

tmsize_t read_proc(thandle_t h, void* buffer, tmsize_t size) {
  auto* f = static_cast<memory_file*>(h);
  const uint64_t n = std::min<uint64_t>(uint64_t(size), f->at < f->bytes.size() ? f->bytes.size() - f->at : 0);
  if (n > 0) std::memcpy(buffer, f->bytes.data() + f->at, n);
  f->at += n;
  return tmsize_t(n);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return 0; }
toff_t seek_proc(thandle_t h, toff_t offset, int whence) {
  auto* f = static_cast<memory_file*>(h);
  const uint64_t base = whence == SEEK_CUR ? f->at : whence == SEEK_END ? f->bytes.size() : 0;
  f->at = base + offset;
  return f->at;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t h) { return static_cast<memory_file*>(h)->bytes.size(); }
int map_proc(thandle_t, void**, toff_t*) { return 0; }  // no mapping: libtiff reads through read_proc
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* format, va_list args) {
  auto* f = static_cast<memory_file*>(user);
  if (f->error.empty()) {
    char message[512];
    std::vsnprintf(message, sizeof message, format, args);
    f->error = std::string(module ? module : "libtiff") + ": " + message;
  }
  return 1;
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }  // quiet, as PIL

}  // namespace

rgb_image decode_tiff(std::span<const uint8_t> bytes) {
  memory_file file{bytes};
  std::unique_ptr<TIFFOpenOptions, void (*)(TIFFOpenOptions*)> options(TIFFOpenOptionsAlloc(), TIFFOpenOptionsFree);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &file);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &file);
  std::unique_ptr<TIFF, void (*)(TIFF*)> tif(TIFFClientOpenExt("encoded_stream", "rm", &file, read_proc, write_proc, seek_proc,
                                                               close_proc, size_proc, map_proc, unmap_proc, options.get()),
                                             TIFFClose);
  if (!tif) fail(MIRT_STATUS_CORRUPT_DATA, "TIFF: ", file.error.empty() ? "the header is damaged" : file.error);
  uint32_t width = 0, height = 0;
  TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height);
  check_size("TIFF", width, height);
  std::vector<uint32_t> rgba(size_t(width) * height);
  if (!TIFFReadRGBAImageOriented(tif.get(), width, height, rgba.data(), ORIENTATION_TOPLEFT, 0))
    fail(MIRT_STATUS_CORRUPT_DATA, "TIFF: ", file.error.empty() ? "the image data cannot be read" : file.error);
  rgb_image out{height, width, std::vector<uint8_t>(rgba.size() * 3)};
  for (size_t p = 0; p < rgba.size(); ++p) {
    out.pixels[p * 3] = uint8_t(TIFFGetR(rgba[p]));
    out.pixels[p * 3 + 1] = uint8_t(TIFFGetG(rgba[p]));
    out.pixels[p * 3 + 2] = uint8_t(TIFFGetB(rgba[p]));
  }
  return out;
}

}  // namespace mirt::cpu::image
