// tests/conformance/common.hpp — what every part of the node-test runner shares.
#pragma once

#include <filesystem>
#include <string>

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include "mirt/mirt.h"

namespace conformance {

namespace fs = std::filesystem;

// A failed step of a test: "STAGE: CODE: message" (first line of the message, trimmed).
struct failure {
  std::string text;
};

}  // namespace conformance
