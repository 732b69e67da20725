// parsers/onnx/opset_upgrade.hpp — rewrites nodes of older ONNX opsets into the latest opset's form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mirt/network.h"
#include "parsers/onnx/attribute_import.hpp"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

// A node on its way to mirt_network_add_layer, editable by the upgrades.
struct layer_draft {
  std::string op_type;
  std::vector<mirt_tensor*> inputs;  // NULL marks an omitted optional input
  attribute_list attributes;
  size_t num_outputs = 0;
};

// What an upgrade may ask of the importer.
class upgrade_context {
 public:
  virtual ~upgrade_context() = default;
  // Adds a constant named after the node and `suffix` ("split1:split"); returns its tensor.
  virtual status add_constant(std::string_view suffix, mirt_dtype dtype, const std::vector<int64_t>& dims,
                              const void* data, size_t size, mirt_tensor** out_tensor) = 0;
  // The dtype of t when known while parsing (graph inputs, constants), else MIRT_DTYPE_UNDEFINED.
  virtual mirt_dtype known_dtype(const mirt_tensor* t) const = 0;
  virtual void warn(const std::string& message) = 0;
};

// Rewrites draft, a node of the default ONNX domain imported at `opset`, into the latest opset's
// form (attributes that became inputs, renamed ops). The list of rewrites is in opset_upgrade.cpp.
status upgrade_to_latest(int64_t opset, upgrade_context& ctx, layer_draft* draft);

}  // namespace mirt::onnx
