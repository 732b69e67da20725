// tests/backends/cpu/test_image_decoder.cpp — ImageDecoder on PNG, JPEG, WebP, TIFF and JPEG 2000 files
// encoded here with libpng, libjpeg, libwebp, libtiff and OpenJPEG, and on BMP and PNM files built byte by byte,
// against the raw pixels they hold; truncated and unknown data are refused naming the
// layer and the format. GIF has its own file: test_image_gif.cpp.
#include <openjpeg.h>
#include <png.h>
#include <tiffio.h>
#include <webp/encode.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <jpeglib.h>

#include <doctest/doctest.h>

#include "tests/backends/cpu/harness.hpp"
#include "tests/backends/cpu/image_decode_support.hpp"

using namespace cpu_test;

namespace {

bytes_t random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  bytes_t v(n);
  for (auto& b : v) b = uint8_t(gen() & 0xff);
  return v;
}

bytes_t encode_png(uint32_t width, uint32_t height, uint32_t format, const bytes_t& pixels) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = width;
  img.height = height;
  img.format = format;
  png_alloc_size_t size = 0;
  REQUIRE(png_image_write_to_memory(&img, nullptr, &size, 0, pixels.data(), 0, nullptr));
  bytes_t out(size);
  REQUIRE(png_image_write_to_memory(&img, out.data(), &size, 0, pixels.data(), 0, nullptr));
  out.resize(size);
  return out;
}

// Quality 100 without chroma subsampling: flat 8x8 blocks come back within a step or two.
bytes_t encode_jpeg(int width, int height, const bytes_t& rgb) {
  jpeg_compress_struct info{};
  jpeg_error_mgr err{};
  info.err = jpeg_std_error(&err);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = JDIMENSION(width);
  info.image_height = JDIMENSION(height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 100, TRUE);
  for (int c = 0; c < 3; ++c) info.comp_info[c].h_samp_factor = info.comp_info[c].v_samp_factor = 1;
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(rgb.data()) + size_t(info.next_scanline) * size_t(width) * 3;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  bytes_t out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

// Lossless WebP of an RGB image (so the decoded pixels equal the encoded ones).
bytes_t encode_webp(int width, int height, const bytes_t& rgb) {
  uint8_t* buffer = nullptr;
  const size_t size = WebPEncodeLosslessRGB(rgb.data(), width, height, width * 3, &buffer);
  REQUIRE(size > 0);
  bytes_t out(buffer, buffer + size);
  WebPFree(buffer);
  return out;
}

// An uncompressed 8-bit RGB TIFF, written to a temporary file by libtiff and read back as bytes.
bytes_t encode_tiff(uint32_t width, uint32_t height, const bytes_t& rgb) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / ("mirt_test_" + std::to_string(::getpid()) + ".tif");
  {
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    REQUIRE(tif != nullptr);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    for (uint32_t y = 0; y < height; ++y)
      REQUIRE(TIFFWriteScanline(tif, const_cast<uint8_t*>(rgb.data() + size_t(y) * width * 3), y, 0) == 1);
    TIFFClose(tif);
  }
  std::ifstream in(path, std::ios::binary);
  bytes_t out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return out;
}

// A lossless (reversible 5/3 wavelet) JPEG 2000 codestream of an RGB image, written to memory.
bytes_t encode_jpeg2000(uint32_t width, uint32_t height, const bytes_t& rgb) {
  struct sink {
    bytes_t bytes;
    size_t at = 0;
  } out;
  opj_cparameters_t parameters;
  opj_set_default_encoder_parameters(&parameters);
  parameters.tcp_numlayers = 1, parameters.tcp_rates[0] = 0, parameters.cp_disto_alloc = 1;  // lossless
  parameters.numresolution = 3;  // 2^(n-1) must not exceed the smaller side
  opj_image_cmptparm_t components[3];
  std::memset(components, 0, sizeof components);
  for (auto& c : components) c.dx = c.dy = 1, c.w = width, c.h = height, c.prec = 8, c.sgnd = 0;
  opj_image_t* image = opj_image_create(3, components, OPJ_CLRSPC_SRGB);
  REQUIRE(image != nullptr);
  image->x1 = width, image->y1 = height;
  for (size_t p = 0; p < size_t(width) * height; ++p)
    for (int c = 0; c < 3; ++c) image->comps[c].data[p] = rgb[p * 3 + size_t(c)];
  opj_codec_t* codec = opj_create_compress(OPJ_CODEC_J2K);
  REQUIRE(opj_setup_encoder(codec, &parameters, image));
  opj_stream_t* stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE);
  opj_stream_set_write_function(stream, [](void* buffer, OPJ_SIZE_T n, void* user) -> OPJ_SIZE_T {
    auto* s = static_cast<sink*>(user);
    if (s->bytes.size() < s->at + n) s->bytes.resize(s->at + n);
    std::memcpy(s->bytes.data() + s->at, buffer, n);
    s->at += n;
    return n;
  });
  opj_stream_set_seek_function(stream, [](OPJ_OFF_T to, void* user) -> OPJ_BOOL {
    static_cast<sink*>(user)->at = size_t(to);
    return OPJ_TRUE;
  });
  opj_stream_set_skip_function(stream, [](OPJ_OFF_T n, void* user) -> OPJ_OFF_T {
    static_cast<sink*>(user)->at += size_t(n);
    return n;
  });
  opj_stream_set_user_data(stream, &out, nullptr);
  const bool ok = opj_start_compress(codec, image, stream) && opj_encode(codec, stream) && opj_end_compress(codec, stream);
  opj_stream_destroy(stream);
  opj_destroy_codec(codec);
  opj_image_destroy(image);
  REQUIRE(ok);
  return out.bytes;
}

// PIL's convert("L") (the reference the ONNX test data was made with).
bytes_t luma(const bytes_t& rgb) {
  bytes_t out;
  for (size_t p = 0; p + 2 < rgb.size(); p += 3)
    out.push_back(uint8_t(std::lround((rgb[p] * 299.0 + rgb[p + 1] * 587.0 + rgb[p + 2] * 114.0) / 1000.0)));
  return out;
}

bytes_t swap_red_blue(bytes_t rgb) {
  for (size_t p = 0; p + 2 < rgb.size(); p += 3) std::swap(rgb[p], rgb[p + 2]);
  return rgb;
}

void require_refused(const op_result& r, mirt_status_code code, const std::string& needle) {
  INFO(r.message);
  CHECK(r.code == code);
  CHECK(r.message.find("camera/decode") != std::string::npos);
  CHECK(r.message.find(needle) != std::string::npos);
}

void put32(bytes_t& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

// A bottom-up BMP with a 40-byte header: 24-bit pixels, or 8-bit indices into `palette` (B, G, R, 0).
bytes_t make_bmp(int width, int height, int bits, const bytes_t& rows, const bytes_t& palette = {}) {
  bytes_t b(54 + palette.size());
  b[0] = 'B', b[1] = 'M';
  put32(b, 10, uint32_t(b.size()));
  put32(b, 14, 40);
  put32(b, 18, uint32_t(width));
  put32(b, 22, uint32_t(height));
  b[26] = 1, b[28] = uint8_t(bits);
  put32(b, 46, uint32_t(palette.size() / 4));
  std::copy(palette.begin(), palette.end(), b.begin() + 54);
  b.insert(b.end(), rows.begin(), rows.end());
  return b;
}

}  // namespace

TEST_SUITE("cpu") {

TEST_CASE("ImageDecoder PNG: RGB, BGR and Grayscale of an RGB file; gray and RGBA files") {
  const bytes_t rgb = random_bytes(5 * 3 * 3, 11);
  const bytes_t png = encode_png(5, 3, PNG_FORMAT_RGB, rgb);
  CHECK(decoded(png, {3, 5, 3}) == rgb);
  CHECK(decoded(png, {3, 5, 3}, "BGR") == swap_red_blue(rgb));
  const bytes_t gray_of_rgb = decoded(png, {3, 5, 1}, "Grayscale");
  const bytes_t want_gray = luma(rgb);
  REQUIRE(gray_of_rgb.size() == want_gray.size());
  for (size_t i = 0; i < want_gray.size(); ++i) CHECK(std::abs(int(gray_of_rgb[i]) - int(want_gray[i])) <= 1);

  const bytes_t gray = random_bytes(4 * 2, 12);
  const bytes_t gray_png = encode_png(4, 2, PNG_FORMAT_GRAY, gray);
  CHECK(decoded(gray_png, {2, 4, 1}, "Grayscale") == gray);
  bytes_t gray_rgb;
  for (uint8_t g : gray) gray_rgb.insert(gray_rgb.end(), {g, g, g});
  CHECK(decoded(gray_png, {2, 4, 3}) == gray_rgb);

  // Alpha is dropped, not composited: a fully transparent pixel keeps its color.
  const bytes_t rgba = {10, 20, 30, 0, 200, 100, 50, 128};
  CHECK(decoded(encode_png(2, 1, PNG_FORMAT_RGBA, rgba), {1, 2, 3}) == bytes_t{10, 20, 30, 200, 100, 50});
}

TEST_CASE("ImageDecoder JPEG: flat color blocks come back in RGB and BGR order") {
  const int width = 16, height = 8;
  const uint8_t colors[2][3] = {{200, 30, 60}, {20, 180, 240}};
  bytes_t rgb;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) rgb.insert(rgb.end(), colors[x / 8], colors[x / 8] + 3);
  const bytes_t jpeg = encode_jpeg(width, height, rgb);
  for (const std::string format : {"RGB", "BGR"}) {
    const bytes_t got = decoded(jpeg, {height, width, 3}, format);
    const bytes_t want = format == "RGB" ? rgb : swap_red_blue(rgb);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO(format, " value ", i);
      CHECK(std::abs(int(got[i]) - int(want[i])) <= 3);
    }
  }
}

TEST_CASE("ImageDecoder BMP (24-bit and 8-bit palette) and PNM (P6, P5) against their bytes") {
  // 24-bit, 2x2, bottom-up, rows padded to 8 bytes: bottom row first, each pixel B, G, R.
  const bytes_t bmp24 = make_bmp(2, 2, 24, {7, 8, 9, 4, 5, 6, 0, 0, 3, 2, 1, 6, 5, 4, 0, 0});
  CHECK(decoded(bmp24, {2, 2, 3}) == bytes_t{1, 2, 3, 4, 5, 6, 9, 8, 7, 6, 5, 4});
  const bytes_t palette = {30, 20, 10, 0, 60, 50, 40, 0};
  const bytes_t bmp8 = make_bmp(3, 1, 8, {1, 0, 1, 0}, palette);
  CHECK(decoded(bmp8, {1, 3, 3}) == bytes_t{40, 50, 60, 10, 20, 30, 40, 50, 60});
  bytes_t bad_index = make_bmp(3, 1, 8, {2, 0, 1, 0}, palette);
  require_refused(decode(bad_index, {1, 3, 3}), MIRT_STATUS_CORRUPT_DATA, "palette");

  const std::string header6 = "P6\n# made here\n2 1\n255\n", header5 = "P5 3 1 255 ";
  bytes_t p6(header6.begin(), header6.end()), p5(header5.begin(), header5.end());
  p6.insert(p6.end(), {1, 2, 3, 250, 251, 252});
  p5.insert(p5.end(), {9, 99, 199});
  CHECK(decoded(p6, {1, 2, 3}) == bytes_t{1, 2, 3, 250, 251, 252});
  CHECK(decoded(p5, {1, 3, 1}, "Grayscale") == bytes_t{9, 99, 199});
}

TEST_CASE("ImageDecoder WebP (lossless), TIFF (uncompressed RGB) and JPEG 2000 (reversible) give back the encoded pixels") {
  const bytes_t rgb = random_bytes(7 * 5 * 3, 18);
  for (const bytes_t& file : {encode_webp(7, 5, rgb), encode_tiff(7, 5, rgb), encode_jpeg2000(7, 5, rgb)}) {
    CHECK(decoded(file, {5, 7, 3}) == rgb);
    CHECK(decoded(file, {5, 7, 3}, "BGR") == swap_red_blue(rgb));
    CHECK(decoded(file, {5, 7, 1}, "Grayscale") == luma(rgb));
  }
}

TEST_CASE("ImageDecoder refuses truncated and unknown data naming the layer") {
  const bytes_t png = encode_png(8, 8, PNG_FORMAT_RGB, random_bytes(8 * 8 * 3, 13));
  require_refused(decode(bytes_t(png.begin(), png.begin() + long(png.size() / 2)), {8, 8, 3}), MIRT_STATUS_CORRUPT_DATA, "PNG");

  const bytes_t jpeg = encode_jpeg(16, 16, random_bytes(16 * 16 * 3, 14));
  require_refused(decode(bytes_t(jpeg.begin(), jpeg.begin() + long(jpeg.size() / 2)), {16, 16, 3}), MIRT_STATUS_CORRUPT_DATA, "JPEG");
  require_refused(decode(bytes_t(jpeg.begin(), jpeg.begin() + 3), {16, 16, 3}), MIRT_STATUS_CORRUPT_DATA, "JPEG");

  const bytes_t bmp24 = make_bmp(2, 2, 24, {7, 8, 9, 4, 5, 6, 0, 0, 3, 2, 1});  // a row short
  require_refused(decode(bmp24, {2, 2, 3}), MIRT_STATUS_CORRUPT_DATA, "BMP: data is truncated");
  require_refused(decode(bytes_t{'P', '6', ' ', '4', ' ', '4', ' ', '2', '5', '5', ' ', 1, 2}, {4, 4, 3}), MIRT_STATUS_CORRUPT_DATA,
                  "PNM: data is truncated");

  require_refused(decode(bytes_t{'h', 'e', 'l', 'l', 'o'}, {1, 1, 3}), MIRT_STATUS_INVALID_ARGUMENT, "not an image in a known format");
  require_refused(decode(bytes_t{}, {1, 1, 3}), MIRT_STATUS_INVALID_ARGUMENT, "not an image in a known format");
  require_refused(decode(bytes_t{'I', 'I', '*', 0, 8, 0, 0, 0}, {1, 1, 3}), MIRT_STATUS_CORRUPT_DATA, "TIFF");
  const bytes_t webp = encode_webp(8, 8, random_bytes(8 * 8 * 3, 17));
  require_refused(decode(bytes_t(webp.begin(), webp.begin() + long(webp.size() / 2)), {8, 8, 3}), MIRT_STATUS_CORRUPT_DATA, "WebP");
  require_refused(decode(bytes_t{0xff, 0x4f, 0xff, 0x51, 0, 0}, {1, 1, 3}), MIRT_STATUS_CORRUPT_DATA, "JPEG 2000");
  require_refused(decode(bytes_t{'G', 'I', 'F', '8', '9', 'a'}, {1, 1, 3}), MIRT_STATUS_CORRUPT_DATA, "GIF");
}

TEST_CASE("ImageDecoder on every prefix and on damaged copies of each format fails cleanly or decodes") {
  // Under the sanitizer build this is the memory-safety check of the readers and the libraries'
  // error paths: each call must return a status (any failure names the layer), never crash.
  const bytes_t rgb = random_bytes(12 * 8 * 3, 15);
  const std::string p6_header = "P6 12 8 255\n";
  bytes_t p6(p6_header.begin(), p6_header.end());
  p6.insert(p6.end(), rgb.begin(), rgb.end());
  bytes_t bmp_rows;
  for (int y = 0; y < 8; ++y) bmp_rows.insert(bmp_rows.end(), rgb.begin() + y * 36, rgb.begin() + y * 36 + 36);
  const std::vector<std::pair<const char*, bytes_t>> files = {
      {"PNG", encode_png(12, 8, PNG_FORMAT_RGB, rgb)}, {"JPEG", encode_jpeg(12, 8, rgb)}, {"BMP", make_bmp(12, 8, 24, bmp_rows)}, {"PNM", p6},
      {"WebP", encode_webp(12, 8, rgb)},         {"TIFF", encode_tiff(12, 8, rgb)}, {"JPEG 2000", encode_jpeg2000(12, 8, rgb)}};
  std::mt19937 gen(16);
  for (const auto& [format, file] : files) {
    INFO(format);
    REQUIRE(decode(file, {8, 12, 3}).code == MIRT_STATUS_OK);
    for (size_t n = 0; n < file.size(); ++n) {
      const op_result r = decode(bytes_t(file.begin(), file.begin() + long(n)), {8, 12, 3});
      INFO("prefix of ", n, " bytes: ", r.message);
      CHECK(r.code != MIRT_STATUS_INTERNAL);
      if (r.code != MIRT_STATUS_OK) CHECK(r.message.find("camera/decode") != std::string::npos);
    }
    for (int trial = 0; trial < 200; ++trial) {
      bytes_t damaged = file;
      for (int k = 0; k < 4; ++k) damaged[gen() % damaged.size()] = uint8_t(gen());
      const op_result r = decode(damaged, {8, 12, 3});
      INFO("damaged copy ", trial, ": ", r.message);
      CHECK(r.code != MIRT_STATUS_INTERNAL);
    }
  }
}

}  // TEST_SUITE
