// tests/conformance/classify.cpp — skip categories and op attribution of test models.
#include "tests/conformance/classify.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/conformance/tensor_data.hpp"

namespace conformance {

namespace {

const std::set<std::string> sequence_ops = {
    "SequenceConstruct", "SequenceEmpty",    "SequenceAt",      "SequenceInsert",    "SequenceErase",
    "SequenceLength",    "SplitToSequence",  "ConcatFromSequence", "SequenceMap",    "Optional",
    "OptionalGetElement", "OptionalHasElement"};

// Returns a skip "category: detail" when the test needs a type mirt does not claim or a
// training-only op; "" otherwise.
std::string type_skip(const onnx::TypeProto& type, const std::string& what) {
  switch (type.value_case()) {
    case onnx::TypeProto::kTensorType:
      if (type.tensor_type().elem_type() != 0 && to_mirt(type.tensor_type().elem_type()) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(type.tensor_type().elem_type()) + ": " + what;
      return "";
    case onnx::TypeProto::kSequenceType: return "sequence/optional: " + what + " is a sequence";
    case onnx::TypeProto::kOptionalType: return "sequence/optional: " + what + " is an optional";
    case onnx::TypeProto::kMapType: return "sequence/optional: " + what + " is a map";
    case onnx::TypeProto::kSparseTensorType: return "sequence/optional: " + what + " is a sparse tensor";
    default: return "";
  }
}

}  // namespace

std::string graph_skip(const onnx::GraphProto& g) {
  for (const auto& v : g.input())
    if (std::string r = type_skip(v.type(), "input '" + v.name() + "'"); !r.empty()) return r;
  for (const auto& v : g.output())
    if (std::string r = type_skip(v.type(), "output '" + v.name() + "'"); !r.empty()) return r;
  for (const auto& t : g.initializer())
    if (to_mirt(t.data_type()) == MIRT_DTYPE_UNDEFINED)
      return "type " + onnx_type_name(t.data_type()) + ": initializer '" + t.name() + "'";
  for (const auto& n : g.node()) {
    if (n.domain() == "ai.onnx.preview.training") return "training-only op: " + n.op_type();
    if ((n.domain().empty() || n.domain() == "ai.onnx") && sequence_ops.count(n.op_type()))
      return "sequence/optional: op " + n.op_type();
    for (const auto& a : n.attribute()) {
      if ((a.name() == "to" || a.name() == "output_datatype" || a.name() == "dtype") &&
          a.type() == onnx::AttributeProto::INT && a.i() != 0 && to_mirt(static_cast<int>(a.i())) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(static_cast<int>(a.i())) + ": " + n.op_type() + " attribute '" + a.name() + "'";
      if (a.type() == onnx::AttributeProto::TENSOR && to_mirt(a.t().data_type()) == MIRT_DTYPE_UNDEFINED)
        return "type " + onnx_type_name(a.t().data_type()) + ": " + n.op_type() + " tensor attribute";
      if (a.has_g())
        if (std::string r = graph_skip(a.g()); !r.empty()) return r;
      for (const auto& sub : a.graphs())
        if (std::string r = graph_skip(sub); !r.empty()) return r;
    }
  }
  return "";
}

// The op a test exercises, for the failing-op table: the model's op types (Constant left out when
// other ops are present), joined with '+', with the domain for non-standard ones.
std::string tested_ops(const onnx::GraphProto& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.node()) {
    std::string op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx") op = n.domain() + "." + op;
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  if (ops.size() > 1) ops.erase(std::remove(ops.begin(), ops.end(), "Constant"), ops.end());
  std::string out;
  for (const std::string& op : ops) out += (out.empty() ? "" : "+") + op;
  return out.empty() ? "(no nodes)" : out;
}

// The op a failure message names ("unknown op 'TopK'", "(Scan, domain ...", "op 'Add' with dtype
// int8"), or "" when it names none; *dtype gets the dtype of a missing kernel.
std::string named_op(const std::string& reason, std::string* dtype) {
  std::string op;
  if (size_t p = reason.find("op '"); p != std::string::npos) {
    size_t e = reason.find('\'', p + 4);
    if (e != std::string::npos) op = reason.substr(p + 4, e - p - 4);
  } else if (size_t n = reason.find("ONNX node #"); n != std::string::npos) {
    size_t p = reason.find('(', n), e = reason.find(',', n);
    if (p != std::string::npos && e != std::string::npos && p < e) op = reason.substr(p + 1, e - p - 1);
  }
  if (size_t d = reason.find(" with dtype "); !op.empty() && d != std::string::npos) {
    size_t b = d + 12, e = reason.find(' ', b);
    *dtype = reason.substr(b, e == std::string::npos ? std::string::npos : e - b);
  }
  return op;
}

}  // namespace conformance
