// parsers/onnx/wire_check.hpp — says where and why bytes that protobuf refused stop being an ONNX model.
#pragma once

#include <cstddef>
#include <string>

namespace mirt::onnx {

// Walks the protobuf wire format of a ModelProto (and of its graph, nodes and initializers) and
// describes the first fault with its byte offset: "the data looks truncated: ModelProto.graph
// (field 7) at byte 12 declares 5000 bytes, but only 3000 remain". Empty when no fault is found.
std::string describe_wire_fault(const void* data, size_t size);

}  // namespace mirt::onnx
