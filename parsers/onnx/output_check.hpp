// parsers/onnx/output_check.hpp — checks the types (and static dims) a model declares for its graph
// outputs against what mirt's network computes for them.
#pragma once

#include <string>
#include <unordered_map>

#include "mirt/module.h"
#include "parsers/onnx/onnx_proto.hpp"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

// Infers network's types (host.network_infer_types) and compares each output of g that declares an
// elem_type or static dims with the inferred dtype and dims of tensors[output name]. Another dtype is
// INVALID_GRAPH naming the output, the node that makes it and both types, as ONNX Runtime refuses
// such a model too (mirt does not cast outputs: a wrong declaration is a bug in the model). Other
// static dims or rank only log a warning naming both shapes, as ONNX Runtime does. Skipped, with
// an info log, when the host lacks the calls or the network does not infer yet (the builder
// reports that with the layer's name).
status check_declared_outputs(const mirt_host_api& host, mirt_network* network, const ::onnx::GraphProto& g,
                              const std::unordered_map<std::string, mirt_tensor*>& tensors);

}  // namespace mirt::onnx
