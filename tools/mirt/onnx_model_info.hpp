// tools/mirt/onnx_model_info.hpp — what `mirt inspect model.onnx` shows of the ONNX file itself
// (opsets, I/O with symbolic dims, op counts), read with Debian's libonnx, plus one-node models
// cut from it so that each op type can be put to mirt's own parser and builder alone.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mirt::cli {

// One graph input or output: dims hold a number, a symbolic name, or "?" when unknown.
struct onnx_value_info {
  std::string name;
  std::string dtype = std::string(1, '?');  // "float32", "int64", ...; "?" when the model does not say
  std::vector<std::string> dims;
  bool has_shape = false;
};

// Count of one (domain, op_type) and the first node that has it.
struct onnx_op_count {
  std::string domain;  // "" for the default ONNX domain
  std::string op_type;
  int64_t count = 0;
  std::vector<int> nodes;  // indices of its nodes in graph order
};

class onnx_model_info {
 public:
  // Reads path; throws std::runtime_error naming it when it is not an ONNX model.
  explicit onnx_model_info(const std::string& path);
  ~onnx_model_info();
  onnx_model_info(const onnx_model_info&) = delete;
  onnx_model_info& operator=(const onnx_model_info&) = delete;

  int64_t ir_version = 0;
  std::string producer, graph_name;
  std::map<std::string, int64_t> opsets;  // domain ("ai.onnx" for "") -> version
  std::vector<onnx_value_info> inputs, outputs;  // inputs exclude initializers
  int64_t num_initializers = 0, num_parameters = 0, initializer_bytes = 0;
  int64_t num_nodes = 0;
  std::vector<onnx_op_count> ops;  // by count, descending (then by name)

  // The serialized one-node model of node `index`: its constant inputs as initializers (or the
  // Constant nodes that make them), its other inputs as graph inputs with the types and shapes ONNX
  // shape inference found (unknown or symbolic dims set to 1). Empty, with why_not set, when an
  // input's type is unknown.
  std::string single_node_model(int index, std::string* why_not) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace mirt::cli
