// core/plan/plan_header.hpp — the fixed 64-byte header that opens every plan file.
//
// A plan is three parts: this header, the FlatBuffers metadata (core/plan/plan.fbs) and the
// weights section. All header integers are little-endian, whatever the host.
//
//   byte  size  field            value / meaning
//   ----  ----  ---------------  ------------------------------------------------------------------
//      0     8  magic            ASCII "MIRTPLAN" (4D 49 52 54 50 4C 41 4E), no terminator
//      8     4  format_version   uint32; 1 for this layout (kPlanFormatVersion)
//     12     4  header_size      uint32; 64 in format 1 (kPlanHeaderSize)
//     16     2  mirt_major       uint16; MIRT_VERSION_MAJOR of the mirt that wrote the plan
//     18     2  mirt_minor       uint16; MIRT_VERSION_MINOR
//     20     2  mirt_patch       uint16; MIRT_VERSION_PATCH
//     22     2  reserved         uint16; 0
//     24     8  total_size       uint64; bytes in the whole plan, header included
//     32     4  metadata_offset  uint32; from the start of the plan; 64 in plans mirt writes
//     36     4  metadata_size    uint32; bytes of the FlatBuffers buffer (FlatBuffers caps it at 2 GiB)
//     40     8  weights_offset   uint64; from the start of the plan; a multiple of 64
//     48     8  weights_size     uint64; bytes of the weights section (each constant padded to 64)
//     56     8  checksum         uint64; XXH3_64bits (no seed) over bytes [0, 56) followed by
//                                [64, total_size): everything but this field
//
// Sections appear in the order header, metadata, zero padding up to weights_offset, weights. The
// weights section is 64-byte aligned within the file, and every constant within it, so a plan
// loaded at a 64-byte aligned address (or memory-mapped) can be used in place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/base/status.hpp"

namespace mirt {

inline constexpr std::array<char, 8> kPlanMagic = {'M', 'I', 'R', 'T', 'P', 'L', 'A', 'N'};
inline constexpr uint32_t kPlanFormatVersion = 1;
inline constexpr size_t kPlanHeaderSize = 64;
inline constexpr size_t kPlanAlignment = 64;  // of the weights section and of each constant
inline constexpr size_t kPlanChecksumOffset = 56;

// Byte offsets of the header fields, as in the table above.
namespace plan_header_offset {
inline constexpr size_t magic = 0;
inline constexpr size_t format_version = 8;
inline constexpr size_t header_size = 12;
inline constexpr size_t mirt_major = 16;
inline constexpr size_t mirt_minor = 18;
inline constexpr size_t mirt_patch = 20;
inline constexpr size_t reserved = 22;
inline constexpr size_t total_size = 24;
inline constexpr size_t metadata_offset = 32;
inline constexpr size_t metadata_size = 36;
inline constexpr size_t weights_offset = 40;
inline constexpr size_t weights_size = 48;
inline constexpr size_t checksum = 56;
}  // namespace plan_header_offset

// The header decoded into host integers.
struct plan_header {
  std::array<char, 8> magic = kPlanMagic;
  uint32_t format_version = kPlanFormatVersion;
  uint32_t header_size = kPlanHeaderSize;
  uint16_t mirt_major = 0, mirt_minor = 0, mirt_patch = 0;
  uint16_t reserved = 0;
  uint64_t total_size = 0;
  uint32_t metadata_offset = 0;
  uint32_t metadata_size = 0;
  uint64_t weights_offset = 0;
  uint64_t weights_size = 0;
  uint64_t checksum = 0;
};

// Decodes the first kPlanHeaderSize bytes at data (the caller has checked there are that many).
plan_header decode_plan_header(const std::byte* data);
// Encodes header into the first kPlanHeaderSize bytes at out.
void encode_plan_header(const plan_header& header, std::byte* out);

// The checksum of a plan of size bytes (size >= kPlanHeaderSize): XXH3_64bits over everything but
// the checksum field.
uint64_t compute_plan_checksum(const std::byte* data, size_t size);

// Rounds n up to a multiple of kPlanAlignment.
constexpr uint64_t align_to_plan(uint64_t n) { return (n + kPlanAlignment - 1) / kPlanAlignment * kPlanAlignment; }

// "0.1.0".
std::string version_string(uint32_t major, uint32_t minor, uint32_t patch);
// The magic as text, unprintable bytes escaped: "MIRTPLAN", "\x7fELF\x02\x01\x01\x00".
std::string describe_magic(const std::array<char, 8>& magic);
// "0x0123456789abcdef".
std::string hex64(uint64_t value);

}  // namespace mirt
