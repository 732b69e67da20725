// parsers/onnx/model_importer.hpp — fills a mirt network from ONNX model bytes through mirt_host_api.
#pragma once

#include <cstddef>
#include <string_view>

#include "mirt/module.h"
#include "parsers/onnx/parse_status.hpp"

namespace mirt::onnx {

// Parses size bytes of an ONNX ModelProto into network using only host's network calls. External
// data files are looked up relative to base_dir ("" for the current folder).
//   CORRUPT_DATA  the bytes are not an ONNX model, or are truncated (the message gives the byte offset)
//   IO_ERROR      an external data file is missing (named, with the full path searched)
//   UNSUPPORTED   an element type, attribute kind or graph feature mirt lacks (names the node/tensor)
//   INVALID_GRAPH a node reads a tensor nothing produced, or a graph output is not produced
// Failures from the host's calls are returned as the host made them.
status import_model(const mirt_host_api& host, mirt_network* network, const void* data, size_t size,
                    std::string_view base_dir);

}  // namespace mirt::onnx
