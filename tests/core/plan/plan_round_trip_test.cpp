// tests/core/plan/plan_round_trip_test.cpp — write_plan then read_plan gives back the same model.
#include <doctest/doctest.h>

#include <cstring>

#include "core/plan/plan_header.hpp"
#include "core/plan/plan_reader.hpp"
#include "core/plan/plan_writer.hpp"
#include "tests/core/plan/plan_samples.hpp"

namespace mirt {
namespace {

void check_same_attribute(const attribute& a, const attribute& b) {
  CHECK(a.name == b.name);
  CHECK(a.type == b.type);
  CHECK(a.ints == b.ints);
  CHECK(a.floats == b.floats);
  CHECK(a.strings == b.strings);
}

void check_same_model(const plan_model& a, const plan_model& b) {
  CHECK(a.backend_name == b.backend_name);
  CHECK(a.backend_version == b.backend_version);
  CHECK(a.device_signature == b.device_signature);
  CHECK(a.precision_flags == b.precision_flags);
  CHECK(a.build_seconds == b.build_seconds);
  const graph& g = a.network;
  const graph& h = b.network;
  CHECK(g.name == h.name);
  REQUIRE(g.tensors.size() == h.tensors.size());
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    CAPTURE(t);
    CHECK(g.tensors[t].name == h.tensors[t].name);
    CHECK(g.tensors[t].dtype == h.tensors[t].dtype);
    CHECK(g.tensors[t].rank_known == h.tensors[t].rank_known);
    CHECK(g.tensors[t].shape == h.tensors[t].shape);
    CHECK(g.tensors[t].producer == h.tensors[t].producer);
    CHECK(g.tensors[t].constant == h.tensors[t].constant);
    CHECK(g.tensors[t].is_input == h.tensors[t].is_input);
    CHECK(g.tensors[t].is_output == h.tensors[t].is_output);
    CHECK(h.find_tensor(g.tensors[t].name) == static_cast<int>(t));
  }
  REQUIRE(g.nodes.size() == h.nodes.size());
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    CAPTURE(n);
    CHECK(g.nodes[n].name == h.nodes[n].name);
    CHECK(g.nodes[n].op_type == h.nodes[n].op_type);
    CHECK(g.nodes[n].domain == h.nodes[n].domain);
    CHECK(g.nodes[n].inputs == h.nodes[n].inputs);
    CHECK(g.nodes[n].outputs == h.nodes[n].outputs);
    const auto& x = g.nodes[n].attributes.all();
    const auto& y = h.nodes[n].attributes.all();
    REQUIRE(x.size() == y.size());
    for (size_t i = 0; i < x.size(); ++i) check_same_attribute(x[i], y[i]);
  }
  CHECK(g.inputs == h.inputs);
  CHECK(g.outputs == h.outputs);
  REQUIRE(g.constants.size() == h.constants.size());
  for (size_t c = 0; c < g.constants.size(); ++c) {
    CAPTURE(c);
    REQUIRE(g.constants[c].size == h.constants[c].size);
    if (g.constants[c].size) CHECK(std::memcmp(g.constants[c].data(), h.constants[c].data(), g.constants[c].size) == 0);
  }
  REQUIRE(a.kernels.size() == b.kernels.size());
  for (size_t k = 0; k < a.kernels.size(); ++k) {
    CHECK(a.kernels[k].tactic_id == b.kernels[k].tactic_id);
    CHECK(a.kernels[k].tactic_name == b.kernels[k].tactic_name);
  }
  REQUIRE(a.profiles.size() == b.profiles.size());
  for (size_t p = 0; p < a.profiles.size(); ++p) {
    CAPTURE(p);
    REQUIRE(a.profiles[p].inputs.size() == b.profiles[p].inputs.size());
    for (size_t i = 0; i < a.profiles[p].inputs.size(); ++i) {
      CHECK(a.profiles[p].inputs[i].tensor == b.profiles[p].inputs[i].tensor);
      CHECK(a.profiles[p].inputs[i].min == b.profiles[p].inputs[i].min);
      CHECK(a.profiles[p].inputs[i].opt == b.profiles[p].inputs[i].opt);
      CHECK(a.profiles[p].inputs[i].max == b.profiles[p].inputs[i].max);
      CHECK(a.profiles[p].inputs[i].shape_tensor == b.profiles[p].inputs[i].shape_tensor);
      CHECK(a.profiles[p].inputs[i].min_values == b.profiles[p].inputs[i].min_values);
      CHECK(a.profiles[p].inputs[i].max_values == b.profiles[p].inputs[i].max_values);
    }
    CHECK(a.profiles[p].memory.tensor_offsets == b.profiles[p].memory.tensor_offsets);
    CHECK(a.profiles[p].memory.arena_size == b.profiles[p].memory.arena_size);
    CHECK(a.profiles[p].memory.input_aliases == b.profiles[p].memory.input_aliases);
  }
}

uint64_t load_u64(const std::vector<std::byte>& v, size_t at) {
  uint64_t x = 0;
  for (size_t i = 0; i < 8; ++i) x |= static_cast<uint64_t>(v[at + i]) << (8 * i);
  return x;
}

uint32_t load_u32(const std::vector<std::byte>& v, size_t at) { return static_cast<uint32_t>(load_u64(v, at)); }

TEST_CASE("a plan read back equals the plan_model that was written, field by field") {
  plan_model model = test::make_sample_plan();
  auto bytes = write_plan(model);
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message());
  auto buffer = test::aligned_bytes(*bytes);
  auto read = read_plan(buffer, bytes->size());
  REQUIRE_MESSAGE(read.ok(), read.error().message());
  check_same_model(model, *read);
  CHECK(read->mirt_major == MIRT_VERSION_MAJOR);
  CHECK(read->mirt_minor == MIRT_VERSION_MINOR);
  CHECK(read->mirt_patch == MIRT_VERSION_PATCH);
  CHECK(read->plan_format_version == kPlanFormatVersion);
  CHECK(read->plan_checksum == load_u64(*bytes, plan_header_offset::checksum));
  CHECK(read->plan_weights_size == load_u64(*bytes, plan_header_offset::weights_size));
  CHECK(read->plan_metadata_size == load_u32(*bytes, plan_header_offset::metadata_size));
}

TEST_CASE("a memory plan whose tensor reads a graph input's buffer round trips; one naming a non-input is refused") {
  plan_model model = test::make_sample_plan();
  const int images = model.network.find_tensor("images"), hidden = model.network.find_tensor("hidden");
  model.profiles[0].memory.tensor_offsets[size_t(hidden)] = -1;
  model.profiles[0].memory.input_aliases.assign(model.network.tensors.size(), -1);
  model.profiles[0].memory.input_aliases[size_t(hidden)] = images;
  auto bytes = write_plan(model);
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message());
  auto read = read_plan(test::aligned_bytes(*bytes), bytes->size());
  REQUIRE_MESSAGE(read.ok(), read.error().message());
  check_same_model(model, *read);

  model.profiles[0].memory.input_aliases[size_t(hidden)] = model.network.find_tensor("conv.weight");
  auto refused = write_plan(model);  // the writer validates the model as the reader does
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message().find("'hidden' aliases tensor 1") != std::string::npos);
}

TEST_CASE("a plan with no nodes, no constants and one empty profile round trips") {
  plan_model model;
  model.profiles.resize(1);
  auto bytes = write_plan(model);
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message());
  auto read = read_plan(test::aligned_bytes(*bytes), bytes->size());
  REQUIRE_MESSAGE(read.ok(), read.error().message());
  check_same_model(model, *read);
  CHECK(read->plan_weights_size == 0);
}

TEST_CASE("constants read from a plan alias its weights section at 64-byte aligned addresses") {
  plan_model model = test::make_sample_plan();
  auto bytes = write_plan(model);
  REQUIRE(bytes.ok());
  auto buffer = test::aligned_bytes(*bytes);
  const std::byte* begin = buffer.get();
  const std::byte* end = begin + bytes->size();
  const uint64_t weights_offset = load_u64(*bytes, plan_header_offset::weights_offset);
  auto read = read_plan(buffer, bytes->size());
  REQUIRE(read.ok());
  const long owners_with_plan = buffer.use_count();
  CHECK(owners_with_plan > 1);  // the constants share ownership of the plan buffer
  for (const constant_buffer& c : read->network.constants) {
    auto* p = static_cast<const std::byte*>(c.data());
    CHECK(p >= begin + weights_offset);
    CHECK(p + c.size <= end);
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
  }
  // The constants keep the plan alive after every other owner lets go.
  constant_buffer first = read->network.constants[0];
  buffer.reset();
  read = make_error(MIRT_STATUS_INTERNAL, "dropped");
  CHECK(std::memcmp(first.data(), model.network.constants[0].data(), first.size) == 0);
}

TEST_CASE("a plan in a misaligned buffer still reads, into 64-byte aligned constants") {
  plan_model model = test::make_sample_plan();
  auto bytes = write_plan(model);
  REQUIRE(bytes.ok());
  auto buffer = test::aligned_bytes(bytes->data(), bytes->size(), 8);
  REQUIRE(reinterpret_cast<uintptr_t>(buffer.get()) % 64 == 8);
  auto read = read_plan(buffer, bytes->size());
  REQUIRE_MESSAGE(read.ok(), read.error().message());
  check_same_model(model, *read);
  for (const constant_buffer& c : read->network.constants) CHECK(reinterpret_cast<uintptr_t>(c.data()) % 64 == 0);
}

TEST_CASE("write_plan lays out the header as documented and is deterministic") {
  plan_model model = test::make_sample_plan();
  auto bytes = write_plan(model);
  REQUIRE(bytes.ok());
  const auto& b = *bytes;
  CHECK(std::memcmp(b.data(), "MIRTPLAN", 8) == 0);
  CHECK(load_u32(b, plan_header_offset::format_version) == 1);
  CHECK(load_u32(b, plan_header_offset::header_size) == 64);
  CHECK((load_u32(b, plan_header_offset::mirt_major) & 0xFFFF) == MIRT_VERSION_MAJOR);
  CHECK((load_u32(b, plan_header_offset::mirt_minor) & 0xFFFF) == MIRT_VERSION_MINOR);
  CHECK((load_u32(b, plan_header_offset::mirt_patch) & 0xFFFF) == MIRT_VERSION_PATCH);
  CHECK(load_u64(b, plan_header_offset::total_size) == b.size());
  CHECK(load_u32(b, plan_header_offset::metadata_offset) == 64);
  const uint64_t weights_offset = load_u64(b, plan_header_offset::weights_offset);
  const uint64_t weights_size = load_u64(b, plan_header_offset::weights_size);
  CHECK(weights_offset % 64 == 0);
  CHECK(weights_offset >= 64 + load_u32(b, plan_header_offset::metadata_size));
  CHECK(weights_size == 448 + 64);  // 432 bytes of weights padded to 448, 5 bytes padded to 64, 0
  CHECK(weights_offset + weights_size == b.size());
  CHECK(load_u64(b, plan_header_offset::checksum) == compute_plan_checksum(b.data(), b.size()));
  auto again = write_plan(model);
  REQUIRE(again.ok());
  CHECK(*again == b);
}

TEST_CASE("write_plan refuses a model whose node output does not exist and names the node") {
  plan_model model = test::make_sample_plan();
  model.network.nodes[1].outputs = {42};
  auto bytes = write_plan(model);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code() == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(bytes.error().message().find("'head/custom'") != std::string::npos);
  CHECK(bytes.error().message().find("tensor 42") != std::string::npos);
}

TEST_CASE("write_plan refuses a model without one kernel per node") {
  plan_model model = test::make_sample_plan();
  model.kernels.pop_back();
  auto bytes = write_plan(model);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code() == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(bytes.error().message().find("1 kernels for 2 nodes") != std::string::npos);
}

TEST_CASE("write_plan refuses a profile whose min exceeds its max") {
  plan_model model = test::make_sample_plan();
  model.profiles[1].inputs[0].min[0] = 64;
  auto bytes = write_plan(model);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code() == MIRT_STATUS_INVALID_ARGUMENT);
  CHECK(bytes.error().message().find("profile 1") != std::string::npos);
  CHECK(bytes.error().message().find("'images'") != std::string::npos);
}

TEST_CASE("write_plan refuses a model with no profile") {
  plan_model model = test::make_sample_plan();
  model.profiles.clear();
  auto bytes = write_plan(model);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().message().find("no optimization profile") != std::string::npos);
}

}  // namespace
}  // namespace mirt
