// core/graph/graph.cpp — graph IR helpers.
#include "core/graph/graph.hpp"

#include "core/base/buffers.hpp"

#include <cstring>
#include <new>
#include <sstream>

namespace mirt {

dims make_dims(const std::vector<int64_t>& extents) {
  dims out;
  out.reserve(extents.size());
  for (int64_t e : extents) out.push_back(dim{e, {}});
  return out;
}

std::string to_string(const dims& shape) {
  if (shape.empty()) return "scalar";
  std::ostringstream out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out << 'x';
    if (shape[i].known()) out << shape[i].value;
    else out << (shape[i].symbol.empty() ? "?" : shape[i].symbol);
  }
  return out.str();
}

std::string to_string(const std::vector<int64_t>& extents) { return to_string(make_dims(extents)); }

std::vector<int> graph::reader_counts() const {
  std::vector<int> readers(tensors.size(), 0);
  for (const node& n : nodes)
    for (int t : n.inputs)
      if (t >= 0) ++readers[size_t(t)];
  return readers;
}

int64_t element_count(const dims& shape) {
  int64_t n = 1;
  for (const dim& d : shape) {
    if (!d.known()) return -1;
    n *= d.value;
  }
  return n;
}

int64_t element_count(const std::vector<int64_t>& extents) {
  int64_t n = 1;
  for (int64_t e : extents) {
    if (e < 0) return -1;
    n *= e;
  }
  return n;
}

void attribute_map::set(attribute a) {
  for (attribute& existing : attrs_) {
    if (existing.name == a.name) {
      existing = std::move(a);
      return;
    }
  }
  attrs_.push_back(std::move(a));
}

const attribute* attribute_map::find(std::string_view name) const {
  for (const attribute& a : attrs_)
    if (a.name == name) return &a;
  return nullptr;
}

int64_t attribute_map::get_int(std::string_view name, int64_t fallback) const {
  const attribute* a = find(name);
  return a && a->type == MIRT_ATTRIBUTE_TYPE_INT && !a->ints.empty() ? a->ints[0] : fallback;
}

float attribute_map::get_float(std::string_view name, float fallback) const {
  const attribute* a = find(name);
  return a && a->type == MIRT_ATTRIBUTE_TYPE_FLOAT && !a->floats.empty() ? a->floats[0] : fallback;
}

std::string attribute_map::get_string(std::string_view name, std::string fallback) const {
  const attribute* a = find(name);
  return a && a->type == MIRT_ATTRIBUTE_TYPE_STRING && !a->strings.empty() ? a->strings[0] : fallback;
}

std::vector<int64_t> attribute_map::get_ints(std::string_view name, std::vector<int64_t> fallback) const {
  const attribute* a = find(name);
  return a && a->type == MIRT_ATTRIBUTE_TYPE_INTS ? a->ints : fallback;
}

std::vector<float> attribute_map::get_floats(std::string_view name, std::vector<float> fallback) const {
  const attribute* a = find(name);
  return a && a->type == MIRT_ATTRIBUTE_TYPE_FLOATS ? a->floats : fallback;
}

constant_buffer constant_buffer::uninitialized(size_t size) {
  constant_buffer out;
  out.bytes = allocate_aligned((size + 63) / 64 * 64);
  out.size = size;
  return out;
}

constant_buffer constant_buffer::copy_of(const void* data, size_t size) {
  constant_buffer out = uninitialized(size);
  if (size) std::memcpy(out.bytes.get(), data, size);
  return out;
}

int graph::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? -1 : it->second;
}

int graph::add_tensor(tensor t) {
  int index = static_cast<int>(tensors.size());
  tensor_index_[t.name] = index;
  tensors.push_back(std::move(t));
  return index;
}

int graph::find_node(std::string_view name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string graph::unique_tensor_name(std::string_view stem) const {
  std::string candidate(stem);
  for (int i = 1; has_name(candidate); ++i) candidate = cat(stem, "_", i);
  return candidate;
}

std::string graph::unique_node_name(std::string_view stem) const {
  std::string candidate = cat(stem, "_", nodes.size());
  for (int i = 1; find_node(candidate) >= 0; ++i) candidate = cat(stem, "_", nodes.size(), "_", i);
  return candidate;
}

void graph::reindex() {
  tensor_index_.clear();
  for (size_t i = 0; i < tensors.size(); ++i) {
    tensor_index_[tensors[i].name] = static_cast<int>(i);
    tensors[i].producer = -1;
  }
  for (size_t n = 0; n < nodes.size(); ++n)
    for (int out : nodes[n].outputs) tensors[out].producer = static_cast<int>(n);
}

}  // namespace mirt
