// backends/cpu/ops/image_bmp_pnm.cpp — the two simple raster formats ImageDecoder reads without a
// library: Windows BMP (uncompressed 1/4/8-bit palette, 24-bit, 32-bit with or without bit fields)
// and binary PNM (P5 gray, P6 RGB, maxval 255). Every read is bounds-checked against the buffer.
#include <bit>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu::image {
namespace {

// Little-endian reads that fail, naming the format, past the end of the data.
class reader {
 public:
  reader(const char* format, std::span<const uint8_t> bytes) : format_(format), bytes_(bytes) {}
  void need(uint64_t offset, uint64_t count, const char* what) const {
    if (offset > bytes_.size() || count > bytes_.size() - offset)
      fail(MIRT_STATUS_CORRUPT_DATA, format_, ": data is truncated (", what, " needs bytes ", offset, " to ", offset + count,
           ", the data has ", bytes_.size(), ")");
  }
  uint32_t u16(uint64_t offset) const {
    need(offset, 2, "a header field");
    return uint32_t(bytes_[offset]) | uint32_t(bytes_[offset + 1]) << 8;
  }
  uint32_t u32(uint64_t offset) const { return u16(offset) | u16(offset + 2) << 16; }
  const uint8_t* at(uint64_t offset) const { return bytes_.data() + offset; }

 private:
  const char* format_;
  std::span<const uint8_t> bytes_;
};

// A channel of a 32-bit pixel by its bit mask, scaled to 8 bits.
uint8_t masked(uint32_t pixel, uint32_t mask) {
  if (mask == 0) return 0;
  const int shift = std::countr_zero(mask), width = std::popcount(mask);
  const uint32_t value = (pixel & mask) >> shift, top = (uint32_t(1) << width) - 1;
  return uint8_t(width == 8 ? value : (value * 255 + top / 2) / top);
}

}  // namespace

rgb_image decode_bmp(std::span<const uint8_t> bytes) {
  const reader r("BMP", bytes);
  const uint32_t data_offset = r.u32(10), header_size = r.u32(14);
  if (header_size < 40) fail(MIRT_STATUS_UNSUPPORTED, "BMP: the ", header_size, "-byte OS/2 header is not supported");
  const int64_t width = int32_t(r.u32(18)), signed_height = int32_t(r.u32(22));
  const uint32_t bits = r.u16(28), compression = r.u32(30);
  const bool bottom_up = signed_height > 0;
  const int64_t height = bottom_up ? signed_height : -signed_height;
  check_size("BMP", width, height);
  const bool bit_fields = compression == 3 && bits == 32;
  if (compression != 0 && !bit_fields)
    fail(MIRT_STATUS_UNSUPPORTED, "BMP: compression ", compression, " at ", bits, " bits per pixel is not supported");
  if (bits != 1 && bits != 4 && bits != 8 && bits != 24 && bits != 32)
    fail(MIRT_STATUS_UNSUPPORTED, "BMP: ", bits, " bits per pixel is not supported");

  // Palette entries are B, G, R, reserved, right after the header.
  uint64_t palette_size = 0;
  if (bits <= 8) {
    palette_size = r.u32(46) != 0 ? r.u32(46) : uint64_t(1) << bits;
    if (palette_size > (uint64_t(1) << bits)) fail(MIRT_STATUS_CORRUPT_DATA, "BMP: palette of ", palette_size, " colors at ", bits, " bits");
    r.need(14 + uint64_t(header_size), palette_size * 4, "the palette");
  }
  const uint8_t* palette = r.at(14 + uint64_t(header_size));
  // Bit fields follow a 40-byte header, or sit inside a larger one at the same place.
  const uint32_t red = bit_fields ? r.u32(54) : 0xff0000, green = bit_fields ? r.u32(58) : 0xff00, blue = bit_fields ? r.u32(62) : 0xff;

  const uint64_t stride = (uint64_t(width) * bits + 31) / 32 * 4;
  r.need(data_offset, stride * uint64_t(height), "the pixel rows");
  rgb_image out{height, width, std::vector<uint8_t>(size_t(width * height * 3))};
  for (int64_t y = 0; y < height; ++y) {
    const uint8_t* row = r.at(data_offset + stride * uint64_t(bottom_up ? height - 1 - y : y));
    uint8_t* dst = out.pixels.data() + size_t(y * width * 3);
    for (int64_t x = 0; x < width; ++x, dst += 3) {
      if (bits == 24) {
        dst[0] = row[x * 3 + 2], dst[1] = row[x * 3 + 1], dst[2] = row[x * 3];
      } else if (bits == 32) {
        const uint32_t p = uint32_t(row[x * 4]) | uint32_t(row[x * 4 + 1]) << 8 | uint32_t(row[x * 4 + 2]) << 16 | uint32_t(row[x * 4 + 3]) << 24;
        dst[0] = masked(p, red), dst[1] = masked(p, green), dst[2] = masked(p, blue);
      } else {  // palette index, most significant bits first
        const uint64_t bit = uint64_t(x) * bits;
        const uint32_t index = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1u << bits) - 1);
        if (index >= palette_size) fail(MIRT_STATUS_CORRUPT_DATA, "BMP: pixel (", y, ", ", x, ") has color ", index, " of a ", palette_size, "-color palette");
        dst[0] = palette[index * 4 + 2], dst[1] = palette[index * 4 + 1], dst[2] = palette[index * 4];
      }
    }
  }
  return out;
}

namespace {

bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// The next decimal header field of a PNM file, skipping white space and '#' comments.
int64_t pnm_field(std::span<const uint8_t> bytes, size_t& pos, const char* what) {
  while (pos < bytes.size() && (is_space(bytes[pos]) || bytes[pos] == '#'))
    if (bytes[pos] == '#')
      while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
    else
      ++pos;
  int64_t value = 0;
  const size_t start = pos;
  for (; pos < bytes.size() && bytes[pos] >= '0' && bytes[pos] <= '9' && value < (int64_t(1) << 40); ++pos) value = value * 10 + (bytes[pos] - '0');
  if (pos == start) fail(MIRT_STATUS_CORRUPT_DATA, "PNM: the header's ", what, " is missing or not a number");
  return value;
}

}  // namespace

rgb_image decode_pnm(std::span<const uint8_t> bytes) {
  const char kind = bytes.size() >= 2 ? char(bytes[1]) : '?';
  if (kind != '5' && kind != '6')
    fail(MIRT_STATUS_UNSUPPORTED, "PNM: type P", kind, " is not supported (binary P5 and P6 are)");
  size_t pos = 2;
  const int64_t width = pnm_field(bytes, pos, "width"), height = pnm_field(bytes, pos, "height");
  const int64_t maxval = pnm_field(bytes, pos, "maximum value");
  check_size("PNM", width, height);
  if (maxval != 255) fail(MIRT_STATUS_UNSUPPORTED, "PNM: maximum value ", maxval, " is not supported (255 is)");
  if (pos >= bytes.size() || !is_space(bytes[pos])) fail(MIRT_STATUS_CORRUPT_DATA, "PNM: no white space after the header");
  ++pos;  // exactly one white space character ends the header
  const uint64_t channels = kind == '6' ? 3 : 1, need = uint64_t(width * height) * channels;
  if (bytes.size() - pos < need)
    fail(MIRT_STATUS_CORRUPT_DATA, "PNM: data is truncated (", need, " pixel bytes expected, ", bytes.size() - pos, " present)");
  rgb_image out{height, width, std::vector<uint8_t>(size_t(width * height * 3))};
  for (size_t p = 0; p < size_t(width * height); ++p)
    for (size_t c = 0; c < 3; ++c) out.pixels[p * 3 + c] = bytes[pos + p * channels + (channels == 3 ? c : 0)];
  return out;
}

}  // namespace mirt::cpu::image
