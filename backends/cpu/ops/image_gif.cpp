// backends/cpu/ops/image_gif.cpp — GIF through giflib's record-level decoding API, read from memory
// by a callback over the byte span. Only the first frame is decoded (later frames, even damaged ones,
// are never read), placed on the logical screen at its offset, as PIL's convert("RGB") gives it (the
// ONNX reference decodes with PIL): the rest of the screen takes the frame's color of its transparent
// index, else of index 0 (not the screen's background color), and transparent pixels keep their
// palette color (alpha is dropped, as for the other formats).
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu::image {
namespace {

// The byte span giflib reads, with its read position.
struct memory_source {
  std::span<const uint8_t> bytes;
  size_t at = 0;
};

int read_bytes(GifFileType* gif, GifByteType* buffer, int size) {
  auto* src = static_cast<memory_source*>(gif->UserData);
  const size_t n = std::min(size_t(std::max(size, 0)), src->bytes.size() - src->at);
  if (n > 0) std::memcpy(buffer, src->bytes.data() + src->at, n);
  src->at += n;
  return int(n);
}

struct gif_closer {
  void operator()(GifFileType* gif) const { DGifCloseFile(gif, nullptr); }
};
using gif_handle = std::unique_ptr<GifFileType, gif_closer>;

[[noreturn]] void fail_gif(int error, const char* what) {
  const char* why = GifErrorString(error);
  fail(MIRT_STATUS_CORRUPT_DATA, "GIF: ", what, " (giflib: ", why ? why : "unknown error", ")");
}

// Skips extension blocks (comments, graphic control, application data) up to the first image;
// returns the transparent color index a graphic control block gave it, else -1.
int skip_to_first_image(GifFileType* gif) {
  int transparent = NO_TRANSPARENT_COLOR;
  for (;;) {
    GifRecordType record = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif, &record) == GIF_ERROR) fail_gif(gif->Error, "the data is truncated or damaged before the first image");
    if (record == IMAGE_DESC_RECORD_TYPE) return transparent;
    if (record == TERMINATE_RECORD_TYPE) fail(MIRT_STATUS_CORRUPT_DATA, "GIF: the file holds no image");
    if (record != EXTENSION_RECORD_TYPE) fail(MIRT_STATUS_CORRUPT_DATA, "GIF: unknown record type ", int(record));
    int code = 0;
    GifByteType* block = nullptr;
    if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) fail_gif(gif->Error, "an extension block is damaged");
    GraphicsControlBlock control{};
    if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr && DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK)
      transparent = control.TransparentColor;
    while (block != nullptr)
      if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) fail_gif(gif->Error, "an extension block is truncated");
  }
}

// The frame's color indices, row-major; interlaced frames store rows in four passes.
std::vector<GifPixelType> read_indices(GifFileType* gif, int width, int height, bool interlaced) {
  std::vector<GifPixelType> indices(size_t(width) * size_t(height));
  auto read_row = [&](int y) {
    if (DGifGetLine(gif, indices.data() + size_t(y) * size_t(width), width) == GIF_ERROR)
      fail_gif(gif->Error, "the image data is truncated or damaged");
  };
  if (!interlaced) {
    for (int y = 0; y < height; ++y) read_row(y);
    return indices;
  }
  constexpr int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass)
    for (int y = start[pass]; y < height; y += step[pass]) read_row(y);
  return indices;
}

}  // namespace

rgb_image decode_gif(std::span<const uint8_t> bytes) {
  memory_source src{bytes};
  int error = 0;
  gif_handle gif(DGifOpen(&src, read_bytes, &error));
  if (!gif) fail_gif(error, "the header is damaged or truncated");
  const int screen_width = gif->SWidth, screen_height = gif->SHeight;
  check_size("GIF", screen_width, screen_height);

  const int transparent = skip_to_first_image(gif.get());
  if (DGifGetImageDesc(gif.get()) == GIF_ERROR) fail_gif(gif->Error, "the first image's descriptor is damaged");
  const GifImageDesc& frame = gif->Image;
  check_size("GIF", frame.Width, frame.Height);
  const ColorMapObject* colors = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
  if (colors == nullptr || colors->Colors == nullptr) fail(MIRT_STATUS_CORRUPT_DATA, "GIF: the first image has no color table");
  const std::vector<GifPixelType> indices = read_indices(gif.get(), frame.Width, frame.Height, frame.Interlace);

  rgb_image out{screen_height, screen_width, std::vector<uint8_t>(size_t(screen_width) * size_t(screen_height) * 3)};
  // Outside the frame: the color of the transparent index, else of index 0 (as PIL fills it).
  const int fill = transparent >= 0 && transparent < colors->ColorCount ? transparent : 0;
  const GifColorType f = colors->Colors[fill];
  for (size_t p = 0; p < out.pixels.size(); p += 3) out.pixels[p] = f.Red, out.pixels[p + 1] = f.Green, out.pixels[p + 2] = f.Blue;
  // The frame at its offset, clipped to the screen.
  for (int y = 0; y < frame.Height && frame.Top + y < screen_height; ++y)
    for (int x = 0; x < frame.Width && frame.Left + x < screen_width; ++x) {
      const int index = indices[size_t(y) * size_t(frame.Width) + size_t(x)];
      if (index >= colors->ColorCount)
        fail(MIRT_STATUS_CORRUPT_DATA, "GIF: pixel (", x, ", ", y, ") has color index ", index, " past the ", colors->ColorCount,
             "-entry color table");
      const GifColorType c = colors->Colors[index];
      uint8_t* dst = out.pixels.data() + (size_t(frame.Top + y) * size_t(screen_width) + size_t(frame.Left + x)) * 3;
      dst[0] = c.Red, dst[1] = c.Green, dst[2] = c.Blue;
    }
  return out;
}

}  // namespace mirt::cpu::image
