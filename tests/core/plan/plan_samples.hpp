// tests/core/plan/plan_samples.hpp — hand-built plans shared by the plan tests.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "core/plan/plan_model.hpp"
#include "mirt/builder.h"

namespace mirt::test {

// count bytes of data in a fresh allocation of exactly max(count, 1) bytes at a 64-byte aligned
// address, so AddressSanitizer catches any read past count.
inline std::shared_ptr<const std::byte[]> aligned_bytes(const std::byte* data, size_t count, size_t misalign = 0) {
  size_t alloc = count + misalign ? count + misalign : 1;
  auto* raw = static_cast<std::byte*>(::operator new[](alloc, std::align_val_t(64)));
  if (count) std::memcpy(raw + misalign, data, count);
  std::shared_ptr<std::byte[]> owner(raw, [](std::byte* p) { ::operator delete[](p, std::align_val_t(64)); });
  return std::shared_ptr<const std::byte[]>(owner, raw + misalign);
}

inline std::shared_ptr<const std::byte[]> aligned_bytes(const std::vector<std::byte>& v) {
  return aligned_bytes(v.data(), v.size());
}

inline attribute make_attribute(std::string name, mirt_attribute_type type, std::vector<int64_t> ints,
                                std::vector<float> floats, std::vector<std::string> strings) {
  attribute a;
  a.name = std::move(name);
  a.type = type;
  a.ints = std::move(ints);
  a.floats = std::move(floats);
  a.strings = std::move(strings);
  return a;
}

inline tensor make_tensor(std::string name, mirt_dtype dtype, std::optional<dims> shape) {
  tensor t;
  t.name = std::move(name);
  t.dtype = dtype;
  t.rank_known = shape.has_value();
  if (shape) t.shape = *shape;
  return t;
}

inline constant_buffer make_constant(size_t size, unsigned seed) {
  std::vector<unsigned char> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(seed + i * 7);
  return constant_buffer::copy_of(bytes.data(), size);
}

// A two-layer plan exercising every field: symbolic and anonymous dynamic dims, an input of
// unknown rank, every attribute type, an omitted optional input, three constants (one of odd size,
// one empty), two profiles with memory plans.
inline plan_model make_sample_plan() {
  plan_model m;
  m.backend_name = "cpu";
  m.backend_version = "0.1.0";
  m.device_signature = "x86_64-avx2";
  m.precision_flags = MIRT_PRECISION_FLAG_FP16 | MIRT_PRECISION_FLAG_INT8;
  m.build_seconds = 1.25;
  graph& g = m.network;
  g.name = "sample_net";
  dim batch{MIRT_DYNAMIC_DIM, "batch"};
  dim anon{MIRT_DYNAMIC_DIM, ""};
  int images = g.add_tensor(make_tensor("images", MIRT_DTYPE_FLOAT32, dims{batch, {3, ""}, anon, {8, ""}}));
  int weights = g.add_tensor(make_tensor("conv.weight", MIRT_DTYPE_FLOAT32, make_dims({4, 3, 3, 3})));
  int bias = g.add_tensor(make_tensor("conv.bias", MIRT_DTYPE_UINT8, make_dims({5})));
  int empty = g.add_tensor(make_tensor("empty", MIRT_DTYPE_INT64, make_dims({0})));
  int mask = g.add_tensor(make_tensor("mask", MIRT_DTYPE_BOOL, std::nullopt));
  int hidden = g.add_tensor(make_tensor("hidden", MIRT_DTYPE_FLOAT16, dims{batch, {4, ""}}));
  int out = g.add_tensor(make_tensor("out", MIRT_DTYPE_FLOAT32, dims{batch, {4, ""}}));
  g.tensors[images].is_input = g.tensors[mask].is_input = true;
  g.tensors[out].is_output = true;
  g.tensors[weights].constant = 0;
  g.tensors[bias].constant = 1;
  g.tensors[empty].constant = 2;
  g.inputs = {images, mask};
  g.outputs = {out};
  g.constants = {make_constant(4 * 3 * 3 * 3 * 4, 1), make_constant(5, 2), make_constant(0, 3)};

  node conv;
  conv.name = "stem/conv";
  conv.op_type = "Conv";
  conv.inputs = {images, weights, bias};
  conv.outputs = {hidden};
  conv.attributes.set(make_attribute("group", MIRT_ATTRIBUTE_TYPE_INT, {1}, {}, {}));
  conv.attributes.set(make_attribute("alpha", MIRT_ATTRIBUTE_TYPE_FLOAT, {}, {0.5f}, {}));
  conv.attributes.set(make_attribute("auto_pad", MIRT_ATTRIBUTE_TYPE_STRING, {}, {}, {"NOTSET"}));
  conv.attributes.set(make_attribute("pads", MIRT_ATTRIBUTE_TYPE_INTS, {1, 1, -1, INT64_MAX}, {}, {}));
  conv.attributes.set(make_attribute("scales", MIRT_ATTRIBUTE_TYPE_FLOATS, {}, {1.5f, -2.0f, 0.0f}, {}));
  conv.attributes.set(make_attribute("labels", MIRT_ATTRIBUTE_TYPE_STRINGS, {}, {}, {"a", "", "\xc3\xbc"}));
  conv.attributes.set(make_attribute("no_values", MIRT_ATTRIBUTE_TYPE_INTS, {}, {}, {}));
  node act;
  act.name = "head/custom";
  act.op_type = "MaskedRelu";
  act.domain = "com.example";
  act.inputs = {hidden, -1, mask, empty};
  act.outputs = {out};
  g.nodes = {conv, act};
  g.reindex();
  m.kernels = {{0xDEADBEEFCAFEF00DULL, "conv_direct_f32"}, {7, "masked_relu_ref"}};

  plan_profile p0;
  p0.inputs = {{images, {1, 3, 1, 8}, {4, 3, 16, 8}, {8, 3, 32, 8}}};
  p0.memory.tensor_offsets = {-1, -1, -1, -1, -1, 0, -1};
  p0.memory.arena_size = 128;
  plan_profile p1;
  p1.inputs = {{images, {16, 3, 32, 8}, {16, 3, 64, 8}, {32, 3, 64, 8}}, {mask, {2}, {2}, {2}}};
  p1.memory.tensor_offsets = {-1, -1, -1, -1, -1, 64, -1};
  p1.memory.arena_size = 320;
  m.profiles = {p0, p1};
  return m;
}

}  // namespace mirt::test
