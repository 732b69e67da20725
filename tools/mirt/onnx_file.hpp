// tools/mirt/onnx_file.hpp — reading and writing ONNX model files with Debian's libonnx classes.
#pragma once

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include <string>

namespace mirt::cli {

// Reads path into model (up to 2 GiB inline); throws std::runtime_error naming the file when it
// cannot be opened or is not a ModelProto with a graph.
void read_onnx_model(const std::string& path, onnx::ModelProto& model);

// Writes model to path; throws std::runtime_error naming it when that fails or the model is over
// protobuf's 2 GiB.
void write_onnx_model(const onnx::ModelProto& model, const std::string& path);

}  // namespace mirt::cli
