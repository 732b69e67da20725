// core/plan/plan_header.cpp — encodes, decodes and checksums the fixed plan header.
#include "core/plan/plan_header.hpp"

#include <cstdio>
#include <cstring>

// Inlined so the streaming state can live on the stack without depending on libxxhash's layout.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace mirt {
namespace {

template <class T>
T load_le(const std::byte* p) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
  return value;
}

template <class T>
void store_le(std::byte* p, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
}

}  // namespace

plan_header decode_plan_header(const std::byte* data) {
  namespace at = plan_header_offset;
  plan_header h;
  std::memcpy(h.magic.data(), data + at::magic, h.magic.size());
  h.format_version = load_le<uint32_t>(data + at::format_version);
  h.header_size = load_le<uint32_t>(data + at::header_size);
  h.mirt_major = load_le<uint16_t>(data + at::mirt_major);
  h.mirt_minor = load_le<uint16_t>(data + at::mirt_minor);
  h.mirt_patch = load_le<uint16_t>(data + at::mirt_patch);
  h.reserved = load_le<uint16_t>(data + at::reserved);
  h.total_size = load_le<uint64_t>(data + at::total_size);
  h.metadata_offset = load_le<uint32_t>(data + at::metadata_offset);
  h.metadata_size = load_le<uint32_t>(data + at::metadata_size);
  h.weights_offset = load_le<uint64_t>(data + at::weights_offset);
  h.weights_size = load_le<uint64_t>(data + at::weights_size);
  h.checksum = load_le<uint64_t>(data + at::checksum);
  return h;
}

void encode_plan_header(const plan_header& h, std::byte* out) {
  namespace at = plan_header_offset;
  std::memcpy(out + at::magic, h.magic.data(), h.magic.size());
  store_le<uint32_t>(out + at::format_version, h.format_version);
  store_le<uint32_t>(out + at::header_size, h.header_size);
  store_le<uint16_t>(out + at::mirt_major, h.mirt_major);
  store_le<uint16_t>(out + at::mirt_minor, h.mirt_minor);
  store_le<uint16_t>(out + at::mirt_patch, h.mirt_patch);
  store_le<uint16_t>(out + at::reserved, h.reserved);
  store_le<uint64_t>(out + at::total_size, h.total_size);
  store_le<uint32_t>(out + at::metadata_offset, h.metadata_offset);
  store_le<uint32_t>(out + at::metadata_size, h.metadata_size);
  store_le<uint64_t>(out + at::weights_offset, h.weights_offset);
  store_le<uint64_t>(out + at::weights_size, h.weights_size);
  store_le<uint64_t>(out + at::checksum, h.checksum);
}

uint64_t compute_plan_checksum(const std::byte* data, size_t size) {
  static_assert(kPlanChecksumOffset + 8 == kPlanHeaderSize, "the checksum closes the header");
  // The state lives on the stack, so hashing never allocates and cannot fail.
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, data, kPlanChecksumOffset);
  XXH3_64bits_update(&state, data + kPlanHeaderSize, size - kPlanHeaderSize);
  return XXH3_64bits_digest(&state);
}

std::string version_string(uint32_t major, uint32_t minor, uint32_t patch) {
  return cat(major, '.', minor, '.', patch);
}

std::string describe_magic(const std::array<char, 8>& magic) {
  std::string out;
  for (char c : magic) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '\\' && c != '"') {
      out += c;
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

std::string hex64(uint64_t value) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace mirt
