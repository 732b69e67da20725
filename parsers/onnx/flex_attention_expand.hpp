// parsers/onnx/flex_attention_expand.hpp — FlexAttention (ai.onnx.preview) with a score_mod or
// prob_mod subgraph, written out as standard ONNX nodes with the subgraphs inlined.
//
// mirt's FlexAttention layer takes no subgraphs (layers carry ints, floats and strings), so the
// importer replaces such a node by what the operator computes: K and V repeated for the query heads
// they serve, Q and K each scaled by sqrt(scale), the scores in the softmax precision, score_mod,
// Softmax over the keys, prob_mod, and the product with V. Every name the expansion makes or takes
// from a subgraph gets `prefix` first; a subgraph's input becomes the tensor it modifies.
#pragma once

#include <string>
#include <vector>

#include "parsers/onnx/onnx_proto.hpp"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

struct flex_attention_expansion {
  std::vector<::onnx::TensorProto> initializers;  // constants of the expansion and of the subgraphs
  std::vector<::onnx::NodeProto> nodes;           // in topological order, default domain but the subgraphs' own
};

// Whether node is a FlexAttention with a subgraph attribute (what the expansion is for).
bool is_flex_attention_with_subgraphs(const ::onnx::NodeProto& node);

// Writes node out into `out`. Fails naming the attribute when a subgraph does not have one input and
// one output, or holds subgraphs of its own; default_opset must be 15 or newer (Shape's start and
// end, CastLike).
status expand_flex_attention(const ::onnx::NodeProto& node, int64_t default_opset, const std::string& prefix,
                             flex_attention_expansion* out);

}  // namespace mirt::onnx
