// backends/cpu/ops/image_jpeg2000.cpp — JPEG 2000 (a JP2 file or a raw J2K codestream) through
// OpenJPEG reading from memory, to 8-bit RGB: components of other precisions are scaled to 8 bits,
// one component is gray, a fourth (alpha) is dropped. OpenJPEG's errors go to a per-codec handler,
// so the message names what it found.
#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "backends/cpu/kernel.hpp"
#include "backends/cpu/ops/image_codecs.hpp"

namespace mirt::cpu::image {
namespace {

// The byte span OpenJPEG reads, with its read position.
struct memory_stream {
  std::span<const uint8_t> bytes;
  uint64_t at = 0;
  std::string error;  // OpenJPEG's first error message
};

OPJ_SIZE_T read_proc(void* buffer, OPJ_SIZE_T size, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  if (s->at >= s->bytes.size()) return OPJ_SIZE_T(-1);  // end of stream
  const uint64_t n = std::min<uint64_t>(size, s->bytes.size() - s->at);
  std::memcpy(buffer, s->bytes.data() + s->at, n);
  s->at += n;
  return OPJ_SIZE_T(n);
}
OPJ_OFF_T skip_proc(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  const uint64_t to = std::min<uint64_t>(s->bytes.size(), uint64_t(std::max<int64_t>(0, int64_t(s->at) + n)));
  const OPJ_OFF_T moved = OPJ_OFF_T(to) - OPJ_OFF_T(s->at);
  s->at = to;
  return moved;
}
OPJ_BOOL seek_proc(OPJ_OFF_T to, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  if (to < 0 || uint64_t(to) > s->bytes.size()) return OPJ_FALSE;
  s->at = uint64_t(to);
  return OPJ_TRUE;
}
void on_error(const char* message, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  if (s->error.empty()) {
    s->error = message;
    while (!s->error.empty() && (s->error.back() == '\n' || s->error.back() == ' ')) s->error.pop_back();
  }
}
void on_quiet(const char*, void*) {}

[[noreturn]] void corrupt(const memory_stream& s, const char* what) {
  fail(MIRT_STATUS_CORRUPT_DATA, "JPEG 2000: ", s.error.empty() ? what : s.error);
}

// Component sample as 8 bits: shifted down (or up) from its precision; signed samples offset.
uint8_t to_byte(int32_t v, const opj_image_comp_t& c) {
  int64_t x = v + (c.sgnd ? (int64_t(1) << (c.prec - 1)) : 0);
  x = c.prec > 8 ? x >> (c.prec - 8) : x << (8 - c.prec);
  return uint8_t(std::clamp<int64_t>(x, 0, 255));
}

}  // namespace

rgb_image decode_jpeg2000(std::span<const uint8_t> bytes) {
  memory_stream source{bytes};
  const bool jp2 = bytes.size() >= 12 && std::memcmp(bytes.data() + 4, "jP  ", 4) == 0;
  std::unique_ptr<opj_codec_t, void (*)(opj_codec_t*)> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K),
                                                             opj_destroy_codec);
  std::unique_ptr<opj_stream_t, void (*)(opj_stream_t*)> stream(opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE),
                                                                opj_stream_destroy);
  if (!codec || !stream) fail(MIRT_STATUS_OUT_OF_MEMORY, "JPEG 2000: OpenJPEG could not create its decoder");
  opj_set_error_handler(codec.get(), on_error, &source);
  opj_set_warning_handler(codec.get(), on_quiet, &source);
  opj_set_info_handler(codec.get(), on_quiet, &source);
  opj_stream_set_read_function(stream.get(), read_proc);
  opj_stream_set_skip_function(stream.get(), skip_proc);
  opj_stream_set_seek_function(stream.get(), seek_proc);
  opj_stream_set_user_data(stream.get(), &source, nullptr);
  opj_stream_set_user_data_length(stream.get(), bytes.size());
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  if (!opj_setup_decoder(codec.get(), &parameters)) corrupt(source, "the decoder refused its parameters");

  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) {
    if (raw) opj_image_destroy(raw);
    corrupt(source, "the header is damaged");
  }
  std::unique_ptr<opj_image_t, void (*)(opj_image_t*)> image(raw, opj_image_destroy);
  check_size("JPEG 2000", int64_t(image->x1) - image->x0, int64_t(image->y1) - image->y0);
  if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
    corrupt(source, "the image data is damaged or truncated");
  if (image->numcomps < 1) corrupt(source, "the image has no components");
  const uint32_t colors = image->numcomps >= 3 ? 3 : 1;
  const opj_image_comp_t& first = image->comps[0];
  const int64_t width = first.w, height = first.h;
  check_size("JPEG 2000", width, height);
  for (uint32_t c = 0; c < colors; ++c) {
    const opj_image_comp_t& comp = image->comps[c];
    if (comp.w != first.w || comp.h != first.h || !comp.data || comp.prec < 1 || comp.prec > 31)
      fail(MIRT_STATUS_UNSUPPORTED, "JPEG 2000: component ", c, " is ", comp.w, "x", comp.h, " at ", comp.prec,
           " bits (subsampled components are not supported)");
  }
  rgb_image out{height, width, std::vector<uint8_t>(size_t(width * height * 3))};
  for (int64_t p = 0; p < width * height; ++p)
    for (uint32_t c = 0; c < 3; ++c) {
      const opj_image_comp_t& comp = image->comps[colors == 3 ? c : 0];
      out.pixels[size_t(p * 3 + c)] = to_byte(comp.data[p], comp);
    }
  return out;
}

}  // namespace mirt::cpu::image
