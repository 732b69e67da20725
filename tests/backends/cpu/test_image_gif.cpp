// tests/backends/cpu/test_image_gif.cpp — ImageDecoder on GIF files encoded here with giflib's
// EGif API (to memory): the first frame's palette colors in RGB, BGR and Grayscale, interlaced rows,
// local color tables, a frame smaller than the screen on its index-0 or transparent color (as PIL
// gives it; checked against Pillow 13), later frames ignored; truncated and damaged files fail naming the layer and GIF, never crash.
#include <gif_lib.h>

#include <cmath>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"
#include "tests/backends/cpu/image_decode_support.hpp"

using namespace cpu_test;

namespace {

// One frame: its place on the screen, its color indices (row-major), and an optional local table.
struct gif_frame {
  int left = 0, top = 0, width = 0, height = 0;
  bytes_t indices;
  std::vector<GifColorType> local_colors;
  bool interlaced = false;
  int transparent = NO_TRANSPARENT_COLOR;  // written in a graphic control block before the frame
};

int write_bytes(GifFileType* gif, const GifByteType* data, int n) {
  auto* out = static_cast<bytes_t*>(gif->UserData);
  out->insert(out->end(), data, data + n);
  return n;
}

// A GIF89a with a comment before the first frame; the screen table `colors` (may be empty).
bytes_t encode_gif(int width, int height, const std::vector<GifColorType>& colors, int background,
                   const std::vector<gif_frame>& frames) {
  bytes_t out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, write_bytes, &error);
  REQUIRE(gif != nullptr);
  EGifSetGifVersion(gif, true);
  ColorMapObject* screen_map = colors.empty() ? nullptr : GifMakeMapObject(int(colors.size()), colors.data());
  REQUIRE(EGifPutScreenDesc(gif, width, height, 8, background, screen_map) == GIF_OK);
  REQUIRE(EGifPutComment(gif, "made by mirt's test") == GIF_OK);
  for (const gif_frame& f : frames) {
    if (f.transparent != NO_TRANSPARENT_COLOR) {
      GraphicsControlBlock control{DISPOSAL_UNSPECIFIED, false, 0, f.transparent};
      GifByteType block[4];
      EGifGCBToExtension(&control, block);
      REQUIRE(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, block) == GIF_OK);
    }
    ColorMapObject* local = f.local_colors.empty() ? nullptr : GifMakeMapObject(int(f.local_colors.size()), f.local_colors.data());
    REQUIRE(EGifPutImageDesc(gif, f.left, f.top, f.width, f.height, f.interlaced, local) == GIF_OK);
    // An interlaced frame is written in its four passes' row order.
    std::vector<int> rows;
    if (f.interlaced) {
      for (auto [start, step] : {std::pair{0, 8}, {4, 8}, {2, 4}, {1, 2}})
        for (int y = start; y < f.height; y += step) rows.push_back(y);
    } else {
      for (int y = 0; y < f.height; ++y) rows.push_back(y);
    }
    for (int y : rows) {
      bytes_t line(f.indices.begin() + y * f.width, f.indices.begin() + (y + 1) * f.width);
      REQUIRE(EGifPutLine(gif, line.data(), f.width) == GIF_OK);
    }
    GifFreeMapObject(local);
  }
  REQUIRE(EGifCloseFile(gif, &error) == GIF_OK);
  GifFreeMapObject(screen_map);
  return out;
}

std::vector<GifColorType> random_palette(int n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<GifColorType> colors(static_cast<size_t>(n));
  for (auto& c : colors) c = {GifByteType(gen()), GifByteType(gen()), GifByteType(gen())};
  return colors;
}

bytes_t random_indices(size_t n, int colors, uint32_t seed) {
  std::mt19937 gen(seed);
  bytes_t v(n);
  for (auto& i : v) i = uint8_t(gen() % uint32_t(colors));
  return v;
}

bytes_t rgb_of(const bytes_t& indices, const std::vector<GifColorType>& colors) {
  bytes_t rgb;
  for (uint8_t i : indices) rgb.insert(rgb.end(), {colors[i].Red, colors[i].Green, colors[i].Blue});
  return rgb;
}

void require_refused(const op_result& r, const std::string& needle) {
  INFO(r.message);
  CHECK(r.code == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.message.find("camera/decode") != std::string::npos);
  CHECK(r.message.find(needle) != std::string::npos);
}

// A 2x2 frame at (3, 1) of a 6x4 screen whose background index is 1; `outside` is the color expected
// around it.
void check_offset_frame(const std::vector<GifColorType>& global, const std::vector<GifColorType>& local, int transparent,
                        GifColorType outside) {
  const gif_frame frame{3, 1, 2, 2, {2, 3, 3, 2}, local, false, transparent};
  const std::vector<GifColorType>& colors = local.empty() ? global : local;
  const bytes_t got = decoded(encode_gif(6, 4, global, 1, {frame}), {4, 6, 3});
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 6; ++x) {
      INFO("pixel ", x, ", ", y, " transparent ", transparent);
      const bool inside = x >= 3 && x < 5 && y >= 1 && y < 3;
      const GifColorType want = inside ? colors[frame.indices[size_t((y - 1) * 2 + (x - 3))]] : outside;
      const size_t at = size_t(y * 6 + x) * 3;
      CHECK(got[at] == want.Red);
      CHECK(got[at + 1] == want.Green);
      CHECK(got[at + 2] == want.Blue);
    }
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("ImageDecoder GIF: the first frame's palette colors in RGB, BGR and Grayscale (PIL's luma)") {
  const std::vector<GifColorType> colors = random_palette(16, 21);
  const bytes_t indices = random_indices(7 * 5, 16, 22);
  const bytes_t gif = encode_gif(7, 5, colors, 0, {{0, 0, 7, 5, indices}});
  const bytes_t rgb = rgb_of(indices, colors);
  CHECK(decoded(gif, {5, 7, 3}) == rgb);
  bytes_t bgr = rgb;
  for (size_t p = 0; p < bgr.size(); p += 3) std::swap(bgr[p], bgr[p + 2]);
  CHECK(decoded(gif, {5, 7, 3}, "BGR") == bgr);
  const bytes_t gray = decoded(gif, {5, 7, 1}, "Grayscale");
  for (size_t p = 0; p < gray.size(); ++p) {
    const double luma = (rgb[p * 3] * 299.0 + rgb[p * 3 + 1] * 587.0 + rgb[p * 3 + 2] * 114.0) / 1000.0;
    CHECK(std::abs(double(gray[p]) - luma) <= 0.5 + 1e-9);
  }
}

TEST_CASE("ImageDecoder GIF: interlaced rows, a local color table, later frames ignored") {
  const std::vector<GifColorType> global = random_palette(4, 23), local = random_palette(8, 24);
  const bytes_t first = random_indices(4 * 11, 8, 25), second = random_indices(4 * 11, 4, 26);
  // The second frame has a table of its own too: giflib's encoder leaks a frame's table when the
  // next frame has none.
  const bytes_t gif = encode_gif(4, 11, global, 0, {{0, 0, 4, 11, first, local, true}, {0, 0, 4, 11, second, global}});
  CHECK(decoded(gif, {11, 4, 3}) == rgb_of(first, local));
}

TEST_CASE("ImageDecoder GIF: a frame smaller than the screen sits at its offset on its index-0 or transparent color") {
  // PIL (the ONNX reference's decoder) fills the rest of the screen with the frame's color of its
  // transparent index, else of index 0, whatever the screen's background index (1 here) says.
  const std::vector<GifColorType> global = {{10, 20, 30}, {200, 150, 100}, {1, 2, 3}, {4, 5, 6}};
  const std::vector<GifColorType> local = {{50, 60, 70}, {80, 90, 100}, {11, 12, 13}, {14, 15, 16}};
  check_offset_frame(global, {}, NO_TRANSPARENT_COLOR, global[0]);
  check_offset_frame(global, {}, 3, global[3]);
  check_offset_frame(global, local, 2, local[2]);
}

TEST_CASE("ImageDecoder GIF: no color table, an index past the table, a bare header and a half file are refused") {
  // giflib writes no frame without a color table: drop the screen's table (flag and bytes) afterwards.
  bytes_t bare = encode_gif(2, 2, {{0, 0, 0}, {9, 9, 9}}, 0, {{0, 0, 2, 2, {0, 1, 1, 0}}});
  REQUIRE((bare[10] & 0x80) != 0);
  bare.erase(bare.begin() + 13, bare.begin() + 13 + (3 << ((bare[10] & 7) + 1)));
  bare[10] &= 0x7f;
  require_refused(decode(bare, {2, 2, 3}), "GIF: the first image has no color table");
  // Two colors take 2-bit codes in GIF's LZW, so index 3 can be written.
  require_refused(decode(encode_gif(2, 1, {{0, 0, 0}, {9, 9, 9}}, 0, {{0, 0, 2, 1, {1, 3}}}), {1, 2, 3}),
                  "has color index 3 past the 2-entry color table");
  require_refused(decode(bytes_t{'G', 'I', 'F', '8', '9', 'a'}, {1, 1, 3}), "GIF");
  const bytes_t gif = encode_gif(16, 16, random_palette(32, 27), 0, {{0, 0, 16, 16, random_indices(256, 32, 28)}});
  require_refused(decode(bytes_t(gif.begin(), gif.begin() + long(gif.size() / 2)), {16, 16, 3}), "GIF: the image data is truncated");
}

TEST_CASE("ImageDecoder GIF on every prefix and on damaged copies fails cleanly or decodes") {
  // Under the sanitizer build this checks giflib's error paths and mirt's reader for memory safety.
  const bytes_t gif = encode_gif(12, 8, random_palette(64, 29), 0,
                                 {{0, 0, 12, 8, random_indices(96, 64, 30), random_palette(64, 31), true}});
  REQUIRE(decode(gif, {8, 12, 3}).code == MIRT_STATUS_OK);
  for (size_t n = 0; n < gif.size(); ++n) {
    const op_result r = decode(bytes_t(gif.begin(), gif.begin() + long(n)), {8, 12, 3});
    INFO("prefix of ", n, " bytes: ", r.message);
    // Only the trailer byte (';') is never read: any shorter prefix lacks image data or its end block.
    if (n + 1 < gif.size()) CHECK(r.code != MIRT_STATUS_OK);
    CHECK(r.code != MIRT_STATUS_INTERNAL);
    if (r.code != MIRT_STATUS_OK) CHECK(r.message.find("camera/decode") != std::string::npos);
  }
  std::mt19937 gen(32);
  for (int trial = 0; trial < 300; ++trial) {
    bytes_t damaged = gif;
    for (int k = 0; k < 4; ++k) damaged[gen() % damaged.size()] = uint8_t(gen());
    const op_result r = decode(damaged, {8, 12, 3});
    INFO("damaged copy ", trial, ": ", r.message);
    CHECK(r.code != MIRT_STATUS_INTERNAL);
    if (r.code != MIRT_STATUS_OK) CHECK(r.message.find("camera/decode") != std::string::npos);
  }
}

}  // TEST_SUITE
