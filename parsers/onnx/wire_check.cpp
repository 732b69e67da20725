// parsers/onnx/wire_check.cpp — a protobuf wire-format walk that locates truncation or non-ONNX bytes.
#include "parsers/onnx/wire_check.hpp"

#include <cstdint>
#include <string_view>

#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

namespace {

enum class message_kind { model, graph, node, tensor, other };

// Field names of the messages walked, for the fault message.
const char* field_name(message_kind kind, uint64_t field) {
  switch (kind) {
    case message_kind::model:
      switch (field) {
        case 1: return "ir_version"; case 2: return "producer_name"; case 3: return "producer_version";
        case 4: return "domain"; case 5: return "model_version"; case 6: return "doc_string";
        case 7: return "graph"; case 8: return "opset_import"; case 14: return "metadata_props";
        case 20: return "training_info"; case 25: return "functions";
      }
      break;
    case message_kind::graph:
      switch (field) {
        case 1: return "node"; case 2: return "name"; case 5: return "initializer"; case 10: return "doc_string";
        case 11: return "input"; case 12: return "output"; case 13: return "value_info";
        case 14: return "quantization_annotation"; case 15: return "sparse_initializer";
      }
      break;
    case message_kind::node:
      switch (field) {
        case 1: return "input"; case 2: return "output"; case 3: return "name"; case 4: return "op_type";
        case 5: return "attribute"; case 6: return "doc_string"; case 7: return "domain";
      }
      break;
    case message_kind::tensor:
      switch (field) {
        case 1: return "dims"; case 2: return "data_type"; case 4: return "float_data"; case 5: return "int32_data";
        case 7: return "int64_data"; case 8: return "name"; case 9: return "raw_data"; case 13: return "external_data";
      }
      break;
    default: break;
  }
  return "unknown field";
}

const char* message_name(message_kind kind) {
  switch (kind) {
    case message_kind::model: return "ModelProto";
    case message_kind::graph: return "GraphProto";
    case message_kind::node: return "NodeProto";
    case message_kind::tensor: return "TensorProto";
    default: return "message";
  }
}

// The kind of the sub-message in `field` of a `kind` message that the walk enters, if any.
message_kind child_kind(message_kind kind, uint64_t field) {
  if (kind == message_kind::model && field == 7) return message_kind::graph;
  if (kind == message_kind::graph && field == 1) return message_kind::node;
  if (kind == message_kind::graph && field == 5) return message_kind::tensor;
  return message_kind::other;
}

bool read_varint(const uint8_t* p, size_t end, size_t* pos, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && *pos < end; shift += 7) {
    uint8_t b = p[(*pos)++];
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *out = value;
      return true;
    }
  }
  return false;
}

// Returns "" when [begin, end) is well-formed; the fault otherwise. `truncated` tells a fault at the
// end of the data (the file was cut) from bytes that are not protobuf at all.
std::string walk(const uint8_t* p, size_t begin, size_t end, size_t total, message_kind kind, bool* truncated) {
  size_t pos = begin;
  while (pos < end) {
    size_t at = pos;
    uint64_t tag = 0;
    if (!read_varint(p, end, &pos, &tag)) {
      *truncated = end == total;
      return cat(message_name(kind), ": the field tag at byte ", at, " runs past the end of its data");
    }
    uint64_t field = tag >> 3, wire = tag & 7;
    auto where = [&] {
      const char* name = field_name(kind, field);
      if (kind != message_kind::other && std::string_view(name) == "unknown field")
        return cat(message_name(kind), " field ", field, " (not an ONNX field) at byte ", at);
      return cat(message_name(kind), ".", name, " (field ", field, ") at byte ", at);
    };
    if (field == 0) return cat("byte ", at, " holds field number 0, which protobuf data never has");
    uint64_t skip = 0;
    switch (wire) {
      case 0: {
        uint64_t ignored;
        if (!read_varint(p, end, &pos, &ignored)) {
          *truncated = end == total;
          return cat(where(), ": the varint runs past the end of its data");
        }
        continue;
      }
      case 1: skip = 8; break;
      case 5: skip = 4; break;
      case 2:
        if (!read_varint(p, end, &pos, &skip)) {
          *truncated = end == total;
          return cat(where(), ": the length runs past the end of its data");
        }
        break;
      case 3: case 4:
        return cat(where(), ": wire type ", wire, " (protobuf groups), which ONNX never writes");
      default:
        return cat(where(), ": wire type ", wire, " is not a protobuf wire type");
    }
    if (skip > end - pos) {
      *truncated = end == total;
      return cat(where(), " declares ", skip, " bytes, but only ", end - pos, " remain");
    }
    message_kind child = wire == 2 ? child_kind(kind, field) : message_kind::other;
    if (child != message_kind::other) {
      std::string inner = walk(p, pos, pos + skip, total, child, truncated);
      if (!inner.empty()) return cat(where(), " > ", inner);
    }
    pos += skip;
  }
  return {};
}

}  // namespace

std::string describe_wire_fault(const void* data, size_t size) {
  bool truncated = false;
  std::string fault = walk(static_cast<const uint8_t*>(data), 0, size, size, message_kind::model, &truncated);
  if (fault.empty()) return fault;
  return truncated ? cat("the data looks truncated (", size, " bytes): ", fault)
                   : cat("the data is not protobuf: ", fault);
}

}  // namespace mirt::onnx
