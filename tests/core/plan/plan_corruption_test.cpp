// tests/core/plan/plan_corruption_test.cpp — damaged, truncated and foreign plans are refused
// with a clear status and never crash.
#include <doctest/doctest.h>

#include <string>

#include "core/plan/plan_generated.h"
#include "core/plan/plan_header.hpp"
#include "core/plan/plan_reader.hpp"
#include "core/plan/plan_writer.hpp"
#include "tests/core/plan/plan_samples.hpp"

namespace mirt {
namespace {

std::vector<std::byte> sample_bytes() {
  auto bytes = write_plan(test::make_sample_plan());
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message());
  return *bytes;
}

result<plan_model> read(const std::vector<std::byte>& v, size_t size) {
  return read_plan(test::aligned_bytes(v.data(), size), size);
}

bool contains(const status& s, const std::string& text) { return s.message().find(text) != std::string::npos; }

// Rewrites the checksum so a damaged plan gets past the header to the verifier and the semantic
// checks.
void reseal(std::vector<std::byte>& v) {
  plan_header h = decode_plan_header(v.data());
  h.checksum = compute_plan_checksum(v.data(), v.size());
  encode_plan_header(h, v.data());
}

// A plan around hand-made metadata and zeroed weights.
std::vector<std::byte> assemble(flatbuffers::FlatBufferBuilder& fbb, uint64_t weights_size) {
  plan_header h;
  h.mirt_major = MIRT_VERSION_MAJOR;
  h.mirt_minor = MIRT_VERSION_MINOR;
  h.mirt_patch = MIRT_VERSION_PATCH;
  h.metadata_offset = kPlanHeaderSize;
  h.metadata_size = fbb.GetSize();
  h.weights_offset = align_to_plan(kPlanHeaderSize + fbb.GetSize());
  h.weights_size = weights_size;
  h.total_size = h.weights_offset + weights_size;
  std::vector<std::byte> v(h.total_size);
  std::memcpy(v.data() + kPlanHeaderSize, fbb.GetBufferPointer(), fbb.GetSize());
  encode_plan_header(h, v.data());
  reseal(v);
  return v;
}

TEST_CASE("a plan truncated at every byte is refused as corrupt data without crashing") {
  const auto full = sample_bytes();
  for (size_t n = 0; n < full.size(); ++n) {
    CAPTURE(n);
    auto r = read(full, n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
    if (n < kPlanHeaderSize)
      CHECK(r.error().message() == cat("plan is truncated: ", n, " bytes, the header alone needs 64"));
    else
      CHECK(r.error().message() == cat("plan is truncated at byte ", n, " of ", full.size()));
  }
}

TEST_CASE("a plan with any single byte flipped is refused by the header checks or the checksum") {
  const auto full = sample_bytes();
  auto copy = full;
  for (size_t i = 0; i < full.size(); ++i) {
    for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
      CAPTURE(i);
      CAPTURE(mask);
      copy[i] = full[i] ^ static_cast<std::byte>(mask);
      auto r = read(copy, copy.size());
      REQUIRE_FALSE(r.ok());
      CHECK((r.error().code() == MIRT_STATUS_CORRUPT_DATA || r.error().code() == MIRT_STATUS_INCOMPATIBLE_VERSION));
      if (i >= kPlanHeaderSize) CHECK(contains(r.error(), "plan checksum mismatch (stored 0x"));
      copy[i] = full[i];
    }
  }
}

TEST_CASE("a plan with damaged metadata but a valid checksum is refused or read, never crashes") {
  const auto full = sample_bytes();
  const plan_header h = decode_plan_header(full.data());
  size_t refused = 0, tried = 0;
  auto copy = full;
  for (size_t i = h.metadata_offset; i < h.metadata_offset + h.metadata_size; ++i) {
    for (unsigned mask : {0x01u, 0x10u, 0x80u, 0xFFu}) {
      CAPTURE(i);
      CAPTURE(mask);
      copy[i] = full[i] ^ static_cast<std::byte>(mask);
      reseal(copy);
      auto r = read(copy, copy.size());
      ++tried;
      if (!r.ok()) {
        ++refused;
        CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
        CHECK(r.error().message().rfind("plan ", 0) == 0);
      }
      copy[i] = full[i];
    }
  }
  // Most damage lands on offsets, lengths and indices; some (a name's letter, a float) is benign.
  CHECK(refused > tried / 4);
}

TEST_CASE("a plan with random damage to its header fields and metadata, resealed, never crashes") {
  const auto full = sample_bytes();
  const plan_header h = decode_plan_header(full.data());
  uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift64: the same damage on every run
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t refused = 0;
  const int kRounds = 3000;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    auto copy = full;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      // Mostly metadata; sometimes the section fields of the header (bytes 24..55).
      size_t at = next() % 5 == 0 ? 24 + next() % 32 : h.metadata_offset + next() % h.metadata_size;
      copy[at] = static_cast<std::byte>(next());
    }
    reseal(copy);
    auto r = read(copy, copy.size());
    if (!r.ok()) {
      ++refused;
      CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
    }
  }
  CHECK(refused > kRounds / 4);
}

TEST_CASE("a plan with a bad magic is named as not a mirt plan") {
  auto v = sample_bytes();
  std::memcpy(v.data(), "\x7f" "ELF\x02\x01\x01\x00", 8);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.error().message() == "not a mirt plan (magic \"\\x7fELF\\x02\\x01\\x01\\x00\", expected \"MIRTPLAN\")");
}

TEST_CASE("a plan stamped by another mirt version is refused naming both versions") {
  auto v = sample_bytes();
  v[plan_header_offset::mirt_major] = std::byte{0};
  v[plan_header_offset::mirt_minor] = std::byte{0};
  v[plan_header_offset::mirt_patch] = std::byte{9};
  SUBCASE("with the old checksum") {}
  SUBCASE("with a checksum that matches the new version") { reseal(v); }
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_INCOMPATIBLE_VERSION);
  CHECK(r.error().message() == cat("plan was built by mirt 0.0.9; this is mirt ", MIRT_VERSION_STRING,
                                   "; rebuild the plan with this version"));
  CHECK(contains(r.error(), "0.0.9"));
  CHECK(contains(r.error(), MIRT_VERSION_STRING));
}

TEST_CASE("a plan of another format version is refused as incompatible") {
  auto v = sample_bytes();
  v[plan_header_offset::format_version] = std::byte{2};
  reseal(v);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_INCOMPATIBLE_VERSION);
  CHECK(contains(r.error(), "plan format version 2 is not supported"));
}

TEST_CASE("a plan longer than its header says is refused") {
  auto v = sample_bytes();
  v.resize(v.size() + 3);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(contains(r.error(), "3 unexpected bytes follow it"));
}

TEST_CASE("a plan whose sections leave the file is refused naming the section") {
  auto v = sample_bytes();
  plan_header h = decode_plan_header(v.data());
  SUBCASE("weights past the end") {
    h.weights_size += 64;
    encode_plan_header(h, v.data());
    reseal(v);
    auto r = read(v, v.size());
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error(), "plan weights section"));
  }
  SUBCASE("weights offset overflowing") {
    h.weights_offset = UINT64_MAX - 63;
    encode_plan_header(h, v.data());
    reseal(v);
    auto r = read(v, v.size());
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error(), "plan weights section"));
  }
  SUBCASE("metadata inside the header") {
    h.metadata_offset = 32;
    encode_plan_header(h, v.data());
    reseal(v);
    auto r = read(v, v.size());
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error(), "plan metadata section"));
  }
  SUBCASE("metadata overlapping the weights") {
    h.metadata_size = static_cast<uint32_t>(h.weights_offset);
    encode_plan_header(h, v.data());
    reseal(v);
    auto r = read(v, v.size());
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error(), cat("plan weights section (512 bytes at byte ", h.weights_offset,
                                  ") does not fit between the metadata (ending at byte ", 64 + h.weights_offset)));
  }
}

TEST_CASE("a plan whose metadata is not a FlatBuffer fails verification") {
  auto v = sample_bytes();
  const plan_header h = decode_plan_header(v.data());
  std::memset(v.data() + h.metadata_offset, 0xEE, 8);
  reseal(v);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(contains(r.error(), "failed FlatBuffers verification"));
}

TEST_CASE("a node whose input index is out of range is refused naming the node") {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      fb::CreateTensorDirect(fbb, "x", fb::DType_FLOAT32, false, nullptr, -1, -1, true),
      fb::CreateTensorDirect(fbb, "y", fb::DType_FLOAT32, false, nullptr, 0, -1, false, true)};
  std::vector<int> inputs = {0, 7}, outputs = {1};
  std::vector<flatbuffers::Offset<fb::Node>> nodes = {
      fb::CreateNodeDirect(fbb, "add0", "Add", nullptr, &inputs, &outputs)};
  std::vector<flatbuffers::Offset<fb::Kernel>> kernels = {fb::CreateKernelDirect(fbb, 1, "k")};
  std::vector<flatbuffers::Offset<fb::Profile>> profiles = {fb::CreateProfileDirect(fbb)};
  std::vector<int> graph_inputs = {0}, graph_outputs = {1};
  fbb.Finish(fb::CreatePlanDirect(fbb, "net", "cpu", "1", "sig", 0, 0.0, &tensors, &nodes, &graph_inputs,
                                  &graph_outputs, nullptr, &kernels, &profiles));
  auto v = assemble(fbb, 0);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.error().message() == "plan node 0 'add0' (Add): input 1 is tensor 7, which does not exist (there are 2)");
}

TEST_CASE("a constant outside the weights section is refused naming the constant") {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      fb::CreateTensorDirect(fbb, "w", fb::DType_FLOAT32, false, nullptr, -1, 0, false, true)};
  std::vector<fb::ConstantRef> constants = {fb::ConstantRef(0, 64), fb::ConstantRef(64, 65)};
  std::vector<flatbuffers::Offset<fb::Profile>> profiles = {fb::CreateProfileDirect(fbb)};
  std::vector<int> graph_outputs = {0};
  fbb.Finish(fb::CreatePlanDirect(fbb, "net", "cpu", "1", "sig", 0, 0.0, &tensors, nullptr, nullptr,
                                  &graph_outputs, &constants, nullptr, &profiles));
  auto v = assemble(fbb, 128);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(contains(r.error(), "plan constant 1 (65 bytes at offset 64) lies outside the 128-byte weights section"));
}

TEST_CASE("a profile that names a tensor which is not a graph input is refused") {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      fb::CreateTensorDirect(fbb, "w", fb::DType_FLOAT32, false, nullptr, -1, -1, false, true)};
  std::vector<int64_t> shape = {1};
  std::vector<flatbuffers::Offset<fb::ProfileInput>> ranges = {
      fb::CreateProfileInputDirect(fbb, 0, &shape, &shape, &shape)};
  std::vector<flatbuffers::Offset<fb::Profile>> profiles = {fb::CreateProfileDirect(fbb, &ranges)};
  std::vector<int> graph_outputs = {0};
  fbb.Finish(fb::CreatePlanDirect(fbb, "net", "cpu", "1", "sig", 0, 0.0, &tensors, nullptr, nullptr,
                                  &graph_outputs, nullptr, nullptr, &profiles));
  auto v = assemble(fbb, 0);
  auto r = read(v, v.size());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_CORRUPT_DATA);
  CHECK(r.error().message() == "plan profile 0: tensor 0 'w' is not a graph input");
}

TEST_CASE("read_plan refuses a null buffer with a size") {
  auto r = read_plan(nullptr, 100);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == MIRT_STATUS_INVALID_ARGUMENT);
  auto empty = read_plan(nullptr, 0);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code() == MIRT_STATUS_CORRUPT_DATA);
}

}  // namespace
}  // namespace mirt
