// tests/conformance/classify.hpp — what a test model exercises, and whether mirt claims it.
#pragma once

#include <string>

#include "tests/conformance/common.hpp"

namespace conformance {

// A skip "category: detail" when the test needs a type mirt does not claim or a training-only op
// or sequence/optional values; "" otherwise.
std::string graph_skip(const onnx::GraphProto& g);
// The op a test exercises, for the failing-op table: the model's op types (Constant left out when
// other ops are present), joined with '+', with the domain for non-standard ones.
std::string tested_ops(const onnx::GraphProto& g);
// The op a failure message names ("unknown op 'TopK'", "(Scan, domain ...", "op 'Add' with dtype
// int8"), or "" when it names none; *dtype gets the dtype of a missing kernel.
std::string named_op(const std::string& reason, std::string* dtype);

}  // namespace conformance
