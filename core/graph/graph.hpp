// core/graph/graph.hpp — the graph IR: tensors, nodes with attributes, constants.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mirt/base.h"
#include "core/base/status.hpp"
#include "mirt/network.h"

namespace mirt {

// One dimension: a known extent, or unknown (-1) with an optional symbol ("batch").
struct dim {
  int64_t value = MIRT_DYNAMIC_DIM;
  std::string symbol;

  bool known() const { return value >= 0; }
  // The same extent: a known one by value (a symbol that survived into a static profile does not
  // make 32 differ from 32), an unknown one by symbol.
  bool operator==(const dim& other) const { return value == other.value && (known() || symbol == other.symbol); }
};
using dims = std::vector<dim>;

dims make_dims(const std::vector<int64_t>& extents);
// "1x3x224x224", with "batch" or "?" where unknown.
std::string to_string(const dims& shape);
std::string to_string(const std::vector<int64_t>& extents);
// Product of the extents, or -1 when any is unknown.
int64_t element_count(const dims& shape);
int64_t element_count(const std::vector<int64_t>& extents);

struct attribute {
  std::string name;
  mirt_attribute_type type = MIRT_ATTRIBUTE_TYPE_UNDEFINED;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};

// A node's attributes with typed lookups. Lookups of a wrong type behave as absent;
// validation against the op schema has already reported those.
class attribute_map {
 public:
  void set(attribute a);
  const attribute* find(std::string_view name) const;
  const std::vector<attribute>& all() const { return attrs_; }

  int64_t get_int(std::string_view name, int64_t fallback) const;
  float get_float(std::string_view name, float fallback) const;
  std::string get_string(std::string_view name, std::string fallback) const;
  std::vector<int64_t> get_ints(std::string_view name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> get_floats(std::string_view name, std::vector<float> fallback = {}) const;

 private:
  std::vector<attribute> attrs_;
};

// Constant bytes kept 64-byte aligned so kernels may use vector loads on them.
struct constant_buffer {
  std::shared_ptr<std::byte[]> bytes;
  size_t size = 0;

  static constant_buffer copy_of(const void* data, size_t size);
  // size bytes for a kernel to fill (padded to a multiple of 64).
  static constant_buffer uninitialized(size_t size);
  const void* data() const { return bytes.get(); }
};

struct tensor {
  std::string name;
  mirt_dtype dtype = MIRT_DTYPE_UNDEFINED;
  dims shape;                 // meaningful when rank_known
  bool rank_known = false;
  int producer = -1;          // node index, -1 for graph inputs and constants
  int constant = -1;          // index into graph::constants, -1 when not constant
  bool is_input = false;
  bool is_output = false;
};

class graph;

// A control-flow layer's body (If's then_branch/else_branch, Loop's and Scan's body): a graph whose
// inputs are the op's formal body inputs followed by `captures` outer-scope values, which the layer
// takes as its last `captures` inputs (docs/control-flow.md). A built plan keeps the compiled body
// as a nested plan (`plan`) and its network (`body`, typed, in execution order).
struct subgraph {
  std::string attribute;
  std::shared_ptr<const graph> body;
  size_t captures = 0;
  std::shared_ptr<const std::vector<std::byte>> plan;  // set by the builder's compile_bodies pass
};

struct node {
  std::string name;
  std::string op_type;
  std::string domain;         // "" for the standard op set
  std::string version;        // a plugin op's version; "" for core ops (and for "the newest" before a build)
  std::vector<int> inputs;    // tensor indices; -1 for an omitted optional input
  std::vector<int> outputs;   // tensor indices
  attribute_map attributes;
  std::vector<subgraph> bodies;  // control-flow layers only (core/graph/control_flow.hpp)
};

// A network: what mirt_network wraps and what the builder transforms.
class graph {
 public:
  std::string name;
  std::vector<tensor> tensors;
  std::vector<node> nodes;            // in insertion order; see topological_order()
  std::vector<int> inputs;            // tensor indices
  std::vector<int> outputs;           // tensor indices
  std::vector<constant_buffer> constants;

  // Index of the tensor called name, or -1.
  int find_tensor(std::string_view name) const;
  // Adds a tensor; the caller has checked the name is free.
  int add_tensor(tensor t);
  bool has_name(std::string_view name) const { return find_tensor(name) >= 0; }
  // A name not used by any tensor or node, built from stem.
  std::string unique_tensor_name(std::string_view stem) const;
  std::string unique_node_name(std::string_view stem) const;
  int find_node(std::string_view name) const;
  // How many node inputs read each tensor (indexed like tensors).
  std::vector<int> reader_counts() const;

  // Rebuilds the name index and producers after passes edit tensors/nodes wholesale.
  void reindex();

 private:
  std::unordered_map<std::string, int> tensor_index_;
};

}  // namespace mirt
